"""A single self-contained HTML report that works offline.

Vega, Vega-Lite and vega-embed are embedded inline from the installed ``vl-convert`` package
(:func:`vl_convert.javascript_bundle`), never loaded from a CDN. Each chart travels as its
Vega-Lite JSON spec inside a ``<script type="application/json">`` element (with ``<``, ``>`` and
``&`` escaped so data cannot close the script); all other user text is escaped with
:func:`html.escape`.

Examples
--------
>>> from collab_analytics.export.content import ReportContent
>>> page = render_html(ReportContent(lang="en", title="<b>Demo</b>"), include_js=False)
>>> "&lt;b&gt;Demo&lt;/b&gt;" in page, "<b>Demo</b>" in page
(True, False)
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path

import pandas as pd
import vl_convert as vlc

from collab_analytics.charts.theme import BAD, FONT_FAMILY, GOOD, to_spec
from collab_analytics.export.content import ReportContent
from collab_analytics.export.images import VL_VERSION
from collab_analytics.labels import label

__all__ = ["javascript_bundle", "json_for_script", "render_html", "table_html", "write_html"]

#: Rows shown per table in the report (the XLSX export has them all).
MAX_TABLE_ROWS = 200


@functools.cache
def javascript_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one inline script (from vl-convert, no network)."""
    js = vlc.javascript_bundle(vl_version=VL_VERSION)
    return js.replace("</script", "<\\/script")


