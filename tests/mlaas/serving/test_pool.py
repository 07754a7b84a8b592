"""The model pool follows the registry's aliases and swaps versions without readers noticing.

Most tests register versions in the real (SQLite) MLflow registry and load small stand-ins for
predictors, because loading is not the point; one test loads real trained models.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mlaas import registry
from mlaas.serving.pool import ModelPool


class StandIn:
    """Predictor-shaped: knows its version and whether it was warmed before being served."""

    def __init__(self, model: str, version: str, warm_s: float = 0.0) -> None:
        self.model, self.version, self.warm_s, self.warmed = model, version, warm_s, False

    def warm(self) -> None:
        time.sleep(self.warm_s)
        self.warmed = True


class StandInLoader:
    def __init__(self, *, warm_s: float = 0.0, broken: set[str] | None = None) -> None:
        self.warm_s, self.broken, self.calls = warm_s, broken or set(), []

    def __call__(self, model: str, *, alias: str | None = None, version: str | None = None) -> Any:
        assert alias is None and version is not None  # the pool loads exactly what it saw
        self.calls.append((model, version))
        if version in self.broken:
            raise OSError(f"artifact of v{version} unreadable")
        return StandIn(model, version, self.warm_s)


def register(name: str, versions: int) -> None:
    """Bare registry versions (no artifacts): enough for stand-in loaders."""
    client = registry.client()
    client.create_registered_model(name)
    for _ in range(versions):
        client.create_model_version(name, source="file:///nowhere", run_id=None)


def move(name: str, alias: str, version: str) -> None:
    registry.set_alias(name, alias, version, reason="test", actor="test")


def test_refresh_serves_champions_and_challengers(mlaas_home: Path) -> None:
    register("churn", 2)
    register("house_prices", 1)  # a challenger alone is not served
    move("churn", "champion", "1")
    move("churn", "challenger", "2")
    move("house_prices", "challenger", "1")
    loader = StandInLoader()
    pool = ModelPool(loader=loader)
    assert not pool.ready

    changes = pool.refresh()
    assert changes == ["churn@champion: none -> 1", "churn@challenger: none -> 2"]
    assert pool.ready and pool.loads_total == 2
    assert pool.served() == {"churn": {"champion": "1", "challenger": "2"}}
    assert pool.get("churn").version == "1" and pool.get("churn").warmed
    assert pool.get("churn", "challenger").version == "2"
    with pytest.raises(KeyError):
        pool.get("house_prices")
    assert pool.refresh() == []  # nothing moved: nothing loaded

    move("churn", "champion", "2")  # promotion reuses the loaded challenger
    assert pool.refresh() == ["churn@champion: 1 -> 2"]
    assert pool.get("churn") is pool.get("churn", "challenger")
    assert loader.calls == [("churn", "1"), ("churn", "2")]

    registry.client().delete_registered_model_alias("churn", "challenger")
    assert pool.refresh() == ["churn@challenger: removed"]
    assert pool.served() == {"churn": {"champion": "2"}}


def test_alias_swap_under_concurrent_readers(mlaas_home: Path) -> None:
    register("churn", 2)
    move("churn", "champion", "1")
    pool = ModelPool(loader=StandInLoader(warm_s=0.05))
    pool.refresh()
    seen: set[str] = set()
    problems: list[str] = []
    reads: list[int] = []
    stop = threading.Event()

    def read() -> None:
        count = 0
        while not stop.is_set():
            count += 1
            try:
                predictor = pool.get("churn")
                if not predictor.warmed:
                    problems.append(f"v{predictor.version} served before warm()")
                seen.add(predictor.version)
            except Exception as error:  # noqa: BLE001 - the test counts every failure
                problems.append(repr(error))
            time.sleep(0)  # let the refreshing thread have the GIL too
        reads.append(count)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for version in ("2", "1", "2"):
            move("churn", "champion", version)
            assert pool.refresh() == [
                f"churn@champion: {'1' if version == '2' else '2'} -> {version}"
            ]
            assert pool.get("churn").version == version
            time.sleep(0.02)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert problems == []
    assert seen == {"1", "2"}
    assert sum(reads) > 1_000


def test_a_failed_load_keeps_the_old_version_serving(mlaas_home: Path) -> None:
    register("churn", 3)
    move("churn", "champion", "1")
    loader = StandInLoader(broken={"2"})
    pool = ModelPool(loader=loader)
    pool.refresh()

    move("churn", "champion", "2")
    assert pool.refresh() == []
    assert pool.get("churn").version == "1"
    assert "v2 (champion): OSError" in pool.last_error["churn"]
    assert (pool.loads_total, pool.load_failures_total, pool.ready) == (1, 1, True)

    move("churn", "champion", "3")
    assert pool.refresh() == ["churn@champion: 1 -> 3"]
    assert pool.last_error == {}


def test_ready_waits_for_every_champion_and_survives_a_registry_outage() -> None:
    state: dict[str, Any] = {"aliases": {"churn": {"champion": "1"}}, "down": False}

    def source() -> dict[str, dict[str, str]]:
        if state["down"]:
            raise ConnectionError("registry unreachable")
        return dict(state["aliases"])

    pool = ModelPool(loader=StandInLoader(broken={"1"}), source=source)
    pool.refresh()
    assert not pool.ready and pool.served() == {}

    state["aliases"] = {"churn": {"champion": "2"}}
    pool.refresh()
    assert pool.ready and pool.served() == {"churn": {"champion": "2"}}

    state["down"] = True
    assert pool.refresh() == []
    assert pool.registry_error == "ConnectionError: registry unreachable"
    assert pool.ready and pool.get("churn").version == "2"


def test_start_polls_in_the_background_until_stopped() -> None:
    aliases = {"churn": {"champion": "1"}}
    pool = ModelPool(loader=StandInLoader(), source=lambda: dict(aliases))
    pool.start(0.02)
    deadline = time.monotonic() + 10
    while not pool.ready:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    aliases["churn"] = {"champion": "2"}
    while pool.served() != {"churn": {"champion": "2"}}:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    pool.stop()  # joins the polling thread: nothing can refresh after it returns
    assert not any(t.name == "mlaas-model-pool" for t in threading.enumerate())
    aliases["churn"] = {"champion": "3"}
    assert pool.served() == {"churn": {"champion": "2"}}


def test_pool_serves_real_registered_models(mlaas_home: Path) -> None:
    from mlaas.pipeline import run_pipeline
    from tests.factories import small_spec

    registration = run_pipeline(small_spec("house_prices"))
    assert registration.champion
    first = registry.client().get_model_version("house_prices", registration.version)
    second = registry.client().create_model_version(
        "house_prices", source=first.source, run_id=first.run_id, tags=first.tags
    )

    pool = ModelPool()  # the real loader: mlaas.serving.predictor.load_predictor
    pool.refresh()
    v1 = registration.version
    assert pool.served() == {"house_prices": {"champion": v1, "challenger": v1}}
    assert pool.loads_total == 1
    house = {
        "lotsize": 5850,
        "bedrooms": 3,
        "bathrooms": 1,
        "stories": 2,
        "garage": 1,
        "driveway": True,
        "recreation": False,
        "fullbase": True,
        "gasheat": False,
        "aircon": False,
        "prefer": False,
    }
    before = pool.get("house_prices").predict_records([house]).outputs

    move("house_prices", "champion", str(second.version))
    assert pool.refresh() == [f"house_prices@champion: {v1} -> {second.version}"]
    assert pool.get("house_prices").version == str(second.version)
    assert pool.get("house_prices").predict_records([house]).outputs == pytest.approx(before)
    assert 10_000 < before[0] < 500_000
