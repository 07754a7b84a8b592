"""One error model: every platform error carries its code and status, one handler per app (in
services/contract.py) renders it, in the protocol's own shape on /v2 and /invocations."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

import mlaas
from mlaas.errors import PlatformError
from mlaas.jobs.overrides import OverrideError
from mlaas.serving.schema import FieldProblem, InputError
from mlaas.serving.service import BatchTooLarge, EmptyBatch
from services.contract import install_error_handlers

ROOT = Path(__file__).resolve().parents[2]


def platform_errors() -> list[type[PlatformError]]:
    """Every PlatformError class the library defines (its modules imported first)."""
    for module in pkgutil.walk_packages(mlaas.__path__, "mlaas."):
        importlib.import_module(module.name)
    found, todo = [], [PlatformError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("mlaas."):
                found.append(sub)
            todo.append(sub)
    return found


def test_every_platform_error_has_a_code_and_an_http_status() -> None:
    errors = platform_errors()
    assert len(errors) >= 25
    for error in errors:
        assert error.code and error.code == error.code.lower(), error
        assert 400 <= error.status < 600, error
    by_name = {e.__name__: (e.code, e.status) for e in errors}
    assert by_name["EmptyBatch"] == ("batch_size", 422)
    assert by_name["BatchTooLarge"] == ("batch_size", 413)
    assert by_name["SpecNotFound"] == ("spec_not_found", 404)
    assert by_name["SpecError"] == ("spec_invalid", 422)
    assert by_name["RuleNameTaken"] == ("invalid_rule", 409)
    assert by_name["AirflowUnavailable"] == ("airflow_unavailable", 503)


def test_only_services_common_registers_exception_handlers() -> None:
    """The three apps install their handlers through services/contract.py, and no status is
    chosen by reading an error's message."""
    for path in (ROOT / "services").rglob("*.py"):
        text = path.read_text()
        if path.name != "contract.py":
            assert "exception_handler" not in text, path
        assert "in str(error)" not in text, path


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/v1/thing")
    @app.get("/v2/models/m/infer")
    @app.get("/invocations")
    def fail() -> None:
        raise error

    return TestClient(app)


def test_native_routes_answer_code_message_and_fields() -> None:
    problems = [FieldProblem("records[0].age", "expected a number")]
    answer = app_raising(InputError(problems)).get("/v1/thing")
    assert answer.status_code == 422
    assert answer.json() == {
        "error": {
            "code": "invalid_features",
            "message": "invalid input (1 problem): records[0].age: expected a number",
            "fields": [{"field": "records[0].age", "problem": "expected a number"}],
        }
    }
    override = app_raising(OverrideError("trials", "must be at least 1")).get("/v1/thing")
    assert override.json()["error"]["fields"] == [
        {"field": "trials", "problem": "must be at least 1"}
    ]


@pytest.mark.parametrize(
    ("error", "status", "mlflow_code"),
    [
        (EmptyBatch("send at least one record"), 422, "INVALID_PARAMETER_VALUE"),
        (BatchTooLarge("1001 records; at most 1000 per call"), 413, "BAD_REQUEST"),
    ],
)
def test_protocol_routes_keep_their_own_error_shapes(
    error: Exception, status: int, mlflow_code: str
) -> None:
    client = app_raising(error)
    v2 = client.get("/v2/models/m/infer")
    assert (v2.status_code, v2.json()) == (status, {"error": str(error)})
    mlflow = client.get("/invocations")
    assert mlflow.status_code == status
    assert mlflow.json()["message"] == str(error) and mlflow.json()["error"] == "batch_size"
    assert mlflow.json()["error_code"] == mlflow_code


def test_unknown_routes_and_methods_use_the_same_shapes() -> None:
    client = app_raising(ValueError("unused"))
    missing = client.get("/v2/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    wrong_method = client.post("/v1/thing")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert wrong_method.headers["Allow"] == "GET"


class Body(BaseModel):
    text: str


def _limited_app(tmp_path: Path) -> TestClient:
    """Routes that read their body every way the services do, behind a 2 KiB body limit."""
    from services.common import install_request_ids
    from tests.factories import home_env

    with home_env(tmp_path / "home", MLAAS_MAX_BODY_BYTES="2048"):
        app = FastAPI()
        install_request_ids(app)
        install_error_handlers(app)
    read: list[int] = []

    @app.post("/v1/parsed")
    def parsed(body: Body) -> dict[str, int]:
        return {"length": len(body.text)}

    @app.post("/v1/raw")
    @app.post("/v2/models/m/infer")
    @app.post("/invocations")
    async def raw(request: Request) -> dict[str, int]:
        body = await request.body()
        read.append(len(body))
        return {"length": len(body)}

    client = TestClient(app)
    client.read = read  # type: ignore[attr-defined]
    return client


def test_a_body_over_the_limit_is_refused_while_it_streams_in(tmp_path: Path) -> None:
    """413 `body_too_large` in each protocol's shape, whether the size is declared up front
    (refused before a byte is read) or the body streams in chunks without a length (refused
    once the bytes pass the limit, never read whole); a body within the limit passes."""
    client = _limited_app(tmp_path)
    small = client.post("/v1/parsed", json={"text": "x" * 100})
    assert small.status_code == 200 and small.json() == {"length": 100}
    declared = client.post("/v1/parsed", json={"text": "x" * 5000})
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "body_too_large"
    assert "2048 bytes (MLAAS_MAX_BODY_BYTES)" in declared.json()["error"]["message"]

    def chunks() -> Any:
        for _ in range(1000):  # 1 MB if it were all read
            yield b"x" * 1000

    streamed = client.post("/v1/raw", content=chunks())
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "body_too_large"
    assert client.read == []  # type: ignore[attr-defined]  # the route never got a body
    v2 = client.post("/v2/models/m/infer", content=b"x" * 4096)
    assert v2.status_code == 413 and "MLAAS_MAX_BODY_BYTES" in v2.json()["error"]
    mlflow = client.post("/invocations", content=b"x" * 4096)
    assert mlflow.status_code == 413 and "MLAAS_MAX_BODY_BYTES" in mlflow.json()["message"]


@pytest.mark.parametrize("service", ["prediction", "training", "monitoring"])
def test_every_answer_carries_the_security_headers(service: str) -> None:
    app = importlib.import_module(f"services.{service}.app").app
    client = TestClient(app)
    for answer in (client.get("/health/live"), client.get("/v1/nothing-here")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert answer.headers["referrer-policy"] == "no-referrer"
