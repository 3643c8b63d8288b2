"""Resource limits for reading untrusted files: refuse before memory runs out.

A workbook is a zip of XML files. Its central directory states every member's compressed and
uncompressed size, so a decompression bomb (a few hundred KB inflating to gigabytes) and an
oversized workbook can be refused *before* any XML is parsed. Sheets are then refused by their
row count before their cells become Python objects, and CSV files by their size and line
count before they are parsed. Every refusal is a :class:`~collab_analytics.FileFormatError`
naming the file, the limit and how to raise it.

The limits are process-wide defaults that can be changed for a block of code or one call::

    from collab_analytics.io import load
    from collab_analytics.io._limits import Limits, limits

    with limits(max_rows=5_000_000):
        td = load("huge.csv")
    td = load("big.xlsx", limits=Limits(max_uncompressed_bytes=2 * 1024**3))

``None`` switches a limit off. ``docs/robustness.md`` gives the measured memory per row.

Examples
--------
>>> from collab_analytics.io._limits import get_limits, limits
>>> get_limits().max_compression_ratio
200.0
>>> with limits(max_rows=10):
...     get_limits().max_rows
10
>>> get_limits().max_rows
2000000
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

from collab_analytics._errors import FileFormatError

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "check_csv_size",
    "check_file_size",
    "check_rows",
    "check_sheet_dimensions",
    "check_zip",
    "get_limits",
    "limits",
    "use_limits",
]

_MiB = 1024 * 1024
_GiB = 1024 * _MiB


@dataclass(frozen=True)
class Limits:
    """What one load may consume. ``None`` disables a limit.

    Attributes
    ----------
    max_file_bytes : int or None
        Size of any input file on disk (CSV, Parquet, workbook). Default 2 GiB.
    max_uncompressed_bytes : int or None
        Sum of the uncompressed sizes of a workbook's zip members, from the central
        directory. Default 512 MiB (a 100k-task sheet is about 75 MB of XML).
    max_compression_ratio : float or None
        Uncompressed / compressed size of any zip member larger than
        ``ratio_min_bytes``. Real workbooks stay under about 20; default 200.
    ratio_min_bytes : int
        Members smaller than this are not ratio-checked (tiny XML parts compress well).
    max_zip_members : int or None
        Number of entries in a workbook's zip. Default 10,000.
    max_rows : int or None
        Data rows of one sheet or CSV file (CSV: counted as lines). Default 2,000,000.
    """

    max_file_bytes: int | None = 2 * _GiB
    max_uncompressed_bytes: int | None = 512 * _MiB
    max_compression_ratio: float | None = 200.0
    ratio_min_bytes: int = 1 * _MiB
    max_zip_members: int | None = 10_000
    max_rows: int | None = 2_000_000


DEFAULT_LIMITS = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "collab_analytics_limits", default=DEFAULT_LIMITS
)
_HINT = "Hint: if you trust the file, raise the limit, e.g. load(path, limits=Limits({}=…))."


def get_limits() -> Limits:
    """The limits in force (the defaults unless changed by :func:`limits`)."""
    return _CURRENT.get()


def _coerce(value: Limits | dict | None) -> Limits | None:
    if value is None or isinstance(value, Limits):
        return value
    if isinstance(value, dict):
        names = {f.name for f in fields(Limits)}
        bad = sorted(set(value) - names)
        if bad:
            msg = f"Unknown limit(s) {bad}. Expected some of: {sorted(names)}."
            raise TypeError(msg)
        return replace(get_limits(), **value)
    msg = f"limits must be a Limits or a dict, not {type(value).__name__}."
    raise TypeError(msg)


@contextlib.contextmanager
def use_limits(value: Limits | dict | None) -> Iterator[Limits]:
    """Run a block with ``value`` as the limits (``None``: keep the current ones)."""
    lim = _coerce(value)
    if lim is None:
        yield get_limits()
        return
    token = _CURRENT.set(lim)
    try:
        yield lim
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def limits(**changes) -> Iterator[Limits]:
    """Change some limits for a block: ``with limits(max_rows=10_000): load(p)``."""
    with use_limits(changes) as lim:
        yield lim


def _size(n: float) -> str:
    if n >= _GiB:
        return f"{n / _GiB:.1f} GiB"
    if n >= _MiB:
        return f"{n / _MiB:.1f} MiB"
    return f"{int(n)} bytes"


def check_file_size(path: str | os.PathLike) -> int:
    """Size of ``path`` in bytes, or :class:`FileFormatError` when over ``max_file_bytes``."""
    p = Path(path)
    size = p.stat().st_size
    lim = get_limits().max_file_bytes
    if lim is not None and size > lim:
        msg = (
            f"{p.name!r} is {_size(size)}, over the {_size(lim)} limit for one input file. "
            + _HINT.format("max_file_bytes")
        )
        raise FileFormatError(msg)
    return size


def check_zip(name: str, zf: zipfile.ZipFile) -> None:
    """Refuse a decompression bomb or an oversized workbook from its central directory.

    Nothing is decompressed: only the sizes the directory declares are read. (A member that
    lies about its size fails its CRC/length check when it is read, which the reader turns
    into a "damaged workbook" error.)
    """
    lim = get_limits()
    infos = zf.infolist()
    if lim.max_zip_members is not None and len(infos) > lim.max_zip_members:
        msg = (
            f"{name!r} has {len(infos)} zip entries, over the limit of {lim.max_zip_members}; "
            "it is not a normal workbook. " + _HINT.format("max_zip_members")
        )
        raise FileFormatError(msg)
    total = 0
    for info in infos:
        total += info.file_size
        ratio_lim = lim.max_compression_ratio
        if ratio_lim is not None and info.file_size >= lim.ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > ratio_lim:
                msg = (
                    f"{name!r} looks like a decompression bomb: member {info.filename!r} "
                    f"inflates {ratio:,.0f}× ({_size(info.compress_size)} → "
                    f"{_size(info.file_size)}), over the limit of {ratio_lim:g}×. "
                    + _HINT.format("max_compression_ratio")
                )
                raise FileFormatError(msg)
    if lim.max_uncompressed_bytes is not None and total > lim.max_uncompressed_bytes:
        msg = (
            f"{name!r} holds {_size(total)} of uncompressed XML, over the "
            f"{_size(lim.max_uncompressed_bytes)} limit. " + _HINT.format("max_uncompressed_bytes")
        )
        raise FileFormatError(msg)


#: Fewest XML bytes a stored row can take (``<row><c><v>1</v></c></row>``).
MIN_ROW_BYTES = 16
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _count_rows(fh, stop: int, chunk: int = 4 * _MiB) -> int:
    """``<row>`` elements in a sheet stream (inflated chunk by chunk), up to ``stop``."""
    n, tail = 0, b""
    while True:
        buf = fh.read(chunk)
        if not buf:
            return n
        data = tail + buf
        n += len(_ROW_TAG.findall(data))
        # a tag cut at the chunk end is counted with the next chunk
        cut = data.rfind(b"<", max(len(data) - 16, 0))
        tail = data[cut:] if cut >= 0 and not _ROW_TAG.match(data, cut) else b""
        if n > stop:
            return n


def check_sheet_dimensions(name: str, zf: zipfile.ZipFile) -> None:
    """Refuse a worksheet holding more than ``max_rows`` data rows, before it is parsed.

    Sheets whose XML is too small to hold that many rows (:data:`MIN_ROW_BYTES` each) are
    skipped; the others have their ``<row>`` elements counted while streaming through the
    inflated XML in 4 MiB chunks (constant memory, about 1 s per million rows), so a stale
    ``<dimension>`` never decides.
    """
    lim = get_limits().max_rows
    if lim is None:
        return
    for info in zf.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        if info.file_size // MIN_ROW_BYTES <= lim:
            continue
        with zf.open(info) as fh:
            n = _count_rows(fh, stop=lim + 1) - 1  # minus the header row
        if n > lim:
            msg = (
                f"{name!r} › {info.filename} has more than {lim:,} data rows "
                f"({_size(info.file_size)} of XML), over the limit of {lim:,} rows. "
                + _HINT.format("max_rows")
            )
            raise FileFormatError(msg)


def check_rows(name: str, n_rows: int, *, sheet: str = "") -> None:
    """Refuse a sheet or CSV file with more than ``max_rows`` rows."""
    lim = get_limits().max_rows
    if lim is not None and n_rows > lim:
        where = f"{name!r} › {sheet}" if sheet else repr(name)
        msg = f"{where} has {n_rows:,} rows, over the limit of {lim:,} rows. " + _HINT.format(
            "max_rows"
        )
        raise FileFormatError(msg)


#: text files from this size have their lines counted before they are parsed
COUNT_LINES_FROM = 256 * _MiB


def check_csv_size(path: str | os.PathLike, *, chunk: int = 16 * _MiB) -> None:
    """File size and, for big files, line count of a text table against the limits.

    Lines are counted in C over binary chunks (about 0.1 s per 100 MB) only for files over
    :data:`COUNT_LINES_FROM` bytes that could exceed ``max_rows`` at one byte per line;
    smaller files are parsed first and their records checked with :func:`check_rows`.
    """
    p = Path(path)
    size = check_file_size(p)
    lim = get_limits().max_rows
    if lim is None or size <= lim or size < COUNT_LINES_FROM:
        return
    n = 0
    with p.open("rb") as fh:
        while True:
            buf = fh.read(chunk)
            if not buf:
                break
            n += buf.count(b"\n")
            if n > lim + 1:
                break
    # a file ending without a newline still has its last line; the header is not a data row
    check_rows(p.name, max(n - 1, 0))
