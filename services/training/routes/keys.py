"""API keys (admin): list, create (the key is in this one answer only; optionally limited to
models and with an expiry), rotate, revoke. Audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from mlaas.auth import ApiKey, Scope, create_key, list_keys, revoke_key, rotate_key
from mlaas.db import utcnow
from services.common import forget_cached_keys, require_json
from services.contract import errors
from services.training.deps import AdminKey, actor

router = APIRouter(tags=["keys"])

ModelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")]
Prefix = Annotated[str, Path(pattern=r"^[0-9a-f]{8}$", description="The key's 8-hex prefix")]


class KeyView(BaseModel):
    """A key as stored: never its secret."""

    prefix: str
    name: str
    scopes: list[str]
    models: list[str] | None = Field(None, description="The models the key may reach; null: all")
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None


class NewKey(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "ci scoring", "scopes": ["predict"]}]},
    )

    name: str = Field(min_length=1, max_length=200, description="Who or what uses the key")
    scopes: list[Scope] = Field(min_length=1, description="`admin` implies every other scope")
    models: list[ModelName] | None = Field(
        None, min_length=1, description="Limit the key to these models (default: every model)"
    )
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="The key stops working after this many days"
    )


class CreatedKey(KeyView):
    key: str = Field(description="The key itself: shown in this answer only, store it now")


class KeyPage(BaseModel):
    keys: list[KeyView]


def _view(key: ApiKey) -> KeyView:
    return KeyView(
        prefix=key.prefix,
        name=key.name,
        scopes=list(key.scopes),
        models=list(key.models) if key.models is not None else None,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


@router.get("/v1/keys")
def keys(key: AdminKey) -> KeyPage:
    """Every key, oldest first, revoked ones included."""
    return KeyPage(keys=[_view(k) for k in list_keys()])


@router.post("/v1/keys", status_code=201, dependencies=[Depends(require_json)])
def create(body: NewKey, key: AdminKey) -> CreatedKey:
    """A new key with these scopes; the answer holds the key itself, once."""
    expires_at = None
    if body.expires_in_days is not None:
        expires_at = utcnow() + timedelta(days=body.expires_in_days)
    plaintext, record = create_key(
        body.name, list(body.scopes), models=body.models, expires_at=expires_at, actor=actor(key)
    )
    return CreatedKey(key=plaintext, **_view(record).model_dump())


@router.post("/v1/keys/{prefix}/rotate", status_code=201, responses=errors(404))
def rotate(prefix: Prefix, key: AdminKey) -> CreatedKey:
    """A new key with the same name, scopes, models and lifetime, and the old one revoked (this
    service at once, the others within MLAAS_KEY_CACHE_S); the answer holds the new key, once."""
    plaintext, record = rotate_key(prefix, actor=actor(key))
    forget_cached_keys()
    return CreatedKey(key=plaintext, **_view(record).model_dump())


@router.post("/v1/keys/{prefix}/revoke", responses=errors(404))
def revoke(prefix: Prefix, key: AdminKey) -> KeyView:
    """Revoke a key: this service refuses it at once, the others within MLAAS_KEY_CACHE_S."""
    revoked = revoke_key(prefix, actor=actor(key))
    forget_cached_keys()
    return _view(revoked)
