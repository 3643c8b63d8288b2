"""Bottleneck views: the ranking with its full component breakdown, the binned slippage
histogram, and a linked delivery + bottleneck view sharing one department selection.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.charts.bottleneck import bottleneck_chart
>>> r = pd.DataFrame({"rank": [1, 2], "department": ["技术部", "产品部"], "score": [0.7, 0.3],
...     "own_delay_days": [8.0, 2.0], "blocked_days": [3.0, 0.0],
...     "handoff_wait_days": [4.0, 1.0], "overdue_open_days": [0.0, 0.0],
...     "downstream_tasks_hit": [5, 1], "share_of_attributable_delay": [0.8, 0.2],
...     "contrib_own_delay_days": [0.3, 0.1], "contrib_blocked_days": [0.2, 0.0],
...     "contrib_handoff_wait_days": [0.1, 0.1], "contrib_overdue_open_days": [0.0, 0.0],
...     "contrib_downstream_tasks_hit": [0.1, 0.1]})
>>> spec = bottleneck_chart(r, lang="zh").to_dict()
>>> spec["layer"][0]["encoding"]["y"]["sort"]
['技术部', '产品部']
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from collab_analytics.charts._common import (
    check_rows,
    department_selection,
    empty_chart,
    highlight,
    order,
    props,
    require,
    tip,
)
from collab_analytics.charts.theme import WIDTH
from collab_analytics.labels import check_lang, label

__all__ = [
    "BOTTLENECK_COMPONENTS",
    "bottleneck_chart",
    "linked_departments",
    "slippage_histogram_chart",
]

#: Components of the bottleneck score, in stack order, with their colours.
BOTTLENECK_COMPONENTS: dict[str, str] = {
    "own_delay_days": "#E15759",
    "blocked_days": "#B07AA1",
    "handoff_wait_days": "#F28E2B",
    "overdue_open_days": "#EDC948",
    "downstream_tasks_hit": "#9C755F",
}

_RAW = (
    "own_delay_days",
    "blocked_days",
    "handoff_wait_days",
    "overdue_open_days",
    "downstream_tasks_hit",
    "share_of_attributable_delay",
)


def bottleneck_chart(
    ranking: pd.DataFrame,
    *,
    lang: str = "zh",
    max_departments: int = 30,
    interactive: bool = True,
) -> alt.LayerChart | alt.Chart:
    """Departments by bottleneck rank, each bar split into the five ``contrib_*`` parts of
    its score; the tooltip gives the raw components (own delay, blocked and hand-over wait
    days, overdue-open days, downstream tasks hit, share of attributable delay).

    ``ranking`` is :func:`~collab_analytics.metrics.bottleneck.bottleneck_ranking` (or
    :attr:`DeliveryReport.bottlenecks <collab_analytics.metrics.report.DeliveryReport>`);
    rows are drawn in rank order (best-ranked on top), at most ``max_departments``.
    Clicking a department highlights it (selection ``dept``); with ``interactive=False`` the
    chart only reads ``dept`` (defined by the caller, as in :func:`linked_departments`).
    """
    check_lang(lang)
    contrib = [f"contrib_{c}" for c in BOTTLENECK_COMPONENTS]
    need = ["rank", "department", "score", *_RAW, *contrib]
    require(ranking, need, "bottleneck_chart")
    title = label("title_bottleneck", lang)
    if ranking.empty:
        return empty_chart(title, lang)
    df = ranking.sort_values("rank", kind="stable").head(max_departments)[need].copy()
    df["department"] = df["department"].astype("object").fillna("–").astype("str")
    depts = df["department"].tolist()
    long = df.melt(
        id_vars=["rank", "department", "score", *_RAW],
        value_vars=contrib,
        var_name="component",
        value_name="contribution",
    )
    names = {f"contrib_{c}": label(f"contrib_{c}", lang) for c in BOTTLENECK_COMPONENTS}
    long["component_label"] = long["component"].map(names)
    long["component_order"] = long["component"].map({c: i for i, c in enumerate(contrib)})
    check_rows(long, "bottleneck_chart")
    d = label("days_suffix", lang)
    sel = department_selection()
    tooltips = [
        tip("department", None, lang),
        tip("rank", None, lang, "quantitative"),
        tip("score", None, lang, "quantitative", ".2f"),
        tip("component_label", "component", lang),
        tip("contribution", "share_of_score", lang, "quantitative", ".3f"),
        tip("own_delay_days", None, lang, "quantitative", ",.0f"),
        tip("blocked_days", None, lang, "quantitative", ",.0f"),
        tip("handoff_wait_days", None, lang, "quantitative", ",.0f"),
        tip("overdue_open_days", None, lang, "quantitative", ",.0f"),
        tip("downstream_tasks_hit", "downstream_hit", lang, "quantitative", ",d"),
        tip("share_of_attributable_delay", "share_of_delay", lang, "quantitative", ".0%"),
    ]
    y = alt.Y("department:N", sort=depts, title=None)
    bars = alt.Chart(long).mark_bar()
    if interactive:
        # a fixed view name: Altair would otherwise name the view by hashing the chart,
        # printing the whole frame (concatenation still numbers repeated views)
        bars = props(bars.add_params(sel), name="view_bottleneck")
    bars = bars.encode(
        y=y,
        x=alt.X(
            "contribution:Q",
            title=label("score", lang),
            stack="zero",
            # room on the right for the score note
            scale=alt.Scale(domain=[0, max(float(df["score"].max()), 1e-9) * 1.25]),
        ),
        color=alt.Color(
            "component_label:N",
            title=label("component", lang),
            scale=alt.Scale(
                domain=list(names.values()), range=list(BOTTLENECK_COMPONENTS.values())
            ),
        ),
        order=alt.Order("component_order:Q", sort="ascending"),
        opacity=highlight(sel),
        tooltip=tooltips,
    )
    df["note"] = (
        df["score"].map(lambda v: f"{v:.2f}")
        + "  ("
        + df["own_delay_days"].map(lambda v: f"{v:,.0f}")
        + d
        + ")"
        if lang == "zh"
        else df["score"].map(lambda v: f"{v:.2f}")
        + "  ("
        + df["own_delay_days"].map(lambda v: f"{v:,.0f}")
        + " "
        + d
        + " own)"
    )
    text = (
        alt.Chart(df[["department", "score", "note"]])
        .mark_text(align="left", dx=5, fontSize=12, color="#333333")
        .encode(y=y, x=alt.X("score:Q"), text=alt.Text("note:N"))
    )
    subtitle = (
        "按排名排序;条长 = 瓶颈得分(各部分占比之和),括号内为自身延误天数;悬停查看原始数值"
        if lang == "zh"
        else "In rank order; bar = bottleneck score (sum of its parts), own delay days in "
        "brackets; hover for the raw numbers"
    )
    return alt.layer(
        bars, text, title=alt.Title(title, subtitle=subtitle), width=WIDTH - 60, height=alt.Step(30)
    )


def slippage_histogram_chart(
    hist: pd.DataFrame, *, lang: str = "zh", by: str | None = None, departments=None
) -> alt.Chart:
    """Binned delay days: tasks per bin (early bins green, on the day grey, late bins orange
    to red); with ``by`` one row of bars per group.

    ``hist`` is :func:`~collab_analytics.metrics.distributions.slippage_histogram`
    (``[*by, bin, lower_days, upper_days, n_tasks, share]``).
    """
    check_lang(lang)
    need = ["bin", "lower_days", "upper_days", "n_tasks", "share", *([by] if by else [])]
    require(hist, need, "slippage_histogram_chart")
    check_rows(hist, "slippage_histogram_chart")
    title = label("title_slippage_histogram", lang)
    if hist.empty or int(hist["n_tasks"].sum()) == 0:
        return empty_chart(title, lang)
    df = hist[need].copy()
    bins = list(dict.fromkeys(df["bin"].astype("str")))
    lower = df.drop_duplicates("bin").set_index("bin")["lower_days"]
    colours = []
    for b in bins:
        lo = lower[b]
        colours.append("#59A14F" if lo < 0 else "#BAB0AC" if lo == 0 else None)
    late = [b for b, c in zip(bins, colours, strict=True) if c is None]
    ramp = ["#F1CE63", "#F28E2B", "#E15759", "#B6403F", "#8E2C2B", "#6B1F1F"]
    it = iter(ramp + [ramp[-1]] * len(late))
    colours = [c if c is not None else next(it) for c in colours]
    df = df.drop(columns=["lower_days", "upper_days"])
    enc = {
        "x": alt.X(
            "bin:N",
            sort=bins,
            title=label("delay_days", lang),
            axis=alt.Axis(labelAngle=0),
        ),
        "y": alt.Y("n_tasks:Q", title=label("n_tasks", lang)),
        "color": alt.Color(
            "bin:N", sort=bins, scale=alt.Scale(domain=bins, range=colours), legend=None
        ),
        "tooltip": [
            tip("bin", None, lang),
            tip("n_tasks", None, lang, "quantitative", ",d"),
            tip("share", None, lang, "quantitative", ".1%"),
        ],
    }
    chart = alt.Chart(df).mark_bar()
    if by:
        df[by] = df[by].astype("str")
        chart = alt.Chart(df).mark_bar()
        enc["tooltip"].insert(0, tip(by, None, lang))
        return (
            chart.encode(**enc)
            .properties(width=alt.Step(40), height=110)
            .facet(
                row=alt.Row(
                    f"{by}:N",
                    sort=order(df[by], departments),
                    title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left"),
                ),
                spacing=8,
            )
            .properties(title=title)
        )
    return props(chart.encode(**enc), title=title, width=WIDTH, height=300)


def linked_departments(
    summary: pd.DataFrame,
    ranking: pd.DataFrame,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
) -> alt.HConcatChart | alt.VConcatChart:
    """Delivery rates and the bottleneck ranking side by side; clicking a department in
    either highlights it in both (one ``alt.selection_point(fields=["department"])`` named
    ``dept``; shift-click adds departments, double-click clears).

    ``summary`` is ``delivery_summary(by="department")``, ``ranking`` the bottleneck ranking;
    departments follow ``departments``, by default the ranking order.
    """
    from collab_analytics.charts.delivery import delivery_rates

    check_lang(lang)
    if departments is None and {"rank", "department"} <= set(ranking.columns):
        # both views in rank order, so a department sits at the same height in each
        departments = ranking.sort_values("rank", kind="stable")["department"].astype("str")
        departments = departments.tolist()
    left = delivery_rates(
        summary, lang=lang, departments=departments, interactive=False
    ).properties(title=label("title_delivery_by_department", lang), width=520, name="v_rates")
    right = bottleneck_chart(ranking, lang=lang, interactive=False).properties(
        title=label("title_bottleneck", lang), width=520
    )
    views = ["v_rates"]
    if isinstance(right, alt.LayerChart):
        right.layer[0].name = "v_rank"
        views.append("v_rank")
    out = (
        alt.vconcat(left, right, spacing=30)
        .resolve_scale(color="independent")
        .properties(title=alt.Title(label("title_linked", lang)))
    )
    # one top-level selection bound to both views (adding it to each view would duplicate it)
    out.params = [
        alt.TopLevelSelectionParameter(
            name="dept",
            select=alt.PointSelectionConfig(type="point", fields=["department"]),
            views=views,
        )
    ]
    return out
