"""Read a single table from a Parquet file.

The file's own types are kept (dates stay dates, numbers stay numbers). ``pd.read_parquet``
cannot restore the ``list<…>[pyarrow]`` dtype it wrote itself into the file's pandas metadata
(pandas issue 57411), so list columns are mapped explicitly and a table saved from
:class:`~collab_analytics.data.TrackingData` reads back.

Two things make large files cheap:

* Text columns stored as small dictionaries (departments, owners, statuses) are read as
  dictionaries and decoded here, cheaper than decoding every cell from the file; only their
  few distinct texts are checked for white space.
* Long tables are read column by column on two threads, each column decoded and checked
  (are its texts already trimmed?) on the thread that read it, so the checks overlap the read.
  Text columns found trimmed are not trimmed again by the loader.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> from collab_analytics.io import load
>>> p = pathlib.Path(tempfile.mkdtemp()) / "tasks.parquet"
>>> pd.DataFrame({"任务名称": ["需求评审", "开发"], "计划完成": pd.to_datetime(
...     ["2024-07-15", "2024-07-30"])}).to_parquet(p)
>>> load(p).tasks[["task", "planned_finish"]].astype(str).values.tolist()
[['需求评审', '2024-07-15'], ['开发', '2024-07-30']]
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from collab_analytics._errors import FileFormatError
from collab_analytics._threads import pool
from collab_analytics.io._headers import best_table, map_headers, table_from_name
from collab_analytics.io._limits import check_file_size
from collab_analytics.io._raw import Issues, RawProject, RawTable
from collab_analytics.schema import TABLES

__all__ = ["scan_parquet"]

#: a column chunk's dictionary page at most this large (compressed) and its data pages at
#: most this many bytes per value: all its pages hold dictionary indices (the writer did not
#: fall back to plain values), so it reads as a dictionary without hashing any text
_DICT_PAGE_BYTES = 128 * 1024
_DICT_BYTES_PER_VALUE = 2.0
#: tables at least this long read their columns on two threads
_PARALLEL_ROWS = 50_000
#: canonical column kinds whose texts the loader trims (worth checking while reading)
_TRIMMED_KINDS = ("str", "list")
#: canonical column kinds parsed while reading
_PARSED_KINDS = ("list", "pct", "status")
#: per row, the rough cost (in bytes read) of what is done with a column of each kind after
#: reading it: a trim check, a parse
_AFTER_READ = {"str": 3.5, "list": 10.0, "pct": 5.0, "status": 4.0}


def scan_parquet(
    path: str | os.PathLike,
    issues: Issues,
    *,
    table: str | None = None,
    status_map: dict | None = None,
) -> tuple[list[RawTable], list[RawProject]]:
    """A Parquet file holding one table (named by ``table``, the file name or its columns).

    Row numbers in issues are record numbers + 1 (as if the header were row 1).
    ``status_map`` is the load's own (status words are mapped while reading).
    """
    path = Path(path)
    if not path.exists():
        msg = f"File not found: {str(path)!r}."
        raise FileFormatError(msg)
    check_file_size(path)
    try:
        frame, clean, parsed, keys, dups = _read_parquet(path, table, status_map)
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
    raw = RawTable(
        t, headers, frame, rows, path.name, "", clean=clean, parsed=parsed, keys=keys, dups=dups
    )
    return [raw], []


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


def _is_one_text_chunk(col) -> bool:
    import pyarrow as pa

    return col.num_chunks == 1 and pa.types.is_large_string(col.type)


def _is_trimmed(col) -> bool:
    """Are all texts of a large-string column trimmed and none blank (so the loader's trim,
    :func:`_arrow.strip_blank`, would leave every chunk as it is)?"""
    import pyarrow as pa

    from collab_analytics.io._arrow import strip_blank

    if not pa.types.is_large_string(col.type):
        return False
    return all(strip_blank(c) is c for c in col.chunks)


def _frame_columns(schema) -> list[str]:
    """The frame's columns as ``to_pandas`` will name them: the fields less the index
    columns the pandas metadata names (a guess: it only chooses which columns to check)."""
    index: set[str] = set()
    meta = schema.metadata or {}
    with contextlib.suppress(KeyError, ValueError, TypeError):
        index = {c for c in json.loads(meta[b"pandas"])["index_columns"] if isinstance(c, str)}
    return [n for n in schema.names if n not in index]


def _column_roles(schema, table: str | None, file_stem: str) -> tuple[str, dict]:
    """The table the file will be read as and, per field, its canonical column and kind (a
    guess made before reading: it only chooses what is checked and parsed while reading)."""
    names = _frame_columns(schema)
    t = table or table_from_name(file_stem)
    if t is None:
        t, sc = best_table(names)
        if t is None or sc < 3:
            return "", {}
    mapped, dups = map_headers(t, names)
    return t, {
        n: (c, TABLES[t].column(c).kind)
        for i, (n, c) in enumerate(zip(names, mapped, strict=True))
        if c is not None and i not in dups
    }


def _read_columns(
    path: Path,
    names: list[str],
    as_dict: list[str],
    roles: tuple[str, dict],
    status_map: dict | None,
    meta,
    series: bool = False,
) -> list[tuple]:
    """Every column of the file (one chunk per row group) read on two threads, the costliest
    first, and what can be learnt from it alone right away, by the thread that read it:

    * dictionary columns are decoded (statuses stay categorical: their words are mapped
      once each), other text columns joined into one chunk;
    * text columns are checked (are they trimmed, with no blank text?);
    * list, percentage and status columns are parsed, as the loader would parse them;
    * task names get their comparison keys, and task ids are checked for order
      (:func:`_arrow.sorted_fixed` keeps its answer for the loader);
    * once names and projects are both in, duplicate names are found.

    With ``series``, each column is also made the pandas column it becomes in the frame
    (the file's pandas metadata adds nothing to it: see :func:`_plain_metadata`).

    ``meta`` is the file's metadata (as probed: not read again). Returns ``(column, trimmed,
    parsed or None, keys or None, pandas column or None)`` per field, and the task names'
    duplicates (``(names, projects or None, mask)``, see :class:`RawTable`) when the names
    and projects read are final. Each thread reads through its own handle.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from collab_analytics.io import _arrow
    from collab_analytics.io._build import _parse_column, project_duplicates
    from collab_analytics.io._parse import _status_of_words

    table, columns = roles
    handles: dict[int, object] = {}
    dictionary = set(as_dict)
    # jobs that need two columns run on the thread that has the second of them: the
    # duplicate-name check (name keys and projects), and the dependency references looked
    # up among the task ids (parsed references and ids in order; the answer is kept by
    # :func:`_arrow.lookup_sorted` for the loader)
    has_project = any(c == "project" for c, _ in columns.values())
    meet: dict[str, object] = {}
    started: set[str] = set()
    dups: list = [None]
    lock = threading.Lock()

    def met(what: str, value: object) -> None:
        with lock:
            meet[what] = value
            jobs = []
            if "keys" in meet and ("project" in meet or not has_project):
                jobs.append("dups")
            if "deps" in meet and "ids" in meet:
                jobs.append("lookup")
            jobs = [j for j in jobs if j not in started]
            started.update(jobs)
        if "dups" in jobs and meet["keys"] is not None and meet.get("project") is not False:
            names, keys = meet["keys"]
            project = meet.get("project")
            dups[0] = (names, project, project_duplicates(keys, project))
        if "lookup" in jobs and meet["deps"] is not None and meet["ids"] is not None:
            deps = meet["deps"]
            _arrow.lookup_sorted(meet["ids"], deps.tokens, guess=deps.pos - 1)

    def read(name: str) -> tuple:
        fh = handles.get(threading.get_ident())
        if fh is None:
            # mapped: the pages are decompressed straight from the page cache (the arrays
            # read are new buffers, never views of the file)
            fh = handles[threading.get_ident()] = pq.ParquetFile(
                path, read_dictionary=as_dict or None, memory_map=True
            )
        col = fh.read(columns=[name], use_threads=False).column(0)
        canonical, kind = columns.get(name, (None, None))
        if name in dictionary and pa.types.is_dictionary(col.type) and kind == "status":
            ok = False  # kept as read: a categorical of the words (parsed once per word)
        elif name in dictionary and pa.types.is_dictionary(col.type):
            col, ok = _decode_dictionary(col)
            if col.num_chunks > 1 and canonical in ("task", "task_id", "project"):
                col = pa.chunked_array([col.combine_chunks()])  # keyed or searched whole
        else:
            if col.num_chunks > 1 and pa.types.is_large_string(col.type):
                # text in one chunk (one per row group as read): every later kernel runs once
                col = pa.chunked_array([col.combine_chunks()])
            ok = None
        scan = None
        if table == "tasks" and canonical == "task" and _is_one_text_chunk(col):
            # the bytes scan that finds the names needing NFKC also tells whether they are
            # trimmed (white space is among what it finds)
            scan = _arrow._odd_rows(col.chunk(0))
            ok = ok or _arrow.plain_trimmed(col.chunk(0), scan[0]) or None
        if ok is None:
            ok = kind in _TRIMMED_KINDS and _is_trimmed(col)
        parsed = keys = None
        frame_col = _to_pandas(pa.table([col], names=[name]))[name] if series else None
        if kind == "status" and pa.types.is_dictionary(col.type) and col.num_chunks == 1:
            # what parse_status does with the categorical this column becomes in the frame
            d = col.chunk(0)
            idx = pc.fill_null(d.indices, -1).to_numpy(zero_copy_only=False)
            r = _status_of_words(d.dictionary.to_pylist(), idx, status_map, pd.RangeIndex(len(d)))
            parsed = (kind, (r.parsed, r, r.bad))
        elif kind in _PARSED_KINDS:
            s = frame_col if series else _to_pandas(pa.table([col], names=[name]))[name]
            parsed = (kind, _parse_column(kind, s, status_map, ok))
        if table == "tasks":
            one = col.num_chunks == 1
            if canonical == "task":  # final names: their keys as the loader makes them
                keys = (col.chunk(0), _arrow.key(col.chunk(0), scan=scan)) if one and ok else None
                met("keys", keys)
            elif canonical == "task_id":
                met("ids", _arrow.sorted_fixed(col.chunk(0)) if one else None)
            elif canonical == "depends_on":
                met("deps", parsed[1][1] if parsed is not None else None)
            elif canonical == "project":  # final projects only (False: none to group by)
                met("project", col.chunk(0) if one and ok else False)
        return col, ok, parsed, keys, frame_col

    cost = _column_costs(meta, names, dictionary, columns)
    order = sorted(range(len(names)), key=lambda i: -cost[i])
    try:
        todo = {i: pool("columns", 2).submit(read, names[i]) for i in order}
        return [todo[i].result() for i in range(len(names))], dups[0]
    finally:
        for fh in list(handles.values()):
            fh.close()


