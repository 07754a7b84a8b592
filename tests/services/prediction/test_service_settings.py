"""The prediction service started with other settings, each test starting its own app (the app
object is one per process: a test that starts it must not share a module with the `client`
fixture, whose app it would replace): `/invocations` with MLAAS_SERVING_DEFAULT_MODEL,
readiness before the champions load, and MLAAS_ACCESS_LOG, MLAAS_LOG_FORMAT and
MLAAS_SERVING_NATIVE_TREES reaching the service."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import home_env
from tests.servers import wait_for
from tests.services.prediction.conftest import Keys
from tests.services.prediction.test_api import CHURN, HOUSE, auth, predict


def test_invocations_scores_the_default_model_setting(
    trained_home: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two models are served, so `/invocations` needs MLAAS_SERVING_DEFAULT_MODEL: set, it
    scores that model (MLflow's protocol); unset, it is a 400 that says what to do."""
    from services.prediction.app import app

    body = {"dataframe_records": [HOUSE]}
    with home_env(trained_home), TestClient(app) as client:
        without = client.post("/invocations", json=body, headers=auth(keys.predict))
    assert without.status_code == 400
    assert without.json()["error_code"] == "BAD_REQUEST"
    assert "MLAAS_SERVING_DEFAULT_MODEL" in without.json()["message"]

    with home_env(trained_home, MLAAS_SERVING_DEFAULT_MODEL="house_prices"):
        with TestClient(app) as client:
            scored = client.post("/invocations", json=body, headers=auth(keys.predict))
            native = predict(client, keys.predict, {"features": HOUSE}, model="house_prices")
    assert scored.status_code == 200, scored.text
    assert scored.json() == {"predictions": [native.json()["predictions"][0]["output"]]}


def test_ready_is_503_until_every_champion_is_loaded(
    trained_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A champion that cannot be loaded yet (its artifacts not reachable) leaves the service
    unready: `/health/ready`, `/v2/health/ready` and `/ping` answer 503, so a load balancer
    sends no traffic; the poller loads it once it can, and all three answer 200."""
    from mlaas.serving import predictor as predictor_module
    from services.prediction.app import app

    reachable = threading.Event()
    real_loader = predictor_module.load_predictor

    def loader(*args: Any, **kwargs: Any) -> Any:
        if not reachable.is_set():
            raise OSError("artifact store not reachable yet")
        return real_loader(*args, **kwargs)

    monkeypatch.setattr(predictor_module, "load_predictor", loader)
    paths = ("/health/ready", "/v2/health/ready", "/ping")
    with home_env(trained_home, MLAAS_SERVING_POLL_S="0.05"), TestClient(app) as client:
        before = [client.get(path).status_code for path in paths]
        detail = client.get("/health/ready").json()
        reachable.set()
        wait_for(lambda: app.state.service.pool.ready, 60, "the champions to load")
        after = [client.get(path).status_code for path in paths]
    assert before == [503, 503, 503], detail
    assert after == [200, 200, 200]


def test_settings_reach_the_service_logs_and_native_trees(
    trained_home: Path, keys: Keys, capfd: pytest.CaptureFixture[str]
) -> None:
    """MLAAS_LOG_FORMAT=text gives plain lines, MLAAS_ACCESS_LOG=false drops the access lines,
    and MLAAS_SERVING_NATIVE_TREES=false scores LightGBM with the booster."""
    from services.prediction.app import app

    env = {
        "MLAAS_LOG_FORMAT": "text",
        "MLAAS_ACCESS_LOG": "false",
        "MLAAS_SERVING_NATIVE_TREES": "false",
    }
    with home_env(trained_home, **env), TestClient(app) as client:
        assert native_trees(app) == {"churn": False, "house_prices": False}
        answer = predict(client, keys.predict, {"features": CHURN})
        assert answer.status_code == 200
        logging.getLogger("mlaas.test").warning("a line in the configured format")
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("a line in the configured format" in line for line in lines), err
    assert not [line for line in lines if line.startswith("{")], err  # text, not JSON
    assert not [line for line in lines if "mlaas.access" in line], err

    with home_env(trained_home), TestClient(app) as client:  # the defaults: both on
        assert native_trees(app) == {m: f == "lightgbm" for m, f in families(app).items()}
        answer = predict(client, keys.predict, {"features": CHURN})
    access = [
        json.loads(line)
        for line in capfd.readouterr().err.splitlines()
        if line.startswith("{") and '"mlaas.access"' in line
    ]
    assert [(a["path"], a["status"], a["model"]) for a in access] == [
        ("/v1/models/churn/predict", 200, "churn")
    ]
    assert access[0]["request_id"] == answer.json()["request_id"]


def native_trees(app: Any) -> dict[str, bool]:
    """Whether each champion scores batches with compiled (machine-code) trees."""
    service = app.state.service
    return {
        model: "native" in getattr(service.predictor(model, "champion").compiled, "cache", {})
        for model in ("churn", "house_prices")
    }


def families(app: Any) -> dict[str, str]:
    from mlaas.registry import get_version

    service = app.state.service
    return {
        model: get_version(model, service.predictor(model, "champion").version).lineage()["family"]
        for model in ("churn", "house_prices")
    }
