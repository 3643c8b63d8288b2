"""Restrict a :class:`~collab_analytics.data.TrackingData` to projects, departments and a period.

This is the only data manipulation the dashboard does itself: it selects rows, it never
computes a metric. (It belongs to the data layer and may move there.)

Rules, applied together (an empty selection means "no restriction"):

* **projects** — tasks whose ``project`` is selected, and the ``project`` rows. Meetings and
  plan items belong to a project when they list a task of it (``related_tasks``) or when their
  ``plan_item``/``topic`` (plan: ``item``) starts with the project's name
  (``智能客服系统上线·周会``); those that name no project and list no task apply to every
  project and are kept.
* **departments** — tasks whose owning ``department`` is selected; actions and contacts of those
  departments; meetings attended by at least one selected department (``departments`` list).
  The plan is kept whole (it applies to every department it names).
* **period** ``(start, end)`` — tasks whose ``planned_finish`` falls in the period (whole days,
  both ends included: the rule the delivery metrics use to group by period); meetings held
  and actions due in the period.
* ``updates`` and ``raci`` follow the kept tasks (matched on ``task_id``, else on ``task``).

:class:`FilterIndex` does the expensive part (factorising keys, exploding list columns, matching
rows to tasks) once per dataset, so each new selection costs a few vectorised lookups.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics import TrackingData
>>> from collab_analytics.schema import empty_table
>>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
...     "task_id": ["T1", "T2", "T3"], "task": ["a", "b", "c"],
...     "department": ["客服部", "技术部", "技术部"],
...     "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-20", "2024-08-02"]),
... })]).reset_index(drop=True)
>>> td = TrackingData(tasks=tasks)
>>> restrict(td, departments=["技术部"]).tasks["task_id"].tolist()
['T2', 'T3']
>>> restrict(td, period=("2024-07-01", "2024-07-31")).tasks["task_id"].tolist()
['T1', 'T2']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from collab_analytics._lists import flatten, rows_of
from collab_analytics.data import TABLE_NAMES, TrackingData

__all__ = ["FilterIndex", "ScopedData", "filter_state", "restrict"]

_NO_DAY = np.iinfo(np.int64).min


def _day(value) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).normalize()


def _days(s: pd.Series) -> np.ndarray:
    """Whole-day ordinals (int64) of a datetime series; missing → a very small sentinel."""
    d = s.to_numpy(dtype="datetime64[us]").astype("datetime64[D]").astype("int64")
    return np.where(s.isna().to_numpy(), _NO_DAY, d)


def _ordinal(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.date(), "D").astype("int64"))


def _codes(values: pd.Series, uniques: pd.Index) -> np.ndarray:
    """Position of each value in ``uniques`` (-1 when absent or missing)."""
    return uniques.get_indexer(values.astype("object").where(values.notna(), None))


def _explode(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(row positions, items) of a list column (Arrow list or object lists), empty lists and
    missing items dropped."""
    lengths, flat = flatten(s)
    rows = rows_of(lengths)
    keep = flat.is_valid().to_numpy(zero_copy_only=False) if len(flat) else np.zeros(0, bool)
    items = pd.Series(flat.to_numpy(zero_copy_only=False)[keep], dtype="object")
    return rows[keep], items


def _member(codes: np.ndarray, selected: np.ndarray, n: int) -> np.ndarray:
    """``np.isin(codes, selected)`` for integer codes in ``[-1, n)`` by a lookup table
    (one gather instead of a sort): ``-1`` (absent or missing) is never selected."""
    table = np.zeros(n + 1, dtype=bool)
    table[selected] = True
    return table[codes] if len(codes) else np.zeros(0, dtype=bool)


def _in_window(days: np.ndarray, start: int | None, end: int | None) -> np.ndarray:
    keep = days != _NO_DAY
    if start is not None:
        keep &= days >= start
    if end is not None:
        keep &= days <= end
    return keep


