"""``ScopedData.departments`` (first kept row of each department, looked up per department)
equals the sliced container's ``departments`` on random data and random selections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import random_selection

from collab_analytics import TrackingData
from collab_analytics.schema import empty_table
from collab_analytics.widgets._filter import FilterIndex

_DEPTS = ["技术部", "客服部", "法务部", "市场部", "运营部", "产品部", "测试部", ""]


def _table(name: str, **cols) -> pd.DataFrame:
    return pd.concat([empty_table(name), pd.DataFrame(cols)]).reset_index(drop=True)


def _random_data(rng: np.random.Generator) -> TrackingData:
    n = int(rng.integers(1, 40))
    dept = [None if rng.random() < 0.1 else str(rng.choice(_DEPTS[:5])) for _ in range(n)]
    ids = [f"T{i}" for i in range(n)]
    tasks = _table(
        "tasks",
        task_id=ids,
        task=[f"任务{i}" for i in range(n)],
        department=dept,
        project=[str(rng.choice(["P", "Q", "R"])) for _ in range(n)],
        planned_finish=pd.Timestamp("2024-06-01")
        + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
    )
    k = int(rng.integers(0, 6))
    contacts = _table(
        "contacts",
        department=[str(rng.choice(_DEPTS)) for _ in range(k)],
        contact=[f"c{i}" for i in range(k)],
    )
    m = int(rng.integers(0, 80))
    raci = _table(
        "raci",
        task_id=[str(rng.choice(ids)) for _ in range(m)],
        task=[None] * m,
        department=[None if rng.random() < 0.1 else str(rng.choice(_DEPTS)) for _ in range(m)],
        role=[str(rng.choice(list("RACI"))) for _ in range(m)],
    )
    return TrackingData(tasks=tasks, contacts=contacts, raci=raci)


@pytest.mark.parametrize("seed", range(40))
def test_scoped_departments_equal_the_sliced_containers(seed):
    rng = np.random.default_rng(seed)
    data = _random_data(rng)
    index = FilterIndex(data)
    projects = ["P", "Q", "R"]
    for _ in range(4):
        sel = random_selection(rng, projects, _DEPTS[:5], period_share=0.3)
        scoped = index.scope(**sel)
        assert scoped.departments == scoped.to_tracking_data().departments, sel


@pytest.mark.parametrize("seed", range(20))
def test_meetings_of_selected_departments_equal_the_pairwise_lookup(seed):
    """The meetings kept for a department selection from per-department masks equal the
    (meeting, department) pair lookup used for datasets with many departments."""
    rng = np.random.default_rng(seed)
    data = _random_data(rng)
    n = int(rng.integers(0, 50))
    lists = [
        list(rng.choice(_DEPTS, rng.integers(0, 3), replace=False)) if rng.random() < 0.8 else None
        for _ in range(n)
    ]
    meetings = _table(
        "meetings",
        date=pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
        topic=[f"会{i}" for i in range(n)],
        departments=pd.Series(lists, dtype=object),
    )
    data = data.replace(meetings=meetings)
    masked, pairwise = FilterIndex(data), FilterIndex(data)
    pairwise._MAX_MASKED_DEPARTMENTS = -1
    for _ in range(5):
        sel = random_selection(rng, ["P", "Q", "R"], _DEPTS[:5])
        sel["departments"] = sel["departments"] or [str(rng.choice(_DEPTS[:5]))]
        want = pairwise.scope(**sel).positions("meetings")
        got = masked.scope(**sel).positions("meetings")
        if want is None or got is None:
            assert want is None and got is None
        else:
            np.testing.assert_array_equal(got, want)
