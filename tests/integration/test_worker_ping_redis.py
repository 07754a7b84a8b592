"""`mlaas worker ping` against a real worker on Redis: the compose healthcheck of `worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

MLAAS = Path(sys.executable).parent / "mlaas"
# Its own Redis db: this worker consumes the platform queues, so it must not take tasks that other
# tests queue on the shared db 0.
BROKER_DB = 15


def test_answer_a_ping_once_consuming_and_name_a_silent_node(
    redis_url: str, tmp_path: Path
) -> None:
    broker = f"{redis_url.rsplit('/', 1)[0]}/{BROKER_DB}"
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
        deadline = time.monotonic() + 120
        while f"{node} ready." not in log.read_text(errors="replace"):
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)

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
