"""One call for the whole delivery and bottleneck picture of a :class:`TrackingData`.

The per-task flags, dependency edges, attribution and hand-over arrays are computed once and
shared by every table.

Examples
--------
>>> from collab_analytics import sample
>>> from collab_analytics.metrics.report import delivery_report
>>> td = sample.portfolio(n_projects=2, tasks_per_project=12, seed=1, bottleneck="技术部")
>>> rep = delivery_report(td, forecast_sims=200)
>>> list(rep.overall.columns[:3])
['n_tasks', 'n_due', 'n_finished']
>>> rep.bottlenecks["rank"].tolist()[:2]
[1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab_analytics.metrics import attribution as _att
from collab_analytics.metrics import bottleneck as _bn
from collab_analytics.metrics import delivery as _dl
from collab_analytics.metrics import forecast as _fc
from collab_analytics.metrics import handoffs as _ho
from collab_analytics.metrics import progress as _pg
from collab_analytics.metrics._common import (
    DayCounter,
    Groups,
    beside,
    dependency_edges,
    event_log,
    factorize_strings,
    make_groups,
    normalize_by,
)

__all__ = ["DeliveryReport", "delivery_report"]


@dataclass(frozen=True)
class DeliveryReport:
    """Every delivery and bottleneck table for one as-of date and calendar.

    Attributes
    ----------
    as_of : Timestamp or None
    calendar : str
        Name of the calendar used for durations.
    by : list of str
        Group keys of ``summary`` and ``slippage``.
    tasks : see :func:`~collab_analytics.metrics.delivery.task_delivery`
    overall, summary : see :func:`~collab_analytics.metrics.delivery.delivery_summary`
        (``overall`` without grouping, ``summary`` grouped by ``by``).
    slippage : see :func:`~collab_analytics.metrics.delivery.slippage`
    attribution : see :func:`~collab_analytics.metrics.attribution.delay_attribution`
    departments : see :func:`~collab_analytics.metrics.attribution.department_attribution`
    handoffs : see :func:`~collab_analytics.metrics.handoffs.handoffs`
    handoffs_by_department, handoff_pairs : see
        :func:`~collab_analytics.metrics.handoffs.handoff_summary` (``to_department``, ``pair``)
    history : :class:`~collab_analytics.metrics.handoffs.HistoryHandoffs` of the updates log
    blocked, blocked_by_department : see :func:`~collab_analytics.metrics.bottleneck.blocked_time`
    bottlenecks : see :func:`~collab_analytics.metrics.bottleneck.bottleneck_ranking`
    burnup, status_mix, wip, stalled, earned_value : see :mod:`~collab_analytics.metrics.progress`
    throughput : weekly :func:`~collab_analytics.metrics.forecast.throughput`
    forecast : :class:`~collab_analytics.metrics.forecast.FinishForecast`
    """

    as_of: pd.Timestamp | None
    calendar: str
    by: list
    tasks: pd.DataFrame
    overall: pd.DataFrame
    summary: pd.DataFrame
    slippage: pd.DataFrame
    attribution: pd.DataFrame
    departments: pd.DataFrame
    handoffs: pd.DataFrame
    handoffs_by_department: pd.DataFrame
    handoff_pairs: pd.DataFrame
    history: _ho.HistoryHandoffs
    blocked: pd.DataFrame
    blocked_by_department: pd.DataFrame
    bottlenecks: pd.DataFrame
    burnup: pd.DataFrame
    status_mix: pd.DataFrame
    wip: pd.DataFrame
    stalled: pd.DataFrame
    earned_value: pd.DataFrame
    throughput: pd.DataFrame
    forecast: _fc.FinishForecast


def _shared_log(updates: pd.DataFrame):
    """One ordered, factorised copy of the updates log for blocked time *and* history
    hand-overs, when both would keep the same rows (no missing task id, date or department).
    ``(None, None, None)`` otherwise: each step then prepares its own rows."""
    cols = ("task_id", "date", "department")
    if len(updates) == 0 or any(c not in updates.columns for c in cols):
        return None, None, None
    date = updates["date"]
    if not (isinstance(date.dtype, np.dtype) and date.dtype.kind == "M"):
        return None, None, None
    if any(updates[c].isna().any() for c in cols):
        return None, None, None
    log = event_log(updates["task_id"], date)
    dcode, duniq = factorize_strings(updates["department"], sort=True)
    return log, dcode, duniq


@dataclass(frozen=True)
class _LogSide:
    """The updates-log half of :func:`delivery_report`: history hand-overs and blocked-time
    counts, with a :class:`DayCounter` of its own (a counter extends its cached day range as
    it goes, so two threads never share one). Reads ``tasks`` only (ids, actual finish)."""

    updates: pd.DataFrame
    tasks: pd.DataFrame
    as_of: pd.Timestamp | None
    counter: DayCounter

    def __call__(self):
        updates, counter = self.updates, self.counter
        log, dcode, duniq = _shared_log(updates)
        bcounts = None
        if len(updates):
            bcounts = _bn._blocked_counts(updates, self.tasks, self.as_of, counter, log)
        if log is not None:
            dtype = updates["department"].dtype
            history = _ho._history_from(log, dcode, duniq, dtype, "task_id", counter)
        else:
            hist_src = updates
            if "department" not in updates.columns or "task_id" not in updates.columns:
                hist_src = updates.iloc[:0].assign(task_id="", department="")
            history = _ho.history_handoffs(hist_src, calendar=counter.calendar)
        return history, bcounts


def _task_side(tasks, arr, by, w):
    """The tasks half of :func:`delivery_report`: attribution, dependency hand-overs and the
    delivery summaries (no updates-log work)."""
    edges = dependency_edges(tasks)
    att = _att.attribution_arrays(tasks, arr, edges)
    dept = (att.dept_codes, att.departments)
    hand = _ho.handoff_arrays(tasks, arr, edges, *dept)
    handoff_frame = _ho._handoff_frame(tasks, hand, dept)
    if len(tasks) == 0:
        overall = _dl.delivery_summary(tasks)
        summary = _dl.delivery_summary(tasks, by=by)
        slip = _dl.slippage(tasks, by=by)
        departments = _att.department_attribution(tasks)
    else:
        overall = _dl._summary_from(arr, make_groups(tasks, []))
        groups = (
            Groups(
                att.dept_codes, pd.DataFrame({"department": att.departments}), len(att.departments)
            )
            if by == ["department"]
            else make_groups(tasks, by)
        )
        summary = _dl._summary_from(arr, groups)
        slip = _dl._slippage_from(arr, groups, True)
        departments = _att._department_frame(arr, att)
    if len(hand.src):
        by_dept = _ho.summarize_arrays(hand, *dept, "to_department")
        pairs = _ho.summarize_arrays(hand, *dept, "pair")
    else:
        by_dept = _ho.summarize_waits(handoff_frame, "to_department")
        pairs = _ho.summarize_waits(handoff_frame, "pair")
    return att, hand, handoff_frame, overall, summary, slip, departments, by_dept, pairs


def delivery_report(
    data,
    *,
    as_of=None,
    calendar=None,
    by="department",
    weights=None,
    forecast_sims: int = 10_000,
    seed: int = 0,
    deadline=None,
    progress: bool = True,
) -> DeliveryReport:
    """Compute the delivery, attribution, hand-over, bottleneck, progress and forecast tables.

    Parameters
    ----------
    data : TrackingData
        Canonical data (uses ``tasks`` and ``updates``).
    as_of : date-like, optional
        Default: the latest task actual date or update date.
    calendar : optional
        Calendar for every duration (see :func:`collab_analytics.calendar.get_calendar`).
    by : str or list of str
        Group keys of ``summary`` and ``slippage``.
    weights : dict, optional
        Bottleneck weights (see :data:`~collab_analytics.metrics.bottleneck.DEFAULT_WEIGHTS`).
    forecast_sims, seed, deadline
        Passed to :func:`~collab_analytics.metrics.forecast.forecast_finish`.
    progress : bool
        Also compute burn-up, status mix, WIP, stalled tasks, earned value and the forecast
        (set False for the delivery and bottleneck tables only; those attributes are then
        empty frames / ``None``).
    """
    tasks, updates = data.tasks, data.updates
    w = _bn.check_weights(weights)
    by = normalize_by(by)
    counter = DayCounter(calendar)
    arr = _dl.delivery_arrays(tasks, as_of=as_of, updates=updates, counter=counter)
    ts = arr.as_of
    # the updates log (blocked time, history hand-overs) and the tasks (summaries, attribution,
    # dependency hand-overs) are independent until the ranking: two threads on large inputs
    log_side = _LogSide(updates, tasks, ts, DayCounter(counter.calendar))
    task_side, (history, bcounts) = beside(
        lambda: _task_side(tasks, arr, by, w), log_side, len(tasks) + len(updates)
    )
    att, hand, handoff_frame, overall, summary, slip, departments, by_dept, pairs = task_side
    dept = (att.dept_codes, att.departments)
    blocked, bcodes = _bn._blocked_tables_from(bcounts, dept)
    blocked_dept = _bn._blocked_by_department(blocked, bcodes, att.departments)
    if len(tasks) == 0:
        ranking = _bn.bottleneck_ranking(tasks)
    else:
        ranking = _bn._ranking(tasks, arr, att, hand, blocked_dept, w, departments)
    if progress:
        burn = _pg.burnup(tasks, as_of=ts)
        mix = _pg.status_mix(updates, as_of=ts)
        wip = _pg.wip_ageing(tasks, as_of=ts, calendar=counter.calendar)
        stalled = _pg.stalled_tasks(updates, as_of=ts)
        ev = _pg.earned_value(tasks, updates, as_of=ts, calendar=counter.calendar)
        thr = _fc.throughput(tasks, as_of=ts)
        fc = _fc.forecast_finish(
            tasks, as_of=ts, n_sims=forecast_sims, seed=seed, deadline=deadline
        )
    else:
        burn = mix = wip = stalled = ev = thr = pd.DataFrame()
        fc = None
    return DeliveryReport(
        as_of=ts,
        calendar=counter.calendar.name,
        by=by,
        tasks=_dl._task_frame(tasks, arr),
        overall=overall,
        summary=summary,
        slippage=slip,
        attribution=_att._task_frame(tasks, arr, att),
        departments=departments,
        handoffs=handoff_frame,
        handoffs_by_department=by_dept,
        handoff_pairs=pairs,
        history=history,
        blocked=blocked,
        blocked_by_department=blocked_dept,
        bottlenecks=ranking,
        burnup=burn,
        status_mix=mix,
        wip=wip,
        stalled=stalled,
        earned_value=ev,
        throughput=thr,
        forecast=fc,
    )
