"""Dependency hand-over waits and event-history hand-overs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics.handoffs import handoff_summary, handoffs, history_handoffs

D = pd.to_datetime


def tasks():
    return pd.DataFrame(
        {
            "task_id": ["A", "B", "C", "E"],
            "department": ["产品部", "技术部", "技术部", "产品部"],
            "planned_finish": D(["2024-07-20", "2024-08-20", "2024-08-20", "2024-08-01"]),
            "actual_start": D(["2024-07-11", "2024-07-26", None, "2024-07-30"]),
            "actual_finish": D(["2024-07-22", None, None, None]),
            "depends_on": [[], ["A"], ["A"], ["A"]],  # A→E is inside one department
        }
    )


def test_dependency_waits():
    h = handoffs(tasks(), as_of="2024-07-31")
    assert h["to_task_id"].tolist() == ["B", "C"]
    assert h["wait_days"].tolist() == [4.0, 9.0]  # C still waiting: 07-22 → 07-31
    assert h["is_waiting"].tolist() == [False, True]
    s = handoff_summary(tasks(), by="to_department", as_of="2024-07-31").iloc[0]
    assert (s.n_handoffs, s.n_waiting, s.total_wait_days, s.median_wait_days) == (2, 1, 13, 6.5)
    with pytest.raises(ValueError, match="by='x' is not supported"):
        handoff_summary(tasks(), by="x")


def test_missing_department_is_not_a_handoff_anywhere():
    """An edge with an unknown department at either end is no hand-over: in ``handoffs``,
    ``handoff_summary``, the bottleneck ranking and the one-call report alike."""
    from collab_analytics import TrackingData
    from collab_analytics.metrics.bottleneck import bottleneck_ranking
    from collab_analytics.metrics.report import delivery_report

    t = pd.concat(
        [
            tasks(),
            pd.DataFrame(
                {
                    "task_id": ["F", "G"],
                    "department": pd.array([None, "技术部"], dtype="str"),
                    "planned_finish": D(["2024-07-25", "2024-08-10"]),
                    "actual_start": D(["2024-07-23", "2024-07-29"]),
                    "actual_finish": D(["2024-07-24", None]),
                    "depends_on": [["A"], ["F"]],  # 产品部 → ? → 技术部
                }
            ),
        ],
        ignore_index=True,
    )
    h = handoffs(t, as_of="2024-07-31")
    assert h["to_task_id"].tolist() == ["B", "C"]  # A→F and F→G are skipped
    s = handoff_summary(t, by="to_department", as_of="2024-07-31")
    assert s["to_department"].tolist() == ["技术部"]
    assert (s["n_handoffs"].tolist(), s["total_wait_days"].tolist()) == ([2], [13.0])
    rep = delivery_report(TrackingData(tasks=t), as_of="2024-07-31", progress=False)
    pd.testing.assert_frame_equal(rep.handoffs, h)
    pd.testing.assert_frame_equal(rep.handoffs_by_department, s)
    rank = bottleneck_ranking(t, as_of="2024-07-31")
    waits = dict(zip(rank["department"].fillna("?"), rank["handoff_wait_days"], strict=True))
    assert waits == {"技术部": 13.0, "产品部": 0.0, "?": 0.0}
    pd.testing.assert_frame_equal(rep.bottlenecks, bottleneck_ranking(t, as_of="2024-07-31"))


def test_no_dependencies_gives_empty_frames():
    t = tasks().drop(columns="depends_on")
    assert len(handoffs(t)) == 0
    s = handoff_summary(t, by="pair")
    assert list(s.columns[:3]) == ["from_department", "to_department", "n_handoffs"]


LOG = pd.DataFrame(
    {
        "task_id": ["T1", "T1", "T1", "T1", "T2", "T2", "T3"],
        "date": D(
            [
                "2024-07-01",
                "2024-07-03",
                "2024-07-04",
                "2024-07-09",
                "2024-07-02",
                "2024-07-05",
                "2024-07-02",
            ]
        ),
        "department": ["产品部", "产品部", "技术部", "产品部", "客服部", "产品部", "技术部"],
    }
)


def test_history_hand_computed():
    h = history_handoffs(LOG)
    assert h.n_handoffs == 3
    pairs = h.pairs.set_index(["from_department", "to_department"])
    assert pairs.loc[("产品部", "技术部"), "mean_wait_days"] == 1
    assert pairs.loc[("技术部", "产品部"), "mean_wait_days"] == 5
    assert pairs.loc[("客服部", "产品部"), "mean_wait_days"] == 3
    soj = h.sojourn.set_index("department")
    # 产品部 visits: T1 07-01→07-04 (3), T1 07-09 (last, 0), T2 07-05 (last, 0)
    assert soj.loc["产品部", ["n_visits", "n_tasks", "total_days"]].tolist() == [3, 2, 3]
    assert soj.loc["技术部", "total_days"] == 5  # T1 07-04→07-09, T3 single event
    assert h.ping_pong["task_id"].tolist() == ["T1"]
    assert h.per_task.set_index("task_id")["n_handoffs"].to_dict() == {"T1": 2, "T2": 1, "T3": 0}


def test_history_timestamps_and_calendar():
    log = LOG.copy()
    log["date"] = log["date"] + pd.to_timedelta(np.arange(len(log)) * 7, "h")
    h = history_handoffs(log, calendar="weekdays")
    # T1: 07-04 21:00 (Thu) → 07-09 (Tue) 09:00: 3 working days (Fri, Mon, Tue);
    # T2: 07-03 04:00 (Wed) → 07-06 11:00 (Sat): 2 working days (Thu, Fri)
    t = h.transitions.set_index("to_department")
    assert t.loc["产品部", "wait_days"].tolist() == [3.0, 2.0]


def test_history_empty_and_custom_columns():
    e = history_handoffs(LOG.iloc[:0])
    assert len(e.transitions) == 0 and "wait_days" in e.transitions.columns
    log = LOG.rename(columns={"task_id": "key", "date": "ts", "department": "team"})
    h = history_handoffs(log, task="key", time="ts", department="team")
    assert h.n_handoffs == 3 and "key" in h.transitions.columns


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(LOG))))
def test_history_row_order_invariance(perm):
    a = history_handoffs(LOG)
    b = history_handoffs(LOG.iloc[list(perm)].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.sojourn, b.sojourn)
    assert sorted(a.ping_pong["task_id"]) == sorted(b.ping_pong["task_id"])


# ---- resolving references against sorted fixed-width ids (integer keys, no hashing)
@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["T{:d}", "T{:07d}", "P{:05d}-T{:03d}", "PROJECT{:05d}-{:03d}", "ID-{:06d}"]),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 35), st.integers(0, 35)), max_size=40),
    st.booleans(),
)
def test_id_positions_match_hash_lookup(fmt, ids, refs, shuffle):
    from collab_analytics.metrics._common import _id_positions, positions_in

    def text(p):
        return fmt.format(*p[: fmt.count("{")])

    ids = sorted({text(p) for p in ids})
    if shuffle:
        ids = ids[::-1]
    id_s = pd.Series(ids, dtype="str")
    ref_i = pd.Index([text(p) for p in refs] + ["", "X", ids[0] + "0"], dtype="str")
    got = _id_positions(ref_i, id_s)
    np.testing.assert_array_equal(got, positions_in(ref_i, id_s))


def test_id_positions_hand_computed():
    from collab_analytics.metrics._common import _id_positions

    ids = pd.Series(["P00001-T001", "P00001-T002", "P00002-T001"], dtype="str")
    refs = pd.Index(["P00002-T001", "P00001-T003", "P00003-T001", "P00001-T001", None], dtype="str")
    assert _id_positions(refs, ids).tolist() == [2, -1, -1, 0, -1]
    from collab_analytics.metrics._common import _id_lookup, dependency_edges

    assert _id_lookup(refs, ids)[1] is True  # sorted fixed-width ids: row order is id order
    assert _id_lookup(refs, ids[::-1].reset_index(drop=True))[1] is False
    t = pd.DataFrame({"task_id": ids, "depends_on": [[], ["P00001-T001"], ["P00001-T002"]]})
    assert dependency_edges(t).ids_sorted
    assert not dependency_edges(t.iloc[::-1].reset_index(drop=True)).ids_sorted


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["技术部", "产品部", "b", "a", "é", "Z", "a"]), min_size=2, max_size=30
    ),
    st.booleans(),
)
def test_factorize_strings_matches_pandas(values, sort):
    from collab_analytics.metrics._common import factorize_strings

    s = pd.Series(values, dtype="str")
    codes, uniques = factorize_strings(s, sort=sort)
    ref_codes, ref_uniques = pd.factorize(s, sort=sort)
    np.testing.assert_array_equal(codes, ref_codes)
    pd.testing.assert_index_equal(uniques, ref_uniques)
