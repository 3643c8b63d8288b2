"""Raw tables → canonical, typed tables in a :class:`~collab_analytics.data.TrackingData`.

This is the single place where user headers become canonical columns, cells become typed
values, task ids are generated and references between tables are resolved. Problems are
collected (never raised) in an :class:`~collab_analytics.io._raw.Issues` collector and checked
by :mod:`collab_analytics.io._validate`.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collab_analytics._lists import LIST_DTYPE, from_flat
from collab_analytics._threads import pool
from collab_analytics.data import TrackingData
from collab_analytics.io import _arrow
from collab_analytics.io._headers import map_headers, role_letters, suggest
from collab_analytics.io._parse import (
    DateParse,
    ListParse,
    parse_dates,
    parse_list,
    parse_pct,
    parse_status,
    parse_time,
    to_text,
)
from collab_analytics.io._raw import Issues, RawProject, RawTable
from collab_analytics.schema import (
    DATE_DTYPE,
    DERIVED_COLUMNS,
    TABLES,
    dtype_of,
    empty_table,
)

__all__ = ["assemble", "generate_task_ids"]

#: tables at least this long hash their task names on a worker thread
_BACKGROUND_ROWS = 50_000

#: The column that identifies a row; rows where it is blank are rejected (unusable).
KEY_COLUMN = {
    "project": "project",
    "tasks": "task",
    "updates": "task",
    "raci": "task",
    "contacts": "department",
    "plan": "item",
    "meetings": "topic",
    "actions": "action",
}
_ALL_DEPT_WORDS = (
    "三部门",
    "各部门",
    "所有部门",
    "全体",
    "全员",
    "all departments",
    "each department",
    "all teams",
    "everyone",
)
_ROLE_ORDER = {"R": 0, "A": 1, "C": 2, "I": 3}
_SEP = "\x1f"


def generate_task_ids(project: pd.Series, task: pd.Series) -> pd.Series:
    """Stable ids from (project, task name): ``"T"`` + 12 hex digits of a fixed hash.

    The id depends only on the two texts, so re-loading or shuffling rows keeps it.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = generate_task_ids(pd.Series(["P", "P"]), pd.Series(["需求评审", "开发"]))
    >>> ids.str.len().tolist(), ids.iloc[0] == generate_task_ids(
    ...     pd.Series(["P"]), pd.Series(["需求评审"])).iloc[0]
    ([13, 13], True)
    """
    frame = pd.DataFrame(
        {
            "p": project.astype("str").fillna("").to_numpy(dtype=object),
            "t": task.astype("str").fillna("").to_numpy(dtype=object),
        }
    )
    h = pd.util.hash_pandas_object(frame, index=False, categorize=True).to_numpy()
    h = h >> np.uint64(16)  # 48 bits
    shifts = np.arange(44, -1, -4, dtype=np.uint64)
    nibbles = ((h[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)
    table = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = np.concatenate([np.full((len(h), 1), ord("T"), dtype=np.uint8), table[nibbles]], axis=1)
    ids = np.ascontiguousarray(chars).view("S13").ravel().astype("U13")
    return pd.Series(ids, index=task.index, dtype="str")


# ------------------------------------------------------------------------------ per table


def _one_value(value: str, n: int) -> pd.Categorical:
    """``n`` copies of one text as a categorical, built from int8 codes (no per-row work)."""
    if not n:
        return pd.Categorical.from_codes([], pd.Index([], dtype="str"))
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), pd.Index([value], dtype="str"))


def _has_missing(s: pd.Series) -> bool:
    """Any missing value in a column? Read from the Arrow null count of text columns and the
    int64 view of date columns (no boolean mask of a million rows)."""
    if s.dtype == "str":
        return _arrow.as_arrow(s).null_count > 0
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":
        return bool((s.to_numpy().view("i8") == np.iinfo("i8").min).any())
    return bool(s.isna().any())


def _src(raw: RawTable) -> pd.DataFrame:
    """Where each row of a raw table came from: file, sheet and row (the reader's row numbers
    are shared, not copied: neither side writes to them)."""
    n = len(raw.frame)
    return pd.DataFrame(
        {
            "file": _one_value(str(raw.file), n),
            "sheet": _one_value(str(raw.sheet), n),
            "row": raw.rows.astype("int64", copy=False),
        },
        copy=False,
    )


def _raci_long_roles(raw: RawTable, rc: int, issues: Issues) -> tuple[RawTable, pd.Series]:
    """Long RACI: one row per letter of the role cell (``A/R`` → A and R), upper-cased."""
    cell = to_text(raw.frame[rc])
    letters = cell.fillna("").map(role_letters)
    bad = cell.notna() & letters.eq("")
    if bad.any():
        issues.add_many(
            "warning",
            "bad_role",
            "RACI cell is not a combination of R, A, C, I; ignored.",
            table="raci",
            src=_src(raw)[bad.to_numpy()],
            column=raw.headers[rc],
            value=cell[bad],
        )
    parts = []
    for letter in "RACI":
        m = letters.str.contains(letter, regex=False).to_numpy()
        if m.any():
            parts.append(
                pd.DataFrame(
                    {"pos": np.flatnonzero(m), "role": letter, "rorder": _ROLE_ORDER[letter]}
                )
            )
    if parts:
        long = pd.concat(parts, ignore_index=True).sort_values(["pos", "rorder"], kind="stable")
        pos, roles = long["pos"].to_numpy(), long["role"].to_numpy()
    else:
        pos, roles = np.zeros(0, dtype="int64"), np.zeros(0, dtype=object)
    frame = raw.frame.iloc[pos].reset_index(drop=True)
    frame[rc] = roles
    counts = pd.Series(np.bincount(pos, minlength=len(raw.frame)), index=raw.frame.index)
    out = RawTable("raci", raw.headers, frame, raw.rows[pos], raw.file, raw.sheet, raw.skipped)
    return out, counts


_BRACKETED = re.compile(r"[(（][^)）]*[)）]")


def department_from_header(text: object) -> str:
    """Department name from a wide-RACI column header.

    The template's bracketed marker, surrounding spaces and ``*``/``:`` marks are removed;
    spaces inside the name are kept (collapsed to one), so English names stay readable.

    Examples
    --------
    >>> department_from_header("客服部(*对接人:)")
    '客服部'
    >>> department_from_header(" Customer  Service (contact:) ")
    'Customer Service'
    >>> department_from_header("＊R&D Center："), department_from_header("技术部（对接人：张伟）")
    ('R&D Center', '技术部')
    """
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = _BRACKETED.sub("", s)
    s = re.sub(r"\s+", " ", s)
    return s.strip(" *:")


def _raci_long(raw: RawTable, issues: Issues) -> tuple[RawTable, pd.Series]:
    """Wide RACI (task × department columns) → long raw table; returns it and per-row counts."""
    mapped, _ = map_headers("raci", raw.headers)
    if "role" in mapped:
        return _raci_long_roles(raw, mapped.index("role"), issues)
    if "department" in mapped:
        return raw, pd.Series(1, index=raw.frame.index)
    id_cols = [i for i, c in enumerate(mapped) if c in ("task", "task_id")]
    dept_cols = [i for i, c in enumerate(mapped) if c is None]
    parts = []
    for i in dept_cols:
        dept = department_from_header(raw.headers[i]) or raw.headers[i]
        cell = to_text(raw.frame[i])
        has = cell.notna()
        if not has.any():
            continue
        letters = cell[has].map(role_letters)
        badl = letters.eq("")
        if badl.any():
            src = _src(raw).iloc[np.flatnonzero(has.to_numpy())[badl.to_numpy()]]
            issues.add_many(
                "warning",
                "bad_role",
                "RACI cell is not a combination of R, A, C, I; ignored.",
                table="raci",
                src=src,
                column=raw.headers[i],
                value=cell[has][badl],
            )
        letters = letters[~badl]
        for letter in "RACI":
            m = letters.str.contains(letter, regex=False)
            if m.any():
                idx = letters.index[m.to_numpy()]
                parts.append(
                    pd.DataFrame({"pos": idx, "department": dept, "role": letter, "dorder": i})
                )
    headers = [raw.headers[i] for i in id_cols] + ["部门", "角色"]
    if parts:
        long = pd.concat(parts, ignore_index=True)
        long["rorder"] = long["role"].map(_ROLE_ORDER)
        long = long.sort_values(["pos", "dorder", "rorder"], kind="stable")
        pos = long["pos"].to_numpy()
    else:
        long = pd.DataFrame(
            {"department": pd.Series([], dtype="str"), "role": pd.Series([], dtype="str")}
        )
        pos = np.array([], dtype="int64")
    frame = pd.DataFrame({k: raw.frame[i].to_numpy()[pos] for k, i in enumerate(id_cols)})
    n = len(id_cols)
    frame[n] = long["department"].to_numpy()
    frame[n + 1] = long["role"].to_numpy()
    counts = pd.Series(np.bincount(pos, minlength=len(raw.frame)), index=raw.frame.index)
    out = RawTable("raci", headers, frame, raw.rows[pos], raw.file, raw.sheet, raw.skipped)
    return out, counts


def _canonical_frame(
    raw: RawTable, issues: Issues, src: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename the raw columns to canonical names; report duplicates and missing columns.

    ``src`` is the table's sources frame when the caller already built it."""
    table = raw.table
    mapped, dups = map_headers(table, raw.headers)
    for i in dups:
        issues.add(
            "warning",
            "duplicate_column",
            f"Column {raw.headers[i]!r} maps to a column that already exists; kept as "
            "an extra column.",
            table=table,
            file=raw.file,
            sheet=raw.sheet,
            column=raw.headers[i],
        )
    cols: dict[str, pd.Series] = {}
    for i, c in enumerate(mapped):
        name = c if c is not None else raw.headers[i]
        while name in cols or (c is None and name in TABLES[table].column_names):
            name = name + "_"
        cols[name] = raw.frame[i]
    frame = pd.DataFrame(cols, index=raw.frame.index, copy=False)  # copy-on-write views
    for req in TABLES[table].required:
        if req not in frame.columns:
            issues.add(
                "error",
                "missing_column",
                f"Required column {req!r} ({_label(table, req)}) not found in "
                f"{TABLES[table].label_zh}/{TABLES[table].label_en}.",
                table=table,
                file=raw.file,
                sheet=raw.sheet,
                column=req,
                hint=suggest(table, raw.headers, req),
            )
    return frame, (_src(raw) if src is None else src)


