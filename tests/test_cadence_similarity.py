"""The sparse plan-item assignment equals a brute-force pass over every (topic, item) pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics import _cadence_text as cad_text
from collab_analytics.metrics import cadence as cad


def _brute_best(topics: list[str], items: list[str]) -> tuple[list[int], list[float]]:
    """Similarity of every pair (substring → 1, else bigram Jaccard); the best by
    (similarity, item length, -position)."""
    best, sims = [], []
    for t in topics:
        tg = {t[i : i + 2] for i in range(len(t) - 1)}
        key, arg = None, None
        for j, it in enumerate(items):
            ig = {it[i : i + 2] for i in range(len(it) - 1)}
            if it and it in t:
                s = 1.0
            elif tg and ig and tg & ig:
                inter = len(tg & ig)
                s = inter / (len(tg) + len(ig) - inter)
            else:
                s = 0.0
            k = (s, len(it), -j)
            if key is None or k > key:
                key, arg = k, j
        best.append(arg)
        sims.append(key[0])
    return best, sims


def _check(topics, items):
    best, sim = cad_text._best_items(np.asarray(topics, dtype=str), np.asarray(items, dtype=str))
    want_best, want_sim = _brute_best(topics, items)
    assert sim.tolist() == want_sim
    assert best.tolist() == want_best


def test_hand_example():
    # 风险排查会 is a substring (1.0); 周会 ties on similarity with 例会 (longer → first)
    topics = ["风险排查会第3周", "周会", "xyz", "例会周会"]
    items = ["周会", "风险排查会", "例会", "例会周"]
    best, sim = cad_text._best_items(np.asarray(topics, dtype=str), np.asarray(items, dtype=str))
    assert best.tolist() == [1, 0, 1, 3]
    assert sim.tolist() == [1.0, 1.0, 0.0, 1.0]


@pytest.mark.parametrize("seed", range(6))
def test_random_texts_equal_brute_force(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    alphabet = list("abcdef周会评审")
    # few mask bits and a low posting cut-off: every path (masks, postings, groups) is used
    monkeypatch.setattr(cad_text, "_MASK_BITS", int(rng.integers(1, 130)))
    monkeypatch.setattr(cad_text, "_POSTING_DF", int(rng.integers(0, 4)))
    monkeypatch.setattr(cad_text, "_BLOCK_CELLS", int(rng.integers(1, 50)))

    def words(n, lo, hi):
        return ["".join(rng.choice(alphabet, rng.integers(lo, hi))) for _ in range(n)]

    items = words(int(rng.integers(1, 40)), 0, 6)
    topics = [*words(int(rng.integers(1, 80)), 0, 10), items[0] + "x", items[-1]]
    _check(topics, items)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abcab周会", max_size=8), min_size=1, max_size=12),
    st.lists(st.text(alphabet="abc周会", max_size=5), min_size=1, max_size=10),
)
def test_property_equals_brute_force(topics, items):
    _check(topics, items)


def test_assignment_winner_even_below_threshold():
    meetings = pd.DataFrame({"topic": ["周会评审", "无关", None], "plan_item": [None, None, None]})
    idx, rule, sim, best = cad._assignment(meetings, ["周会", "评审会"], 0.9)
    assert idx.tolist() == [0, -1, -1]
    assert rule.tolist() == ["topic", None, None]
    assert best.tolist() == [0, 1, 1]  # below the threshold: the longest item, sim 0
    assert sim.tolist() == [1.0, 0.0, 0.0]


def _same(a, b):
    for x, y in zip(a, b, strict=True):
        if x.dtype == object:
            assert pd.Series(x, dtype=object).equals(pd.Series(y, dtype=object))
        else:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", range(40))
def test_subset_assignment_equals_direct(seed):
    rng = np.random.default_rng(seed)
    alphabet = list("abcd周会")
    names = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(15)]
    full_items = list(dict.fromkeys(names))
    n = 60
    topics = ["".join(rng.choice(alphabet, rng.integers(0, 8))) for _ in range(n)]
    plan_item = [
        str(rng.choice(full_items))
        if rng.random() < 0.3
        else (None if rng.random() < 0.5 else "zz")
        for _ in range(n)
    ]
    meetings = pd.DataFrame({"topic": topics, "plan_item": plan_item})
    threshold = float(rng.choice([0.0, 0.3, 0.5, 0.9]))
    full = cad._assignment(meetings, full_items, threshold)
    for _ in range(5):
        keep = rng.random(len(full_items)) < rng.random()
        items = [it for it, k in zip(full_items, keep, strict=True) if k]
        if rng.random() < 0.2:
            items = items[::-1]  # not in the full order: computed directly
        rows = np.flatnonzero(rng.random(n) < 0.7)
        sub = meetings.iloc[rows].reset_index(drop=True)
        got = cad._subset_assignment(full, full_items, rows, meetings, items, threshold)
        _same(got, cad._assignment(sub, items, threshold))
