"""Validation rules: each rule, its code and message, lazily collected; strict mode."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from _io_builders import TASK_HEADERS, TASKS, tasks_csv, write_csv

from collab_analytics import DataValidationError
from collab_analytics.io import read_csv, read_folder
from collab_analytics.io._validate import find_cycles


def issue(td, code):
    rows = td.issues[td.issues["code"] == code]
    assert len(rows), f"no {code!r} issue in:\n{td.issues[['code', 'message']]}"
    return rows


def assert_issue(td, code, *, match, severity, row=None, value=None):
    rows = issue(td, code)
    hit = rows[rows["message"].str.contains(match, regex=True)]
    assert len(hit), rows["message"].tolist()
    assert set(hit["severity"]) == {severity}
    if row is not None:
        assert row in hit["row"].tolist()
    if value is not None:
        assert value in hit["value"].tolist()
    return hit


def change(rows, i, col, value):
    rows = [list(r) for r in rows]
    rows[i][TASK_HEADERS["zh"].index(col)] = value
    return [tuple(r) for r in rows]


def test_clean_project_has_no_issues(tmp_path):
    td = read_csv(tasks_csv(tmp_path))
    assert td.issues.empty
    assert td.tasks["depends_on"].tolist() == [[], ["T1"], ["T2"]]


def test_missing_required_column_with_did_you_mean_hint(tmp_path):
    p = write_csv(
        tmp_path / "tasks.csv",
        ["任务名称", "负责部门", "计划完成日子"],
        [("需求评审", "产品部", "2024-07-15")],
    )
    td = read_csv(p)
    hit = assert_issue(
        td, "missing_column", match="Required column 'planned_finish'", severity="error"
    )
    assert "Did you mean '计划完成日子'" in hit["hint"].iloc[0]
    with pytest.raises(DataValidationError, match=r"Required column 'planned_finish' \(计划完成"):
        read_csv(p, strict=True)


def test_unparseable_dates_and_percentages_are_located(tmp_path):
    rows = change(change(TASKS, 1, "计划完成", "待定"), 2, "进度", "大概一半")
    td = read_csv(tasks_csv(tmp_path, rows))
    hit = assert_issue(td, "bad_date", match="Not a date", severity="error", row=3, value="待定")
    assert hit["column"].iloc[0] == "计划完成" and hit["file"].iloc[0] == "tasks.csv"
    assert_issue(
        td, "bad_percent", match="Not a percentage", severity="error", row=4, value="大概一半"
    )
    with pytest.raises(DataValidationError, match=r"row 3 › 计划完成 = '待定': Not a date"):
        read_csv(tasks_csv(tmp_path, rows), strict=True)


def test_planned_and_actual_finish_before_start(tmp_path):
    rows = change(change(TASKS, 0, "计划完成", "2024-06-30"), 1, "实际完成", "2024-07-01")
    td = read_csv(tasks_csv(tmp_path, rows))
    assert_issue(
        td,
        "finish_before_start",
        match="Planned finish is before planned start",
        severity="error",
        row=2,
    )
    assert_issue(
        td,
        "actual_finish_before_start",
        match="Actual finish is before actual start",
        severity="error",
        row=3,
    )


def test_done_without_actual_finish(tmp_path):
    td = read_csv(tasks_csv(tmp_path, change(TASKS, 1, "实际完成", "")))
    assert_issue(
        td, "done_without_actual_finish", match="Status says finished", severity="warning", row=3
    )


def test_status_contradicting_dates_uses_the_data_as_of(tmp_path):
    # T3 planned to finish 08-20; a later actual date moves the as-of to 09-01
    rows = change(change(TASKS, 2, "状态", "正常"), 0, "实际完成", "2024-09-01")
    td = read_csv(tasks_csv(tmp_path, rows))
    assert td.as_of == pd.Timestamp("2024-09-01")
    assert_issue(
        td, "status_contradicts_dates", match="as-of date 2024-09-01", severity="warning", row=4
    )


def test_duplicate_ids_and_names(tmp_path):
    rows = [
        *TASKS,
        ("T1", "开发测试", "技术部", "", "2024-08-01", "2024-08-02", "", "", "", "", ""),
    ]
    td = read_csv(tasks_csv(tmp_path, rows))
    assert_issue(
        td,
        "duplicate_task_id",
        match="Task id appears more than once",
        severity="error",
        row=5,
        value="T1",
    )
    assert_issue(
        td,
        "duplicate_task_name",
        match="Task name appears more than once",
        severity="warning",
        row=5,
    )


def test_unknown_dependency_and_names_resolved_to_ids(tmp_path):
    rows = change(change(TASKS, 2, "前置任务", "输出需求文档、T9"), 1, "前置任务", "客户痛点收集")
    td = read_csv(tasks_csv(tmp_path, rows))
    assert td.tasks["depends_on"].tolist() == [[], ["T1"], ["T2"]]
    assert_issue(
        td,
        "unknown_dependency",
        match="Dependency names a task that is not",
        severity="error",
        row=4,
        value="T9",
    )


def test_dependency_cycles(tmp_path):
    rows = change(TASKS, 0, "前置任务", "T3")
    td = read_csv(tasks_csv(tmp_path, rows))
    assert_issue(
        td,
        "dependency_cycle",
        match="Dependency cycle among tasks T1, T2, T3",
        severity="error",
        row=2,
    )
    td = read_csv(tasks_csv(tmp_path, change(TASKS, 1, "前置任务", "T2")))
    assert_issue(td, "dependency_cycle", match="Task T2 depends on itself", severity="error")


def test_find_cycles_is_linear_on_long_chains():
    n = 200_000
    src, dst = np.arange(n - 1), np.arange(1, n)
    assert find_cycles(n, src, dst) == []
    src2 = np.append(src, n - 1)
    dst2 = np.append(dst, 0)
    cycles = find_cycles(n, src2, dst2)
    assert len(cycles) == 1 and len(cycles[0]) == n


def test_progress_out_of_range(tmp_path):
    rows = change(change(TASKS, 0, "进度", "120%"), 1, "进度", "-5")
    td = read_csv(tasks_csv(tmp_path, rows))
    hit = assert_issue(
        td, "progress_out_of_range", match="Progress outside 0–100 %", severity="error"
    )
    assert hit["row"].tolist() == [2, 3] and hit["value"].tolist() == ["120.0%", "-5.0%"]


def test_unknown_status_is_a_warning_and_left_missing(tmp_path):
    td = read_csv(tasks_csv(tmp_path, change(TASKS, 2, "状态", "搁置中")))
    assert_issue(
        td, "unknown_status", match="Unknown status word", severity="warning", row=4, value="搁置中"
    )
    assert pd.isna(td.tasks["status"].iloc[2])
    td2 = read_csv(
        tasks_csv(tmp_path, change(TASKS, 2, "状态", "搁置中")), status_map={"搁置中": "blocked"}
    )
    assert td2.tasks["status"].iloc[2] == "blocked" and td2.issues.empty


def test_references_to_unknown_tasks_plan_items_and_departments(tmp_path):
    tasks_csv(tmp_path)
    write_csv(
        tmp_path / "updates.csv",
        ["日期", "任务", "进度", "状态"],
        [("2024-07-05", "客户痛点收集", "50%", "正常"), ("2024-07-06", "不存在的任务", "", "")],
    )
    write_csv(tmp_path / "plan.csv", ["沟通环节", "频率"], [("日常进度同步", "每日17:00")])
    write_csv(
        tmp_path / "meetings.csv",
        ["日期", "沟通主题", "沟通环节", "相关任务"],
        [("2024-07-05", "同步", "日常进度同步", "T1"), ("2024-07-06", "评审", "需求评审会", "T7")],
    )
    write_csv(tmp_path / "raci.csv", ["任务", "客服部", "法务部"], [("客户痛点收集", "R", "C")])
    td = read_folder(tmp_path)
    assert td.updates["task_id"].tolist()[0] == "T1" and td.updates["department"][0] == "客服部"
    assert_issue(
        td,
        "unknown_task",
        match="names a task that is not in the task table",
        severity="warning",
        row=3,
        value="不存在的任务",
    )
    assert_issue(
        td,
        "unknown_task",
        match="Related task is not in the task table",
        severity="warning",
        row=3,
        value="T7",
    )
    assert_issue(
        td,
        "unknown_plan_item",
        match="communication-plan item that is not",
        severity="warning",
        row=3,
        value="需求评审会",
    )
    assert_issue(
        td,
        "unknown_department",
        match="Department is not one of",
        severity="warning",
        value="法务部",
    )


def test_empty_sheet_and_header_only(tmp_path):
    p = write_csv(tmp_path / "tasks.csv", TASK_HEADERS["zh"], [])
    td = read_csv(p)
    assert_issue(td, "no_rows", match="has a header but no rows", severity="info")
    (tmp_path / "empty.csv").write_text("")
    td = read_csv(tmp_path / "empty.csv", table="tasks")
    assert_issue(td, "empty_table", match="File is empty", severity="warning")


def test_year_inferred_is_reported(tmp_path):
    rows = change(TASKS, 2, "计划完成", "8月20日")
    td = read_csv(tasks_csv(tmp_path, rows))
    assert td.tasks["planned_finish"].iloc[2] == pd.Timestamp("2024-08-20")
    assert_issue(
        td, "year_inferred", match=r"read as 2024 \(the most common year", severity="info", row=4
    )
    td = read_csv(tasks_csv(tmp_path, rows), year=2025)
    assert td.tasks["planned_finish"].iloc[2] == pd.Timestamp("2025-08-20")


def test_strict_lists_every_error_at_once(tmp_path):
    rows = change(change(TASKS, 0, "计划完成", "2024-06-01"), 1, "进度", "300%")
    with pytest.raises(DataValidationError, match=r"2 error\(s\) found") as exc:
        read_csv(tasks_csv(tmp_path, rows), strict=True)
    assert set(exc.value.issues["code"]) == {"finish_before_start", "progress_out_of_range"}


def test_rejected_rows_are_accounted(tmp_path):
    rows = [*TASKS, ("T9", "", "技术部", "", "", "2024-09-01", "", "", "", "", "")]
    td = read_csv(tasks_csv(tmp_path, rows))
    acc = td.accounting.set_index("table").loc["tasks"]
    assert (acc.rows_read, acc.rows_loaded, acc.rows_rejected) == (4, 3, 1)
    assert td.rejected[["table", "row", "reason"]].to_numpy().tolist() == [
        ["tasks", 5, "no task (任务名称)"]
    ]
    assert re.search("Row has no task", issue(td, "row_rejected")["message"].iloc[0])


def _plain_as_of(td):
    """The as-of date by pandas' own masked maxima (what the int64 views replace)."""
    cols = [
        td.tasks["actual_start"],
        td.tasks["actual_finish"],
        td.updates["date"],
        td.meetings["date"],
        td.actions["closed"],
    ]
    values = [c.max() for c in cols if len(c) and c.notna().any()]
    if not values:
        return td.tasks["planned_start"].min().normalize()
    return pd.Timestamp(max(values)).normalize()


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_as_of_from_int_views_equals_pandas_maxima(sample_data, unit):
    assert sample_data.as_of == _plain_as_of(sample_data)
    t = sample_data.tasks.copy()
    t["actual_finish"] = t["actual_finish"].max() + pd.Timedelta(days=3, hours=5)
    t = t.astype({"actual_finish": f"datetime64[{unit}]"})
    td = sample_data.replace(tasks=t)
    assert td.as_of == _plain_as_of(td) and td.as_of.unit == _plain_as_of(td).unit
    assert td.as_of == t["actual_finish"].max().normalize()
    empty = sample_data.replace(
        tasks=t.assign(actual_start=pd.NaT, actual_finish=pd.NaT).astype(
            {"actual_start": t["actual_start"].dtype, "actual_finish": t["actual_finish"].dtype}
        ),
        updates=sample_data.updates.iloc[:0],
        meetings=sample_data.meetings.iloc[:0],
        actions=sample_data.actions.iloc[:0],
    )
    assert empty.as_of == _plain_as_of(empty)
    assert empty.as_of == sample_data.tasks["planned_start"].min().normalize()
