"""Widget logic without a browser: set a control's value, assert the recomputed state and specs."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest
from _selections import context_report
from pptx import Presentation

from collab_analytics import TrackingData, sample, write_workbook
from collab_analytics.metrics.delivery import task_delivery
from collab_analytics.widgets import TABS, RetrospectiveDashboard, WorkbookLoader, _panels
from collab_analytics.widgets._filter import FilterIndex, restrict


@pytest.fixture(scope="module")
def story() -> TrackingData:
    return sample.smart_cs_launch()


@pytest.fixture(scope="module")
def folio() -> TrackingData:
    return sample.portfolio(n_projects=3, tasks_per_project=20, seed=1)


@pytest.fixture
def dash(story) -> RetrospectiveDashboard:
    return RetrospectiveDashboard(story)


DELIVERY_CHARTS = {"delivery_by_department", "status_mix", "slippage", "delivery_by_period"}


def kpi(d: RetrospectiveDashboard, key: str):
    return d.kpis.set_index("key").loc[key, "value"]


def spec_values(spec: dict) -> list[dict]:
    """Every inline data row of a Vega-Lite spec (datasets and inline values)."""
    rows = [r for ds in spec.get("datasets", {}).values() for r in ds]
    return rows + list(spec.get("data", {}).get("values", []))


# ------------------------------------------------------------------------ initial state
def test_initial_state_covers_everything(dash, story):
    assert dash.filtered is story
    assert kpi(dash, "kpi_tasks") == 39
    assert dash.tab == "delivery"
    assert set(dash.current_specs) == DELIVERY_CHARTS
    depts = {r.get("department") for r in spec_values(dash.current_specs["delivery_by_department"])}
    assert depts >= set(story.departments)
    assert dash.last_update_ms > 0


def test_rejects_wrong_inputs(story):
    with pytest.raises(TypeError, match="needs a TrackingData, got DataFrame"):
        RetrospectiveDashboard(story.tasks)
    with pytest.raises(ValueError, match="tab must be one of"):
        RetrospectiveDashboard(story, tab="nope")
    with pytest.raises(ValueError, match="day_mode must be one of"):
        RetrospectiveDashboard(story, day_mode="lunar")


# ------------------------------------------------------------------------ filters
def test_department_filter_recomputes_kpis_and_specs(dash, story):
    before = dict(dash.current_specs)
    dash.departments.value = ("技术部",)
    eng = story.tasks[story.tasks["department"] == "技术部"]
    assert set(dash.filtered.tasks["department"]) == {"技术部"}
    assert kpi(dash, "kpi_tasks") == len(eng) == 13
    # every 技术部 task in the sample finished late or is overdue: on-time rate 0
    assert kpi(dash, "kpi_on_time_rate") == 0.0
    assert kpi(dash, "kpi_delay_rate") == 1.0
    rows = spec_values(dash.current_specs["delivery_by_department"])
    assert {r["department"] for r in rows if "department" in r} == {"技术部"}
    assert dash.current_specs["slippage"] != before["slippage"]
    # meetings kept are those 技术部 attended
    assert dash.filtered.meetings["departments"].map(lambda ds: "技术部" in ds).all()


def test_two_departments_and_back(dash, story):
    dash.departments.value = ("技术部", "测试部")
    n = int(story.tasks["department"].isin(["技术部", "测试部"]).sum())
    assert kpi(dash, "kpi_tasks") == n == 19
    dash.departments.value = ()
    assert kpi(dash, "kpi_tasks") == 39
    assert dash.filtered is story


def test_period_filter_keeps_tasks_due_in_period(dash, story):
    dash.period_start.value = pd.Timestamp("2024-08-01").date()
    dash.period_end.value = pd.Timestamp("2024-08-31").date()
    pf = story.tasks["planned_finish"]
    expected = int(((pf >= "2024-08-01") & (pf < "2024-09-01")).sum())
    assert kpi(dash, "kpi_tasks") == expected > 0
    assert dash.filtered.meetings["date"].between("2024-08-01", "2024-08-31 23:59").all()


def test_as_of_changes_what_is_due(dash, story):
    n_due_all = kpi(dash, "kpi_due")
    dash.as_of.value = pd.Timestamp("2024-08-15").date()
    expected = int((story.tasks["planned_finish"] <= "2024-08-15").sum())
    assert kpi(dash, "kpi_due") == expected < n_due_all


def test_working_days_change_slippage(dash):
    cal = dash.current_specs["slippage"]
    dash.day_mode.value = "cn"
    assert dash._context().calendar.name == "cn"
    assert dash.current_specs["slippage"] != cal


def test_language_toggle_relabels_everything(dash):
    assert dash.kpis.set_index("key").loc["kpi_on_time_rate", "label"] == "按时完成率"
    dash.language.value = "en"
    assert dash.kpis.set_index("key").loc["kpi_on_time_rate", "label"] == "On-time completion rate"
    assert dash.tabs.get_title(0) == "Delivery"
    assert "Department" in str(dash.current_specs["delivery_by_department"])
    dash.language.value = "zh"
    assert dash.tabs.get_title(0) == "交付"


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_valid_specs(story, tab):
    d = RetrospectiveDashboard(story, tab=tab)
    assert set(d.current_specs) == {p.key for p in _panels.PANELS[tab]}
    for key, chart in d.current_charts.items():
        chart.to_dict(validate=True)  # the JSON schema check the update path skips
        assert d.current_specs[key]["$schema"].startswith("https://vega.github.io/schema/vega-lite")
    assert set(d.frames) == set(_panels.compute(tab, d._context()))


def test_tab_switch_computes_lazily(dash, monkeypatch):
    calls = []
    real = _panels.compute
    monkeypatch.setattr(_panels, "compute", lambda tab, ctx: calls.append(tab) or real(tab, ctx))
    dash.departments.value = ("产品部",)
    assert calls == ["delivery"]  # only the visible tab
    dash.tabs.selected_index = TABS.index("bottlenecks")
    assert calls == ["delivery", "bottlenecks"]
    assert set(dash.current_specs) == {
        "bottleneck",
        "attribution",
        "slippage_histogram",
        "handoffs",
    }
    dash.tabs.selected_index = 0  # delivery for 产品部 was computed above: cached
    dash.departments.value = ()  # the initial selection: cached too
    dash.departments.value = ("产品部",)
    assert calls == ["delivery", "bottlenecks"]
    dash.departments.value = ("客服部",)  # new selection: computed
    assert calls == ["delivery", "bottlenecks", "delivery"]


# ------------------------------------------------------------------------ drill-down
def test_drill_down_from_the_department_list(dash, story):
    dash.drill_department.value = "技术部"
    rows = dash.drill_rows
    assert len(rows) == 13
    assert set(rows["department"]) == {"技术部"}
    assert rows["delay_days"].is_monotonic_decreasing
    assert rows["task_id"].iloc[0] == "T34" and rows["delay_days"].iloc[0] == 27
    assert "T34" in dash.drill_table.value
    dash.drill_only_late.value = True
    assert len(dash.drill_rows) == 13  # all of them are late or overdue


def test_drill_down_from_a_chart_click(dash):
    jc = dash._charts["delivery_by_department"]
    assert "dept" in jc.selections.trait_names()
    # what the browser sends when a bar is clicked: the chart's ``dept`` point selection
    signal = {"vlPoint": {"or": [{"department": "测试部"}]}}
    jc._vl_selections = {"dept": {"value": signal, "store": []}}
    assert dash.drill_department.value == "测试部"
    assert set(dash.drill_rows["department"]) == {"测试部"}


# ------------------------------------------------------------------------ export
def test_export_view_png_and_pptx(dash, tmp_path):
    dash.departments.value = ("技术部",)
    pngs = dash.export_view(tmp_path / "png", fmt="png")
    assert sorted(p.name for p in pngs) == sorted(f"{k}.png" for k in DELIVERY_CHARTS)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    (deck,) = dash.export_view(tmp_path / "deck", fmt="pptx")
    prs = Presentation(deck)
    assert len(prs.slides) == 2 + 4  # title, KPIs, one per chart
    texts = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert "交付" in texts
    assert "导出" in dash.export_status.value or "已导出" in dash.export_status.value


def test_export_button_uses_the_controls(dash, tmp_path):
    dash.export_folder.value = str(tmp_path / "btn")
    dash.export_format.value = "svg"
    dash.export_button.click()
    assert sorted(p.suffix for p in dash.last_export) == [".svg"] * 4


# ------------------------------------------------------------------------ filter rules
def test_restrict_portfolio_by_project(folio):
    proj = folio.tasks["project"].iloc[0]
    sub = restrict(folio, projects=[proj])
    assert set(sub.tasks["project"]) == {proj}
    assert sub.updates["task_id"].isin(sub.tasks["task_id"]).all()
    assert sub.raci["task_id"].isin(sub.tasks["task_id"]).all()
    # the sample names the project in every plan item and planned meeting's topic; escalation
    # meetings list the task they concern instead
    assert sub.plan["item"].str.startswith(proj).all() and len(sub.plan)
    named = sub.meetings["topic"].str.startswith(proj)
    related = sub.meetings["related_tasks"].map(
        lambda ts: bool(set(ts) & set(sub.tasks["task_id"]) | set(ts) & set(sub.tasks["task"]))
    )
    assert (named | related).all() and named.sum() > 0 and related.sum() > 0
    others = folio.meetings.index.difference(sub.meetings.index)
    assert not folio.meetings.loc[others, "topic"].str.startswith(proj).any()
    assert list(sub.project["project"]) == [proj]


def test_restrict_by_department_partitions_tasks(folio):
    idx = FilterIndex(folio)
    parts = [idx.restrict(departments=[d]).tasks for d in folio.departments]
    assert sum(len(p) for p in parts) == len(folio.tasks)
    together = pd.concat(parts).sort_index()
    pd.testing.assert_frame_equal(together, folio.tasks)


def test_restrict_never_mutates_and_keeps_dtypes(folio):
    before = folio.tasks.copy()
    sub = restrict(folio, departments=["技术部"], period=("2024-10-01", None))
    pd.testing.assert_frame_equal(folio.tasks, before)
    for name in ("tasks", "updates", "meetings", "actions", "raci"):
        assert list(getattr(sub, name).dtypes) == list(getattr(folio, name).dtypes)
    assert (sub.tasks["planned_finish"] >= "2024-10-01").all()
    assert restrict(folio) is folio


def test_restrict_empty_selection_result(folio):
    sub = restrict(folio, departments=["不存在的部门"])
    assert len(sub.tasks) == 0 and len(sub.meetings) == 0 and len(sub.updates) == 0
    d = RetrospectiveDashboard(folio, departments=["技术部"])
    d.period_start.value = pd.Timestamp("2030-01-01").date()
    assert len(d.filtered.tasks) == 0 and d.kpis.empty
    assert "当前筛选下没有数据" in d.kpi_box.children[0].value
    assert set(d.current_specs) == DELIVERY_CHARTS


# ------------------------------------------------------------------------ loader
@pytest.fixture(scope="module")
def workbook_bytes(story, tmp_path_factory) -> bytes:
    path = write_workbook(story, tmp_path_factory.mktemp("wb") / "tracking.xlsx")
    return path.read_bytes()


def test_loader_clean_file_opens_the_dashboard(workbook_bytes):
    loader = WorkbookLoader()
    data = loader.load_bytes("../../evil/跟踪表.xlsx", workbook_bytes)
    assert data is not None and not data.has_errors
    assert len(data.tasks) == 39
    assert loader.dashboard is not None
    assert loader.dashboard_box.children == (loader.dashboard.widget,)
    assert "未发现问题" in loader.report.value or "错误: 0" in loader.report.value
    assert all(p.parent == loader._tmp for p in loader._tmp.iterdir())


def test_loader_reports_errors_with_rows(workbook_bytes, tmp_path):
    import openpyxl

    src = tmp_path / "ok.xlsx"
    src.write_bytes(workbook_bytes)
    wb = openpyxl.load_workbook(src)
    ws = wb["任务跟踪子表"]
    headers = [c.value for c in ws[2]]
    ws.cell(5, headers.index("计划完成") + 1).value = "待定"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    loader = WorkbookLoader()
    data = loader.load_bytes("bad.xlsx", bad.read_bytes())
    assert data.has_errors
    err = data.errors
    assert (err["row"] == 5).any() and (err["value"] == "待定").any()
    assert loader.dashboard is None  # errors: not opened automatically
    assert "待定" in loader.report.value
    assert loader.open_button.description == "忽略错误并打开看板"
    loader.open_button.click()
    assert loader.dashboard is not None


def test_loader_unreadable_file(tmp_path):
    loader = WorkbookLoader(lang="en")
    assert loader.load_bytes("broken.xlsx", b"this is not a workbook") is None
    assert loader.data is None and loader.error
    assert "Could not read the file" in loader.report.value


def test_charts_are_offline():
    RetrospectiveDashboard(sample.portfolio(n_projects=1, tasks_per_project=8, seed=3))
    assert alt.JupyterChart._is_offline
    assert "cdn.jsdelivr" not in alt.JupyterChart._esm


def test_filter_index_matches_restrict_semantics(folio):
    """The precomputed index gives the same rows as a plain pandas selection."""
    rng = np.random.default_rng(0)
    depts = list(rng.choice(folio.departments, size=2, replace=False))
    sub = FilterIndex(folio).restrict(departments=depts)
    pd.testing.assert_frame_equal(sub.tasks, folio.tasks[folio.tasks["department"].isin(depts)])
    keep = folio.actions["department"].isin(depts)
    pd.testing.assert_frame_equal(sub.actions, folio.actions[keep])


def test_bottleneck_tab_shows_the_ranking_breakdown(story):
    d = RetrospectiveDashboard(story, tab="bottlenecks")
    assert "bottleneck_ranking" not in d.current_tables  # a chart now, not a table
    ranking = d.frames["bottlenecks"]
    assert ranking["department"].iloc[0] == "技术部"  # the sample's planted bottleneck
    rows = spec_values(d.current_specs["bottleneck"])
    parts = {r["component"] for r in rows if "component" in r} or {
        k for r in rows for k in r if k.startswith("contrib_")
    }
    assert len(parts) == 5  # the five contrib_* parts of the score
    top = [r for r in rows if r.get("department") == "技术部"]
    assert top, "技术部 is in the ranking chart"
    # clicking a department in the ranking chart drills into it
    jc = d._charts["bottleneck"]
    assert "dept" in jc.selections.trait_names()
    signal = {"vlPoint": {"or": [{"department": "技术部"}]}}
    jc._vl_selections = {"dept": {"value": signal, "store": []}}
    assert d.drill_department.value == "技术部"
    hist = d.frames["slippage_histogram"]
    flags = task_delivery(story.tasks, as_of=story.as_of)
    assert int(hist["n_tasks"].sum()) == int(flags["delay_days"].notna().sum()) > 0
    assert set(d.current_specs) == {"bottleneck", "attribution", "slippage_histogram", "handoffs"}


def test_escalation_table(story):
    d = RetrospectiveDashboard(story, tab="escalation")
    esc = d.current_tables["escalation_by_department"]
    eng = esc.set_index("负责部门").loc["技术部"]
    assert eng["升级次数"] == 21 and eng["未开会"] + eng["超时"] + eng["48小时内"] == 21


def test_forecast_tab_charts_and_table(story):
    d = RetrospectiveDashboard(story, tab="forecast")
    assert set(d.current_specs) == {"forecast", "burnup"}
    fc = d.current_tables["forecast"].set_index("指标")["数值"]
    assert fc["剩余任务"] == "2"
    assert fc["P50 完成日期"] <= fc["P85 完成日期"] <= fc["P95 完成日期"]
    assert "P85" in d._tables_html["forecast"].value
    burn = d.frames["burnup"]
    assert int(burn["n_tasks"].max()) == 39
    assert "2024-10-15" in str(d.current_specs["burnup"])  # the as-of line
    # the forecast follows the filter: fewer remaining tasks for one department
    d.departments.value = ("客服部",)
    assert d.frames["forecast"].summary["remaining_tasks"].iloc[0] <= 2


def test_delivery_tab_status_mix_follows_the_filter(dash, story):
    mix = dash.frames["status_mix"]
    assert set(mix.columns) >= {"date", "status", "n_tasks"}
    last = mix[mix["date"] == mix["date"].max()]
    assert int(last["n_tasks"].sum()) == story.tasks["task_id"].isin(story.updates["task_id"]).sum()
    dash.departments.value = ("技术部",)
    mix2 = dash.frames["status_mix"]
    last2 = mix2[mix2["date"] == mix2["date"].max()]
    assert int(last2["n_tasks"].sum()) < int(last["n_tasks"].sum())
    assert "blocked" in set(mix2["status"])  # 技术部's tasks were blocked (the change story)
    assert dash.current_specs["status_mix"]["config"]["font"].startswith("Noto Sans SC")


# ------------------------------------------------------------------------ blame-free
def test_owners_hidden_by_default(dash):
    assert dash.show_owners.value is False
    dash.drill_department.value = "技术部"
    assert "owner" not in dash.drill_rows.columns
    assert "负责人" not in dash.drill_table.value
    assert "by_owner" not in dash.frames and "by_owner" not in dash.current_tables
    for tab in TABS:
        dash.tabs.selected_index = TABS.index(tab)
        assert "负责人" not in str(dash.current_specs), tab
        assert all("owner" not in t.columns for t in dash.current_tables.values())


def test_owners_opt_in_hides_small_groups(story):
    owners = story.tasks["owner"].value_counts()
    big = set(owners[owners >= 5].index)
    small = set(owners[owners < 5].index)
    assert big and small  # the sample has both
    d = RetrospectiveDashboard(story, show_owners=True)
    table = d.frames["by_owner"]
    assert set(table["owner"]) == big
    shown = d.current_tables["by_owner"]
    assert set(shown["负责人"]) == big
    d.drill_department.value = "技术部"
    rows = d.drill_rows
    eng = story.tasks[story.tasks["department"] == "技术部"]
    expected = eng["owner"].where(eng["owner"].map(owners) >= 5)
    assert sorted(rows["owner"].dropna()) == sorted(expected.dropna())
    assert rows["owner"].isna().sum() == expected.isna().sum()
    assert "小组不列出" in d.drill_table.value or expected.notna().all()
    # a larger minimum hides more; the checkbox turns the person level off again
    d2 = RetrospectiveDashboard(story, show_owners=True, min_group_size=100)
    assert d2.frames["by_owner"].empty
    d.show_owners.value = False
    assert "owner" not in d.drill_rows.columns and "by_owner" not in d.current_tables


def test_owner_checkbox_on_filtered_selection(story):
    d = RetrospectiveDashboard(story)
    d.departments.value = ("技术部",)
    d.show_owners.value = True
    eng = story.tasks[story.tasks["department"] == "技术部"]
    counts = eng["owner"].value_counts()
    assert set(d.frames["by_owner"]["owner"]) == set(counts[counts >= 5].index)


def test_min_group_size_is_checked(story):
    with pytest.raises(ValueError, match="min_group_size must be a positive integer, got 0"):
        RetrospectiveDashboard(story, min_group_size=0)


def test_kpi_tiles_agree_with_headline_kpis(story):
    """The tiles are the cheap subset of ``metrics.distributions.headline_kpis``."""
    from collab_analytics.metrics.distributions import headline_kpis
    from collab_analytics.metrics.report import delivery_report

    d = RetrospectiveDashboard(story)
    d.departments.value = ("技术部", "客服部")
    ref = headline_kpis(delivery_report(d.filtered, as_of=story.as_of, progress=False))
    ref = ref.set_index("kpi")["value"]
    pairs = {
        "kpi_tasks": "tasks",
        "kpi_due": "due",
        "kpi_on_time_rate": "on_time_rate",
        "kpi_delay_rate": "delay_rate",
        "kpi_completion_rate": "completion_rate",
        "kpi_overdue_open": "overdue_open",
        "kpi_mean_delay": "mean_delay_days",
    }
    assert set(d.kpis["key"]) == set(pairs)
    for tile, key in pairs.items():
        assert kpi(d, tile) == pytest.approx(ref[key]), tile


# ------------------------------------------------------------------------ speed wiring
COMM_FRAMES = {
    "cadence": ("matches", "missed", "cadence", "attendance", "plan"),
    "escalation": ("episodes", "escalation", "escalation_distribution"),
    "raci": ("raci_problems", "actions"),
}


@pytest.mark.parametrize("day_mode", ["calendar", "cn"])
@pytest.mark.parametrize("which", ["story", "folio_two_departments"])
def test_communication_tabs_equal_the_one_call_report(story, folio, which, day_mode):
    """Each communication tab computes only its own pieces, with the report's arguments."""
    if which == "story":
        d = RetrospectiveDashboard(story, day_mode=day_mode, lang="en")
    else:
        d = RetrospectiveDashboard(folio, day_mode=day_mode, departments=folio.departments[:2])
    ctx = d._context()
    rep = context_report(ctx, hours="working" if day_mode == "cn" else "calendar")
    for tab, names in COMM_FRAMES.items():
        frames = _panels.compute(tab, ctx)
        for name in names:
            pd.testing.assert_frame_equal(frames[name], getattr(rep, name), obj=f"{tab}.{name}")
    assert len(rep.matches) and len(rep.episodes) and len(rep.actions)


