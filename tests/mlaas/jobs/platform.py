"""A throw-away platform for job tests: small specs on disk, small data, real worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.factories import small_spec

ROWS = 800


@dataclass
class Platform:
    """MLAAS_* environment of one home; workers are started with exactly this environment."""

    root: Path
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return Path(self.env["MLAAS_HOME"])

    def start_worker(self, name: str, *, concurrency: int = 1) -> subprocess.Popen[bytes]:
        log = self.root / f"{name}.log"
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "mlaas"),
                    "worker",
                    f"--concurrency={concurrency}",
                    f"--hostname=mlaas-{name}@{socket.gethostname()}",  # one node name each
                ],
                env={**os.environ, **self.env},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes the pool too
            )
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 90, log, process)
        self.workers.append(process)
        return process

    def kill_worker(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes (a machine or container dying)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(5)  # a warm shutdown waits for running tasks: no need here
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.workers.clear()


def wait_until(
    condition: Callable[[], bool],
    timeout_s: float,
    log: Path | None = None,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"worker exited: {log.read_text() if log else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout_s}s: {log.read_text()[-3000:] if log else ''}"
            )
        time.sleep(0.2)


def write_platform(root: Path, **env: str) -> Platform:
    """Small churn/house specs in a specs folder; churn reads a small generated parquet."""
    from mlaas.data.churn import generate_churn

    root.mkdir(parents=True, exist_ok=True)
    specs = root / "specs"
    specs.mkdir(exist_ok=True)
    data = root / "churn.parquet"
    generate_churn(ROWS, seed=11).to_parquet(data, index=False)
    # Tuning's time limit well above what a loaded CI machine needs: these tests count trials,
    # and a search cut short by its timeout would finish fewer than the budget.
    spec = small_spec(
        "churn",
        dataset={"source": str(data), "generator": "churn"},
        training__timeout_seconds=900,
    )
    (specs / "churn.yaml").write_text(spec.to_yaml())
    return Platform(
        root,
        {
            "MLAAS_HOME": str(root / "home"),
            "MLAAS_SPECS_DIR": str(specs),
            "MLAAS_DATA_ROOTS": str(root),  # jobs may name the platform's own data files
            **env,
        },
    )


@contextmanager
def platform_env(platform: Platform) -> Iterator[None]:
    """This process sees the platform's settings (and forgets them afterwards)."""
    from tests.factories import home_env

    env = {k: v for k, v in platform.env.items() if k != "MLAAS_HOME"}
    with home_env(platform.home, **env):
        yield
