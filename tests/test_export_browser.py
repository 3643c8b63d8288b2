"""The HTML report in headless Chromium: offline, charts render, user text stays text."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics import sample
from collab_analytics.export.report import build_report

XSS = "<script>alert(1)</script>"


@pytest.mark.browser
@pytest.mark.slow
def test_html_report_renders_offline_and_escapes(tmp_path, playwright_sync):
    from _browser import fontconfig_env, launch_chromium, require_chromium

    require_chromium()
    td = sample.portfolio(n_projects=1, tasks_per_project=15, seed=7, cadence_failures=0.2)
    tasks = td.tasks.copy()
    tasks.loc[tasks.index[0], "task"] = XSS
    # make that task late so it lands in the appendix and the Gantt
    tasks.loc[tasks.index[0], "actual_finish"] = tasks["planned_finish"].iloc[0] + pd.Timedelta(
        days=9
    )
    td = td.replace(tasks=tasks)
    (path,) = build_report(td, tmp_path / "out", lang="zh", formats=("html",), progress=False)

    pw = playwright_sync
    ctx = launch_chromium(pw, tmp_path, fontconfig_env(tmp_path / "fc"))
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        dialogs, requests = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        n = page.locator("div.chart").count()
        assert n >= 8
        page.wait_for_function(
            f"document.querySelectorAll('div.chart[data-rendered=\"1\"]').length === {n}",
            timeout=60_000,
        )
        assert page.locator("div.chart[data-error]").count() == 0
        assert page.locator("div.chart svg").count() >= n
        # the Gantt's y axis draws the task name as text
        assert XSS in page.locator("#fig-gantt svg").first.text_content()
        # the appendix shows it as text, and no script ran
        cell = page.locator("td", has_text=XSS)
        assert cell.count() >= 1
        assert dialogs == []
        assert [u for u in requests if u.startswith(("http://", "https://"))] == []
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_linked_view_highlights_a_department_in_both_views(tmp_path, playwright_sync):
    from _browser import fontconfig_env, launch_chromium, require_chromium

    require_chromium()
    td = sample.smart_cs_launch(lang="zh")
    (path,) = build_report(td, tmp_path / "out", lang="en", formats=("html",), progress=False)
    opacities = """() => Array.from(document.querySelectorAll('#fig-linked .mark-rect path'))
        .map(p => [p.getAttribute('aria-label') || '', p.getAttribute('opacity')])"""
    pw = playwright_sync
    ctx = launch_chromium(pw, tmp_path, fontconfig_env(tmp_path / "fc"))
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("#fig-linked div.chart[data-rendered='1']", timeout=60_000)
        before = page.evaluate(opacities)
        assert before and all(o == "1" for _, o in before)
        bar = page.locator("#fig-linked path[aria-label*='技术部'][aria-label*='Delay rate']")
        bar.first.scroll_into_view_if_needed()
        box = bar.first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
        after = page.evaluate(opacities)
        tech = [o for lab, o in after if "技术部" in lab]
        other = [o for lab, o in after if "技术部" not in lab]
        # 技术部 stays opaque in both views (2 rate bars + 5 score parts), the rest fade
        assert len(tech) == 7 and set(tech) == {"1"}
        assert other and all(float(o) < 1 for o in other)
    finally:
        ctx.close()
