"""Tests for the sample generators (collab_analytics.sample) and the bundled data files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics._errors import CollabError
from collab_analytics._lists import LIST_DTYPE
from collab_analytics.calendar import get_calendar
from collab_analytics.sample import (
    PORTFOLIO_ARGS,
    main,
    portfolio,
    smart_cs_launch,
    write_sample_files,
)
from collab_analytics.schema import TABLES, empty_table

DATA = Path(__file__).resolve().parents[1] / "data"
TABLE_NAMES = list(TABLES)
FINISHED = ("done", "done_early")


# ----------------------------------------------------------------------------- helpers
def own_delay(tasks: pd.DataFrame) -> pd.DataFrame:
    """design.md's attribution, written plainly: inherited = max(0, latest predecessor finish −
    planned start); own = max(0, delay − inherited). Finished tasks only."""
    finish = tasks.set_index("task_id")["actual_finish"]
    edges = tasks[["task_id", "depends_on"]].explode("depends_on").dropna()
    latest = edges.assign(f=edges["depends_on"].map(finish)).groupby("task_id")["f"].max()
    t = tasks[tasks["actual_finish"].notna()].copy()
    t["delay"] = (t["actual_finish"] - t["planned_finish"]).dt.days
    t["inherited"] = (t["task_id"].map(latest) - t["planned_start"]).dt.days.clip(lower=0).fillna(0)
    t["own"] = (t["delay"] - t["inherited"]).clip(lower=0)
    return t


def first_meeting_hours(updates: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """Every turn into delayed/blocked and the hours to the first later meeting that lists
    the task in related_tasks (NaN: none)."""
    u = updates.reset_index(drop=True)
    prev_same = (u["task_id"] == u["task_id"].shift()) & (u["status"] == u["status"].shift())
    ep = u[u["status"].isin(["delayed", "blocked"]) & ~prev_same][["task_id", "status", "date"]]
    rel = meetings[["start", "related_tasks"]].explode("related_tasks").dropna()
    pairs = ep.merge(rel, left_on="task_id", right_on="related_tasks", how="left")
    pairs = pairs[pairs["start"].isna() | (pairs["start"] >= pairs["date"])]
    first = pairs.groupby(["task_id", "status", "date"], as_index=False)["start"].min()
    out = ep.merge(first, on=["task_id", "status", "date"], how="left")
    out["hours"] = (out["start"] - out["date"]).dt.total_seconds() / 3600
    return out


@pytest.fixture(scope="module")
def story() -> dict:
    return {"zh": smart_cs_launch("zh"), "en": smart_cs_launch("en")}


@pytest.fixture(scope="module")
def small():
    return portfolio(n_projects=6, tasks_per_project=25, seed=11)


# ----------------------------------------------------------------------------- portfolio: shape
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_portfolio_tables_have_canonical_columns_and_dtypes(lang):
    td = portfolio(n_projects=4, tasks_per_project=20, seed=5, lang=lang)
    for name in TABLE_NAMES:
        got, want = getattr(td, name), empty_table(name)
        assert list(got.columns) == list(want.columns), name
        assert got.dtypes.to_dict() == want.dtypes.to_dict(), name
        assert len(got) > 0, name
    assert td.issues.empty
    assert td.tasks["planned_finish"].dtype == np.dtype("datetime64[us]")
    assert set(td.tasks["status"].cat.categories) >= {"done", "done_early", "blocked"}


def test_portfolio_sizes(small):
    assert len(small.tasks) == 150
    assert small.tasks["project"].nunique() == 6 == len(small.project)
    assert small.tasks["task_id"].is_unique
    assert not small.tasks.duplicated(["project", "task"]).any()
    assert small.tasks["department"].nunique() == 7
    assert len(small.contacts) == 7
    assert 4.0 <= len(small.updates) / len(small.tasks) <= 6.0  # updates_per_task=5 on average


def test_portfolio_is_deterministic_per_seed():
    a = portfolio(n_projects=5, tasks_per_project=16, seed=42, bottleneck="技术部")
    b = portfolio(n_projects=5, tasks_per_project=16, seed=42, bottleneck="技术部")
    c = portfolio(n_projects=5, tasks_per_project=16, seed=43, bottleneck="技术部")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.tasks["actual_finish"].equals(c.tasks["actual_finish"])


def test_portfolio_languages_share_the_numbers():
    zh = portfolio(n_projects=3, tasks_per_project=15, seed=9)
    en = portfolio(n_projects=3, tasks_per_project=15, seed=9, lang="en")
    for c in (
        "planned_start",
        "planned_finish",
        "actual_start",
        "actual_finish",
        "status",
        "progress",
        "task_id",
        "depends_on",
    ):
        pd.testing.assert_series_equal(zh.tasks[c], en.tasks[c])
    assert set(en.tasks["department"]) == {
        "Customer Service",
        "Product",
        "Engineering",
        "QA",
        "Marketing",
        "Operations",
        "Legal",
    }
    assert (
        en.plan["frequency"].isin(["daily 17:00", "weekly Fri 15:00", "biweekly Wed 10:00"]).sum()
        >= 3
    )


# ----------------------------------------------------------------------------- portfolio: logic
def test_portfolio_dependencies_are_earlier_tasks_of_the_same_project(small):
    t = small.tasks
    assert t["depends_on"].dtype == LIST_DTYPE
    assert all(isinstance(v, list) for v in t["depends_on"].tolist())
    assert t["depends_on"].map(len).between(0, 2).all()
    edges = (
        t[["task_id", "project", "planned_start", "department", "depends_on"]]
        .explode("depends_on")
        .dropna(subset=["depends_on"])
    )
    pred = t.set_index("task_id")
    assert edges["depends_on"].isin(pred.index).all()
    assert (
        edges["project"].to_numpy() == pred.loc[edges["depends_on"], "project"].to_numpy()
    ).all()
    # planned: a successor starts when its latest predecessor is planned to finish
    assert (
        pred.loc[edges["depends_on"], "planned_finish"].to_numpy()
        <= edges["planned_start"].to_numpy()
    ).all()
    # and actually starts only once its inputs arrived
    succ_start = t.set_index("task_id").loc[edges["task_id"], "actual_start"].to_numpy()
    assert (
        pred.loc[edges["depends_on"], "actual_finish"].fillna(pd.Timestamp.min).to_numpy()
        <= succ_start
    ).all()
    # chains cross departments
    cross = edges["department"].to_numpy() != pred.loc[edges["depends_on"], "department"].to_numpy()
    assert cross.mean() > 0.5


def test_portfolio_dates_and_statuses_are_consistent(small):
    t = small.tasks
    assert (t["planned_finish"] > t["planned_start"]).all()
    done = t["status"].isin(FINISHED)
    assert (t.loc[done, "actual_finish"] >= t.loc[done, "actual_start"]).all()
    early = t["actual_finish"] < t["planned_finish"]
    assert (t.loc[done & early, "status"] == "done_early").all()
    assert (t.loc[done & ~early, "status"] == "done").all()
    cancelled = t["status"] == "cancelled"
    assert t.loc[cancelled, "actual_finish"].isna().all()
    assert (t.loc[done, "progress"] == 1.0).all()


def test_portfolio_updates_follow_each_task(small):
    u, t = small.updates, small.tasks.set_index("task_id")
    assert u["task_id"].isin(t.index).all()
    assert (u["department"].to_numpy() == t.loc[u["task_id"], "department"].to_numpy()).all()
    day = u["date"].dt.normalize()
    assert (day >= t.loc[u["task_id"], "actual_start"].to_numpy()).all()
    fin = t.loc[u["task_id"], "actual_finish"].to_numpy()
    assert ((day <= fin) | pd.isna(fin)).all()
    # progress never goes back within a task; finished tasks end with their final status
    assert (u.groupby("task_id")["progress"].diff().dropna() >= 0).all()
    last = u.groupby("task_id").tail(1).set_index("task_id")
    finished = t.index[t["status"].isin(FINISHED)]
    assert (last.loc[finished, "status"].to_numpy() == t.loc[finished, "status"].to_numpy()).all()
    assert (last.loc[finished, "progress"] == 1.0).all()
    assert {"on_track", "delayed", "blocked"} <= set(u["status"])
    assert u["note"].str.contains("完成").any() and u["note"].str.startswith("阻塞").any()


def test_portfolio_raci_has_one_a_and_an_r_per_task(small):
    r = small.raci
    roles = r.groupby("task_id")["role"].agg(lambda s: "".join(sorted(s)))
    assert roles.str.count("A").eq(1).all() and roles.str.count("R").ge(1).all()
    assert not r.duplicated(["task_id", "department"]).any()
    owner = small.tasks.set_index("task_id")["department"]
    rr = r[r["role"] == "R"]
    assert (rr["department"].to_numpy() == owner.loc[rr["task_id"]].to_numpy()).all()


def test_portfolio_meetings_follow_the_plan_and_the_calendar(small):
    m, plan = small.meetings, small.plan
    planned = m[m["plan_item"].notna()]
    assert planned["plan_item"].isin(plan["item"]).all()
    daily = planned[planned["plan_item"].str.endswith("日常进度同步")]
    assert get_calendar("cn").is_workday(daily["date"]).all()  # 调休 days count, holidays not
    weekly = planned[planned["plan_item"].str.endswith("风险排查会")]
    assert weekly["date"].dt.day_of_week.isin([3, 4]).all()  # Fridays, a few moved to Thursday
    assert (m["start"] == m["date"] + pd.to_timedelta(m["time"] + ":00")).all()
    assert m["departments"].map(len).ge(1).all()
    joined = m["departments"].map("、".join)
    assert (joined == m["participants"]).all()
    assert m["related_tasks"].explode().dropna().isin(small.tasks["task_id"]).all()
    assert m["start"].is_monotonic_increasing


def test_portfolio_escalations_some_within_48h_some_late_some_never():
    td = portfolio(n_projects=10, tasks_per_project=30, seed=2)
    ep = first_meeting_hours(td.updates, td.meetings)
    within = (ep["hours"] <= 48).mean()
    late = (ep["hours"] > 48).mean()
    never = ep["hours"].isna().mean()
    assert 0.45 < within < 0.85 and 0.1 < late < 0.4 and 0.05 < never < 0.3


def test_portfolio_actions(small):
    a = small.actions
    assert (a["is_closed"] == a["closed"].notna()).all()
    assert 0.75 < a["is_closed"].mean() < 0.99
    assert (a["due"] >= pd.to_datetime(a["source_meeting"].str[:10])).all()
    assert a["department"].isin(small.contacts["department"]).all()


@pytest.mark.parametrize("bottleneck", ["技术部", "法务部", "QA"])
def test_planted_bottleneck_has_the_most_own_delay(bottleneck):
    lang = "en" if bottleneck == "QA" else "zh"
    for seed in range(3):
        td = portfolio(
            n_projects=20, tasks_per_project=30, seed=seed, bottleneck=bottleneck, lang=lang
        )
        per = own_delay(td.tasks).groupby("department")["own"].mean()
        others = per.drop(bottleneck)
        assert per[bottleneck] > 2.5 * others.max(), (seed, per.to_dict())
        blocked = (
            td.updates[td.updates["status"] == "blocked"].groupby("department")["task_id"].nunique()
        )
        assert blocked.idxmax() == bottleneck


def test_without_bottleneck_own_delay_is_spread_evenly():
    td = portfolio(n_projects=30, tasks_per_project=30, seed=4)
    per = own_delay(td.tasks).groupby("department")["own"].mean()
    assert per.max() < 1.6 * per.min(), per.to_dict()


def test_cadence_failures_drop_that_share_of_planned_meetings():
    kw = {"n_projects": 12, "tasks_per_project": 20, "seed": 8}
    full = portfolio(**kw).meetings["plan_item"].notna().sum()
    half = portfolio(**kw, cadence_failures=0.5).meetings["plan_item"].notna().sum()
    assert half / full == pytest.approx(0.5, abs=0.05)
    none = portfolio(**kw, cadence_failures=1.0).meetings
    assert none["plan_item"].isna().all()


def test_as_of_cuts_the_portfolio():
    full = portfolio(n_projects=8, tasks_per_project=20, seed=6)
    cut = pd.Timestamp(full.tasks["actual_start"].quantile(0.6)).normalize()
    td = portfolio(n_projects=8, tasks_per_project=20, seed=6, as_of=cut)
    t = td.tasks
    for col in ("actual_start", "actual_finish"):
        assert (t[col].dropna() <= cut).all()
    assert (td.updates["date"].dt.normalize() <= cut).all()
    assert (td.meetings["date"] <= cut).all()
    assert (td.actions["closed"].dropna() <= cut).all()
    assert td.as_of <= cut
    not_started = t["actual_start"].isna()
    assert (t.loc[not_started, "status"] == "not_started").all()
    assert (t.loc[not_started, "progress"] == 0).all()
    open_ = t["actual_start"].notna() & t["actual_finish"].isna() & (t["status"] != "cancelled")
    assert open_.any()
    assert t.loc[open_, "status"].isin(["on_track", "delayed", "blocked"]).all()
    # the plan itself does not change
    pd.testing.assert_series_equal(t["planned_finish"], full.tasks["planned_finish"])


def test_options_that_switch_parts_off():
    td = portfolio(n_projects=2, tasks_per_project=8, meetings=False, updates_per_task=0)
    for name in ("plan", "meetings", "actions", "updates"):
        assert getattr(td, name).empty
        assert list(getattr(td, name).columns) == list(empty_table(name).columns)
    custom = portfolio(n_projects=2, tasks_per_project=8, departments=["A组", "B组", "C组"])
    assert set(custom.tasks["department"]) <= {"A组", "B组", "C组"}
    assert custom.raci.groupby("task_id")["role"].agg("".join).str.count("A").eq(1).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lang": "fr"}, "lang must be 'zh' or 'en'"),
        ({"bottleneck": "财务部"}, "bottleneck '财务部' is not one of the departments"),
        ({"cadence_failures": 1.5}, r"cadence_failures must lie in \[0, 1\]"),
        ({"departments": ["只有一个"]}, "at least 2 distinct names"),
        ({"n_projects": 0}, "must be ≥ 1"),
        ({"updates_per_task": -1}, "updates_per_task must be ≥ 0"),
    ],
)
def test_portfolio_argument_errors(kwargs, match):
    with pytest.raises(CollabError, match=match):
        portfolio(**kwargs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_projects=st.integers(1, 4),
    tasks_per_project=st.integers(1, 40),
    seed=st.integers(0, 10_000),
    failures=st.floats(0, 1),
)
def test_portfolio_invariants_hold_for_any_size(n_projects, tasks_per_project, seed, failures):
    td = portfolio(
        n_projects=n_projects,
        tasks_per_project=tasks_per_project,
        seed=seed,
        cadence_failures=failures,
    )
    t = td.tasks
    assert len(t) == n_projects * tasks_per_project
    assert (t["actual_finish"].dropna() >= t.loc[t["actual_finish"].notna(), "actual_start"]).all()
    assert t["progress"].between(0, 1).all()
    assert td.meetings["start"].is_monotonic_increasing
    assert td.raci.groupby("task_id")["role"].agg("".join).str.count("A").eq(1).all()


# ----------------------------------------------------------------------------- the story
def test_story_tables_are_canonical(story):
    for td in story.values():
        for name in TABLE_NAMES:
            got, want = getattr(td, name), empty_table(name)
            assert list(got.columns) == list(want.columns), name
            assert got.dtypes.to_dict() == want.dtypes.to_dict(), name
        assert td.issues.empty


def test_story_is_reproducible_and_bilingual(story):
    again = smart_cs_launch("zh")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(story["zh"], name), getattr(again, name))
    zh, en = story["zh"], story["en"]
    for name, cols in (
        ("tasks", ["task_id", "planned_finish", "actual_finish", "status"]),
        ("updates", ["date", "progress", "status"]),
        ("meetings", ["start", "related_tasks"]),
        ("actions", ["due", "closed"]),
    ):
        pd.testing.assert_frame_equal(getattr(zh, name)[cols], getattr(en, name)[cols])
    assert en.tasks["department"].iloc[0] == "Customer Service"


def test_story_project_facts(story):
    td = story["zh"]
    p = td.project.iloc[0]
    assert p["project"] == "智能客服系统上线" and p["sponsor_department"] == "客服部"
    assert p["goal"] == "Q3完成智能客服系统上线,客户满意度提升至90%"
    assert set(td.tasks["department"]) == {
        "客服部",
        "产品部",
        "技术部",
        "测试部",
        "运营部",
        "市场部",
    }
    assert 35 <= len(td.tasks) <= 60
    assert td.tasks["planned_start"].min() == pd.Timestamp("2024-07-01")
    assert td.as_of == pd.Timestamp("2024-10-15")
    assert list(td.tasks["phase"].unique()) == [
        "需求收集",
        "需求分析",
        "方案设计",
        "开发测试",
        "上线推广",
    ]
    pain = td.tasks.set_index("task").loc["客户痛点收集"]
    assert pain["planned_finish"] == pd.Timestamp("2024-07-10")
    assert pain["actual_finish"] == pd.Timestamp("2024-07-09")
    assert pain["status"] == "done_early"


def test_story_plan_is_the_seeds_and_lacks_a_change_review(story):
    plan = story["zh"].plan.set_index("item")["frequency"].to_dict()
    assert plan == {
        "日常进度同步": "每日17:00",
        "需求评审会": "7月15日14:00",
        "风险排查会": "每周五15:00",
    }
    assert not story["zh"].meetings["topic"].str.contains("需求变更评审会").any()


def test_story_engineering_is_the_bottleneck(story):
    t = own_delay(story["zh"].tasks)
    per = t.groupby("department")["own"].sum()
    assert per.idxmax() == "技术部"
    assert per["技术部"] > 0.6 * per.sum()
    eng = t[t["department"] == "技术部"]
    assert (eng["delay"] > 0).mean() > 0.8
    # downstream departments are late mostly by inheritance
    qa = t[t["department"] == "测试部"]
    assert qa["inherited"].sum() > 2 * qa["own"].sum()
    # the go-live slipped past National Day
    golive = story["zh"].tasks.set_index("task").loc["全量上线"]
    assert golive["actual_finish"] > pd.Timestamp("2024-10-07") > golive["planned_finish"]
    # the seed's sentence shows up where it was said
    out = story["zh"].meetings["output"].dropna()
    assert out.str.contains("需增加2名开发人员或延期5天").any()


def test_story_requirement_change_skips_engineering_and_blocks_it(story):
    td = story["zh"]
    m = td.meetings
    change = m[m["topic"] == "需求变更沟通会"]
    assert len(change) == 1
    day = change["date"].iloc[0]
    assert day.month == 8
    assert "技术部" not in change["departments"].iloc[0]
    u = td.updates
    hit = u[
        (u["department"] == "技术部")
        & (u["status"] == "blocked")
        & u["note"].str.contains("需求变更")
    ]
    assert hit["task_id"].nunique() >= 2
    assert hit["date"].min() > day
    assert (hit["date"].min() - day) < pd.Timedelta(days=8)
    action = td.actions[td.actions["action"] == "同步需求变更至技术部"].iloc[0]
    assert action["closed"] > action["due"]  # passed on late
    assert action["closed"] >= hit["date"].min().normalize()


def test_story_blocked_tasks_within_late_and_never(story):
    td = story["zh"]
    ep = first_meeting_hours(td.updates, td.meetings)
    blocked = ep[ep["status"] == "blocked"]
    assert (blocked["hours"] <= 48).any()
    assert (blocked["hours"] >= 50).any()
    assert blocked["hours"].isna().any()
    # nor is the task named in a later meeting's topic or minutes
    named = td.meetings["output"].fillna("") + td.meetings["topic"]
    names = td.tasks.set_index("task_id")["task"]
    for ep_ in blocked[blocked["hours"].isna()].itertuples():
        later = td.meetings["start"] > ep_.date
        assert not named[later].str.contains(names[ep_.task_id]).any()


def test_story_cadence_gaps(story):
    td = story["zh"]
    m = td.meetings
    cal = get_calendar("cn")
    days = cal.workdays("2024-07-01", td.as_of)
    daily = set(m.loc[m["plan_item"] == "日常进度同步", "date"])
    assert all(cal.is_workday(list(daily)))
    missed_daily = [d for d in days if d not in daily]
    assert 3 <= len(missed_daily) <= 15
    # the series runs across 中秋 and National Day: no sync on the holidays
    hol = pd.to_datetime(["2024-09-16", "2024-09-17", "2024-10-01", "2024-10-04", "2024-10-07"])
    assert not daily & set(hol)
    fridays = days[days.day_of_week == 4]
    held = set(m.loc[m["plan_item"] == "风险排查会", "date"])
    assert len([f for f in fridays if f not in held]) == 2
    assert pd.Timestamp("2024-10-04") not in set(fridays)  # National Day Friday is not expected
    review = m[m["plan_item"] == "需求评审会"]
    assert review["date"].tolist() == [pd.Timestamp("2024-07-15")]


def test_story_actions_mostly_closed_some_overdue(story):
    a = story["zh"].actions
    assert a["is_closed"].mean() > 0.8
    overdue_open = ~a["is_closed"] & (a["due"] < story["zh"].as_of)
    assert overdue_open.sum() >= 1
    assert (a["closed"] > a["due"]).sum() >= 3
    staffing = a[a["action"] == "申请增加2名开发人员"]
    assert len(staffing) == 1 and not staffing["is_closed"].iloc[0]


def test_story_raci_follows_the_seed(story):
    r = story["zh"].raci
    pain = r[r["task"] == "客户痛点收集"].set_index("department")["role"].to_dict()
    assert pain == {"客服部": "R", "产品部": "C", "技术部": "I"}  # the seed's row, no A
    others = r[r["task"] != "客户痛点收集"].groupby("task_id")["role"].agg("".join)
    assert others.str.count("A").eq(1).all() and others.str.count("R").eq(1).all()


# ----------------------------------------------------------------------------- files
@pytest.mark.slow
def test_written_files_load_back_to_the_same_tables(tmp_path):
    from collab_analytics.io import load

    assert main(["write", str(tmp_path), "--no-check"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["csv", "portfolio.xlsx", "smart_cs_launch.xlsx", "smart_cs_launch_en.xlsx"]
    expected = {
        "smart_cs_launch.xlsx": smart_cs_launch("zh"),
        "csv": smart_cs_launch("en"),
        "portfolio.xlsx": portfolio(**PORTFOLIO_ARGS),
    }
    for name, want in expected.items():
        got = load(tmp_path / name)
        assert got.errors.empty, got.summary()
        for table in TABLE_NAMES:
            a, b = getattr(want, table), getattr(got, table)[getattr(want, table).columns]
            if table == "raci":
                a, b = (x.sort_values(["task_id", "department", "role"]) for x in (a, b))
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    got = load(tmp_path / "smart_cs_launch_en.xlsx")
    assert got.errors.empty
    assert len(got.tasks) == len(expected["csv"].tasks)


def test_write_sample_files_is_the_function_main_uses(tmp_path):
    # the small pieces: the CSV folder alone, with English headers
    from collab_analytics.sample import write_csv_folder

    paths = write_csv_folder(smart_cs_launch("en"), tmp_path)
    head = (tmp_path / "tasks.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("Project,Task ID,Task")
    assert [p.stem for p in paths] == TABLE_NAMES
    assert callable(write_sample_files)


def test_bundled_workbook_is_current_and_clean():
    from collab_analytics.io import read_workbook

    td = read_workbook(DATA / "smart_cs_launch.xlsx")
    assert td.errors.empty
    want = smart_cs_launch("zh")
    pd.testing.assert_frame_equal(td.tasks[want.tasks.columns], want.tasks)
    pd.testing.assert_frame_equal(td.meetings[want.meetings.columns], want.meetings)
