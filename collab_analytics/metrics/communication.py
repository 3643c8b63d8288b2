"""Communication vs outcomes: one table per department, and the whole picture in one call.

:func:`communication_report` runs the cadence, attendance, meeting-load, escalation, action and
RACI metrics on a :class:`~collab_analytics.TrackingData` and joins them per department with the
delivery metrics (delay rate, own delay days) — the view a retrospective uses to ask "did
communication failures go with delays?".

Windows and scope
-----------------
- ``as_of`` defaults to :attr:`TrackingData.as_of` (the latest date in the data).
- A plan item belongs to a project when the plan has a ``project`` column, or when its name
  starts with a project name (the portfolio form ``项目·日常进度同步``). Its expected window runs
  from the project's first planned/actual start to its last planned/actual finish, cut at
  ``as_of``; items of no project use the span of all tasks (or of the meeting log when there are
  no tasks). Pass ``start``/``end`` to override every window.
- "各部门"/"三部门" in an item's participants means every department *of its project* (the
  departments of the project's tasks and of its 参与部门 text); the 项目发起方 is the project's
  sponsor department.

Examples
--------
>>> from collab_analytics.sample import portfolio
>>> from collab_analytics.metrics.communication import communication_report
>>> rep = communication_report(portfolio(n_projects=2, tasks_per_project=10, seed=2))
>>> list(rep.departments.columns[:4])
['department', 'cadence_expected', 'cadence_held', 'cadence_adherence']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from collab_analytics.metrics._cadence_text import _SPONSOR_RE, _text_departments
from collab_analytics.metrics.actions import action_status, action_summary
from collab_analytics.metrics.cadence import (
    attendance,
    attendance_by_department,
    cadence_summary,
    expected_departments,
    match_meetings,
    meeting_load,
    missed_occurrences,
    unplanned_meetings,
)
from collab_analytics.metrics.escalation import (
    escalation_compliance,
    escalation_distribution,
    escalation_episodes,
)
from collab_analytics.metrics.raci import raci_conformance, raci_problems
from collab_analytics.metrics.schedule import expected_occurrences

__all__ = [
    "DEPARTMENT_COLUMNS",
    "CommunicationReport",
    "communication_report",
    "department_communication",
    "plan_windows",
]

#: Columns of :func:`department_communication`.
DEPARTMENT_COLUMNS: tuple[str, ...] = (
    "department",
    "cadence_expected",
    "cadence_held",
    "cadence_adherence",
    "attendance_meetings",
    "attendance_rate",
    "escalation_episodes",
    "escalation_judged",
    "escalation_compliance",
    "actions",
    "action_closure_rate",
    "action_on_time_rate",
    "actions_overdue_open",
    "n_due",
    "delay_rate",
    "own_delay_days",
)


def _plan_projects(plan: pd.DataFrame, projects: Sequence[str]) -> pd.Series:
    """Project of each plan item (``project`` column, else a project name prefixing the item)."""
    if "project" in plan.columns:
        return plan["project"].astype("str").reset_index(drop=True)
    items = plan["item"].astype("str").reset_index(drop=True)
    out = pd.Series([None] * len(plan), dtype="str")
    names = {p for p in projects if isinstance(p, str) and p}
    # longest name first; one look-up per distinct name length, not one scan per project
    for n in sorted({len(p) for p in names}, reverse=True):
        head = items.str.slice(0, n)
        hit = out.isna() & head.isin([p for p in names if len(p) == n])
        out[hit] = head[hit]
    return out


def plan_windows(data, *, as_of=None) -> pd.DataFrame:
    """The plan with ``project``, ``start`` and ``end`` columns (rules in the module doc).

    Returns
    -------
    DataFrame
        The plan's columns plus ``project`` (missing when the item belongs to no project),
        ``start`` and ``end`` (``datetime64[us]``).
    """
    plan = data.plan.reset_index(drop=True)
    T = pd.Timestamp(as_of).normalize() if as_of is not None else data.as_of
    tasks = data.tasks
    projects = list(pd.unique(tasks["project"].dropna())) if "project" in tasks.columns else []
    proj = _plan_projects(plan, projects)
    firsts = tasks[["planned_start", "actual_start"]].min(axis=1) if len(tasks) else None
    lasts = tasks[["planned_finish", "actual_finish"]].max(axis=1) if len(tasks) else None
    if len(tasks):
        overall = (firsts.min(), lasts.max())
    elif len(data.meetings):
        overall = (data.meetings["date"].min(), data.meetings["date"].max())
    else:
        overall = (T, T)
    start = pd.Series(overall[0], index=plan.index, dtype="datetime64[us]")
    end = pd.Series(overall[1], index=plan.index, dtype="datetime64[us]")
    if len(tasks) and "project" in tasks.columns and proj.notna().any():
        span = pd.DataFrame({"project": tasks["project"], "s": firsts, "e": lasts})
        span = span.groupby("project").agg(s=("s", "min"), e=("e", "max"))
        has = proj.notna()
        start[has] = proj[has].map(span["s"]).fillna(overall[0]).to_numpy()
        end[has] = proj[has].map(span["e"]).fillna(overall[1]).to_numpy()
    if T is not None:
        end = end.where(end.isna() | (end <= T), T)
    out = plan.copy()
    out["project"] = proj
    out["start"] = start.dt.normalize().astype("datetime64[us]")
    out["end"] = end.dt.normalize().astype("datetime64[us]")
    return out


def _expected_by_project(data, plan: pd.DataFrame) -> pd.DataFrame:
    """Expected departments per plan item, "all departments" meaning those of its project.

    The same rows as :func:`~collab_analytics.metrics.cadence.expected_departments` called
    once per project of the plan (with that project's departments and sponsor), in plan
    order grouped by project, computed for all projects at once: the participants text is
    matched against every department once, then each row keeps its project's departments.
    """
    all_depts = [d for d in dict.fromkeys(data.departments) if isinstance(d, str) and d]
    if len(plan) == 0 or not all_depts:
        return expected_departments(plan.iloc[:0], all_depts)
    tasks, project = data.tasks, data.project
    key = plan["project"].astype("object").where(plan["project"].notna(), None)
    gcode, uniq = pd.factorize(key, use_na_sentinel=False)  # order of first appearance
    groups = [None if pd.isna(g) else g for g in uniq]
    ng, nd = len(groups), len(all_depts)
    dpos = {d: j for j, d in enumerate(all_depts)}
    # each group's departments in their order (rank) and its sponsor
    rank = np.full((ng, nd), -1, dtype="int64")
    sponsor = np.full(ng, -1, dtype="int64")
    in_plan = [g for g in groups if g is not None]
    t = tasks[["project", "department"]].dropna()
    t = t[t["project"].isin(in_plan)].drop_duplicates()
    p_rows = (
        project[project["project"].isin(in_plan)].reset_index(drop=True)
        if "project" in project.columns and len(project)
        else project.iloc[:0]
    )
    named = (
        _text_departments(p_rows["departments"].astype("str").fillna(""), all_depts)
        if len(p_rows) and "departments" in p_rows.columns
        else None
    )
    gidx = pd.Index(in_plan, dtype=object)
    dcat = pd.CategoricalDtype(all_depts)

    def group_of(projects) -> np.ndarray:  # projects of the plan → group number
        return np.flatnonzero([g is not None for g in groups])[gidx.get_indexer(projects)]

    # (group, department) in order: the project's task departments, then its named ones
    parts = [pd.DataFrame({"g": group_of(t["project"]), "d": t["department"].astype(dcat)})]
    if named is not None and len(named):
        p_proj = p_rows["project"].to_numpy(dtype=object)[named["row"].to_numpy()]
        parts.append(pd.DataFrame({"g": group_of(p_proj), "d": named["department"].astype(dcat)}))
    pairs = pd.concat(parts, ignore_index=True).dropna().drop_duplicates()
    g_of, d_of = pairs["g"].to_numpy(), pairs["d"].cat.codes.to_numpy().astype("int64")
    rank[g_of, d_of] = pairs.groupby("g", sort=False).cumcount().to_numpy()
    none = ~(rank >= 0).any(axis=1)  # no project, or a project without departments: all
    rank[none] = np.arange(nd)
    if len(p_rows) and "sponsor_department" in p_rows.columns:
        sp = p_rows.dropna(subset=["sponsor_department"]).drop_duplicates("project")
        # a sponsor outside the departments gets -1 (no categorical of unknown values)
        sponsor[group_of(sp["project"])] = dcat.categories.get_indexer(
            sp["sponsor_department"].astype("str").astype("object")
        )
    if None in groups and len(project) and "sponsor_department" in project.columns:
        sp = project["sponsor_department"].dropna()
        sponsor[groups.index(None)] = dpos.get(str(sp.iloc[0]), -1) if len(sp) else -1
    # participants text against every department, once
    text = (
        plan["participants"]
        if "participants" in plan.columns
        else pd.Series([""] * len(plan), dtype="str")
    ).reset_index(drop=True)
    pairs = _text_departments(text, all_depts)
    row = pairs["row"].to_numpy(dtype="int64")
    col = np.array([dpos[d] for d in pairs["department"]], dtype="int64")
    norm = text.astype("str").fillna("").str.normalize("NFKC").str.lower()
    is_sp = norm.str.contains(_SPONSOR_RE, regex=True).to_numpy(dtype=bool)
    sp_rows = np.flatnonzero(is_sp & (sponsor[gcode] >= 0))
    row = np.concatenate([row, sp_rows])
    col = np.concatenate([col, sponsor[gcode[sp_rows]]])
    g = gcode[row]
    r = rank[g, col]
    keep = r >= 0  # a department of the row's project
    row, col, g, r = row[keep], col[keep], g[keep], r[keep]
    pos = np.lexsort((r, row, g))
    items = plan["item"].astype("str").to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "g": g[pos],
            "item": items[row[pos]],
            "department": np.asarray(all_depts, dtype=object)[col[pos]],
        }
    )
    out = out.drop_duplicates(["g", "item", "department"]).drop(columns="g")
    out["source"] = "participants"
    return out.astype({"item": "str", "department": "str", "source": "str"}).reset_index(drop=True)


def department_communication(
    *,
    departments: Sequence[str],
    cadence: pd.DataFrame,
    expected: pd.DataFrame,
    attendance_by_dept: pd.DataFrame,
    escalation: pd.DataFrame,
    actions: pd.DataFrame,
    delivery: pd.DataFrame | None = None,
    attribution: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Join the communication metrics and the delivery outcome per department.

    Parameters
    ----------
    departments : sequence of str
        Row order (departments found only in the metric frames are appended).
    cadence : DataFrame
        :func:`~collab_analytics.metrics.cadence.cadence_summary`.
    expected : DataFrame
        :func:`~collab_analytics.metrics.cadence.expected_departments`.
    attendance_by_dept : DataFrame
        :func:`~collab_analytics.metrics.cadence.attendance_by_department`.
    escalation : DataFrame
        :func:`~collab_analytics.metrics.escalation.escalation_compliance` by department.
    actions : DataFrame
        :func:`~collab_analytics.metrics.actions.action_summary` by department.
    delivery, attribution : DataFrame, optional
        ``delivery_summary(tasks, by="department")`` and ``department_attribution(tasks)``.

    Returns
    -------
    DataFrame
        ``[department, cadence_expected, cadence_held, cadence_adherence, attendance_meetings,
        attendance_rate, escalation_episodes, escalation_judged, escalation_compliance,
        actions, action_closure_rate, action_on_time_rate, actions_overdue_open, n_due,
        delay_rate, own_delay_days]``. ``cadence_adherence`` pools the plan items the
        department is expected at: Σ held / Σ expected.
    """
    extra = [
        *expected["department"].dropna(),
        *escalation.get("department", pd.Series([], dtype="str")).dropna(),
        *actions.get("department", pd.Series([], dtype="str")).dropna(),
    ]
    order = list(dict.fromkeys([*departments, *extra]))
    idx = pd.Index(order, name="department", dtype="str")
    ce = expected[["item", "department"]].merge(cadence[["item", "expected", "held"]], on="item")
    cad = ce.groupby("department")[["expected", "held"]].sum().reindex(idx)
    att = attendance_by_dept.set_index("department").reindex(idx)
    esc = escalation.set_index("department").reindex(idx)
    act = actions.set_index("department").reindex(idx)
    out = pd.DataFrame(index=idx)
    out["cadence_expected"] = cad["expected"].fillna(0).astype("int64")
    out["cadence_held"] = cad["held"].fillna(0).astype("int64")
    out["cadence_adherence"] = out["cadence_held"] / out["cadence_expected"].where(
        out["cadence_expected"] > 0
    )
    out["attendance_meetings"] = att["meetings"].fillna(0).astype("int64")
    out["attendance_rate"] = att["attendance_rate"].astype("float64")
    out["escalation_episodes"] = esc["episodes"].fillna(0).astype("int64")
    out["escalation_judged"] = esc["judged"].fillna(0).astype("int64")
    out["escalation_compliance"] = esc["compliance"].astype("float64")
    out["actions"] = act["n_actions"].fillna(0).astype("int64")
    out["action_closure_rate"] = act["closure_rate"].astype("float64")
    out["action_on_time_rate"] = act["on_time_rate"].astype("float64")
    out["actions_overdue_open"] = act["n_overdue_open"].fillna(0).astype("int64")
    if delivery is not None and len(delivery):
        dl = delivery.set_index("department").reindex(idx)
        out["n_due"] = dl["n_due"].fillna(0).astype("int64")
        out["delay_rate"] = dl["delay_rate"].astype("float64")
    else:
        out["n_due"] = np.zeros(len(idx), dtype="int64")
        out["delay_rate"] = np.nan
    if attribution is not None and len(attribution):
        at = attribution.set_index("department").reindex(idx)
        out["own_delay_days"] = at["own_delay_days"].astype("float64")
    else:
        out["own_delay_days"] = np.nan
    out = out.reset_index()
    out["department"] = out["department"].astype("str")
    return out[list(DEPARTMENT_COLUMNS)]


@dataclass(frozen=True)
class CommunicationReport:
    """Every communication metric for one :class:`TrackingData` (see each function for columns).

    Attributes
    ----------
    departments : :func:`department_communication` — the per-department summary.
    plan : plan with ``project``/``start``/``end`` windows (:func:`plan_windows`).
    occurrences : :func:`~collab_analytics.metrics.schedule.expected_occurrences`.
    matches, cadence, missed, unplanned : cadence matching and summary frames.
    expected_departments, attendance, attendance_by_department, meeting_load : participation.
    episodes, escalation, escalation_overall, escalation_distribution : 48-hour rule.
    actions, action_items : action items per department and per item.
    raci_problems, raci_conformance : RACI checks.
    as_of : the as-of day used.
    """

    departments: pd.DataFrame
    plan: pd.DataFrame
    occurrences: pd.DataFrame
    matches: pd.DataFrame
    cadence: pd.DataFrame
    missed: pd.DataFrame
    unplanned: pd.DataFrame
    expected_departments: pd.DataFrame
    attendance: pd.DataFrame
    attendance_by_department: pd.DataFrame
    meeting_load: pd.DataFrame
    episodes: pd.DataFrame
    escalation: pd.DataFrame
    escalation_overall: pd.DataFrame
    escalation_distribution: pd.DataFrame
    actions: pd.DataFrame
    action_items: pd.DataFrame
    raci_problems: pd.DataFrame
    raci_conformance: pd.DataFrame
    as_of: pd.Timestamp | None

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every frame by name (for export)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), pd.DataFrame)
        }


