"""Parquet text columns stored as small dictionaries are read as dictionaries and decoded:
the frame, the tables and the issues are those of the plain read of every cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collab_analytics import load
from collab_analytics.io import _arrow, _build
from collab_analytics.io import parquet as pq_io
from collab_analytics.io._parse import to_text


def _tasks(n: int, dept: list) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ids = [f"T{i:04d}" for i in range(n)]
    return pd.DataFrame(
        {
            "项目名称": ["P1"] * (n // 2) + ["P2"] * (n - n // 2),
            "任务编号": ids,
            "任务名称": [f"任务{i}" for i in range(n)],
            "负责部门": [dept[i % len(dept)] for i in range(n)],
            "负责人": ["王敏", "李强"] * (n // 2) + ["王敏"] * (n % 2),
            "计划开始": ["2024-07-01"] * n,
            "计划完成": ["2024-07-0" + str(1 + i % 9) for i in range(n)],
            "状态": [["正常", "已完成", " 滞后 ", "??", None][i] for i in rng.integers(0, 5, n)],
            "前置任务": [None, *ids[:-1]],
        }
    )


def _plain(path):
    """Load with dictionary reading switched off (every cell decoded from the file)."""
    keep = pq_io._dictionary_columns
    pq_io._dictionary_columns = lambda fh: []
    try:
        td = load(path)
    finally:
        pq_io._dictionary_columns = keep
    return td


def _same(a, b) -> None:
    for t in ("tasks", "issues", "rejected", "accounting"):
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))


def test_dictionary_columns_found_from_the_file_metadata(tmp_path):
    df = _tasks(400, ["客服部", "技术部"])
    df.to_parquet(tmp_path / "tasks.parquet")
    with pq.ParquetFile(tmp_path / "tasks.parquet") as fh:
        found = pq_io._dictionary_columns(fh)
    # few distinct texts: departments, owners, statuses, projects
    assert {"负责部门", "负责人", "状态", "项目名称"} <= set(found)
    frame, clean, _, _, _ = pq_io._read_parquet(tmp_path / "tasks.parquet")
    pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / "tasks.parquet"))
    cols = list(frame.columns)
    # statuses hold " 滞后 " (untrimmed): not clean; departments and owners are
    assert {cols.index("负责部门"), cols.index("负责人")} <= clean
    assert cols.index("状态") not in clean


def test_padded_blank_and_missing_dictionary_texts_load_as_read_cell_by_cell(tmp_path):
    df = _tasks(300, ["客服部", " 技术部", "", None, "产品部 "])
    df.to_parquet(tmp_path / "tasks.parquet")
    frame, clean, _, _, _ = pq_io._read_parquet(tmp_path / "tasks.parquet")
    assert list(frame.columns).index("负责部门") not in clean
    td = load(tmp_path / "tasks.parquet")
    _same(td, _plain(tmp_path / "tasks.parquet"))
    first = td.tasks["department"].iloc[:5].fillna("-").tolist()
    assert first == ["客服部", "技术部", "-", "-", "产品部"]
    assert set(td.tasks["department"].dropna()) == {"客服部", "技术部", "产品部"}
    assert td.tasks["department"].isna().sum() == 120


def test_clean_dictionary_columns_load_as_read_cell_by_cell(tmp_path):
    df = _tasks(500, ["客服部", "技术部", "产品部"])
    df.loc[7, "任务名称"] = "任务1"  # a duplicate name in P1
    df.loc[9, "前置任务"] = "T9999"  # an unknown dependency
    df.loc[11, "任务名称"] = None  # a rejected row (the clean columns are cut to the rest)
    df.to_parquet(tmp_path / "tasks.parquet", row_group_size=128)  # several row groups
    td = load(tmp_path / "tasks.parquet")
    _same(td, _plain(tmp_path / "tasks.parquet"))
    codes = set(td.issues["code"])
    assert {"unknown_status", "duplicate_task_name", "unknown_dependency"} <= codes
    assert len(td.rejected) == 1 and len(td.tasks) == 499


def test_untrimmed_rows_cover_every_white_space_character():
    white = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert len(white) == 29
    texts = [w + "x" for w in white] + ["x" + w for w in white] + ["任务" + w for w in white]
    a = pa.array([*texts, "x", "任务", "T1"], pa.large_string())
    assert _arrow._untrimmed(a).tolist() == list(range(len(texts)))
    assert _arrow._untrimmed(pa.array(["a", ""], pa.large_string())) is None


def test_project_runs_from_dictionary_indices_equal_the_text_runs():
    words = pa.array(["P2", "P1", "P2", " "], pa.large_string())  # "P2" twice in the dictionary
    runs = [0, 0, 2, None, None, 1, 3, 0, 2]
    idx = pa.array([i for i in runs for _ in range(10)], pa.int32())  # long runs
    dense = words.take(idx)
    expected = _arrow._encode_runs(dense)  # the text runs (no answer kept, no dictionary)
    _arrow.remember_dictionary(dense, words, idx)
    try:
        assert _arrow.dictionary_of(dense) is not None
        got = _arrow._encode_runs(dense)
    finally:
        _arrow.forget_dictionaries()
    assert got[1] == expected[1] and got[0].tolist() == expected[0].tolist()
    assert got[0][::10].tolist() == [0, 0, 0, -1, -1, 1, 2, 0, 0]


def test_project_runs_kept_for_the_same_array_only():
    a = pa.array(["P1"] * 5 + ["P2"] * 5, pa.large_string())
    first, k = _arrow.encode_runs(a)
    first[:] = 99  # the caller's copy: the kept answer is not changed
    again, k2 = _arrow.encode_runs(a.slice(0))  # the same buffers: the kept answer
    assert again.tolist() == [0] * 5 + [1] * 5 and k2 == k == 2
    other = pa.array(["P2"] * 5 + ["P1"] * 5, pa.large_string())
    assert _arrow.encode_runs(other)[0].tolist() == [0] * 5 + [1] * 5
    assert _arrow.encode_runs(other.slice(3))[0].tolist() == [0, 0, 1, 1, 1, 1, 1]


def _wide(variant: str, n: int = 3000) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "项目名称": np.array(["P1", "P2", "P3"])[rng.integers(0, 3, n)],
            "任务编号": [f"T{i:05d}" for i in range(n)],
            "任务名称": [f"任务{i}" for i in range(n)],
            "负责部门": np.array(["技术部", "产品部", None], dtype=object)[rng.integers(0, 3, n)],
            "计划完成": pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 60, n), "D"),
            "状态": np.array(["正常", "已完成"])[rng.integers(0, 2, n)],
            "阶段": np.array(["开发", "测试 "])[rng.integers(0, 2, n)],
            "进度": rng.integers(0, 101, n),
            "前置任务": [None] + [f"T{i:05d}" for i in range(n - 1)],
        }
    )
    df.loc[7, ["项目名称", "任务名称"]] = df.loc[3, ["项目名称", "任务名称"]].to_numpy()
    kw: dict = {"index": False}
    if variant == "untrimmed":
        df.loc[13, "项目名称"] = " P2"
        df.loc[5, "任务名称"] = " 任务5"
        df.loc[9, "前置任务"] = "T00008\u3000"
        df.loc[11, "任务编号"] = ""
    elif variant == "index":
        df = df.set_index("任务编号")
        kw = {"index": True}
    elif variant == "row_groups":
        kw["row_group_size"] = 700
    elif variant == "categorical":  # stored as an Arrow dictionary type: stays categorical
        df["阶段"] = df["阶段"].astype("category")
    elif variant == "extension":  # nullable integers and zoned times: restored by to_pandas
        df["进度"] = df["进度"].astype("Int64")
        df.loc[3, "进度"] = pd.NA
        df["备注时间"] = pd.Timestamp("2024-07-01", tz="Asia/Shanghai")
    elif variant == "floats":  # NaN in a float column, an extra column of the user's
        df["进度"] = df["进度"].astype("float64")
        df.loc[3, "进度"] = np.nan
        df["我的备注"] = "x"
    elif variant == "lists":
        df["前置任务"] = [[] if v is None else [v, "T00000"] for v in df["前置任务"]]
    return df, kw


@pytest.mark.parametrize(
    "variant",
    ["plain", "untrimmed", "index", "row_groups", "categorical", "extension", "floats", "lists"],
)
def test_columns_read_on_two_threads_give_the_single_read(tmp_path, monkeypatch, variant):
    df, kw = _wide(variant)
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, **kw)
    monkeypatch.setattr(pq_io, "_PARALLEL_ROWS", 10**9)
    plain, plain_clean, plain_parsed, plain_keys, plain_dups = pq_io._read_parquet(p)
    assert plain_dups is None
    td_plain = load(p)
    monkeypatch.setattr(pq_io, "_PARALLEL_ROWS", 1)
    fast, fast_clean, fast_parsed, fast_keys, fast_dups = pq_io._read_parquet(p)
    # statuses stay as read (a categorical of the words); every other column is the same
    assert isinstance(fast["状态"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(fast.astype({"状态": plain["状态"].dtype}), plain)
    if variant == "categorical":
        assert isinstance(fast["阶段"].dtype, pd.CategoricalDtype)
    # the parallel read also finds plain text columns trimmed; every column it calls clean
    # is one the loader's trim leaves unchanged
    assert plain_clean - {list(plain.columns).index("状态")} <= fast_clean  # but statuses
    for j in fast_clean:
        s = fast.iloc[:, j]
        pd.testing.assert_series_equal(to_text(s), s)
    cols = list(fast.columns)
    trimmed = {"任务名称", "任务编号"} & set(cols)
    if variant == "untrimmed":
        assert {cols.index(c) for c in trimmed}.isdisjoint(fast_clean)
    else:
        assert {cols.index(c) for c in trimmed} <= fast_clean
    # the list, percentage and status columns were parsed while reading, as the loader
    # parses them; the task names got their keys
    assert plain_parsed == {} and plain_keys == {}
    assert {j: k for j, (k, _) in fast_parsed.items()} == {
        cols.index("前置任务"): "list",
        cols.index("进度"): "pct",
        cols.index("状态"): "status",
    }
    for j, (kind, (values, _, bad)) in fast_parsed.items():
        want, _, want_bad = _build._parse_column(kind, fast.iloc[:, j], None)
        pd.testing.assert_series_equal(values, want, check_names=False, check_index=False)
        assert (bad is None and want_bad is None) or bad.tolist() == want_bad.tolist()
    names = cols.index("任务名称")
    if variant == "untrimmed":  # names not final as read: keyed by the loader
        assert fast_keys == {}
    else:
        assert list(fast_keys) == [names]
        texts, keys = fast_keys[names]
        assert texts.to_pylist() == fast["任务名称"].tolist()
        assert keys.to_pylist() == _arrow.key(fast["任务名称"]).to_pylist()
    # duplicate names found while reading (row 7 repeats row 3's name in its project)
    if variant == "untrimmed":
        assert fast_dups is None
    else:
        names, projects, mask = fast_dups
        assert names.to_pylist() == fast["任务名称"].tolist()
        assert projects.to_pylist() == fast["项目名称"].tolist()
        assert np.flatnonzero(mask).tolist() == [7]
    dup_rows = td_plain.issues.loc[td_plain.issues["code"] == "duplicate_task_name", "row"]
    assert dup_rows.tolist() == [9]
    kinds: list[str] = []
    real = _build._parse_column

    def counted(kind, *args):
        kinds.append(kind)
        return real(kind, *args)

    monkeypatch.setattr(_build, "_parse_column", counted)
    keyed, ordered = [], []
    real_key, real_increasing = _arrow.key, _arrow._increasing
    monkeypatch.setattr(_arrow, "key", lambda a, **kw: keyed.append(len(a)) or real_key(a, **kw))
    monkeypatch.setattr(
        _arrow, "_increasing", lambda v: ordered.append(len(v)) or real_increasing(v)
    )
    looked: list[int] = []
    real_lookup = _arrow._lookup_sorted
    monkeypatch.setattr(
        _arrow, "_lookup_sorted", lambda t, v, g: looked.append(len(v)) or real_lookup(t, v, g)
    )
    monkeypatch.setattr(_build, "_BACKGROUND_ROWS", 1)  # the loader's early steps too
    _same(load(p), td_plain)
    # the names were keyed and the ids checked for order once each, by the reader (the
    # loader took both answers); the other calls are for dependency tokens
    assert keyed.count(len(df)) == 1
    # (none when an id is "" (not one width) or the ids are the file's index: generated)
    assert ordered.count(len(df)) == (0 if variant in ("untrimmed", "index") else 1)
    # the references were looked up among the ordered ids once, by the reader
    assert len(looked) == (0 if variant in ("untrimmed", "index") else 1)
    # parsed once, when read (statuses in one chunk straight from their dictionary: no
    # parse call; in one chunk per row group, through the frame column they become)
    one = 1 if variant == "row_groups" else 0
    assert [kinds.count(k) for k in ("list", "pct", "status")] == [1, 1, one]


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("plain", True),
        ("floats", True),
        ("row_groups", True),
        ("index", False),
        ("categorical", False),
        ("extension", False),
        ("lists", False),
    ],
)
def test_frames_assembled_column_by_column_only_for_plain_metadata(tmp_path, variant, plain):
    df, kw = _wide(variant)
    df.to_parquet(tmp_path / "t.parquet", **kw)
    assert pq_io._plain_metadata(pq.ParquetFile(tmp_path / "t.parquet").schema_arrow) is plain
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "bare.parquet")  # no pandas metadata
    assert pq_io._plain_metadata(pq.ParquetFile(tmp_path / "bare.parquet").schema_arrow)


def test_columns_of_a_file_that_matches_no_table_are_not_checked(tmp_path):
    p = tmp_path / "notes.parquet"
    pd.DataFrame({"a": ["x"] * 10, "b": ["y"] * 10}).to_parquet(p)
    assert pq_io._column_roles(pq.ParquetFile(p).schema_arrow, None, "notes") == ("", {})
    assert pq_io._column_roles(pq.ParquetFile(p).schema_arrow, "tasks", "notes")[1] == {}


def test_columns_read_through_a_mapped_file_outlive_the_file(tmp_path, monkeypatch):
    df, _ = _wide("plain")
    p = tmp_path / "tasks.parquet"
    df.to_parquet(p, index=False, compression=None)  # plain pages: the case a view could be
    monkeypatch.setattr(pq_io, "_PARALLEL_ROWS", 1)
    td = load(p)
    want = td.tasks.copy(deep=True)
    p.write_bytes(b"0" * 16)  # the file truncated and overwritten after the load
    pd.testing.assert_frame_equal(td.tasks, want)
