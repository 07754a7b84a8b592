"""`mlaas worker ping` against a real worker on Redis: the compose healthcheck of `worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.servers import wait_for

MLAAS = Path(sys.executable).parent / "mlaas"


def test_answer_a_ping_once_consuming_and_name_a_silent_node(
    redis_database: str, tmp_path: Path
) -> None:
    # Its own Redis database: this worker consumes the platform queues, so it must not take
    # tasks that other tests queue.
    broker = redis_database
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLAAS_")}
    env.update(MLAAS_HOME=str(tmp_path / "home"), MLAAS_CELERY_BROKER_URL=broker)
    env["MLAAS_CELERY_RESULT_BACKEND"] = broker
    node = f"test-{uuid.uuid4().hex[:8]}@host"
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        worker = subprocess.Popen(
            [str(MLAAS), "worker", "--concurrency", "1", "--hostname", node],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def consuming() -> bool:
            assert worker.poll() is None, log.read_text()
            return f"{node} ready." in log.read_text(errors="replace")

        wait_for(consuming, 120, f"{node} to consume")

        def ping(name: str, timeout: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(MLAAS), "worker", "ping", "--hostname", name, "--timeout", timeout],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        answered = ping(node, "10")
        assert answered.returncode == 0, answered.stderr
        assert answered.stdout.strip() == f"{node}: pong"

        silent = ping("nobody@host", "1")
        assert silent.returncode == 1
        assert silent.stderr.strip() == "error: worker nobody@host did not answer within 1s"
    finally:
        worker.terminate()
        worker.wait(60)
