"""Derived distributions and headline KPIs (metrics.distributions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics._errors import SchemaError
from collab_analytics.metrics.distributions import (
    ACTION_STATES,
    action_states,
    headline_kpis,
    plan_adherence,
    slippage_histogram,
)


def test_slippage_histogram_default_bins_hand_counted():
    td = pd.DataFrame(
        {
            "department": ["技术部"] * 5 + ["产品部"] * 3,
            "delay_days": [-3.0, 0.0, 3.0, 4.0, 31.0, 0.0, 14.0, np.nan],
        }
    )
    h = slippage_histogram(td, by="department")
    # groups sorted, every bin present in each group
    assert h["department"].unique().tolist() == ["产品部", "技术部"]
    tech = h[h["department"] == "技术部"].set_index("bin")["n_tasks"].to_dict()
    assert tech == {"<0": 1, "0": 1, "1–3": 1, "4–7": 1, "8–14": 0, "15–30": 0, "≥31": 1}
    prod = h[h["department"] == "产品部"].set_index("bin")
    assert prod["n_tasks"].sum() == 2  # NaN delay left out
    assert prod.loc["8–14", "share"] == 0.5
    assert h.loc[0, "lower_days"] == -np.inf and h.loc[6, "upper_days"] == np.inf
    assert h.loc[2, ["lower_days", "upper_days"]].tolist() == [1.0, 4.0]


def test_slippage_histogram_empty_and_bad_edges():
    empty = slippage_histogram(pd.DataFrame({"delay_days": pd.Series([], dtype="float64")}))
    assert empty["n_tasks"].sum() == 0 and empty["share"].isna().all()
    assert empty.columns.tolist() == ["bin", "lower_days", "upper_days", "n_tasks", "share"]
    with pytest.raises(SchemaError, match="increasing"):
        slippage_histogram(pd.DataFrame({"delay_days": [1.0]}), edges=[3, 1])
    with pytest.raises(SchemaError, match=r"needs columns \['delay_days'\]"):
        slippage_histogram(pd.DataFrame({"x": [1.0]}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-60, 90)), max_size=60))
def test_slippage_histogram_counts_every_value_once(values):
    d = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    h = slippage_histogram(pd.DataFrame({"delay_days": d}))
    assert h["n_tasks"].sum() == d.notna().sum()
    for lo, hi, n in zip(h["lower_days"], h["upper_days"], h["n_tasks"], strict=True):
        assert n == ((d >= lo) & (d < hi)).sum()


def test_action_states_every_state():
    it = pd.DataFrame(
        {
            "department": ["技术部", "技术部", "技术部", "产品部", "产品部", "产品部", None],
            "due": pd.to_datetime(
                ["2024-07-01", "2024-07-01", None, "2024-07-01", "2024-08-01", None, None]
            ),
            "closed_as_of": [True, True, True, False, False, False, False],
            "closed_on_time": [True, False, False, False, False, False, False],
            "overdue_open": [False, False, False, True, False, False, False],
        }
    )
    s = action_states(it)
    assert s["department"].unique().tolist() == ["技术部", "产品部", "–"]
    assert s["state"].tolist()[:6] == list(ACTION_STATES)
    tech = s[s["department"] == "技术部"].set_index("state")["n_actions"]
    assert tech[["closed_on_time", "closed_late", "closed_no_due"]].tolist() == [1, 1, 1]
    prod = s[s["department"] == "产品部"].set_index("state")["n_actions"]
    assert prod[["open_overdue", "open_not_due", "open_no_due"]].tolist() == [1, 1, 1]
    assert s.groupby("department")["share"].sum().round(9).eq(1).all()
    overall = action_states(it, by=None)
    assert overall["n_actions"].sum() == 7 and overall.columns[0] == "state"


def test_action_states_empty():
    it = pd.DataFrame(
        {
            "department": pd.Series([], dtype="str"),
            "due": pd.Series([], dtype="datetime64[us]"),
            "closed_as_of": pd.Series([], dtype=bool),
            "closed_on_time": pd.Series([], dtype=bool),
            "overdue_open": pd.Series([], dtype=bool),
        }
    )
    out = action_states(it)
    assert out.empty and out.columns.tolist() == ["department", "state", "n_actions", "share"]


def test_plan_adherence_weights_occurrences():
    c = pd.DataFrame({"item": ["a", "b", "c"], "expected": [20, 5, 0], "held": [19, 1, 0]})
    r = plan_adherence(c).iloc[0]
    assert r["adherence"] == pytest.approx(20 / 25)
    assert r["missed"] == 5
    assert np.isnan(plan_adherence(c.iloc[2:])["adherence"].iloc[0])


def test_headline_kpis_on_bundled_sample():
    import collab_analytics as ca
    from collab_analytics.metrics.communication import communication_report
    from collab_analytics.metrics.report import delivery_report

    td = ca.sample.smart_cs_launch(lang="zh")
    rep = delivery_report(td, forecast_sims=500)
    com = communication_report(td)
    k = headline_kpis(rep, com).set_index("kpi")
    o = rep.overall.iloc[0]
    assert k.loc["on_time_rate", "value"] == pytest.approx(o["on_time_rate"])
    assert k.loc["delay_rate", "value"] == pytest.approx(o["delay_rate"])
    assert k.loc["bottleneck_share", "subject"] == "技术部"
    assert k.loc["plan_adherence", "numerator"] == com.cadence["held"].sum()
    assert k.loc["plan_adherence", "denominator"] == com.cadence["expected"].sum()
    e = com.escalation_overall.iloc[0]
    assert k.loc["escalation_compliance", "value"] == pytest.approx(e["compliance"])
    assert k.loc["action_closure", "denominator"] == len(com.action_items)
    p85 = rep.forecast.summary["p85"].iloc[0]
    assert k.loc["forecast_p85_days", "subject"] == f"{p85:%Y-%m-%d}"
    assert k.columns.tolist() == ["value", "numerator", "denominator", "subject"]
    # delivery only, no progress: communication KPIs, SPI and forecast are left out
    k2 = headline_kpis(delivery_report(td, progress=False))
    assert "plan_adherence" not in set(k2["kpi"]) and "spi" not in set(k2["kpi"])
