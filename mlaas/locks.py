"""Named locks in the platform DB, held by one process at a time across machines.

What they serialise is short and rare (registering a version and gating it: seconds, a few
times a day per model), so a lease row is enough: taking the lock inserts the row for its name
(the primary key lets one insert win), releasing deletes it, and a row whose lease has run out
(its holder crashed) is taken over. The same code runs on SQLite and PostgreSQL; waiting is
polling, which costs nothing at this rate. Not for hot paths.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Column, DateTime, String, Table, delete, select

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


def _holder_of(name: str) -> str:
    with get_engine().connect() as conn:
        row = conn.execute(select(locks).where(locks.c.name == name)).first()
    if row is None:
        return "nobody (just released)"
    return f"{row.holder} since {as_utc(row.acquired_at):%Y-%m-%d %H:%M:%S} UTC"


@contextmanager
def held(
    name: str, *, lease_s: float = 600.0, wait_s: float = 900.0, poll_s: float = 0.25
) -> Iterator[str]:
    """Hold lock `name` for the block (yields the holder id). Waits up to `wait_s` for
    another holder (LockTimeout after); a holder that does not release within `lease_s`
    (crashed) loses the lock to the next taker."""
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
    try:
        yield holder
    finally:
        with get_engine().begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))
