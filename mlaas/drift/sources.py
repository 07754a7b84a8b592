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

import mmap
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
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
        # Rows first: selecting columns of the whole frame would copy all of it.
        sampled = self.frame if rows is None else self.frame.iloc[rows]
        return sampled[list(names)]


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

    def _dictionary(self, name: str) -> list[str]:
        """[name] when the column holds text: read as dictionary arrays (codes and distinct
        values), never as one Python string per row."""
        import pyarrow as pa

        if name not in self._types:
            raise KeyError(f"{self.kind} has no column {name!r}")
        kind = self._types[name]
        return [name] if pa.types.is_string(kind) or pa.types.is_large_string(kind) else []

    def _column(self, name: str) -> pa.ChunkedArray:
        """One whole column of every file (for the joint tests' row samples)."""
        import pyarrow as pa

        dictionary = self._dictionary(name)
        chunks = []
        for file in self._files:
            table = self._open(file, dictionary=dictionary).read(columns=[name])
            chunks.extend(table.column(0).chunks)
        return pa.chunked_array(chunks, type=self._types[name] if not chunks else chunks[0].type)

    def _row_groups(self, name: str) -> Iterator[pa.Array]:
        """The column one row group at a time: the arrow copy of a column never exceeds
        a row group, the caller copies each into its own NumPy array. Arrow's pool keeps
        freed blocks for reuse (~30 MB over a report); a streaming reader has handed every
        batch on by the end of a column, so the pool gives them back then."""
        import pyarrow as pa

        dictionary = self._dictionary(name)
        for file in self._files:
            reader = self._open(file, dictionary=dictionary)
            for group in range(reader.num_row_groups):
                # Decoded on this thread, so its pool cache is the one released below.
                table = reader.read_row_group(group, columns=[name], use_threads=False)
                yield from table.column(0).chunks
        pa.default_memory_pool().release_unused()

    def numeric(self, name: str) -> FloatArray:
        import pyarrow as pa
        import pyarrow.compute as pc

        values = _mapped_empty(self._rows, np.float64)
        at = 0
        for chunk in self._row_groups(name):
            if pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary_decode()
            try:
                chunk = pc.cast(chunk, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise ValueError(str(error)) from None
            part = values[at : at + len(chunk)]
            _copy_fixed_width(chunk, part, missing=np.nan)
            at += len(chunk)
        return values

    def categorical(self, name: str) -> CategoryCodes:
        """Codes into the labels met so far: each row group's dictionary (its distinct
        values only) is mapped onto them, then its codes are translated in one NumPy step."""
        import pyarrow as pa
        import pyarrow.compute as pc

        codes = _mapped_empty(self._rows, np.int32)
        index: dict[str, int] = {}
        at = 0
        for chunk in self._row_groups(name):
            if not pa.types.is_dictionary(chunk.type):  # numbers or booleans as categories
                chunk = pc.dictionary_encode(chunk)
            local = [str(value) for value in chunk.dictionary.to_pylist()]
            to_global = np.array([index.setdefault(label, len(index)) for label in local])
            part = codes[at : at + len(chunk)]
            _copy_fixed_width(pc.cast(chunk.indices, pa.int32()), part, missing=-1)
            if to_global.size:
                present = part >= 0
                part[present] = to_global[part[present]]
            at += len(chunk)
        return CategoryCodes(codes, list(index))

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


def _mapped_empty(size: int, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """An uninitialised column in an anonymous memory mapping of its own, unmapped as soon as
    the last view of it goes. A malloc'ed column would stay in the C heap after the job:
    glibc raises its mmap threshold after the first large free, so later columns come from
    (and are kept by) the heap of each worker thread, ~10-20 MB per thread."""
    length = max(size * np.dtype(dtype).itemsize, 1)
    if hasattr(mmap, "MAP_POPULATE"):  # Linux: map the pages at once, not one fault per page
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE
        buffer = mmap.mmap(-1, length, flags=flags)
    else:
        buffer = mmap.mmap(-1, length)
    return np.frombuffer(buffer, dtype=dtype, count=size)


def _copy_fixed_width(array: pa.Array, out: npt.NDArray[Any], *, missing: float) -> None:
    """Copy a fixed-width arrow array into `out`, nulls as `missing`, straight from its
    buffers: pyarrow's own `to_numpy` conversion imports pandas (~45 MB) to handle nulls."""
    size = len(array)
    if size == 0:
        return
    validity, data = array.buffers()[:2]
    end = array.offset + size
    out[:] = np.frombuffer(data, dtype=out.dtype, count=end)[array.offset :]
    if array.null_count:
        bits = np.frombuffer(validity, dtype=np.uint8)
        valid = np.unpackbits(bits, count=end, bitorder="little")[array.offset :]
        out[valid == 0] = missing


def as_source(data: Any) -> ColumnSource:
    """A source as is; a pandas frame wrapped. pandas is imported only for a frame."""
    if isinstance(data, ColumnSource):
        return data
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return FrameSource(data)
    raise TypeError(f"drift data must be a pandas DataFrame or a ColumnSource, not {type(data)}")
