"""The shipped multiclass model (specs/storms.yaml: nine string classes, three under 1%, missing
wind-field diameters) trained and served end to end: native answers with every class's
probability and explanations of any class, MLflow's scoring protocol, the Open Inference
Protocol with the class order in its metadata, feedback with string labels, live metrics."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import home_env, small_spec

pytestmark = pytest.mark.slow

CLASSES = [
    "disturbance",
    "extratropical",
    "hurricane",
    "other low",
    "subtropical depression",
    "subtropical storm",
    "tropical depression",
    "tropical storm",
    "tropical wave",
]
# An observation before 2004: the wind-field diameters were not recorded.
OLD = {"lat": 27.5, "long": -79.0, "wind": 25, "pressure": 1013, "month": 6}
RECORD = {**OLD, "tropicalstorm_force_diameter": None, "hurricane_force_diameter": None}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    with home_env(tmp_path_factory.mktemp("storms") / "home") as folder:
        registration = run_pipeline(small_spec("storms"))
        assert registration.champion, registration.gate.reason
        yield folder, create_key("storms", ["predict", "monitor"])[0]


def registration_family(detail: dict[str, Any]) -> str:
    """The champion's model family, from its lineage in the model detail."""
    served = detail["served"]["champion"]
    version = next(v for v in detail["versions"] if v["version"] == served)
    return str(version["lineage"]["family"])


def test_the_storms_model_is_served_and_monitored_with_string_classes(
    home: tuple[Path, str],
) -> None:
    from mlaas.registry import per_class_metrics
    from services.monitoring.app import app as monitoring
    from services.prediction.app import app as prediction

    _, key = home
    headers = {"Authorization": f"Bearer {key}"}
    report = per_class_metrics("storms", "1")
    assert report is not None and report["classes"] == CLASSES  # every class, rare ones too
    assert all(row["support"] > 0 for row in report["per_class"])  # stratified holdout

    labelled: list[tuple[str, str]] = []
    with TestClient(prediction) as client:
        native = client.post(
            "/v1/models/storms/predict",
            json={"features": RECORD, "explain": True},
            headers=headers,
        )
        assert native.status_code == 200, native.text
        (item,) = native.json()["predictions"]
        assert item["output"] in CLASSES and isinstance(item["output"], str)
        assert sorted(item["probabilities"]) == CLASSES
        assert math.isclose(sum(item["probabilities"].values()), 1.0, abs_tol=1e-9)
        assert item["output"] == max(item["probabilities"], key=item["probabilities"].get)
        assert item["explained_class"] == item["output"]  # multi-class: the predicted one
        # The answer says which inputs were null and what, if anything, replaced them.
        assert item["missing"] == ["tropicalstorm_force_diameter", "hurricane_force_diameter"]
        detail = client.get("/v1/models/storms", headers=headers).json()
        when_null = {i["name"]: i["when_null"] for i in detail["signature"]["inputs"]}
        assert item["imputed"] == {
            name: when_null[name]["value"]
            for name in item["missing"]
            if "value" in when_null[name]
        }
        family = registration_family(detail)
        native = {"strategy": "native"}
        assert (when_null["hurricane_force_diameter"] == native) == (family == "lightgbm")
        complete = {**OLD, "tropicalstorm_force_diameter": 150.0, "hurricane_force_diameter": 0.0}
        whole = client.post(
            "/v1/models/storms/predict", json={"features": complete}, headers=headers
        ).json()["predictions"][0]
        assert "missing" not in whole and "imputed" not in whole
        hurricane = client.post(
            "/v1/models/storms/predict",
            json={"features": RECORD, "explain_class": "hurricane"},
            headers=headers,
        ).json()["predictions"][0]
        assert hurricane["explained_class"] == "hurricane"
        assert hurricane["explanation"] != item["explanation"]

        mlflow = client.post(
            "/v1/models/storms/invocations",
            json={"dataframe_records": [RECORD]},
            headers=headers,
        )
        assert mlflow.status_code == 200, mlflow.text
        assert mlflow.json()["predictions"] == [item["output"]]

        metadata = client.get("/v2/models/storms", headers=headers).json()
        outputs = {o["name"]: o for o in metadata["outputs"]}
        assert outputs["predict"]["datatype"] == "BYTES"
        assert outputs["predict_proba"]["parameters"]["classes"] == CLASSES
        inputs = [
            {
                "name": i["name"],
                "shape": [1],
                "datatype": i["datatype"],
                "data": [RECORD[i["name"]]],
            }
            for i in metadata["inputs"]
        ]
        infer = client.post("/v2/models/storms/infer", json={"inputs": inputs}, headers=headers)
        assert infer.status_code == 200, infer.text
        answered = {o["name"]: o for o in infer.json()["outputs"]}
        assert answered["predict"] == {**answered["predict"], "datatype": "BYTES"}
        assert answered["predict"]["data"] == [item["output"]]
        assert answered["predict_proba"]["data"] == pytest.approx(
            [item["probabilities"][c] for c in CLASSES]
        )

        for wind in (25, 45, 90, 120):  # depression, storm, hurricanes: labelled as such
            record = {**RECORD, "wind": wind, "pressure": 1013 - wind}
            answer = client.post(
                "/v1/models/storms/predict", json={"features": record}, headers=headers
            ).json()
            truth = (
                "tropical depression"
                if wind < 34
                else "tropical storm"
                if wind < 64
                else ("hurricane")
            )
            labelled.append((answer["request_id"], truth))

    with TestClient(monitoring) as client:  # the prediction log was flushed at shutdown
        items = [{"request_id": rid, "label": label} for rid, label in labelled]
        feedback = client.post("/v1/feedback", json={"items": items}, headers=headers)
        assert feedback.status_code == 200, feedback.text
        assert feedback.json()["accepted"] == len(items)
        unknown_class = client.post(
            "/v1/feedback",
            json={
                "items": [{"request_id": labelled[0][0], "label": "typhoon"}],
                "overwrite": True,
            },
            headers=headers,
        )
        assert unknown_class.status_code == 422, unknown_class.text
        performance = client.get("/v1/models/storms/performance", headers=headers)
        assert performance.status_code == 200, performance.text
        champion: dict[str, Any] = performance.json()["overall"]["champion"]
        assert champion["count"] == len(items)
        metrics = champion["metrics"]
        assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["log_loss"] > 0
        # Four labels of three classes: the metrics that average over all nine are undefined
        # (null), not an average over the three that happen to be there.
        assert metrics["f1"] is None and metrics["roc_auc"] is None
        assert "none of class(es) ['disturbance'" in champion["problems"]["f1"]
