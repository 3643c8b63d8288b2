"""Loader fast paths (int64 date comparisons, parallel dictionary decode) against the plain
computation they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.io import _validate, csv
from collab_analytics.io.csv import _read_parquet


def _dates(rng, n, unit, nat=0.2):
    v = rng.integers(0, 40, n).astype("timedelta64[D]") + np.datetime64("2024-01-01")
    s = pd.Series(v.astype(f"datetime64[{unit}]"))
    s[rng.random(n) < nat] = pd.NaT
    return s


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_before_matches_pandas_comparison(unit):
    rng = np.random.default_rng(3)
    a, b = _dates(rng, 500, unit), _dates(rng, 500, unit)
    want = (a < b).to_numpy()
    got = _validate._before(a, b)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, want)
    for ts in (pd.Timestamp("2024-01-20"), pd.Timestamp("2024-01-20 13:00")):
        np.testing.assert_array_equal(_validate._before(a, ts), (a < ts).to_numpy())
    assert _validate._before(a, pd.Timestamp("2024-01-20")).sum() > 0


def test_before_other_inputs_fall_back_to_pandas():
    rng = np.random.default_rng(4)
    a, b = _dates(rng, 50, "us"), _dates(rng, 50, "ns")  # different units
    np.testing.assert_array_equal(_validate._before(a, b), (a < b).to_numpy())
    # a timestamp finer than the column's unit: compared exactly by pandas
    s = _dates(rng, 50, "s")
    ts = pd.Timestamp("2024-01-20 00:00:00.5")
    np.testing.assert_array_equal(_validate._before(s, ts), (s < ts).to_numpy())
    f = pd.Series([1.0, np.nan, 3.0])
    np.testing.assert_array_equal(
        _validate._before(f, pd.Series([2.0, 1.0, np.nan])), [True, False, False]
    )
    # all missing
    e = pd.Series(pd.to_datetime([None, None]))
    assert not _validate._before(e, e).any()


def test_parallel_dictionary_decode_same_frame(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame(
        {
            "项目名称": np.array(["P1", " P2", "P3"])[rng.integers(0, 3, n)],
            "任务编号": [f"T{i:05d}" for i in range(n)],
            "负责部门": np.array(["技术部", "产品部", None], dtype=object)[rng.integers(0, 3, n)],
            "状态": np.array(["正常", "已完成"])[rng.integers(0, 2, n)],
            "阶段": np.array(["开发", "测试 "])[rng.integers(0, 2, n)],
        }
    )
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, index=False)
    monkeypatch.setattr(csv, "_PARALLEL_DECODE_ROWS", 10**9)
    plain, plain_clean = _read_parquet(p)
    monkeypatch.setattr(csv, "_PARALLEL_DECODE_ROWS", 1)
    fast, fast_clean = _read_parquet(p)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast_clean == plain_clean
    assert fast_clean  # some columns were decoded from dictionaries and found trimmed
