"""Named locks in the platform DB, held by one process at a time across machines.

What they serialise is short and rare (registering a version and gating it: seconds, a few
times a day per model), so a lease row is enough: taking the lock inserts the row for its name
(the primary key lets one insert win), releasing deletes it, and a row whose lease has run out
is taken over. A live holder renews its lease every third of it, so the lease can be short: a
holder killed mid-block (an Airflow task SIGKILLed while it registers) frees the lock within
`lease_s` (30 s), and its retry does not wait for a long lease to lapse. The same code runs
on SQLite and PostgreSQL; waiting is polling, which costs nothing at this rate. Not for hot
paths.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, String, Table, delete, select, update

from mlaas.db import as_utc, get_engine, insert_ignoring_conflicts, metadata, new_id, utcnow
from mlaas.errors import Unavailable

log = logging.getLogger("mlaas.locks")

locks = Table(
    "locks",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


class LockTimeout(Unavailable):
    """Another process held the lock for longer than the caller would wait."""

    code = "lock_timeout"


def _try_take(name: str, holder: str, lease_s: float) -> bool:
    engine = get_engine()
    now = utcnow()
    row = {
        "name": name,
        "holder": holder,
        "acquired_at": now,
        "expires_at": now + timedelta(seconds=lease_s),
    }
    with engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
        insert = insert_ignoring_conflicts(engine, locks, ["name"])
        return bool(conn.execute(insert.values(**row)).rowcount == 1)


def lock_taken_at(name: str) -> datetime | None:
    """When the current holder of `name` took it (None: nobody holds it)."""
    with get_engine().connect() as conn:
        row = conn.execute(select(locks.c.acquired_at).where(locks.c.name == name)).first()
    return None if row is None else as_utc(row.acquired_at)


def _holder_of(name: str) -> str:
    with get_engine().connect() as conn:
        row = conn.execute(select(locks).where(locks.c.name == name)).first()
    if row is None:
        return "nobody (just released)"
    return f"{row.holder} since {as_utc(row.acquired_at):%Y-%m-%d %H:%M:%S} UTC"


def _renew(name: str, holder: str, lease_s: float, released: threading.Event) -> None:
    """Push the lease forward every lease_s / 3 until the block ends."""
    while not released.wait(lease_s / 3):
        try:
            with get_engine().begin() as conn:
                conn.execute(
                    update(locks)
                    .where(locks.c.name == name, locks.c.holder == holder)
                    .values(expires_at=utcnow() + timedelta(seconds=lease_s))
                )
        except Exception:  # noqa: BLE001 - a DB hiccup: the next renewal may still make it
            log.warning("could not renew lock %s", name, exc_info=True)


@contextmanager
def held(
    name: str, *, lease_s: float = 30.0, wait_s: float = 900.0, poll_s: float = 0.25
) -> Iterator[str]:
    """Hold lock `name` for the block (yields the holder id). Waits up to `wait_s` for
    another holder (LockTimeout after); a holder that stops renewing (its process died) loses
    the lock to the next taker `lease_s` after its last renewal."""
    holder = new_id()
    deadline = time.monotonic() + wait_s
    waited = False
    while not _try_take(name, holder, lease_s):
        if time.monotonic() >= deadline:
            raise LockTimeout(f"lock {name!r} is held by {_holder_of(name)}; waited {wait_s:g}s")
        if not waited:
            log.info("waiting for lock %s (held by %s)", name, _holder_of(name))
            waited = True
        time.sleep(poll_s)
    released = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(name, holder, lease_s, released), name=f"lock-{name}", daemon=True
    )
    renewer.start()
    try:
        yield holder
    finally:
        released.set()
        renewer.join()
        with get_engine().begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))
