"""Raw tables as readers hand them over, and the grid → raw-table step shared by readers.

A reader (Excel, CSV, Parquet) only finds *where* a table is: its header cells, its data rows
with the row numbers the user sees, and the file/sheet. Turning that into canonical, typed,
validated tables happens once, in :mod:`collab_analytics.io._build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from collab_analytics.io._headers import (
    best_table,
    is_note,
    is_title,
    score_header,
    table_from_name,
)
from collab_analytics.schema import TABLES, canonical_column, normalize_header

__all__ = ["Issues", "RawProject", "RawTable", "split_grid"]

_MIN_HEADER_SCORE = 4  # two columns, one of them required (or three plain ones)
_HEADER_SCAN_ROWS = 60


@dataclass
class RawTable:
    """One table region found in a file: header texts, raw data rows and where they came from."""

    table: str
    headers: list[str]
    frame: pd.DataFrame  # positional columns 0..n-1, raw cell values, data rows only
    rows: np.ndarray  # row number as the user sees it, per frame row
    file: str
    sheet: str = ""
    skipped: int = 0  # blank, note, title and repeated-header rows (not data)
    cols: list[int] | None = None  # sheet column (0-based) of each frame column, when known
    #: frame columns (positions) of ``str`` dtype that :func:`~collab_analytics.io._parse.to_text`
    #: would return unchanged (trimmed, no blank texts), as the reader found them
    clean: frozenset[int] = frozenset()
    #: frame columns (positions) the reader already parsed while reading: ``(kind, result of
    #: _build._parse_column for that kind)``; used only when the frame reaches the parse as read
    parsed: dict[int, tuple[str, tuple]] = field(default_factory=dict)
    #: frame columns (positions) of task names whose comparison keys the reader computed:
    #: ``(the names as read, their keys)``; used only when the loader's names are that array
    keys: dict[int, tuple[object, object]] = field(default_factory=dict)
    #: task names whose duplicates (within their projects) the reader found: ``(the names as
    #: read, the projects as read or None, mask)``; used only for those very arrays
    dups: tuple[object, object, object] | None = None


@dataclass
class RawProject:
    """Project key/value lines (``项目名称:智能客服系统上线``) with their rows."""

    fields: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    file: str = ""
    sheet: str = ""


class Issues:
    """Collects issue rows (scalar or vectorised) and rejected rows while loading."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []
        self._rows: list[dict] = []
        self._rejected: list[pd.DataFrame] = []
        #: per table, canonical column → the user's header: issues that name a canonical
        #: column are shown with the header the user wrote (see :meth:`frame`)
        self.headers: dict[str, dict[str, str]] = {}

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        *,
        table: str = "",
        file: str = "",
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        value: object = "",
        hint: str = "",
    ) -> None:
        self._rows.append(
            {
                "severity": severity,
                "code": code,
                "table": table,
                "file": file,
                "sheet": sheet,
                "row": row,
                "column": column,
                "value": "" if value is None else str(value),
                "message": message,
                "hint": hint,
            }
        )

    def add_many(
        self,
        severity: str,
        code: str,
        message: str | pd.Series,
        *,
        table: str,
        src: pd.DataFrame,
        column: str = "",
        value: pd.Series | None = None,
        hint: str = "",
    ) -> None:
        """One issue per row of ``src`` (a sources frame: file, sheet, row)."""
        if len(src) == 0:
            return
        n = len(src)
        vals = (
            value.astype("str").fillna("").to_numpy()
            if value is not None
            else np.full(n, "", dtype=object)
        )
        msgs = message.to_numpy() if isinstance(message, pd.Series) else np.full(n, message)
        self._frames.append(
            pd.DataFrame(
                {
                    "severity": severity,
                    "code": code,
                    "table": table,
                    "file": np.asarray(src["file"].astype(object)),
                    "sheet": np.asarray(src["sheet"].astype(object)),
                    "row": src["row"].to_numpy(),
                    "column": column,
                    "value": vals,
                    "message": msgs,
                    "hint": hint,
                }
            )
        )

    def reject(self, table: str, src: pd.DataFrame, reason: str) -> None:
        if len(src):
            self._rejected.append(
                pd.DataFrame(
                    {
                        "table": table,
                        "file": src["file"].astype("str").to_numpy(),
                        "sheet": src["sheet"].astype("str").to_numpy(),
                        "row": src["row"].to_numpy(),
                        "reason": reason,
                    }
                )
            )

    def frame(self) -> pd.DataFrame:
        from collab_analytics.data import ISSUE_COLUMNS

        parts = [*self._frames]
        if self._rows:
            parts.append(pd.DataFrame(self._rows))
        if not parts:
            from collab_analytics.data import empty_issues

            return empty_issues()
        df = pd.concat(parts, ignore_index=True)[list(ISSUE_COLUMNS)]
        for c in ISSUE_COLUMNS:
            if c != "row":
                df[c] = df[c].astype("str").fillna("")
        df["row"] = pd.array(df["row"], dtype="Int64")
        for table, names in self.headers.items():
            renamed = {c: h for c, h in names.items() if h and h != c}
            if renamed:
                mask = (df["table"] == table) & df["column"].isin(list(renamed))
                if mask.any():
                    df.loc[mask, "column"] = df.loc[mask, "column"].map(renamed)
        order = df["severity"].map({"error": 0, "warning": 1, "info": 2})
        return (
            df.assign(_o=order)
            .sort_values("_o", kind="stable")
            .drop(columns="_o")
            .reset_index(drop=True)
        )

    def rejected(self) -> pd.DataFrame:
        cols = ("table", "file", "sheet", "row", "reason")
        if not self._rejected:
            df = pd.DataFrame({c: pd.Series([], dtype="str") for c in cols})
        else:
            df = pd.concat(self._rejected, ignore_index=True)
            for c in ("table", "file", "sheet", "reason"):
                df[c] = df[c].astype("str")
        df["row"] = pd.array(df["row"], dtype="Int64")
        return df


