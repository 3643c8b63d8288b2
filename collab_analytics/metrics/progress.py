"""Progress over time: burn-up, status mix, ageing work in progress, stalled tasks, earned value.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.progress import burnup
>>> tasks = pd.DataFrame({
...     "planned_finish": pd.to_datetime(["2024-07-02", "2024-07-03"]),
...     "actual_finish": pd.to_datetime(["2024-07-03", None]),
... })
>>> burnup(tasks, as_of="2024-07-03")[["date", "planned_done", "actual_done"]].values.tolist()
[[Timestamp('2024-07-02 00:00:00'), 1, 0], [Timestamp('2024-07-03 00:00:00'), 2, 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics.metrics._common import (
    NAT,
    DayCounter,
    column_or_na,
    day_of,
    day_ordinals,
    days_to_datetime,
    make_groups,
    normalize_by,
    require_columns,
    resolve_as_of,
    safe_ratio,
    status_is,
)
from collab_analytics.metrics.delivery import delivery_arrays
from collab_analytics.metrics.handoffs import _sort_order
from collab_analytics.schema import STATUS_CODES, STATUS_DTYPE

__all__ = ["burnup", "earned_value", "stalled_tasks", "status_mix", "wip_ageing"]


def _dates(lo: int, hi: int) -> np.ndarray:
    return days_to_datetime(np.arange(lo, hi + 1, dtype=np.int64))


def burnup(tasks: pd.DataFrame, *, as_of=None) -> pd.DataFrame:
    """Planned vs actual cumulative finished tasks per calendar day.

    Returns
    -------
    DataFrame
        ``[date, planned_done, actual_done, n_tasks]`` for every day from the first planned or
        actual finish to the later of ``T`` and the last planned finish. ``actual_done`` is
        ``<NA>`` after ``T``; cancelled tasks are left out.
    """
    require_columns(tasks, ("planned_finish",), "tasks")
    cols = {
        "date": pd.Series([], dtype="datetime64[us]"),
        "planned_done": pd.Series([], dtype="int64"),
        "actual_done": pd.Series([], dtype="Int64"),
        "n_tasks": pd.Series([], dtype="int64"),
    }
    live = ~status_is(tasks, ("cancelled",))
    pf = day_ordinals(tasks["planned_finish"])[live]
    af = day_ordinals(column_or_na(tasks, "actual_finish", "datetime64[us]"))[live]
    t = day_of(resolve_as_of(as_of, tasks))
    days = np.concatenate([pf[pf != NAT], af[af != NAT]])
    if len(days) == 0 or t == NAT:
        return pd.DataFrame(cols)
    lo, hi = int(days.min()), max(int(pf.max()) if (pf != NAT).any() else t, t)
    span = hi - lo + 1
    planned = np.cumsum(np.bincount(pf[pf != NAT] - lo, minlength=span))
    a = af[(af != NAT) & (af <= t)]
    actual = pd.array(np.cumsum(np.bincount(a - lo, minlength=span)), dtype="Int64")
    actual[np.arange(lo, hi + 1) > t] = pd.NA
    return pd.DataFrame(
        {
            "date": _dates(lo, hi),
            "planned_done": planned.astype(np.int64),
            "actual_done": actual,
            "n_tasks": np.full(span, int(live.sum()), dtype=np.int64),
        }
    )


def _update_key(updates: pd.DataFrame) -> pd.Series:
    if "task_id" in updates.columns and updates["task_id"].notna().all():
        return updates["task_id"]
    return updates["task"]


def _ordered_updates(updates: pd.DataFrame):
    key = _update_key(updates)
    tcode, tuniq = pd.factorize(key)
    when = updates["date"].to_numpy(dtype="datetime64[us]").view(np.int64)
    order = _sort_order(tcode, when, len(tuniq))
    tc = tcode[order]
    last = np.r_[tc[1:] != tc[:-1], True] if len(tc) else np.zeros(0, dtype=bool)
    return order, tc, tuniq, when[order] // 86_400_000_000, last


def status_mix(updates: pd.DataFrame, *, as_of=None) -> pd.DataFrame:
    """Number of tasks in each status per day, carrying each task's last reported status.

    Returns
    -------
    DataFrame
        Long form ``[date, status, n_tasks]`` (status as the canonical categorical), one row
        per day from the first update to ``T`` and per status code.

    Examples
    --------
    >>> import pandas as pd
    >>> up = pd.DataFrame({"task_id": ["A", "A"], "status": ["on_track", "blocked"],
    ...                    "date": pd.to_datetime(["2024-07-01", "2024-07-02"])})
    >>> m = status_mix(up, as_of="2024-07-02")
    >>> m[m["n_tasks"] > 0][["status", "n_tasks"]].values.tolist()
    [['on_track', 1], ['blocked', 1]]
    """
    require_columns(updates, ("date", "status"), "updates")
    empty = pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[us]"),
            "status": pd.Series([], dtype=STATUS_DTYPE),
            "n_tasks": pd.Series([], dtype="int64"),
        }
    )
    ok = updates["date"].notna().to_numpy()
    up = updates[ok]
    t = day_of(resolve_as_of(as_of, None, up))
    if len(up) == 0 or t == NAT:
        return empty
    order, _tc, _u, day, last = _ordered_updates(up)
    status = pd.Series(up["status"]).astype(STATUS_DTYPE).cat.codes.to_numpy()[order]
    lo = int(day.min())
    if t < lo:
        return empty
    span = t - lo + 1
    start = np.clip(day - lo, 0, span)
    end = np.r_[day[1:], 0] - lo
    end[last] = span
    end = np.clip(end, 0, span)
    k = len(STATUS_CODES)
    keep = status >= 0
    diff = np.zeros((k, span + 1), dtype=np.int64)
    np.add.at(diff, (status[keep], start[keep]), 1)
    np.add.at(diff, (status[keep], end[keep]), -1)
    counts = np.cumsum(diff, axis=1)[:, :span]
    return pd.DataFrame(
        {
            "date": np.tile(_dates(lo, t), k),
            "status": pd.Categorical.from_codes(np.repeat(np.arange(k), span), dtype=STATUS_DTYPE),
            "n_tasks": counts.ravel(),
        }
    )


def wip_ageing(tasks: pd.DataFrame, *, as_of=None, calendar=None) -> pd.DataFrame:
    """Tasks started but not finished at ``T``, with their age.

    Returns
    -------
    DataFrame
        ``[task_id, task, department, actual_start, planned_finish, age_days,
        planned_duration_days, age_ratio, is_overdue]`` sorted by age (oldest first):
        ``age_days = T − actual_start``, ``planned_duration_days = planned_finish −
        planned_start``, ``age_ratio = age / planned duration``.
    """
    require_columns(tasks, ("planned_finish",), "tasks")
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    wip = ~arr.is_cancelled & ~arr.is_finished & (arr.as_ != NAT) & (arr.as_ <= arr.t)
    idx = np.flatnonzero(wip)
    age = arr.counter.diff(arr.as_[idx], np.full(len(idx), arr.t))
    dur = arr.counter.diff(arr.ps[idx], arr.pf[idx])
    out = pd.DataFrame(
        {
            c: pd.Series(column_or_na(tasks, c).to_numpy()[idx], dtype=column_or_na(tasks, c).dtype)
            for c in ("task_id", "task", "department")
        }
    )
    out["actual_start"] = column_or_na(tasks, "actual_start", "datetime64[us]").to_numpy()[idx]
    out["planned_finish"] = tasks["planned_finish"].to_numpy()[idx]
    out["age_days"] = age
    out["planned_duration_days"] = dur
    out["age_ratio"] = safe_ratio(age, dur)
    out["is_overdue"] = arr.is_overdue_open[idx]
    order = np.lexsort((out["task_id"].to_numpy(dtype=object).astype(str), -age))
    return out.take(order).reset_index(drop=True)


def stalled_tasks(
    updates: pd.DataFrame, *, days: int = 5, calendar="weekdays", as_of=None
) -> pd.DataFrame:
    """Open tasks whose reported progress has not changed for at least ``days`` days.

    A task's *last change* is the date of its latest update whose progress differs from the
    previous update's (its first update if it never changed). It is stalled when
    ``T − last change ≥ days`` in the calendar (working days Mon–Fri by default) and its last
    update is neither done nor cancelled nor at 100 %.

    Returns
    -------
    DataFrame
        ``[task_id, department, last_progress, last_change, last_update, stalled_days]``,
        longest-stalled first.

    Examples
    --------
    >>> import pandas as pd
    >>> up = pd.DataFrame({"task_id": ["A"] * 3, "progress": [0.2, 0.5, 0.5],
    ...                    "status": ["on_track"] * 3,
    ...                    "date": pd.to_datetime(["2024-07-01", "2024-07-02", "2024-07-08"])})
    >>> stalled_tasks(up, as_of="2024-07-10")[["task_id", "stalled_days"]].values.tolist()
    [['A', 6.0]]
    """
    require_columns(updates, ("date", "progress"), "updates")
    counter = DayCounter(calendar)
    ok = updates["date"].notna().to_numpy()
    up = updates[ok]
    t = day_of(resolve_as_of(as_of, None, up))
    cols = ("task_id", "department", "last_progress", "last_change", "last_update", "stalled_days")
    if len(up) == 0 or t == NAT:
        dt = {
            "task_id": "str",
            "department": "str",
            "last_progress": "float64",
            "last_change": "datetime64[us]",
            "last_update": "datetime64[us]",
            "stalled_days": "float64",
        }
        return pd.DataFrame({c: pd.Series([], dtype=dt[c]) for c in cols})
    order, tc, tuniq, day, last = _ordered_updates(up)
    prog = up["progress"].to_numpy(dtype=np.float64, na_value=np.nan)[order]
    first = np.r_[True, tc[1:] != tc[:-1]]
    prev = np.r_[np.nan, prog[:-1]]
    changed = first | ~((prog == prev) | (np.isnan(prog) & np.isnan(prev)))
    # latest change day per task: forward-fill change positions then read at the last row
    pos = np.where(changed, np.arange(len(tc)), 0)
    pos = np.maximum.accumulate(pos)
    li = np.flatnonzero(last)
    change_day = day[pos[li]]
    done = status_is(up, ("done", "done_early", "cancelled"))[order][li] | (prog[li] >= 1.0)
    stalled = counter.diff(change_day, np.full(len(li), t))
    sel = ~done & (stalled >= days)
    dep = column_or_na(up, "department").to_numpy(dtype=object)[order][li]
    out = pd.DataFrame(
        {
            "task_id": pd.Series(np.asarray(tuniq.take(tc[li]), dtype=object)[sel], dtype="str"),
            "department": pd.Series(dep[sel], dtype="str"),
            "last_progress": prog[li][sel],
            "last_change": days_to_datetime(change_day[sel]),
            "last_update": days_to_datetime(day[li][sel]),
            "stalled_days": stalled[sel],
        }
    )
    o = np.lexsort((out["task_id"].to_numpy(dtype=object).astype(str), -out["stalled_days"]))
    return out.take(o).reset_index(drop=True)


def earned_value(
    tasks: pd.DataFrame,
    updates: pd.DataFrame | None = None,
    *,
    by="department",
    as_of=None,
    calendar=None,
) -> pd.DataFrame:
    """Planned value, earned value, SPI and SV per group.

    Each task's budget is its planned duration in working days of ``calendar`` (at least 1).
    ``PV`` = budget × share of the planned window's working days elapsed by ``T``; ``EV`` =
    budget × progress at ``T`` (latest update on or before ``T``, else the task's ``progress``;
    1 for finished tasks). ``SPI = EV / PV`` (NaN when PV is 0) and ``SV = EV − PV`` in
    budget days. Cancelled tasks are left out.

    Returns
    -------
    DataFrame
        ``[*by, n_tasks, bac, pv, ev, spi, sv]``.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "task_id": ["A"], "department": ["技术部"],
    ...     "planned_start": pd.to_datetime(["2024-07-01"]),
    ...     "planned_finish": pd.to_datetime(["2024-07-10"]),
    ...     "progress": [0.3],
    ... })
    >>> earned_value(tasks, as_of="2024-07-05")[["bac", "pv", "ev", "spi"]].values.tolist()
    [[10.0, 5.0, 3.0, 0.6]]
    """
    by = normalize_by(by)
    require_columns(tasks, ("planned_finish",), "tasks")
    cols = ("n_tasks", "bac", "pv", "ev", "spi", "sv")
    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar, updates=updates)
    c = arr.counter
    n = len(tasks)
    ps = np.where(arr.ps != NAT, arr.ps, arr.pf)
    # window [ps, pf] inclusive: working days in it = diff(ps - 1, pf)
    bac = np.maximum(c.diff(np.where(ps != NAT, ps - 1, NAT), arr.pf), 1.0)
    bac = np.where(np.isnan(bac), 1.0, bac)
    elapsed = c.diff(np.where(ps != NAT, ps - 1, NAT), np.minimum(np.full(n, arr.t), arr.pf))
    frac = np.clip(np.where(np.isnan(elapsed), 0.0, elapsed) / bac, 0.0, 1.0)
    frac = np.where((ps != NAT) & (arr.t < ps), 0.0, frac)
    pv = bac * frac
    prog = column_or_na(tasks, "progress", "float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if updates is not None and len(updates) and "progress" in updates.columns:
        up = updates[updates["date"].notna().to_numpy()]
        up = up[(day_ordinals(up["date"]) <= arr.t)]
        if len(up):
            order, tc, tuniq, _day, last = _ordered_updates(up)
            p = up["progress"].to_numpy(dtype=np.float64, na_value=np.nan)[order]
            li = np.flatnonzero(last)
            ids = pd.Index(column_or_na(tasks, "task_id").astype("str"))
            pos = ids.get_indexer(pd.Index(np.asarray(tuniq.take(tc[li]))).astype("str"))
            okp = (pos >= 0) & ~np.isnan(p[li])
            prog = prog.copy()
            prog[pos[okp]] = p[li][okp]
    prog = np.where(arr.is_finished, 1.0, np.clip(np.nan_to_num(prog, nan=0.0), 0.0, 1.0))
    ev = bac * prog
    live = ~arr.is_cancelled
    groups = make_groups(tasks, by)
    g, k = groups.codes[live], groups.n_groups
    out = groups.keys.reset_index(drop=True).copy()
    if n == 0:
        from collab_analytics.metrics._common import empty_keys

        out = empty_keys(tasks, by)
        for col in cols:
            out[col] = pd.Series([], dtype="int64" if col == "n_tasks" else "float64")
        return out
    out["n_tasks"] = np.bincount(g, minlength=k).astype(np.int64)
    out["bac"] = np.bincount(g, weights=bac[live], minlength=k)
    out["pv"] = np.bincount(g, weights=pv[live], minlength=k)
    out["ev"] = np.bincount(g, weights=ev[live], minlength=k)
    out["spi"] = safe_ratio(out["ev"].to_numpy(), out["pv"].to_numpy())
    out["sv"] = out["ev"] - out["pv"]
    return out
