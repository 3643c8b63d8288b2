"""Export: real CJK glyphs in PNG/SVG, the PPTX deck, the HTML report, safe tables and paths."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile

import altair as alt
import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches

from collab_analytics import sample
from collab_analytics._errors import CollabError, DataValidationError, UnsafePathError
from collab_analytics.data import TrackingData, empty_issues
from collab_analytics.export._paths import OutputDir
from collab_analytics.export.content import ChartItem, ReportContent, kpi_frame
from collab_analytics.export.html import render_html
from collab_analytics.export.images import chart_to_png, chart_to_svg, spec_to_png
from collab_analytics.export.pptx import write_deck
from collab_analytics.export.report import build_content, build_report
from collab_analytics.export.tables import neutralize_formulas, write_csv, write_xlsx
from collab_analytics.labels import label

XSS = "<script>alert(1)</script>"


def _text_chart(text: str) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame({"t": [text]}))
        .mark_text(fontSize=40)
        .encode(text="t:N")
        .properties(width=300, height=80)
    )


def _ink(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128


@pytest.mark.slow
def test_png_draws_real_chinese_glyphs():
    a = chart_to_png(_text_chart("客服部延误"), scale=2)
    b = chart_to_png(_text_chart("技术部阻塞"), scale=2)
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(a)).size == (620, 180)  # (300 + 2 x 5 padding) x scale 2
    ink_a, ink_b = _ink(a), _ink(b)
    assert ink_a.sum() > 500  # text was drawn, not dropped
    # missing-glyph boxes are identical for any two strings of equal length: real glyphs differ
    assert (ink_a != ink_b).sum() > 500


@pytest.mark.slow
def test_without_the_bundled_font_chinese_becomes_boxes():
    """The baseline the glyph test guards against: a fresh process that never registers the
    font draws identical boxes for different Chinese strings."""
    code = (
        "import sys, vl_convert as v, altair as alt, pandas as pd\n"
        "def s(t): return alt.Chart(pd.DataFrame({'t':[t]})).mark_text(fontSize=40,"
        " font='Noto Sans SC, sans-serif').encode(text='t:N').properties(width=300,"
        " height=80).to_dict()\n"
        "sys.stdout.buffer.write(v.vegalite_to_png(s('客服部延误'), scale=2))\n"
        "sys.stdout.buffer.write(b'@@SPLIT@@')\n"
        "sys.stdout.buffer.write(v.vegalite_to_png(s('技术部阻塞'), scale=2))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    a, b = out.split(b"@@SPLIT@@")
    assert (_ink(a) != _ink(b)).sum() == 0  # boxes: no difference between the strings
    assert _ink(a).sum() > 0


@pytest.mark.slow
def test_svg_keeps_text_and_font_list():
    svg = chart_to_svg(_text_chart("按时完成率"))
    assert "按时完成率" in svg
    assert "Noto Sans SC" in svg


def test_png_scale_must_be_positive():
    with pytest.raises(ValueError, match="scale must be >= 1"):
        spec_to_png({}, scale=0.5)


def _content(lang="zh") -> ReportContent:
    chart = (
        alt.Chart(pd.DataFrame({"部门": ["客服部", "技术部"], "n": [3, 5]}))
        .mark_bar()
        .encode(x="部门:N", y="n:Q")
    )
    findings = pd.DataFrame(
        {
            "polarity": ["went_well", "to_improve"],
            "rule": ["a", "b"],
            "text": ["客服部 的 5 个到期任务全部按时完成。", f"{XSS} 延误率最高"],
            "evidence": [{"n_due": 5}, {"delay_rate": 0.75}],
            "chart": ["demo", "demo"],
        }
    )
    appendix = pd.DataFrame({"任务名称": [XSS, "接口开发"], "延误天数": [3.0, 1.0]})
    return ReportContent(
        lang=lang,
        title="跨部门协作复盘报告",
        project="智能客服系统上线",
        sponsor="客服部",
        period="2024-07-01 – 2024-08-15",
        as_of="2024-08-15",
        kpis=kpi_frame([("kpi_tasks", 12, "12"), ("kpi_on_time_rate", 0.625, "62.5%")], lang=lang),
        charts=[ChartItem("demo", "各部门会议数", chart, "技术部 延误最多")],
        findings=findings,
        tables={"report_appendix": appendix},
    )


def _run_texts(shape):
    return [r for p in shape.text_frame.paragraphs for r in p.runs]


@pytest.mark.slow
def test_deck_reopens_with_slides_titles_pictures_tables(tmp_path):
    path = write_deck(_content(), tmp_path / "deck.pptx")
    prs = Presentation(path)
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(prs.slides)
    assert len(slides) == 5  # title, KPIs, one chart, findings, appendix
    titles = [s.shapes.title.text for s in slides]
    assert titles == [
        "跨部门协作复盘报告",
        "核心指标",
        "各部门会议数",
        "复盘发现",
        "附录:延误与阻塞任务",
    ]
    assert "智能客服系统上线" in slides[0].placeholders[1].text
    # title placeholder re-placed for 16:9 (not left in the 4:3 area)
    assert slides[0].shapes.title.width > Inches(10)
    kpi_text = " ".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)
    assert "62.5%" in kpi_text and "按时完成率" in kpi_text
    pics = [s for s in slides[2].shapes if s.shape_type == 13]
    assert len(pics) == 1 and pics[0].image.content_type == "image/png"
    assert pics[0].left + pics[0].width <= prs.slide_width
    assert any("技术部 延误最多" in s.text_frame.text for s in slides[2].shapes if s.has_text_frame)
    table = next(s for s in slides[4].shapes if s.has_table).table
    assert table.cell(0, 0).text == "任务名称"
    assert table.cell(1, 0).text == XSS
    assert table.cell(2, 1).text == "1.0"
    # every run carries the East Asian typeface
    runs = [r for s in slides for sh in s.shapes if sh.has_text_frame for r in _run_texts(sh)]
    assert runs
    for r in runs:
        ea = r._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
        assert ea is not None and ea.get("typeface") == "Noto Sans SC"


def test_html_is_self_contained_and_escaped():
    page = render_html(_content())
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"?https?://", page)
    assert "vegaEmbed" in page  # library inline
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # chart specs are JSON inside script tags, with < escaped
    blobs = re.findall(
        r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', page, flags=re.S
    )
    assert len(blobs) == 1
    spec = json.loads(blobs[0])
    assert spec["config"]["font"].startswith("Noto Sans SC")
    assert "客服部" in json.dumps(spec, ensure_ascii=False)


def test_html_json_cannot_close_the_script():
    content = _content()
    content.charts[0] = ChartItem(
        "x", "t", alt.Chart(pd.DataFrame({"a": [XSS]})).mark_text().encode(text="a:N")
    )
    page = render_html(content, include_js=False)
    assert page.count("</script>") == page.count("<script")  # every script closes once
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page


def test_formula_injection_neutralised(tmp_path):
    df = pd.DataFrame(
        {
            "task": ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "正常", None],
            "n": [1, -2, 3, 4, 5, 6, 7, 8],
            "when": pd.to_datetime(["2024-07-01"] * 8),
        }
    )
    safe = neutralize_formulas(df)
    assert safe["task"].tolist()[:7] == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2",
        "'@cmd",
        "'\tx",
        "'\rx",
        "正常",
    ]
    assert pd.isna(safe["task"].iloc[7])
    assert safe["n"].tolist() == df["n"].tolist()
    assert df["task"].iloc[0] == "=1+1"  # input untouched
    path = write_xlsx({"任务:清单?": df, "=evil": df}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["任务_清单_", "=evil"]
    ws = wb["任务_清单_"]
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"
    assert ws["B3"].value == -2
    csv = write_csv(df, tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in csv and "\n=1+1" not in csv


def test_output_dir_refuses_escapes_and_foreign_files(tmp_path):
    out = OutputDir(tmp_path / "out")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        out.path("../x.txt")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        out.path(str(tmp_path / "abs.txt"))
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(UnsafePathError, match="not written by collab_analytics"):
        out.path("notes.txt")
    p = out.path("report.html")
    p.write_text("x")
    assert OutputDir(tmp_path / "out").path("report.html") == p  # ours: may overwrite
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        out.path("link/report.pptx")


@pytest.fixture(scope="module")
def small_portfolio():
    return sample.portfolio(n_projects=1, tasks_per_project=25, seed=4, cadence_failures=0.2)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_build_report_writes_every_format(tmp_path, small_portfolio, lang):
    paths = build_report(
        small_portfolio,
        tmp_path / "out",
        lang=lang,
        formats=("pptx", "html", "png", "svg", "xlsx"),
        progress=False,
    )
    names = {p.relative_to(tmp_path / "out").as_posix() for p in paths}
    assert {
        "report.pptx",
        "report.html",
        "tables.xlsx",
        "charts/gantt.png",
        "charts/gantt.svg",
    } <= names
    assert all(p.is_relative_to(tmp_path / "out") for p in paths)
    prs = Presentation(tmp_path / "out" / "report.pptx")
    n_charts = sum(1 for n in names if n.endswith(".png"))
    n_findings = sum(
        1 for sl in prs.slides if sl.shapes.title.text.startswith(label("report_findings", lang))
    )
    assert n_findings >= 1
    assert len(prs.slides) == 2 + n_charts + n_findings + 1
    with zipfile.ZipFile(tmp_path / "out" / "report.pptx") as z:
        assert sum(n.startswith("ppt/media/") for n in z.namelist()) == n_charts
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    # every chart, plus the linked delivery + bottleneck view (interactive, HTML only)
    assert html.count('data-chart="chart-') == n_charts + 1
    assert 'data-key="linked"' in html
    assert {"burnup", "status_mix", "forecast", "bottleneck", "slippage_histogram"} <= {
        n.removeprefix("charts/").removesuffix(".png") for n in names
    }
    assert "http://" not in re.sub(r"<script>.*?</script>", "", html, flags=re.S)


def test_findings_continue_on_more_slides():
    from collab_analytics.export.pptx import add_findings_slides, new_presentation

    f = pd.DataFrame(
        {
            "polarity": ["went_well"] * 3 + ["to_improve"] * 8,
            "text": [f"好{i}" for i in range(3)] + [f"差{i}" for i in range(8)],
        }
    )
    prs = new_presentation()
    slides = add_findings_slides(prs, "复盘发现", f, lang="zh", per_side=7)
    assert [s.shapes.title.text for s in slides] == ["复盘发现 (1/2)", "复盘发现 (2/2)"]
    texts = [
        [sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh != s.shapes.title]
        for s in slides
    ]
    assert texts[0][1] == "• 好0\n• 好1\n• 好2" and texts[0][3].count("• 差") == 7
    assert texts[1][3] == "• 差7" and texts[1][1] == "• 无"
    one = add_findings_slides(new_presentation(), "复盘发现", f.iloc[:5], lang="zh")
    assert [s.shapes.title.text for s in one] == ["复盘发现"]


def test_build_report_refuses_invalid_data(tmp_path):
    issues = empty_issues()
    issues.loc[0] = [
        "error",
        "missing_column",
        "tasks",
        "x.xlsx",
        "任务",
        pd.NA,
        "计划完成",
        "",
        "Column missing",
        "",
    ]
    bad = TrackingData(issues=issues.astype({"row": "Int64"}))
    with pytest.raises(DataValidationError, match="1 error"):
        build_report(bad, tmp_path / "out", formats=("html",), progress=False)
    assert not (tmp_path / "out" / "report.html").exists()


def test_build_report_rejects_unknown_format(tmp_path, small_portfolio):
    with pytest.raises(ValueError, match="Unknown output format"):
        build_report(small_portfolio, tmp_path, formats=("pdf",), progress=False)


# ------------------------------------------------------------------ report pipeline
@pytest.fixture(scope="module")
def sample_metrics():
    from collab_analytics.export.report import compute_metrics

    td = sample.smart_cs_launch(lang="zh")
    return td, compute_metrics(td, forecast_sims=2000)


def test_compute_metrics_uses_the_two_reports(sample_metrics):
    from collab_analytics.metrics.communication import CommunicationReport
    from collab_analytics.metrics.report import DeliveryReport

    _td, m = sample_metrics
    rep, com = m["delivery"], m["communication"]
    assert isinstance(rep, DeliveryReport) and isinstance(com, CommunicationReport)
    # the named frames are the reports' own frames, not recomputed
    assert m["bottlenecks"] is rep.bottlenecks and m["burnup"] is rep.burnup
    assert m["cadence"] is com.cadence and m["actions_by_department"] is com.actions
    assert m["bottlenecks"]["department"].iloc[0] == "技术部"
    o = m["actions_overall"].iloc[0]
    assert o["n_actions"] == len(com.action_items)
    assert o["n_closed"] == com.action_items["closed_as_of"].sum()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headline_from_reports(sample_metrics, lang):
    from collab_analytics.export.report import headline
    from collab_analytics.labels import label

    _td, m = sample_metrics
    k = headline(m, lang=lang).set_index("key")
    assert k.loc["kpi_bottleneck", "value"] == "技术部"
    assert k.loc["kpi_bottleneck", "display"].startswith("技术部 (")
    com = m["communication"].cadence
    adh = com["held"].sum() / com["expected"].sum()
    assert k.loc["kpi_adherence", "display"] == f"{adh * 100:.1f}%"
    assert k.loc["kpi_adherence", "label"] == label("kpi_adherence", lang)
    p85 = m["forecast"].summary["p85"].iloc[0]
    assert k.loc["kpi_forecast_p85", "display"] == f"{p85:%Y-%m-%d}"
    # the widgets' light path: delivery summary only
    light = headline({"summary": m["summary"]}, lang=lang)
    assert light["key"].tolist()[:2] == ["kpi_tasks", "kpi_due"]


def test_deck_slides_carry_titles_and_charts_render_without_theirs(sample_metrics, monkeypatch):
    import collab_analytics.export.images as images
    from collab_analytics.export.report import build_content
    from collab_analytics.labels import label

    td, m = sample_metrics
    content = build_content(td, lang="zh", metrics=m)
    titles = []

    def fake_png(chart, *, scale=2.0, lang="zh"):
        titles.append(chart.to_dict().get("title"))
        return _png_bytes()

    monkeypatch.setattr(images, "chart_to_png", fake_png)
    buf = io.BytesIO()
    write_deck(content, buf)
    chart_titles = {item.title for item in content.charts}
    assert len(titles) == len(content.charts)
    for t in titles:  # no rendered chart repeats its slide title (a subtitle may stay)
        text = t["text"] if isinstance(t, dict) else t
        lines = text if isinstance(text, list) else [text]
        assert not chart_titles & set(lines)
    prs = Presentation(buf)
    slide_titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    for key in ("title_bottleneck", "title_burnup", "title_status_mix", "title_forecast"):
        assert label(key, "zh") in slide_titles
    # the takeaway of the ranking slide comes from the findings
    i = slide_titles.index(label("title_bottleneck", "zh"))
    texts = [sh.text_frame.text for sh in prs.slides[i].shapes if sh.has_text_frame]
    assert any(t.startswith("技术部 是排名第一的瓶颈部门") for t in texts)


def _png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(out, format="PNG")
    return out.getvalue()


def test_comparison_in_deck_and_html(sample_metrics):
    from collab_analytics.compare import compare_as_of
    from collab_analytics.export.report import build_content

    td, m = sample_metrics
    cmp = compare_as_of(td, "2024-09-15", "2024-10-15")
    content = build_content(td, lang="en", metrics=m, comparison=cmp)
    table = content.tables["report_comparison"]
    assert table.columns.tolist() == [
        "Indicator",
        "Before (2024-09-15)",
        "After (2024-10-15)",
        "Change",
    ]
    row = table.set_index("Indicator").loc["On-time rate"]
    k = cmp.kpis.set_index("kpi").loc["on_time_rate"]
    assert row["Change"] == f"{k['delta'] * 100:+.1f} pp"
    page = render_html(content, include_js=False)
    assert "Period-over-period" in page and "Before (2024-09-15)" in page
    buf = io.BytesIO()
    write_deck(content, buf, render_png=lambda chart: _png_bytes())
    titles = [s.shapes.title.text for s in Presentation(buf).slides if s.shapes.title]
    assert "Period-over-period" in titles


def test_report_renders_each_chart_once_for_deck_and_files(tmp_path, sample_metrics, monkeypatch):
    import collab_analytics.export.images as images
    from collab_analytics.export.images import png_with_text
    from collab_analytics.export.report import run_report

    td, _ = sample_metrics
    rendered = []

    def fake_png(chart, *, scale=2.0, lang="zh"):
        rendered.append(chart.to_dict().get("title"))
        return _png_bytes()

    monkeypatch.setattr(images, "chart_to_png", fake_png)
    res = run_report(td, tmp_path / "out", lang="zh", formats=("pptx", "png"), progress=False)
    files = sorted(p for p in res.paths if p.suffix == ".png")
    assert len(files) > 10 and len(rendered) == len(files)  # once per chart, not twice
    prs = Presentation(tmp_path / "out" / "report.pptx")
    by_title = {
        s.shapes.title.text: [sh for sh in s.shapes if sh.shape_type == 13]
        for s in prs.slides
        if s.shapes.title is not None
    }
    from collab_analytics.labels import label

    title = label("title_bottleneck", "zh")
    pic = by_title[title][0].image.blob
    data = (tmp_path / "out" / "charts" / "bottleneck.png").read_bytes()
    assert data != pic and title.encode() in data
    assert "技术部 是排名第一的瓶颈部门".encode() in data  # the takeaway as Description
    tk = next(i.takeaway for i in build_content(td, lang="zh").charts if i.key == "bottleneck")
    assert data == png_with_text(pic, {"Title": title, "Description": tk})


def test_png_with_text_rejects_non_png():
    from collab_analytics.export.images import png_with_text

    with pytest.raises(CollabError, match="Not a PNG: no IHDR chunk"):
        png_with_text(b"GIF89a" + bytes(40), {"Title": "x"})
