"""Cadence matching, summary, gaps, attendance and meeting load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics.cadence import (
    ATTENDANCE_COLUMNS,
    CADENCE_COLUMNS,
    GAP_COLUMNS,
    LOAD_COLUMNS,
    MATCH_COLUMNS,
    attendance,
    attendance_by_department,
    cadence_summary,
    expected_departments,
    match_meetings,
    meeting_gaps,
    meeting_load,
    missed_occurrences,
    unplanned_meetings,
)
from collab_analytics.metrics.schedule import expected_occurrences

DEPTS = ["客服部", "产品部", "技术部"]


def _meetings(rows):
    """rows: (date, time, topic, plan_item, departments, output)."""
    df = pd.DataFrame(rows, columns=["date", "time", "topic", "plan_item", "departments", "output"])
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[us]")
    df["time"] = df["time"].astype("str")
    df["topic"] = df["topic"].astype("str")
    df["plan_item"] = df["plan_item"].astype("str")
    df["output"] = df["output"].astype("str")
    df["duration_min"] = 30.0
    return df


PLAN = pd.DataFrame(
    {
        "item": ["风险排查会", "日常进度同步"],
        "frequency": ["每周五15:00", "每日17:00"],
        "participants": ["项目发起方+各部门对接人", "产品部、技术部"],
    }
)


def _weekly_case(tolerance=1):
    plan = PLAN.iloc[:1]
    occ = expected_occurrences(plan, start="2024-07-01", end="2024-07-31")
    m = _meetings(
        [
            ("2024-07-05", "15:10", "风险排查会", "风险排查会", DEPTS, "风险清单"),
            # 07-12 missed; 07-19 held a working day late (Monday 07-22) → within tolerance 1
            ("2024-07-22", "15:00", "风险排查会(补开)", None, ["技术部"], None),
            ("2024-07-26", "14:50", "风险排查会", "风险排查会", DEPTS, "风险清单"),
            ("2024-07-26", "16:00", "风险排查会", "风险排查会", DEPTS, None),  # duplicate
            ("2024-07-10", "10:00", "需求变更沟通", None, ["产品部"], None),  # no plan item
        ]
    )
    return plan, occ, match_meetings(m, plan, occ, tolerance_days=tolerance), m


def test_weekly_series_with_a_missed_week_and_a_late_meeting():
    plan, occ, matches, _ = _weekly_case()
    assert list(matches.columns) == list(MATCH_COLUMNS)
    assert matches["item"].tolist()[:4] == ["风险排查会"] * 4
    assert matches["item_rule"].tolist()[:2] == ["plan_item", "topic"]
    late = matches.iloc[1]
    assert late["occurrence"] == pd.Timestamp("2024-07-19 15:00")
    assert late["days_off"] == 1.0 and late["minutes_late"] == 0.0
    assert matches["reason"].fillna("-").tolist() == ["-", "-", "-", "duplicate", "no_plan_item"]
    s = cadence_summary(matches, occ, plan=plan)
    assert list(s.columns) == list(CADENCE_COLUMNS)
    row = s.iloc[0]
    assert (row["expected"], row["held"], row["missed"], row["unplanned"]) == (4, 3, 1, 1)
    assert row["adherence"] == 0.75
    # minutes late of the matched meetings: +10, 0, −10 → median 0
    assert row["punctuality_median_min"] == 0.0
    # meeting days 07-05, 07-22, 07-26, 07-26 → gaps 17, 4, 0
    assert (row["gap_median_days"], row["gap_max_days"]) == (4.0, 17.0)
    assert row["longest_gap_start"] == pd.Timestamp("2024-07-05")
    assert row["longest_gap_end"] == pd.Timestamp("2024-07-22")
    assert row["output_share"] == 0.5
    missed = missed_occurrences(matches, occ)
    assert missed["occurrence"].dt.strftime("%m-%d").tolist() == ["07-12"]
    un = unplanned_meetings(matches)
    assert un["reason"].tolist() == ["duplicate", "no_plan_item"]


def test_tolerance_zero_makes_the_late_meeting_unplanned():
    _, occ, matches, _ = _weekly_case(tolerance=0)
    assert matches["reason"].iloc[1] == "off_schedule"
    s = cadence_summary(matches, occ)
    assert (s["held"].iloc[0], s["missed"].iloc[0], s["unplanned"].iloc[0]) == (2, 2, 2)


def test_topic_similarity_threshold():
    plan = pd.DataFrame({"item": ["日常进度同步"], "frequency": ["每日"]})
    occ = expected_occurrences(plan, start="2024-07-01", end="2024-07-05")
    m = _meetings([("2024-07-01", None, "需求进度同步", None, [], None)])
    # bigrams: {日常,常进,进度,度同,同步} vs {需求,求进,进度,度同,同步}: 3 / 7
    got = match_meetings(m, plan, occ)
    assert got["item"].isna().all()
    assert got["similarity"].iloc[0] == pytest.approx(3 / 7)
    got = match_meetings(m, plan, occ, min_similarity=0.4)
    assert got["item"].tolist() == ["日常进度同步"] and got["matched"].all()


def test_daily_series_on_an_adjusted_working_saturday():
    plan = PLAN.iloc[1:]
    occ = expected_occurrences(plan, start="2024-09-12", end="2024-09-20")
    m = _meetings(
        [
            (d, "17:00", "日常进度同步", "日常进度同步", ["产品部", "技术部"], "群记录")
            for d in ["2024-09-12", "2024-09-13", "2024-09-14", "2024-09-18", "2024-09-20"]
        ]
    )
    s = cadence_summary(match_meetings(m, plan, occ), occ)
    assert s[["expected", "held", "missed"]].iloc[0].tolist() == [6, 5, 1]
    missed = missed_occurrences(match_meetings(m, plan, occ), occ)
    assert missed["occurrence"].dt.strftime("%m-%d").tolist() == ["09-19"]


def test_empty_inputs_keep_columns():
    occ = expected_occurrences(PLAN.iloc[:0], start="2024-07-01", end="2024-07-02")
    m = match_meetings(_meetings([]), PLAN, occ)
    assert list(m.columns) == list(MATCH_COLUMNS) and len(m) == 0
    s = cadence_summary(m, occ)
    assert list(s.columns) == list(CADENCE_COLUMNS) and len(s) == 0
    assert list(meeting_gaps(_meetings([])).columns) == list(GAP_COLUMNS)
    assert list(meeting_load(_meetings([])).columns) == list(LOAD_COLUMNS)
    att = attendance(m, _meetings([]), expected_departments(PLAN, DEPTS))
    assert list(att.columns) == list(ATTENDANCE_COLUMNS)
    assert len(missed_occurrences(m, occ)) == 0 and len(unplanned_meetings(m)) == 0


def test_plan_with_nothing_expected_still_listed():
    occ = expected_occurrences(PLAN, start="2024-07-01", end="2024-07-02")  # Mon–Tue: no Friday
    s = cadence_summary(match_meetings(_meetings([]), PLAN, occ), occ, plan=PLAN)
    assert s["item"].tolist() == ["风险排查会", "日常进度同步"]
    assert s["expected"].tolist() == [0, 2] and np.isnan(s["adherence"].iloc[0])


def test_meeting_gaps_without_plan():
    log = _meetings(
        [
            ("2024-07-01", None, "周会", None, [], None),
            ("2024-07-08", None, "周会", None, [], None),
            ("2024-07-22", None, " 周会", None, [], None),
            ("2024-07-03", None, "Sync", None, [], None),
            ("2024-07-04", None, "sync", None, [], None),
        ]
    )
    g = meeting_gaps(log, intended_days={"周会": 7})
    assert g["series"].tolist() == ["周会", "Sync"]
    assert g["meetings"].tolist() == [3, 2]
    assert g["gap_mean_days"].tolist() == [10.5, 1.0]
    assert g["gap_max_days"].tolist() == [14.0, 1.0]
    assert g["share_gaps_over_intended"].iloc[0] == 0.5
    assert np.isnan(g["share_gaps_over_intended"].iloc[1])
    assert g["longest_gap_start"].iloc[0] == pd.Timestamp("2024-07-08")


def test_expected_departments_and_attendance():
    exp = expected_departments(PLAN, DEPTS, sponsor="产品部")
    got = exp.groupby("item", sort=False)["department"].apply(list).to_dict()
    assert got == {"风险排查会": DEPTS, "日常进度同步": ["产品部", "技术部"]}
    exp3 = expected_departments(
        pd.DataFrame({"item": ["评审"], "participants": ["三部门负责人+相关专员"]}), DEPTS
    )
    assert exp3["department"].tolist() == DEPTS
    _, _, matches, m = _weekly_case()
    att = attendance(matches, m, exp, departments=DEPTS)
    # 4 risk-review meetings; 技术部 at all 4, 客服部/产品部 at 3 (not at the Monday one)
    rates = att.set_index("department")["attendance_rate"].to_dict()
    assert rates == {"客服部": 0.75, "产品部": 0.75, "技术部": 1.0}
    by = attendance_by_department(att)
    assert by["meetings"].tolist() == [4, 4, 4]


def test_attendance_from_participants_text_when_no_department_list():
    meetings = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-07-05"]),
            "topic": ["风险排查会"],
            "participants": ["客服部(张三)、技术部"],
        }
    )
    occ = expected_occurrences(PLAN.iloc[:1], start="2024-07-01", end="2024-07-07")
    matches = match_meetings(meetings, PLAN, occ)
    att = attendance(matches, meetings, expected_departments(PLAN, DEPTS), departments=DEPTS)
    assert att.set_index("department")["attended"].to_dict() == {
        "客服部": 1,
        "产品部": 0,
        "技术部": 1,
    }


def test_meeting_load_thresholds():
    log = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-07-01", "2024-07-03", "2024-07-08"]),
            "duration_min": [90.0, 45.0, np.nan],
            "participants": [
                "客服部(张三、李四)、产品部(王五)",
                "甲、乙、丙、丁、戊、己、庚、辛、壬",
                "x",
            ],
            "departments": [["客服部", "产品部"], ["产品部"], ["产品部"]],
        }
    )
    load = meeting_load(log)
    first = load[load["week"] == pd.Timestamp("2024-07-01")].set_index("department")
    assert first.loc["产品部", "hours"] == 2.25
    assert first.loc["产品部", "long_meetings"] == 1
    assert first.loc["产品部", "large_meetings"] == 1  # nine people > 8
    assert first.loc["客服部", "large_meetings"] == 0  # three people
    second = load[load["week"] == pd.Timestamp("2024-07-08")]
    assert second["meetings_without_duration"].tolist() == [1]
    strict = meeting_load(log, long_minutes=30, large_participants=2)
    assert strict.loc[0, "long_meetings"] == 1 and strict.loc[0, "large_meetings"] == 1


# ------------------------------------------------------------------------ properties

WEEKLY = pd.DataFrame({"item": ["A", "B"], "frequency": ["每周二、四10:00", "每日"]})
OCC = expected_occurrences(WEEKLY, start="2024-07-01", end="2024-08-31")


@st.composite
def logs(draw):
    n = draw(st.integers(0, 40))
    days = draw(st.lists(st.integers(0, 61), min_size=n, max_size=n))
    items = draw(st.lists(st.sampled_from(["A", "B", None]), min_size=n, max_size=n))
    minutes = draw(
        st.lists(st.sampled_from([None, "09:50", "10:00", "10:30"]), min_size=n, max_size=n)
    )
    dates = pd.Timestamp("2024-07-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame(
        {
            "date": pd.Series(dates, dtype="datetime64[us]"),
            "time": pd.Series(minutes, dtype="str"),
            "topic": pd.Series(["会议"] * n, dtype="str"),
            "plan_item": pd.Series(items, dtype="str"),
        }
    )


@settings(max_examples=60, deadline=None)
@given(logs(), st.integers(0, 3), st.randoms(use_true_random=False))
def test_cadence_properties(log, tol, rnd):
    m = match_meetings(log, WEEKLY, OCC, tolerance_days=tol)
    s = cadence_summary(m, OCC, plan=WEEKLY)
    ok = s["adherence"].dropna()
    assert ((ok >= 0) & (ok <= 1)).all()
    assert (s["held"] <= s["expected"] + s["unplanned"]).all()
    assert s["held"].sum() == m["matched"].sum()
    assert s["held"].sum() + s["unplanned"].sum() == m["item"].notna().sum()
    # one meeting per occurrence
    got = m.loc[m["matched"], ["item", "occurrence"]]
    assert not got.duplicated().any()
    # row-order invariance
    perm = list(range(len(log)))
    rnd.shuffle(perm)
    s2 = cadence_summary(
        match_meetings(log.iloc[perm], WEEKLY, OCC, tolerance_days=tol), OCC, plan=WEEKLY
    )
    pd.testing.assert_frame_equal(s, s2)
    assert len(log) == len(m)  # input untouched, one row per meeting


def test_equally_close_meetings_do_not_depend_on_row_order():
    # Mon 08-05 and Wed 08-07 are both one day from Tue 08-06; the earlier meeting keeps it and
    # the Wednesday one moves to Thu 08-08 — in either row order (the earlier *row* used to win,
    # leaving the Monday meeting with nothing within one working day)
    plan = pd.DataFrame({"item": ["A"], "frequency": ["每周二、四10:00"]})
    occ = expected_occurrences(plan, start="2024-08-05", end="2024-08-09")
    log = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-08-07", "2024-08-05"]),
            "time": ["10:00", "10:00"],
            "topic": ["A", "A"],
            "plan_item": ["A", "A"],
        }
    )
    for frame in (log, log.iloc[::-1]):
        m = match_meetings(frame, plan, occ, tolerance_days=1).sort_values("date")
        assert m["occurrence"].dt.strftime("%m-%d").tolist() == ["08-06", "08-08"]
        assert m["days_off"].tolist() == [-1.0, -1.0]
