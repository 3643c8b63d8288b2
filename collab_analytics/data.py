"""`TrackingData`: the validated container every analysis starts from.

Examples
--------
>>> from collab_analytics import TrackingData
>>> td = TrackingData.empty()
>>> td.tasks.shape[0], td.has_errors
(0, False)
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from collab_analytics._errors import DataValidationError
from collab_analytics.schema import DATE_DTYPE, TABLES, empty_table

__all__ = ["ISSUE_COLUMNS", "TABLE_NAMES", "TrackingData", "empty_issues"]

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Columns of :attr:`TrackingData.issues` (one row per problem found while loading).
ISSUE_COLUMNS: tuple[str, ...] = (
    "severity",  # "error" | "warning" | "info"
    "code",  # stable machine-readable rule id, e.g. "missing_column", "bad_date"
    "table",
    "file",
    "sheet",
    "row",  # row number as the user sees it in Excel / the CSV line number (1-based), or <NA>
    "column",  # the user's header text
    "value",
    "message",
    "hint",
)


@functools.cache
def _issue_frame() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype="str") for c in ISSUE_COLUMNS})
    df["row"] = df["row"].astype("Int64")
    return df


def empty_issues() -> pd.DataFrame:
    """An empty issue table with :data:`ISSUE_COLUMNS` (a copy of one made on first use)."""
    return _issue_frame().copy()


def _empty_rejected() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype="str") for c in ("table", "file", "sheet", "reason")})
    df.insert(3, "row", pd.Series([], dtype="Int64"))
    return df


def _empty_accounting() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": pd.Series([], dtype="str"),
            "rows_read": pd.Series([], dtype="int64"),
            "rows_loaded": pd.Series([], dtype="int64"),
            "rows_rejected": pd.Series([], dtype="int64"),
            "rows_skipped": pd.Series([], dtype="int64"),
        }
    )


def _latest(s: pd.Series) -> pd.Timestamp | None:
    """The latest date of a column (``None`` if it has none). A ``datetime64`` column is read
    as its int64 view in one pass: NaT is the smallest int64, so it is never the maximum
    unless every value is NaT."""
    if len(s) == 0:
        return None
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":  # naive datetime64
        v = s.to_numpy()
        top = v.view("i8").max()
        return None if top == np.iinfo("i8").min else pd.Timestamp(np.array(top).view(v.dtype)[()])
    return s.max() if s.notna().any() else None


@dataclass(frozen=True)
class TrackingData:
    """Canonical tracking tables plus what loading found.

    Attributes
    ----------
    project, tasks, updates, raci, contacts, plan, meetings, actions : DataFrame
        Canonical tables (see ``docs/data-model.md``); ``raci`` is always in long form
        ``[task_id, task, department, role]``.
    issues : DataFrame
        Every problem found while loading, columns :data:`ISSUE_COLUMNS`.
    rejected : DataFrame
        Input rows that were not loaded: ``[table, file, sheet, row, reason]``.
    accounting : DataFrame
        Per table: ``rows_read = rows_loaded + rows_rejected``; ``rows_skipped`` counts
        lines that are not data rows (blank spacers, titles, notes, repeated headers).
    sources : dict
        Per table, a frame aligned with the table's index giving ``file, sheet, row`` of
        each loaded row, so later checks can point at the user's cell.
    """

    project: pd.DataFrame = field(default_factory=lambda: empty_table("project"))
    tasks: pd.DataFrame = field(default_factory=lambda: empty_table("tasks"))
    updates: pd.DataFrame = field(default_factory=lambda: empty_table("updates"))
    raci: pd.DataFrame = field(default_factory=lambda: empty_table("raci"))
    contacts: pd.DataFrame = field(default_factory=lambda: empty_table("contacts"))
    plan: pd.DataFrame = field(default_factory=lambda: empty_table("plan"))
    meetings: pd.DataFrame = field(default_factory=lambda: empty_table("meetings"))
    actions: pd.DataFrame = field(default_factory=lambda: empty_table("actions"))
    issues: pd.DataFrame = field(default_factory=empty_issues)
    rejected: pd.DataFrame = field(default_factory=lambda: _empty_rejected())
    accounting: pd.DataFrame = field(default_factory=_empty_accounting)
    sources: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def empty(cls) -> TrackingData:
        """A container with every table empty."""
        return cls()

    def replace(self, **changes) -> TrackingData:
        """Return a copy with some tables replaced (the container is immutable)."""
        return replace(self, **changes)

    def table(self, name: str) -> pd.DataFrame:
        """A canonical table by name."""
        if name not in TABLE_NAMES:
            msg = f"Unknown table {name!r}. Expected one of: {list(TABLE_NAMES)}."
            raise KeyError(msg)
        return getattr(self, name)

    # ------------------------------------------------------------------ views
    @property
    def errors(self) -> pd.DataFrame:
        """Issues with severity ``error``."""
        return self.issues[self.issues["severity"] == "error"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        """Issues with severity ``warning``."""
        return self.issues[self.issues["severity"] == "warning"].reset_index(drop=True)

    @property
    def has_errors(self) -> bool:
        return bool((self.issues["severity"] == "error").any())

    @property
    def departments(self) -> list[str]:
        """Departments in a stable, meaningful order: order of first appearance in the tasks,
        then contacts, then RACI columns."""
        parts = [
            s.dropna().astype(str)
            for s in (
                self.tasks["department"],
                self.contacts["department"],
                self.raci["department"],
            )
        ]
        if not any(len(p) for p in parts):
            return []
        values = pd.unique(pd.concat(parts, ignore_index=True))  # keeps first-appearance order
        return [v for v in values if v]

    @property
    def as_of(self) -> pd.Timestamp | None:
        """Default as-of date: the latest date found in the data (never the wall clock).

        Looks at task actual dates, update dates, meeting dates and action closures.
        """
        candidates = [
            self.tasks["actual_start"],
            self.tasks["actual_finish"],
            self.updates["date"],
            self.meetings["date"],
            self.actions["closed"],
        ]
        values = [v for v in map(_latest, candidates) if v is not None]
        if not values:
            pf = self.tasks["planned_start"]
            return pf.min().normalize() if pf.notna().any() else None
        return pd.Timestamp(max(values)).normalize()

    def raise_for_errors(self) -> TrackingData:
        """Raise :class:`DataValidationError` listing every error, or return ``self``."""
        if not self.has_errors:
            return self
        errs = self.errors
        lines = [f"{len(errs)} error(s) found while loading:"]
        for r in errs.itertuples(index=False):
            lines.append("  - " + format_issue(r._asdict()))
        msg = "\n".join(lines)
        raise DataValidationError(msg, issues=errs)

    def summary(self, lang: str = "en") -> str:
        """A short human-readable load report: table sizes, errors, warnings, rejected rows."""
        zh = lang == "zh"
        lines = []
        acc = self.accounting.set_index("table") if len(self.accounting) else None
        head = "表" if zh else "table"
        head += " " * (10 - _width(head))
        cols = (
            ("读取", "read", 8),
            ("载入", "loaded", 8),
            ("拒绝", "rejected", 10),
            ("跳过", "skipped", 9),
        )
        lines.append(head + "".join(_rjust(z if zh else e, w) for z, e, w in cols))
        for name in TABLE_NAMES:
            n = len(getattr(self, name))
            shown = TABLES[name].label_zh if zh else name
            shown += " " * max(0, 10 - _width(shown))
            if acc is not None and name in acc.index:
                r = acc.loc[name]
                skipped = r.get("rows_skipped", 0)
                skipped = 0 if pd.isna(skipped) else int(skipped)
                lines.append(
                    f"{shown}{int(r.rows_read):>8}{int(r.rows_loaded):>8}"
                    f"{int(r.rows_rejected):>10}{skipped:>9}"
                )
            else:
                lines.append(f"{shown}{n:>8}{n:>8}{0:>10}{0:>9}")
        n_err = int((self.issues["severity"] == "error").sum())
        n_warn = int((self.issues["severity"] == "warning").sum())
        lines.append(
            f"{'错误' if zh else 'errors'}: {n_err}   {'警告' if zh else 'warnings'}: {n_warn}"
        )
        for r in self.issues.head(50).itertuples(index=False):
            lines.append("  " + format_issue(r._asdict()))
        if len(self.issues) > 50:
            lines.append(f"  … {len(self.issues) - 50} more")
        return "\n".join(lines)

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        sizes = ", ".join(
            f"{f.name}={len(getattr(self, f.name))}" for f in fields(self) if f.name in TABLE_NAMES
        )
        return f"TrackingData({sizes}; errors={len(self.errors)}, warnings={len(self.warnings)})"


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def format_issue(issue: dict) -> str:
    """One line for an issue.

    Shaped like ``[error] file › sheet › row 5 › 计划完成 = '待定': message Hint: …``.
    """
    where = []
    for key in ("file", "sheet"):
        v = issue.get(key)
        if isinstance(v, str) and v:
            where.append(v)
    row = issue.get("row")
    if row is not None and not pd.isna(row):
        where.append(f"row {int(row)}")
    col = issue.get("column")
    if isinstance(col, str) and col:
        val = issue.get("value")
        where.append(f"{col} = {val!r}" if isinstance(val, str) and val != "" else col)
    loc = " › ".join(where)
    msg = issue.get("message", "")
    hint = issue.get("hint")
    text = (
        f"[{issue.get('severity', 'error')}] {loc}: {msg}"
        if loc
        else f"[{issue.get('severity')}] {msg}"
    )
    if isinstance(hint, str) and hint:
        text += f" Hint: {hint}"
    return text


def coerce_dates(s: pd.Series) -> pd.Series:
    """Cast a datetime-like series to the canonical unit."""
    return s.astype(DATE_DTYPE)
