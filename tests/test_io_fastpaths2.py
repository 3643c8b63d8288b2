"""Loader fast paths (int64 date comparisons, single-item list cells) against the plain
computation they replace."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from collab_analytics._lists import from_flat, from_mask
from collab_analytics.io import _validate
from collab_analytics.io._arrow import valid_values
from collab_analytics.io._parse import parse_list


def _dates(rng, n, unit, nat=0.2):
    v = rng.integers(0, 40, n).astype("timedelta64[D]") + np.datetime64("2024-01-01")
    s = pd.Series(v.astype(f"datetime64[{unit}]"))
    s[rng.random(n) < nat] = pd.NaT
    return s


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_before_matches_pandas_comparison(unit):
    rng = np.random.default_rng(3)
    a, b = _dates(rng, 500, unit), _dates(rng, 500, unit)
    want = (a < b).to_numpy()
    got = _validate._before(a, b)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, want)
    for ts in (pd.Timestamp("2024-01-20"), pd.Timestamp("2024-01-20 13:00")):
        np.testing.assert_array_equal(_validate._before(a, ts), (a < ts).to_numpy())
    assert _validate._before(a, pd.Timestamp("2024-01-20")).sum() > 0


def test_before_other_inputs_fall_back_to_pandas():
    rng = np.random.default_rng(4)
    a, b = _dates(rng, 50, "us"), _dates(rng, 50, "ns")  # different units
    np.testing.assert_array_equal(_validate._before(a, b), (a < b).to_numpy())
    # a timestamp finer than the column's unit: compared exactly by pandas
    s = _dates(rng, 50, "s")
    ts = pd.Timestamp("2024-01-20 00:00:00.5")
    np.testing.assert_array_equal(_validate._before(s, ts), (s < ts).to_numpy())
    f = pd.Series([1.0, np.nan, 3.0])
    np.testing.assert_array_equal(
        _validate._before(f, pd.Series([2.0, 1.0, np.nan])), [True, False, False]
    )
    # all missing
    e = pd.Series(pd.to_datetime([None, None]))
    assert not _validate._before(e, e).any()


def _plain_lists(cells):
    """parse_list's single-item result computed the plain way (trim, drop blanks)."""
    rows, items = [], []
    for i, c in enumerate(cells):
        if c is not None and c.strip():
            rows.append(i)
            items.append(c.strip())
    return rows, items


@pytest.mark.parametrize(
    "cells",
    [
        ["T1", None, "T3", "", "  ", " T6 ", None],
        [None, None],
        ["T1", "T2"],
        ["任务一", None, "\u3000任务三", "T4"],
    ],
)
def test_single_item_lists_match_plain_split(cells):
    r = parse_list(pd.Series(cells, dtype="str"))
    rows, items = _plain_lists(cells)
    assert r.pos.tolist() == rows
    assert r.tokens.to_pylist() == items
    want = from_flat(len(cells), rows, items)
    assert r.parsed.tolist() == want.tolist()
    assert r.parsed.dtype == want.dtype


def test_from_mask_matches_from_flat():
    rng = np.random.default_rng(6)
    keep = rng.random(1000) < 0.4
    vals = pa.array([f"T{i}" for i in np.flatnonzero(keep)], pa.large_string())
    got = from_mask(keep, vals, index=pd.RangeIndex(1000))
    want = from_flat(1000, np.flatnonzero(keep), vals, index=pd.RangeIndex(1000))
    pd.testing.assert_series_equal(got, want)
    chunked = pa.chunked_array([vals.slice(0, 10), vals.slice(10)])
    pd.testing.assert_series_equal(from_mask(keep, chunked, index=pd.RangeIndex(1000)), want)
    assert from_mask(np.zeros(0, dtype=bool), vals[:0]).tolist() == []
    with pytest.raises(ValueError, match="values for"):
        from_mask(keep, vals[:3])


