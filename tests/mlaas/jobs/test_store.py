"""Job rows without a worker: idempotency, guarded transitions, liveness, the reaper."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlaas.jobs import store
from mlaas.jobs.liveness import hostname, this_process
from mlaas.jobs.overrides import JobOverrides, OverrideError


def dead_process() -> str:
    child = subprocess.run(
        [sys.executable, "-c", "from mlaas.jobs.liveness import this_process as p; print(p())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return child.stdout.strip()


def test_overrides_are_checked_before_anything_is_stored(mlaas_home: Path) -> None:
    with pytest.raises(ValidationError, match="unknown model family"):
        JobOverrides(families=["xgboost"])
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        JobOverrides(trials=0)
    with pytest.raises(OverrideError) as error:
        store.submit("churn", JobOverrides(families=["ridge"]), actor="t")
    assert error.value.field == "overrides.families"
    with pytest.raises(OverrideError, match="not both"):
        store.submit(
            "churn", JobOverrides(dataset_path="a.csv", dataset_version="abcdef12"), actor="t"
        )
    assert store.list_jobs()[0] == []


def test_idempotency_key_returns_the_first_job(mlaas_home: Path) -> None:
    first, created = store.submit("churn", JobOverrides(trials=2), actor="t", idempotency_key="k")
    again, created_again = store.submit(
        "churn", JobOverrides(trials=2), actor="t", idempotency_key="k"
    )
    assert created and not created_again and again.id == first.id
    with pytest.raises(store.JobConflict):
        store.submit("churn", JobOverrides(trials=3), actor="t", idempotency_key="k")
    assert first.trials_total == 2 and first.celery_task_id  # queued on the broker


def test_transitions_are_guarded_by_state_and_attempt(mlaas_home: Path) -> None:
    job, _ = store.submit("churn", JobOverrides(), actor="t")
    attempt = store.claim_queued(job.id, host=hostname(), process=this_process(), task_id="x")
    assert attempt == 1
    assert store.claim_queued(job.id, host="h", process="1:1", task_id="y") is None
    assert not store.finish(job.id, 2, "succeeded")  # not the owning attempt
    assert store.finish(job.id, 1, "failed", error="boom")
    assert not store.finish(job.id, 1, "succeeded")  # already terminal
    assert store.get_job(job.id).state == "failed"
    with pytest.raises(store.JobConflict, match="already failed"):
        store.request_cancel(job.id, actor="t")
    with pytest.raises(ValueError, match="terminal"):
        store.finish(job.id, 1, "running")


def test_reaper_requeues_dead_attempts_and_fails_after_max(mlaas_home: Path) -> None:
    from mlaas.jobs.reaper import reap
    from mlaas.jobs.runner import run_job
    from mlaas.settings import get_settings

    alive, _ = store.submit("churn", JobOverrides(), actor="t")
    store.claim_queued(alive.id, host=hostname(), process=this_process(), task_id=None)
    dead, _ = store.submit("churn", JobOverrides(), actor="t")
    store.claim_queued(dead.id, host=hostname(), process=dead_process(), task_id=None)
    assert run_job(alive.id)["skipped"].startswith("attempt 1 is still running")  # duplicate
    actions = reap()
    assert actions == [{"job_id": dead.id, "attempt": 1, "action": "requeued"}]
    assert store.get_job(alive.id).state == "running"
    requeued = store.get_job(dead.id)
    assert requeued.state == "queued" and requeued.celery_task_id

    lost, _ = store.submit("churn", JobOverrides(), actor="t")
    store.claim_queued(lost.id, host=hostname(), process=dead_process(), task_id=None)
    store.record(lost.id, 1, attempts=get_settings().training_max_attempts)
    result = run_job(lost.id)  # a redelivery finds the last attempt dead, too often
    assert result["skipped"] == "failed: worker lost too often"
    failed = store.get_job(lost.id)
    assert failed.state == "failed" and failed.error and failed.error.startswith("worker lost")

    other_host, _ = store.submit("churn", JobOverrides(), actor="t")
    store.claim_queued(other_host.id, host="elsewhere", process="1:1", task_id=None)
    assert reap(stale_after_s=3600) == []  # its heartbeat is fresh
    assert reap(stale_after_s=0)[0]["job_id"] == other_host.id


def test_cancel_requested_on_a_dead_attempt_ends_cancelled(mlaas_home: Path) -> None:
    from mlaas.jobs.reaper import reap

    job, _ = store.submit("churn", JobOverrides(), actor="t")
    store.claim_queued(job.id, host=hostname(), process=dead_process(), task_id=None)
    assert store.request_cancel(job.id, actor="t").state == "running"
    assert reap()[0]["action"] == "cancelled"
    assert store.get_job(job.id).state == "cancelled"
