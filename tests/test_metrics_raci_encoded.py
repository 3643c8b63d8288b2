"""The shared encodings behind the RACI, escalation and cadence metrics (metrics/_encoded.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics import _encoded as enc
from collab_analytics.metrics.raci import raci_conformance, raci_problems

_keys = st.lists(st.one_of(st.none(), st.sampled_from(["T1", "T2", "T3", "T10", "任务", "x"])))


def _reference(values: list) -> tuple[list, list]:
    """First-appearance codes (-1 for missing) and distinct values, the slow way."""
    seen: dict = {}
    codes = []
    for v in values:
        if v is None:
            codes.append(-1)
        else:
            codes.append(seen.setdefault(v, len(seen)))
    return codes, list(seen)


@settings(max_examples=150, deadline=None)
@given(_keys, st.booleans())
def test_encode_keys_matches_first_appearance_codes(values, chunked):
    arr = pa.array(values, pa.large_string())
    if chunked and len(values) > 2:
        arr = pa.chunked_array([arr.slice(0, 2), arr.slice(2)])
    k = enc.encode_keys(arr)
    codes, uniq = _reference(values)
    assert k.codes.tolist() == codes
    assert k.uniq.to_pylist() == uniq
    first = [codes.index(c) for c in range(len(uniq))]
    assert k.first_row.tolist() == first
    runs = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1] or not values[i]]
    assert k.starts.tolist() == runs
    assert k.grouped == (len(runs) == len(uniq) and None not in values)


@settings(max_examples=150, deadline=None)
@given(_keys, _keys)
def test_find_keys_matches_index_in(table, queries):
    k = enc.encode_keys(pa.array(table, pa.large_string()))
    q = pa.array(queries, pa.large_string())
    want = pc.index_in(q, value_set=k.uniq, skip_nulls=True).fill_null(-1).to_numpy()
    assert enc.find_keys(k, q).tolist() == want.tolist()


def test_sorted_fixed_width_ids_need_no_hashing():
    ids = [f"P{i // 3:05d}-T{i % 3:02d}" for i in range(30)]
    k = enc.encode_keys(pa.array(np.repeat(ids, 2).tolist(), pa.large_string()))
    assert k.fixed is not None and k.grouped
    assert k.codes.tolist() == np.repeat(np.arange(30), 2).tolist()
    q = pa.array(["P00004-T01", "P4-T1", "P00099-T00", None, "P00000-T00"], pa.large_string())
    assert enc.find_keys(k, q).tolist() == [13, -1, -1, -1, 0]
    # not increasing: hashed, same codes as the slow way
    back = enc.encode_keys(pa.array(ids[::-1], pa.large_string()))
    assert back.fixed is None
    assert back.uniq.to_pylist() == ids[::-1]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["R", "A", "C", "I", "x"]), min_size=1, max_size=40))
def test_one_byte_codes_match_dictionary_encoding(pattern):
    values = np.resize(np.asarray(pattern, dtype=object), 5000).tolist()  # long enough to count
    arr = pa.chunked_array(
        [pa.array(values[:1000], pa.large_string()), pa.array(values[1000:], pa.large_string())]
    )
    codes, uniq = enc.dictionary_codes(arr)
    ref_codes, ref_uniq = _reference(values)
    assert codes.tolist() == ref_codes
    assert uniq.to_pylist() == ref_uniq


def test_cache_follows_the_column_not_the_frame():
    enc.clear_cache()
    raci = pd.DataFrame(
        {
            "task_id": pd.Series(["T1", "T1", "T2"], dtype="str"),
            "department": pd.Series(["客服部", "产品部", "技术部"], dtype="str"),
        }
    )
    first = enc.task_keys(raci)
    assert enc.task_keys(raci) is first  # same buffers: shared
    assert enc.task_keys(raci.copy(deep=False)) is first
    raci.loc[2, "task_id"] = "T1"  # an edit builds new buffers: encoded again
    again = enc.task_keys(raci)
    assert again is not first
    assert again.codes.tolist() == [0, 0, 0]
    assert first.codes.tolist() == [0, 0, 1]
    assert not again.codes.flags.writeable
    codes, names = enc.text_codes(raci, "department", small=True)
    assert codes.dtype == np.int8 and names.to_pylist() == ["客服部", "产品部", "技术部"]


def test_object_list_columns_are_never_cached():
    calls = []
    frame = pd.DataFrame({"departments": pd.Series([["客服部"], []], dtype=object)})

    def compute():
        calls.append(1)
        return len(calls)

    assert enc.cached_columns("t", frame, ("departments",), compute) == 1
    frame.loc[1, "departments"] = ["技术部"]
    assert enc.cached_columns("t", frame, ("departments",), compute) == 2


def test_entries_go_with_their_frame():
    enc.clear_cache()
    frame = pd.DataFrame({"task_id": pd.Series(["T1", "T2"], dtype="str")})
    enc.task_keys(frame)
    assert len(enc._CACHE) == 1
    del frame
    assert len(enc._CACHE) == 0


def test_shared_encodings_give_the_cold_results():
    from collab_analytics.sample import portfolio

    data = portfolio(n_projects=4, tasks_per_project=15, seed=5)
    enc.clear_cache()
    cold_p = raci_problems(data.raci, tasks=data.tasks)
    enc.clear_cache()
    cold_c = raci_conformance(data.raci, data.tasks, data.meetings)
    # second calls run on the encodings left by the first
    pd.testing.assert_frame_equal(raci_problems(data.raci, tasks=data.tasks), cold_p)
    pd.testing.assert_frame_equal(raci_conformance(data.raci, data.tasks, data.meetings), cold_c)


@pytest.mark.parametrize("threads", [True, False])
def test_two_threads_or_one_same_results(threads, monkeypatch):
    from collab_analytics.metrics.escalation import escalation_episodes
    from collab_analytics.sample import portfolio

    data = portfolio(n_projects=3, tasks_per_project=12, seed=6)

    def run():
        enc.clear_cache()
        return (
            escalation_episodes(data.updates, meetings=data.meetings, tasks=data.tasks),
            raci_problems(data.raci, tasks=data.tasks),
            raci_conformance(data.raci, data.tasks, data.meetings),
        )

    monkeypatch.setattr(enc, "THREADS", False)
    want = run()
    monkeypatch.setattr(enc, "THREADS", threads)
    for got, exp in zip(run(), want, strict=True):
        pd.testing.assert_frame_equal(got, exp)


def test_parallel_keeps_order_and_raises():
    import threading

    def boom():
        raise ValueError("worker failed")

    old = enc.THREADS
    enc.THREADS = True
    try:
        names = enc.parallel(
            lambda: threading.current_thread().name, lambda: threading.current_thread().name
        )
        assert names[0] == threading.current_thread().name
        assert names[1].startswith("collab-encode")
        assert enc.parallel(lambda: 1, lambda: 2, lambda: 3) == [1, 2, 3]
        with pytest.raises(ValueError, match="worker failed"):
            enc.parallel(lambda: 1, boom)
    finally:
        enc.THREADS = old


_fixed = st.lists(st.sampled_from(["T01", "T02", "T10", "任", "P00001-T01"[:3], "abc"]), min_size=1)


@settings(max_examples=150, deadline=None)
@given(_fixed, st.integers(0, 6))
def test_runs_of_fixed_width_text_compare_words_across_chunks(values, cut):
    cut = min(cut, len(values))
    arr = pa.chunked_array(
        [pa.array(values[:cut], pa.large_string()), pa.array(values[cut:], pa.large_string())],
        type=pa.large_string(),
    )
    starts, heads = enc.runs(arr)
    want = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1]]
    assert starts.tolist() == want
    assert heads.to_pylist() == [values[i] for i in want]
    keys = enc.encode_keys(arr)
    codes, uniq = _reference(values)
    assert keys.codes.tolist() == codes
    assert keys.uniq.to_pylist() == uniq


def test_fixed_width_keys_sorted_by_bytes_need_no_hashing():
    arr = pa.array(["A0", "A0", "A1", "B0", "B0", "B1"], pa.large_string())
    keys = enc.encode_keys(arr)
    assert keys.fixed is not None and keys.grouped
    assert keys.codes.tolist() == [0, 0, 1, 2, 2, 3]
    assert enc.find_keys(keys, pa.array(["B0", "A2"], pa.large_string())).tolist() == [2, -1]
    unsorted = enc.encode_keys(pa.array(["B0", "A0", "A0"], pa.large_string()))
    assert unsorted.fixed is None and unsorted.codes.tolist() == [0, 1, 1]


def _clear_in_child() -> None:
    from collab_analytics.metrics import _encoded

    _encoded.clear_cache()


def test_forked_child_gets_a_fresh_encoding_lock():
    import multiprocessing as mp

    from collab_analytics.metrics import _encoded

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    ctx = mp.get_context("fork")
    # the lock is held while the process forks (as by a parent's thread mid-encoding)
    with _encoded._LOCK:
        child = ctx.Process(target=_clear_in_child)
        child.start()
    child.join(timeout=30)
    stuck = child.is_alive()
    if stuck:
        child.kill()
        child.join()
    assert not stuck, "the child waited forever for a lock its parent held at fork"
    assert child.exitcode == 0