def _read_parquet(
    path: Path, table: str | None = None, status_map: dict | None = None
) -> tuple[pd.DataFrame, frozenset[int], dict[int, tuple], dict[int, tuple], tuple | None]:
    """A Parquet file as a frame (list columns stay Arrow lists), the positions of its text
    columns known to be trimmed and without blank texts, the columns parsed while reading,
    the task-name keys and the duplicate names found then (see :class:`RawTable`).

    ``table`` (the table the file will be read as, if known) only chooses which columns are
    checked and parsed while reading; ``status_map`` is the load's own.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as probe:
        as_dict = _dictionary_columns(probe)
        schema = probe.schema_arrow
        meta = probe.metadata
        n_rows = meta.num_rows
    names = schema.names
    if n_rows >= _PARALLEL_ROWS and len(set(names)) == len(names) > 1:
        # column by column on two threads, the costliest first: each column is decoded and
        # checked by the thread that read it, while the other thread reads on
        roles = _column_roles(schema, table, path.stem)
        plain = _plain_metadata(schema)
        read, dups = _read_columns(path, names, as_dict, roles, status_map, meta, series=plain)
        if plain:  # the frame of the columns each thread made (as to_pandas would)
            frame = pd.DataFrame({n: r[4] for n, r in zip(names, read, strict=True)}, copy=False)
        else:
            fields = [schema.field(i).with_type(r[0].type) for i, r in enumerate(read)]
            table_ = pa.Table.from_arrays(
                [r[0] for r in read], schema=pa.schema(fields, metadata=schema.metadata)
            )
            frame = _to_pandas(table_)
        clean_names = {names[i] for i, r in enumerate(read) if r[1]}
        parsed_names = {names[i]: r[2] for i, r in enumerate(read) if r[2] is not None}
        key_names = {names[i]: r[3] for i, r in enumerate(read) if r[3] is not None}
    else:
        # read once; with no list columns, ``to_pandas`` on the table read with its pandas
        # metadata is what ``pd.read_parquet`` does (categoricals, index restored). The file
        # reader gives one chunk per row group (``read_table`` cuts columns into batches,
        # which every later kernel would have to join again).
        with pq.ParquetFile(path, read_dictionary=as_dict or None) as fh:
            table_ = fh.read(use_pandas_metadata=True)
        clean_names = set()
        parsed_names, key_names, dups = {}, {}, None
        for name in as_dict:
            i = table_.schema.get_field_index(name)
            if i >= 0 and pa.types.is_dictionary(table_.schema.field(i).type):
                col, clean = _decode_dictionary(table_.column(i))
                table_ = table_.set_column(
                    i, table_.schema.field(i).with_type(pa.large_string()), col
                )
                if clean:
                    clean_names.add(name)
        frame = _to_pandas(table_)
    cols = [str(c) for c in frame.columns]
    clean = frozenset(
        j
        for j, c in enumerate(cols)
        if c in clean_names and cols.count(c) == 1 and frame.dtypes.iloc[j] == "str"
    )
    parsed = {j: parsed_names[c] for j, c in enumerate(cols) if c in parsed_names}
    keys = {j: key_names[c] for j, c in enumerate(cols) if c in key_names}
    if len(set(cols)) != len(cols):
        parsed, keys, dups = {}, {}, None
    return frame, clean, parsed, keys, dups


#: (pandas_type, numpy_type) pairs of the pandas metadata that ``to_pandas`` turns into
#: nothing but the column's own conversion
_PLAIN_TYPES = {
    ("object", "str"),
    ("object", "object"),
    ("unicode", "object"),
    ("unicode", "str"),
    ("int64", "int64"),
    ("int32", "int32"),
    ("float64", "float64"),
    ("bool", "bool"),
}


def _plain_metadata(schema) -> bool:
    """Does the file's pandas metadata (if any) leave ``to_pandas`` with nothing to do but
    convert each column by itself: no index columns (at most a default range index), no
    renamed columns, no column types it would restore (categoricals, time zones, nullable
    integers)? Then the frame can be assembled from columns converted one by one."""
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return True
    try:
        meta = json.loads(raw)
    except ValueError:
        return False
    for ix in meta.get("index_columns", []):
        if not (
            isinstance(ix, dict)
            and ix.get("kind") == "range"
            and ix.get("name") is None
            and ix.get("start") == 0
            and ix.get("step") == 1
        ):
            return False
    for c in meta.get("columns", []):
        pt, nt = c.get("pandas_type"), str(c.get("numpy_type"))
        plain = (pt, nt) in _PLAIN_TYPES or (pt == "datetime" and nt.startswith("datetime64["))
        if not plain or c.get("metadata") is not None or c.get("name") != c.get("field_name"):
            return False
    return True


def _to_pandas(table) -> pd.DataFrame:
    """The frame of an Arrow table, list columns kept as Arrow lists.

    With no list columns, ``to_pandas`` with the table's pandas metadata is what
    ``pd.read_parquet`` does (categoricals, index restored). With list columns the metadata
    is set aside: ``pd.read_parquet`` cannot restore the ``list<…>[pyarrow]`` dtype it wrote
    into it (pandas issue 57411).
    """
    import pyarrow as pa

    def is_list(t: pa.DataType) -> bool:
        return pa.types.is_list(t) or pa.types.is_large_list(t)

    if not any(is_list(f.type) for f in table.schema):
        return table.to_pandas()
    frame = table.replace_schema_metadata(None).to_pandas(
        types_mapper=lambda t: pd.ArrowDtype(t) if is_list(t) else None
    )
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _column_costs(meta, names: list[str], dictionary: set[str], columns: dict) -> list[float]:
    """Rough cost of each top-level field, in bytes of Parquet data read: the bytes its column
    chunks inflate to (from ``meta``, the file's metadata as probed; a dictionary column: its
    decode), plus what is done with it after reading (per row: a trim check, a parse, name
    keys), so the long jobs start first."""
    size: dict[str, float] = {}
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for j in range(meta.num_columns):
            top = meta.schema.column(j).path.split(".")[0]
            size[top] = size.get(top, 0.0) + rg.column(j).total_uncompressed_size
    rows = float(meta.num_rows)
    out = []
    for name in names:
        canonical, kind = columns.get(name, (None, None))
        cost = 4.0 * rows if name in dictionary else size.get(name, 0.0)
        cost += _AFTER_READ.get(kind, 0.0) * rows + (8.0 * rows if canonical == "task" else 0.0)
        out.append(cost)
    return out
