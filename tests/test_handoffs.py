"""Dependency references resolved against task ids: the arithmetic path for ids numbered
without gaps must give exactly Arrow's hash lookup (first row of an equal id, -1 if none)."""

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics import _common
from collab_analytics.metrics._common import _id_lookup, _id_runs, dependency_edges, positions_in


def _ids(n_projects, per_project, fmt="P{:05d}-T{:03d}"):
    return [fmt.format(p, t) for p in range(1, n_projects + 1) for t in range(1, per_project + 1)]


def _check(refs, ids):
    ref_i = pd.Index(refs, dtype="str")
    id_s = pd.Series(ids, dtype="str")
    got, _ = _id_lookup(ref_i, id_s)
    np.testing.assert_array_equal(got, positions_in(ref_i, id_s))
    return got


def test_gapless_ids_resolve_by_arithmetic_hand_computed():
    ids = _ids(2, 3)  # P00001-T001..T003, P00002-T001..T003
    runs = _id_runs(_common._fixed_chunks(pa.array(ids, pa.large_string())))
    assert runs is not None
    assert runs.starts.tolist() == [0, 3] and runs.lengths.tolist() == [3, 3]
    refs = ["P00002-T003", "P00001-T001", "P00001-T004", "P00003-T001", "P00001-T000", None, ""]
    assert _check(refs, ids).tolist() == [5, 0, -1, -1, -1, -1, -1]
    t = pd.DataFrame({"task_id": ids, "depends_on": [[], ["P00001-T001"], [], [], ["x"], []]})
    e = dependency_edges(t)
    assert e.ids_sorted and e.src.tolist() == [0] and e.dst.tolist() == [1]


def test_bytes_outside_the_ids_ranges_never_alias():
    # tail bytes: first in '0'..'1', then '0'..'9': 'T0:0' would number like 'T100' if the
    # ranges were not checked; '/' lies below '0'
    ids = _ids(1, 100)
    refs = ["P00001-T0:0", "P00001-T0/9", "P00001-T200", "P00001-T100", "P00001-T0\x000"]
    assert _check(refs, ids).tolist() == [-1, -1, -1, 99, -1]


def test_ids_with_gaps_or_unsorted_use_the_other_paths():
    ids = [i for i in _ids(3, 5) if i != "P00002-T003"]  # one gap
    assert _id_runs(_common._fixed_chunks(pa.array(ids, pa.large_string()))) is None
    refs = ["P00002-T004", "P00002-T003", "P00003-T005", "P00001-T001"]
    assert _check(refs, ids).tolist() == [7, -1, 13, 0]
    _check(refs, ids[::-1])
    _check(refs, ids[:5] + ids[:5])  # repeated ids: first row


def test_many_rows_across_slices_and_chunks(monkeypatch):
    monkeypatch.setattr(_common, "_SLICE", 7)  # runs and heads cross slice boundaries
    ids = _ids(6, 13)
    rng = np.random.default_rng(1)
    pool = [*ids, "P00007-T001", "P00001-T014", "P00001-T000", "Q00001-T001"]
    refs = [pool[i] for i in rng.integers(0, len(pool), 200)]
    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([ids[:20], ids[20:]])))
    ref_i = pd.Index(refs, dtype="str")
    got, sorted_ = _id_lookup(ref_i, chunked)
    assert sorted_
    np.testing.assert_array_equal(got, positions_in(ref_i, pd.Series(ids, dtype="str")))


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["P{:05d}-T{:03d}", "ID-{:06d}", "PR{:02d}-{:05d}", "ABCDEFGH{:d}"]),
    st.integers(1, 4),
    st.integers(1, 30),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 40)), max_size=40),
    st.booleans(),
)
def test_arithmetic_lookup_matches_hash_lookup(fmt, n_projects, per_project, refs, drop_one):
    k = fmt.count("{")

    def text(p, t):
        return fmt.format(*((p, t)[-k:]))

    ids = sorted({text(p, t) for p in range(1, n_projects + 1) for t in range(1, per_project + 1)})
    if drop_one and len(ids) > 2:
        ids.pop(len(ids) // 2)
    _check([text(p, t) for p, t in refs] + ["", ids[0] + "0"], ids)
