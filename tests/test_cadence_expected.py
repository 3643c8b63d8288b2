"""A selection's expected departments derived from codes computed once per dataset
(``_cadence_expected._expected_within``) equal ``communication._expected_by_project`` on the
restricted data (plan windows, departments, tasks and project rows of the selection)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import random_selection

from collab_analytics import sample
from collab_analytics.metrics import _cadence_expected as cad_expected
from collab_analytics.metrics.communication import _expected_by_project, plan_windows
from collab_analytics.widgets._filter import FilterIndex


def _rows(scope, name, n):
    pos = scope.positions(name)
    return np.arange(n) if pos is None else pos


def _mutated(seed):
    """A small portfolio with items of no project, duplicate project rows, missing and
    unknown sponsors, project rows listing departments nobody else names."""
    rng = np.random.default_rng(seed)
    data = sample.portfolio(n_projects=4, tasks_per_project=10, seed=seed)
    plan = data.plan
    extra = plan.iloc[:3].copy()
    extra["item"] = pd.Series(["全员周会", "sponsor sync", "全员周会"], dtype="str").to_numpy()
    extra["participants"] = pd.Series(
        ["项目发起方+各部门对接人", "Sponsor, 技术部", "法务部"], dtype="str"
    ).to_numpy()
    plan = pd.concat([plan, extra], ignore_index=True)
    plan = plan.iloc[rng.permutation(len(plan))].reset_index(drop=True)
    project = data.project
    dup = project.iloc[[0]].copy()
    dup["departments"] = "财务部、技术部"
    dup["sponsor_department"] = "财务部"
    project = pd.concat([project, dup], ignore_index=True)
    sponsor = project["sponsor_department"].astype("object")
    sponsor[rng.random(len(project)) < 0.3] = None
    sponsor[rng.random(len(project)) < 0.2] = "外部"
    project["sponsor_department"] = pd.Series(sponsor.to_numpy(), dtype="str")
    tasks = data.tasks.copy()
    tasks.loc[rng.random(len(tasks)) < 0.05, "department"] = None
    return data.replace(plan=plan, project=project, tasks=tasks)


def _check(data, seed, n_sel=6):
    rng = np.random.default_rng(seed)
    index = cad_expected._expected_index(data)
    assert index is not None
    fi = FilterIndex(data)
    projects, depts = list(fi.projects), list(fi.departments)
    for _ in range(n_sel):
        sel = random_selection(rng, projects, depts)
        scope = fi.scope(**sel)
        sub = scope.to_tracking_data()
        plan = plan_windows(sub)
        want = _expected_by_project(sub, plan)
        got = cad_expected._expected_within(
            index,
            plan,
            _rows(scope, "plan", len(data.plan)),
            scope.departments,
            _rows(scope, "tasks", len(data.tasks)),
            _rows(scope, "project", len(data.project)),
        )
        if got is None:  # the direct computation's empty cases
            assert len(want) == 0
            continue
        pd.testing.assert_frame_equal(got, want, obj=str(sel))


@pytest.mark.parametrize("seed", range(4))
def test_expected_of_random_portfolio_selections(seed):
    _check(sample.portfolio(n_projects=5, tasks_per_project=12, seed=seed), seed)


@pytest.mark.parametrize("seed", range(6))
def test_expected_with_general_items_duplicate_rows_and_odd_sponsors(seed):
    _check(_mutated(seed), 50 + seed, n_sel=8)


def test_expected_index_needs_the_columns_it_reads():
    data = sample.portfolio(n_projects=2, tasks_per_project=5, seed=1)
    no_text = data.replace(plan=data.plan.drop(columns="participants"))
    assert cad_expected._expected_index(no_text) is None
