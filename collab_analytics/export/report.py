"""One call from tracking data to a finished retrospective: deck, HTML, PNG/SVG, tables.

:func:`build_report` loads (if given a path), refuses data with validation errors, computes the
metric frames once (:func:`compute_metrics`), derives findings, builds every chart, and writes
the requested formats under ``out_dir`` only (never over a file it did not write).

Examples
--------
>>> import tempfile
>>> from collab_analytics import sample
>>> from collab_analytics.export.report import build_report
>>> td = sample.portfolio(n_projects=1, tasks_per_project=12, seed=2)
>>> paths = build_report(td, tempfile.mkdtemp(), formats=("html",), progress=False)
>>> [p.name for p in paths]
['report.html']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from collab_analytics import charts as ch
from collab_analytics._errors import CollabError
from collab_analytics.data import TrackingData
from collab_analytics.export._paths import OutputDir
from collab_analytics.export.content import ChartItem, ReportContent, format_value, kpi_frame
from collab_analytics.findings import findings as find
from collab_analytics.findings import takeaways
from collab_analytics.labels import check_lang, label, labels_for
from collab_analytics.metrics import (
    action_summary,
    cadence,
    delivery_summary,
    department_attribution,
    escalation,
    handoff_summary,
    raci_problems,
    schedule,
    slippage,
    task_delivery,
)
from collab_analytics.schema import STATUS_LABELS

__all__ = [
    "FORMATS",
    "ReportResult",
    "build_content",
    "build_report",
    "compute_metrics",
    "headline",
    "run_report",
]

#: Output formats :func:`build_report` understands.
FORMATS = ("pptx", "html", "png", "svg", "xlsx")

#: Rows kept in the appendix table of the deck/HTML (the XLSX export has every row).
APPENDIX_ROWS = 500


def compute_metrics(data: TrackingData, *, as_of=None, calendar=None) -> dict[str, object]:
    """Every metric frame the report needs, computed once.

    Returns a dict with keys ``as_of, task_delivery, summary, by_department, by_week,
    slippage, attribution, handoff_pairs`` and, when the data has them, ``matches, missed,
    cadence, attendance, escalation_distribution, escalation_overall, actions_overall,
    actions_by_department, raci_problems``.
    """
    tasks = data.tasks
    t = pd.Timestamp(as_of).normalize() if as_of is not None else data.as_of
    kw = {"as_of": t, "calendar": calendar}
    m: dict[str, object] = {"as_of": t}
    m["task_delivery"] = task_delivery(tasks, **kw)
    m["summary"] = delivery_summary(tasks, **kw)
    m["by_department"] = delivery_summary(tasks, by="department", **kw)
    m["by_week"] = delivery_summary(tasks, by="week", **kw)
    m["slippage"] = slippage(tasks, by="department", **kw)
    m["slippage_overall"] = slippage(tasks, **kw)
    m["attribution"] = department_attribution(tasks, **kw)
    m["handoff_pairs"] = handoff_summary(tasks, by="pair", **kw)
    if len(data.plan) and len(data.meetings) and t is not None:
        start = data.meetings["date"].min()
        if tasks["planned_start"].notna().any():
            start = min(start, tasks["planned_start"].min())
        occ = schedule.expected_occurrences(data.plan, start=start, end=t)
        matches = cadence.match_meetings(data.meetings, data.plan, occ)
        m["matches"] = matches
        m["missed"] = cadence.missed_occurrences(matches, occ)
        m["cadence"] = cadence.cadence_summary(matches, occ, plan=data.plan)
        exp = cadence.expected_departments(
            data.plan, data.departments, raci=data.raci, meetings=data.meetings, matches=matches
        )
        m["attendance"] = cadence.attendance(
            matches, data.meetings, exp, departments=data.departments
        )
    if len(data.updates):
        ep = escalation.escalation_episodes(
            data.updates,
            meetings=data.meetings,
            tasks=tasks,
            as_of=t,
            departments=data.departments,
        )
        m["escalation_distribution"] = escalation.escalation_distribution(ep)
        m["escalation_overall"] = escalation.escalation_compliance(ep, by=None)
    if len(data.actions):
        m["actions_overall"] = action_summary(
            data.actions, by=None, meetings=data.meetings, as_of=t
        )
        m["actions_by_department"] = action_summary(
            data.actions, by="department", meetings=data.meetings, as_of=t
        )
    if len(data.raci):
        m["raci_problems"] = raci_problems(data.raci, tasks=tasks, contacts=data.contacts)
    return m


def headline(metrics: dict, *, lang: str = "zh") -> pd.DataFrame:
    """The headline KPIs ``[key, label, value, display]`` from :func:`compute_metrics`."""
    s = metrics["summary"]
    r = s.iloc[0] if len(s) else None
    rows = []
    if r is not None:
        rows += [
            ("kpi_tasks", int(r["n_tasks"]), format_value(r["n_tasks"], "int")),
            ("kpi_due", int(r["n_due"]), format_value(r["n_due"], "int")),
            ("kpi_on_time_rate", r["on_time_rate"], format_value(r["on_time_rate"], "rate")),
            ("kpi_delay_rate", r["delay_rate"], format_value(r["delay_rate"], "rate")),
            (
                "kpi_completion_rate",
                r["completion_rate"],
                format_value(r["completion_rate"], "rate"),
            ),
            (
                "kpi_overdue_open",
                int(r["n_overdue_open"]),
                format_value(r["n_overdue_open"], "int"),
            ),
        ]
    so = metrics.get("slippage_overall")
    if so is not None and len(so):
        v = so["mean_delay_days"].iloc[0]
        rows.append(("kpi_mean_delay", v, format_value(v, "days")))
    att = metrics.get("attribution")
    if att is not None and len(att) and att["own_delay_days"].sum() > 0:
        top = att.loc[att["own_delay_days"].idxmax()]
        rows.append(
            (
                "kpi_bottleneck",
                str(top["department"]),
                f"{top['department']} ({format_value(top['share_of_own_delay'], 'rate')})",
            )
        )
    esc = metrics.get("escalation_overall")
    if esc is not None and len(esc):
        v = esc["compliance"].iloc[0]
        rows.append(("kpi_escalation", v, format_value(v, "rate")))
    act = metrics.get("actions_overall")
    if act is not None and len(act):
        v = act["closure_rate"].iloc[0]
        rows.append(("kpi_action_closure", v, format_value(v, "rate")))
    return kpi_frame(rows, lang=lang)


def _appendix(data: TrackingData, metrics: dict, lang: str) -> pd.DataFrame:
    """Late, overdue-open and blocked tasks, most delayed first (display labels).

    Blame-free: the department is shown, not the person (no ``owner`` column)."""
    td = metrics["task_delivery"]
    status = (
        data.tasks["status"].astype("object").reset_index(drop=True)
        if "status" in data.tasks.columns
        else pd.Series(pd.NA, index=td.index)
    )
    keep = td["is_late"] | td["is_overdue_open"] | status.eq("blocked").fillna(False)
    rows = td.loc[keep].assign(status=status[keep])
    rows = rows.sort_values("delay_days", ascending=False, kind="stable")
    cols = [
        "task_id",
        "task",
        "department",
        "status",
        "planned_finish",
        "actual_finish",
        "delay_days",
    ]
    out = rows[cols].copy()
    out["status"] = out["status"].astype("object").map(STATUS_LABELS[lang]).fillna("")
    for c in ("planned_finish", "actual_finish"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    out["delay_days"] = out["delay_days"].round(1)
    return out.rename(columns=labels_for(cols, lang)).reset_index(drop=True)


def _departments(data: TrackingData) -> list[str]:
    """Departments in order of first appearance (tasks, contacts, RACI), vectorised."""
    s = (
        pd.concat(
            [data.tasks["department"], data.contacts["department"], data.raci["department"]],
            ignore_index=True,
        )
        .dropna()
        .astype("str")
    )
    return [d for d in pd.unique(s) if d]


def build_charts(data: TrackingData, metrics: dict, *, lang: str = "zh") -> dict[str, object]:
    """Every chart the metrics allow, keyed as :data:`collab_analytics.charts.CHART_KEYS`."""
    depts = _departments(data)
    out: dict[str, object] = {}
    t = metrics["as_of"]
    out["gantt"] = ch.gantt(
        data.tasks, lang=lang, delivery=metrics["task_delivery"], as_of=t, departments=depts
    )
    out["delivery_by_department"] = ch.delivery_rates(
        metrics["by_department"], lang=lang, departments=depts
    )
    out["delivery_by_period"] = ch.delivery_trend(metrics["by_week"], lang=lang)
    out["slippage"] = ch.slippage(metrics["slippage"], lang=lang, departments=depts)
    out["bottleneck"] = ch.delay_attribution_chart(
        metrics["attribution"], lang=lang, departments=depts
    )
    if len(metrics["handoff_pairs"]):
        out["handoffs"] = ch.handoff_heatmap(metrics["handoff_pairs"], lang=lang, departments=depts)
    if "matches" in metrics:
        items = data.plan["item"].astype("str").tolist()
        out["cadence"] = ch.cadence_calendar(
            metrics["matches"], metrics["missed"], lang=lang, items=items
        )
        out["gaps"] = ch.gaps_timeline(metrics["cadence"], lang=lang)
    if "escalation_distribution" in metrics:
        out["escalation"] = ch.escalation_chart(metrics["escalation_distribution"], lang=lang)
    if "attendance" in metrics and len(metrics["attendance"]):
        out["attendance"] = ch.attendance_matrix(
            metrics["attendance"], lang=lang, departments=depts
        )
    if len(data.raci):
        out["raci"] = ch.raci_heatmap(
            data.raci, metrics.get("raci_problems"), lang=lang, departments=depts
        )
    if "actions_by_department" in metrics:
        out["actions"] = ch.actions_chart(
            metrics["actions_by_department"], lang=lang, departments=depts
        )
    return out


def build_content(
    data: TrackingData, *, lang: str = "zh", as_of=None, calendar=None, metrics=None
) -> ReportContent:
    """Metrics, findings and charts assembled into a :class:`ReportContent`."""
    check_lang(lang)
    m = metrics if metrics is not None else compute_metrics(data, as_of=as_of, calendar=calendar)
    found = find(
        delivery=m["summary"],
        delivery_by_department=m["by_department"],
        attribution=m["attribution"],
        escalation=m.get("escalation_overall"),
        cadence=m.get("cadence"),
        handoffs=m["handoff_pairs"],
        actions=m.get("actions_overall"),
        lang=lang,
    )
    tk = takeaways(found)
    chart_objs = build_charts(data, m, lang=lang)
    items = [
        ChartItem(key, label(ch.CHART_KEYS[key], lang), chart_objs[key], tk.get(key, ""))
        for key in ch.CHART_KEYS
        if key in chart_objs
    ]
    proj = data.project
    first = proj.iloc[0] if len(proj) else None

    def _p(col: str) -> str:
        if first is None or col not in proj.columns or pd.isna(first[col]):
            return ""
        return str(first[col])

    project = _p("project")
    if not project and "project" in data.tasks.columns:
        names = data.tasks["project"].dropna().astype(str).unique()
        project = "、".join(names[:3]) + (" …" if len(names) > 3 else "")
    pf = data.tasks["planned_start"].min(), data.tasks["planned_finish"].max()
    period = (
        f"{pf[0]:%Y-%m-%d} – {pf[1]:%Y-%m-%d}"
        if len(data.tasks) and pd.notna(pf[0]) and pd.notna(pf[1])
        else ""
    )
    t = m["as_of"]
    return ReportContent(
        lang=lang,
        title=label("report_title", lang),
        project=project,
        sponsor=_p("sponsor_department"),
        lead=_p("lead"),
        period=period,
        as_of=f"{t:%Y-%m-%d}" if t is not None else "",
        kpis=headline(m, lang=lang),
        charts=items,
        findings=found,
        tables={"report_appendix": _appendix(data, m, lang).head(APPENDIX_ROWS)},
    )


def _load(data) -> TrackingData:
    if isinstance(data, TrackingData):
        return data
    if isinstance(data, str | os.PathLike):
        from collab_analytics.io import load

        return load(data)
    msg = f"build_report() takes TrackingData or a path, got {type(data).__name__}."
    raise TypeError(msg)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` wrote and showed: ``paths``, ``kpis`` (``[key, label, value,
    display]``) and ``findings`` (``[polarity, rule, text, evidence, chart]``)."""

    paths: list[Path]
    kpis: pd.DataFrame
    findings: pd.DataFrame


