"""A/B split, shadow, alias swaps and the prediction log, through the service."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from mlaas.monitoring.logged import block_inputs
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
    # Other tests of this module move the aliases: start from v1 serving, v2 challenging.
    set_alias("churn", CHAMPION, "1", reason="test: v1 serves")
    set_alias("churn", "challenger", "2", reason="test: v2 challenges")
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


def test_alias_swap_under_concurrent_load_fails_no_request(trained_home: Path, keys: Keys) -> None:
    """A live server under 4 client threads while the champion moves: every request succeeds."""
    import os
    import threading

    import httpx

    from mlaas.pipeline import run_pipeline
    from mlaas.registry import CHAMPION, set_alias, version_for_alias
    from tests.servers import uvicorn_server, wait_for

    # Version 2 may exist already (another test of this module); registering it again is a
    # no-op (idempotent).
    second = run_pipeline(
        small_spec("churn", training__seed=7), source=str(trained_home.parent / "churn.parquet")
    )
    assert second.version == "2"
    before = version_for_alias("churn", CHAMPION)
    assert before is not None
    target = "1" if before.version == "2" else "2"
    env = dict(os.environ, MLAAS_HOME=str(trained_home), MLAAS_SERVING_POLL_S="0.5")
    # No rate limit in the way: on a fast machine four threads exceed the default 1,000/s.
    env |= {"MLAAS_SERVING_RATE_PER_S": "1e9", "MLAAS_SERVING_BURST": "1000000000"}
    statuses: list[int] = []
    versions: list[str] = []
    stop = threading.Event()
    log = trained_home.parent / "hot-swap-server.log"
    with uvicorn_server("services.prediction.app:app", env, log) as url:

        def hammer(worker: int) -> None:
            with httpx.Client(base_url=url, headers=auth(keys.predict), timeout=30) as http:
                i = 0
                while not stop.is_set():
                    i += 1
                    body = {"features": {**CHURN, "age": 18 + (worker * 31 + i) % 70}}
                    response = http.post("/v1/models/churn/predict", json=body)
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        versions.append(response.json()["version"])

        threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        try:
            wait_for(lambda: len(statuses) >= 100, 60, "load before the swap")
            set_alias("churn", CHAMPION, target, reason="hot swap under load")
            wait_for(lambda: versions and versions[-1] == target, 60, "the new version")
            served_by_swap = len(statuses)
            wait_for(lambda: len(statuses) >= served_by_swap + 100, 60, "load after the swap")
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    assert len(statuses) > 200, len(statuses)  # a real load, not a handful of calls
    assert set(statuses) == {200}, {s for s in statuses if s != 200}
    assert set(versions) == {before.version, target}
    assert versions[-1] == target


def test_batch_inputs_are_logged_as_the_records_that_were_scored(
    trained_home: Path, keys: Keys
) -> None:
    """Whatever the body's layout (spacing, a bracket inside a string, another key), a large
    batch's block holds exactly the records that were scored, and an output per record."""
    import json

    from mlaas import db
    from services.prediction.app import app

    records = [dict(CHURN, age=20 + i) for i in range(70)]
    odd = [dict(r, country="Atlantis [sunk]") if i == 5 else r for i, r in enumerate(records)]
    plain = '{ "features" : [' + ",".join(json.dumps(r) for r in records) + "] }\n"
    bodies = {
        "plain": plain,
        "bracket": json.dumps({"features": odd}),
        "routing key": json.dumps({"features": records, "routing_key": "k"}),
    }
    headers = {**auth(keys.predict), "Content-Type": "application/json"}
    ids = {}
    with TestClient(app) as client:
        for name, body in bodies.items():
            response = client.post("/v1/models/churn/predict/batch", content=body, headers=headers)
            assert response.status_code == 200, response.text
            ids[name] = response.json()["request_id"]
    blocks = db.prediction_log_blocks
    with db.get_engine().connect() as conn:
        query = select(blocks.c.request_id, blocks.c.records, blocks.c.inputs, blocks.c.outputs)
        logged = {row.request_id: row for row in conn.execute(query)}
    for name, sent in (("plain", records), ("bracket", odd), ("routing key", records)):
        row = logged[ids[name]]
        assert row.records == len(sent) and block_inputs(row.inputs) == sent, name
        assert set(row.inputs) == set(sent[0])  # stored as columns
        assert len(row.outputs) == len(sent)
