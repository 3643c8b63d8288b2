"""Recognising tables: sheet/file names, header rows, header → canonical column mapping.

Examples
--------
>>> from collab_analytics.io._headers import table_from_name, score_header, map_headers
>>> table_from_name("表2:任务跟踪子表(示例:需求收集阶段)"), table_from_name("Meeting log")
('tasks', 'meetings')
>>> score_header("tasks", ["任务名称", "负责部门", "计划完成", "状态"])
7
>>> map_headers("tasks", ["任务名称", " 计划 完成 ", "我的备注列"])[0]
['task', 'planned_finish', None]
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from collab_analytics.schema import (
    TABLES,
    canonical_column,
    normalize_header,
    strip_marker,
)
from collab_analytics.schema import (
    header_key as _key,
)

__all__ = [
    "best_table",
    "is_note",
    "is_title",
    "map_headers",
    "score_header",
    "suggest",
    "table_from_name",
]

_ROLE_LETTERS = set("RACI")
_NOTE_RE = re.compile(
    r"^\s*(?:[*※＊]|(?:注|说明|备注|注意|填写说明|填表说明|note|notes|remark|remarks)\s*\d*\s*[:：、.．)）])",
    re.IGNORECASE,
)
_TITLE_RE = re.compile(r"^\s*(?:表\s*\d+|table\s*\d+)\s*[:：.．、\s]", re.IGNORECASE)


def _name_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = re.sub(r"^(?:表|table|sheet)\s*\d+\s*[:：.、\-_ ]*", "", s, flags=re.IGNORECASE)
    s = re.sub(r"[\(（\[【][^\)）\]】]*[\)）\]】]", "", s)
    s = re.sub(r"\.(csv|xlsx|xlsm|xls|parquet|txt|tsv)$", "", s, flags=re.IGNORECASE)
    s = re.sub(r"^\d+[\s_\-.]+", "", s)  # "02_tasks"
    return re.sub(r"[\s_\-]+", "", s).lower()


_NAME_INDEX: list[tuple[str, str]] = sorted(
    {
        (_name_key(a), t)
        for t, spec in TABLES.items()
        for a in (t, spec.label_zh, spec.label_en, *spec.sheet_aliases)
        if _name_key(a)
    },
    key=lambda kv: -len(kv[0]),
)


def table_from_name(name: str) -> str | None:
    """Canonical table for a sheet or file name (exact alias first, then longest contained)."""
    key = _name_key(name)
    if not key:
        return None
    for alias, table in _NAME_INDEX:
        if alias == key:
            return table
    for alias, table in _NAME_INDEX:
        if len(alias) >= 2 and alias in key:
            return table
    return None


def _cell_text(v: object) -> str:
    if v is None or isinstance(v, (int, float, bool)):
        return ""
    return str(v).strip()


def _looks_like_department(text: str) -> bool:
    s = strip_marker(text)
    return bool(s) and (
        s.endswith(("部", "中心", "组", "团队", "室", "处", "科", "dept", "team"))
        or "对接人" in normalize_header(text)
    )


def score_header(table: str, cells: list[object]) -> int:
    """How well a row of cells reads as the header of ``table``.

    Distinct canonical columns matched plus a bonus for each required one; 0 when fewer than
    two columns match. A RACI matrix in wide form scores by its task column plus department
    columns (``客服部(*对接人:)``).
    """
    texts = [_cell_text(c) for c in cells]
    matched = {canonical_column(table, t) for t in texts if t}
    matched.discard(None)
    if table == "raci" and matched <= {"task", "task_id"} and "task" in matched:
        others = [t for t in texts if t and canonical_column(table, t) is None]
        depts = sum(_looks_like_department(t) for t in others)
        return 2 + 2 * depts + (len(others) - depts) if others else 0
    if len(matched) < 2:
        return 0
    required = set(TABLES[table].required)
    return len(matched) + len(matched & required)


def best_table(cells: list[object], candidates: list[str] | None = None) -> tuple[str | None, int]:
    """Best-scoring table for a header row (ties go to the first candidate)."""
    best, best_score = None, 0
    for t in candidates or [t for t in TABLES if t != "project"] + ["project"]:
        sc = score_header(t, cells)
        if sc > best_score:
            best, best_score = t, sc
    return best, best_score


def map_headers(table: str, headers: list[str]) -> tuple[list[str | None], list[int]]:
    """Canonical column per header (``None`` for extra columns) and positions of duplicates.

    A canonical column matched twice keeps its first header; later ones are reported as
    duplicates and kept as extra columns.
    """
    out: list[str | None] = []
    seen: set[str] = set()
    dups: list[int] = []
    for i, h in enumerate(headers):
        c = canonical_column(table, h) if h else None
        if c is not None and c in seen:
            dups.append(i)
            c = None
        if c is not None:
            seen.add(c)
        out.append(c)
    return out, dups


def suggest(table: str, headers: list[str], missing: str) -> str:
    """A "did you mean" hint for a missing required column, using the user's own headers."""
    spec = TABLES[table].column(missing)
    wanted = [missing, *spec.aliases]
    keys = {_key(h): h for h in headers if h}
    close: list[str] = []
    for w in wanted:
        for k in difflib.get_close_matches(_key(w), list(keys), n=2, cutoff=0.5):
            if keys[k] not in close:
                close.append(keys[k])
    zh = [a for a in spec.aliases if re.search(r"[\u4e00-\u9fff]", a)][:3]
    en = [a for a in spec.aliases if not re.search(r"[\u4e00-\u9fff]", a)][:2]
    hint = f"Name a column one of: {zh + en}."
    if close:
        hint = f"Did you mean {close[0]!r} (rename it to {zh[0] if zh else missing!r})? " + hint
    return hint


def is_note(text: object) -> bool:
    """A note line under a table (``注:…``, ``说明:…``, ``* …``)."""
    return isinstance(text, str) and bool(_NOTE_RE.match(text))


def is_title(text: object) -> bool:
    """A title or section line (``表2:任务跟踪子表``, ``沟通计划与跟踪``)."""
    if not isinstance(text, str):
        return False
    if _TITLE_RE.match(text):
        return True
    key = _name_key(text)
    return any(alias == key for alias, _ in _NAME_INDEX)


def role_letters(text: str) -> str:
    """RACI letters in a cell (``"A/R"`` → ``"AR"``), or ``""`` if the cell has other text."""
    s = re.sub(r"[\s/、,，;；+&|]+", "", unicodedata.normalize("NFKC", text)).upper()
    return s if s and set(s) <= _ROLE_LETTERS else ""
