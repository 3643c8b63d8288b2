"""The cadence tab's per-dataset shortcuts change no result: the (item, day) order hint of
the matcher and the gap statistics, item rules carried as codes, and the dictionary decoding
of coded text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import MEETING_DEPARTMENTS, random_department_meetings
from test_cadence_match import _random

from collab_analytics.metrics import cadence as cad


def _hint(meetings, assigned) -> np.ndarray:
    """The valid meetings sorted by (item, day): what the dashboard derives per dataset."""
    item = assigned[0]
    day = pd.to_datetime(meetings["date"]).dt.normalize().to_numpy(dtype="datetime64[D]")
    valid = np.flatnonzero((item >= 0) & ~np.isnat(day))
    return valid[np.lexsort((day[valid].astype("int64"), item[valid]))]


@pytest.mark.parametrize("seed", range(30))
def test_order_hint_changes_no_match_and_no_summary(seed):
    meetings, items, assigned, occ = _random(seed)
    arrays = cad._meeting_arrays(meetings)
    occ = occ.reset_index(drop=True)
    plain, no_order = cad._match_ordered(
        arrays, items, assigned, occ, tolerance_days=1, calendar="cn"
    )
    assert no_order is None
    hint = _hint(meetings, assigned)
    hinted, used = cad._match_ordered(
        arrays, items, assigned, occ, tolerance_days=1, calendar="cn", m_order=hint
    )
    pd.testing.assert_frame_equal(hinted, plain)
    valid = (assigned[0] >= 0) & meetings["date"].notna().to_numpy()
    if valid.any() and len(occ):
        np.testing.assert_array_equal(used, hint)  # the hint was the order: it was used
    # a wrong hint (another order, a meeting missing) is ignored: the same result
    rng = np.random.default_rng(seed)
    for bad in (rng.permutation(hint), hint[1:]):
        if len(bad) > 1 and np.array_equal(bad, hint):
            continue
        got, kept = cad._match_ordered(
            arrays, items, assigned, occ, tolerance_days=1, calendar="cn", m_order=bad
        )
        pd.testing.assert_frame_equal(got, plain)
        if not np.array_equal(bad, hint):
            assert kept is None or np.array_equal(kept, hint)
    # the gap statistics from the confirmed order equal the sorted ones
    code_of = {it: j for j, it in enumerate(items)}
    oc = np.array([code_of.get(x, -1) for x in occ["item"]], dtype="int64")
    want = cad._summary_codes(items, oc, assigned[0], plain)
    got = cad._summary_codes(items, oc, assigned[0], plain, m_order=used)
    pd.testing.assert_frame_equal(got, want)


def test_gap_stats_presorted_equals_sorted():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 5, 200)
    days = (np.datetime64("2024-01-01") + rng.integers(0, 90, 200)).astype("datetime64[D]")
    order = np.lexsort((days.astype("int64"), keys))
    pd.testing.assert_frame_equal(
        cad._gap_stats(keys[order], days[order], presorted=True), cad._gap_stats(keys, days)
    )


@pytest.mark.parametrize("seed", range(20))
def test_subset_assignment_with_coded_rules_equals_named_rules(seed):
    rng = np.random.default_rng(seed)
    alphabet = list("abcd周会")
    names = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(12)]
    full_items = list(dict.fromkeys(names))
    n = 50
    meetings = pd.DataFrame(
        {
            "topic": ["".join(rng.choice(alphabet, rng.integers(0, 8))) for _ in range(n)],
            "plan_item": [
                str(rng.choice(full_items)) if rng.random() < 0.3 else None for _ in range(n)
            ],
        }
    )
    threshold = float(rng.choice([0.0, 0.5, 0.9]))
    full = cad._assignment(meetings, full_items, threshold)
    coded = (full[0], cad._rule_codes(full[1]), *full[2:])
    assert coded[1].dtype == np.int8
    for _ in range(5):
        items = [it for it in full_items if rng.random() < 0.6]
        if rng.random() < 0.2:
            items = items[::-1]
        rows = np.flatnonzero(rng.random(n) < 0.7)
        named = cad._subset_assignment(full, full_items, rows, meetings, items, threshold)
        got = cad._subset_assignment(coded, full_items, rows, meetings, items, threshold)
        np.testing.assert_array_equal(got[1], cad._rule_codes(named[1]))
        for a, b in zip((got[0], got[2], got[3]), (named[0], named[2], named[3]), strict=True):
            np.testing.assert_array_equal(a, b)
    # the whole dataset's arrays are not changed by a subset
    np.testing.assert_array_equal(coded[1], cad._rule_codes(full[1]))


def test_rule_codes():
    rule = np.array(["plan_item", None, "topic", "topic"], dtype=object)
    assert cad._rule_codes(rule).tolist() == [0, -1, 1, 1]
    assert cad._rule_codes(np.array([1, -1], dtype="int64")).tolist() == [1, -1]


@pytest.mark.parametrize("n_names", [0, 1, 3, 300])
def test_coded_text_equals_a_take(n_names):
    rng = np.random.default_rng(n_names)
    names = [f"名{i}" for i in range(n_names)]
    codes = rng.integers(-1, max(n_names, 0), 500) if n_names else np.full(5, -1)
    want = pd.Series([names[c] if c >= 0 else None for c in codes], dtype="str")
    pd.testing.assert_series_equal(cad._coded_text(names, codes), want)


@pytest.mark.parametrize("seed", range(25))
def test_listed_counts_give_the_attendance_of_the_pairs(seed):
    """Attendance from the whole log's listed pairs counted per (item, department) plus the
    text pairs of meetings listing none equals attendance from the selection's pairs."""
    rng = np.random.default_rng(seed)
    depts = list(MEETING_DEPARTMENTS)
    full_items = ["周会", "评审会", "日会", "月会", "复盘会"]
    n = 60
    meetings = random_department_meetings(rng, n)
    item_full = rng.integers(-1, len(full_items), n)
    listed = cad._meeting_list_depts(meetings)
    index = cad._listed_index(listed, n, item_full, len(full_items))
    for _ in range(4):
        keep_items = np.flatnonzero(rng.random(len(full_items)) < 0.8)
        items = [full_items[i] for i in keep_items]
        new_of = np.full(len(full_items) + 1, -1, dtype="int64")
        new_of[keep_items] = np.arange(len(items))
        rows = np.flatnonzero(rng.random(n) < rng.random())
        item_idx = new_of[item_full[rows]]
        sub_depts = [d for d in depts if rng.random() < 0.7]
        e_items = [str(rng.choice(items)) for _ in range(8)] if items else []
        expected = pd.DataFrame(
            {
                "item": pd.Series(e_items, dtype="str"),
                "department": pd.Series([str(rng.choice(depts)) for _ in e_items], dtype="str"),
            }
        )
        has = item_idx >= 0
        e_ic = np.array([items.index(x) for x in e_items], dtype="int64")
        args = (np.flatnonzero(has), item_idx[has], e_ic, items, expected["department"])
        present = cad._subset_dept_codes(listed, n, rows, meetings["participants"], sub_depts)
        want = cad._attendance_codes(*args, present)
        counts, text_pairs = cad._listed_within(
            index, rows, keep_items, meetings["participants"], sub_depts
        )
        got = cad._attendance_codes(*args, text_pairs, counts)
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", range(20))
def test_gap_stats_equal_a_per_key_loop(seed):
    """Gaps per key (count, mean, median, the first longest gap) against a loop per key."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 120))
    keys = rng.integers(0, 6, n)
    days = (np.datetime64("2024-01-01") + rng.integers(0, 40, n)).astype("datetime64[D]")
    got = cad._gap_stats(keys, days)
    assert got.index.tolist() == sorted(set(keys.tolist()))
    for key, row in got.iterrows():
        d = np.sort(days[keys == key]).astype("int64")
        gaps = np.diff(d).astype("float64")
        assert row["meetings"] == len(d)
        if len(gaps) == 0:
            assert np.isnan(row["gap_max_days"]) and pd.isna(row["longest_gap_start"])
            continue
        assert row["gap_mean_days"] == pytest.approx(gaps.mean())
        assert row["gap_median_days"] == pytest.approx(np.median(gaps))
        at = int(np.argmax(gaps))  # the first of the longest
        assert row["gap_max_days"] == gaps[at]
        day0 = np.datetime64("1970-01-01", "D")
        assert row["longest_gap_start"] == pd.Timestamp(day0 + int(d[at]))
        assert row["longest_gap_end"] == pd.Timestamp(day0 + int(d[at + 1]))


@pytest.mark.parametrize("n_values", [0, 1, 5, 400])
def test_occurrence_texts_decoded_equal_a_take(n_values):
    from collab_analytics.metrics.schedule import _decoded

    rng = np.random.default_rng(n_values)
    values = pd.Series(
        [None if rng.random() < 0.2 else f"项{i}" for i in range(n_values)], dtype="str"
    )
    rows = rng.integers(0, n_values, 300) if n_values else np.zeros(0, dtype="int64")
    want = values.take(rows).reset_index(drop=True)
    pd.testing.assert_series_equal(_decoded(values, rows), want)


@pytest.mark.parametrize("seed", range(30))
def test_cadence_frames_equal_the_public_functions(seed):
    """The frames computed on the matching's arrays (missed occurrences from the occurrences
    left free when no two share an item and a day, else by keys; the summary) equal
    ``match_meetings`` / ``missed_occurrences`` / ``cadence_summary``; duplicate plan items
    (same-day occurrences of one item) included."""
    from collab_analytics.metrics import schedule as sched

    rng = np.random.default_rng(seed)
    meetings, _items, _assigned, _occ = _random(seed)
    names = ["周会", "评审会", "周会", "日会", "月会", "周会"]
    # a third of the plans: distinct items; a third: a row repeating another's item at other
    # times; a third: a row repeating another's item and times (the same occurrences twice)
    freqs = ["每周一10:00", "每周三、五15:00", "每周一16:00", "每日9:30", "每月1日", "每周一10:00"]
    kind = seed % 3
    if kind == 0:
        names, freqs = [names[i] for i in (0, 1, 3, 4)], [freqs[i] for i in (0, 1, 3, 4)]
    elif kind == 1:
        names, freqs = names[:5], freqs[:5]
    else:
        names, freqs = [names[i] for i in (0, 5, 1, 3)], [freqs[i] for i in (0, 5, 1, 3)]
    k = int(rng.integers(2, len(names) + 1))
    plan = pd.DataFrame(
        {
            "item": names[:k],
            "frequency": freqs[:k],
            "start": pd.Timestamp("2024-06-24"),
            "end": pd.Timestamp("2024-08-10"),
        }
    )
    occ = sched.expected_occurrences(plan)
    exp = sched._expansion(plan)
    items = cad._plan_items(plan)
    item_idx = rng.integers(-1, len(items), len(meetings))
    rule = np.where(item_idx >= 0, "topic", None).astype(object)
    assigned = (item_idx, rule, np.where(item_idx >= 0, 1.0, np.nan))
    arrays = cad._meeting_arrays(meetings)
    expected = pd.DataFrame(
        {"item": pd.Series([], dtype="str"), "department": pd.Series([], dtype="str")}
    )
    none = np.zeros(0, dtype="int64")
    built = []

    def occ_later():  # the occurrence frame handed over as a function: built on need only
        built.append(1)
        return occ

    for lazy, occ_arg in ((False, occ), (True, occ), (True, occ_later)):
        got = cad._cadence_frames(
            arrays,
            items,
            assigned,
            plan,
            occ_arg,
            exp,
            expected,
            (none, none, []),
            tolerance_days=1,
            calendar="cn",
            lazy=lazy,
        )
        matches = got["matches"]() if lazy else got["matches"]
        want = cad._match_arrays(arrays, items, assigned, occ, tolerance_days=1, calendar="cn")
        pd.testing.assert_frame_equal(matches, want)
        pd.testing.assert_frame_equal(got["missed"], cad.missed_occurrences(want, occ))
        pd.testing.assert_frame_equal(got["cadence"], cad.cadence_summary(want, occ, plan=plan))
        if "item_codes" in got:
            m_codes, x_codes, names_ = got["item_codes"]
            assert np.array_equal(m_codes, item_idx)
            assert got["missed"]["item"].tolist() == [names_[c] for c in x_codes]
    assert len(built) <= 1  # built once at most


@pytest.mark.parametrize("calendar", ["cn", "calendar"])
@pytest.mark.parametrize("shift_days", [1, 7, 8, 14, 20])
def test_every_other_week_rows_moved_by_odd_weeks_equal_the_direct_expansion(calendar, shift_days):
    """Every-n-th-week rows whose first week moves by other than n weeks are cut from their
    every-week days (computed once per whole expansion), not expanded again."""
    from collab_analytics.metrics import schedule as sched

    freqs = ["每两周周三10:00", "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=3", "biweekly Fri", "每周五15:00"]
    plan = pd.DataFrame(
        {
            "item": pd.Series([f"会{i}" for i in range(len(freqs))], dtype="str"),
            "frequency": pd.Series(freqs, dtype="str"),
            "start": pd.Series([np.datetime64("2024-05-06", "us")] * len(freqs)),
            "end": pd.Series([np.datetime64("2024-09-30", "us")] * len(freqs)),
        }
    )
    full = sched._expansion(plan, calendar=calendar)
    sub = plan.copy()
    sub["start"] = sub["start"] + pd.Timedelta(days=shift_days)
    sub["end"] = sub["end"] - pd.Timedelta(days=3)
    got, exp = sched._expand_within(full, sub, np.arange(len(plan)))
    pd.testing.assert_frame_equal(got, sched.expected_occurrences(sub, calendar=calendar))
    # from Monday 05-06: 1 day later the first weeks stay, 14 days keep the every-other-week
    # rows' weeks (the RRULE row is expanded again); 7, 8 and 20 days move them by odd weeks
    assert ("every_week" in full.derived) == (shift_days in (7, 8, 20))
    np.testing.assert_array_equal(exp.items.take(exp.rows).to_numpy(), got["item"].to_numpy())
