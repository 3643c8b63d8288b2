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
