import pandas as pd
import pytest

from collab_analytics import TrackingData
from collab_analytics.schema import (
    STATUS_CODES,
    STATUS_LABELS,
    TABLES,
    canonical_column,
    empty_table,
    normalize_header,
    status_code,
)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("任务名称", "task"),
        ("  任务 名称 ", "task"),
        ("计划完成时间", "planned_finish"),
        ("Planned Finish", "planned_finish"),
        ("planned_finish", "planned_finish"),
        ("进度（%）", "progress"),
        ("*负责部门", "department"),
        ("前置任务", "depends_on"),
    ],
)
def test_task_headers_map_to_canonical_columns(header, column):
    assert canonical_column("tasks", header) == column


def test_unknown_header_is_none():
    assert canonical_column("tasks", "心情指数") is None


def test_full_width_punctuation_is_normalised():
    assert normalize_header("客服部（*对接人：）") == "客服部(对接人:)"


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("正常", "on_track"),
        ("进行中", "on_track"),
        ("滞后", "delayed"),
        ("延期", "delayed"),
        ("阻塞", "blocked"),
        ("已完成", "done"),
        ("提前完成", "done_early"),
        ("已取消", "cancelled"),
        ("未开始", "not_started"),
        ("In Progress", "on_track"),
        ("BLOCKED", "blocked"),
    ],
)
def test_status_vocabulary(word, code):
    assert status_code(word) == code


def test_every_label_round_trips_to_its_code():
    for lang in ("zh", "en"):
        for code, label in STATUS_LABELS[lang].items():
            assert status_code(label) == code
    assert set(STATUS_LABELS["zh"]) == set(STATUS_CODES)


def test_user_mapping_wins_and_unknown_stays_unknown():
    assert status_code("Resolved", {"Resolved": "done"}) == "done"
    assert status_code("Resolved") is None
    assert status_code("") is None


def test_empty_tables_have_every_column():
    for name, spec in TABLES.items():
        df = empty_table(name)
        assert list(df.columns)[: len(spec.columns)] == spec.column_names
        assert len(df) == 0


def test_tracking_data_defaults_and_as_of():
    td = TrackingData.empty()
    assert td.as_of is None
    tasks = empty_table("tasks")
    tasks = pd.concat(
        [
            tasks,
            pd.DataFrame(
                {
                    "task": ["a"],
                    "department": ["技术部"],
                    "actual_finish": pd.to_datetime(["2024-07-09 15:00"]),
                }
            ),
        ]
    )
    td2 = td.replace(tasks=tasks)
    assert td2.as_of == pd.Timestamp("2024-07-09")
    assert td2.departments == ["技术部"]
    assert td.tasks.empty  # original untouched


def test_raise_for_errors_lists_every_error():
    from collab_analytics import DataValidationError
    from collab_analytics.data import empty_issues

    issues = pd.concat(
        [
            empty_issues(),
            pd.DataFrame(
                {
                    "severity": ["error", "warning"],
                    "code": ["bad_date", "x"],
                    "table": ["tasks", "tasks"],
                    "file": ["a.xlsx", "a.xlsx"],
                    "sheet": ["任务跟踪", "任务跟踪"],
                    "row": pd.array([5, 6], dtype="Int64"),
                    "column": ["计划完成", "状态"],
                    "value": ["待定", "?"],
                    "message": ["not a date", "unknown status"],
                    "hint": ["use 2024-07-15", ""],
                }
            ),
        ]
    )
    td = TrackingData(issues=issues)
    with pytest.raises(
        DataValidationError,
        match=r"(?s)1 error\(s\).*a\.xlsx › 任务跟踪 › row 5 › 计划完成 = '待定'",
    ):
        td.raise_for_errors()
