"""Readers and writers: tracking workbooks, CSV/Parquet tables and folders → ``TrackingData``.

Public functions
----------------
load(path)            file or folder, dispatching on what it is
read_workbook(path)   the template workbook (.xlsx), sheets found by name or header
Limits, limits(...)   resource limits (decompression bombs, huge sheets), see ``_limits``
read_csv(path)        one table from a CSV/TSV (or .parquet) file
read_folder(path)     one file per table
write_template(path)  the blank template (zh/en)
write_workbook(data, path)  a TrackingData in the template layout (round-trips)

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics.io import load, write_template
>>> p = write_template(pathlib.Path(tempfile.mkdtemp()) / "template.xlsx")
>>> load(p).accounting["rows_read"].sum()
np.int64(0)
"""

from __future__ import annotations

import os
from pathlib import Path

from collab_analytics._errors import FileFormatError
from collab_analytics.data import TrackingData
from collab_analytics.io._limits import Limits, limits, use_limits
from collab_analytics.io.csv import read_csv, read_folder
from collab_analytics.io.excel import read_workbook
from collab_analytics.io.template import write_template
from collab_analytics.io.writer import write_workbook
from collab_analytics.schema import user_columns

__all__ = [
    "Limits",
    "limits",
    "load",
    "read_csv",
    "read_folder",
    "read_workbook",
    "write_template",
    "write_workbook",
]

_WORKBOOK = {".xlsx", ".xlsm", ".xls", ".ods"}
_TABLE = {".csv", ".tsv", ".txt", ".parquet"}


def load(
    path: str | os.PathLike,
    *,
    lang: str | None = None,
    status_map: dict[str, str] | None = None,
    year: int | None = None,
    strict: bool = False,
    encoding: str | None = None,
    limits: Limits | dict | None = None,
    columns: dict[str, str] | None = None,
) -> TrackingData:
    """Load tracking data from a workbook, a CSV/Parquet table, or a folder of them.

    Parameters
    ----------
    path : path-like
        ``.xlsx`` workbook, ``.csv``/``.tsv``/``.parquet`` table, or a folder.
    lang : {"zh", "en"}, optional
        Accepted for symmetry with the writers; headers in either language are read.
    status_map : dict, optional
        Extra status words → codes, e.g. ``{"Resolved": "done", "In Review": "on_track"}``.
    year : int, optional
        Year for dates written without one (``7月15日``, ``7.15``).
    strict : bool
        Raise :class:`~collab_analytics.DataValidationError` listing every error.
    encoding : str, optional
        CSV text encoding (default: detected).
    limits : Limits or dict, optional
        Resource limits for this call, e.g. ``{"max_rows": 5_000_000}`` (see
        :class:`collab_analytics.io._limits.Limits`; default: the limits in force).
    columns : dict, optional
        Your own header names for canonical columns, for exports of other tools, e.g. a
        Jira CSV: ``{"Component/s": "department", "Custom field (Start)": "planned_start"}``.
        Built-in aliases already read ``Issue key``, ``Summary``, ``Assignee``, ``Due date``
        and ``Resolved``.

    Returns
    -------
    TrackingData
        Canonical tables with ``issues``, ``rejected``, ``accounting`` and ``sources``.

    Raises
    ------
    FileFormatError
        Missing, unreadable, damaged or encrypted input, or input over a resource limit
        (decompression bomb, too many rows, file too large).
    """
    with use_limits(limits), user_columns(columns):
        return _load(
            Path(path),
            lang=lang,
            status_map=status_map,
            year=year,
            strict=strict,
            encoding=encoding,
        )


def _load(p: Path, *, lang, status_map, year, strict, encoding) -> TrackingData:
    if p.is_dir():
        return read_folder(
            p, encoding=encoding, status_map=status_map, year=year, strict=strict, lang=lang
        )
    if not p.exists():
        msg = f"File or folder not found: {str(p)!r}."
        raise FileFormatError(msg)
    suf = p.suffix.lower()
    if suf in _TABLE:
        return read_csv(
            p, encoding=encoding, status_map=status_map, year=year, strict=strict, lang=lang
        )
    if suf in _WORKBOOK:
        return read_workbook(p, status_map=status_map, year=year, strict=strict, lang=lang)
    with p.open("rb") as fh:
        head = fh.read(8)
    if head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0":
        return read_workbook(p, status_map=status_map, year=year, strict=strict, lang=lang)
    return read_csv(
        p, encoding=encoding, status_map=status_map, year=year, strict=strict, lang=lang
    )
