"""Behaviours docs/prediction-service.md promises, each asserted by what the client gets: the
batch bounds, and the v2 server and versioned routes. (Behaviours that need the service
started with other settings are in test_service_settings.py: they start their own app.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.services.prediction.conftest import Keys
from tests.services.prediction.test_api import CHURN, auth, predict


@pytest.mark.parametrize(
    ("route", "records", "status", "message"),
    [
        ("predict", [], 422, "send at least one record"),
        ("predict", [CHURN] * 1_001, 413, "1001 records; at most 1000 per call"),
        ("predict/batch", [], 422, "send at least one record"),
        ("predict/batch", [CHURN] * 10_001, 413, "10001 records; at most 10000 per call"),
    ],
)
def test_batch_bounds_name_the_limit(
    client: TestClient, keys: Keys, route: str, records: list[Any], status: int, message: str
) -> None:
    response = client.post(
        f"/v1/models/churn/{route}", json={"features": records}, headers=auth(keys.predict)
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("batch_size", message)


def test_the_largest_allowed_online_call_is_served(client: TestClient, keys: Keys) -> None:
    answer = predict(client, keys.predict, {"features": [CHURN] * 1_000})
    assert answer.status_code == 200 and len(answer.json()["predictions"]) == 1_000


def test_v2_server_metadata_and_versioned_routes(client: TestClient, keys: Keys) -> None:
    import mlaas

    assert client.get("/v2").json() == {
        "name": "mlaas",
        "version": mlaas.__version__,
        "extensions": [],
    }
    served = client.get("/v1/models/churn", headers=auth(keys.predict)).json()
    version = str(served["served"]["champion"])
    ready = client.get(f"/v2/models/churn/versions/{version}/ready", headers=auth(keys.predict))
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert client.get("/v2/models/churn/ready", headers=auth(keys.predict)).json()["ready"]
    latest = client.get("/v2/models/churn", headers=auth(keys.predict)).json()
    pinned = client.get(f"/v2/models/churn/versions/{version}", headers=auth(keys.predict))
    assert pinned.status_code == 200 and pinned.json() == latest
    assert version in pinned.json()["versions"]

    types = {i["name"]: i["datatype"] for i in latest["inputs"]}
    request = {
        "inputs": [
            {"name": n, "shape": [1], "datatype": types[n], "data": [v]} for n, v in CHURN.items()
        ]
    }
    infer = client.post(
        f"/v2/models/churn/versions/{version}/infer", json=request, headers=auth(keys.predict)
    )
    assert infer.status_code == 200, infer.text
    assert infer.json()["model_version"] == version
    (native,) = predict(client, keys.predict, {"features": CHURN}).json()["predictions"]
    outputs = {o["name"]: o["data"] for o in infer.json()["outputs"]}
    assert outputs["predict"] == [native["output"]]

    unknown = client.post(
        "/v2/models/churn/versions/999/infer", json=request, headers=auth(keys.predict)
    )
    assert unknown.status_code == 404 and "999" in unknown.json()["error"]
