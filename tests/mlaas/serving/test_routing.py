"""Champion/challenger routing: sticky keys, the split's proportions, persistence and audit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlaas import db
from mlaas.serving.routing import RoutingConfig, choose_variant, get_routing, set_routing

KEYS = [f"user-{i}" for i in range(20_000)]


def test_choose_variant_is_sticky_per_key() -> None:
    config = RoutingConfig(model="churn", challenger_weight=0.5)
    first = [choose_variant(config, key) for key in KEYS[:2_000]]
    again = [choose_variant(config, key) for key in KEYS[:2_000]]
    assert first == again
    assert {"champion", "challenger"} == set(first)


@pytest.mark.parametrize("weight", [0.1, 0.5, 0.9])
def test_choose_variant_splits_keys_in_proportion(weight: float) -> None:
    config = RoutingConfig(model="churn", challenger_weight=weight)
    share = sum(choose_variant(config, key) == "challenger" for key in KEYS) / len(KEYS)
    # binomial sd at n=20,000 is <= 0.0036; 0.015 is more than 4 sd
    assert share == pytest.approx(weight, abs=0.015)


def test_choose_variant_without_key_uses_the_rng() -> None:
    config = RoutingConfig(model="churn", challenger_weight=0.3)
    rng = random.Random(7)
    picks = [choose_variant(config, None, rng=rng) for _ in range(20_000)]
    assert picks.count("challenger") / len(picks) == pytest.approx(0.3, abs=0.015)
    replay = random.Random(7)
    assert picks == [choose_variant(config, None, rng=replay) for _ in range(20_000)]


def test_choose_variant_weights_zero_and_one_are_exact() -> None:
    none = RoutingConfig(model="churn", challenger_weight=0.0)
    every = RoutingConfig(model="churn", challenger_weight=1.0)
    assert {choose_variant(none, key) for key in KEYS} == {"champion"}
    assert {choose_variant(every, key) for key in KEYS} == {"challenger"}
    assert {choose_variant(none, None) for _ in range(1_000)} == {"champion"}
    assert {choose_variant(every, None) for _ in range(1_000)} == {"challenger"}


def test_raising_the_weight_only_moves_keys_to_the_challenger() -> None:
    low = RoutingConfig(model="churn", challenger_weight=0.2)
    high = RoutingConfig(model="churn", challenger_weight=0.6)
    moved_back = [
        key
        for key in KEYS[:5_000]
        if choose_variant(low, key) == "challenger" and choose_variant(high, key) == "champion"
    ]
    assert moved_back == []


def test_choose_variant_depends_on_the_model() -> None:
    a = RoutingConfig(model="churn", challenger_weight=0.5)
    b = RoutingConfig(model="house_prices", challenger_weight=0.5)
    same = sum(choose_variant(a, key) == choose_variant(b, key) for key in KEYS[:4_000])
    assert 1_600 < same < 2_400  # independent hashes agree about half the time


def test_get_routing_defaults_to_all_champion(mlaas_home: Path) -> None:
    config = get_routing("churn")
    assert (config.challenger_weight, config.shadow, config.updated_by) == (0.0, False, None)


def test_set_routing_round_trips_and_is_audited(mlaas_home: Path) -> None:
    set_routing("churn", challenger_weight=0.25, shadow=True, actor="alice", reason="canary")
    stored = get_routing("churn")
    assert (stored.challenger_weight, stored.shadow, stored.updated_by) == (0.25, True, "alice")
    assert stored.updated_at is not None

    set_routing("churn", challenger_weight=0.0, shadow=False, actor="bob")
    assert (get_routing("churn").challenger_weight, get_routing("churn").shadow) == (0.0, False)
    assert get_routing("house_prices").challenger_weight == 0.0

    audits = [row for row in db.audit_rows("churn") if row["action"] == "set_routing"]
    assert [row["actor"] for row in audits] == ["bob", "alice"]
    assert audits[0]["details"]["previous"] == {"challenger_weight": 0.25, "shadow": True}
    assert audits[1]["reason"] == "canary"


def test_set_routing_refuses_a_weight_outside_zero_to_one(mlaas_home: Path) -> None:
    with pytest.raises(ValidationError):
        set_routing("churn", challenger_weight=1.5, shadow=False, actor="alice")
    assert get_routing("churn").updated_by is None


def test_requests_that_find_the_routing_due_together_read_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A busy model's split expiring sent every request in flight to the DB at once; now 32
    such requests share one read, and near its expiry the split is read again in the
    background while requests go on being answered from memory."""
    import asyncio
    import threading
    import time

    import mlaas.serving.service as service_module
    from mlaas.serving.service import PredictionService

    reads: list[str] = []
    released = threading.Event()  # a read waits for it: the test decides when the DB answers

    def read(model: str) -> RoutingConfig:
        reads.append(model)
        released.wait(10)
        return RoutingConfig(model=model, challenger_weight=0.25)

    monkeypatch.setattr(service_module, "get_routing", read)
    service = PredictionService(
        pool=None,  # type: ignore[arg-type] - routing touches neither pool, cache nor log
        cache=None,  # type: ignore[arg-type]
        prediction_log=None,  # type: ignore[arg-type]
        routing_ttl_s=3.0,
    )

    async def requests() -> None:
        first = asyncio.gather(*(service._routing_read("churn") for _ in range(32)))
        await asyncio.sleep(0.05)
        released.set()
        await first
        assert reads == ["churn"]
        assert service.routing("churn").challenger_weight == 0.25
        released.clear()  # from now on the DB does not answer until the test says so
        config = service.routing("churn")  # the split read, now into the last 20% of its TTL:
        service._routing["churn"] = (time.monotonic() + 3.0 * 0.1, config)
        # answered from memory while the background read waits on the DB:
        await asyncio.wait_for(
            asyncio.gather(*(service._routing_read("churn") for _ in range(32))), timeout=5
        )
        deadline = time.monotonic() + 5
        while len(reads) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert reads == ["churn", "churn"]  # one background read for all of them
        released.set()

    asyncio.run(requests())