def test_valid_values_matches_filter():
    rng = np.random.default_rng(7)
    texts = [None if x < 0.3 else f"任务{i}" for i, x in enumerate(rng.random(500))]
    a = pa.array(texts, pa.large_string())
    for arr in (a, a.slice(17, 300)):
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        got = valid_values(arr, valid)
        assert got.to_pylist() == arr.filter(pa.array(valid)).to_pylist()
        assert got.null_count == 0
        got.validate(full=True)
    # null rows holding bytes (not contiguous): the filtered copy
    odd = pa.LargeStringArray.from_buffers(
        3,
        pa.py_buffer(np.array([0, 2, 4, 6], dtype=np.int64)),
        pa.py_buffer(b"T1xxT3"),
        pa.py_buffer(np.packbits([1, 0, 1], bitorder="little")),
    )
    got = valid_values(odd, np.array([True, False, True]))
    assert got.to_pylist() == ["T1", "T3"]
    got.validate(full=True)
    assert valid_values(a, np.zeros(len(a), dtype=bool)).to_pylist() == []


def _load_pair(path, monkeypatch, calls):
    """The load with the background steps (threshold 1) and without (threshold huge)."""
    from collab_analytics import load
    from collab_analytics.io import _build

    real = _build._arrow.same_array

    def spied(a, b):
        calls.append(real(a, b))
        return calls[-1]

    monkeypatch.setattr(_build._arrow, "same_array", spied)
    monkeypatch.setattr(_build, "_BACKGROUND_ROWS", 10**9)
    plain = load(path)
    monkeypatch.setattr(_build, "_BACKGROUND_ROWS", 1)
    calls.clear()
    fast = load(path)
    return plain, fast


def _same_load(a, b):
    for t in ("tasks", "updates", "meetings"):
        pd.testing.assert_frame_equal(a.table(t), b.table(t))
    pd.testing.assert_frame_equal(a.issues, b.issues)
    pd.testing.assert_frame_equal(a.rejected, b.rejected)
    pd.testing.assert_frame_equal(a.accounting, b.accounting)


@pytest.mark.parametrize("blank_row", [False, True])
def test_name_keys_started_early_give_same_load(tmp_path, monkeypatch, blank_row):
    names = ["需求评审", " 开发 ", "需求评审", "ＡＰＩ 设计", "api设计", "测试", "上线"]
    if blank_row:
        names[5] = "  "  # a row without a task name is rejected: keys start after the build
    df = pd.DataFrame(
        {
            "项目名称": ["P1"] * 5 + ["P2"] * 2,
            "任务编号": [f"T{i}" for i in range(7)],
            "任务名称": names,
            "负责部门": ["产品部"] * 7,
            "计划开始": pd.to_datetime(["2024-07-01"] * 7),
            "计划完成": pd.to_datetime(["2024-07-05"] * 7),
            "前置任务": ["", "T0", "开发", "ｘ", None, "T4", "api设计"],
        }
    )
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, index=False)
    calls: list[int] = []
    plain, fast = _load_pair(p, monkeypatch, calls)
    _same_load(plain, fast)
    assert (plain.issues["code"] == "duplicate_task_name").sum() == 2
    # the keys started before the columns were parsed were used (not when a row was rejected)
    assert calls == ([] if blank_row else [True])


def test_task_rule_masks_on_a_worker_give_same_issues(tmp_path, monkeypatch):
    d = pd.to_datetime
    df = pd.DataFrame(
        {
            "任务编号": ["T1", "T2", "T3", "T4", "T5", "T6"],
            "任务名称": ["a", "b", "c", "d", "e", "f"],
            "负责部门": ["产品部"] * 6,
            "计划开始": d(["2024-07-05", "2024-07-01", None, "2024-07-01", "2024-07-01", None]),
            "计划完成": d(["2024-07-01", "2024-07-03", "2024-07-02", None, "2024-07-02", None]),
            "实际开始": d(["2024-07-01", "2024-07-04", None, None, None, "2024-07-09"]),
            "实际完成": d(["2024-07-02", "2024-07-02", None, None, None, None]),
            "状态": ["正常", "已完成", "已完成", "正常", "未开始", "提前完成"],
        }
    )
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, index=False)
    plain, fast = _load_pair(p, monkeypatch, [])
    _same_load(plain, fast)
    codes = plain.issues["code"].tolist()
    for code, n in (
        ("finish_before_start", 1),
        ("actual_finish_before_start", 1),
        ("done_without_actual_finish", 2),
        ("status_contradicts_dates", 1),  # T5: 未开始, planned finish before 2024-07-09
    ):
        assert codes.count(code) == n, (code, codes)


