"""Delivery summary, per-task flags and slippage: hand-computed examples and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics._errors import CollabError, SchemaError
from collab_analytics.metrics.delivery import delivery_summary, slippage, task_delivery
from collab_analytics.schema import STATUS_DTYPE, empty_table

D = pd.to_datetime


def _tasks(rows):
    cols = ["task_id", "department", "planned_start", "planned_finish", "actual_finish", "status"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("planned_start", "planned_finish", "actual_finish"):
        df[c] = D(df[c]).astype("datetime64[us]")
    df["status"] = df["status"].astype(STATUS_DTYPE)
    df["task_id"] = df["task_id"].astype("str")
    df["department"] = df["department"].astype("str")
    return df


@pytest.fixture
def tasks():
    return _tasks(
        [
            ("T1", "客服部", "2024-07-01", "2024-07-10", "2024-07-10", "done"),  # on time
            ("T2", "产品部", "2024-07-11", "2024-07-20", "2024-07-23", "done"),  # late 3
            ("T3", "产品部", "2024-07-11", "2024-07-25", None, "delayed"),  # overdue open 6
            ("T4", "技术部", "2024-07-21", "2024-08-20", None, "on_track"),  # not due
            ("T5", "技术部", "2024-07-21", "2024-07-28", "2024-07-26", "done_early"),  # early 2
            ("T6", "技术部", "2024-07-21", "2024-07-28", None, "cancelled"),
            ("T7", "客服部", "2024-07-01", "2024-07-05", None, "done"),  # finished, undated
        ]
    )


def test_task_flags_hand_computed(tasks):
    out = task_delivery(tasks, as_of="2024-07-31")
    assert out["is_on_time"].tolist() == [True, False, False, False, True, False, False]
    assert out["is_late"].tolist() == [False, True, False, False, False, False, False]
    assert out["is_overdue_open"].tolist() == [False, False, True, False, False, False, False]
    assert out["is_early"].tolist() == [False, False, False, False, True, False, False]
    assert out["is_finish_undated"].tolist() == [False] * 6 + [True]
    np.testing.assert_array_equal(
        out["delay_days"].to_numpy(), [0, 3, 6, np.nan, -2, np.nan, np.nan]
    )


def test_summary_overall(tasks):
    s = delivery_summary(tasks, as_of="2024-07-31").iloc[0]
    assert (s.n_tasks, s.n_due, s.n_finished, s.n_on_time, s.n_late) == (6, 5, 4, 2, 1)
    assert (s.n_overdue_open, s.n_early, s.n_cancelled, s.n_finished_undated) == (1, 1, 1, 1)
    assert s.on_time_rate == pytest.approx(2 / 5)
    assert s.delay_rate == pytest.approx(2 / 5)
    assert s.early_rate == pytest.approx(1 / 5)
    assert s.completion_rate == pytest.approx(4 / 6)


def test_summary_by_department_and_all_cancelled_group(tasks):
    t = pd.concat([tasks, _tasks([("T8", "法务部", None, "2024-07-05", None, "cancelled")])])
    s = delivery_summary(t, by="department", as_of="2024-07-31").set_index("department")
    assert s.loc["产品部", "delay_rate"] == 1.0
    assert s.loc["法务部", ["n_tasks", "n_due", "n_cancelled"]].tolist() == [0, 0, 1]
    assert np.isnan(s.loc["法务部", "on_time_rate"])
    assert s.loc["技术部", ["n_due", "n_early", "n_cancelled"]].tolist() == [1, 1, 1]


def test_working_days_and_weekend_rule():
    # planned Fri 2024-07-05, finished Mon 07-08: 3 calendar days, 1 working day late
    t = _tasks([("A", "技术部", None, "2024-07-05", "2024-07-08", "done")])
    assert task_delivery(t)["delay_days"].tolist() == [3.0]
    assert task_delivery(t, calendar="weekdays")["delay_days"].tolist() == [1.0]
    # National Day 2024 in the cn calendar: Sep 30 → Oct 8 is 1 working day
    t = _tasks([("B", "技术部", None, "2024-09-30", "2024-10-08", "done")])
    assert task_delivery(t, calendar="cn")["delay_days"].tolist() == [1.0]
    # finished on the planned day at 23:59 is on time; time of day is dropped
    t = _tasks([("C", "技术部", None, "2024-07-05 09:00", "2024-07-05 23:59", "done")])
    assert task_delivery(t)["is_on_time"].tolist() == [True]


def test_as_of_default_is_latest_actual_date(tasks):
    # latest actual date is T5's finish 2024-07-26 → T5 (due 07-28) is not yet due,
    # T3 (due 07-25) is 1 day overdue
    s = delivery_summary(tasks).iloc[0]
    assert (s.n_due, s.n_overdue_open) == (4, 1)
    assert task_delivery(tasks)["delay_days"].iloc[2] == 1.0


def test_period_grouping(tasks):
    s = delivery_summary(tasks, by="month", as_of="2024-07-31")
    assert s["month"].tolist() == [pd.Timestamp("2024-07-01"), pd.Timestamp("2024-08-01")]
    w = delivery_summary(tasks, by=["department", "week"], as_of="2024-07-31")
    assert w["week"].dt.day_of_week.eq(0).all()
    assert w["n_tasks"].sum() == 6


def test_empty_input_keeps_columns():
    e = empty_table("tasks")
    s = delivery_summary(e, by="department")
    assert list(s.columns[:2]) == ["department", "n_tasks"] and len(s) == 0
    assert len(slippage(e, by=["department", "week"])) == 0
    assert len(task_delivery(e)) == 0


def test_errors():
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['planned_finish'\]"):
        delivery_summary(pd.DataFrame({"x": [1]}))
    with pytest.raises(SchemaError, match="Cannot group by 'nope'"):
        delivery_summary(_tasks([("A", "x", None, "2024-07-05", None, "on_track")]), by="nope")
    with pytest.raises(CollabError, match="is not a date"):
        delivery_summary(_tasks([("A", "x", None, "2024-07-05", None, "on_track")]), as_of="x")


def test_slippage_hand_computed(tasks):
    s = slippage(tasks, as_of="2024-07-31").iloc[0]
    # values: 0, 3, 6 (open), -2
    assert (s.n, s.n_late, s.n_on_time, s.n_early) == (4, 2, 1, 1)
    assert s.mean_delay_days == pytest.approx(7 / 4)
    assert s.median_delay_days == pytest.approx(1.5)
    assert s.p85_delay_days == pytest.approx(np.quantile([0, 3, 6, -2], 0.85))
    assert s.max_delay_days == 6
    assert (s.total_delay_days, s.total_early_days) == (9, 2)
    s2 = slippage(tasks, as_of="2024-07-31", include_open=False).iloc[0]
    assert s2.n == 3 and s2.max_delay_days == 3


# ------------------------------------------------------------------------------ properties
DEPTS = ["客服部", "产品部", "技术部"]
STAT = ["not_started", "on_track", "delayed", "blocked", "done", "done_early", "cancelled"]


@st.composite
def task_frames(draw):
    n = draw(st.integers(0, 25))
    base = np.datetime64("2024-07-01")
    rows = []
    for i in range(n):
        pf = base + draw(st.integers(0, 40))
        af = draw(st.one_of(st.none(), st.integers(-10, 20)))
        rows.append(
            (
                f"T{i}",
                draw(st.sampled_from(DEPTS)),
                None,
                str(pf),
                None if af is None else str(pf + af),
                draw(st.sampled_from(STAT)),
            )
        )
    return _tasks(rows)


@settings(max_examples=60, deadline=None)
@given(task_frames(), st.integers(0, 60), st.randoms(use_true_random=False))
def test_properties(df, offset, rnd):
    as_of = pd.Timestamp("2024-07-01") + pd.Timedelta(days=offset)
    before = df.copy(deep=True)
    s = delivery_summary(df, by="department", as_of=as_of)
    pd.testing.assert_frame_equal(df, before)  # never mutated
    for c in ("on_time_rate", "delay_rate", "early_rate", "completion_rate"):
        v = s[c].dropna()
        assert ((v >= 0) & (v <= 1)).all()
    assert (s["n_on_time"] + s["n_late"] + s["n_overdue_open"] <= s["n_due"]).all()
    overall = delivery_summary(df, as_of=as_of)
    counts = [c for c in s.columns if c.startswith("n_")]
    if len(df):
        assert (s[counts].sum() == overall[counts].iloc[0]).all()
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    shuffled = df.iloc[perm].reset_index(drop=True)
    pd.testing.assert_frame_equal(s, delivery_summary(shuffled, by="department", as_of=as_of))
    pd.testing.assert_frame_equal(
        slippage(df, by="department", as_of=as_of),
        slippage(shuffled, by="department", as_of=as_of),
    )


# ------------------------------------------------------------------------------ the docs example
def _doc_example():
    import io
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[1] / "docs" / "metrics-delivery.md").read_text("utf-8")
    block = re.search(r"```csv\n(.*?)```", text, re.S).group(1)
    df = pd.read_csv(io.StringIO(block), dtype=str, keep_default_na=False)
    for c in ("planned_start", "planned_finish", "actual_start", "actual_finish"):
        df[c] = pd.to_datetime(df[c].replace("", None)).astype("datetime64[us]")
    df["status"] = df["status"].astype(STATUS_DTYPE)
    df["depends_on"] = [[x] if x else [] for x in df["depends_on"]]
    return df


def test_documented_example():
    from collab_analytics.metrics.attribution import delay_attribution, department_attribution
    from collab_analytics.metrics.handoffs import handoff_summary, handoffs

    t = _doc_example()
    T = "2024-07-31"
    s = delivery_summary(t, as_of=T).iloc[0]
    assert (s.n_tasks, s.n_due, s.n_on_time, s.n_late, s.n_overdue_open) == (5, 4, 1, 2, 1)
    assert (s.n_early, s.n_cancelled) == (1, 1)
    assert (s.on_time_rate, s.delay_rate, s.early_rate, s.completion_rate) == (
        0.25,
        0.75,
        0.25,
        0.6,
    )
    sl = slippage(t, as_of=T).iloc[0]
    assert (sl.mean_delay_days, sl.median_delay_days, sl.max_delay_days) == (2.0, 2.5, 4.0)
    a = delay_attribution(t, as_of=T).set_index("task_id")
    assert a.loc["T2", ["inherited_delay_days", "own_delay_days"]].tolist() == [1, 3]
    assert a.loc["T4", ["delay_days", "inherited_delay_days", "own_delay_days"]].tolist() == [
        3,
        3,
        0,
    ]
    d = department_attribution(t, as_of=T).set_index("department")
    assert d["own_delay_days"].to_dict() == {"产品部": 3, "客服部": 2, "技术部": 0}
    assert d["inherited_delay_days"].to_dict() == {"产品部": 1, "客服部": 0, "技术部": 3}
    assert d["share_of_own_delay"].to_dict() == {"产品部": 0.6, "客服部": 0.4, "技术部": 0.0}
    assert d["downstream_tasks_hit"].to_dict() == {"产品部": 1, "客服部": 2, "技术部": 0}
    h = handoffs(t, as_of=T).set_index(["from_task_id", "to_task_id"])["wait_days"]
    assert h.to_dict() == {("T1", "T2"): 1, ("T2", "T3"): 2, ("T2", "T4"): 1}
    hs = handoff_summary(t, as_of=T).set_index("to_department")["total_wait_days"]
    assert hs.to_dict() == {"产品部": 1, "技术部": 3}
