"""Blocked time from the updates log and the bottleneck-department ranking.

**Blocked time.** A status reported in an update holds from that update until the task's next
update; the last update's status holds until the task's ``actual_finish`` (when the tasks table
is given and the task finished earlier) or the as-of date ``T``. Days are whole days under the
chosen calendar.

**Bottleneck score.** For each department five components are measured:

========================  =================================================================
``own_delay_days``        delay days not explained by late inputs (delay attribution)
``blocked_days``          days its tasks were reported blocked (updates log)
``handoff_wait_days``     days its tasks sat idle after their cross-department input arrived
``overdue_open_days``     delay so far of its tasks still open past their planned finish
``downstream_tasks_hit``  tasks its own delay pushed late, transitively
========================  =================================================================

Each component is turned into the department's *share* of the portfolio total of that
component (0 when the total is 0). The score is the weighted mean of the shares,
``score = Σ w_c · share_c / Σ w_c``, so it lies in [0, 1] and each ``contrib_<component>``
column shows how much of the score a component explains. Departments are ranked by score.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.bottleneck import blocked_time
>>> updates = pd.DataFrame({
...     "task_id": ["T1", "T1", "T1"], "department": ["技术部"] * 3,
...     "date": pd.to_datetime(["2024-07-01", "2024-07-03", "2024-07-08"]),
...     "status": ["on_track", "blocked", "on_track"],
... })
>>> blocked_time(updates, as_of="2024-07-10")[["task_id", "blocked_days", "delayed_days"]]
  task_id  blocked_days  delayed_days
0      T1           5.0           0.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics.metrics._common import (
    NAT,
    DayCounter,
    EventLog,
    Groups,
    arrow_strings,
    day_of,
    day_ordinals,
    dependency_edges,
    event_log,
    make_groups,
    positions_in,
    require_columns,
    resolve_as_of,
    status_index,
    take,
    take_masked,
)
from collab_analytics.metrics.attribution import AttributionArrays, attribution_arrays
from collab_analytics.metrics.delivery import DeliveryArrays, delivery_arrays
from collab_analytics.metrics.handoffs import HandoffArrays, _dense_codes, handoff_arrays

__all__ = ["DEFAULT_WEIGHTS", "blocked_time", "bottleneck_ranking"]

#: Default component weights of the bottleneck score.
DEFAULT_WEIGHTS: dict[str, float] = {
    "own_delay_days": 0.3,
    "blocked_days": 0.2,
    "handoff_wait_days": 0.15,
    "overdue_open_days": 0.15,
    "downstream_tasks_hit": 0.2,
}

BLOCKED_TASK_COLUMNS = (
    "task_id",
    "department",
    "n_updates",
    "blocked_days",
    "delayed_days",
    "n_blocked_spells",
)
BLOCKED_DEPARTMENT_COLUMNS = (
    "department",
    "n_tasks",
    "n_tasks_blocked",
    "blocked_days",
    "delayed_days",
    "n_blocked_spells",
)


# ----------------------------------------------------------------------------- blocked time
def _update_key(updates: pd.DataFrame) -> pd.Series:
    if "task_id" in updates.columns:
        key = updates["task_id"]
        if "task" in updates.columns and key.isna().any():
            key = key.astype("str").fillna(updates["task"].astype("str"))
        return key
    return updates["task"]


def _blocked_log(updates: pd.DataFrame) -> EventLog:
    key = _update_key(updates)
    keep = (key.notna() & updates["date"].notna()).to_numpy()
    return event_log(key, updates["date"], keep)


def _blocked_counts(updates, tasks, as_of, counter: DayCounter, log: EventLog | None = None):
    """Per task of the log: the day counts (everything but the departments), as a tuple for
    :func:`_blocked_departments`. Needs no department codes of the tasks, so it can run
    while they are being computed (with a :class:`DayCounter` of its own)."""
    if log is None:
        log = _blocked_log(updates)
    tuniq = log.tuniq
    tc, day, first = log.task, log.day, log.first
    state = log.sorted(log.kept(status_index(updates, ("blocked", "delayed"))))
    n, m = len(tc), len(tuniq)
    t = day_of(as_of)
    # the last update of a task holds until its actual finish (if earlier) or T
    task_end = np.full(m, t, dtype=np.int64)
    dep_of_task = None
    if tasks is not None and len(tasks) and "task_id" in tasks.columns:
        pos = positions_in(tuniq, tasks["task_id"], unique=True)
        found = pos >= 0
        if "actual_finish" in tasks.columns:
            af = day_ordinals(tasks["actual_finish"])
            fin = np.where(found, af[np.maximum(pos, 0)], NAT)
            use = (fin != NAT) & ((fin < t) | (t == NAT))
            task_end[use] = fin[use]
        dep_of_task = np.where(found, pos, -1)
    # a status holds until the task's next update (its end for the last one); only the
    # blocked/delayed updates need their spans
    sel = np.flatnonzero(state >= 0)
    tsel = tc[sel]
    nxt = np.minimum(sel + 1, n - 1)
    sel_last = first[nxt] | (sel == n - 1)  # the next event belongs to another task
    end = np.where(sel_last, task_end[tsel], day[nxt])
    span = counter.diff(day[sel], end)
    span = np.where(np.isnan(span), 0.0, np.maximum(span, 0.0))
    # blocked (state 0) and delayed (state 1) days in one bincount
    days = np.bincount(tsel * 2 + state[sel], weights=span, minlength=2 * m).reshape(m, 2)
    blocked = state == 0
    spell = blocked.copy()  # a blocked update after a non-blocked one of the same task
    spell[1:] &= ~blocked[:-1] | first[1:]
    out = {
        "n_updates": log.n_events,
        "blocked_days": np.ascontiguousarray(days[:, 0]),
        "delayed_days": np.ascontiguousarray(days[:, 1]),
        "n_blocked_spells": np.bincount(tc[spell], minlength=m),
    }
    return updates, tasks, log, out, dep_of_task


def _blocked_departments(counts, dept=None):
    """Keys, departments and day counts per task of :func:`_blocked_counts`, and — when every
    task is in ``tasks`` and ``dept = (codes of the tasks, sorted departments)`` is given —
    the department code of each task (else ``None``)."""
    updates, tasks, log, out, dep_of_task = counts
    tuniq, tc, n, m = log.tuniq, log.task, len(log.task), len(log.tuniq)
    # department: from the tasks table when known, else the updates' own column
    from_tasks = dep_of_task is not None and "department" in tasks.columns
    all_found = from_tasks and bool((dep_of_task >= 0).all())
    if all_found:
        if dept is None:
            return tuniq, take_masked(tasks["department"], dep_of_task).astype("str"), out, None
        codes = dept[0][dep_of_task]  # names gathered from the few distinct ones
        return tuniq, pd.Series(dept[1].take(codes)).astype("str"), out, codes
    if "department" in updates.columns:
        first_row = np.full(m, -1, dtype=np.int64)
        rows = np.arange(n, dtype=np.int64) if log.order is None else log.order
        first_row[tc[::-1]] = rows[::-1]  # first update of each task in time order
        first_row = np.maximum(first_row, 0)
        if log.rows is not None:
            first_row = log.rows[first_row]
        dep_up = take(updates["department"], first_row).astype("str")
    else:
        dep_up = pd.Series(pd.array([None] * m, dtype="str"))
    if from_tasks:
        dep_t = take_masked(tasks["department"], dep_of_task).astype("str")
        dep_up = dep_t.where(pd.Series(dep_of_task >= 0), dep_up)
    return tuniq, dep_up, out, None


def blocked_time(
    updates: pd.DataFrame,
    *,
    tasks: pd.DataFrame | None = None,
    by: str = "task",
    as_of=None,
    calendar=None,
) -> pd.DataFrame:
    """Days each task (or department) spent blocked and delayed, from the updates log.

    Parameters
    ----------
    updates : DataFrame
        Canonical updates (``date``, ``task_id`` or ``task``, ``status``; ``department``).
    tasks : DataFrame, optional
        Canonical tasks: ends a finished task's last status at its ``actual_finish`` and
        supplies departments.
    by : {"task", "department"}
    as_of, calendar
        As in :func:`~collab_analytics.metrics.delivery.task_delivery`; ``as_of`` defaults to
        the latest date in ``updates`` and ``tasks``.

    Returns
    -------
    DataFrame
        ``by="task"``: ``[task_id, department, n_updates, blocked_days, delayed_days,
        n_blocked_spells]`` sorted by task; ``by="department"``: ``[department, n_tasks,
        n_tasks_blocked, blocked_days, delayed_days, n_blocked_spells]``. A *spell* is a run
        of consecutive blocked updates.

    Examples
    --------
    >>> import pandas as pd
    >>> updates = pd.DataFrame({
    ...     "task_id": ["A", "A", "B"], "department": ["技术部", "技术部", "产品部"],
    ...     "date": pd.to_datetime(["2024-07-01", "2024-07-04", "2024-07-02"]),
    ...     "status": ["blocked", "delayed", "blocked"],
    ... })
    >>> blocked_time(updates, by="department", as_of="2024-07-05")[
    ...     ["department", "blocked_days", "delayed_days"]].values.tolist()
    [['产品部', 3.0, 0.0], ['技术部', 3.0, 1.0]]
    """
    if by not in ("task", "department"):
        msg = f"by={by!r} is not supported. Use 'task' or 'department'."
        raise ValueError(msg)
    require_columns(updates, ("date",), "updates")
    if "task_id" not in updates.columns:
        require_columns(updates, ("task",), "updates")
    counter = DayCounter(calendar)
    ts = resolve_as_of(as_of, tasks, updates)
    frame = _blocked_frame(updates, tasks, ts, counter)
    return frame if by == "task" else _blocked_by_department(frame)


def _blocked_frame(updates, tasks, ts, counter, log=None) -> pd.DataFrame:
    return _blocked_tables(updates, tasks, ts, counter, log)[0]


def _blocked_tables(updates, tasks, ts, counter, log=None, dept=None):
    """The per-task blocked frame and the department codes of its rows (``None`` unless
    ``dept = (codes per task row, sorted departments)`` is given and every task is known)."""
    counts = None if len(updates) == 0 else _blocked_counts(updates, tasks, ts, counter, log)
    return _blocked_tables_from(counts, dept)


def _blocked_tables_from(counts, dept=None):
    """:func:`_blocked_tables` of :func:`_blocked_counts` (``None``: no updates)."""
    if counts is None:
        cols = {"task_id": "str", "department": "str"}
        frame = pd.DataFrame(
            {
                c: pd.Series([], dtype=cols.get(c, "int64" if c.startswith("n_") else "float64"))
                for c in BLOCKED_TASK_COLUMNS
            }
        )
        return frame, None
    tuniq, dep, data, codes = _blocked_departments(counts, dept)
    cols = {"task_id": pd.Series(tuniq.astype("str")), "department": dep.reset_index(drop=True)}
    for c in BLOCKED_TASK_COLUMNS[2:]:
        v = data[c]
        cols[c] = v.astype(np.int64) if c.startswith("n_") else v
    out = pd.DataFrame(cols, copy=False)
    if _strictly_increasing(out["task_id"]):
        return out, codes
    order = np.argsort(pd.factorize(out["task_id"], sort=True)[0], kind="stable")
    return out.take(order).reset_index(drop=True), None if codes is None else codes[order]


def _strictly_increasing(ids: pd.Series) -> bool:
    """True when Arrow-backed ``ids`` are already sorted and distinct (one neighbour compare)."""
    import pyarrow.compute as pc

    data = arrow_strings(ids)
    if data is None or data.null_count:
        return False
    if len(data) < 2:
        return True
    return not pc.any(pc.greater_equal(data.slice(0, len(data) - 1), data.slice(1))).as_py()


def _blocked_by_department(frame: pd.DataFrame, codes=None, departments=None) -> pd.DataFrame:
    """Per-department sums of a blocked frame; ``codes`` of its rows into the sorted
    ``departments`` (missing last) spare hashing the department names again."""
    if len(frame) == 0:
        return pd.DataFrame(
            {
                c: pd.Series(
                    [],
                    dtype="str"
                    if c == "department"
                    else ("int64" if c.startswith("n_") else "float64"),
                )
                for c in BLOCKED_DEPARTMENT_COLUMNS
            }
        )
    if codes is not None and departments.dtype == frame["department"].dtype:
        present, gc = _dense_codes(codes, len(departments))
        g = Groups(gc, pd.DataFrame({"department": departments.take(present)}), len(present))
    else:
        g = make_groups(frame, ["department"])
    k = g.n_groups
    out = g.keys.reset_index(drop=True).copy()
    out["n_tasks"] = np.bincount(g.codes, minlength=k).astype(np.int64)
    bd = frame["blocked_days"].to_numpy()
    out["n_tasks_blocked"] = np.bincount(g.codes[bd > 0], minlength=k).astype(np.int64)
    out["blocked_days"] = np.bincount(g.codes, weights=bd, minlength=k)
    out["delayed_days"] = np.bincount(
        g.codes, weights=frame["delayed_days"].to_numpy(), minlength=k
    )
    out["n_blocked_spells"] = np.bincount(
        g.codes, weights=frame["n_blocked_spells"].to_numpy(), minlength=k
    ).astype(np.int64)
    return out


# ----------------------------------------------------------------------------- ranking
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def _ranking(
    tasks: pd.DataFrame,
    arr: DeliveryArrays,
    att: AttributionArrays,
    hand: HandoffArrays,
    blocked_by_dept: pd.DataFrame | None,
    weights: dict[str, float],
    dept_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ranking; ``dept_frame`` (the report's department attribution) supplies own delay,
    downstream hits and task counts already summed per department."""
    depts = att.departments
    k = len(depts)
    g = att.dept_codes
    if dept_frame is None:
        late = arr.delay_days > 0
        own = np.bincount(g, weights=np.where(late, att.own, 0.0), minlength=k)
        hit = att.downstream_hit.astype(np.float64)
        n_tasks = np.bincount(g[~arr.is_cancelled], minlength=k).astype(np.int64)
        n_late = np.bincount(g[late], minlength=k).astype(np.int64)
    else:
        own = dept_frame["own_delay_days"].to_numpy()
        hit = dept_frame["downstream_tasks_hit"].to_numpy().astype(np.float64)
        n_tasks = dept_frame["n_tasks"].to_numpy()
        n_late = dept_frame["n_tasks_late"].to_numpy()
    overdue = np.bincount(
        g, weights=np.where(arr.is_overdue_open, arr.delay_days, 0.0), minlength=k
    )
    w = np.where(np.isnan(hand.wait), 0.0, hand.wait)
    handoff = np.bincount(g[hand.dst], weights=w, minlength=k)
    blocked = np.zeros(k)
    if blocked_by_dept is not None and len(blocked_by_dept):
        pos = depts.get_indexer(blocked_by_dept["department"])
        ok = pos >= 0
        np.add.at(blocked, pos[ok], blocked_by_dept["blocked_days"].to_numpy()[ok])
    comp = {
        "own_delay_days": own,
        "blocked_days": blocked,
        "handoff_wait_days": handoff,
        "overdue_open_days": overdue,
        "downstream_tasks_hit": hit,
    }
    wsum = sum(weights.values())
    score = np.zeros(k)
    contrib = {}
    for c in COMPONENTS:
        total = comp[c].sum()
        share = comp[c] / total if total > 0 else np.zeros(k)
        contrib[c] = weights.get(c, 0.0) * share / wsum if wsum > 0 else np.zeros(k)
        score += contrib[c]
    out = pd.DataFrame({"department": pd.Series(depts, dtype=depts.dtype)})
    out["score"] = score
    for c in COMPONENTS:
        out[c] = comp[c] if c != "downstream_tasks_hit" else comp[c].astype(np.int64)
    total_own = own.sum()
    out["share_of_attributable_delay"] = own / total_own if total_own > 0 else np.zeros(k)
    out["n_tasks"] = n_tasks
    out["n_tasks_late"] = n_late
    for c in COMPONENTS:
        out[f"contrib_{c}"] = contrib[c]
    names = out["department"].to_numpy(dtype=object).astype(str)
    order = np.lexsort((names, -score))
    out = out.take(order).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, k + 1, dtype=np.int64))
    return out


