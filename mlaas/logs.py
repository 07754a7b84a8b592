"""Structured logs for the services: one JSON object per line, with the request id.

Every record carries `ts`, `level`, `logger`, `message` and, while a request is being served,
its `request_id` (set by the services' request-id middleware in `current_request_id`, so
library code logs it without passing it around); fields given through `extra=` (the access
log's `method`, `path`, `status`, `duration_ms`, `model`, `version`, `variant`) are added as
they are, and a traceback goes in `exc`.

Records are handed to a queue on the calling thread and written in batches by a listener
thread (every 0.1 s): the event loop never waits on a write to stderr. `configure_logging`
returns that listener; stopping it writes what is queued.
"""

from __future__ import annotations

import copy
import logging
import logging.handlers
import queue
import sys
import threading
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import msgspec

current_request_id: ContextVar[str | None] = ContextVar("mlaas_request_id", default=None)

# LogRecord's own attributes: everything else on a record came in through `extra=`.
# (uvicorn adds `color_message`, its message with terminal colour codes.)
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}
_encode = msgspec.json.Encoder(enc_hook=str).encode


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a record got through `extra=`."""
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD}


def _traceback(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return record.exc_text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(_extras(record))
        traceback = _traceback(self, record)
        if traceback:
            entry["exc"] = traceback
        return _encode(entry).decode(errors="replace")


class TextFormatter(logging.Formatter):
    """The same records for a terminal: time, level, logger, request id, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        request_id = getattr(record, "request_id", None)
        line = " ".join(
            part
            for part in (
                self.formatTime(record),
                record.levelname,
                record.name,
                f"[{request_id}]" if request_id else "",
                record.getMessage(),
                extras,
            )
            if part
        )
        traceback = _traceback(self, record)
        return f"{line}\n{traceback}" if traceback else line


_ACCESS = logging.getLogger("mlaas.access")
_active: LogListener | None = None  # the listener of the last configure_logging, until stopped


def log_access(
    method: str, path: str, status: int, seconds: float, labels: tuple[str, ...] | None
) -> None:
    """One access line for the request being served (unless access lines are off). Queued as a
    plain tuple: making and copying a LogRecord on the event loop for every request cost ~15%
    of single-record throughput; the writer thread makes the record (same format as every
    other line)."""
    listener = _active
    if listener is not None and _ACCESS.isEnabledFor(logging.INFO):
        fields = (time.time(), current_request_id.get(), method, path, status, seconds, labels)
        listener.records.put(fields)


def _access_record(fields: tuple[Any, ...]) -> logging.LogRecord:
    created, request_id, method, path, status, seconds, labels = fields
    entry: dict[str, Any] = {
        "name": _ACCESS.name,
        "levelno": logging.INFO,
        "levelname": "INFO",
        "msg": f"{method} {path} {status}",
        "created": created,
        "msecs": created % 1 * 1000,
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
    }
    if labels:
        entry["model"], entry["version"], entry["variant"] = labels
    return logging.makeLogRecord(entry)


class _RequestQueueHandler(logging.handlers.QueueHandler):
    """Stamps the request id and renders message + traceback on the calling thread (the
    context is only there), then queues a copy of the record for the listener (other handlers,
    pytest's caplog for one, keep the original)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record = copy.copy(record)
        record.request_id = current_request_id.get()
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record


class LogListener:
    """The writer thread: every `interval_s` it takes what is queued and writes it in one go.
    Requests only append to a queue nobody waits on, so logging wakes no thread per line (a
    listener blocked on the queue cost ~15% of single-record throughput in thread switches).
    `stop()` writes what is queued and detaches the queue from the root logger."""

    def __init__(self, formatter: logging.Formatter, stream: TextIO, interval_s: float) -> None:
        self.formatter, self.stream, self.interval_s = formatter, stream, interval_s
        self.records: queue.SimpleQueue[Any] = queue.SimpleQueue()  # LogRecords, access tuples
        self.entry = _RequestQueueHandler(self.records)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlaas-logs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        global _active
        logging.getLogger().removeHandler(self.entry)
        if _active is self:
            _active = None
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval_s):
            self.write_queued()
        self.write_queued()

    def write_queued(self) -> None:
        lines = []
        while True:
            try:
                item = self.records.get_nowait()
            except queue.Empty:
                break
            try:
                record = _access_record(item) if isinstance(item, tuple) else item
                lines.append(self.formatter.format(record))
            except Exception as error:  # noqa: BLE001 - one odd record must not stop the log
                lines.append(f"unloggable log record: {error!r}")
        if lines:
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or gone: nothing left to tell
                pass


def configure_logging(
    level: str = "INFO",
    fmt: str = "json",
    stream: TextIO | None = None,
    interval_s: float = 0.1,
    access: bool = True,
) -> LogListener:
    """Route every logger through one queue to `stream` (stderr) as JSON lines or text.
    Uvicorn's loggers join in; its own access log is replaced by the services' (`mlaas.access`,
    on when `access`). Calling it again replaces the previous set-up (each service start calls
    it once)."""
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    listener = LogListener(formatter, stream or sys.stderr, interval_s)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _RequestQueueHandler)]:
        root.removeHandler(old)
    root.addHandler(listener.entry)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    _ACCESS.setLevel(logging.INFO if access else logging.WARNING)
    global _active
    _active = listener
    listener.start()
    return listener
