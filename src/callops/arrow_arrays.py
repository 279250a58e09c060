"""Arrow arrays made from numpy arrays and Python lists through their buffers.

``pa.array``, ``pa.scalar`` and ``Array.to_numpy`` import pandas on pyarrow 26 (about a second per import
process) only to ask whether their argument is a pandas object; the builders here lay out the same arrays
from buffers and never import it. The column-wise import (``callops.ingest.columnar`` and the parsers)
and the pre-aggregate increment (``callops.store.kpi_increments``) both build their arrays here.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import is_
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["int_array", "float_array", "bool_array", "text_array", "array_of"]


def _validity(mask: npt.NDArray[np.bool_] | None) -> tuple[Any, int]:
    """The validity buffer of an array null where ``mask`` is True, and the null count (no buffer: no nulls)."""
    if mask is None or not mask.any():
        return None, 0
    valid = ~np.asarray(mask, dtype=bool)
    return pa.py_buffer(np.packbits(valid, bitorder="little").tobytes()), int(len(valid) - np.count_nonzero(valid))


def int_array(values: npt.NDArray[Any], mask: npt.NDArray[np.bool_] | None = None) -> pa.Array[Any]:
    """An int64 Arrow array of ``values``, null where ``mask`` is True."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    validity, nulls = _validity(mask)
    return pa.Array.from_buffers(pa.int64(), len(data), [validity, pa.py_buffer(data.tobytes())], null_count=nulls)


def float_array(values: npt.NDArray[Any], mask: npt.NDArray[np.bool_] | None = None) -> pa.Array[Any]:
    """A float64 Arrow array of ``values``, null where ``mask`` is True."""
    data = np.ascontiguousarray(values, dtype=np.float64)
    validity, nulls = _validity(mask)
    return pa.Array.from_buffers(pa.float64(), len(data), [validity, pa.py_buffer(data.tobytes())],
                                 null_count=nulls)


def bool_array(values: npt.NDArray[np.bool_], mask: npt.NDArray[np.bool_] | None = None) -> pa.Array[Any]:
    """A boolean Arrow array of ``values``, null where ``mask`` is True."""
    packed = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    validity, nulls = _validity(mask)
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, pa.py_buffer(packed.tobytes())],
                                 null_count=nulls)


def text_array(texts: Sequence[str | None], *, large: bool = True) -> pa.Array[Any]:
    """A string Arrow array of ``texts`` (None is null): large_string, or string (32-bit offsets) where
    ``large`` is False. ASCII text (the usual case) is joined and encoded once, not value by value."""
    n = len(texts)
    mask = np.fromiter(map(is_, texts, repeat(None)), dtype=bool, count=n) if None in texts else None
    plain = cast("Sequence[str]", texts) if mask is None else ["" if t is None else t for t in texts]
    joined = "".join(plain)
    if joined.isascii():  # a character is a byte: the lengths are the string lengths
        data = joined.encode("ascii")
        lengths = np.fromiter(map(len, plain), dtype=np.int64, count=n)
    else:
        encoded = [t.encode("utf-8") for t in plain]
        data = b"".join(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    del joined
    offsets = np.zeros(n + 1, dtype=np.int64 if large else np.int32)
    np.cumsum(lengths, out=offsets[1:])
    validity, nulls = _validity(mask)
    kind = pa.large_string() if large else pa.string()
    array: pa.Array[Any] = pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(offsets.tobytes()),
                                                            pa.py_buffer(data)], null_count=nulls)
    return array


def array_of(values: Sequence[Any], kind: pa.DataType) -> pa.Array[Any]:
    """An Arrow array of type ``kind`` (int64, float64, bool or string) of the Python ``values`` (None is null)."""
    if values and values.count(None) == len(values):  # a column no row fills (one C pass to know)
        empty: pa.Array[Any] = pa.nulls(len(values), kind)  # type: ignore[call-overload]  # stubs: NullType only
        return empty
    if kind == pa.string() or kind == pa.large_string():
        return text_array(values, large=kind == pa.large_string())
    n = len(values)
    mask = np.fromiter(map(is_, values, repeat(None)), dtype=bool, count=n) if None in values else None
    dtype = bool if kind == pa.bool_() else np.float64 if kind == pa.float64() else np.int64
    if mask is None:
        data = np.array(values, dtype=dtype)
    else:
        boxed = np.array(values, dtype=object)
        boxed[mask] = 0
        data = boxed.astype(dtype)
    if dtype is bool:
        return bool_array(data, mask)
    return float_array(data, mask) if dtype is np.float64 else int_array(data, mask)
