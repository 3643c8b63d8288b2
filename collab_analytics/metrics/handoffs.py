"""Hand-overs between departments: dependency waits and hand-overs in an event history.

Two sources:

* **Dependencies** (:func:`handoffs`, :func:`handoff_summary`): for each ``depends_on`` edge
  whose two tasks belong to different departments, the *wait* is
  ``max(0, actual_start(successor) − actual_finish(predecessor))``. When the predecessor has
  finished but the successor has not started by ``T``, the wait so far ``T − actual_finish`` is
  reported and the row is flagged ``is_waiting``.
* **An event history** (:func:`history_handoffs`): any log with a task key, a time and the
  department handling the task (the updates log, a Jira changelog, a process-mining log).
  Events of a task are put in time order; consecutive events in the same department form one
  *visit*. A *hand-over* is a change of department between consecutive events; its wait is the
  time from the last event in the old department to the first in the new one. A visit's
  *sojourn* runs from its first event to the first event of the next visit (the task's last
  visit ends at its last event). A *ping-pong* task returns to a department it had left.

All durations are whole days under the chosen calendar (floor of the date difference).

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.handoffs import history_handoffs
>>> log = pd.DataFrame({
...     "task_id": ["T1", "T1", "T1", "T1"],
...     "date": pd.to_datetime(["2024-07-01", "2024-07-03", "2024-07-04", "2024-07-09"]),
...     "department": ["产品部", "产品部", "技术部", "产品部"],
... })
>>> h = history_handoffs(log)
>>> h.transitions[["from_department", "to_department", "wait_days"]].values.tolist()
[['产品部', '技术部', 1.0], ['技术部', '产品部', 5.0]]
>>> h.ping_pong[["task_id", "n_visits", "n_returns"]].values.tolist()
[['T1', 3, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collab_analytics.metrics._common import (
    NAT,
    DayCounter,
    Edges,
    EventLog,
    beside,
    column_or_na,
    day_of,
    dependency_edges,
    event_log,
    factorize_strings,
    require_columns,
    resolve_as_of,
    safe_ratio,
    sort_order,
    status_index,
    take,
)
from collab_analytics.metrics.delivery import DeliveryArrays, _days, _hist_stats, delivery_arrays

__all__ = ["HistoryHandoffs", "handoff_summary", "handoffs", "history_handoffs"]

HANDOFF_COLUMNS = (
    "from_task_id",
    "to_task_id",
    "from_department",
    "to_department",
    "predecessor_finish",
    "successor_start",
    "wait_days",
    "is_waiting",
)

SUMMARY_COLUMNS = (
    "n_handoffs",
    "n_measured",
    "n_waiting",
    "total_wait_days",
    "mean_wait_days",
    "median_wait_days",
    "max_wait_days",
)

_BY = {
    "to_department": ["to_department"],
    "from_department": ["from_department"],
    "pair": ["from_department", "to_department"],
}


# ----------------------------------------------------------------------------- dependencies
@dataclass(frozen=True)
class HandoffArrays:
    """Cross-department edges with their waits (private building block)."""

    src: np.ndarray
    dst: np.ndarray
    wait: np.ndarray  # float, NaN when not measurable
    waiting: np.ndarray  # bool
    src_dept: np.ndarray | None = None  # codes of src / dst in ``codes``
    dst_dept: np.ndarray | None = None
    codes: np.ndarray | None = None  # the department codes of the tasks used


def handoff_arrays(
    tasks: pd.DataFrame,
    arr: DeliveryArrays,
    edges: Edges,
    dept_codes: np.ndarray | None = None,
    departments: pd.Index | None = None,
) -> HandoffArrays:
    """Waits on the dependency edges that cross departments.

    ``dept_codes``: precomputed department codes (-1 for a missing department), or codes
    into the sorted ``departments`` whose last entry may be the missing department. An edge
    with a missing department at either end is not a hand-over: nobody knows whether it
    crosses departments.
    """
    if dept_codes is None:
        dep = pd.factorize(column_or_na(tasks, "department"), use_na_sentinel=True)[0]
    else:
        dep = dept_codes
    s, d = dep[edges.src], dep[edges.dst]
    cross = (s != d) & (s >= 0) & (d >= 0)
    if departments is not None and len(departments) and pd.isna(departments[-1]):
        na = len(departments) - 1
        cross &= (s != na) & (d != na)
    src, dst = edges.src[cross], edges.dst[cross]
    t = arr.t
    af, as_ = arr.af[src], arr.as_[dst]
    pred_fin = np.where(arr.is_finished[src] & (af != NAT), af, NAT)
    s_start = np.where((as_ != NAT) & (as_ <= t), as_, NAT)
    live = ~arr.is_cancelled[dst]
    waiting = live & (pred_fin != NAT) & (s_start == NAT) & (t != NAT) & ~arr.is_finished[dst]
    end = np.where(waiting, t, s_start)
    wait = np.maximum(arr.counter.diff(pred_fin, end), 0.0)
    wait[~live] = np.nan
    return HandoffArrays(src, dst, wait, waiting, s[cross], d[cross], dep)


def _handoff_frame(tasks: pd.DataFrame, h: HandoffArrays, dept=None) -> pd.DataFrame:
    """The :func:`handoffs` frame; ``dept = (codes, sorted departments)`` of the tasks lets the
    department names be gathered from the few distinct names."""
    ids = column_or_na(tasks, "task_id")
    dep = column_or_na(tasks, "department")
    af = column_or_na(tasks, "actual_finish", "datetime64[us]")
    as_ = column_or_na(tasks, "actual_start", "datetime64[us]")
    if dept is not None and dept[1].dtype == dep.dtype:
        codes, names = dept  # hand-overs never touch the missing department
        from_dep = pd.Series(names.take(codes[h.src]))
        to_dep = pd.Series(names.take(codes[h.dst]))
    else:
        from_dep, to_dep = take(dep, h.src), take(dep, h.dst)
    return pd.DataFrame(
        {
            "from_task_id": take(ids, h.src),
            "to_task_id": take(ids, h.dst),
            "from_department": from_dep,
            "to_department": to_dep,
            "predecessor_finish": take(af, h.src),
            "successor_start": take(as_, h.dst),
            "wait_days": h.wait,
            "is_waiting": h.waiting,
        },
        copy=False,
    )


def handoffs(tasks: pd.DataFrame, *, as_of=None, calendar=None) -> pd.DataFrame:
    """One row per dependency edge that crosses departments, with the hand-over wait.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks table with ``depends_on`` (lists of task ids).
    as_of, calendar
        As in :func:`~collab_analytics.metrics.delivery.task_delivery`.

    Returns
    -------
    DataFrame
        ``[from_task_id, to_task_id, from_department, to_department, predecessor_finish,
        successor_start, wait_days, is_waiting]`` ordered by successor then predecessor as
        listed. ``wait_days`` is NaN when the predecessor has no finish date or the successor
        is cancelled; ``is_waiting`` marks a successor not started by ``T`` whose wait is
        counted up to ``T``.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B"], "department": ["产品部", "技术部"],
    ...     "planned_finish": pd.to_datetime(["2024-07-20", "2024-08-20"]),
    ...     "actual_start": pd.to_datetime(["2024-07-11", "2024-07-26"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-22", None]),
    ...     "depends_on": [[], ["A"]],
    ... })
    >>> handoffs(tasks)[["from_department", "to_department", "wait_days"]].values.tolist()
    [['产品部', '技术部', 4.0]]
    """
    require_columns(tasks, ("planned_finish", "department"), "tasks")
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    h = handoff_arrays(tasks, arr, dependency_edges(tasks))
    return _handoff_frame(tasks, h)


def _wait_stats(keys: pd.DataFrame, codes: np.ndarray, k: int, wait: np.ndarray, waiting):
    from collab_analytics.metrics.delivery import _group_stats

    ok = ~np.isnan(wait)
    every = bool(ok.all())
    g, w = (codes, wait) if every else (codes[ok], wait[ok])
    n_meas, total, mx, (med,) = _group_stats(w, g, k, (0.5,))
    out = keys.reset_index(drop=True).copy()
    out["n_handoffs"] = (n_meas if every else np.bincount(codes, minlength=k)).astype(np.int64)
    out["n_measured"] = n_meas.astype(np.int64)
    out["n_waiting"] = np.bincount(codes[waiting], minlength=k).astype(np.int64)
    out["total_wait_days"] = total
    out["mean_wait_days"] = safe_ratio(total, n_meas)
    out["median_wait_days"] = med
    out["max_wait_days"] = mx
    return out


def summarize_waits(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Aggregate a :func:`handoffs` frame (private; shared with the report)."""
    if by not in _BY:
        msg = f"by={by!r} is not supported. Use one of {list(_BY)}."
        raise ValueError(msg)
    keys = _BY[by]
    if len(frame) == 0:
        out = frame[keys].iloc[:0].reset_index(drop=True)
        for c in SUMMARY_COLUMNS:
            out[c] = pd.Series([], dtype="int64" if c.startswith("n_") else "float64")
        return out
    codes = np.zeros(len(frame), dtype=np.int64)
    uniq = []
    for key in keys:
        c, u = pd.factorize(frame[key], sort=True, use_na_sentinel=False)
        codes = codes * max(len(u), 1) + c
        uniq.append(u)
    comb, g = np.unique(codes, return_inverse=True)
    kdata = {}
    rem = comb
    parts = []
    for u in reversed(uniq):
        parts.append(rem % max(len(u), 1))
        rem = rem // max(len(u), 1)
    for key, u, part in zip(keys, uniq, reversed(parts), strict=True):
        kdata[key] = pd.Series(u.take(part), dtype=u.dtype)
    wait = frame["wait_days"].to_numpy(dtype=np.float64)
    waiting = frame["is_waiting"].to_numpy(dtype=bool)
    return _wait_stats(pd.DataFrame(kdata), g.astype(np.int64), len(comb), wait, waiting)


