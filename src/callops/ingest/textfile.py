"""Opening import files: plain or gzip (detected by content), decoded line by line.

``decoded_lines`` reads bytes one line at a time, so a byte that is not in the file's encoding is
reported on its own line (and only that line is lost with ``--skip-invalid``), and a line longer than
the cap is refused while reading: a small gzip that expands to one huge line never sits in memory.
UTF-8 (a BOM tolerated) is the default; GB18030/GBK are common in China; latin-1 reads any byte and
is the explicit last resort.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from callops.errors import InvalidInput
from callops.ingest.items import Rejection

__all__ = ["open_binary", "reading", "decoded_lines", "named_rows", "csv_rows", "ENCODINGS", "MAX_LINE_BYTES"]

_GZIP_MAGIC = b"\x1f\x8b"
ENCODINGS = ("utf-8", "gb18030", "gbk", "latin-1")
MAX_LINE_BYTES = 1 << 20  # 1 MiB: far above any PBX line, far below what a crafted gzip could expand to


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it is gzip (detected by content, not by name)."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        stream: IO[bytes] = gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")  # type: ignore[assignment]
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=str(path)) from exc
    return stream


@contextmanager
def reading(path: Path) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The file's bytes as ``open_binary`` gives them, and how many bytes of the file on disk have been read
    so far (for a gzip, the compressed bytes: the share of the file done, for a progress bar)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=str(path)) from exc
    with handle:
        magic = handle.read(2)
        handle.seek(0)
        if magic == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                yield unzipped, handle.tell  # type: ignore[misc]  # GzipFile is a binary IO, typeshed says otherwise
        else:
            yield handle, handle.tell


def decoded_lines(raw: IO[bytes], file: str, *, encoding: str = "utf-8", max_line: int = MAX_LINE_BYTES,
                  ) -> Iterator[tuple[int, str] | Rejection]:
    """(line number from 1, text without its end) per line, or a Rejection naming the line that is not
    in ``encoding`` or is longer than ``max_line`` bytes. A read error (a broken gzip) is an InvalidInput."""
    if encoding not in ENCODINGS:
        raise InvalidInput(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}", field="--encoding")
    number = 0
    try:
        while True:
            chunk = raw.readline(max_line + 1)
            if not chunk:
                return
            number += 1
            if len(chunk) > max_line and not chunk.endswith(b"\n"):
                while chunk and not chunk.endswith(b"\n"):  # drop the rest of the line, a bounded piece at a time
                    chunk = raw.readline(max_line + 1)
                yield Rejection(file, number, None, f"line longer than {max_line:,} bytes; not read")
                continue
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as exc:
                yield Rejection(file, number, None, f"not {encoding} text: byte 0x{chunk[exc.start]:02X} at column "
                                f"{exc.start + 1} (try --encoding gb18030, or latin-1 as a last resort)",
                                chunk[:200].decode("latin-1"))
                continue
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield number, text.rstrip("\r\n")
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidInput(f"cannot read the file ({exc})", file=file, line=number + 1) from exc


def csv_rows(lines: Iterator[tuple[int, str]], *,
             delimiter: str = ",") -> Iterator[tuple[int, list[str], str | None]]:
    """(number of the row's first line, fields, error) of CSV text; a quoted field may span lines.

    A row the CSV reader cannot split comes back with no fields and the reader's reason; reading
    goes on with the next line.
    """
    current = [0]

    def texts() -> Iterator[str]:
        for number, text in lines:
            current[0] = number
            yield text + "\n"

    reader = csv.reader(texts(), delimiter=delimiter, strict=True)
    while True:
        start = current[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, [], str(exc)
            continue
        yield start, row, None


def named_rows(rows: Iterator[tuple[int, list[str], str | None]], names: list[str], *, file: str,
               delimiter: str = ",") -> Iterator[tuple[int, dict[str, str], str] | Rejection]:
    """The data rows after a CSV header: (line, column -> value, raw text) for each row of the header's
    width, a Rejection for a row that is not CSV or has the wrong number of fields; blank rows are dropped."""
    for number, row, error in rows:
        if error is not None:
            yield Rejection(file, number, None, f"not CSV: {error}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        raw = delimiter.join(row)
        if len(row) != len(names):
            yield Rejection(file, number, None, f"{len(row)} fields, the header names {len(names)}", raw)
            continue
        yield number, dict(zip(names, row, strict=True)), raw
