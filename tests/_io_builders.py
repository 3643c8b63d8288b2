"""Small input files for the io tests, built in a tmp folder (zh and en headers)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

TASK_HEADERS = {
    "zh": [
        "任务编号",
        "任务名称",
        "负责部门",
        "负责人",
        "计划开始",
        "计划完成",
        "实际开始",
        "实际完成",
        "状态",
        "进度",
        "前置任务",
    ],
    "en": [
        "Task ID",
        "Task",
        "Department",
        "Owner",
        "Planned start",
        "Planned finish",
        "Actual start",
        "Actual finish",
        "Status",
        "Progress",
        "Depends on",
    ],
}

#: A small consistent project: (id, name, dept, owner, ps, pf, as, af, status, progress, deps)
TASKS = [
    (
        "T1",
        "客户痛点收集",
        "客服部",
        "王敏",
        "2024-07-01",
        "2024-07-10",
        "2024-07-01",
        "2024-07-09",
        "提前完成",
        "100%",
        "",
    ),
    (
        "T2",
        "输出需求文档",
        "产品部",
        "李强",
        "2024-07-11",
        "2024-07-20",
        "2024-07-11",
        "2024-07-23",
        "已完成",
        "100%",
        "T1",
    ),
    (
        "T3",
        "开发测试",
        "技术部",
        "张伟",
        "2024-07-21",
        "2024-08-20",
        "2024-07-24",
        "",
        "滞后",
        "50%",
        "T2",
    ),
]
STATUS_EN = {"提前完成": "Done early", "已完成": "Done", "滞后": "Delayed", "正常": "On track"}


def write_csv(
    path: Path,
    header: list[str],
    rows: list[tuple],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    title: str | None = None,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        if title:
            w.writerow([title])
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    return path


def tasks_csv(tmp: Path, rows=TASKS, *, lang: str = "zh", name: str = "tasks.csv", **kw) -> Path:
    rows = [tuple(STATUS_EN.get(v, v) if lang == "en" else v for v in r) for r in rows]
    return write_csv(tmp / name, TASK_HEADERS[lang], rows, **kw)


def seed_workbook(path: Path, *, lang: str = "zh") -> Path:
    """The seed's template layout with its quirks: 总表 blocks, title rows, merged cells,
    blank spacer rows, notes, header markers, full-width punctuation, stray spaces."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "总表"
    ws["A1"] = "表1:跨部门协作沟通计划与跟踪表(总表)"
    ws.merge_cells("A1:D1")
    ws["A3"] = "项目基本信息"
    ws["A4"] = "项目名称:智能客服系统上线"
    ws["A5"] = "项目发起部门：客服部"  # full-width colon
    ws["A6"] = "项目负责人"
    ws["B6"] = "王敏"
    ws["A7"] = "参与部门及对接人"
    ws["A8"] = "客服部(王敏)、产品部(李强)、技术部(张伟)"
    ws["A9"] = "核心目标"
    ws["A10"] = "Q3完成智能客服系统上线"
    ws["A12"] = "沟通计划与跟踪"
    for j, h in enumerate(["日期", "时间", "沟通主题", "参与部门/人员", "相关任务"], 1):
        ws.cell(13, j, h)
    meetings = [
        ("2024-07-01", "17:00", "需求收集启动会", "客服部(王敏)、产品部(李强)", ""),
        ("2024-07-11", "17:00", "需求进度同步", "三部门对接人", "输出需求文档"),
        (dt.date(2024, 7, 15), dt.time(14, 0), "需求评审会", "三部门负责人+专员", "T2"),
        ("7月20日", "17:00", "开发启动会", "产品部、技术部", "T3"),
    ]
    for i, r in enumerate(meetings, 14):
        for j, v in enumerate(r, 1):
            if v != "":
                ws.cell(i, j, v)

    t = wb.create_sheet("表2 任务跟踪子表")
    t["A1"] = "表2:任务跟踪子表(示例:需求收集阶段)"
    t.merge_cells("A1:L1")
    hdr = [
        "任务编号",
        " 任务名称 ",
        "任务描述",
        "负责部门",
        "负责人",
        "计划开始",
        "计划完成（时间）",
        "实际开始",
        "实际完成",
        "状态",
        "进度(%)",
        "前置任务",
        "我的备注",
    ]
    for j, h in enumerate(hdr, 1):
        t.cell(2, j, h)
    data = [
        (
            "T1",
            "客户痛点收集",
            "整理近3个月TOP10客户投诉",
            "客服部",
            "王敏",
            "2024-07-01",
            "2024-07-10",
            "2024-07-01",
            "2024-07-09",
            "提前完成",
            "100%",
            None,
            "首批",
        ),
        (
            "T2",
            "输出需求文档",
            None,
            "产品部",
            "李强",
            "7.11",
            "7.20",
            "2024/7/11",
            "2024年7月23日",
            "已完成",
            1,
            "客户痛点收集",
            None,
        ),
        (
            "T3",
            "开发测试",
            None,
            "技术部",
            "张伟",
            45494,
            dt.datetime(2024, 8, 20),
            dt.date(2024, 7, 24),
            None,
            "滞后",
            50,
            "T2",
            None,
        ),
        (
            "T4",
            "联调",
            None,
            None,
            "张伟",
            "2024-08-01",
            "2024-08-25",
            None,
            None,
            "正常",
            0.3,
            "T3",
            None,
        ),
    ]
    for i, r in enumerate(data, 3):
        for j, v in enumerate(r, 1):
            if v is not None:
                t.cell(i, j, v)
    t.merge_cells("D5:D6")  # 技术部 merged over 开发测试 and 联调
    # blank spacer row 7, a rejected row 8 (no task name), blank row 9, note row 10
    t.cell(8, 3, "孤儿行:没有任务名称")
    t.cell(10, 1, "注:状态填 正常/滞后/阻塞")
    t.merge_cells("A10:L10")

    r = wb.create_sheet("RACI矩阵")
    r["A1"] = "表3:RACI矩阵"
    for j, h in enumerate(["任务", "客服部(*对接人:)", "产品部(*对接人:)", "技术部(*对接人:)"], 1):
        r.cell(2, j, h)
    raci = [
        ("客户痛点收集", "R", "C", "I"),
        ("输出需求文档", "A", "R", "C"),
        ("开发测试", "I", "A", "r、A"),
    ]
    for i, row in enumerate(raci, 3):
        for j, v in enumerate(row, 1):
            r.cell(i, j, v)
    wb.save(path)
    return path