# ------------------------------------------------------------------------------ grid


def _clean_grid(grid: pd.DataFrame) -> pd.DataFrame:
    """Blank strings → missing (vectorised per column)."""
    out = {}
    for c in grid.columns:
        s = grid[c]
        if s.dtype == object:
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind == "string":  # all text: strip in Arrow, not per Python object
                s = s.astype("str")
                s = s.mask(s.str.strip().eq("").fillna(False).astype(bool))
            elif kind in ("mixed", "mixed-integer", "mixed-integer-float"):
                st = s.str.strip()
                s = s.mask(st.eq("").fillna(False).astype(bool))
            elif kind == "empty":
                s = pd.Series(None, index=s.index, dtype=object)
        elif pd.api.types.is_string_dtype(s.dtype):
            s = s.mask(s.str.strip().eq("").fillna(False).astype(bool))
        out[c] = s
    return pd.DataFrame(out, index=grid.index)


def _row_cells(grid: pd.DataFrame, i: int) -> list[object]:
    return [v for v in grid.iloc[i].tolist()]


def _project_lines(grid: pd.DataFrame, stop: int, raw: RawProject, first_row: int) -> None:
    """Read ``项目名称:X`` / ``项目名称 | X`` / section-title-then-value lines above ``stop``."""
    pending: str | None = None
    for i in range(stop):
        cells = [v for v in grid.iloc[i].tolist() if v is not None and not _isna(v)]
        if not cells:
            continue
        first = str(cells[0]).strip()
        row = first_row + i
        key_text, _, rest = first.replace("：", ":").partition(":")
        col = canonical_column("project", key_text) if key_text else None
        if col is not None and (rest.strip() or len(cells) > 1):
            value = rest.strip() or str(cells[1]).strip()
            raw.fields.setdefault(col, value)
            raw.rows.setdefault(col, row)
            pending = None
            continue
        if col is not None and len(cells) == 1:
            pending = col
            continue
        if pending is not None:
            if not is_title(first):
                raw.fields.setdefault(pending, " ".join(str(c).strip() for c in cells))
                raw.rows.setdefault(pending, row)
            pending = None


