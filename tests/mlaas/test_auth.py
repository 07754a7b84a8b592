"""API keys: shown once, stored hashed, scoped, revocable, audited."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mlaas.auth import AuthError, create_key, list_keys, revoke_key, verify_key
from mlaas.db import api_keys, audit_rows, get_engine
from tests.servers import wait_for

KEY_PATTERN = re.compile(r"^mlaas_([0-9a-f]{8})_([A-Za-z0-9_-]{40,})$")


def stored_rows() -> list[dict[str, Any]]:
    with get_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(api_keys))]


def test_create_key_in_the_documented_shape(mlaas_home: Path) -> None:
    key, record = create_key("dashboard", ["predict", "monitor"])
    match = KEY_PATTERN.match(key)
    assert match is not None, key
    assert match.group(1) == record.prefix
    assert record.name == "dashboard"
    assert record.scopes == ("monitor", "predict")
    assert record.revoked_at is None


def test_store_only_a_hash_of_the_key(mlaas_home: Path) -> None:
    key, record = create_key("batch-job", ["predict"])
    secret = key.split("_", 2)[2]
    [row] = stored_rows()
    assert row["prefix"] == record.prefix
    for column, value in row.items():
        assert secret not in str(value), column
        assert key not in str(value), column
    assert len(row["key_hash"]) == 64


def test_create_distinct_keys(mlaas_home: Path) -> None:
    first, a = create_key("a", ["predict"])
    second, b = create_key("a", ["predict"])
    assert first != second
    assert a.prefix != b.prefix


def test_verify_key_returns_its_scopes(mlaas_home: Path) -> None:
    key, record = create_key("trainer", ["train"])
    verified = verify_key(key)
    assert verified.id == record.id
    assert verified.scopes == ("train",)
    assert verified.allows("train")
    assert not verified.allows("predict")


def test_let_admin_imply_every_scope(mlaas_home: Path) -> None:
    key, _ = create_key("ops", ["admin"])
    verified = verify_key(key)
    for scope in ("predict", "train", "monitor", "admin"):
        assert verified.allows(scope)


def test_reject_wrong_secret(mlaas_home: Path) -> None:
    key, _ = create_key("x", ["predict"])
    prefix = key.split("_", 2)[1]
    with pytest.raises(AuthError, match="^unknown API key$"):
        verify_key(f"mlaas_{prefix}_not-the-secret")
    with pytest.raises(AuthError, match="^unknown API key$"):
        verify_key(key[:-1])


@pytest.mark.parametrize(
    "token", ["", "mlaas", "mlaas_abc", "bearer_abcd1234_secret", "abcd1234secret"]
)
def test_reject_malformed_key(mlaas_home: Path, token: str) -> None:
    with pytest.raises(AuthError, match=r"malformed API key \(expected mlaas_<prefix>_<secret>\)"):
        verify_key(token)


def test_reject_unknown_prefix(mlaas_home: Path) -> None:
    key, _ = create_key("x", ["predict"])
    secret = key.split("_", 2)[2]
    with pytest.raises(AuthError, match="^unknown API key$"):
        verify_key(f"mlaas_00000000_{secret}")


def test_reject_revoked_key(mlaas_home: Path) -> None:
    key, record = create_key("old", ["predict"])
    revoke_key(record.prefix)
    with pytest.raises(AuthError, match="^API key revoked$"):
        verify_key(key)
    [listed] = list_keys()
    assert listed.revoked_at is not None
    assert not listed.allows("predict")


def test_reject_revoking_twice_or_unknown_prefix(mlaas_home: Path) -> None:
    _, record = create_key("old", ["predict"])
    revoke_key(record.prefix)
    with pytest.raises(AuthError, match=f"no active API key with prefix '{record.prefix}'"):
        revoke_key(record.prefix)
    with pytest.raises(AuthError, match="no active API key with prefix 'ffffffff'"):
        revoke_key("ffffffff")


@pytest.mark.parametrize("scopes", [["superuser"], ["predict", "root"], []])
def test_reject_unknown_or_missing_scope(mlaas_home: Path, scopes: list[str]) -> None:
    with pytest.raises(AuthError, match="scopes must be a non-empty subset of"):
        create_key("x", scopes)
    assert stored_rows() == []


def test_list_keys_in_creation_order(mlaas_home: Path) -> None:
    _, first = create_key("first", ["predict"])
    _, second = create_key("second", ["train", "train"])
    assert [k.prefix for k in list_keys()] == [first.prefix, second.prefix]
    assert list_keys()[1].scopes == ("train",)


def test_audit_key_creation_and_revocation(mlaas_home: Path) -> None:
    _, record = create_key("ci", ["train"], actor="alice")
    revoke_key(record.prefix, actor="bob")
    rows = {row["action"]: row for row in audit_rows()}
    assert rows["create_api_key"]["actor"] == "alice"
    assert rows["create_api_key"]["reason"] == "ci"
    assert rows["create_api_key"]["details"] == {"scopes": ["train"], "models": None}
    assert rows["revoke_api_key"]["actor"] == "bob"
    assert rows["revoke_api_key"]["reason"] == record.prefix


def test_a_revoked_key_stops_working_everywhere_within_the_key_cache_bound(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another service that looked the key up a moment ago still knows it as valid, but only
    for MLAAS_KEY_CACHE_S (5 s by default; 2 s here); then the DB's answer wins."""
    from mlaas.auth import CachedVerifier
    from mlaas.settings import get_settings

    assert CachedVerifier().ttl_s == 5.0
    monkeypatch.setattr(get_settings(), "key_cache_s", 2.0)
    token, key = create_key("ci", ["predict"])
    elsewhere = CachedVerifier()  # another service's process
    assert elsewhere(token).prefix == key.prefix
    revoke_key(key.prefix)
    assert elsewhere(token).prefix == key.prefix  # remembered, within the bound

    errors: list[AuthError] = []

    def refused() -> bool:
        try:
            elsewhere(token)
        except AuthError as error:
            errors.append(error)
        return bool(errors)

    wait_for(refused, 30, "the remembered key to be refused", every_s=0.02)
    assert "revoked" in str(errors[0])


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], threading.Event]:
    """Every DB read of a key from now on (`verify_key`), and the gate each read waits on
    (set: reads answer at once; cleared: they wait until the test sets it)."""
    import mlaas.auth

    reads: list[str] = []
    gate = threading.Event()
    gate.set()
    real = mlaas.auth.verify_key

    def reading(token: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(token)
        gate.wait(30)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(mlaas.auth, "verify_key", reading)
    return reads, gate


def test_requests_waiting_on_one_key_read_it_from_the_db_once(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """32 requests of a key nobody remembers (a busy key just expired) share one DB read; a bad
    key is refused to each of its waiters."""
    import asyncio

    from mlaas.auth import CachedVerifier

    token, key = create_key("ci", ["predict"])
    reads, gate = counted_reads(monkeypatch)
    verifier = CachedVerifier(ttl_s=5.0)

    async def at_once(token: str) -> list[Any]:
        """32 requests of `token` while its read is held, all started before it answers."""
        gate.clear()
        calls = asyncio.gather(
            *(verifier.verify_async(token) for _ in range(32)), return_exceptions=True
        )
        while token not in reads:  # the read is in flight: every request has joined it
            await asyncio.sleep(0.005)
        gate.set()
        return await calls

    answers = asyncio.run(at_once(token))
    assert [answer.prefix for answer in answers] == [key.prefix] * 32
    assert reads == [token]
    refused = asyncio.run(at_once("mlaas_00000000_" + "x" * 43))
    assert all(isinstance(answer, AuthError) for answer in refused)
    assert len(reads) == 2


def test_a_key_in_use_is_read_again_before_it_expires_and_revocation_still_holds(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Near its expiry a key is answered at once and read again in the background, so its
    requests never wait on the DB; a revoked key is still refused within the TTL, and a
    background read that finds it revoked leaves no unretrieved error on the loop. The
    verifier's clock is the test's: each step lands where it should however slow the machine."""
    import asyncio
    import gc

    from mlaas.auth import CachedVerifier
    from mlaas.single_flight import REFRESH_AHEAD

    token, key = create_key("ci", ["predict"])
    reads, gate = counted_reads(monkeypatch)
    ttl_s = 10.0
    now = [0.0]
    verifier = CachedVerifier(ttl_s=ttl_s, clock=lambda: now[0])
    loop_errors: list[dict[str, Any]] = []
    near_expiry = ttl_s * REFRESH_AHEAD / 2  # time left when a request comes, inside the window

    async def reads_reach(count: int) -> None:
        for _ in range(3000):  # the background read runs in a worker thread
            if len(reads) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{count} reads expected, {len(reads)} made")

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: loop_errors.append(ctx))
        assert (await verifier.verify_async(token)).prefix == key.prefix
        assert len(reads) == 1  # remembered until ttl_s

        now[0] = ttl_s - near_expiry
        gate.clear()  # the DB "hangs": the request must not wait for it
        assert (await verifier.verify_async(token)).prefix == key.prefix
        await reads_reach(2)
        gate.set()
        now[0] = ttl_s + 1.0  # past the first answer's expiry: the refreshed one holds
        assert (await verifier.verify_async(token)).prefix == key.prefix
        assert len(reads) == 2

        revoke_key(key.prefix)
        refreshed_until = ttl_s - near_expiry + ttl_s
        now[0] = refreshed_until - near_expiry  # used until its expiry, read again meanwhile
        assert (await verifier.verify_async(token)).prefix == key.prefix
        await reads_reach(3)
        now[0] = refreshed_until + 0.1  # the TTL of the last answer before the revocation
        with pytest.raises(AuthError, match="revoked"):
            await verifier.verify_async(token)
        assert len(reads) == 3  # refused on the background read's answer, not a new read

    asyncio.run(scenario())
    gc.collect()
    assert loop_errors == []


def test_keys_limited_to_models_expire_and_rotate(mlaas_home: Path) -> None:
    from datetime import timedelta

    from mlaas.auth import rotate_key
    from mlaas.db import utcnow

    token, key = create_key("churn scorer", ["predict"], models=["churn"])
    assert key.allows_model("churn") and not key.allows_model("house_prices")
    admin = create_key("ops", ["admin"], models=["churn"])[1]
    assert admin.allows_model("house_prices")  # admin keys reach every model
    assert verify_key(token).models == ("churn",)

    soon = utcnow() + timedelta(days=30)
    lasting, lasting_key = create_key("ci", ["train"], expires_at=soon)
    assert verify_key(lasting).expires_at == lasting_key.expires_at
    gone = create_key("old ci", ["train"], expires_at=utcnow() - timedelta(seconds=1))[0]
    with pytest.raises(AuthError, match="expired at"):
        verify_key(gone)

    new_token, new_key = rotate_key(lasting_key.prefix)
    assert (new_key.name, new_key.scopes) == ("ci", ("train",))
    assert new_key.expires_at is not None and new_key.prefix != lasting_key.prefix
    lifetime = new_key.expires_at - new_key.created_at
    assert abs(lifetime - (soon - lasting_key.created_at)) < timedelta(seconds=1)
    assert verify_key(new_token).prefix == new_key.prefix
    with pytest.raises(AuthError, match="revoked"):
        verify_key(lasting)
    rotated = rotate_key(key.prefix)[1]
    assert rotated.models == ("churn",)  # the limit carries over
    actions = [row["action"] for row in audit_rows()]
    assert actions.count("rotate_api_key") == 2
