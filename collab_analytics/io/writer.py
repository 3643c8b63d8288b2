"""Write a :class:`~collab_analytics.data.TrackingData` in the template's workbook layout.

``read_workbook(write_workbook(read_workbook(p), q))`` gives the same canonical tables as
``read_workbook(p)``: task ids, dependency lists (as ids), statuses (as labels in ``lang``),
progress (a percent-formatted fraction, or ``"120%"`` text outside 0–100 %), dates and extra
user columns all survive. Derived columns (``updates.department``, ``meetings.start``,
``meetings.departments``, ``actions.is_closed``) are recomputed on reading.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> from collab_analytics import TrackingData
>>> from collab_analytics.io import read_workbook, write_workbook
>>> from collab_analytics.schema import empty_table
>>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
...     "task_id": ["T1"], "task": ["需求评审"], "department": ["产品部"],
...     "planned_finish": pd.to_datetime(["2024-07-15"])})], ignore_index=True)
>>> p = write_workbook(TrackingData(tasks=tasks), pathlib.Path(tempfile.mkdtemp()) / "w.xlsx")
>>> read_workbook(p).tasks[["task_id", "task", "planned_finish"]].astype(str).values.tolist()
[['T1', '需求评审', '2024-07-15']]
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics.data import TrackingData
from collab_analytics.io.template import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HEADERS,
    NOTES,
    SHEETS,
    TITLES,
    add_validations,
    check_lang,
    set_widths,
    style_header,
    title_row,
)
from collab_analytics.schema import DERIVED_COLUMNS, STATUS_LABELS, TABLES

__all__ = ["write_workbook"]

_TEMPLATE_ROWS = 200
_ROLE_ORDER = "RACI"


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, np.ndarray)) else False
    except (TypeError, ValueError):
        return False


def _cells(s: pd.Series, kind: str, lang: str) -> tuple[list, list]:
    """Cell values and number formats for one column."""
    n = len(s)
    fmts: list = [None] * n
    if kind in ("date", "datetime"):
        vals = []
        for i, v in enumerate(s.tolist()):
            if _is_missing(v):
                vals.append(None)
                continue
            ts = pd.Timestamp(v)
            vals.append(ts.to_pydatetime())
            fmts[i] = DATE_FORMAT if ts == ts.normalize() else DATETIME_FORMAT
        return vals, fmts
    if kind == "pct":
        vals = []
        for i, v in enumerate(s.tolist()):
            if _is_missing(v):
                vals.append(None)
            elif 0 <= v <= 1:
                vals.append(float(v))
                fmts[i] = "0%"
            else:
                vals.append(f"{v * 100:.10g}%")
        return vals, fmts
    if kind == "status":
        labels = STATUS_LABELS[lang]
        return [None if _is_missing(v) else labels[v] for v in s.astype("object").tolist()], fmts
    if kind == "list":
        sep = "、" if lang == "zh" else ", "
        return [
            sep.join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) and len(v) else None
            for v in s.tolist()
        ], fmts
    if kind == "float" or pd.api.types.is_numeric_dtype(s.dtype):
        return [
            None if _is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in s.tolist()
        ], fmts
    return [None if _is_missing(v) else str(v) for v in s.tolist()], fmts


def _extras(df: pd.DataFrame, table: str) -> list[str]:
    known = set(TABLES[table].column_names) | set(DERIVED_COLUMNS.get(table, {}))
    return [c for c in df.columns if c not in known]


def _write_table(
    ws, df: pd.DataFrame, table: str, lang: str, header_row: int, title: str | None = None
) -> int:
    """Write header + rows; returns the last row written."""
    cols = list(HEADERS[lang][table])
    extras = _extras(df, table)
    headers = [HEADERS[lang][table][c] for c in cols] + [str(c) for c in extras]
    if title:
        title_row(ws, header_row - 1, title, len(headers))
    for j, h in enumerate(headers, start=1):
        ws.cell(row=header_row, column=j, value=h)
    style_header(ws, header_row, len(headers))
    for j, c in enumerate(cols + extras, start=1):
        kind = TABLES[table].column(c).kind if c in cols else "extra"
        vals, fmts = _cells(df[c], kind, lang)
        for i, (v, f) in enumerate(zip(vals, fmts, strict=True)):
            if v is None:
                continue
            cell = ws.cell(row=header_row + 1 + i, column=j, value=v)
            if f:
                cell.number_format = f
    last = header_row + len(df)
    add_validations(ws, table, cols, header_row, max(last, header_row + _TEMPLATE_ROWS), lang)
    set_widths(ws, headers)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return last


def _raci_wide(raci: pd.DataFrame, lang: str, blank: bool) -> tuple[list[str], list[list]]:
    """Long RACI → (department headers, rows [task_id, task, letters…])."""
    if blank:
        depts = (
            ["部门A(*对接人:)", "部门B(*对接人:)", "部门C(*对接人:)"]
            if lang == "zh"
            else ["Department A (contact:)", "Department B (contact:)", "Department C (contact:)"]
        )
        return depts, []
    if raci.empty:
        return [], []
    depts = list(pd.unique(raci["department"].astype("str")))
    key = (
        raci["task_id"]
        .astype("object")
        .where(raci["task_id"].notna(), "\x00" + raci["task"].astype("str"))
    )
    rows: list[list] = []
    order = list(pd.unique(key))
    grouped = {k: g for k, g in raci.groupby(key, sort=False)}
    for k in order:
        g = grouped[k]
        first = g.iloc[0]
        cells = []
        for d in depts:
            letters = set(g.loc[g["department"] == d, "role"].astype("str"))
            text = "/".join(x for x in _ROLE_ORDER if x in letters)
            cells.append(text or None)
        tid = None if _is_missing(first["task_id"]) else str(first["task_id"])
        task = None if _is_missing(first["task"]) else str(first["task"])
        rows.append([tid, task, *cells])
    return depts, rows


def write_workbook(data: TrackingData | None, path: str | os.PathLike, *, lang: str = "zh") -> Path:
    """Write tracking data as a workbook in the template's layout.

    Parameters
    ----------
    data : TrackingData or None
        Tables to write; ``None`` writes the blank template.
    path : path-like
        Output ``.xlsx``; parent folders are created.
    lang : {"zh", "en"}
        Language of sheet names, headers and status labels.

    Returns
    -------
    Path
        The written file.
    """
    import openpyxl
    from openpyxl.styles import Font

    check_lang(lang)
    blank = data is None
    td = data if data is not None else TrackingData.empty()
    if not isinstance(td, TrackingData):
        msg = f"write_workbook expects a TrackingData, got {type(td).__name__}."
        raise TypeError(msg)
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        msg = f"Output must be an .xlsx file, got {path.name!r}."
        raise CollabError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    sheets = SHEETS[lang]
    titles = TITLES[lang]
    plabels = HEADERS[lang]["project"]

    # 总表: project block + meeting log
    ws = wb.active
    ws.title = sheets["overview"]
    mcols = len(HEADERS[lang]["meetings"]) + len(_extras(td.meetings, "meetings"))
    title_row(ws, 1, titles["overview"], mcols)
    r = 3
    ws.cell(row=r, column=1, value=titles["project_block"]).font = Font(bold=True)
    r += 1
    multi = len(td.project) > 1
    proj = td.project.iloc[0] if len(td.project) == 1 else None

    def pval(col: str):
        if proj is None or multi:
            return None
        v = proj[col]
        return None if _is_missing(v) else str(v)

    if not multi:
        for col in ("project", "sponsor_department", "lead"):
            ws.cell(row=r, column=1, value=plabels[col]).font = Font(bold=True)
            ws.cell(row=r, column=2, value=pval(col))
            r += 1
        for col in ("departments", "goal"):
            ws.cell(row=r, column=1, value=plabels[col]).font = Font(bold=True)
            ws.cell(row=r + 1, column=1, value=pval(col))
            r += 2
    r += 1
    _write_table(ws, td.meetings, "meetings", lang, r + 1, title=titles["meetings"])
    if not blank and ws.cell(row=r, column=1).value:
        pass

    if multi:
        wsp = wb.create_sheet(sheets["project"])
        _write_table(wsp, td.project, "project", lang, 2, title=titles["project"])

    wst = wb.create_sheet(sheets["tasks"])
    last = _write_table(wst, td.tasks, "tasks", lang, 2, title=titles["tasks"])
    wst.cell(row=last + 2, column=1, value=NOTES[lang])

    wsu = wb.create_sheet(sheets["updates"])
    _write_table(wsu, td.updates, "updates", lang, 2, title=titles["updates"])

    # RACI in wide form
    wsr = wb.create_sheet(sheets["raci"])
    depts, rows = _raci_wide(td.raci, lang, blank)
    head = [HEADERS[lang]["raci"]["task_id"], HEADERS[lang]["raci"]["task"], *depts]
    title_row(wsr, 1, titles["raci"], len(head))
    for j, h in enumerate(head, start=1):
        wsr.cell(row=2, column=j, value=h)
    style_header(wsr, 2, len(head))
    for i, row in enumerate(rows, start=3):
        for j, v in enumerate(row, start=1):
            if v is not None:
                wsr.cell(row=i, column=j, value=v)
    add_validations(
        wsr,
        "raci",
        ["task_id", "task"],
        2,
        2 + max(len(rows), _TEMPLATE_ROWS),
        lang,
        raci_cols=range(2, len(head)),
    )
    set_widths(wsr, head)
    wsr.freeze_panes = "C3"

    for table in ("contacts", "plan", "actions"):
        w = wb.create_sheet(sheets[table])
        _write_table(w, td.table(table), table, lang, 2, title=titles[table])

    try:
        wb.save(path)
    except OSError as exc:
        msg = f"Cannot write {str(path)!r}: {exc.strerror or exc}."
        raise CollabError(msg) from None
    return path
