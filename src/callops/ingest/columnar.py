"""A whole import file as columns: its lines and their fields as Arrow arrays, for the vectorised parsers.

``read_lines`` reads the file once (gzip detected by content), decodes it in one call and splits it on
``\\n`` with Arrow, so line ``i`` of the array is line ``i + 1`` of the file, blank lines included: the
columnar parsers name a bad line exactly as the line-by-line reader does. It answers None (the caller
then reads the file line by line, ``textfile.decoded_lines``) when the file is not entirely in the
encoding, holds a line longer than the cap, or is larger than ``MAX_COLUMNAR_BYTES`` — those cases are
reported per line by the line reader, and a huge file is streamed rather than held.

``fields`` splits lines on a separator into a list array; ``field`` takes one field of every line
(null where a line has fewer fields).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as _compute

from callops.arrow_arrays import int_array, text_array
from callops.ingest.textfile import ENCODINGS, MAX_LINE_BYTES, open_binary

# pyarrow-stubs type each compute kernel by overloads that refuse the array kinds used here (large strings,
# struct fields, boolean masks); Arrow checks the arrays at run time.
pc: Any = _compute

__all__ = ["Lines", "read_lines", "fields", "field", "field_counts", "ascii_trim", "MAX_COLUMNAR_BYTES",
           "flags", "numbers", "text_scalar"]

MAX_COLUMNAR_BYTES = 64 << 20  # read_lines' default cap: a larger file (after gunzip) is read line by line (each
# format's own cap: callops.ingest.formats.COLUMNAR_MAX_BYTES)
_ASCII_SPACE = " \t\r\n\x0b\x0c"
_BOM = "\ufeff".encode()
_NEWLINE = 10


@dataclass(frozen=True, slots=True)
class Lines:
    """The lines of one file, without their ends; ``texts[i]`` is line ``i + 1``."""

    array: pa.Array[Any]  # large_string, one value per line
    texts: list[str]
    blank: npt.NDArray[np.bool_]  # the line is empty or only whitespace

    def __len__(self) -> int:
        return len(self.texts)


def read_lines(path: Path, *, encoding: str = "utf-8", max_bytes: int = MAX_COLUMNAR_BYTES) -> Lines | None:
    """The file's lines, or None when it must be read line by line (see the module docstring)."""
    if encoding not in ENCODINGS:
        return None  # the line reader names the unknown encoding
    try:
        with open_binary(path) as raw:
            data = raw.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error):
        return None  # the line reader reports the read error with its line
    if len(data) > max_bytes:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding != "utf-8":
        data = text.encode("utf-8")
    bom = len(_BOM) if data.startswith(_BOM) else 0
    texts = text.split("\n")
    del text
    if texts and texts[0].startswith("\ufeff"):
        texts[0] = texts[0][1:]
    if texts and texts[-1] == "":  # the file ends with a line end: no line after it
        texts.pop()
    if max(map(len, texts), default=0) > MAX_LINE_BYTES // 4:
        return None  # a very long line: the line reader refuses it while reading, naming it
    if b"\r" in data:
        texts = [t.rstrip("\r") for t in texts]
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE).astype(np.int64) + 1
    offsets = np.concatenate(([bom], ends[: len(texts)], [len(data)] if len(ends) < len(texts) else []))
    joined = pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(offsets.astype(np.int64).tobytes()),
                                              pa.py_buffer(data))
    array: pa.Array[Any] = pc.utf8_rtrim(joined, characters="\r\n")
    return Lines(array, texts, _blank(array, texts))


def _blank(array: pa.Array[Any], texts: list[str]) -> npt.NDArray[np.bool_]:
    """Which lines ``str.strip`` leaves empty: decided by Arrow for lines with a printable ASCII character or
    none at all, by Python for the rare rest (other whitespace is not the same in both)."""
    graphic = flags(pc.match_substring_regex(array, "[!-~]"))
    blank = flags(pc.match_substring_regex(array, "^[ \t\r\n\x0b\x0c]*$"))
    for i in np.flatnonzero(~graphic & ~blank):
        blank[i] = not texts[i].strip()
    return blank


# Arrow -> numpy by buffers, not by ``Array.to_numpy``: on pyarrow 26 that imports pandas (about a second, per
# import process) only to ask whether its argument is a pandas object (numpy -> Arrow: ``callops.arrow_arrays``).
_NUMPY_TYPES: dict[str, Any] = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
                                "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32,
                                "uint64": np.uint64, "float": np.float32, "double": np.float64}


def _bits(buffer: Any, offset: int, length: int) -> npt.NDArray[np.bool_]:
    packed = np.frombuffer(buffer, dtype=np.uint8, count=(offset + length + 7) // 8)
    bits: npt.NDArray[np.bool_] = np.unpackbits(packed, bitorder="little")[offset : offset + length].astype(bool)
    return bits


def _valid(array: pa.Array[Any]) -> npt.NDArray[np.bool_] | None:
    """Where ``array`` is not null (None when it has no nulls)."""
    if array.null_count == 0:
        return None
    return _bits(array.buffers()[0], array.offset, len(array))


def flags(array: pa.Array[Any]) -> npt.NDArray[np.bool_]:
    """A boolean array as numpy, null read as False."""
    if len(array) == 0:
        return np.zeros(0, dtype=bool)
    values = _bits(array.buffers()[1], array.offset, len(array))
    valid = _valid(array)
    return values if valid is None else values & valid


def numbers(array: pa.Array[Any]) -> npt.NDArray[Any]:
    """A numeric array as numpy (of its own width), null read as 0."""
    dtype = np.dtype(_NUMPY_TYPES[str(array.type)])
    if len(array) == 0:
        return np.zeros(0, dtype=dtype)
    buffer: Any = array.buffers()[1]
    values: npt.NDArray[Any] = np.frombuffer(buffer, dtype=dtype,
                                             count=array.offset + len(array))[array.offset :]
    valid = _valid(array)
    return values if valid is None else np.where(valid, values, 0).astype(dtype)


def text_scalar(text: str) -> Any:
    """A large_string Arrow scalar (for the compute kernels' arguments)."""
    return text_array([text])[0]


def fields(array: pa.Array[Any], separator: str) -> pa.LargeListArray[Any]:
    """Each line split on ``separator`` (a list array, one list per line)."""
    split: pa.LargeListArray[Any] = pc.split_pattern(array, separator)
    return split


def field(split: pa.LargeListArray[Any], index: int) -> pa.Array[Any]:
    """Field ``index`` of every line of ``split`` (from ``fields``); null where the line has fewer fields."""
    offsets = np.asarray(numbers(split.offsets), dtype=np.int64)
    present = np.diff(offsets) > index
    at = np.where(present, offsets[:-1] - offsets[0] + index, 0)
    taken: pa.Array[Any] = pc.take(split.flatten(), int_array(at, ~present))
    return taken


def field_counts(split: pa.LargeListArray[Any]) -> npt.NDArray[np.int64]:
    """How many fields each line of ``split`` has."""
    offsets: npt.NDArray[np.int64] = np.asarray(numbers(split.offsets), dtype=np.int64)
    return np.diff(offsets)


def ascii_trim(array: pa.Array[Any]) -> pa.Array[Any]:
    """``array`` without leading and trailing ASCII whitespace (what ``str.strip`` removes from ASCII text)."""
    trimmed: pa.Array[Any] = pc.utf8_trim(array, characters=_ASCII_SPACE)
    return trimmed
