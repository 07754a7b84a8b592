"""The `mlaas` command: every command has help; failures exit non-zero with one `error:` line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from mlaas.auth import list_keys
from mlaas.cli import cli
from mlaas.specs import load_spec

PROJECT_DIR = Path(__file__).resolve().parents[2]
MLAAS = Path(sys.executable).parent / "mlaas"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def run_mlaas(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script in a fresh process, with only MLAAS_HOME set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLAAS_")}
    env["MLAAS_HOME"] = str(home)
    return subprocess.run(
        [str(MLAAS), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home.parent,
        timeout=120,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def bad_spec_file(folder: Path) -> Path:
    data = yaml.safe_load((PROJECT_DIR / "specs" / "churn.yaml").read_text())
    data["training"]["primary_metric"] = "rmse"
    path = folder / "churn.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("path", command_paths(cli), ids=lambda p: " ".join(p) or "mlaas")
def test_show_help_for_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")


def test_show_help_from_the_console_script(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "--help")
    assert result.returncode == 0
    for group in ("data", "keys", "registry", "run", "specs", "up"):
        assert group in result.stdout


def test_validate_shipped_specs(mlaas_home: Path) -> None:
    result = CliRunner().invoke(cli, ["specs", "validate"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert "churn.yaml: ok (churn, classification, spec hash " in lines[0]
    assert "house_prices.yaml: ok (house_prices, regression, spec hash " in lines[1]
    assert "storms.yaml: ok (storms, classification, spec hash " in lines[2]
    assert load_spec("churn").spec_hash[:12] in lines[0]


def test_validate_reports_every_bad_spec_file_and_fails(mlaas_home: Path, tmp_path: Path) -> None:
    bad = bad_spec_file(tmp_path)
    good = tmp_path / "house_prices.yaml"
    good.write_text(load_spec("house_prices").to_yaml())
    result = CliRunner().invoke(cli, ["specs", "validate", str(bad), str(good)])
    assert result.exit_code == 1
    assert f"error: {bad}: training.primary_metric:" in result.output
    assert f"{good}: ok (house_prices" in result.output


def test_reject_bad_spec_file_with_one_error_line(tmp_path: Path) -> None:
    path = bad_spec_file(tmp_path)
    result = run_mlaas(tmp_path / "home", "specs", "validate", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: training.primary_metric: 'rmse' is a regression metric but task is "
        "'classification'"
    ]


def test_reject_unknown_spec_name_with_one_error_line(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "run", "nosuch")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert "no spec named 'nosuch'" in line
    assert "known: ['churn', 'house_prices', 'storms']" in line


def test_show_traceback_with_debug(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "--debug", "run", "nosuch")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "SpecNotFound" in result.stderr


def test_reject_unknown_command_with_usage_error(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "nosuchcommand")
    assert result.returncode == 2
    assert "No such command 'nosuchcommand'" in result.stderr


def test_create_list_and_revoke_api_key(mlaas_home: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--name", "x", "--scope", "predict"])
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert key.startswith("mlaas_")
    prefix = key.split("_")[1]

    listed = runner.invoke(cli, ["keys", "list"])
    assert listed.exit_code == 0
    assert prefix in listed.output
    assert key.split("_", 2)[2] not in listed.output  # the secret is never shown again

    revoked = runner.invoke(cli, ["keys", "revoke", prefix])
    assert revoked.exit_code == 0
    assert revoked.output.strip() == f"revoked {prefix}"
    [record] = list_keys()
    assert record.revoked_at is not None

    again = run_mlaas(mlaas_home, "keys", "revoke", prefix)  # same home, fresh process
    assert again.returncode == 1
    assert again.stderr.splitlines() == [f"error: no active API key with prefix {prefix!r}"]


def test_reject_unknown_scope_with_usage_error(mlaas_home: Path) -> None:
    result = CliRunner().invoke(cli, ["keys", "create", "--name", "x", "--scope", "root"])
    assert result.exit_code == 2
    assert "Invalid value for '--scope'" in result.output
    assert list_keys() == []


def test_reject_unknown_model_in_registry_with_one_error_line(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "registry", "versions", "nosuch")
    assert result.returncode == 1
    assert error_lines(result.stderr) == ["error: model 'nosuch' is not registered"]
    assert result.stderr.splitlines()[-1] == "error: model 'nosuch' is not registered"


def test_generate_churn_dataset(mlaas_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    result = CliRunner().invoke(
        cli, ["data", "generate", "churn", "--rows", "200", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    frame = pd.read_parquet(out)
    assert len(frame) == 200
    spec = load_spec("churn")
    assert {*spec.feature_names, spec.target, spec.entity_key} <= set(frame.columns)


def test_reject_shift_without_amount_with_usage_error(mlaas_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    result = CliRunner().invoke(
        cli, ["data", "generate", "churn", "--rows", "50", "--out", str(out), "--shift", "age"]
    )
    assert result.exit_code == 2
    assert "Invalid value for --shift: 'age': expected FEATURE=K" in result.output
    assert not out.exists()


def test_reject_shift_without_amount_from_the_console_script(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "data", "generate", "churn", "--shift", "age")
    assert result.returncode == 2
    assert result.stderr.startswith("Usage: mlaas data generate")
    assert "expected FEATURE=K" in result.stderr


def test_generate_churn_with_drift_knobs_moves_the_named_columns(
    mlaas_home: Path, tmp_path: Path
) -> None:
    base, drifted = tmp_path / "base.parquet", tmp_path / "drifted.parquet"
    common = ["data", "generate", "churn", "--rows", "3000", "--seed", "3"]
    assert CliRunner().invoke(cli, [*common, "--out", str(base)]).exit_code == 0
    result = CliRunner().invoke(
        cli,
        [
            *common,
            "--out",
            str(drifted),
            "--shift",
            "age=2",
            "--category-weight",
            "country=Germany:10",
        ],
    )
    assert result.exit_code == 0, result.output
    before, after = pd.read_parquet(base), pd.read_parquet(drifted)
    assert after["age"].mean() > before["age"].mean() + 5
    share = (after["country"] == "Germany").mean()
    assert share > (before["country"] == "Germany").mean() + 0.3
    assert before["balance"].equals(after["balance"])


def test_reject_malformed_category_weight(mlaas_home: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["data", "generate", "churn", "--category-weight", "country=Germany"]
    )
    assert result.exit_code == 2
    assert "expected FEATURE=CATEGORY:WEIGHT" in result.output


def test_reject_unknown_retrain_mode_naming_the_choices(tmp_path: Path) -> None:
    result = run_mlaas(tmp_path / "home", "run", "churn", "--mode", "sideways")
    assert result.returncode == 2
    assert "'sideways' is not one of" in result.stderr
    assert "'recalibration'" in result.stderr
