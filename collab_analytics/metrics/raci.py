"""RACI matrix checks: is the matrix well formed, and did what happened follow it?

Validation (:func:`raci_problems`) — one tidy row per problem:

========================  ========  ==========================================================
code                      severity  meaning
========================  ========  ==========================================================
``invalid_role``          error     a role other than R, A, C, I
``no_accountable``        error     a task without an A
``multiple_accountable``  error     a task with more than one A
``no_responsible``        error     a task without an R
``empty_row``             error     a task of the task list with no RACI entry at all
``empty_column``          warning   a known department with no role on any task
``unknown_task``          warning   a RACI task missing from the task list
``unknown_department``    warning   a RACI department unknown to the tasks and contacts
``missing_contact``       warning   a department without a contact (对接人)
``multiple_contacts``     warning   a department with more than one contact
``overload_r/_c/_i``      warning   a department with more R/C/I roles than allowed
========================  ========  ==========================================================

Conformance (:func:`raci_conformance`): per task, does the owning department hold R; did its
A and R departments attend at least one meeting concerning the task; do its I departments
appear in at least one meeting concerning the task (the task's communication log)?

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.raci import raci_problems
>>> raci = pd.DataFrame({"task_id": ["T1", "T1", "T2", "T2"],
...                      "task": ["收集痛点"] * 2 + ["开发"] * 2,
...                      "department": ["客服部", "产品部", "技术部", "产品部"],
...                      "role": ["R", "A", "R", "C"]})
>>> raci_problems(raci)[["code", "task_id"]].to_dict("list")
{'code': ['no_accountable'], 'task_id': ['T2']}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from collab_analytics.metrics.cadence import _meeting_dept_pairs
from collab_analytics.metrics.escalation import _task_key, task_meeting_pairs

__all__ = [
    "CONFORMANCE_COLUMNS",
    "PROBLEM_COLUMNS",
    "raci_conformance",
    "raci_conformance_by_department",
    "raci_problems",
]

#: Columns of :func:`raci_problems`.
PROBLEM_COLUMNS: tuple[str, ...] = (
    "severity",
    "code",
    "task_id",
    "task",
    "department",
    "count",
    "message",
)
#: Columns of :func:`raci_conformance`.
CONFORMANCE_COLUMNS: tuple[str, ...] = (
    "task_id",
    "task",
    "department",
    "owner_holds_r",
    "n_meetings",
    "ar_departments",
    "ar_attended",
    "ar_attendance",
    "i_departments",
    "i_informed",
)

_ROLES = ("R", "A", "C", "I")

_MESSAGES = {
    "en": {
        "invalid_role": "role {value!r} is not one of R, A, C, I",
        "no_accountable": "task has no accountable (A) department",
        "multiple_accountable": "task has {count} accountable (A) departments; exactly one is "
        "expected",
        "no_responsible": "task has no responsible (R) department",
        "empty_row": "task has no RACI entry",
        "empty_column": "department has no role on any task",
        "unknown_task": "RACI names a task that is not in the task list",
        "unknown_department": "department is unknown to the task list and the contacts",
        "missing_contact": "department has no contact person (对接人)",
        "multiple_contacts": "department has {count} contact persons; one is expected",
        "overload_r": "department is responsible (R) for {count} tasks (limit {limit})",
        "overload_c": "department is consulted (C) on {count} tasks (limit {limit})",
        "overload_i": "department is informed (I) on {count} tasks (limit {limit})",
    },
    "zh": {
        "invalid_role": "角色 {value!r} 不是 R、A、C、I 之一",
        "no_accountable": "任务没有审批(A)部门",
        "multiple_accountable": "任务有 {count} 个审批(A)部门,应当恰好一个",
        "no_responsible": "任务没有负责(R)部门",
        "empty_row": "任务在 RACI 矩阵中没有任何角色",
        "empty_column": "部门在所有任务中都没有角色",
        "unknown_task": "RACI 中的任务不在任务清单中",
        "unknown_department": "部门既不在任务清单中也不在对接人清单中",
        "missing_contact": "部门没有指定对接人",
        "multiple_contacts": "部门有 {count} 个对接人,应当只有一个",
        "overload_r": "部门负责(R) {count} 个任务(上限 {limit})",
        "overload_c": "部门被咨询(C) {count} 个任务(上限 {limit})",
        "overload_i": "部门被知会(I) {count} 个任务(上限 {limit})",
    },
}
_SEVERITY = {
    "invalid_role": "error",
    "no_accountable": "error",
    "multiple_accountable": "error",
    "no_responsible": "error",
    "empty_row": "error",
}


def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "count" else "str") for c in PROBLEM_COLUMNS}
    )


def _rows(
    code: str,
    lang: str,
    task_id=None,
    task=None,
    department=None,
    count=None,
    limit=None,
    value=None,
) -> pd.DataFrame:
    """Problem rows for one code; the array arguments share one length."""
    ref = next(x for x in (task_id, task, department) if x is not None)
    n = len(ref)
    tmpl = _MESSAGES[lang][code]
    if "{" in tmpl:
        cnt = np.asarray(count) if count is not None else np.zeros(n, dtype="int64")
        vals = np.asarray(value, dtype=object) if value is not None else [None] * n
        msgs = [
            tmpl.format(count=int(c), limit=limit, value=v) for c, v in zip(cnt, vals, strict=True)
        ]
    else:
        msgs = [tmpl] * n
    return pd.DataFrame(
        {
            "severity": _SEVERITY.get(code, "warning"),
            "code": code,
            "task_id": pd.Series(task_id if task_id is not None else [None] * n, dtype="str"),
            "task": pd.Series(task if task is not None else [None] * n, dtype="str"),
            "department": pd.Series(
                department if department is not None else [None] * n, dtype="str"
            ),
            "count": (
                np.asarray(count, dtype="int64")
                if count is not None
                else np.zeros(n, dtype="int64")
            ),
            "message": pd.Series(msgs, dtype="str"),
        }
    )


def raci_problems(
    raci: pd.DataFrame,
    *,
    tasks: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    max_r: int | None = 10,
    max_c: int | None = 15,
    max_i: int | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Validate a long RACI table; every problem at once, as a tidy frame.

    Parameters
    ----------
    raci : DataFrame
        Canonical long RACI ``[task_id, task, department, role]`` (one letter per row; an
        "A/R" cell is two rows). Tasks are keyed by ``task_id`` (the name when it is missing).
    tasks, contacts : DataFrame, optional
        Enable the checks against the task list (``empty_row``, ``unknown_task``) and the
        department checks (``empty_column``, ``unknown_department``, contacts).
    max_r, max_c, max_i : int or None
        Overload limits: more roles of that kind for one department gives a warning; ``None``
        disables the check.
    lang : {"en", "zh"}
        Language of ``message``.

    Returns
    -------
    DataFrame
        ``[severity, code, task_id, task, department, count, message]`` (codes in the module
        table), errors first.
    """
    if lang not in _MESSAGES:
        msg = f"lang must be 'en' or 'zh', not {lang!r}."
        raise ValueError(msg)
    out: list[pd.DataFrame] = []
    r = raci.reset_index(drop=True)
    key = _task_key(r).to_numpy(dtype=object, na_value=None) if len(r) else np.array([])
    role = (
        r["role"].astype("str").str.strip().str.upper().to_numpy(dtype=object, na_value="")
        if len(r)
        else np.array([], dtype=object)
    )
    task_name = (
        r["task"].astype("str").to_numpy(dtype=object, na_value=None)
        if len(r) and "task" in r.columns
        else np.full(len(r), None)
    )
    dept = (
        r["department"].astype("str").to_numpy(dtype=object, na_value=None)
        if len(r)
        else np.array([], dtype=object)
    )
    if len(r):
        bad = ~np.isin(role, _ROLES)
        if bad.any():
            out.append(
                _rows(
                    "invalid_role",
                    lang,
                    task_id=key[bad],
                    task=task_name[bad],
                    department=dept[bad],
                    value=role[bad],
                )
            )
        codes, uniq = pd.factorize(key)
        first = np.full(len(uniq), -1, dtype="int64")
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        valid = codes >= 0
        counts = {}
        for rl in ("A", "R"):
            m = valid & (role == rl)
            counts[rl] = np.bincount(codes[m], minlength=len(uniq))
        tid = np.asarray(uniq, dtype=object)
        tname = task_name[first]
        for code, sel, cnt in (
            ("no_accountable", counts["A"] == 0, counts["A"]),
            ("multiple_accountable", counts["A"] > 1, counts["A"]),
            ("no_responsible", counts["R"] == 0, counts["R"]),
        ):
            if sel.any():
                out.append(_rows(code, lang, task_id=tid[sel], task=tname[sel], count=cnt[sel]))
    known_depts: list[str] = []
    if tasks is not None and len(tasks):
        tkey = _task_key(tasks).to_numpy(dtype=object, na_value=None)
        have = _isin(tkey, key) if len(r) else np.zeros(len(tkey), bool)
        if (~have).any():
            out.append(
                _rows(
                    "empty_row",
                    lang,
                    task_id=tkey[~have],
                    task=tasks["task"].astype("str").to_numpy(dtype=object)[~have],
                    department=tasks["department"].astype("str").to_numpy(dtype=object)[~have],
                )
            )
        if len(r):
            unknown = ~_isin(key, tkey)
            if unknown.any():
                uk = pd.DataFrame({"k": key[unknown], "t": task_name[unknown]})
                uk = uk.drop_duplicates("k")
                out.append(
                    _rows("unknown_task", lang, task_id=uk["k"].to_numpy(), task=uk["t"].to_numpy())
                )
        known_depts += list(pd.unique(tasks["department"].dropna().astype("str")))
    if contacts is not None and len(contacts):
        known_depts += list(pd.unique(contacts["department"].dropna().astype("str")))
    known_depts = list(dict.fromkeys(known_depts))
    raci_depts = list(pd.unique(pd.Series(dept).dropna())) if len(r) else []
    if known_depts:
        empty_cols = [d for d in known_depts if d not in set(raci_depts)]
        if empty_cols:
            out.append(_rows("empty_column", lang, department=np.array(empty_cols, object)))
        unknown_d = [d for d in raci_depts if d not in set(known_depts)]
        if unknown_d:
            out.append(_rows("unknown_department", lang, department=np.array(unknown_d, object)))
    if contacts is not None:
        all_depts = list(dict.fromkeys([*known_depts, *raci_depts]))
        c = contacts.dropna(subset=["department"])
        c = c[c["contact"].notna() & (c["contact"].astype("str").str.strip() != "")]
        n_contacts = c.groupby("department")["contact"].nunique()
        missing = [d for d in all_depts if d not in n_contacts.index]
        if missing:
            out.append(_rows("missing_contact", lang, department=np.array(missing, object)))
        multi = n_contacts[n_contacts > 1]
        if len(multi):
            out.append(
                _rows(
                    "multiple_contacts",
                    lang,
                    department=multi.index.to_numpy(dtype=object),
                    count=multi.to_numpy(),
                )
            )
    if len(r):
        for rl, limit in (("R", max_r), ("C", max_c), ("I", max_i)):
            if limit is None:
                continue
            m = role == rl
            per = pd.Series(dept[m]).value_counts(sort=False)
            over = per[per > limit]
            if len(over):
                out.append(
                    _rows(
                        f"overload_{rl.lower()}",
                        lang,
                        department=over.index.to_numpy(dtype=object),
                        count=over.to_numpy(),
                        limit=limit,
                    )
                )
    if not out:
        return _empty_problems()
    res = pd.concat(out, ignore_index=True)
    order = np.argsort((res["severity"] != "error").to_numpy(), kind="stable")
    return res.iloc[order].reset_index(drop=True)[list(PROBLEM_COLUMNS)]


