"""Throughput and a Monte Carlo forecast of when the remaining tasks will be finished.

The forecast resamples the historical *daily* throughput (tasks finished per calendar day,
from the first finish to ``T``, zero days included) with replacement until the remaining
open tasks are used up, ``n_sims`` times with a seeded generator, so the same inputs always
give the same dates.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.forecast import throughput
>>> tasks = pd.DataFrame({
...     "planned_finish": pd.to_datetime(["2024-07-05"] * 3),
...     "actual_finish": pd.to_datetime(["2024-07-01", "2024-07-02", "2024-07-09"]),
... })
>>> throughput(tasks, freq="W")[["period", "n_finished"]].values.tolist()
[[Timestamp('2024-07-01 00:00:00'), 2], [Timestamp('2024-07-08 00:00:00'), 1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics.metrics._common import NAT, day_of, days_to_datetime, require_columns
from collab_analytics.metrics.delivery import delivery_arrays

__all__ = ["FinishForecast", "forecast_finish", "throughput"]

_MAX_DAYS = 3660  # a forecast beyond ten years is reported as not finishing


def throughput(tasks: pd.DataFrame, *, freq: str = "W", as_of=None) -> pd.DataFrame:
    """Tasks finished per day (``freq="D"``) or per week (``"W"``, weeks start Monday).

    Returns
    -------
    DataFrame
        ``[period, n_finished]`` from the period of the first finish to the period of ``T``,
        zero-filled; cancelled tasks and finishes after ``T`` are left out.
    """
    if freq not in ("D", "W"):
        msg = f"freq={freq!r} is not supported. Use 'D' (daily) or 'W' (weekly)."
        raise CollabError(msg)
    require_columns(tasks, ("planned_finish",), "tasks")
    arr = delivery_arrays(tasks, as_of=as_of)
    af = arr.af[arr.is_finished & (arr.af != NAT)]
    if len(af) == 0:
        return pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[us]"),
                "n_finished": pd.Series([], dtype="int64"),
            }
        )
    if freq == "W":
        af = af - (af + 3) % 7
        t = arr.t - (arr.t + 3) % 7
        step = 7
    else:
        t, step = arr.t, 1
    lo = int(af.min())
    idx = (af - lo) // step
    counts = np.bincount(idx, minlength=(t - lo) // step + 1)
    return pd.DataFrame(
        {
            "period": days_to_datetime(lo + step * np.arange(len(counts), dtype=np.int64)),
            "n_finished": counts.astype(np.int64),
        }
    )


@dataclass(frozen=True)
class FinishForecast:
    """Result of :func:`forecast_finish`.

    Attributes
    ----------
    summary : DataFrame
        One row: ``[as_of, remaining_tasks, history_days, mean_daily_throughput, p50, p85,
        p95, deadline, p_meet_deadline, n_sims, seed]``; ``p50/p85/p95`` are dates (NaT when
        the history has no throughput or the work would take over ten years).
    distribution : DataFrame
        ``[finish_date, n_sims, cumulative_share]``: how many simulations finish on each date
        (a small aggregated histogram for a chart).
    """

    summary: pd.DataFrame
    distribution: pd.DataFrame


def forecast_finish(
    tasks: pd.DataFrame,
    *,
    as_of=None,
    n_sims: int = 10_000,
    seed: int = 0,
    deadline=None,
    history_days: int | None = None,
) -> FinishForecast:
    """Monte Carlo finish date of the remaining (open, not cancelled) tasks.

    Parameters
    ----------
    as_of : date-like, optional
        ``T``; default the latest actual date in ``tasks``.
    n_sims : int
        Number of simulated futures.
    seed : int
        Seed of ``numpy.random.default_rng``.
    deadline : date-like, optional
        Report the share of simulations finishing on or before it.
    history_days : int, optional
        Only resample the last ``history_days`` days of throughput (default: all history).

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "planned_finish": pd.to_datetime(["2024-07-10"] * 4),
    ...     "actual_finish": pd.to_datetime(["2024-07-01", "2024-07-02", None, None]),
    ... })
    >>> f = forecast_finish(tasks, as_of="2024-07-02", n_sims=500, deadline="2024-07-04")
    >>> f.summary[["remaining_tasks", "p50", "p_meet_deadline"]].values.tolist()
    [[2, Timestamp('2024-07-04 00:00:00'), 1.0]]
    """
    if n_sims < 1:
        msg = f"n_sims must be at least 1, got {n_sims}."
        raise CollabError(msg)
    require_columns(tasks, ("planned_finish",), "tasks")
    arr = delivery_arrays(tasks, as_of=as_of)
    t = arr.t
    remaining = int((~arr.is_cancelled & ~arr.is_finished).sum())
    af = arr.af[arr.is_finished & (arr.af != NAT)]
    if len(af) and t != NAT:
        lo = int(af.min())
        if history_days is not None:
            lo = max(lo, t - int(history_days) + 1)
        daily = np.bincount(af[af >= lo] - lo, minlength=t - lo + 1)[: t - lo + 1]
    else:
        daily = np.zeros(0, dtype=np.int64)
    dl = day_of(pd.Timestamp(deadline)) if deadline is not None else NAT
    days = _simulate(daily, remaining, n_sims, seed)
    finish = np.where(days >= 0, t + days, NAT)
    ok = finish != NAT
    pct = {}
    for q in (50, 85, 95):
        if ok.sum() * 1.0 / n_sims >= q / 100:
            pct[q] = int(
                np.sort(np.where(ok, finish, np.iinfo(np.int64).max))[
                    int(np.ceil(q / 100 * n_sims)) - 1
                ]
            )
        else:
            pct[q] = NAT
    p_meet = float(np.mean(ok & (finish <= dl))) if dl != NAT else np.nan
    summary = pd.DataFrame(
        {
            "as_of": days_to_datetime(np.array([t], dtype=np.int64)),
            "remaining_tasks": [remaining],
            "history_days": [len(daily)],
            "mean_daily_throughput": [float(daily.mean()) if len(daily) else np.nan],
            "p50": days_to_datetime(np.array([pct[50]])),
            "p85": days_to_datetime(np.array([pct[85]])),
            "p95": days_to_datetime(np.array([pct[95]])),
            "deadline": days_to_datetime(np.array([dl], dtype=np.int64)),
            "p_meet_deadline": [p_meet],
            "n_sims": [int(n_sims)],
            "seed": [int(seed)],
        }
    )
    vals, counts = np.unique(finish[ok], return_counts=True)
    distribution = pd.DataFrame(
        {
            "finish_date": days_to_datetime(vals.astype(np.int64)),
            "n_sims": counts.astype(np.int64),
            "cumulative_share": np.cumsum(counts) / n_sims,
        }
    )
    return FinishForecast(summary, distribution)


def _simulate(daily: np.ndarray, remaining: int, n_sims: int, seed: int) -> np.ndarray:
    """Days after ``T`` until ``remaining`` tasks are done in each simulation (-1: never)."""
    if remaining == 0:
        return np.zeros(n_sims, dtype=np.int64)
    if len(daily) == 0 or daily.max() == 0:
        return np.full(n_sims, -1, dtype=np.int64)
    rng = np.random.default_rng(seed)
    out = np.full(n_sims, -1, dtype=np.int64)
    done = np.zeros(n_sims, dtype=np.int64)
    todo = np.arange(n_sims)
    day0 = 0
    block = max(16, int(np.ceil(2 * remaining / max(daily.mean(), 1e-9))))
    block = min(block, 512)
    while len(todo) and day0 < _MAX_DAYS:
        draws = rng.choice(daily, size=(len(todo), block))
        cum = done[todo, None] + np.cumsum(draws, axis=1)
        hit = cum >= remaining
        any_hit = hit.any(axis=1)
        first = np.argmax(hit, axis=1)
        out[todo[any_hit]] = day0 + first[any_hit] + 1
        done[todo] = cum[:, -1]
        todo = todo[~any_hit]
        day0 += block
    return out