def _isna(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _two_row_header(grid: pd.DataFrame, h: int, hmerges: list[tuple[int, int]]) -> list[str] | None:
    """Combine a merged group header with the sub-headers below it (计划 | 开始/完成)."""
    if not hmerges or h + 1 >= len(grid):
        return None
    top = grid.iloc[h].tolist()
    sub = grid.iloc[h + 1].tolist()
    covered = [False] * len(top)
    for c0, c1 in hmerges:
        for c in range(c0, c1 + 1):
            if c < len(covered):
                covered[c] = True
    if not any(covered[c] and isinstance(sub[c], str) for c in range(len(sub))):
        return None
    out = []
    for c in range(len(top)):
        group = None
        for c0, c1 in hmerges:
            if c0 <= c <= c1:
                group = top[c0]
        if group is not None and isinstance(sub[c], str):
            out.append(normalize_header(group) + normalize_header(sub[c]))
        elif top[c] is not None and not _isna(top[c]):
            out.append(str(top[c]))
        elif isinstance(sub[c], str):
            out.append(sub[c])
        else:
            out.append("")
    return out


def split_grid(
    grid: pd.DataFrame,
    *,
    file: str,
    sheet: str = "",
    first_row: int = 1,
    merges: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
    table: str | None = None,
    issues: Issues,
) -> tuple[list[RawTable], RawProject]:
    """Find the tables (and project key/value lines) in one sheet's cell grid.

    ``grid`` has one column per sheet column and one row per sheet row (row ``i`` is the
    user's row ``first_row + i``). ``table`` forces the table (from the sheet or file name).
    """
    grid = grid.reset_index(drop=True)
    grid.columns = range(grid.shape[1])
    merges = merges or []
    # vertical merges in the data: the value belongs to every row of the range
    for (r0, c0), (r1, _c1) in merges:
        if r1 > r0 and c0 < grid.shape[1] and r0 < len(grid):
            grid.iloc[r0 + 1 : r1 + 1, c0] = grid.iloc[r0, c0]
    grid = _clean_grid(grid)
    project = RawProject(file=file, sheet=sheet)
    if grid.empty or grid.notna().to_numpy().sum() == 0:
        return [], project

    nonempty = grid.notna().sum(axis=1).to_numpy()
    forced = table if table not in (None, "project") else None
    n = len(grid)
    # candidate header rows: the top of the sheet and rows just after a blank/title line
    cand = list(range(min(n, _HEADER_SCAN_ROWS)))
    if forced is None and n > _HEADER_SCAN_ROWS:
        brk = np.flatnonzero(nonempty[:-1] <= 1) + 1
        cand += [int(i) for i in brk[brk >= _HEADER_SCAN_ROWS][:200]]
    headers_at: list[tuple[int, str]] = []
    if forced is not None:
        best_i, best_s = -1, 0
        for i in cand:
            if nonempty[i] < 1:
                continue
            sc = score_header(forced, grid.iloc[i].tolist())
            if sc > best_s:
                best_i, best_s = i, sc
        if best_i >= 0 and best_s >= 2:
            headers_at.append((best_i, forced))
    else:
        for i in cand:
            if nonempty[i] < 2:
                continue
            t, sc = best_table(grid.iloc[i].tolist())
            if t is not None and t != "project" and sc >= _MIN_HEADER_SCORE:
                if headers_at and headers_at[-1][1] == t and _same_row(grid, headers_at[-1][0], i):
                    continue  # a repeated header inside a table
                headers_at.append((i, t))
        if not headers_at:
            t, sc = None, 0
            for i in cand:
                tt, s2 = best_table(grid.iloc[i].tolist(), ["project"])
                if s2 > sc:
                    t, sc, hi = tt, s2, i
            if t == "project" and sc >= 3:
                headers_at.append((hi, "project"))

    stop = headers_at[0][0] if headers_at else n
    _project_lines(grid, stop, project, first_row)
    if not headers_at:
        if not project.fields and table not in (None, "project"):
            issues.add(
                "error",
                "no_header",
                f"No header row for table {table!r} found in the first {_HEADER_SCAN_ROWS} rows.",
                table=table,
                file=file,
                sheet=sheet,
                hint="Put a header row such as 任务名称 | 负责部门 | 计划完成 above the data.",
            )
        return [], project

    hmerge_rows: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, c1) in merges:
        if r0 == r1 and c1 > c0:
            hmerge_rows.setdefault(r0, []).append((c0, c1))

    out: list[RawTable] = []
    for k, (h, t) in enumerate(headers_at):
        end = headers_at[k + 1][0] if k + 1 < len(headers_at) else n
        headers = _two_row_header(grid, h, hmerge_rows.get(h, []))
        start = h + 2 if headers is not None else h + 1
        if headers is None:
            headers = ["" if _isna(v) else str(v).strip() for v in grid.iloc[h].tolist()]
        region = grid.iloc[start:end]
        keep_cols = [i for i, hd in enumerate(headers) if hd] or list(range(len(headers)))
        # columns without a header but with data are kept as extra columns
        data_cols = [i for i in range(grid.shape[1]) if i in keep_cols or region[i].notna().any()]
        region = region[data_cols]
        hdrs = [headers[i] if headers[i] else f"column_{i + 1}" for i in data_cols]
        skip = non_data_rows(region, hdrs)
        data = region[~skip]
        data.columns = range(len(hdrs))
        rows = (np.arange(start, end) + first_row)[~skip]
        out.append(
            RawTable(
                t,
                hdrs,
                data.reset_index(drop=True),
                rows,
                file,
                sheet,
                skipped=int(skip.sum()),
                cols=list(data_cols),
            )
        )
    return out, project


