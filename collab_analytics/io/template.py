"""The template workbook layout (跨部门协作沟通计划与跟踪表) and :func:`write_template`.

Layout, in both languages:

* ``总表`` / ``Project`` — title, the 项目基本信息 block (``项目名称``, ``项目发起部门``,
  ``项目负责人`` as label | value lines; ``参与部门及对接人`` and ``核心目标`` as a section line
  followed by the value), then the ``沟通计划与跟踪`` meeting log table.
* One sheet per table — ``任务跟踪子表``, ``进度更新``, ``RACI矩阵`` (wide: task × department),
  ``对接人``, ``沟通计划``, ``待办事项`` — each with a title row (``表2:任务跟踪子表``) above the
  header, styled header, frozen panes, date formats and dropdowns for status and RACI cells.

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics.io import write_template
>>> p = write_template(pathlib.Path(tempfile.mkdtemp()) / "模板.xlsx", lang="en")
>>> p.suffix
'.xlsx'
"""

from __future__ import annotations

import os
from pathlib import Path

from collab_analytics._errors import CollabError
from collab_analytics.schema import STATUS_LABELS

__all__ = ["HEADERS", "PROJECT_LABELS", "SHEETS", "TITLES", "write_template"]

#: Header text per language, table and canonical column (the order is the sheet's order).
HEADERS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "tasks": {
            "project": "项目名称",
            "task_id": "任务编号",
            "task": "任务名称",
            "description": "任务描述",
            "phase": "阶段",
            "department": "负责部门",
            "owner": "负责人",
            "planned_start": "计划开始",
            "planned_finish": "计划完成",
            "actual_start": "实际开始",
            "actual_finish": "实际完成",
            "status": "状态",
            "progress": "进度",
            "deliverable": "产出物",
            "issue_log": "问题记录",
            "depends_on": "前置任务",
        },
        "updates": {
            "date": "日期",
            "task_id": "任务编号",
            "task": "任务名称",
            "progress": "进度",
            "status": "状态",
            "note": "备注",
        },
        "raci": {"task_id": "任务编号", "task": "任务名称"},
        "contacts": {"department": "部门", "contact": "对接人"},
        "plan": {
            "item": "沟通环节",
            "frequency": "频率",
            "participants": "参与人员",
            "agenda": "议题示例",
            "output": "输出物",
            "channel": "方式",
        },
        "meetings": {
            "date": "日期",
            "time": "时间",
            "topic": "沟通主题",
            "participants": "参与部门/人员",
            "plan_item": "沟通环节",
            "duration_min": "时长(分钟)",
            "output": "输出物/会议纪要",
            "related_tasks": "相关任务",
        },
        "actions": {
            "action": "待办事项",
            "owner": "负责人",
            "department": "部门",
            "due": "截止时间",
            "closed": "关闭日期",
            "source_meeting": "来源会议",
        },
        "project": {
            "project": "项目名称",
            "sponsor_department": "项目发起部门",
            "lead": "项目负责人",
            "departments": "参与部门及对接人",
            "goal": "核心目标",
        },
    },
    "en": {
        "tasks": {
            "project": "Project",
            "task_id": "Task ID",
            "task": "Task",
            "description": "Description",
            "phase": "Phase",
            "department": "Department",
            "owner": "Owner",
            "planned_start": "Planned start",
            "planned_finish": "Planned finish",
            "actual_start": "Actual start",
            "actual_finish": "Actual finish",
            "status": "Status",
            "progress": "Progress",
            "deliverable": "Deliverable",
            "issue_log": "Issue log",
            "depends_on": "Depends on",
        },
        "updates": {
            "date": "Date",
            "task_id": "Task ID",
            "task": "Task",
            "progress": "Progress",
            "status": "Status",
            "note": "Note",
        },
        "raci": {"task_id": "Task ID", "task": "Task"},
        "contacts": {"department": "Department", "contact": "Contact"},
        "plan": {
            "item": "Item",
            "frequency": "Frequency",
            "participants": "Participants",
            "agenda": "Agenda",
            "output": "Output",
            "channel": "Channel",
        },
        "meetings": {
            "date": "Date",
            "time": "Time",
            "topic": "Topic",
            "participants": "Participants",
            "plan_item": "Plan item",
            "duration_min": "Duration (min)",
            "output": "Output",
            "related_tasks": "Related tasks",
        },
        "actions": {
            "action": "Action",
            "owner": "Owner",
            "department": "Department",
            "due": "Due",
            "closed": "Closed",
            "source_meeting": "Source meeting",
        },
        "project": {
            "project": "Project name",
            "sponsor_department": "Sponsor department",
            "lead": "Project lead",
            "departments": "Participating departments",
            "goal": "Goal",
        },
    },
}

