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
from collab_analytics._threads import pool
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
from collab_analytics.io._limits import check_csv_size, check_file_size, check_rows
from collab_analytics.io._raw import Issues, RawProject, RawTable, _project_lines, non_data_rows
from collab_analytics.schema import TABLES, user_columns

__all__ = ["read_csv", "read_folder", "scan_csv", "scan_parquet"]

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


def scan_parquet(
    path: str | os.PathLike, issues: Issues, *, table: str | None = None
) -> tuple[list[RawTable], list[RawProject]]:
    """A Parquet file holding one table (named by ``table``, the file name or its columns).

    Row numbers in issues are record numbers + 1 (as if the header were row 1).
    """
    path = Path(path)
    if not path.exists():
        msg = f"File not found: {str(path)!r}."
        raise FileFormatError(msg)
    check_file_size(path)
    try:
        frame, clean = _read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        msg = f"{path.name!r} cannot be read as Parquet: {exc}. Hint: re-export the file."
        raise FileFormatError(msg) from None
    except Exception as exc:  # pyarrow raises its own ArrowException family
        msg = f"{path.name!r} cannot be read as Parquet: {exc}. Hint: re-export the file."
        raise FileFormatError(msg) from None
    headers = [str(c) for c in frame.columns]
    t = table or table_from_name(path.stem)
    if t is None:
        t, sc = best_table(headers)
        if t is None or sc < 3:
            issues.add(
                "error", "no_header", "Columns do not match any tracking table.", file=path.name
            )
            return [], []
    frame.columns = range(len(headers))
    rows = np.arange(len(frame), dtype="int64") + 2
    return [RawTable(t, headers, frame, rows, path.name, "", clean=clean)], []


#: a column chunk's dictionary page at most this large (compressed) and its data pages at
#: most this many bytes per value: all its pages hold dictionary indices (the writer did not
#: fall back to plain values), so it reads as a dictionary without hashing any text
_DICT_PAGE_BYTES = 128 * 1024
_DICT_BYTES_PER_VALUE = 2.0
#: tables at least this long decode their dictionary columns on two threads
_PARALLEL_DECODE_ROWS = 50_000


def _dictionary_columns(fh) -> list[str]:
    """Text columns stored with a small dictionary in every row group (such as departments,
    owners, statuses): read as dictionaries, their few distinct texts are checked once."""
    import pyarrow as pa

    meta = fh.metadata
    schema = fh.schema_arrow
    leaves: dict[str, list[int]] = {}
    for j in range(meta.num_columns):
        leaves.setdefault(meta.schema.column(j).path, []).append(j)
    names = []
    for i, field in enumerate(schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        if schema.get_all_field_indices(field.name) != [i] or len(leaves.get(field.name, [])) != 1:
            continue
        j = leaves[field.name][0]
        ok = meta.num_row_groups > 0
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            c = rg.column(j)
            if not c.has_dictionary_page or not c.dictionary_page_offset:
                ok = False
                break
            dict_bytes = c.data_page_offset - c.dictionary_page_offset
            data_bytes = c.total_compressed_size - dict_bytes
            per_value = data_bytes / max(rg.num_rows, 1)
            if not 0 < dict_bytes <= _DICT_PAGE_BYTES or per_value > _DICT_BYTES_PER_VALUE:
                ok = False
                break
        if ok:
            names.append(field.name)
    return names


def _decode_dictionary(col) -> tuple[object, bool]:
    """A dictionary column as a large-string column (the same texts), and whether every
    distinct text is already trimmed and not blank (:func:`_arrow.strip_blank` unchanged)."""
    import pyarrow as pa

    from collab_analytics.io._arrow import remember_dictionary, strip_blank

    chunks, clean = [], True
    for d in col.chunks:
        words = d.dictionary.cast(pa.large_string())
        clean = clean and strip_blank(words) is words
        chunks.append(words.take(d.indices))
        remember_dictionary(chunks[-1], words, d.indices)
    return pa.chunked_array(chunks, type=pa.large_string()), clean


def _read_parquet(path: Path) -> tuple[pd.DataFrame, frozenset[int]]:
    """A Parquet file as a frame (list columns stay Arrow lists), and the positions of its
    text columns known to be trimmed and without blank texts.

    ``pd.read_parquet`` cannot restore the ``list<…>[pyarrow]`` dtype it wrote itself into the
    file's pandas metadata (pandas issue 57411), so a table saved from ``TrackingData`` would
    not read back: the metadata is set aside and list columns mapped explicitly.

    Text columns stored as small dictionaries are read as such and decoded here (cheaper
    than decoding every cell from the file); only their distinct texts are checked for
    white space, so the loader need not trim a million cells it would leave unchanged.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    # read once; with no list columns, ``to_pandas`` on the table read with its pandas
    # metadata is what ``pd.read_parquet`` does (categoricals, index restored). The file
    # reader gives one chunk per row group (``read_table`` cuts columns into batches, which
    # every later kernel would have to join again).
    with pq.ParquetFile(path) as probe:
        as_dict = _dictionary_columns(probe)
    with pq.ParquetFile(path, read_dictionary=as_dict or None) as fh:
        table = fh.read(use_pandas_metadata=True)
    clean_names = set()
    todo = []
    for name in as_dict:
        i = table.schema.get_field_index(name)
        if i >= 0 and pa.types.is_dictionary(table.schema.field(i).type):
            todo.append((name, i))
    cols = [table.column(i) for _, i in todo]
    if len(todo) > 1 and table.num_rows >= _PARALLEL_DECODE_ROWS:
        # Arrow's take releases the GIL: the columns are decoded on two threads
        decoded = list(pool("columns", 2).map(_decode_dictionary, cols))
    else:
        decoded = [_decode_dictionary(c) for c in cols]
    for (name, i), (col, clean) in zip(todo, decoded, strict=True):
        table = table.set_column(i, table.schema.field(i).with_type(pa.large_string()), col)
        if clean:
            clean_names.add(name)
    if not any(pa.types.is_list(f.type) or pa.types.is_large_list(f.type) for f in table.schema):
        frame = table.to_pandas()
    else:

        def types(t: pa.DataType):
            return pd.ArrowDtype(t) if pa.types.is_list(t) or pa.types.is_large_list(t) else None

        frame = table.replace_schema_metadata(None).to_pandas(types_mapper=types)
        frame.columns = [str(c) for c in frame.columns]
    names = [str(c) for c in frame.columns]
    clean = frozenset(
        j
        for j, c in enumerate(names)
        if c in clean_names and names.count(c) == 1 and frame.dtypes.iloc[j] == "str"
    )
    return frame, clean


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
            raws, projects = scan_parquet(path, issues, table=table)
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
                r, p = scan_parquet(f, issues)
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
