"""Rule-based retrospective findings — what went well, what to improve — with evidence.

Each rule reads one metric frame (never raw tables) and emits findings whose text quotes the
numbers, in Chinese or English, and names the chart that shows them. Rules whose frame is not
given are skipped.

Rules (thresholds are keyword options of :func:`findings`):

* ``on_time`` — overall on-time completion rate ≥ ``good_rate`` (went well) or below it.
* ``clean_department`` — a department with ≥ ``min_due`` due tasks and a delay rate of 0.
* ``worst_department`` — the department with the highest delay rate (if > 0).
* ``own_delay_share`` — the department holding the largest share of own delay days
  (≥ ``share_threshold``), from delay attribution.
* ``escalation`` — how many judged delayed/blocked episodes waited more than the limit (or
  never got a meeting); compliance ≥ ``good_rate`` is a good finding.
* ``cadence`` — plan items with missed occurrences ("missed 2 of 6"); items fully held.
* ``handoff_wait`` — the department pair with the longest mean hand-over wait
  (≥ ``wait_days``).
* ``actions`` — action-item closure rate and overdue open actions.
* ``bottleneck_rank`` — the rank-1 department of the bottleneck ranking with its raw
  components (own delay, blocked and hand-over wait days, downstream tasks hit).
* ``long_delays`` — tasks that slipped ``long_delay_days`` days or more (binned histogram).
* ``burnup`` — tasks finished vs planned to be finished by the as-of date.
* ``blocked_peak`` — the most tasks blocked at the same time (status mix).
* ``forecast`` — the P85 forecast finish vs the deadline (chance to meet it ≥ ``good_rate``
  is good) or, without a deadline, vs the last planned finish.
* ``plan_adherence`` — the communication plan's overall adherence (Σ held / Σ expected).
* ``department_on_time`` — departments with ≥ ``min_due`` due tasks and an on-time rate ≥
  ``department_rate`` (those with no delay at all are ``clean_department``).
* ``early_finish`` — tasks finished early: count, the department with most, the earliest one.
* ``cadence_high`` — a plan item with misses but adherence ≥ ``department_rate`` (went well;
  below it the misses are ``cadence`` to improve); a one-off item held as planned is
  ``cadence`` went well too.
* ``attendance`` — departments attending ≥ ``department_rate`` of the meetings they were
  expected at (went well) and the lowest attendance below ``good_rate`` (to improve).
* ``escalation_within`` — how many episodes did reach a meeting within the limit, when
  compliance is below ``good_rate`` (the count that worked, next to the ``escalation`` miss).
* ``actions_closed`` — a closure rate ≥ ``good_rate`` although some actions are overdue.
* ``absent_owner`` — a meeting about a task (``related_tasks``) that the task's owning
  department did not attend (from the ``meetings`` and ``tasks`` tables).

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.findings import findings
>>> att = pd.DataFrame({"department": ["技术部", "客服部"], "own_delay_days": [35.0, 25.0],
...                     "share_of_own_delay": [0.58, 0.42]})
>>> f = findings(attribution=att, lang="en")
>>> f.loc[0, ["polarity", "chart"]].tolist()
['to_improve', 'attribution']
>>> f.loc[0, "text"]
'技术部 accounts for 58% of own delay days (35 of 60 days).'
"""

from __future__ import annotations

import pandas as pd

from collab_analytics.labels import check_lang

__all__ = ["FINDING_COLUMNS", "findings", "takeaways"]

#: Columns of the findings frame.
FINDING_COLUMNS = ("polarity", "rule", "text", "evidence", "chart")