class FilterIndex:
    """Precomputed lookups of one dataset for fast :meth:`restrict` calls."""

    def __init__(self, data: TrackingData):
        self.data = data
        tasks = data.tasks
        self.projects = pd.Index(pd.unique(tasks["project"].dropna()).astype(str))
        self.departments = pd.Index(
            pd.unique(
                pd.concat([tasks["department"], data.contacts["department"]]).dropna()
            ).astype(str)
        )
        self.task_project = _codes(tasks["project"], self.projects)
        self.task_department = _codes(tasks["department"], self.departments)
        self.task_finish = _days(tasks["planned_finish"])
        self._by_id = self._first_positions(tasks["task_id"])
        self._by_name = self._first_positions(tasks["task"])
        self.update_task = self._task_positions(data.updates)
        self.raci_task = self._task_positions(data.raci)

        m = data.meetings
        self.meeting_day = _days(m["date"])
        rows, items = _explode(m["departments"])
        self.meeting_dept_rows, self.meeting_dept_codes = rows, _codes(items, self.departments)
        rows, items = _explode(m["related_tasks"])
        pos = self._lookup(items)
        self.meeting_lists_tasks = np.zeros(len(m), dtype=bool)
        self.meeting_lists_tasks[rows] = True
        self.meeting_task_rows, self.meeting_task_pos = rows[pos >= 0], pos[pos >= 0]
        named = self._project_prefix(m["plan_item"])
        self.meeting_project = np.where(named >= 0, named, self._project_prefix(m["topic"]))
        self.plan_project = self._project_prefix(data.plan["item"])

        self.action_department = _codes(data.actions["department"], self.departments)
        self.action_due = _days(data.actions["due"])
        self.contact_department = _codes(data.contacts["department"], self.departments)
        self.project_row = _codes(data.project["project"], self.projects)
        # every department named by tasks, contacts or RACI rows, for ScopedData.departments
        # (as TrackingData.departments reads them: missing dropped, text as str)
        parts = {
            "tasks": tasks["department"],
            "contacts": data.contacts["department"],
            "raci": data.raci["department"],
        }
        named = {k: v.dropna().astype(str) for k, v in parts.items()}
        self.named_departments = pd.Index(
            pd.unique(pd.concat(list(named.values()), ignore_index=True)), dtype="object"
        )
        self.named_codes = {}
        # each department's rows per table (ascending): ScopedData.departments looks for
        # the first kept one
        self.named_rows: dict[str, list[np.ndarray]] = {}
        for k, v in parts.items():
            codes = np.full(len(v), -1, dtype=np.int64)
            codes[v.notna().to_numpy()] = self.named_departments.get_indexer(named[k])
            self.named_codes[k] = codes
            order = np.argsort(codes, kind="stable")
            counts = np.bincount(codes + 1, minlength=len(self.named_departments) + 1)
            self.named_rows[k] = np.split(order, np.cumsum(counts)[:-1])[1:]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _first_positions(keys: pd.Series) -> pd.Index:
        """Index of keys whose position i is the first task row with that key."""
        return pd.Index(keys.astype("object").where(keys.notna(), None))

    def _lookup(self, keys: pd.Series) -> np.ndarray:
        """Task row of each key (task id, else task name); -1 when unknown."""
        keys = keys.astype("object")
        pos = self._get(self._by_id, keys)
        miss = pos < 0
        if miss.any():
            pos[miss] = self._get(self._by_name, keys[miss])
        return pos

    @staticmethod
    def _get(index: pd.Index, keys: pd.Series) -> np.ndarray:
        if index.is_unique:
            return np.asarray(index.get_indexer(keys), dtype=np.int64)
        first = pd.Series(np.arange(len(index)), index=index)
        first = first[~first.index.duplicated()]
        return np.asarray(first.reindex(keys).fillna(-1).to_numpy(), dtype=np.int64)

    def _task_positions(self, frame: pd.DataFrame) -> np.ndarray:
        """Task row of each row of ``updates``/``raci`` (task_id first, then task name)."""
        if len(frame) == 0:
            return np.zeros(0, dtype=np.int64)
        pos = self._get(self._by_id, frame["task_id"].astype("object"))
        miss = pos < 0
        if miss.any() and "task" in frame:
            pos[miss] = self._get(self._by_name, frame["task"].astype("object")[miss])
        return pos

    def _project_prefix(self, texts: pd.Series) -> np.ndarray:
        """Code of the longest project name each text starts with (-1 for none)."""
        out = np.full(len(texts), -1, dtype=np.int64)
        if len(texts) == 0 or len(self.projects) == 0:
            return out
        values = texts.astype("object").where(texts.notna(), "")
        inverse, uniques = pd.factorize(values)
        uniq = pd.Series(uniques, dtype="str")
        best = np.full(len(uniq), -1, dtype=np.int64)
        for n in sorted(set(self.projects.str.len())):  # a handful of distinct name lengths
            code = self.projects.get_indexer(uniq.str[:n].astype("object"))
            best = np.where(code >= 0, code, best)  # longer names win
        return best[inverse]

    #: Departments up to which each one's meetings are kept as a row mask (one byte per
    #: department and meeting); more departments are looked up pair by pair.
    _MAX_MASKED_DEPARTMENTS = 64

    def _attended_by(self, dcodes: np.ndarray) -> np.ndarray:
        """Meetings listing at least one of the departments ``dcodes``: the OR of each
        department's meeting mask (built on first use), or a lookup of every (meeting,
        department) pair when the dataset has many departments."""
        n_m, n_d = len(self.meeting_day), len(self.departments)
        if n_d > self._MAX_MASKED_DEPARTMENTS:
            hit = np.zeros(n_m, dtype=bool)
            picked = _member(self.meeting_dept_codes, dcodes, n_d)
            hit[self.meeting_dept_rows[picked]] = True
            return hit
        if getattr(self, "_meeting_masks", None) is None:
            masks = np.zeros((n_d + 1, n_m), dtype=bool)  # last row: unknown departments
            masks[self.meeting_dept_codes, self.meeting_dept_rows] = True
            self._meeting_masks = masks
        if len(dcodes) == 0:
            return np.zeros(n_m, dtype=bool)
        hit = self._meeting_masks[dcodes[0]].copy()
        for code in dcodes[1:]:  # a handful of selected departments
            hit |= self._meeting_masks[code]
        return hit

    # ------------------------------------------------------------------ restrict
    def scope(self, *, projects=None, departments=None, period=None) -> ScopedData:
        """Row masks of every table for a selection; tables are sliced lazily on access."""
        data = self.data
        projects = list(projects or [])
        departments = list(departments or [])
        start, end = (None, None) if period is None else (_day(period[0]), _day(period[1]))
        if not projects and not departments and start is None and end is None:
            return ScopedData(data, {})
        s = None if start is None else _ordinal(start)
        e = None if end is None else _ordinal(end)
        pcodes = self.projects.get_indexer(pd.Index(projects, dtype="object"))
        pcodes = pcodes[pcodes >= 0]
        dcodes = self.departments.get_indexer(pd.Index(departments, dtype="object"))
        dcodes = dcodes[dcodes >= 0]

        n_p, n_d = len(self.projects), len(self.departments)
        # codes are in [-1, n): -1 picks the table's last slot, which is never set
        tmask = np.ones(len(data.tasks), dtype=bool)
        if projects:
            tmask &= _member(self.task_project, pcodes, n_p)
        if departments:
            tmask &= _member(self.task_department, dcodes, n_d)
        if s is not None or e is not None:
            tmask &= _in_window(self.task_finish, s, e)

        def follow(pos: np.ndarray) -> Callable[[], np.ndarray]:
            def mask() -> np.ndarray:
                if len(pos) == 0:
                    return np.zeros(0, dtype=bool)
                return (pos >= 0) & tmask[np.maximum(pos, 0)]

            return mask

        def meetings() -> np.ndarray:
            n_m = len(data.meetings)
            mmask = np.ones(n_m, dtype=bool)
            if departments:
                mmask &= self._attended_by(dcodes)
            if projects:
                selected = _member(self.meeting_project, pcodes, n_p)
                concerns = np.zeros(n_m, dtype=bool)
                concerns[self.meeting_task_rows[tmask[self.meeting_task_pos]]] = True
                general = (self.meeting_project < 0) & ~self.meeting_lists_tasks
                mmask &= selected | concerns | general
            if s is not None or e is not None:
                mmask &= _in_window(self.meeting_day, s, e)
            return mmask

        def actions() -> np.ndarray:
            amask = np.ones(len(data.actions), dtype=bool)
            if departments:
                amask &= _member(self.action_department, dcodes, n_d)
            if s is not None or e is not None:
                amask &= _in_window(self.action_due, s, e)
            return amask

        # only the tasks mask is computed now; the others when a tab first reads their table
        masks: dict[str, np.ndarray | Callable[[], np.ndarray]] = {
            "tasks": tmask,
            "updates": follow(self.update_task),
            "raci": follow(self.raci_task),
            "meetings": meetings,
            "actions": actions,
        }
        if projects:
            masks["plan"] = lambda: (
                (self.plan_project < 0) | _member(self.plan_project, pcodes, n_p)
            )
            masks["project"] = lambda: _member(self.project_row, pcodes, n_p)
        if departments:
            masks["contacts"] = lambda: _member(self.contact_department, dcodes, n_d)
        present = np.bincount(self.task_department[tmask] + 1, minlength=n_d + 1)[1:] > 0
        return ScopedData(data, masks, departments=tuple(self.departments[present]), index=self)

    def restrict(self, *, projects=None, departments=None, period=None) -> TrackingData:
        """See :func:`restrict`."""
        return self.scope(
            projects=projects, departments=departments, period=period
        ).to_tracking_data()


