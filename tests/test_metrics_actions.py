"""Action-item closure metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics.metrics.actions import (
    ACTION_COLUMNS,
    ACTION_SUMMARY_COLUMNS,
    action_status,
    action_summary,
)

ACTIONS = pd.DataFrame(
    {
        "action": ["补充验收标准", "更新风险清单", "确认排期", "增派开发", "同步变更"],
        "owner": ["陈敏", "赵敏", "赵敏", "赵敏", "刘敏"],
        "department": ["产品部", "技术部", "技术部", "技术部", "产品部"],
        "due": pd.to_datetime(["2024-07-20", "2024-07-19", "2024-07-30", "2024-08-05", None]),
        "closed": pd.to_datetime(["2024-07-18", None, "2024-07-31", "2024-08-02", None]),
        "source_meeting": [
            "2024-07-15 需求评审会",
            "2024-07-12 风险排查会",
            "风险排查会W4",
            "风险排查会W4",
            "需求评审会",
        ],
        "is_closed": [True, False, True, True, True],
    }
)
MEETINGS = pd.DataFrame(
    {
        "date": pd.to_datetime(["2024-07-26", "2024-07-26"]),
        "topic": ["风险排查会W4", "风险排查会W4 "],
    }
)


def test_action_status_as_of():
    st = action_status(ACTIONS, as_of="2024-07-31", meetings=MEETINGS)
    assert list(st.columns) == list(ACTION_COLUMNS)
    # 增派开发 closes after the as-of day: still open then, but not overdue (due 08-05)
    assert st["closed_as_of"].tolist() == [True, False, True, False, True]
    assert st["closed_on_time"].tolist() == [True, False, False, False, False]
    assert st["overdue_open"].tolist() == [False, True, False, False, False]
    assert st["days_overdue"].tolist()[1] == 12.0
    # created: leading date or the (stripped, unique) meeting topic's date
    assert st["created"].dt.strftime("%m-%d").fillna("-").tolist() == [
        "07-15",
        "07-12",
        "07-26",
        "07-26",
        "-",
    ]
    assert st["days_to_close"].iloc[0] == 3.0 and np.isnan(st["days_to_close"].iloc[1])
    assert st["days_to_close"].iloc[2] == 5.0  # 07-26 meeting → closed 07-31


def test_action_summary_by_department_owner_and_overall():
    s = action_summary(ACTIONS, as_of="2024-07-31", meetings=MEETINGS)
    assert list(s.columns) == ["department", *ACTION_SUMMARY_COLUMNS]
    tech = s.set_index("department").loc["技术部"]
    assert (tech["n_actions"], tech["n_closed"], tech["n_overdue_open"]) == (3, 1, 1)
    assert tech["closure_rate"] == 1 / 3 and tech["on_time_rate"] == 0.0
    assert tech["mean_days_to_close"] == 5.0
    prod = s.set_index("department").loc["产品部"]
    # 同步变更 is flagged closed without a date: closed, never on time
    assert (prod["n_closed"], prod["n_closed_on_time"], prod["on_time_rate"]) == (2, 1, 0.5)
    later = action_summary(ACTIONS, as_of="2024-08-31", by=None)
    assert later[["n_closed", "n_overdue_open"]].iloc[0].tolist() == [4, 1]
    by_owner = action_summary(ACTIONS, by="owner", as_of="2024-07-31", min_group_size=None)
    assert by_owner["owner"].tolist() == ["陈敏", "赵敏", "刘敏"]
    by_src = action_summary(ACTIONS, by="source_meeting", as_of="2024-07-31")
    assert by_src.set_index("source_meeting").loc["风险排查会W4", "n_actions"] == 2


def test_default_as_of_is_the_latest_date_in_the_table():
    s = action_summary(ACTIONS, by=None)  # latest date: closed 2024-08-05 due
    assert s["n_closed"].iloc[0] == 4


def test_empty_actions():
    s = action_summary(ACTIONS.iloc[:0])
    assert list(s.columns) == ["department", *ACTION_SUMMARY_COLUMNS] and len(s) == 0
    assert list(action_status(ACTIONS.iloc[:0]).columns) == list(ACTION_COLUMNS)


def test_input_not_mutated():
    before = ACTIONS.copy()
    action_summary(ACTIONS, as_of="2024-07-31", meetings=MEETINGS)
    pd.testing.assert_frame_equal(ACTIONS, before)
