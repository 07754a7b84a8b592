"""Champion/challenger traffic split per model, persisted in the platform DB and audited.

`choose_variant` is sticky: a routing key (a user or session id) always lands on the same variant
for a given weight, so one user never flips between models mid-session; and raising the weight
only moves keys from champion to challenger, never back. Shadow mode is separate from the split:
when `shadow` is on, requests answered by the champion also score the challenger off the request
path (logged with variant `shadow`, never returned) — the service decides that, not this module.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from mlaas import db
from mlaas.settings import get_settings

Variant = Literal["champion", "challenger"]
_SCALE = float(2**64)


class RoutingConfig(BaseModel):
    """How one model's traffic is split; no stored row means everything goes to the champion."""

    model: str
    challenger_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    shadow: bool = False
    updated_at: datetime | None = None
    updated_by: str | None = None


def get_routing(model: str) -> RoutingConfig:
    """The stored config of `model`, or the default (weight 0, no shadow)."""
    with db.get_engine().connect() as conn:
        row = conn.execute(
            select(db.routing_configs).where(db.routing_configs.c.model == model)
        ).first()
    if row is None:
        return RoutingConfig(model=model)
    return RoutingConfig.model_validate(dict(row._mapping))


def set_routing(
    model: str,
    *,
    challenger_weight: float,
    shadow: bool,
    actor: str | None = None,
    reason: str = "",
) -> RoutingConfig:
    """Store the split (validated first) and write an audit row with the previous values."""
    actor = actor or get_settings().actor
    config = RoutingConfig(
        model=model,
        challenger_weight=challenger_weight,
        shadow=shadow,
        updated_at=db.utcnow(),
        updated_by=actor,
    )
    values = config.model_dump(exclude={"model"})
    table = db.routing_configs
    previous = get_routing(model)
    with db.get_engine().begin() as conn:
        updated = conn.execute(table.update().where(table.c.model == model).values(**values))
        if updated.rowcount == 0:
            conn.execute(table.insert().values(model=model, **values))
    db.record_audit(
        action="set_routing",
        model=model,
        reason=reason,
        actor=actor,
        details={
            "challenger_weight": config.challenger_weight,
            "shadow": config.shadow,
            "previous": {
                "challenger_weight": previous.challenger_weight,
                "shadow": previous.shadow,
            },
        },
    )
    return config


def key_position(model: str, routing_key: str) -> float:
    """A stable point in [0, 1) for (model, key): sha256, the same in every process and host."""
    digest = hashlib.sha256(f"{model}\x00{routing_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def choose_variant(
    config: RoutingConfig, routing_key: str | None, *, rng: random.Random | None = None
) -> Variant:
    """Champion or challenger: by the key's stable hash when given, else at random."""
    weight = config.challenger_weight
    if weight <= 0.0:
        return "champion"
    if weight >= 1.0:
        return "challenger"
    point = (
        key_position(config.model, routing_key)
        if routing_key is not None
        else (rng or random).random()
    )
    return "challenger" if point < weight else "champion"