def _label(table: str, col: str) -> str:
    spec = TABLES[table].column(col)
    return spec.aliases[0] if spec.aliases else col


def _missing_column(dtype, index: pd.Index) -> pd.Series:
    """An all-missing column of ``dtype`` (lists: ``[]``), built without Python objects."""
    n = len(index)
    if dtype == "str":  # wraps an Arrow null array (no per-row objects, no copy)
        nulls = pa.chunked_array([pa.nulls(n, pa.large_string())])
        return pd.Series(nulls, index=index, dtype="str")
    if dtype == LIST_DTYPE:
        return from_flat(n, [], [], index=index)
    if dtype == "bool":
        return pd.Series(np.zeros(n, dtype=bool), index=index, copy=False)
    out = pd.Series(np.full(n, np.nan), index=index, copy=False)
    return out if out.dtype == dtype else out.astype(dtype)


#: Per column kind: parser, severity, issue code, message and hint for cells that fail to parse.
#: (Statuses are parsed with the user's ``status_map`` as well.)
_CELL_RULES = {
    "date": (
        parse_dates,
        "error",
        "bad_date",
        "Not a date.",
        "Use 2024-07-01, 2024/7/1, 2024年7月1日 or a date cell.",
    ),
    "time": (parse_time, "warning", "bad_time", "Not a time of day; left empty.", "Use 17:00."),
    "pct": (parse_pct, "error", "bad_percent", "Not a percentage.", "Use 80%, 0.8 or 80."),
    "status": (
        parse_status,
        "warning",
        "unknown_status",
        "Unknown status word; status left empty.",
        "Use 未开始/正常/滞后/阻塞/提前完成/已完成/已取消, or pass status_map={'word': 'done', …}.",
    ),
}
_CELL_RULES["datetime"] = _CELL_RULES["date"]


#: rough relative cost of parsing a column of each kind (text: one trim)
_PARSE_COST = {"list": 4, "status": 2, "date": 2, "datetime": 2, "time": 2, "float": 2}


