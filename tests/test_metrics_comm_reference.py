"""Escalation and RACI on a generated mid-size portfolio against plain reference versions.

The module functions work on integer codes (Arrow hashing, bincount, searchsorted); the
reference versions below follow the written rules row by row with ordinary Python and pandas,
so a disagreement points at the vectorised code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics.escalation import escalation_episodes, task_meeting_pairs
from collab_analytics.metrics.raci import raci_conformance, raci_problems
from collab_analytics.sample import portfolio


@pytest.fixture(scope="module")
def data():
    td = portfolio(n_projects=12, tasks_per_project=20, seed=3, updates_per_task=5)
    rng = np.random.default_rng(7)
    tasks = td.tasks.reset_index(drop=True)
    # updates in shuffled order, a few without department (filled from the task list)
    up = td.updates.sample(frac=1.0, random_state=1).reset_index(drop=True)
    up.loc[rng.random(len(up)) < 0.03, "department"] = None
    # escalation meetings: by related id, by task name in the topic, by participants text
    bad = up[up["status"].astype("str").isin(["delayed", "blocked"])]
    src = bad.sample(n=min(60, len(bad)), random_state=2)
    hrs = rng.integers(1, 90, len(src))
    start = (src["date"] + pd.to_timedelta(hrs, unit="h")).to_numpy()
    kind = np.arange(len(src)) % 3
    esc = pd.DataFrame(
        {
            "date": pd.Series(start, dtype="datetime64[us]").dt.normalize(),
            "start": pd.Series(start, dtype="datetime64[us]"),
            "topic": pd.Series(
                np.where(kind == 1, src["task"].astype("str") + "专项会", "专项会"), dtype="str"
            ),
            "output": pd.Series(["纪要"] * len(src), dtype="str"),
            "participants": pd.Series(src["department"].fillna("技术部").to_numpy(), dtype="str"),
            "related_tasks": [
                [t] if k == 0 else [] for t, k in zip(src["task_id"], kind, strict=False)
            ],
            "departments": [
                [d] if (k != 2 and isinstance(d, str)) else []
                for d, k in zip(src["department"], kind, strict=False)
            ],
        }
    )
    meetings = pd.concat([td.meetings, esc], ignore_index=True)
    raci = td.raci[td.raci["task_id"] != tasks["task_id"].iloc[5]].reset_index(drop=True)
    raci.loc[3, "role"] = "X"
    raci.loc[10, "task_id"] = "NOPE-1"
    return tasks, up, meetings, raci, list(td.departments)


def _key(frame):
    k = frame["task_id"].astype("str")
    return k.fillna(frame["task"].astype("str")) if "task" in frame.columns else k


def _meeting_depts(meetings, departments):
    out = []
    for lst, text in zip(
        meetings["departments"], meetings["participants"].fillna(""), strict=False
    ):
        got = {d for d in (lst if isinstance(lst, list | np.ndarray) else []) if d}
        out.append(got or {d for d in departments if d in text})
    return out


def _concerns(meetings, names: dict[str, set[str]]):
    """Per meeting: the task keys it concerns (related ids, else a task name in the text)."""
    out = []
    for _, m in meetings.iterrows():
        rel = m["related_tasks"] if isinstance(m["related_tasks"], list | np.ndarray) else []
        rel = {str(x).strip() for x in rel if str(x).strip()}
        if rel:
            out.append(rel)
            continue
        text = " " + str(m.get("topic") or "") + " " + str(m.get("output") or "")
        out.append({k for name, keys in names.items() if name in text for k in keys})
    return out


def _names(keys, tasks_names):
    names: dict[str, set[str]] = {}
    for k, t in zip(keys, tasks_names, strict=False):
        if isinstance(k, str) and isinstance(t, str) and len(t.strip()) >= 2:
            names.setdefault(t.strip(), set()).add(k)
    return names


def _reference_episodes(up, meetings, tasks, departments, threshold=48.0):
    u = up.assign(kk=_key(up), ss=up["status"].astype("str"), rownum=np.arange(len(up)))
    u = u.sort_values(["kk", "date", "rownum"], kind="stable")
    prev_k, prev_s = u["kk"].shift(), u["ss"].shift()
    turn = u["ss"].isin(["delayed", "blocked"]) & ((u["kk"] != prev_k) | (u["ss"] != prev_s))
    ep = u[turn]
    dept_of = dict(zip(_key(tasks), tasks["department"], strict=False))
    rows = [
        {
            "task_id": r.task_id,
            "status": r.ss,
            "start": r.date,
            "department": r.department if isinstance(r.department, str) else dept_of.get(r.kk),
            "kk": r.kk,
        }
        for r in ep.itertuples()
    ]
    logged = set(u["kk"])
    for r in tasks.assign(kk=_key(tasks)).itertuples():
        if str(r.status) in ("delayed", "blocked") and r.kk not in logged:
            rows.append(
                {
                    "task_id": r.task_id,
                    "status": str(r.status),
                    "start": pd.NaT,
                    "department": r.department,
                    "kk": r.kk,
                }
            )
    horizon = max(up["date"].max(), meetings["date"].max()).normalize() + pd.Timedelta(days=1)
    concerns = _concerns(meetings, _names(ep["kk"], ep["task"].astype("str")))
    depts = _meeting_depts(meetings, departments)
    mstart = meetings["start"].fillna(meetings["date"])
    out = []
    for e in rows:
        best = None
        for j in range(len(meetings)):
            t = mstart.iloc[j]
            if e["kk"] not in concerns[j] or e["department"] not in depts[j] or t >= horizon:
                continue
            if pd.notna(e["start"]) and t < e["start"]:
                continue
            if best is None or t < best:
                best = t
        hours = (best - e["start"]) / pd.Timedelta(hours=1) if best is not None else np.nan
        known = pd.notna(e["start"])
        elapsed = (horizon - e["start"]) / pd.Timedelta(hours=1) if known else np.nan
        pending = known and best is None and elapsed <= threshold
        out.append(
            {
                "task_id": e["task_id"],
                "status": e["status"],
                "start": e["start"],
                "meeting_date": best if best is not None else pd.NaT,
                "hours_to_meeting": hours,
                "never": bool(known and best is None and not pending),
                "pending": bool(pending),
            }
        )
    return pd.DataFrame(out)


def _canon(frame, cols):
    f = frame[cols].copy()
    f["start"] = pd.to_datetime(f["start"]).astype("datetime64[us]")
    f["meeting_date"] = pd.to_datetime(f["meeting_date"]).astype("datetime64[us]")
    f["task_id"] = f["task_id"].astype(object)
    f["status"] = f["status"].astype(object)
    return f.sort_values(["start", "task_id", "status"], na_position="last").reset_index(drop=True)


def test_episodes_match_reference(data):
    tasks, up, meetings, _, departments = data
    got = escalation_episodes(up, meetings=meetings, tasks=tasks, departments=departments)
    ref = _reference_episodes(up, meetings, tasks, departments)
    cols = ["task_id", "status", "start", "meeting_date", "hours_to_meeting", "never", "pending"]
    assert len(got) == len(ref) > 100
    assert got["meeting_date"].notna().sum() >= 30  # the planted meetings are found
    pd.testing.assert_frame_equal(_canon(got, cols), _canon(ref, cols))
    # ordered by start, unknown starts last
    s = got["start"].dropna()
    assert (
        s.is_monotonic_increasing
        and got["start"].isna().sum() == got["start"].iloc[len(s) :].isna().sum()
    )


def test_task_meeting_pairs_match_reference(data):
    tasks, _, meetings, _, _ = data
    got = task_meeting_pairs(meetings, tasks)
    ref = _concerns(meetings, _names(_key(tasks), tasks["task"].astype("str")))
    want = {(j, k) for j, keys in enumerate(ref) for k in keys}
    assert set(zip(got["meeting"], got["task_key"], strict=False)) == want
    assert len(got) == len(want)
    assert (got["rule"] == "named").sum() > 0


def test_conformance_matches_reference(data):
    tasks, _, meetings, raci, departments = data
    got = raci_conformance(raci, tasks, meetings, departments=departments)
    key = _key(tasks)
    concerns = _concerns(meetings, _names(key, tasks["task"].astype("str")))
    depts = _meeting_depts(meetings, departments)
    seen: dict[str, set[str]] = {}
    n_meet: dict[str, int] = {}
    for keys, ds in zip(concerns, depts, strict=False):
        for k in keys:
            seen.setdefault(k, set()).update(ds)
            n_meet[k] = n_meet.get(k, 0) + 1
    role = raci["role"].astype("str").str.strip().str.upper()
    by_task = {}
    for k, d, r in zip(_key(raci), raci["department"], role, strict=False):
        by_task.setdefault(k, {}).setdefault(r, set()).add(d)
    assert len(got) == len(tasks)
    for i, (k, own) in enumerate(zip(key, tasks["department"], strict=False)):
        roles = by_task.get(k, {})
        ar = roles.get("A", set()) | roles.get("R", set())
        inf = roles.get("I", set())
        row = got.iloc[i]
        assert row["owner_holds_r"] == (own in roles.get("R", set()))
        assert row["n_meetings"] == n_meet.get(k, 0)
        assert set(filter(None, row["ar_departments"].split("、"))) == ar
        att = ar & seen.get(k, set())
        assert set(filter(None, row["ar_attended"].split("、"))) == att
        if n_meet.get(k, 0) and ar:
            assert row["ar_attendance"] == pytest.approx(len(att) / len(ar))
        else:
            assert np.isnan(row["ar_attendance"])
        if n_meet.get(k, 0) and inf:
            assert row["i_informed"] == pytest.approx(len(inf & seen.get(k, set())) / len(inf))
        else:
            assert np.isnan(row["i_informed"])
    assert got["n_meetings"].gt(0).sum() > 20


def test_problems_match_reference(data):
    tasks, _, _, raci, _ = data
    got = raci_problems(raci, tasks=tasks, max_r=40, max_c=40)
    role = raci["role"].astype("str").str.strip().str.upper()
    key = _key(raci)
    want = set()
    for k, g in role.groupby(key, sort=False):
        a, r = int((g == "A").sum()), int((g == "R").sum())
        if a == 0:
            want.add(("no_accountable", k, None, 0))
        if a > 1:
            want.add(("multiple_accountable", k, None, a))
        if r == 0:
            want.add(("no_responsible", k, None, 0))
    for i in np.flatnonzero(~role.isin(list("RACI")).to_numpy()):
        want.add(("invalid_role", key.iloc[i], raci["department"].iloc[i], 0))
    tkeys, rkeys = set(_key(tasks)), set(key)
    want |= {("unknown_task", k, None, 0) for k in rkeys - tkeys}
    want |= {("empty_row", k, None, 0) for k in tkeys - rkeys}
    for rl, lim in (("R", 40), ("C", 40)):
        cnt = raci["department"][role == rl].value_counts()
        want |= {(f"overload_{rl.lower()}", None, d, int(c)) for d, c in cnt.items() if c > lim}
    gotset = set()
    for r in got.itertuples():
        dept = (
            r.department if r.code in ("invalid_role",) or r.code.startswith("overload") else None
        )
        tid = r.task_id if isinstance(r.task_id, str) else None
        cnt = (
            int(r.count)
            if r.code in ("multiple_accountable",) or r.code.startswith("overload")
            else 0
        )
        if r.code == "empty_row":
            dept = None
        gotset.add((r.code, tid, dept if isinstance(dept, str) else None, cnt))
    assert gotset == want
    assert {"invalid_role", "unknown_task", "empty_row"} <= {c for c, *_ in want}
