"""Read the tracking workbook (``.xlsx``; also ``.xlsm``/``.xls``/``.ods`` via calamine).

Sheets are found by name (zh/en aliases, ``表2:任务跟踪子表`` style titles) or, failing that,
by their header content. Inside a sheet, the header row is the row that best matches the known
column names; title rows above it, blank spacer rows and ``注:``/``说明`` notes below are not data.
Vertically merged data cells are filled into every row they cover; a merged group header
over sub-headers (``计划`` over ``开始``/``完成``) is combined (``计划开始``). The project
key/value lines of the 总表 (``项目名称:…``, ``参与部门及对接人`` then ``客服部(王敏)、…``)
become the project table.

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics.io import write_template, read_workbook
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> _ = write_template(p)
>>> td = read_workbook(p)
>>> len(td.tasks), td.has_errors
(0, False)
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from collab_analytics._errors import FileFormatError
from collab_analytics.data import TrackingData
from collab_analytics.io._build import assemble, in_background
from collab_analytics.io._cells import odd_cells_by_sheet
from collab_analytics.io._headers import table_from_name
from collab_analytics.io._limits import (
    check_file_size,
    check_rows,
    check_sheet_dimensions,
    check_zip,
)
from collab_analytics.io._raw import Issues, RawProject, RawTable, split_grid
from collab_analytics.schema import user_columns

__all__ = ["read_workbook", "scan_workbook"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def _check_file(path: Path) -> str:
    """Return the container kind ("zip" or "ole") or raise a located FileFormatError."""
    if not path.exists():
        msg = f"File not found: {str(path)!r}."
        raise FileFormatError(msg)
    if path.is_dir():
        msg = f"{str(path)!r} is a folder, not a workbook. Use read_folder() or load()."
        raise FileFormatError(msg)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head == _OLE_MAGIC:
                fh.seek(0)
                blob = fh.read(4 * 1024 * 1024)
                if _ENCRYPTED_MARK in blob:
                    msg = (
                        f"{path.name!r} is password-protected (encrypted); it cannot be read. "
                        "Hint: open it in Excel, remove the password (文件 › 信息 › 保护工作簿) "
                        "and save it as .xlsx."
                    )
                    raise FileFormatError(msg)
                return "ole"
    except OSError as exc:
        msg = f"Cannot open {path.name!r}: {exc.strerror or exc}."
        raise FileFormatError(msg) from None
    if head[:2] != b"PK":
        text_like = all(b >= 9 for b in head if b) and len(head) > 0
        hint = (
            "It looks like a text/CSV file: rename it to .csv or use read_csv()."
            if text_like
            else "Save it from Excel as .xlsx."
        )
        msg = f"{path.name!r} is not an Excel workbook (no .xlsx zip container). Hint: {hint}"
        raise FileFormatError(msg)
    check_file_size(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            check_zip(path.name, zf)  # sizes from the central directory, before inflating
            check_sheet_dimensions(path.name, zf)  # declared rows, before parsing a sheet
            bad = zf.testzip()
    except FileFormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        msg = (
            f"{path.name!r} is a damaged workbook (corrupt or truncated zip: {exc}). "
            "Hint: re-save it from Excel or restore an earlier copy."
        )
        raise FileFormatError(msg) from None
    if bad is not None:
        msg = (
            f"{path.name!r} is a damaged workbook (member {bad!r} fails its checksum). "
            "Hint: re-save it from Excel or restore an earlier copy."
        )
        raise FileFormatError(msg)
    if (
        "xl/workbook.xml" not in names
        and "content.xml" not in names
        and not any(n.startswith("xl/workbook") for n in names)
    ):
        msg = (
            f"{path.name!r} is a zip file but not an Excel workbook. "
            "Hint: save the tracking table from Excel as .xlsx."
        )
        raise FileFormatError(msg)
    return "zip"


def scan_workbook(
    path: str | os.PathLike, issues: Issues
) -> tuple[list[RawTable], list[RawProject]]:
    """Find every table region and project key/value block in a workbook."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    kind = _check_file(path)
    fname = path.name
    # error cells and uncalculated formulas read as empty: found in the XML meanwhile
    odd = in_background(odd_cells_by_sheet, path) if kind == "zip" else None
    try:
        wb = CalamineWorkbook.from_path(str(path))
        meta = list(wb.sheets_metadata)
    except (CalamineError, OSError, ValueError) as exc:
        msg = f"{fname!r} cannot be read as a workbook: {exc}. Hint: re-save it from Excel."
        raise FileFormatError(msg) from None
    raws: list[RawTable] = []
    projects: list[RawProject] = []
    try:
        for m in meta:
            if "Chart" in str(m.typ):
                continue
            name = m.name
            try:
                sheet = wb.get_sheet_by_name(name)
                check_rows(fname, max(int(sheet.height) - 1, 0), sheet=name)
                rows = sheet.to_python(skip_empty_area=False)
                merges = list(getattr(sheet, "merged_cell_ranges", None) or [])
            except FileFormatError:
                raise
            except (CalamineError, OSError, ValueError) as exc:
                issues.add(
                    "error",
                    "unreadable_sheet",
                    f"Sheet cannot be read: {exc}.",
                    file=fname,
                    sheet=name,
                )
                continue
            if str(m.visible).rsplit(".", 1)[-1] != "Visible":
                issues.add(
                    "info",
                    "hidden_sheet",
                    "Hidden sheet read like the others.",
                    file=fname,
                    sheet=name,
                )
            table = table_from_name(name)
            grid = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
            found, proj = split_grid(
                grid, file=fname, sheet=name, merges=merges, table=table, issues=issues
            )
            if proj.fields:
                projects.append(proj)
            raws.extend(found)
            if not found and not proj.fields:
                if grid.empty or not _has_values(grid):
                    if table is not None:
                        issues.add(
                            "warning",
                            "empty_table",
                            "Sheet is empty.",
                            table=table,
                            file=fname,
                            sheet=name,
                        )
                    else:
                        issues.add(
                            "info", "empty_sheet", "Empty sheet ignored.", file=fname, sheet=name
                        )
                elif table is None:
                    issues.add(
                        "info",
                        "unrecognised_sheet",
                        "Sheet not recognised as a tracking table; ignored.",
                        file=fname,
                        sheet=name,
                        hint="Name it like 任务跟踪表 / Tasks, or give it a header row "
                        "with known column names.",
                    )
    finally:
        wb.close()
    if odd is not None:
        _report_odd_cells(odd.result(), raws, fname, issues)
    return raws, projects