def _parse_column(kind: str, s: pd.Series, status_map: dict | None, trimmed: bool = False):
    """One column parsed by its kind: ``(values, parse result or None, bad mask or None)``.

    ``trimmed``: a list column's cells are known trimmed and not blank (as read).
    Pure (no issues are recorded here), so columns can be parsed on worker threads.
    """
    if kind in _CELL_RULES:
        r = parse_status(s, status_map) if kind == "status" else _CELL_RULES[kind][0](s)
        return r.parsed, r, r.bad
    if kind == "float":
        if pd.api.types.is_numeric_dtype(s.dtype):
            return s.astype("float64"), None, None
        txt = to_text(s)
        num = pd.to_numeric(txt.str.extract(r"(-?\d+(?:\.\d+)?)", expand=False), errors="coerce")
        return num.astype("float64"), None, txt.notna() & num.isna()
    if kind == "list":
        r = parse_list(s, trimmed=trimmed)
        return r.parsed, r, None
    return to_text(s), None, None  # str, role


def _typed(
    table: str,
    frame: pd.DataFrame,
    src: pd.DataFrame,
    issues: Issues,
    status_map: dict | None,
    user_headers: dict[str, str],
    dates: dict[tuple[str, str], DateParse],
    texted: set[str] = frozenset(),
    trimmed: set[str] = frozenset(),
    early: dict[str, tuple] | None = None,
) -> pd.DataFrame:
    """Parse every canonical column by its kind; extra columns stay as they are.

    ``texted`` names text columns that are already final (trimmed ``str``): kept as they are.
    ``trimmed`` names list columns whose cells are trimmed and not blank (not checked again).
    ``early``: parse results the reader computed for some columns of this very frame.

    Long tables parse their columns on two worker threads (the Arrow and numpy kernels
    release the GIL); issues are recorded afterwards, in column order, as for short ones.
    """
    spec = TABLES[table]
    done = {c: (frame[c], None, None) for c in texted if c in frame.columns}
    for c, r in (early or {}).items():
        if c in frame.columns and c not in done and r[0].index.equals(frame.index):
            done[c] = r
    present = [c for c in spec.columns if c.name in frame.columns and c.name not in done]
    if len(frame) >= _BACKGROUND_ROWS and len(present) > 1:
        # the costliest kinds first, so the two threads finish together
        order = sorted(present, key=lambda c: _PARSE_COST.get(c.kind, 1), reverse=True)
        futures = {
            c.name: _columns_pool().submit(
                _parse_column, c.kind, frame[c.name], status_map, c.name in trimmed
            )
            for c in order
        }
        parsed = {name: f.result() for name, f in futures.items()}
    else:
        parsed = {
            c.name: _parse_column(c.kind, frame[c.name], status_map, c.name in trimmed)
            for c in present
        }
    parsed.update(done)
    out: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c.name not in parsed:
            out[c.name] = _missing_column(dtype_of(c.kind), frame.index)
            continue
        s = frame[c.name]
        col = user_headers.get(c.name, c.name)
        values, r, bad = parsed[c.name]
        out[c.name] = values
        if c.kind in ("date", "datetime"):
            dates[(table, c.name)] = r
            dates[(table, c.name, "raw")] = s  # the user's cells, for messages
        elif c.kind == "list":
            dates[(table, c.name)] = r
        if bad is None or not bad.any():
            continue
        if c.kind in _CELL_RULES:
            severity, code, message, hint = _CELL_RULES[c.kind][1:]
        else:
            severity, code, message, hint = "warning", "bad_number", "Not a number; left empty.", ""
        issues.add_many(
            severity,
            code,
            message,
            table=table,
            src=src[bad.to_numpy()],
            column=col,
            value=s[bad],
            hint=hint,
        )
    for name, dt in DERIVED_COLUMNS.get(table, {}).items():
        out[name] = _missing_column(dt, frame.index)
    canon = set(out)
    for x in frame.columns:
        if x not in canon:
            out[x] = _extra(frame[x])
    return pd.DataFrame(out, index=frame.index, copy=False)


