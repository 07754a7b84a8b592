"""Alembic's environment for the platform DB: the connection comes from `mlaas.schema` (the one
the platform already opened); `render_as_batch` lets the same migration alter SQLite tables."""

from __future__ import annotations

from alembic import context

from mlaas.schema import VERSION_TABLE, platform_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=platform_metadata(),
    render_as_batch=True,
    compare_type=True,
    version_table=VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()
