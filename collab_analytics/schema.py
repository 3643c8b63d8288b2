"""Canonical tables, their columns and dtypes, header aliases (zh/en) and the status vocabulary.

This module is the single source of truth for the data model described in ``docs/data-model.md``.
Loaders map user headers onto these canonical snake_case columns once, at the boundary;
everything downstream only sees canonical columns.

Examples
--------
>>> from collab_analytics.schema import normalize_header, canonical_column, status_code
>>> normalize_header(" 计划 完成（时间） ")
'计划完成(时间)'
>>> canonical_column("tasks", "计划完成时间")
'planned_finish'
>>> canonical_column("tasks", "Planned Finish")
'planned_finish'
>>> status_code("滞后"), status_code("Done"), status_code("提前完成")
('delayed', 'done', 'done_early')
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from collab_analytics._errors import SchemaError
from collab_analytics._lists import LIST_DTYPE

__all__ = [
    "DATE_DTYPE",
    "STATUS_CODES",
    "STATUS_DTYPE",
    "STATUS_LABELS",
    "TABLES",
    "ColumnSpec",
    "TableSpec",
    "canonical_column",
    "empty_table",
    "header_key",
    "normalize_header",
    "status_code",
]

#: dtype of every date/time column in canonical tables.
DATE_DTYPE = "datetime64[us]"

#: Status codes, in the order charts and tables show them.
STATUS_CODES: tuple[str, ...] = (
    "not_started",
    "on_track",
    "delayed",
    "blocked",
    "done_early",
    "done",
    "cancelled",
)
STATUS_DTYPE = pd.CategoricalDtype(list(STATUS_CODES), ordered=False)

#: Display labels per language.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "not_started": "未开始",
        "on_track": "正常",
        "delayed": "滞后",
        "blocked": "阻塞",
        "done_early": "提前完成",
        "done": "已完成",
        "cancelled": "已取消",
    },
    "en": {
        "not_started": "Not started",
        "on_track": "On track",
        "delayed": "Delayed",
        "blocked": "Blocked",
        "done_early": "Done early",
        "done": "Done",
        "cancelled": "Cancelled",
    },
}

_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "not_started": (
        "未开始",
        "未启动",
        "待开始",
        "not started",
        "not_started",
        "to do",
        "todo",
        "open",
        "planned",
        "new",
    ),
    "on_track": (
        "正常",
        "进行中",
        "按计划",
        "on track",
        "on_track",
        "in progress",
        "ongoing",
        "normal",
        "active",
    ),
    "delayed": ("滞后", "延期", "延误", "落后", "delayed", "late", "behind", "at risk"),
    "blocked": ("阻塞", "受阻", "卡住", "blocked", "on hold", "stuck"),
    "done_early": ("提前完成", "done early", "done_early", "completed early", "early"),
    "done": ("已完成", "完成", "done", "completed", "complete", "finished", "closed"),
    "cancelled": ("已取消", "取消", "作废", "cancelled", "canceled", "dropped"),
}


def _status_key(word: str) -> str:
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", str(word))).strip().lower()


STATUS_ALIASES: dict[str, str] = {
    _status_key(w): code for code, words in _STATUS_WORDS.items() for w in words
}
for _lang_labels in STATUS_LABELS.values():
    for _code, _label in _lang_labels.items():
        STATUS_ALIASES.setdefault(_status_key(_label), _code)


def status_code(word: object, mapping: dict[str, str] | None = None) -> str | None:
    """Map a status word (Chinese or English, any case/spacing) to its code, or ``None``.

    ``mapping`` holds extra user words (e.g. Jira's ``{"Resolved": "done"}``); it wins over
    the built-in vocabulary. Unknown words return ``None`` — never another status.

    >>> status_code(" In  Progress "), status_code("Resolved", {"resolved": "done"})
    ('on_track', 'done')
    >>> status_code("whatever") is None
    True
    """
    if word is None or (isinstance(word, float) and pd.isna(word)):
        return None
    key = _status_key(word)
    if not key:
        return None
    if mapping:
        user = {_status_key(k): v for k, v in mapping.items()}
        if key in user:
            return user[key]
    return STATUS_ALIASES.get(key)


# --------------------------------------------------------------------------------------------
# headers


_MARKER_RE = re.compile(r"[\(（][^\)）]*[\)）]")


def normalize_header(text: object) -> str:
    """Normalise a header cell: NFKC (full-width → half-width), no spaces, no ``*`` marks.

    Bracketed text is kept (``客服部(*对接人:)`` → ``客服部(对接人:)``); use
    :func:`strip_marker` to remove it.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[\s\u3000*＊:：]+$", "", s)
    s = re.sub(r"[\s\u3000*＊]+", "", s)
    return s


def strip_marker(text: object) -> str:
    """Drop bracketed remarks from a header: ``客服部(*对接人:)`` → ``客服部``.

    >>> strip_marker("客服部(*对接人:)"), strip_marker("Progress (%)")
    ('客服部', 'Progress')
    """
    return _MARKER_RE.sub("", normalize_header(text)).strip()


def header_key(text: object) -> str:
    """Comparison key for headers: normalised, lower-case, no punctuation or underscores."""
    s = normalize_header(text).lower()
    return re.sub(r"[_\-./、,;:()\[\]（）【】%％#]+", "", s)


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its name, kind, whether required, and header aliases."""

    name: str
    kind: str  # "str", "date", "datetime", "time", "float", "pct", "status", "list", "role", "int"
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """One canonical table: its columns and the sheet / file names that hold it."""

    name: str
    label_zh: str
    label_en: str
    columns: tuple[ColumnSpec, ...]
    sheet_aliases: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name, kind, *aliases, required=False):
    return ColumnSpec(name, kind, required, tuple(aliases))


_PROJECT = ("project", "项目名称", "项目", "项目名", "project", "project name", "projectname")
_TASK = (
    "task",
    "任务名称",
    "任务",
    "任务名",
    "工作项",
    "标题",
    "task",
    "task name",
    "taskname",
    "name",
    "summary",
    "title",
)
_TASK_ID = (
    "task_id",
    "任务编号",
    "编号",
    "任务ID",
    "序号",
    "id",
    "task id",
    "taskid",
    "key",
    "issue key",
    "issue id",
)
_DEPT = (
    "department",
    "负责部门",
    "部门",
    "责任部门",
    "department",
    "dept",
    "team",
    "owner dept",
    "component",
    "components",
    "component/s",
)

TABLES: dict[str, TableSpec] = {
    "project": TableSpec(
        "project",
        "项目基本信息",
        "Project",
        (
            _c(*_PROJECT[:1], "str", *_PROJECT[1:]),
            _c(
                "sponsor_department",
                "str",
                "项目发起部门",
                "发起部门",
                "sponsor department",
                "sponsor",
            ),
            _c("lead", "str", "项目负责人", "负责人", "project lead", "lead", "project manager"),
            _c(
                "departments",
                "str",
                "参与部门及对接人",
                "参与部门",
                "participating departments",
                "departments",
            ),
            _c("goal", "str", "核心目标", "目标", "项目目标", "goal", "objective"),
        ),
        ("项目基本信息", "项目信息", "基本信息", "project", "project info", "总表"),
    ),
    "tasks": TableSpec(
        "tasks",
        "任务跟踪表",
        "Tasks",
        (
            _c(*_PROJECT[:1], "str", *_PROJECT[1:]),
            _c(*_TASK_ID[:1], "str", *_TASK_ID[1:]),
            _c(*_TASK[:1], "str", *_TASK[1:], required=True),
            _c("description", "str", "任务描述", "描述", "说明", "description", "details"),
            _c("phase", "str", "阶段", "项目阶段", "phase", "stage", "milestone"),
            _c(*_DEPT[:1], "str", *_DEPT[1:], required=True),
            _c("owner", "str", "负责人", "责任人", "执行人", "owner", "assignee", "responsible"),
            _c(
                "planned_start",
                "date",
                "计划开始",
                "计划开始时间",
                "计划开始日期",
                "开始日期",
                "planned start",
                "start",
                "plan start",
                "baseline start",
            ),
            _c(
                "planned_finish",
                "date",
                "计划完成",
                "计划完成时间",
                "计划完成日期",
                "计划结束",
                "截止日期",
                "截止时间",
                "planned finish",
                "planned end",
                "due",
                "due date",
                "deadline",
                "plan finish",
                "baseline finish",
                required=True,
            ),
            _c("actual_start", "date", "实际开始", "实际开始时间", "实际开始日期", "actual start"),
            _c(
                "actual_finish",
                "date",
                "实际完成",
                "实际完成时间",
                "实际完成日期",
                "实际结束",
                "完成日期",
                "actual finish",
                "actual end",
                "finished",
                "completed on",
                "resolved",
            ),
            _c("status", "status", "状态", "任务状态", "status", "state"),
            _c(
                "progress",
                "pct",
                "进度",
                "完成度",
                "完成进度",
                "完成比例",
                "progress",
                "percent complete",
                "% complete",
                "complete",
            ),
            _c("deliverable", "str", "产出物", "交付物", "输出物", "deliverable", "output"),
            _c(
                "issue_log",
                "str",
                "问题记录",
                "问题",
                "备注",
                "issue log",
                "issues",
                "notes",
                "remarks",
            ),
            _c(
                "depends_on",
                "list",
                "前置任务",
                "依赖",
                "依赖任务",
                "前序任务",
                "depends on",
                "dependencies",
                "predecessors",
                "predecessor",
            ),
        ),
        (
            "任务跟踪子表",
            "任务跟踪表",
            "任务跟踪",
            "任务",
            "任务清单",
            "tasks",
            "task tracking",
            "task list",
        ),
    ),
    "updates": TableSpec(
        "updates",
        "进度更新",
        "Progress updates",
        (
            _c(
                "date",
                "datetime",
                "日期",
                "更新日期",
                "更新时间",
                "date",
                "updated",
                "timestamp",
                required=True,
            ),
            _c("task_id", "str", *_TASK_ID[1:]),
            _c("task", "str", *_TASK[1:], required=True),
            _c("progress", "pct", "进度", "完成度", "完成进度", "progress", "percent complete"),
            _c("status", "status", "状态", "status", "state"),
            _c("note", "str", "备注", "说明", "更新说明", "进展说明", "note", "notes", "comment"),
        ),
        (
            "进度更新",
            "进度日志",
            "每日进度",
            "更新记录",
            "updates",
            "progress updates",
            "progress log",
        ),
    ),
    "raci": TableSpec(
        "raci",
        "RACI矩阵",
        "RACI",
        (
            _c("task_id", "str", *_TASK_ID[1:]),
            _c("task", "str", *_TASK[1:], required=True),
            _c("department", "str", *_DEPT[1:], required=True),
            _c("role", "role", "角色", "职责", "role", "raci", required=True),
        ),
        ("RACI矩阵", "RACI", "责任矩阵", "raci matrix", "权责矩阵"),
    ),
    "contacts": TableSpec(
        "contacts",
        "对接人",
        "Contacts",
        (
            _c("department", "str", "部门", "参与部门", "department", "dept", required=True),
            _c(
                "contact",
                "str",
                "对接人",
                "联系人",
                "contact",
                "liaison",
                "contact person",
                required=True,
            ),
        ),
        ("对接人", "对接人清单", "部门对接人", "联系人", "contacts"),
    ),
    "plan": TableSpec(
        "plan",
        "沟通计划",
        "Communication plan",
        (
            _c(
                "item",
                "str",
                "沟通环节",
                "环节",
                "会议",
                "沟通事项",
                "item",
                "meeting",
                "plan item",
                required=True,
            ),
            _c(
                "frequency",
                "str",
                "频率",
                "时间",
                "沟通频率",
                "frequency",
                "cadence",
                "schedule",
                required=True,
            ),
            _c(
                "participants", "str", "参与人员", "参与人", "参会人员", "participants", "attendees"
            ),
            _c("agenda", "str", "议题示例", "议题", "沟通内容", "agenda", "topics"),
            _c("output", "str", "输出物", "产出", "output", "outputs"),
            _c("channel", "str", "方式", "沟通方式", "渠道", "channel", "medium"),
        ),
        ("沟通计划", "沟通计划表", "communication plan", "plan", "comms plan"),
    ),
    "meetings": TableSpec(
        "meetings",
        "沟通记录",
        "Meetings",
        (
            _c("date", "date", "日期", "会议日期", "date", required=True),
            _c("time", "time", "时间", "开始时间", "会议时间", "time", "start time"),
            _c(
                "topic",
                "str",
                "沟通主题",
                "主题",
                "会议主题",
                "topic",
                "subject",
                "title",
                required=True,
            ),
            _c(
                "participants",
                "str",
                "参与部门/人员",
                "参与部门人员",
                "参与部门",
                "参与人员",
                "参会人员",
                "participants",
                "attendees",
            ),
            _c("plan_item", "str", "沟通环节", "计划环节", "对应计划", "plan item", "series"),
            _c(
                "duration_min",
                "float",
                "时长(分钟)",
                "时长",
                "会议时长",
                "duration",
                "duration min",
                "minutes long",
            ),
            _c(
                "output",
                "str",
                "输出物",
                "会议纪要",
                "纪要",
                "输出物/会议纪要",
                "output",
                "minutes",
            ),
            _c("related_tasks", "list", "相关任务", "关联任务", "related tasks", "tasks"),
        ),
        (
            "沟通记录",
            "沟通计划与跟踪",
            "会议记录",
            "沟通跟踪",
            "meetings",
            "meeting log",
            "communication log",
        ),
    ),
    "actions": TableSpec(
        "actions",
        "待办事项",
        "Action items",
        (
            _c(
                "action",
                "str",
                "待办事项",
                "待办",
                "事项",
                "行动项",
                "action",
                "action item",
                "todo",
                required=True,
            ),
            _c("owner", "str", "负责人", "责任人", "owner", "assignee"),
            _c("department", "str", *_DEPT[1:]),
            _c("due", "date", "截止时间", "截止日期", "due", "due date", "deadline"),
            _c(
                "closed",
                "date",
                "关闭日期",
                "完成日期",
                "关闭时间",
                "closed",
                "closed on",
                "done on",
            ),
            _c("source_meeting", "str", "来源会议", "来源", "会议", "source meeting", "source"),
        ),
        ("待办事项", "待办", "行动项", "会议待办", "actions", "action items"),
    ),
}

# tasks' actual_finish alias "完成日期" would clash with actions.closed; both tables list it, each
# resolves inside its own table only.

_ALIAS_INDEX: dict[str, dict[str, str]] = {
    t: {header_key(a): c.name for c in spec.columns for a in (c.name, *c.aliases)}
    for t, spec in TABLES.items()
}


#: the user's own header → canonical column names, in force while loading (see
#: :func:`user_columns`)
_USER_COLUMNS: ContextVar[dict[str, str] | None] = ContextVar("user_columns", default=None)


@contextmanager
def user_columns(columns: dict[str, str] | None):
    """Read headers with the user's own names for canonical columns, for one block.

    ``columns`` maps a header as written (matched like the built-in aliases: any case,
    spacing or full-width punctuation) to a canonical column name, e.g.
    ``{"Summary": "task", "Component/s": "department"}``. A header named there maps to that
    column in every table that has it; the built-in aliases apply to all other headers.

    >>> with user_columns({"Work item": "task"}):
    ...     canonical_column("tasks", "work  ITEM")
    'task'
    >>> canonical_column("tasks", "Work item") is None
    True
    >>> with user_columns({"Summary": "summary_text"}):  # doctest: +ELLIPSIS
    ...     pass
    Traceback (most recent call last):
    ...
    collab_analytics._errors.SchemaError: columns={'Summary': 'summary_text'}: 'summary_text' ...
    """
    if not columns:
        yield
        return
    known = {c for spec in TABLES.values() for c in spec.column_names}
    for header, col in columns.items():
        if col not in known:
            msg = (
                f"columns={{{header!r}: {col!r}}}: {col!r} is not a canonical column of any "
                "table. Hint: use one of the names in docs/data-model.md, e.g. 'task', "
                "'department', 'planned_finish'."
            )
            raise SchemaError(msg)
    token = _USER_COLUMNS.set({header_key(h): c for h, c in columns.items()})
    try:
        yield
    finally:
        _USER_COLUMNS.reset(token)


def canonical_column(table: str, header: object) -> str | None:
    """Return the canonical column for ``header`` in ``table``, or ``None`` if unknown.

    Matching ignores case, spaces, full-width punctuation, ``*`` marks and bracketed remarks
    (``进度(%)`` → ``progress``). Names given with :func:`user_columns` come first.
    """
    user = _USER_COLUMNS.get()
    if user:
        col = user.get(header_key(header))
        if col is not None:
            return col if col in TABLES[table].column_names else None
    index = _ALIAS_INDEX[table]
    k = header_key(header)
    if k in index:
        return index[k]
    k2 = header_key(strip_marker(header))
    return index.get(k2)


def known_headers(table: str) -> list[str]:
    """All header spellings accepted for ``table`` (for "did you mean" hints)."""
    spec = TABLES[table]
    return [a for c in spec.columns for a in (c.name, *c.aliases)]


_KIND_DTYPES = {
    "str": "str",
    "date": DATE_DTYPE,
    "datetime": DATE_DTYPE,
    "time": "str",
    "float": "float64",
    "pct": "float64",
    "int": "Int64",
    "status": STATUS_DTYPE,
    "role": "str",
    "list": LIST_DTYPE,
}


def dtype_of(kind: str):
    """pandas dtype used for a column kind."""
    return _KIND_DTYPES[kind]


#: Extra derived columns each canonical table carries after loading, with their dtypes.
DERIVED_COLUMNS: dict[str, dict[str, object]] = {
    "tasks": {},
    "updates": {"department": "str"},
    "raci": {},
    "meetings": {"start": DATE_DTYPE, "departments": LIST_DTYPE},
    "actions": {"is_closed": "bool"},
}


def empty_table(table: str) -> pd.DataFrame:
    """An empty canonical table with every column and its dtype.

    >>> empty_table("tasks").dtypes["planned_finish"]
    dtype('<M8[us]')
    """
    spec = TABLES[table]
    cols = {c.name: pd.Series([], dtype=dtype_of(c.kind)) for c in spec.columns}
    for name, dt in DERIVED_COLUMNS.get(table, {}).items():
        cols[name] = pd.Series([], dtype=dt)
    return pd.DataFrame(cols)