RANKING_COLUMNS = (
    "rank",
    "department",
    "score",
    *COMPONENTS,
    "share_of_attributable_delay",
    "n_tasks",
    "n_tasks_late",
    *(f"contrib_{c}" for c in COMPONENTS),
)


def check_weights(weights) -> dict[str, float]:
    """Validate user weights (unknown keys, negatives) and fill the defaults."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        msg = f"Unknown bottleneck weight(s) {unknown}. Known components: {list(COMPONENTS)}."
        raise ValueError(msg)
    out = {c: float(weights.get(c, 0.0)) for c in COMPONENTS}
    if any(v < 0 for v in out.values()) or sum(out.values()) <= 0:
        msg = f"Bottleneck weights must be ≥ 0 and not all 0, got {weights!r}."
        raise ValueError(msg)
    return out


def bottleneck_ranking(
    tasks: pd.DataFrame,
    updates: pd.DataFrame | None = None,
    *,
    as_of=None,
    calendar=None,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rank departments by how much they held the work back, with an explainable breakdown.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks (with ``depends_on`` for attribution and hand-overs).
    updates : DataFrame, optional
        Canonical updates log, for ``blocked_days`` (0 without it).
    as_of, calendar
        As in :func:`~collab_analytics.metrics.delivery.task_delivery`.
    weights : dict, optional
        Component weights (see :data:`DEFAULT_WEIGHTS`); missing components weigh 0.

    Returns
    -------
    DataFrame
        One row per department, best-ranked first: ``[rank, department, score,
        own_delay_days, blocked_days, handoff_wait_days, overdue_open_days,
        downstream_tasks_hit, share_of_attributable_delay, n_tasks, n_tasks_late,
        contrib_own_delay_days, contrib_blocked_days, contrib_handoff_wait_days,
        contrib_overdue_open_days, contrib_downstream_tasks_hit]``. The ``contrib_*`` columns
        sum to ``score``; ``share_of_attributable_delay`` is the department's share of all own
        delay days. Ties are broken by department name.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B", "C"], "department": ["客服部", "产品部", "技术部"],
    ...     "planned_start": pd.to_datetime(["2024-07-01", "2024-07-11", "2024-07-21"]),
    ...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20", "2024-08-20"]),
    ...     "actual_start": pd.to_datetime(["2024-07-01", "2024-07-14", "2024-07-24"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-14", "2024-07-24", "2024-08-22"]),
    ...     "depends_on": [[], ["A"], ["B"]],
    ... })
    >>> r = bottleneck_ranking(tasks)
    >>> r[["rank", "department", "own_delay_days", "downstream_tasks_hit"]].values.tolist()
    [[1, '客服部', 4.0, 2], [2, '产品部', 1.0, 1], [3, '技术部', 0.0, 0]]
    >>> bool(abs(r["score"] - r.filter(like="contrib_").sum(axis=1)).max() < 1e-12)
    True
    """
    w = check_weights(weights)
    require_columns(tasks, ("planned_finish", "department"), "tasks")
    if len(tasks) == 0:
        return _empty_ranking(tasks)
    counter = DayCounter(calendar)
    arr = delivery_arrays(tasks, as_of=as_of, updates=updates, counter=counter)
    edges = dependency_edges(tasks)
    att = attribution_arrays(tasks, arr, edges)
    hand = handoff_arrays(tasks, arr, edges, att.dept_codes, att.departments)
    blocked = None
    if updates is not None and len(updates):
        dept = (att.dept_codes, att.departments)
        frame, codes = _blocked_tables(updates, tasks, arr.as_of, counter, dept=dept)
        blocked = _blocked_by_department(frame, codes, att.departments)
    return _ranking(tasks, arr, att, hand, blocked, w)


def _empty_ranking(tasks: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in RANKING_COLUMNS:
        if c == "department":
            out[c] = tasks["department"].iloc[:0].reset_index(drop=True)
        elif c in ("rank", "n_tasks", "n_tasks_late", "downstream_tasks_hit"):
            out[c] = pd.Series([], dtype="int64")
        else:
            out[c] = pd.Series([], dtype="float64")
    return pd.DataFrame(out)
