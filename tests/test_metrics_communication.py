"""Communication vs outcomes: the per-department table, the one-call report, the docs."""

from __future__ import annotations

import doctest
from pathlib import Path

import pandas as pd
import pytest

from collab_analytics.data import TrackingData
from collab_analytics.metrics.communication import (
    DEPARTMENT_COLUMNS,
    CommunicationReport,
    communication_report,
    plan_windows,
)
from collab_analytics.sample import portfolio
from collab_analytics.schema import empty_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics-communication.md"


def test_worked_examples_in_docs():
    res = doctest.testfile(
        str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    assert res.attempted >= 20
    assert res.failed == 0


def _table(name, **cols):
    base = empty_table(name)
    df = pd.DataFrame(cols)
    for c in base.columns:
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype=base[c].dtype)
        elif c in ("related_tasks", "departments", "depends_on"):
            continue
        else:
            df[c] = df[c].astype(base[c].dtype)
    return df[list(base.columns) + [c for c in df.columns if c not in base.columns]]


def _small():
    tasks = _table(
        "tasks",
        project=["P", "P"],
        task_id=["T1", "T2"],
        task=["收集客户痛点", "开发测试"],
        department=["客服部", "技术部"],
        planned_start=pd.to_datetime(["2024-07-01", "2024-07-01"]),
        planned_finish=pd.to_datetime(["2024-07-10", "2024-07-12"]),
        actual_start=pd.to_datetime(["2024-07-01", "2024-07-01"]),
        actual_finish=pd.to_datetime(["2024-07-09", "2024-07-19"]),
        status=["done_early", "done"],
        depends_on=[[], []],
    )
    plan = _table(
        "plan", item=["风险排查会"], frequency=["每周五15:00"], participants=["各部门对接人"]
    )
    meetings = _table(
        "meetings",
        date=pd.to_datetime(["2024-07-05", "2024-07-16"]),
        time=["15:00", "10:00"],
        topic=["风险排查会", "开发测试阻塞专项会"],
        related_tasks=[[], ["T2"]],
        departments=[["客服部", "技术部"], ["技术部"]],
        start=pd.to_datetime(["2024-07-05 15:00", "2024-07-16 10:00"]),
    )
    updates = _table(
        "updates",
        date=pd.to_datetime(["2024-07-10 17:00", "2024-07-13 17:00", "2024-07-19 17:00"]),
        task_id=["T2", "T2", "T2"],
        task=["开发测试"] * 3,
        status=["on_track", "blocked", "done"],
        department=["技术部"] * 3,
    )
    actions = _table(
        "actions",
        action=["增派开发"],
        department=["技术部"],
        due=pd.to_datetime(["2024-07-15"]),
        closed=pd.to_datetime(["2024-07-18"]),
        source_meeting=["2024-07-05 风险排查会"],
        is_closed=[True],
    )
    return TrackingData(tasks=tasks, plan=plan, meetings=meetings, updates=updates, actions=actions)


def test_report_on_a_small_project_by_hand():
    rep = communication_report(_small())
    assert isinstance(rep, CommunicationReport)
    assert rep.as_of == pd.Timestamp("2024-07-19")
    # window 07-01 … 07-19 → Fridays 07-05, 07-12, 07-19; only 07-05 held
    assert rep.cadence[["expected", "held", "missed"]].iloc[0].tolist() == [3, 1, 2]
    t = rep.departments.set_index("department")
    assert list(rep.departments.columns) == list(DEPARTMENT_COLUMNS)
    assert t.index.tolist() == ["客服部", "技术部"]
    assert t["cadence_adherence"].tolist() == [1 / 3, 1 / 3]
    assert t["attendance_rate"].tolist() == [1.0, 1.0]
    # blocked Sat 07-13 17:00, met Tue 07-16 10:00: 65 h > 48 h
    assert rep.episodes["hours_to_meeting"].tolist() == [65.0]
    assert t.loc["技术部", "escalation_compliance"] == 0.0
    assert t.loc["技术部", "action_on_time_rate"] == 0.0
    assert t.loc["技术部", "delay_rate"] == 1.0 and t.loc["客服部", "delay_rate"] == 0.0
    assert t.loc["技术部", "own_delay_days"] == 7.0
    assert set(rep.frames()) >= {"departments", "cadence", "episodes", "raci_problems"}


def test_report_options_window_and_as_of():
    data = _small()
    rep = communication_report(data, as_of="2024-07-12", hours="working", start="2024-07-08")
    assert rep.cadence["expected"].tolist() == [1]  # only Friday 07-12 inside 07-08 … 07-12
    assert len(rep.episodes) == 0  # the block happens after the as-of day
    pw = plan_windows(data, as_of="2024-07-12")
    assert pw[["start", "end"]].iloc[0].tolist() == [
        pd.Timestamp("2024-07-01"),
        pd.Timestamp("2024-07-12"),
    ]