_T = {
    "on_time_good": (
        "整体按时完成率 {rate:.0%}({n_on_time}/{n_due} 个到期任务按时完成)。",
        "Overall on-time completion rate was {rate:.0%} ({n_on_time} of {n_due} due tasks).",
    ),
    "on_time_bad": (
        "整体按时完成率仅 {rate:.0%}:{n_due} 个到期任务中 {n_late} 个延期完成、"
        "{n_overdue_open} 个逾期未完成。",
        "Overall on-time completion rate was only {rate:.0%}: of {n_due} due tasks, {n_late} "
        "finished late and {n_overdue_open} are overdue.",
    ),
    "clean_department": (
        "{department} 的 {n_due} 个到期任务全部按时完成。",
        "{department} finished all {n_due} due tasks on time.",
    ),
    "worst_department": (
        "{department} 延误率最高:{delay_rate:.0%}({n_delayed}/{n_due})。",
        "{department} has the highest delay rate: {delay_rate:.0%} ({n_delayed} of {n_due}).",
    ),
    "own_delay_share": (
        "{department} 占全部自身延误天数的 {share:.0%}({days:.0f}/{total:.0f} 天)。",
        "{department} accounts for {share:.0%} of own delay days ({days:.0f} of {total:.0f} days).",
    ),
    "escalation_bad": (
        "{judged} 次滞后/阻塞中有 {n_over} 次超过 {limit:.0f} 小时才上会讨论"
        "(其中 {never} 次始终未上会)。",
        "{n_over} of {judged} delayed/blocked episodes waited more than {limit:.0f} h for a "
        "meeting ({never} never got one).",
    ),
    "escalation_good": (
        "{judged} 次滞后/阻塞中 {within} 次在 {limit:.0f} 小时内上会处理({rate:.0%})。",
        "{within} of {judged} delayed/blocked episodes reached a meeting within {limit:.0f} h "
        "({rate:.0%}).",
    ),
    "cadence_missed": (
        "「{item}」应开 {expected} 次,未开 {missed} 次。",
        "The {item} was missed {missed} of {expected} times.",
    ),
    "cadence_kept": (
        "「{item}」按计划召开了全部 {expected} 次。",
        "The {item} was held all {expected} times as planned.",
    ),
    "handoff_wait": (
        "{from_department}→{to_department} 的交接平均等待 {mean:.1f} 天({n} 次交接,最长 "
        "{max:.0f} 天)。",
        "Hand-overs {from_department} → {to_department} waited {mean:.1f} days on average "
        "({n} hand-overs, longest {max:.0f} days).",
    ),
    "actions_good": (
        "待办事项关闭率 {rate:.0%}({n_closed}/{n_actions}),无逾期未关闭。",
        "Action items: {rate:.0%} closed ({n_closed} of {n_actions}), none overdue.",
    ),
    "bottleneck_rank": (
        "{department} 是排名第一的瓶颈部门(得分 {score:.2f}):自身延误 {own:.0f} 天、阻塞 "
        "{blocked:.0f} 天、交接等待 {wait:.0f} 天,波及下游 {hit} 个任务。",
        "{department} ranks first as a bottleneck (score {score:.2f}): {own:.0f} own delay "
        "days, {blocked:.0f} days blocked, {wait:.0f} days of hand-over wait, {hit} downstream "
        "tasks hit.",
    ),
    "long_delays": (
        "{n_long}/{n} 个任务延误 {days} 天及以上({share:.0%})。",
        "{n_long} of {n} tasks slipped {days} days or more ({share:.0%}).",
    ),
    "burnup_behind": (
        "截至 {as_of},计划应完成 {planned} 个任务,实际完成 {actual} 个,落后 {gap} 个。",
        "By {as_of}, {planned} tasks were planned to be finished and {actual} were: {gap} behind.",
    ),
    "burnup_ahead": (
        "截至 {as_of},实际完成 {actual} 个任务,不少于计划的 {planned} 个。",
        "By {as_of}, {actual} tasks were finished, at least the {planned} planned.",
    ),
    "blocked_peak": (
        "阻塞任务最多时同时有 {n} 个({date})。",
        "At the peak, {n} tasks were blocked at the same time ({date}).",
    ),
    "forecast_deadline": (
        "按目前完成速度,剩余 {remaining} 个任务有 {p:.0%} 的把握在截止日 {deadline} 前完成"
        "(P85:{p85})。",
        "At the current pace the remaining {remaining} tasks have a {p:.0%} chance to finish by "
        "the deadline {deadline} (P85: {p85}).",
    ),
    "forecast_plan": (
        "按目前完成速度,剩余 {remaining} 个任务有 85% 把握在 {p85} 前完成(计划最晚完成 "
        "{planned})。",
        "At the current pace the remaining {remaining} tasks finish by {p85} with 85% confidence "
        "(last planned finish {planned}).",
    ),
    "plan_adherence": (
        "沟通计划整体执行率 {rate:.0%}(应开 {expected} 次,实开 {held} 次)。",
        "Communication plan adherence was {rate:.0%} ({held} of {expected} planned meetings held).",
    ),
    "department_on_time": (
        "{department} 按时完成率 {rate:.0%}({n_on_time}/{n_due} 个到期任务)。",
        "{department} finished {rate:.0%} of its due tasks on time ({n_on_time} of {n_due}).",
    ),
    "early_finish": (
        "{n_early} 个任务提前完成(其中 {department} {n_department} 个);提前最多的是"
        "「{task}」({task_department}),提前 {days:.0f} 天。",
        "{n_early} tasks finished early ({n_department} of them by {department}); the most "
        "was {task} ({task_department}), {days:.0f} d ahead of plan.",
    ),
    "cadence_once": (
        "「{item}」按计划召开(计划 {expected} 次,实开 {expected} 次)。",
        "The {item} was held as planned ({expected} of {expected}).",
    ),
    "cadence_high": (
        "「{item}」执行率 {rate:.0%}(应开 {expected} 次,实开 {held} 次)。",
        "The {item} was held {rate:.0%} of the time ({held} of {expected}).",
    ),
    "attendance_good": (
        "{department} 出席率 {rate:.0%}(应出席 {meetings} 次,实际 {attended} 次)。",
        "{department} attended {rate:.0%} of its meetings ({attended} of {meetings}).",
    ),
    "attendance_low": (
        "{department} 出席率最低:{rate:.0%}(应出席 {meetings} 次,实际 {attended} 次)。",
        "{department} had the lowest attendance: {rate:.0%} ({attended} of {meetings} meetings).",
    ),
    "escalation_within": (
        "{within}/{judged} 次滞后/阻塞在 {limit:.0f} 小时内上会处理。",
        "{within} of {judged} delayed/blocked episodes reached a meeting within {limit:.0f} h.",
    ),
    "actions_closed": (
        "待办事项关闭率 {rate:.0%}({n_closed}/{n_actions})。",
        "Action items: {rate:.0%} closed ({n_closed} of {n_actions}).",
    ),
    "absent_owner": (
        "{topic}({date})讨论了{department}的任务({tasks}),但{department}未参会。",
        "The {topic} ({date}) discussed {department}'s tasks ({tasks}) without {department}.",
    ),
    "actions_bad": (
        "待办事项关闭率 {rate:.0%}({n_closed}/{n_actions}),{n_overdue} 项逾期未关闭。",
        "Action items: {rate:.0%} closed ({n_closed} of {n_actions}); {n_overdue} open past "
        "their due date.",
    ),
}


