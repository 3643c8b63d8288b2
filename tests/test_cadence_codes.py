"""Cadence summary, missed occurrences and gaps on integer codes equal pandas group-bys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics import cadence as cad
from collab_analytics.metrics.cadence import cadence_summary, meeting_gaps, missed_occurrences


def _random(seed):
    rng = np.random.default_rng(seed)
    items = ["周会", "评审会", "日会", "x"]
    occ = pd.DataFrame(
        {
            "item": pd.Series(rng.choice(items[:3], 30), dtype="str"),
            "occurrence": (
                pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 20, 30), unit="D")
            ).astype("datetime64[us]"),
            "planned_time": pd.Series([None] * 30, dtype="str"),
        }
    ).drop_duplicates(["item", "occurrence"], ignore_index=True)
    n = 40
    matched = rng.random(n) < 0.5
    pick = rng.integers(0, len(occ), n)
    item = np.where(rng.random(n) < 0.8, rng.choice(items, n), None)
    m = pd.DataFrame(
        {
            "item": pd.Series(np.where(matched, occ["item"].to_numpy()[pick], item), dtype="str"),
            "matched": matched,
            "occurrence": pd.Series(
                np.where(matched, occ["occurrence"].to_numpy()[pick], np.datetime64("NaT")),
                dtype="datetime64[us]",
            ),
            "date": (
                pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 25, n), unit="D")
            ).astype("datetime64[us]"),
            "minutes_late": np.where(rng.random(n) < 0.7, rng.integers(-30, 30, n), np.nan),
            "has_output": rng.random(n) < 0.5,
        }
    )
    m.loc[rng.random(n) < 0.1, "date"] = pd.NaT
    return m, occ


@pytest.mark.parametrize("seed", range(20))
def test_summary_equals_group_bys(seed):
    m, occ = _random(seed)
    got = cadence_summary(m, occ).set_index("item")
    mm = m[m["item"].notna()]
    exp = occ.groupby("item").size().reindex(got.index, fill_value=0)
    held = mm[mm["matched"]].groupby("item").size().reindex(got.index, fill_value=0)
    assert got["expected"].tolist() == exp.tolist()
    assert got["held"].tolist() == held.tolist()
    punct = mm.groupby("item")["minutes_late"].median().reindex(got.index)
    np.testing.assert_array_equal(got["punctuality_median_min"], punct)
    share = mm.groupby("item")["has_output"].mean().reindex(got.index)
    np.testing.assert_array_equal(got["output_share"], share)
    for item, rows in mm[mm["date"].notna()].groupby("item"):
        d = rows["date"].sort_values()
        gaps = d.diff().dt.days.dropna()
        if len(gaps):
            assert got.loc[item, "gap_max_days"] == gaps.max()
            assert got.loc[item, "gap_median_days"] == gaps.median()
            at = gaps.to_numpy().argmax()
            assert got.loc[item, "longest_gap_end"] == d.iloc[at + 1]
        else:
            assert np.isnan(got.loc[item, "gap_max_days"])


@pytest.mark.parametrize("seed", range(20))
def test_missed_equals_the_join(seed):
    m, occ = _random(seed)
    hit = m.loc[m["matched"], ["item", "occurrence"]].drop_duplicates().assign(_hit=True)
    merged = occ.merge(hit, on=["item", "occurrence"], how="left")
    want = merged.loc[merged["_hit"].isna(), list(occ.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(missed_occurrences(m, occ), want)


def test_meeting_gaps_longest_gap_is_the_earliest_of_equal_length():
    log = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-07-01", "2024-07-08", "2024-07-15", "2024-07-16"]),
            "topic": ["周会"] * 4,
        }
    )
    g = meeting_gaps(log)
    assert g["gap_max_days"].tolist() == [7.0]
    assert g["longest_gap_start"].dt.strftime("%m-%d").tolist() == ["07-01"]
    assert g["gap_median_days"].tolist() == [7.0]
    assert g["gap_mean_days"].tolist() == [5.0]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("whole", [True, False])
def test_group_median_equals_the_groupby_median(seed, whole):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    codes = rng.integers(0, 15, n)
    values = rng.integers(-900, 900, n).astype("float64")
    if not whole:
        values += rng.random(n)
    values[rng.random(n) < 0.1] = np.nan
    want = pd.Series(values).groupby(codes).median().reindex(range(15)).to_numpy()
    np.testing.assert_array_equal(cad._group_median(codes, values, 15), want)


@pytest.mark.parametrize("seed", range(8))
def test_sorted_pairs_equal_a_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    keys = rng.integers(0, 40, n)
    span = 1 << 40 if seed % 2 else 1000  # too wide to pack: the lexsort path
    values = rng.integers(-span, span, n)
    o = np.lexsort((values, keys))
    k, v = cad._sorted_pairs(keys, values)
    np.testing.assert_array_equal(k, keys[o])
    np.testing.assert_array_equal(v, values[o])