def test_report_on_empty_data_keeps_columns():
    rep = communication_report(TrackingData.empty())
    assert list(rep.departments.columns) == list(DEPARTMENT_COLUMNS)
    for name, frame in rep.frames().items():
        assert len(frame) == 0, name


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_bottleneck_and_cadence_failures_are_visible(seed):
    data = portfolio(
        n_projects=6, tasks_per_project=20, seed=seed, bottleneck="技术部", cadence_failures=0.25
    )
    rep = communication_report(data)
    t = rep.departments.set_index("department")
    assert t["own_delay_days"].idxmax() == "技术部"
    assert t["escalation_episodes"].idxmax() == "技术部"
    assert t["attendance_rate"].idxmin() == "技术部"
    assert rep.cadence["adherence"].mean() < 0.9
    assert (rep.cadence["held"] <= rep.cadence["expected"]).all()


def test_bundled_sample_story():
    from collab_analytics.sample import smart_cs_launch

    rep = communication_report(smart_cs_launch())
    t = rep.departments.set_index("department")
    assert t["own_delay_days"].idxmax() == "技术部"
    assert t["escalation_episodes"].idxmax() == "技术部"
    # some blocked/delayed tasks waited more than 48 h or never got a meeting
    o = rep.escalation_overall.iloc[0]
    assert o["late"] > 0 and o["never"] > 0 and o["compliance"] < 1
    assert (rep.cadence["missed"] > 0).any()


def test_report_reuses_a_delivery_report():
    from collab_analytics.metrics.report import delivery_report
    from collab_analytics.sample import portfolio

    data = portfolio(n_projects=3, tasks_per_project=12, seed=4)
    plain = communication_report(data, delivery_calendar="cn")
    dl = delivery_report(data, as_of=plain.as_of, calendar="cn", progress=False)
    shared = communication_report(data, delivery_calendar="cn", delivery=dl)
    pd.testing.assert_frame_equal(shared.departments, plain.departments)
    assert shared.departments["delay_rate"].notna().any()
    # a report grouped otherwise lends its attribution; the summary is computed again
    by_phase = delivery_report(data, as_of=plain.as_of, calendar="cn", by="phase", progress=False)
    again = communication_report(data, delivery_calendar="cn", delivery=by_phase)
    pd.testing.assert_frame_equal(again.departments, plain.departments)
    with pytest.raises(ValueError, match="computed with calendar 'cn', but delivery_calendar"):
        communication_report(data, delivery=dl)
    other_day = delivery_report(
        data, as_of=plain.as_of - pd.Timedelta(days=3), calendar="cn", progress=False
    )
    with pytest.raises(ValueError, match="compute both for the same day"):
        communication_report(data, delivery_calendar="cn", delivery=other_day)


def _expected_per_project(data, plan):
    """Reference: expected_departments called once per project of the plan."""
    from collab_analytics.metrics._cadence_text import _text_departments
    from collab_analytics.metrics.cadence import expected_departments

    frames = []
    tasks, project = data.tasks, data.project
    for proj, sub in plan.groupby(plan["project"].fillna("\0"), sort=False):
        depts, sponsor = data.departments, None
        if proj != "\0":
            depts = list(pd.unique(tasks.loc[tasks["project"] == proj, "department"].dropna()))
            prow = project[project["project"] == proj]
            if len(prow):
                named = _text_departments(
                    prow["departments"].astype("str").fillna("").reset_index(drop=True),
                    data.departments,
                )
                depts = list(dict.fromkeys([*depts, *named["department"]]))
                sp = prow["sponsor_department"].dropna()
                sponsor = str(sp.iloc[0]) if len(sp) else None
            depts = depts or data.departments
        elif len(project):
            sp = project["sponsor_department"].dropna()
            sponsor = str(sp.iloc[0]) if len(sp) else None
        frames.append(expected_departments(sub, depts, sponsor=sponsor))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("n_projects, seed", [(1, 3), (8, 5), (60, 7)])
def test_expected_departments_of_all_projects_at_once_equal_one_call_per_project(n_projects, seed):
    from collab_analytics.metrics.communication import _expected_by_project, plan_windows

    td = portfolio(n_projects=n_projects, seed=seed)
    plan = plan_windows(td)
    got = _expected_by_project(td, plan)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, _expected_per_project(td, plan))


def test_all_department_wording_in_english_means_every_department(sample_pair):
    from collab_analytics.metrics.cadence import expected_departments

    zh, en = sample_pair
    plan = pd.DataFrame(
        {"item": ["sync", "review"], "participants": ["All department contacts", "all the teams"]}
    )
    got = expected_departments(plan, en.departments)
    assert got.groupby("item")["department"].size().to_dict() == {
        "review": len(en.departments),
        "sync": len(en.departments),
    }
    # the sample's daily sync expects every department in both languages
    daily = [expected_departments(td.plan.iloc[[0]], td.departments) for td in (zh, en)]
    assert [len(d) for d in daily] == [len(zh.departments), len(en.departments)]


def test_plan_items_named_after_a_project_take_the_longest_project_name():
    from collab_analytics.metrics.communication import _plan_projects

    plan = pd.DataFrame({"item": ["P10 风险排查会", "P1 日常同步", "P2 评审", "周会", "P100x"]})
    got = _plan_projects(plan, ["P1", "P10", "P100x", "P3", None, ""])
    assert got.iloc[0] == "P10" and got.iloc[1] == "P1" and got.iloc[4] == "P100x"
    assert got.iloc[2:4].isna().all()
