"""Is the process that runs a job attempt still alive?

On the same host the answer is exact: the attempt records its pid and the process start time
(so a recycled pid is not mistaken for it) and /proc tells. Across hosts only the heartbeat
column can tell, after it has been silent for a while.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from mlaas.db import utcnow


def hostname() -> str:
    return socket.gethostname()


def _start_ticks(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time since boot), None when there is no /proc entry."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces
    if fields[0] in ("Z", "X"):  # a zombie has exited; only its parent has not reaped it yet
        return None
    return fields[19]


def this_process() -> str:
    pid = os.getpid()
    return f"{pid}:{_start_ticks(pid) or ''}"


def process_alive(identity: str) -> bool:
    """Whether the process `identity` (from this_process on this host) still runs."""
    pid_text, _, ticks = identity.partition(":")
    pid = int(pid_text)
    if Path("/proc").is_dir():
        current = _start_ticks(pid)
        return current is not None and (not ticks or current == ticks)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def attempt_alive(
    host: str | None, process: str | None, heartbeat_at: datetime | None, stale_after_s: float
) -> bool:
    if host == hostname() and process:
        return process_alive(process)
    if heartbeat_at is None:
        return False
    if heartbeat_at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        from datetime import UTC

        heartbeat_at = heartbeat_at.replace(tzinfo=UTC)
    return utcnow() - heartbeat_at < timedelta(seconds=stale_after_s)
