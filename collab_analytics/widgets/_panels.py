"""What each dashboard tab shows: which metric functions feed which chart builders.

Pure wiring. A tab's ``compute`` calls the metric layer once for the restricted data and
returns named frames; each :class:`Panel` hands one or more of those frames to a chart builder.
Nothing here computes a metric or draws a mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from collab_analytics import charts
from collab_analytics.charts.theme import enable_theme
from collab_analytics.export.content import ChartItem, ReportContent
from collab_analytics.export.report import headline
from collab_analytics.labels import label, status_label
from collab_analytics.metrics import _cadence_codes as _cad_codes
from collab_analytics.metrics import _cadence_expected as _cad_expected
from collab_analytics.metrics import actions as _act
from collab_analytics.metrics import attribution as _att
from collab_analytics.metrics import bottleneck as _bn
from collab_analytics.metrics import cadence as _cad
from collab_analytics.metrics import communication as _comm
from collab_analytics.metrics import delivery, forecast, progress
from collab_analytics.metrics import delivery as _dl
from collab_analytics.metrics import escalation as _esc
from collab_analytics.metrics import handoffs as _ho
from collab_analytics.metrics import schedule as _sched
from collab_analytics.metrics._common import DayCounter, dependency_edges
from collab_analytics.metrics.distributions import slippage_histogram
from collab_analytics.metrics.raci import raci_problems
from collab_analytics.metrics.report import _shared_log, delivery_report
from collab_analytics.metrics.schedule import expected_occurrences
from collab_analytics.widgets._filter import ScopedData
from collab_analytics.widgets._text import text

__all__: list[str] = []  # private module

#: Simulations of the Monte Carlo forecast in the dashboard (the report uses more).
FORECAST_SIMS = 2000


def enable_chart_theme() -> None:
    """Fonts and sizes of the toolkit's theme for every chart shown in the notebook."""
    enable_theme()


@dataclass(frozen=True)
class Panel:
    """One chart of a tab: ``build(frames, ctx) -> chart``."""

    key: str
    build: Callable


def _opts(ctx) -> dict:
    return {"as_of": ctx.as_of, "calendar": ctx.calendar}


# ---------------------------------------------------------------------------- compute
# Each tab computes only the metric frames it shows. The communication tabs call the pieces of
# :func:`~collab_analytics.metrics.communication.communication_report` they need, with the
# report's own arguments (tests check the frames equal the report's): the cadence tab never
# pays for the 48-hour rule, the escalation tab never expands the plan.

#: Options of ``communication_report`` the dashboard keeps at their defaults.
_TOLERANCE_DAYS, _MIN_SIMILARITY, _THRESHOLD_HOURS = 1, 0.5, 48
#: The plan always expands over Chinese working days ("daily" = working days); the day mode
#: switch applies to delivery durations and to escalation hours.
_PLAN_CALENDAR = "cn"


def _as_of_day(ctx) -> pd.Timestamp | None:
    return ctx.as_of.normalize() if ctx.as_of is not None else ctx.data.as_of


#: The columns of the updates log the status mix and the 48-hour rule read (one slice shared by
#: the delivery and escalation tabs; the notes and progress values are not sliced).
_UPDATE_LOG = ("date", "task_id", "task", "status", "department")