def test_tab_frames_are_reused_when_an_option_they_ignore_changes(dash, monkeypatch):
    calls = []
    real = _panels.compute
    monkeypatch.setattr(_panels, "compute", lambda tab, ctx: calls.append(tab) or real(tab, ctx))
    dash.tabs.selected_index = TABS.index("cadence")
    assert calls == ["cadence"]
    dash.language.value = "en"  # relabels the charts, same frames
    dash.day_mode.value = "cn"  # the cadence plan always runs over working days
    assert calls == ["cadence"]
    assert "Plan item" in str(dash.current_specs) or "plan" in str(dash.current_specs).lower()
    dash.tabs.selected_index = TABS.index("raci")
    dash.language.value = "zh"  # RACI problem messages are written in the language
    assert calls == ["cadence", "raci", "raci"]
    dash.tabs.selected_index = TABS.index("escalation")
    dash.day_mode.value = "calendar"  # escalation hours follow the day mode
    assert calls == ["cadence", "raci", "raci", "escalation", "escalation"]


def test_kpi_frames_computed_once_per_selection_whatever_the_language(dash, monkeypatch):
    calls = []
    real = _panels.kpi_frames
    monkeypatch.setattr(_panels, "kpi_frames", lambda ctx: calls.append(1) or real(ctx))
    dash.departments.value = ("技术部",)
    dash.language.value = "en"
    assert kpi(dash, "kpi_tasks") == 13 and len(calls) == 1
    assert dash.kpis.set_index("key").loc["kpi_tasks", "label"] != "任务数"


