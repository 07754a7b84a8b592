"""A throw-away PostgreSQL database for one bench run, on the machine's server.

Every bench that measures the platform on PostgreSQL starts from an empty database of its own
(so earlier runs' rows, indexes and bloat cannot colour the figures) and drops it afterwards,
even when the run fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES = os.environ.get(
    "MLAAS_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432"
)


@contextmanager
def scratch_database(prefix: str = "mlaas_bench") -> Iterator[str]:
    """The URL of a new, empty database named `<prefix>_<random>`; dropped on exit."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
