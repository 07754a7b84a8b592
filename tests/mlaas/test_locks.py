"""Named lease locks (mlaas.locks) on SQLite and PostgreSQL: one holder at a time, waiters get
it on release, a crashed holder's lease runs out, a caller that cannot wait is told who holds
it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import home_env
from tests.integration.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    if request.param == "sqlite":
        with home_env(tmp_path / "home"):
            yield
        return
    with fresh_postgres_database() as url, home_env(tmp_path / "home", MLAAS_DATABASE_URL=url):
        yield


def test_one_holder_at_a_time_and_waiters_follow(database: None) -> None:
    from mlaas.locks import LockTimeout, held

    entered, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with held("register:churn"):
            entered.set()
            order.append("first in")
            release.wait(30)
            order.append("first out")

    def waiter() -> None:
        with held("register:churn", wait_s=30, poll_s=0.02):
            order.append("second in")

    holder = threading.Thread(target=first)
    holder.start()
    assert entered.wait(30)
    with pytest.raises(LockTimeout):  # held: a caller that cannot wait is told so
        with held("register:churn", wait_s=0.05, poll_s=0.01):
            pass
    second = threading.Thread(target=waiter)
    second.start()
    with held("register:other"):  # names are independent
        pass
    release.set()
    holder.join(30)
    second.join(30)
    assert order == ["first in", "first out", "second in"]


def test_a_lease_that_ran_out_is_taken_over_and_a_timeout_names_the_holder(
    database: None,
) -> None:
    from mlaas.locks import LockTimeout, _try_take, held

    holder = "crashed-holder"
    assert _try_take("register:churn", holder, 0.3)  # the row a killed process leaves behind
    with pytest.raises(LockTimeout, match=f"held by {holder} since .* waited 0.1s"):
        with held("register:churn", wait_s=0.1, poll_s=0.02):
            pass
    with held("register:churn", wait_s=30, poll_s=0.02):  # taken over once the lease ran out
        pass


def test_a_live_holder_keeps_its_lock_past_the_lease(database: None) -> None:
    from mlaas.locks import LockTimeout, held

    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with held("register:churn", lease_s=0.3):
            entered.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(30)
        with pytest.raises(LockTimeout):  # 1 s: more than three leases, each renewed
            with held("register:churn", wait_s=1.0, poll_s=0.05):
                pass
    finally:
        release.set()
        holder.join(30)
    with held("register:churn", wait_s=5, poll_s=0.02):  # released at once when done
        pass