def test_lookup_sorted_known_width_and_cached_integers():
    from collab_analytics.io import _arrow

    ids = pd.Series([f"T{i:07d}" for i in range(0, 3000, 3)])
    table = _arrow.sorted_fixed(ids)
    rng = np.random.default_rng(8)
    probe = [f"T{i:07d}" for i in rng.integers(0, 3100, 400)] + ["T1", None, "T000000\x00"]
    want = _arrow.lookup(pd.Series(probe, dtype="str"), ids)
    for guess in (None, rng.integers(-2, 1100, len(probe))):
        got = _arrow.lookup_sorted(table, pd.Series(probe, dtype="str"), guess=guess)
        np.testing.assert_array_equal(got, want)
    # all of the table's width: the lengths are not checked again
    same = pd.Series([p for p in probe[:400]], dtype="str")
    np.testing.assert_array_equal(_arrow.lookup_sorted(table, same), _arrow.lookup(same, ids))
    # the remembered integers belong to that array object only
    u = _arrow._as_u8(table)
    assert _arrow._as_u8(table) is u
    other = table.copy()
    assert _arrow._as_u8(other) is not u
    np.testing.assert_array_equal(_arrow._as_u8(other), u)
    a = pa.array(["T01", "T02"], pa.large_string())
    assert _arrow._fixed_view(a, 3).tolist() == [b"T01", b"T02"]
    assert _arrow._fixed_view(a, 2) is None


def _untrimmed_plain(a):
    """Rows whose text changes when trimmed (the exact set the byte test must cover)."""
    return [i for i, t in enumerate(a.to_pylist()) if t is not None and t != t.strip()]


@pytest.mark.parametrize("width", [1, 2, 3, 8, 13])
def test_untrimmed_equal_width_matches_gathered_bytes(width, monkeypatch):
    from collab_analytics.io import _arrow

    rng = random.Random(width)
    alphabet = ["a", "Z", "任", " ", "\u3000", "\xa0", "\t", "务"]
    texts = []
    for _ in range(3000):  # characters drawn until the text is `width` bytes long
        chars, rest = [], width
        while rest:
            c = rng.choice(alphabet)
            if len(c.encode()) <= rest:
                chars.append(c)
                rest -= len(c.encode())
        texts.append("".join(chars))
    a = pa.array(texts, pa.large_string()).slice(5)
    fast = _arrow._untrimmed(a)
    monkeypatch.setattr(_arrow, "_one_width", lambda off: 0)
    gathered = _arrow._untrimmed(a)
    np.testing.assert_array_equal(fast, gathered)
    assert set(_untrimmed_plain(a)) <= set(fast.tolist())
    # small blocks: the width check crosses block boundaries
    monkeypatch.undo()
    monkeypatch.setattr(_arrow, "_BLOCK", 7)
    np.testing.assert_array_equal(_arrow._untrimmed(a), gathered)
    b = pa.array([*texts[:100], "ab" * width], pa.large_string())
    assert _arrow._one_width(_arrow._buffers(b)[0]) == 0


@pytest.mark.parametrize("projects", ["two", "one", "absent", "with_null"])
def test_duplicate_names_checked_early_give_same_load(tmp_path, monkeypatch, projects):
    from collab_analytics.io import _build, parquet

    names = ["需求评审", "开发", "需求评审", "ＡＰＩ 设计", "api设计", "测试", "开发", "上线"]
    col = {
        "two": ["P1"] * 5 + ["P2"] * 3,
        "one": ["P1"] * 8,
        "with_null": ["P1"] * 4 + [None] * 2 + ["P2"] * 2,
    }
    df = pd.DataFrame(
        {
            "任务编号": [f"T{i}" for i in range(8)],
            "任务名称": names,
            "负责部门": ["产品部"] * 8,
            "计划完成": pd.to_datetime(["2024-07-05"] * 8),
        }
    )
    if projects in col:
        df.insert(0, "项目名称", col[projects])
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, index=False)
    checks: list[str] = []
    early, own = _build.project_duplicates, _build.TaskKeys._duplicate_names

    def early_spy(*args):
        checks.append("early")
        return early(*args)

    def own_spy(self):
        checks.append("own")
        return own(self)

    # read column by column: the project texts are checked, so final before the build
    monkeypatch.setattr(parquet, "_PARALLEL_ROWS", 1)
    monkeypatch.setattr(_build, "project_duplicates", early_spy)
    monkeypatch.setattr(_build.TaskKeys, "_duplicate_names", own_spy)
    plain, fast = _load_pair(p, monkeypatch, [])
    _same_load(plain, fast)

    dup_rows = plain.issues.loc[plain.issues["code"] == "duplicate_task_name", "row"].tolist()
    # rows as in the file (header = row 1): 需求评审 again, API 设计 again, 开发 again (in
    # one project); tasks without a project are a group of their own
    expected = {"two": [4, 6], "one": [4, 6, 8], "absent": [4, 6, 8], "with_null": [4]}
    assert sorted(dup_rows) == expected[projects]
    # the reader checks the names while reading, both times; the plain load (no background
    # steps) checks them again itself, the other takes the reader's result
    assert checks == ["early", "own", "early"]


