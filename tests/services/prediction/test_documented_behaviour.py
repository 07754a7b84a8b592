"""Behaviours docs/prediction-service.md promises, each asserted by what the client gets: the
batch bounds, and the v2 server and versioned routes. (Behaviours that need the service
started with other settings are in test_service_settings.py: they start their own app.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

import mlaas
from tests.services.prediction.conftest import Keys
from tests.services.prediction.test_api import CHURN, HOUSE, auth, predict


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


def test_v2_outputs_are_declared_as_answered_and_can_be_chosen(
    client: TestClient, keys: Keys
) -> None:
    """Metadata declares each output's real datatype (churn's labels are integers: INT64;
    house_prices is a regression: FP64) and the class of each `predict_proba` column;
    `outputs` selects tensors, an unknown name is a 400; FP32 and INT32 inputs are read as the
    model's FP64 and INT64 features."""
    churn = client.get("/v2/models/churn", headers=auth(keys.predict)).json()
    assert churn["outputs"] == [
        {"name": "predict", "datatype": "INT64", "shape": [-1]},
        {
            "name": "predict_proba",
            "datatype": "FP64",
            "shape": [-1, 2],
            "parameters": {"classes": [0, 1]},
        },
    ]
    house = client.get("/v2/models/house_prices", headers=auth(keys.predict)).json()
    assert house["outputs"] == [{"name": "predict", "datatype": "FP64", "shape": [-1]}]

    narrow = {"INT64": "INT32", "FP64": "FP32"}
    inputs = [
        {
            "name": i["name"],
            "shape": [1],
            "datatype": narrow.get(i["datatype"], i["datatype"]),
            "data": [CHURN[i["name"]]],
        }
        for i in churn["inputs"]
    ]
    both = client.post(
        "/v2/models/churn/infer", json={"inputs": inputs}, headers=auth(keys.predict)
    )
    assert both.status_code == 200, both.text
    declared = {o["name"]: o["datatype"] for o in churn["outputs"]}
    assert {o["name"]: o["datatype"] for o in both.json()["outputs"]} == declared
    (native,) = predict(client, keys.predict, {"features": CHURN}).json()["predictions"]
    one = client.post(
        "/v2/models/churn/infer",
        json={"inputs": inputs, "outputs": [{"name": "predict_proba"}]},
        headers=auth(keys.predict),
    ).json()["outputs"]
    assert [o["name"] for o in one] == ["predict_proba"]
    assert one[0]["parameters"] == {"classes": [0, 1]}  # the columns, in the metadata's order
    assert one[0]["data"] == pytest.approx([native["probabilities"][c] for c in ("0", "1")])
    unknown = client.post(
        "/v2/models/churn/infer",
        json={"inputs": inputs, "outputs": [{"name": "explain"}]},
        headers=auth(keys.predict),
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": "unknown output(s) ['explain']; this model answers ['predict', 'predict_proba']"
    }


def test_v2_reads_a_body_sent_without_content_type(client: TestClient, keys: Keys) -> None:
    """tritonclient sends no Content-Type: /v2 reads such a body as JSON, as KServe does."""
    meta = client.get("/v2/models/house_prices", headers=auth(keys.predict)).json()
    types = {i["name"]: i["datatype"] for i in meta["inputs"]}
    body = {
        "inputs": [
            {"name": n, "shape": [1], "datatype": types[n], "data": [v]} for n, v in HOUSE.items()
        ]
    }
    answer = client.post(
        "/v2/models/house_prices/infer",
        content=json.dumps(body).encode(),
        headers={**auth(keys.predict), "Content-Type": ""},
    )
    assert answer.status_code == 200, answer.text
    typed = client.post(
        "/v1/models/house_prices/predict",
        content=b'{"features": {}}',
        headers={**auth(keys.predict), "Content-Type": "text/plain"},
    )
    assert typed.status_code == 415  # elsewhere a body must say it is JSON


def test_inputs_the_fuzzer_found_are_refused_naming_the_problem(
    client: TestClient, keys: Keys
) -> None:
    """Each of these once reached the model or the feature store and answered 500."""
    beyond = predict(client, keys.predict, {"entity_ids": [1, -(2**80)]})
    assert beyond.status_code == 422, beyond.text
    assert beyond.json()["error"]["fields"] == [
        {"field": "entity_ids[1]", "problem": f"{-(2**80)} is beyond 64-bit integers"}
    ]
    mixed = predict(client, keys.predict, {"entity_ids": [1, "two"]})
    assert mixed.status_code == 422 and mixed.json()["error"]["fields"][0]["field"] == "entity_ids"
    tensor = {"name": "age", "shape": [2], "datatype": "INT64", "data": [[41], True]}
    ragged = client.post(
        "/v2/models/churn/infer", json={"inputs": [tensor]}, headers=auth(keys.predict)
    )
    assert ragged.status_code == 400
    assert ragged.json() == {"error": "input 'age': data must be a flat list or a list of rows"}
    routing = client.put(
        "/v1/models/churn/routing",
        json={"challenger_weight": 0.0, "shadow": 0},
        headers=auth(keys.admin),
    )
    assert routing.status_code == 422  # 0 is not a boolean


