"""Lineage facts recorded with every model version: code revision and the exact spec used."""

from __future__ import annotations

import subprocess
from functools import lru_cache

from sqlalchemy import select

from mlaas import __version__
from mlaas.db import get_engine, spec_snapshots, utcnow
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, SpecError, parse_spec


@lru_cache(maxsize=1)
def code_revision() -> str:
    """The git commit of the checkout (suffixed `-dirty` with local edits), else the version."""
    settings = get_settings()
    if settings.code_revision:
        return settings.code_revision
    project = settings.project_dir
    try:
        head = subprocess.run(
            ["git", "-C", str(project), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(project), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"mlaas-{__version__}"
    return f"{head}-dirty" if dirty else head


def save_spec_snapshot(spec: ModelSpec) -> str:
    """Store the spec under its hash (once) so a version can be rebuilt from the hash alone."""
    spec_hash = spec.spec_hash
    with get_engine().begin() as conn:
        exists = conn.execute(
            select(spec_snapshots.c.spec_hash).where(spec_snapshots.c.spec_hash == spec_hash)
        ).first()
        if exists is None:
            conn.execute(
                spec_snapshots.insert().values(
                    spec_hash=spec_hash, model=spec.name, body=spec.to_yaml(), created_at=utcnow()
                )
            )
    return spec_hash


def load_spec_snapshot(spec_hash: str) -> ModelSpec:
    import yaml

    with get_engine().connect() as conn:
        body = conn.execute(
            select(spec_snapshots.c.body).where(spec_snapshots.c.spec_hash == spec_hash)
        ).scalar_one_or_none()
    if body is None:
        raise SpecError(f"spec snapshot {spec_hash[:12]}: not found in the platform DB")
    return parse_spec(yaml.safe_load(body), source=f"snapshot:{spec_hash[:12]}")