def test_filter_index_reads_object_and_arrow_list_columns_alike(folio):
    from collab_analytics._lists import is_list_column

    m = folio.meetings
    as_objects = m.assign(
        departments=pd.Series(m["departments"].tolist(), index=m.index, dtype=object),
        related_tasks=pd.Series(m["related_tasks"].tolist(), index=m.index, dtype=object),
    )
    assert not is_list_column(as_objects["departments"])
    other = folio.replace(meetings=as_objects)
    proj = folio.tasks["project"].iloc[0]
    for kw in ({"departments": ["技术部"]}, {"projects": [proj]}):
        a = FilterIndex(folio).restrict(**kw).meetings
        b = FilterIndex(other).restrict(**kw).meetings
        assert a.index.equals(b.index) and len(a) > 0


def test_day_mode_survives_construction_and_language_switch(story):
    d = RetrospectiveDashboard(story, day_mode="cn")
    assert d.day_mode.value == "cn" and d._context().calendar.name == "cn"
    d.language.value = "en"
    assert d.day_mode.value == "cn" and d._context().calendar.name == "cn"


@pytest.mark.parametrize("day_mode", ["calendar", "cn"])
@pytest.mark.parametrize(
    "which", ["story", "folio_two_departments", "folio_projects", "folio_nothing"]
)
def test_bottleneck_tab_equals_the_delivery_report(story, folio, which, day_mode):
    """The bottleneck tab runs only the report steps it shows, with the report's arguments."""
    from collab_analytics.metrics.distributions import slippage_histogram
    from collab_analytics.metrics.report import delivery_report

    if which == "story":
        d = RetrospectiveDashboard(story, day_mode=day_mode, lang="en")
    elif which == "folio_two_departments":
        d = RetrospectiveDashboard(folio, day_mode=day_mode, departments=folio.departments[:2])
    elif which == "folio_projects":
        projects = list(pd.unique(folio.tasks["project"]))[1:3]
        d = RetrospectiveDashboard(folio, day_mode=day_mode, projects=projects)
    else:  # a period without any planned finish: no task in scope
        d = RetrospectiveDashboard(folio, day_mode=day_mode)
        d.period_start.value = pd.Timestamp("1990-01-01").date()
        d.period_end.value = pd.Timestamp("1990-01-31").date()
    ctx = d._context()
    assert (len(ctx.data.tasks) == 0) == (which == "folio_nothing")
    rep = delivery_report(
        ctx.data.to_tracking_data(),
        as_of=ctx.as_of,
        calendar=ctx.calendar,
        progress=False,
        forecast_sims=_panels.FORECAST_SIMS,
    )
    frames = _panels.compute("bottlenecks", ctx)
    expected = {
        "bottlenecks": rep.bottlenecks,
        "attribution": rep.departments,
        "handoff_pairs": rep.handoff_pairs,
        "blocked_by_department": rep.blocked_by_department,
        "slippage_histogram": slippage_histogram(rep.tasks),
    }
    assert set(frames) == set(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(frames[name], frame, obj=name)
    if which != "folio_nothing":
        assert len(rep.bottlenecks) and len(rep.handoff_pairs)


def test_scoped_departments_and_column_subsets_equal_the_sliced_container(folio):
    index = FilterIndex(folio)
    depts = folio.departments
    projects = list(pd.unique(folio.tasks["project"]))
    selections = [
        {"departments": depts[:1]},
        {"departments": depts[-2:]},
        {"projects": projects[:2]},
        {"projects": projects[1:2], "departments": depts[1:3]},
        {"period": ("2024-07-01", "2024-08-15")},
        {"period": ("1990-01-01", "1990-01-02")},
    ]
    for sel in selections:
        scoped = index.scope(**sel)
        full = restrict(folio, **sel)
        assert scoped.departments == full.departments, sel
        part = scoped.table("meetings", ("date", "topic"))
        pd.testing.assert_frame_equal(part, full.meetings[["date", "topic"]])
        for name in ("tasks", "updates", "meetings", "actions", "raci", "contacts"):
            pd.testing.assert_frame_equal(scoped.table(name), full.table(name), obj=name)
        # asked after the whole table was sliced: taken from it
        pd.testing.assert_frame_equal(
            scoped.table("raci", ("role",)), full.raci[["role"]], obj="raci[role]"
        )


def test_scoped_departments_follow_tasks_then_contacts_then_raci():
    from collab_analytics.schema import empty_table

    def table(name, **cols):
        frame = pd.DataFrame(cols)
        return pd.concat([empty_table(name), frame]).reset_index(drop=True)

    td = TrackingData(
        tasks=table(
            "tasks",
            task_id=["T1", "T2", "T3"],
            task=["a", "b", "c"],
            department=["技术部", None, "客服部"],
            project=["P", "P", "Q"],
        ),
        contacts=table("contacts", department=["法务部", "技术部", ""], contact=["x", "y", "z"]),
        raci=table(
            "raci",
            task_id=["T3", "T1", "T2"],
            task=["c", "a", "b"],
            department=["市场部", "运营部", "产品部"],
            role=["R", "A", "I"],
        ),
    )
    scoped = FilterIndex(td).scope(projects=["Q"])
    # T3's department, every contact department (the empty name dropped), T3's RACI row
    assert scoped.departments == ["客服部", "法务部", "技术部", "市场部"]
    assert scoped.departments == scoped.to_tracking_data().departments


@pytest.mark.parametrize("which", ["story", "folio_two_departments", "folio_projects"])
def test_delivery_and_raci_tabs_equal_the_metrics_on_the_restricted_container(story, folio, which):
    """Tabs that read only some columns of a table (the updates for the status mix, the
    meetings for the action summary) give the frames of the whole restricted tables."""
    from collab_analytics.metrics import delivery, progress
    from collab_analytics.metrics.actions import action_summary

    if which == "story":
        d = RetrospectiveDashboard(story)
    elif which == "folio_two_departments":
        d = RetrospectiveDashboard(folio, departments=folio.departments[:2])
    else:
        d = RetrospectiveDashboard(folio, projects=list(pd.unique(folio.tasks["project"]))[:2])
    ctx = d._context()
    full = ctx.data.to_tracking_data()
    opts = {"as_of": ctx.as_of, "calendar": ctx.calendar}
    frames = _panels.compute("delivery", ctx)
    expected = {
        "by_department": delivery.delivery_summary(full.tasks, by="department", **opts),
        "by_month": delivery.delivery_summary(full.tasks, by="month", **opts),
        "slippage": delivery.slippage(full.tasks, by="department", **opts),
        "status_mix": progress.status_mix(full.updates, as_of=ctx.as_of),
    }
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(frames[name], frame, obj=name)
    assert frames["status_mix"]["n_tasks"].sum() > 0
    meetings = full.meetings.reset_index(drop=True)
    meetings = meetings[meetings["date"].isna() | (meetings["date"] <= ctx.as_of)]
    actions = action_summary(
        full.actions, by="department", as_of=ctx.as_of, meetings=meetings.reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(_panels.compute("raci", ctx)["actions"], actions)
    assert len(actions)


def test_communication_tabs_equal_the_report_with_an_earlier_as_of(folio):
    """Meetings and updates after the as-of day are cut before the metrics see them (and
    nothing is copied when none is after it)."""
    dates = folio.meetings["date"].dropna().sort_values()
    mid = dates.iloc[len(dates) // 2]
    d = RetrospectiveDashboard(folio, as_of=mid, departments=folio.departments[:3])
    ctx = d._context()
    assert (folio.meetings["date"] > mid).any() and (folio.updates["date"] > mid).any()
    rep = context_report(ctx)
    for tab in ("escalation", "raci"):
        frames = _panels.compute(tab, ctx)
        for name in COMM_FRAMES[tab]:
            pd.testing.assert_frame_equal(frames[name], getattr(rep, name), obj=f"{tab}.{name}")
    assert len(rep.episodes) and len(rep.actions)
