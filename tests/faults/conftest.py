"""Fault tests: real servers started, stopped and killed by the test (tests/faults/servers.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.servers import BIN, wait_for


@contextmanager
def service_process(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """`uvicorn <app>` on a port bound here; yields its URL once `/health/live` answers (ready
    or not: fault tests start services while what they depend on is down)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(BIN / "uvicorn"), app, "--fd", str(listener.fileno()), "--no-access-log"],
            env={**os.environ, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
            start_new_session=True,
        )
    listener.close()

    def live() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{app} exited with {process.returncode}: {log.read_text()}")
        try:
            return httpx.get(f"{url}/health/live", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(live, 60, f"{app} to answer /health/live", every_s=0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
