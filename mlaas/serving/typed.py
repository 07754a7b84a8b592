"""Records decoded straight into a model's record struct, for large batches.

msgspec decodes a JSON object into a `Struct` whose field types are the spec's
(`int | float | None` for numbers, `bool | None`, `str | None` for categories), unknown fields
refused: type checking happens inside the decoder, at about half the cost of building dicts,
and the structs are not tracked by the garbage collector (a 1,000-record body is 1,000 objects
instead of 1,000 dicts plus their entries for every collection to walk). The columns are read
once per feature. Anything the struct refuses is decoded again as plain dicts, whose validator
names every problem (`records[3].age: ...`), so errors read the same on every path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from mlaas.serving.schema import RecordSchema

_FIELD_TYPES: dict[str, Any] = {
    "int": int | float | None,
    "float": int | float | None,
    "bool": bool | None,
    "category": str | None,
}


def record_struct(schema: RecordSchema) -> type[msgspec.Struct]:
    """The struct one record of this schema decodes into (every field required, nullable)."""
    fields = [(name, _FIELD_TYPES[kind]) for name, kind in schema.kinds.items()]
    return msgspec.defstruct(
        "Record", fields, forbid_unknown_fields=True, gc=False, module=__name__
    )


class TypedRecords:
    """A batch of decoded record structs of one schema; sized and iterable like a list. `raw`
    is their JSON array exactly as the client sent it, when the body parser could cut it out
    (the prediction log stores it instead of encoding the records again)."""

    def __init__(self, schema: RecordSchema, rows: list[Any], raw: bytes | None = None) -> None:
        self.schema, self.rows, self.raw = schema, rows, raw

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def column(self, name: str) -> list[Any]:
        return list(map(attrgetter(name), self.rows))

    def columns(self, names: Sequence[str]) -> list[tuple[Any, ...]]:
        """One tuple of the `names` values per record (a single C-level pass)."""
        if len(names) == 1:
            return [(value,) for value in self.column(names[0])]
        return list(map(attrgetter(*names), self.rows))

    @cached_property
    def dicts(self) -> list[dict[str, Any]]:
        """The records as plain dicts (explanations, the cache key, other schemas)."""
        return [msgspec.structs.asdict(row) for row in self.rows]


def as_dicts(records: Any) -> list[dict[str, Any]]:
    """Plain dict records from either form."""
    if isinstance(records, TypedRecords):
        return records.dicts
    plain: list[dict[str, Any]] = records
    return plain
