"""The prediction service over HTTP (TestClient, real models trained by the pipeline)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlaas.data.churn import EXAMPLE_RECORD
from tests.metrics import matching, names, parse, value
from tests.services.prediction.conftest import Keys

CHURN = dict(EXAMPLE_RECORD)
HOUSE = {
    "lotsize": 5000,
    "bedrooms": 3,
    "bathrooms": 1,
    "stories": 2,
    "garage": 1,
    "driveway": True,
    "recreation": False,
    "fullbase": False,
    "gasheat": False,
    "aircon": True,
    "prefer": False,
}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def predict(client: TestClient, key: str, body: dict[str, Any], model: str = "churn") -> Any:
    return client.post(f"/v1/models/{model}/predict", json=body, headers=auth(key))


def test_predict_one_record_names_version_and_request_id(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/v1/models/churn/predict",
        json={"features": CHURN},
        headers={**auth(keys.predict), "X-Request-ID": "req-123"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["X-Request-ID"] == body["request_id"] == "req-123"
    assert (body["model"], body["version"], body["variant"]) == ("churn", "1", "champion")
    [item] = body["predictions"]
    assert item["output"] in (0, 1)
    assert set(item["probabilities"]) == {"0", "1"}
    assert math.isclose(sum(item["probabilities"].values()), 1.0)


def test_predict_many_with_explanations_and_cache(client: TestClient, keys: Keys) -> None:
    records = [CHURN, {**CHURN, "age": 70, "is_active_member": True}, {**CHURN, "balance": None}]
    body = predict(client, keys.predict, {"features": records, "explain": True}).json()
    assert len(body["predictions"]) == 3
    for item in body["predictions"]:
        assert set(item["explanation"]) == {*CHURN, "_base"}
        margin = sum(item["explanation"].values())
        assert math.isclose(1 / (1 + math.exp(-margin)), item["probabilities"]["1"], abs_tol=1e-6)

        assert item["explained_class"] == 1  # binary: the positive class

    # Another class on request: class 0's log-odds, named in the answer.
    other = predict(client, keys.predict, {"features": CHURN, "explain_class": 0}).json()
    (item,) = other["predictions"]
    assert item["explained_class"] == 0
    margin = sum(item["explanation"].values())
    assert math.isclose(1 / (1 + math.exp(-margin)), item["probabilities"]["0"], abs_tol=1e-6)
    unknown = predict(client, keys.predict, {"features": CHURN, "explain_class": "churned"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_class"
    assert unknown.json()["error"]["fields"][0]["field"] == "explain_class"
    regression = predict(
        client, keys.predict, {"features": HOUSE, "explain_class": 1}, model="house_prices"
    )
    assert regression.status_code == 422 and "regression" in regression.text

    single = {"features": {**CHURN, "age": 33}}
    first, second = (predict(client, keys.predict, single).json() for _ in range(2))
    assert (first["cached"], second["cached"]) == (False, True)
    assert first["predictions"] == second["predictions"]


def test_regression_model_and_importance(client: TestClient, keys: Keys) -> None:
    body = predict(client, keys.predict, {"features": HOUSE}, model="house_prices").json()
    assert isinstance(body["predictions"][0]["output"], float)
    assert "probabilities" not in body["predictions"][0]
    importance = client.get("/v1/models/house_prices/importance", headers=auth(keys.predict))
    assert math.isclose(sum(importance.json()["importance"].values()), 1.0)


def test_model_listing_and_detail(client: TestClient, keys: Keys) -> None:
    models = client.get("/v1/models", headers=auth(keys.predict)).json()["models"]
    assert {m["name"] for m in models} == {"churn", "house_prices"}
    detail = client.get("/v1/models/churn", headers=auth(keys.predict)).json()
    assert detail["task"] == "classification"
    assert [i["name"] for i in detail["signature"]["inputs"]] == list(CHURN)
    # The form a client builds from the signature offers the categories the model learnt.
    inputs = {i["name"]: i for i in detail["signature"]["inputs"]}
    from mlaas.data.churn import COUNTRIES

    assert inputs["country"]["categories"] == sorted(COUNTRIES)
    assert inputs["age"]["categories"] is None
    assert detail["versions"][0]["lineage"]["data_hash"]
    assert "holdout_roc_auc" in detail["versions"][0]["metrics"]


def test_entity_ids_come_from_the_online_store(
    client: TestClient, keys: Keys, trained_home: Path
) -> None:
    import pandas as pd

    from mlaas.specs import load_spec

    source = pd.read_parquet(trained_home.parent / "churn.parquet")
    known = int(source["customer_id"].iloc[0])
    ok = predict(client, keys.predict, {"entity_ids": [known]})
    assert ok.status_code == 200, ok.text
    # The online store holds the entity's latest features: the answer is the model's answer
    # to exactly that record.
    latest = source[source["customer_id"] == known].sort_values("event_timestamp").iloc[-1]
    record = {
        name: value.item() if hasattr(value, "item") else value
        for name, value in latest[load_spec("churn").feature_names].items()
    }
    direct = predict(client, keys.predict, {"features": record})
    assert direct.status_code == 200, direct.text
    (by_entity,), (by_record,) = ok.json()["predictions"], direct.json()["predictions"]
    assert by_entity["output"] == by_record["output"]
    assert by_entity["probabilities"] == pytest.approx(by_record["probabilities"], abs=1e-12)
    missing = predict(client, keys.predict, {"entity_ids": [known, 987654321]})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_entity"
    assert "987654321" in missing.json()["error"]["message"]


@pytest.mark.parametrize(
    ("record", "fields"),
    [
        ({k: v for k, v in CHURN.items() if k != "age"}, {"records[0].age"}),
        ({**CHURN, "shoe_size": 44}, {"records[0].shoe_size"}),
        ({**CHURN, "age": "forty", "country": 3}, {"records[0].age", "records[0].country"}),
    ],
)
def test_bad_features_are_422_naming_each_field(
    client: TestClient, keys: Keys, record: dict[str, Any], fields: set[str]
) -> None:
    response = predict(client, keys.predict, {"features": record})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_features"
    assert {f["field"] for f in error["fields"]} == fields


def test_nan_infinity_malformed_and_wrong_content_type(client: TestClient, keys: Keys) -> None:
    raw = '{"features": ' + str(CHURN).replace("'", '"').replace("True", "true")
    raw = raw.replace("False", "false") + "}"
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    nan = client.post(
        "/v1/models/churn/predict", content=raw.replace("1200.5", "NaN"), headers=headers
    )
    assert nan.status_code == 422
    assert "records[0].balance" in {f["field"] for f in nan.json()["error"]["fields"]}
    malformed = client.post("/v1/models/churn/predict", content=raw[:-5], headers=headers)
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_json"
    text = client.post(
        "/v1/models/churn/predict",
        content=raw,
        headers={**auth(keys.predict), "Content-Type": "text/plain"},
    )
    assert text.status_code == 415


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b'{"features": [', 400, "malformed_json", None),
        (b'{"features": 5}', 422, "invalid_request", "features"),
        (b'{"features": [], "explain": [1]}', 422, "invalid_request", "explain"),
        (b'{"features": [{}], "colour": 1}', 422, "invalid_request", "colour"),
        (b'{"explain": true}', 422, "invalid_request", "body"),
        (b'{"features": ["x"]}', 422, "invalid_features", "records[0]"),
        (b'{"features": [{"age": NaN}]}', 422, "invalid_features", "records[0].age"),
        (b'{"features": [{"age": 1e999}]}', 422, "invalid_features", "records[0].age"),
    ],
)
def test_batch_route_bad_bodies_name_the_problem(
    client: TestClient, keys: Keys, body: bytes, status: int, code: str, field: str | None
) -> None:
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    response = client.post("/v1/models/churn/predict/batch", content=body, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    if field is not None:
        assert field in {f["field"] for f in error["fields"]}


def test_batch_answers_equal_single_record_answers(client: TestClient, keys: Keys) -> None:
    countries = ("France", "Spain", None)
    records = [dict(CHURN, age=20 + i, country=countries[i % 3]) for i in range(64)]
    batch = client.post(
        "/v1/models/churn/predict/batch", json={"features": records}, headers=auth(keys.predict)
    )
    assert batch.status_code == 200
    singles = [predict(client, keys.predict, {"features": r}).json() for r in records[:8]]
    for item, single in zip(batch.json()["predictions"], singles, strict=False):
        assert item == {k: v for k, v in single["predictions"][0].items() if k != "explanation"}


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"balance": "1e999"}, "records[3].balance", "infinity is not allowed"),
        ({"age": "1" + "0" * 400}, "records[3].age", "number out of range"),
        ({"colour": '"red"'}, "records[3].colour", "unknown field for this model"),
        ({"age": '"forty"'}, "records[3].age", "expected a number, got string"),
        ({"country": "7"}, "records[3].country", "expected a string, got number"),
    ],
)
def test_batch_of_well_typed_records_with_one_bad_value_names_it(
    client: TestClient, keys: Keys, change: dict[str, str], field: str, problem: str
) -> None:
    """Bodies that decode straight into the model's typed records, but for one value."""
    records = [json.dumps(dict(CHURN, age=20 + i)) for i in range(40)]
    name, text = next(iter(change.items()))
    bad = json.loads(records[3])
    bad[name] = "@"
    records[3] = json.dumps(bad).replace('"@"', text)
    body = ('{"features": [' + ", ".join(records) + "]}").encode()
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    response = client.post("/v1/models/churn/predict/batch", content=body, headers=headers)
    assert response.status_code == 422, response.text
    fields = response.json()["error"]["fields"]
    assert fields == [{"field": field, "problem": problem}]


