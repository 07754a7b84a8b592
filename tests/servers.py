"""Servers the tests start as processes: each listens on a port the OS chose (port 0), bound
before the process starts, so no other process can take it in between."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A port nothing listens on now (for a server a test starts later on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


class PlatformUp:
    """`mlaas up` as a child process: started, read until it says the platform is up, stopped
    with Ctrl-C (SIGINT) on exit. `output` is what it printed up to then, `rest` after."""

    def __init__(self, env: dict[str, str], cwd: Path, *, timeout_s: float = 600.0) -> None:
        self.env, self.cwd, self.timeout_s = env, cwd, timeout_s
        self.output = self.rest = ""
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> PlatformUp:
        self.process = subprocess.Popen(
            [str(BIN / "mlaas"), "up"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.cwd,
            # Started as `nohup` or a script's background job would start it: SIGINT ignored.
            # Ctrl-C (the SIGINT __exit__ sends) must stop it all the same.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        assert self.process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + self.timeout_s
        for line in self.process.stdout:  # ends early if `up` exits
            lines.append(line.rstrip())
            if "Press Ctrl-C" in line or time.monotonic() > deadline:
                break
        self.output = "\n".join(lines)
        if "Press Ctrl-C" not in self.output:
            self.__exit__()
            raise AssertionError(f"`mlaas up` did not come up:\n{self.output}\n{self.rest}")
        return self

    def url(self, shown_as: str) -> str:
        """The base URL `up` printed for a process ("Prediction", "Dashboard", ...)."""
        import re

        found = re.search(rf"^  {shown_as} +(http://127\.0\.0\.1:\d+)", self.output, re.MULTILINE)
        assert found, (shown_as, self.output)
        return found.group(1)

    def admin_key(self) -> str:
        import re

        found = re.search(r"Admin API key \(shown once.*\): (mlaas_\w+_\S+)", self.output)
        assert found, self.output
        return found.group(1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        if self.process is not None:
            self.rest, _ = self.process.communicate(timeout=120)


def up_env(home: Path, **ports: int) -> dict[str, str]:
    """The environment of a test's `mlaas up`: only MLAAS_HOME and its ports, each 0 (any free
    port, which `up` picks and prints) unless given, e.g. `mlflow_ui=5000`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLAAS_", "AIRFLOW"))}
    env["MLAAS_HOME"] = str(home)
    for name in UP_PORTS:
        env[f"MLAAS_{name}_PORT"] = str(ports.get(name.lower(), 0))
    return env


UP_PORTS = (
    "AIRFLOW",
    "MLFLOW_UI",
    "PREDICTION",
    "TRAINING",
    "MONITORING",
    "DASHBOARD",
    "PROMETHEUS",
    "WORKER_METRICS",
)
