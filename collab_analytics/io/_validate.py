"""Cross-column and cross-table validation rules (lazy: every problem is collected).

Rule codes are stable API (``docs/data-model.md`` lists them with examples). Each rule is
vectorised over the table; dependency cycles use vectorised peeling plus an iterative Tarjan
pass over whatever remains (O(V + E)).

Examples
--------
>>> from collab_analytics.io._validate import find_cycles
>>> import numpy as np
>>> find_cycles(4, np.array([0, 1, 2, 3]), np.array([1, 2, 0, 3]))
[[0, 1, 2], [3]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics.data import TrackingData
from collab_analytics.io import _arrow
from collab_analytics.io._raw import Issues

__all__ = ["find_cycles", "validate"]

_PEEL_ROUNDS = 64


def find_cycles(n: int, src: np.ndarray, dst: np.ndarray) -> list[list[int]]:
    """Strongly connected components that form cycles in a directed graph of ``n`` nodes.

    Edges go ``src[k] → dst[k]``. Returns each cycle's nodes (sorted), self-loops included,
    ordered by their smallest node.
    """
    src = np.asarray(src, dtype="int64")
    dst = np.asarray(dst, dtype="int64")
    if len(src) and ((src < dst).all() or (src > dst).all()):
        return []  # every edge leads the same way along 0..n-1: that order is topological
    alive = np.ones(len(src), dtype=bool)
    # peel nodes without incoming or without outgoing live edges: they cannot be on a cycle
    for _ in range(_PEEL_ROUNDS):
        if not alive.any():
            return []
        s, d = src[alive], dst[alive]
        indeg = np.bincount(d, minlength=n)
        outdeg = np.bincount(s, minlength=n)
        dead = (indeg[s] == 0) | (outdeg[d] == 0)
        if not dead.any():
            break
        idx = np.flatnonzero(alive)
        alive[idx[dead]] = False
    if not alive.any():
        return []
    s, d = src[alive], dst[alive]
    order = np.argsort(s, kind="stable")
    s, d = s[order], d[order]
    nodes = np.unique(np.concatenate([s, d]))
    starts = np.searchsorted(s, nodes)
    ends = np.searchsorted(s, nodes, side="right")
    adj = {int(v): d[a:b].tolist() for v, a, b in zip(nodes, starts, ends, strict=True)}
    self_loop = set(s[s == d].tolist())
    # iterative Tarjan
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in adj:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = adj.get(v, [])
            recurse = False
            while i < len(succ):
                w = succ[i]
                i += 1
                if w not in index:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in self_loop:
                    out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return sorted(out, key=lambda c: c[0])


def _src(td: TrackingData, table: str, mask) -> pd.DataFrame:
    src = td.sources[table]
    return src[np.asarray(mask, dtype=bool)]


def _fmt_date(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").astype("str")


def validate(
    td: TrackingData,
    issues: Issues,
    *,
    dep_unknown: pd.DataFrame | None = None,
    dep_edges: tuple[np.ndarray, np.ndarray] | None = None,
    refs_unknown: dict | None = None,
    rel_unknown: pd.DataFrame | None = None,
    keys=None,
    task_masks=None,
) -> None:
    """Run every cross-column / cross-table rule, adding issues to ``issues``.

    ``keys`` (a :class:`~collab_analytics.io._build.TaskKeys` of ``td.tasks``) lets the
    duplicate checks reuse the task keys already hashed for dependency resolution;
    ``task_masks`` (a future or a dict) is :func:`task_masks` of ``td.tasks``.
    """
    t = td.tasks
    as_of = td.as_of
    if len(t):
        _task_rules(td, issues, as_of, keys, task_masks)
        if dep_unknown is not None and len(dep_unknown):
            src = td.sources["tasks"].iloc[dep_unknown["pos"].to_numpy()]
            issues.add_many(
                "error",
                "unknown_dependency",
                "Dependency names a task that is not in the task table.",
                table="tasks",
                src=src,
                column="depends_on",
                value=dep_unknown["token"],
                hint="Use a task id (任务编号) or the exact task name.",
            )
        if dep_edges is not None and len(dep_edges[0]):
            _cycles(td, issues, dep_edges)
    for table in ("tasks", "updates"):
        df = td.table(table)
        if len(df):
            out = df["progress"].notna() & ~df["progress"].between(0, 1)
            if out.any():
                issues.add_many(
                    "error",
                    "progress_out_of_range",
                    "Progress outside 0–100 %.",
                    table=table,
                    src=_src(td, table, out),
                    column="progress",
                    value=(df.loc[out, "progress"] * 100).round(2).astype("str") + "%",
                )
    for table, mask in (refs_unknown or {}).items():
        if mask.any():
            df = td.table(table)
            src = _src(td, table, mask)
            value = df.loc[mask, "task"].fillna(df.loc[mask, "task_id"])
            first = ~src[["file", "sheet", "row"]].astype("str").duplicated().to_numpy()
            issues.add_many(
                "warning",
                "unknown_task",
                "Row names a task that is not in the task table.",
                table=table,
                src=src[first],
                column="task",
                value=value[first],
            )
    if rel_unknown is not None and len(rel_unknown):
        issues.add_many(
            "warning",
            "unknown_task",
            "Related task is not in the task table.",
            table="meetings",
            src=td.sources["meetings"].iloc[rel_unknown["pos"].to_numpy()],
            column="related_tasks",
            value=rel_unknown["token"],
        )
    m, plan = td.meetings, td.plan
    if len(m) and len(plan) and m["plan_item"].notna().any():
        pos = _arrow.lookup(_arrow.key(m["plan_item"]), _arrow.key(plan["item"]))
        bad = m["plan_item"].notna() & (pos < 0)
        if bad.any():
            issues.add_many(
                "warning",
                "unknown_plan_item",
                "Meeting names a communication-plan item that is not in the plan.",
                table="meetings",
                src=_src(td, "meetings", bad),
                column="plan_item",
                value=m.loc[bad, "plan_item"],
                hint="Use an item name from 沟通计划 (e.g. 日常进度同步).",
            )
    if not (len(td.raci) or len(td.actions)):
        return  # the department rule below only checks RACI and action rows
    known_depts = set(t["department"].dropna().unique()) | set(
        td.contacts["department"].dropna().unique()
    )
    if known_depts:
        for table in ("raci", "actions"):
            df = td.table(table)
            if len(df):
                bad = df["department"].notna() & ~df["department"].isin(known_depts)
                if bad.any():
                    issues.add_many(
                        "warning",
                        "unknown_department",
                        "Department is not one of the tasks' or contacts' departments.",
                        table=table,
                        src=_src(td, table, bad),
                        column="department",
                        value=df.loc[bad, "department"],
                        hint=f"Known departments: {sorted(known_depts)}.",
                    )


def _status_in(status: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    """``status.isin(codes)``, on the category codes when the column is categorical."""
    if isinstance(status.dtype, pd.CategoricalDtype):
        cats = status.cat.categories
        want = np.zeros(len(cats) + 1, dtype=bool)  # last slot: missing (code -1)
        want[[cats.get_loc(c) for c in codes if c in cats]] = True
        return pd.Series(want[status.cat.codes.to_numpy()], index=status.index)
    return status.isin(list(codes))


_NAT = np.iinfo(np.int64).min


def _before(a: pd.Series, b: pd.Series | pd.Timestamp) -> np.ndarray:
    """``a < b`` as a numpy mask, False where either side is missing.

    For a datetime64 column against a column of the same dtype or a timestamp that the
    column's unit holds exactly, the comparison runs on the int64 views (NaT is the
    smallest int64: ``a`` is NaT is masked out, and ``x < NaT`` is never true); anything
    else goes through pandas.

    Examples
    --------
    >>> a = pd.Series(pd.to_datetime(["2024-01-02", None, "2024-01-05"]))
    >>> b = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-01", None]))
    >>> _before(a, b).tolist(), _before(a, pd.Timestamp("2024-01-04")).tolist()
    ([True, False, False], [True, False, False])
    """
    if isinstance(a.dtype, np.dtype) and a.dtype.kind == "M":
        x = a.to_numpy().view("int64")
        y = None
        if isinstance(b, pd.Series):
            if b.dtype == a.dtype and len(b) == len(a):
                y = b.to_numpy().view("int64")
        elif isinstance(b, pd.Timestamp) and b is not pd.NaT:
            unit = np.datetime_data(a.dtype)[0]
            v = np.datetime64(b.to_datetime64(), unit)
            if v == b.to_datetime64() and v.astype("int64") != _NAT:
                y = v.astype("int64")
        if y is not None:
            return (x < y) & (x != _NAT)
    return np.asarray(a < b, dtype=bool)


def task_masks(
    planned_start: pd.Series,
    planned_finish: pd.Series,
    actual_start: pd.Series,
    actual_finish: pd.Series,
    status: pd.Series,
) -> dict[str, np.ndarray]:
    """Row masks of the task rules that read only these columns (no other table, no
    as-of date): pure, so a long table's can be computed on a worker thread while its
    dependencies are resolved.

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2024-07-02", "2024-07-01"]))
    >>> m = task_masks(d, d[::-1].reset_index(drop=True), d, d, pd.Series(["done", None]))
    >>> m["finish_before_start"].tolist(), m["done"].tolist()
    ([True, False], [False, False])
    """
    no_finish = actual_finish.isna().to_numpy()
    return {
        "finish_before_start": _before(planned_finish, planned_start),
        "actual_finish_before_start": _before(actual_finish, actual_start),
        "done": _status_in(status, ("done", "done_early")).to_numpy() & no_finish,
        "open": _status_in(status, ("on_track", "not_started")).to_numpy() & no_finish,
    }


def task_mask_columns(tasks: pd.DataFrame) -> tuple[pd.Series, ...]:
    """The columns :func:`task_masks` reads, in its argument order."""
    return tuple(
        tasks[c]
        for c in ("planned_start", "planned_finish", "actual_start", "actual_finish", "status")
    )


def _task_rules(
    td: TrackingData, issues: Issues, as_of: pd.Timestamp | None, keys=None, masks=None
) -> None:
    """The task table's rules; ``masks`` (optional, a future or a dict) is
    :func:`task_masks` of ``td.tasks``, computed beforehand."""
    if keys is None:
        from collab_analytics.io._build import TaskKeys

        keys = TaskKeys(td.tasks)
    t = td.tasks
    if masks is None:
        masks = task_masks(*task_mask_columns(t))
    elif not isinstance(masks, dict):
        masks = masks.result()
    bad = masks["finish_before_start"]
    if bad.any():
        issues.add_many(
            "error",
            "finish_before_start",
            "Planned finish is before planned start.",
            table="tasks",
            src=_src(td, "tasks", bad),
            column="planned_finish",
            value=_fmt_date(t.loc[bad, "planned_finish"]),
        )
    bad = masks["actual_finish_before_start"]
    if bad.any():
        issues.add_many(
            "error",
            "actual_finish_before_start",
            "Actual finish is before actual start.",
            table="tasks",
            src=_src(td, "tasks", bad),
            column="actual_finish",
            value=_fmt_date(t.loc[bad, "actual_finish"]),
        )
    status = t["status"]
    bad = masks["done"]
    if bad.any():
        issues.add_many(
            "warning",
            "done_without_actual_finish",
            "Status says finished but there is no actual finish date.",
            table="tasks",
            src=_src(td, "tasks", bad),
            column="actual_finish",
            hint="Fill 实际完成 so on-time metrics can count the task.",
        )
    if as_of is not None:
        # as_of is a midnight: a day before it <=> a time before it
        bad = masks["open"] & _before(t["planned_finish"], as_of)
        if bad.any():
            issues.add_many(
                "warning",
                "status_contradicts_dates",
                f"Status is {'正常/未开始'} but the planned finish is before the "
                f"data's as-of date {as_of:%Y-%m-%d} and the task is not finished.",
                table="tasks",
                src=_src(td, "tasks", bad),
                column="status",
                value=status[bad].astype("str"),
                hint="Mark it 滞后 (delayed) or fill 实际完成.",
            )
    dup = pd.Series(keys.duplicate_ids(), index=t.index)
    if dup.any():
        issues.add_many(
            "error",
            "duplicate_task_id",
            "Task id appears more than once in the project.",
            table="tasks",
            src=_src(td, "tasks", dup),
            column="task_id",
            value=t.loc[dup, "task_id"],
        )
    dup = keys.duplicate_names() & t["task"].notna().to_numpy()
    dup = pd.Series(dup, index=t.index)
    if dup.any():
        issues.add_many(
            "warning",
            "duplicate_task_name",
            "Task name appears more than once in the project.",
            table="tasks",
            src=_src(td, "tasks", dup),
            column="task",
            value=t.loc[dup, "task"],
            hint="Give each task a unique name or a task id (任务编号).",
        )


def _cycles(td: TrackingData, issues: Issues, edges: tuple[np.ndarray, np.ndarray]) -> None:
    t = td.tasks
    cycles = find_cycles(len(t), edges[0], edges[1])
    if not cycles:
        return
    ids = t["task_id"].to_numpy(dtype=object)
    src = td.sources["tasks"]
    for comp in cycles:
        chain = ", ".join(str(ids[i]) for i in comp)
        first = comp[0]
        issues.add(
            "error",
            "dependency_cycle",
            f"Dependency cycle among tasks {chain}."
            if len(comp) > 1
            else f"Task {ids[first]} depends on itself.",
            table="tasks",
            file=str(src["file"].iloc[first]),
            sheet=str(src["sheet"].iloc[first]),
            row=int(src["row"].iloc[first]),
            column="depends_on",
            value=", ".join(str(ids[i]) for i in comp),
            hint="Remove one of these dependencies.",
        )
