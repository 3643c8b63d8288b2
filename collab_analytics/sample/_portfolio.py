"""A seeded, vectorised generator of a multi-project PMO portfolio."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics._lists import with_list_columns
from collab_analytics.data import TrackingData
from collab_analytics.sample import _util as u
from collab_analytics.sample import _vocab as v

__all__ = ["portfolio"]

_PORTFOLIO_START = u.day_number("2024-01-01")
_START_SPREAD_DAYS = 540  # projects start between 2024-01-01 and mid 2025
_LEVEL_STEP = 8  # nominal days between dependency levels
_P_BLOCK, _P_BLOCK_BOTTLENECK = 0.10, 0.32
_SLOW_BOTTLENECK = 1.5  # work-duration factor of the bottleneck department
_ATTEND, _ATTEND_BOTTLENECK = 0.93, 0.75
_P_NO_ESCALATION = 0.15
_P_ESCALATION_IN_48H = 0.75


def _resolve_departments(departments, lang: str) -> tuple[list[str], list[str]]:
    """Department display names and their vocabulary key (zh name) or ``""`` when unknown."""
    li = 0 if lang == "zh" else 1
    if departments is None:
        names = [d[li] for d in v.DEPARTMENTS]
    else:
        names = [str(d) for d in departments]
        if len(names) < 2 or len(set(names)) != len(names):
            msg = f"departments must hold at least 2 distinct names, got {names!r}."
            raise CollabError(msg)
    lookup = {name: zh for zh, en in v.DEPARTMENTS for name in (zh, en)}
    return names, [lookup.get(n, "") for n in names]


def _resolve_bottleneck(bottleneck, names: list[str], keys: list[str]) -> int:
    if bottleneck is None:
        return -1
    if bottleneck in names:
        return names.index(bottleneck)
    lookup = {name: zh for zh, en in v.DEPARTMENTS for name in (zh, en)}
    key = lookup.get(str(bottleneck))
    if key and key in keys:
        return keys.index(key)
    msg = f"bottleneck {bottleneck!r} is not one of the departments: {names}."
    raise CollabError(msg)


def _people(n_depts: int, per_dept: int, li: int) -> list[str]:
    """``n_depts * per_dept`` distinct names; person ``d * per_dept + k`` works in department d."""
    ns, ng = len(v.SURNAMES), len(v.GIVEN)
    k = np.arange(n_depts * per_dept)
    sur = k % ns
    g1 = (7 * k + k // ns) % ng  # distinct (surname, given) pairs for the first ns * ng people
    g2 = k // (ns * ng) - 1  # -1: single-character given name
    g2 = np.where(g2 >= 0, g2 % ng, -1)
    out = []
    for s, a, b in zip(sur.tolist(), g1.tolist(), g2.tolist(), strict=True):
        if li == 0:
            out.append(v.SURNAMES[s][0] + v.GIVEN[a][0] + (v.GIVEN[b][0] if b >= 0 else ""))
        else:
            given = v.GIVEN[a][1] + (v.GIVEN[b][1].lower() if b >= 0 else "")
            out.append(f"{v.SURNAMES[s][1]} {given}")
    return out


def portfolio(
    *,
    n_projects: int = 20,
    tasks_per_project: int = 30,
    seed: int = 0,
    departments: Sequence[str] | None = None,
    bottleneck: str | None = None,
    cadence_failures: float = 0.0,
    updates_per_task: int = 5,
    meetings: bool = True,
    as_of=None,
    lang: str = "zh",
) -> TrackingData:
    """A seeded multi-project portfolio (PMO view) as clean canonical tables.

    Every project runs through the phases 需求收集 → … → 上线推广; its tasks are arranged in
    dependency levels, each task depending on 0–2 tasks of the previous level of the same
    project (usually of another department). Actual dates come from a simulation: a task
    starts when its planned start has come and its inputs have arrived (plus a hand-off wait),
    and takes its planned duration times a random factor, plus the days it was blocked. The
    updates log, communication plan, meeting log (including escalation meetings after tasks
    turn delayed or blocked), actions and RACI all follow from that simulation.

    Parameters
    ----------
    n_projects, tasks_per_project : int
        Portfolio size; ``n_projects * tasks_per_project`` tasks.
    seed : int
        Seed of the random generator: the same arguments give identical frames.
    departments : sequence of str, optional
        Department names (default: 客服部, 产品部, 技术部, 测试部, 市场部, 运营部, 法务部 or
        their English names). Tasks are spread evenly over them.
    bottleneck : str, optional
        Plant a bottleneck: this department's tasks take about 1.5× longer, are blocked about
        three times as often and wait longer for hand-offs, so their successors inherit the
        delay. Its staff also attend fewer meetings and close actions later. Without it,
        delays are spread evenly.
    cadence_failures : float
        Share (0–1) of planned meeting occurrences that are not held.
    updates_per_task : int
        Mean number of progress updates per task (≥ 2 for a log with a start and a finish).
    meetings : bool
        Build the communication plan, meeting log and actions (``False`` leaves them empty).
    as_of : date-like, optional
        Cut the portfolio at this date (an in-flight view): later starts, finishes, updates,
        meetings and closures are removed and open tasks get the status of their last
        update. Default: every project simulated to completion.
    lang : {"zh", "en"}
        Language of names, texts and the plan's frequencies.

    Returns
    -------
    TrackingData
        Canonical tables ``project, tasks, updates, raci, contacts, plan, meetings, actions``
        with the columns and dtypes of :func:`collab_analytics.schema.empty_table` (including
        the derived ``updates.department``, ``meetings.start``, ``meetings.departments``,
        ``actions.is_closed``); ``issues`` is empty.

    Examples
    --------
    >>> from collab_analytics.sample import portfolio
    >>> td = portfolio(n_projects=3, tasks_per_project=12, seed=1)
    >>> len(td.tasks), td.tasks["project"].nunique(), td.issues.empty
    (36, 3, True)
    >>> td.tasks["status"].isin(["done", "done_early", "cancelled"]).all()
    np.True_
    """
    if lang not in ("zh", "en"):
        msg = f"lang must be 'zh' or 'en', got {lang!r}."
        raise CollabError(msg)
    if int(n_projects) < 1 or int(tasks_per_project) < 1:
        msg = (
            f"n_projects and tasks_per_project must be ≥ 1, got {n_projects} and "
            f"{tasks_per_project}."
        )
        raise CollabError(msg)
    if not 0.0 <= float(cadence_failures) <= 1.0:
        msg = f"cadence_failures must lie in [0, 1], got {cadence_failures}."
        raise CollabError(msg)
    if int(updates_per_task) < 0:
        msg = f"updates_per_task must be ≥ 0, got {updates_per_task}."
        raise CollabError(msg)
    li = 0 if lang == "zh" else 1
    names, keys = _resolve_departments(departments, lang)
    bn = _resolve_bottleneck(bottleneck, names, keys)
    gen = _Generator(
        n_projects=int(n_projects),
        n=int(tasks_per_project),
        rng=np.random.default_rng(seed),
        names=names,
        keys=keys,
        bn=bn,
        li=li,
        cadence_failures=float(cadence_failures),
        updates_per_task=int(updates_per_task),
        as_of=None if as_of is None else u.day_number(as_of),
    )
    return gen.run(meetings=bool(meetings))


class _Generator:
    """State of one portfolio simulation (arrays over tasks, updates, meetings)."""

    def __init__(
        self, *, n_projects, n, rng, names, keys, bn, li, cadence_failures, updates_per_task, as_of
    ):
        self.P, self.n, self.rng = n_projects, n, rng
        self.names, self.keys, self.bn, self.li = names, keys, bn, li
        self.D = len(names)
        self.cadence_failures = cadence_failures
        self.updates_per_task = updates_per_task
        self.as_of = as_of
        self.sep = "、" if li == 0 else ", "

    # ------------------------------------------------------------------ driver
    def run(self, *, meetings: bool) -> TrackingData:
        self._projects()
        self._tasks()
        self._schedule()
        self._updates()
        self._truncate_tasks()
        tables = {
            "project": self._project_frame(),
            "tasks": self._task_frame(),
            "updates": self._update_frame(),
            "raci": self._raci_frame(),
            "contacts": self._contact_frame(),
        }
        if meetings:
            self._plan()
            self._meetings()
            self._actions()
            tables["plan"] = self._plan_frame()
            tables["meetings"] = with_list_columns(
                self._meeting_frame(), "related_tasks", "departments"
            )
            tables["actions"] = self._action_frame()
        tables["tasks"] = with_list_columns(tables["tasks"], "depends_on")
        return TrackingData(**tables)

    # ------------------------------------------------------------------ projects and people
    def _projects(self):
        P, D, rng, li = self.P, self.D, self.rng, self.li
        self.per_dept = int(np.clip(np.ceil(P * self.n / (D * 60)), 3, 250))
        self.people = np.array(_people(D, self.per_dept, li), dtype=object)
        self.p_start = _PORTFOLIO_START + rng.integers(0, _START_SPREAD_DAYS, P)
        self.sponsor = rng.integers(0, D, P)
        self.lead = self.sponsor * self.per_dept + rng.integers(0, self.per_dept, P)
        stems = len(v.PROJECT_STEMS)
        k = np.arange(P)
        base = u.take([s[li] for s in v.PROJECT_STEMS], k % stems)
        rnd = k // stems
        suffix = u.cat(u.num(rnd + 1), "期") if li == 0 else u.cat(" #", u.num(rnd + 1))
        self.p_name = u.pc.if_else(u.pa.array(rnd > 0), u.cat(base, suffix), base)
        self.p_name_np = self.p_name.to_numpy(zero_copy_only=False)

    # ------------------------------------------------------------------ tasks
    def _tasks(self):
        P, n, D, rng = self.P, self.n, self.D, self.rng
        N = P * n
        self.N = N
        L = int(np.clip(round(n / 4), 1, 12))
        L = min(L, n)
        self.L = L
        pos_level = np.arange(n) * L // n
        self.pos_level = pos_level
        lstart = np.searchsorted(pos_level, np.arange(L + 1))
        n_ph = len(v.PHASES)
        self.pos_phase = pos_level * n_ph // L if L > 1 else np.zeros(n, dtype=np.int64)
        self.proj = np.repeat(np.arange(P), n)
        pos = np.tile(np.arange(n), P)
        self.pos = pos
        level = pos_level[pos]
        # predecessors: 0–2 tasks of the previous level of the same project
        k = rng.choice(3, size=N, p=[0.15, 0.55, 0.30])
        k[level == 0] = 0
        lo = lstart[np.maximum(level - 1, 0)]
        width = lstart[level] - lo
        base = self.proj * n
        p1 = base + lo + (rng.random(N) * width).astype(np.int64)
        p2 = base + lo + (rng.random(N) * width).astype(np.int64)
        self.pred1 = np.where(k >= 1, p1, -1)
        self.pred2 = np.where((k >= 2) & (p2 != p1), p2, -1)
        # department, kind, owner
        self.dept = self._departments_by_phase(self.pos_phase[pos], rng.random(N))
        kinds = []
        k_off = np.zeros(D + 1, dtype=np.int64)
        for d, key in enumerate(self.keys):
            ks = v.TASK_KINDS.get(key, v.GENERIC_KINDS)
            kinds.extend(ks)
            k_off[d + 1] = k_off[d] + len(ks)
        self.kinds = kinds
        n_kinds = np.diff(k_off)
        # earlier phases draw the department's earlier kinds (they are listed in working order)
        ph = self.pos_phase[pos]
        frac = np.clip((ph + rng.random(N) * 1.6 - 0.3) / n_ph, 0, 0.999)
        self.kind = k_off[self.dept] + (frac * n_kinds[self.dept]).astype(np.int64)
        self.owner = self.dept * self.per_dept + rng.integers(0, self.per_dept, N)
        # durations and the simulated behaviour of each task
        is_bn = self.dept == self.bn
        self.is_bn = is_bn
        self.pdur = rng.integers(3, 13, N)
        factor = np.exp(rng.normal(0.04, 0.22, N))
        factor = np.where(is_bn, factor * _SLOW_BOTTLENECK, factor)
        self.work = np.maximum(1, np.rint(self.pdur * factor)).astype(np.int64)
        p_block = np.where(is_bn, _P_BLOCK_BOTTLENECK, _P_BLOCK)
        self.blocked = rng.random(N) < p_block
        bdays = np.where(is_bn, rng.integers(3, 10, N), rng.integers(2, 7, N))
        self.bdays = np.where(self.blocked, bdays, 0)
        self.wait = rng.integers(0, 2, N) + np.where(is_bn, rng.integers(1, 4, N), 0)
        self.jitter = rng.integers(-1, 2, N)
        self.gap = rng.integers(0, 3, N)
        self.reason = rng.integers(0, len(v.BLOCK_REASONS), N)
        self.u_cancel = rng.random(N)

    def _departments_by_phase(self, phase: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """Draw each task's department from phase affinities balanced to even totals."""
        n_ph, D = len(v.PHASES), self.D
        w = np.array([v.PHASE_AFFINITY.get(k, (1.0,) * n_ph) for k in self.keys]).T  # ph x D
        row_share = np.bincount(self.pos_phase, minlength=n_ph) / self.n
        w = w * (row_share > 0)[:, None]
        for _ in range(200):  # Sinkhorn: rows → phase shares, columns → 1/D each
            w *= (row_share / np.maximum(w.sum(axis=1), 1e-12))[:, None]
            w *= (1.0 / D) / np.maximum(w.sum(axis=0), 1e-12)
        cond = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        cdf = np.cumsum(cond, axis=1)
        cdf[:, -1] = 1.0
        return np.minimum((draw[:, None] >= cdf[phase]).sum(axis=1), D - 1)

    def _schedule(self):
        n, N = self.n, self.N
        ps = np.zeros(N, dtype=np.int64)
        pf = np.zeros(N, dtype=np.int64)
        as_ = np.zeros(N, dtype=np.int64)
        af = np.zeros(N, dtype=np.int64)
        never = np.iinfo(np.int64).min
        for lvl in range(self.L):
            positions = np.flatnonzero(self.pos_level == lvl)
            idx = (np.arange(self.P)[:, None] * n + positions[None, :]).ravel()
            nominal = self.p_start[self.proj[idx]] + lvl * _LEVEL_STEP + self.gap[idx]
            p1, p2 = self.pred1[idx], self.pred2[idx]
            h1, h2 = p1 >= 0, p2 >= 0
            has = h1 | h2
            ppf = np.maximum(
                np.where(h1, pf[np.maximum(p1, 0)], never),
                np.where(h2, pf[np.maximum(p2, 0)], never),
            )
            paf = np.maximum(
                np.where(h1, af[np.maximum(p1, 0)], never),
                np.where(h2, af[np.maximum(p2, 0)], never),
            )
            start = np.where(has, ppf, nominal)
            ps[idx] = start
            pf[idx] = start + self.pdur[idx]
            a = np.where(has, np.maximum(start, paf + self.wait[idx]), start + self.jitter[idx])
            as_[idx] = a
            af[idx] = a + self.work[idx] + self.bdays[idx]
        self.ps, self.pf, self.as_, self.af = ps, pf, as_, af
        has_succ = np.zeros(N, dtype=bool)
        has_succ[self.pred1[self.pred1 >= 0]] = True
        has_succ[self.pred2[self.pred2 >= 0]] = True
        self.cancelled = ~has_succ & (self.u_cancel < 0.02)
        self.p_end = af.reshape(self.P, n).max(axis=1)

    # ------------------------------------------------------------------ updates
    def _updates(self):
        rng, N = self.rng, self.N
        dur = self.af - self.as_
        upt = self.updates_per_task
        if upt >= 2:
            cnt = rng.poisson(upt - 2, N) + 2
            cnt = np.minimum(cnt, dur + 1)
            cnt = np.where(self.blocked, np.maximum(cnt, 3), cnt)
        else:
            cnt = np.full(N, upt, dtype=np.int64)
        total = int(cnt.sum())
        starts = np.zeros(N + 1, dtype=np.int64)
        np.cumsum(cnt, out=starts[1:])
        # one row per update; per-task values gathered once, row arithmetic in int32/float32
        t = np.repeat(np.arange(N, dtype=np.int32), cnt)
        j = (np.arange(total, dtype=np.int64) - starts[:-1][t]).astype(np.int32)
        c = cnt.astype(np.int32)[t]
        d = dur.astype(np.int32)[t]
        step = (d / np.maximum(c - 1, 1)).astype(np.float32)
        off = np.where(c > 1, np.rint(j * step), d).astype(np.int32)
        day = self.as_[t] + off
        # blocked episode: a run of 1–2 interior updates
        jb = 1 + (rng.random(N) * np.maximum(cnt - 2, 1)).astype(np.int64)
        m = 1 + ((rng.random(N) < 0.4) & (jb + 1 <= cnt - 2))
        m = np.where(self.blocked, m, 0)
        jb_t, m_t = jb.astype(np.int32)[t], m.astype(np.int32)[t]
        since = j - jb_t
        in_block = (since >= 0) & (since < m_t)
        eff = j - np.clip(since, 0, m_t)
        denom = np.maximum(c - 1 - m_t, 1)
        prog = np.rint(np.minimum(eff / denom, 1.0) * 20) / 20
        last = j == c - 1
        st = np.where(day > self.pf[t], u.STATUS["delayed"], u.STATUS["on_track"]).astype(np.int8)
        st[in_block] = u.STATUS["blocked"]
        final = np.where(self.af < self.pf, u.STATUS["done_early"], u.STATUS["done"])
        st[last] = final[t[last]]
        prog[last] = 1.0
        # cancelled tasks: the log stops half-way with a cancellation
        half = (c - 1) // 2
        canc = self.cancelled[t]
        keep = ~canc | (j <= half)
        cancel_row = canc & (j == half)
        st[cancel_row] = u.STATUS["cancelled"]
        minute = np.where(rng.random(total) < 0.6, 17 * 60, rng.integers(9 * 6, 18 * 6, total) * 10)
        when = day * u.MIN_PER_DAY + minute
        if self.as_of is not None:
            keep &= day <= self.as_of
        sel = np.flatnonzero(keep)
        self.u_task = t[sel]
        self.u_when = when[sel]
        self.u_status = st[sel]
        self.u_prog = prog[sel]
        # cancellation day = day of the cancellation row
        cancel_day = np.full(N, np.iinfo(np.int64).max)
        cr = np.flatnonzero(cancel_row)
        cancel_day[t[cr]] = day[cr]
        self.cancel_day = cancel_day

    def _truncate_tasks(self):
        """Task status/progress/actual dates as of the cut (or at completion)."""
        N = self.N
        status = np.where(self.af < self.pf, u.STATUS["done_early"], u.STATUS["done"])
        progress = np.ones(N)
        started = np.ones(N, dtype=bool)
        finished = ~self.cancelled
        status = np.where(self.cancelled, u.STATUS["cancelled"], status)
        if self.as_of is not None:
            cut = self.as_of
            started = self.as_ <= cut
            finished = finished & (self.af <= cut)
            cancelled_now = self.cancelled & (self.cancel_day <= cut)
            # last kept update of each task
            cnt = np.bincount(self.u_task, minlength=N)
            last_idx = np.cumsum(cnt) - 1
            has_upd = cnt > 0
            li = np.maximum(last_idx, 0)
            last_status = np.where(
                has_upd, self.u_status[li] if len(self.u_status) else 0, u.STATUS["on_track"]
            )
            last_prog = np.where(has_upd, self.u_prog[li] if len(self.u_prog) else 0.0, 0.0)
            open_ = started & ~finished & ~cancelled_now
            fallback = np.where(cut > self.pf, u.STATUS["delayed"], u.STATUS["on_track"])
            open_status = np.where(has_upd, last_status, fallback)
            status = np.where(open_, open_status, status)
            status = np.where(~started, u.STATUS["not_started"], status)
            progress = np.where(open_, last_prog, progress)
            progress = np.where(~started, 0.0, progress)
            progress = np.where(cancelled_now, last_prog, progress)
            self.cancelled_now = cancelled_now
        else:
            # progress at cancellation: progress of the cancellation update
            self.cancelled_now = self.cancelled
            rows = np.flatnonzero(self.u_status == u.STATUS["cancelled"])
            progress[self.u_task[rows]] = self.u_prog[rows]
        self.t_status = status.astype(np.int8)
        self.t_progress = progress
        self.t_started = started
        self.t_finished = finished

    # ------------------------------------------------------------------ frames: tasks etc.
    def _id_width(self):
        return max(3, len(str(self.P))), max(2, len(str(self.n)))

    def _task_ids(self):
        if not hasattr(self, "_tid"):
            pw, tw = self._id_width()
            self._tid = u.cat("P", u.num(self.proj + 1, pw), "-T", u.num(self.pos + 1, tw))
            self._tid_np = self._tid.to_numpy(zero_copy_only=False)
        return self._tid

    def _task_names(self):
        if not hasattr(self, "_tname"):
            _, tw = self._id_width()
            kn = u.take([k[self.li] for k in self.kinds], self.kind)
            self._tname = u.cat(kn, "-", u.num(self.pos + 1, tw))
            self._tname_np = self._tname.to_numpy(zero_copy_only=False)
        return self._tname

    def _task_frame(self) -> pd.DataFrame:
        li = self.li
        tid = self._task_ids()
        tname = self._task_names()
        desc = u.take([k[2 + li] for k in self.kinds], self.kind)
        deliv = u.take([k[4 + li] for k in self.kinds], self.kind)
        reasons = [r[li] for r in v.BLOCK_REASONS]
        prefix = "阻塞:" if li == 0 else "Blocked: "
        issue = u.take(
            [prefix + r for r in reasons] + [None],
            np.where(self.blocked & self.t_started, self.reason, len(reasons)),
        )
        # depends_on
        k = (self.pred1 >= 0).astype(np.int64) + (self.pred2 >= 0)
        flat = np.stack([self.pred1, self.pred2], axis=1).ravel()
        flat = flat[flat >= 0]
        deps = u.lists(self._tid_np[flat], k)
        return u.frame(
            "tasks",
            {
                "project": u.to_str(self.p_name.take(self.proj)),
                "task_id": u.to_str(tid),
                "task": u.to_str(tname),
                "description": u.to_str(desc),
                "phase": u.to_str(u.take([p[li] for p in v.PHASES], self.pos_phase[self.pos])),
                "department": u.to_str(u.take(self.names, self.dept)),
                "owner": u.to_str(u.take(self.people.tolist(), self.owner)),
                "planned_start": u.days_to_dt(self.ps),
                "planned_finish": u.days_to_dt(self.pf),
                "actual_start": u.days_to_dt(self.as_, ~self.t_started),
                "actual_finish": u.days_to_dt(self.af, ~self.t_finished),
                "status": u.status_series(self.t_status),
                "progress": self.t_progress,
                "deliverable": u.to_str(deliv),
                "issue_log": u.to_str(issue),
                "depends_on": pd.Series(deps, dtype=object),
            },
        )

    def _update_frame(self) -> pd.DataFrame:
        li = self.li
        t = self.u_task
        pct = np.rint(self.u_prog * 100).astype(np.int64) // 5  # 0..20
        # note vocabulary: 21 progress notes, 21 delayed notes, blocked reasons, done, cancelled
        if li == 0:
            normal = [f"完成{5 * i}%" for i in range(21)]
            late = [f"完成{5 * i}%,滞后" for i in range(21)]
            blocked = ["阻塞:" + r[0] for r in v.BLOCK_REASONS]
            tail = ["已完成", "已取消"]
        else:
            normal = [f"{5 * i}% done" for i in range(21)]
            late = [f"{5 * i}% done, behind plan" for i in range(21)]
            blocked = ["Blocked: " + r[1] for r in v.BLOCK_REASONS]
            tail = ["Done", "Cancelled"]
        s = self.u_status
        nb = len(blocked)
        code = np.where(s == u.STATUS["delayed"], 21 + pct, pct)
        code = np.where(s == u.STATUS["blocked"], 42 + self.reason[t], code)
        code = np.where((s == u.STATUS["done"]) | (s == u.STATUS["done_early"]), 42 + nb, code)
        code = np.where(s == u.STATUS["cancelled"], 43 + nb, code)
        note = u.take(normal + late + blocked + tail, code)
        self._task_ids()
        self._task_names()
        return u.frame(
            "updates",
            {
                "date": u.minutes_to_dt(self.u_when),
                "task_id": u.to_str(self._tid.take(t)),
                "task": u.to_str(self._tname.take(t)),
                "progress": self.u_prog,
                "status": u.status_series(s),
                "note": u.to_str(note),
                "department": u.to_str(u.take(self.names, self.dept[t])),
            },
        )

    def _raci_frame(self) -> pd.DataFrame:
        rng, N, D = self.rng, self.N, self.D
        r = self.dept
        sponsor = self.sponsor[self.proj]
        # three distinct offsets 1..D-1 from the responsible department (A, C, I)
        oa = np.where(sponsor != r, (sponsor - r) % D, rng.integers(1, D, N))
        roles = [(r, np.ones(N, dtype=bool), "R"), ((r + oa) % D, np.ones(N, dtype=bool), "A")]
        if D >= 3:
            oc = rng.integers(1, D - 1, N)
            oc = np.where(oc >= oa, oc + 1, oc)
            roles.append(((r + oc) % D, rng.random(N) < 0.8, "C"))
            if D >= 4:
                oi = rng.integers(1, D - 2, N)
                lo_, hi_ = np.minimum(oa, oc), np.maximum(oa, oc)
                oi = np.where(oi >= lo_, oi + 1, oi)
                oi = np.where(oi >= hi_, oi + 1, oi)
                roles.append(((r + oi) % D, rng.random(N) < 0.6, "I"))
        task_idx = np.concatenate([np.flatnonzero(m) for _, m, _ in roles])
        dept_idx = np.concatenate([d[m] for d, m, _ in roles])
        role_idx = np.concatenate([np.full(int(m.sum()), i) for i, (_, m, _) in enumerate(roles)])
        order = np.argsort(task_idx * 4 + role_idx, kind="stable")
        task_idx, dept_idx, role_idx = task_idx[order], dept_idx[order], role_idx[order]
        return u.frame(
            "raci",
            {
                "task_id": u.to_str(self._task_ids().take(task_idx)),
                "task": u.to_str(self._task_names().take(task_idx)),
                "department": u.to_str(u.take(self.names, dept_idx)),
                "role": u.to_str(u.take([x for _, _, x in roles], role_idx)),
            },
        )

    def _contact_frame(self) -> pd.DataFrame:
        first = np.arange(self.D) * self.per_dept
        return u.frame(
            "contacts",
            {
                "department": pd.Series(self.names, dtype="str"),
                "contact": pd.Series(self.people[first].tolist(), dtype="str"),
            },
        )

    def _project_frame(self) -> pd.DataFrame:
        li, P, D = self.li, self.P, self.D
        present = np.zeros((P, D), dtype=bool)
        present[self.proj, self.dept] = True
        self.present = present
        contacts = self.people[np.arange(D) * self.per_dept]
        parts = []
        for d in range(D):  # a loop over departments, vectorised over projects
            txt = f"{self.names[d]}({contacts[d]})"
            parts.append(np.where(present[:, d], txt + self.sep, ""))
        joined = parts[0].astype(object)
        for p in parts[1:]:
            joined = joined + p.astype(object)
        depts = u.to_str(u.pc.utf8_rtrim(u.pa.array(joined, type=u.TEXT), characters=self.sep))
        q = (self.p_end.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) // 3
        goal = (
            u.cat("Q", u.num(q + 1), "完成", self.p_name)
            if li == 0
            else u.cat("Deliver ", self.p_name, " in Q", u.num(q + 1))
        )
        return u.frame(
            "project",
            {
                "project": u.to_str(self.p_name),
                "sponsor_department": u.to_str(u.take(self.names, self.sponsor)),
                "lead": u.to_str(u.take(self.people.tolist(), self.lead)),
                "departments": depts,
                "goal": u.to_str(goal),
            },
        )

    # ------------------------------------------------------------------ plan and meetings
    def _plan(self):
        """Plan items per project: arrays over plan rows."""
        rng, P = self.rng, self.P
        kinds = ["daily", "weekly", "biweekly", "req_review", "golive_review"]
        prob = np.array([0.75, 1.0, 0.3, 1.0, 0.5])
        has = rng.random((P, len(kinds))) < prob
        proj, kind = np.nonzero(has)  # row-major: grouped by project, kinds in order
        self.plan_proj, self.plan_kind = proj, kind
        self.plan_kinds = kinds
        end = self.p_end if self.as_of is None else np.minimum(self.p_end, self.as_of)
        self.p_window_end = end
        lo = int(self.p_start.min()) - 3
        hi = int(max(self.p_end.max(), self.p_start.max())) + 30
        self.workday, self.wd_first = u.workday_table(lo, hi)
        # one-off dates: end of the first phase's plan, and the project's planned end
        pf = self.pf.reshape(P, self.n)
        ph0 = self.pos_phase == 0
        req_day = pf[:, ph0].max(axis=1)
        golive_day = pf.max(axis=1)
        self.req_day = u.next_workday(req_day, self.workday, self.wd_first)
        self.golive_day = u.next_workday(golive_day, self.workday, self.wd_first)
        # review participants: sponsor + two other departments of the project
        D = self.D
        o1 = rng.integers(1, D, P)
        o2 = rng.integers(1, max(D - 1, 2), P)
        o2 = np.where(o2 >= o1, o2 + 1, o2) % D if D > 2 else o1
        self.review_depts = np.stack(
            [self.sponsor, (self.sponsor + o1) % D, (self.sponsor + o2) % D], axis=1
        )
        if D == 2:
            self.review_depts = self.review_depts[:, :2]

    def _plan_item_names(self, proj, kind) -> u.pa.Array:
        li = self.li
        base = u.take([v.PLAN_ITEMS[k][li] for k in self.plan_kinds], kind)
        if self.P == 1:
            return base
        return u.cat(self.p_name.take(u.pa.array(proj)), "·" if li == 0 else " · ", base)

    def _plan_frame(self) -> pd.DataFrame:
        li = self.li
        proj, kind = self.plan_proj, self.plan_kind
        item = self._plan_item_names(proj, kind)
        k = self.plan_kinds
        freq_fixed = u.take([v.PLAN_ITEMS[x][2 + li] or "" for x in k], kind)
        one_day = np.where(kind == k.index("req_review"), self.req_day[proj], self.golive_day[proj])
        one_time = np.where(kind == k.index("req_review"), "14:00", "10:00")
        if li == 0:
            mo, dom = u.month_day(one_day)
            one_txt = u.cat(u.num(mo), "月", u.num(dom), "日", u.pa.array(one_time))
        else:
            one_txt = u.cat(u.iso_date(one_day), " ", u.pa.array(one_time))
        is_one = (kind == k.index("req_review")) | (kind == k.index("golive_review"))
        freq = u.pc.if_else(u.pa.array(is_one), one_txt, freq_fixed)
        # participants of the reviews: named departments
        rd = self.review_depts[proj]
        names = u.pa.array(self.names)
        heads = u.cat(
            *[
                x
                for c in range(rd.shape[1])
                for x in ((self.sep if c else ""), names.take(u.pa.array(rd[:, c])))
            ]
        )
        rev_part = (
            u.cat(heads, "负责人+相关专员")
            if li == 0
            else u.cat("Heads of ", heads, " + specialists")
        )
        fixed_part = u.take([v.PLAN_ITEMS[x][4 + li] or "" for x in k], kind)
        part = u.pc.if_else(u.pa.array(is_one), rev_part, fixed_part)
        return u.frame(
            "plan",
            {
                "item": u.to_str(item),
                "frequency": u.to_str(freq),
                "participants": u.to_str(part),
                "agenda": u.to_str(u.take([v.PLAN_ITEMS[x][6 + li] for x in k], kind)),
                "output": u.to_str(u.take([v.PLAN_ITEMS[x][8 + li] for x in k], kind)),
                "channel": u.to_str(u.take([v.PLAN_ITEMS[x][10 + li] for x in k], kind)),
            },
        )

    def _meetings(self):
        rng, D = self.rng, self.D
        k = self.plan_kinds
        proj, kind = self.plan_proj, self.plan_kind
        # --- periodic items: expand each project's window day by day, keep matching days
        periodic = kind <= k.index("biweekly")
        pp, pk = proj[periodic], kind[periodic]
        start = self.p_start[pp]
        span = np.maximum(self.p_window_end[pp] - start + 1, 0)
        r = np.repeat(np.arange(len(pp)), span)
        offs = np.arange(len(r)) - np.repeat(np.cumsum(span) - span, span)
        day = start[r] + offs
        kk = pk[r]
        wd = u.weekday(day)
        work = self.workday[day - self.wd_first]
        first_wed = start + (2 - u.weekday(start)) % 7
        ok = np.where(kk == 0, work, False)
        ok |= (kk == 1) & (wd == 4) & work
        ok |= (kk == 2) & (wd == 2) & work & (((day - first_wed[r]) // 7) % 2 == 0)
        day, kk, mp = day[ok], kk[ok], pp[r[ok]]
        plan_row = np.flatnonzero(periodic)[r[ok]]
        # --- one-offs
        one = ~periodic
        od = np.where(
            kind[one] == k.index("req_review"), self.req_day[proj[one]], self.golive_day[proj[one]]
        )
        day = np.concatenate([day, od])
        kk = np.concatenate([kk, kind[one]])
        mp = np.concatenate([mp, proj[one]])
        plan_row = np.concatenate([plan_row, np.flatnonzero(one)])
        # planned minute of day per kind
        planned_min = np.array([17 * 60, 15 * 60, 10 * 60, 14 * 60, 10 * 60])[kk]
        # --- held or missed
        held = rng.random(len(day)) >= self.cadence_failures
        if self.as_of is not None:
            held &= day <= self.as_of
        day, kk, mp, plan_row, planned_min = (a[held] for a in (day, kk, mp, plan_row, planned_min))
        m = len(day)
        moved = (kk == 1) & (rng.random(m) < 0.05)  # a Friday review held on Thursday
        day = day - moved
        late = rng.choice(np.array([0, 0, 0, 0, 5, 10, 15, -5, 30]), m)
        minute = planned_min + late
        dur_choices = np.array(
            [[15, 20, 30], [45, 60, 90], [60, 90, 90], [90, 120, 120], [60, 90, 120]]
        )
        duration = dur_choices[kk, rng.integers(0, 3, m)]
        # attendance: project departments, the bottleneck less often
        p_att = np.full(D, _ATTEND)
        if self.bn >= 0:
            p_att[self.bn] = _ATTEND_BOTTLENECK
        att = (rng.random((m, D)) < p_att) & self.present[mp]
        is_review = kk >= 3
        rev = np.zeros((m, D), dtype=bool)
        rd = self.review_depts[mp]
        for c in range(rd.shape[1]):  # 2–3 columns
            rev[np.arange(m), rd[:, c]] = True
        att = np.where(is_review[:, None], rev & (rng.random((m, D)) < 0.95), att)
        att[np.arange(m), self.sponsor[mp]] = True
        has_output = rng.random(m) >= np.where(kk == 0, 0.12, 0.06)
        self.m_day, self.m_min, self.m_kind, self.m_proj = day, minute, kk, mp
        self.m_plan_row, self.m_dur, self.m_att, self.m_out = plan_row, duration, att, has_output
        self.m_related = np.zeros(m, dtype=np.int64)  # number of related tasks
        self.m_rel_flat = np.empty(0, dtype=np.int64)
        self.m_esc_kind = np.full(m, -1)
        self._escalations()

    def _escalations(self):
        """Meetings after tasks turn delayed or blocked (some late, some never)."""
        rng, D = self.rng, self.D
        s = self.u_status
        bad = (s == u.STATUS["delayed"]) | (s == u.STATUS["blocked"])
        prev_same = np.zeros(len(s), dtype=bool)
        if len(s):
            prev_same[1:] = (self.u_task[1:] == self.u_task[:-1]) & (s[1:] == s[:-1])
        ep = np.flatnonzero(bad & ~prev_same)
        ep = ep[rng.random(len(ep)) >= _P_NO_ESCALATION]
        quick = rng.random(len(ep)) < _P_ESCALATION_IN_48H
        lag_h = np.where(quick, rng.uniform(2, 44, len(ep)), rng.uniform(50, 120, len(ep)))
        target = self.u_when[ep] + np.rint(lag_h * 60).astype(np.int64)
        tday, tmin = target // u.MIN_PER_DAY, target % u.MIN_PER_DAY
        tday = np.where(tmin > 18 * 60, tday + 1, tday)
        tmin = np.where(tmin > 18 * 60, 10 * 60, np.maximum(tmin, 9 * 60))
        tmin = (tmin + 29) // 30 * 30
        task = self.u_task[ep]
        proj = self.proj[task]
        keep = np.ones(len(ep), dtype=bool) if self.as_of is None else tday <= self.as_of
        task, proj, tday, tmin, ep = task[keep], proj[keep], tday[keep], tmin[keep], ep[keep]
        # one meeting per project and day covers every episode due that day
        key = proj.astype(np.int64) * 1_000_000 + (tday - u.day_number("2000-01-01"))
        order = np.lexsort((task, key))
        key, task, proj, tday, tmin, ep = (a[order] for a in (key, task, proj, tday, tmin, ep))
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        dup = np.zeros(len(key), dtype=bool)
        dup[1:] = ~first[1:] & (task[1:] == task[:-1])
        grp = np.cumsum(first) - 1
        g = int(first.sum())
        gmin = np.zeros(g, dtype=np.int64)
        np.maximum.at(gmin, grp, tmin)
        gday = tday[first]
        gproj = proj[first]
        gkind = np.where(self.u_status[ep[first]] == u.STATUS["blocked"], 1, 0)
        uniq = ~dup
        rel_count = np.bincount(grp[uniq], minlength=g)
        rel_flat = task[uniq]
        att = np.zeros((g, D), dtype=bool)
        att[grp[uniq], self.dept[rel_flat]] = True
        att[np.arange(g), self.sponsor[gproj]] = True
        self.g_first_task = task[first]
        # append to the meeting arrays
        base_rel = np.zeros(len(self.m_day), dtype=np.int64)
        self.m_day = np.concatenate([self.m_day, gday])
        self.m_min = np.concatenate([self.m_min, gmin])
        self.m_kind = np.concatenate([self.m_kind, np.full(g, 5)])
        self.m_proj = np.concatenate([self.m_proj, gproj])
        self.m_plan_row = np.concatenate([self.m_plan_row, np.full(g, -1)])
        self.m_dur = np.concatenate([self.m_dur, rng.choice(np.array([30, 45, 60]), g)])
        self.m_att = np.concatenate([self.m_att, att])
        self.m_out = np.concatenate([self.m_out, rng.random(g) >= 0.05])
        self.m_related = np.concatenate([base_rel, rel_count])
        self.m_rel_flat = rel_flat
        self.m_esc_kind = np.concatenate([self.m_esc_kind, gkind])
        self.m_first_task = np.concatenate([np.full(len(base_rel), -1), self.g_first_task])
        # chronological order
        when = self.m_day * u.MIN_PER_DAY + self.m_min
        order = np.argsort(when, kind="stable")
        rel_off = np.zeros(len(self.m_related) + 1, dtype=np.int64)
        np.cumsum(self.m_related, out=rel_off[1:])
        n_rel = self.m_related[order]
        rel_idx = np.repeat(rel_off[:-1][order], n_rel) + (
            np.arange(int(n_rel.sum())) - np.repeat(np.cumsum(n_rel) - n_rel, n_rel)
        )
        self.m_rel_flat = self.m_rel_flat[rel_idx] if len(rel_idx) else self.m_rel_flat
        for name in (
            "m_day",
            "m_min",
            "m_kind",
            "m_proj",
            "m_plan_row",
            "m_dur",
            "m_att",
            "m_out",
            "m_related",
            "m_esc_kind",
            "m_first_task",
        ):
            setattr(self, name, getattr(self, name)[order])

    def _meeting_topics(self) -> u.pa.Array:
        li = self.li
        kind = self.m_kind
        plan_kind = np.minimum(kind, 4)
        topic_plan = self._plan_item_names(self.m_proj, plan_kind)
        ft = np.maximum(self.m_first_task, 0)
        ek = np.maximum(self.m_esc_kind, 0)
        suffix = u.take([v.ESCALATION_TOPIC["delayed"][li], v.ESCALATION_TOPIC["blocked"][li]], ek)
        single = u.cat(self._task_names().take(u.pa.array(ft)), "" if li == 0 else " ", suffix)
        if li == 0:
            multi = u.cat("滞后/阻塞任务专项会(", u.num(self.m_related), "项)")
        else:
            multi = u.cat("Delayed/blocked tasks meeting (", u.num(self.m_related), " tasks)")
        if self.P > 1:
            multi = u.cat(
                self.p_name.take(u.pa.array(self.m_proj)), "·" if li == 0 else " · ", multi
            )
        esc = u.pc.if_else(u.pa.array(self.m_related > 1), multi, single)
        return u.pc.if_else(u.pa.array(kind == 5), esc, topic_plan)

    def _meeting_frame(self) -> pd.DataFrame:
        li = self.li
        m = len(self.m_day)
        self._topics = self._meeting_topics()
        plan_items = self._plan_item_names(self.plan_proj, self.plan_kind)
        pi = u.pc.if_else(
            u.pa.array(self.m_plan_row >= 0),
            plan_items.take(u.pa.array(np.maximum(self.m_plan_row, 0))),
            u.pa.nulls(m, u.TEXT),
        )
        # participants text and department lists from the attendance matrix
        # in the order TrackingData.departments gives (first appearance in the tasks), which
        # is also the order a loader derives from the participants text
        first = np.full(self.D, self.N, dtype=np.int64)
        np.minimum.at(first, self.dept, np.arange(self.N))
        order = np.argsort(first, kind="stable")
        att = self.m_att[:, order]
        names = np.array(self.names, dtype=object)[order]
        _, cols = np.nonzero(att)
        dept_lists = u.lists(names[cols], att.sum(axis=1))
        joined = np.full(m, "", dtype=object)
        for d in range(self.D):  # a loop over departments
            joined = joined + np.where(att[:, d], names[d] + self.sep, "")
        part = u.pc.utf8_rtrim(u.pa.array(joined, type=u.TEXT), characters=self.sep)
        out_vocab = [v.PLAN_ITEMS[x][8 + li] for x in self.plan_kinds]
        out_vocab.append(
            "解决措施、责任人和新截止时间" if li == 0 else "Fix, owner and new due date"
        )
        out_idx = np.where(self.m_out, self.m_kind, len(out_vocab))
        output = u.take([*out_vocab, None], out_idx)
        related = u.lists(
            self._task_ids().to_numpy(zero_copy_only=False)[self.m_rel_flat], self.m_related
        )
        return u.frame(
            "meetings",
            {
                "date": u.days_to_dt(self.m_day),
                "time": u.to_str(u.hhmm(self.m_min)),
                "topic": u.to_str(self._topics),
                "participants": u.to_str(part),
                "plan_item": u.to_str(pi),
                "duration_min": self.m_dur.astype("float64"),
                "output": u.to_str(output),
                "related_tasks": pd.Series(related, dtype=object),
                "start": u.minutes_to_dt(self.m_day * u.MIN_PER_DAY + self.m_min),
                "departments": pd.Series(dept_lists, dtype=object),
            },
        )

    def _actions(self):
        rng, D = self.rng, self.D
        m = len(self.m_day)
        kind = self.m_kind
        r = rng.random(m)
        cnt = np.select(
            [kind == 0, kind == 1, kind == 2, kind >= 5],
            [
                (r < 0.03).astype(np.int64),
                np.digitize(r, [0.3, 0.75]),
                np.digitize(r, [0.35, 0.8]),
                np.ones(m, dtype=np.int64),
            ],
            default=1 + (r < 0.5),
        )
        a_m = np.repeat(np.arange(m), cnt)
        n = len(a_m)
        # department: a random attending department (escalations: the first task's department)
        score = rng.random((n, D)) * self.m_att[a_m]
        dept = score.argmax(axis=1)
        esc = kind[a_m] == 5
        ft = self.m_first_task[a_m]
        dept = np.where(esc, self.dept[np.maximum(ft, 0)], dept)
        owner = np.where(
            esc,
            self.owner[np.maximum(ft, 0)],
            dept * self.per_dept + rng.integers(0, self.per_dept, n),
        )
        mday = self.m_day[a_m]
        due = mday + rng.integers(2, 9, n)
        is_bn = dept == self.bn
        open_ = rng.random(n) < np.where(is_bn, 0.2, 0.07)
        closed = np.maximum(due + rng.integers(-3, 5, n) + np.where(is_bn, 3, 0), mday)
        if self.as_of is not None:
            open_ |= closed > self.as_of
        # text
        li = self.li
        groups = [
            ("daily", 0),
            ("weekly", 1),
            ("weekly", 2),
            ("review", 3),
            ("review", 4),
            ("escalation", 5),
        ]
        vocab, base = [], {}
        for key in ("daily", "weekly", "review", "escalation"):
            base[key] = len(vocab)
            vocab.extend(t[li] for t in v.ACTION_TEXT[key])
        kind_base = np.array([base[g] for g, _ in groups])
        kind_n = np.array([len(v.ACTION_TEXT[g]) for g, _ in groups])
        ka = kind[a_m]
        text_idx = kind_base[ka] + (rng.random(n) * kind_n[ka]).astype(np.int64)
        self.a_meeting, self.a_dept, self.a_owner = a_m, dept, owner
        self.a_due, self.a_closed, self.a_open = due, closed, open_
        self.a_text_idx, self.a_vocab, self.a_esc, self.a_ft = text_idx, vocab, esc, ft

    def _action_frame(self) -> pd.DataFrame:
        li = self.li
        text = u.take(self.a_vocab, self.a_text_idx)
        tn = self._task_names().take(u.pa.array(np.maximum(self.a_ft, 0)))
        esc_text = u.cat(tn, ":" if li == 0 else ": ", text)
        action = u.pc.if_else(u.pa.array(self.a_esc), esc_text, text)
        src = u.cat(u.iso_date(self.m_day), " ", self._topics).take(u.pa.array(self.a_meeting))
        closed = u.days_to_dt(self.a_closed, self.a_open)
        return u.frame(
            "actions",
            {
                "action": u.to_str(action),
                "owner": u.to_str(u.take(self.people.tolist(), self.a_owner)),
                "department": u.to_str(u.take(self.names, self.a_dept)),
                "due": u.days_to_dt(self.a_due),
                "closed": closed,
                "source_meeting": u.to_str(src),
                "is_closed": ~self.a_open,
            },
        )
