"""Episodes found from inputs derived from the whole log equal ``escalation_episodes`` on
any selection of the meetings and updates: the task names narrowed by the whole log's
meeting-text substrings (``_episodes(substrings=_text_substrings(...))``), the meetings'
departments from the whole log's listing (``_episodes(meeting_depts=...)``), the texts
searched cut from the whole log's (``_episodes(texts=...)``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics import sample
from collab_analytics.metrics import cadence as cad
from collab_analytics.metrics import escalation as esc
from collab_analytics.widgets._filter import FilterIndex


def _scopes(fi: FilterIndex, rng: np.random.Generator, n: int = 3):
    """``n`` selections of about half the projects and half the departments."""
    projects, depts = list(fi.projects), list(fi.departments)
    for _ in range(n):
        yield fi.scope(
            projects=[p for p in projects if rng.random() < 0.5],
            departments=[d for d in depts if rng.random() < 0.5],
        )


@pytest.fixture(scope="module")
def folio():
    data = sample.portfolio(n_projects=5, tasks_per_project=20, seed=11)
    # meetings naming tasks in their topic (no related tasks), some at the same start
    m = data.meetings
    rng = np.random.default_rng(1)
    names = data.tasks["task"].dropna().astype(str).to_numpy()
    pick = rng.random(len(m)) < 0.5
    topic = m["topic"].astype(str).to_numpy(dtype=object)
    topic[pick] = [
        f"{t}·{n}专项" for t, n in zip(topic[pick], rng.choice(names, pick.sum()), strict=True)
    ]
    rel = [
        [] if p or x is None else list(x)
        for p, x in zip(pick, m["related_tasks"].tolist(), strict=True)
    ]
    m = m.assign(topic=pd.Series(topic, dtype="str"), related_tasks=pd.Series(rel, dtype=object))
    return data.replace(meetings=m)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("hours", ["calendar", "working"])
@pytest.mark.parametrize("short", [False, True])
def test_episodes_with_the_whole_logs_substrings_equal_the_direct_ones(folio, seed, hours, short):
    # short: substrings shorter than the names (not used: the meetings' own are computed)
    rng = np.random.default_rng(seed)
    top = 3 if short else int(folio.tasks["task"].str.len().max())
    superset = esc._text_substrings(folio.meetings, top)
    assert superset is not None and len(superset[0])
    fi = FilterIndex(folio)
    for scope in _scopes(fi, rng):
        kw = {
            "meetings": scope.meetings.reset_index(drop=True),
            "tasks": scope.tasks,
            "hours": hours,
            "departments": scope.departments,
        }
        want = esc.escalation_episodes(scope.updates, **kw)
        got = esc._episodes(scope.updates, substrings=superset, **kw)
        pd.testing.assert_frame_equal(got, want)
        assert want["meeting_date"].notna().any()


@pytest.mark.parametrize("seed", range(6))
def test_episodes_with_departments_from_the_whole_logs_listing_equal_the_direct_ones(folio, seed):
    # some meetings list no department: their participants text is read
    m = folio.meetings
    rng = np.random.default_rng(seed)
    lists = [[] if rng.random() < 0.3 else list(x) for x in m["departments"].tolist()]
    data = folio.replace(meetings=m.assign(departments=pd.Series(lists, dtype=object)))
    whole = data.meetings
    listed = cad._meeting_list_depts(whole)
    fi = FilterIndex(data)
    for scope in _scopes(fi, rng):
        rows = scope.positions("meetings")
        rows = np.arange(len(whole)) if rows is None else rows
        kw = {
            "meetings": scope.meetings.reset_index(drop=True),
            "tasks": scope.tasks,
            "departments": scope.departments,
        }
        pairs = cad._subset_dept_codes(
            listed, len(whole), rows, whole["participants"], scope.departments
        )
        want = esc.escalation_episodes(scope.updates, **kw)
        got = esc._episodes(scope.updates, meeting_depts=pairs, **kw)
        pd.testing.assert_frame_equal(got, want)
        # and the texts searched for names cut from the whole log's
        texts = (*esc._log_texts(whole), rows)
        got = esc._episodes(scope.updates, meeting_depts=pairs, texts=texts, **kw)
        pd.testing.assert_frame_equal(got, want)
        assert want["meeting_date"].notna().any()
