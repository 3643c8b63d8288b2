"""Factorised task keys (one hash pass shared by look-ups and duplicate checks) agree with the
plain string-join reference on random tables with duplicates, nulls and several projects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics.io import _arrow
from collab_analytics.io._build import TaskKeys, _resolve_refs

_text = st.sampled_from(["A", "b", "任务", "任务 ", "Ｔ１", "t1", "T1", " x y", "\u3000", None])
_ids = st.sampled_from(["T1", "T2", "t1", "T3", "任务", None])
_proj = st.sampled_from(["P", "Q", None])


def _tasks(rows):
    return pd.DataFrame(
        {
            "project": pd.Series([r[0] for r in rows], dtype="str"),
            "task_id": pd.Series([r[1] for r in rows], dtype="str"),
            "task": pd.Series([r[2] for r in rows], dtype="str"),
        }
    )


def _ref_dups(a, b):
    return pd.Series(_arrow.join(a, b).to_pylist()).duplicated().to_numpy()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(_proj, _ids, _text), min_size=1, max_size=12),
    refs=st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(["T1", "t1", "任务", "a", "ｔ１", "x y"])),
        max_size=10,
    ),
)
def test_task_keys_match_join_reference(rows, refs):
    t = _tasks(rows)
    refs = sorted((p % len(rows), tok) for p, tok in refs)
    rowpos = np.array([p for p, _ in refs], dtype="int64")
    tokens = pa.array([tok for _, tok in refs], type=pa.large_string())
    keys = TaskKeys(t, tokens)
    assert keys.duplicate_ids().tolist() == _ref_dups(t["project"], t["task_id"]).tolist()
    ref_names = _ref_dups(t["project"], _arrow.key(t["task"]))
    assert keys.duplicate_names().tolist() == ref_names.tolist()
    if len(refs):
        proj = t["project"].take(rowpos).reset_index(drop=True)
        want = _resolve_refs(pd.Series(tokens.to_pylist(), dtype="str"), t, proj)
        assert keys.resolve(rowpos, grouped=True).tolist() == want.tolist()
        want = _resolve_refs(pd.Series(tokens.to_pylist(), dtype="str"), t, None)
        assert keys.resolve(rowpos, grouped=False).tolist() == want.tolist()


def test_task_keys_small_example():
    t = _tasks(
        [("P", "T1", "需求"), ("P", "T1", "开发"), ("Q", "T2", "需求"), ("Q", "T3", "需 求")]
    )
    keys = TaskKeys(t, pa.array(["T2", "需求", "T9"], type=pa.large_string()))
    assert keys.duplicate_ids().tolist() == [False, True, False, False]
    assert keys.duplicate_names().tolist() == [False, False, False, True]
    # T2 lives in Q only; 需求 resolves by name within the row's own project
    assert keys.resolve(np.array([0, 0, 3]), grouped=True).tolist() == [-1, 0, -1]
    assert keys.resolve(np.array([0, 2, 3]), grouped=True).tolist() == [-1, 2, -1]
    assert keys.resolve(np.array([0, 0, 3]), grouped=False).tolist() == [2, 0, -1]


def test_key_fast_path_equals_full_normalisation():
    vals = ["任务ABC", " 需求 评审 ", "Ｔ１", None, "\u3000", "a\tb", "ﬁ", "e\u0301", "任务0001"]
    s = pd.Series(vals * 3, dtype="str")
    full = _arrow._key_full(_arrow.as_arrow(s)).to_pylist()
    full = [None if v == "" else v for v in full]
    assert _arrow.key(s).to_pylist() == full
    assert _arrow.key(s).to_pylist()[:3] == ["任务abc", "需求评审", "t1"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nums=st.lists(st.integers(0, 30), min_size=1, max_size=12, unique=True),
    projects=st.lists(_proj, min_size=12, max_size=12),
    names=st.lists(_text, min_size=12, max_size=12),
    refs=st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(["T05", "T5", "t05", "T30", "任务", "a"])),
        max_size=10,
    ),
)
def test_sorted_ids_fast_path_matches_reference(nums, projects, names, refs):
    rows = [(projects[i], f"T{n:02d}", names[i]) for i, n in enumerate(sorted(nums))]
    t = _tasks(rows)
    assert _arrow.sorted_fixed(t["task_id"]) is not None
    refs = sorted((p % len(rows), tok) for p, tok in refs)
    rowpos = np.array([p for p, _ in refs], dtype="int64")
    tokens = pa.array([tok for _, tok in refs], type=pa.large_string())
    keys = TaskKeys(t, tokens)
    assert not keys.duplicate_ids().any()
    for grouped in (True, False):
        proj = t["project"].take(rowpos).reset_index(drop=True) if grouped else None
        want = _resolve_refs(pd.Series(tokens.to_pylist(), dtype="str"), t, proj)
        assert keys.resolve(rowpos, grouped=grouped).tolist() == want.tolist()
        by_id = _resolve_refs(pd.Series(tokens.to_pylist(), dtype="str"), t.assign(task=None), proj)
        assert keys.by_id.tolist() == (by_id >= 0).tolist()