def _delivery(tasks: pd.DataFrame, as_of, calendar, report=None):
    """Delivery outcome per department from the delivery metrics (None when unavailable).

    ``report``: an already computed :class:`~collab_analytics.metrics.report.DeliveryReport`
    whose department attribution (and, when grouped by department, summary) is taken as is.
    """
    if len(tasks) == 0:
        return None, None
    from collab_analytics.calendar import get_calendar
    from collab_analytics.metrics.attribution import department_attribution
    from collab_analytics.metrics.delivery import delivery_summary

    if report is None:
        return (
            delivery_summary(tasks, by="department", as_of=as_of, calendar=calendar),
            department_attribution(tasks, as_of=as_of, calendar=calendar),
        )
    want = get_calendar(calendar).name
    if report.calendar != want:
        msg = (
            f"The delivery report was computed with calendar {report.calendar!r}, but "
            f"delivery_calendar is {want!r}; pass the calendar the report used."
        )
        raise ValueError(msg)
    if (
        as_of is not None
        and report.as_of is not None
        and pd.Timestamp(report.as_of).normalize() != as_of
    ):
        msg = (
            f"The delivery report is as of {report.as_of:%Y-%m-%d}, the communication report "
            f"as of {as_of:%Y-%m-%d}; compute both for the same day."
        )
        raise ValueError(msg)
    if list(report.by) == ["department"]:
        summary = report.summary
    else:
        summary = delivery_summary(tasks, by="department", as_of=as_of, calendar=calendar)
    return summary, report.departments


