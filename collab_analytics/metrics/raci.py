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
import pyarrow as pa
import pyarrow.compute as pc

import collab_analytics.metrics._encoded as enc
from collab_analytics.metrics._cadence_codes import (
    _arrow_text,
    _first_rows,
    _meeting_dept_codes,
    _member,
    _str_series,
    _unique_pairs,
)
from collab_analytics.metrics.cadence import _related_items
from collab_analytics.metrics.escalation import _concern_codes, _task_key_arrow

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
    r = raci
    n = len(r)
    k_missing = False  # a RACI row without a key
    kuniq = pa.array([], type=pa.large_string())
    dept_names: list[str] = []
    has_tasks = tasks is not None and len(tasks) > 0
    if n:
        key = _task_key_arrow(r)
        # the encodings this check (and raci_conformance after it) needs, on two threads
        rkeys, (dc, dnames), (rc, rnames), _ = enc.parallel(
            lambda: (enc.task_keys(r), enc.task_keys(tasks) if has_tasks else None)[0],
            lambda: enc.text_codes(r, "department", small=True),
            lambda: _role_codes(r),
            lambda: enc.text_codes(tasks, "department") if has_tasks else None,
        )
        kuniq = rkeys.uniq
        # grouped keys are never missing (and their per-row codes are never needed here)
        k_missing = not rkeys.grouped and bool((rkeys.codes < 0).any())
        rnames = rnames.to_pylist()
        role_of = {rl: (rnames.index(rl) if rl in rnames else -2) for rl in _ROLES}
        task_arr = _arrow_text(r["task"]) if "task" in r.columns else pa.nulls(n, pa.large_string())
        dept_names = dnames.to_pylist()

        def _obj(arr, rows) -> np.ndarray:
            return np.asarray(_take(arr, rows).to_numpy(zero_copy_only=False), dtype=object)

        valid_roles = [v for v in role_of.values() if v >= 0]
        if len(valid_roles) == len(rnames) and rc.min(initial=0) >= 0:
            bad = None  # every role name is valid and none is missing
        else:
            bad = ~_code_in(rc, valid_roles, len(rnames))
        if bad is not None and bad.any():
            rows = np.flatnonzero(bad)
            value = np.array([rnames[c] if c >= 0 else "" for c in rc[rows]], dtype=object)
            out.append(
                _rows(
                    "invalid_role",
                    lang,
                    task_id=_obj(key, rows),
                    task=_obj(task_arr, rows),
                    department=_obj(_arrow_text(r["department"]), rows),
                    value=value,
                )
            )
        nk = len(kuniq)
        first = rkeys.first_row
        counts = {}
        if rkeys.grouped and nk:
            # rows grouped by key, none missing: counts from one running sum over the rows,
            # A in the low and R in the high half of an int64
            lut = np.zeros(len(rnames) + 1, dtype=np.int64)
            if role_of["A"] >= 0:
                lut[role_of["A"]] = 1
            if role_of["R"] >= 0:
                lut[role_of["R"]] = 1 << 32
            run = np.cumsum(lut[rc])
            ends = run[np.append(rkeys.starts[1:] - 1, n - 1)]
            both = np.diff(ends, prepend=0)
            counts["A"], counts["R"] = both & 0xFFFFFFFF, both >> 32
        else:
            kc = rkeys.codes
            for rl in ("A", "R"):
                m = rc == role_of[rl]
                if k_missing:
                    m &= kc >= 0
                counts[rl] = np.bincount(kc[m], minlength=nk)
        for code, sel, cnt in (
            ("no_accountable", counts["A"] == 0, counts["A"]),
            ("multiple_accountable", counts["A"] > 1, counts["A"]),
            ("no_responsible", counts["R"] == 0, counts["R"]),
        ):
            if sel.any():
                pos = np.flatnonzero(sel)
                out.append(
                    _rows(
                        code,
                        lang,
                        task_id=_obj(kuniq, pos),
                        task=_obj(task_arr, first[pos]),
                        count=cnt[sel],
                    )
                )
    known_depts: list[str] = []
    if tasks is not None and len(tasks):
        tkey = _task_key_arrow(tasks)
        tkeys = enc.task_keys(tasks)
        tnull = tkeys.codes < 0
        # each task's key among the RACI's distinct keys (-1: not in the RACI)
        nku = len(kuniq)
        if n:
            tc = np.append(enc.key_map(rkeys, tkeys, r, tasks), -1)[tkeys.codes]
        else:
            tc = np.full(len(tasks), -1, dtype="int64")
        in_raci = tc >= 0
        have = in_raci.copy()
        if n and k_missing:
            have |= tnull  # a key-less task matches key-less RACI rows
        if (~have).any():
            rows = np.flatnonzero(~have)
            out.append(
                _rows(
                    "empty_row",
                    lang,
                    task_id=np.asarray(
                        _take(tkey, rows).to_numpy(zero_copy_only=False), dtype=object
                    ),
                    task=tasks["task"].astype("str").to_numpy(dtype=object)[~have],
                    department=tasks["department"].astype("str").to_numpy(dtype=object)[~have],
                )
            )
        if n:
            in_tasks = np.zeros(nku, dtype=bool)
            in_tasks[tc[in_raci]] = True
            unknown = np.flatnonzero(~in_tasks)
            firsts = list(first[unknown])
            ids = list(kuniq.take(pa.array(unknown)).to_pylist())
            if k_missing and not tnull.any():
                firsts.append(int(np.flatnonzero(rkeys.codes < 0)[0]))
                ids.append(None)
            if firsts:
                o = np.argsort(np.asarray(firsts), kind="stable")
                f_rows = np.asarray(firsts, dtype="int64")[o]
                out.append(
                    _rows(
                        "unknown_task",
                        lang,
                        task_id=np.asarray(ids, dtype=object)[o],
                        task=_obj(task_arr, f_rows),
                    )
                )
        known_depts += enc.text_codes(tasks, "department")[1].to_pylist()
    if contacts is not None and len(contacts):
        known_depts += list(pd.unique(contacts["department"].dropna().astype("str")))
    known_depts = list(dict.fromkeys(known_depts))
    raci_depts = dept_names
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
    limits = [
        (rl, lim) for rl, lim in (("R", max_r), ("C", max_c), ("I", max_i)) if lim is not None
    ]
    if n and limits:
        nd = len(dept_names)
        # one count of every (role, department) pair; -1 codes (missing) in slot 0
        w = nd + 1
        pair = rc.astype(np.intp)  # in place from here: one array, native for bincount
        pair += 1
        pair *= w
        pair += dc
        pair += 1
        per_pair = np.bincount(pair, minlength=(len(rnames) + 1) * w)
        wanted = {}
        for rl, limit in limits:
            if role_of[rl] < 0:
                continue
            per = per_pair[(role_of[rl] + 1) * w + 1 : (role_of[rl] + 2) * w]
            over = np.flatnonzero((per > limit) & (per > 0))
            if len(over):
                wanted[rl] = (per, over)
        first = _first_pairs(
            pair,
            [(role_of[rl] + 1) * w + 1 + o for rl, (_, o) in wanted.items()],
            len(per_pair),
        )
        for rl, limit in limits:
            if rl not in wanted:
                continue
            per, over = wanted[rl]
            # departments in order of their first row with that role
            at = [first[c] for c in ((role_of[rl] + 1) * w + 1 + over).tolist()]
            over = over[np.argsort(np.asarray(at), kind="stable")]
            if len(over):
                out.append(
                    _rows(
                        f"overload_{rl.lower()}",
                        lang,
                        department=np.asarray(dept_names, dtype=object)[over],
                        count=per[over],
                        limit=limit,
                    )
                )
    if not out:
        return _empty_problems()
    res = pd.concat(out, ignore_index=True)
    order = np.argsort((res["severity"] != "error").to_numpy(), kind="stable")
    return res.iloc[order].reset_index(drop=True)[list(PROBLEM_COLUMNS)]


