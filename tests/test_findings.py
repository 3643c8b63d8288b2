"""Rule-based findings on hand-made metric frames."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics.findings import FINDING_COLUMNS, findings, takeaways


@pytest.fixture
def frames():
    return {
        "delivery": pd.DataFrame(
            {
                "n_due": [20],
                "n_on_time": [13],
                "n_late": [5],
                "n_overdue_open": [2],
                "on_time_rate": [0.65],
            }
        ),
        "delivery_by_department": pd.DataFrame(
            {
                "department": ["客服部", "技术部", "产品部"],
                "n_due": [5, 10, 2],
                "n_late": [0, 5, 0],
                "n_overdue_open": [0, 2, 0],
                "delay_rate": [0.0, 0.7, 0.0],
            }
        ),
        "attribution": pd.DataFrame(
            {
                "department": ["技术部", "客服部", "产品部"],
                "own_delay_days": [35.0, 15.0, 10.0],
                "share_of_own_delay": [35 / 60, 0.25, 10 / 60],
            }
        ),
        "escalation": pd.DataFrame(
            {"judged": [5], "within": [2], "late": [2], "never": [1], "compliance": [0.4]}
        ),
        "cadence": pd.DataFrame(
            {"item": ["风险排查会", "日常进度同步"], "expected": [6, 30], "missed": [2, 0]}
        ),
        "handoffs": pd.DataFrame(
            {
                "from_department": ["产品部", "技术部"],
                "to_department": ["技术部", "客服部"],
                "n_handoffs": [3, 2],
                "mean_wait_days": [4.5, 1.0],
                "max_wait_days": [8.0, 2.0],
            }
        ),
        "actions": pd.DataFrame(
            {"n_actions": [10], "n_closed": [7], "closure_rate": [0.7], "n_overdue_open": [2]}
        ),
    }


def test_findings_zh_with_evidence(frames):
    f = findings(**frames, lang="zh")
    assert tuple(f.columns) == FINDING_COLUMNS
    by_rule = {r: g for r, g in f.groupby("rule", sort=False)}
    own = by_rule["own_delay_share"].iloc[0]
    assert own["polarity"] == "to_improve" and own["chart"] == "attribution"
    assert own["text"] == "技术部 占全部自身延误天数的 58%(35/60 天)。"
    assert own["evidence"]["total"] == 60.0
    esc = by_rule["escalation"].iloc[0]
    assert esc["evidence"] == {"judged": 5, "n_over": 3, "never": 1, "limit": 48.0}
    assert "5 次滞后/阻塞中有 3 次超过 48 小时" in esc["text"]
    cad = by_rule["cadence"].set_index("polarity")["text"]
    assert cad["to_improve"] == "「风险排查会」应开 6 次,未开 2 次。"
    assert cad["went_well"] == "「日常进度同步」按计划召开了全部 30 次。"
    clean = by_rule["clean_department"]
    assert clean["evidence"].tolist() == [{"department": "客服部", "n_due": 5}]  # 产品部: 2 < 3
    worst = by_rule["worst_department"].iloc[0]["evidence"]
    assert worst == {"department": "技术部", "delay_rate": 0.7, "n_delayed": 7, "n_due": 10}
    hand = by_rule["handoff_wait"].iloc[0]
    assert hand["evidence"]["from_department"] == "产品部" and hand["chart"] == "handoffs"
    assert by_rule["actions"].iloc[0]["evidence"]["n_overdue"] == 2
    assert by_rule["on_time"].iloc[0]["polarity"] == "to_improve"


def test_findings_en(frames):
    f = findings(**frames, lang="en").set_index("rule")
    assert f.loc["own_delay_share", "text"] == (
        "技术部 accounts for 58% of own delay days (35 of 60 days)."
    )
    assert f.loc["escalation", "text"] == (
        "3 of 5 delayed/blocked episodes waited more than 48 h for a meeting (1 never got one)."
    )
    missed = f.loc["cadence"]
    assert "The 风险排查会 was missed 2 of 6 times." in missed["text"].tolist()


def test_thresholds_flip_polarity(frames):
    f = findings(delivery=frames["delivery"], escalation=frames["escalation"], good_rate=0.3)
    assert f["polarity"].tolist() == ["went_well", "went_well"]
    f = findings(attribution=frames["attribution"], share_threshold=0.6)
    assert f.empty and tuple(f.columns) == FINDING_COLUMNS


def test_no_frames_no_findings():
    f = findings(lang="en")
    assert f.empty and tuple(f.columns) == FINDING_COLUMNS


def test_takeaways_prefer_to_improve(frames):
    tk = takeaways(findings(**frames, lang="zh"))
    assert tk["cadence"].startswith("「风险排查会」")
    assert tk["delivery_by_department"].startswith("技术部 延误率最高")


def test_unsupported_language(frames):
    with pytest.raises(ValueError, match="Unsupported language 'fr'"):
        findings(**frames, lang="fr")


def test_progress_bottleneck_and_forecast_rules():
    ranking = pd.DataFrame(
        {
            "rank": [2, 1],
            "department": ["产品部", "技术部"],
            "score": [0.2, 0.62],
            "own_delay_days": [3.0, 80.0],
            "blocked_days": [0.0, 14.0],
            "handoff_wait_days": [2.0, 71.0],
            "downstream_tasks_hit": [0, 19],
        }
    )
    hist = pd.DataFrame(
        {
            "bin": ["<0", "0", "1–14", "≥15"],
            "lower_days": [float("-inf"), 0.0, 1.0, 15.0],
            "n_tasks": [4, 9, 10, 16],
        }
    )
    burnup = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-10-14", "2024-10-15", "2024-10-20"]),
            "planned_done": [36, 39, 39],
            "actual_done": pd.array([35, 37, None], dtype="Int64"),
            "n_tasks": 39,
        }
    )
    mix = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-08-01", "2024-08-02", "2024-08-02"]),
            "status": pd.Categorical(["blocked", "blocked", "on_track"]),
            "n_tasks": [1, 3, 9],
        }
    )
    fc = pd.DataFrame(
        {
            "remaining_tasks": [2],
            "p50": pd.to_datetime(["2024-10-20"]),
            "p85": pd.to_datetime(["2024-10-25"]),
            "deadline": pd.to_datetime(["2024-10-25"]),
            "p_meet_deadline": [0.88],
        }
    )
    cad = pd.DataFrame({"item": ["a", "b"], "expected": [71, 15], "held": [64, 13]})
    f = findings(
        bottlenecks=ranking,
        slippage_histogram=hist,
        burnup=burnup,
        status_mix=mix,
        forecast=fc,
        cadence=cad.assign(missed=cad["expected"] - cad["held"]),
        lang="en",
    ).set_index("rule")
    b = f.loc["bottleneck_rank"]
    assert b["chart"] == "bottleneck" and b["evidence"]["department"] == "技术部"
    assert b["text"] == (
        "技术部 ranks first as a bottleneck (score 0.62): 80 own delay days, 14 days blocked, "
        "71 days of hand-over wait, 19 downstream tasks hit."
    )
    assert f.loc["long_delays", "text"] == "16 of 39 tasks slipped 15 days or more (41%)."
    assert f.loc["burnup", "evidence"] == {
        "as_of": "2024-10-15",
        "planned": 39,
        "actual": 37,
        "gap": 2,
    }
    assert f.loc["burnup", "polarity"] == "to_improve"
    assert f.loc["blocked_peak", "text"] == (
        "At the peak, 3 tasks were blocked at the same time (2024-08-02)."
    )
    assert f.loc["forecast", "polarity"] == "went_well"  # 88 % ≥ 80 %
    assert "88% chance to finish by the deadline 2024-10-25" in f.loc["forecast", "text"]
    adh = f.loc["plan_adherence"]
    assert adh["evidence"]["held"] == 77 and adh["evidence"]["expected"] == 86
    assert adh["polarity"] == "went_well" and adh["chart"] == "cadence"
    # without a deadline the forecast is compared with the last planned finish
    g = findings(forecast=fc.assign(deadline=pd.NaT), burnup=burnup, lang="zh")
    row = g.set_index("rule").loc["forecast"]
    assert row["polarity"] == "to_improve"  # P85 10-25 after the last planned finish 10-15
    assert "计划最晚完成 2024-10-15" in row["text"]


def test_went_well_rules_balance_the_list():
    by_dept = pd.DataFrame(
        {
            "department": ["产品部", "技术部", "客服部"],
            "n_due": [10, 10, 2],
            "n_on_time": [9, 0, 2],
            "n_late": [1, 10, 0],
            "n_overdue_open": [0, 0, 0],
            "on_time_rate": [0.9, 0.0, 1.0],
            "delay_rate": [0.1, 1.0, 0.0],
        }
    )
    td = pd.DataFrame(
        {
            "task": ["痛点收集", "坐席访谈", "接口开发"],
            "department": ["客服部", "客服部", "技术部"],
            "is_early": [True, True, False],
            "delay_days": [-1.0, -3.0, 12.0],
        }
    )
    cad = pd.DataFrame(
        {
            "item": ["日常进度同步", "需求评审会", "风险排查会"],
            "expected": [71, 1, 14],
            "held": [64, 1, 12],
            "adherence": [64 / 71, 1.0, 12 / 14],
            "missed": [7, 0, 2],
        }
    )
    att = pd.DataFrame(
        {
            "department": ["客服部", "技术部", "产品部"],
            "meetings": [78, 78, 0],
            "attended": [74, 57, 0],
            "attendance_rate": [74 / 78, 57 / 78, float("nan")],
        }
    )
    esc = pd.DataFrame({"judged": [33], "within": [17], "late": [12], "never": [4]})
    act = pd.DataFrame(
        {"n_actions": [44], "n_closed": [40], "closure_rate": [40 / 44], "n_overdue_open": [3]}
    )
    f = findings(
        delivery_by_department=by_dept,
        task_delivery=td,
        cadence=cad,
        attendance=att,
        escalation=esc,
        actions=act,
        lang="zh",
    )
    well = f[f["polarity"] == "went_well"].set_index("rule")
    assert well.loc["department_on_time", "text"] == "产品部 按时完成率 90%(9/10 个到期任务)。"
    assert well.loc["department_on_time", "chart"] == "delivery_by_department"
    assert well.loc["early_finish", "evidence"] == {
        "n_early": 2,
        "department": "客服部",
        "n_department": 2,
        "task": "坐席访谈",
        "task_department": "客服部",
        "days": 3.0,
    }
    assert well.loc["early_finish", "chart"] == "gantt"
    assert well.loc["cadence_high", "text"] == "「日常进度同步」执行率 90%(应开 71 次,实开 64 次)。"
    assert well.loc["cadence", "text"] == "「需求评审会」按计划召开(计划 1 次,实开 1 次)。"
    assert well.loc["attendance", "text"] == "客服部 出席率 95%(应出席 78 次,实际 74 次)。"
    assert well.loc["escalation_within", "text"] == "17/33 次滞后/阻塞在 48 小时内上会处理。"
    assert well.loc["actions_closed", "evidence"] == {
        "rate": 40 / 44,
        "n_closed": 40,
        "n_actions": 44,
    }
    bad = f[f["polarity"] == "to_improve"].set_index("rule")
    assert bad.loc["cadence", "text"] == "「风险排查会」应开 14 次,未开 2 次。"  # 86 % < 90 %
    assert bad.loc["attendance", "evidence"]["department"] == "技术部"
    assert bad.loc["actions", "evidence"]["n_overdue"] == 3
    # 客服部: only 2 due tasks (< min_due) and no delay; 技术部 0 %
    assert well.index.tolist().count("department_on_time") == 1
    en = findings(task_delivery=td, attendance=att, lang="en").set_index("rule")
    assert en.loc["early_finish", "text"] == (
        "2 tasks finished early (2 of them by 客服部); the most was 坐席访谈 (客服部), "
        "3 d ahead of plan."
    )
    assert en.loc["attendance", "text"].tolist() == [
        "客服部 attended 95% of its meetings (74 of 78).",
        "技术部 had the lowest attendance: 73% (57 of 78 meetings).",
    ]


def test_high_bars_give_no_went_well():
    td = pd.DataFrame(
        {"task": ["a"], "department": ["技术部"], "is_early": [False], "delay_days": [3.0]}
    )
    esc = pd.DataFrame({"judged": [4], "within": [0], "late": [4], "never": [0]})
    f = findings(task_delivery=td, escalation=esc, lang="en")
    assert f["rule"].tolist() == ["escalation"] and f["polarity"].tolist() == ["to_improve"]


@pytest.fixture
def change_meeting():
    meetings = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-08-08", "2024-08-16"]),
            "topic": ["需求变更沟通会", "知识库接口开发阻塞专项会"],
            "related_tasks": [["T15", "T16", "T39"], ["T15"]],
            "departments": [["客服部", "产品部", "测试部"], ["技术部", "产品部"]],
        }
    )
    tasks = pd.DataFrame(
        {
            "task_id": ["T15", "T16", "T39"],
            "task": ["知识库接口开发", "对话引擎后端开发", "需求变更文档更新"],
            "department": ["技术部", "技术部", "产品部"],
        }
    )
    return meetings, tasks


def test_absent_owner_department(change_meeting):
    meetings, tasks = change_meeting
    f = findings(meetings=meetings, tasks=tasks, lang="zh")
    assert f["rule"].tolist() == ["absent_owner"]
    assert f.loc[0, "polarity"] == "to_improve" and f.loc[0, "chart"] == "attendance"
    assert f.loc[0, "text"] == (
        "需求变更沟通会(08-08)讨论了技术部的任务(知识库接口开发、对话引擎后端开发),但技术部未参会。"
    )
    en = findings(meetings=meetings, tasks=tasks, lang="en")
    assert en.loc[0, "text"] == (
        "The 需求变更沟通会 (08-08) discussed 技术部's tasks (知识库接口开发、对话引擎后端开发) "
        "without 技术部."
    )
    # the owner present, or no related tasks: nothing to report
    present = meetings.assign(departments=[["技术部", "产品部"], ["技术部"]])
    assert findings(meetings=present, tasks=tasks).empty
    none = meetings.assign(related_tasks=[[], None])
    assert findings(meetings=none, tasks=tasks).empty


def test_absent_owner_helper_keeps_input(change_meeting):
    from collab_analytics.findings import _meetings_missing_owner_department

    meetings, tasks = change_meeting
    before = meetings.copy()
    out = _meetings_missing_owner_department(meetings, tasks)
    pd.testing.assert_frame_equal(meetings, before)
    assert out[["meeting", "department", "task_ids"]].to_dict("records") == [
        {"meeting": 0, "department": "技术部", "task_ids": "T15、T16"}
    ]
    empty = _meetings_missing_owner_department(meetings.iloc[:0], tasks)
    assert empty.empty and list(empty.columns) == [
        "meeting",
        "date",
        "topic",
        "department",
        "task_ids",
        "tasks",
    ]
