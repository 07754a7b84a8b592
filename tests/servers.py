"""Servers the tests start as processes: each listens on a port the OS chose (port 0), bound
before the process starts, so no other process can take it in between."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def wait_for(
    condition: Callable[[], object],
    timeout_s: float = 20.0,
    what: str = "the condition",
    *,
    every_s: float = 0.05,
) -> None:
    """Poll `condition` until it is truthy; fail naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g}s waiting for {what}")
        time.sleep(every_s)


@contextmanager
def uvicorn_server(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """`uvicorn <app>` on a socket bound here to port 0 (handed over with `--fd`); yields its
    URL once `/health/ready` answers 200, and stops it afterwards."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(BIN / "uvicorn"), app, "--fd", str(listener.fileno()), "--no-access-log"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
            start_new_session=True,
        )
    listener.close()  # the child holds its own copy
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{app} exited with {process.returncode}: {log.read_text()}")
        try:
            return httpx.get(f"{url}/health/ready", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, 120, f"{app} to be ready", every_s=0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(10)
