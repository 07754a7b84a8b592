"""The spool's file format: one JSON row per line, timestamps tagged so they come back typed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any


def spool_line(row: dict[str, Any]) -> str:
    """One row as a spool line (TypeError/ValueError for a row that is not JSON)."""
    return json.dumps(row, default=_encode) + "\n"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"cannot spool {type(value).__name__}")


def read_line(line: str) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(line)
    stamp = row.get("created_at")
    if isinstance(stamp, dict) and "$datetime" in stamp:
        row["created_at"] = datetime.fromisoformat(stamp["$datetime"])
    return row


def spool_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        yield from (line for line in lines if line.strip())
