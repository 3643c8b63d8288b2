"""A selection's plan windows derived from codes computed once per dataset
(``schedule._windows_within``) equal ``plan_windows`` on the restricted data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import random_selection

from collab_analytics import TrackingData, sample
from collab_analytics.metrics import schedule as sch
from collab_analytics.metrics.communication import plan_windows
from collab_analytics.schema import empty_table
from collab_analytics.widgets._filter import FilterIndex


def _rows(scope, name, n):
    pos = scope.positions(name)
    return np.arange(n) if pos is None else pos


def _check(data, rng, n_sel=6):
    index = sch._window_index(data.tasks, data.plan)
    fi = FilterIndex(data)
    projects, depts = list(fi.projects), list(fi.departments)
    for _ in range(n_sel):
        sel = random_selection(rng, projects, depts)
        scope = fi.scope(**sel)
        for as_of in (None, pd.Timestamp("2024-07-10"), pd.Timestamp("2030-01-01")):
            want = plan_windows(scope.to_tracking_data(), as_of=as_of)
            got = sch._windows_within(
                index,
                scope.plan,
                _rows(scope, "plan", len(data.plan)),
                _rows(scope, "tasks", len(data.tasks)),
                scope.to_tracking_data().as_of if as_of is None else as_of,
            )
            if got is None:  # only when no task is kept
                assert len(scope.tasks) == 0
                continue
            pd.testing.assert_frame_equal(got, want, obj=f"{sel} {as_of}")


@pytest.mark.parametrize("seed", range(4))
def test_windows_of_random_portfolio_selections(seed):
    data = sample.portfolio(n_projects=5, tasks_per_project=12, seed=seed)
    _check(data, np.random.default_rng(seed))


def _tasks(rng, n, projects):
    days = np.datetime64("2024-05-01") + rng.integers(0, 120, (4, n)).astype("timedelta64[D]")
    days = days.astype("datetime64[us]") + rng.integers(0, 86_400, (4, n)).astype("timedelta64[s]")
    days[rng.random((4, n)) < 0.3] = np.datetime64("NaT")
    cols = ["planned_start", "actual_start", "planned_finish", "actual_finish"]
    frame = pd.DataFrame(
        {
            "task_id": pd.Series([f"T{i}" for i in range(n)], dtype="str"),
            "task": pd.Series([f"t{i}" for i in range(n)], dtype="str"),
            "project": pd.Series(rng.choice(projects, n), dtype="str"),
            "department": pd.Series(rng.choice(["甲部", "乙部", "丙部"], n), dtype="str"),
            **{c: pd.Series(days[i]) for i, c in enumerate(cols)},
        }
    )
    frame.loc[rng.random(n) < 0.1, "project"] = None
    return pd.concat([empty_table("tasks"), frame]).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(8))
def test_windows_with_nested_names_missing_dates_and_projects(seed):
    # names that prefix each other ("A" < "AB" < "ABC"), an empty name, missing projects
    # and dates, items of no project, a missing item
    rng = np.random.default_rng(100 + seed)
    names = ["A", "AB", "ABC", "B", ""]
    tasks = _tasks(rng, int(rng.integers(1, 40)), names)
    heads = rng.choice(["A", "AB", "ABC", "B", "C", "AC"], 12)
    items = pd.Series([f"{h}·会{i}" for i, h in enumerate(heads)], dtype="str")
    items[rng.random(12) < 0.1] = None
    plan = pd.concat(
        [
            empty_table("plan"),
            pd.DataFrame({"item": items, "frequency": pd.Series(["每周五"] * 12, dtype="str")}),
        ]
    ).reset_index(drop=True)
    data = TrackingData(tasks=tasks, plan=plan)
    _check(data, rng, n_sel=8)


def test_a_plan_with_a_project_column_is_left_to_plan_windows():
    data = sample.portfolio(n_projects=2, tasks_per_project=5, seed=1)
    plan = data.plan.assign(project=pd.Series(["x"] * len(data.plan), dtype="str"))
    index = sch._window_index(data.tasks, plan)
    rows = np.arange(len(plan))
    assert sch._windows_within(index, plan, rows, np.arange(len(data.tasks)), None) is None
