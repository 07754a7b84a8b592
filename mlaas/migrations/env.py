"""Alembic's environment for the platform DB: the connection comes from `mlaas.schema` (the one
the platform already opened); `render_as_batch` lets the same migration alter SQLite tables."""

from __future__ import annotations

from alembic import context

from mlaas.schema import VERSION_TABLE, platform_metadata


def run_migrations() -> None:
    context.configure(
        connection=context.config.attributes["connection"],
        target_metadata=platform_metadata(),
        render_as_batch=True,
        compare_type=True,
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic (not merely imported)
    run_migrations()