def handoff_summary(
    tasks: pd.DataFrame, *, by: str = "to_department", as_of=None, calendar=None
) -> pd.DataFrame:
    """Hand-over waits on cross-department dependencies, per receiving department or per pair.

    Parameters
    ----------
    by : {"to_department", "from_department", "pair"}
        ``"pair"`` groups by ``(from_department, to_department)``.

    Returns
    -------
    DataFrame
        ``[*keys, n_handoffs, n_measured, n_waiting, total_wait_days, mean_wait_days,
        median_wait_days, max_wait_days]``: ``n_measured`` hand-overs have a wait (including
        the ``n_waiting`` still waiting at ``T``); statistics are over measured waits.

    Notes
    -----
    The same numbers as summarising the rows of :func:`handoffs`, computed without those
    rows: each task's finish and wait end are counted from ``T`` once, every dependency
    edge then adds one count to a histogram over (group, wait, waiting), and the
    statistics are read off the histogram. From 200,000 tasks the dependency lookup runs on
    a second thread beside the per-task work, and the edges are counted in two halves.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B", "C"], "department": ["产品部", "技术部", "技术部"],
    ...     "planned_finish": pd.to_datetime(["2024-07-20", "2024-08-20", "2024-08-20"]),
    ...     "actual_start": pd.to_datetime(["2024-07-11", "2024-07-26", "2024-07-21"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-20", None, None]),
    ...     "depends_on": [[], ["A"], ["A"]],
    ... })
    >>> s = handoff_summary(tasks, by="pair")
    >>> s[["from_department", "to_department", "n_handoffs", "mean_wait_days"]].values.tolist()
    [['产品部', '技术部', 2, 3.5]]
    """
    if by not in _BY:
        msg = f"by={by!r} is not supported. Use one of {list(_BY)}."
        raise ValueError(msg)
    require_columns(tasks, ("planned_finish", "department"), "tasks")
    # the tasks' own columns and the dependency lookup are independent: two threads on
    # large inputs (an error of the first, e.g. a bad ``as_of``, is raised first)
    ends, edges = beside(
        lambda: _task_ends(tasks, as_of, calendar), lambda: dependency_edges(tasks), len(tasks)
    )
    out = _summary_by_histogram(ends, edges, by)
    if out is not None:
        return out
    h = _cross_waits(ends, edges)
    if len(h.src) == 0:
        return summarize_waits(_handoff_frame(tasks, h), by)
    return summarize_arrays(h, h.codes, ends.departments, by)