def _text(key: str, lang: str, **ev) -> str:
    return _T[key][0 if lang == "zh" else 1].format(**ev)


def _row(polarity, rule, key, lang, chart, **ev):
    return {
        "polarity": polarity,
        "rule": rule,
        "text": _text(key, lang, **ev),
        "evidence": ev,
        "chart": chart,
    }


def _num(v) -> float:
    return float(v) if v is not None and not pd.isna(v) else float("nan")


def findings(
    *,
    delivery: pd.DataFrame | None = None,
    delivery_by_department: pd.DataFrame | None = None,
    attribution: pd.DataFrame | None = None,
    escalation: pd.DataFrame | None = None,
    cadence: pd.DataFrame | None = None,
    handoffs: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
    bottlenecks: pd.DataFrame | None = None,
    slippage_histogram: pd.DataFrame | None = None,
    burnup: pd.DataFrame | None = None,
    status_mix: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    task_delivery: pd.DataFrame | None = None,
    attendance: pd.DataFrame | None = None,
    meetings: pd.DataFrame | None = None,
    tasks: pd.DataFrame | None = None,
    lang: str = "zh",
    good_rate: float = 0.8,
    min_due: int = 3,
    share_threshold: float = 0.4,
    wait_days: float = 3.0,
    limit_hours: float = 48.0,
    long_delay_days: float = 15.0,
    department_rate: float = 0.9,
) -> pd.DataFrame:
    """Findings from metric frames.

    Parameters
    ----------
    delivery : DataFrame, optional
        :func:`~collab_analytics.metrics.delivery.delivery_summary` without ``by`` (one row).
    delivery_by_department : DataFrame, optional
        ``delivery_summary(by="department")``.
    attribution : DataFrame, optional
        :func:`~collab_analytics.metrics.attribution.department_attribution`.
    escalation : DataFrame, optional
        :func:`~collab_analytics.metrics.escalation.escalation_compliance` with ``by=None``
        (one row: ``judged, within, late, never, compliance``).
    cadence : DataFrame, optional
        :func:`~collab_analytics.metrics.cadence.cadence_summary`.
    handoffs : DataFrame, optional
        :func:`~collab_analytics.metrics.handoffs.handoff_summary` with ``by="pair"``.
    actions : DataFrame, optional
        :func:`~collab_analytics.metrics.actions.action_summary` without ``by`` (one row).
    bottlenecks : DataFrame, optional
        :func:`~collab_analytics.metrics.bottleneck.bottleneck_ranking`.
    slippage_histogram : DataFrame, optional
        :func:`~collab_analytics.metrics.distributions.slippage_histogram` without ``by``.
    burnup : DataFrame, optional
        :func:`~collab_analytics.metrics.progress.burnup`.
    status_mix : DataFrame, optional
        :func:`~collab_analytics.metrics.progress.status_mix`.
    forecast : DataFrame, optional
        The one-row ``summary`` of :func:`~collab_analytics.metrics.forecast.forecast_finish`.
    task_delivery : DataFrame, optional
        :func:`~collab_analytics.metrics.delivery.task_delivery` (``is_early``, ``delay_days``).
    attendance : DataFrame, optional
        :func:`~collab_analytics.metrics.cadence.attendance_by_department`.
    meetings, tasks : DataFrame, optional
        The canonical ``meetings`` (``date, topic, related_tasks, departments``) and ``tasks``
        (``task_id, task, department``) tables, both needed for ``absent_owner``.
    lang : {"zh", "en"}
    good_rate, min_due, share_threshold, wait_days, limit_hours, long_delay_days, \
department_rate
        Rule thresholds (see the module docstring).

    Returns
    -------
    DataFrame
        ``[polarity, rule, text, evidence, chart]``: ``polarity`` is ``"went_well"`` or
        ``"to_improve"``; ``evidence`` a dict of the numbers quoted in ``text``; ``chart`` the
        key of the chart that shows them (see :data:`collab_analytics.charts.CHART_KEYS`).
    """
    check_lang(lang)
    rows: list[dict] = []
    if delivery is not None and len(delivery) and int(delivery["n_due"].iloc[0]) > 0:
        r = delivery.iloc[0]
        ev = {
            "rate": _num(r["on_time_rate"]),
            "n_on_time": int(r["n_on_time"]),
            "n_due": int(r["n_due"]),
            "n_late": int(r["n_late"]),
            "n_overdue_open": int(r["n_overdue_open"]),
        }
        good = ev["rate"] >= good_rate
        rows.append(
            _row(
                "went_well" if good else "to_improve",
                "on_time",
                "on_time_good" if good else "on_time_bad",
                lang,
                "delivery_by_period",
                **ev,
            )
        )
    if delivery_by_department is not None and len(delivery_by_department):
        d = delivery_by_department[delivery_by_department["n_due"] > 0]
        clean = d[(d["n_due"] >= min_due) & (d["delay_rate"] == 0)]
        for dept, n_due in zip(clean["department"], clean["n_due"], strict=True):
            rows.append(
                _row(
                    "went_well",
                    "clean_department",
                    "clean_department",
                    lang,
                    "delivery_by_department",
                    department=str(dept),
                    n_due=int(n_due),
                )
            )
        rate = d["on_time_rate"] if "on_time_rate" in d.columns else pd.Series(0.0, index=d.index)
        fine = d[(d["n_due"] >= min_due) & (d["delay_rate"] > 0) & (rate >= department_rate)]
        for _, r in fine.iterrows():  # a handful of departments
            rows.append(
                _row(
                    "went_well",
                    "department_on_time",
                    "department_on_time",
                    lang,
                    "delivery_by_department",
                    department=str(r["department"]),
                    rate=_num(r["on_time_rate"]),
                    n_on_time=int(r["n_on_time"]),
                    n_due=int(r["n_due"]),
                )
            )
        if len(d) and d["delay_rate"].max() > 0:
            w = d.loc[d["delay_rate"].idxmax()]
            rows.append(
                _row(
                    "to_improve",
                    "worst_department",
                    "worst_department",
                    lang,
                    "delivery_by_department",
                    department=str(w["department"]),
                    delay_rate=_num(w["delay_rate"]),
                    n_delayed=int(w["n_late"] + w["n_overdue_open"]),
                    n_due=int(w["n_due"]),
                )
            )
    if attribution is not None and len(attribution):
        total = float(attribution["own_delay_days"].sum())
        if total > 0:
            top = attribution.loc[attribution["own_delay_days"].idxmax()]
            share = _num(top["share_of_own_delay"])
            if share >= share_threshold:
                rows.append(
                    _row(
                        "to_improve",
                        "own_delay_share",
                        "own_delay_share",
                        lang,
                        "attribution",
                        department=str(top["department"]),
                        share=share,
                        days=float(top["own_delay_days"]),
                        total=total,
                    )
                )
    if escalation is not None and len(escalation) and int(escalation["judged"].iloc[0]) > 0:
        r = escalation.iloc[0]
        judged, within = int(r["judged"]), int(r["within"])
        never = int(r["never"])
        n_over = judged - within
        rate = within / judged
        if rate >= good_rate:
            rows.append(
                _row(
                    "went_well",
                    "escalation",
                    "escalation_good",
                    lang,
                    "escalation",
                    judged=judged,
                    within=within,
                    rate=rate,
                    limit=limit_hours,
                )
            )
        else:
            if within > 0:
                rows.append(
                    _row(
                        "went_well",
                        "escalation_within",
                        "escalation_within",
                        lang,
                        "escalation",
                        within=within,
                        judged=judged,
                        limit=limit_hours,
                    )
                )
            rows.append(
                _row(
                    "to_improve",
                    "escalation",
                    "escalation_bad",
                    lang,
                    "escalation",
                    judged=judged,
                    n_over=n_over,
                    never=never,
                    limit=limit_hours,
                )
            )
    if cadence is not None and len(cadence):
        c = cadence[cadence["expected"] > 0]
        bad = c[c["missed"] > 0].sort_values("missed", ascending=False, kind="stable")
        if {"adherence", "held"} <= set(c.columns):
            high = bad["adherence"] >= department_rate
            for _, r in bad[high].iterrows():  # a handful of plan items
                rows.append(
                    _row(
                        "went_well",
                        "cadence_high",
                        "cadence_high",
                        lang,
                        "cadence",
                        item=str(r["item"]),
                        rate=_num(r["adherence"]),
                        held=int(r["held"]),
                        expected=int(r["expected"]),
                    )
                )
            bad = bad[~high]
        for item, missed, expected in zip(bad["item"], bad["missed"], bad["expected"], strict=True):
            rows.append(
                _row(
                    "to_improve",
                    "cadence",
                    "cadence_missed",
                    lang,
                    "cadence",
                    item=str(item),
                    missed=int(missed),
                    expected=int(expected),
                )
            )
        kept = c[c["missed"] == 0]
        for item, expected in zip(kept["item"], kept["expected"], strict=True):
            rows.append(
                _row(
                    "went_well",
                    "cadence",
                    "cadence_kept" if expected >= min_due else "cadence_once",
                    lang,
                    "cadence",
                    item=str(item),
                    expected=int(expected),
                )
            )
    if handoffs is not None and len(handoffs) and handoffs["mean_wait_days"].notna().any():
        top = handoffs.loc[handoffs["mean_wait_days"].idxmax()]
        if _num(top["mean_wait_days"]) >= wait_days:
            rows.append(
                _row(
                    "to_improve",
                    "handoff_wait",
                    "handoff_wait",
                    lang,
                    "handoffs",
                    from_department=str(top["from_department"]),
                    to_department=str(top["to_department"]),
                    mean=_num(top["mean_wait_days"]),
                    n=int(top["n_handoffs"]),
                    max=_num(top["max_wait_days"]),
                )
            )
    if actions is not None and len(actions) and int(actions["n_actions"].iloc[0]) > 0:
        r = actions.iloc[0]
        ev = {
            "rate": _num(r["closure_rate"]),
            "n_closed": int(r["n_closed"]),
            "n_actions": int(r["n_actions"]),
            "n_overdue": int(r["n_overdue_open"]),
        }
        if ev["n_overdue"] == 0 and ev["rate"] >= good_rate:
            rows.append(_row("went_well", "actions", "actions_good", lang, "actions", **ev))
        elif ev["n_overdue"] > 0:
            if ev["rate"] >= good_rate:
                closed = {k: ev[k] for k in ("rate", "n_closed", "n_actions")}
                rows.append(
                    _row("went_well", "actions_closed", "actions_closed", lang, "actions", **closed)
                )
            rows.append(_row("to_improve", "actions", "actions_bad", lang, "actions", **ev))
    rows += _progress_rules(
        bottlenecks,
        slippage_histogram,
        burnup,
        status_mix,
        forecast,
        cadence,
        lang,
        good_rate=good_rate,
        long_delay_days=long_delay_days,
    )
    rows += _balance_rules(
        task_delivery,
        attendance,
        meetings,
        tasks,
        lang,
        good_rate=good_rate,
        department_rate=department_rate,
    )
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    for c in ("polarity", "rule", "text", "chart"):
        out[c] = out[c].astype("str")
    out["evidence"] = out["evidence"].astype("object")
    return out


