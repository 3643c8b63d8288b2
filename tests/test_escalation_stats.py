"""escalation_compliance's hour statistics and group codes equal pandas' groupby, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics.escalation import _hour_stats, escalation_compliance

_hours = st.one_of(
    st.none(),
    st.floats(0, 500, allow_nan=False),
    st.sampled_from([0.0, 1.5, 24.0, 48.0, 50.0]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), _hours), min_size=1, max_size=60))
def test_hour_stats_equal_pandas_groupby(rows):
    gc = pd.factorize(np.array([g for g, _ in rows]))[0].astype("int64")
    h = np.array([np.nan if x is None else x for _, x in rows], dtype="float64")
    g = pd.Series(h).groupby(gc)
    want = (g.median().to_numpy(), g.quantile(0.85).to_numpy(), g.max().to_numpy())
    got = _hour_stats(h, gc, int(gc.max()) + 1)
    for a, b in zip(want, got, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


def _episodes(depts, hours):
    n = len(depts)
    h = pd.Series(hours, dtype="float64")
    return pd.DataFrame(
        {
            "department": pd.Series(depts, dtype="str"),
            "hours_to_meeting": h,
            "within_threshold": pd.array((h <= 48).where(h.notna()), dtype="boolean"),
            "never": h.isna().to_numpy(),
            "pending": np.zeros(n, dtype=bool),
            "start": pd.Series(pd.to_datetime(["2024-07-01"] * n), dtype="datetime64[us]"),
        }
    )


def test_compliance_on_a_long_frame_equals_the_groupby_way():
    rng = np.random.default_rng(4)
    n = 9000  # long enough for the byte-level department codes
    names = np.array(["技术部", "产品部", "市场部"], dtype=object)
    depts = names[rng.integers(0, 3, n)]
    hours = np.where(rng.random(n) < 0.2, np.nan, np.round(rng.random(n) * 100, 1))
    ep = _episodes(depts.tolist(), hours)
    got = escalation_compliance(ep)
    assert got["department"].tolist() == list(dict.fromkeys(depts.tolist()))
    g = pd.Series(hours).groupby(pd.factorize(depts)[0])
    assert np.array_equal(got["hours_median"].to_numpy(), g.median().to_numpy(), equal_nan=True)
    assert np.array_equal(got["hours_p85"].to_numpy(), g.quantile(0.85).to_numpy())
    assert got["episodes"].sum() == n
    assert got["within"].tolist() == [
        int(((depts == d) & (hours <= 48)).sum()) for d in got["department"]
    ]
    assert got["never"].tolist() == [
        int(((depts == d) & np.isnan(hours)).sum()) for d in got["department"]
    ]


def test_compliance_keeps_a_group_of_missing_departments():
    ep = _episodes(["技术部", None, "技术部", None], [10.0, 60.0, 50.0, None])
    got = escalation_compliance(ep)
    assert got["department"].isna().tolist() == [False, True]
    assert got["episodes"].tolist() == [2, 2]
    assert got["within"].tolist() == [1, 0]
    assert got["late"].tolist() == [1, 1]
    assert got["never"].tolist() == [0, 1]
    assert got["hours_median"].tolist() == [30.0, 60.0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 2_000_000), min_size=0, max_size=300),
    st.sampled_from([3_600_000_000, 60_000_000, 1_000_000, 1, 7]),
)
def test_stable_order_equals_a_stable_argsort(steps, unit):
    from collab_analytics.metrics.escalation import _stable_order

    base = np.datetime64("2024-01-01T00:00", "us").astype("int64")
    key = base + np.asarray(steps, dtype="int64") * unit
    got = _stable_order(key)
    want = np.argsort(key, kind="stable")
    assert (np.arange(len(key)) if got is None else got).tolist() == want.tolist()