_ODD_CELLS = {
    "excel_error": (
        "Cell holds an Excel error value; read as empty.",
        "Fix the formula in Excel (#N/A usually means a VLOOKUP found no match, #REF! a "
        "deleted cell).",
    ),
    "uncalculated_formula": (
        "Formula without a calculated value (the file was not saved by Excel); read as empty.",
        "Open the file in Excel and save it, so every formula keeps its value.",
    ),
}


def _report_odd_cells(
    odd: dict[str, list[tuple[int, int, str]]], raws: list[RawTable], fname: str, issues: Issues
) -> None:
    """One warning per error cell / uncalculated formula, named by its table's header."""
    for sheet, cells in odd.items():
        rows = np.array([c[0] for c in cells], dtype="int64") + 1  # as the user sees them
        cols = np.array([c[1] for c in cells], dtype="int64")
        table = np.full(len(cells), "", dtype=object)
        column = np.array([_letters(c) for c in cols.tolist()], dtype=object)
        todo = np.ones(len(cells), dtype=bool)
        for r in raws:  # the first table region holding the cell names it
            if r.sheet != sheet or not r.cols:
                continue
            slot = np.full(max(int(cols.max()), *r.cols) + 1, -1, dtype="int64")
            slot[r.cols] = np.arange(len(r.cols))  # sheet column → the table's column
            j = slot[cols]
            hit = todo & (j >= 0) & np.isin(rows, r.rows)
            table[hit] = r.table
            column[hit] = np.asarray(r.headers, dtype=object)[j[hit]]
            todo &= ~hit
        for k, (_row, _col, text) in enumerate(cells):
            code = "uncalculated_formula" if text.startswith("=") else "excel_error"
            message, hint = _ODD_CELLS[code]
            issues.add(
                "warning",
                code,
                message,
                table=table[k],
                file=fname,
                sheet=sheet,
                row=int(rows[k]),
                column=column[k],
                value=text,
                hint=hint,
            )


def _letters(col: int) -> str:
    """0-based column number → Excel letters (0 → A, 27 → AB)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _has_values(grid: pd.DataFrame) -> bool:
    for c in grid.columns:
        s = grid[c]
        if s.map(
            lambda v: v is not None and v != "" and not (isinstance(v, str) and not v.strip())
        ).any():
            return True
    return False


def read_workbook(
    path: str | os.PathLike,
    *,
    status_map: dict[str, str] | None = None,
    year: int | None = None,
    strict: bool = False,
    lang: str | None = None,
    columns: dict[str, str] | None = None,
) -> TrackingData:
    """Load a tracking workbook into a validated :class:`~collab_analytics.data.TrackingData`.

    Parameters
    ----------
    path : path-like
        ``.xlsx`` (or ``.xlsm``/``.xls``/``.ods``) file.
    status_map : dict, optional
        Extra status words → codes (``{"Resolved": "done"}``); they win over the built-ins.
    year : int, optional
        Year for dates written without one (``7月15日``); default: the data's most common year.
    strict : bool
        Raise :class:`~collab_analytics.DataValidationError` listing every error.
    lang : {"zh", "en"}, optional
        Accepted for symmetry with the writers; headers of both languages are always read.
    columns : dict, optional
        Your own header names for canonical columns, e.g. ``{"Summary": "task",
        "Component/s": "department"}`` (see :func:`collab_analytics.schema.user_columns`).

    Returns
    -------
    TrackingData
        Canonical tables (columns as in :mod:`collab_analytics.schema`), ``issues``,
        ``rejected``, ``accounting`` and per-table ``sources`` (file, sheet, row).

    Raises
    ------
    FileFormatError
        The file is missing, not a workbook, damaged or password-protected.
    """
    issues = Issues()
    with user_columns(columns):
        raws, projects = scan_workbook(path, issues)
        if not raws and not projects:
            issues.add(
                "error",
                "no_tables",
                "No tracking table found in the workbook.",
                file=Path(path).name,
                hint="Expected sheets such as 总表, 任务跟踪子表, RACI矩阵 (or Tasks, RACI…).",
            )
        td = assemble(raws, projects, issues, status_map=status_map, year=year)
    return td.raise_for_errors() if strict else td
