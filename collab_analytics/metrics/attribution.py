"""Delay attribution along dependencies: inherited vs own delay, per task and per department.

A task that started late because its input arrived late is not the cause of that part of its
delay. For a task with predecessors (``depends_on``):

* ``inherited_delay_days = max(0, latest predecessor finish − planned_start)`` where a
  predecessor's finish is its ``actual_finish`` or, while it is still open at ``T``, ``T``
  itself (the input has not arrived yet); cancelled predecessors and predecessors finished
  without a date are ignored;
* ``own_delay_days = max(0, delay_days − inherited_delay_days)``.

The *critical predecessor* is the predecessor with the latest finish. A late task whose
critical predecessor finished after its planned start was *pushed* by it; following those
push links transitively gives, for each department, the number of downstream tasks that its own
delay pushed late.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.attribution import delay_attribution
>>> tasks = pd.DataFrame({
...     "task_id": ["T1", "T2"], "department": ["客服部", "产品部"],
...     "planned_start": pd.to_datetime(["2024-07-01", "2024-07-11"]),
...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20"]),
...     "actual_finish": pd.to_datetime(["2024-07-13", "2024-07-25"]),
...     "depends_on": [[], ["T1"]],
... })
>>> delay_attribution(tasks)[["task_id", "delay_days", "inherited_delay_days",
...                           "own_delay_days"]]
  task_id  delay_days  inherited_delay_days  own_delay_days
0      T1         3.0                   0.0             3.0
1      T2         5.0                   2.0             3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab_analytics.metrics._common import (
    NAT,
    Edges,
    column_or_na,
    dependency_edges,
    make_groups,
    require_columns,
    safe_ratio,
    take,
    take_masked,
)
from collab_analytics.metrics.delivery import DeliveryArrays, delivery_arrays

__all__ = ["delay_attribution", "department_attribution"]

TASK_COLUMNS = (
    "task_id",
    "task",
    "department",
    "delay_days",
    "inherited_delay_days",
    "own_delay_days",
    "n_predecessors",
    "critical_predecessor",
    "critical_predecessor_department",
    "pushed_by_predecessor",
    "n_upstream_departments",
)

DEPARTMENT_COLUMNS = (
    "department",
    "n_tasks",
    "n_tasks_late",
    "n_tasks_own_delay",
    "own_delay_days",
    "inherited_delay_days",
    "downstream_tasks_hit",
    "share_of_own_delay",
)

_REQUIRED = ("planned_finish", "department")


@dataclass(frozen=True)
class AttributionArrays:
    """Per-task attribution arrays (private building block shared with the bottleneck ranking)."""

    inherited: np.ndarray  # float, 0 without predecessors
    own: np.ndarray  # float, NaN where delay_days is NaN
    n_pred: np.ndarray
    critical: np.ndarray  # row position of the critical predecessor, -1 if none
    pushed: np.ndarray  # bool: late and pushed by its critical predecessor
    dept_codes: np.ndarray
    departments: pd.Index
    # push links: departments whose own delay reached each task, tasks reached per department
    n_upstream: np.ndarray  # int64 per task
    downstream_hit: np.ndarray  # int64 per department


def _tie_rank(tasks: pd.DataFrame, rows: np.ndarray, ids_sorted: bool = False) -> np.ndarray:
    """Rank of the task ids of ``rows`` (breaks finish-date ties independent of row order);
    the rows themselves when the ids are distinct and in increasing row order."""
    if ids_sorted:
        return rows.astype(np.int64)
    if "task_id" in tasks.columns:
        ids = take(tasks["task_id"], rows).astype("str")
        return pd.factorize(ids, sort=True)[0].astype(np.int64)
    return rows.astype(np.int64)


def _critical_edges(tasks: pd.DataFrame, src, dst, f, ids_sorted: bool = False) -> np.ndarray:
    """Per successor, the edge of its critical predecessor: the latest finish, ties broken by
    the larger task id (then the later edge). Returns the selected edge positions.

    Edges come grouped by successor (``dependency_edges`` emits them so), so the latest finish
    is a ``maximum.reduceat`` per successor; task ids are ranked only for the few successors
    with a tie at their latest finish.
    """
    order = None
    if len(dst) > 1 and not np.all(dst[1:] >= dst[:-1]):
        order = np.argsort(dst, kind="stable")
        src, dst, f = src[order], dst[order], f[order]
    m = len(dst)
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, m)))
    best = np.maximum.reduceat(f, starts)
    cand = f == best[seg]
    n_cand = np.bincount(seg[cand], minlength=len(starts))
    # the single candidate of untied successors (the last one if tied, refined below)
    last = np.full(len(starts), -1, dtype=np.int64)
    cpos = np.flatnonzero(cand)
    last[seg[cpos]] = cpos  # later edges overwrite earlier ones
    tied = np.flatnonzero(cand & (n_cand[seg] > 1))
    if len(tied):
        rank = _tie_rank(tasks, src[tied], ids_sorted)
        o = np.lexsort((tied, rank, seg[tied]))
        ts = seg[tied][o]
        end = np.r_[ts[1:] != ts[:-1], True]
        last[ts[end]] = tied[o][end]
    return last if order is None else order[last]


def attribution_arrays(tasks: pd.DataFrame, arr: DeliveryArrays, edges: Edges) -> AttributionArrays:
    """Inherited/own delay, critical predecessors and transitive push sets (vectorised)."""
    n = len(tasks)
    groups = make_groups(tasks, ["department"])
    dept_codes = groups.codes
    departments = pd.Index(groups.keys["department"]) if len(tasks) else pd.Index([], dtype="str")
    t = arr.t
    # effective finish of each task as a predecessor
    open_ = ~arr.is_cancelled & ~arr.is_finished
    fin = np.where(
        arr.is_finished & (arr.af != NAT) & (arr.af <= t),
        arr.af,
        np.where(open_ & (t != NAT), t, NAT),
    )
    n_pred = np.bincount(edges.dst, minlength=n).astype(np.int64)
    critical = np.full(n, -1, dtype=np.int64)
    inherited = np.zeros(n, dtype=np.float64)
    if len(edges.src):
        f = fin[edges.src]
        valid = f != NAT
        src, dst, f = edges.src[valid], edges.dst[valid], f[valid]
        if len(src):
            sel = _critical_edges(tasks, src, dst, f, edges.ids_sorted)
            critical[dst[sel]] = src[sel]
            latest = np.full(n, NAT, dtype=np.int64)
            latest[dst[sel]] = f[sel]
            has = (latest != NAT) & (arr.ps != NAT)
            inh = arr.counter.diff(np.where(has, arr.ps, NAT), np.where(has, latest, NAT))
            inherited = np.where(has, np.maximum(inh, 0.0), 0.0)
    delay = arr.delay_days
    own = np.maximum(delay - inherited, 0.0)  # NaN stays NaN
    late = delay > 0
    pushed = late & (inherited > 0) & (critical >= 0)
    parent = np.where(pushed, critical, -1)
    n_up, hit = _push_sets(parent, own > 0, dept_codes, len(departments))
    return AttributionArrays(
        inherited, own, n_pred, critical, pushed, dept_codes, departments, n_up, hit
    )


def _push_sets(parent: np.ndarray, own_late: np.ndarray, dept: np.ndarray, k: int):
    """Which departments' own delay reached each task along push links (transitively).

    ``parent[i]`` is the task that pushed ``i`` (or -1). The departments of the ancestors with
    own delay are OR-ed into a bit mask by pointer jumping: after step ``s`` each task holds the
    ancestors up to distance ``2**s``, so the loop runs ``log2(longest chain)`` vectorised
    steps. Only pushed tasks take part (the others reach nobody's mask), each step only those
    whose pointer is still live; departments are packed 64 to a word.

    Returns the number of such departments per task and the number of tasks each
    department reached (``int64``).
    """
    n = len(parent)
    per_task = np.zeros(n, dtype=np.int64)
    per_dept = np.zeros(k, dtype=np.int64)
    nodes = np.flatnonzero(parent >= 0)
    if n == 0 or k == 0 or len(nodes) == 0:
        return per_task, per_dept
    par = parent[nodes]
    # pointer between pushed tasks: the compact position of a pushed parent, else -1
    compact = np.full(n, -1, dtype=np.int64)
    compact[nodes] = np.arange(len(nodes), dtype=np.int64)
    ptr0 = compact[par]
    pdept, pown = dept[par], own_late[par]
    counts = np.zeros(len(nodes), dtype=np.int64)
    for w0 in range(0, k, 64):
        kw = min(64, k - w0)
        in_word = pown & (pdept >= w0) & (pdept < w0 + 64)
        mask = np.zeros(len(nodes), dtype=np.uint64)
        mask[in_word] = np.left_shift(np.uint64(1), (pdept[in_word] - w0).astype(np.uint64))
        ptr = ptr0.copy()
        idx = np.flatnonzero(ptr >= 0)
        for _ in range(64):  # 2**64 exceeds any chain; cycles stop here too
            if len(idx) == 0:
                break
            p = ptr[idx]
            mask[idx] |= mask[p]  # both sides read before the write: one synchronous step
            ptr[idx] = ptr[p]
            idx = idx[ptr[idx] >= 0]
        counts += np.bitwise_count(mask)
        if kw <= 16:  # count each distinct mask once, then its bits
            n_mask = np.bincount(mask.astype(np.int64))
            seen = np.flatnonzero(n_mask)
            onbit = (seen[:, None] >> np.arange(kw)) & 1
            per_dept[w0 : w0 + kw] = (n_mask[seen][:, None] * onbit).sum(axis=0)
        else:
            raw = mask.astype("<u8", copy=False).view(np.uint8).reshape(len(nodes), 8)
            bits = np.unpackbits(raw, axis=1, bitorder="little")[:, :kw]
            per_dept[w0 : w0 + kw] = bits.sum(axis=0, dtype=np.int64)
    per_task[nodes] = counts
    return per_task, per_dept


def _prepare(tasks, as_of, calendar):
    require_columns(tasks, _REQUIRED, "tasks")
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    return arr, attribution_arrays(tasks, arr, dependency_edges(tasks))


def delay_attribution(tasks: pd.DataFrame, *, as_of=None, calendar=None) -> pd.DataFrame:
    """Per task: how much of its delay was inherited from predecessors and how much is its own.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks table; dependencies come from ``depends_on`` (lists of task ids).
    as_of, calendar
        As in :func:`~collab_analytics.metrics.delivery.task_delivery`.

    Returns
    -------
    DataFrame
        One row per task, input order: ``[task_id, task, department, delay_days,
        inherited_delay_days, own_delay_days, n_predecessors, critical_predecessor,
        critical_predecessor_department, pushed_by_predecessor, n_upstream_departments]``.
        ``inherited_delay_days`` follows the module definition (0 without predecessors or
        without ``planned_start``); ``own_delay_days`` is NaN where ``delay_days`` is.
        ``pushed_by_predecessor`` is True for a late task whose critical predecessor finished
        after its planned start; ``n_upstream_departments`` counts the departments whose own
        delay reached the task along such push links.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B", "C"], "department": ["客服部", "产品部", "技术部"],
    ...     "planned_start": pd.to_datetime(["2024-07-01", "2024-07-11", "2024-07-21"]),
    ...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20", "2024-08-20"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-14", "2024-07-24", "2024-08-22"]),
    ...     "depends_on": [[], ["A"], ["B"]],
    ... })
    >>> out = delay_attribution(tasks)
    >>> out[["task_id", "inherited_delay_days", "own_delay_days", "critical_predecessor"]]
      task_id  inherited_delay_days  own_delay_days critical_predecessor
    0       A                   0.0             4.0                  NaN
    1       B                   3.0             1.0                    A
    2       C                   3.0             0.0                    B
    """
    arr, att = _prepare(tasks, as_of, calendar)
    return _task_frame(tasks, arr, att)


def _task_frame(tasks: pd.DataFrame, arr: DeliveryArrays, att: AttributionArrays):
    ids = column_or_na(tasks, "task_id")
    dep = column_or_na(tasks, "department")
    crit = att.critical
    return pd.DataFrame(
        {
            "task_id": take(ids),
            "task": take(column_or_na(tasks, "task")),
            "department": take(dep),
            "delay_days": arr.delay_days.copy(),  # the task frame holds the original
            "inherited_delay_days": att.inherited,
            "own_delay_days": att.own,
            "n_predecessors": att.n_pred,
            "critical_predecessor": take_masked(ids, crit).astype("str"),
            "critical_predecessor_department": take_masked(dep, crit).astype("str"),
            "pushed_by_predecessor": att.pushed,
            "n_upstream_departments": att.n_upstream,
        },
        copy=False,  # fresh arrays: no 2-D block consolidation copy
    )


def _department_frame(arr: DeliveryArrays, att: AttributionArrays) -> pd.DataFrame:
    k = len(att.departments)
    g = att.dept_codes
    live = ~arr.is_cancelled
    delay = arr.delay_days
    late = delay > 0
    pos_delay = np.where(late, delay, 0.0)
    own = np.where(late, att.own, 0.0)
    inh = np.where(late, np.minimum(att.inherited, pos_delay), 0.0)
    own_sum = np.bincount(g, weights=own, minlength=k)
    total_own = own_sum.sum()
    out = pd.DataFrame({"department": pd.Series(att.departments, dtype=att.departments.dtype)})
    out["n_tasks"] = np.bincount(g[live], minlength=k).astype(np.int64)
    out["n_tasks_late"] = np.bincount(g[late], minlength=k).astype(np.int64)
    out["n_tasks_own_delay"] = np.bincount(g[own > 0], minlength=k).astype(np.int64)
    out["own_delay_days"] = own_sum
    out["inherited_delay_days"] = np.bincount(g, weights=inh, minlength=k)
    out["downstream_tasks_hit"] = att.downstream_hit
    out["share_of_own_delay"] = safe_ratio(own_sum, np.full(k, total_own))
    return out


def department_attribution(tasks: pd.DataFrame, *, as_of=None, calendar=None) -> pd.DataFrame:
    """Per department: own vs inherited delay and the downstream tasks its own delay pushed late.

    Returns
    -------
    DataFrame
        One row per department (sorted): ``[department, n_tasks, n_tasks_late,
        n_tasks_own_delay, own_delay_days, inherited_delay_days, downstream_tasks_hit,
        share_of_own_delay]``. For each late task the delay splits into
        ``own + inherited`` with the inherited part capped at the task's delay, so
        ``own_delay_days + inherited_delay_days`` is the department's total delay days.
        ``downstream_tasks_hit`` counts the distinct tasks (any department) reached by push
        links from a task of this department with own delay. ``share_of_own_delay`` is the
        department's share of all own delay days (NaN when nobody has own delay).

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A", "B", "C"], "department": ["客服部", "产品部", "技术部"],
    ...     "planned_start": pd.to_datetime(["2024-07-01", "2024-07-11", "2024-07-21"]),
    ...     "planned_finish": pd.to_datetime(["2024-07-10", "2024-07-20", "2024-08-20"]),
    ...     "actual_finish": pd.to_datetime(["2024-07-14", "2024-07-24", "2024-08-22"]),
    ...     "depends_on": [[], ["A"], ["B"]],
    ... })
    >>> out = department_attribution(tasks).set_index("department")
    >>> out["own_delay_days"].to_dict()
    {'产品部': 1.0, '客服部': 4.0, '技术部': 0.0}
    >>> out["inherited_delay_days"].to_dict()
    {'产品部': 3.0, '客服部': 0.0, '技术部': 2.0}
    >>> out["downstream_tasks_hit"].to_dict()
    {'产品部': 1, '客服部': 2, '技术部': 0}
    >>> out["share_of_own_delay"].tolist()
    [0.2, 0.8, 0.0]
    """
    require_columns(tasks, _REQUIRED, "tasks")
    if len(tasks) == 0:
        return _empty_departments(tasks)
    arr, att = _prepare(tasks, as_of, calendar)
    return _department_frame(arr, att)


def _empty_departments(tasks: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"department": tasks["department"].iloc[:0].reset_index(drop=True)})
    for c in DEPARTMENT_COLUMNS[1:]:
        dt = "int64" if c.startswith(("n_", "downstream")) else "float64"
        out[c] = pd.Series([], dtype=dt)
    return out
