"""Structured logs for the services: one JSON object per line, with the request id.

Every record carries `ts`, `level`, `logger`, `message` and, while a request is being served,
its `request_id` (set by the services' request-id middleware in `current_request_id`, so
library code logs it without passing it around); fields given through `extra=` (the access
log's `method`, `path`, `status`, `duration_ms`, `model`, `version`, `variant`) are added as
they are, and a traceback goes in `exc`.

Records are handed to a queue on the calling thread and written by a listener thread: the
event loop never waits on a write to stderr. `configure_logging` returns that listener;
stopping it writes what is queued.
"""

from __future__ import annotations

import copy
import logging
import logging.handlers
import queue
import sys
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
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return _encode(entry).decode(errors="replace")


class TextFormatter(logging.Formatter):
    """The same records for a terminal: time, level, logger, request id, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
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
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        return f"{line}\n{record.exc_text}" if record.exc_text else line


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


class LogListener(logging.handlers.QueueListener):
    """The writer thread; `stop()` writes what is queued and detaches the queue from the root
    logger, so nothing piles up behind a stopped listener."""

    def __init__(self, records: queue.SimpleQueue[Any], handler: logging.Handler) -> None:
        super().__init__(records, handler, respect_handler_level=False)
        self.entry = _RequestQueueHandler(records)

    def stop(self) -> None:
        logging.getLogger().removeHandler(self.entry)
        super().stop()


def configure_logging(
    level: str = "INFO", fmt: str = "json", stream: TextIO | None = None
) -> LogListener:
    """Route every logger through one queue to `stream` (stderr) as JSON lines or text.
    Uvicorn's loggers join in; its own access log is replaced by the services' (`mlaas.access`).
    Calling it again replaces the previous set-up (each service start calls it once)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    listener = LogListener(queue.SimpleQueue(), handler)
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
    listener.start()
    return listener
