"""Parquet text columns stored as small dictionaries are read as dictionaries and decoded:
the frame, the tables and the issues are those of the plain read of every cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from collab_analytics import load
from collab_analytics.io import _arrow
from collab_analytics.io import csv as csv_mod


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
    keep = csv_mod._dictionary_columns
    csv_mod._dictionary_columns = lambda fh: []
    try:
        td = load(path)
    finally:
        csv_mod._dictionary_columns = keep
    return td


def _same(a, b) -> None:
    for t in ("tasks", "issues", "rejected", "accounting"):
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))


def test_dictionary_columns_found_from_the_file_metadata(tmp_path):
    df = _tasks(400, ["客服部", "技术部"])
    df.to_parquet(tmp_path / "tasks.parquet")
    with pq.ParquetFile(tmp_path / "tasks.parquet") as fh:
        found = csv_mod._dictionary_columns(fh)
    # few distinct texts: departments, owners, statuses, projects
    assert {"负责部门", "负责人", "状态", "项目名称"} <= set(found)
    frame, clean = csv_mod._read_parquet(tmp_path / "tasks.parquet")
    pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / "tasks.parquet"))
    cols = list(frame.columns)
    # statuses hold " 滞后 " (untrimmed): not clean; departments and owners are
    assert {cols.index("负责部门"), cols.index("负责人")} <= clean
    assert cols.index("状态") not in clean


def test_padded_blank_and_missing_dictionary_texts_load_as_read_cell_by_cell(tmp_path):
    df = _tasks(300, ["客服部", " 技术部", "", None, "产品部 "])
    df.to_parquet(tmp_path / "tasks.parquet")
    frame, clean = csv_mod._read_parquet(tmp_path / "tasks.parquet")
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
    expected = _arrow.encode_runs(dense)
    _arrow.remember_dictionary(dense, words, idx)
    try:
        assert _arrow.dictionary_of(dense) is not None
        got = _arrow.encode_runs(dense)
    finally:
        _arrow.forget_dictionaries()
    assert got[1] == expected[1] and got[0].tolist() == expected[0].tolist()
    assert got[0][::10].tolist() == [0, 0, 0, -1, -1, 1, 2, 0, 0]
