"""The monitoring API over HTTP: auth, feedback, performance, drift, data quality, report,
alert rules, webhooks, alerts, metrics and health, with every bad input answered by a 4xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from mlaas.monitoring.context import utcnow
from tests.metrics import matching, parse, value
from tests.mlaas.monitoring.helpers import churn_frame, predict_rows
from tests.mlaas.monitoring.receiver import webhook_receiver
from tests.services.monitoring.conftest import Keys

RULE = {
    "name": "drift",
    "metric": "drifted_share",
    "comparator": ">=",
    "threshold": 0.3,
    "window": "24h",
    "severity": "critical",
}


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code
    return body


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/health/ready").json() == {"status": "ready"}
    schema = client.get("/openapi.json").json()
    for path in (
        "/v1/feedback",
        "/v1/models/{name}/drift",
        "/v1/models/{name}/performance",
        "/v1/models/{name}/data-quality",
        "/v1/models/{name}/report",
        "/v1/models/{name}/alert-rules",
        "/v1/alerts",
        "/v1/webhooks",
    ):
        assert path in schema["paths"], path
    examples = schema["components"]["schemas"]["AlertRuleRequest"]["examples"]
    assert examples[0]["metric"] == "drifted_share"


def test_every_route_needs_the_monitor_scope(client: TestClient, keys: Keys) -> None:
    bare = {"Authorization": ""}
    error(client.get("/v1/alerts", headers=bare), 401, "missing_api_key")
    error(
        client.get("/v1/alerts", headers={"Authorization": "Bearer nope"}), 401, "invalid_api_key"
    )
    wrong = {"Authorization": f"Bearer {keys.predict}"}
    body = error(client.get("/v1/models/churn/drift", headers=wrong), 403, "insufficient_scope")
    assert "'monitor'" in body["message"]


def test_feedback_then_performance(client: TestClient, service: Any) -> None:
    frame = churn_frame(60, seed=41)
    ids, _ = predict_rows(service, "churn", frame)
    items = [
        {"request_id": i, "label": int(y)} for i, y in zip(ids, frame["churned"], strict=True)
    ]
    response = client.post(
        "/v1/feedback", json={"items": [*items, {"request_id": "x", "label": 1}]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["unknown"], body["duplicate"]) == (60, 1, 0)
    assert body["items"][-1] == {
        "index": 60,
        "request_id": "x",
        "status": "unknown",
        "model": None,
        "message": "no prediction is logged under this id (yet)",
    }
    again = client.post("/v1/feedback", json={"items": items[:1]}).json()
    assert again["items"][0]["status"] == "duplicate"

    perf = client.get("/v1/models/churn/performance", params={"bucket": "day"})
    assert perf.status_code == 200, perf.text
    report = perf.json()
    assert report["overall"]["champion"]["count"] == 60
    assert report["coverage"]["champion"] == {"predictions": 60, "labelled": 60}
    assert len(report["buckets"]) == 1 and report["bucket"] == "day"


def test_bad_feedback_names_the_item_and_field(client: TestClient, service: Any) -> None:
    ids, _ = predict_rows(service, "churn", churn_frame(2, seed=42))
    body = error(
        client.post(
            "/v1/feedback",
            json={
                "items": [{"request_id": ids[0], "label": 1}, {"request_id": ids[1], "label": 5}]
            },
        ),
        422,
        "invalid_feedback",
    )
    assert body["fields"] == [
        {"field": "items[1].label", "problem": "5 is not a class of 'churn': ['0', '1']"}
    ]
    schema_error = error(
        client.post("/v1/feedback", json={"items": [{"request_id": ids[0], "label": [1]}]}),
        422,
        "invalid_request",
    )
    assert schema_error["fields"][0]["field"].startswith("items.0.label")
    error(client.post("/v1/feedback", json={"items": []}), 422, "invalid_request")
    error(
        client.post("/v1/feedback", content=b"{", headers={"Content-Type": "application/json"}),
        400,
        "malformed_json",
    )
    error(
        client.post("/v1/feedback", content=b"x", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
    )


def test_windows_and_models_are_checked(client: TestClient, service: Any) -> None:
    error(client.get("/v1/models/nope/drift"), 404, "model_not_found")
    error(client.get("/v1/models/nope/performance"), 404, "model_not_found")
    error(client.get("/v1/models/nope/data-quality"), 404, "model_not_found")
    now = utcnow()
    body = error(
        client.get(
            "/v1/models/churn/drift",
            params={"start": now.isoformat(), "end": (now - timedelta(hours=1)).isoformat()},
        ),
        422,
        "invalid_window",
    )
    assert body["fields"][0]["field"] == "start"
    body = error(
        client.get("/v1/models/churn/performance", params={"start": "yesterday"}),
        422,
        "invalid_request",
    )
    assert body["fields"][0]["field"] == "query.start"
    error(
        client.get("/v1/models/churn/performance", params={"bucket": "week"}),
        422,
        "invalid_request",
    )


def test_drift_report_and_data_quality(client: TestClient, service: Any) -> None:
    predict_rows(service, "churn", churn_frame(300, seed=43, numeric_shift={"age": 2.0}))
    response = client.get("/v1/models/churn/drift")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["model"], body["version"]) == ("churn", "1")
    assert body["report"]["current_rows"] == 300 and "age" in body["report"]["drifted_features"]
    age = next(f for f in body["report"]["features"] if f["feature"] == "age")
    assert age["test"] == "ks" and age["drifted"] is True and age["p_value"] < 0.01
    quality = client.get("/v1/models/churn/data-quality").json()
    assert quality["latest"]["success"] is True and quality["latest"]["suite"] == "churn"
    page = client.get("/v1/models/churn/report")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "<script" not in page.text


def test_monitored_models_are_those_with_a_champion(client: TestClient) -> None:
    models = client.get("/v1/models").json()["models"]
    assert {m["name"] for m in models} == {"churn", "house_prices"}
    assert all(m["champion"].isdigit() for m in models)


def test_alert_rules_crud(client: TestClient, service: Any) -> None:
    created = client.post("/v1/models/churn/alert-rules", json=RULE)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["window_minutes"], rule["state"], rule["created_by"][:8]) == (
        1440,
        "ok",
        "api-key:",
    )
    error(client.post("/v1/models/churn/alert-rules", json=RULE), 409, "invalid_rule")
    body = error(
        client.post(
            "/v1/models/churn/alert-rules",
            json={**RULE, "name": "b", "metric": "feature:x:p_value"},
        ),
        422,
        "invalid_rule",
    )
    assert body["fields"][0]["field"] == "metric"
    body = error(
        client.post("/v1/models/churn/alert-rules", json={**RULE, "window": "0h"}),
        422,
        "invalid_request",
    )
    assert body["fields"][0]["field"] == "window"
    error(
        client.post("/v1/models/churn/alert-rules", json={**RULE, "comparator": "=="}),
        422,
        "invalid_request",
    )
    error(client.post("/v1/models/nope/alert-rules", json=RULE), 404, "model_not_found")
    listed = client.get("/v1/models/churn/alert-rules").json()["rules"]
    assert [r["id"] for r in listed] == [rule["id"]]

    # Edit: the new definition, checked as on creation; id, state and author stay.
    edited = {**RULE, "name": "drift-edited", "threshold": 0.5, "window": "6h"}
    changed = client.put(f"/v1/models/churn/alert-rules/{rule['id']}", json=edited)
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("id", "name", "threshold", "window_minutes")} == {
        "id": rule["id"],
        "name": "drift-edited",
        "threshold": 0.5,
        "window_minutes": 360,
    }
    assert changed.json()["created_by"] == rule["created_by"]
    other = client.post("/v1/models/churn/alert-rules", json={**RULE, "name": "other"}).json()
    taken = client.put(f"/v1/models/churn/alert-rules/{other['id']}", json=edited)
    assert error(taken, 409, "invalid_rule")["fields"][0]["field"] == "name"
    bad = {**edited, "metric": "feature:x:p_value"}
    error(client.put(f"/v1/models/churn/alert-rules/{rule['id']}", json=bad), 422, "invalid_rule")
    error(client.put("/v1/models/churn/alert-rules/nope", json=edited), 404, "rule_not_found")
    stored = {
        r["name"]: r["threshold"]
        for r in client.get("/v1/models/churn/alert-rules").json()["rules"]
    }
    assert stored == {
        "drift-edited": 0.5,
        "other": RULE["threshold"],
    }  # refused edits changed nothing
    assert client.delete(f"/v1/models/churn/alert-rules/{other['id']}").status_code == 204
    assert client.delete(f"/v1/models/churn/alert-rules/{rule['id']}").status_code == 204
    error(client.delete(f"/v1/models/churn/alert-rules/{rule['id']}"), 404, "rule_not_found")


def test_monitoring_run_alerts_webhooks_and_metrics(client: TestClient, service: Any) -> None:
    assert client.post("/v1/models/churn/alert-rules", json=RULE).status_code == 201
    error(
        client.post("/v1/webhooks", json={"url": "mailto:x@example.com"}), 422, "invalid_webhook"
    )
    error(
        client.post("/v1/webhooks", json={"url": "http://x", "model": "nope"}),
        404,
        "model_not_found",
    )
    predict_rows(
        service,
        "churn",
        churn_frame(
            300,
            seed=44,
            numeric_shift={"age": 2.0, "balance": 2.0, "credit_score": 2.0, "tenure_months": 2},
        ),
    )
    with webhook_receiver() as receiver:
        hook = client.post("/v1/webhooks", json={"url": receiver.url, "model": "churn"})
        assert hook.status_code == 201, hook.text
        before = parse(client.get("/metrics").text)  # the app's metrics outlive one test
        run = client.post("/v1/models/churn/monitor")
        assert run.status_code == 200, run.text
        result = run.json()
        assert result["drift"]["dataset_drift"] is True
        assert [a["rule_name"] for a in result["alerts"]] == ["drift"]
        assert len(receiver.received) == 1
        headers, payload = receiver.received[0]
        assert (
            headers["Idempotency-Key"] == payload["idempotency_key"] == result["alerts"][0]["id"]
        )
    attempts = client.get(f"/v1/webhooks/{hook.json()['id']}/deliveries").json()["deliveries"]
    assert [(a["event_id"], a["status_code"], a["delivered"]) for a in attempts] == [
        (result["alerts"][0]["id"], 200, True)
    ]
    error(client.get("/v1/webhooks/nope/deliveries"), 404, "webhook_not_found")
    firing = client.get("/v1/alerts", params={"model": "churn", "state": "firing"}).json()
    assert [a["rule_name"] for a in firing["alerts"]] == ["drift"]
    error(client.get("/v1/alerts", params={"state": "on"}), 422, "invalid_request")
    assert [w["id"] for w in client.get("/v1/webhooks").json()["webhooks"]] == [hook.json()["id"]]
    assert client.delete(f"/v1/webhooks/{hook.json()['id']}").status_code == 204
    snapshots = client.get("/v1/models/churn/snapshots").json()["snapshots"]
    assert len(snapshots) == 1
    # The chart's view of the same run: every feature's score on one scale (1 = threshold).
    points = client.get("/v1/models/churn/drift-history").json()["points"]
    assert len(points) == 1 and points[0]["dataset_drift"] is True
    features = {f["feature"]: f for f in snapshots[0]["drift"]["features"]}
    assert points[0]["scores"] == {name: f["score"] for name, f in features.items()}
    assert all((f["score"] > 1) == f["drifted"] for f in features.values())
    assert points[0]["drifted_features"] == snapshots[0]["drift"]["drifted_features"]
    error(client.get("/v1/models/nope/drift-history"), 404, "model_not_found")

    bad_window = client.get("/v1/models/churn/drift", params={"start": "yesterday"})
    assert bad_window.status_code == 422
    series = parse(client.get("/metrics").text)
    # Errors by code and model: a model with a champion labels its errors, an unknown one not.
    labelled = {"service": "monitoring", "route": "/v1/models/{name}/drift"}
    code = bad_window.json()["error"]["code"]
    assert value(series, "mlaas_http_errors_total", **labelled, code=code, model="churn") == 1
    unknown = {"service": "monitoring", "route": "/v1/models/{name}/drift-history"}
    assert value(series, "mlaas_http_errors_total", **unknown, code="model_not_found", model="")
    assert value(series, "mlaas_monitoring_monitored", model="churn") == 1
    assert value(series, "mlaas_monitoring_dataset_drift", model="churn", version="1") == 1
    drifted = value(
        series, "mlaas_monitoring_feature_drifted", feature="age", model="churn", version="1"
    )
    assert drifted == 1
    firing = {"model": "churn", "rule": "drift", "severity": "critical"}
    assert value(series, "mlaas_monitoring_alert_firing", **firing) == 1
    assert 0 < value(series, "mlaas_monitoring_drifted_share_ratio", model="churn", version="1")
    # One monitoring run that wanted a retrain; one delivery, which the receiver accepted.
    decisions = {
        labels["outcome"]: v
        for labels, v in matching(
            series, "mlaas_monitoring_retrain_decisions_total", model="churn"
        )
    }
    wanted = snapshots[0]["decision"]["retrain"] or bool(snapshots[0]["decision"]["blocked_by"])
    assert decisions["wanted"] == float(wanted) and decisions["skipped"] == float(not wanted)
    assert set(decisions) == {"wanted", "blocked", "skipped", "started", "succeeded", "failed"}
    deliveries = matching(series, "mlaas_monitoring_webhook_deliveries_total")
    assert {labels["outcome"]: v for labels, v in deliveries} == {
        "delivered": 1, "rejected": 0, "unreachable": 0,
    }  # fmt: skip
    assert value(series, "mlaas_monitoring_holdout_metric", model="churn", metric="roc_auc") > 0.5
    monitored = {
        "service": "monitoring", "route": "/v1/models/{name}/monitor", "method": "POST",
        "status_class": "2xx",
    }  # fmt: skip
    runs = value(series, "mlaas_http_request_duration_seconds_count", **monitored)
    earlier = before.get(
        ("mlaas_http_request_duration_seconds_count", frozenset(monitored.items()))
    )
    assert runs - (earlier or 0.0) == 1


def test_retrains_list_what_the_dag_started_with_its_outcome(
    client: TestClient, service: Any
) -> None:
    """`GET /v1/models/{name}/retrains`: newest first, each with its run id and outcome."""
    from datetime import UTC, datetime, timedelta

    from mlaas.monitoring.retrain_policy import record_retrain_outcome, record_retrain_triggered

    now = datetime.now(UTC)
    record_retrain_triggered(
        "churn", "drift: 4 of 11 features", "run-old", now=now - timedelta(hours=3)
    )
    record_retrain_outcome("run-old", "failed", now=now - timedelta(hours=2))
    record_retrain_triggered("churn", "roc_auc below 0.7", "run-new", now=now - timedelta(hours=1))
    record_retrain_triggered("house_prices", "drift", "run-other", now=now)

    body = client.get("/v1/models/churn/retrains").json()
    events = body["retrains"]
    assert [(e["dag_run_id"], e["state"], e["reason"]) for e in events] == [
        ("run-new", "triggered", "roc_auc below 0.7"),
        ("run-old", "failed", "drift: 4 of 11 features"),
    ]
    assert events[1]["finished_at"] is not None and events[0]["finished_at"] is None
    limited = client.get("/v1/models/churn/retrains?limit=1").json()["retrains"]
    assert [e["dag_run_id"] for e in limited] == ["run-new"]
    too_many = client.get("/v1/models/churn/retrains?limit=501")
    assert too_many.status_code == 422
    # The same rows as outcomes of retrain decisions, for Prometheus.
    series = parse(client.get("/metrics").text)
    decisions = "mlaas_monitoring_retrain_decisions_total"
    churn = {o: value(series, decisions, model="churn", outcome=o) for o in ("started", "failed")}
    assert churn == {"started": 2, "failed": 1}
    assert value(series, decisions, model="churn", outcome="succeeded") == 0
    assert value(series, decisions, model="house_prices", outcome="started") == 1


def test_a_key_limited_to_a_model_monitors_only_that_model(
    client: TestClient, keys: Keys, service: Any
) -> None:
    """Object-level authorization on the monitoring service: another model's routes are a 403,
    its predictions are `unknown` to the key's feedback (nothing stored, nothing told), and the
    model, alert, outbox and webhook listings hold only the key's model; global webhooks (every
    model's alerts) are neither shown to nor created by a limited key."""
    from mlaas.auth import create_key

    houses = {
        "Authorization": f"Bearer {create_key('houses', ['monitor'], models=['house_prices'])[0]}"
    }
    error(client.get("/v1/models/churn/drift", headers=houses), 403, "model_not_allowed")
    error(client.get("/v1/alerts?model=churn", headers=houses), 403, "model_not_allowed")
    models = client.get("/v1/models", headers=houses).json()["models"]
    assert [model["name"] for model in models] == ["house_prices"]

    ids, _ = predict_rows(service, "churn", churn_frame(2, seed=44))
    answer = client.post(
        "/v1/feedback", json={"items": [{"request_id": ids[0], "label": 1}]}, headers=houses
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"][0]["status"] == "unknown"
    assert answer.json()["items"][0]["model"] is None
    accepted = client.post("/v1/feedback", json={"items": [{"request_id": ids[0], "label": 1}]})
    assert accepted.json()["items"][0]["status"] == "accepted"  # the unlimited key

    with webhook_receiver() as receiver:
        hook = client.post("/v1/webhooks", json={"url": receiver.url, "model": "churn"}).json()
        everyone = client.post("/v1/webhooks", json={"url": receiver.url}).json()
        error(
            client.post("/v1/webhooks", json={"url": receiver.url}, headers=houses),
            403,
            "model_not_allowed",
        )
        listed = client.get("/v1/webhooks", headers=houses).json()["webhooks"]
        assert listed == []
        for webhook in (hook, everyone):
            error(
                client.get(f"/v1/webhooks/{webhook['id']}/deliveries", headers=houses),
                404,
                "webhook_not_found",
            )
            deleted = client.delete(f"/v1/webhooks/{webhook['id']}", headers=houses)
            assert deleted.status_code == 404
        assert len(client.get("/v1/webhooks").json()["webhooks"]) == 2
        for webhook in (hook, everyone):  # leave no receiver behind for the module's next test
            assert client.delete(f"/v1/webhooks/{webhook['id']}").status_code == 204
    alerts = client.get("/v1/alerts", headers=houses).json()["alerts"]
    assert all(alert["model"] == "house_prices" for alert in alerts)
    outbox = client.get("/v1/alerts/outbox", headers=houses).json()["deliveries"]
    assert all(row["model"] == "house_prices" for row in outbox)
