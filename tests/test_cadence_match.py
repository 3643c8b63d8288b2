"""The cadence matcher's nearest-occurrence search (sorted int64 keys and ``searchsorted``)
equals the ``pd.merge_asof`` rounds it replaced, ties and duplicate items included; the
meeting arrays sliced by rows equal the arrays of the sliced meetings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _selections import MEETING_DEPARTMENTS, random_department_meetings

from collab_analytics.calendar import get_calendar
from collab_analytics.metrics import _cadence_codes as cad_codes
from collab_analytics.metrics import cadence as cad
from collab_analytics.metrics.schedule import expected_occurrences


def _reference(meetings, items, assigned, occurrences, *, tolerance_days, calendar):
    """The matcher as it was written with ``pd.merge_asof`` (one round per retry)."""
    n = len(meetings)
    cal = get_calendar(calendar)
    item_idx = assigned[0]
    date = pd.to_datetime(meetings["date"]).dt.normalize().astype("datetime64[us]")
    date = date.reset_index(drop=True)
    start = pd.to_datetime(meetings["start"]).astype("datetime64[us]").reset_index(drop=True)
    start = start.fillna(date)
    code_of = {it: j for j, it in enumerate(items)}
    occ_code = np.array([code_of.get(x, -1) for x in occurrences["item"]], dtype="int64")
    occ_time = occurrences["occurrence"].to_numpy(dtype="datetime64[us]")
    valid_m = (item_idx >= 0) & date.notna().to_numpy()
    occ_pos = np.full(n, -1, dtype="int64")
    mdays = date.to_numpy(dtype="datetime64[D]")
    odays = occ_time.astype("datetime64[D]")
    all_days = np.concatenate([mdays[valid_m], odays])
    lo, hi = all_days.min(), all_days.max()
    m_ord = np.zeros(n, dtype="int64")
    m_ord[valid_m] = cad_codes._day_ordinals(mdays[valid_m], cal, lo, hi)
    o_ord = cad_codes._day_ordinals(odays, cal, lo, hi)
    o_key = odays.astype("int64")
    m_key = mdays.astype("int64")
    free = np.ones(len(occurrences), dtype=bool)
    pending = valid_m.copy()
    for _round in range(3):
        cand = np.flatnonzero(pending)
        fo = np.flatnonzero(free & (occ_code >= 0))
        if len(cand) == 0 or len(fo) == 0:
            break
        left = pd.DataFrame({"k": m_key[cand], "item": item_idx[cand], "m": cand})
        right = pd.DataFrame({"k": o_key[fo], "item": occ_code[fo], "o": fo})
        left = left.sort_values("k", kind="stable")
        right = right.sort_values("k", kind="stable")
        got = pd.merge_asof(left, right, on="k", by="item", direction="nearest")
        got = got[got["o"].notna()]
        if not len(got):
            break
        mm = got["m"].to_numpy(dtype="int64")
        oo = got["o"].to_numpy(dtype="int64")
        ok = np.abs(m_ord[mm] - o_ord[oo]) <= tolerance_days
        mm, oo = mm[ok], oo[ok]
        m_start = start.to_numpy()[mm]
        dist = np.abs((m_start - occ_time[oo]).astype("int64"))
        order = np.lexsort((mm, m_start.view("int64"), dist, oo))
        mm, oo = mm[order], oo[order]
        first = np.ones(len(oo), dtype=bool)
        first[1:] = oo[1:] != oo[:-1]
        occ_pos[mm[first]] = oo[first]
        free[oo[first]] = False
        pending[mm[first]] = False
        found = np.zeros(n, dtype=bool)
        found[mm] = True
        pending[cand[~found[cand]]] = False
        if first.all():
            break
    same_day = pd.DataFrame({"i": item_idx[valid_m], "k": m_key[valid_m]})
    dup = np.zeros(n, dtype=bool)
    dup[np.flatnonzero(valid_m)[same_day.duplicated(keep=False).to_numpy()]] = True
    return occ_pos, dup


def _random(seed):
    rng = np.random.default_rng(seed)
    # duplicate item names (two plan rows of one item) give same-day occurrences
    names = ["周会", "评审会", "周会", "日会", "月会"][: rng.integers(2, 6)]
    freqs = ["每周一10:00", "每周三、五15:00", "每周一16:00", "每日9:30", "每月1日"]
    plan = pd.DataFrame({"item": names, "frequency": freqs[: len(names)]})
    occ = expected_occurrences(plan, start="2024-06-24", end="2024-08-10")
    n = int(rng.integers(1, 160))
    days = pd.Timestamp("2024-06-20") + pd.to_timedelta(rng.integers(0, 55, n), unit="D")
    minutes = rng.choice([540, 570, 600, 900, 960, 600], n)
    start = days + pd.to_timedelta(minutes, unit="min")
    start = pd.Series(start).mask(rng.random(n) < 0.1)
    date = pd.Series(days).mask(rng.random(n) < 0.05)
    items = list(dict.fromkeys(names))
    meetings = pd.DataFrame(
        {
            "date": date,
            "time": pd.Series([f"{m // 60}:{m % 60:02d}" for m in minutes], dtype="str"),
            "start": start,
            "topic": pd.Series(rng.choice(["周会", "x", None], n), dtype="str"),
            "output": pd.Series(rng.choice(["纪要", "", " ", None], n), dtype="str"),
            "duration_min": rng.choice([30.0, 60.0, np.nan], n),
        }
    )
    item_idx = rng.integers(-1, len(items), n)
    rule = np.where(item_idx >= 0, "topic", None).astype(object)
    sim = np.where(item_idx >= 0, 1.0, np.nan)
    return meetings, items, (item_idx, rule, sim), occ


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("calendar", ["cn", "calendar"])
def test_nearest_search_equals_merge_asof(seed, calendar):
    meetings, items, assigned, occ = _random(seed)
    for tol in (0, 1, 3):
        got = cad._match_assigned(
            meetings, items, assigned, occ, tolerance_days=tol, calendar=calendar
        )
        occ_pos, dup = _reference(
            meetings, items, assigned, occ, tolerance_days=tol, calendar=calendar
        )
        want = np.full(len(meetings), np.datetime64("NaT"), dtype="datetime64[us]")
        has = occ_pos >= 0
        want[has] = occ["occurrence"].to_numpy(dtype="datetime64[us]")[occ_pos[has]]
        np.testing.assert_array_equal(got["occurrence"].to_numpy(), want)
        np.testing.assert_array_equal(got["matched"].to_numpy(), has)
        off = (assigned[0] >= 0) & ~has
        assert (got["reason"] == "duplicate").fillna(False).to_numpy().tolist() == (
            off & dup
        ).tolist()


@pytest.mark.parametrize("seed", range(10))
def test_sliced_meeting_arrays_match_like_the_sliced_meetings(seed):
    meetings, items, assigned, occ = _random(seed)
    rng = np.random.default_rng(seed + 100)
    rows = np.flatnonzero(rng.random(len(meetings)) < 0.6)
    sub = meetings.iloc[rows].reset_index(drop=True)
    sub_assigned = tuple(a[rows] for a in assigned)
    want = cad._match_assigned(sub, items, sub_assigned, occ, tolerance_days=1, calendar="cn")
    arrays = cad._take_meetings(cad._meeting_arrays(meetings), rows)
    got = cad._match_arrays(arrays, items, sub_assigned, occ, tolerance_days=1, calendar="cn")
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", range(20))
def test_subset_department_pairs_equal_the_direct_pairs(seed):
    """Listed departments sliced, the participants text read only for meetings listing none,
    against the restricted department list: the same (meeting, department) pairs."""
    rng = np.random.default_rng(seed)
    depts = list(MEETING_DEPARTMENTS)
    n = 50
    meetings = random_department_meetings(rng, n)
    listed = cad._meeting_list_depts(meetings)
    for _ in range(4):
        rows = np.flatnonzero(rng.random(n) < rng.random())
        sub_depts = [d for d in depts if rng.random() < 0.6]
        sub = meetings.iloc[rows].reset_index(drop=True)
        want_r, want_c, want_n = cad_codes._meeting_dept_codes_uncached(sub, sub_depts, None)
        got_r, got_c, got_n = cad._subset_dept_codes(
            listed, n, rows, meetings["participants"], sub_depts
        )
        want = {(int(r), want_n[c]) for r, c in zip(want_r, want_c, strict=True)}
        got = {(int(r), got_n[c]) for r, c in zip(got_r, got_c, strict=True)}
        assert got == want


def _attendance_reference(matches, meetings, expected, departments):
    """Attendance by a merge and a group-by (every assigned meeting × its expected rows)."""
    pairs = cad_codes._meeting_dept_pairs(meetings, departments)
    seen = set(zip(pairs["row"].tolist(), pairs["department"].tolist(), strict=True))
    m = matches.loc[matches["item"].notna(), ["meeting", "item"]].astype({"item": object})
    e = expected.loc[expected["department"].notna(), ["item", "department"]].astype(object)
    x = m.merge(e, on="item", how="inner", sort=False)
    x["attended"] = [(r, d) in seen for r, d in zip(x["meeting"], x["department"], strict=True)]
    g = x.groupby(["item", "department"], sort=False)["attended"].agg(["size", "sum"])
    g = g.reset_index()
    return pd.DataFrame(
        {
            "item": pd.Series(g["item"].tolist(), dtype="str"),
            "department": pd.Series(g["department"].tolist(), dtype="str"),
            "meetings": g["size"].to_numpy(dtype="int64"),
            "attended": g["sum"].to_numpy(dtype="int64"),
            "attendance_rate": g["sum"].to_numpy(dtype="float64") / g["size"].to_numpy(),
        }
    )


@pytest.mark.parametrize("seed", range(30))
def test_attendance_equals_merge_and_group_by(seed):
    rng = np.random.default_rng(seed)
    depts = ["客服部", "技术部", "产品部", "运营部"]
    items = ["周会", "评审会", "日会", "月会"]
    n = int(rng.integers(1, 80))
    lists = [
        list(rng.choice(depts, rng.integers(0, 4), replace=False)) if rng.random() < 0.8 else None
        for _ in range(n)
    ]
    meetings = pd.DataFrame(
        {
            "departments": pd.Series(lists, dtype=object),
            "participants": pd.Series(rng.choice(["各部门", "技术部", None], n), dtype="str"),
        }
    )
    matches = pd.DataFrame(
        {
            "meeting": np.arange(n, dtype="int64"),
            "item": pd.Series(rng.choice([*items, None], n), dtype="str"),
        }
    )
    k = int(rng.integers(0, 12))
    expected = pd.DataFrame(  # duplicate rows, missing departments, items never met
        {
            "item": pd.Series(rng.choice([*items, "年会"], k), dtype="str"),
            "department": pd.Series(rng.choice([*depts, None], k), dtype="str"),
        }
    )
    got = cad.attendance(matches, meetings, expected, departments=depts)
    want = _attendance_reference(matches, meetings, expected, depts)
    if len(want) == 0:
        assert len(got) == 0 and list(got.columns) == list(cad.ATTENDANCE_COLUMNS)
    else:
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", range(10))
def test_first_by_keys_equals_the_first_row_after_a_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    group = rng.integers(0, 20, n)
    a, b = rng.integers(0, 4, n), rng.integers(0, 3, n)
    last = rng.permutation(n)  # distinct within every group
    order = np.lexsort((last, b, a, group))
    first = np.ones(n, dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    want = np.zeros(n, dtype=bool)
    want[order[first]] = True
    got = cad._first_by_keys(group, (a, b, last), 20)
    np.testing.assert_array_equal(got, want)