#: Missing day marks of :class:`_TaskEnds`: beyond any day difference (datetime64[us] spans
#: about ±10**8 days), so that a difference with a missing mark is below :data:`_MEASURED`.
_NO_FIN, _NO_END = 1 << 40, -(1 << 40)
_MEASURED = -(1 << 39)


@dataclass(frozen=True)
class _TaskEnds:
    """Per task, what a dependency hand-over needs of either end (private): the waits of
    :func:`handoff_arrays` taken apart per task, so that an edge costs one subtraction.

    ``dept``: department code into the sorted ``departments`` (-1 where missing; int8 when
    there are few); ``fin``: as predecessor, working days (calendar days by default) from
    ``T`` to its finish, :data:`_NO_FIN` unless it finished with a date by ``T``; ``end``: as
    successor, days from ``T`` to the end of the wait — its start by ``T``, or ``T`` itself
    while it is still waiting — :data:`_NO_END` otherwise and when cancelled; ``waits``: it
    would be waiting at ``T`` on a finished predecessor. An edge's wait is
    ``max(end[dst] - fin[src], 0)``, measured when neither mark is missing, i.e. when the
    difference is at least :data:`_MEASURED` (a missing mark puts it far below any real day
    difference); ``high`` bounds the measured waits from above.
    """

    dept: np.ndarray
    departments: pd.Index
    fin: np.ndarray
    end: np.ndarray
    waits: np.ndarray
    high: int
    complete: bool  # no task lacks a department


