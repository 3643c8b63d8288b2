"""Delivery views: Gantt (planned vs actual), on-time/delay rates, slippage, delay attribution.

Every builder takes a metric frame (from :mod:`collab_analytics.metrics`) and ``lang=``, and
returns an Altair chart; none computes a metric.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.charts.delivery import delivery_rates
>>> s = pd.DataFrame({"department": ["技术部", "客服部"], "n_due": [4, 2], "n_on_time": [1, 2],
...                   "n_late": [2, 0], "n_overdue_open": [1, 0],
...                   "on_time_rate": [0.25, 1.0], "delay_rate": [0.75, 0.0]})
>>> spec = delivery_rates(s, lang="zh", departments=["客服部", "技术部"]).to_dict()
>>> spec["encoding"]["y"]["sort"], spec["encoding"]["x"]["axis"]["format"]
(['客服部', '技术部'], '%')
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from collab_analytics._lists import join_text
from collab_analytics.charts._common import (
    check_rows,
    department_selection,
    empty_chart,
    highlight,
    order,
    props,
    require,
    status_text,
    tip,
    unknown_status,
)
from collab_analytics.charts.theme import BAD, GOOD, PLAN, STATUS_COLORS, WIDTH
from collab_analytics.labels import check_lang, label, status_label
from collab_analytics.schema import STATUS_CODES

__all__ = ["delay_attribution_chart", "delivery_rates", "delivery_trend", "gantt", "slippage"]

#: Default number of tasks a Gantt shows (the latest ones first when there are more).
GANTT_MAX_TASKS = 40


def _status_colours(codes_present: Sequence[str], lang: str, with_unknown: bool) -> alt.Scale:
    codes = [c for c in STATUS_CODES if c in set(codes_present)]
    domain = [status_label(c, lang) for c in codes]
    rng = [STATUS_COLORS[c] for c in codes]
    if with_unknown:
        domain.append(unknown_status(lang))
        rng.append("#8C8C8C")
    return alt.Scale(domain=domain, range=rng)


def gantt(
    tasks: pd.DataFrame,
    *,
    lang: str = "zh",
    delivery: pd.DataFrame | None = None,
    as_of=None,
    departments: Sequence[str] | None = None,
    max_tasks: int = GANTT_MAX_TASKS,
) -> alt.FacetChart | alt.Chart:
    """Planned (light bar) vs actual (coloured by status) per task, one panel per department.

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks (``task``, ``department``, ``planned_start``, ``planned_finish``,
        ``actual_start``, ``actual_finish``, ``status``; ``task_id``, ``phase``,
        ``depends_on`` used when present), or the per-task frame of
        :func:`~collab_analytics.metrics.delivery.task_delivery`.
    delivery : DataFrame, optional
        :func:`~collab_analytics.metrics.delivery.task_delivery` rows aligned with ``tasks``
        (same order); its ``delay_days`` goes into the tooltip and picks which tasks to show.
    as_of : date-like, optional
        Draws the as-of line and ends open actual bars there.
    departments : sequence of str, optional
        Panel order (default: order of appearance).
    max_tasks : int
        At most this many tasks are drawn: the most delayed ones (``delay_days``) when known,
        else the earliest planned. Within a department, tasks are ordered by planned start,
        so predecessors come before their successors.
    """
    check_lang(lang)
    require(tasks, ["task", "planned_finish"], "gantt")
    title = label("title_gantt", lang)
    if tasks.empty:
        return empty_chart(title, lang)
    df = tasks.reset_index(drop=True)
    delay = None
    if delivery is not None and "delay_days" in delivery.columns and len(delivery) == len(df):
        delay = pd.Series(delivery["delay_days"].to_numpy(), index=df.index)
    elif "delay_days" in df.columns:
        delay = df["delay_days"]
    n_total = len(df)
    # --- which rows (presentation only): the most delayed, else the earliest planned;
    # chosen before copying anything so the cost stays flat with the number of tasks
    if n_total > max_tasks:
        if delay is not None and delay.notna().any():
            keep = delay.fillna(-np.inf).nlargest(max_tasks, keep="first").index
        else:
            start = df["planned_start"] if "planned_start" in df.columns else df["planned_finish"]
            keep = start.fillna(df["planned_finish"]).nsmallest(max_tasks, keep="first").index
        df = df.loc[keep]
        delay = delay.loc[keep] if delay is not None else None
    cols = {}
    for c in ("task_id", "task", "department", "phase", "status", "depends_on"):
        if c in df.columns:
            cols[c] = df[c]
    for c in ("planned_start", "planned_finish", "actual_start", "actual_finish"):
        cols[c] = (
            df[c] if c in df.columns else pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
        )
    frame = pd.DataFrame(cols)
    if delay is not None:
        frame["delay_days"] = delay
    if "department" not in frame.columns:
        frame["department"] = ""
    frame["department"] = frame["department"].astype("object").fillna("–").astype("str")
    depts = order(frame["department"], departments)
    frame["_d"] = frame["department"].map({d: i for i, d in enumerate(depts)})
    frame = frame.sort_values(["_d", "planned_start", "planned_finish"], kind="stable")
    name = frame["task"].astype("str")
    if "task_id" in frame.columns:
        name = (frame["task_id"].astype("object").fillna("").astype("str") + " " + name).str.strip()
    dup = name.groupby(name).cumcount()
    frame["row"] = name.where(dup == 0, name + " (" + (dup + 1).astype("str") + ")")
    codes = frame["status"] if "status" in frame.columns else pd.Series(pd.NA, index=frame.index)
    frame["status_label"] = status_text(codes, lang)
    has_unknown = bool(codes.isna().any())
    present = codes.dropna().astype("str").unique().tolist()
    end_open = pd.Timestamp(as_of) if as_of is not None else pd.NaT
    frame["actual_end"] = frame["actual_finish"].where(
        frame["actual_finish"].notna() | frame["actual_start"].isna(), end_open
    )
    if "depends_on" in frame.columns:
        frame["depends_on"] = join_text(frame["depends_on"])
    frame = frame.drop(columns=["_d"])
    rows = frame["row"].tolist()
    tooltips = [
        tip("row", "task", lang),
        tip("department", None, lang),
        tip("status_label", "status", lang),
    ]
    if "phase" in frame.columns:
        tooltips.append(tip("phase", None, lang))
    tooltips += [
        tip("planned_start", None, lang, "temporal", "%Y-%m-%d"),
        tip("planned_finish", None, lang, "temporal", "%Y-%m-%d"),
        tip("actual_start", None, lang, "temporal", "%Y-%m-%d"),
        tip("actual_end", "actual_finish", lang, "temporal", "%Y-%m-%d"),
    ]
    if "delay_days" in frame.columns:
        tooltips.append(tip("delay_days", None, lang, "quantitative", ".0f"))
    if "depends_on" in frame.columns:
        tooltips.append(tip("depends_on", None, lang))
    y = alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=260))
    x_title = f"{label('planned', lang)} / {label('actual', lang)}"
    base = alt.Chart().encode(y=y, tooltip=tooltips)
    plan = base.mark_bar(color=PLAN, opacity=0.55, height={"band": 0.8}).encode(
        x=alt.X("planned_start:T", title=x_title, axis=alt.Axis(format="%m-%d")),
        x2=alt.X2("planned_finish:T"),
    )
    actual = base.mark_bar(height={"band": 0.38}).encode(
        x=alt.X("actual_start:T"),
        x2=alt.X2("actual_end:T"),
        color=alt.Color(
            "status_label:N",
            title=label("status", lang),
            scale=_status_colours(present, lang, has_unknown),
        ),
    )
    layers = [plan, actual]
    # tasks with a finish date but no start date (e.g. an issue tracker's export with due and
    # resolved dates only) have no bar to draw: a diamond marks the finish instead
    finish_only = {
        "planned": frame["planned_start"].isna() & frame["planned_finish"].notna(),
        "actual": frame["actual_start"].isna() & frame["actual_finish"].notna(),
    }
    if finish_only["planned"].any():
        layers.append(
            base.mark_point(shape="diamond", filled=True, size=90, color=PLAN, opacity=0.8)
            .encode(x=alt.X("planned_finish:T"))
            .transform_filter("datum.planned_start == null && datum.planned_finish != null")
        )
    if finish_only["actual"].any():
        layers.append(
            base.mark_point(shape="diamond", filled=True, size=60, opacity=1)
            .encode(
                x=alt.X("actual_finish:T"),
                color=alt.Color(
                    "status_label:N",
                    title=label("status", lang),
                    scale=_status_colours(present, lang, has_unknown),
                ),
            )
            .transform_filter("datum.actual_start == null && datum.actual_finish != null")
        )
    if as_of is not None:
        layers.append(
            alt.Chart()
            .mark_rule(color="#555555", strokeDash=[4, 3])
            .encode(x=alt.XDatum(_datetime(as_of), type="temporal"))
        )
    subtitle = [_gantt_legend(lang)]
    if any(m.any() for m in finish_only.values()):
        subtitle.append(label("gantt_finish_only", lang))
    if n_total > len(frame):
        subtitle.append(label("report_more_rows", lang, n=n_total - len(frame)))
    # one constructor per level (each chained altair call deep-copies the whole chart)
    inner = alt.LayerChart(layer=layers, width=WIDTH, height=alt.Step(16))
    chart = alt.FacetChart(
        data=frame,
        spec=inner,
        facet={
            "row": {
                "field": "department",
                "type": "nominal",
                "sort": depts,
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left", "labelFontWeight": "bold"},
            }
        },
        spacing=6,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
        title=alt.Title(title, subtitle=subtitle),
    )
    return chart


def _gantt_legend(lang: str) -> str:
    if lang == "zh":
        return "浅色长条: 计划;彩色细条: 实际(按状态着色);虚线: 数据截至日"
    return "Light bar: planned; coloured bar: actual (by status); dashed line: as-of date"


def _datetime(value) -> alt.DateTime:
    ts = pd.Timestamp(value)
    return alt.DateTime(year=ts.year, month=ts.month, date=ts.day)


def delivery_rates(
    summary: pd.DataFrame,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
    by: str = "department",
    interactive: bool = True,
) -> alt.Chart:
    """On-time rate and delay rate per department (two bars each), with their counts.

    ``summary`` is :func:`~collab_analytics.metrics.delivery.delivery_summary` with
    ``by="department"`` (or another key given as ``by``). Clicking a department highlights
    it (selection ``dept``); with ``interactive=False`` the chart only *reads* ``dept`` and
    the caller defines it (see :func:`~collab_analytics.charts.linked_departments`).
    """
    check_lang(lang)
    need = [by, "n_due", "n_on_time", "n_late", "n_overdue_open", "on_time_rate", "delay_rate"]
    require(summary, need, "delivery_rates")
    check_rows(summary, "delivery_rates")
    title = label("title_delivery_by_department", lang)
    if summary.empty:
        return empty_chart(title, lang)
    df = summary[need].copy()
    df[by] = df[by].astype("object").fillna("–").astype("str")
    long = df.melt(
        id_vars=[by, "n_due", "n_on_time", "n_late", "n_overdue_open"],
        value_vars=["on_time_rate", "delay_rate"],
        var_name="metric",
        value_name="rate",
    )
    names = {"on_time_rate": label("on_time_rate", lang), "delay_rate": label("delay_rate", lang)}
    long["metric_label"] = long["metric"].map(names)
    depts = order(df[by], departments)
    sel = department_selection(by)
    enc = {
        "y": alt.Y(f"{by}:N", sort=depts, title=None),
        "yOffset": alt.YOffset("metric_label:N", sort=list(names.values())),
        "x": alt.X("rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        "color": alt.Color(
            "metric_label:N",
            title=None,
            scale=alt.Scale(domain=list(names.values()), range=[GOOD, BAD]),
        ),
        "tooltip": [
            tip(by, None, lang),
            tip("metric_label", "kpi", lang),
            tip("rate", "value", lang, "quantitative", ".1%"),
            tip("n_due", None, lang, "quantitative"),
            tip("n_on_time", None, lang, "quantitative"),
            tip("n_late", None, lang, "quantitative"),
            tip("n_overdue_open", None, lang, "quantitative"),
        ],
    }
    enc["opacity"] = highlight(sel)
    chart = alt.Chart(long).mark_bar()
    if interactive:
        chart = chart.add_params(sel)
    return props(chart.encode(**enc), title=title, width=WIDTH, height=alt.Step(14))


def delivery_trend(summary: pd.DataFrame, *, lang: str = "zh", period: str = "week") -> alt.Chart:
    """On-time and delay rate per period (lines with points); ``summary`` is
    :func:`~collab_analytics.metrics.delivery.delivery_summary` with ``by="week"`` or
    ``"month"``. Periods without due tasks are left out."""
    check_lang(lang)
    need = [period, "n_due", "on_time_rate", "delay_rate"]
    require(summary, need, "delivery_trend")
    check_rows(summary, "delivery_trend")
    title = label("title_delivery_by_period", lang)
    df = summary.loc[summary["n_due"] > 0, need]
    if df.empty:
        return empty_chart(title, lang)
    long = df.melt(
        id_vars=[period, "n_due"],
        value_vars=["on_time_rate", "delay_rate"],
        var_name="metric",
        value_name="rate",
    )
    names = {"on_time_rate": label("on_time_rate", lang), "delay_rate": label("delay_rate", lang)}
    long["metric_label"] = long["metric"].map(names)
    fmt = "%m-%d" if period == "week" else "%Y-%m"
    chart = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=2.5)
        .encode(
            x=alt.X(f"{period}:T", title=label(period, lang), axis=alt.Axis(format=fmt)),
            y=alt.Y(
                "rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "metric_label:N",
                title=None,
                scale=alt.Scale(domain=list(names.values()), range=[GOOD, BAD]),
            ),
            tooltip=[
                tip(period, None, lang, "temporal", fmt),
                tip("metric_label", "kpi", lang),
                tip("rate", "value", lang, "quantitative", ".1%"),
                tip("n_due", None, lang, "quantitative"),
            ],
        )
    )
    return props(chart, title=title, width=WIDTH, height=300)


def slippage(
    slip: pd.DataFrame,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
    by: str = "department",
) -> alt.LayerChart | alt.Chart:
    """Distribution of delay days per department: median–p85 bar, whisker to p95, max point.

    ``slip`` is :func:`~collab_analytics.metrics.delivery.slippage` with ``by="department"``.
    Negative values are days finished early; the zero line marks "on the planned day".
    """
    check_lang(lang)
    need = [
        by,
        "n",
        "n_late",
        "median_delay_days",
        "p85_delay_days",
        "p95_delay_days",
        "max_delay_days",
        "mean_delay_days",
    ]
    require(slip, need, "slippage")
    check_rows(slip, "slippage")
    title = label("title_slippage", lang)
    df = slip.loc[slip["n"] > 0, need].copy()
    if df.empty:
        return empty_chart(title, lang)
    df[by] = df[by].astype("object").fillna("–").astype("str")
    depts = order(df[by], departments)
    d = label("days_suffix", lang)
    tips = [
        tip(by, None, lang),
        tip("n", "n_tasks", lang, "quantitative"),
        tip("n_late", None, lang, "quantitative"),
        tip("mean_delay_days", None, lang, "quantitative", ".1f", f"{_mean(lang)} ({d})"),
        tip("median_delay_days", None, lang, "quantitative", ".1f", f"P50 ({d})"),
        tip("p85_delay_days", None, lang, "quantitative", ".1f", f"P85 ({d})"),
        tip("p95_delay_days", None, lang, "quantitative", ".1f", f"P95 ({d})"),
        tip("max_delay_days", None, lang, "quantitative", ".1f", f"{_max(lang)} ({d})"),
    ]
    y = alt.Y(f"{by}:N", sort=depts, title=None)
    base = alt.Chart(df).encode(y=y, tooltip=tips)
    whisker = base.mark_rule(color="#7F7F7F", strokeWidth=1.5).encode(
        x=alt.X("median_delay_days:Q", title=label("delay_days", lang)),
        x2=alt.X2("p95_delay_days:Q"),
    )
    box = base.mark_bar(color="#F28E2B", opacity=0.8, height={"band": 0.5}).encode(
        x=alt.X("median_delay_days:Q"), x2=alt.X2("p85_delay_days:Q")
    )
    med = base.mark_tick(color="#333333", thickness=3, size=22).encode(
        x=alt.X("median_delay_days:Q")
    )
    mx = base.mark_point(color=BAD, filled=True, size=70).encode(x=alt.X("max_delay_days:Q"))
    zero = alt.Chart().mark_rule(color="#333333", strokeDash=[3, 3]).encode(x=alt.XDatum(0))
    return alt.layer(
        zero,
        whisker,
        box,
        med,
        mx,
        title=alt.Title(title, subtitle=_slip_subtitle(lang)),
        width=WIDTH,
        height=alt.Step(26),
    )


def _mean(lang: str) -> str:
    return "平均" if lang == "zh" else "Mean"


def _max(lang: str) -> str:
    return "最大" if lang == "zh" else "Max"


def _slip_subtitle(lang: str) -> str:
    if lang == "zh":
        return "条形: 中位数–P85;细线至 P95;红点: 最大值;负值为提前"
    return "Bar: median–P85; line to P95; red dot: maximum; negative = early"


def delay_attribution_chart(
    attribution: pd.DataFrame, *, lang: str = "zh", departments: Sequence[str] | None = None
) -> alt.Chart:
    """Own vs inherited delay days per department (stacked), downstream tasks hit in tooltip.

    ``attribution`` is :func:`~collab_analytics.metrics.attribution.department_attribution`.
    """
    check_lang(lang)
    need = [
        "department",
        "own_delay_days",
        "inherited_delay_days",
        "downstream_tasks_hit",
        "share_of_own_delay",
    ]
    require(attribution, need, "delay_attribution_chart")
    check_rows(attribution, "delay_attribution_chart")
    title = label("title_attribution", lang)
    if attribution.empty:
        return empty_chart(title, lang)
    df = attribution[need].copy()
    depts = order(df["department"].astype("str"), departments)
    long = df.melt(
        id_vars=["department", "downstream_tasks_hit", "share_of_own_delay"],
        value_vars=["own_delay_days", "inherited_delay_days"],
        var_name="component",
        value_name="days",
    )
    comp = {c: label(c, lang) for c in ("own_delay_days", "inherited_delay_days")}
    long["component_label"] = long["component"].map(comp)
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("department:N", sort=depts, title=None),
            x=alt.X("days:Q", title=label("delay_days", lang), stack="zero"),
            color=alt.Color(
                "component_label:N",
                title=label("component", lang),
                scale=alt.Scale(domain=list(comp.values()), range=[BAD, "#F1CE63"]),
            ),
            order=alt.Order("component:N", sort="descending"),
            tooltip=[
                tip("department", None, lang),
                tip("component_label", "component", lang),
                tip("days", "delay_days", lang, "quantitative", ".1f"),
                tip("share_of_own_delay", "share_of_delay", lang, "quantitative", ".1%"),
                tip("downstream_tasks_hit", "downstream_hit", lang, "quantitative"),
            ],
        )
    )
    return props(chart, title=title, width=WIDTH, height=alt.Step(26))
