"""Where the drift engine reads its data from: one column at a time.

The engine never needs a whole table: each column job asks its source for one column, tests it
and drops it, so at most (thread workers) columns are in memory at once. Two sources: a pandas
frame (columns are views or cheap conversions) and parquet files read column by column with
pyarrow, which keeps a million-row report well under the memory of the frames it would
otherwise need, and needs no pandas at all. String columns are read from parquet as dictionary
arrays, so a categorical column becomes integer codes plus its distinct labels without a Python
string per row. pandas and pyarrow are imported only where a source of that kind is used.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from mlaas.drift.stats import FloatArray

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Codes: TypeAlias = npt.NDArray[np.integer[Any]]
ParquetInput: TypeAlias = "str | os.PathLike[str] | bytes | pa.Buffer"


@dataclass(frozen=True, slots=True)
class CategoryCodes:
    """A categorical column: one code per row (negative for missing) into `labels`, the
    distinct values as text (labels compare as text: 1 and "1" are one category)."""

    codes: Codes
    labels: list[str]


class ColumnSource(ABC):
    """Rows of named columns, handed out one column at a time."""

    kind = "data"  # names the source in errors: "current frame has no column(s) ..."
    fresh_arrays = False  # True when numeric() returns an array nobody else holds

    @property
    @abstractmethod
    def rows(self) -> int: ...

    @property
    @abstractmethod
    def columns(self) -> list[str]: ...

    @abstractmethod
    def numeric(self, name: str) -> FloatArray:
        """The column as float64, missing values as NaN (infinities kept); ValueError when
        it holds values that are not numbers."""

    @abstractmethod
    def categorical(self, name: str) -> CategoryCodes: ...

    @abstractmethod
    def take(self, names: Sequence[str], rows: npt.NDArray[np.intp] | None) -> pd.DataFrame:
        """A small frame of `names` at the (sorted) row positions `rows` (all rows if None),
        for the joint tests, which run on a bounded subsample."""

    def require(self, names: Sequence[str], side: str) -> None:
        present = set(self.columns)
        missing = [name for name in names if name not in present]
        if missing:
            raise KeyError(f"{side} {self.kind} has no column(s) {missing}")


class FrameSource(ColumnSource):
    """A pandas frame, column by column (numeric float64 columns come out as views)."""

    kind = "frame"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def numeric(self, name: str) -> FloatArray:
        values: FloatArray = self.frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        return values

    def categorical(self, name: str) -> CategoryCodes:
        """A `category` column gives its own codes; other columns are factorized first."""
        import pandas as pd

        series = self.frame[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return CategoryCodes(codes, [str(value) for value in uniques])

    def take(self, names: Sequence[str], rows: npt.NDArray[np.intp] | None) -> pd.DataFrame:
        selected = self.frame[list(names)]
        return selected if rows is None else selected.iloc[rows]


class ParquetSource(ColumnSource):
    """One parquet file, or several with the same columns read as one table (paths, or the
    bytes of a file fetched from an object store). Each column read opens its own reader,
    so column jobs on different threads never share a file position."""

    kind = "parquet data"
    fresh_arrays = True

    def __init__(self, files: ParquetInput | Sequence[ParquetInput]) -> None:
        import pyarrow as pa

        if isinstance(files, str | bytes | os.PathLike | pa.Buffer):
            files = [files]
        self._files = [pa.py_buffer(f) if isinstance(f, bytes) else f for f in files]
        if not self._files:
            raise ValueError("a parquet source needs at least one file")
        if len(self._files) == 1 and isinstance(self._files[0], str | os.PathLike):
            self.kind = f"parquet file {os.fspath(self._files[0])}"
        readers = [self._open(file) for file in self._files]  # footers only
        self._rows = int(sum(reader.metadata.num_rows for reader in readers))
        self._types = {field.name: field.type for field in readers[0].schema_arrow}
        for reader, file in zip(readers[1:], self._files[1:], strict=True):
            differ = set(self._types) ^ set(reader.schema_arrow.names)
            if differ:
                raise ValueError(f"parquet file {file!r} differs in columns {sorted(differ)}")

    @staticmethod
    def _open(file: Any, *, dictionary: Sequence[str] = ()) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        handle = pa.BufferReader(file) if isinstance(file, pa.Buffer) else file
        return pq.ParquetFile(handle, read_dictionary=list(dictionary) or None)

    @property
    def rows(self) -> int:
        return self._rows

    @property
    def columns(self) -> list[str]:
        return list(self._types)

    def _column(self, name: str) -> pa.ChunkedArray:
        """One column of every file. Text columns are read as dictionary arrays (codes and
        distinct values), never as one Python string per row."""
        import pyarrow as pa

        if name not in self._types:
            raise KeyError(f"{self.kind} has no column {name!r}")
        text = pa.types.is_string(self._types[name]) or pa.types.is_large_string(self._types[name])
        dictionary = [name] if text else []
        chunks = []
        for file in self._files:
            table = self._open(file, dictionary=dictionary).read(columns=[name])
            chunks.extend(table.column(0).chunks)
        return pa.chunked_array(chunks, type=chunks[0].type if chunks else None)

    def numeric(self, name: str) -> FloatArray:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = self._column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        try:
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise ValueError(str(error)) from None
        values: FloatArray = column.fill_null(np.nan).to_numpy()
        return values

    def categorical(self, name: str) -> CategoryCodes:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = self._column(name)
        if not pa.types.is_dictionary(column.type):  # numbers or booleans used as categories
            column = pc.dictionary_encode(column)
        column = column.unify_dictionaries()  # one dictionary for every chunk
        if column.num_chunks == 0:
            return CategoryCodes(np.empty(0, dtype=np.int32), [])
        labels = [str(value) for value in column.chunk(0).dictionary.to_pylist()]
        codes = [pc.fill_null(chunk.indices, -1).to_numpy() for chunk in column.chunks]
        return CategoryCodes(codes[0] if len(codes) == 1 else np.concatenate(codes), labels)

    def take(self, names: Sequence[str], rows: npt.NDArray[np.intp] | None) -> pd.DataFrame:
        """Read one column at a time and keep only the sampled rows of each. Categorical
        columns come back as text labels (None for missing), numeric ones as pyarrow gives."""
        import pandas as pd
        import pyarrow as pa

        data: dict[str, Any] = {}
        for name in names:
            column = self._column(name)
            if rows is not None:
                column = column.take(pa.array(rows))
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            data[name] = column.to_pandas()
        return pd.DataFrame(data, columns=list(names))


def as_source(data: Any) -> ColumnSource:
    """A source as is; a pandas frame wrapped. pandas is imported only for a frame."""
    if isinstance(data, ColumnSource):
        return data
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return FrameSource(data)
    raise TypeError(f"drift data must be a pandas DataFrame or a ColumnSource, not {type(data)}")