def build_report(
    data,
    out_dir,
    *,
    lang: str = "zh",
    formats: Sequence[str] = ("pptx", "html", "png"),
    as_of=None,
    calendar=None,
    progress: bool = True,
) -> list[Path]:
    """Write the retrospective in every requested format under ``out_dir``.

    Parameters
    ----------
    data : TrackingData or path
        Loaded data, or a workbook / folder to load first.
    out_dir : path
        Output folder (created). Only files inside it are written; a file there that
        collab_analytics did not write is never overwritten (:class:`UnsafePathError`).
    lang : {"zh", "en"}
    formats : sequence of {"pptx", "html", "png", "svg", "xlsx"}
    as_of : date-like, optional
        Default: the latest date in the data.
    calendar : optional
        ``"calendar"`` (default), ``"weekdays"``, ``"cn"`` or a WorkCalendar, for day counts.
    progress : bool
        Show a tqdm progress bar on stderr.

    Returns
    -------
    list of Path
        Every file written, in the order written: ``report.pptx``, ``report.html``,
        ``charts/<key>.png``, ``charts/<key>.svg``, ``tables.xlsx``.

    Raises
    ------
    DataValidationError
        The data has validation errors (its ``.issues`` lists them all).
    """
    return run_report(
        data, out_dir, lang=lang, formats=formats, as_of=as_of, calendar=calendar, progress=progress
    ).paths


