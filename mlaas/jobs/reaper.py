"""Jobs whose worker is gone: requeue them (the study resumes) or fail them with the reason.

A worker killed with its whole process group leaves its task unacknowledged: Redis redelivers it
only after the visibility timeout, and the embedded SQL broker never does. The reaper closes that
gap: it runs when a worker starts and periodically in the training service. It never touches a
job whose attempt is alive (same host: the process exists; other hosts: a recent heartbeat).
"""

from __future__ import annotations

import logging
from typing import Any

from mlaas.jobs import store
from mlaas.jobs.liveness import attempt_alive
from mlaas.jobs.runner import lost_reason
from mlaas.settings import get_settings

log = logging.getLogger("mlaas.jobs")


def reap(
    *, stale_after_s: float | None = None, max_attempts: int | None = None
) -> list[dict[str, Any]]:
    """Act on every running job with a dead attempt; returns what was done (limits default to
    the `training_stale_after_s` / `training_max_attempts` settings)."""
    settings = get_settings()
    if stale_after_s is None:
        stale_after_s = settings.training_stale_after_s
    if max_attempts is None:
        max_attempts = settings.training_max_attempts
    actions: list[dict[str, Any]] = []
    for job in store.running_jobs():
        alive = attempt_alive(
            job.worker_hostname, job.worker_process, job.heartbeat_at, stale_after_s
        )
        if alive:
            continue
        if job.cancel_requested:
            done = store.finish(
                job.id, job.attempts, "cancelled", error="cancelled (its worker was lost)"
            )
            action = "cancelled"
        elif job.attempts >= max_attempts:
            done = store.finish(job.id, job.attempts, "failed", error=lost_reason(job))
            action = "failed"
        else:
            done = store.requeue(job.id, job.attempts)
            if done:
                store.enqueue(job.id)
            action = "requeued"
        if done:
            log.warning("reaper: job %s (attempt %d) %s", job.id, job.attempts, action)
            actions.append({"job_id": job.id, "attempt": job.attempts, "action": action})
    return actions