def json_for_script(obj: object) -> str:
    """JSON text safe inside ``<script type="application/json">``.

    >>> json_for_script({"t": "</script><b>"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def table_html(table: pd.DataFrame, *, lang: str = "zh", max_rows: int = MAX_TABLE_ROWS) -> str:
    """An escaped HTML table (first ``max_rows`` rows, then a note)."""
    if table.empty:
        return f'<p class="muted">{html.escape(label("report_no_rows", lang))}</p>'
    shown = table.head(max_rows)
    text = shown.astype("object").where(shown.notna(), "").astype(str)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    esc = text.map(html.escape).to_numpy()
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in esc)
    out = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    more = len(table) - len(shown)
    if more > 0:
        out += f'<p class="muted">{html.escape(label("report_more_rows", lang, n=more))}</p>'
    return out


_CSS = """
body{font-family:%(font)s;margin:0;background:#f6f7f9;color:#333}
header{background:#fff;padding:24px 40px;border-bottom:1px solid #e3e6ea}
h1{margin:0 0 8px;font-size:28px}h2{font-size:22px;margin:32px 0 12px}
main{padding:0 40px 40px;max-width:1280px}
.sub{color:#666;margin:2px 0}.muted{color:#777;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.kpi{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:14px;text-align:center}
.kpi .v{font-size:28px;font-weight:bold;color:#4E79A7}.kpi .l{color:#666;font-size:14px}
.findings{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.findings h3.well{color:%(good)s}.findings h3.improve{color:%(bad)s}
.findings li{margin:6px 0}.evidence{color:#777;font-size:12px}
figure{background:#fff;border:1px solid #e3e6ea;border-radius:10px;margin:0 0 20px;padding:16px}
figcaption{margin-top:8px;color:#444}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #dde3ea;padding:4px 8px;text-align:left}th{background:#f0f3f7}
"""

_SCRIPT = """
(function(){
  var opts = JSON.parse(document.getElementById("embed-options").textContent);
  document.querySelectorAll("script[data-chart]").forEach(function(el){
    var spec = JSON.parse(el.textContent);
    var target = document.getElementById(el.getAttribute("data-chart"));
    vegaEmbed(target, spec, opts).then(function(){
      target.setAttribute("data-rendered", "1");
    }).catch(function(err){
      target.setAttribute("data-error", String(err));
      target.textContent = String(err);
    });
  });
})();
"""


def render_html(content: ReportContent, *, include_js: bool = True) -> str:
    """The report as one HTML string (``include_js=False`` leaves the libraries out, for tests
    that only look at the markup)."""
    lang = content.lang
    e = html.escape
    title = content.title or label("report_title", lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        "<style>"
        + _CSS % {"font": FONT_FAMILY, "good": GOOD, "bad": BAD}
        + "</style></head><body>",
        f"<header><h1>{e(title)}</h1>",
        *[f'<p class="sub">{e(line)}</p>' for line in content.subtitle_lines()],
        "</header><main>",
        f'<h2>{e(label("report_kpis", lang))}</h2><section class="kpis">',
    ]
    for lab, disp in zip(content.kpis["label"], content.kpis["display"], strict=True):
        parts.append(
            f'<div class="kpi"><div class="v">{e(str(disp))}</div>'
            f'<div class="l">{e(str(lab))}</div></div>'
        )
    parts.append("</section>")
    if len(content.findings):
        parts.append(f'<h2>{e(label("report_findings", lang))}</h2><section class="findings">')
        for pol, cls in (("went_well", "well"), ("to_improve", "improve")):
            rows = content.findings[content.findings["polarity"] == pol]
            parts.append(f'<div><h3 class="{cls}">{e(label(pol, lang))}</h3><ul>')
            for text, ev in zip(rows["text"], rows["evidence"], strict=True):
                ev_txt = _evidence_text(ev)
                parts.append(
                    f"<li>{e(str(text))}"
                    + (f'<div class="evidence">{e(ev_txt)}</div>' if ev_txt else "")
                    + "</li>"
                )
            if rows.empty:
                parts.append(f'<li class="muted">{e(label("report_no_rows", lang))}</li>')
            parts.append("</ul></div>")
        parts.append("</section>")
    if content.charts or content.interactive:
        parts.append(f"<h2>{e(label('report_charts', lang))}</h2>")
    for i, item in enumerate([*content.interactive, *content.charts]):
        cid = f"chart-{i}"
        parts.append(
            f'<figure id="fig-{e(item.key)}"><div class="chart" id="{cid}" '
            f'data-key="{e(item.key)}"></div>'
            f'<script type="application/json" data-chart="{cid}">'
            f"{json_for_script(to_spec(item.chart))}</script>"
            + (f"<figcaption>{e(item.takeaway)}</figcaption>" if item.takeaway else "")
            + "</figure>"
        )
    for key, table in content.tables.items():
        parts.append(f"<h2>{e(label(key, lang))}</h2>{table_html(table, lang=lang)}")
    parts.append(f'<p class="muted">{e(label("report_generated_by", lang))}</p></main>')
    locale = "zh-CN" if lang == "zh" else "en-US"
    opts = {
        "renderer": "svg",
        "actions": False,
        "formatLocale": vlc.get_format_locale(locale),
        "timeFormatLocale": vlc.get_time_format_locale(locale),
    }
    parts.append(
        f'<script type="application/json" id="embed-options">{json_for_script(opts)}</script>'
    )
    if include_js:
        parts.append(f"<script>{javascript_bundle()}</script>")
        parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _evidence_value(v: object) -> str:
    if isinstance(v, float) and not pd.isna(v):
        return f"{v:g}" if float(v).is_integer() else f"{v:.3g}"
    return str(v)


def _evidence_text(ev: object) -> str:
    """``key = value; …`` with floats to three significant digits.

    >>> _evidence_text({"rate": 1 / 3, "n_due": 39, "days": 80.0})
    'rate = 0.333; n_due = 39; days = 80'
    """
    if isinstance(ev, dict):
        return "; ".join(f"{k} = {_evidence_value(v)}" for k, v in ev.items())
    if ev is None or (isinstance(ev, float) and pd.isna(ev)):
        return ""
    return str(ev)


def write_html(content: ReportContent, path: str | Path) -> Path:
    """Write the self-contained report to ``path`` (UTF-8)."""
    path = Path(path)
    path.write_text(render_html(content), encoding="utf-8")
    return path
