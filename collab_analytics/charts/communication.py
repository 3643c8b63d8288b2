"""Communication views: handoff heatmap, cadence calendar, meeting gaps, 48 h escalation,
attendance matrix.

Inputs are frames of :mod:`collab_analytics.metrics.handoffs`,
:mod:`collab_analytics.metrics.cadence` and :mod:`collab_analytics.metrics.escalation`.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.charts.communication import handoff_heatmap
>>> pairs = pd.DataFrame({"from_department": ["产品部"], "to_department": ["技术部"],
...                       "n_handoffs": [3], "n_measured": [3], "n_waiting": [0],
...                       "mean_wait_days": [2.5], "median_wait_days": [2.0],
...                       "max_wait_days": [4.0]})
>>> spec = handoff_heatmap(pairs, lang="en", departments=["技术部", "产品部"]).to_dict()
>>> spec["layer"][0]["encoding"]["y"]["sort"], spec["layer"][0]["encoding"]["x"]["title"]
(['技术部', '产品部'], 'To department')
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from collab_analytics.charts._common import (
    MAX_CHART_ROWS,
    check_rows,
    empty_chart,
    order,
    require,
    tip,
)
from collab_analytics.charts.theme import BAD, GOOD, NEUTRAL, WIDTH
from collab_analytics.labels import check_lang, label

#: Plan items (rows) drawn at most by the cadence, gaps and attendance charts.
MAX_ITEMS = 20

__all__ = [
    "attendance_matrix",
    "cadence_calendar",
    "escalation_chart",
    "gaps_timeline",
    "handoff_heatmap",
]


def handoff_heatmap(
    pairs: pd.DataFrame, *, lang: str = "zh", departments: Sequence[str] | None = None
) -> alt.LayerChart | alt.Chart:
    """From-department × to-department: colour = mean wait (days), text = hand-overs.

    ``pairs`` is :func:`~collab_analytics.metrics.handoffs.handoff_summary` with
    ``by="pair"``.
    """
    check_lang(lang)
    need = [
        "from_department",
        "to_department",
        "n_handoffs",
        "n_waiting",
        "mean_wait_days",
        "median_wait_days",
        "max_wait_days",
    ]
    require(pairs, need, "handoff_heatmap")
    check_rows(pairs, "handoff_heatmap")
    title = label("title_handoffs", lang)
    if pairs.empty:
        return empty_chart(title, lang)
    df = pairs[need].copy()
    for c in ("from_department", "to_department"):
        df[c] = df[c].astype("object").fillna("–").astype("str")
    depts = order(pd.concat([df["from_department"], df["to_department"]]), departments)
    tips = [
        tip("from_department", None, lang),
        tip("to_department", None, lang),
        tip("n_handoffs", None, lang, "quantitative"),
        tip("n_waiting", None, lang, "quantitative", title=_waiting(lang)),
        tip("mean_wait_days", None, lang, "quantitative", ".1f"),
        tip("median_wait_days", None, lang, "quantitative", ".1f"),
        tip("max_wait_days", None, lang, "quantitative", ".1f"),
    ]
    base = alt.Chart(df).encode(
        x=alt.X(
            "to_department:N",
            sort=depts,
            title=label("to_department", lang),
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("from_department:N", sort=depts, title=None),
        tooltip=tips,
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "mean_wait_days:Q",
            title=label("mean_wait_days", lang),
            scale=alt.Scale(scheme="orangered", domainMin=0),
        ),
    )
    text = base.mark_text(fontSize=14).encode(
        text=alt.Text("n_handoffs:Q", format="d"),
        color=alt.ColorValue(
            **alt.condition("datum.mean_wait_days > 5", alt.value("white"), alt.value("#333"))
        ),
    )
    side = max(60, min(110, 520 // max(len(depts), 1)))
    return alt.layer(
        rect,
        text,
        title=alt.Title(title, subtitle=_handoff_subtitle(lang)),
        width=alt.Step(side),
        height=alt.Step(min(side, 60)),
    )


def _waiting(lang: str) -> str:
    return "仍在等待" if lang == "zh" else "Still waiting"


def _handoff_subtitle(lang: str) -> str:
    if lang == "zh":
        return "颜色: 平均等待天数;数字: 交接次数(行: 交出部门,列: 接收部门)"
    return "Colour: mean wait (days); number: hand-overs (rows: from, columns: to)"


def cadence_calendar(
    matches: pd.DataFrame,
    missed: pd.DataFrame,
    *,
    lang: str = "zh",
    items: Sequence[str] | None = None,
    max_rows: int = MAX_CHART_ROWS,
    max_items: int = MAX_ITEMS,
    codes: tuple[np.ndarray, np.ndarray, Sequence[str]] | None = None,
) -> alt.Chart:
    """Expected occurrences per plan item over time: held (green), missed (red), and meetings
    held off-plan (grey).

    Parameters
    ----------
    matches : DataFrame
        :func:`~collab_analytics.metrics.cadence.match_meetings` (``item``, ``occurrence``,
        ``date``, ``matched``).
    missed : DataFrame
        :func:`~collab_analytics.metrics.cadence.missed_occurrences` (``item``,
        ``occurrence``).
    items : sequence of str, optional
        Row order (default: plan order as the rows appear).
    max_rows : int
        Only the most recent marks are drawn beyond this many (a note says so).
    max_items : int
        At most this many plan items (rows): items with a missed occurrence first.
    codes : (match codes, missed codes, names), optional
        The ``item`` of each row of ``matches`` and of ``missed`` as its position in the
        distinct ``names`` (-1: missing), when the caller holds them (the dashboard's
        cadence frames do): the same chart, without hashing the item texts again; the
        ``item`` column of ``matches`` is then not read (it may be left out).
    """
    check_lang(lang)
    require(
        matches, ["date", "matched"] if codes else ["item", "date", "matched"], "cadence_calendar"
    )
    require(missed, ["item", "occurrence"], "cadence_calendar")
    title = label("title_cadence", lang)
    # choose the items (rows) on integer codes first, then copy only their marks: the
    # matches of a large portfolio hold hundreds of thousands of meetings
    matched = matches["matched"].fillna(False).to_numpy(dtype=bool)
    if codes is None:
        m_codes, x_codes, names = _item_codes(matches["item"], missed["item"])
    else:
        m_codes, x_codes = np.asarray(codes[0]), np.asarray(codes[1])
        names = pd.Index(list(codes[2]), dtype="object")
    is_extra = ~matched & (m_codes >= 0)
    held_codes = pd.unique(m_codes[matched & (m_codes >= 0)])
    extra_codes = pd.unique(m_codes[is_extra])
    miss_codes = pd.unique(x_codes[x_codes >= 0])  # once: the row order and choice read it
    n_total = int(matched.sum() + is_extra.sum() + len(missed))
    if n_total == 0:
        return empty_chart(title, lang)
    # names are distinct: the distinct codes in order are the distinct names in order
    appearance = pd.unique(np.concatenate([held_codes, miss_codes, extra_codes]))
    row_items = items  # the preferred order of the drawn rows
    if items is None:
        all_items = order(pd.Series(names[appearance], dtype="str"), items)
    else:
        # ``order`` on codes: the preferred items present, in their order, then the others
        # as they appear (one lookup of the preferred names instead of a loop over them)
        pos = names.get_indexer(pd.Index([str(p) for p in items], dtype="object"))
        present = np.zeros(len(names) + 1, dtype=bool)
        present[appearance] = True
        head = pd.unique(pos[present[pos] & (pos >= 0)])
        first = np.zeros(len(names), dtype=bool)
        first[head] = True
        all_items = names[np.concatenate([head, appearance[~first[appearance]]])].tolist()
        row_items = names[head].tolist()
    pick = all_items
    if len(all_items) > max_items:
        missed_items = set(names[miss_codes].tolist())
        pick = (
            [i for i in all_items if i in missed_items]
            + [i for i in all_items if i not in missed_items]
        )[:max_items]
    lut = np.zeros(len(names) + 1, dtype=bool)  # last slot: code -1 (no item)
    lut[:-1] = names.isin(pick)
    if row_items is not items:  # only the picked ones can be drawn: the same row order
        chosen = set(pick)
        row_items = [i for i in row_items if i in chosen]
    keep = lut[m_codes]
    sel_held = np.flatnonzero(keep & matched)
    sel_extra = np.flatnonzero(keep & is_extra)
    if codes is None:
        cols = ["item", "date"]
        held = matches[cols].take(sel_held).assign(outcome="held")
        extra = matches[cols].take(sel_extra).assign(outcome="unplanned")
    else:  # the same rows, their item texts from the codes
        text = names.to_numpy(dtype=object)

        def marks(sel: np.ndarray, outcome: str) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    "item": pd.Series(text[m_codes[sel]], dtype="str"),
                    "date": matches["date"].take(sel).reset_index(drop=True),
                }
            ).assign(outcome=outcome)

        held, extra = marks(sel_held, "held"), marks(sel_extra, "unplanned")
    miss = missed[["item", "occurrence"]].take(np.flatnonzero(lut[x_codes]))
    miss = miss.rename(columns={"occurrence": "date"})
    df = pd.concat([held, miss.assign(outcome="missed"), extra], ignore_index=True)
    df["item"] = df["item"].astype("str")
    if len(df) > max_rows:
        df = df.loc[df["date"].nlargest(max_rows, keep="first").index]
    df = df.assign(date=pd.to_datetime(df["date"]).dt.normalize())
    names = {k: label(k, lang) for k in ("held", "missed", "unplanned")}
    df["outcome_label"] = df["outcome"].map(names)
    rows = order(df["item"], row_items)
    subtitle = []
    if n_total > len(df):
        subtitle.append(label("report_more_rows", lang, n=n_total - len(df)))
    # the title and size as chart arguments (``.properties`` validates each one even
    # outside Altair's debug mode; the spec is the same)
    return (
        alt.Chart(
            df,
            title=alt.Title(title, subtitle=subtitle) if subtitle else title,
            width=WIDTH,
            height=alt.Step(30),
        )
        .mark_point(filled=True, size=90, opacity=0.9)
        .encode(
            x=alt.X("date:T", title=label("date", lang), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("item:N", sort=rows, title=None),
            color=alt.Color(
                "outcome_label:N",
                title=label("outcome", lang),
                scale=alt.Scale(domain=list(names.values()), range=[GOOD, BAD, NEUTRAL]),
            ),
            shape=alt.Shape(
                "outcome_label:N",
                title=label("outcome", lang),
                scale=alt.Scale(
                    domain=list(names.values()), range=["circle", "square", "triangle-up"]
                ),
            ),
            tooltip=[
                tip("item", "plan_item", lang),
                tip("date", None, lang, "temporal", "%Y-%m-%d"),
                tip("outcome_label", "outcome", lang),
            ],
        )
    )


def _item_codes(
    match_items: pd.Series, missed_items: pd.Series
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """The item of each match row and each missed row as its position in one index of
    distinct names (as text; -1: missing)."""
    both = pd.concat([match_items.astype("str"), missed_items.astype("str")], ignore_index=True)
    got, uniq = pd.factorize(both, sort=False)
    got = np.asarray(got, dtype="int64")
    n = len(match_items)
    return got[:n], got[n:], pd.Index(uniq, dtype="object").astype("str")


def gaps_timeline(
    gaps: pd.DataFrame,
    *,
    lang: str = "zh",
    name: str | None = None,
    max_items: int = MAX_ITEMS,
) -> alt.LayerChart | alt.Chart:
    """The longest gap of each meeting series as a bar on the calendar, with median gap.

    At most ``max_items`` series are drawn: those with the longest gaps.

    ``gaps`` is :func:`~collab_analytics.metrics.cadence.cadence_summary` (series column
    ``item``) or :func:`~collab_analytics.metrics.cadence.meeting_gaps` (``series``).
    """
    check_lang(lang)
    name = name or ("item" if "item" in gaps.columns else "series")
    need = [name, "gap_median_days", "gap_max_days", "longest_gap_start", "longest_gap_end"]
    require(gaps, need, "gaps_timeline")
    title = label("title_gaps", lang)
    df = gaps.loc[gaps["longest_gap_start"].notna(), need]
    if df.empty:
        return empty_chart(title, lang)
    n_total = len(df)
    df = df.sort_values("gap_max_days", ascending=False, kind="stable").head(max_items).copy()
    df[name] = df[name].astype("str")
    rows = order(df[name])
    tips = [
        tip(name, "plan_item", lang),
        tip("gap_median_days", "median_gap_days", lang, "quantitative", ".1f"),
        tip(
            "gap_max_days",
            None,
            lang,
            "quantitative",
            ".0f",
            title=f"{label('gap_days', lang)} (max)",
        ),
        tip("longest_gap_start", None, lang, "temporal", "%Y-%m-%d", title=_from_to(lang)[0]),
        tip("longest_gap_end", None, lang, "temporal", "%Y-%m-%d", title=_from_to(lang)[1]),
    ]
    # the data on the layer, not on each mark: the same spec without Altair hashing the
    # frame to find that both marks share it
    base = alt.Chart().encode(y=alt.Y(f"{name}:N", sort=rows, title=None), tooltip=tips)
    bar = base.mark_bar(height={"band": 0.5}).encode(
        x=alt.X("longest_gap_start:T", title=label("date", lang), axis=alt.Axis(format="%m-%d")),
        x2=alt.X2("longest_gap_end:T"),
        color=alt.Color(
            "gap_max_days:Q",
            title=label("gap_days", lang),
            scale=alt.Scale(scheme="oranges", domainMin=0),
        ),
    )
    text = base.mark_text(align="right", dx=-6, fontSize=13, color="white").encode(
        x=alt.X("longest_gap_end:T"), text=alt.Text("gap_max_days:Q", format=".0f")
    )
    subtitle = [_gaps_subtitle(lang)]
    if n_total > len(df):
        subtitle.append(label("report_more_rows", lang, n=n_total - len(df)))
    return alt.layer(
        bar,
        text,
        data=df,
        title=alt.Title(title, subtitle=subtitle),
        width=WIDTH,
        height=alt.Step(30),
    )


def _from_to(lang: str) -> tuple[str, str]:
    return ("最长间隔开始", "最长间隔结束") if lang == "zh" else ("Longest gap from", "to")


def _gaps_subtitle(lang: str) -> str:
    if lang == "zh":
        return "每个沟通环节最长的一段无会议间隔(数字为天数)"
    return "Longest stretch without a meeting in each series (number = days)"


_ESC_NEVER = "never"


def escalation_chart(
    distribution: pd.DataFrame, *, lang: str = "zh", threshold_hours: float = 48
) -> alt.LayerChart | alt.Chart:
    """Time from a task turning delayed/blocked to its first meeting, in hour buckets, with the
    48 h rule line; buckets over the limit and "never" in red/grey.

    ``distribution`` is :func:`~collab_analytics.metrics.escalation.escalation_distribution`
    (one group): ``[bucket, lower_hours, upper_hours, episodes, share]``.
    """
    check_lang(lang)
    need = ["bucket", "lower_hours", "upper_hours", "episodes", "share"]
    require(distribution, need, "escalation_chart")
    check_rows(distribution, "escalation_chart")
    title = label("title_escalation", lang)
    if distribution.empty or int(distribution["episodes"].sum()) == 0:
        return empty_chart(title, lang)
    df = distribution[need].copy()
    df["bucket"] = df["bucket"].astype("str")
    never = df["bucket"] == _ESC_NEVER
    within = df["upper_hours"].le(threshold_hours) & ~never
    handled, late, nev = label("within_limit", lang), _over(lang), _never(lang)
    df["kind"] = handled
    df.loc[~within, "kind"] = late
    df.loc[never, "kind"] = nev
    df.loc[never, "bucket"] = nev
    buckets = df["bucket"].tolist()
    base = alt.Chart(df).encode(
        x=alt.X(
            "bucket:N",
            sort=buckets,
            title=label("hours_to_meeting", lang),
            axis=alt.Axis(labelAngle=0),
        ),
        tooltip=[
            tip("bucket", "hours_to_meeting", lang),
            tip("episodes", "count", lang, "quantitative"),
            tip("share", None, lang, "quantitative", ".1%"),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y("episodes:Q", title=label("count", lang)),
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=[handled, late, nev], range=[GOOD, BAD, NEUTRAL]),
        ),
    )
    text = base.mark_text(dy=-8, fontSize=12).encode(
        y=alt.Y("episodes:Q"), text=alt.Text("share:Q", format=".0%")
    )
    layers = [bars, text]
    first_over = df.loc[df["lower_hours"].ge(threshold_hours) & ~never, "bucket"]
    if len(first_over):
        rule = (
            alt.Chart(pd.DataFrame({"b": [first_over.iloc[0]]}))
            .mark_rule(color="#333333", strokeDash=[5, 3], strokeWidth=2)
            .encode(x=alt.X("b:N", sort=buckets, bandPosition=0))
        )
        note = (
            alt.Chart(
                pd.DataFrame({"b": [first_over.iloc[0]], "t": [label("escalation_limit", lang)]})
            )
            .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=12, color="#333333")
            .encode(
                x=alt.X("b:N", sort=buckets, bandPosition=0),
                y=alt.YValue(0),
                text=alt.Text("t:N"),
            )
        )
        layers += [rule, note]
    return alt.layer(*layers, title=title, width=WIDTH, height=300)


def _over(lang: str) -> str:
    return "超过48小时" if lang == "zh" else "Over 48 h"


def _never(lang: str) -> str:
    return "未开会" if lang == "zh" else "No meeting"


def attendance_matrix(
    att: pd.DataFrame,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    max_items: int = MAX_ITEMS,
) -> alt.LayerChart | alt.Chart:
    """Plan item × department attendance rate (colour) with the rate as text.

    ``att`` is :func:`~collab_analytics.metrics.cadence.attendance` (long form). At most
    ``max_items`` plan items are drawn: those holding the lowest attendance rates.
    """
    check_lang(lang)
    need = ["item", "department", "meetings", "attended", "attendance_rate"]
    require(att, need, "attendance_matrix")
    title = label("title_attendance", lang)
    if att.empty:
        return empty_chart(title, lang)
    df = att[need].copy()
    df["item"] = df["item"].astype("str")
    # the items in order of their lowest rate (a stable sort of the rates, each item's
    # first row), on codes
    codes, uniq = pd.factorize(df["item"], use_na_sentinel=False)
    rate = df["attendance_rate"].to_numpy(dtype="float64", na_value=np.nan)
    worst = pd.unique(codes[np.argsort(rate, kind="stable")])
    if len(worst) > max_items:
        keep = np.zeros(len(uniq), dtype=bool)
        keep[worst[:max_items]] = True
        df = df[keep[codes]]
    df["department"] = df["department"].astype("str")
    depts = order(df["department"], departments)
    rows = order(df["item"], items)
    base = alt.Chart().encode(  # the data goes on the layer (no hashing of shared data)
        x=alt.X("department:N", sort=depts, title=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("item:N", sort=rows, title=None),
        tooltip=[
            tip("item", "plan_item", lang),
            tip("department", None, lang),
            tip("meetings", "n_expected", lang, "quantitative"),
            tip("attended", "n_attended", lang, "quantitative"),
            tip("attendance_rate", None, lang, "quantitative", ".0%"),
        ],
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "attendance_rate:Q",
            title=label("attendance_rate", lang),
            scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]),
            legend=alt.Legend(format="%"),
        ),
    )
    text = base.mark_text(fontSize=13).encode(text=alt.Text("attendance_rate:Q", format=".0%"))
    step = max(56, min(100, 600 // max(len(depts), 1)))
    return alt.layer(rect, text, data=df, title=title, width=alt.Step(step), height=alt.Step(34))
