"""Tables to XLSX / CSV, with spreadsheet formula injection neutralised.

Any text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
read as a formula by Excel/LibreOffice (openpyxl even writes ``=…`` strings *as* formulas); such
cells get a leading apostrophe ``'`` so they show as the literal text. Numbers, dates and other
text are written unchanged.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.export.tables import neutralize_formulas
>>> df = pd.DataFrame({"task": ["=HYPERLINK(\\"x\\")", "需求评审", "-1+2", "@SUM(A1)"],
...                    "n": [1, -2, 3, 4]})
>>> neutralize_formulas(df)["task"].tolist()
['\\'=HYPERLINK("x")', '需求评审', "'-1+2", "'@SUM(A1)"]
>>> neutralize_formulas(df)["n"].tolist()
[1, -2, 3, 4]
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics._lists import is_list_column, join_text

__all__ = ["FORMULA_PREFIXES", "neutralize_formulas", "write_csv", "write_xlsx"]

#: Leading characters that make a spreadsheet treat text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_RISKY = re.compile(r"^[=+\-@\t\r]")


def _neutralize_series(s: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        text = s.astype("str")
        risky = text.str.match(_RISKY) & s.notna() & s.map(lambda v: isinstance(v, str))
        if risky.any():
            out = s.astype("object").copy()
            out[risky] = "'" + text[risky]
            return out
    return s


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose risky text cells (and column names) start with ``'``.

    Only text is touched: numeric, boolean and datetime columns are returned as they are.
    """
    out = df.copy()
    for col in out.columns:
        out[col] = _neutralize_series(out[col])
    out.columns = ["'" + c if isinstance(c, str) and _RISKY.match(c) else c for c in out.columns]
    return out


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = neutralize_formulas(df)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif is_list_column(s):
            out[col] = join_text(s)
        elif s.dtype == object:
            # lists / dicts (e.g. depends_on) as readable text
            out[col] = s.map(lambda v: "、".join(map(str, v)) if isinstance(v, list | tuple) else v)
    return out


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:31]
    cand, i = base, 2
    while cand.lower() in used:
        suffix = f"_{i}"
        cand = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(cand.lower())
    return cand


def write_xlsx(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write each table to its own sheet of one workbook (header row frozen).

    Sheet names are made valid (≤ 31 characters, no ``[]:*?/\\``) and unique.
    """
    path = Path(path)
    if not tables:
        msg = "No tables to write."
        raise CollabError(msg)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in tables.items():
            sheet = _sheet_name(name, used)
            _excel_ready(df).to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            ws.freeze_panes = "A2"
            for j, col in enumerate(df.columns, start=1):
                width = min(max(len(str(col)) * 2 + 2, 10), 40)
                ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = width
    return path


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as UTF-8 CSV with a BOM (so Excel opens Chinese text correctly).

    Lines end with CRLF, as Excel writes them; with that terminator every cell holding a
    CR or LF is quoted, so text with a bare CR cannot split a row.
    """
    path = Path(path)
    _excel_ready(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path