def _isin(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Hash-based membership of object arrays (no Python set, no per-row work)."""
    idx = pd.Index(pd.unique(np.asarray(pool, dtype=object)))
    return idx.get_indexer(np.asarray(values, dtype=object)) >= 0


def _join(frame: pd.DataFrame, n: int, by: str, col: str, order: Sequence[str]) -> np.ndarray:
    """Per task code 0..n-1: the department names of ``frame`` joined with '、' (or '').

    Vectorised: each task's set of departments becomes a bit mask; only the distinct masks are
    turned into text. Names follow ``order``.
    """
    res = np.full(n, "", dtype=object)
    if len(frame) == 0:
        return res
    pos = pd.Index(order).get_indexer(frame[col].to_numpy(dtype=object))
    t = frame[by].to_numpy()
    if len(order) > 52:  # bit masks in float64 are exact up to 2**53
        j = frame.groupby(by, sort=False)[col].agg("、".join)
        res[j.index.to_numpy(dtype="int64")] = j.to_numpy(dtype=object)
        return res
    mask = np.bincount(t, weights=np.exp2(pos), minlength=n).astype("int64")
    uniq, inv = np.unique(mask, return_inverse=True)
    names = np.asarray(order, dtype=object)
    text = np.array(
        ["、".join(names[[k for k in range(len(order)) if m >> k & 1]]) for m in uniq], dtype=object
    )
    return text[inv]


def raci_conformance(
    raci: pd.DataFrame,
    tasks: pd.DataFrame,
    meetings: pd.DataFrame | None = None,
    *,
    departments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Did what happened follow the RACI matrix? One row per task of ``tasks``.

    A meeting concerns a task as in :func:`~collab_analytics.metrics.escalation.task_meeting_pairs`
    (``related_tasks``, or the task named in a meeting without related tasks); the departments
    at a meeting come from ``meetings.departments`` (else the participants text).

    Returns
    -------
    DataFrame
        ``[task_id, task, department, owner_holds_r, n_meetings, ar_departments, ar_attended,
        ar_attendance, i_departments, i_informed]``: ``owner_holds_r`` — the owning department
        (``tasks.department``) is R for the task (an "A/R" cell counts); ``ar_departments`` /
        ``i_departments`` — the A and R (resp. I) departments joined with 、;
        ``ar_attended`` — those of them present at ≥ 1 of the task's meetings (joined);
        ``ar_attendance`` — their share, ``i_informed`` — the share of I departments present at
        ≥ 1 of the task's meetings. The shares are NaN when the task has no meeting or no such
        department.

    Examples
    --------
    >>> import pandas as pd
    >>> raci = pd.DataFrame({"task_id": ["T1"] * 3, "task": ["开发测试"] * 3,
    ...                      "department": ["技术部", "产品部", "客服部"], "role": ["R", "A", "I"]})
    >>> tasks = pd.DataFrame({"task_id": ["T1"], "task": ["开发测试"], "department": ["技术部"]})
    >>> meetings = pd.DataFrame({"topic": ["开发进度"], "related_tasks": [["T1"]],
    ...                          "departments": [["技术部"]]})
    >>> raci_conformance(raci, tasks, meetings)[["owner_holds_r", "ar_attendance", "i_informed"]]
       owner_holds_r  ar_attendance  i_informed
    0           True            0.5         0.0
    """
    return _conformance(raci, tasks, meetings, departments)[0]


def _conformance(raci, tasks, meetings, departments) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Conformance frame plus the long A/R frame ``[t, department, hit, has_m]``."""
    n = len(tasks)
    empty_ar = pd.DataFrame(
        {
            "department": pd.Series([], dtype="str"),
            "hit": pd.Series([], dtype="bool"),
            "has_m": pd.Series([], dtype="bool"),
        }
    )
    if n == 0:
        return pd.DataFrame(
            {
                "task_id": pd.Series([], dtype="str"),
                "task": pd.Series([], dtype="str"),
                "department": pd.Series([], dtype="str"),
                "owner_holds_r": pd.Series([], dtype="bool"),
                "n_meetings": pd.Series([], dtype="int64"),
                "ar_departments": pd.Series([], dtype="str"),
                "ar_attended": pd.Series([], dtype="str"),
                "ar_attendance": pd.Series([], dtype="float64"),
                "i_departments": pd.Series([], dtype="str"),
                "i_informed": pd.Series([], dtype="float64"),
            }
        ), empty_ar
    tkey = _task_key(tasks).to_numpy(dtype=object, na_value=None)
    codes, uniq = pd.factorize(tkey)
    code_of = pd.Series(np.arange(len(uniq)), index=pd.Index(uniq, dtype=object))
    owner = tasks["department"].astype("str").to_numpy(dtype=object, na_value=None)

    r = raci.reset_index(drop=True)
    if len(r):
        rk = _task_key(r).map(code_of).to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(rk)
        long = pd.DataFrame(
            {
                "t": rk[ok].astype("int64"),
                "department": r["department"].astype("str").to_numpy()[ok],
                "role": r["role"].astype("str").str.strip().str.upper().to_numpy()[ok],
            }
        )
    else:
        long = pd.DataFrame(
            {
                "t": pd.Series([], dtype="int64"),
                "department": pd.Series([], dtype="str"),
                "role": pd.Series([], dtype="str"),
            }
        )
    # owner holds R: integer-keyed membership test
    dcodes, duniq = pd.factorize(np.concatenate([owner, long["department"].to_numpy(object)]))
    nd = max(len(duniq), 1)
    own_d, long_d = dcodes[:n], dcodes[n:]
    r_keys = (
        long["t"].to_numpy()[long["role"].to_numpy() == "R"] * nd
        + long_d[long["role"].to_numpy() == "R"]
    )
    owner_holds_r = (own_d >= 0) & (codes >= 0) & np.isin(codes * nd + own_d, r_keys)

    ar = long[long["role"].isin(["A", "R"])].drop_duplicates(["t", "department"])
    inf = long[long["role"] == "I"].drop_duplicates(["t", "department"])
    n_meet = np.zeros(len(uniq), dtype="int64")
    present_keys = np.zeros(0, dtype="int64")
    if meetings is not None and len(meetings):
        mt = meetings.reset_index(drop=True)
        names = pd.DataFrame({"task_key": tkey, "task": tasks["task"].astype("str").to_numpy()})
        pairs = task_meeting_pairs(mt, names=names)
        pk = pairs["task_key"].map(code_of).to_numpy(dtype="float64", na_value=np.nan)
        okp = ~np.isnan(pk)
        pairs = pd.DataFrame(
            {"t": pk[okp].astype("int64"), "meeting": pairs["meeting"].to_numpy()[okp]}
        )
        n_meet = np.bincount(pairs["t"].to_numpy(), minlength=len(uniq)).astype("int64")
        depts = list(departments) if departments is not None else list(duniq)
        dp = _meeting_dept_pairs(mt, depts)
        # (task, department) present at one of the task's meetings
        pres = pairs.merge(dp.rename(columns={"row": "meeting"}), on="meeting")
        pd_codes = pd.Index(duniq).get_indexer(pres["department"].to_numpy(object))
        good = pd_codes >= 0
        present_keys = np.unique(pres["t"].to_numpy()[good] * nd + pd_codes[good])

    didx = pd.Index(duniq)

    def _share(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        fd = didx.get_indexer(frame["department"].to_numpy(object))
        hit = np.isin(frame["t"].to_numpy() * nd + fd, present_keys)
        tot = np.bincount(frame["t"].to_numpy(), minlength=len(uniq))
        got = np.bincount(frame["t"].to_numpy(), weights=hit.astype(float), minlength=len(uniq))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where((tot > 0) & (n_meet > 0), got / np.maximum(tot, 1), np.nan)
        return share, hit

    ar_share, ar_hit_mask = _share(ar)
    i_share, _ = _share(inf)
    ar_hit = ar[ar_hit_mask]
    ar_names = _join(ar, len(uniq), "t", "department", duniq)
    ar_att = _join(ar_hit, len(uniq), "t", "department", duniq)
    i_names = _join(inf, len(uniq), "t", "department", duniq)
    c = np.where(codes >= 0, codes, 0)
    valid = codes >= 0
    ar_long = pd.DataFrame(
        {
            "department": ar["department"].to_numpy(),
            "hit": ar_hit_mask,
            "has_m": n_meet[ar["t"].to_numpy()] > 0,
        }
    )
    frame = pd.DataFrame(
        {
            "task_id": (
                tasks["task_id"].astype("str").reset_index(drop=True)
                if "task_id" in tasks.columns
                else pd.Series([None] * n, dtype="str")
            ),
            "task": tasks["task"].astype("str").reset_index(drop=True),
            "department": tasks["department"].astype("str").reset_index(drop=True),
            "owner_holds_r": owner_holds_r,
            "n_meetings": np.where(valid, n_meet[c], 0),
            "ar_departments": pd.Series(np.where(valid, ar_names[c], ""), dtype="str"),
            "ar_attended": pd.Series(np.where(valid, ar_att[c], ""), dtype="str"),
            "ar_attendance": np.where(valid, ar_share[c], np.nan),
            "i_departments": pd.Series(np.where(valid, i_names[c], ""), dtype="str"),
            "i_informed": np.where(valid, i_share[c], np.nan),
        }
    )
    return frame, ar_long


def raci_conformance_by_department(
    raci: pd.DataFrame,
    tasks: pd.DataFrame,
    meetings: pd.DataFrame | None = None,
    *,
    departments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per department: how often it holds R on its own tasks and attends as A/R.

    Returns
    -------
    DataFrame
        ``[department, n_tasks_owned, owner_holds_r_rate, n_ar_roles, n_ar_with_meetings,
        ar_attendance_rate]``: ``ar_attendance_rate`` = share of the department's A/R roles, on
        tasks that had at least one meeting, where it attended one of those meetings.
    """
    conf, ar = _conformance(raci, tasks, meetings, departments)
    cols = [
        "department",
        "n_tasks_owned",
        "owner_holds_r_rate",
        "n_ar_roles",
        "n_ar_with_meetings",
        "ar_attendance_rate",
    ]
    if len(conf) == 0:
        return pd.DataFrame(
            {
                c: pd.Series(
                    [],
                    dtype="str"
                    if c == "department"
                    else "int64"
                    if c.startswith("n_")
                    else "float64",
                )
                for c in cols
            }
        )
    own = conf.groupby("department", sort=False).agg(
        n_tasks_owned=("owner_holds_r", "size"), owner_holds_r_rate=("owner_holds_r", "mean")
    )
    ar = ar.assign(hit_m=ar["hit"] & ar["has_m"])
    ar_stats = ar.groupby("department", sort=False).agg(
        n_ar_roles=("hit", "size"), n_ar_with_meetings=("has_m", "sum"), _hit=("hit_m", "sum")
    )
    res = own.join(ar_stats, how="outer").reset_index()
    for c in ("n_tasks_owned", "n_ar_roles", "n_ar_with_meetings", "_hit"):
        res[c] = res[c].fillna(0).astype("int64")
    res["ar_attendance_rate"] = res["_hit"] / res["n_ar_with_meetings"].where(
        res["n_ar_with_meetings"] > 0
    )
    res["department"] = res["department"].astype("str")
    return res[cols]
