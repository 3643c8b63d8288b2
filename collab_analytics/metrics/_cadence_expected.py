"""Expected departments of a dashboard selection, derived from the whole dataset's codes:
the same rows as ``communication._expected_by_project`` on the selection (tests keep the two
equal), without reading the participants texts again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from collab_analytics.metrics._cadence_text import _SPONSOR_RE, _text_departments
from collab_analytics.metrics.cadence import _coded_text
from collab_analytics.metrics.schedule import _decoded


class _ExpectedIndex:
    """What ``communication._expected_by_project`` reads of a whole dataset, as codes, for
    :func:`_expected_within` (built by :func:`_expected_index`).

    ``names``: every department of the dataset; ``text_code``/``text_match``/``text_sponsor``:
    each plan row's participants text, the departments it names or implies and whether it
    names the sponsor; ``items``: plan item codes; ``task_key``/``task_order``: each task's
    (project, department) code and the tasks in stable key order; ``row_project``,
    ``row_match``, ``row_has_sponsor``, ``row_sponsor``: the project rows' project codes,
    listed departments and sponsor."""

    def __init__(self, **parts):
        self.__dict__.update(parts)


def _dept_matrix(text: pd.Series, names: list[str]) -> np.ndarray:
    pairs = _text_departments(text.reset_index(drop=True), names)
    mat = np.zeros((len(text), len(names)), dtype=bool)
    cols = pd.Index(names).get_indexer(pairs["department"].astype("object"))
    mat[pairs["row"].to_numpy(dtype="int64"), cols] = True
    return mat


def _expected_index(data) -> _ExpectedIndex | None:
    """Codes of a whole dataset for :func:`_expected_within` (``None`` when its tables lack
    a column the derivation reads: the caller computes directly then)."""
    plan, tasks, project = data.plan, data.tasks, data.project
    if (
        "participants" not in plan.columns
        or "project" not in project.columns
        or "departments" not in project.columns
        or "sponsor_department" not in project.columns
    ):
        return None
    names = [d for d in dict.fromkeys(data.departments) if isinstance(d, str) and d]
    dix = pd.Index(names, dtype=object)
    text = plan["participants"].astype("str").fillna("").reset_index(drop=True)
    tcode, tuniq = pd.factorize(text)
    utext = pd.Series(tuniq, dtype="str")
    norm = utext.str.normalize("NFKC").str.lower()
    pnames = pd.Index(
        pd.unique(pd.concat([tasks["project"], project["project"]]).dropna().astype("str")),
        dtype=object,
    )

    def codes(s: pd.Series, index: pd.Index) -> np.ndarray:
        return np.asarray(index.get_indexer(s.astype("object").where(s.notna(), None)), "int64")

    tp, td = codes(tasks["project"], pnames), codes(tasks["department"], dix)
    key = np.where((tp >= 0) & (td >= 0), tp * len(names) + td, -1)
    sp = project["sponsor_department"]
    return _ExpectedIndex(
        names=names,
        projects=pnames,
        text_code=np.asarray(tcode, dtype="int64"),
        text_match=_dept_matrix(utext, names),
        text_sponsor=norm.str.contains(_SPONSOR_RE, regex=True).to_numpy(dtype=bool),
        items=np.asarray(pd.factorize(plan["item"].astype("str"))[0], dtype="int64"),
        task_key=key,
        row_project=codes(project["project"], pnames),
        row_match=_dept_matrix(project["departments"].astype("str").fillna(""), names),
        row_has_sponsor=sp.notna().to_numpy(),
        row_sponsor=codes(sp.astype("str"), dix),
    )


def _first_seen(keys: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct key, in position order."""
    _, first = np.unique(keys, return_index=True)
    return np.sort(first)