def _task_ends(tasks: pd.DataFrame, as_of, calendar) -> _TaskEnds:
    """:class:`_TaskEnds` of the tasks (flags as :func:`~.delivery.delivery_arrays`)."""
    counter = DayCounter(calendar)
    af, as_ = _days(tasks, "actual_finish"), _days(tasks, "actual_start")
    t = NAT
    if as_of is None and len(tasks):  # the latest actual date (as ``resolve_as_of``)
        t = max(int(af.max()), int(as_.max()))
    if t == NAT:
        t = day_of(resolve_as_of(as_of, tasks))
    status = status_index(tasks, ("cancelled", "done", "done_early"))
    live = status != 0
    has_af = af != NAT
    # finished: dated by T, or said done without a date
    finished = np.where(has_af, af <= t, status > 0)
    finished &= live
    dated = finished & has_af
    started = as_ <= t
    started &= as_ != NAT
    waits = live & ~(started | finished)
    waits &= t != NAT
    started &= live
    if t == NAT:
        fin = np.full(len(tasks), _NO_FIN, dtype=np.int64)
        end = np.full(len(tasks), _NO_END, dtype=np.int64)
    elif counter.is_calendar_days:
        fin = np.where(dated, af - t, _NO_FIN)
        end = np.where(started, as_ - t, _NO_END)
        end[waits] = 0
    else:
        fin = _days_from(counter, t, np.where(dated, af, NAT), _NO_FIN)
        end = _days_from(counter, t, np.where(waits, t, np.where(started, as_, NAT)), _NO_END)
    dept, departments = _department_codes(column_or_na(tasks, "department"))
    if len(departments) < 127:
        dept = dept.astype(np.int8, copy=False)
    # measured waits are at most the latest end less the earliest finish (the missing marks
    # lie beyond either extreme)
    high = int(end.max(initial=_NO_END)) - int(fin.min(initial=_NO_FIN))
    high = high if abs(high) < _NO_FIN // 2 else 0
    complete = not len(dept) or int(dept.min()) >= 0
    return _TaskEnds(dept, departments, fin, end, waits, high, complete)


