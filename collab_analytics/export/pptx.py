"""A 16:9 PPTX deck from a :class:`~collab_analytics.export.content.ReportContent`.

Slides: title (project, period, sponsor), KPI tiles, one slide per chart (title, picture,
takeaway), findings (went well / to improve), appendix tables. Every text run carries the East
Asian typeface (``<a:ea>``) so Chinese shows in PowerPoint and LibreOffice. Charts go in as PNG
(python-pptx cannot insert SVG).

Examples
--------
>>> import io
>>> from pptx import Presentation
>>> from collab_analytics.export.content import ReportContent, kpi_frame
>>> c = ReportContent(lang="zh", title="复盘", project="智能客服上线",
...                   kpis=kpi_frame([("kpi_tasks", 12, "12")], lang="zh"))
>>> buf = io.BytesIO(); _ = write_deck(c, buf)
>>> prs = Presentation(buf); len(prs.slides), round(prs.slide_width / prs.slide_height, 3)
(2, 1.778)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from collab_analytics.charts.theme import BAD, GOOD
from collab_analytics.export.content import ReportContent
from collab_analytics.labels import label

__all__ = [
    "DECK_FONT",
    "add_chart_slide",
    "add_findings_slide",
    "add_findings_slides",
    "add_kpi_slide",
    "add_table_slide",
    "add_title_slide",
    "new_presentation",
    "set_run_font",
    "write_deck",
]

#: Typeface written into the deck (latin, East Asian and complex script). The viewer needs the
#: font installed or substitutes another CJK font.
DECK_FONT = "Noto Sans SC"

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
_MARGIN = Inches(0.6)
_DARK = RGBColor(0x33, 0x33, 0x33)
_MUTED = RGBColor(0x66, 0x66, 0x66)
_ACCENT = RGBColor(0x4E, 0x79, 0xA7)

_LAYOUT_TITLE, _LAYOUT_TITLE_ONLY = 0, 5


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def set_run_font(run, *, name: str = DECK_FONT, size: float | None = None, bold=None, color=None):
    """Set latin, East Asian (``<a:ea>``) and complex-script typefaces of a text run."""
    run.font.name = name
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _font_all(text_frame, **kw) -> None:
    for p in text_frame.paragraphs:
        for r in p.runs:
            set_run_font(r, **kw)


def new_presentation() -> Presentation:
    """An empty 16:9 (13.333 × 7.5 in) presentation from python-pptx's default template."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    return prs


def _add_slide(prs, layout: int):
    """Add a slide and re-place its placeholders for the 16:9 width (the template is 4:3)."""
    slide = prs.slides.add_slide(prs.slide_layouts[layout])
    k = prs.slide_width / Inches(10)
    for ph in slide.placeholders:
        left, top, width, height = ph.left, ph.top, ph.width, ph.height
        ph.left, ph.top, ph.width, ph.height = int(left * k), top, int(width * k), height
    return slide


def _title(slide, text: str, *, size: float = 28) -> None:
    t = slide.shapes.title
    t.left, t.top, t.width, t.height = _MARGIN, Inches(0.3), SLIDE_W - 2 * _MARGIN, Inches(0.9)
    t.text = text
    tf = t.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    for p in tf.paragraphs:
        p.alignment = PP_ALIGN.LEFT
    _font_all(tf, size=size, bold=True, color=_DARK)


def _textbox(
    slide,
    left,
    top,
    width,
    height,
    lines,
    *,
    size=16,
    color=_DARK,
    bold=False,
    align=PP_ALIGN.LEFT,
    bullet: str = "",
):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        r = p.add_run()
        r.text = f"{bullet}{line}"
        set_run_font(r, size=size, bold=bold, color=color)
        p.space_after = Pt(6)
    return box


def add_title_slide(prs, title: str, lines: list[str]):
    """Title slide: report title and subtitle lines (project, period, sponsor, …)."""
    slide = _add_slide(prs, _LAYOUT_TITLE)
    slide.shapes.title.text = title
    _font_all(slide.shapes.title.text_frame, size=40, bold=True, color=_DARK)
    sub = slide.placeholders[1]
    sub.text = "\n".join(lines)
    _font_all(sub.text_frame, size=20, color=_MUTED)
    return slide


