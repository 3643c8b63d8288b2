"""One call from tracking data to a finished retrospective: deck, HTML, PNG/SVG, tables.

:func:`build_report` loads (if given a path), refuses data with validation errors, computes the
metrics once (:func:`compute_metrics`: one
:func:`~collab_analytics.metrics.report.delivery_report` and one
:func:`~collab_analytics.metrics.communication.communication_report`), derives findings, builds
every chart, optionally compares with an earlier as-of date or snapshot, and writes the requested
formats under ``out_dir`` only (never over a file it did not write).

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
from collab_analytics.compare import Comparison, compare_as_of, compare_snapshots
from collab_analytics.data import TrackingData
from collab_analytics.export._paths import OutputDir
from collab_analytics.export.content import ChartItem, ReportContent, format_value, kpi_frame
from collab_analytics.findings import findings as find
from collab_analytics.findings import takeaways
from collab_analytics.labels import check_lang, label, labels_for
from collab_analytics.metrics.communication import communication_report
from collab_analytics.metrics.delivery import delivery_summary
from collab_analytics.metrics.distributions import (
    action_states,
    headline_kpis,
    slippage_histogram,
)
from collab_analytics.metrics.report import delivery_report
from collab_analytics.schema import STATUS_LABELS

__all__ = [
    "FORMATS",
    "ReportResult",
    "build_charts",
    "build_content",
    "build_report",
    "comparison_tables",
    "compute_metrics",
    "headline",
    "interactive_charts",
    "run_report",
]

#: Output formats :func:`build_report` understands.
FORMATS = ("pptx", "html", "png", "svg", "xlsx")

#: Rows kept in the appendix table of the deck/HTML (the XLSX export has every row).
APPENDIX_ROWS = 500

#: Tasks in the report's Gantt (the most delayed): readable on one 16:9 slide.
GANTT_TASKS = 24

#: Tasks in the report's RACI heatmap (those with problems first).
RACI_TASKS = 16

#: Monte Carlo simulations of the finish-date forecast in the report.
FORECAST_SIMS = 10_000


def _has_communication(data: TrackingData) -> bool:
    return bool(
        len(data.plan)
        or len(data.meetings)
        or len(data.updates)
        or len(data.actions)
        or len(data.raci)
    )


def _actions_overall(states: pd.DataFrame) -> pd.DataFrame:
    """One-row ``[n_actions, n_closed, closure_rate, n_overdue_open]`` (what the findings
    read) from :func:`~collab_analytics.metrics.distributions.action_states` (``by=None``)."""
    n = states.set_index("state")["n_actions"]
    total = int(n.sum())
    closed = int(n[["closed_on_time", "closed_late", "closed_no_due"]].sum())
    return pd.DataFrame(
        {
            "n_actions": [total],
            "n_closed": [closed],
            "closure_rate": [closed / total if total else float("nan")],
            "n_overdue_open": [int(n["open_overdue"])],
        }
    )


def compute_metrics(
    data: TrackingData,
    *,
    as_of=None,
    calendar=None,
    deadline=None,
    forecast_sims: int = FORECAST_SIMS,
    lang: str = "en",
) -> dict[str, object]:
    """Every metric the report needs, computed once: one
    :func:`~collab_analytics.metrics.report.delivery_report` (key ``delivery``) and, when the
    data has a plan, meetings, updates, actions or RACI, one
    :func:`~collab_analytics.metrics.communication.communication_report` (``communication``).

    The frames the charts and findings read are also given by name: ``as_of, task_delivery,
    summary, by_department, by_week, slippage, slippage_histogram, attribution, bottlenecks,
    handoff_pairs, burnup, status_mix, forecast`` and, with communication data, ``matches,
    missed, cadence, attendance, escalation_distribution, escalation_overall,
    actions_by_department, action_states, action_states_overall, actions_overall,
    raci_problems``. ``by_week`` (one extra :func:`delivery_summary`) is the only frame not
    taken from the two reports. ``lang`` is the language of the RACI problem messages.
    """
    t = pd.Timestamp(as_of).normalize() if as_of is not None else data.as_of
    rep = delivery_report(
        data, as_of=t, calendar=calendar, deadline=deadline, forecast_sims=forecast_sims
    )
    m: dict[str, object] = {"as_of": t if t is not None else rep.as_of, "delivery": rep}
    m["task_delivery"] = rep.tasks
    m["summary"] = rep.overall
    m["by_department"] = rep.summary
    m["by_week"] = delivery_summary(data.tasks, by="week", as_of=t, calendar=calendar)
    m["slippage"] = rep.slippage
    m["slippage_histogram"] = slippage_histogram(rep.tasks)
    m["attribution"] = rep.departments
    m["bottlenecks"] = rep.bottlenecks
    m["handoff_pairs"] = rep.handoff_pairs
    m["burnup"] = rep.burnup
    m["status_mix"] = rep.status_mix
    m["forecast"] = rep.forecast
    if not _has_communication(data):
        return m
    com = communication_report(data, as_of=t, delivery_calendar=calendar, lang=lang, delivery=rep)
    m["communication"] = com
    if len(data.plan) and len(data.meetings) and t is not None:
        m["matches"] = com.matches
        m["missed"] = com.missed
        m["cadence"] = com.cadence
        m["attendance"] = com.attendance
    if len(data.updates):
        m["escalation_distribution"] = com.escalation_distribution
        m["escalation_overall"] = com.escalation_overall
    if len(data.actions):
        m["actions_by_department"] = com.actions
        m["action_states"] = action_states(com.action_items, by="department")
        m["action_states_overall"] = action_states(com.action_items, by=None)
        m["actions_overall"] = _actions_overall(m["action_states_overall"])
    if len(data.raci):
        m["raci_problems"] = com.raci_problems
    return m


#: Display of each :func:`~collab_analytics.metrics.distributions.headline_kpis` row:
#: ``kpi -> (label key, value format)``.
_KPI_DISPLAY: dict[str, tuple[str, str]] = {
    "tasks": ("kpi_tasks", "int"),
    "due": ("kpi_due", "int"),
    "on_time_rate": ("kpi_on_time_rate", "rate"),
    "delay_rate": ("kpi_delay_rate", "rate"),
    "completion_rate": ("kpi_completion_rate", "rate"),
    "overdue_open": ("kpi_overdue_open", "int"),
    "tasks_blocked": ("kpi_tasks_blocked", "int"),
    "mean_delay_days": ("kpi_mean_delay", "days"),
    "bottleneck_share": ("kpi_bottleneck", "rate"),
    "spi": ("kpi_spi", "number"),
    "plan_adherence": ("kpi_adherence", "rate"),
    "escalation_compliance": ("kpi_escalation", "rate"),
    "action_closure": ("kpi_action_closure", "rate"),
    "forecast_p85_days": ("kpi_forecast_p85", "date"),
}


def headline(metrics: dict, *, lang: str = "zh") -> pd.DataFrame:
    """The headline KPIs ``[key, label, value, display]`` from :func:`compute_metrics`.

    With the reports of :func:`compute_metrics` (key ``delivery``) the KPIs are
    :func:`~collab_analytics.metrics.distributions.headline_kpis`; a dict holding only
    ``summary`` (and optionally ``slippage_overall``) gives the delivery KPIs alone.
    """
    if "delivery" in metrics:
        return _headline_from_reports(metrics, lang)
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


def _headline_from_reports(metrics: dict, lang: str) -> pd.DataFrame:
    k = headline_kpis(metrics["delivery"], metrics.get("communication"))
    rows = []
    for kpi, value, subject in zip(k["kpi"], k["value"], k["subject"], strict=True):
        key, kind = _KPI_DISPLAY[kpi]
        if kpi == "bottleneck_share":
            rows.append((key, subject, f"{subject} ({format_value(value, 'rate')})"))
        elif kpi == "forecast_p85_days":
            rows.append((key, pd.Timestamp(subject), subject))
        else:
            rows.append((key, value, format_value(value, kind)))
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
        data.tasks,
        lang=lang,
        delivery=metrics["task_delivery"],
        as_of=t,
        departments=depts,
        max_tasks=GANTT_TASKS,
    )
    out["delivery_by_department"] = ch.delivery_rates(
        metrics["by_department"], lang=lang, departments=depts
    )
    out["delivery_by_period"] = ch.delivery_trend(metrics["by_week"], lang=lang)
    out["slippage"] = ch.slippage(metrics["slippage"], lang=lang, departments=depts)
    if "slippage_histogram" in metrics:
        out["slippage_histogram"] = ch.slippage_histogram_chart(
            metrics["slippage_histogram"], lang=lang
        )
    if "bottlenecks" in metrics and len(metrics["bottlenecks"]):
        out["bottleneck"] = ch.bottleneck_chart(metrics["bottlenecks"], lang=lang)
    out["attribution"] = ch.delay_attribution_chart(
        metrics["attribution"], lang=lang, departments=depts
    )
    if len(metrics["handoff_pairs"]):
        out["handoffs"] = ch.handoff_heatmap(metrics["handoff_pairs"], lang=lang, departments=depts)
    burn = metrics.get("burnup")
    if isinstance(burn, pd.DataFrame) and len(burn):
        out["burnup"] = ch.burnup_chart(burn, lang=lang, as_of=t)
    mix = metrics.get("status_mix")
    if isinstance(mix, pd.DataFrame) and len(mix) and int(mix["n_tasks"].sum()) > 0:
        out["status_mix"] = ch.status_mix_chart(mix, lang=lang)
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
            data.raci,
            metrics.get("raci_problems"),
            lang=lang,
            departments=depts,
            max_tasks=RACI_TASKS,
        )
    if "action_states" in metrics:
        out["actions"] = ch.actions_chart(metrics["action_states"], lang=lang, departments=depts)
    elif "actions_by_department" in metrics:
        out["actions"] = ch.actions_chart(
            metrics["actions_by_department"], lang=lang, departments=depts
        )
    fc = metrics.get("forecast")
    if fc is not None and len(fc.distribution):
        out["forecast"] = ch.forecast_chart(fc, lang=lang)
    return out


def interactive_charts(data: TrackingData, metrics: dict, *, lang: str = "zh") -> dict[str, object]:
    """Views for interactive output only (the HTML report), keyed as
    :data:`collab_analytics.charts.INTERACTIVE_KEYS`: ``linked`` — delivery rates and the
    bottleneck ranking with one shared department selection."""
    out: dict[str, object] = {}
    rk = metrics.get("bottlenecks")
    if rk is not None and len(rk) and len(metrics["by_department"]):
        out["linked"] = ch.linked_departments(metrics["by_department"], rk, lang=lang)
    return out


def _signed(value: float, kind: str, lang: str) -> str:
    if pd.isna(value):
        return "–"
    if kind == "rate":
        unit = " 个百分点" if lang == "zh" else " pp"
        return f"{value * 100:+.1f}{unit}"
    if kind == "int":
        return f"{value:+,.0f}"
    return f"{value:+.1f}"


_COMPARE_KINDS = {
    "on_time_rate": "rate",
    "delay_rate": "rate",
    "early_rate": "rate",
    "completion_rate": "rate",
    "mean_delay_days": "days",
    "total_delay_days": "days",
}


def comparison_tables(comparison: Comparison, *, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Display tables of a :class:`~collab_analytics.compare.Comparison`: the KPI deltas
    (``report_comparison``) and, when any, the re-planned tasks (``report_replanned``)."""
    k = comparison.kpis
    kinds = [_COMPARE_KINDS.get(x, "int") for x in k["kpi"]]
    names = [label(x, lang) for x in k["kpi"]]
    fmt = [
        [format_value(v, kind) for v, kind in zip(k[col], kinds, strict=True)]
        for col in ("before", "after")
    ]
    b, a = comparison.before_as_of, comparison.after_as_of
    before_h = label("before", lang) + (f" ({b:%Y-%m-%d})" if b is not None else "")
    after_h = label("after", lang) + (f" ({a:%Y-%m-%d})" if a is not None else "")
    kpis = pd.DataFrame(
        {
            label("kpi", lang): names,
            before_h: fmt[0],
            after_h: fmt[1],
            label("delta", lang): [
                _signed(v, kind, lang) for v, kind in zip(k["delta"], kinds, strict=True)
            ],
        }
    ).astype("str")
    out = {"report_comparison": kpis}
    rep = comparison.replanned
    if len(rep):
        r = rep.copy()
        for c in ("old_planned_finish", "new_planned_finish"):
            r[c] = r[c].dt.strftime("%Y-%m-%d")
        r["shift_days"] = r["shift_days"].map(lambda v: _signed(v, "days", lang))
        out["report_replanned"] = r.rename(columns=labels_for(list(r.columns), lang))
    return out


