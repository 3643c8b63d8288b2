"""The loader's fast paths give exactly what the plain computation gives: trimming checked
by length, separators found from bytes, name keys from bytes, fingerprints plus exact
comparison for duplicates, run-wise project codes, guessed id positions, status words
mapped per distinct word, and the cycle search skipped for forward-only dependencies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics.io import _arrow
from collab_analytics.io._parse import parse_list, parse_pct, parse_status
from collab_analytics.io._validate import find_cycles

_CHARS = [
    *"aZ~!09 ,;\t\n",
    "\x7f",
    "\x85",
    "\xa0",
    "\u1680",
    "\u2000",
    "\u200b",
    "\u2028",
    "\u3000",
    "\u3001",
    "\u3400",
    "\u4dff",
    "\u4e00",
    "\u9fff",
    "\ua000",
    "\uff0c",
    "\uff1b",
    "\uff41",
    "\U0001f600",
    "任",
    "务",
    "【",
    "》",
]
_texts = st.lists(
    st.one_of(st.none(), st.text(alphabet=st.sampled_from(_CHARS), max_size=20)),
    max_size=30,
)
_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arr(vals, sliced):
    a = pa.array(vals, type=pa.large_string())
    return a.slice(1, len(a) - 2) if sliced and len(a) > 2 else a


@_SETTINGS
@given(vals=_texts, sliced=st.booleans())
def test_strip_blank_equals_trim_then_null_blanks(vals, sliced):
    a = _arr(vals, sliced)
    want = [None if v is None or v.strip() == "" else v.strip() for v in a.to_pylist()]
    got = _arrow.strip_blank(a)
    assert got.to_pylist() == want
    if got is a:  # returned unchanged only when nothing changes
        assert a.to_pylist() == want


def test_strip_blank_keeps_the_array_when_clean():
    a = pa.array(["需求", "T1", None], type=pa.large_string())
    assert _arrow.strip_blank(a) is a
    b = pa.array(["需求\u3000", "T1"], type=pa.large_string())
    assert _arrow.strip_blank(b).to_pylist() == ["需求", "T1"]


@_SETTINGS
@given(vals=_texts, sliced=st.booleans())
def test_contains_any_matches_python(vals, sliced):
    a = _arr(vals, sliced)
    seps = ",、;，；\n"
    want = any(v is not None and any(c in v for c in seps) for v in a.to_pylist())
    assert _arrow.contains_any(a, seps) == want


@_SETTINGS
@given(vals=_texts, sliced=st.booleans())
def test_odd_rows_match_the_regular_expression(vals, sliced):
    a = _arr(vals, sliced)
    want = pc.fill_null(pc.match_substring_regex(a, _arrow._PLAIN), False)
    odd, upper = _arrow._odd_rows(a)
    assert odd.tolist() == want.to_pylist()
    # with no odd text, the scan alone tells whether the texts are trimmed and not blank
    if not odd.any():
        assert _arrow.plain_trimmed(a, odd) == (_arrow.strip_blank(a) is a)
    else:
        assert not _arrow.plain_trimmed(a, odd)
    assert upper == any(v is not None and any("A" <= c <= "Z" for c in v) for v in a.to_pylist())
    full = _arrow._key_full(a).to_pylist()
    assert _arrow.key(a).to_pylist() == [None if v == "" else v for v in full]


@_SETTINGS
@given(
    vals=st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["", "a", "ab", "abcdefgh", "abcdefghi", "x" * 17, "x" * 16 + "y"]),
            st.text(alphabet=st.sampled_from(_CHARS), max_size=40),
        ),
        max_size=40,
    ),
    groups=st.lists(st.integers(-1, 2), min_size=40, max_size=40),
    sliced=st.booleans(),
)
def test_fingerprints_and_repeats(vals, groups, sliced):
    a = _arr(vals, sliced)
    g = np.array(groups[: len(a)], dtype="int64")
    fp = _arrow.fingerprint(a, g)
    frame = pd.DataFrame({"g": g, "v": a.to_pylist(), "f": fp})
    per_value = frame.groupby(["g", "v"], dropna=False)["f"]
    assert (per_value.min() == per_value.max()).all()
    assert _arrow.repeated(fp).tolist() == pd.Series(fp).duplicated(keep=False).tolist()


def test_fingerprint_small_example():
    fp = _arrow.fingerprint(pa.array(["需求评审", "开发", "需求评审", None], pa.large_string()))
    assert fp[0] == fp[2] and fp[0] != fp[1] and fp[3] != fp[0]


@_SETTINGS
@given(runs=st.lists(st.tuples(st.sampled_from(["P1", "P2", "P10", None]), st.integers(1, 6))))
def test_encode_runs_equals_encode(runs):
    s = pd.Series([v for v, k in runs for _ in range(k)], dtype="str")
    codes, n = _arrow.encode_runs(s)
    want, m = _arrow.encode(s)
    assert codes.tolist() == want.tolist() and n == m


@_SETTINGS
@given(
    ids=st.lists(st.integers(0, 500), min_size=1, max_size=40, unique=True),
    probes=st.lists(st.one_of(st.none(), st.integers(0, 520)), max_size=40),
    guesses=st.lists(st.integers(-3, 45), min_size=40, max_size=40),
    wide=st.booleans(),
)
def test_lookup_sorted_with_guesses(ids, probes, guesses, wide):
    fmt = "TASK-{:08d}" if wide else "T{:04d}"
    table = pd.Series([fmt.format(i) for i in sorted(ids)], dtype="str")
    values = pd.Series([None if p is None else fmt.format(p) for p in probes], dtype="str")
    fixed = _arrow.sorted_fixed(table)
    want = _arrow.lookup(values, table).tolist()
    assert _arrow.lookup_sorted(fixed, values).tolist() == want
    guess = np.array(guesses[: len(values)], dtype="int64")
    assert _arrow.lookup_sorted(fixed, values, guess=guess).tolist() == want


def test_status_words_mapped_per_distinct_word_as_per_cell():
    words = ["正常", " 滞后 ", "", "  ", None, "Resolved", "??", "DONE ", "\u3000正常"] * 3
    mapping = {"Resolved": "done"}
    fast = parse_status(pd.Series(words, dtype="str"), mapping)
    slow = parse_status(pd.Series(words, dtype=object), mapping)
    assert fast.parsed.equals(slow.parsed)
    assert fast.bad.tolist() == slow.bad.tolist()
    assert fast.parsed.tolist()[:2] == ["on_track", "delayed"] and pd.isna(fast.parsed[2])
    assert fast.bad.sum() == 3  # "??" three times


@_SETTINGS
@given(vals=_texts)
def test_list_cells_without_separators_match_splitting(vals):
    s = pd.Series(vals, dtype="str")
    r = parse_list(s)
    want_pos, want_tok = [], []
    for i, v in enumerate(vals):
        if v is None:
            continue
        for part in pd.Series([v]).str.split(r"[,、;，；\n]", regex=True)[0]:
            if part.strip():
                want_pos.append(i)
                want_tok.append(part.strip())
    assert r.pos.tolist() == want_pos
    assert r.tokens.to_pylist() == want_tok


def test_numeric_progress_scaled():
    r = parse_pct(pd.Series([80, 0.5, -5, 1, np.nan, 150], name="p"))
    assert r.parsed.tolist()[:4] == [0.8, 0.5, -0.05, 1.0]
    assert np.isnan(r.parsed[4]) and r.parsed[5] == 1.5 and r.parsed.name == "p"


def test_forward_only_dependencies_have_no_cycle():
    assert find_cycles(5, np.array([0, 1, 2]), np.array([1, 2, 4])) == []
    assert find_cycles(5, np.array([4, 3]), np.array([1, 0])) == []
    # one backward edge is enough for the full search to run and find the cycle
    assert find_cycles(5, np.array([0, 1, 2]), np.array([1, 2, 0])) == [[0, 1, 2]]
    assert find_cycles(3, np.array([1]), np.array([1])) == [[1]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vals=_texts, block=st.sampled_from([2, 3, 8, 16]))
def test_byte_scans_agree_across_block_boundaries(vals, block):
    a = pa.array(vals, type=pa.large_string())
    want_odd = _arrow._odd_rows(a)[0].tolist()
    want_sep = _arrow.contains_any(a, ",、;，；\n")
    want_fp = _arrow.fingerprint(a).tolist()
    want_strip = _arrow.strip_blank(a).to_pylist()
    saved = _arrow._BLOCK
    try:
        _arrow._BLOCK = block  # the scans read the block size when called
        assert _arrow._odd_rows(a)[0].tolist() == want_odd
        assert _arrow.contains_any(a, ",、;，；\n") == want_sep
        assert _arrow.fingerprint(a).tolist() == want_fp
        assert _arrow.strip_blank(a).to_pylist() == want_strip
    finally:
        _arrow._BLOCK = saved
    trimmed = [None if v is None or not v.strip() else v.strip() for v in vals]
    assert want_strip == trimmed
    expect = pc.fill_null(pc.match_substring_regex(a, _arrow._PLAIN), False).to_pylist()
    assert want_odd == expect
