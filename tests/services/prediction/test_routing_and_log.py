"""A/B split, shadow, alias swaps and the prediction log, through the service."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import small_spec
from tests.services.prediction.conftest import Keys
from tests.services.prediction.test_api import CHURN, auth


def test_split_shadow_swap_and_every_row_logged(trained_home: Path, keys: Keys) -> None:
    from mlaas import db
    from mlaas.pipeline import run_pipeline
    from mlaas.registry import CHAMPION, set_alias
    from services.prediction.app import app

    challenger = run_pipeline(
        small_spec("churn", training__seed=7), source=str(trained_home.parent / "churn.parquet")
    )
    assert challenger.version == "2"
    request_ids: list[str] = []

    with TestClient(app) as client:
        served = client.post("/admin/reload", headers=auth(keys.admin)).json()["served"]
        assert served["churn"]["challenger"] == "2"

        def ask(key: str | None = None) -> dict[str, str]:
            body = {"features": CHURN, "routing_key": key}
            response = client.post(
                "/v1/models/churn/predict", json=body, headers=auth(keys.predict)
            )
            assert response.status_code == 200, response.text
            request_ids.append(response.json()["request_id"])
            return response.json()

        split = {"challenger_weight": 0.5, "shadow": False, "reason": "A/B test"}
        routing = client.put("/v1/models/churn/routing", json=split, headers=auth(keys.admin))
        assert routing.status_code == 200, routing.text
        assert (
            client.put(
                "/v1/models/churn/routing", json=split, headers=auth(keys.predict)
            ).status_code
            == 403
        )

        sticky = {ask("customer-42")["variant"] for _ in range(5)}
        assert len(sticky) == 1
        variants = [ask(f"customer-{i}")["variant"] for i in range(200)]
        share = variants.count("challenger") / len(variants)
        assert 0.35 < share < 0.65, share

        shadow = {"challenger_weight": 0.0, "shadow": True}
        client.put("/v1/models/churn/routing", json=shadow, headers=auth(keys.admin))
        shadowed = [ask() for _ in range(20)]
        assert {r["variant"] for r in shadowed} == {"champion"}
        assert {r["version"] for r in shadowed} == {"1"}

        set_alias("churn", CHAMPION, "2", reason="swap test")
        changes = client.post("/admin/reload", headers=auth(keys.admin)).json()["changes"]
        assert "churn@champion: 1 -> 2" in changes
        client.put(
            "/v1/models/churn/routing",
            json={"challenger_weight": 0.0, "shadow": False},
            headers=auth(keys.admin),
        )
        assert ask()["version"] == "2"

    # Leaving the client ran the shutdown: the prediction log is flushed.
    with db.get_engine().connect() as conn:
        rows = conn.execute(
            select(db.prediction_log.c.request_id, db.prediction_log.c.variant)
        ).all()
    logged = {(r.request_id, r.variant) for r in rows}
    answered = {rid for rid, _ in logged if _ != "shadow"}
    assert set(request_ids) <= answered
    shadow_ids = {rid for rid, variant in logged if variant == "shadow"}
    assert {r["request_id"] for r in shadowed} <= shadow_ids