def _columns(data, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """The ``columns`` a restricted table has, in its order (a reader that needs a few
    columns of a wide table does not pay for slicing the others)."""
    if isinstance(data, ScopedData):
        return data.table(name, columns)
    frame = data.table(name)
    return frame[[c for c in frame.columns if c in columns]]


def _meetings_until(data, T, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The meeting log up to the as-of day, as ``communication_report`` reads it (only
    ``columns`` when given, see :func:`_columns`)."""
    meetings = data.meetings if columns is None else _columns(data, "meetings", columns)
    meetings = meetings.reset_index(drop=True)
    if T is not None and len(meetings):
        keep = (meetings["date"].isna() | (meetings["date"] <= T)).to_numpy()
        if not keep.all():  # usually nothing is after the as-of day: no copy then
            meetings = meetings[keep].reset_index(drop=True)
    return meetings


def _compute_delivery(ctx) -> dict:
    tasks = ctx.data.tasks
    out = {
        "by_department": delivery.delivery_summary(tasks, by="department", **_opts(ctx)),
        "by_month": delivery.delivery_summary(tasks, by="month", **_opts(ctx)),
        "slippage": delivery.slippage(tasks, by="department", **_opts(ctx)),
        # the status mix reads the updates' task key, date and status only
        "status_mix": progress.status_mix(
            _columns(ctx.data, "updates", _UPDATE_LOG), as_of=ctx.as_of
        ),
    }
    if ctx.show_owners:  # person level: opt-in, small groups hidden by the metric layer
        out["by_owner"] = delivery.delivery_summary(
            tasks, by=["department", "owner"], min_group_size=ctx.min_group_size, **_opts(ctx)
        )
    return out


def _compute_bottlenecks(ctx) -> dict:
    """The ranking, department attribution, hand-over pairs, blocked time and slippage
    histogram: the steps of :func:`delivery_report` these need, with its building blocks and
    arguments (a test checks the frames equal the report's), without the summary, slippage
    and per-task tables or the update-history hand-overs this tab does not show."""
    tasks, updates = ctx.data.tasks, ctx.data.updates
    if len(tasks) == 0:  # the report's own empty-input path
        rep = delivery_report(ctx.data, progress=False, forecast_sims=FORECAST_SIMS, **_opts(ctx))
        return {
            "bottlenecks": rep.bottlenecks,
            "attribution": rep.departments,
            "handoff_pairs": rep.handoff_pairs,
            "blocked_by_department": rep.blocked_by_department,
            "slippage_histogram": slippage_histogram(rep.tasks),
        }
    counter = DayCounter(ctx.calendar)
    arr = _dl.delivery_arrays(tasks, as_of=ctx.as_of, updates=updates, counter=counter)
    edges = dependency_edges(tasks)
    att = _att.attribution_arrays(tasks, arr, edges)
    dept = (att.dept_codes, att.departments)
    hand = _ho.handoff_arrays(tasks, arr, edges, att.dept_codes, att.departments)
    log, _dcode, _duniq = _shared_log(updates)
    blocked, bcodes = _bn._blocked_tables(updates, tasks, arr.as_of, counter, log, dept)
    blocked_dept = _bn._blocked_by_department(blocked, bcodes, att.departments)
    departments = _att._department_frame(arr, att)
    ranking = _bn._ranking(
        tasks, arr, att, hand, blocked_dept, _bn.check_weights(None), departments
    )
    if len(hand.src):
        pairs = _ho.summarize_arrays(hand, att.dept_codes, att.departments, "pair")
    else:
        pairs = _ho.summarize_waits(_ho._handoff_frame(tasks, hand, dept), "pair")
    return {
        "bottlenecks": ranking,
        "attribution": departments,
        "handoff_pairs": pairs,
        "blocked_by_department": blocked_dept,
        # the histogram reads the per-task delays only
        "slippage_histogram": slippage_histogram(pd.DataFrame({"delay_days": arr.delay_days})),
    }


def _source(data):
    """The whole dataset behind the (possibly restricted) data."""
    return data.source if isinstance(data, ScopedData) else data


def _per_dataset(ctx, key: tuple, make: Callable):
    """``make()`` computed once per dataset (kept in ``ctx.cache`` when there is one)."""
    if ctx.cache is None:
        return make()
    if key not in ctx.cache:
        ctx.cache[key] = make()
    return ctx.cache[key]


def _full_assignment(ctx):
    """Every meeting of the whole dataset assigned to the whole plan's items (once per
    dataset: a meeting's assignment depends on its own topic and plan item only), the rules
    as codes (cheaper to slice and compare than names)."""
    source = _source(ctx.data)

    def make():
        items = _cad._plan_items(source.plan)
        idx, rule, sim, best = _cad._assignment(source.meetings, items, _MIN_SIMILARITY)
        return items, (idx, _cad._rule_codes(rule), sim, best)

    return _per_dataset(ctx, ("cadence_assignment", _MIN_SIMILARITY), make)


def _key_order(ctx, rows: np.ndarray) -> np.ndarray:
    """The selection's meetings (positions in ``rows``) with a plan item and a date in the
    whole dataset's (item, day) order (sorted once per dataset): a hint for the matching,
    which checks it (it is the selection's own order whenever the selection's items keep
    their order and no meeting changed item)."""
    date = _meeting_log(ctx)["date"]

    def make():
        item = _full_assignment(ctx)[1][0]
        valid = np.flatnonzero((item >= 0) & ~np.isnat(date))
        day = date[valid].astype("datetime64[D]").astype("int64")
        return valid[np.lexsort((day, item[valid]))]

    whole = _per_dataset(ctx, ("cadence_key_order",), make)
    where = np.full(len(date), -1, dtype="int64")
    where[rows] = np.arange(len(rows))
    got = where[whole]
    return got[got >= 0]


def _meeting_log(ctx) -> dict:
    """What the cadence tab reads of every meeting of the whole dataset, once: the raw dates
    (the as-of cut), the matching arrays and the departments each meeting lists."""
    source = _source(ctx.data)

    def make():
        m = source.meetings
        return {
            "date": m["date"].to_numpy(dtype="datetime64[us]"),
            "arrays": _cad._meeting_arrays(m),
            "listed": _cad._meeting_list_depts(m),
        }

    return _per_dataset(ctx, ("cadence_meetings",), make)


def _kept_meetings(ctx, T) -> np.ndarray:
    """Positions (in the whole log) of the selection's meetings up to the as-of day, as
    :func:`_meetings_until` keeps them."""
    data = ctx.data
    date = _meeting_log(ctx)["date"]
    pos = data.positions("meetings") if isinstance(data, ScopedData) else None
    if pos is None:
        pos = np.arange(len(date))
    if T is not None and len(pos):
        d = date[pos]
        keep = np.isnat(d) | (d <= np.datetime64(T.to_datetime64(), "us"))
        if not keep.all():
            pos = pos[keep]
    return pos


def _full_expansion(ctx, T):
    """The whole plan's expected occurrences over the whole data's windows at the as-of day
    (once per dataset and as-of day): a selection's windows are cut from it."""
    source = _source(ctx.data)

    def make():
        plan = _comm.plan_windows(source, as_of=T)
        if len(plan) == 0:
            return None
        return _sched._expansion(plan, calendar=_PLAN_CALENDAR)

    return _per_dataset(ctx, ("cadence_expansion", T, _PLAN_CALENDAR), make)


def _plan_windows(ctx, T) -> pd.DataFrame:
    """``plan_windows`` of the restricted data, derived from the whole dataset's project
    codes and task spans (built once per dataset) and the selection's rows."""
    data = ctx.data
    if not isinstance(data, ScopedData) or ctx.cache is None:
        return _comm.plan_windows(data, as_of=T)
    source = data.source
    index = _per_dataset(
        ctx, ("plan_windows",), lambda: _sched._window_index(source.tasks, source.plan)
    )
    prow = data.positions("plan")
    trow = data.positions("tasks")
    got = _sched._windows_within(
        index,
        data.plan,
        np.arange(len(source.plan)) if prow is None else prow,
        np.arange(len(source.tasks)) if trow is None else trow,
        T,
    )
    return _comm.plan_windows(data, as_of=T) if got is None else got


def _expected(ctx, plan: pd.DataFrame) -> pd.DataFrame:
    """Expected departments per plan item of the restricted data, derived from the whole
    dataset's department codes (built once per dataset) and the selection's rows."""
    data = ctx.data
    if not isinstance(data, ScopedData) or ctx.cache is None:
        return _comm._expected_by_project(data, plan)
    source = data.source
    index = _per_dataset(ctx, ("cadence_expected",), lambda: _cad_expected._expected_index(source))
    got = None
    if index is not None:

        def rows(name: str) -> np.ndarray:
            pos = data.positions(name)
            return np.arange(len(source.table(name))) if pos is None else pos

        got = _cad_expected._expected_within(
            index, plan, rows("plan"), data.departments, rows("tasks"), rows("project")
        )
    return _comm._expected_by_project(data, plan) if got is None else got


class _Frames(Mapping):
    """A tab's frames, some built on first access (``later``: name -> function): a frame no
    chart reads (the cadence tab's per-meeting matches) is not built on a filter change,
    and is the same frame when read."""

    def __init__(self, ready: dict, later: dict[str, Callable[[], pd.DataFrame]]):
        self._ready = dict(ready)
        self._later = dict(later)
        self._order = [*later, *ready]

    def __getitem__(self, key: str):
        if key not in self._ready:
            if key not in self._later:
                raise KeyError(key)
            self._ready[key] = self._later.pop(key)()
        return self._ready[key]

    def __contains__(self, key) -> bool:  # without building (Mapping's reads the value)
        return key in self._ready or key in self._later

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __repr__(self) -> str:
        return f"_Frames({self._order})"


def _compute_cadence(ctx) -> dict:
    """The cadence frames of :func:`communication_report` for the restricted data.

    Per dataset (computed once): every meeting's plan item, its matching arrays and its
    listed departments, and the whole plan's occurrences. Per selection: the kept meetings'
    positions slice them; only meetings whose item is not in the restricted plan are matched
    to an item again, only meetings that list no department read their participants text,
    and only plan rows whose days are not a fixed set cut by the window are expanded again.

    Besides the report's frames: ``plan`` (the plan windows) and, when the metric layer
    found them on codes, ``item_codes`` (each match and missed row's item as a position in
    the plan's items) and ``marks`` (the matches' date and matched columns) for the cadence
    chart; ``matches`` is then built when first read (:class:`_Frames`)."""
    data = ctx.data
    source = _source(data)
    T = _as_of_day(ctx)
    plan = _plan_windows(ctx, T)
    rows = _kept_meetings(ctx, T)
    log = _meeting_log(ctx)
    full_exp = _full_expansion(ctx, T)
    prow = None  # the selection's plan rows in the whole plan, when cut from its expansion
    if full_exp is None or len(plan) == 0:
        occ = expected_occurrences(plan, calendar=_PLAN_CALENDAR)
        exp = _sched._expansion(plan, calendar=_PLAN_CALENDAR) if len(plan) else None
    else:
        prow = data.positions("plan") if isinstance(data, ScopedData) else None
        prow = np.arange(len(plan)) if prow is None else prow
        # the occurrence frame is built only if a rare case needs it (it is no tab frame)
        _none, exp = _sched._expand_within(full_exp, plan, prow, frame=False)
        occ = partial(_sched._occurrences_of, exp, plan)
    full_items, full = _full_assignment(ctx)
    items = _cad._plan_items(plan)
    whole = source.meetings
    assigned = _cad._subset_assignment(full, full_items, rows, whole, items, _MIN_SIMILARITY)
    expected = _expected(ctx, plan)
    participants = whole["participants"] if "participants" in whole.columns else None
    listed = None
    if exp is not None:
        listed = _listed_counts(ctx, rows, items, assigned[0], participants)
    if listed is None:
        present = _cad._subset_dept_codes(
            log["listed"], len(whole), rows, participants, data.departments
        )
    else:
        listed, present = listed
    # the topics are read only when the matches frame is built
    arrays = _cad._take_meetings(log["arrays"], rows, text=exp is None)
    if exp is None:
        out = {
            "matches": _cad._match_arrays(
                arrays,
                items,
                assigned[:3],
                occ,
                tolerance_days=_TOLERANCE_DAYS,
                calendar=_PLAN_CALENDAR,
            )
        }
        out["missed"] = _cad.missed_occurrences(out["matches"], occ)
        out["cadence"] = _cad.cadence_summary(out["matches"], occ, plan=plan)
        out["attendance"] = _cad._attendance_present(out["matches"], expected, present)
    else:
        out = _cad._cadence_frames(
            arrays,
            items,
            assigned[:3],
            plan,
            occ,
            exp,
            expected,
            present,
            tolerance_days=_TOLERANCE_DAYS,
            calendar=_PLAN_CALENDAR,
            m_order=_key_order(ctx, rows) if ctx.cache is not None else None,
            listed=listed,
            lazy=True,
            rows_coded=None if prow is None else _rows_coded(ctx, T, prow, items),
        )
        later = {"matches": out.pop("matches")}
        return _Frames({**out, "plan": plan}, later)
    return {**out, "plan": plan}


def _item_map(full_items: list[str], items: list[str]):
    """Each of ``items``' position in ``full_items`` and, per full position (plus a last
    slot for -1), its position in ``items`` (-1: not there); ``(None, None)`` when an item
    is not one of ``full_items``."""
    where = {name: j for j, name in enumerate(full_items)}
    old = np.array([where.get(name, -1) for name in items], dtype="int64")
    if (old < 0).any():
        return None, None
    new_of = np.full(len(full_items) + 1, -1, dtype="int64")  # last slot: no item
    new_of[old] = np.arange(len(items))
    return old, new_of


def _rows_coded(ctx, T, prow: np.ndarray, items: list[str]):
    """Each selection plan row's item position in ``items`` and planned minutes, from the
    whole plan's (once per dataset and as-of day); ``None`` without a dataset cache or when
    an item is not a whole-plan item. The selection's expansion rows are the whole
    expansion's rows ``prow`` (:func:`_sched._expand_within`)."""
    if ctx.cache is None:
        return None
    full_items = _full_assignment(ctx)[0]
    _old, new_of = _item_map(full_items, items)
    if new_of is None:
        return None

    def make():
        exp = _full_expansion(ctx, T)
        code = (
            _cad._positions_in(exp.items, full_items)
            if len(full_items)
            else np.full(len(exp.items), -1, dtype="int64")
        )
        return code, _cad_codes._time_minutes(pd.Series(exp.times, dtype="str"))

    code, ptime = _per_dataset(ctx, ("cadence_rows_coded", T, _PLAN_CALENDAR), make)
    return new_of[code[prow]], ptime[prow]


def _listed_counts(ctx, rows: np.ndarray, items: list[str], item_idx: np.ndarray, participants):
    """The selection's listed (meeting, department) pairs counted per (item, department)
    from the whole log's pairs keyed by whole-plan item (once per dataset), and the
    participants-text pairs of the meetings listing none (:func:`_cad._listed_within`);
    ``None`` without a dataset cache, or when a selection item is not a whole-plan item or a
    meeting's item is not its whole-log item (the caller takes the pairs one by one)."""
    if ctx.cache is None:
        return None
    full_items, full = _full_assignment(ctx)
    old, new_of = _item_map(full_items, items)
    if old is None or not np.array_equal(new_of[full[0][rows]], item_idx):
        return None
    source = _source(ctx.data)
    index = _per_dataset(
        ctx,
        ("cadence_listed",),
        lambda: _cad._listed_index(
            _meeting_log(ctx)["listed"], len(source.meetings), full[0], len(full_items)
        ),
    )
    return _cad._listed_within(index, rows, old, participants, ctx.data.departments)


#: The meeting columns the 48-hour rule reads (start, the texts searched for task names,
#: related tasks; then departments and participants): the others are not sliced.
_ESCALATION_MEETINGS = (
    "date",
    "start",
    "topic",
    "output",
    "related_tasks",
    "departments",
    "participants",
)


def _text_substrings(source):
    """The whole meeting log's text substrings up to the longest task name of the dataset
    (the names the escalation tab searches are task names of the log or the tasks)."""
    top = 0
    for frame in (source.tasks, source.updates):
        if "task" in frame.columns and len(frame):
            top = max(top, int(frame["task"].astype("str").str.len().max(skipna=True) or 0))
    return _esc._text_substrings(source.meetings, top)


def _compute_escalation(ctx) -> dict:
    # the restricted tables it reads (updates, meetings, tasks), not the whole container:
    # RACI rows and actions are not sliced (the department order comes from codes)
    data = ctx.data
    T = _as_of_day(ctx)
    # the 48-hour rule reads the updates' date, task key, status and department
    updates = _columns(data, "updates", _UPDATE_LOG)
    if T is not None and len(updates):
        keep = (updates["date"].isna() | (updates["date"] < T + pd.Timedelta(days=1))).to_numpy()
        if not keep.all():  # no copy when every update is up to the as-of day
            updates = updates[keep]
    source = _source(data)
    # the whole log's meeting-text substrings (once per dataset) narrow the task names
    # searched in the selection's meetings (a superset of theirs: the same episodes)
    substrings = (
        _per_dataset(ctx, ("escalation_substrings",), lambda: _text_substrings(source))
        if ctx.cache is not None
        else None
    )
    meeting_depts = texts = None
    if ctx.cache is not None:
        rows = _kept_meetings(ctx, T)
        # the texts searched for task names: the whole log's, cut to the selection's rows
        log_texts = _per_dataset(
            ctx, ("escalation_texts",), lambda: _esc._log_texts(source.meetings)
        )
        texts = (*log_texts, rows)
        # the departments of the selection's meetings from the whole log's listed ones
        # (once per dataset), participants read only for meetings listing none
        listed = _per_dataset(
            ctx, ("meeting_listed_depts",), lambda: _cad._meeting_list_depts(source.meetings)
        )
        whole = source.meetings
        meeting_depts = _cad._subset_dept_codes(
            listed,
            len(whole),
            rows,
            whole["participants"] if "participants" in whole.columns else None,
            data.departments,
        )
    episodes = _esc._episodes(
        updates,
        substrings=substrings,
        meeting_depts=meeting_depts,
        texts=texts,
        # with the departments given, the meetings' department columns are not read
        meetings=_meetings_until(
            data,
            T,
            columns=_ESCALATION_MEETINGS[:5] if meeting_depts is not None else _ESCALATION_MEETINGS,
        ),
        tasks=data.tasks,
        as_of=T,
        threshold_hours=_THRESHOLD_HOURS,
        hours="calendar" if ctx.calendar.name == "calendar" else "working",
        calendar=_PLAN_CALENDAR,
        departments=data.departments,
    )
    return {
        "episodes": episodes,
        "escalation": _esc.escalation_compliance(episodes, by="department"),
        "escalation_distribution": _esc.escalation_distribution(episodes),
    }


def _compute_raci(ctx) -> dict:
    data = ctx.data  # RACI, tasks, contacts, actions and meetings; the updates are not sliced
    T = _as_of_day(ctx)
    lead = _action_dates(ctx)
    # the action summary reads the meetings' topic and date only, for the creation dates of
    # actions whose source text starts with no date: none such, no meeting is read
    dated = lead is not None and not np.isnat(lead).any()
    return {
        "raci": data.raci,
        "raci_problems": raci_problems(
            data.raci, tasks=data.tasks, contacts=data.contacts, lang=ctx.lang
        ),
        "actions": _act._action_summary(
            data.actions,
            by="department",
            as_of=T,
            meetings=None if dated else _meetings_until(data, T, columns=("date", "topic")),
            lead=lead,
        ),
    }


def _action_dates(ctx) -> np.ndarray | None:
    """The dates leading the selection's actions' source texts, cut from the whole table's
    (parsed once per dataset); ``None`` without a dataset cache."""
    data = ctx.data
    if ctx.cache is None:
        return None
    source = _source(data)
    lead = _per_dataset(ctx, ("action_dates",), lambda: _act._source_dates(source.actions))
    pos = data.positions("actions") if isinstance(data, ScopedData) else None
    return lead if pos is None else lead[pos]


def _compute_forecast(ctx) -> dict:
    # the two progress tables this tab shows, not the whole delivery report (which also
    # computes attribution, hand-overs, WIP, stalled tasks and earned value)
    tasks = ctx.data.tasks
    return {
        "burnup": progress.burnup(tasks, as_of=ctx.as_of),
        "forecast": forecast.forecast_finish(tasks, as_of=ctx.as_of, n_sims=FORECAST_SIMS),
    }


#: The options (besides the filter and the as-of date) each tab's frames depend on: a change
#: of any other option reuses the tab's cached frames (e.g. the language only relabels charts,
#: except the RACI problem messages).
USES: dict[str, tuple[str, ...]] = {
    "delivery": ("calendar", "show_owners"),
    "bottlenecks": ("calendar",),
    "cadence": (),
    "escalation": ("calendar",),
    "raci": ("lang",),
    "forecast": (),
}


def frames_key(tab: str, ctx) -> tuple:
    """Cache key of a tab's frames: the as-of date and the options the tab uses."""
    values = {
        "calendar": ctx.calendar.name,
        "show_owners": (ctx.show_owners, ctx.min_group_size),
        "lang": ctx.lang,
    }
    return (tab, ctx.as_of, *(values[u] for u in USES[tab]))


COMPUTE: dict[str, Callable] = {
    "delivery": _compute_delivery,
    "bottlenecks": _compute_bottlenecks,
    "cadence": _compute_cadence,
    "escalation": _compute_escalation,
    "raci": _compute_raci,
    "forecast": _compute_forecast,
}


def _plan_items(frames) -> list[str]:
    return frames["plan"]["item"].astype("str").tolist()


PANELS: dict[str, tuple[Panel, ...]] = {
    "delivery": (
        Panel(
            "delivery_by_department",
            lambda f, ctx: charts.delivery_rates(
                f["by_department"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
        Panel(
            "status_mix",
            lambda f, ctx: charts.status_mix_chart(f["status_mix"], lang=ctx.lang),
        ),
        Panel(
            "slippage",
            lambda f, ctx: charts.slippage(
                f["slippage"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
        Panel(
            "delivery_by_period",
            lambda f, ctx: charts.delivery_trend(f["by_month"], lang=ctx.lang, period="month"),
        ),
    ),
    "bottlenecks": (
        Panel(
            "bottleneck",
            lambda f, ctx: charts.bottleneck_chart(f["bottlenecks"], lang=ctx.lang),
        ),
        Panel(
            "attribution",
            lambda f, ctx: charts.delay_attribution_chart(
                f["attribution"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
        Panel(
            "slippage_histogram",
            lambda f, ctx: charts.slippage_histogram_chart(f["slippage_histogram"], lang=ctx.lang),
        ),
        Panel(
            "handoffs",
            lambda f, ctx: charts.handoff_heatmap(
                f["handoff_pairs"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
    ),
    "cadence": (
        Panel(
            "cadence",
            lambda f, ctx: charts.cadence_calendar(
                f["marks"] if "item_codes" in f else f["matches"],
                f["missed"],
                lang=ctx.lang,
                items=_plan_items(f),
                codes=f.get("item_codes"),
            ),
        ),
        Panel("gaps", lambda f, ctx: charts.gaps_timeline(f["cadence"], lang=ctx.lang)),
        Panel(
            "attendance",
            lambda f, ctx: charts.attendance_matrix(
                f["attendance"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
    ),
    "escalation": (
        Panel(
            "escalation",
            lambda f, ctx: charts.escalation_chart(f["escalation_distribution"], lang=ctx.lang),
        ),
    ),
    "raci": (
        Panel(
            "raci",
            lambda f, ctx: charts.raci_heatmap(
                f["raci"], f["raci_problems"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
        Panel(
            "actions",
            lambda f, ctx: charts.actions_chart(
                f["actions"], lang=ctx.lang, departments=ctx.departments
            ),
        ),
    ),
    "forecast": (
        Panel("forecast", lambda f, ctx: charts.forecast_chart(f["forecast"], lang=ctx.lang)),
        Panel(
            "burnup",
            lambda f, ctx: charts.burnup_chart(f["burnup"], lang=ctx.lang, as_of=ctx.as_of),
        ),
    ),
}


@dataclass(frozen=True)
class Table:
    """A table of a tab: ``build(frames, ctx) -> DataFrame`` with display headers."""

    key: str
    build: Callable
    person_level: bool = False  # shown only when the dashboard shows owners


def _owner_table(f, ctx) -> pd.DataFrame:
    """Delivery per owner (only when owners are shown; groups below the minimum are hidden)."""
    cols = ["department", "owner", "n_tasks", "n_due", "on_time_rate", "delay_rate"]
    out = f["by_owner"].loc[:, cols].round(3)
    return out.rename(columns={c: label(c, ctx.lang) for c in cols})


def _escalation_table(f, ctx) -> pd.DataFrame:
    cols = ["department", "episodes", "judged", "within", "late", "never", "compliance"]
    out = f["escalation"].loc[:, cols].round(3)
    return out.rename(columns={c: text(c, ctx.lang) for c in cols})


def _forecast_table(f, ctx) -> pd.DataFrame:
    s = f["forecast"].summary
    keys = ["remaining_tasks", "mean_daily_throughput", "p50", "p85", "p95", "n_sims"]
    if len(s) == 0:
        return pd.DataFrame({label("kpi", ctx.lang): [], label("value", ctx.lang): []})
    row = s.iloc[0]
    shown = []
    for k in keys:
        v = row[k]
        if isinstance(v, pd.Timestamp):
            v = f"{v:%Y-%m-%d}"
        elif isinstance(v, float):
            v = round(v, 2)
        shown.append(str(v) if not pd.isna(v) else "–")
    names = [label("simulations", ctx.lang) if k == "n_sims" else text(k, ctx.lang) for k in keys]
    return pd.DataFrame({label("kpi", ctx.lang): names, label("value", ctx.lang): shown})


TABLES: dict[str, tuple[Table, ...]] = {
    "delivery": (Table("by_owner", _owner_table, person_level=True),),
    "escalation": (Table("escalation_by_department", _escalation_table),),
    "forecast": (Table("forecast", _forecast_table),),
}


def tables_for(tab: str, ctx) -> tuple[Table, ...]:
    """The tables a tab shows: person-level ones only when owners are shown."""
    return tuple(t for t in TABLES.get(tab, ()) if ctx.show_owners or not t.person_level)


def compute(tab: str, ctx) -> dict:
    """The metric frames of one tab for the restricted data."""
    return COMPUTE[tab](ctx)


# ---------------------------------------------------------------------------- KPIs
def kpi_frames(ctx) -> dict:
    """The metric frames behind the headline KPI tiles: the delivery summary and slippage of
    the selection (the cheap ones, so every filter change stays fast; the bottleneck and
    communication KPIs live in their tabs). They do not depend on the language."""
    tasks = ctx.data.tasks
    return {
        "summary": delivery.delivery_summary(tasks, **_opts(ctx)),
        "slippage_overall": delivery.slippage(tasks, **_opts(ctx)),
    }


def headline_kpis(ctx, frames: dict | None = None) -> pd.DataFrame:
    """Headline KPI tiles ``[key, label, value, display]`` (the report's own :func:`headline`)
    from :func:`kpi_frames` (computed here when not given)."""
    return headline(frames if frames is not None else kpi_frames(ctx), lang=ctx.lang)


# ---------------------------------------------------------------------------- drill-down
_DRILL_COLUMNS = (
    "project",
    "task_id",
    "task",
    "phase",
    "department",
    "owner",
    "planned_finish",
    "actual_finish",
    "status",
    "delay_days",
)


def drill_rows(data, department: str | None, *, ctx, only_late: bool) -> pd.DataFrame:
    """The task rows behind a department, with their delivery flags and signed delay.

    Columns: project, task_id, task, phase, department, planned_finish, actual_finish, status,
    delay_days — plus ``owner`` when ``ctx.show_owners``; then an owner with fewer than
    ``ctx.min_group_size`` tasks in the selection is blanked (missing), as the metric layer
    hides small person-level groups.
    """
    tasks = data.tasks
    tasks = tasks.iloc[0:0] if department is None else tasks[tasks["department"] == department]
    flags = delivery.task_delivery(tasks, **_opts(ctx))
    out = tasks.reset_index(drop=True)
    for col in ("delay_days", "is_late", "is_overdue_open"):
        out[col] = flags[col].to_numpy() if col in flags else pd.NA
    if only_late:
        out = out.loc[
            out["is_late"].fillna(False).astype(bool)
            | out["is_overdue_open"].fillna(False).astype(bool)
        ]
    out = out.sort_values("delay_days", ascending=False, kind="stable", na_position="last")
    columns = [c for c in _DRILL_COLUMNS if c in out and (c != "owner" or ctx.show_owners)]
    out = out[columns].reset_index(drop=True)
    if "owner" in out and ctx.min_group_size:
        sizes = data.tasks["owner"].value_counts()
        small = out["owner"].map(sizes).fillna(0).to_numpy() < ctx.min_group_size
        out["owner"] = out["owner"].mask(small)
    return out


def display_rows(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Drill-down rows with display headers and status labels in ``lang``."""
    out = rows.copy()
    if "owner" in out:
        out["owner"] = out["owner"].fillna(text("owner_hidden", lang))
    if "status" in out:
        out["status"] = (
            out["status"]
            .astype("object")
            .map(lambda c: status_label(c, lang) if isinstance(c, str) else "")
        )
    for col in ("planned_finish", "actual_finish"):
        if col in out:
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.rename(columns={c: label(c, lang) for c in out.columns})


# ---------------------------------------------------------------------------- export
def export_view(
    folder: Path, *, fmt: str, charts: dict, kpis: pd.DataFrame, ctx, tab_title: str
) -> list[Path]:
    """Write the visible charts as PNG/SVG, or a PPTX of the KPIs and those charts."""
    from collab_analytics.export.images import save_chart
    from collab_analytics.export.pptx import write_deck

    folder.mkdir(parents=True, exist_ok=True)
    if fmt in ("png", "svg"):
        return [
            save_chart(chart, folder / f"{key}.{fmt}", lang=ctx.lang)
            for key, chart in charts.items()
        ]
    if fmt == "pptx":
        items = [ChartItem(key=k, title=_chart_title(c, k), chart=c) for k, c in charts.items()]
        content = ReportContent(
            lang=ctx.lang,
            title=f"{label('report_title', ctx.lang)} · {tab_title}",
            as_of="" if ctx.as_of is None else ctx.as_of.strftime("%Y-%m-%d"),
            kpis=kpis,
            charts=items,
        )
        return [write_deck(content, folder / "dashboard_view.pptx")]
    msg = f"Unsupported export format {fmt!r}. Expected one of: ['pptx', 'png', 'svg']."
    raise ValueError(msg)


def _chart_title(chart: alt.TopLevelMixin, key: str) -> str:
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, str):
        return title
    text = getattr(title, "text", alt.Undefined)
    if isinstance(text, str):
        return text
    return key