def test_batch_with_explanations_equals_the_plain_batch(client: TestClient, keys: Keys) -> None:
    records = [dict(CHURN, age=20 + i, tenure_months=i % 24) for i in range(50)]
    plain = client.post(
        "/v1/models/churn/predict/batch", json={"features": records}, headers=auth(keys.predict)
    )
    explained = client.post(
        "/v1/models/churn/predict/batch",
        json={"features": records, "explain": True},
        headers=auth(keys.predict),
    )
    assert plain.status_code == explained.status_code == 200
    for item, with_why in zip(
        plain.json()["predictions"], explained.json()["predictions"], strict=True
    ):
        assert set(with_why["explanation"]) >= {"age", "_base"}
        assert with_why["explained_class"] == 1
        why = ("explanation", "explained_class")
        assert {k: v for k, v in with_why.items() if k not in why} == item


def test_unknown_model_and_batch_bounds(client: TestClient, keys: Keys) -> None:
    unknown = predict(client, keys.predict, {"features": CHURN}, model="nope")
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["error"]["message"]
    empty = predict(client, keys.predict, {"features": []})
    assert empty.status_code == 422
    big = client.post(
        "/v1/models/churn/predict/batch",
        json={"features": [CHURN] * 10_001},
        headers=auth(keys.predict),
    )
    assert big.status_code == 413
    ok = client.post(
        "/v1/models/churn/predict/batch",
        json={"features": [CHURN] * 2_000},
        headers=auth(keys.predict),
    )
    assert ok.status_code == 200
    assert len(ok.json()["predictions"]) == 2_000