def _day(v) -> str:
    return f"{pd.Timestamp(v):%Y-%m-%d}"


def _progress_rules(
    bottlenecks, hist, burnup, mix, forecast, cadence, lang, *, good_rate, long_delay_days
) -> list[dict]:
    """Rules on the ranking, the slippage histogram, progress, forecast and plan adherence."""
    rows: list[dict] = []
    if bottlenecks is not None and len(bottlenecks):
        top = bottlenecks.sort_values("rank", kind="stable").iloc[0]
        if _num(top["score"]) > 0:
            rows.append(
                _row(
                    "to_improve",
                    "bottleneck_rank",
                    "bottleneck_rank",
                    lang,
                    "bottleneck",
                    department=str(top["department"]),
                    score=_num(top["score"]),
                    own=_num(top["own_delay_days"]),
                    blocked=_num(top["blocked_days"]),
                    wait=_num(top["handoff_wait_days"]),
                    hit=int(top["downstream_tasks_hit"]),
                )
            )
    if hist is not None and len(hist) and int(hist["n_tasks"].sum()) > 0:
        n = int(hist["n_tasks"].sum())
        n_long = int(hist.loc[hist["lower_days"] >= long_delay_days, "n_tasks"].sum())
        if n_long:
            rows.append(
                _row(
                    "to_improve",
                    "long_delays",
                    "long_delays",
                    lang,
                    "slippage_histogram",
                    n_long=n_long,
                    n=n,
                    days=f"{long_delay_days:g}",
                    share=n_long / n,
                )
            )
    if burnup is not None and len(burnup) and burnup["actual_done"].notna().any():
        last = burnup[burnup["actual_done"].notna()].iloc[-1]
        planned, actual = int(last["planned_done"]), int(last["actual_done"])
        ahead = actual >= planned
        rows.append(
            _row(
                "went_well" if ahead else "to_improve",
                "burnup",
                "burnup_ahead" if ahead else "burnup_behind",
                lang,
                "burnup",
                as_of=_day(last["date"]),
                planned=planned,
                actual=actual,
                gap=planned - actual,
            )
        )
    if mix is not None and len(mix):
        b = mix[mix["status"].astype("object") == "blocked"]
        if len(b) and int(b["n_tasks"].max()) > 0:
            peak = b.loc[b["n_tasks"].idxmax()]
            rows.append(
                _row(
                    "to_improve",
                    "blocked_peak",
                    "blocked_peak",
                    lang,
                    "status_mix",
                    n=int(peak["n_tasks"]),
                    date=_day(peak["date"]),
                )
            )
    if forecast is not None and len(forecast) and pd.notna(forecast["p85"].iloc[0]):
        f = forecast.iloc[0]
        ev = {"remaining": int(f["remaining_tasks"]), "p85": _day(f["p85"])}
        if pd.notna(f.get("deadline")) and pd.notna(f.get("p_meet_deadline")):
            p = _num(f["p_meet_deadline"])
            rows.append(
                _row(
                    "went_well" if p >= good_rate else "to_improve",
                    "forecast",
                    "forecast_deadline",
                    lang,
                    "forecast",
                    deadline=_day(f["deadline"]),
                    p=p,
                    **ev,
                )
            )
        elif burnup is not None and len(burnup) and ev["remaining"] > 0:
            final = burnup["planned_done"].max()
            planned = burnup.loc[burnup["planned_done"] >= final, "date"].min()
            ok = pd.Timestamp(f["p85"]) <= planned
            rows.append(
                _row(
                    "went_well" if ok else "to_improve",
                    "forecast",
                    "forecast_plan",
                    lang,
                    "forecast",
                    planned=_day(planned),
                    **ev,
                )
            )
    if cadence is not None and len(cadence) and {"expected", "held"} <= set(cadence.columns):
        exp, held = int(cadence["expected"].sum()), int(cadence["held"].sum())
        if exp > 0:
            rate = held / exp
            rows.append(
                _row(
                    "went_well" if rate >= good_rate else "to_improve",
                    "plan_adherence",
                    "plan_adherence",
                    lang,
                    "cadence",
                    rate=rate,
                    expected=exp,
                    held=held,
                )
            )
    return rows


