"""Registry API (models, versions, compare, alias moves, audit), pipelines via Airflow, ops."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

import mlaas
from tests.metrics import matching, names, parse, value
from tests.services.training.conftest import Keys, auth


def test_models_and_versions(client: TestClient, keys: Keys) -> None:
    models = client.get("/v1/models", headers=auth(keys.train)).json()["models"]
    assert [m["name"] for m in models] == ["churn"] and models[0]["versions"] == 2
    versions = client.get("/v1/models/churn/versions", headers=auth(keys.train)).json()
    v1, v2 = versions["versions"]
    assert "champion" in v1["aliases"] + v2["aliases"] and "challenger" in v2["aliases"]
    assert "holdout_roc_auc" in v1["metrics"]
    assert v1["lineage"]["data_hash"] == v2["lineage"]["data_hash"]
    assert v1["dataset"]["rows"] == 800 and v1["dataset"]["status"] == "validated"
    assert v1["lineage"]["spec_hash"] != v2["lineage"]["spec_hash"]
    missing = client.get("/v1/models/nope/versions", headers=auth(keys.train))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


def test_compare_side_by_side_with_paired_test(client: TestClient, keys: Keys) -> None:
    body = client.get("/v1/models/churn/compare?a=1&b=2", headers=auth(keys.train)).json()
    rows = {r["metric"]: r for r in body["metrics"]}
    assert {"1", "2"} <= set(rows["holdout_roc_auc"])
    assert body["test"]["champion_version"] == "1"
    # The paired bootstrap is seeded: the API gives exactly the library's decision.
    from mlaas.promotion import compare

    assert body["test"] == json.loads(json.dumps(compare("churn", "1", "2")["test"], default=str))
    assert body["test"]["reason"]
    assert set(body["plots"]) == {"1", "2"}
    assert {"roc_curve", "confusion_matrix"} <= set(body["plots"]["2"])
    assert body["plots"]["2"]["roc_curve"].endswith("plots/roc_curve.png")
    same = client.get("/v1/models/churn/compare?a=1&b=1", headers=auth(keys.train))
    assert same.status_code == 422
    unknown = client.get("/v1/models/churn/compare?a=1&b=99", headers=auth(keys.train))
    assert unknown.status_code == 404
    no_b = client.get("/v1/models/churn/compare?a=1", headers=auth(keys.train))
    assert no_b.status_code == 422 and no_b.json()["error"]["fields"][0]["field"] == "query.b"


def test_alias_moves_need_admin_and_are_audited(client: TestClient, keys: Keys) -> None:
    body = {"version": "2", "reason": "promote after review"}
    path = "/v1/models/churn/aliases/champion"
    assert client.post(path, json=body, headers=auth(keys.train)).status_code == 403
    moved = client.post(path, json=body, headers=auth(keys.admin))
    assert moved.status_code == 200 and moved.json()["version"] == "2"
    versions = client.get("/v1/models/churn/versions", headers=auth(keys.train)).json()
    assert "champion" in versions["versions"][1]["aliases"]
    entries = client.get(
        "/v1/audit?model=churn&action=set_alias&limit=1", headers=auth(keys.train)
    ).json()["entries"]
    assert entries[0]["reason"] == "promote after review" and entries[0]["alias"] == "champion"
    assert entries[0]["actor"].startswith("api-key:")
    missing = client.post(path, json={"version": "42", "reason": "typo"}, headers=auth(keys.admin))
    assert missing.status_code == 404
    no_reason = client.post(path, json={"version": "1"}, headers=auth(keys.admin))
    assert no_reason.status_code == 422
    bad_alias = client.post(
        "/v1/models/churn/aliases/Bad%20Alias", json=body, headers=auth(keys.admin)
    )
    assert bad_alias.status_code == 422


def test_pipelines_answer_503_when_airflow_is_down(client: TestClient, keys: Keys) -> None:
    runs = client.get("/v1/pipelines/churn/runs", headers=auth(keys.train))
    assert runs.status_code == 503 and runs.json()["error"]["code"] == "airflow_unavailable"
    assert "not reachable" in runs.json()["error"]["message"]
    trigger = client.post("/v1/pipelines/churn/runs", json={}, headers=auth(keys.train))
    assert trigger.status_code == 503
    unknown = client.post("/v1/pipelines/nope/runs", json={}, headers=auth(keys.train))
    assert unknown.status_code == 404
    bad_mode = client.post(
        "/v1/pipelines/churn/runs", json={"mode": "sometimes"}, headers=auth(keys.train)
    )
    assert bad_mode.status_code == 422


class FakeAirflow(BaseHTTPRequestHandler):
    """Airflow 3's REST API at the edge of the world: token, unpause, trigger, list."""

    calls: list[tuple[str, str, Any]] = []

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.calls.append((method, self.path, body))
        if self.path == "/auth/token":
            ok = body == {"username": "admin", "password": "pw"}
            self._reply(201 if ok else 401, {"access_token": "jwt"} if ok else {})
            return
        if self.headers.get("Authorization") != "Bearer jwt":
            self._reply(401, {})
        elif self.path.endswith("/taskInstances"):
            self._reply(200, {"task_instances": [{"task_id": "ingest", "state": "success"}]})
        elif self.path.startswith("/api/v2/dags/mlaas_pipeline_churn/dagRuns?"):
            run = {"dag_run_id": "r1", "state": "running", "run_after": "2026-12-05T10:00:00Z"}
            self._reply(200, {"dag_runs": [run]})
        elif self.path.startswith("/api/v2/dags/mlaas_retrain_churn/dagRuns?"):
            run = {"dag_run_id": "retrain__churn__s1", "run_after": "2026-12-05T11:00:00Z"}
            self._reply(200, {"dag_runs": [{**run, "state": "queued"}]})
        elif self.path.startswith("/api/v2/dags/mlaas_pipeline_churn"):
            self._reply(200, {"dag_run_id": "r2", "state": "queued", "conf": body})
        else:
            self._reply(404, {})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle("PATCH")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_airflow() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeAirflow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_airflow_client_protocol(fake_airflow: str) -> None:
    from mlaas.airflow_api import AirflowClient, AirflowNotFound, AirflowUnavailable

    FakeAirflow.calls.clear()
    client = AirflowClient(fake_airflow, "admin", "pw")
    run = client.trigger("churn", {"mode": "window"})
    assert run["dag_run_id"] == "r2"
    methods = [(m, p) for m, p, _ in FakeAirflow.calls]
    assert methods == [
        ("POST", "/auth/token"),
        ("PATCH", "/api/v2/dags/mlaas_pipeline_churn"),
        ("POST", "/api/v2/dags/mlaas_pipeline_churn/dagRuns"),
    ]
    assert FakeAirflow.calls[1][2] == {"is_paused": False}
    assert FakeAirflow.calls[2][2] == {"logical_date": None, "conf": {"mode": "window"}}
    runs = client.runs("churn")  # both DAGs, newest first
    assert [(run["dag_id"], run["dag_run_id"]) for run in runs] == [
        ("mlaas_retrain_churn", "retrain__churn__s1"),
        ("mlaas_pipeline_churn", "r1"),
    ]
    assert runs[1]["tasks"][0]["state"] == "success"
    assert sum(p == "/auth/token" for _, p, _ in FakeAirflow.calls) == 1  # token reused
    with pytest.raises(AirflowNotFound):
        client.runs("house_prices")
    with pytest.raises(AirflowUnavailable, match="refused the credentials"):
        AirflowClient(fake_airflow, "admin", "wrong").runs("churn")


def test_health_metrics_and_docs(client: TestClient, keys: Keys) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/health/ready").json() == {"status": "ready"}
    client.post("/v1/training-jobs", json={"spec": "churn"}, headers=auth(keys.train))
    series = parse(client.get("/metrics").text)
    assert value(series, "mlaas_training_jobs", spec="churn", state="queued") >= 1
    assert value(series, "mlaas_training_jobs", spec="churn", state="failed") == 0
    assert "mlaas_training_queue_depth_messages" in names(series)
    submitted = {
        "service": "training", "route": "/v1/training-jobs", "method": "POST",
        "status_class": "2xx",
    }  # fmt: skip
    assert value(series, "mlaas_http_request_duration_seconds_count", **submitted) >= 1
    [(build, one)] = matching(series, "mlaas_build_info", service="training")
    assert one == 1 and build["version"] == mlaas.__version__ and build["revision"]
    assert value(series, "process_resident_memory_bytes") > 0
    schema = client.get("/openapi.json").json()
    submit = schema["paths"]["/v1/training-jobs"]["post"]
    assert "201" in submit["responses"] and "200" in submit["responses"]
    assert schema["components"]["schemas"]["SubmitJob"]["examples"]
