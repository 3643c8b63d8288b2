"""Occurrences over narrower windows derived from one expansion over wider windows equal the
direct expansion, for every kind of frequency (fixed day sets are cut, the others expanded
again)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics import schedule as sch

FREQS = [
    "每日17:00",
    "每天",
    "每周五15:00",
    "每周一、三、五",
    "每两周周三",
    "每月第一个周一",
    "每月15日",
    "7月15日14:00",
    "2024-07-15",
    "weekly Fri 15:00",
    "biweekly Wed",
    "monthly",
    "first Monday monthly",
    "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2",
    "每周",
    "last Friday monthly",
]


def _plan(rng, n):
    base = np.datetime64("2024-05-01")
    s = base + rng.integers(0, 60, n).astype("timedelta64[D]")
    e = s + rng.integers(-3, 150, n).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "item": pd.Series([f"会{i % 7}" for i in range(n)], dtype="str"),
            "frequency": pd.Series(rng.choice(FREQS, n), dtype="str"),
            "start": pd.Series(s.astype("datetime64[us]")),
            "end": pd.Series(e.astype("datetime64[us]")),
        }
    )


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("calendar", ["cn", "calendar"])
def test_expand_within_equals_the_direct_expansion(seed, calendar):
    rng = np.random.default_rng(seed)
    plan = _plan(rng, int(rng.integers(1, 25)))
    year = None if rng.random() < 0.7 else 2024
    full = sch._expansion(plan, calendar=calendar, year=year)
    want_full = sch.expected_occurrences(plan, calendar=calendar, year=year)
    got_full, _ = sch._expand_within(full, plan, np.arange(len(plan)))
    pd.testing.assert_frame_equal(got_full, want_full)
    for _ in range(4):
        prow = np.flatnonzero(rng.random(len(plan)) < rng.random())
        sub = plan.iloc[prow].reset_index(drop=True)
        # mostly narrower windows, sometimes wider ones (expanded again)
        ds = rng.integers(-5, 40, len(sub)).astype("timedelta64[D]")
        de = rng.integers(-40, 5, len(sub)).astype("timedelta64[D]")
        sub["start"] = (sub["start"].to_numpy() + ds).astype("datetime64[us]")
        sub["end"] = (sub["end"].to_numpy() + de).astype("datetime64[us]")
        want = sch.expected_occurrences(sub, calendar=calendar, year=year)
        got, exp = sch._expand_within(full, sub, prow)
        pd.testing.assert_frame_equal(got, want)
        assert len(exp.rows) == len(got)
        np.testing.assert_array_equal(exp.items.take(exp.rows).to_numpy(), got["item"].to_numpy())


def test_expand_within_an_empty_plan():
    plan = _plan(np.random.default_rng(0), 3)
    full = sch._expansion(plan, calendar="cn")
    got, exp = sch._expand_within(full, plan.iloc[:0], np.zeros(0, dtype="int64"))
    pd.testing.assert_frame_equal(got, sch.expected_occurrences(plan.iloc[:0]))
    assert len(exp.rows) == 0
