"""Period over period: KPI deltas between two as-of dates or two workbook snapshots, and the
tasks whose planned finish was changed (re-planned).

Examples
--------
>>> import pandas as pd
>>> from collab_analytics import TrackingData
>>> from collab_analytics.compare import compare_as_of
>>> tasks = pd.DataFrame({
...     "task_id": ["T1", "T2"], "task": ["需求评审", "接口开发"],
...     "department": ["产品部", "技术部"],
...     "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-12"]),
...     "actual_finish": pd.to_datetime(["2024-07-05", "2024-07-15"]),
... })
>>> c = compare_as_of(TrackingData(tasks=tasks), "2024-07-06", "2024-07-20")
>>> c.kpis.set_index("kpi").loc["on_time_rate", ["before", "after", "delta"]].tolist()
[1.0, 0.5, -0.5]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab_analytics.calendar import get_calendar
from collab_analytics.data import TrackingData
from collab_analytics.metrics.delivery import delivery_summary, slippage

__all__ = [
    "COMPARE_KPIS",
    "REPLANNED_COLUMNS",
    "Comparison",
    "compare_as_of",
    "compare_snapshots",
    "kpi_snapshot",
    "replanned_tasks",
]

#: KPIs compared, with the metric column each comes from.
COMPARE_KPIS: tuple[str, ...] = (
    "n_tasks",
    "n_due",
    "n_on_time",
    "n_late",
    "n_overdue_open",
    "on_time_rate",
    "delay_rate",
    "early_rate",
    "completion_rate",
    "mean_delay_days",
    "total_delay_days",
)

#: Columns of :attr:`Comparison.replanned`.
REPLANNED_COLUMNS = (
    "task_id",
    "task",
    "department",
    "old_planned_finish",
    "new_planned_finish",
    "shift_days",
)


@dataclass(frozen=True)
class Comparison:
    """Result of a comparison.

    Attributes
    ----------
    kpis : DataFrame
        ``[kpi, before, after, delta]`` for every name in :data:`COMPARE_KPIS`
        (``delta = after − before``).
    replanned : DataFrame
        :data:`REPLANNED_COLUMNS`, one row per task whose planned finish changed (empty when
        comparing two dates of the same snapshot).
    before_as_of, after_as_of : Timestamp or None
    """

    kpis: pd.DataFrame
    replanned: pd.DataFrame
    before_as_of: pd.Timestamp | None
    after_as_of: pd.Timestamp | None


def kpi_snapshot(data: TrackingData, *, as_of=None, calendar=None) -> pd.Series:
    """The :data:`COMPARE_KPIS` of one snapshot at one as-of date (from the delivery metrics)."""
    s = delivery_summary(data.tasks, as_of=as_of, calendar=calendar)
    sl = slippage(data.tasks, as_of=as_of, calendar=calendar)
    values = {}
    for k in COMPARE_KPIS:
        src = s if k in s.columns else sl
        values[k] = float(src[k].iloc[0]) if len(src) else np.nan
    return pd.Series(values, name="value", dtype="float64")


def _kpi_frame(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": pd.Series(list(COMPARE_KPIS), dtype="str"),
            "before": before.to_numpy(),
            "after": after.to_numpy(),
            "delta": (after - before).to_numpy(),
        }
    )


def _as_of(data: TrackingData, as_of) -> pd.Timestamp | None:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    return data.as_of


def _empty_replanned() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task_id": pd.Series([], dtype="str"),
            "task": pd.Series([], dtype="str"),
            "department": pd.Series([], dtype="str"),
            "old_planned_finish": pd.Series([], dtype="datetime64[us]"),
            "new_planned_finish": pd.Series([], dtype="datetime64[us]"),
            "shift_days": pd.Series([], dtype="float64"),
        }
    )


def replanned_tasks(old: pd.DataFrame, new: pd.DataFrame, *, calendar=None) -> pd.DataFrame:
    """Tasks present in both snapshots whose ``planned_finish`` differs.

    Tasks are matched on ``task_id`` when both tables have ids, else on ``(department,
    task)``. ``shift_days`` counts days (calendar or working days) from the old to the new
    planned finish (positive = pushed later). Returns :data:`REPLANNED_COLUMNS`, sorted by
    ``shift_days`` descending.

    >>> import pandas as pd
    >>> old = pd.DataFrame({"task_id": ["A", "B"], "task": ["a", "b"], "department": ["x", "y"],
    ...                     "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-10"])})
    >>> new = old.assign(planned_finish=pd.to_datetime(["2024-07-05", "2024-07-17"]))
    >>> replanned_tasks(old, new)[["task_id", "shift_days"]].values.tolist()
    [['B', 7.0]]
    """
    if len(old) == 0 or len(new) == 0:
        return _empty_replanned()
    use_id = (
        "task_id" in old.columns
        and "task_id" in new.columns
        and old["task_id"].notna().all()
        and new["task_id"].notna().all()
    )
    keys = ["task_id"] if use_id else ["department", "task"]
    left = old[[*keys, "planned_finish"]].drop_duplicates(keys, keep="last")
    cols = [c for c in ("task_id", "task", "department") if c in new.columns]
    right = new[[*dict.fromkeys([*cols, *keys]), "planned_finish"]].drop_duplicates(
        keys, keep="last"
    )
    m = right.merge(left, on=keys, how="inner", suffixes=("_new", "_old"))
    changed = m["planned_finish_old"].ne(m["planned_finish_new"]) & ~(
        m["planned_finish_old"].isna() & m["planned_finish_new"].isna()
    )
    m = m.loc[changed]
    if m.empty:
        return _empty_replanned()
    cal = get_calendar(calendar)
    both = m["planned_finish_old"].notna() & m["planned_finish_new"].notna()
    shift = np.full(len(m), np.nan)
    if both.any():
        shift[both.to_numpy()] = np.asarray(
            cal.days_between(m.loc[both, "planned_finish_old"], m.loc[both, "planned_finish_new"]),
            dtype="float64",
        )
    out = pd.DataFrame(
        {
            "task_id": (
                m["task_id"] if "task_id" in m.columns else pd.Series(pd.NA, index=m.index)
            ),
            "task": m["task"] if "task" in m.columns else pd.Series(pd.NA, index=m.index),
            "department": (
                m["department"] if "department" in m.columns else pd.Series(pd.NA, index=m.index)
            ),
            "old_planned_finish": m["planned_finish_old"].astype("datetime64[us]"),
            "new_planned_finish": m["planned_finish_new"].astype("datetime64[us]"),
            "shift_days": shift,
        }
    )
    for c in ("task_id", "task", "department"):
        out[c] = out[c].astype("str")
    return out.sort_values("shift_days", ascending=False, kind="stable").reset_index(drop=True)


def compare_as_of(data: TrackingData, before, after, *, calendar=None) -> Comparison:
    """KPI deltas of one snapshot between two as-of dates (no re-planning can be seen)."""
    b, a = pd.Timestamp(before).normalize(), pd.Timestamp(after).normalize()
    kb = kpi_snapshot(data, as_of=b, calendar=calendar)
    ka = kpi_snapshot(data, as_of=a, calendar=calendar)
    return Comparison(_kpi_frame(kb, ka), _empty_replanned(), b, a)


def compare_snapshots(
    before: TrackingData,
    after: TrackingData,
    *,
    before_as_of=None,
    after_as_of=None,
    calendar=None,
) -> Comparison:
    """KPI deltas between two snapshots of the workbook, each at its own as-of date (default:
    its latest date), and the tasks re-planned between them."""
    b, a = _as_of(before, before_as_of), _as_of(after, after_as_of)
    kb = kpi_snapshot(before, as_of=b, calendar=calendar)
    ka = kpi_snapshot(after, as_of=a, calendar=calendar)
    rep = replanned_tasks(before.tasks, after.tasks, calendar=calendar)
    return Comparison(_kpi_frame(kb, ka), rep, b, a)