def run_report(
    data,
    out_dir,
    *,
    lang: str = "zh",
    formats: Sequence[str] = ("pptx", "html", "png"),
    as_of=None,
    calendar=None,
    progress: bool = True,
) -> ReportResult:
    """:func:`build_report`, also returning the headline KPIs and findings it used."""
    from tqdm.auto import tqdm

    check_lang(lang)
    fmts = [f.strip().lower() for f in formats]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        msg = f"Unknown output format(s) {bad or fmts}. Expected some of: {list(FORMATS)}."
        raise CollabError(msg)
    out = OutputDir(out_dir)
    bar = tqdm(total=3 + len(fmts), desc="report", unit="step", disable=not progress, leave=False)
    try:
        bar.set_postfix_str("load")
        td = _load(data).raise_for_errors()
        bar.update()
        bar.set_postfix_str("metrics")
        m = compute_metrics(td, as_of=as_of, calendar=calendar)
        bar.update()
        bar.set_postfix_str("charts")
        content = build_content(td, lang=lang, metrics=m)
        bar.update()
        pngs: dict[str, bytes] = {}
        by_chart = {id(c.chart): c for c in content.charts}

        def png_of(item: ChartItem) -> bytes:
            if item.key not in pngs:
                from collab_analytics.export.images import chart_to_png

                pngs[item.key] = chart_to_png(item.chart, scale=2, lang=lang)
            return pngs[item.key]

        for fmt in fmts:
            bar.set_postfix_str(fmt)
            if fmt == "pptx":
                from collab_analytics.export.pptx import write_deck

                write_deck(
                    content,
                    out.path("report.pptx"),
                    render_png=lambda chart: png_of(by_chart[id(chart)]),
                )
            elif fmt == "html":
                from collab_analytics.export.html import write_html

                write_html(content, out.path("report.html"))
            elif fmt == "png":
                for item in content.charts:
                    out.path(f"charts/{item.key}.png").write_bytes(png_of(item))
            elif fmt == "svg":
                from collab_analytics.export.images import chart_to_svg

                for item in content.charts:
                    out.path(f"charts/{item.key}.svg").write_text(
                        chart_to_svg(item.chart, lang=lang), encoding="utf-8"
                    )
            elif fmt == "xlsx":
                from collab_analytics.export.tables import write_xlsx

                write_xlsx(_xlsx_tables(td, m, content, lang), out.path("tables.xlsx"))
            bar.update()
    finally:
        bar.close()
    return ReportResult(list(out.written), content.kpis, content.findings)


def _xlsx_tables(td: TrackingData, m: dict, content: ReportContent, lang: str) -> dict:
    kpis = content.kpis[["label", "display"]].rename(
        columns={"label": label("kpi", lang), "display": label("value", lang)}
    )
    f = content.findings[["polarity", "text", "chart"]].copy()
    f["polarity"] = f["polarity"].map({p: label(p, lang) for p in ("went_well", "to_improve")})
    f = f.rename(
        columns=labels_for(["polarity", "finding", "chart"], lang)
        | {"text": label("finding", lang)}
    )
    tables = {
        label("report_kpis", lang): kpis,
        label("report_findings", lang): f,
        label("report_appendix", lang): _appendix(td, m, lang),
        label("title_delivery_by_department", lang): m["by_department"],
        label("title_slippage", lang): m["slippage"],
        label("title_bottleneck", lang): m["attribution"],
        label("title_handoffs", lang): m["handoff_pairs"],
    }
    if "cadence" in m:
        tables[label("title_cadence", lang)] = m["cadence"]
    return tables
