"""Burn-up, status mix, WIP ageing, stalled tasks and earned value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics.progress import (
    burnup,
    earned_value,
    stalled_tasks,
    status_mix,
    wip_ageing,
)
from collab_analytics.schema import empty_table

D = pd.to_datetime

TASKS = pd.DataFrame(
    {
        "task_id": ["A", "B", "C", "X"],
        "department": ["技术部", "技术部", "产品部", "产品部"],
        "planned_start": D(["2024-07-01", "2024-07-01", "2024-07-03", "2024-07-01"]),
        "planned_finish": D(["2024-07-02", "2024-07-10", "2024-07-04", "2024-07-02"]),
        "actual_start": D(["2024-07-01", "2024-07-02", None, None]),
        "actual_finish": D(["2024-07-03", None, None, None]),
        "status": pd.Categorical(["done", "on_track", "not_started", "cancelled"]),
        "progress": [1.0, 0.5, 0.0, 0.0],
    }
)


def test_burnup():
    b = burnup(TASKS, as_of="2024-07-05")
    assert b["date"].iloc[0] == pd.Timestamp("2024-07-02")
    assert b["planned_done"].tolist()[:3] == [1, 1, 2]
    assert b["actual_done"].tolist()[:4] == [0, 1, 1, 1]
    assert b["actual_done"].isna().tolist()[-1] is True  # 07-10 is after T
    assert b["n_tasks"].iloc[0] == 3 and len(burnup(empty_table("tasks"))) == 0


def test_status_mix_carries_last_status():
    up = pd.DataFrame(
        {
            "task_id": ["A", "B", "A"],
            "status": ["on_track", "blocked", "done"],
            "date": D(["2024-07-01", "2024-07-02", "2024-07-03"]),
        }
    )
    m = status_mix(up, as_of="2024-07-04")
    p = m.pivot_table(index="date", columns="status", values="n_tasks", observed=False)
    assert p["on_track"].tolist() == [1, 1, 0, 0]
    assert p["blocked"].tolist() == [0, 1, 1, 1]
    assert p["done"].tolist() == [0, 0, 1, 1]
    assert len(status_mix(empty_table("updates"))) == 0


def test_wip_ageing():
    w = wip_ageing(TASKS, as_of="2024-07-05")
    assert w["task_id"].tolist() == ["B"]
    assert w[["age_days", "planned_duration_days"]].iloc[0].tolist() == [3, 9]
    assert w["age_ratio"].iloc[0] == pytest.approx(3 / 9)


def test_stalled_tasks_working_days():
    up = pd.DataFrame(
        {
            "task_id": ["A", "A", "B", "B", "C"],
            "department": ["技术部"] * 5,
            "progress": [0.2, 0.2, 0.1, 1.0, 0.3],
            "status": ["on_track", "on_track", "on_track", "done", "blocked"],
            "date": D(["2024-07-01", "2024-07-09", "2024-07-01", "2024-07-02", "2024-07-05"]),
        }
    )
    s = stalled_tasks(up, as_of="2024-07-10")
    # A unchanged since Mon 07-01 → 7 working days; C since Fri 07-05 → 3 (< 5); B done
    assert s["task_id"].tolist() == ["A"] and s["stalled_days"].tolist() == [7.0]
    assert stalled_tasks(up, as_of="2024-07-10", days=3)["task_id"].tolist() == ["A", "C"]
    assert len(stalled_tasks(empty_table("updates"))) == 0


def test_earned_value_uses_latest_update_before_as_of():
    up = pd.DataFrame(
        {
            "task_id": ["B", "B"],
            "progress": [0.4, 0.9],
            "date": D(["2024-07-04", "2024-07-20"]),
        }
    )
    ev = earned_value(TASKS, up, as_of="2024-07-05").set_index("department")
    # 技术部: A bac 2, done → ev 2, pv 2; B bac 10, 5/10 elapsed → pv 5, ev 0.4·10 = 4
    assert ev.loc["技术部", ["bac", "pv", "ev"]].tolist() == [12, 7, 6]
    assert ev.loc["技术部", "spi"] == pytest.approx(6 / 7)
    # 产品部: C bac 2, fully elapsed, no progress; X cancelled
    assert ev.loc["产品部", ["n_tasks", "pv", "ev", "sv"]].tolist() == [1, 2, 0, -2]
    assert np.isnan(earned_value(TASKS, as_of="2024-06-01")["spi"]).all()