def _first_pairs(codes: np.ndarray, wanted: list[np.ndarray], size: int) -> dict:
    """First position in ``codes`` (``0..size-1``) of each code of ``wanted`` (all present),
    looked for in a growing prefix: the first rows of a long table usually hold them all."""
    need = np.unique(np.concatenate(wanted)) if wanted else np.zeros(0, dtype="int64")
    if len(need) == 0:
        return {}
    k = 4096
    while True:
        first = _first_rows(codes[:k], size)[need]
        if (first >= 0).all() or k >= len(codes):
            return dict(zip(need.tolist(), first.tolist(), strict=True))
        k *= 16


def _code_in(codes: np.ndarray, wanted: Sequence[int], size: int) -> np.ndarray:
    """``np.isin(codes, wanted)`` for codes in ``-1..size-1``, through a lookup table."""
    lut = np.zeros(size + 1, dtype=bool)  # the last slot answers code -1
    lut[list(wanted)] = True
    return lut[codes]


def _role_codes(raci: pd.DataFrame) -> tuple[np.ndarray, pa.Array]:
    """Codes of the roles trimmed and upper-cased; only the few distinct values are cleaned.

    Cached per RACI frame (:mod:`~collab_analytics.metrics._encoded`); the codes are read-only.
    """

    def compute():
        raw_c, raw = enc.text_codes(raci, "role", small=True)
        codes, names = enc.dictionary_codes(pc.utf8_upper(pc.utf8_trim_whitespace(raw)))
        if enc.same_text(names, raw):  # clean roles already: the raw codes are the codes
            return raw_c, names
        out = enc.compact(np.append(codes, -1), len(names))[raw_c]
        out.setflags(write=False)
        return out, names

    return enc.cached("role", raci, ["role"], compute)


