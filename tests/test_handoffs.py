"""Dependency references resolved against task ids: the arithmetic path for ids numbered
without gaps must give exactly Arrow's hash lookup (first row of an equal id, -1 if none)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
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


# ---- handoff_summary: the per-task ends and the (group, wait, waiting) histogram must give
# exactly the summary of the hand-over rows (handoff_arrays → summarize_arrays)
def _portfolio(seed, n=6000, missing_dept=False, gaps=False):
    rng = np.random.default_rng(seed)
    depts = np.array(["产品部", "技术部", "测试部", "运营部", "市场部"], dtype=object)
    ids = np.array([f"P{i // 50:05d}-T{i % 50 + 1:03d}" for i in range(n)], dtype=object)
    if gaps:
        ids = np.array([f"X{i * 3:06d}" for i in range(n)], dtype=object)
    dep = depts[rng.integers(0, len(depts), n)]
    if missing_dept:
        dep[rng.random(n) < 0.05] = None
    day0 = np.datetime64("2025-01-01")
    ps = day0 + rng.integers(0, 200, n).astype("timedelta64[D]")
    pf = ps + rng.integers(1, 20, n).astype("timedelta64[D]")
    as_ = (ps + rng.integers(-3, 10, n).astype("timedelta64[D]")).astype("datetime64[us]")
    af = (pf + rng.integers(-5, 30, n).astype("timedelta64[D]")).astype("datetime64[us]")
    as_[rng.random(n) < 0.2] = np.datetime64("NaT")
    af[rng.random(n) < 0.3] = np.datetime64("NaT")
    status = rng.choice(["todo", "doing", "done", "done_early", "cancelled"], n)
    deps = []
    for i in range(n):
        k = rng.integers(0, 4)
        deps.append(
            [ids[j] for j in rng.integers(max(0, i - 40), i + 1, k)]
            + (["nope"] if i % 97 == 0 else [])
        )
    return pd.DataFrame(
        {
            "task_id": pd.array(ids, dtype="str"),
            "department": pd.array(dep, dtype="str"),
            "planned_start": ps.astype("datetime64[us]"),
            "planned_finish": pf.astype("datetime64[us]"),
            "actual_start": as_,
            "actual_finish": af,
            "status": pd.Categorical(status),
            "depends_on": deps,
        }
    )


def _from_rows(tasks, by, as_of=None, calendar=None):
    from collab_analytics.metrics._common import make_groups
    from collab_analytics.metrics.delivery import delivery_arrays
    from collab_analytics.metrics.handoffs import handoff_arrays, summarize_arrays

    arr = delivery_arrays(tasks, as_of=as_of, calendar=calendar)
    groups = make_groups(tasks, ["department"])
    departments = pd.Index(groups.keys["department"])
    h = handoff_arrays(tasks, arr, dependency_edges(tasks), groups.codes, departments)
    return summarize_arrays(h, groups.codes, departments, by)


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize(
    ("seed", "missing", "gaps", "calendar", "as_of"),
    [
        (0, False, False, None, None),
        (1, True, False, "weekdays", None),
        (2, False, True, "cn", "2025-05-01"),
        (3, True, True, None, "2025-03-15"),
    ],
)
def test_summary_equals_summary_of_rows(monkeypatch, threads, seed, missing, gaps, calendar, as_of):
    from collab_analytics.metrics.handoffs import handoff_summary

    monkeypatch.setattr(_common, "THREADS", threads)
    t = _portfolio(seed, missing_dept=missing, gaps=gaps)
    for by in ("to_department", "from_department", "pair"):
        got = handoff_summary(t, by=by, as_of=as_of, calendar=calendar)
        pd.testing.assert_frame_equal(got, _from_rows(t, by, as_of, calendar), check_exact=True)


def test_summary_histogram_too_large_falls_back(monkeypatch):
    from collab_analytics.metrics import handoffs as ho

    t = _portfolio(4)
    want = ho.handoff_summary(t, by="pair")
    monkeypatch.setattr(ho, "_MAX_BINS", 10)
    pd.testing.assert_frame_equal(ho.handoff_summary(t, by="pair"), want, check_exact=True)


def test_department_codes_match_sorted_factorize():
    from collab_analytics.metrics import handoffs as ho
    from collab_analytics.metrics._common import factorize_strings

    rng = np.random.default_rng(5)
    names = np.array(
        ["技术部", "产品部", "法务部", "运营部", "市场部", "测试部", "客服部"], dtype=object
    )
    col = pd.Series(pd.array(names[rng.integers(0, 7, 9000)], dtype="str"))
    chunked = pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([col.iloc[:5000].array, col.iloc[5000:].array]))
    )
    late = col.copy()
    late.iloc[8000] = "人事部"  # first seen after the encoder's sample of the first rows
    gaps = col.copy()
    gaps.iloc[::11] = None
    mixed = pd.Series(pd.array(["技术部", "QA", "ABCDEFGHI", "ABCDEFGHJ"] * 2000, dtype="str"))
    short = col.iloc[:100]
    for c in (col, chunked, late, gaps, mixed, short, col.astype(object), col.astype("category")):
        codes, uniq = ho._department_codes(c)
        want_codes, want_uniq = factorize_strings(c, sort=True)
        np.testing.assert_array_equal(codes, want_codes)
        pd.testing.assert_index_equal(uniq, want_uniq)
    assert ho._department_codes(col)[0].dtype == np.int8
