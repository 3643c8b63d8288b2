"""raci_problems / raci_conformance on tables long enough for the byte-level encodings and the
grouped-key shortcuts, checked against plain pandas computations (grouped and shuffled RACI,
keys in the tasks' order or not, departments in the same order as the owners' or not)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics import _encoded as enc
from collab_analytics.metrics.raci import raci_conformance, raci_problems

DEPTS = ["技术部", "产品部", "市场部", "测试部", "运营部"]


def _frames(seed: int, *, shuffle: bool, reverse_tasks: bool, dept_order: bool):
    rng = np.random.default_rng(seed)
    n_tasks = 1500
    ids = np.array([f"P{i // 10:04d}-T{i % 10:02d}" for i in range(n_tasks)], dtype=object)
    owner = np.array(DEPTS, dtype=object)[rng.integers(0, len(DEPTS), n_tasks)]
    if dept_order:  # the RACI's departments first appear in the owners' order
        owner[: len(DEPTS)] = DEPTS
    rows = []
    for i in range(n_tasks):
        k = int(rng.integers(1, 6))
        depts = rng.choice(DEPTS, size=k, replace=False)
        roles = rng.choice(["R", "A", "C", "I", "R", "A"], size=k)
        rows += [(ids[i], f"任务{i}", d, r) for d, r in zip(depts, roles, strict=True)]
    raci = pd.DataFrame(rows, columns=["task_id", "task", "department", "role"])
    if shuffle:
        raci = raci.sample(frac=1, random_state=seed).reset_index(drop=True)
    tasks = pd.DataFrame(
        {"task_id": ids, "task": [f"任务{i}" for i in range(n_tasks)], "department": owner}
    )
    if reverse_tasks:
        tasks = tasks.iloc[::-1].reset_index(drop=True)
    raci = raci.astype("str")
    return raci, tasks.astype("str")


CASES = [
    dict(shuffle=False, reverse_tasks=False, dept_order=True),
    dict(shuffle=False, reverse_tasks=False, dept_order=False),
    dict(shuffle=True, reverse_tasks=False, dept_order=True),
    dict(shuffle=False, reverse_tasks=True, dept_order=False),
]


@pytest.mark.parametrize("case", CASES)
def test_problems_match_plain_pandas(case):
    enc.clear_cache()
    raci, tasks = _frames(1, **case)
    got = raci_problems(raci, tasks=tasks, max_r=200, max_c=150, max_i=100)
    cnt = raci.groupby(["task_id", "role"], sort=False).size().unstack(fill_value=0)
    keys = pd.unique(raci["task_id"])  # tasks in order of first appearance
    cnt = cnt.reindex(keys, fill_value=0)
    for code, want in (
        ("no_accountable", cnt.index[cnt.get("A", 0) == 0]),
        ("multiple_accountable", cnt.index[cnt.get("A", 0) > 1]),
        ("no_responsible", cnt.index[cnt.get("R", 0) == 0]),
    ):
        assert got.loc[got["code"] == code, "task_id"].tolist() == list(want), code
    multi = got[got["code"] == "multiple_accountable"]
    assert multi["count"].tolist() == cnt.loc[multi["task_id"], "A"].tolist()
    for role, limit in (("R", 200), ("C", 150), ("I", 100)):
        sub = raci[raci["role"] == role]
        per = sub.groupby("department", sort=False).size()  # first-appearance order
        want = per[per > limit]
        rows = got[got["code"] == f"overload_{role.lower()}"]
        assert rows["department"].tolist() == want.index.tolist(), role
        assert rows["count"].tolist() == want.tolist(), role


@pytest.mark.parametrize("case", CASES)
def test_conformance_matches_plain_pandas(case):
    enc.clear_cache()
    raci, tasks = _frames(2, **case)
    got = raci_conformance(raci, tasks)
    assert got["task_id"].tolist() == tasks["task_id"].tolist()
    r_pairs = set(map(tuple, raci.loc[raci["role"] == "R", ["task_id", "department"]].to_numpy()))
    want = [(t, d) in r_pairs for t, d in tasks[["task_id", "department"]].to_numpy()]
    assert got["owner_holds_r"].tolist() == want
    for col, roles in (("ar_departments", ["A", "R"]), ("i_departments", ["I"])):
        sets = raci[raci["role"].isin(roles)].groupby("task_id")["department"].agg(set)
        want_sets = [sets.get(t, set()) for t in tasks["task_id"]]
        got_sets = [set(x.split("、")) - {""} for x in got[col]]
        assert got_sets == want_sets, col
    assert got["n_meetings"].eq(0).all()
