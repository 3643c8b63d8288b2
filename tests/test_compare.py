"""Period-over-period comparison: KPI deltas and re-planned tasks."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics import TrackingData
from collab_analytics.compare import (
    COMPARE_KPIS,
    REPLANNED_COLUMNS,
    compare_as_of,
    compare_snapshots,
    replanned_tasks,
)


@pytest.fixture
def tasks():
    return pd.DataFrame(
        {
            "task_id": ["T1", "T2", "T3"],
            "task": ["需求评审", "接口开发", "客服培训"],
            "department": ["产品部", "技术部", "客服部"],
            "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-12", "2024-07-19"]),
            "actual_finish": pd.to_datetime(["2024-07-05", "2024-07-15", None]),
        }
    )


def test_compare_as_of_deltas(tasks):
    c = compare_as_of(TrackingData(tasks=tasks), "2024-07-06", "2024-07-22")
    k = c.kpis.set_index("kpi")
    assert k.index.tolist() == list(COMPARE_KPIS)
    assert k.loc["n_due", ["before", "after", "delta"]].tolist() == [1.0, 3.0, 2.0]
    assert k.loc["n_overdue_open", "after"] == 1.0
    assert k.loc["delay_rate", "delta"] == pytest.approx(2 / 3)
    # T2 3 days late, T3 3 days overdue at 07-22
    assert k.loc["total_delay_days", "after"] == 6.0
    assert c.replanned.empty and tuple(c.replanned.columns) == REPLANNED_COLUMNS


def test_compare_snapshots_lists_replanned(tasks):
    new = tasks.copy()
    new.loc[2, "planned_finish"] = pd.Timestamp("2024-07-26")  # pushed a week
    new.loc[0, "planned_finish"] = pd.Timestamp("2024-07-04")  # pulled in one day
    c = compare_snapshots(
        TrackingData(tasks=tasks),
        TrackingData(tasks=new),
        before_as_of="2024-07-20",
        after_as_of="2024-07-20",
    )
    rep = c.replanned
    assert rep["task_id"].tolist() == ["T3", "T1"]
    assert rep["shift_days"].tolist() == [7.0, -1.0]
    assert rep.loc[0, "old_planned_finish"] == pd.Timestamp("2024-07-19")
    k = c.kpis.set_index("kpi")
    assert k.loc["n_due", "before"] == 3.0 and k.loc["n_due", "after"] == 2.0


def test_replanned_matches_by_name_without_ids(tasks):
    old = tasks.drop(columns="task_id")
    shift = pd.to_timedelta([2, 3, 10], unit="D")  # all planned finishes are Fridays
    new = old.assign(planned_finish=old["planned_finish"] + shift)
    rep = replanned_tasks(old, new, calendar="weekdays")
    assert rep["task"].tolist() == ["客服培训", "接口开发", "需求评审"]
    assert rep["shift_days"].tolist() == [6.0, 1.0, 0.0]  # Fri → Sun is 0 working days


def test_replanned_empty_inputs(tasks):
    rep = replanned_tasks(tasks.iloc[:0], tasks)
    assert rep.empty and tuple(rep.columns) == REPLANNED_COLUMNS