def test_invocations_scores_the_model_named_by_the_header(client: TestClient, keys: Keys) -> None:
    """With several models served, `X-Model-Name` picks the one `/invocations` scores."""
    body = {"dataframe_records": [HOUSE]}
    headers = {**auth(keys.predict), "X-Model-Name": "house_prices"}
    scored = client.post("/invocations", json=body, headers=headers)
    assert scored.status_code == 200, scored.text
    (native,) = predict(client, keys.predict, {"features": HOUSE}, model="house_prices").json()[
        "predictions"
    ]
    assert scored.json() == {"predictions": [native["output"]]}
    unknown = client.post("/invocations", json=body, headers={**headers, "X-Model-Name": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    unnamed = client.post("/invocations", json=body, headers=auth(keys.predict))
    assert unnamed.status_code == 400 and "X-Model-Name" in unnamed.json()["message"]


def test_invocations_takes_csv_as_mlflows_scoring_server_does(
    client: TestClient, keys: Keys
) -> None:
    """`text/csv` with a header row (what `DataFrame.to_csv(index=False)` writes, as MLflow
    users send it) scores like the same records as JSON; bad CSV is a 400 in MLflow's shape."""
    import pandas as pd

    records = [CHURN, {**CHURN, "age": 71}, {**CHURN, "country": "Spain"}]
    csv_headers = {**auth(keys.predict), "Content-Type": "text/csv"}
    body = pd.DataFrame(records).to_csv(index=False)
    scored = client.post("/v1/models/churn/invocations", content=body, headers=csv_headers)
    assert scored.status_code == 200, scored.text
    as_json = client.post(
        "/v1/models/churn/invocations",
        json={"dataframe_records": records},
        headers=auth(keys.predict),
    )
    assert scored.json() == as_json.json() and len(scored.json()["predictions"]) == 3
    named = {
        **csv_headers,
        "X-Model-Name": "house_prices",
        "Content-Type": "text/csv; charset=utf-8",
    }
    house = client.post(
        "/invocations", content=pd.DataFrame([HOUSE]).to_csv(index=False), headers=named
    )
    assert house.status_code == 200 and len(house.json()["predictions"]) == 1, house.text

    wrong_type = pd.DataFrame([{**CHURN, "age": "old"}]).to_csv(index=False)
    invalid = client.post("/v1/models/churn/invocations", content=wrong_type, headers=csv_headers)
    assert invalid.status_code == 422 and "age" in invalid.text
    for bad, problem in (
        (b"", "not CSV"),
        (b"age,country\n", "no records"),
        (b"\xff\xfe\x00\x81", "not CSV"),
    ):
        answer = client.post("/v1/models/churn/invocations", content=bad, headers=csv_headers)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["error_code"] == "BAD_REQUEST" and problem in answer.json()["message"]
    text = {**auth(keys.predict), "Content-Type": "text/plain"}
    refused = client.post("/v1/models/churn/invocations", content=body, headers=text)
    assert refused.status_code == 415


@pytest.fixture(scope="module")
def live_url(trained_home: Path, keys: Keys) -> Iterator[str]:
    """The prediction service as a real server on loopback (for real client libraries)."""
    import os

    from tests.servers import uvicorn_server

    env = dict(os.environ, MLAAS_HOME=str(trained_home))
    log = trained_home.parent / "live.log"
    with uvicorn_server("services.prediction.app:app", env, log) as url:
        yield url


def test_tritonclient_http_works_unchanged(live_url: str, keys: Keys) -> None:
    """Triton's own HTTP client against a live service: health, metadata, readiness and infer
    with narrower input types, chosen outputs, and the errors it reports."""
    import numpy as np
    import tritonclient.http as triton
    from tritonclient.utils import InferenceServerException

    headers = auth(keys.predict)
    numpy_types = {
        **{"INT32": np.int32, "INT64": np.int64, "FP32": np.float32, "FP64": np.float64},
        **{"BOOL": np.bool_, "BYTES": np.object_},
    }
    narrow = {"INT64": "INT32", "FP64": "FP32"}
    client = triton.InferenceServerClient(live_url.removeprefix("http://"))
    try:
        assert client.is_server_live() and client.is_server_ready()
        assert client.get_server_metadata()["name"] == "mlaas"
        assert client.is_model_ready("churn", headers=headers)
        meta = client.get_model_metadata("churn", headers=headers)
        assert meta["outputs"][1]["parameters"] == {"classes": [0, 1]}
        inputs = []
        for declared in meta["inputs"]:
            datatype = narrow.get(declared["datatype"], declared["datatype"])
            value = np.array([CHURN[declared["name"]]], dtype=numpy_types[datatype])
            tensor = triton.InferInput(declared["name"], [1], datatype)
            tensor.set_data_from_numpy(value, binary_data=False)
            inputs.append(tensor)
        wanted = [triton.InferRequestedOutput("predict_proba", binary_data=False)]
        result = client.infer("churn", inputs, outputs=wanted, headers=headers)
        assert [o["name"] for o in result.get_response()["outputs"]] == ["predict_proba"]
        both = client.infer("churn", inputs, headers=headers)
        label = both.as_numpy("predict")
        assert label is not None and label.dtype == np.int64 and label.shape == (1,)
        with httpx.Client(base_url=live_url, headers=headers) as http:
            (native,) = http.post("/v1/models/churn/predict", json={"features": CHURN}).json()[
                "predictions"
            ]
        proba = result.as_numpy("predict_proba")
        assert proba is not None and proba.shape == (1, 2)
        assert proba[0] == pytest.approx([native["probabilities"][c] for c in ("0", "1")])
        assert str(label[0]) == str(native["output"])

        unknown = [triton.InferRequestedOutput("explain", binary_data=False)]
        refused = r"unknown output\(s\) \['explain'\]"
        with pytest.raises(InferenceServerException, match=refused):
            client.infer("churn", inputs, outputs=unknown, headers=headers)
        with pytest.raises(InferenceServerException, match="atlantis"):
            client.get_model_metadata("atlantis", headers=headers)
        with pytest.raises(InferenceServerException, match="API key"):
            client.infer("churn", inputs)  # no key

        # tritonclient's defaults: every input in Triton's binary tensor extension.
        defaults = []
        for declared in meta["inputs"]:
            dtype = numpy_types[declared["datatype"]]
            value = np.array([CHURN[declared["name"]]], dtype=dtype)
            tensor = triton.InferInput(declared["name"], [1], declared["datatype"])
            tensor.set_data_from_numpy(value)  # binary_data=True
            defaults.append(tensor)
        assert {t.datatype() for t in defaults} >= {"INT64", "FP64", "BOOL", "BYTES"}
        binary = client.infer("churn", defaults, headers=headers).as_numpy("predict_proba")
        assert binary is not None and binary[0] == pytest.approx(proba[0])
    finally:
        client.close()


@pytest.mark.parametrize(
    ("header", "tail", "length", "error"),
    [
        ({"datatype": "INT64", "size": 8}, int(CHURN["age"]).to_bytes(8, "little"), None, None),
        ({"datatype": "INT32", "size": 4}, int(CHURN["age"]).to_bytes(4, "little"), None, None),
        ({"datatype": "INT64", "size": 16}, b"\0" * 8, None, "binary_data_size 16 overruns"),
        ({"datatype": "INT64", "size": 8}, b"\0" * 9, None, "1 byte(s) after the last"),
        ({"datatype": "INT64", "size": 6}, b"\0" * 6, None, "6 bytes do not hold INT64"),
        ({"datatype": "INT64", "size": 8}, b"\0" * 8, 10_000, "outside the"),
        ({"datatype": "INT64", "size": 8}, b"\0" * 8, "ten", "must be a number"),
    ],
)
def test_v2_binary_tensors_are_read_or_refused_naming_the_problem(
    client: TestClient,
    keys: Keys,
    header: dict[str, Any],
    tail: bytes,
    length: int | str | None,
    error: str | None,
) -> None:
    """Triton's binary tensor extension, byte by byte: `age` as raw little-endian data after
    the JSON header, every other feature as JSON; a body that lies about its sizes is a 400."""
    meta = client.get("/v2/models/churn", headers=auth(keys.predict)).json()
    tensors: list[dict[str, Any]] = [
        {"name": i["name"], "shape": [1], "datatype": i["datatype"], "data": [CHURN[i["name"]]]}
        for i in meta["inputs"]
        if i["name"] != "age"
    ]
    age = {"name": "age", "shape": [1], "datatype": header["datatype"]}
    tensors.append(age | {"parameters": {"binary_data_size": header["size"]}})
    head = json.dumps({"inputs": tensors}).encode()
    answer = client.post(
        "/v2/models/churn/infer",
        content=head + tail,
        headers={
            **auth(keys.predict),
            "Inference-Header-Content-Length": str(length or len(head)),
        },
    )
    if error is None:
        assert answer.status_code == 200, answer.text
        (native,) = predict(client, keys.predict, {"features": CHURN}).json()["predictions"]
        proba = next(o for o in answer.json()["outputs"] if o["name"] == "predict_proba")
        assert proba["data"] == pytest.approx([native["probabilities"][c] for c in ("0", "1")])
    else:
        assert answer.status_code == 400, answer.text
        assert error in answer.json()["error"]


def test_mlflow_scoring_clients_work_unchanged(live_url: str, keys: Keys) -> None:
    """What MLflow's own scoring client sends (its JSON encoder, pandas CSV), to several served
    models through `/invocations` with `X-Model-Name`, read back with MLflow's response parser;
    `/ping` and `/version` through MLflow's `ScoringServerClient`."""
    from urllib.parse import urlsplit

    import pandas as pd
    from mlflow.deployments import PredictionsResponse
    from mlflow.pyfunc.scoring_server.client import ScoringServerClient
    from mlflow.utils.proto_json_utils import dump_input_data

    where = urlsplit(live_url)
    mlflow_client = ScoringServerClient(where.hostname, where.port)
    mlflow_client.ping()
    assert mlflow_client.get_version() == mlaas.__version__
    churn = pd.DataFrame([CHURN, {**CHURN, "age": 70, "is_active_member": True}])
    house = pd.DataFrame([HOUSE])
    with httpx.Client(base_url=live_url, headers=auth(keys.predict)) as http:
        native = http.post("/v1/models/churn/predict", json={"features": churn.to_dict("records")})
        expected = [p["output"] for p in native.json()["predictions"]]
        for body, content_type in (
            (dump_input_data(churn), "application/json"),
            (churn.to_csv(index=False), "text/csv; charset=utf-8"),
        ):
            answer = http.post(
                "/invocations",
                content=body,
                headers={"Content-Type": content_type, "X-Model-Name": "churn"},
            )
            assert answer.status_code == 200, answer.text
            got = PredictionsResponse.from_json(answer.text).get_predictions(
                predictions_format="ndarray"
            )
            assert got.tolist() == expected
        answer = http.post(
            "/invocations",
            content=house.to_csv(index=False),
            headers={"Content-Type": "text/csv", "X-Model-Name": "house_prices"},
        )
        assert answer.status_code == 200, answer.text
        (value,) = PredictionsResponse.from_json(answer.text).get_predictions(
            predictions_format="ndarray"
        )
        assert value > 0
        no_default = http.post(
            "/invocations",
            content=dump_input_data(house),
            headers={"Content-Type": "application/json"},
        )
        assert no_default.status_code == 400 and "X-Model-Name" in no_default.json()["message"]


@pytest.mark.parametrize(
    ("route", "key", "shape"),
    [
        ("/v1/models/churn/predict", "features", "native"),
        ("/v1/models/churn/predict/batch", "features", "native"),
        ("/v1/models/churn/invocations", "instances", "mlflow"),
        ("/v2/models/churn/infer", "inputs", "v2"),
    ],
)
@pytest.mark.parametrize("depth", [500, 5_000])
def test_deeply_nested_json_is_a_client_error_on_every_json_route(
    client: TestClient, keys: Keys, route: str, key: str, shape: str, depth: int
) -> None:
    """Thousands of nested brackets exhaust a parser's recursion (it once answered 500): a 400
    in the route's own error shape; a few hundred get the usual answer for a wrong shape."""
    body = '{"' + key + '": ' + "[" * depth + "]" * depth + "}"
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    answer = client.post(route, content=body, headers=headers)
    assert answer.status_code in (400, 422), answer.text
    if depth < 1_000:
        return
    assert answer.status_code == 400
    message = "the request body nests too deeply to be read"
    if shape == "native":
        assert answer.json()["error"] == {"code": "malformed_json", "message": message}
    elif shape == "mlflow":
        assert answer.json()["message"] == message
    else:
        assert answer.json() == {"error": message}


def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(
    client: TestClient, keys: Keys
) -> None:
    """The default limit (16 MiB, MLAAS_MAX_BODY_BYTES) on the real service: a 17 MiB batch is
    refused from its declared length, in the route's error shape."""
    body = b'{"features": [' + b"1," * (17 * 1024 * 1024 // 2) + b"1]}"
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    native = client.post("/v1/models/churn/predict/batch", content=body, headers=headers)
    assert native.status_code == 413 and native.json()["error"]["code"] == "body_too_large"
    v2 = client.post("/v2/models/churn/infer", content=body, headers=headers)
    assert v2.status_code == 413 and "MLAAS_MAX_BODY_BYTES" in v2.json()["error"]
