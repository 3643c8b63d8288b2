"""Tabs that derive a selection's frames from results computed once per dataset give the
frames of the one-call report on the restricted data, whatever the selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import context_report, random_selection

from collab_analytics import sample
from collab_analytics.widgets import RetrospectiveDashboard, _panels

FRAMES = {
    "cadence": ("matches", "missed", "cadence", "attendance", "plan"),
    "escalation": ("episodes", "escalation", "escalation_distribution"),
    "raci": ("actions",),
}


@pytest.fixture(scope="module")
def folio():
    return sample.portfolio(n_projects=6, tasks_per_project=30, seed=3)


def _selections(folio, seed):
    rng = np.random.default_rng(seed)
    projects = list(pd.unique(folio.tasks["project"]))
    depts = folio.departments
    out = []
    for _ in range(4):
        sel = random_selection(rng, projects, depts, period_share=0)
        out.append((tuple(sel["projects"]), tuple(sel["departments"])))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_random_selections_equal_the_report(folio, seed):
    d = RetrospectiveDashboard(folio, lang="en")
    for projects, departments in _selections(folio, seed):
        d._muted = True
        d.projects.value = projects
        d.departments.value = departments
        d._muted = False
        d.refresh()
        ctx = d._context()
        assert ctx.cache is not None
        rep = context_report(ctx)
        for tab, names in FRAMES.items():
            frames = _panels.compute(tab, ctx)
            for name in names:
                pd.testing.assert_frame_equal(
                    frames[name], getattr(rep, name), obj=f"{tab}.{name} {projects} {departments}"
                )


def test_the_whole_dataset_assignment_is_computed_once(folio, monkeypatch):
    from collab_analytics.metrics import cadence

    calls = []
    real = cadence._assignment
    monkeypatch.setattr(
        cadence, "_assignment", lambda m, items, s: calls.append(len(m)) or real(m, items, s)
    )
    d = RetrospectiveDashboard(folio, tab="cadence")
    for dep in folio.departments[:3]:
        d.departments.value = (dep,)
    assert calls == [len(folio.meetings)]  # the plan is whole: nothing matched again