def _expected_within(
    index: _ExpectedIndex,
    plan: pd.DataFrame,
    prow: np.ndarray,
    departments: Sequence[str],
    task_rows: np.ndarray,
    project_rows: np.ndarray,
) -> pd.DataFrame | None:
    """``communication._expected_by_project`` of a selection: ``plan`` is the selection's
    plan windows (rows ``prow`` of the plan ``index`` was built for, with their ``project``),
    ``departments`` the restricted data's departments, ``task_rows``/``project_rows`` the
    kept rows of the tasks and project tables.

    The same rule on codes: a group per project of the plan (first appearance; no project is
    a group), its departments ranked by first appearance among the kept tasks, then those
    listed by its project rows; each plan row keeps the departments its text names or
    implies (and its group's sponsor when it names the sponsor) that belong to its group,
    ordered by group, row and rank, one row per (group, item, department). ``None`` when the
    direct computation is simpler (an empty plan, no department, or a department the index
    does not know).
    """
    depts = [d for d in dict.fromkeys(departments) if isinstance(d, str) and d]
    if len(plan) == 0 or not depts:
        return None
    full = np.asarray(pd.Index(index.names, dtype=object).get_indexer(depts), dtype="int64")
    if (full < 0).any():
        return None
    nd, nD = len(depts), len(index.names)
    local = np.full(nD + 1, -1, dtype="int64")  # whole-data department code → selection's
    local[full] = np.arange(nd)
    key = plan["project"].astype("object").where(plan["project"].notna(), None)
    gcode, uniq = pd.factorize(key, use_na_sentinel=False)
    gcode = np.asarray(gcode, dtype="int64")
    ng = len(uniq)
    gproj = np.asarray(
        index.projects.get_indexer(pd.Index([u if isinstance(u, str) else None for u in uniq])),
        dtype="int64",
    )
    none_group = [i for i, u in enumerate(uniq) if u is None or (not isinstance(u, str))]
    group_of = np.full(len(index.projects) + 1, -1, dtype="int64")  # project code → group
    named = gproj >= 0
    group_of[gproj[named]] = np.flatnonzero(named)
    # (group, department) pairs: the kept tasks' in order, then the project rows' listings
    tk = index.task_key[task_rows]
    tk = tk[tk >= 0]
    tg = group_of[tk // max(nD, 1)]
    tdl = local[tk % max(nD, 1)]
    ok = (tg >= 0) & (tdl >= 0)
    tg, tdl = tg[ok], tdl[ok]
    prj = np.asarray(project_rows, dtype="int64")
    pg = group_of[index.row_project[prj]]
    in_plan = (index.row_project[prj] >= 0) & (pg >= 0)
    prj, pg = prj[in_plan], pg[in_plan]
    lr, lc = np.nonzero(index.row_match[prj][:, full])  # row-major: the selection's order
    g_all = np.concatenate([tg, pg[lr]])
    d_all = np.concatenate([tdl, lc])
    first = _first_seen(g_all * nd + d_all) if len(g_all) else np.zeros(0, dtype="int64")
    g_all, d_all = g_all[first], d_all[first]
    by = np.argsort(g_all, kind="stable")
    counts = np.bincount(g_all, minlength=ng)
    starts = np.cumsum(counts) - counts
    rank = np.full((ng, nd), -1, dtype="int64")
    rank[g_all[by], d_all[by]] = np.arange(len(by)) - np.repeat(starts, counts)
    none = ~(rank >= 0).any(axis=1)
    rank[none] = np.arange(nd)
    # sponsors: a project's first kept row naming one; no project: the first kept row's
    sponsor = np.full(ng, -1, dtype="int64")
    has = index.row_has_sponsor[prj]
    if has.any():
        sg, sc = pg[has], index.row_sponsor[prj[has]]
        f = _first_seen(sg)
        sponsor[sg[f]] = local[sc[f]]
    if none_group:
        allp = np.asarray(project_rows, dtype="int64")
        h = np.flatnonzero(index.row_has_sponsor[allp])
        if len(h):
            sponsor[none_group[0]] = local[index.row_sponsor[allp[h[0]]]]
    # the participants text of each plan row against the selection's departments
    tc = index.text_code[prow]
    row, col = np.nonzero(index.text_match[tc][:, full])
    sp_rows = np.flatnonzero(index.text_sponsor[tc] & (sponsor[gcode] >= 0))
    row = np.concatenate([row, sp_rows])
    col = np.concatenate([col, sponsor[gcode[sp_rows]]])
    g = gcode[row]
    r = rank[g, col]
    keep = r >= 0
    row, col, g, r = row[keep], col[keep], g[keep], r[keep]
    pos = np.lexsort((r, row, g))
    row, col, g = row[pos], col[pos], g[pos]
    item = index.items[prow][row]
    n_items = int(index.items.max()) + 1 if len(index.items) else 1
    f = _first_seen((g * n_items + item) * nd + col) if len(row) else row
    row, col = row[f], col[f]
    return pd.DataFrame(
        {
            "item": _decoded(plan["item"], row),
            "department": _coded_text(depts, col),
            "source": _coded_text(["participants"], np.zeros(len(row), dtype="int64")),
        }
    )