def test_task_keys_ignore_an_early_check_grouped_by_other_projects():
    from collab_analytics.io import _build

    tasks = pd.DataFrame(
        {
            "project": pd.Series(["P1", "P1", "P2"], dtype="str"),
            "task_id": pd.Series(["T1", "T2", "T3"], dtype="str"),
            "task": pd.Series(["a", "a", "a"], dtype="str"),
        }
    )
    job = _build.in_background(lambda: np.ones(3, dtype=bool))
    other = pa.array(["P1", "P1", "P2"], pa.large_string())  # equal texts, another array
    keys = _build.TaskKeys(tasks, dups=(other, job))
    assert keys.duplicate_names().tolist() == [False, True, False]
    single = _build.TaskKeys(tasks, dups=(None, job))  # two projects: not one group
    assert single.duplicate_names().tolist() == [False, True, False]
    same = _build.TaskKeys(tasks, dups=(_build._arrow.as_arrow(tasks["project"]), job))
    assert same.duplicate_names().tolist() == [True, True, True]  # the job's answer


@pytest.mark.parametrize("width", [8, 13, 16, 17, 24])
def test_fixed_width_fingerprints_equal_the_gathered_ones(monkeypatch, width):
    from collab_analytics.io import _arrow

    rng = np.random.default_rng(width)
    # k three-byte ideographs, then ASCII up to the width (some texts repeat)
    cjk, ascii_ = list("任务需求评审"), list("AB01")
    texts = []
    for k in rng.integers(0, width // 3 + 1, 3000):
        t = "".join(rng.choice(cjk, k)) + "".join(rng.choice(ascii_, width - 3 * k))
        texts.append(t)
    assert {len(t.encode()) for t in texts} == {width}
    a = pa.array(texts, pa.large_string())
    group = rng.integers(-1, 4, len(a))
    before = a.to_pylist()
    for arr, grp in ((a, None), (a, group), (a.slice(7, 1500), group[7:1507])):
        fast = _arrow.fingerprint(arr, grp)
        with monkeypatch.context() as m:
            m.setattr(_arrow, "_one_width", lambda off: 0)  # the general, gathering path
            plain = _arrow.fingerprint(arr, grp)
        assert fast.tolist() == plain.tolist()
    assert a.to_pylist() == before  # the texts' own buffer is never written
    dup = np.flatnonzero(_arrow.repeated(_arrow.fingerprint(a)))
    assert set(dup) >= {i for i, t in enumerate(texts) if texts.index(t) != i}


@pytest.mark.parametrize("mapping", [None, {"Resolved": "done", "进行中": "on_track"}])
def test_statuses_as_a_categorical_of_words_parse_as_the_texts(mapping):
    from collab_analytics.io._parse import parse_status

    words = ["正常", " 滞后 ", "已完成", "??", "", "\u3000", None, "Resolved", "进行中", "done"]
    rng = np.random.default_rng(2)
    cells = [words[i] for i in rng.integers(0, len(words), 400)]
    # reference: the cell-by-cell path for Python objects (no word table)
    plain = parse_status(pd.Series(cells, dtype=object), mapping)
    for dtype in ("str", "category"):
        got = parse_status(pd.Series(cells, dtype=dtype), mapping)
        pd.testing.assert_series_equal(got.parsed, plain.parsed)
        assert got.bad.tolist() == plain.bad.tolist()
    assert plain.bad.any() and plain.parsed.isna().any()  # unknown words and blanks both met
