"""Throughput and the seeded Monte Carlo finish forecast."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics._errors import CollabError
from collab_analytics.metrics.forecast import forecast_finish, throughput

D = pd.to_datetime

TASKS = pd.DataFrame(
    {
        "planned_finish": D(["2024-07-10"] * 6),
        "actual_finish": D(["2024-07-01", "2024-07-01", "2024-07-03", None, None, None]),
        "status": pd.Categorical(["done", "done", "done", "on_track", "on_track", "cancelled"]),
    }
)


def test_throughput_daily_and_weekly():
    d = throughput(TASKS, freq="D", as_of="2024-07-04")
    assert d["n_finished"].tolist() == [2, 0, 1, 0]
    w = throughput(TASKS, freq="W", as_of="2024-07-09")
    assert w["n_finished"].tolist() == [3, 0]
    with pytest.raises(CollabError, match="freq='M' is not supported"):
        throughput(TASKS, freq="M")


def test_forecast_is_seeded_and_sensible():
    f = forecast_finish(TASKS, as_of="2024-07-04", n_sims=2000, seed=7, deadline="2024-07-06")
    g = forecast_finish(TASKS, as_of="2024-07-04", n_sims=2000, seed=7, deadline="2024-07-06")
    pd.testing.assert_frame_equal(f.summary, g.summary)
    s = f.summary.iloc[0]
    assert s.remaining_tasks == 2 and s.history_days == 4
    assert s.mean_daily_throughput == pytest.approx(0.75)
    assert s.p50 <= s.p85 <= s.p95
    assert s.p50 >= pd.Timestamp("2024-07-05")
    # P(done within 2 days) = P(two draws from [2,0,1,0] sum ≥ 2) = 1 − P(sum < 2)
    # sum < 2: (0,0),(0,1),(1,0) → (2·2 + 2·1 + 1·2)/16 = 8/16 → 0.5
    assert s.p_meet_deadline == pytest.approx(0.5, abs=0.04)
    assert f.distribution["n_sims"].sum() == 2000
    assert f.distribution["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_forecast_edge_cases():
    done = TASKS.assign(actual_finish=D(["2024-07-01"] * 6))
    s = forecast_finish(done, n_sims=10).summary.iloc[0]
    assert s.remaining_tasks == 0 and s.p95 == pd.Timestamp("2024-07-01")
    none = TASKS.assign(actual_finish=pd.NaT, status="on_track")
    s = forecast_finish(none, as_of="2024-07-04", n_sims=10).summary.iloc[0]
    assert pd.isna(s.p50)
    with pytest.raises(CollabError, match="n_sims must be at least 1"):
        forecast_finish(TASKS, n_sims=0)
