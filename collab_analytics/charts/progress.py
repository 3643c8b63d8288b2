"""Progress views: burn-up (planned vs actual), status mix over time, Monte Carlo forecast.

Inputs are frames of :mod:`collab_analytics.metrics.progress` and
:mod:`collab_analytics.metrics.forecast` (also on
:class:`~collab_analytics.metrics.report.DeliveryReport`: ``burnup``, ``status_mix``,
``forecast``). Long daily series are thinned to at most ``max_points`` dates (evenly spaced,
the last date always kept) so charts stay small whatever the portfolio size.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.charts.progress import burnup_chart
>>> b = pd.DataFrame({"date": pd.to_datetime(["2024-07-01", "2024-07-02"]),
...                   "planned_done": [1, 3], "actual_done": [1, 2], "n_tasks": [4, 4]})
>>> spec = burnup_chart(b, lang="en", as_of="2024-07-02").to_dict()
>>> spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
['Planned (cumulative)', 'Actual (cumulative)', 'Tasks']
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from collab_analytics.charts._common import check_rows, empty_chart, props, require, tip
from collab_analytics.charts.theme import BAD, GOOD, STATUS_COLORS, WIDTH
from collab_analytics.labels import check_lang, label, status_label

__all__ = ["STATUS_MIX_ORDER", "burnup_chart", "forecast_chart", "status_mix_chart"]

#: Dates drawn at most by the burn-up and status-mix charts.
MAX_POINTS = 300

#: Stack order of the status-mix chart (bottom first): open work first, then finished work.
STATUS_MIX_ORDER: tuple[str, ...] = (
    "on_track",
    "delayed",
    "blocked",
    "not_started",
    "done_early",
    "done",
    "cancelled",
)


def _thin(dates: pd.Series, max_points: int) -> np.ndarray:
    """Positions of at most ``max_points`` evenly spaced distinct dates (last one kept)."""
    uniq = np.sort(pd.unique(dates.dropna()))
    if len(uniq) <= max_points:
        return uniq
    step = int(np.ceil(len(uniq) / max_points))
    keep = uniq[::-1][::step][::-1]  # counted back from the last date, so it is always kept
    return keep


def _datum(value) -> alt.DateTime:
    ts = pd.Timestamp(value)
    return alt.DateTime(year=ts.year, month=ts.month, date=ts.day)


def burnup_chart(
    burnup: pd.DataFrame,
    *,
    lang: str = "zh",
    as_of=None,
    max_points: int = MAX_POINTS,
) -> alt.LayerChart | alt.Chart:
    """Cumulative finished tasks, planned vs actual, with the total scope and the as-of line.

    ``burnup`` is :func:`~collab_analytics.metrics.progress.burnup`
    (``[date, planned_done, actual_done, n_tasks]``); ``actual_done`` is missing after the
    as-of date, so the actual line stops there.
    """
    check_lang(lang)
    require(burnup, ["date", "planned_done", "actual_done", "n_tasks"], "burnup_chart")
    title = label("title_burnup", lang)
    if burnup.empty:
        return empty_chart(title, lang)
    keep = _thin(burnup["date"], max_points)
    df = burnup.loc[burnup["date"].isin(keep), ["date", "planned_done", "actual_done", "n_tasks"]]
    names = {
        "planned_done": label("planned_done", lang),
        "actual_done": label("actual_done", lang),
        "n_tasks": label("n_tasks", lang),
    }
    long = df.melt(id_vars=["date"], var_name="series", value_name="tasks").dropna(subset=["tasks"])
    long["tasks"] = long["tasks"].astype("float64")
    long["series_label"] = long["series"].map(names)
    check_rows(long, "burnup_chart")
    domain = list(names.values())
    line = (
        alt.Chart(long)
        .mark_line(strokeWidth=2.5, interpolate="step-after")
        .encode(
            x=alt.X("date:T", title=label("date", lang), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("tasks:Q", title=label("cumulative", lang)),
            color=alt.Color(
                "series_label:N",
                title=None,
                scale=alt.Scale(domain=domain, range=["#4E79A7", GOOD, "#9C9C9C"]),
            ),
            strokeDash=alt.StrokeDash(
                "series_label:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[[6, 4], [1, 0], [2, 3]]),
            ),
            tooltip=[
                tip("date", None, lang, "temporal", "%Y-%m-%d"),
                tip("series_label", "kind", lang),
                tip("tasks", "count", lang, "quantitative", ",.0f"),
            ],
        )
    )
    layers = [line]
    if as_of is not None:
        layers.append(
            alt.Chart()
            .mark_rule(color="#555555", strokeDash=[4, 3])
            .encode(x=alt.XDatum(_datum(as_of), type="temporal"))
        )
    return alt.layer(*layers, title=title, width=WIDTH, height=320)


def status_mix_chart(
    mix: pd.DataFrame,
    *,
    lang: str = "zh",
    statuses: Sequence[str] = STATUS_MIX_ORDER,
    max_points: int = MAX_POINTS,
) -> alt.Chart:
    """Tasks per status over time (stacked areas), coloured with the theme's status colours.

    ``mix`` is :func:`~collab_analytics.metrics.progress.status_mix` (long form
    ``[date, status, n_tasks]``, status codes). Statuses never present are left out; the
    stack follows ``statuses`` (default 正常/滞后/阻塞/未开始/提前完成/已完成/已取消, bottom up).
    """
    check_lang(lang)
    require(mix, ["date", "status", "n_tasks"], "status_mix_chart")
    title = label("title_status_mix", lang)
    if mix.empty or int(mix["n_tasks"].sum()) == 0:
        return empty_chart(title, lang)
    keep = _thin(mix["date"], max_points)
    df = mix.loc[mix["date"].isin(keep), ["date", "status", "n_tasks"]].copy()
    df["status"] = df["status"].astype("object").astype("str")
    present = set(df.loc[df["n_tasks"] > 0, "status"])
    codes = [c for c in statuses if c in present] + sorted(present - set(statuses))
    df = df[df["status"].isin(codes)]
    rank = {c: i for i, c in enumerate(codes)}
    df["status_label"] = df["status"].map({c: status_label(c, lang) for c in codes})
    df["status_order"] = df["status"].map(rank)
    check_rows(df, "status_mix_chart")
    domain = [status_label(c, lang) for c in codes]
    rng = [STATUS_COLORS.get(c, "#8C8C8C") for c in codes]
    chart = (
        alt.Chart(df.drop(columns=["status"]))
        .mark_area(interpolate="step-after", opacity=0.9)
        .encode(
            x=alt.X("date:T", title=label("date", lang), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("n_tasks:Q", title=label("n_tasks", lang), stack="zero"),
            color=alt.Color(
                "status_label:N",
                title=label("status", lang),
                scale=alt.Scale(domain=domain, range=rng),
                sort=domain,
            ),
            order=alt.Order("status_order:Q", sort="ascending"),
            tooltip=[
                tip("date", None, lang, "temporal", "%Y-%m-%d"),
                tip("status_label", "status", lang),
                tip("n_tasks", None, lang, "quantitative", ",d"),
            ],
        )
    )
    return props(chart, title=title, width=WIDTH, height=320)


def forecast_chart(forecast, *, lang: str = "zh") -> alt.LayerChart | alt.Chart:
    """Histogram of simulated finish dates with P50/P85/P95 lines and the deadline.

    ``forecast`` is the :class:`~collab_analytics.metrics.forecast.FinishForecast` of
    :func:`~collab_analytics.metrics.forecast.forecast_finish` (its ``distribution``
    ``[finish_date, n_sims, cumulative_share]`` and one-row ``summary``).
    """
    check_lang(lang)
    title = label("title_forecast", lang)
    if forecast is None:
        return empty_chart(title, lang)
    dist, summary = forecast.distribution, forecast.summary
    require(dist, ["finish_date", "n_sims", "cumulative_share"], "forecast_chart")
    require(summary, ["p50", "p85", "p95", "deadline", "remaining_tasks"], "forecast_chart")
    check_rows(dist, "forecast_chart")
    if dist.empty or summary.empty:
        return empty_chart(title, lang)
    s = summary.iloc[0]
    df = dist[["finish_date", "n_sims", "cumulative_share"]].copy()
    fmt = "%Y-%m-%d"
    bars = (
        alt.Chart(df)
        .mark_bar(color="#9DB7D5")
        .encode(
            x=alt.X(
                "finish_date:T",
                title=label("finish_date", lang),
                axis=alt.Axis(format="%m-%d"),
                scale=alt.Scale(padding=12),
            ),
            y=alt.Y("n_sims:Q", title=label("n_sims", lang)),
            tooltip=[
                tip("finish_date", None, lang, "temporal", fmt),
                tip("n_sims", None, lang, "quantitative", ",d"),
                tip("cumulative_share", "cumulative_probability", lang, "quantitative", ".0%"),
            ],
        )
    )
    marks = []
    for key, colour in (("p50", "#4E79A7"), ("p85", "#F28E2B"), ("p95", "#B07AA1")):
        if pd.notna(s[key]):
            marks.append(
                {"date": pd.Timestamp(s[key]), "mark": key.upper(), "colour": colour, "dash": 0}
            )
    if pd.notna(s["deadline"]):
        extra = ""
        if "p_meet_deadline" in summary.columns and pd.notna(s["p_meet_deadline"]):
            extra = f" ({float(s['p_meet_deadline']):.0%})"
        marks.append(
            {
                "date": pd.Timestamp(s["deadline"]),
                "mark": label("deadline", lang) + extra,
                "colour": BAD,
                "dash": 1,
            }
        )
    layers = [bars]
    if marks:
        m = pd.DataFrame(marks)
        m["text"] = m["mark"] + " " + m["date"].dt.strftime("%m-%d")
        m["row"] = np.arange(len(m))
        enc = {
            "x": alt.X("date:T"),
            "color": alt.Color("colour:N", scale=None, legend=None),
        }
        rule = (
            alt.Chart(m)
            .mark_rule(strokeWidth=2)
            .encode(
                **enc,
                strokeDash=alt.StrokeDashValue(
                    **alt.condition("datum.dash == 1", alt.value([6, 4]), alt.value([1, 0]))
                ),
                tooltip=[
                    tip("mark", "percentile", lang),
                    tip("date", "finish_date", lang, "temporal", fmt),
                ],
            )
        )
        text = (
            alt.Chart(m)
            .mark_text(align="left", dx=4, fontSize=13, fontWeight="bold")
            .encode(
                **enc,
                text=alt.Text("text:N"),
                y=alt.Y(
                    "row:Q",
                    axis=None,
                    scale=alt.Scale(domain=[-0.5, max(len(m), 4) - 0.5], reverse=True),
                ),
            )
        )
        layers += [rule, text]
    n_left = int(s["remaining_tasks"]) if pd.notna(s["remaining_tasks"]) else 0
    subtitle = (
        f"剩余 {n_left:,} 个任务;按历史日完成量重抽样模拟"
        if lang == "zh"
        else f"{n_left:,} tasks remaining; resampling the daily throughput so far"
    )
    return alt.layer(
        *layers,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
        title=alt.Title(title, subtitle=subtitle),
        width=WIDTH,
        height=300,
    )