def _same_text(a, b) -> bool:
    """Equal length and equal, non-missing values at every position (no hashing)."""
    if len(a) != len(b) or len(a) == 0 or a.null_count or b.null_count:
        return False
    return bool(pc.all(pc.equal(a, b)).as_py())


def _take(arr, rows: np.ndarray):
    """Rows of an Arrow array (positions need not be sorted).

    The positions are taken sorted, chunk by chunk, then put back in their order, so a large
    chunked column is never combined for the sake of a few rows.
    """
    rows = np.asarray(rows, dtype="int64")
    o = np.argsort(rows, kind="stable")
    got = enc.take_text(arr, rows[o])
    if isinstance(got, pa.ChunkedArray):
        got = got.combine_chunks() if got.num_chunks != 1 else got.chunk(0)
    back = np.empty_like(o)
    back[o] = np.arange(len(o))
    return got.take(pa.array(back))


def _join(t: np.ndarray, d: np.ndarray, n: int, names: Sequence[str]) -> np.ndarray:
    """Per task code 0..n-1: position in a text table of its department names joined with '、'.

    ``t``/``d`` are unique (task, department code) pairs (``d = -1``: missing, ignored).
    Each task's set of departments becomes a bit mask and only the distinct masks are turned
    into text, names in the order of ``names``. Returns ``(index per task, texts)``; the last
    text is always ``""``.
    """
    ok = d >= 0
    t, d = t[ok], d[ok]
    if len(names) > 52:  # bit masks in float64 are exact up to 2**53
        frame = pd.DataFrame({"t": t, "d": np.asarray(names, dtype=object)[d]})
        j = frame.groupby("t", sort=False)["d"].agg("、".join)
        texts = [*j.to_numpy(dtype=object).tolist(), ""]
        idx = np.full(n, len(texts) - 1, dtype="int64")
        idx[j.index.to_numpy(dtype="int64")] = np.arange(len(j))
        return idx, texts
    mask = np.bincount(t, weights=np.exp2(d), minlength=n).astype("int64")
    if len(mask) and int(mask.max()) < (1 << 20):  # few departments: distinct masks by presence
        seen = np.zeros(int(mask.max()) + 1, dtype=bool)
        seen[mask] = True
        uniq = np.flatnonzero(seen)
        inv = (np.cumsum(seen) - 1)[mask]
    else:
        uniq, inv = np.unique(mask, return_inverse=True)
    arr = np.asarray(names, dtype=object)
    texts = ["、".join(arr[[k for k in range(len(names)) if m >> k & 1]]) for m in uniq]
    if "" not in texts:
        texts.append("")
    empty = texts.index("")
    return np.where(mask == 0, empty, inv.reshape(-1)), texts


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


