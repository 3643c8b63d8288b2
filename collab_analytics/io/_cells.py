"""Cells a workbook reader shows as empty although they are not: Excel error values
(``#N/A`` from a failed VLOOKUP, ``#REF!`` after a deleted row) and formulas that were never
calculated (the file was written by a tool, not saved by Excel, so it holds no cached value).

The cell reader (calamine) gives both as empty cells. They are found here in the sheet XML
(streamed in chunks; one regular-expression pass) so loading can report each one with its
row, column and text instead of dropping it silently.

Examples
--------
>>> import io
>>> xml = (b'<sheetData><row r="2"><c r="A2" t="s"><v>0</v></c><c r="D2" t="e"><v>#N/A</v></c>'
...        b'<c r="E2"><f>SUM(A1:A2)</f></c><c r="F2"><f>1+1</f><v>2</v></c>'
...        b'<c r="G2"><f>A2*2</f><v></v></c></row></sheetData>')
>>> find_odd_cells(io.BytesIO(xml))
[(1, 3, '#N/A'), (1, 4, '=SUM(A1:A2)'), (1, 6, '=A2*2')]
"""

from __future__ import annotations

import posixpath
import re
import zipfile

__all__ = ["find_odd_cells", "odd_cells_by_sheet"]

# a cell element: its reference, attributes and content (cells never nest)
_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)</(?:\w+:)?f>)")
_MARK = (b't="e"', b"<f")


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def find_odd_cells(fh, chunk: int = 4 * 1024 * 1024) -> list[tuple[int, int, str]]:
    """``(row, column, text)`` (0-based) of error cells and uncalculated formulas in a sheet.

    ``text`` is the error (``#N/A``) or the formula (``=SUM(A1:A2)``; shared formulas
    without their own text show ``=…``).
    """
    out: list[tuple[int, int, str]] = []
    tail = b""
    while True:
        buf = fh.read(chunk)
        data = tail + buf
        if not data:
            return out
        end = len(data) if not buf else data.rfind(b"</row>")
        if end < 0:  # no complete row yet
            tail = data
            continue
        end = end + len(b"</row>") if buf else end
        part, tail = data[:end], data[end:]
        if any(m in part for m in _MARK):
            for m in _CELL.finditer(part):
                attrs, body = m.group(3), m.group(4) or b""
                value = _VALUE.search(body)
                if _ERROR_TYPE.search(attrs):
                    text = value.group(1) if value else b"#ERROR"
                elif (value is None or not value.group(1)) and b"<f" in body:
                    f = _FORMULA.search(body)
                    text = b"=" + (f.group(1) if f and f.group(1) else "…".encode())
                else:
                    continue
                row, col = int(m.group(2)) - 1, _col(m.group(1))
                out.append((row, col, text.decode("utf-8", "replace")))
        if not buf:
            return out


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML member, from the workbook and its relationships."""
    from defusedxml import ElementTree as ET

    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in wb.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        t = target.get(rid)
        if not t:
            continue
        path = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
        out[el.get("name", "")] = path
    return out


def odd_cells_by_sheet(path) -> dict[str, list[tuple[int, int, str]]]:
    """:func:`find_odd_cells` for every worksheet of an ``.xlsx`` file, by sheet name
    (sheets without any are left out; files that are not an ``.xlsx`` zip give ``{}``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            out = {}
            for sheet, member in _sheet_paths(zf).items():
                if member in names:
                    with zf.open(member) as fh:
                        cells = find_odd_cells(fh)
                    if cells:
                        out[sheet] = cells
            return out
    except (zipfile.BadZipFile, OSError):
        return {}