def _comparison(data: TrackingData, compare_to, as_of, calendar) -> Comparison | None:
    """``compare_to``: an as-of date (same data) or an earlier snapshot (TrackingData/path)."""
    if compare_to is None:
        return None
    after = pd.Timestamp(as_of).normalize() if as_of is not None else data.as_of
    if isinstance(compare_to, TrackingData) or (
        isinstance(compare_to, str | os.PathLike) and Path(compare_to).exists()
    ):
        old = _load(compare_to).raise_for_errors()
        return compare_snapshots(old, data, after_as_of=after, calendar=calendar)
    try:
        before = pd.Timestamp(compare_to)
    except (TypeError, ValueError) as exc:
        msg = (
            f"compare_to={compare_to!r} is neither a date nor an existing workbook/folder "
            "(or loaded TrackingData)."
        )
        raise CollabError(msg) from exc
    return compare_as_of(data, before, after, calendar=calendar)


def build_content(
    data: TrackingData,
    *,
    lang: str = "zh",
    as_of=None,
    calendar=None,
    metrics=None,
    comparison: Comparison | None = None,
) -> ReportContent:
    """Metrics, findings and charts (and a period-over-period comparison, when given)
    assembled into a :class:`ReportContent`."""
    check_lang(lang)
    m = (
        metrics
        if metrics is not None
        else compute_metrics(data, as_of=as_of, calendar=calendar, lang=lang)
    )
    fc = m.get("forecast")
    com = m.get("communication")
    found = find(
        delivery=m["summary"],
        delivery_by_department=m["by_department"],
        attribution=m["attribution"],
        escalation=m.get("escalation_overall"),
        cadence=m.get("cadence"),
        handoffs=m["handoff_pairs"],
        actions=m.get("actions_overall"),
        bottlenecks=m.get("bottlenecks"),
        slippage_histogram=m.get("slippage_histogram"),
        burnup=m.get("burnup") if isinstance(m.get("burnup"), pd.DataFrame) else None,
        status_mix=m.get("status_mix") if isinstance(m.get("status_mix"), pd.DataFrame) else None,
        forecast=fc.summary if fc is not None else None,
        task_delivery=m.get("task_delivery"),
        attendance=com.attendance_by_department if com is not None else None,
        meetings=data.meetings,
        tasks=data.tasks,
        lang=lang,
    )
    tk = takeaways(found)
    chart_objs = build_charts(data, m, lang=lang)
    items = [
        ChartItem(key, label(ch.CHART_KEYS[key], lang), chart_objs[key], tk.get(key, ""))
        for key in ch.CHART_KEYS
        if key in chart_objs
    ]
    inter = interactive_charts(data, m, lang=lang)
    interactive = [
        ChartItem(key, label(ch.INTERACTIVE_KEYS[key], lang), inter[key], "")
        for key in ch.INTERACTIVE_KEYS
        if key in inter
    ]
    tables = {}
    if comparison is not None:
        tables.update(comparison_tables(comparison, lang=lang))
    tables["report_appendix"] = _appendix(data, m, lang).head(APPENDIX_ROWS)
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
        interactive=interactive,
        findings=found,
        tables=tables,
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
    compare_to=None,
    deadline=None,
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
    compare_to : date-like, TrackingData or path, optional
        Period over period: an earlier as-of date of the same data, or an earlier snapshot of
        the workbook (loaded data or a path). Adds the KPI deltas (and the re-planned tasks of
        a snapshot) to the deck, the HTML report and the tables.
    deadline : date-like, optional
        The Monte Carlo forecast also gives the chance to finish by this date (KPI, chart and
        the ``forecast`` finding compare with it instead of the last planned finish).
    progress : bool
        Show a tqdm progress bar on stderr.

    Returns
    -------
    list of Path
        Every file written, in the order written: ``report.pptx``, ``report.html``,
        ``charts/<key>.png``, ``charts/<key>.svg``, ``tables.xlsx``. Each chart is rendered
        to PNG once for the deck and ``charts/``: without its own title (the slide title
        carries it; in the PNG files the title and takeaway are ``iTXt`` text chunks
        ``Title``/``Description``). SVG files keep the chart's title.

    Raises
    ------
    DataValidationError
        The data has validation errors (its ``.issues`` lists them all).
    """
    return run_report(
        data,
        out_dir,
        lang=lang,
        formats=formats,
        as_of=as_of,
        calendar=calendar,
        compare_to=compare_to,
        deadline=deadline,
        progress=progress,
    ).paths


def run_report(
    data,
    out_dir,
    *,
    lang: str = "zh",
    formats: Sequence[str] = ("pptx", "html", "png"),
    as_of=None,
    calendar=None,
    compare_to=None,
    deadline=None,
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
        m = compute_metrics(td, as_of=as_of, calendar=calendar, deadline=deadline, lang=lang)
        comparison = _comparison(td, compare_to, as_of, calendar)
        bar.update()
        bar.set_postfix_str("charts")
        content = build_content(td, lang=lang, metrics=m, comparison=comparison)
        # refuse unsafe or foreign targets before writing anything, so a refusal leaves no
        # half-written report behind
        out.check(_planned_files(fmts, [item.key for item in content.charts]))
        bar.update()
        # Each chart is rendered once, without its own title (a subtitle stays), and the bytes
        # serve both the deck (the slide title carries the title) and charts/<key>.png (the
        # title and takeaway go into the file's PNG text chunks: Title, Description).
        pngs: dict[str, bytes] = {}
        by_chart = {id(item.chart): item for item in content.charts}

        def png_of(item: ChartItem) -> bytes:
            if item.key not in pngs:
                from collab_analytics.charts.theme import untitled
                from collab_analytics.export.images import chart_to_png

                pngs[item.key] = chart_to_png(untitled(item.chart), scale=2, lang=lang)
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
                from collab_analytics.export.images import png_with_text

                for item in content.charts:
                    meta = {"Title": item.title, "Description": item.takeaway}
                    out.path(f"charts/{item.key}.png").write_bytes(
                        png_with_text(png_of(item), meta)
                    )
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


def _planned_files(fmts: list[str], chart_keys: list[str]) -> list[str]:
    """Every file a report run with these formats writes, relative to the output folder."""
    names = {"pptx": ["report.pptx"], "html": ["report.html"], "xlsx": ["tables.xlsx"]}
    out: list[str] = []
    for fmt in fmts:
        if fmt in ("png", "svg"):
            out += [f"charts/{key}.{fmt}" for key in chart_keys]
        else:
            out += names[fmt]
    return out


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
        label("title_bottleneck", lang): m["bottlenecks"],
        label("title_attribution", lang): m["attribution"],
        label("title_handoffs", lang): m["handoff_pairs"],
    }
    for key in ("report_comparison", "report_replanned"):
        if key in content.tables:
            tables[label(key, lang)] = content.tables[key]
    if "cadence" in m:
        tables[label("title_cadence", lang)] = m["cadence"]
    return tables
