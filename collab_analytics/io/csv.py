"""Read single tables from CSV (and Parquet) files, and folders of them.

Encodings: UTF-8, UTF-8 with BOM, UTF-16 (with BOM) and GBK/GB18030 — what Excel in China
writes — are detected (UTF-8 is tried first, then GB18030, a superset of GBK) or given with
``encoding=``. The delimiter (comma, semicolon, tab, ``|``) is sniffed. A title line above the
header is allowed. Large files go through pyarrow's multithreaded CSV reader; files with ragged
rows fall back to Python's ``csv`` module so every row keeps its line number.

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics.io import read_csv
>>> p = pathlib.Path(tempfile.mkdtemp()) / "tasks.csv"
>>> _ = p.write_text("任务名称,负责部门,计划完成,进度\\n需求评审,产品部,2024/7/15,80%\\n",
...                  encoding="gbk")
>>> td = read_csv(p)
>>> td.tasks[["task", "department", "planned_finish", "progress"]].astype(str).values.tolist()
[['需求评审', '产品部', '2024-07-15', '0.8']]
"""

from __future__ import annotations

import codecs
import contextlib
import csv as _csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from collab_analytics._errors import FileFormatError
from collab_analytics.data import TrackingData
from collab_analytics.io._build import assemble
from collab_analytics.io._headers import (
    best_table,
    is_note,
    is_title,
    map_headers,
    score_header,
    table_from_name,
)
from collab_analytics.io._limits import check_csv_size, check_rows
from collab_analytics.io._raw import Issues, RawProject, RawTable, _project_lines, non_data_rows
from collab_analytics.io.parquet import scan_parquet
from collab_analytics.schema import TABLES, user_columns

__all__ = ["read_csv", "read_folder", "scan_csv"]

