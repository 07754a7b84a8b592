"""The `mlaas` commands people run day to day, on a real home with two registered churn versions:
`registry list/alias/promote/compare/best` (output and audit entries), `reproduce` exiting 1
when the metrics differ, `run` with progress and its JSON (and one `error:` line on bad data),
and `up` on a home whose models have champions, or whose pipeline DAG fails."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mlaas.cli import cli, main
from tests.factories import home_env, small_spec


def invoke(*args: str) -> str:
    """The command in this process; what it printed to stdout (it must succeed)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`main()`, the console script's entry point, in this process: (exit code, out, err)."""
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["mlaas", *args])
        with pytest.raises(SystemExit) as exit_info:
            main()
            raise SystemExit(0)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def churn_source(folder: Path, rows: int = 800) -> Path:
    from mlaas.data.churn import generate_churn

    path = folder / "churn.parquet"
    generate_churn(rows, seed=5).to_parquet(path, index=False)
    return path


def specs_folder(folder: Path) -> Path:
    """A specs folder holding only the small churn spec (what `up` trains or serves)."""
    specs = folder / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "churn.yaml").write_text(small_spec("churn").to_yaml())
    return specs


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two churn versions (v1 champion) in one home; MLAAS_SPECS_DIR holds the small spec."""
    from mlaas.pipeline import run_pipeline

    folder = tmp_path_factory.mktemp("cli")
    source = churn_source(folder)
    with home_env(folder / "home", MLAAS_SPECS_DIR=str(specs_folder(folder))) as path:
        assert run_pipeline(small_spec("churn"), source=str(source)).champion
        run_pipeline(small_spec("churn", training__trials=2), source=str(source))
        yield path


def versions() -> dict[str, object]:
    from mlaas.registry import list_versions

    return {v.version: v for v in list_versions("churn")}


def champion() -> str:
    from mlaas.registry import CHAMPION, version_for_alias

    info = version_for_alias("churn", CHAMPION)
    assert info is not None
    return info.version


def test_registry_list_shows_versions_latest_and_aliases(home: Path) -> None:
    from mlaas.registry import list_models

    lines = invoke("registry", "list").splitlines()
    assert lines[0].split() == ["name", "versions", "latest", "aliases"]
    (model,) = list_models()
    cells = lines[1].split()
    assert cells[:3] == ["churn", str(model["versions"]), str(model["latest"])]
    assert f"champion={champion()}" in cells[3]


def test_registry_promote_moves_the_champion_and_is_audited(home: Path) -> None:
    from mlaas.db import audit_rows

    other = next(v for v in versions() if v != champion())
    output = invoke("registry", "promote", "churn", other, "--reason", "roll back for a test")
    assert output.strip() == f"churn@champion -> v{other}"
    assert champion() == other
    latest = audit_rows("churn")[0]
    assert (latest["action"], latest["alias"], latest["version"]) == (
        "set_alias",
        "champion",
        other,
    )
    assert latest["reason"] == "manual promotion: roll back for a test"


def test_registry_alias_points_any_alias_and_is_audited(home: Path) -> None:
    from mlaas.db import audit_rows
    from mlaas.registry import version_for_alias

    output = invoke("registry", "alias", "churn", "staging", "1", "--reason", "canary")
    assert output.strip() == "churn@staging -> v1"
    staged = version_for_alias("churn", "staging")
    assert staged is not None and staged.version == "1"
    latest = audit_rows("churn")[0]
    assert (latest["action"], latest["alias"], latest["version"], latest["reason"]) == (
        "set_alias",
        "staging",
        "1",
        "canary",
    )


def test_registry_alias_needs_a_reason(home: Path) -> None:
    result = CliRunner().invoke(cli, ["registry", "alias", "churn", "staging", "1"])
    assert result.exit_code == 2 and "Missing option '--reason'" in result.output


def test_registry_compare_prints_both_versions_metrics_and_the_paired_test(home: Path) -> None:
    from mlaas.promotion import compare

    lines = invoke("registry", "compare", "churn", "1", "2").splitlines()
    expected = compare("churn", "1", "2")
    assert lines[0].split() == ["metric", "1", "2"]
    table = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert set(table) == {row["metric"] for row in expected["metrics"]}
    assert "holdout_roc_auc" in table
    for row in expected["metrics"]:
        assert table[row["metric"]] == [f"{row['1']:.6g}", f"{row['2']:.6g}"]
    assert lines[-1] == expected["test"]["reason"]


def test_registry_compare_of_a_version_with_itself_is_one_error_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_main(capsys, "registry", "compare", "churn", "2", "2")
    assert code == 1
    assert error_lines(err) == [
        "error: compare needs two different versions of 'churn', got 2 twice"
    ]


def test_registry_best_names_the_version_with_the_best_primary_metric(home: Path) -> None:
    from mlaas.registry import aliases_by_version, list_versions

    scored = {v.version: v.metrics["holdout_roc_auc"] for v in list_versions("churn")}
    best = max(scored, key=lambda v: scored[v])
    aliases = ",".join(aliases_by_version("churn").get(best, [])) or "-"
    assert invoke("registry", "best", "churn").strip() == f"churn v{best} aliases={aliases}"
    lowest_loss = min(
        versions(),
        key=lambda v: versions()[v].metrics["holdout_log_loss"],  # type: ignore[attr-defined]
    )
    assert invoke("registry", "best", "churn", "--metric", "log_loss").startswith(
        f"churn v{lowest_loss} "
    )


def test_registry_best_with_an_unknown_metric_is_one_error_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_main(capsys, "registry", "best", "churn", "--metric", "accuracyy")
    assert code == 1
    (line,) = error_lines(err)
    assert line.startswith("error: unknown metric 'accuracyy'; known: [")


def test_reproduce_exits_1_and_shows_the_difference_when_metrics_differ(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlaas.registry import client, get_version

    version = get_version("churn", "1")
    registered = version.metrics["holdout_roc_auc"]
    mlflow = client()
    run = mlflow.get_run(version.run_id)
    step = max(m.step for m in mlflow.get_metric_history(run.info.run_id, "holdout_roc_auc"))
    mlflow.log_metric(run.info.run_id, "holdout_roc_auc", registered - 0.05, step=step + 1)
    try:
        code, out, _ = run_main(capsys, "reproduce", "churn", "1")
    finally:
        mlflow.log_metric(run.info.run_id, "holdout_roc_auc", registered, step=step + 2)
    assert code == 1, out
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "registered", "rebuilt", "abs_diff"]
    cells = next(line for line in lines if line.startswith("roc_auc ")).split()
    assert float(cells[1]) == pytest.approx(registered - 0.05, abs=1e-5)
    assert float(cells[2]) == pytest.approx(registered, abs=1e-5)  # rebuilt as registered
    assert float(cells[3]) == pytest.approx(0.05, abs=1e-5)
    assert lines[-1].startswith("churn v1: NOT reproduced (tolerance 1e-09; ")
    assert get_version("churn", "1").metrics["holdout_roc_auc"] == registered  # restored


def test_second_up_skips_training_and_prints_no_new_key(home: Path) -> None:
    from mlaas.auth import list_keys
    from mlaas.up import up

    said: list[list[str]] = [[], []]
    for lines in said:
        assert up(train=True, serve=False, say=lines.append) == 0
    keys = [k for k in list_keys() if k.name == "admin (created by mlaas up)"]
    assert len(keys) == 1 and keys[0].scopes == ("admin",)
    first, second = said
    skipping = "Every shipped model has a champion; skipping training."
    assert skipping in first and skipping in second
    assert [line for line in first if line.startswith("Admin API key (shown once")]
    assert not [line for line in second if "API key" in line]
    assert not [line for line in second if line.startswith("Training ")]


def test_up_exits_with_one_error_line_when_a_pipeline_dag_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model without a champion is trained through its DAG; when that run fails, `up` stops
    there with one line naming the model and the run's log, and exits 1."""
    from mlaas import orchestration
    from mlaas import up as up_module

    def failed_run(model: str, *, conf: object, log_file: Path, on_line: object) -> bool:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text("Task failed: ingest\n")  # what a failed `dag.test()` leaves
        return False

    monkeypatch.setattr(up_module, "run_dag", failed_run)
    monkeypatch.setattr(orchestration, "migrate_airflow_db", lambda settings: None)
    with home_env(tmp_path / "home", MLAAS_SPECS_DIR=str(specs_folder(tmp_path))) as path:
        code, out, err = run_main(capsys, "up", "--no-serve")
    log_file = path / "logs" / "pipeline-churn.log"
    assert code == 1, err
    assert error_lines(err) == [f"error: pipeline DAG for churn failed; see {log_file}"]
    assert f"Training churn through its DAG (log: {log_file}) ..." in out