def communication_report(
    data,
    *,
    as_of=None,
    calendar="cn",
    start=None,
    end=None,
    tolerance_days: int = 1,
    min_similarity: float = 0.5,
    threshold_hours: float = 48,
    hours: str = "calendar",
    delivery_calendar=None,
    raci_limits: dict | None = None,
    lang: str = "en",
    delivery=None,
) -> CommunicationReport:
    """Compute every communication metric of a :class:`TrackingData` in one call.

    Parameters
    ----------
    data : TrackingData
    as_of : date-like, optional
        Default :attr:`TrackingData.as_of`.
    calendar : calendar spec, default ``"cn"``
        Working days for expanding the plan (daily = working days), the matching tolerance and
        working hours.
    start, end : date-like, optional
        Override every plan item's window.
    tolerance_days, min_similarity : see :func:`~collab_analytics.metrics.cadence.match_meetings`.
    threshold_hours, hours : see :func:`~collab_analytics.metrics.escalation.escalation_episodes`.
    delivery_calendar : calendar spec, optional
        Calendar for the delivery metrics (default calendar days, as they default).
    raci_limits : dict, optional
        ``max_r``/``max_c``/``max_i`` for :func:`~collab_analytics.metrics.raci.raci_problems`.
    lang : {"en", "zh"}
        Language of the RACI problem messages.
    delivery : DeliveryReport, optional
        An already computed :func:`~collab_analytics.metrics.report.delivery_report` of the same
        data, as-of day and calendar (``delivery_calendar``): its department attribution and
        department summary are used instead of computing them again (the summary only when
        the report is grouped by department). A report for another day or calendar is refused
        (``ValueError``).

    Returns
    -------
    CommunicationReport
    """
    T = pd.Timestamp(as_of).normalize() if as_of is not None else data.as_of
    plan = plan_windows(data, as_of=T)
    if start is not None:
        plan["start"] = pd.Timestamp(start).normalize()
    if end is not None:
        plan["end"] = pd.Timestamp(end).normalize()
    meetings = data.meetings.reset_index(drop=True)
    if T is not None and len(meetings):
        meetings = meetings[meetings["date"].isna() | (meetings["date"] <= T)].reset_index(
            drop=True
        )
    occ = expected_occurrences(plan, calendar=calendar)
    matches = match_meetings(
        meetings,
        plan,
        occ,
        tolerance_days=tolerance_days,
        min_similarity=min_similarity,
        calendar=calendar,
    )
    cad = cadence_summary(matches, occ, plan=plan)
    exp = _expected_by_project(data, plan)
    depts = data.departments
    att = attendance(matches, meetings, exp, departments=depts)
    att_d = attendance_by_department(att)
    load = meeting_load(meetings, departments=depts)
    updates = data.updates
    if T is not None and len(updates):
        updates = updates[updates["date"].isna() | (updates["date"] < T + pd.Timedelta(days=1))]
    eps = escalation_episodes(
        updates,
        meetings=meetings,
        tasks=data.tasks,
        as_of=T,
        threshold_hours=threshold_hours,
        hours=hours,
        calendar=calendar,
        departments=depts,
    )
    esc = escalation_compliance(eps, by="department")
    act = action_summary(data.actions, by="department", as_of=T, meetings=meetings)
    dl_summary, attribution = _delivery(data.tasks, T, delivery_calendar, delivery)
    table = department_communication(
        departments=depts,
        cadence=cad,
        expected=exp,
        attendance_by_dept=att_d,
        escalation=esc,
        actions=act,
        delivery=dl_summary,
        attribution=attribution,
    )
    return CommunicationReport(
        departments=table,
        plan=plan,
        occurrences=occ,
        matches=matches,
        cadence=cad,
        missed=missed_occurrences(matches, occ),
        unplanned=unplanned_meetings(matches),
        expected_departments=exp,
        attendance=att,
        attendance_by_department=att_d,
        meeting_load=load,
        episodes=eps,
        escalation=esc,
        escalation_overall=escalation_compliance(eps, by=None),
        escalation_distribution=escalation_distribution(eps),
        actions=act,
        action_items=action_status(data.actions, as_of=T, meetings=meetings),
        raci_problems=raci_problems(
            data.raci, tasks=data.tasks, contacts=data.contacts, lang=lang, **(raci_limits or {})
        ),
        raci_conformance=raci_conformance(data.raci, data.tasks, meetings, departments=depts),
        as_of=T,
    )