def _extra(s: pd.Series) -> pd.Series:
    """Extra user columns: numeric cells → float64, anything else → text (dates as ISO)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64")
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64")
    if s.dtype == object:
        nonnull = s.dropna()
        types = nonnull.map(type)
        if len(nonnull) and types.isin([int, float, np.int64, np.float64]).all():
            return pd.to_numeric(s, errors="coerce").astype("float64")
    return to_text(s)


def _subset(raw: RawTable, keep: np.ndarray) -> RawTable:
    return RawTable(
        raw.table,
        raw.headers,
        raw.frame[keep].reset_index(drop=True),
        raw.rows[keep],
        raw.file,
        raw.sheet,
        raw.skipped,
        clean=raw.clean,
    )


def _build_table(
    table: str,
    raws: list[RawTable],
    issues: Issues,
    status_map: dict | None,
    dates: dict,
    accounting: dict,
    present: dict | None = None,
    early: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One canonical table from its raw tables.

    ``early`` (tasks) receives ``"names"``: ``(names, future of their keys)`` when a long
    table's task names are final before its other columns are parsed, so the name keys are
    computed on a worker thread while the columns are parsed (see :func:`assemble`).
    """
    frames, srcs, headers = [], [], {}
    read = rejected = skipped = 0
    texted: set[str] = set(TABLES[table].column_names)  # columns already final text
    # list columns whose cells the reader found trimmed (in every raw table)
    trimmed = {c.name for c in TABLES[table].columns if c.kind == "list"}
    parsed_early: dict[str, tuple] = {}
    key = KEY_COLUMN[table]
    what = _label(table, key)
    for raw in raws:
        skipped += raw.skipped
        read += len(raw.frame)
        mapped, dups = map_headers(table, raw.headers)
        for h, c in zip(raw.headers, mapped, strict=True):
            if c is not None:
                headers.setdefault(c, h)
        keys = [key, "task_id"] if table in ("updates", "raci") else [key]
        keycols = [i for i, c in enumerate(mapped) if c in keys]
        # text columns the reader found already trimmed: final as they are (not trimmed again)
        clean = {
            mapped[i]
            for i in raw.clean
            if mapped[i] is not None
            and i not in dups
            and TABLES[table].column(mapped[i]).kind == "str"
        }
        trimmed &= {
            mapped[i]
            for i in raw.clean
            if mapped[i] is not None
            and i not in dups
            and TABLES[table].column(mapped[i]).kind == "list"
        }
        src_all = _src(raw)
        if keycols:
            bad = np.ones(len(raw.frame), dtype=bool)
            texts = {}
            for i in keycols:
                texts[i] = raw.frame[i] if mapped[i] in clean else to_text(raw.frame[i])
                bad &= texts[i].isna().to_numpy()
            # text key columns are final once trimmed: handed on as such (trimmed once)
            final = {
                i: t
                for i, t in texts.items()
                if TABLES[table].column(mapped[i]).kind == "str" and mapped[i] not in clean
            }
            if final:
                frame = raw.frame.copy(deep=False)
                for i, t in final.items():
                    frame[i] = t
                raw = replace(raw, frame=frame)
            texted &= {mapped[i] for i in final} | clean
            if bad.any():
                issues.add_many(
                    "warning",
                    "row_rejected",
                    f"Row has no {key} ({what}); not loaded.",
                    table=table,
                    src=src_all[bad],
                    column=headers.get(key, what),
                )
                issues.reject(table, src_all[bad], f"no {key} ({what})")
        else:
            bad = np.ones(len(raw.frame), dtype=bool)
            issues.reject(table, src_all, f"no {key} column ({what})")
            texted = set()
        rejected += int(bad.sum())
        if (
            early is not None
            and len(raws) == 1
            and not bad.any()
            and len(raw.frame) >= _BACKGROUND_ROWS
        ):
            name_cols = [i for i in keycols if mapped[i] == "task" and i not in dups]
            if len(name_cols) == 1 and mapped.count("task") == 1 and "task" in texted:
                names = _arrow.as_arrow(raw.frame[name_cols[0]])
                given = raw.keys.get(name_cols[0])
                if given is not None and _arrow.same_array(given[0], names):
                    job: Future = Future()  # the reader computed the keys of these names
                    job.set_result(given[1])
                else:
                    job = in_background(_arrow.key, names)
                early["names"] = (names, job)
                # the duplicate-name check (done by the reader, or next on the same worker)
                # when the projects are final too (or absent: one project); the task keys
                # check that they stayed so
                proj = [i for i, c in enumerate(mapped) if c == "project"]
                if raw.dups is not None and _arrow.same_array(raw.dups[0], names):
                    done: Future = Future()
                    done.set_result(raw.dups[2])
                    early["dups"] = (raw.dups[1], done)
                elif not proj or (len(proj) == 1 and "project" in texted):
                    p = _arrow.as_arrow(raw.frame[proj[0]]) if proj else None
                    early["dups"] = (p, in_background(_early_duplicates, early["names"][1], p))
        if len(raws) == 1 and not bad.any() and table != "raci":
            # columns the reader parsed already, each of the kind this table gives it
            for i, (kind, result) in raw.parsed.items():
                c = mapped[i]
                if c is not None and i not in dups and TABLES[table].column(c).kind == kind:
                    parsed_early[c] = result
        if bad.any():
            raw = _subset(raw, ~bad)
            src_all = None
        elif not raw.frame.index.equals(pd.RangeIndex(len(raw.frame))):
            raw = replace(raw, frame=raw.frame.reset_index(drop=True))
        if table == "raci":
            texted = trimmed = set()  # the long form is rebuilt from the raw cells
            wide_rows = raw.rows
            raw, counts = _raci_long(raw, issues)
            none = counts.to_numpy() == 0
            if none.any():
                src_w = pd.DataFrame({"file": raw.file, "sheet": raw.sheet, "row": wide_rows[none]})
                issues.add_many(
                    "warning",
                    "raci_row_without_roles",
                    "RACI row has no R/A/C/I letter.",
                    table=table,
                    src=src_w,
                )
        frame, src = _canonical_frame(raw, issues, None if table == "raci" else src_all)
        frames.append(frame)
        srcs.append(src)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(srcs) > 1:
        src = pd.concat(srcs, ignore_index=True)
        for c in ("file", "sheet"):
            src[c] = src[c].astype("str").astype("category")
    else:
        src = srcs[0]  # already categorical with str categories
    typed = _typed(
        table, frame, src, issues, status_map, headers, dates, texted, trimmed, parsed_early
    )
    accounting[table] = (read, read - rejected, rejected, skipped)
    if present is not None:
        present[table] = {
            c: headers.get(c, _label(table, c))
            for c in frame.columns
            if c in TABLES[table].column_names
        }
    return typed, src


_EMPTY: dict[str, pd.DataFrame] = {}


def _empty_table(table: str) -> pd.DataFrame:
    """:func:`~collab_analytics.schema.empty_table`, built once per table and copied."""
    if table not in _EMPTY:
        _EMPTY[table] = empty_table(table)
    return _EMPTY[table].copy()


def _empty_src() -> pd.DataFrame:
    if "_src" not in _EMPTY:
        _EMPTY["_src"] = pd.DataFrame(
            {
                "file": pd.Series([], dtype="category"),
                "sheet": pd.Series([], dtype="category"),
                "row": pd.Series([], dtype="int64"),
            }
        )
    return _EMPTY["_src"].copy()


# ------------------------------------------------------------------------------ project