class ScopedData:
    """A restricted view of a :class:`TrackingData` whose tables are sliced on first access.

    Has the table attributes of :class:`TrackingData` (``tasks``, ``updates`` …); metric
    functions that want a real container get :meth:`to_tracking_data`.
    """

    def __init__(
        self,
        data: TrackingData,
        masks: dict[str, np.ndarray | Callable[[], np.ndarray]],
        *,
        departments: tuple[str, ...] | None = None,
        index: FilterIndex | None = None,
    ):
        self._data = data
        self._masks = masks
        self._departments = departments
        self._index = index
        self._tables: dict[str, pd.DataFrame] = {}
        self._full: TrackingData | None = None
        self._named: list[str] | None = None

    def _mask(self, name: str) -> np.ndarray | None:
        mask = self._masks.get(name)
        if callable(mask):
            mask = self._masks[name] = mask()
        return mask

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One canonical table, restricted (rows keep their index labels).

        ``columns``: only those of these columns the table has, in the table's order (a
        reader that needs a few columns of a wide table does not pay for slicing the others);
        the same rows and values as the whole restricted table holds.
        """
        key = name if columns is None else (name, tuple(columns))
        if key not in self._tables:
            frame = self._data.table(name)
            if columns is not None:
                keep = [c for c in frame.columns if c in set(columns)]
                if name in self._tables:  # already sliced whole: its columns
                    self._tables[key] = self._tables[name][keep]
                    return self._tables[key]
                frame = frame[keep]
            mask = self._mask(name)
            # ``take`` of the kept positions: the frame ``frame.loc[mask]`` gives, without
            # its boolean-indexer checks and index engine work
            self._tables[key] = frame if mask is None else frame.take(np.flatnonzero(mask))
        return self._tables[key]

    @property
    def source(self) -> TrackingData:
        """The whole (unrestricted) data."""
        return self._data

    def positions(self, name: str) -> np.ndarray | None:
        """Row positions of ``name`` kept in the whole table (``None``: every row)."""
        mask = self._mask(name)
        return None if mask is None else np.flatnonzero(mask)

    @property
    def departments(self) -> list[str]:
        """:attr:`TrackingData.departments` of the restricted data (first appearance in the
        tasks, then contacts, then RACI rows), from department codes computed once per
        dataset: no table is sliced for it."""
        if self._named is None:
            if self._index is None or not self._masks:
                self._named = self.to_tracking_data().departments
            else:
                idx = self._index
                values = idx.named_departments[self._first_named(idx)]
                self._named = [v for v in values if v]
        return list(self._named)

    def _first_named(self, idx: FilterIndex) -> np.ndarray:
        """Codes (into ``idx.named_departments``) of the departments of the kept tasks, then
        contacts, then RACI rows, in order of first appearance: the first kept row of each
        department not seen yet, from its rows in each table (listed once per dataset:
        ``idx.named_rows``); a table is not read once every department was seen."""
        seen: set[int] = set()
        out: list[int] = []
        for name in ("tasks", "contacts", "raci"):
            if len(seen) == len(idx.named_departments):
                break
            mask = self._mask(name)
            found = []
            for code, rows in enumerate(idx.named_rows[name]):
                if code in seen or len(rows) == 0:
                    continue
                if mask is None:
                    found.append((int(rows[0]), code))
                    continue
                hit = mask[rows]
                at = int(hit.argmax())
                if hit[at]:
                    found.append((int(rows[at]), code))
            for _, code in sorted(found):
                seen.add(code)
                out.append(code)
        return np.asarray(out, dtype="int64")

    def present_departments(self) -> set[str]:
        """Departments owning at least one task in scope."""
        if self._departments is None:
            self._departments = tuple(pd.unique(self.tasks["department"].dropna()))
        return set(self._departments)

    def __getattr__(self, name: str):
        if name in TABLE_NAMES:
            return self.table(name)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_tracking_data(), name)

    def to_tracking_data(self) -> TrackingData:
        """The restricted data as an immutable :class:`TrackingData` (built once)."""
        if self._full is None:
            if not self._masks:
                self._full = self._data
            else:
                self._full = self._data.replace(**{n: self.table(n) for n in self._masks})
        return self._full


def restrict(
    data: TrackingData,
    *,
    projects: Sequence[str] | None = None,
    departments: Sequence[str] | None = None,
    period: tuple | None = None,
) -> TrackingData:
    """A :class:`TrackingData` holding only the rows in scope (see module doc for the rules).

    Parameters
    ----------
    data : TrackingData
        Never modified.
    projects, departments : sequence of str, optional
        Empty or ``None``: no restriction.
    period : (start, end), optional
        Dates or ``None`` for an open end; compared as whole days, both ends included.

    Returns
    -------
    TrackingData
        Same columns and dtypes in every table (rows keep their original index); issues,
        accounting and sources unchanged.
    """
    if not projects and not departments and (period is None or period == (None, None)):
        return data
    return FilterIndex(data).restrict(projects=projects, departments=departments, period=period)


def filter_state(projects, departments, period) -> tuple:
    """A hashable key for a filter selection (order-insensitive), used to cache results."""
    start, end = (None, None) if period is None else (_day(period[0]), _day(period[1]))
    return (tuple(sorted(projects or ())), tuple(sorted(departments or ())), start, end)
