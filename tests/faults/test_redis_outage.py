"""Redis (a redis-server this test starts on its own port) is killed under traffic and started
again, empty: the prediction service keeps answering, its rate limits fall back to per-process
buckets (docs/security.md), and the shared cache and limits come back with the server."""

from __future__ import annotations

from pathlib import Path

import httpx
import redis

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import home_env, small_spec
from tests.faults.conftest import service_process
from tests.faults.servers import OwnRedis
from tests.servers import wait_for

BURST = 20
RATE = 0.5


def test_prediction_rides_out_a_redis_crash(tmp_path: Path) -> None:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    home = tmp_path / "home"
    with home_env(home):
        assert run_pipeline(small_spec("churn")).champion
        key = create_key("faults", ["predict"])[0]
    server = OwnRedis()
    try:
        server.start()
        env = {
            "MLAAS_HOME": str(home),
            "MLAAS_REDIS_URL": server.url(),
            "MLAAS_SERVING_RATE_PER_S": str(RATE),  # 20 calls at once, then one every 2 s
            "MLAAS_SERVING_BURST": str(BURST),
            "MLAAS_SERVING_SHARED_CACHE_MIN_MS": "0",  # share every answer through Redis
        }
        store = redis.Redis.from_url(server.url(), socket_timeout=2)
        with (
            service_process("services.prediction.app:app", env, tmp_path / "svc.log") as url,
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client,
        ):

            def predict(balance: float) -> httpx.Response:
                record = {**EXAMPLE_RECORD, "balance": balance}
                return client.post("/v1/models/churn/predict", json={"features": record})

            def burst(start: float) -> list[int]:
                return [predict(start + i).status_code for i in range(BURST + 10)]

            # Redis up: the cache answers repeats, the shared bucket limits the key.
            assert [predict(1.0).json()["cached"] for _ in range(2)] == [False, True]
            codes = burst(100.0)
            assert 429 in codes and codes.count(200) <= BURST
            assert list(store.scan_iter(match="mlaas:pred:*"))
            assert list(store.scan_iter(match="mlaas:rl:*"))

            server.kill()
            # A refusal from the shared bucket stands until its retry-after (no token can
            # appear there sooner); after that, with Redis gone, this process's own bucket
            # limits the key: answers keep coming, uncached, and limits hold in this process.
            wait_for(lambda: predict(150.0).status_code == 200, 10, "the local bucket")
            codes = burst(200.0)
            assert set(codes) == {200, 429}, codes
            assert codes.count(200) <= BURST + 2  # (what refilled during the burst)
            refilled: list[httpx.Response] = []

            def served() -> bool:
                refilled.append(predict(300.0))
                return refilled[-1].status_code == 200

            wait_for(served, 10, "the local bucket to refill", every_s=0.2)
            assert refilled[-1].json()["cached"] is False
            assert predict(300.0).status_code in (200, 429)  # served, never an error

            server.start()  # empty, as after a crash without persistence
            answers: list[httpx.Response] = []

            def cached_again() -> bool:  # a new answer is shared through Redis again
                answers.append(predict(400.0 + len(answers)))
                return answers[-1].status_code == 200 and bool(
                    list(store.scan_iter(match="mlaas:pred:*"))
                )

            wait_for(cached_again, 20, "the Redis cache to take entries again", every_s=0.6)
            assert list(store.scan_iter(match="mlaas:rl:*"))  # the shared bucket is back
            assert {a.status_code for a in answers} <= {200, 429}
    finally:
        server.close()
