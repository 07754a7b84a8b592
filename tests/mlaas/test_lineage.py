"""Lineage: the exact spec comes back from its hash; the code revision is the git commit."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlaas import __version__
from mlaas.db import get_engine, spec_snapshots
from mlaas.lineage import code_revision, load_spec_snapshot, save_spec_snapshot
from mlaas.specs import SpecError, load_spec
from tests.factories import reset_platform_caches, small_spec

PROJECT_DIR = Path(__file__).resolve().parents[2]
REVISION = re.compile(r"^[0-9a-f]{40}(-dirty)?$")


@pytest.fixture
def fresh_revision() -> Iterator[None]:
    code_revision.cache_clear()
    yield
    code_revision.cache_clear()


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout


def snapshot_count() -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(select(func.count()).select_from(spec_snapshots)).scalar_one())


@pytest.mark.parametrize("name", ["churn", "house_prices"])
def test_round_trip_spec_snapshot(mlaas_home: Path, name: str) -> None:
    spec = load_spec(name)
    spec_hash = save_spec_snapshot(spec)
    assert spec_hash == spec.spec_hash
    again = load_spec_snapshot(spec_hash)
    assert again == spec
    assert again.spec_hash == spec_hash


def test_round_trip_modified_spec_snapshot(mlaas_home: Path) -> None:
    spec = small_spec("churn", gate__min_improvement=0.02)
    assert spec.spec_hash != load_spec("churn").spec_hash
    assert load_spec_snapshot(save_spec_snapshot(spec)).spec_hash == spec.spec_hash


def test_store_each_spec_snapshot_once(mlaas_home: Path) -> None:
    spec = load_spec("churn")
    save_spec_snapshot(spec)
    save_spec_snapshot(spec)
    save_spec_snapshot(load_spec("house_prices"))
    assert snapshot_count() == 2


def test_reject_unknown_spec_hash(mlaas_home: Path) -> None:
    with pytest.raises(
        SpecError, match="spec snapshot 0123456789ab: not found in the platform DB"
    ):
        load_spec_snapshot("0123456789ab" + "0" * 52)


def test_give_git_commit_of_this_checkout(mlaas_home: Path, fresh_revision: None) -> None:
    revision = code_revision()
    assert REVISION.match(revision), revision
    assert revision.removesuffix("-dirty") == git(PROJECT_DIR, "rev-parse", "HEAD").strip()


def test_mark_revision_dirty_only_for_tracked_edits(
    mlaas_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_revision: None
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "tracked.txt").write_text("one\n")
    git(repo, "add", "tracked.txt")
    git(repo, "commit", "-q", "-m", "first")
    head = git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("MLAAS_PROJECT_DIR", str(repo))
    reset_platform_caches()

    (repo / "untracked.txt").write_text("scratch\n")
    assert code_revision() == head
    code_revision.cache_clear()
    (repo / "tracked.txt").write_text("two\n")
    assert code_revision() == f"{head}-dirty"


def test_fall_back_to_package_version_outside_git(
    mlaas_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_revision: None
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("MLAAS_PROJECT_DIR", str(plain))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    reset_platform_caches()
    assert code_revision() == f"mlaas-{__version__}"
