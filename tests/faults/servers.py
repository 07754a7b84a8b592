"""PostgreSQL and Redis servers a fault test starts, stops and kills itself, on their own ports.

Never the machine's own servers: those are shared by every test (and other work on the host).
Each instance lives in a temporary folder and is stopped by its own pid when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.integration.conftest import unavailable
from tests.servers import free_port, wait_for


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: CI runs as root, so it runs as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class OwnPostgres:
    """`initdb` + `pg_ctl` on a free port: `start()`, `stop()` (fast shutdown: connections are
    cut, as in a crash of the server or a failover), `url(database)`."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                unavailable(tool, "not on PATH", "install PostgreSQL's server binaries")
        self.root = Path(tempfile.mkdtemp(prefix="mlaas-fault-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(
            [
                *_as_postgres_user(),
                "initdb",
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
            ],
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *_as_postgres_user(),
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*_as_postgres_user(), "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=True,
            capture_output=True,
        )

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*_as_postgres_user(), "pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """`redis-server` on a free port, no persistence: `start()`, `kill()` (SIGKILL: a crash,
    every key lost), `url(db)`."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            unavailable(
                "redis-server", "not on PATH", "install Redis (apt-get install redis-server)"
            )
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mlaas-fault-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        with (self.root / "server.log").open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.root),
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: _listening(self.port), 20, f"redis-server on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
