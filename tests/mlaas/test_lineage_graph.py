"""The lineage graph walked both ways: which versions used a dataset, and what data trained a
version, with validations, feature view, run, alias moves and served predictions; from the
training service and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tests.factories import home_env, small_spec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Churn trained once and served three predictions; (data hash, admin key)."""
    from fastapi.testclient import TestClient

    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline
    from mlaas.registry import get_version
    from services.prediction.app import app

    with home_env(tmp_path_factory.mktemp("lineage") / "home"):
        run_pipeline(small_spec("churn"))
        key = create_key("lineage", ["admin"])[0]
        record = {
            "age": 40, "tenure_months": 12, "balance": 1000.0, "num_products": 1,
            "credit_score": 650, "estimated_salary": 50000.0, "support_calls": 1,
            "has_credit_card": True, "is_active_member": False, "country": "France",
            "gender": "Female",
        }  # fmt: skip
        with TestClient(app) as client:  # the log is flushed at shutdown
            for _ in range(3):
                answer = client.post(
                    "/v1/models/churn/predict",
                    json={"features": record},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert answer.status_code == 200, answer.text
        yield get_version("churn", "1").lineage()["data_hash"], key


def kinds(graph: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for node in graph["nodes"]:
        out.setdefault(node["kind"], []).append(node)
    return out


def relations(graph: dict[str, Any]) -> set[tuple[str, str, str]]:
    nodes = {node["id"]: node["kind"] for node in graph["nodes"]}
    return {(nodes[e["from"]], e["relation"], nodes[e["to"]]) for e in graph["edges"]}


CHAIN = {
    ("dataset", "made_from", "source"),
    ("dataset", "validated_by", "validation"),
    ("dataset", "published_as", "feature_view"),
    ("feature_view", "trained", "training_run"),
    ("training_run", "registered_as", "model_version"),
    ("model_version", "aliased", "alias"),
    ("model_version", "served", "predictions"),
}


def test_which_versions_used_a_dataset(home: tuple[str, str]) -> None:
    from mlaas.lineage_graph import dataset_lineage

    data_hash, _ = home
    graph = dataset_lineage(data_hash[:8])
    found = kinds(graph)
    assert graph["root"] == f"dataset:churn:{data_hash}"
    assert [v["version"] for v in found["model_version"]] == ["1"]
    assert found["model_version"][0]["aliases"] == ["challenger", "champion"]
    assert found["validation"][0]["success"] is True
    assert found["feature_view"][0]["id"] == "feature_view:churn_features"
    assert [a["alias"] for a in found["alias"]] == ["challenger", "champion"]
    assert found["predictions"][0]["count"] == 3
    assert found["source"][0]["part"] == "source" and found["source"][0]["rows"] == 5000
    assert relations(graph) == CHAIN


def test_what_data_trained_a_version(home: tuple[str, str]) -> None:
    from mlaas.lineage_graph import version_lineage

    data_hash, _ = home
    graph = version_lineage("churn", "1")
    assert graph["root"] == "model_version:churn:1"
    (dataset,) = kinds(graph)["dataset"]
    assert dataset["content_hash"] == data_hash and dataset["status"] == "validated"
    assert relations(graph) == CHAIN
    lines = CliRunner().invoke(
        __import__("mlaas.cli").cli.cli, ["lineage", "version", "churn", "1"]
    )
    assert lines.exit_code == 0, lines.output
    text = lines.output.splitlines()
    assert text[0].startswith(f"dataset {data_hash[:12]} (5000 rows, validated)")
    assert any("churn v1 [challenger, champion]" in line for line in text)
    assert any("3 predictions served" in line for line in text)


def test_the_training_service_serves_both_walks_and_refuses_bad_hashes(
    home: tuple[str, str],
) -> None:
    from fastapi.testclient import TestClient

    from services.training.app import app

    data_hash, key = home
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        by_version = client.get("/v1/models/churn/versions/1/lineage", headers=headers)
        assert by_version.status_code == 200, by_version.text
        assert {"from", "to", "relation"} == set(by_version.json()["edges"][0])
        by_data = client.get(f"/v1/lineage/datasets/{data_hash[:10]}", headers=headers)
        assert by_data.status_code == 200 and by_data.json()["root"].endswith(data_hash)
        unknown = client.get("/v1/lineage/datasets/abcdef0123", headers=headers)
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "dataset_not_found")
        short = client.get("/v1/lineage/datasets/abc", headers=headers)
        assert short.status_code == 422