def non_data_rows(region: pd.DataFrame, hdrs: list[str]) -> np.ndarray:
    """Mask of rows that are not data: blank, a single note/title cell, or a repeated header."""
    cnt = np.zeros(len(region), dtype="int64")
    for c in region.columns:  # per column: no row-wise reduction over mixed dtypes
        cnt += region[c].notna().to_numpy()
    skip = cnt == 0
    single = np.flatnonzero(cnt == 1)
    if len(single):
        first_val = region.iloc[single].bfill(axis=1).iloc[:, 0]
        noteish = first_val.map(lambda v: is_note(v) or is_title(v)).to_numpy(dtype=bool)
        skip[single[noteish]] = True
    # a repeated header line (tables pasted one under another) is not data
    if len(hdrs) and len(region):
        c0 = region.columns[0]
        first = region[c0].astype("str")
        head = str(hdrs[0]).strip()
        # a cell equal to the header once trimmed is at least as long: only those are trimmed
        long_enough = (first.str.len() >= len(head)).fillna(False).to_numpy(dtype=bool)
        maybe = np.flatnonzero(long_enough & (cnt >= 2))
        cand = maybe[(first.iloc[maybe].str.strip() == head).fillna(False).to_numpy(dtype=bool)]
        if len(cand):
            hdr_key = [normalize_header(x) for x in hdrs]
            sub = region.iloc[cand]
            same = np.ones(len(sub), dtype=bool)
            for j, c in enumerate(region.columns):
                col = sub[c]
                same &= (
                    col.map(normalize_header, na_action="ignore").fillna("") == hdr_key[j]
                ).to_numpy() | col.isna().to_numpy()
            skip[cand[same]] = True
    return skip


def _same_row(grid: pd.DataFrame, i: int, j: int) -> bool:
    a = [normalize_header(v) if isinstance(v, str) else None for v in grid.iloc[i].tolist()]
    b = [normalize_header(v) if isinstance(v, str) else None for v in grid.iloc[j].tolist()]
    return a == b


def guess_table(headers: list[str], name: str = "") -> str | None:
    """Table for a file: by its name, else by its header row."""
    t = table_from_name(name) if name else None
    if t is not None:
        return t
    t, sc = best_table(headers)
    return t if sc >= 3 else None


_ = TABLES