def _conformance(
    raci, tasks, meetings, departments, long: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Conformance frame plus, with ``long``, the long A/R frame ``[department, hit, has_m]``
    (else ``None``)."""
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
    # task keys as codes (shared encodings): the tasks', the meetings' related ids, the RACI's
    tkeys = enc.task_keys(tasks)
    codes = tkeys.codes
    nk = len(tkeys.uniq)
    has_meetings = meetings is not None and len(meetings) > 0
    if has_meetings:
        rel_rows, rel = _related_items(meetings)
    else:
        rel_rows, rel = np.zeros(0, dtype="int64"), pa.array([], type=pa.large_string())
    rel_codes = enc.find_keys(tkeys, rel)
    r = raci
    valid = codes >= 0
    c = np.where(valid, codes, 0) if not valid.all() else codes
    if tkeys.grouped and len(tkeys.starts) == n and nk == n:
        c = None  # one key per task row, in row order: a task's code is its row

    # departments: the owners' first, then the RACI's (rows of known tasks), as codes
    own_d, own_names = enc.text_codes(tasks, "department")
    duniq = own_names.to_pylist()
    if len(r):
        rkeys = enc.task_keys(r)
        kmap = enc.key_map(tkeys, rkeys, tasks, r)
        same_keys = len(kmap) == nk and bool(np.array_equal(kmap, np.arange(nk)))
        # the RACI's key codes are the tasks' when both list the same keys in the same order
        runs = rkeys.starts if same_keys and rkeys.grouped else None
        if runs is not None:  # every RACI row has a task; the rows go task by task
            rk, ok, all_ok = None, None, True
        else:
            rk = rkeys.codes if same_keys else np.append(kmap, -1)[rkeys.codes]
            ok = rk >= 0
            all_ok = bool(ok.all())
        rd, rd_names = enc.text_codes(r, "department", small=True)
        rc, rnames = _role_codes(r)
        rnames = rnames.to_pylist()
        # RACI departments not owning a task, in order of first appearance on known tasks
        if all_ok:  # codes are numbered in order of first appearance
            f = np.arange(len(rd_names), dtype="int64")
        else:
            f = _first_rows(rd[ok & (rd >= 0)], len(rd_names))
        rd_list = rd_names.to_pylist()
        pos_of = {d: i for i, d in enumerate(duniq)}
        for j in np.argsort(np.where(f >= 0, f, np.iinfo(np.int64).max), kind="stable"):
            if f[j] >= 0 and rd_list[j] not in pos_of:
                pos_of[rd_list[j]] = len(duniq)
                duniq.append(rd_list[j])
        dmap = enc.compact(
            np.array([pos_of.get(d, -1) for d in rd_list] + [-1], dtype="int64"), len(duniq)
        )
        if runs is None:
            l_t = rk if all_ok else rk[ok]
        else:  # the task of every row is only needed outside the bit-mask path
            l_t = rkeys.codes if long or len(duniq) > 52 else None
        if np.array_equal(dmap[:-1], np.arange(len(rd_list))):  # same department order
            l_d = (rd if all_ok else rd[ok]).astype(dmap.dtype)  # small codes, -1: missing
        else:
            l_d = dmap[rd if all_ok else rd[ok]]  # -1 (the extra slot): a missing department
        l_role = rc if all_ok else rc[ok]
    else:
        rnames = []
        runs = None
        l_t = l_d = l_role = np.zeros(0, dtype="int64")
    nd = max(len(duniq), 1)

    def _role_is(*letters: str) -> np.ndarray:
        return _code_in(l_role, [rnames.index(x) for x in letters if x in rnames], len(rnames))

    def _meeting_side():
        """Meetings per task and the (task, department) presences at them."""
        n_meet = np.zeros(nk, dtype="int64")
        pt = pmd = np.zeros(0, dtype="int64")
        if not has_meetings:
            return n_meet, pt, pmd
        names = _arrow_text(tasks["task"])
        p_m, p_t, _ = _concern_codes(meetings, rel_rows, rel_codes, nk, codes, names)
        n_meet = np.bincount(p_t, minlength=nk).astype("int64")
        depts = list(departments) if departments is not None else list(duniq)
        m_rows, m_d, m_names = _meeting_dept_codes(meetings, depts)
        pos_of = {d: i for i, d in enumerate(duniq)}
        m_d = np.array([pos_of.get(d, -1) for d in m_names] + [-1], dtype="int64")[m_d]
        # (task, department) present at one of the task's meetings: join on the meeting
        keep = m_d >= 0
        m_rows, m_d = m_rows[keep], m_d[keep]
        if len(p_m) and len(m_rows):
            o = np.argsort(m_rows, kind="stable")
            mr, md = m_rows[o], m_d[o]
            lo = np.searchsorted(mr, p_m, side="left")
            cnt = np.searchsorted(mr, p_m, side="right") - lo
            pt = np.repeat(p_t, cnt)
            offs = np.arange(len(pt)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            pmd = md[np.repeat(lo, cnt) + offs]
        return n_meet, pt, pmd

    def _cols(data: dict) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "task_id": (
                    tasks["task_id"].astype("str").reset_index(drop=True)
                    if "task_id" in tasks.columns
                    else pd.Series([None] * n, dtype="str")
                ),
                "task": tasks["task"].astype("str").reset_index(drop=True),
                "department": tasks["department"].astype("str").reset_index(drop=True),
                "owner_holds_r": data["owner_holds_r"],
                "n_meetings": _spread(n_meet, c, valid, 0),
                "ar_departments": data["ar_departments"],
                "ar_attended": data["ar_attended"],
                "ar_attendance": _spread(data["ar_share"], c, valid, np.nan),
                "i_departments": data["i_departments"],
                "i_informed": _spread(data["i_share"], c, valid, np.nan),
            },
            copy=False,  # the arrays are this call's own: wrapped, not copied
        )

    if not long and len(duniq) <= 52:
        # department sets as bit masks per task (bit nd: a missing department); the RACI side
        # and the meeting side do not depend on each other: two threads
        base, (n_meet, pt, pmd) = enc.parallel(
            lambda: _mask_base(
                l_t, l_d, l_role, rnames, nk, nd, codes, c, valid, own_d, duniq, runs
            ),
            _meeting_side,
        )
        data = _mask_rest(base, nk, nd, c, valid, n_meet, pt, pmd, duniq)
        return _cols(data), None
    n_meet, pt, pmd = _meeting_side()

    # owner holds R: (task, department) membership on integer keys
    is_r = _role_is("R") & (l_d >= 0)
    owner_holds_r = valid & (own_d >= 0)
    owner_holds_r[owner_holds_r] = _member(
        codes[owner_holds_r] * nd + own_d[owner_holds_r], l_t[is_r] * nd + l_d[is_r]
    )

    # unique (task, department) A/R and I pairs, first row kept (missing department = nd)
    def _pairs(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t, d = l_t[sel], l_d[sel]
        keep = _unique_pairs(t, np.where(d >= 0, d, nd), nd + 1)
        return t[keep], d[keep]

    ar_t, ar_d = _pairs(_role_is("A", "R"))
    i_t, i_d = _pairs(_role_is("I"))
    present = pt * nd + pmd

    def _share(t: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hit = np.zeros(len(t), dtype=bool)
        ok_d = d >= 0
        hit[ok_d] = _member(t[ok_d] * nd + d[ok_d], present)
        tot = np.bincount(t, minlength=nk)
        got = np.bincount(t, weights=hit.astype(float), minlength=nk)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where((tot > 0) & (n_meet > 0), got / np.maximum(tot, 1), np.nan)
        return share, hit

    ar_share, ar_hit = _share(ar_t, ar_d)
    i_share, _ = _share(i_t, i_d)

    def _text(t: np.ndarray, d: np.ndarray) -> pd.Series:
        idx, texts = _join(t, d, nk, duniq)
        per_row = _spread(idx, c, valid, texts.index(""))
        return _str_series(pa.array(texts, pa.large_string()).take(pa.array(per_row)))

    ar_long = pd.DataFrame(
        {
            "department": _str_series(
                pa.array([*duniq, None], pa.large_string()).take(
                    pa.array(np.where(ar_d >= 0, ar_d, len(duniq)))
                )
            ),
            "hit": ar_hit,
            "has_m": n_meet[ar_t] > 0,
        }
    )
    frame = _cols(
        {
            "owner_holds_r": owner_holds_r,
            "ar_departments": _text(ar_t, ar_d),
            "ar_attended": _text(ar_t[ar_hit], ar_d[ar_hit]),
            "ar_share": ar_share,
            "i_departments": _text(i_t, i_d),
            "i_share": i_share,
        }
    )
    return frame, ar_long


def _spread(values: np.ndarray, c: np.ndarray | None, valid: np.ndarray, fill) -> np.ndarray:
    """Per task row: the value of its task code (``c``; ``None``: the row itself), ``fill``
    for rows without a key."""
    if c is None:
        return values
    if len(values) == 0:
        return np.full(len(valid), fill)
    return np.where(valid, values[c], fill)


def _or_by_task(
    t: np.ndarray, bits: list[np.ndarray], nk: int, runs: np.ndarray | None = None
) -> list[np.ndarray]:
    """Bitwise OR of each array of ``bits`` per task code ``0..nk-1``; ``runs``: the starts of
    the runs of ``t`` when it is ``0, 0, 1, 1, 1, 2, ...`` (every code one run, in order)."""
    if runs is not None:
        if len(bits[0]) == 0:
            return [np.zeros(nk, dtype="int64") for _ in bits]
        return [np.bitwise_or.reduceat(b, runs) for b in bits]
    outs = [np.zeros(nk, dtype="int64") for _ in bits]
    if len(t) == 0:
        return outs
    order = None
    if len(t) > 1 and not bool(np.all(t[1:] >= t[:-1])):
        order = np.argsort(t, kind="stable")
        t = t[order]
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    for out, b in zip(outs, bits, strict=True):
        out[t[starts]] = np.bitwise_or.reduceat(b if order is None else b[order], starts)
    return outs


def _mask_texts(mask: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Per mask: position in a table of texts (names of the set bits joined with 、, in name
    order); only the distinct masks are turned into text."""
    if len(mask) and int(mask.max()) < (1 << 20):  # few departments: distinct masks by presence
        seen = np.zeros(int(mask.max()) + 1, dtype=bool)
        seen[mask] = True
        uniq = np.flatnonzero(seen)
        inv = (np.cumsum(seen) - 1)[mask]
    else:
        uniq, inv = np.unique(mask, return_inverse=True)
        inv = inv.reshape(-1)
    arr = np.asarray(names, dtype=object)
    texts = ["、".join(arr[[k for k in range(len(names)) if int(m) >> k & 1]]) for m in uniq]
    return inv, texts


def _mask_text(mask, nk, nd, c, valid, duniq) -> pd.Series:
    """Per task row: the names of the known departments set in its task's mask."""
    inv, texts = _mask_texts(mask & np.int64((1 << nd) - 1), duniq)
    if "" not in texts:
        texts.append("")
    per_row = _spread(inv, c, valid, texts.index(""))
    return _str_series(pa.array(texts, pa.large_string()).take(pa.array(per_row)))


def _mask_base(l_t, l_d, l_role, rnames, nk, nd, codes, c, valid, own_d, duniq, runs) -> dict:
    """The conformance columns that need no meeting, from per-task department bit masks.

    Same results as the (task, department) pair computation: a task's A/R (resp. I)
    departments are the set bits of its mask, bit ``nd`` standing for a missing department
    (counted in the shares, never attended, not named in the texts).
    """
    w = nd + 1

    def _lane(*letters: str, shift: int = 0) -> np.ndarray:
        # per role code (last slot: an unknown role), the lane bit its rows set
        lut = np.zeros(len(rnames) + 1, dtype="int64")
        lut[[rnames.index(x) for x in letters if x in rnames]] = np.int64(1) << shift
        return lut

    # bit nd of the R mask is never read (an owner department is a known one)
    if 3 * w <= 63:  # the A/R, I and R masks side by side in one word: one pass
        lut = _lane("A", "R") | _lane("I", shift=w) | _lane("R", shift=2 * w)
        # the bits of a row from one table on (role, department bit), indexed in small ints:
        # row 0 of the table for a missing role (code -1), bit nd for a missing department
        table = (np.roll(lut, 1)[:, None] << np.arange(w, dtype="int64")[None, :]).ravel()
        small = np.int16 if len(table) < np.iinfo(np.int16).max else np.int64
        bit = l_d.astype(small)
        bit[bit < 0] = nd
        at = l_role.astype(small)
        at += 1
        at *= w
        at += bit
        (m,) = _or_by_task(l_t, [table[at]], nk, runs)
        low = np.int64((1 << w) - 1)
        ar_mask, i_mask, r_mask = m & low, (m >> w) & low, (m >> (2 * w)) & low
    else:
        pos = np.where(l_d >= 0, l_d, nd).astype("int64")  # bit of the row's department
        ar_mask, i_mask, r_mask = _or_by_task(
            l_t,
            [np.left_shift(_lane(*x)[l_role], pos) for x in (("A", "R"), ("I",), ("R",))],
            nk,
            runs,
        )
    owner_holds_r = valid & (own_d >= 0)
    rows = np.flatnonzero(owner_holds_r)
    owner_holds_r[rows] = (r_mask[codes[rows]] >> own_d[rows]) & 1 == 1
    return {
        "owner_holds_r": owner_holds_r,
        "ar_mask": ar_mask,
        "i_mask": i_mask,
        "ar_departments": _mask_text(ar_mask, nk, nd, c, valid, duniq),
        "i_departments": _mask_text(i_mask, nk, nd, c, valid, duniq),
    }


def _mask_rest(base: dict, nk, nd, c, valid, n_meet, pt, pmd, duniq) -> dict:
    """The conformance columns that need the meetings (see :func:`_mask_base`)."""
    ar_mask, i_mask = base["ar_mask"], base["i_mask"]
    present = np.zeros(nk, dtype="int64")
    if len(pt):
        np.bitwise_or.at(present, pt, np.left_shift(np.int64(1), pmd.astype("int64")))
    ar_hit = ar_mask & present
    has_m = n_meet > 0

    def _share(mask: np.ndarray, hit: np.ndarray) -> np.ndarray:
        tot = np.bitwise_count(mask).astype("int64")
        got = np.bitwise_count(hit).astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((tot > 0) & has_m, got / np.maximum(tot, 1), np.nan)

    return {
        "owner_holds_r": base["owner_holds_r"],
        "ar_departments": base["ar_departments"],
        "ar_attended": _mask_text(ar_hit, nk, nd, c, valid, duniq),
        "ar_share": _share(ar_mask, ar_hit),
        "i_departments": base["i_departments"],
        "i_share": _share(i_mask, i_mask & present),
    }


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
    conf, ar = _conformance(raci, tasks, meetings, departments, long=True)
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