def _project_table(
    projects: list[RawProject], raws: list[RawTable], issues: Issues, accounting: dict, dates: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames, srcs = [], []
    if raws:
        t, s = _build_table("project", raws, issues, None, dates, accounting)
        frames.append(t)
        srcs.append(s)
    kv = [p for p in projects if p.fields]
    if kv:
        rows = []
        for p in kv:
            rec = {c: p.fields.get(c) for c in TABLES["project"].column_names}
            rows.append(rec)
        df = pd.DataFrame(rows)
        t = empty_table("project")
        df = pd.concat([t, df.astype("str")], ignore_index=True)[t.columns]
        for c in df.columns:
            df[c] = to_text(df[c])
        s = pd.DataFrame(
            {
                "file": [p.file for p in kv],
                "sheet": [p.sheet for p in kv],
                "row": [min(p.rows.values()) for p in kv],
            }
        )
        frames.append(df)
        srcs.append(s)
        r, ld, rj, sk = accounting.get("project", (0, 0, 0, 0))
        accounting["project"] = (r + len(kv), ld + len(kv), rj, sk)
    if not frames:
        return _empty_table("project"), _empty_src()
    df = pd.concat(frames, ignore_index=True)
    src = pd.concat(srcs, ignore_index=True)
    return df, src


def _contacts_from_project(project: pd.DataFrame) -> pd.DataFrame:
    """``客服部(王敏)、产品部(李强)`` → contacts rows (department, contact)."""
    text = project["departments"].dropna()
    if text.empty:
        return empty_table("contacts")
    parts = text.str.split(r"\s*[,、;，；]\s*", regex=True).explode().dropna()
    m = parts.str.extract(r"^\s*([^()（）]+?)\s*(?:[(（]\s*([^)）]*?)\s*[)）])?\s*$")
    m = m[m[0].notna()]
    contact = m[1].str.replace(r"^[*＊\s]*(?:对接人\s*[:：])?\s*", "", regex=True)
    out = empty_table("contacts")
    df = pd.DataFrame(
        {"department": m[0].astype("str").to_numpy(), "contact": contact.astype("str").to_numpy()}
    )
    df["contact"] = df["contact"].where(df["contact"].str.strip().ne("").fillna(False))
    df = df.drop_duplicates("department")
    return pd.concat([out, df.astype("str")], ignore_index=True)[out.columns]


# ------------------------------------------------------------------------------ resolution


class TaskKeys:
    """The task table's keys, each hashed once and shared by reference resolution and the
    duplicate checks (one hash pass over a million strings costs about as much as parsing
    them).

    ``probe`` tokens (dependency references) are encoded together with the task ids, so they
    resolve on integer codes. Nulls in ``project`` are a group of their own.
    """

    def __init__(
        self,
        tasks: pd.DataFrame,
        probe: pa.Array | None = None,
        names: Future | None = None,
        dups: tuple[pa.Array | None, Future] | None = None,
    ) -> None:
        self.n = len(tasks)
        self._tasks = tasks
        self.group, _ = _arrow.encode_runs(tasks["project"])
        self.single = bool(self.n == 0 or (self.group == self.group[0]).all())
        ids = _arrow.as_arrow(tasks["task_id"])
        self._probe = _arrow.as_arrow(probe) if probe is not None else ids[:0]
        #: ids in strictly increasing order with one width: unique, looked up by bisection
        self._sorted = _arrow.sorted_fixed(ids)
        if self._sorted is None:
            if len(self._probe):
                ids = pa.concat_arrays([ids, self._probe])
            codes, self.n_ids = _arrow.encode(ids)
            self.ids, self.probe = codes[: self.n], codes[self.n :]
        #: per probe token: resolved by its id (not by a name), set by :meth:`resolve`
        self.by_id = np.zeros(len(self._probe), dtype=bool)
        self._first_ids: np.ndarray | None = None
        #: name keys (:func:`~collab_analytics.io._arrow.key`), possibly being computed in
        #: the background, and their codes once needed (see :meth:`names`)
        self._keys: pa.Array | Future | None = names
        self._names: tuple[pa.Array, np.ndarray, int] | None = None
        self._dup_names: Future | None = None
        if dups is not None:
            # a duplicate-name job started before the table was built (see
            # :func:`_early_duplicates`): its grouping must be this table's — the very same project
            # texts, or none (one project) when this table has a single project
            proj, job = dups
            if (proj is None and self.single) or (
                proj is not None and _arrow.same_array(proj, _arrow.as_arrow(tasks["project"]))
            ):
                self._dup_names = job

    def first_ids(self) -> np.ndarray:
        if self._first_ids is None:
            self._first_ids = _arrow.first_positions(self.ids, self.n_ids)
        return self._first_ids

    def keys(self) -> pa.Array:
        """Name keys (:func:`~collab_analytics.io._arrow.key`) of the tasks."""
        if self._keys is None:
            self._keys = _arrow.key(self._tasks["task"])
        elif isinstance(self._keys, Future):
            self._keys = self._keys.result()
        return self._keys

    def names(self) -> tuple[pa.Array, np.ndarray, int]:
        """Name keys, their codes and code count."""
        if self._names is None:
            k = self.keys()
            self._names = (k, *_arrow.encode(k))
        return self._names

    def duplicate_ids(self) -> np.ndarray:
        """Rows whose (project, task id) appeared on an earlier row (a null id is a value)."""
        if self._sorted is not None:
            return np.zeros(self.n, dtype=bool)
        return _dups_in_groups(self.group, self.ids)

    def prefetch(self) -> None:
        """Start :meth:`duplicate_names` on the loading worker thread (large tables): it
        then overlaps with reference resolution and the other rules."""
        if self._dup_names is None:
            self._dup_names = in_background(self._duplicate_names)

    def duplicate_names(self) -> np.ndarray:
        """Rows whose (project, name key) appeared on an earlier row (null keys included)."""
        if self._dup_names is not None:
            return self._dup_names.result()
        return self._duplicate_names()

    def _duplicate_names(self) -> np.ndarray:
        """Rows whose (project, name key) appeared on an earlier row (null keys included).

        Only rows whose (project, key) fingerprint repeats can be duplicates; those few are
        compared exactly (no hash table of a million names).
        """
        if self._names is not None:
            return _dups_in_groups(self.group, self._names[1])
        return _duplicate_keys(self.keys(), None if self.single else self.group)

    def resolve(self, rowpos: np.ndarray, *, grouped: bool) -> np.ndarray:
        """Task positions of the probe tokens (ids first, then names; ``-1`` if unknown).

        ``rowpos`` is each token's task row: with ``grouped``, a token only matches tasks of
        that row's project (when the tasks span several projects).
        """
        grouped = grouped and not self.single
        vgroup = self.group[rowpos] if grouped else None
        if self._sorted is not None:  # unique ids: a token names at most one task
            pos = _arrow.lookup_sorted(self._sorted, self._probe, guess=rowpos - 1)
            if grouped:
                pos = np.where((pos >= 0) & (self.group[pos] == vgroup), pos, -1)
        else:
            pos = _match(self.ids, self.probe, self.n_ids, vgroup, self.group, self.first_ids())
        self.by_id = pos >= 0
        miss = pos < 0
        if miss.any():
            names = self.names()[0]
            tok = _arrow.key(self._probe.filter(pa.array(miss)))
            codes, n = _arrow.encode(pa.concat_arrays([names, tok]))
            first = _arrow.first_positions(codes[: self.n], n)
            vg = vgroup[miss] if grouped else None
            pos[miss] = _match(codes[: self.n], codes[self.n :], n, vg, self.group, first)
        return pos


def _duplicate_keys(keys: pa.Array, group: np.ndarray | None) -> np.ndarray:
    """Rows whose (group, key) appeared on an earlier row (null keys included; no ``group``:
    one group). Only rows whose fingerprint repeats can be duplicates; those few are compared
    exactly (no hash table of a million names)."""
    cand = np.flatnonzero(_arrow.repeated(_arrow.fingerprint(keys, group)))
    out = np.zeros(len(keys), dtype=bool)
    if len(cand):
        codes, _ = _arrow.encode(keys.take(pa.array(cand)))
        g = np.zeros(len(cand), dtype=np.int64) if group is None else group[cand]
        out[cand] = _dups_in_groups(g, codes)
    return out


def project_duplicates(keys: pa.Array, project: pa.Array | None) -> np.ndarray:
    """:func:`_duplicate_keys` of name keys grouped by the ``project`` texts (``None``: one
    project)."""
    group = None
    if project is not None:
        group, _ = _arrow.encode_runs(project)
        if (group == group[0]).all():
            group = None
    return _duplicate_keys(keys, group)


def _early_duplicates(names: Future, project: pa.Array | None) -> np.ndarray:
    """:func:`project_duplicates` of the name keys being computed by ``names``."""
    return project_duplicates(names.result(), project)


def _columns_pool() -> ThreadPoolExecutor:
    """Two threads that parse the columns of a long table side by side."""
    return pool("columns", 2)


def in_background(fn, *args) -> Future:
    """Run ``fn(*args)`` on a worker thread. Used for Arrow kernels, which release the GIL,
    so hashing task names overlaps with building the other tables on a second core."""
    return pool("load").submit(fn, *args)


def _dups_in_groups(group: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``duplicated(join(group, value))`` on codes: nulls of either part are values."""
    dup = _arrow.duplicated_codes(codes)
    if not dup.any() and int((codes < 0).sum()) < 2:
        return dup
    pair, _ = _arrow.pair_codes(group, codes)
    return _arrow.duplicated_codes(pair)


def _match(
    tcodes: np.ndarray,
    vcodes: np.ndarray,
    n_codes: int,
    vgroup: np.ndarray | None,
    tgroup: np.ndarray,
    first: np.ndarray,
) -> np.ndarray:
    """First table row holding each value code (within the value's group when ``vgroup``)."""
    cand = np.where(vcodes >= 0, first[np.maximum(vcodes, 0)], -1)
    if vgroup is None:
        return cand  # ungrouped: a null never matches
    if not _arrow.duplicated_codes(tcodes).any() and int((tcodes < 0).sum()) == 0:
        # each value names at most one row: it matches when that row is in its group
        return np.where((cand >= 0) & (tgroup[np.maximum(cand, 0)] == vgroup), cand, -1)
    # grouped: nulls are values (as in a joined "project\x1fvalue" key)
    both, n = _arrow.pair_codes(np.concatenate([tgroup, vgroup]), np.concatenate([tcodes, vcodes]))
    nt = len(tcodes)
    return _arrow.lookup_codes(both[:nt], both[nt:], n)


def _resolve_refs(tokens: pd.Series, tasks: pd.DataFrame, project: pd.Series | None) -> np.ndarray:
    """Positions in ``tasks`` for reference tokens (ids first, then names); -1 if unknown."""
    if len(tokens) == 0 or tasks.empty:
        return np.full(len(tokens), -1, dtype="int64")
    pv = tasks["project"]
    single = project is None or pv.isna().all() or bool((pv == pv.iloc[0]).all())
    if single:
        pos = _arrow.lookup(tokens, tasks["task_id"])
    else:
        pos = _arrow.lookup(
            _arrow.join(project, tokens), _arrow.join(tasks["project"], tasks["task_id"])
        )
    miss = pos < 0
    if miss.any():
        names = _arrow.key(tasks["task"])
        tok = _arrow.key(_arrow.as_arrow(tokens).filter(pa.array(miss)))
        if not single:
            names = _arrow.join(tasks["project"], names)
            tok = _arrow.join(project[miss].reset_index(drop=True), tok)
        pos[miss] = _arrow.lookup(tok, names)
    return pos


def _resolve_lists(
    lp: ListParse | None,
    lists: pd.Series,
    tasks: pd.DataFrame,
    project: pd.Series | None,
    keys: TaskKeys | None = None,
) -> tuple[pd.Series, pd.DataFrame, tuple[np.ndarray, np.ndarray]]:
    """Lists of id/name tokens → lists of task ids.

    Returns the lists, the unknown tokens ``[pos, token]`` (dropped from the lists) and the
    resolved edges ``(referenced task position, row position)``. ``keys`` (built with these
    tokens as its probe) resolves on codes instead of hashing the task ids again.
    """
    unknown = pd.DataFrame(
        {"pos": pd.Series([], dtype="int64"), "token": pd.Series([], dtype="str")}
    )
    none = (np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"))
    if lp is None or len(lp.pos) == 0:
        return lists, unknown, none
    rowpos = lp.pos
    tokens = lp.tokens
    if keys is not None:
        pos = keys.resolve(rowpos, grouped=project is not None)
    else:
        proj = project.take(rowpos).reset_index(drop=True) if project is not None else None
        pos = _resolve_refs(tokens, tasks, proj)
    ok = pos >= 0
    edges = (pos[ok], rowpos[ok])
    ids = _arrow.as_arrow(tasks["task_id"])
    if keys is not None:
        # a token found by its id is that id's text; one found by name is not (else its id
        # would have matched first)
        changed = ~keys.by_id
    else:
        resolved = pc.take(ids, pa.array(np.where(ok, pos, 0)))
        same = pc.fill_null(pc.equal(resolved, _arrow.as_arrow(tokens)), False)
        changed = ~same.to_numpy(zero_copy_only=False).astype(bool) | ~ok
    if not changed.any():
        return lists, unknown, edges
    resolved = pc.take(ids, pa.array(np.where(ok, pos, 0)))
    if (~ok).any():
        unknown = pd.DataFrame(
            {"pos": rowpos[~ok], "token": pd.array(tokens.filter(pa.array(~ok)), dtype="str")}
        )
    # every list rebuilt from its resolved ids, in C: unknown tokens dropped
    out = from_flat(len(lists), rowpos[ok], resolved.filter(pa.array(ok)), index=lists.index)
    return out, unknown, edges


def _departments_known(tasks, contacts, raci, project) -> list[str]:
    seen: dict[str, None] = {}
    proj_depts = (
        _contacts_from_project(project)["department"]
        if len(project)
        else pd.Series([], dtype="str")
    )
    for s in (tasks["department"], contacts["department"], raci["department"], proj_depts):
        for d in pd.unique(s.dropna().astype("str")):
            if d and d not in seen:
                seen[d] = None
    return list(seen)


def _meeting_departments(participants: pd.Series, depts: list[str]) -> pd.Series:
    text = participants.fillna("").astype("str")
    if not depts or text.empty:
        return from_flat(len(text), [], [], index=text.index)
    low = text.str.lower()
    everyone = np.zeros(len(text), dtype=bool)
    for w in _ALL_DEPT_WORDS:
        everyone |= low.str.contains(w, regex=False).to_numpy()
    mat = np.zeros((len(text), len(depts)), dtype=bool)
    for j, d in enumerate(depts):
        stem = re.sub(r"(部|部门|中心|团队)$", "", d)
        hit = text.str.contains(d, regex=False)
        if len(stem) >= 2 and stem != d:
            hit = hit | text.str.contains(stem, regex=False)
        mat[:, j] = hit.to_numpy() | everyone
    rows, cols = np.nonzero(mat)  # row-major: items in row order, departments in list order
    names = pa.array(depts, type=pa.large_string()).take(pa.array(cols))
    return from_flat(len(text), rows, names, index=text.index)


# ------------------------------------------------------------------------------ assemble


def assemble(
    raws: list[RawTable],
    projects: list[RawProject],
    issues: Issues,
    *,
    status_map: dict | None = None,
    year: int | None = None,
) -> TrackingData:
    """Build the canonical container from what the readers found (see module docstring)."""
    from collab_analytics.io._validate import task_mask_columns, task_masks, validate

    accounting: dict[str, tuple[int, int, int, int]] = {}
    dates: dict[tuple[str, str], DateParse] = {}
    present: dict[str, dict[str, str]] = {}
    by_table: dict[str, list[RawTable]] = {}
    for r in raws:
        by_table.setdefault(r.table, []).append(r)
    for t, rs in by_table.items():
        for r in rs:
            if len(r.frame) == 0:
                issues.add(
                    "info",
                    "no_rows",
                    f"{TABLES[t].label_zh}/{TABLES[t].label_en} has a header but no rows.",
                    table=t,
                    file=r.file,
                    sheet=r.sheet,
                )
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, pd.DataFrame] = {}
    name_future = dup_job = None
    for t in TABLES:
        if t == "project":
            continue
        if t in by_table:
            early: dict = {}
            tables[t], sources[t] = _build_table(
                t, by_table[t], issues, status_map, dates, accounting, present, early
            )
            if t == "tasks" and len(tables[t]) >= _BACKGROUND_ROWS:
                # names are final from here on: hash them while the rest is built (started
                # before the columns were parsed when the names were final then)
                names = _arrow.as_arrow(tables[t]["task"])
                if "names" in early and _arrow.same_array(early["names"][0], names):
                    name_future = early["names"][1]
                    dup_job = early.get("dups")
                else:
                    name_future = in_background(_arrow.key, names)
        else:
            tables[t], sources[t] = _empty_table(t), _empty_src()
    tables["project"], sources["project"] = _project_table(
        projects, by_table.get("project", []), issues, accounting, dates
    )

    _fill_years(tables, dates, year, issues, sources)
    for t, cols in present.items():
        for req in TABLES[t].required:
            if req == KEY_COLUMN[t] or req not in cols or not _has_missing(tables[t][req]):
                continue
            miss = tables[t][req].isna()
            if isinstance(dates.get((t, req)), DateParse):
                miss &= ~(dates[(t, req)].bad | dates[(t, req)].yearless).to_numpy()
            if miss.any():
                issues.add_many(
                    "error",
                    "missing_value",
                    f"Required value {req!r} is empty.",
                    table=t,
                    src=sources[t][miss.to_numpy()],
                    column=cols[req],
                )
    tasks = tables["tasks"]
    project = tables["project"]
    masks = None
    if len(tasks) >= _BACKGROUND_ROWS:
        # the date and status rules read columns final from here on: their masks are
        # computed on a parsing thread while dependencies are resolved
        masks = _columns_pool().submit(task_masks, *task_mask_columns(tasks))

    # project name on tasks when the workbook holds one project
    if len(tasks) and len(project) == 1 and _has_missing(tasks["project"]):
        tasks["project"] = tasks["project"].fillna(project["project"].iloc[0])

    # task ids: kept when given, else generated from (project, task name)
    if len(tasks) and _has_missing(tasks["task_id"]):
        missing = tasks["task_id"].isna()
        if missing.any():
            gen = generate_task_ids(tasks.loc[missing, "project"], tasks.loc[missing, "task"])
            grp = pd.DataFrame({"id": gen})
            n = grp.groupby("id", sort=False).cumcount()
            gen = gen.where(n == 0, gen + "-" + (n + 1).astype("str"))
            tasks.loc[missing, "task_id"] = gen

    # dependencies → task ids
    dep_unknown = None
    dep_edges = None
    keys = None
    if len(tasks):
        lp = dates.get(("tasks", "depends_on"))
        keys = TaskKeys(
            tasks, lp.tokens if lp is not None else None, names=name_future, dups=dup_job
        )
        if name_future is not None:
            keys.prefetch()
        tasks["depends_on"], dep_unknown, dep_edges = _resolve_lists(
            lp, tasks["depends_on"], tasks, tasks["project"], keys
        )

    # contacts from the 参与部门及对接人 line when no contacts table
    if tables["contacts"].empty and len(project):
        c = _contacts_from_project(project)
        if len(c):
            tables["contacts"] = c
            row = int(sources["project"]["row"].iloc[0]) if len(sources["project"]) else 0
            sources["contacts"] = pd.DataFrame(
                {
                    "file": pd.Categorical([str(sources["project"]["file"].iloc[0])] * len(c)),
                    "sheet": pd.Categorical([str(sources["project"]["sheet"].iloc[0])] * len(c)),
                    "row": np.full(len(c), row, dtype="int64"),
                }
            )
            accounting["contacts"] = (len(c), len(c), 0, 0)

    # updates / raci → task ids and names
    refs_unknown: dict[str, np.ndarray] = {}
    for t in ("updates", "raci"):
        df = tables[t]
        if df.empty or tasks.empty:
            continue
        given = df["task_id"].where(df["task_id"].notna(), df["task"])
        pos = _resolve_refs(given.fillna(""), tasks, None)
        if (pos < 0).any() and df["task_id"].notna().any():
            pos2 = _resolve_refs(df["task"].fillna(""), tasks, None)
            pos = np.where(pos < 0, pos2, pos)
        ok = pos >= 0
        ids = tasks["task_id"].to_numpy(dtype=object)
        names = tasks["task"].to_numpy(dtype=object)
        df["task_id"] = pd.Series(
            np.where(ok, ids[np.maximum(pos, 0)], df["task_id"]), index=df.index, dtype="str"
        )
        df["task"] = pd.Series(
            np.where(ok, names[np.maximum(pos, 0)], df["task"]), index=df.index, dtype="str"
        )
        refs_unknown[t] = ~ok
        if t == "updates":
            depts = tasks["department"].to_numpy(dtype=object)
            df["department"] = pd.Series(
                np.where(ok, depts[np.maximum(pos, 0)], None), index=df.index, dtype="str"
            )

    if len(tables["raci"]):
        r = tables["raci"]
        torder = (
            pd.Series(np.arange(len(tasks)), index=tasks["task_id"].to_numpy())
            .groupby(level=0)
            .first()
            if len(tasks)
            else pd.Series([], dtype=int)
        )
        keyt = r["task_id"].map(torder).astype("float64")
        first_seen = pd.Series(np.arange(len(r)), index=r.index).groupby(r["task"]).transform("min")
        keyt = keyt.fillna(len(tasks) + first_seen.astype("float64"))
        dorder = (
            pd.Series(np.arange(len(r)), index=r.index).groupby(r["department"]).transform("min")
        )
        rorder = r["role"].map(_ROLE_ORDER).fillna(9)
        order = np.lexsort((rorder.to_numpy(), dorder.to_numpy(), keyt.to_numpy()))
        tables["raci"] = r.iloc[order].reset_index(drop=True)
        sources["raci"] = sources["raci"].iloc[order].reset_index(drop=True)
        if "raci" in refs_unknown:
            refs_unknown["raci"] = refs_unknown["raci"][order]

    # meetings: start, departments, related task ids
    m = tables["meetings"]
    rel_unknown = None
    if len(m):
        tm = pd.to_timedelta(m["time"].fillna("00:00") + ":00", errors="coerce")
        m["start"] = (
            m["date"].dt.normalize() + tm.where(m["time"].notna(), pd.Timedelta(0))
        ).astype(DATE_DTYPE)
        depts = _departments_known(tasks, tables["contacts"], tables["raci"], project)
        m["departments"] = _meeting_departments(m["participants"], depts)
        if len(tasks):
            m["related_tasks"], rel_unknown, _ = _resolve_lists(
                dates.get(("meetings", "related_tasks")), m["related_tasks"], tasks, None
            )
    a = tables["actions"]
    if len(a):
        a["is_closed"] = a["closed"].notna()

    td = TrackingData(
        **tables,
        sources=sources,
    )
    validate(
        td,
        issues,
        dep_unknown=dep_unknown,
        dep_edges=dep_edges,
        refs_unknown=refs_unknown,
        rel_unknown=rel_unknown,
        keys=keys,
        task_masks=masks,
    )
    acc = pd.DataFrame(
        [(t, *accounting.get(t, (0, 0, 0, 0))) for t in TABLES],
        columns=["table", "rows_read", "rows_loaded", "rows_rejected", "rows_skipped"],
    )
    acc["table"] = acc["table"].astype("str")
    issues.headers = present
    return td.replace(issues=issues.frame(), rejected=issues.rejected(), accounting=acc)


def _fill_years(tables: dict, dates: dict, year: int | None, issues: Issues, sources: dict) -> None:
    """Complete year-less dates (7月15日) with ``year`` or the data's most common year."""
    raw_cells = {k[:2]: v for k, v in dates.items() if len(k) == 3}
    dates = {k: r for k, r in dates.items() if isinstance(r, DateParse)}
    need = {k: r for k, r in dates.items() if r.yearless.any()}
    if not need:
        return
    if year is None:
        years = [r.years() for r in dates.values() if r.parsed.notna().any()]
        allyears = pd.concat(years) if years else pd.Series([], dtype="float64")
        year = int(allyears.mode().iloc[0]) if len(allyears) else None
        how = "the most common year among the data's other dates"
    else:
        how = "year= given by the caller"
    for (t, col), r in need.items():
        src = sources[t][r.yearless.to_numpy()]
        if year is None:
            raw = raw_cells.get((t, col))
            issues.add_many(
                "error",
                "bad_date",
                "Date has no year and no other date gives one.",
                table=t,
                src=src,
                column=col,
                value=raw[r.yearless.to_numpy()] if raw is not None else None,
                hint="Write the full date or pass year=2024.",
            )
            continue
        tables[t][col] = r.fill_year(year)
        first = int(src["row"].iloc[0]) if len(src) else None
        issues.add(
            "info",
            "year_inferred",
            f"{int(r.yearless.sum())} date(s) without a year in {col!r} read as {year} ({how}).",
            table=t,
            file=str(src["file"].iloc[0]),
            sheet=str(src["sheet"].iloc[0]),
            row=first,
            column=col,
            hint="Write full dates (2024-07-15) to avoid guessing.",
        )
