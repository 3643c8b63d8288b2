"""Delay attribution along a dependency chain across three departments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics.attribution import delay_attribution, department_attribution
from collab_analytics.schema import empty_table

D = pd.to_datetime


def chain():
    # 客服部 A (4 days late) → 产品部 B (1 own day) → 技术部 C (caught up) ; D independent
    return pd.DataFrame(
        {
            "task_id": ["A", "B", "C", "D"],
            "department": ["客服部", "产品部", "技术部", "技术部"],
            "planned_start": D(["2024-07-01", "2024-07-11", "2024-07-21", "2024-07-01"]),
            "planned_finish": D(["2024-07-10", "2024-07-20", "2024-08-20", "2024-07-05"]),
            "actual_finish": D(["2024-07-14", "2024-07-24", "2024-08-22", "2024-07-07"]),
            "depends_on": [[], ["A"], ["B"], []],
        }
    )


def test_chain_per_task():
    out = delay_attribution(chain())
    assert out["delay_days"].tolist() == [4, 4, 2, 2]
    assert out["inherited_delay_days"].tolist() == [0, 3, 3, 0]
    assert out["own_delay_days"].tolist() == [4, 1, 0, 2]
    assert out["critical_predecessor"].tolist()[:3] == [None, "A", "B"] or (
        out["critical_predecessor"].isna().tolist() == [True, False, False, True]
    )
    assert out["pushed_by_predecessor"].tolist() == [False, True, True, False]
    assert out["n_upstream_departments"].tolist() == [0, 1, 2, 0]


def test_chain_per_department():
    d = department_attribution(chain()).set_index("department")
    assert d["own_delay_days"].to_dict() == {"产品部": 1, "客服部": 4, "技术部": 2}
    # inherited capped at the delay: C inherits 3 but is only 2 late
    assert d["inherited_delay_days"].to_dict() == {"产品部": 3, "客服部": 0, "技术部": 2}
    assert d["downstream_tasks_hit"].to_dict() == {"产品部": 1, "客服部": 2, "技术部": 0}
    assert d["share_of_own_delay"]["客服部"] == pytest.approx(4 / 7)
    assert (d["own_delay_days"] + d["inherited_delay_days"]).sum() == 12  # total delay days


def test_open_predecessor_counts_until_as_of():
    t = chain()
    t.loc[0, "actual_finish"] = pd.NaT  # A still open at T
    out = delay_attribution(t, as_of="2024-07-16")
    # B planned to start 07-11, input not there by 07-16 → 5 inherited days
    assert out["inherited_delay_days"].tolist()[:2] == [0, 5]
    assert out["delay_days"].tolist()[0] == 6  # A overdue open since 07-10


def test_no_dependencies_and_names_fallback():
    t = chain().drop(columns="depends_on")
    out = delay_attribution(t)
    assert (out["inherited_delay_days"] == 0).all()
    assert out["own_delay_days"].tolist() == [4, 4, 2, 2]
    t = chain()
    t["task"] = ["收集客户痛点", "输出需求文档", "开发测试", "x"]
    t["depends_on"] = [[], ["收集客户痛点"], ["B"], ["missing"]]
    assert delay_attribution(t)["inherited_delay_days"].tolist() == [0, 3, 3, 0]


def test_empty():
    e = department_attribution(empty_table("tasks"))
    assert len(e) == 0 and "downstream_tasks_hit" in e.columns
    assert len(delay_attribution(empty_table("tasks"))) == 0


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(4)))
def test_row_order_invariance(perm):
    t = chain()
    a = department_attribution(t)
    b = department_attribution(t.iloc[list(perm)].reset_index(drop=True))
    pd.testing.assert_frame_equal(a, b)
    before = t.copy(deep=True)
    delay_attribution(t)
    pd.testing.assert_frame_equal(t, before)


def test_wide_department_count():
    # more than 64 departments exercise the multi-word push masks
    n = 70
    t = pd.DataFrame(
        {
            "task_id": [f"T{i}" for i in range(n)],
            "department": [f"D{i:02d}" for i in range(n)],
            "planned_start": D("2024-07-01") + pd.to_timedelta(np.arange(n) * 2, "D"),
            "planned_finish": D("2024-07-02") + pd.to_timedelta(np.arange(n) * 2, "D"),
            # every task 2 days late, 1 day of it inherited from its predecessor
            "actual_finish": D("2024-07-04") + pd.to_timedelta(np.arange(n) * 2, "D"),
            "depends_on": [[]] + [[f"T{i - 1}"] for i in range(1, n)],
        }
    )
    a = delay_attribution(t)
    assert a["own_delay_days"].tolist() == [2.0] + [1.0] * (n - 1)
    d = department_attribution(t).set_index("department")
    assert d.loc["D00", "downstream_tasks_hit"] == n - 1
    assert d.loc["D69", "downstream_tasks_hit"] == 0
