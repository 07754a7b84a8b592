"""Personal data in the prediction log: a spec's `pii` features are logged as a keyed hash or
not at all.

The log keeps every request's inputs for monitoring and for training on labelled live traffic;
for a feature marked `pii: hash` it keeps HMAC-SHA256(key, value) instead (the same value always
gives the same hash, so counts and joins still work, and nobody without the key can test a
guess, which a plain hash of a name or a birth date would allow); for `pii: drop` it keeps
nothing. Consequences, by design: drift is not computed on these features (hashes are not the
training values), and labelled live rows carry null for them, so live traffic never brings
personal data into a training set in clear (`mlaas.live_labels`).

The key is `MLAAS_PII_HASH_KEY`, else a random key made once under the home folder (`pii.key`,
mode 0600). Rotating it makes later hashes differ from earlier ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlaas.specs import ModelSpec

PREFIX = "hmac:"  # what a logged hash starts with, so a reader cannot take it for a value
DIGITS = 32  # hex digits kept (128 bits)


@lru_cache(maxsize=4)
def _key(home: str, configured: str) -> bytes:
    if configured:
        return configured.encode()
    path = Path(home) / "pii.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(fresh)
    return path.read_text().strip().encode()


def hash_key() -> bytes:
    from mlaas.settings import get_settings

    settings = get_settings()
    try:
        return _key(str(settings.home), settings.pii_hash_key)
    except FileExistsError:  # another process made it first
        return _key(str(settings.home), settings.pii_hash_key)


def digest(value: Any, key: bytes) -> str:
    """The keyed hash of one value (its JSON text, so 1 and "1" differ)."""
    text = json.dumps(value, sort_keys=True).encode()
    return PREFIX + hmac.new(key, text, hashlib.sha256).hexdigest()[:DIGITS]


def log_protector(spec: ModelSpec) -> Callable[[Sequence[Any]], list[dict[str, Any]]] | None:
    """What turns a request's records into what the log may keep; None when the spec marks no
    feature as personal data (records are logged as they are)."""
    marked = spec.pii_features
    if not marked:
        return None
    hashed = {name for name, how in marked.items() if how == "hash"}
    dropped = {name for name, how in marked.items() if how == "drop"}
    key = hash_key()

    def protect(records: Sequence[Any]) -> list[dict[str, Any]]:
        out = []
        for record in records:
            row = record if isinstance(record, dict) else _as_dict(record)
            out.append(
                {
                    name: (digest(value, key) if name in hashed and value is not None else value)
                    for name, value in row.items()
                    if name not in dropped
                }
            )
        return out

    return protect


def _as_dict(record: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.structs.asdict(record)
