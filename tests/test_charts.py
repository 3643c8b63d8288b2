"""Chart specs: fields, types, zh/en labels, explicit orders, theme, row limits."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from collab_analytics import charts
from collab_analytics._errors import SchemaError
from collab_analytics.charts.theme import FONT_FAMILY, STATUS_COLORS, status_scale, to_spec
from collab_analytics.labels import LABELS, label, status_labels

DEPTS = ["客服部", "产品部", "技术部"]  # meaningful order, not code point order


@pytest.fixture
def tasks():
    return pd.DataFrame(
        {
            "task_id": ["T1", "T2", "T3", "T4"],
            "task": ["需求梳理", "话术库", "接口开发", "<script>alert(1)</script>"],
            "department": ["产品部", "客服部", "技术部", "技术部"],
            "planned_start": pd.to_datetime(
                ["2024-07-01", "2024-07-06", "2024-07-06", "2024-07-10"]
            ),
            "planned_finish": pd.to_datetime(
                ["2024-07-05", "2024-07-15", "2024-07-18", "2024-07-22"]
            ),
            "actual_start": pd.to_datetime(["2024-07-01", "2024-07-06", "2024-07-08", None]),
            "actual_finish": pd.to_datetime(["2024-07-05", "2024-07-14", None, None]),
            "status": pd.Categorical(["done", "done_early", "blocked", None]),
            "depends_on": [[], ["T1"], ["T1"], ["T3"]],
        }
    )


def test_labels_cover_both_languages():
    assert LABELS["zh"].keys() == LABELS["en"].keys()
    assert label("title_gantt", "zh") != label("title_gantt", "en")
    assert status_labels("zh")[:4] == ["未开始", "正常", "滞后", "阻塞"]


def test_theme_font_list_ends_generic_and_status_colours_fixed():
    assert FONT_FAMILY.split(",")[0] == "Noto Sans SC"
    assert FONT_FAMILY.rstrip().endswith("sans-serif")
    sc = status_scale("en")
    assert dict(zip(sc["domain"], sc["range"], strict=True))["Blocked"] == STATUS_COLORS["blocked"]
    spec = to_spec(alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q"))
    assert spec["config"]["font"] == FONT_FAMILY
    assert spec["config"]["title"]["fontSize"] >= 18


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gantt_spec(tasks, lang):
    spec = charts.gantt(tasks, lang=lang, as_of="2024-07-16", departments=DEPTS).to_dict()
    assert spec["facet"]["row"]["sort"] == DEPTS
    assert spec["title"]["text"] == label("title_gantt", lang)
    plan, actual, _rule = spec["spec"]["layer"]
    assert plan["encoding"]["x"]["field"] == "planned_start"
    assert plan["encoding"]["x"]["type"] == "temporal"
    assert actual["encoding"]["x2"]["field"] == "actual_end"
    colour = actual["encoding"]["color"]
    assert colour["title"] == label("status", lang)
    # only statuses present, in canonical order, plus "not recorded" for the missing one
    assert colour["scale"]["range"] == [
        STATUS_COLORS[c] for c in ("blocked", "done_early", "done")
    ] + ["#8C8C8C"]
    rows = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    # ordered by department order, then planned start
    assert rows["department"].tolist() == ["客服部", "产品部", "技术部", "技术部"]
    assert rows["row"].tolist()[2:] == ["T3 接口开发", "T4 <script>alert(1)</script>"]
    # open task T3 (started, no finish) runs to the as-of date
    t3 = rows.set_index("task_id").loc["T3"]
    assert t3["actual_end"].startswith("2024-07-16")
    titles = {t["field"]: t["title"] for t in plan["encoding"]["tooltip"]}
    assert titles["planned_finish"] == label("planned_finish", lang)


def test_gantt_caps_rows_and_keeps_the_most_delayed(tasks):
    n = 10_000
    big = pd.DataFrame(
        {
            "task": [f"t{i}" for i in range(n)],
            "department": np.where(np.arange(n) % 2 == 0, "产品部", "技术部"),
            "planned_start": pd.Timestamp("2024-01-01"),
            "planned_finish": pd.Timestamp("2024-02-01"),
        }
    )
    delivery = pd.DataFrame({"delay_days": np.arange(n, dtype=float)})
    spec = charts.gantt(big, delivery=delivery, max_tasks=25).to_dict()
    rows = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert len(rows) == 25
    assert rows["delay_days"].min() == n - 25
    assert label("report_more_rows", "zh", n=n - 25) in spec["title"]["subtitle"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_delivery_rates_spec(lang):
    s = pd.DataFrame(
        {
            "department": ["技术部", "客服部", "产品部"],
            "n_due": [4, 2, 3],
            "n_on_time": [1, 2, 3],
            "n_late": [2, 0, 0],
            "n_overdue_open": [1, 0, 0],
            "on_time_rate": [0.25, 1.0, 1.0],
            "delay_rate": [0.75, 0.0, 0.0],
        }
    )
    spec = charts.delivery_rates(s, lang=lang, departments=DEPTS).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["sort"] == DEPTS
    assert enc["x"]["axis"]["format"] == "%"
    assert enc["color"]["scale"]["domain"] == [
        label("on_time_rate", lang),
        label("delay_rate", lang),
    ]
    assert spec["params"][0]["name"] == "dept"
    assert {t["field"] for t in enc["tooltip"]} >= {"n_due", "n_late", "rate"}
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert len(data) == 6  # 3 departments x 2 rates, no aggregation in the chart
    tech = data[(data["department"] == "技术部") & (data["metric"] == "delay_rate")]
    assert tech["rate"].item() == 0.75


def test_slippage_and_attribution_order_departments():
    slip = pd.DataFrame(
        {
            "department": ["技术部", "客服部"],
            "n": [4, 2],
            "n_late": [3, 0],
            "median_delay_days": [3.0, -1.0],
            "p85_delay_days": [6.0, 0.0],
            "p95_delay_days": [8.0, 0.0],
            "max_delay_days": [9.0, 0.0],
            "mean_delay_days": [4.0, -0.5],
        }
    )
    spec = charts.slippage(slip, lang="en", departments=DEPTS).to_dict()
    assert spec["layer"][1]["encoding"]["y"]["sort"] == ["客服部", "技术部"]
    assert spec["layer"][1]["encoding"]["x"]["title"] == "Delay (days)"
    att = pd.DataFrame(
        {
            "department": ["技术部", "客服部"],
            "own_delay_days": [7.0, 1.0],
            "inherited_delay_days": [5.0, 0.0],
            "downstream_tasks_hit": [1, 0],
            "share_of_own_delay": [0.875, 0.125],
        }
    )
    spec = charts.delay_attribution_chart(att, lang="zh", departments=DEPTS).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["自身延误天数", "继承延误天数"]
    assert spec["encoding"]["x"]["stack"] == "zero"


def test_escalation_chart_has_48h_rule():
    dist = pd.DataFrame(
        {
            "bucket": ["0–24", "24–48", "48–72", "72–168", ">168", "never"],
            "lower_hours": [0, 24, 48, 72, 168, np.inf],
            "upper_hours": [24, 48, 72, 168, np.inf, np.inf],
            "episodes": [4, 9, 1, 5, 0, 2],
            "share": [4 / 21, 9 / 21, 1 / 21, 5 / 21, 0, 2 / 21],
        }
    )
    spec = charts.escalation_chart(dist, lang="zh").to_dict()
    bars, _, rule, _note = spec["layer"]
    assert bars["encoding"]["x"]["sort"][-1] == "未开会"
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"]["bandPosition"] == 0
    ds = spec["datasets"]
    assert ds[rule["data"]["name"]] == [{"b": "48–72"}]
    kinds = {r["bucket"]: r["kind"] for r in ds[bars["data"]["name"]]}
    assert kinds["24–48"] == "48小时内处理" and kinds["48–72"] == "超过48小时"


def test_heatmaps_and_cadence_specs():
    pairs = pd.DataFrame(
        {
            "from_department": ["产品部"],
            "to_department": ["技术部"],
            "n_handoffs": [3],
            "n_waiting": [0],
            "mean_wait_days": [2.5],
            "median_wait_days": [2.0],
            "max_wait_days": [4.0],
        }
    )
    spec = charts.handoff_heatmap(pairs, lang="en", departments=DEPTS).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["产品部", "技术部"]
    matches = pd.DataFrame(
        {
            "item": ["风险排查会", "风险排查会", None],
            "date": pd.to_datetime(["2024-07-05", "2024-07-12", "2024-07-13"]),
            "matched": [True, True, False],
        }
    )
    missed = pd.DataFrame({"item": ["风险排查会"], "occurrence": pd.to_datetime(["2024-07-19"])})
    spec = charts.cadence_calendar(matches, missed, lang="zh").to_dict()
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert data["outcome"].tolist() == ["held", "held", "missed"]
    assert spec["encoding"]["color"]["scale"]["domain"] == ["已开", "未开", "计划外召开"]
    att = pd.DataFrame(
        {
            "item": ["风险排查会"] * 2,
            "department": ["技术部", "客服部"],
            "meetings": [6, 6],
            "attended": [3, 6],
            "attendance_rate": [0.5, 1.0],
        }
    )
    spec = charts.attendance_matrix(att, lang="en", departments=DEPTS).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["客服部", "技术部"]


def test_raci_heatmap_marks_violations_first():
    raci = pd.DataFrame(
        {
            "task": ["a", "a", "b", "b"],
            "department": ["客服部", "技术部"] * 2,
            "role": ["A", "R", "R", "R"],
        }
    )
    problems = pd.DataFrame({"task": ["b"], "message": ["no A"]})
    spec = charts.raci_heatmap(raci, problems, lang="zh", max_tasks=1).to_dict()
    rect, _, bad = spec["layer"]
    shown = pd.DataFrame(spec["datasets"][rect["data"]["name"]])
    assert set(shown["task"]) == {"b"}
    assert spec["datasets"][bad["data"]["name"]][0]["violation"] == "no A"
    assert bad["mark"]["stroke"] == "#E15759"


def test_builders_refuse_per_task_frames():
    s = pd.DataFrame(
        {
            "department": [f"d{i}" for i in range(5000)],
            "n_due": 1,
            "n_on_time": 1,
            "n_late": 0,
            "n_overdue_open": 0,
            "on_time_rate": 1.0,
            "delay_rate": 0.0,
        }
    )
    with pytest.raises(SchemaError, match="charts carry at most 4,000"):
        charts.delivery_rates(s)


def test_missing_columns_are_named():
    with pytest.raises(SchemaError, match=r"slippage\(\) needs columns \['n'"):
        charts.slippage(pd.DataFrame({"department": ["x"]}))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_frames_give_a_no_data_chart(lang):
    empty = pd.DataFrame(
        columns=["department", "n_actions", "n_closed", "n_closed_on_time", "n_overdue_open"]
    )
    spec = charts.actions_chart(empty, lang=lang).to_dict()
    assert spec["title"] == label("title_actions", lang)
    assert next(iter(spec["datasets"].values())) == [{"t": label("no_data", lang)}]


def test_raci_heatmap_stays_small_when_task_names_repeat_across_projects():
    n = 20_000
    raci = pd.DataFrame(
        {
            "task_id": [f"P{i // 2}-T1" for i in range(n)],
            "task": ["需求评审"] * n,
            "department": np.where(np.arange(n) % 2 == 0, "客服部", "技术部"),
            "role": np.where(np.arange(n) % 2 == 0, "A", "R"),
        }
    )
    problems = pd.DataFrame({"task_id": ["P7-T1"], "task": ["需求评审"], "message": ["no R"]})
    spec = charts.raci_heatmap(raci, problems, max_tasks=30).to_dict()  # no MaxRowsError
    rows = pd.DataFrame(spec["datasets"][spec["layer"][0]["data"]["name"]])
    assert len(rows) == 60
    assert rows.loc[rows["violation"] != "", "task"].unique().tolist() == ["P7-T1 需求评审"]
    assert spec["layer"][0]["encoding"]["y"]["sort"][0] == "P7-T1 需求评审"


# ------------------------------------------------------------------ progress, bottleneck, linked
def _ranking():
    return pd.DataFrame(
        {
            "rank": [2, 1],
            "department": ["产品部", "技术部"],
            "score": [0.3, 0.7],
            "own_delay_days": [2.0, 8.0],
            "blocked_days": [0.0, 3.0],
            "handoff_wait_days": [1.0, 4.0],
            "overdue_open_days": [0.0, 6.0],
            "downstream_tasks_hit": [1, 5],
            "share_of_attributable_delay": [0.2, 0.8],
            "n_tasks": [3, 4],
            "n_tasks_late": [1, 4],
            "contrib_own_delay_days": [0.1, 0.3],
            "contrib_blocked_days": [0.0, 0.2],
            "contrib_handoff_wait_days": [0.1, 0.1],
            "contrib_overdue_open_days": [0.0, 0.05],
            "contrib_downstream_tasks_hit": [0.1, 0.05],
        }
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bottleneck_chart_full_breakdown_in_rank_order(lang):
    spec = charts.bottleneck_chart(_ranking(), lang=lang).to_dict()
    bars, _text = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["技术部", "产品部"]  # rank order, not input order
    assert bars["encoding"]["x"]["stack"] == "zero"
    assert bars["encoding"]["color"]["scale"]["domain"] == [
        label(f"contrib_{c}", lang)
        for c in ("own_delay_days", "blocked_days", "handoff_wait_days", "overdue_open_days")
    ] + [label("contrib_downstream_tasks_hit", lang)]
    rows = pd.DataFrame(spec["datasets"][bars["data"]["name"]])
    assert len(rows) == 10  # 2 departments x 5 components
    tech = rows[rows["department"] == "技术部"]
    assert tech["contribution"].sum() == pytest.approx(0.7)  # parts add up to the score
    tip_fields = {t["field"] for t in bars["encoding"]["tooltip"]}
    assert tip_fields >= {
        "own_delay_days",
        "blocked_days",
        "handoff_wait_days",
        "overdue_open_days",
        "downstream_tasks_hit",
        "share_of_attributable_delay",
    }
    assert tech["blocked_days"].iloc[0] == 3.0
    assert spec["params"][0]["name"] == "dept"
    assert spec["title"]["text"] == label("title_bottleneck", lang)


def test_attribution_chart_is_titled_own_vs_inherited():
    att = pd.DataFrame(
        {
            "department": ["技术部"],
            "own_delay_days": [7.0],
            "inherited_delay_days": [5.0],
            "downstream_tasks_hit": [1],
            "share_of_own_delay": [1.0],
        }
    )
    spec = charts.delay_attribution_chart(att, lang="zh").to_dict()
    assert spec["title"] == "自身延误 vs 继承延误(按部门)"


def test_linked_view_shares_one_department_selection():
    import warnings

    summary = pd.DataFrame(
        {
            "department": ["产品部", "技术部"],
            "n_due": [3, 4],
            "n_on_time": [2, 0],
            "n_late": [1, 3],
            "n_overdue_open": [0, 1],
            "on_time_rate": [2 / 3, 0.0],
            "delay_rate": [1 / 3, 1.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "deduplicated selection parameter" warning
        chart = charts.linked_departments(summary, _ranking(), lang="en")
        spec = chart.to_dict()
    assert spec["params"] == [
        {
            "name": "dept",
            "select": {"type": "point", "fields": ["department"]},
            "views": ["v_rates", "v_rank"],
        }
    ]
    rates, rank = spec["vconcat"]
    assert "params" not in rates and "params" not in rank["layer"][0]
    assert rates["encoding"]["opacity"]["condition"]["param"] == "dept"
    assert rank["layer"][0]["encoding"]["opacity"]["condition"]["param"] == "dept"
    assert rates["encoding"]["y"]["sort"] == ["技术部", "产品部"]  # rank order in both views
    assert spec["resolve"]["scale"]["color"] == "independent"
    import vl_convert as vlc

    vg = vlc.vegalite_to_vega(spec)  # compiles: one signal, no duplicate
    assert [s["name"] for s in vg["signals"]].count("dept") == 1


def test_burnup_and_status_mix_specs():
    days = pd.date_range("2024-07-01", periods=1000, freq="D")
    b = pd.DataFrame(
        {
            "date": days,
            "planned_done": np.arange(1000),
            "actual_done": pd.array(list(range(900)) + [None] * 100, dtype="Int64"),
            "n_tasks": 1000,
        }
    )
    spec = charts.burnup_chart(b, lang="zh", as_of=days[899], max_points=100).to_dict()
    rows = pd.DataFrame(spec["datasets"][spec["layer"][0]["data"]["name"]])
    assert rows["date"].nunique() <= 100
    assert rows["date"].max().startswith("2027-03-27")  # last day always kept
    assert set(rows["series"]) == {"planned_done", "actual_done", "n_tasks"}
    assert rows.loc[rows["series"] == "actual_done", "date"].max() <= days[899].isoformat()
    assert spec["layer"][1]["mark"]["type"] == "rule"
    mix = pd.DataFrame(
        {
            "date": np.repeat(pd.to_datetime(["2024-07-01", "2024-07-02"]), 4),
            "status": pd.Categorical(["done", "blocked", "on_track", "delayed"] * 2),
            "n_tasks": [0, 1, 3, 0, 1, 1, 1, 1],
        }
    )
    spec = charts.status_mix_chart(mix, lang="zh").to_dict()
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == ["正常", "滞后", "阻塞", "已完成"]
    assert colour["scale"]["range"] == [
        STATUS_COLORS[c] for c in ("on_track", "delayed", "blocked", "done")
    ]
    assert spec["encoding"]["order"]["field"] == "status_order"


def test_forecast_chart_percentile_lines_and_deadline():
    from collab_analytics.metrics.forecast import forecast_finish

    tasks = pd.DataFrame(
        {
            "planned_finish": pd.to_datetime(["2024-07-10"] * 6),
            "actual_finish": pd.to_datetime(
                ["2024-07-01", "2024-07-02", "2024-07-04", None, None, None]
            ),
        }
    )
    f = forecast_finish(tasks, as_of="2024-07-05", n_sims=500, deadline="2024-07-09")
    spec = charts.forecast_chart(f, lang="en").to_dict()
    bars, rule, _text = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["field"] == "finish_date"
    marks = pd.DataFrame(spec["datasets"][rule["data"]["name"]])
    assert marks["mark"].tolist()[:3] == ["P50", "P85", "P95"]
    assert marks["mark"].iloc[3].startswith("Deadline")
    s = f.summary.iloc[0]
    assert marks["date"].iloc[1].startswith(f"{s['p85']:%Y-%m-%d}")
    assert charts.forecast_chart(None).to_dict()["title"] == label("title_forecast", "zh")


def test_slippage_histogram_and_action_state_charts():
    from collab_analytics.metrics.distributions import (
        action_states_from_summary,
        slippage_histogram,
    )

    h = slippage_histogram(pd.DataFrame({"delay_days": [-1.0, 0.0, 2.0, 40.0]}))
    spec = charts.slippage_histogram_chart(h, lang="zh").to_dict()
    assert spec["encoding"]["x"]["sort"] == ["<0", "0", "1–3", "4–7", "8–14", "15–30", "≥31"]
    assert spec["encoding"]["color"]["scale"]["range"][:2] == ["#59A14F", "#BAB0AC"]
    s = pd.DataFrame(
        {
            "department": ["客服部"],
            "n_actions": [5],
            "n_closed": [3],
            "n_closed_on_time": [2],
            "n_overdue_open": [1],
        }
    )
    via_summary = charts.actions_chart(s, lang="en").to_dict()
    via_states = charts.actions_chart(action_states_from_summary(s), lang="en").to_dict()
    assert via_summary["encoding"] == via_states["encoding"]
    rows = next(iter(via_states["datasets"].values()))
    assert {r["state"]: r["n_actions"] for r in rows} == {
        "closed_on_time": 2,
        "closed_late": 1,
        "open_overdue": 1,
        "open_not_due": 1,
    }


def test_untitled_keeps_subtitle_only():
    c = charts.slippage(
        pd.DataFrame(
            {
                "department": ["技术部"],
                "n": [1],
                "n_late": [1],
                "median_delay_days": [1.0],
                "p85_delay_days": [1.0],
                "p95_delay_days": [1.0],
                "max_delay_days": [1.0],
                "mean_delay_days": [1.0],
            }
        )
    )
    t = charts.untitled(c).to_dict()["title"]
    assert t["text"].startswith("条形") and "subtitle" not in t
    assert c.to_dict()["title"]["text"] == label("title_slippage", "zh")  # original untouched


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gantt_marks_tasks_without_start_dates(lang):
    # an issue tracker's export: due and resolved dates, no start dates
    tasks = pd.DataFrame(
        {
            "task_id": ["J-1", "J-2", "J-3"],
            "task": ["登录页", "支付", "报表"],
            "department": ["技术部", "技术部", "产品部"],
            "planned_start": pd.to_datetime([pd.NaT, pd.NaT, "2024-07-01"]),
            "planned_finish": pd.to_datetime(["2024-07-05", "2024-07-10", "2024-07-12"]),
            "actual_start": pd.to_datetime([pd.NaT, pd.NaT, "2024-07-02"]),
            "actual_finish": pd.to_datetime(["2024-07-08", pd.NaT, "2024-07-11"]),
            "status": ["done", "in_progress", "done_early"],
        }
    )
    spec = charts.gantt(tasks, lang=lang, as_of="2024-07-16").to_dict()
    _plan, actual, plan_points, actual_points, _rule = spec["spec"]["layer"]
    assert plan_points["mark"]["shape"] == actual_points["mark"]["shape"] == "diamond"
    assert plan_points["encoding"]["x"]["field"] == "planned_finish"
    assert actual_points["encoding"]["x"]["field"] == "actual_finish"
    assert actual_points["encoding"]["color"]["scale"] == actual["encoding"]["color"]["scale"]
    assert "planned_start == null" in plan_points["transform"][0]["filter"]
    assert label("gantt_finish_only", lang) in spec["title"]["subtitle"]
    # with every start date known, no diamonds and no extra legend line
    tasks["planned_start"] = tasks["planned_finish"] - pd.Timedelta(days=3)
    tasks["actual_start"] = tasks["planned_start"]
    spec = charts.gantt(tasks, lang=lang, as_of="2024-07-16").to_dict()
    assert len(spec["spec"]["layer"]) == 3
    assert label("gantt_finish_only", lang) not in spec["title"]["subtitle"]