#: Sheet names per language (the 总表 holds the project block and the meeting log).
SHEETS: dict[str, dict[str, str]] = {
    "zh": {
        "overview": "总表",
        "tasks": "任务跟踪子表",
        "updates": "进度更新",
        "raci": "RACI矩阵",
        "contacts": "对接人",
        "plan": "沟通计划",
        "actions": "待办事项",
        "project": "项目信息",
    },
    "en": {
        "overview": "Project",
        "tasks": "Tasks",
        "updates": "Progress updates",
        "raci": "RACI",
        "contacts": "Contacts",
        "plan": "Communication plan",
        "actions": "Action items",
        "project": "Project info",
    },
}

TITLES: dict[str, dict[str, str]] = {
    "zh": {
        "overview": "表1:跨部门协作沟通计划与跟踪表(总表)",
        "project_block": "项目基本信息",
        "meetings": "沟通计划与跟踪",
        "tasks": "表2:任务跟踪子表",
        "updates": "表3:进度更新",
        "raci": "表4:RACI矩阵(负责R-审批A-咨询C-知情I)",
        "contacts": "表5:部门对接人",
        "plan": "表6:沟通计划",
        "actions": "表7:待办事项",
        "project": "表0:项目信息",
    },
    "en": {
        "overview": "Table 1: Cross-department communication plan and tracking",
        "project_block": "Project info",
        "meetings": "Communication log",
        "tasks": "Table 2: Task tracking",
        "updates": "Table 3: Progress updates",
        "raci": "Table 4: RACI matrix (R responsible, A accountable, C consulted, I informed)",
        "contacts": "Table 5: Department contacts",
        "plan": "Table 6: Communication plan",
        "actions": "Table 7: Action items",
        "project": "Table 0: Project info",
    },
}

PROJECT_LABELS = {lang: HEADERS[lang]["project"] for lang in HEADERS}
NOTES = {
    "zh": "注:状态可选 未开始/正常/滞后/阻塞/提前完成/已完成/已取消;"
    "进度填 80% 或 0.8;日期填 2024-07-01。",
    "en": "Note: status is one of Not started/On track/Delayed/Blocked/Done early/Done/Cancelled; "
    "progress as 80% or 0.8; dates as 2024-07-01.",
}
RACI_CHOICES = ("R", "A", "C", "I", "A/R")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_TEMPLATE_ROWS = 200
DATE_COLUMNS = {
    "tasks": ("planned_start", "planned_finish", "actual_start", "actual_finish"),
    "updates": ("date",),
    "meetings": ("date",),
    "actions": ("due", "closed"),
}


def check_lang(lang: str) -> str:
    if lang not in HEADERS:
        msg = f"Unknown language {lang!r}. Expected 'zh' or 'en'."
        raise CollabError(msg)
    return lang


def style_header(ws, row: int, ncol: int) -> None:
    """Bold header on a light fill with thin borders."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    side = Side(style="thin", color="9AA5B1")
    for c in range(1, ncol + 1):
        cell = ws.cell(row=row, column=c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.border = Border(top=side, bottom=side, left=side, right=side)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def title_row(ws, row: int, text: str, ncol: int) -> None:
    from openpyxl.styles import Font

    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=13)
    if ncol > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)


def add_validations(
    ws,
    table: str,
    cols: list[str],
    header_row: int,
    last_row: int,
    lang: str,
    raci_cols: range | None = None,
) -> None:
    """Status dropdown, RACI dropdown and date formats for a table's data area."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    first = header_row + 1
    if "status" in cols:
        labels = ",".join(STATUS_LABELS[lang].values())
        dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        dv.error = "请选择状态" if lang == "zh" else "Pick a status"
        letter = get_column_letter(cols.index("status") + 1)
        dv.add(f"{letter}{first}:{letter}{last_row}")
        ws.add_data_validation(dv)
    if raci_cols is not None and len(raci_cols):
        dv = DataValidation(type="list", formula1=f'"{",".join(RACI_CHOICES)}"', allow_blank=True)
        a = get_column_letter(raci_cols.start + 1)
        b = get_column_letter(raci_cols.stop)
        dv.add(f"{a}{first}:{b}{last_row}")
        ws.add_data_validation(dv)
    for c in DATE_COLUMNS.get(table, ()):
        if c in cols:
            letter = get_column_letter(cols.index(c) + 1)
            ws.column_dimensions[letter].number_format = DATE_FORMAT
    if "progress" in cols:
        letter = get_column_letter(cols.index("progress") + 1)
        ws.column_dimensions[letter].number_format = "0%"


def set_widths(ws, headers: list[str]) -> None:
    from openpyxl.utils import get_column_letter

    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(str(h)) + 4))


def write_template(path: str | os.PathLike, lang: str = "zh") -> Path:
    """Write the blank template workbook.

    Parameters
    ----------
    path : path-like
        Output ``.xlsx`` path (parent folders are created).
    lang : {"zh", "en"}
        Header and sheet language.

    Returns
    -------
    Path
        The written file. Reading it back gives empty tables and no errors.
    """
    from collab_analytics.io.writer import write_workbook

    check_lang(lang)
    return write_workbook(None, path, lang=lang)
