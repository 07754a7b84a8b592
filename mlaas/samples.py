"""How a problem shows the values it is about: how many, and the first few with their rows.

Rows are the 0-based positions in the table as read (file order, header not counted), so
`row 0` is the first data line of a csv. Every data message of the spec check and of
validation uses these, so they read alike.
"""

from __future__ import annotations

import pandas as pd

SAMPLE = 3  # values shown per problem; the count says how many there are


def counted(n: int, what: str) -> str:
    """`1 value`, `3 values`."""
    return f"{n} {what}{'' if n == 1 else 's'}"


def _more(values: pd.Series) -> str:
    return f" and {len(values) - SAMPLE} more" if len(values) > SAMPLE else ""


def sample_values(values: pd.Series) -> str:
    """`'abc' (row 3), 'n/a' (row 9) and 4 more`: `values` indexed by row."""
    shown = [f"{_plain(value)!r} (row {row})" for row, value in values.head(SAMPLE).items()]
    return ", ".join(shown) + _more(values)


def sample_rows(values: pd.Series) -> str:
    """`3, 9, 12 and 4 more`: the rows of `values`."""
    return ", ".join(str(row) for row in values.index[:SAMPLE].tolist()) + _more(values)


def _plain(value: object) -> object:
    """numpy scalars as Python ones (`130`, not `np.int64(130)`)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
