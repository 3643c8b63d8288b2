"""Governance views: RACI matrix with violations marked, action-item closure.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.charts.governance import actions_chart
>>> s = pd.DataFrame({"department": ["客服部"], "n_actions": [5], "n_closed": [3],
...                   "n_closed_on_time": [2], "n_overdue_open": [1]})
>>> spec = actions_chart(s, lang="en").to_dict()
>>> spec["encoding"]["color"]["scale"]["domain"]
['Closed on time', 'Closed late', 'Open, overdue', 'Open, not yet due']
>>> spec["encoding"]["x"]["field"]
'n_actions'
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from collab_analytics.charts._common import check_rows, empty_chart, order, props, require, tip
from collab_analytics.charts.theme import BAD, GOOD, NEUTRAL, WIDTH
from collab_analytics.labels import check_lang, label

__all__ = ["actions_chart", "raci_heatmap"]

#: Tasks shown in the RACI heatmap (tasks with problems first).
RACI_MAX_TASKS = 30


def actions_chart(
    summary: pd.DataFrame,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
    by: str = "department",
) -> alt.Chart:
    """Action items per department stacked by state: closed on time, closed late, closed
    without a due date, open past due, open not yet due, open without a due date.

    ``summary`` is :func:`~collab_analytics.metrics.distributions.action_states` with
    ``by="department"`` (long form ``[department, state, n_actions, share]``; preferred), or
    :func:`~collab_analytics.metrics.actions.action_summary`, whose counts are split by
    :func:`~collab_analytics.metrics.distributions.action_states_from_summary` (there,
    "closed late" means "closed, not on time").
    """
    from collab_analytics.metrics.distributions import ACTION_STATES, action_states_from_summary

    check_lang(lang)
    title = label("title_actions", lang)
    if "state" not in summary.columns:
        need = [by, "n_actions", "n_closed", "n_closed_on_time", "n_overdue_open"]
        require(summary, need, "actions_chart")
        summary = action_states_from_summary(summary, by=by)
    require(summary, [by, "state", "n_actions", "share"], "actions_chart")
    check_rows(summary, "actions_chart")
    if summary.empty or int(summary["n_actions"].sum()) == 0:
        return empty_chart(title, lang)
    long = summary[[by, "state", "n_actions", "share"]].copy()
    long[by] = long[by].astype("object").fillna("–").astype("str")
    present = set(long.loc[long["n_actions"] > 0, "state"])
    states = [s for s in ACTION_STATES if s in present]
    long = long[long["state"].isin(states)]
    colours = {
        "closed_on_time": GOOD,
        "closed_late": "#F1CE63",
        "closed_no_due": "#8CD17D",
        "open_overdue": BAD,
        "open_not_due": NEUTRAL,
        "open_no_due": "#D7D7D7",
    }
    names = {p: label(p, lang) for p in states}
    long["state_label"] = long["state"].map(names)
    long["state_order"] = long["state"].map({p: i for i, p in enumerate(states)})
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y(f"{by}:N", sort=order(long[by], departments), title=None),
            x=alt.X("n_actions:Q", title=label("n_actions", lang), stack="zero"),
            color=alt.Color(
                "state_label:N",
                title=None,
                scale=alt.Scale(domain=list(names.values()), range=[colours[s] for s in states]),
            ),
            order=alt.Order("state_order:Q"),
            tooltip=[
                tip(by, None, lang),
                tip("state_label", "outcome", lang),
                tip("n_actions", "count", lang, "quantitative"),
                tip("share", None, lang, "quantitative", ".0%"),
            ],
        )
    )
    return props(chart, title=title, width=WIDTH, height=alt.Step(26))


def raci_heatmap(
    raci: pd.DataFrame,
    problems: pd.DataFrame | None = None,
    *,
    lang: str = "zh",
    departments: Sequence[str] | None = None,
    max_tasks: int = RACI_MAX_TASKS,
) -> alt.LayerChart | alt.Chart:
    """Task × department grid with the R/A/C/I letters; tasks with a RACI problem get a red
    frame and their problems in the tooltip.

    ``raci`` is the canonical long RACI table ``[task_id, task, department, role]``;
    ``problems`` is :func:`~collab_analytics.metrics.raci.raci_problems`. At most
    ``max_tasks`` tasks are drawn, those with problems first.
    """
    check_lang(lang)
    require(raci, ["task", "department", "role"], "raci_heatmap")
    title = label("title_raci", lang)
    if raci.empty:
        return empty_chart(title, lang)
    has_id = "task_id" in raci.columns and raci["task_id"].notna().all()
    key_col = "task_id" if has_id else "task"  # names repeat across projects; ids do not
    flagged_keys = pd.Series([], dtype="str")
    if problems is not None and len(problems):
        require(problems, ["task", "message"], "raci_heatmap")
        pk = "task_id" if has_id and "task_id" in problems.columns else "task"
        p = problems.loc[problems[pk].notna(), [pk, "message"]]
        flagged_keys = pd.Series(pd.unique(p[pk].astype("str")), dtype="str")
    # integer codes of the task keys (one arrow factorize), then the rows of the kept tasks
    # through a boolean look-up table: no per-row string hashing in Python
    codes, uniq = pd.factorize(raci[key_col], sort=False)
    all_keys = pd.Index(uniq).astype("str")
    flag_u = all_keys.isin(flagged_keys) if len(flagged_keys) else None
    if flag_u is not None:
        present = set(all_keys[flag_u].tolist())
        flagged_keys = flagged_keys[flagged_keys.isin(present)]
    n_rest = max(max_tasks - len(flagged_keys), 0)
    rest_pos = np.flatnonzero(~flag_u) if flag_u is not None else np.arange(len(all_keys))
    keep = (list(flagged_keys) + all_keys[rest_pos[:n_rest]].tolist())[:max_tasks]
    n_hidden = len(all_keys) - len(keep)
    lut = np.zeros(len(all_keys) + 1, dtype=bool)  # last slot: missing key (code -1)
    lut[:-1] = all_keys.isin(keep)
    sel = raci.take(np.flatnonzero(lut[codes]))
    cols = [c for c in ("task_id", "task", "department", "role") if c in sel.columns]
    df = sel[cols].copy()
    df["_key"] = df[key_col].astype("str")
    df["task"] = df["task"].astype("str")
    if has_id:
        df["task"] = (df["task_id"].astype("str") + " " + df["task"]).str.strip()
    df["department"] = df["department"].astype("str")
    df["role"] = df["role"].astype("str")
    df = df.drop_duplicates(["_key", "department"])
    check_rows(df, "raci_heatmap")
    if len(flagged_keys):
        p = p[p[pk].astype("str").isin(keep)]
        msgs = (
            p.assign(_key=p[pk].astype("str"), message=p["message"].astype("str"))
            .groupby("_key", sort=False)["message"]
            .agg(" / ".join)
        )
    else:
        msgs = pd.Series([], dtype="str")
    names = df.drop_duplicates("_key").set_index("_key")["task"]
    rows = names.reindex(keep).dropna().tolist()
    df["violation"] = df["_key"].map(msgs).astype("object").fillna("").astype("str")
    df = df.drop(columns=["_key"])
    role_colours = alt.Scale(
        domain=["A", "R", "A/R", "C", "I"],
        range=["#4E79A7", "#59A14F", "#2E7D5B", "#F1CE63", "#D7D7D7"],
    )
    base = alt.Chart(df).encode(
        x=alt.X(
            "department:N",
            sort=order(df["department"], departments),
            title=None,
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("task:N", sort=rows, title=None),
        tooltip=[
            tip("task", None, lang),
            tip("department", None, lang),
            tip("role", None, lang),
            tip("violation", None, lang),
        ],
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("role:N", title=label("role", lang), scale=role_colours)
    )
    text = base.mark_text(fontSize=12).encode(text=alt.Text("role:N"))
    bad = (
        alt.Chart(df[df["violation"] != ""])
        .mark_rect(fill=None, stroke=BAD, strokeWidth=2.5)
        .encode(
            x=alt.X("department:N", sort=order(df["department"], departments)),
            y=alt.Y("task:N", sort=rows),
            tooltip=[tip("violation", None, lang)],
        )
    )
    subtitle = [_raci_subtitle(lang)]
    if n_hidden > 0:
        subtitle.append(label("report_more_rows", lang, n=n_hidden))
    return alt.layer(
        rect,
        text,
        bad,
        title=alt.Title(title, subtitle=subtitle),
        width=alt.Step(80),
        height=alt.Step(22),
    )


def _raci_subtitle(lang: str) -> str:
    if lang == "zh":
        return "红框: 存在 RACI 问题的任务(悬停查看)"
    return "Red frame: the task has a RACI problem (hover for details)"
