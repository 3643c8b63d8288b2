"""Codes of long text columns of few values of one byte width, read from the bytes
(metrics/_encoded.py: ``_few_fixed_codes`` and the one-byte path)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics import _encoded as enc

DEPTS = ["技术部", "产品部", "市场部", "测试部", "运营部", "客服部", "财务部"]
# two symbols at three positions: no one or two byte positions tell the eight values apart
CUBE = ["aab", "aba", "baa", "aaa", "abb", "bab", "bba", "bbb"]


def _reference(values: list) -> tuple[list, list]:
    seen: dict = {}
    codes = [seen.setdefault(v, len(seen)) for v in values]
    return codes, list(seen)


def _chunked(values: list, cut: int) -> pa.ChunkedArray:
    return pa.chunked_array(
        [pa.array(values[:cut], pa.large_string()), pa.array(values[cut:], pa.large_string())]
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([*DEPTS, "ab", "ba", "aa", "bb"]), min_size=1, max_size=30),
    st.integers(1, 9000),
)
def test_few_fixed_codes_match_first_appearance(pattern, cut):
    values = np.resize(np.asarray(pattern, dtype=object), 9000).tolist()
    arr = _chunked(values, cut)
    codes, uniq = enc.dictionary_codes(arr)
    ref_codes, ref_uniq = _reference(values)
    assert codes.dtype == np.int64
    assert codes.tolist() == ref_codes
    assert uniq.to_pylist() == ref_uniq


def test_two_byte_positions_tell_apart():
    values = np.resize(np.array(["ab", "ba", "aa", "bb"], dtype=object), 5000).tolist()
    got = enc._few_fixed_codes(pa.array(values, pa.large_string()))
    assert got is not None
    assert got[0].tolist() == _reference(values)[0]


@pytest.mark.parametrize(
    "late",
    [
        "研发部",  # same width, not among the first rows' values
        "技术部 ",  # another width
        None,  # missing
    ],
)
def test_a_late_outsider_falls_back_to_hashing(late):
    values = np.resize(np.array(DEPTS[:3], dtype=object), 6000).tolist()
    values[5500] = late
    arr = _chunked(values, 5000)
    if late is not None:
        assert enc._few_fixed_codes(arr) is None
    codes, uniq = enc.dictionary_codes(arr)
    seen: dict = {}
    want = [-1 if v is None else seen.setdefault(v, len(seen)) for v in values]
    assert codes.tolist() == want
    assert uniq.to_pylist() == list(seen)


def test_values_no_two_positions_tell_apart_fall_back():
    values = np.resize(np.array(CUBE, dtype=object), 5000).tolist()
    arr = pa.array(values, pa.large_string())
    assert enc._few_fixed_codes(arr) is None
    codes, uniq = enc.dictionary_codes(arr)
    assert codes.tolist() == _reference(values)[0]
    assert uniq.to_pylist() == CUBE


def test_small_text_codes_are_int8_and_match():
    import pandas as pd

    enc.clear_cache()
    values = np.resize(np.array(DEPTS, dtype=object), 5000).tolist()
    frame = pd.DataFrame({"department": pd.Series(values, dtype="str")})
    codes, names = enc.text_codes(frame, "department", small=True)
    assert codes.dtype == np.int8
    assert codes.tolist() == _reference(values)[0]
    assert names.to_pylist() == DEPTS


def test_one_byte_codes_by_comparison():
    values = np.resize(np.array(["I", "R", "A", "C", "R"], dtype=object), 5000).tolist()
    codes, uniq = enc.dictionary_codes(pa.array(values, pa.large_string()))
    assert uniq.to_pylist() == ["I", "R", "A", "C"]
    assert codes[:5].tolist() == [0, 1, 2, 3, 1]
    assert codes.tolist() == _reference(values)[0]


def test_take_fixed_equals_arrow_take():
    values = pa.array(DEPTS, pa.large_string())
    idx = np.random.default_rng(3).integers(0, len(DEPTS), 5000)
    got = enc.take_fixed(values, idx)
    assert got is not None and got.equals(values.take(pa.array(idx)))
    assert got.slice(10, 5).to_pylist() == values.take(pa.array(idx[10:15])).to_pylist()
    # another width, a missing value or a position outside: not for the byte gather
    assert enc.take_fixed(pa.array(["技术部", "产品"], pa.large_string()), idx % 2) is None
    assert enc.take_fixed(pa.array(["技术部", None], pa.large_string()), idx % 2) is None
    assert enc.take_fixed(values, np.array([0, -1])) is None


def test_escalation_small_takes_keep_missing_values():
    from collab_analytics.metrics.escalation import _take_small

    values = pa.array(["delayed", "blocked"], pa.large_string())
    codes = np.resize(np.array([0, 1, 1]), 3000)
    assert _take_small(values, codes).to_pylist() == values.take(pa.array(codes)).to_pylist()
    assert _take_small(values, np.zeros(2000, dtype="int64")).to_pylist() == ["delayed"] * 2000
    with_missing = codes.copy()
    with_missing[5] = -1
    got = _take_small(values, with_missing).to_pylist()
    assert got[5] is None and got[4] == "blocked"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["T1", "T2", "T10", "任务", None]), min_size=1, max_size=40),
    st.data(),
)
def test_codes_at_equals_the_spread_codes(values, data):
    arr = pa.array(values, pa.large_string())
    rows = np.asarray(
        data.draw(st.lists(st.integers(0, len(values) - 1), max_size=20)), dtype="int64"
    )
    lazy = enc.encode_keys(arr)
    got = lazy.codes_at(rows)  # before the per-row codes exist
    spread = enc.encode_keys(arr).codes
    assert got.tolist() == spread[rows].tolist()
    assert lazy.codes.tolist() == spread.tolist()
    assert lazy.codes_at(rows).tolist() == spread[rows].tolist()  # after