def test_run_prints_each_step_then_the_registration_as_json(
    mlaas_home: Path, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from mlaas.db import datasets, get_engine

    spec_file = specs_folder(tmp_path) / "churn.yaml"
    source = churn_source(tmp_path, rows=600)
    output = invoke("run", str(spec_file), "--source", str(source), "--trigger", "cli-test")
    start = output.index("{\n")
    steps = output[:start].splitlines()
    for step in ("ingest", "validate", "features", "tune", "train", "register"):
        assert any(line.startswith(f"[churn] {step} ") for line in steps), (step, steps)
    assert any("v1 is champion" in line for line in steps), steps
    registration = json.loads(output[start:])
    assert (registration["model"], registration["version"]) == ("churn", "1")
    assert registration["champion"] is True and registration["reused"] is False
    with get_engine().connect() as conn:
        (stored,) = conn.execute(select(datasets.c.model, datasets.c.source)).all()
    assert tuple(stored) == ("churn", str(source))


def test_run_on_bad_data_is_one_error_line_naming_the_problem(
    mlaas_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlaas.registry import RegistryError, list_versions

    spec_file = specs_folder(tmp_path) / "churn.yaml"
    frame = pd.read_parquet(churn_source(tmp_path, rows=300))
    no_age, too_old = tmp_path / "no_age.parquet", tmp_path / "too_old.parquet"
    frame.drop(columns=["age"]).to_parquet(no_age)
    frame.assign(age=frame["age"].where(frame.index > 1, 150)).to_parquet(too_old)
    code, _, err = run_main(capsys, "run", str(spec_file), "--source", str(no_age))
    assert code == 1
    (line,) = error_lines(err)  # the spec check, before anything is stored
    assert "features[0].name: feature 'age' is not a column of" in line, line
    code, _, err = run_main(capsys, "run", str(spec_file), "--source", str(too_old))
    assert code == 1
    (line,) = error_lines(err)  # the suite, in the validate step
    assert "failed expectation suite 'churn'" in line, line
    assert "age: 2 values outside [18, 100]: 150 (row 0), 150 (row 1)" in line, line
    with pytest.raises(RegistryError):
        list_versions("churn")  # nothing was registered


def test_registry_classes_prints_per_class_figures_and_the_confusion_matrix(home: Path) -> None:
    from mlaas.registry import per_class_metrics

    report = per_class_metrics("churn", champion())
    assert report is not None and report["classes"] == [0, 1]
    lines = invoke("registry", "classes", "churn", champion()).splitlines()
    assert lines[0].split() == ["class", "precision", "recall", "f1", "support"]
    supports = [int(line.split()[-1]) for line in lines[1:3]]
    assert supports == [row["support"] for row in report["per_class"]]
    assert sum(supports) == report["rows"] == sum(map(sum, report["confusion_matrix"]))
    matrix = lines[lines.index(next(x for x in lines if x.startswith("confusion"))) + 2 :]
    assert [[int(n) for n in row.split()[1:]] for row in matrix] == report["confusion_matrix"]


def test_run_exits_3_when_the_version_is_registered_but_not_promoted(
    mlaas_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "churn.yaml"
    spec_file.write_text(small_spec("churn", gate__min_metric=0.9999).to_yaml())
    source = churn_source(tmp_path, rows=400)
    code, out, _ = run_main(capsys, "run", str(spec_file), "--source", str(source))
    assert code == 3
    registration = json.loads(out[out.index("{\n") :])
    assert registration["champion"] is False
    assert "fails the floor" in registration["gate"]["reason"]
