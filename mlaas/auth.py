"""API keys: created once, shown once, stored only as a hash; each key carries scopes.

A key looks like `mlaas_<prefix>_<secret>`. The prefix finds the row; the secret is checked against
a SHA-256 hash in constant time. Keys are 256-bit random, so a slow password hash buys nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from mlaas.db import api_keys, as_utc, get_engine, new_id, record_audit, utcnow
from mlaas.errors import Invalid, NotFound
from mlaas.single_flight import SingleFlight

Scope = Literal["predict", "train", "monitor", "admin"]
SCOPES: tuple[str, ...] = get_args(Scope)
KEY_PREFIX = "mlaas"


class AuthError(ValueError):
    """An unknown scope, a malformed or unknown key."""


class UnknownScopes(AuthError, Invalid):
    """A key asked for with no scope or a scope that does not exist."""

    code = "unknown_scopes"


class KeyNotFound(AuthError, NotFound):
    """No active key has this prefix (never created, or already revoked)."""

    code = "api_key_not_found"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    models: tuple[str, ...] | None = None  # None: every model
    expires_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        """`admin` implies every other scope."""
        return self.revoked_at is None and (scope in self.scopes or "admin" in self.scopes)

    @property
    def limited_to(self) -> tuple[str, ...] | None:
        """The models the key may reach; None: every model (admin keys always)."""
        return None if "admin" in self.scopes else self.models

    def allows_model(self, model: str) -> bool:
        """A key limited to models reaches only those (admin keys: every model)."""
        return self.limited_to is None or model in self.limited_to


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    name: str,
    scopes: list[str],
    *,
    models: list[str] | None = None,
    expires_at: datetime | None = None,
    actor: str | None = None,
) -> tuple[str, ApiKey]:
    """Returns (plaintext key, record). The plaintext is never stored: show it once.

    `models` limits the key to those models (None: every model); `expires_at` ends it."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise UnknownScopes(f"scopes must be a non-empty subset of {list(SCOPES)}; got {scopes}")
    if models is not None and not models:
        raise UnknownScopes("models: name at least one model, or leave it out for every model")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    row: dict[str, Any] = {
        "id": new_id(),
        "name": name,
        "prefix": prefix,
        "key_hash": _hash(secret),
        "scopes": sorted(set(scopes)),
        "created_at": utcnow(),
        "models": sorted(set(models)) if models is not None else None,
        "expires_at": as_utc(expires_at) if expires_at else None,
    }
    with get_engine().begin() as conn:
        conn.execute(api_keys.insert().values(**row))
    details = {"scopes": scopes, "models": row["models"]}
    record_audit(action="create_api_key", reason=name, actor=actor, details=details)
    return f"{KEY_PREFIX}_{prefix}_{secret}", _row_to_key_dict(row)


def rotate_key(prefix: str, *, actor: str | None = None) -> tuple[str, ApiKey]:
    """A new key like the active key `prefix` (name, scopes, models, and as long a lifetime as
    it was given), then the old one revoked: (plaintext of the new key, its record)."""
    with get_engine().connect() as conn:
        row = conn.execute(
            select(api_keys).where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
        ).first()
    if row is None:
        raise KeyNotFound(f"no active API key with prefix {prefix!r}")
    old = _row_to_key(row)
    expires_at = None
    if old.expires_at is not None:
        expires_at = utcnow() + (old.expires_at - old.created_at)
    plaintext, new = create_key(
        old.name,
        list(old.scopes),
        models=list(old.models) if old.models is not None else None,
        expires_at=expires_at,
        actor=actor,
    )
    revoke_key(prefix, actor=actor)
    record_audit(action="rotate_api_key", reason=f"{prefix} -> {new.prefix}", actor=actor)
    return plaintext, new


def _row_to_key(row: object) -> ApiKey:
    return _row_to_key_dict(dict(row._mapping))  # type: ignore[attr-defined]


def _row_to_key_dict(m: dict[str, Any]) -> ApiKey:
    revoked = m.get("revoked_at") and as_utc(m["revoked_at"])
    return ApiKey(
        m["id"],
        m["name"],
        m["prefix"],
        tuple(m["scopes"]),
        as_utc(m["created_at"]),
        revoked or None,
        tuple(m["models"]) if m.get("models") is not None else None,
        as_utc(m["expires_at"]) if m.get("expires_at") else None,
    )


