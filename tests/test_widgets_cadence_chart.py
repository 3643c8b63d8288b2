"""The cadence chart drawn from the item codes the cadence tab computes equals the chart
drawn from the item texts, for random selections and for small hand-made frames."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest
from _selections import random_selection

from collab_analytics import charts, sample
from collab_analytics.charts.theme import to_spec
from collab_analytics.widgets import RetrospectiveDashboard, _panels


@pytest.fixture(scope="module")
def folio():
    return sample.portfolio(n_projects=6, tasks_per_project=30, seed=5)


def _spec(chart) -> dict:
    with alt.utils.schemapi.debug_mode(False):
        return to_spec(chart)


@pytest.mark.parametrize("seed", range(3))
def test_chart_from_codes_equals_chart_from_texts(folio, seed):
    rng = np.random.default_rng(seed)
    d = RetrospectiveDashboard(folio, lang="en")
    projects = list(pd.unique(folio.tasks["project"]))
    seen_codes = 0
    for _ in range(4):
        sel = random_selection(rng, projects, folio.departments, period_share=0)
        d._muted = True
        d.projects.value = tuple(sel["projects"])
        d.departments.value = tuple(sel["departments"])
        d._muted = False
        d.refresh()
        frames = _panels.compute("cadence", d._context())
        items = frames["plan"]["item"].astype("str").tolist()
        if "item_codes" in frames:
            seen_codes += 1
            m_codes, x_codes, names = frames["item_codes"]
            names = np.asarray(names, dtype=object)
            want_m = frames["matches"]["item"].astype("object").tolist()
            got_m = [names[c] if c >= 0 else None for c in m_codes]
            assert [w if isinstance(w, str) else None for w in want_m] == got_m
            assert frames["missed"]["item"].tolist() == names[x_codes].tolist()
        for max_items in (3, 20):
            kw = {"lang": "en", "items": items, "max_items": max_items}
            plain = charts.cadence_calendar(frames["matches"], frames["missed"], **kw)
            coded = charts.cadence_calendar(
                frames["matches"], frames["missed"], codes=frames.get("item_codes"), **kw
            )
            assert _spec(coded) == _spec(plain)
            if "item_codes" in frames:  # what the dashboard draws: the marks and the codes
                marks = charts.cadence_calendar(
                    frames["marks"], frames["missed"], codes=frames["item_codes"], **kw
                )
                assert _spec(marks) == _spec(plain)
        # the dashboard's chart equals the chart of the one-call frames
        panel = next(p for p in _panels.PANELS["cadence"] if p.key == "cadence")
        with alt.utils.schemapi.debug_mode(False):
            shown = panel.build(frames, d._context())
        full = charts.cadence_calendar(frames["matches"], frames["missed"], lang="en", items=items)
        assert _spec(shown) == _spec(full)
    assert seen_codes  # the dashboard's path was exercised


def test_matches_are_built_when_first_read(folio):
    d = RetrospectiveDashboard(folio, lang="en", departments=folio.departments[:2])
    frames = _panels.compute("cadence", d._context())
    assert isinstance(frames, _panels._Frames)
    assert "matches" in frames and "matches" in set(frames)
    assert "matches" not in frames._ready  # not built by the computation
    first = frames["matches"]
    assert frames["matches"] is first  # built once
    assert len(first) == len(frames["marks"])
    pd.testing.assert_series_equal(first["matched"], frames["marks"]["matched"], check_names=False)
    with pytest.raises(KeyError):
        frames["nothing"]


def test_codes_and_texts_give_the_same_rows_and_choice():
    names = ["周会", "评审会", "日会", "月会"]
    m_codes = np.array([0, 1, -1, 2, 0, 3, 1, 2])
    matches = pd.DataFrame(
        {
            "item": pd.Series([names[c] if c >= 0 else None for c in m_codes], dtype="str"),
            "date": pd.to_datetime(
                ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-04"] * 2
            ).astype("datetime64[us]"),
            "matched": [True, False, False, True, True, False, True, True],
        }
    )
    x_codes = np.array([3, 3, 1])
    missed = pd.DataFrame(
        {
            "item": pd.Series([names[c] for c in x_codes], dtype="str"),
            "occurrence": pd.to_datetime(["2024-07-05", "2024-07-06", "2024-07-08"]).astype(
                "datetime64[us]"
            ),
        }
    )
    for items in (None, ["日会", "周会"], names[::-1]):
        for max_items in (1, 2, 4):
            kw = {"lang": "zh", "items": items, "max_items": max_items}
            plain = charts.cadence_calendar(matches, missed, **kw)
            coded = charts.cadence_calendar(matches, missed, codes=(m_codes, x_codes, names), **kw)
            assert _spec(coded) == _spec(plain)
    # with 2 rows the items with a missed occurrence come first (月会, 评审会)
    chart = charts.cadence_calendar(
        matches, missed, lang="zh", max_items=2, codes=(m_codes, x_codes, names)
    )
    assert set(chart.data["item"]) == {"月会", "评审会"}


@pytest.mark.parametrize("seed", range(15))
def test_attendance_matrix_draws_the_items_with_the_lowest_rates(seed):
    """The items drawn are those whose lowest rate comes first in a stable sort of the
    rates (ties: the earlier row), as sorting the frame and dropping repeated items gives."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    att = pd.DataFrame(
        {
            "item": pd.Series(rng.choice([f"会{i}" for i in range(12)], n), dtype="str"),
            "department": pd.Series(rng.choice(["技术部", "产品部", "客服部"], n), dtype="str"),
            "meetings": rng.integers(1, 5, n),
            "attended": np.zeros(n, dtype="int64"),
            "attendance_rate": rng.choice([0.0, 0.25, 0.5, 1.0], n),
        }
    )
    max_items = int(rng.integers(1, 6))
    worst = att.sort_values("attendance_rate", kind="stable")["item"].drop_duplicates()
    want = att[att["item"].isin(set(worst.head(max_items)))] if len(worst) > max_items else att
    chart = charts.attendance_matrix(att, lang="en", max_items=max_items)
    got = chart.data
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
