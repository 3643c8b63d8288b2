"""Delivery metrics: on-time completion, delay rate, early completion and slippage.

Definitions (see ``docs/metrics-delivery.md``): for an as-of date ``T`` — by default the latest
date in the data, never the wall clock — a task is *due* when ``planned_finish ≤ T``,
*finished* when ``actual_finish ≤ T``; *on time* when finished on or before the planned day,
*late* when finished after it, *overdue open* when unfinished and ``T > planned_finish``.
``delay_days`` is the signed whole-day difference ``actual_finish − planned_finish`` (for an
overdue open task ``T − planned_finish``, the delay so far), in calendar days or in working days
of a calendar. Cancelled tasks are left out of every count and denominator and reported in
``n_cancelled``.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.delivery import delivery_summary
>>> tasks = pd.DataFrame({
...     "task_id": ["T1", "T2", "T3"],
...     "department": ["客服部", "产品部", "产品部"],
...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20", "2024-07-25"]),
...     "actual_finish": pd.to_datetime(["2024-07-10", "2024-07-23", None]),
... })
>>> s = delivery_summary(tasks, as_of="2024-07-31")
>>> s[["n_due", "n_on_time", "n_late", "n_overdue_open"]].iloc[0].tolist()
[3, 1, 1, 1]
>>> round(float(s["on_time_rate"].iloc[0]), 3)
0.333
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from collab_analytics.metrics._common import (
    NAT,
    DayCounter,
    Groups,
    column_or_na,
    day_of,
    day_ordinals,
    empty_keys,
    make_groups,
    normalize_by,
    require_columns,
    resolve_as_of,
    safe_ratio,
    status_index,
    take,
)

__all__ = ["delivery_summary", "slippage", "task_delivery"]

_REQUIRED = ("planned_finish",)

#: Identifying columns carried into :func:`task_delivery` (missing ones are filled with NA).
_ID_COLUMNS = ("project", "task_id", "task", "department", "owner", "phase")

FLAG_COLUMNS = (
    "is_cancelled",
    "is_due",
    "is_finished",
    "is_on_time",
    "is_late",
    "is_overdue_open",
    "is_early",
    "is_finish_undated",
)

#: Flags counted by :func:`delivery_summary`, in the order of its count columns.
COUNTED_FLAGS = FLAG_COLUMNS

SUMMARY_COLUMNS = (
    "n_tasks",
    "n_due",
    "n_finished",
    "n_on_time",
    "n_late",
    "n_overdue_open",
    "n_early",
    "n_finished_undated",
    "n_cancelled",
    "on_time_rate",
    "delay_rate",
    "early_rate",
    "completion_rate",
)

SLIPPAGE_COLUMNS = (
    "n",
    "n_late",
    "n_on_time",
    "n_early",
    "mean_delay_days",
    "median_delay_days",
    "p85_delay_days",
    "p95_delay_days",
    "max_delay_days",
    "total_delay_days",
    "total_early_days",
)


class DeliveryArrays:
    """Per-task delivery flags as numpy arrays (shared by every delivery/bottleneck metric).

    ``pf``/``af`` (planned/actual finish day ordinals) and the flags are computed up front;
    ``ps``/``as_`` (planned/actual start) and ``delay_days`` on first use, so the counts of
    :func:`delivery_summary` pay for neither.
    """

    def __init__(self, tasks, as_of, t, pf, af, flags, counter):
        self._tasks = tasks
        self.as_of: pd.Timestamp | None = as_of
        self.t: int = t  # as-of day ordinal
        self.pf: np.ndarray = pf
        self.af: np.ndarray = af
        for name, value in zip(FLAG_COLUMNS, flags, strict=True):
            setattr(self, name, value)
        self.counter: DayCounter = counter

    @cached_property
    def ps(self) -> np.ndarray:
        return _days(self._tasks, "planned_start")

    @cached_property
    def as_(self) -> np.ndarray:
        return _days(self._tasks, "actual_start")

    @cached_property
    def state(self) -> np.ndarray:
        """Each task's counted flags packed into one small number (bit ``b`` = flag ``b`` of
        :data:`COUNTED_FLAGS`), shared by every grouping of :func:`delivery_summary`."""
        state = np.zeros(len(self.pf), dtype=np.int64)
        for b, name in enumerate(COUNTED_FLAGS):
            state |= self.counted(name).astype(np.int64) << b
        return state

    def counted(self, name: str) -> np.ndarray:
        """The flag as :func:`delivery_summary` counts it (on time and early: due tasks only)."""
        if name in ("is_on_time", "is_early"):
            return getattr(self, name) & self.is_due
        return getattr(self, name)

    @cached_property
    def delay_days(self) -> np.ndarray:
        """Signed delay (float, NaN where undefined)."""
        end = np.where(self.is_finished & ~self.is_finish_undated, self.af, NAT)
        end = np.where(self.is_overdue_open, self.t, end)
        return self.counter.diff(np.where(end != NAT, self.pf, NAT), end)


def _days(tasks: pd.DataFrame, col: str) -> np.ndarray:
    if col not in tasks.columns:
        return np.full(len(tasks), NAT, dtype=np.int64)
    return day_ordinals(tasks[col])


def delivery_arrays(
    tasks: pd.DataFrame,
    *,
    as_of=None,
    calendar=None,
    updates=None,
    counter: DayCounter | None = None,
) -> DeliveryArrays:
    """Compute the per-task delivery flags once (private building block, see module doc)."""
    require_columns(tasks, _REQUIRED, "tasks")
    counter = counter if counter is not None else DayCounter(calendar)
    ts = resolve_as_of(as_of, tasks, updates)
    t = day_of(ts)
    pf, af = _days(tasks, "planned_finish"), _days(tasks, "actual_finish")
    status = status_index(tasks, ("cancelled", "done", "done_early"))  # one pass for both
    cancelled = status == 0
    live = ~cancelled
    has_pf = pf != NAT
    dated = live & (af != NAT) & (af <= t)
    undated = live & (af == NAT) & (status > 0)
    finished = dated | undated
    due = live & has_pf & (pf <= t)
    dated_pf = dated & has_pf
    on_time = dated_pf & (af <= pf)
    late = dated_pf & (af > pf)
    early = dated_pf & (af < pf)
    overdue = live & ~finished & has_pf & (pf < t)
    flags = (cancelled, due, finished, on_time, late, overdue, early, undated)
    return DeliveryArrays(tasks, ts, t, pf, af, flags, counter)


def task_delivery(tasks: pd.DataFrame, *, as_of=None, calendar=None) -> pd.DataFrame:
    """One row per task with its delivery flags and signed delay.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks table (needs ``planned_finish``; uses ``actual_finish`` and ``status``).
    as_of : date-like, optional
        The as-of date ``T``; default the latest actual date in ``tasks``.
    calendar : None, "calendar", "weekdays", "cn", WorkCalendar or list of holidays
        How ``delay_days`` is counted (calendar days by default).

    Returns
    -------
    DataFrame
        Columns ``[project, task_id, task, department, owner, phase, planned_finish,
        actual_finish, is_cancelled, is_due, is_finished, is_on_time, is_late,
        is_overdue_open, is_early, is_finish_undated, delay_days]`` in input order (index
        reset). ``is_finish_undated`` marks tasks whose status says done but that have no
        ``actual_finish``: finished, but neither on time nor late. ``delay_days`` is NaN for
        cancelled, open-not-overdue and undated tasks.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B"], "department": ["技术部", "技术部"],
    ...     "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-05"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-08", None]),
    ... })
    >>> out = task_delivery(tasks, as_of="2024-07-09", calendar="weekdays")
    >>> out[["task_id", "is_late", "is_overdue_open", "delay_days"]].to_dict("list")
    {'task_id': ['A', 'B'], 'is_late': [True, False], 'is_overdue_open': [False, True], \
'delay_days': [1.0, 2.0]}
    """
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    return _task_frame(tasks, arr)


def _task_frame(tasks: pd.DataFrame, arr: DeliveryArrays) -> pd.DataFrame:
    cols = {c: take(column_or_na(tasks, c)) for c in _ID_COLUMNS}
    for c in ("planned_finish", "actual_finish"):
        cols[c] = take(column_or_na(tasks, c, "datetime64[us]"))
    for c in FLAG_COLUMNS:
        cols[c] = getattr(arr, c)
    cols["delay_days"] = arr.delay_days
    return pd.DataFrame(cols, copy=False)  # fresh arrays: no 2-D block consolidation copy


def _summary_from(arr: DeliveryArrays, groups: Groups) -> pd.DataFrame:
    g, k = groups.codes, groups.n_groups
    # one bincount over (group, state): each task's flags packed into a small state number
    n_flags = len(COUNTED_FLAGS)
    n_states = 1 << n_flags
    if k * n_states <= max(4 * len(g), 1 << 16):
        key = arr.state if k == 1 else g * n_states + arr.state
        table = np.bincount(key, minlength=k * n_states).reshape(k, n_states)
        bits = (np.arange(n_states)[:, None] >> np.arange(n_flags)) & 1
        counts = list((table @ bits).T.astype(np.int64))
        n_all = table.sum(axis=1).astype(np.int64)
    else:  # many groups: one bincount per flag
        counts = [
            np.bincount(g[arr.counted(f)], minlength=k).astype(np.int64) for f in COUNTED_FLAGS
        ]
        n_all = np.bincount(g, minlength=k).astype(np.int64)
    cancelled, due, finished, on_time, late, over, early, undated = counts
    n_tasks = n_all - cancelled
    out = groups.keys.reset_index(drop=True).copy()
    data = {
        "n_tasks": n_tasks,
        "n_due": due,
        "n_finished": finished,
        "n_on_time": on_time,
        "n_late": late,
        "n_overdue_open": over,
        "n_early": early,
        "n_finished_undated": undated,
        "n_cancelled": cancelled,
        "on_time_rate": safe_ratio(on_time, due),
        "delay_rate": safe_ratio(late + over, due),
        "early_rate": safe_ratio(early, due),
        "completion_rate": safe_ratio(finished, n_tasks),
    }
    for c in SUMMARY_COLUMNS:
        out[c] = data[c]
    return out


def _empty(tasks: pd.DataFrame, by: list[str], columns, dtypes) -> pd.DataFrame:
    out = empty_keys(tasks, by)
    for c in columns:
        out[c] = pd.Series([], dtype=dtypes(c))
    return out


def _summary_dtype(c: str) -> str:
    return "int64" if c.startswith("n_") else "float64"


#: Group keys that name a person: grouping by them is opt-in and small groups are hidden.
PERSON_KEYS = ("owner",)
#: Default smallest person-level group shown (see ``min_group_size``).
MIN_GROUP_SIZE = 5


def hide_small_person_groups(
    out: pd.DataFrame, by: list[str], count: str, min_group_size: int | None
) -> pd.DataFrame:
    """Drop person-level groups (``by`` holds ``owner``) with fewer than ``min_group_size``
    items in ``count``: retrospectives look at processes, not at individuals."""
    if not min_group_size or not any(k in PERSON_KEYS for k in by):
        return out
    return out[out[count] >= min_group_size].reset_index(drop=True)


def delivery_summary(
    tasks: pd.DataFrame,
    *,
    by=None,
    as_of=None,
    calendar=None,
    min_group_size: int | None = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """On-time completion, delay, early-completion and completion rates with their counts.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks table.
    by : None, str or list of str
        Group keys: any task column (``department``, ``owner``, ``phase``, ``project`` …) or
        ``"week"``/``"month"`` — the period of ``planned_finish``, labelled by its first day
        (weeks start on Monday). ``None`` gives one row for everything.
    as_of : date-like, optional
        The as-of date ``T`` (default: the latest actual date in ``tasks``).
    calendar : optional
        Accepted for a uniform signature; the counts and rates compare dates and do not depend
        on the calendar.
    min_group_size : int or None, default 5
        Only when ``by`` includes ``owner`` (a person-level view, opt-in): owners with fewer
        than this many tasks (``n_tasks``) are left out. ``None`` or 0 shows every owner.

    Returns
    -------
    DataFrame
        One row per group, sorted by the keys (missing key values last):
        ``[*by, n_tasks, n_due, n_finished, n_on_time, n_late, n_overdue_open, n_early,
        n_finished_undated, n_cancelled, on_time_rate, delay_rate, early_rate,
        completion_rate]``.

        ``n_tasks`` counts non-cancelled tasks; ``n_on_time`` and ``n_early`` count due tasks
        only (a task finished ahead of a planned finish still in the future is in
        ``n_finished`` and enters the rates once due). ``on_time_rate = n_on_time / n_due``,
        ``delay_rate = (n_late + n_overdue_open) / n_due``, ``early_rate = n_early / n_due``,
        ``completion_rate = n_finished / n_tasks``; NaN when the denominator is 0 (e.g. a
        group whose tasks are all cancelled).

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "department": ["客服部", "产品部", "产品部"],
    ...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20", "2024-07-25"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-08", "2024-07-23", None]),
    ... })
    >>> s = delivery_summary(tasks, by="department", as_of="2024-07-31")
    >>> s[["department", "n_due", "n_late", "n_overdue_open", "delay_rate"]]
      department  n_due  n_late  n_overdue_open  delay_rate
    0        产品部      2       1               1         1.0
    1        客服部      1       0               0         0.0
    """
    by = normalize_by(by)
    require_columns(tasks, _REQUIRED, "tasks")
    if len(tasks) == 0:
        return _empty(tasks, by, SUMMARY_COLUMNS, _summary_dtype)
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    out = _summary_from(arr, make_groups(tasks, by))
    return hide_small_person_groups(out, by, "n_tasks", min_group_size)


def _sorted_by_group(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` ordered by (group code, value).

    Whole-day values (the usual case) are packed with their code into one int64 key and sorted
    with a plain ``np.sort``; anything else falls back to ``np.lexsort``.
    """
    if len(values) == 0:
        return values
    finite = np.isfinite(values)
    if finite.all() and np.array_equal(values, np.round(values)):
        vmin = int(values.min())
        rel = values.astype(np.int64) - vmin
        bits = max(int(rel.max()).bit_length(), 1)
        if bits + max(int(codes.max()).bit_length(), 1) <= 62:
            key = np.sort((codes.astype(np.int64) << bits) | rel)
            return (key & ((1 << bits) - 1)).astype(np.float64) + vmin
    return values[np.lexsort((values, codes))]


