"""A Celery worker SIGKILLed mid-task (with its pool: a container or machine dying) never
leaves an async prediction job "running": the next worker sends it again and it succeeds,
logged once. (Training jobs: tests/mlaas/jobs/test_worker_jobs.py, the same kill.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import home_env, small_spec
from tests.servers import wait_for

ROOT = Path(__file__).resolve().parents[2]


def start_worker(home: Path, name: str, command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*command, "worker", f"--hostname=mlaas-{name}@{socket.gethostname()}"],
            cwd=ROOT,
            env={**os.environ, "MLAAS_HOME": str(home), "SLOW_SCORING_S": "120"},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the pool too
        )

    def ready() -> bool:
        assert process.poll() is None, log.read_text()
        return "ready." in log.read_text(errors="replace")

    wait_for(ready, 90, f"worker {name} to be ready", every_s=0.3)
    return process


def test_an_async_job_whose_worker_is_killed_is_sent_again(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from mlaas.db import get_engine, prediction_log
    from mlaas.pipeline import run_pipeline
    from mlaas.serving.batch import job_status, submit

    home = tmp_path / "home"
    records = [{**EXAMPLE_RECORD, "age": age} for age in range(20, 70)]
    workers: list[subprocess.Popen[bytes]] = []
    with home_env(home):
        assert run_pipeline(small_spec("churn")).champion
        try:
            slow = [sys.executable, "-m", "tests.faults.slow_worker"]
            workers.append(start_worker(home, "slow", slow, tmp_path / "slow.log"))
            job = submit("churn", "records", request_id="fault-async-1", payload=records)
            status: dict[str, Any] = {}

            def running() -> bool:
                status.update(job_status(job))
                return bool(status["status"] == "running")

            wait_for(running, 60, "the job to start", every_s=0.2)
            os.killpg(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            assert job_status(job)["status"] != "running"  # judged lost, sent again: queued

            mlaas = [str(Path(sys.executable).parent / "mlaas")]
            workers.append(start_worker(home, "next", mlaas, tmp_path / "next.log"))

            def finished() -> bool:
                status.update(job_status(job))
                return bool(status["status"] in ("succeeded", "failed"))

            wait_for(finished, 90, "the job to finish on the next worker", every_s=0.3)
            assert status["status"] == "succeeded", status
            assert len(status["result"]["outputs"]) == len(records)
            log = prediction_log.c
            with get_engine().connect() as conn:
                rows = conn.execute(
                    select(func.count()).where(log.request_id.like("fault-async-1:%"))
                ).scalar_one()
            assert rows == len(records)  # one row a record: none lost, none twice
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
                    try:
                        worker.wait(20)
                    except subprocess.TimeoutExpired:
                        os.killpg(worker.pid, signal.SIGKILL)