def _department_codes(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``factorize_strings(col, sort=True)`` (codes -1 where missing, int8 when few).

    A long Arrow-backed text column goes through the shared encoder
    (:func:`~collab_analytics.metrics._encoded.dictionary_codes`, which reads few values of
    one byte width — department names — straight from the bytes, without hashing); its codes
    in order of first appearance are renumbered in sorted order of the few distinct values.
    """
    from collab_analytics.metrics._common import arrow_strings
    from collab_analytics.metrics._encoded import dictionary_codes

    data = arrow_strings(col, chunked=True) if len(col) >= 4096 else None
    if data is None or not pa.types.is_large_string(data.type):
        return factorize_strings(col, sort=True)
    codes, uniq = dictionary_codes(data)
    k = len(uniq)
    order = pc.sort_indices(uniq).to_numpy(zero_copy_only=False)  # byte order: code points
    rank = np.empty(k + 1, dtype=np.int8 if k < 127 else np.int64)
    rank[order] = np.arange(k)
    rank[k] = -1  # code -1 (missing) reads the last entry
    return rank[codes], pd.Index(pd.array(uniq.take(order), dtype=col.dtype))


def _days_from(counter: DayCounter, t: int, days: np.ndarray, missing: int) -> np.ndarray:
    """``counter.diff(t, days)`` as int64, ``missing`` where a day is missing (or ``t``)."""
    if t == NAT:
        return np.full(len(days), missing, dtype=np.int64)
    if counter.is_calendar_days:
        out = days - t
    else:
        d = counter.diff(t, days)
        out = np.where(np.isnan(d), 0.0, d).astype(np.int64)
    out[days == NAT] = missing
    return out


def _cross_waits(ends: _TaskEnds, edges: Edges) -> HandoffArrays:
    """The :func:`handoff_arrays` of the edges (the same waits and flags) from
    :class:`_TaskEnds`; ``codes`` are the tasks' department codes."""
    dep = ends.dept
    s, d = dep[edges.src], dep[edges.dst]
    cross = s != d
    cross &= s >= 0
    cross &= d >= 0
    src, dst = edges.src[cross], edges.dst[cross]
    fin, end = ends.fin[src], ends.end[dst]
    measured = (fin != _NO_FIN) & (end != _NO_END)
    wait = np.where(measured, np.maximum(end - fin, 0), 0).astype(np.float64)
    wait[~measured] = np.nan
    waiting = ends.waits[dst] & (fin != _NO_FIN)
    src_c, dst_c = s[cross].astype(np.int64), d[cross].astype(np.int64)
    return HandoffArrays(src, dst, wait, waiting, src_c, dst_c, dep)


#: Largest (group, wait, waiting) histogram :func:`_summary_by_histogram` builds.
_MAX_BINS = 4_000_000


def _summary_by_histogram(ends: _TaskEnds, edges: Edges, by: str) -> pd.DataFrame | None:
    """:func:`summarize_arrays` of :func:`_cross_waits` without gathering the hand-overs:
    every edge adds one count to a histogram over (group, wait, waiting) — an edge within
    one department to a spare bin — and the statistics are read off the histogram. The edges
    are counted in slices (two halves on two threads for large inputs). ``None`` when
    the histogram would be too large or nothing crosses departments."""
    k = len(ends.departments)
    n_groups = k * k if by == "pair" else k
    span = max(ends.high, 0) + 2  # slot 0: not measured; slot 1 + w: wait w
    n_bins = n_groups * span * 2 + 1
    m = len(edges.src)
    if m == 0 or k == 0 or n_bins > _MAX_BINS:
        return None

    def count(lo: int, hi: int) -> np.ndarray:
        hist = np.zeros(n_bins, dtype=np.int64)
        step = max(1 << 16, n_bins)
        for a in range(lo, hi, step):
            b = min(a + step, hi)
            bins = _edge_bins(ends, edges, a, b, by, k, span, n_bins - 1)
            hist += np.bincount(bins, minlength=n_bins)
        return hist

    half = m // 2
    first, second = beside(lambda: count(0, half), lambda: count(half, m), m)
    hist = first + second
    table = hist[:-1].reshape(n_groups, span, 2)
    n_handoffs = table.sum(axis=(1, 2))
    comb = np.flatnonzero(n_handoffs)
    if len(comb) == 0:
        return None
    table = table[comb]
    n_waiting = table[:, :, 1].sum(axis=1)
    values = table[:, 1:, :].sum(axis=2)  # measured waits 0 .. span - 2
    n_meas, total, mx, (med,) = _hist_stats(values, 0, (0.5,))
    departments = ends.departments
    if by == "pair":
        keys = {
            "from_department": pd.Series(departments.take(comb // k)),
            "to_department": pd.Series(departments.take(comb % k)),
        }
    else:
        keys = {by: pd.Series(departments.take(comb))}
    out = pd.DataFrame(keys)
    out["n_handoffs"] = n_handoffs[comb].astype(np.int64)
    out["n_measured"] = n_meas.astype(np.int64)
    out["n_waiting"] = n_waiting.astype(np.int64)
    out["total_wait_days"] = total
    out["mean_wait_days"] = safe_ratio(total, n_meas)
    out["median_wait_days"] = med
    out["max_wait_days"] = mx
    return out


def _edge_bins(ends: _TaskEnds, edges: Edges, a: int, b: int, by: str, k: int, span: int, spare):
    """Histogram bin of the edges ``a:b``: ``((group * span + slot) * 2 + waiting)``, the
    ``spare`` bin for an edge within one department (see :func:`_summary_by_histogram`)."""
    src, dst = edges.src[a:b], edges.dst[a:b]
    s, d = ends.dept[src], ends.dept[dst]
    cross = s != d
    if not ends.complete:  # a missing department at either end: no hand-over
        cross &= s >= 0
        cross &= d >= 0
    w = ends.end[dst]
    w -= ends.fin[src]
    measured = w >= _MEASURED
    waiting = ends.waits[dst]
    waiting &= measured
    np.maximum(w, 0, out=w)
    w += 1
    w *= measured  # slot 0 when not measured
    g = d if by == "to_department" else s if by == "from_department" else s.astype(np.int64) * k + d
    w += g.astype(np.int64) * span
    w <<= 1
    w += waiting
    return np.where(cross, w, spare)


def _dense_codes(code: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(code, return_inverse=True)`` for codes in ``[0, size)``: the present codes
    are found by one ``bincount`` and renumbered through a lookup table (no sort) when
    ``size`` is modest."""
    if size > max(4 * len(code), 1 << 16):
        comb, g = np.unique(code, return_inverse=True)
        return comb, g.astype(np.int64)
    comb = np.flatnonzero(np.bincount(code, minlength=size))
    lut = np.zeros(size, dtype=np.int64)
    lut[comb] = np.arange(len(comb), dtype=np.int64)
    return comb, lut[code]


def summarize_arrays(h: HandoffArrays, dept_codes, departments: pd.Index, by: str):
    """:func:`summarize_waits` of the frame of ``h`` from department codes (sorted
    ``departments``), without building the frame (private; shared with the report)."""
    k = len(departments)
    if h.codes is dept_codes and h.src_dept is not None:  # gathered once already
        src_c, dst_c = h.src_dept, h.dst_dept
    else:
        src_c, dst_c = dept_codes[h.src], dept_codes[h.dst]
    code = {"to_department": dst_c, "from_department": src_c, "pair": src_c * k + dst_c}[by]
    comb, g = _dense_codes(code, k * k if by == "pair" else k)
    if by == "pair":
        kdata = {
            "from_department": pd.Series(departments.take(comb // k)),
            "to_department": pd.Series(departments.take(comb % k)),
        }
    else:
        kdata = {by: pd.Series(departments.take(comb))}
    return _wait_stats(pd.DataFrame(kdata), g, len(comb), h.wait, h.waiting)


# ----------------------------------------------------------------------------- history log
@dataclass(frozen=True)
class HistoryHandoffs:
    """Hand-overs found in an event history.

    Attributes
    ----------
    transitions : DataFrame
        One row per hand-over: ``[task_id, from_department, to_department, left_at,
        arrived_at, wait_days]`` (``left_at`` = last event in the old department,
        ``arrived_at`` = first event in the new one), in task then time order.
    pairs : DataFrame
        Per ``(from_department, to_department)``: ``[from_department, to_department,
        n_handoffs, total_wait_days, mean_wait_days, median_wait_days, max_wait_days]``.
    sojourn : DataFrame
        Per department: ``[department, n_visits, n_tasks, total_days, mean_days,
        median_days, max_days]`` of visit sojourns.
    ping_pong : DataFrame
        Tasks that returned to a department they had left: ``[task_id, n_events, n_visits,
        n_departments, n_returns]`` (``n_returns = n_visits − n_departments``).
    per_task : DataFrame
        Every task: ``[task_id, n_events, n_visits, n_departments, n_handoffs]``.
    """

    transitions: pd.DataFrame
    pairs: pd.DataFrame
    sojourn: pd.DataFrame
    ping_pong: pd.DataFrame
    per_task: pd.DataFrame

    @property
    def n_handoffs(self) -> int:
        """Total number of hand-overs."""
        return len(self.transitions)


def _sort_order(tcode: np.ndarray, when: np.ndarray, n_tasks: int) -> np.ndarray:
    """Stable order by (task, time) as positions (see :func:`._common.sort_order`)."""
    order = sort_order(tcode, when, n_tasks)
    return np.arange(len(tcode), dtype=np.int64) if order is None else order


def _empty_history(task: str) -> HistoryHandoffs:
    s, f, i, d = "str", "float64", "int64", "datetime64[us]"

    def mk(spec):
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in spec})

    return HistoryHandoffs(
        transitions=mk(
            [
                (task, s),
                ("from_department", s),
                ("to_department", s),
                ("left_at", d),
                ("arrived_at", d),
                ("wait_days", f),
            ]
        ),
        pairs=mk(
            [("from_department", s), ("to_department", s), ("n_handoffs", i)]
            + [(c, f) for c in ("total_wait_days", "mean_wait_days", "median_wait_days")]
            + [("max_wait_days", f)]
        ),
        sojourn=mk(
            [("department", s), ("n_visits", i), ("n_tasks", i)]
            + [(c, f) for c in ("total_days", "mean_days", "median_days", "max_days")]
        ),
        ping_pong=mk(
            [(task, s)] + [(c, i) for c in ("n_events", "n_visits", "n_departments", "n_returns")]
        ),
        per_task=mk(
            [(task, s)] + [(c, i) for c in ("n_events", "n_visits", "n_departments", "n_handoffs")]
        ),
    )


def _distinct_departments(v_task: np.ndarray, v_dep: np.ndarray, k: int, m: int):
    """Per department: tasks that visited it; per task: departments visited.

    Visits arrive grouped by task, so with up to 64 departments a per-task bit mask (of the
    narrowest unsigned type that holds ``k`` bits) is one ``bitwise_or.reduceat``; beyond
    that, distinct (task, department) keys are sorted.
    """
    if k <= 64:
        width = next(b for b in (1, 2, 4, 8) if 8 * b >= k)  # bytes per mask
        dt = np.dtype(f"<u{width}")
        bits = np.left_shift(dt.type(1), v_dep.astype(dt))
        starts = np.flatnonzero(np.r_[True, v_task[1:] != v_task[:-1]])
        masks = np.bitwise_or.reduceat(bits, starts)
        per_task = np.zeros(m, dtype=np.int64)
        per_task[v_task[starts]] = np.bitwise_count(masks)
        if width <= 2:  # count each mask value once, then its bits
            n_mask = np.bincount(masks)
            seen = np.flatnonzero(n_mask)
            onbit = (seen[:, None] >> np.arange(k)) & 1
            return (n_mask[seen][:, None] * onbit).sum(axis=0).astype(np.int64), per_task
        raw = masks.view(np.uint8).reshape(len(masks), width)
        flags = np.unpackbits(raw, axis=1, bitorder="little")[:, :k]
        per_dep = flags.sum(axis=0, dtype=np.int64)
        return per_dep, per_task
    td = np.sort(v_task.astype(np.int64) * k + v_dep)
    td = td[np.r_[True, td[1:] != td[:-1]]]
    return np.bincount(td % k, minlength=k), np.bincount(td // k, minlength=m)


def history_handoffs(
    history: pd.DataFrame,
    *,
    task: str = "task_id",
    time: str = "date",
    department: str = "department",
    calendar=None,
) -> HistoryHandoffs:
    """Hand-overs, sojourns, waits per department pair and ping-pong tasks from an event log.

    Parameters
    ----------
    history : DataFrame
        One row per event with a task key, a time and the department handling the task.
        Rows with a missing task, time or department are ignored.
    task, time, department : str
        Column names in ``history`` (the output uses the ``task`` name for the task column).
    calendar : optional
        Calendar for the day counts (calendar days by default).

    Returns
    -------
    HistoryHandoffs
        ``transitions``, ``pairs``, ``sojourn``, ``ping_pong`` and ``per_task`` frames (see
        :class:`HistoryHandoffs` for their columns).

    Notes
    -----
    Events are ordered by (task, time) with one sort of a packed integer key (ties keep the
    input order), never a multi-key ``sort_values``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "task_id": ["T2", "T1", "T2", "T1"],
    ...     "date": pd.to_datetime(["2024-07-05", "2024-07-01", "2024-07-01", "2024-07-02"]),
    ...     "department": ["技术部", "客服部", "产品部", "客服部"],
    ... })
    >>> h = history_handoffs(log)
    >>> h.pairs[["from_department", "to_department", "n_handoffs", "mean_wait_days"]]
      from_department to_department  n_handoffs  mean_wait_days
    0             产品部           技术部           1             4.0
    >>> h.sojourn[["department", "n_visits", "total_days"]].values.tolist()
    [['产品部', 1, 4.0], ['客服部', 1, 1.0], ['技术部', 1, 0.0]]
    """
    require_columns(history, (task, time, department), "history")
    counter = DayCounter(calendar)
    tcol, dcol = history[task], history[department]
    when_all = history[time]
    if not (isinstance(when_all.dtype, np.dtype) and when_all.dtype.kind == "M"):
        when_all = pd.to_datetime(when_all)
    keep = (tcol.notna() & dcol.notna() & when_all.notna()).to_numpy()
    if not keep.all():
        tcol, dcol, when_all = tcol[keep], dcol[keep], when_all[keep]
    if len(tcol) == 0:
        return _empty_history(task)
    log = event_log(tcol, when_all)
    dcode, duniq = factorize_strings(dcol, sort=True)
    return _history_from(log, dcode, duniq, dcol.dtype, task, counter)


def _history_from(
    log: EventLog, dcode: np.ndarray, duniq: pd.Index, dcol_dtype, task: str, counter
) -> HistoryHandoffs:
    """:func:`history_handoffs` of an ordered event log (``dcode``: department code per kept
    row, codes into the sorted ``duniq``)."""
    tuniq = log.tuniq
    tc, day, new_task = log.task, log.day, log.first  # shared with blocked time
    dc = log.sorted(dcode)
    w = log.sorted(log.when)
    n, k = len(tc), len(duniq)
    change = np.zeros(n, dtype=bool)
    change[1:] = ~new_task[1:] & (dc[1:] != dc[:-1])
    # ---- transitions
    hi = np.flatnonzero(change)
    lo = hi - 1
    wait = counter.diff(day[lo], day[hi])
    from_c, to_c = dc[lo], dc[hi]
    dvals = np.asarray(duniq, dtype=object)
    dep_dtype = dcol_dtype if pd.api.types.is_string_dtype(dcol_dtype) else "str"
    transitions = pd.DataFrame(
        {
            task: pd.Series(tuniq.take(tc[hi])),
            "from_department": pd.Series(duniq.take(from_c)),
            "to_department": pd.Series(duniq.take(to_c)),
            "left_at": w[lo].view("datetime64[us]"),
            "arrived_at": w[hi].view("datetime64[us]"),
            "wait_days": wait,
        },
        copy=False,
    )
    # ---- pairs
    pkeys, pg = _dense_codes(from_c * k + to_c, k * k)
    pairs_keys = pd.DataFrame(
        {
            "from_department": pd.Series(dvals[pkeys // k], dtype=dep_dtype),
            "to_department": pd.Series(dvals[pkeys % k], dtype=dep_dtype),
        }
    )
    pairs = _wait_stats(pairs_keys, pg, len(pkeys), wait, np.zeros(len(wait), dtype=bool))
    pairs = pairs.drop(columns=["n_measured", "n_waiting"])
    # ---- visits and sojourn
    vstart = np.flatnonzero(new_task | change)
    v_task = tc[vstart]
    v_dep = dc[vstart]
    # a visit ends at the next visit's first event, a task's last visit at its last event
    nxt = np.append(vstart[1:], n)
    end_row = nxt - np.append(v_task[1:] != v_task[:-1], True)
    soj = counter.diff(day[vstart], day[end_row])
    from collab_analytics.metrics.delivery import _group_stats

    vis_n, tot, mx, (med,) = _group_stats(soj, v_dep, k, (0.5,))
    # distinct (task, department) pairs
    m = len(tuniq)
    n_tasks_dep, n_deps = _distinct_departments(v_task, v_dep, k, m)
    sojourn = pd.DataFrame(
        {
            "department": pd.Series(dvals, dtype=dep_dtype),
            "n_visits": vis_n.astype(np.int64),
            "n_tasks": n_tasks_dep.astype(np.int64),
            "total_days": tot,
            "mean_days": safe_ratio(tot, vis_n),
            "median_days": med,
            "max_days": mx,
        }
    )
    # ---- per task and ping-pong
    n_events = log.n_events.astype(np.int64)  # a copy: the log's array stays private
    n_visits = np.bincount(v_task, minlength=m).astype(np.int64, copy=False)
    n_deps = n_deps.astype(np.int64, copy=False)
    tasks_col = pd.Series(tuniq)
    per_task = pd.DataFrame(
        {
            task: tasks_col,
            "n_events": n_events,
            "n_visits": n_visits,
            "n_departments": n_deps,
            "n_handoffs": n_visits - 1,
        },
        copy=False,
    )
    returns = n_visits - n_deps
    pp = np.flatnonzero(returns > 0)
    ping_pong = pd.DataFrame(
        {
            task: tasks_col.take(pp).reset_index(drop=True),
            "n_events": n_events[pp],
            "n_visits": n_visits[pp],
            "n_departments": n_deps[pp],
            "n_returns": returns[pp],
        },
        copy=False,
    )
    return HistoryHandoffs(transitions, pairs, sojourn, ping_pong, per_task)