def _group_quantiles(values: np.ndarray, codes: np.ndarray, k: int, qs) -> list[np.ndarray]:
    """Linear-interpolated quantiles of ``values`` per group code (NaN for empty groups)."""
    return _group_stats(values, codes, k, qs)[3]


def _group_stats(values: np.ndarray, codes: np.ndarray, k: int, qs):
    """Per group code: count, sum, maximum and linear-interpolated quantiles of ``values``
    (no NaN) — ``(counts, sums, maxima, [quantile arrays])``, max and quantiles NaN for an
    empty group.

    Whole-day values over a modest range use one per-group histogram (one ``bincount``, no
    sort) for all of them: sums of whole numbers are exact, so they equal a weighted
    ``bincount``. Otherwise values are sorted by (group, value).
    """
    hist = None
    if len(values):
        with np.errstate(invalid="ignore"):
            iv = values.astype(np.int64)
        if np.array_equal(iv, values):
            vmin = int(iv.min())
            span = int(iv.max()) - vmin + 1
            if k * span <= 4_000_000:
                iv -= vmin
                iv += codes * span
                hist = np.bincount(iv, minlength=k * span).reshape(k, span)
    if hist is not None:
        return _hist_stats(hist, vmin, qs)
    counts = np.bincount(codes, minlength=k)
    total = np.bincount(codes, weights=values, minlength=k)
    mx = np.full(k, -np.inf)
    np.maximum.at(mx, codes, values)
    mx[counts == 0] = np.nan
    v = _sorted_by_group(values, codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[counts > 0]
    return counts, total, mx, _quantiles(counts, qs, lambda j: v[starts + j])


def _hist_stats(hist: np.ndarray, vmin: int, qs):
    """:func:`_group_stats` from per-group histograms of whole values: ``hist[g, j]`` values
    equal to ``vmin + j`` in group ``g`` (``vmin`` at most the smallest value)."""
    span = hist.shape[1]
    counts = hist.sum(axis=1)
    total = hist @ np.arange(vmin, vmin + span, dtype=np.float64) + 0.0  # no -0.0
    last = span - 1 - np.argmax(hist[:, ::-1] > 0, axis=1)
    mx = np.where(counts > 0, last + vmin, np.nan)
    cum = np.cumsum(hist, axis=1)[counts > 0]
    # the j-th smallest value of a group: how many cumulative counts are at most j
    return (
        counts,
        total,
        mx,
        _quantiles(counts, qs, lambda j: (cum <= j[:, None]).sum(axis=1) + vmin),
    )


def _quantiles(counts: np.ndarray, qs, kth) -> list[np.ndarray]:
    """Linear-interpolated quantiles per group, NaN for an empty group: ``kth(j)`` gives the
    ``j[i]``-th smallest value (0-based) of the ``i``-th non-empty group."""
    has = counts > 0
    out = []
    for q in qs:
        res = np.full(len(counts), np.nan)
        pos = q * (counts[has] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, counts[has] - 1)
        vlo, vhi = kth(lo), kth(hi)
        res[has] = vlo + (vhi - vlo) * (pos - lo)
        out.append(res)
    return out


def _slippage_from(arr: DeliveryArrays, groups: Groups, include_open: bool) -> pd.DataFrame:
    k = groups.n_groups
    ok = ~np.isnan(arr.delay_days)
    if not include_open:
        ok &= ~arr.is_overdue_open
    d = arr.delay_days[ok]
    g = groups.codes[ok]
    n, total, mx, (med, p85, p95) = _group_stats(d, g, k, (0.5, 0.85, 0.95))
    out = groups.keys.reset_index(drop=True).copy()
    data = {
        "n": n.astype(np.int64),
        "n_late": np.bincount(g[d > 0], minlength=k).astype(np.int64),
        "n_on_time": np.bincount(g[d == 0], minlength=k).astype(np.int64),
        "n_early": np.bincount(g[d < 0], minlength=k).astype(np.int64),
        "mean_delay_days": safe_ratio(total, n),
        "median_delay_days": med,
        "p85_delay_days": p85,
        "p95_delay_days": p95,
        "max_delay_days": mx,
        "total_delay_days": np.bincount(g, weights=np.maximum(d, 0), minlength=k),
        "total_early_days": np.bincount(g, weights=np.maximum(-d, 0), minlength=k),
    }
    for c in SLIPPAGE_COLUMNS:
        out[c] = data[c]
    return out


def slippage(
    tasks: pd.DataFrame,
    *,
    by=None,
    as_of=None,
    calendar=None,
    include_open: bool = True,
    min_group_size: int | None = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Distribution of signed delay days per group.

    The values are ``delay_days`` of :func:`task_delivery`: every finished task with a finish
    date (negative = early) and, when ``include_open``, every overdue open task (delay so far).
    Grouping by ``owner`` is a person-level view: owners with fewer than ``min_group_size``
    values (``n``) are left out (``None`` shows all), as in :func:`delivery_summary`.

    Returns
    -------
    DataFrame
        One row per group: ``[*by, n, n_late, n_on_time, n_early, mean_delay_days,
        median_delay_days, p85_delay_days, p95_delay_days, max_delay_days,
        total_delay_days, total_early_days]``. Here ``n_late``/``n_on_time``/``n_early`` count
        values ``> 0``/``== 0``/``< 0`` in the chosen calendar; percentiles interpolate
        linearly; ``total_delay_days`` sums the positive delays and ``total_early_days`` the
        days finished ahead of plan. Statistics are NaN for a group without values.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "department": ["技术部"] * 4,
    ...     "planned_finish": pd.to_datetime(["2024-07-10"] * 4),
    ...     "actual_finish": pd.to_datetime(["2024-07-08", "2024-07-10", "2024-07-12",
    ...                                       "2024-07-20"]),
    ... })
    >>> s = slippage(tasks, by="department")
    >>> s[["n", "n_early", "median_delay_days", "max_delay_days", "total_delay_days"]]
       n  n_early  median_delay_days  max_delay_days  total_delay_days
    0  4        1                1.0            10.0              12.0
    """
    by = normalize_by(by)
    require_columns(tasks, _REQUIRED, "tasks")
    if len(tasks) == 0:
        return _empty(tasks, by, SLIPPAGE_COLUMNS, _slip_dtype)
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    out = _slippage_from(arr, make_groups(tasks, by), include_open)
    return hide_small_person_groups(out, by, "n", min_group_size)


def _slip_dtype(c: str) -> str:
    return "int64" if c.startswith("n") else "float64"