_HEAD_BYTES = 256 * 1024
_HEAD_ROWS = 40
_TEXT_KINDS = {"str", "list", "status", "time", "role"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


def _detect_encoding(path: Path, head: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            msg = (
                f"Unknown encoding {encoding!r} for {path.name!r}. Hint: try 'gb18030' or 'utf-8'."
            )
            raise FileFormatError(msg) from None
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0":
        msg = (
            f"{path.name!r} is an Excel workbook, not CSV text. "
            "Hint: use read_workbook() or load()."
        )
        raise FileFormatError(msg)
    if b"\x00" in head[:4096]:
        msg = (
            f"{path.name!r} is not a text file (binary content). "
            "Hint: export the table from Excel as CSV (UTF-8)."
        )
        raise FileFormatError(msg)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        msg = (
            f"{path.name!r}: cannot tell the text encoding (not UTF-8 or GBK/GB18030). "
            "Hint: pass encoding='…' or re-save as UTF-8."
        )
        raise FileFormatError(msg) from None


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:_HEAD_ROWS] if ln.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    try:
        return _csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except _csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _find_header(rows: list[list[str]], table: str | None) -> tuple[int, str | None, int]:
    best_i, best_t, best_s = -1, table, 0
    for i, r in enumerate(rows):
        if sum(1 for c in r if c.strip()) < 1:
            continue
        if table is not None:
            t, sc = table, score_header(table, r)
        else:
            t, sc = best_table(r)
        if sc > best_s:
            best_i, best_t, best_s = i, t, sc
    return best_i, best_t, best_s


def _is_ragged(rec: list[str]) -> bool:
    """A record of the wrong width that is data, not a blank, title or note line."""
    filled = [x.strip() for x in rec if x.strip()]
    if not filled:
        return False
    return not (len(filled) == 1 and (is_note(filled[0]) or is_title(filled[0])))


def _python_rows(
    path: Path, enc: str, delim: str, skip: int, ncol: int
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Slow exact path: Python's csv module, keeping each record's starting line number."""
    with path.open("r", encoding=enc, newline="") as fh:
        reader = _csv.reader(fh, delimiter=delim)
        records, lines = [], []
        prev = 0
        ragged = 0
        for k, rec in enumerate(reader):
            start = prev + 1
            prev = reader.line_num
            if k <= skip:
                continue
            if len(rec) != ncol and _is_ragged(rec):
                ragged += 1
            rec = (rec + [""] * ncol)[:ncol] if len(rec) <= ncol else rec
            records.append(rec)
            lines.append(start)
    width = max([ncol, *(len(r) for r in records)]) if records else ncol
    records = [r + [""] * (width - len(r)) for r in records]
    frame = (
        pd.DataFrame(records, columns=range(width), dtype="str")
        if records
        else pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    )
    frame = frame.mask(frame.apply(lambda s: s.str.strip() == ""))
    return frame, np.asarray(lines, dtype="int64"), ragged


def scan_csv(
    path: str | os.PathLike,
    issues: Issues,
    *,
    table: str | None = None,
    encoding: str | None = None,
) -> tuple[list[RawTable], list[RawProject]]:
    """Find the one table in a CSV file (by ``table``, the file name, or the header)."""
    path = Path(path)
    if not path.exists():
        msg = f"File not found: {str(path)!r}."
        raise FileFormatError(msg)
    if path.is_dir():
        msg = f"{str(path)!r} is a folder. Use read_folder() or load()."
        raise FileFormatError(msg)
    fname = path.name
    try:
        check_csv_size(path)
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        msg = f"Cannot open {fname!r}: {exc.strerror or exc}."
        raise FileFormatError(msg) from None
    if not head.strip():
        issues.add("warning", "empty_table", "File is empty.", table=table or "", file=fname)
        return [], []
    enc = _detect_encoding(path, head, encoding)
    try:
        text = codecs.getincrementaldecoder(enc)(errors="replace").decode(head, final=False)
    except LookupError:  # pragma: no cover - checked above
        text = head.decode("utf-8", errors="replace")
    delim = _sniff_delimiter(text)
    # newline="": keep \r, \n and \r\n line ends as the csv module expects (mixed endings)
    sample = list(_csv.reader(io.StringIO(text, newline=""), delimiter=delim))[:_HEAD_ROWS]
    if len(head) == _HEAD_BYTES and len(sample) > 1:
        sample = sample[:-1]  # last record may be cut
    forced = table or table_from_name(path.stem)
    hi, t, sc = _find_header(sample, forced)
    need = 3 if forced is None else 2
    if t is None or sc < need:
        if forced in (None, "project"):
            width = max((len(r) for r in sample), default=0)
            padded = [r + [""] * (width - len(r)) for r in sample]  # ragged lines: pad
            grid = (
                pd.DataFrame(padded, dtype=object).replace("", None) if padded else pd.DataFrame()
            )
            proj = RawProject(file=fname, sheet="")
            _project_lines(grid, len(grid), proj, 1)
            if proj.fields:
                return [], [proj]
        what = f"table {forced!r}" if forced else "any tracking table"
        issues.add(
            "error",
            "no_header",
            f"No header row for {what} found in the first {_HEAD_ROWS} lines.",
            table=forced or "",
            file=fname,
            hint="Expected a header such as 任务名称,负责部门,计划完成 (or task,department,"
            "planned finish).",
        )
        return [], []
    headers = [h.strip() for h in sample[hi]]
    ncol = len(headers)
    mapped, _ = map_headers(t, headers)
    text_cols = {
        f"c{i}"
        for i, c in enumerate(mapped)
        if c is not None and TABLES[t].column(c).kind in _TEXT_KINDS
    }
    frame, rows, ragged = _arrow_rows(path, enc, delim, hi, ncol, text_cols)
    if frame is None:
        frame, rows, ragged = _python_rows(path, enc, delim, hi, ncol)
        if ragged:
            issues.add(
                "warning",
                "ragged_rows",
                f"{ragged} line(s) have a different number of fields than the header.",
                table=t,
                file=fname,
                hint="Check for stray delimiters or quotes.",
            )
    check_rows(fname, len(frame))  # files under COUNT_LINES_FROM: checked once parsed
    if frame.shape[1] > ncol:
        headers = headers + [f"column_{i + 1}" for i in range(ncol, frame.shape[1])]
    headers = [h if h else f"column_{i + 1}" for i, h in enumerate(headers)]
    skip = non_data_rows(frame, headers)
    if skip.any():
        frame = frame[~skip].reset_index(drop=True)
        rows = rows[~skip]
    raw = RawTable(t, headers, frame, rows, fname, "", skipped=int(skip.sum()))
    return [raw], []


def _arrow_rows(
    path: Path, enc: str, delim: str, hi: int, ncol: int, text_cols: set[str]
) -> tuple[pd.DataFrame | None, np.ndarray, int]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list[object] = []

    def on_invalid(row):
        invalid.append(row)
        return "skip"

    names = [f"c{i}" for i in range(ncol)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                skip_rows=hi + 1,
                column_names=names,
                encoding="utf8" if enc in ("utf-8", "utf-8-sig") else enc,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=True,
                column_types={c: pa.large_string() for c in text_cols},
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError):
        return None, np.array([], dtype="int64"), 0
    if invalid:
        return None, np.array([], dtype="int64"), 0
    # text columns as one chunk each: every later Arrow kernel then runs once, not once per
    # block (numbers and dates become numpy arrays in ``to_pandas``, joined there)
    for i, field in enumerate(table.schema):
        col = table.column(i)
        if pa.types.is_date(field.type):  # ISO dates arrive as date32: keep them datetime64
            table = table.set_column(i, field.name, col.cast(pa.timestamp("us")))
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            # pandas' str dtype holds large strings
            col = col.cast(pa.large_string()) if pa.types.is_string(field.type) else col
            table = table.set_column(i, field.name, col.combine_chunks())
    frame = table.to_pandas()
    frame.columns = range(ncol)
    for c in frame.columns:
        if frame[c].dtype == object and frame[c].isna().all():
            frame[c] = frame[c].astype("str")
    rows = np.arange(len(frame), dtype="int64") + hi + 2
    return frame, rows, 0


@contextlib.contextmanager
def _dictionaries_dropped():
    """Forget the dictionaries noted while reading once the load is built (or failed)."""
    from collab_analytics.io._arrow import forget_dictionaries

    try:
        yield
    finally:
        forget_dictionaries()


def read_csv(
    path: str | os.PathLike,
    table: str | None = None,
    *,
    encoding: str | None = None,
    status_map: dict[str, str] | None = None,
    year: int | None = None,
    strict: bool = False,
    lang: str | None = None,
    columns: dict[str, str] | None = None,
) -> TrackingData:
    """Load one table from a CSV (or ``.parquet``) file into a :class:`TrackingData`.

    Parameters
    ----------
    path : path-like
        CSV/TSV text file or Parquet file.
    table : str, optional
        Canonical table name (``"tasks"``, ``"meetings"``…). Default: from the file name
        (``任务跟踪表.csv``, ``tasks.csv``), else from the header row.
    encoding : str, optional
        Text encoding; default detects UTF-8 (with or without BOM), UTF-16 and GB18030/GBK.
    status_map, year, strict, lang, columns
        As in :func:`read_workbook`.

    Returns
    -------
    TrackingData
        The table loaded into its canonical slot; the other tables are empty.
    """
    if table is not None and table not in TABLES:
        msg = f"Unknown table {table!r}. Expected one of: {list(TABLES)}."
        raise FileFormatError(msg)
    issues = Issues()
    with user_columns(columns), _dictionaries_dropped():
        if Path(path).suffix.lower() == ".parquet":
            raws, projects = scan_parquet(path, issues, table=table, status_map=status_map)
        else:
            raws, projects = scan_csv(path, issues, table=table, encoding=encoding)
        td = assemble(raws, projects, issues, status_map=status_map, year=year)
    return td.raise_for_errors() if strict else td


def read_folder(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    status_map: dict[str, str] | None = None,
    year: int | None = None,
    strict: bool = False,
    lang: str | None = None,
    columns: dict[str, str] | None = None,
) -> TrackingData:
    """Load a folder with one CSV/XLSX/Parquet file per table (recognised by name or header).

    Files are read in name order; tables found in several files are stacked. Files that
    match no table are listed as ``unrecognised_file`` info issues.
    """
    from collab_analytics.io.excel import scan_workbook

    folder = Path(path)
    if not folder.is_dir():
        msg = f"Folder not found: {str(folder)!r}."
        raise FileFormatError(msg)
    issues = Issues()
    raws: list[RawTable] = []
    projects: list[RawProject] = []
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
    )
    with user_columns(columns), _dictionaries_dropped():
        for f in files:
            suf = f.suffix.lower()
            if suf in CSV_SUFFIXES:
                r, p = scan_csv(f, issues, encoding=encoding)
            elif suf in XLSX_SUFFIXES:
                r, p = scan_workbook(f, issues)
            elif suf == ".parquet":
                r, p = scan_parquet(f, issues, status_map=status_map)
            else:
                issues.add("info", "unrecognised_file", "File type not read.", file=f.name)
                continue
            raws.extend(r)
            projects.extend(p)
        if not raws and not projects:
            issues.add(
                "error",
                "no_tables",
                "No tracking table found in the folder.",
                file=folder.name,
                hint="Expected files such as tasks.csv, 任务跟踪表.csv, meetings.csv "
                "or a workbook.",
            )
        td = assemble(raws, projects, issues, status_map=status_map, year=year)
    return td.raise_for_errors() if strict else td