def add_kpi_slide(prs, title: str, kpis: pd.DataFrame):
    """KPI tiles (up to 15; three, four or five per row): big value over its label."""
    slide = _add_slide(prs, _LAYOUT_TITLE_ONLY)
    _title(slide, title)
    rows = kpis.head(15)
    n = len(rows)
    per_row = 5 if n > 8 else 4 if n > 6 else max(min(n, 3), 1)
    n_lines = -(-n // per_row) if n else 1
    gap = Inches(0.25)
    width = int((SLIDE_W - 2 * _MARGIN - gap * (per_row - 1)) / per_row)
    body = SLIDE_H - Inches(1.5) - Inches(0.4)
    height = min(Inches(1.6), int((body - gap * (n_lines - 1)) / n_lines))
    big = 30 if n_lines <= 2 else 24
    for i, (lab, disp) in enumerate(zip(rows["label"], rows["display"], strict=True)):
        r, c = divmod(i, per_row)
        left = _MARGIN + c * (width + gap)
        top = Inches(1.5) + r * (height + gap)
        tile = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
        tile.fill.solid()
        tile.fill.fore_color.rgb = RGBColor(0xF2, 0xF5, 0xF9)
        tile.line.color.rgb = RGBColor(0xD5, 0xDE, 0xEA)
        tf = tile.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.CENTER
        run = p.add_run()
        run.text = str(disp)
        set_run_font(run, size=big, bold=True, color=_ACCENT)
        p2 = tf.add_paragraph()
        p2.alignment = PP_ALIGN.CENTER
        run2 = p2.add_run()
        run2.text = str(lab)
        set_run_font(run2, size=14, color=_MUTED)
    return slide


def add_chart_slide(prs, title: str, png: bytes, takeaway: str = ""):
    """One chart: title, the PNG fitted into the slide body, and its takeaway underneath."""
    slide = _add_slide(prs, _LAYOUT_TITLE_ONLY)
    _title(slide, title)
    box_top = Inches(1.3)
    box_h = Inches(4.9) if takeaway else Inches(5.8)
    box_w = SLIDE_W - 2 * _MARGIN
    pic = slide.shapes.add_picture(io.BytesIO(png), _MARGIN, box_top)
    ratio = min(box_w / pic.width, box_h / pic.height)
    pic.width, pic.height = int(pic.width * ratio), int(pic.height * ratio)
    pic.left = int((SLIDE_W - pic.width) / 2)
    if takeaway:
        # right under the picture (a wide, short chart leaves no gap), never below 6.35 in
        top = min(pic.top + pic.height + Inches(0.2), Inches(6.35))
        _textbox(slide, _MARGIN, top, box_w, Inches(0.9), [takeaway], size=18, color=_DARK)
    return slide


def add_findings_slide(
    prs, title: str, findings: pd.DataFrame, *, lang: str = "zh", per_side: int = 7
):
    """Two columns: what went well / what to improve (``findings`` has polarity, text)."""
    slide = _add_slide(prs, _LAYOUT_TITLE_ONLY)
    _title(slide, title)
    col_w = int((SLIDE_W - 2 * _MARGIN - Inches(0.4)) / 2)
    for j, (pol, colour) in enumerate((("went_well", GOOD), ("to_improve", BAD))):
        left = _MARGIN + j * (col_w + Inches(0.4))
        _textbox(
            slide,
            left,
            Inches(1.3),
            col_w,
            Inches(0.5),
            [label(pol, lang)],
            size=20,
            bold=True,
            color=_rgb(colour),
        )
        texts = findings.loc[findings["polarity"] == pol, "text"].astype(str).tolist()
        more = len(texts) - per_side
        texts = texts[:per_side] or [label("report_no_rows", lang)]
        if more > 0:
            texts.append(label("report_more_rows", lang, n=more))
        _textbox(slide, left, Inches(1.9), col_w, Inches(5.2), texts, size=14, bullet="• ")
    return slide


def add_findings_slides(
    prs, title: str, findings: pd.DataFrame, *, lang: str = "zh", per_side: int = 7
) -> list:
    """As many findings slides as the longer column needs (``per_side`` findings per
    column and slide; titles get " (k/n)" when there is more than one). Returns the slides."""
    pos = findings.groupby("polarity", sort=False).cumcount() // per_side
    n = max(int(pos.max()) + 1, 1) if len(findings) else 1
    slides = []
    for k in range(n):
        head = title if n == 1 else f"{title} ({k + 1}/{n})"
        slides.append(
            add_findings_slide(prs, head, findings[pos == k], lang=lang, per_side=per_side)
        )
    return slides


def add_table_slide(
    prs,
    title: str,
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    max_rows: int = 11,
    font_size: float = 13,
):
    """A table slide (first ``max_rows`` rows; a note says how many more exist)."""
    slide = _add_slide(prs, _LAYOUT_TITLE_ONLY)
    _title(slide, title)
    shown = table.head(max_rows)
    if shown.empty:
        _textbox(
            slide,
            _MARGIN,
            Inches(1.6),
            SLIDE_W - 2 * _MARGIN,
            Inches(0.6),
            [label("report_no_rows", lang)],
            size=16,
            color=_MUTED,
        )
        return slide
    n_rows, n_cols = len(shown) + 1, shown.shape[1]
    row_h = Inches(0.38)
    total_w = SLIDE_W - 2 * _MARGIN
    shape = slide.shapes.add_table(
        n_rows, n_cols, _MARGIN, Inches(1.4), total_w, Emu(row_h * n_rows)
    )
    tbl = shape.table
    text = shown.astype("object").where(shown.notna(), "").astype(str)
    # column widths follow the longest text (CJK counts double), so long task names get room
    # instead of wrapping every row
    need = [
        max([_text_width(str(col))] + [_text_width(v) for v in text[col]]) for col in text.columns
    ]
    need = [min(max(n, 4), 40) for n in need]
    widths = [int(total_w * n / sum(need)) for n in need]
    for j, w in enumerate(widths):
        tbl.columns[j].width = Emu(w)
    for j, col in enumerate(shown.columns):
        tbl.cell(0, j).text = str(col)
    values = text.to_numpy()
    for i in range(values.shape[0]):
        for j in range(n_cols):
            tbl.cell(i + 1, j).text = values[i, j]
    for i in range(n_rows):
        for j in range(n_cols):
            _font_all(tbl.cell(i, j).text_frame, size=font_size, bold=(i == 0))
    more = len(table) - len(shown)
    if more > 0:
        # at the foot of the slide: wrapped rows make the table taller than planned
        _textbox(
            slide,
            _MARGIN,
            SLIDE_H - Inches(0.5),
            SLIDE_W - 2 * _MARGIN,
            Inches(0.35),
            [label("report_more_rows", lang, n=more)],
            size=12,
            color=_MUTED,
        )
    return slide


def _text_width(text: str) -> int:
    """Display width of ``text`` in half-width characters (CJK characters count two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_deck(
    content: ReportContent,
    path,
    *,
    render_png: Callable | None = None,
    progress: Callable[[str], None] | None = None,
):
    """Write the whole deck for ``content`` to ``path`` (a path or a binary file object).

    ``render_png(chart) -> bytes`` renders each chart (default: vl-convert at scale 2 with
    the bundled CJK font, *without* the chart's own title — the slide title and the takeaway
    carry it; a subtitle explaining how to read the chart is kept). ``progress(step)`` is
    called after each slide. Returns ``path``.
    """
    if render_png is None:
        from collab_analytics.charts.theme import untitled
        from collab_analytics.export.images import chart_to_png

        def render_png(chart):
            return chart_to_png(untitled(chart), scale=2, lang=content.lang)

    lang = content.lang
    prs = new_presentation()
    add_title_slide(prs, content.title or label("report_title", lang), content.subtitle_lines())
    add_kpi_slide(prs, label("report_kpis", lang), content.kpis)
    for item in content.charts:
        add_chart_slide(prs, item.title, render_png(item.chart), item.takeaway)
        if progress:
            progress(item.key)
    if len(content.findings):
        add_findings_slides(prs, label("report_findings", lang), content.findings, lang=lang)
    for key, table in content.tables.items():
        add_table_slide(prs, label(key, lang), table, lang=lang)
    if isinstance(path, str | Path):
        path = Path(path)
    prs.save(path)
    return path
