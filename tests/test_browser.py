"""The dashboard in a real browser: JupyterLab (Run All on the retrospective) and Voila.

Headless Debian Chromium driven by Playwright against servers this module starts on 127.0.0.1
(see ``tests/_browser.py``). Each test changes the department filter as a user would and asserts
that the KPI tiles and the rendered chart change; screenshots go to ``tests/artifacts/``.
With ``COLLAB_REQUIRE_BROWSER=1`` (CI) a missing Chromium fails these tests instead of skipping.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import _browser as B
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KPI_TASKS = ".collab-kpi-kpi_tasks .collab-kpi-value"
CHART_SVG = ".collab-chart-delivery_by_department svg"  # the JupyterChart element is the embed
DEPT_SELECT = ".collab-departments select"
TAB_TITLES = ".collab-tabs .lm-TabBar-tab, .collab-tabs .p-TabBar-tab"
RUN_ALL_TIMEOUT = 240_000  # ms: the retrospective also writes the deck and PNGs


@pytest.fixture(scope="session")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="collab-browser-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium(workdir, playwright_sync):
    B.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = B.launch_chromium(playwright_sync, workdir, B.fontconfig_env(workdir / "fonts"))
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def lab(workdir):
    B.require_chromium()
    root = B.copy_notebooks(workdir / "lab-root")
    server = B.start_jupyter_lab(root, workdir / "lab")
    try:
        yield server
    finally:
        server.stop()


def _svg(page) -> str:
    return page.locator(CHART_SVG).first.inner_html()


def _change_department_and_check(page, shot_prefix: str) -> None:
    from playwright.sync_api import expect

    kpi = page.locator(KPI_TASKS).first
    before_kpi = kpi.inner_text()
    before_svg = _svg(page)
    assert before_kpi == "39", before_kpi  # the bundled sample has 39 tasks
    assert "客服部" in before_svg  # a Chinese department label is in the chart
    page.screenshot(path=str(B.ARTIFACTS / f"{shot_prefix}_1_initial.png"), full_page=True)

    page.locator(DEPT_SELECT).first.select_option(["技术部"])
    expect(kpi).to_have_text("13", timeout=30_000)  # 技术部 owns 13 tasks
    page.wait_for_function(
        "([sel, old]) => { const s = document.querySelector(sel); "
        "return s && s.innerHTML !== old; }",
        arg=[CHART_SVG, before_svg],
        timeout=30_000,
    )
    after_svg = _svg(page)
    assert after_svg != before_svg
    assert "技术部" in after_svg and "客服部" not in after_svg
    page.wait_for_timeout(500)  # let vega finish its transition before the picture
    # a page screenshot, not an element one: in JupyterLab the notebook is a scroll container
    # and an element screenshot of the whole dashboard comes out clipped (grey below the fold)
    kpi.scroll_into_view_if_needed()
    page.screenshot(path=str(B.ARTIFACTS / f"{shot_prefix}_2_after_filter.png"), full_page=True)


def _visit_tab(page, title: str, chart_key: str, shot: str) -> str:
    """Click a dashboard tab, wait for one of its charts to render; returns that chart's SVG."""
    tab = page.locator(TAB_TITLES, has_text=title).first
    tab.click()
    svg = page.locator(f".collab-chart-{chart_key} svg").first
    svg.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    svg.scroll_into_view_if_needed()
    page.screenshot(path=str(B.ARTIFACTS / shot), full_page=True)
    return svg.inner_html()


def _check_new_tabs(page, shot_prefix: str) -> None:
    """The bottleneck ranking breakdown and the forecast render for the filtered selection."""
    ranking = _visit_tab(page, "瓶颈", "bottleneck", f"{shot_prefix}_4_bottlenecks.png")
    assert "技术部" in ranking and "客服部" not in ranking
    forecast = _visit_tab(page, "预测", "forecast", f"{shot_prefix}_5_forecast.png")
    assert "P85" in forecast
    page.locator(".collab-chart-burnup svg").first.wait_for(timeout=30_000)


def test_retrospective_in_jupyterlab(chromium, lab):
    page = chromium.new_page()
    try:
        B.open_in_lab(page, lab, "retrospective.ipynb")
        B.lab_run_all(page)
        page.locator(CHART_SVG).first.wait_for(timeout=RUN_ALL_TIMEOUT)
        page.locator(KPI_TASKS).first.wait_for(timeout=30_000)
        page.locator(".collab-dashboard").first.scroll_into_view_if_needed()
        _change_department_and_check(page, "lab")
        _check_new_tabs(page, "lab")
        errors = B.lab_error_outputs(page)
        assert errors == [], errors
    finally:
        page.screenshot(path=str(B.ARTIFACTS / "lab_3_last.png"))
        page.close()


def test_dashboard_in_voila(chromium, workdir):
    root = B.copy_notebooks(workdir / "voila-root")
    server = B.start_voila(root / "dashboard.ipynb", workdir / "voila")
    page = chromium.new_page()
    try:
        page.goto(f"{server.base_url}/", wait_until="domcontentloaded", timeout=120_000)
        page.locator(CHART_SVG).first.wait_for(timeout=120_000)
        _change_department_and_check(page, "voila")
        _check_new_tabs(page, "voila")
        assert "Traceback" not in page.locator("body").inner_text()
    finally:
        page.screenshot(path=str(B.ARTIFACTS / "voila_3_last.png"), full_page=True)
        page.close()
        server.stop()


def test_missing_chromium_fails_when_required(monkeypatch):
    """CI sets COLLAB_REQUIRE_BROWSER=1: a missing browser is a failure, not a skip."""
    monkeypatch.setattr(B, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("COLLAB_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        B.require_chromium()
    monkeypatch.delenv("COLLAB_REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        B.require_chromium()
