"""Request ids: UUIDv7, unique, and ordered by the time they were minted."""

from __future__ import annotations

import time
import uuid

from mlaas.db import new_request_id


def test_request_ids_are_uuid7_unique_and_time_ordered() -> None:
    first = [new_request_id() for _ in range(20_000)]
    time.sleep(0.002)  # the next millisecond
    later = new_request_id()

    parsed = [uuid.UUID(value) for value in first]
    assert {p.version for p in parsed} == {7}
    assert {p.variant for p in parsed} == {uuid.RFC_4122}
    assert len(set(first)) == len(first)
    assert all(value < later for value in first)  # text order = time order across ms
    millis = int(later.replace("-", "")[:12], 16)
    assert abs(millis - time.time() * 1000) < 5_000