def verify_key(token: str) -> ApiKey:
    """The key's record if the token is valid and not revoked; AuthError otherwise."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise AuthError("malformed API key (expected mlaas_<prefix>_<secret>)")
    _, prefix, secret = parts
    with get_engine().connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None or not hmac.compare_digest(row._mapping["key_hash"], _hash(secret)):
        raise AuthError("unknown API key")
    key = _row_to_key(row)
    if key.revoked_at is not None:
        raise AuthError("API key revoked")
    if key.expires_at is not None and key.expires_at <= utcnow():
        raise AuthError(f"API key expired at {key.expires_at.isoformat()}")
    return key


def list_keys() -> list[ApiKey]:
    with get_engine().connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
    return [_row_to_key(r) for r in rows]


def revoke_key(prefix: str, *, actor: str | None = None) -> ApiKey:
    """Revoke the active key with this prefix; returns its record as it now is."""
    with get_engine().begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if result.rowcount == 0:
            raise KeyNotFound(f"no active API key with prefix {prefix!r}")
        row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).one()
    record_audit(action="revoke_api_key", reason=prefix, actor=actor)
    return _row_to_key(row)


class CachedVerifier:
    """verify_key with a short in-process memory, so a hot request path does not hit the DB.

    A revoked key stops working within `ttl_s` (default `MLAAS_KEY_CACHE_S`, 5 s). Unknown keys
    are remembered too (as briefly), so a flood of bad keys cannot hammer the DB either.

    While the DB does not answer, a key this process verified less than `stale_s` (10 min) ago
    keeps working: nothing can be revoked during the outage anyway (the revocation is a DB
    write), and prediction keeps serving through a restart of the DB. A key not seen in that
    window gets the DB error (503 `database_unavailable`).

    On an event loop (`verify_async`) a key is read at most once at a time, and a key in use is
    read again shortly before it expires, in the background: when a busy key expired, every
    request in flight used to ask the DB at once, each on a connection of its own (a stall
    every `ttl_s` in the p99 of single-record predictions on PostgreSQL).
    """

    def __init__(
        self,
        *,
        ttl_s: float | None = None,
        stale_s: float = 600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from mlaas.settings import get_settings

        self.ttl_s = get_settings().key_cache_s if ttl_s is None else ttl_s
        self.stale_s = stale_s
        self.max_entries = max_entries
        self._clock = clock  # a test's own clock steps through the expiry without sleeping
        self._entries: dict[str, tuple[float, ApiKey | AuthError]] = {}
        self._reads = SingleFlight()  # on an event loop: one DB read per key at a time

    def clear(self) -> None:
        """Forget every remembered key: after a revoke, this process refuses the key at once
        (other processes within `ttl_s`)."""
        self._entries.clear()

    def __call__(self, token: str) -> ApiKey:
        hit = self._entries.get(_hash(token))
        if hit is not None and hit[0] >= self._clock():
            return _answer(hit[1])
        return self._read(token)

    async def verify_async(self, token: str) -> ApiKey:
        """`self(token)` for an event loop: a remembered key at once (read again in the
        background when it is about to expire); otherwise the DB's answer, read in a worker
        thread once for every request of that key waiting meanwhile."""
        digest = _hash(token)
        hit = self._entries.get(digest)
        if hit is None:
            return await self._reads.run(digest, self._read, token)
        read = await self._reads.refresh(
            digest, hit[0] - self._clock(), self.ttl_s, self._read, token
        )
        return _answer(hit[1]) if read is None else read

    def _read(self, token: str) -> ApiKey:
        """Ask the DB and remember its answer (while the DB is down: the last answer, if it
        is recent enough)."""
        digest = _hash(token)
        now = self._clock()
        hit = self._entries.get(digest)
        result: ApiKey | AuthError
        try:
            result = verify_key(token)
        except AuthError as error:
            result = error
        except SQLAlchemyError:
            if hit is not None and isinstance(hit[1], ApiKey) and now - hit[0] < self.stale_s:
                return hit[1]  # the DB is down: the last verified answer still holds
            raise
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[digest] = (now + self.ttl_s, result)
        return _answer(result)


def _answer(remembered: ApiKey | AuthError) -> ApiKey:
    if isinstance(remembered, AuthError):
        raise remembered
    return remembered