def _meetings_missing_owner_department(meetings: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Meetings about a task (``related_tasks``) that the task's owning department missed.

    One row per meeting and absent department: ``[meeting, date, topic, department, task_ids,
    tasks]`` (``meeting`` is the meetings row label; ``task_ids``/``tasks`` the related tasks
    of that department, joined with 、), in meeting order.

    >>> import pandas as pd
    >>> m = pd.DataFrame({"date": pd.to_datetime(["2024-08-08"]), "topic": ["需求变更沟通会"],
    ...                   "related_tasks": [["T15", "T39"]], "departments": [["产品部"]]})
    >>> t = pd.DataFrame({"task_id": ["T15", "T39"], "task": ["知识库接口开发", "文档更新"],
    ...                   "department": ["技术部", "产品部"]})
    >>> _meetings_missing_owner_department(m, t)[["department", "tasks"]].to_dict("records")
    [{'department': '技术部', 'tasks': '知识库接口开发'}]
    """
    cols = ["meeting", "date", "topic", "department", "task_ids", "tasks"]
    need = {"related_tasks", "departments", "date", "topic"}
    if len(meetings) == 0 or len(tasks) == 0 or not need <= set(meetings.columns):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    rel = (
        meetings[["date", "topic", "related_tasks"]]
        .rename_axis("meeting")
        .reset_index()
        .explode("related_tasks")
        .dropna(subset=["related_tasks"])
    )
    rel["related_tasks"] = rel["related_tasks"].astype("str")
    own = tasks[["task_id", "task", "department"]].dropna(subset=["task_id", "department"])
    j = rel.merge(own, left_on="related_tasks", right_on="task_id", how="inner")
    att = (
        meetings["departments"]
        .rename_axis("meeting")
        .reset_index()
        .explode("departments")
        .dropna()
        .rename(columns={"departments": "department"})
        .assign(_present=True)
        .drop_duplicates(["meeting", "department"])
    )
    j = j.merge(att, on=["meeting", "department"], how="left")
    j = j[j["_present"].isna()]
    if j.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = (
        j.groupby(["meeting", "department"], sort=True)
        .agg(
            date=("date", "first"),
            topic=("topic", "first"),
            task_ids=("task_id", "、".join),
            tasks=("task", "、".join),
        )
        .reset_index()
    )
    return out[cols]


def _balance_rules(
    task_delivery, attendance, meetings, tasks, lang, *, good_rate, department_rate
) -> list[dict]:
    """Early finishes, attendance and meetings held without the owning department."""
    rows: list[dict] = []
    td = task_delivery
    if td is not None and len(td) and {"is_early", "delay_days"} <= set(td.columns):
        early = td[td["is_early"].fillna(False).astype(bool)]
        if len(early):
            per_dept = early["department"].value_counts(sort=True)
            best = early.loc[early["delay_days"].idxmin()]
            rows.append(
                _row(
                    "went_well",
                    "early_finish",
                    "early_finish",
                    lang,
                    "gantt",
                    n_early=len(early),
                    department=str(per_dept.index[0]),
                    n_department=int(per_dept.iloc[0]),
                    task=str(best["task"]),
                    task_department=str(best["department"]),
                    days=-_num(best["delay_days"]),
                )
            )
    if attendance is not None and len(attendance):
        a = attendance[attendance["meetings"] > 0]
        good = a[a["attendance_rate"] >= department_rate].sort_values(
            "attendance_rate", ascending=False, kind="stable"
        )
        for _, r in good.iterrows():  # a handful of departments
            rows.append(
                _row(
                    "went_well",
                    "attendance",
                    "attendance_good",
                    lang,
                    "attendance",
                    department=str(r["department"]),
                    rate=_num(r["attendance_rate"]),
                    meetings=int(r["meetings"]),
                    attended=int(r["attended"]),
                )
            )
        if len(a) and a["attendance_rate"].min() < good_rate:
            r = a.loc[a["attendance_rate"].idxmin()]
            rows.append(
                _row(
                    "to_improve",
                    "attendance",
                    "attendance_low",
                    lang,
                    "attendance",
                    department=str(r["department"]),
                    rate=_num(r["attendance_rate"]),
                    meetings=int(r["meetings"]),
                    attended=int(r["attended"]),
                )
            )
    if meetings is not None and tasks is not None:
        miss = _meetings_missing_owner_department(meetings, tasks)
        for _, r in miss.iterrows():  # few rows: one per meeting and absent department
            date = f"{pd.Timestamp(r['date']):%m-%d}" if pd.notna(r["date"]) else "?"
            rows.append(
                _row(
                    "to_improve",
                    "absent_owner",
                    "absent_owner",
                    lang,
                    "attendance",
                    topic=str(r["topic"]),
                    date=date,
                    department=str(r["department"]),
                    tasks=str(r["tasks"]),
                )
            )
    return rows


def takeaways(found: pd.DataFrame) -> dict[str, str]:
    """The first finding per chart key — "to improve" first — as each chart's takeaway.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"polarity": ["went_well", "to_improve"], "rule": ["a", "b"],
    ...                   "text": ["good", "bad"], "evidence": [{}, {}],
    ...                   "chart": ["cadence", "cadence"]})
    >>> takeaways(f)
    {'cadence': 'bad'}
    """
    if found.empty:
        return {}
    ranked = found.assign(_p=(found["polarity"] != "to_improve").astype(int))
    ranked = ranked.sort_values("_p", kind="stable").drop_duplicates("chart")
    return dict(zip(ranked["chart"], ranked["text"], strict=True))