def test_auth_and_scopes(client: TestClient, keys: Keys) -> None:
    assert client.post("/v1/models/churn/predict", json={"features": CHURN}).status_code == 401
    bad = predict(client, "mlaas_0000_nope", {"features": CHURN})
    assert bad.status_code == 401
    wrong_scope = predict(client, keys.monitor, {"features": CHURN})
    assert wrong_scope.status_code == 403
    assert "predict" in wrong_scope.json()["error"]["message"]
    assert client.post("/admin/reload", headers=auth(keys.predict)).status_code == 403
    assert client.post("/admin/reload", headers=auth(keys.admin)).status_code == 200
    body = {"features": CHURN}
    url = "/v1/models/churn/predict"
    assert client.post(url, json=body, headers={"X-API-Key": keys.predict}).status_code == 200
    basic = client.post(url, json=body, headers={"Authorization": f"Basic {keys.predict}"})
    assert basic.status_code == 401 and basic.json()["error"]["code"] == "missing_api_key"
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "the key itself",
    }


def test_rate_limit_429_with_retry_after_per_key(
    client: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlaas.auth import create_key
    from mlaas.settings import get_settings

    # One token back every 1,000 s: no refill can happen while the test runs, however slowly.
    monkeypatch.setattr(get_settings(), "serving_rate_per_s", 0.001)
    monkeypatch.setattr(get_settings(), "serving_burst", 3)
    key = create_key("limited", ["predict"])[0]
    codes = [predict(client, key, {"features": CHURN}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = predict(client, key, {"features": CHURN})
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 900 <= int(limited.headers["Retry-After"]) <= 1000  # the time until the next token
    other = create_key("another", ["predict"])[0]  # buckets are per key
    assert predict(client, other, {"features": CHURN}).status_code == 200


def test_mlflow_scoring_protocol(client: TestClient, keys: Keys) -> None:
    native = predict(client, keys.predict, {"features": [CHURN, {**CHURN, "age": 75}]}).json()
    expected = [p["output"] for p in native["predictions"]]
    columns = list(CHURN)
    rows = [list(CHURN.values()), list({**CHURN, "age": 75}.values())]
    bodies = [
        {"dataframe_split": {"columns": columns, "data": rows}},
        {"dataframe_records": [CHURN, {**CHURN, "age": 75}]},
        {"instances": [CHURN, {**CHURN, "age": 75}]},
        {"inputs": {c: [r[i] for r in rows] for i, c in enumerate(columns)}},
    ]
    for body in bodies:
        response = client.post(
            "/v1/models/churn/invocations", json=body, headers=auth(keys.predict)
        )
        assert response.status_code == 200, (body, response.text)
        assert response.json() == {"predictions": expected}
    no_default = client.post("/invocations", json=bodies[0], headers=auth(keys.predict))
    assert no_default.status_code == 400  # two models served and no default configured
    assert no_default.json()["error_code"] == "BAD_REQUEST"
    bad = client.post(
        "/v1/models/churn/invocations", json={"rows": []}, headers=auth(keys.predict)
    )
    assert bad.status_code == 400 and "dataframe_split" in bad.json()["message"]
    # What MLflow's own server parses (Python's json) reaches the validator: 422 naming it.
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    record = '{"dataframe_records": [' + json.dumps({**CHURN, "balance": "@"}) + "]}"
    for literal, problem in (
        ("NaN", "NaN is not allowed"),
        ("-Infinity", "infinity is not allowed"),
        ("1e400", "infinity is not allowed"),
    ):
        body = record.replace('"@"', literal)
        answer = client.post("/v1/models/churn/invocations", content=body, headers=headers)
        assert answer.status_code == 422, (literal, answer.text)
        assert f"records[0].balance: {problem}" in answer.json()["message"]
    garbage = client.post("/v1/models/churn/invocations", content=b"{nope", headers=headers)
    assert garbage.status_code == 400 and garbage.json()["error"] == "malformed_json"
    assert client.get("/ping").status_code == 200
    assert client.get("/version").text


def test_open_inference_protocol_v2(client: TestClient, keys: Keys) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    meta = client.get("/v2/models/churn", headers=auth(keys.predict)).json()
    assert {i["name"] for i in meta["inputs"]} == set(CHURN)
    assert client.get("/v2/models/churn/versions/1/ready", headers=auth(keys.predict)).json()[
        "ready"
    ]
    types = {i["name"]: i["datatype"] for i in meta["inputs"]}
    request = {
        "id": "v2-req-1",
        "inputs": [
            {"name": n, "shape": [2], "datatype": types[n], "data": [v, v]}
            for n, v in CHURN.items()
        ],
    }
    response = client.post("/v2/models/churn/infer", json=request, headers=auth(keys.predict))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "v2-req-1" and body["model_version"] == "1"
    outputs = {o["name"]: o for o in body["outputs"]}
    assert outputs["predict"]["shape"] == [2]
    assert outputs["predict_proba"]["shape"] == [2, 2]
    missing = client.post("/v2/models/nope/infer", json=request, headers=auth(keys.predict))
    assert missing.status_code == 404 and isinstance(missing.json()["error"], str)
    bad_shape = {**request, "inputs": [{**request["inputs"][0], "shape": [3]}]}
    wrong = client.post("/v2/models/churn/infer", json=bad_shape, headers=auth(keys.predict))
    assert wrong.status_code == 400 and "shape" in wrong.json()["error"]


def test_health_and_metrics(client: TestClient, keys: Keys) -> None:
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").json()["status"] == "ready"
    predict(client, keys.predict, {"features": CHURN})
    series = parse(client.get("/metrics").text)
    answered = matching(series, "mlaas_prediction_requests_total", model="churn", status="200")
    assert sum(v for _, v in answered) >= 1
    assert matching(series, "mlaas_prediction_request_duration_seconds_bucket", model="churn")
    lookups = value(series, "mlaas_prediction_cache_total", model="churn", result="hit")
    lookups += value(series, "mlaas_prediction_cache_total", model="churn", result="miss")
    assert lookups >= 1
    assert value(series, "mlaas_prediction_model_loads_total", model="churn", result="ok") >= 1
    assert value(series, "mlaas_prediction_served_version", model="churn", alias="champion") >= 1
    assert "mlaas_prediction_log_queue_depth_rows" in names(series)
    # Errors by machine code and model: a served model's name labels its error, others do not.
    bad = client.post(
        "/v1/models/churn/predict", json={"features": {"nope": 1}}, headers=auth(keys.predict)
    )
    assert bad.status_code == 422
    client.post(
        "/v1/models/unknown-model/predict", json={"features": {}}, headers=auth(keys.predict)
    )
    series = parse(client.get("/metrics").text)
    route = "/v1/models/{name}/predict"
    code = bad.json()["error"]["code"]
    labels = {"service": "prediction", "route": route, "code": code, "model": "churn"}
    assert value(series, "mlaas_http_errors_total", **labels) >= 1
    unknown = matching(series, "mlaas_http_errors_total", route=route, code="model_not_found")
    assert unknown and all(labels["model"] == "" for labels, _ in unknown)


def test_batch_waits_while_the_log_is_behind_then_answers(
    client: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the log's backlog bound a batch waits until the log has room (at most LOG_WAIT_S),
    then is served: backpressure, never an error; with room it is not held back at all."""
    from types import SimpleNamespace

    import anyio

    from services.prediction.routes import native

    writer = client.app.state.service.prediction_log  # type: ignore[attr-defined]
    naps: list[float] = []
    catch_up_after: list[int] = []  # the log "catches up" after this many naps

    async def nap(seconds: float) -> None:  # the route's sleep, counted
        naps.append(seconds)
        if catch_up_after and len(naps) == catch_up_after[0]:
            monkeypatch.setattr(writer, "max_backlog_rows", 250_000)
        await anyio.sleep(seconds)

    monkeypatch.setattr(
        native, "anyio", SimpleNamespace(current_time=anyio.current_time, sleep=nap)
    )
    records = [dict(CHURN, age=20 + i) for i in range(80)]

    def batch() -> Any:
        response = client.post(
            "/v1/models/churn/predict/batch",
            json={"features": records},
            headers=auth(keys.predict),
        )
        assert response.status_code == 200 and len(response.json()["predictions"]) == 80
        return response

    monkeypatch.setattr(writer, "max_backlog_rows", 0)  # always "behind"
    assert not writer.has_room
    catch_up_after.append(3)
    batch()
    assert len(naps) == 3  # waited for the log, and went on as soon as it had room
    assert writer.has_room
    naps.clear()
    batch()
    assert naps == []  # room: not held back

    catch_up_after.clear()
    monkeypatch.setattr(native, "LOG_WAIT_S", 0.05)
    monkeypatch.setattr(writer, "max_backlog_rows", 0)  # never catches up
    batch()  # served once the bound has passed
    assert naps


def test_text_with_a_lone_surrogate_is_refused_naming_the_field(
    client: TestClient, keys: Keys
) -> None:
    """`"\\ud800"` is a JSON escape some parsers accept; such text cannot be stored or logged
    as UTF-8, so it is refused before anything is scored (it used to reach the log and be
    set aside there)."""
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    record = json.dumps({**CHURN, "country": "@"}).replace('"@"', '"Spain \\ud800"')
    many = "[" + ", ".join([json.dumps(CHURN)] * 40 + [record]) + "]"  # the columnar check
    problem = "not valid Unicode: it holds a lone UTF-16 surrogate"
    for url, body, field in (
        ("/v1/models/churn/predict", '{"features": ' + record + "}", "records[0].country"),
        (
            "/v1/models/churn/invocations",
            '{"dataframe_records": ' + many + "}",
            "records[40].country",
        ),
    ):
        answer = client.post(url, content=body, headers=headers)
        assert answer.status_code == 422, answer.text
        assert f"{field}: {problem}" in answer.text
    body = json.dumps({"features": CHURN, "routing_key": "@"}).replace('"@"', '"\\udfff"')
    answer = client.post("/v1/models/churn/predict", content=body, headers=headers)
    assert answer.status_code == 422 and "routing_key" in answer.text
    fine = json.dumps({"features": {**CHURN, "country": "Espa\u00f1a \U0001f600"}})
    assert (
        client.post("/v1/models/churn/predict", content=fine, headers=headers).status_code == 200
    )


def test_a_key_limited_to_a_model_scores_only_that_model(client: TestClient, keys: Keys) -> None:
    """Every route that names a model (native, OIP v2, MLflow by path or X-Model-Name) answers
    a key made for house_prices with a 403 for churn; the model list shows only its model."""
    from mlaas.auth import create_key

    houses_only = create_key("houses app", ["predict"], models=["house_prices"])[0]
    headers = auth(houses_only)
    for method, path, body in (
        ("POST", "/v1/models/churn/predict", {"features": CHURN}),
        ("POST", "/v1/models/churn/predict/batch", {"features": [CHURN]}),
        ("GET", "/v1/models/churn", None),
        ("GET", "/v2/models/churn", None),
        ("POST", "/v1/models/churn/invocations", {"dataframe_records": [CHURN]}),
    ):
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 403, (path, answer.text)
        assert "limited to models ['house_prices']" in answer.text
    named = client.post(
        "/invocations",
        json={"dataframe_records": [CHURN]},
        headers={**headers, "X-Model-Name": "churn"},
    )
    assert named.status_code == 403
    listed = client.get("/v1/models", headers=headers).json()["models"]
    assert [model["name"] for model in listed] == ["house_prices"]
    assert client.get("/v1/models/house_prices", headers=headers).status_code == 200
