"""Specs: the shipped ones load, the hash means 'same content', bad files say where and why."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, SpecError, load_spec, load_spec_file, load_specs

PROJECT_DIR = Path(__file__).resolve().parents[2]
SPECS_DIR = PROJECT_DIR / "specs"
CHURN_TEXT = (SPECS_DIR / "churn.yaml").read_text()
CHURN: dict[str, Any] = yaml.safe_load(CHURN_TEXT)

Mutation = Callable[[dict[str, Any]], None]


def churn_with(mutate: Mutation) -> dict[str, Any]:
    data = copy.deepcopy(CHURN)
    mutate(data)
    return data


def write_spec(folder: Path, data: Any, *, name: str = "churn") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def lgbm(data: dict[str, Any]) -> dict[str, Any]:
    families: dict[str, Any] = data["training"]["families"]
    return families.setdefault("lightgbm", {})  # type: ignore[no-any-return]


def test_load_shipped_specs() -> None:
    specs = {spec.name: spec for spec in load_specs(SPECS_DIR)}
    assert set(specs) == {"churn", "house_prices", "storms"}
    assert specs["churn"].task == "classification"
    assert specs["churn"].higher_is_better
    assert specs["house_prices"].task == "regression"
    assert not specs["house_prices"].higher_is_better
    assert "country" in specs["churn"].categorical_features
    assert specs["churn"].target not in specs["churn"].feature_names


def test_load_spec_by_name_uses_the_settings_specs_dir(mlaas_home: Path) -> None:
    assert get_settings().specs_dir == SPECS_DIR
    assert load_spec("churn") == load_spec_file(SPECS_DIR / "churn.yaml")


def test_keep_spec_hash_when_only_key_order_and_comments_change(tmp_path: Path) -> None:
    reordered = dict(reversed(list(CHURN.items())))
    reordered["training"] = dict(reversed(list(CHURN["training"].items())))
    text = "# a new comment\n" + yaml.safe_dump(reordered, sort_keys=False)
    (tmp_path / "churn.yaml").write_text(text)
    assert text != CHURN_TEXT
    original = load_spec_file(SPECS_DIR / "churn.yaml")
    assert load_spec_file(tmp_path / "churn.yaml").spec_hash == original.spec_hash


def test_keep_spec_hash_when_a_default_is_written_out(tmp_path: Path) -> None:
    data = churn_with(lambda d: d["training"]["holdout"].update(strategy="time"))
    data["retrain"]["window_days"] = 90  # the default, now explicit
    original = load_spec_file(SPECS_DIR / "churn.yaml")
    assert load_spec_file(write_spec(tmp_path, data)).spec_hash == original.spec_hash


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["training"].update(trials=21),
        lambda d: d["gate"].update(min_metric=0.71),
        lambda d: d["features"][0].update(type="float"),
        lambda d: lgbm(d)["num_leaves"].update(high=65),
    ],
    ids=["trials", "gate-floor", "feature-type", "search-space"],
)
def test_change_spec_hash_when_a_value_changes(tmp_path: Path, mutate: Mutation) -> None:
    original = load_spec_file(SPECS_DIR / "churn.yaml")
    changed = load_spec_file(write_spec(tmp_path, churn_with(mutate)))
    assert changed.spec_hash != original.spec_hash
    assert len(changed.spec_hash) == 64


def test_round_trip_spec_through_yaml() -> None:
    spec = load_spec("house_prices")
    again = ModelSpec.model_validate(yaml.safe_load(spec.to_yaml()))
    assert again == spec
    assert again.spec_hash == spec.spec_hash


BAD_SPECS: list[tuple[str, Mutation, list[str]]] = [
    (
        "unknown-family",
        lambda d: d["training"]["families"].update(xgboost={}),
        ["training.families.xgboost", "unknown model family 'xgboost'", "lightgbm"],
    ),
    (
        "unknown-hyper-parameter",
        lambda d: lgbm(d).update(num_leafs={"type": "int", "low": 8, "high": 64}),
        ["training.families.lightgbm.num_leafs", "no hyper-parameter 'num_leafs'", "num_leaves"],
    ),
    (
        "low-not-below-high",
        lambda d: lgbm(d)["num_leaves"].update(low=64, high=8),
        ["training.families.lightgbm.num_leaves:", "low (64) must be below high (8)"],
    ),
    (
        "low-equals-high",
        lambda d: lgbm(d)["colsample_bytree"].update(low=0.5, high=0.5),
        ["training.families.lightgbm.colsample_bytree:", "must be below high"],
    ),
    (
        "log-range-low-zero",
        lambda d: lgbm(d)["learning_rate"].update(low=0.0),
        ["training.families.lightgbm.learning_rate:", "log-scaled range needs low > 0"],
    ),
    (
        "unknown-metric",
        lambda d: d["training"].update(primary_metric="auc"),
        ["training.primary_metric", "unknown metric 'auc'", "roc_auc"],
    ),
    (
        "metric-of-wrong-task",
        lambda d: d["training"].update(primary_metric="rmse"),
        ["training.primary_metric", "'rmse' is a regression metric", "'classification'"],
    ),
    (
        "family-without-the-task",
        lambda d: d["training"]["families"].update(ridge={}),
        ["training.families.ridge", "does not support task 'classification'"],
    ),
    (
        "duplicate-feature",
        lambda d: d["features"].append({"name": "age", "type": "int"}),
        ["features.11.name", "duplicate feature 'age'"],
    ),
    (
        "feature-named-like-target",
        lambda d: d["features"].append({"name": "churned", "type": "int"}),
        ["features.11.name", "'churned' is also the target"],
    ),
    (
        "feature-named-like-entity-key",
        lambda d: d["features"][0].update(name="customer_id"),
        ["features.0.name", "'customer_id' is also the entity key"],
    ),
    (
        "bad-feature-type",
        lambda d: d["features"][2].update(type="string"),
        ["features.2.type", "'int', 'float', 'bool' or 'category'"],
    ),
    (
        "typo-in-field-name",
        lambda d: d["gate"].update(min_improvment=0.01),
        ["gate.min_improvment", "Extra inputs are not permitted"],
    ),
    (
        "missing-required-field",
        lambda d: d.pop("target"),
        ["target", "Field required"],
    ),
    (
        "bad-dataset-source",
        lambda d: d["dataset"].update(source="data/churn.txt"),
        ["dataset.source", "must be a .csv or .parquet file"],
    ),
    (
        "significance-level-out-of-range",
        lambda d: d["gate"].update(significance_level=1.5),
        ["gate.significance_level", "less than 1"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(mutate, expected, id=case) for case, mutate, expected in BAD_SPECS],
)
def test_reject_bad_spec_naming_file_field_and_reason(
    tmp_path: Path, mutate: Mutation, expected: list[str]
) -> None:
    path = write_spec(tmp_path, churn_with(mutate))
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message


def test_report_every_problem_of_a_spec_on_its_own_line(tmp_path: Path) -> None:
    def two_problems(data: dict[str, Any]) -> None:
        data["gate"]["significance_level"] = 0
        data["drift"]["numeric_tst"] = "ks"

    with pytest.raises(SpecError) as caught:
        load_spec_file(write_spec(tmp_path, churn_with(two_problems)))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert any("gate.significance_level" in line for line in lines)
    assert any("drift.numeric_tst" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "<root>: expected a mapping, got list"),
        ("plain words\n", "<root>: expected a mapping, got str"),
        ("", "<root>: expected a mapping, got NoneType"),
    ],
    ids=["bad-yaml", "list", "scalar", "empty"],
)
def test_reject_spec_file_that_is_not_a_yaml_mapping(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "churn.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_reject_spec_whose_name_does_not_match_the_file(tmp_path: Path) -> None:
    path = write_spec(tmp_path, CHURN, name="attrition")
    with pytest.raises(SpecError, match="name: 'churn' must match the file name 'attrition'"):
        load_spec_file(path)


def test_reject_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_spec_file(tmp_path / "churn.yaml")


def test_reject_folder_given_as_spec_file(tmp_path: Path) -> None:
    folder = tmp_path / "churn.yaml"
    folder.mkdir()
    with pytest.raises(SpecError, match="cannot read"):
        load_spec_file(folder)


def test_list_known_specs_for_unknown_name() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec("nosuch", specs_dir=SPECS_DIR)
    message = str(caught.value)
    assert "no spec named 'nosuch'" in message
    assert "known: ['churn', 'house_prices', 'storms']" in message
    assert str(SPECS_DIR / "nosuch.yaml") in message


def test_look_up_spec_name_even_when_a_folder_has_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "churn").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_spec("churn", specs_dir=SPECS_DIR).name == "churn"
