"""The seed's own project, 智能客服系统上线, simulated from a seeded process.

The template (``seed/000_*.txt``) describes one project: 客服部 sponsors an intelligent
customer-service system, 产品部 writes the requirements, 技术部 builds it, with a daily 17:00
sync, a 需求评审会 on 7月15日 and a Friday 15:00 risk review. This module turns that sketch
into a full tracking workbook. Nothing below is a hand-typed result: the *plan* (tasks,
dependencies, planned working days, the communication plan) and the *mechanisms* (技术部 has
3 developers for work planned for 5 in parallel; a requirement change in August reaches
技术部 only days later; some blocked tasks wait for a meeting) are fixed, and a seeded
simulation decides every actual date, status, update, meeting and action.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics._lists import with_list_columns
from collab_analytics.calendar import get_calendar
from collab_analytics.data import TrackingData
from collab_analytics.sample import _util as u

__all__ = ["STORY_SEED", "smart_cs_launch"]

#: Seed of the simulation behind :func:`smart_cs_launch`.
STORY_SEED = 20240701

_START = "2024-07-01"
#: The data are cut (as of) here: mid-October, after National Day and the 调休 Saturday.
_CUT = "2024-10-15"
_DEV_SLOTS = 3  # developers 技术部 actually has; the plan assumed up to 5 tasks in parallel

# department key -> (zh, en)
_DEPTS = {
    "cs": ("客服部", "Customer Service"),
    "pd": ("产品部", "Product"),
    "eng": ("技术部", "Engineering"),
    "qa": ("测试部", "QA"),
    "ops": ("运营部", "Operations"),
    "mkt": ("市场部", "Marketing"),
}
_DEPT_ORDER = ("cs", "pd", "eng", "qa", "ops", "mkt")

# people: department -> [(zh, en)], the first one is the department's contact
_PEOPLE = {
    "cs": (("张敏", "Zhang Min"), ("赵磊", "Zhao Lei"), ("孙丽", "Sun Li")),
    "pd": (("李强", "Li Qiang"), ("周婷", "Zhou Ting")),
    "eng": (("王伟", "Wang Wei"), ("陈杰", "Chen Jie"), ("吴涛", "Wu Tao")),
    "qa": (("刘芳", "Liu Fang"), ("徐鹏", "Xu Peng")),
    "ops": (("陈静", "Chen Jing"), ("马超", "Ma Chao")),
    "mkt": (("杨洋", "Yang Yang"), ("林琳", "Lin Lin")),
}
_LEAD = ("赵磊", "Zhao Lei")

_PHASES = (
    ("需求收集", "Requirements gathering"),
    ("需求分析", "Requirements analysis"),
    ("方案设计", "Design"),
    ("开发测试", "Build and test"),
    ("上线推广", "Launch and rollout"),
)

# The plan. key, name zh, name en, phase, department, planned working days, predecessors,
# description zh, description en, deliverable zh, deliverable en.
_T = tuple[str, str, str, int, str, int, tuple[str, ...], str, str, str, str]
_TASKS: tuple[_T, ...] = (
    (
        "pain",
        "客户痛点收集",
        "Customer pain-point survey",
        0,
        "cs",
        8,
        (),
        "整理近3个月TOP10客户投诉",
        "Top-10 customer complaints of the last 3 months",
        "客户痛点清单(V1.2)",
        "Pain-point list (v1.2)",
    ),
    (
        "tickets",
        "客服工单数据导出",
        "Ticket data export",
        0,
        "cs",
        4,
        (),
        "导出近3个月工单及分类数据",
        "Export 3 months of tickets with categories",
        "工单数据集",
        "Ticket data set",
    ),
    (
        "interviews",
        "坐席访谈",
        "Agent interviews",
        0,
        "cs",
        5,
        (),
        "访谈10名一线坐席收集高频问题",
        "Interview 10 agents about frequent questions",
        "访谈纪要",
        "Interview notes",
    ),
    (
        "competitors",
        "竞品调研",
        "Competitor research",
        0,
        "mkt",
        6,
        (),
        "调研3家竞品智能客服功能",
        "Study 3 competitors' service bots",
        "竞品分析报告",
        "Competitor report",
    ),
    (
        "assess",
        "现有系统评估",
        "Current-system assessment",
        0,
        "eng",
        5,
        (),
        "评估现有客服系统架构与接口",
        "Assess the current system's architecture and APIs",
        "系统评估报告",
        "Assessment report",
    ),
    (
        "prd",
        "需求文档编写",
        "Requirements document",
        1,
        "pd",
        7,
        ("pain", "interviews"),
        "输出含用户画像、功能优先级的需求文档",
        "PRD with personas and feature priorities",
        "需求文档",
        "Requirements document",
    ),
    (
        "flow",
        "业务流程梳理",
        "Service-flow mapping",
        1,
        "pd",
        5,
        ("tickets",),
        "梳理咨询、投诉、转人工流程",
        "Map enquiry, complaint and hand-over flows",
        "业务流程图",
        "Flow charts",
    ),
    (
        "faq",
        "FAQ知识库整理",
        "FAQ knowledge base",
        1,
        "cs",
        6,
        ("pain",),
        "整理高频问题标准答案",
        "Standard answers to frequent questions",
        "FAQ清单",
        "FAQ list",
    ),
    (
        "proto",
        "原型设计",
        "Prototype design",
        1,
        "pd",
        5,
        ("flow",),
        "完成客服工作台与对话流程原型",
        "Prototype of the agent desk and dialogue flows",
        "原型稿",
        "Prototype",
    ),
    (
        "accept",
        "验收标准制定",
        "Acceptance criteria",
        2,
        "pd",
        3,
        ("prd",),
        "明确各功能验收标准",
        "Acceptance criteria per feature",
        "验收标准",
        "Acceptance criteria",
    ),
    (
        "arch",
        "技术方案设计",
        "Technical design",
        2,
        "eng",
        5,
        ("prd", "assess"),
        "确定系统架构与技术选型",
        "Architecture and technology choices",
        "技术方案",
        "Technical design",
    ),
    (
        "testplan",
        "测试计划制定",
        "Test plan",
        2,
        "qa",
        3,
        ("prd",),
        "制定测试范围、环境与排期",
        "Scope, environments and schedule of testing",
        "测试计划",
        "Test plan",
    ),
    (
        "apispec",
        "接口规范定义",
        "API specification",
        2,
        "eng",
        3,
        ("arch",),
        "定义对话、知识库、工单接口",
        "Dialogue, knowledge-base and ticket APIs",
        "接口规范",
        "API specification",
    ),
    (
        "model",
        "意图识别模型选型",
        "Intent-model selection",
        2,
        "eng",
        4,
        ("arch",),
        "评估意图识别模型准确率",
        "Compare intent-recognition models",
        "选型报告",
        "Selection report",
    ),
    (
        "kbapi",
        "知识库接口开发",
        "Knowledge-base API",
        3,
        "eng",
        8,
        ("apispec", "faq"),
        "开发知识库检索接口",
        "Build the knowledge-base search API",
        "接口代码",
        "API code",
    ),
    (
        "engine",
        "对话引擎后端开发",
        "Dialogue engine back end",
        3,
        "eng",
        10,
        ("apispec", "model"),
        "实现多轮对话与意图路由",
        "Multi-turn dialogue and intent routing",
        "服务代码",
        "Service code",
    ),
    (
        "desk",
        "客服工作台前端开发",
        "Agent desk front end",
        3,
        "eng",
        8,
        ("proto", "apispec"),
        "实现坐席工作台页面",
        "Implement the agent desk pages",
        "前端页面",
        "Front-end pages",
    ),
    (
        "ticketapi",
        "工单系统对接",
        "Ticket-system integration",
        3,
        "eng",
        6,
        ("kbapi",),
        "对接现有工单系统",
        "Integrate the existing ticket system",
        "对接文档",
        "Integration notes",
    ),
    (
        "handover",
        "转人工规则开发",
        "Hand-over rules",
        3,
        "eng",
        5,
        ("engine",),
        "实现转人工规则与排队",
        "Hand-over to human agents and queueing",
        "规则配置",
        "Rule configuration",
    ),
    (
        "migration",
        "历史数据迁移",
        "Data migration",
        3,
        "eng",
        4,
        ("kbapi",),
        "迁移历史工单与知识条目",
        "Migrate historical tickets and articles",
        "迁移脚本",
        "Migration scripts",
    ),
    (
        "cases",
        "测试用例编写",
        "Test-case design",
        3,
        "qa",
        5,
        ("testplan", "accept"),
        "按验收标准编写测试用例",
        "Test cases from the acceptance criteria",
        "测试用例",
        "Test cases",
    ),
    (
        "functest",
        "功能测试",
        "Functional testing",
        3,
        "qa",
        8,
        ("engine", "desk", "cases"),
        "执行功能测试并跟踪缺陷",
        "Run functional tests, track defects",
        "测试报告",
        "Test report",
    ),
    (
        "inttest",
        "接口联调测试",
        "Integration testing",
        3,
        "qa",
        4,
        ("ticketapi", "handover"),
        "各接口端到端联调",
        "End-to-end API integration",
        "联调报告",
        "Integration report",
    ),
    (
        "perf",
        "性能测试",
        "Load testing",
        3,
        "qa",
        4,
        ("functest",),
        "高峰并发压测",
        "Peak-load testing",
        "压测报告",
        "Load-test report",
    ),
    (
        "fixes",
        "缺陷修复",
        "Defect fixing",
        3,
        "eng",
        5,
        ("functest",),
        "修复测试发现的缺陷",
        "Fix the defects found in testing",
        "修复记录",
        "Fix log",
    ),
    (
        "regression",
        "回归测试",
        "Regression testing",
        3,
        "qa",
        3,
        ("fixes", "inttest"),
        "修复后全量回归",
        "Full regression after fixes",
        "回归报告",
        "Regression report",
    ),
    (
        "trainmat",
        "坐席培训材料编写",
        "Agent training material",
        3,
        "cs",
        5,
        ("accept", "proto"),
        "编写新系统操作手册",
        "Write the agent handbook",
        "操作手册",
        "Handbook",
    ),
    (
        "training",
        "坐席培训",
        "Agent training",
        4,
        "cs",
        4,
        ("trainmat", "functest"),
        "组织一线坐席培训与考核",
        "Train and assess front-line agents",
        "培训记录",
        "Training record",
    ),
    (
        "canary",
        "灰度发布",
        "Canary release",
        4,
        "eng",
        3,
        ("regression", "perf"),
        "10%流量灰度",
        "Release to 10% of traffic",
        "发布记录",
        "Release log",
    ),
    (
        "opsplan",
        "运营方案制定",
        "Operations plan",
        4,
        "ops",
        5,
        ("accept",),
        "制定上线后运营方案",
        "Post-launch operations plan",
        "运营方案",
        "Operations plan",
    ),
    (
        "dashboard",
        "数据看板搭建",
        "Service dashboard",
        4,
        "ops",
        6,
        ("migration",),
        "搭建满意度与解决率看板",
        "Satisfaction and resolution dashboard",
        "数据看板",
        "Dashboard",
    ),
    (
        "campaign",
        "推广方案策划",
        "Campaign planning",
        4,
        "mkt",
        5,
        ("competitors", "accept"),
        "制定上线推广方案",
        "Plan the launch campaign",
        "推广方案",
        "Campaign plan",
    ),
    (
        "collateral",
        "宣传物料制作",
        "Marketing collateral",
        4,
        "mkt",
        5,
        ("campaign",),
        "制作海报、推文等宣传物料",
        "Posters, articles and other collateral",
        "宣传物料",
        "Collateral",
    ),
    (
        "golive",
        "全量上线",
        "Full go-live",
        4,
        "eng",
        2,
        ("canary", "training"),
        "全量切换至智能客服",
        "Switch all traffic to the new system",
        "上线记录",
        "Go-live log",
    ),
    (
        "notice",
        "上线公告",
        "Launch announcement",
        4,
        "ops",
        2,
        ("canary",),
        "发布上线公告与使用指引",
        "Publish the announcement and guide",
        "公告",
        "Announcement",
    ),
    (
        "channels",
        "渠道推广",
        "Channel promotion",
        4,
        "mkt",
        5,
        ("collateral", "canary"),
        "官网、公众号、App渠道推广",
        "Promote on web, WeChat and app",
        "投放计划",
        "Placement plan",
    ),
    (
        "callback",
        "用户反馈回访",
        "Customer feedback calls",
        4,
        "cs",
        5,
        ("golive",),
        "回访重点客户收集使用反馈",
        "Call key customers for feedback",
        "回访报告",
        "Call report",
    ),
    (
        "survey",
        "满意度调研",
        "Satisfaction survey",
        4,
        "ops",
        5,
        ("golive",),
        "上线后客户满意度调研",
        "Post-launch satisfaction survey",
        "调研报告",
        "Survey report",
    ),
)

# The requirement change of August: a task that was not in the plan.
_CHANGE_TASK: _T = (
    "change",
    "需求变更文档更新",
    "Requirements change update",
    3,
    "pd",
    2,
    (),
    "新增转人工规则与工单自动分类",
    "Add hand-over rules and automatic ticket categories",
    "需求文档(V2.0)",
    "Requirements document (v2.0)",
)

# mean work-duration factor per department (技术部 is stretched: 3 developers, context switches)
_SPEED = {"cs": 0.86, "pd": 1.0, "eng": 1.18, "qa": 1.02, "ops": 1.05, "mkt": 1.0}

# blocked episodes that are not caused by the change: task -> cause, response policy
_BLOCKS = {
    "functest": ("env", "within"),
    "ticketapi": ("vendor", "within"),
    "migration": ("resource", "never"),
}
_CAUSES = {
    "change": (
        "需求变更未同步技术部,接口需返工",
        "requirement change not passed on; APIs reworked",
    ),
    "env": ("测试环境不可用", "test environment unavailable"),
    "vendor": ("工单系统接口权限未开通", "ticket-system API access not granted"),
    "resource": ("开发资源不足", "not enough developers"),
}


# ---------------------------------------------------------------------------------- simulation
class _Sim:
    """Working-day simulation of the project (language-independent)."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        self.rng = rng
        cal = get_calendar("cn")
        self.W = cal.workdays("2024-06-01", "2025-03-31").to_numpy().astype("datetime64[D]")
        self.cut = np.datetime64(_CUT, "D")
        self.i0 = self._wd(np.datetime64(_START, "D"))
        self._plan()
        self._actuals()

    # day helpers ------------------------------------------------------------
    def _wd(self, day) -> int:
        """Index of the first working day on or after ``day``."""
        return int(np.searchsorted(self.W, np.datetime64(day, "D")))

    def day(self, i) -> np.ndarray:
        return self.W[np.asarray(i)]

    # the plan --------------------------------------------------------------
    def _plan(self):
        rng = self.rng
        tasks = list(_TASKS)
        keys = [t[0] for t in tasks]
        ps, pf = {}, {}
        for t in tasks:  # forward pass over ~40 planned tasks in dependency order
            start = max((pf[p] + 1 for p in t[6]), default=self.i0)
            ps[t[0]], pf[t[0]] = start, start + t[5] - 1
        # the requirement change arrives in the week of 5 August (day drawn)
        self.change_i = self._wd(np.datetime64("2024-08-05")) + int(rng.integers(0, 4))
        ps["change"] = self.change_i
        pf["change"] = self.change_i + _CHANGE_TASK[5] - 1
        tasks.append(_CHANGE_TASK)
        keys.append("change")
        self.tasks, self.keys, self.ps, self.pf = tasks, keys, ps, pf
        self.spec = {t[0]: t for t in tasks}
        # owners: a person of the department (the contact does most 客服部/产品部 work)
        self.owner = {}
        for t in tasks:
            people = _PEOPLE[t[4]]
            self.owner[t[0]] = int(rng.integers(0, len(people)))

    # the actuals ------------------------------------------------------------
    def _actuals(self):
        rng = self.rng
        order = sorted(self.keys, key=lambda k: (self.ps[k], self.keys.index(k)))
        slots = np.full(_DEV_SLOTS, self.i0)
        # 技术部 learns of the change at a later daily sync (it did not attend the meeting)
        self.discover_i = self.change_i + int(rng.integers(2, 4))
        a_s, a_f, work, block = {}, {}, {}, {}
        for k in order:  # event loop over the project's ~40 tasks, in planned order
            t = self.spec[k]
            dept = t[4]
            ready = max((a_f[p] + 1 for p in t[6]), default=self.ps[k])
            ready = max(ready, self.ps[k])
            if t[6] and dept == "eng":
                ready += int(rng.integers(0, 2))  # hand-off into a busy department
            if k == "change":
                ready = self.change_i
            start = ready
            if dept == "eng":
                s = int(np.argmin(slots))
                start = max(ready, int(slots[s]))
            factor = float(np.exp(rng.normal(np.log(_SPEED[dept]), 0.1)))
            w = max(1, round(t[5] * factor))
            blk = None
            if dept == "eng" and start <= self.discover_i <= start + w - 1:
                # requirement change reaches 技术部 mid-task: blocked, then rework
                length = int(rng.integers(2, 4))
                w += int(rng.integers(2, 5))
                blk = (self.discover_i, length, "change", "late")
            elif k in _BLOCKS:
                cause, policy = _BLOCKS[k]
                at = start + max(1, round(w * rng.uniform(0.3, 0.6)))
                blk = (at, int(rng.integers(2, 4)), cause, policy)
            finish = start + w - 1 + (blk[1] if blk else 0)
            a_s[k], a_f[k], work[k], block[k] = start, finish, w, blk
            if dept == "eng":
                slots[s] = finish + 1
        self.a_s, self.a_f, self.work, self.block = a_s, a_f, work, block


# ---------------------------------------------------------------------------------- rendering
def smart_cs_launch(lang: str = "zh") -> TrackingData:
    """The seed's own project, 智能客服系统上线, as clean canonical tables.

    A seeded simulation (seed :data:`STORY_SEED`) of the template's example: 客服部 sponsors
    the project (goal "Q3完成智能客服系统上线,客户满意度提升至90%"), with 产品部, 技术部,
    测试部, 运营部 and 市场部, from 2024-07-01 to the data cut on 2024-10-15 — so the daily
    17:00 sync runs across 中秋 (9月15–17日, 调休 Saturday 9月14日) and National Day
    (10月1–7日, 调休 9月29日 and 10月12日). What the data hold (and ``data/README.md``
    explains) comes out of the simulation: 技术部 has too few developers and becomes the
    bottleneck; a requirement change in August is discussed without 技术部, whose tasks are
    then blocked and reworked; blocked tasks get a meeting within 48 h, late, or never; some
    planned meetings are missed; most actions close, some late or not at all.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of every name and text; the numbers are identical in both.

    Returns
    -------
    TrackingData
        Canonical tables with the columns and dtypes of
        :func:`collab_analytics.schema.empty_table`; ``issues`` is empty.

    Examples
    --------
    >>> from collab_analytics.sample import smart_cs_launch
    >>> td = smart_cs_launch()
    >>> row = td.tasks.set_index("task").loc["客户痛点收集"]
    >>> str(row["actual_finish"].date()), row["status"]
    ('2024-07-09', 'done_early')
    >>> td.project["goal"].iloc[0]
    'Q3完成智能客服系统上线,客户满意度提升至90%'
    """
    if lang not in ("zh", "en"):
        msg = f"lang must be 'zh' or 'en', got {lang!r}."
        raise CollabError(msg)
    return _Render(_Sim(STORY_SEED), 0 if lang == "zh" else 1).tables()


class _Render:
    """Turn the simulation into the canonical tables in one language."""

    def __init__(self, sim: _Sim, li: int):
        self.s, self.li = sim, li
        self.rng = np.random.default_rng(STORY_SEED + 1)  # same draws for zh and en
        self.sep = "、" if li == 0 else ", "

    def dn(self, key: str) -> str:
        return _DEPTS[key][self.li]

    def person(self, dept: str, i: int = 0) -> str:
        return _PEOPLE[dept][i][self.li]

    def tables(self) -> TrackingData:
        self._tasks()
        self._updates()
        self._meetings()
        self._actions()
        return TrackingData(
            project=self._project(),
            tasks=with_list_columns(self.task_frame, "depends_on"),
            updates=self.update_frame,
            raci=self._raci(),
            contacts=self._contacts(),
            plan=self._plan(),
            meetings=with_list_columns(self.meeting_frame, "related_tasks", "departments"),
            actions=self.action_frame,
        )

    # --------------------------------------------------------------- tasks
    def _tasks(self):
        s, li = self.s, self.li
        keys = s.keys
        self.tid = {k: f"T{i + 1:02d}" for i, k in enumerate(keys)}
        self.tname = {k: s.spec[k][1 + li] for k in keys}
        ps = np.array([s.ps[k] for k in keys])
        pf = np.array([s.pf[k] for k in keys])
        a_s = np.array([s.a_s[k] for k in keys])
        a_f = np.array([s.a_f[k] for k in keys])
        cut = s.cut
        started = s.day(a_s) <= cut
        finished = s.day(a_f) <= cut
        self.ps_i, self.pf_i, self.as_i, self.af_i = ps, pf, a_s, a_f
        self.started, self.finished = started, finished
        blocked_cause = [s.block[k][2] if s.block[k] else None for k in keys]
        issue = [
            (("阻塞:" if li == 0 else "Blocked: ") + _CAUSES[c][li]) if c else None
            for c in blocked_cause
        ]
        self.task_frame_base = {
            "project": [_project_name(li)] * len(keys),
            "task_id": [self.tid[k] for k in keys],
            "task": [self.tname[k] for k in keys],
            "description": [s.spec[k][7 + li] for k in keys],
            "phase": [_PHASES[s.spec[k][3]][li] for k in keys],
            "department": [self.dn(s.spec[k][4]) for k in keys],
            "owner": [self.person(s.spec[k][4], s.owner[k]) for k in keys],
            "planned_start": u.days_to_dt(s.day(ps).astype(np.int64)),
            "planned_finish": u.days_to_dt(s.day(pf).astype(np.int64)),
            "actual_start": u.days_to_dt(s.day(a_s).astype(np.int64), ~started),
            "actual_finish": u.days_to_dt(s.day(a_f).astype(np.int64), ~finished),
            "deliverable": [s.spec[k][9 + li] for k in keys],
            "issue_log": issue,
            "depends_on": [[self.tid[p] for p in s.spec[k][6]] for k in keys],
        }

    # --------------------------------------------------------------- updates
    def _updates(self):
        """One update per working day a task is active (a few days unlogged), at the sync."""
        s, rng = self.s, self.rng
        keys = s.keys
        n = len(keys)
        last = np.minimum(self.af_i, int(np.searchsorted(s.W, s.cut, side="right")) - 1)
        span = np.where(self.started, last - self.as_i + 1, 0)
        t = np.repeat(np.arange(n), span)
        i = self.as_i[t] + (np.arange(len(t)) - np.repeat(np.cumsum(span) - span, span))
        blk_at = np.array([s.block[k][0] if s.block[k] else -1 for k in keys])
        blk_len = np.array([s.block[k][1] if s.block[k] else 0 for k in keys])
        in_block = (i >= blk_at[t]) & (i < blk_at[t] + blk_len[t])
        blocked_before = np.clip(i - blk_at[t], 0, blk_len[t]) * (blk_at[t] >= 0)
        worked = i - self.as_i[t] + 1 - blocked_before - in_block * 0
        total = np.array([s.a_f[k] - s.a_s[k] + 1 for k in keys]) - blk_len
        prog = np.clip(worked / np.maximum(total[t], 1), 0, 1)
        prog = np.where(in_block, np.clip((blk_at[t] - self.as_i[t]) / total[t], 0, 1), prog)
        prog = np.floor(prog * 20) / 20
        planned_frac = np.clip((i - self.ps_i[t] + 1) / (self.pf_i[t] - self.ps_i[t] + 1), 0, 1)
        is_last = i == self.af_i[t]
        st = np.full(len(t), u.STATUS["on_track"], dtype=np.int8)
        st[(i > self.pf_i[t]) | (planned_frac - prog > 0.2)] = u.STATUS["delayed"]
        st[in_block] = u.STATUS["blocked"]
        final = np.where(self.af_i < self.pf_i, u.STATUS["done_early"], u.STATUS["done"])
        st = np.where(is_last, final[t], st)
        prog = np.where(is_last, 1.0, prog)
        # a few days are not logged — never the first, last or a status change
        change = np.ones(len(t), dtype=bool)
        change[1:] = (t[1:] != t[:-1]) | (st[1:] != st[:-1])
        first = np.ones(len(t), dtype=bool)
        first[1:] = t[1:] != t[:-1]
        keep = change | first | is_last | (rng.random(len(t)) >= 0.12)
        t, i, st, prog = t[keep], i[keep], st[keep], prog[keep]
        minute = 17 * 60 + rng.integers(-4, 9, len(t)) * 5
        when = s.day(i).astype(np.int64) * u.MIN_PER_DAY + minute
        self.u_t, self.u_i, self.u_st, self.u_prog, self.u_when = t, i, st, prog, when
        # task status/progress at the cut
        status = final.copy()
        progress = np.ones(n)
        cnt = np.bincount(t, minlength=n)
        li_ = np.maximum(np.cumsum(cnt) - 1, 0)
        open_ = self.started & ~self.finished
        status = np.where(open_, st[li_], status)
        progress = np.where(open_, prog[li_], progress)
        status = np.where(~self.started, u.STATUS["not_started"], status)
        progress = np.where(~self.started, 0.0, progress)
        base = self.task_frame_base
        base["status"] = u.status_series(status)
        base["progress"] = progress
        self.task_frame = u.frame("tasks", base)
        # notes ("需求文档编写完成80%", "阻塞:…"), built column-wise
        names = np.array([self.tname[k] for k in keys], dtype=object)
        causes = np.array([s.block[k][2] if s.block[k] else "env" for k in keys])
        self.update_frame = u.frame(
            "updates",
            {
                "date": u.minutes_to_dt(when),
                "task_id": np.array([self.tid[k] for k in keys], dtype=object)[t],
                "task": names[t],
                "progress": prog,
                "status": u.status_series(st),
                "note": u.to_str(_notes(self.li, names[t], np.rint(prog * 100), st, causes[t])),
                "department": np.array([self.dn(s.spec[k][4]) for k in keys], dtype=object)[t],
            },
        )

    # --------------------------------------------------------------- meetings
    def _meetings(self):
        """Planned series (daily sync, 需求评审会, Friday risk review), one-offs and
        escalation meetings, as one frame ``self.mt`` in working-day units."""
        s, rng, li = self.s, self.rng, self.li
        keys = s.keys
        W = s.W
        last_i = int(np.searchsorted(W, s.cut, side="right")) - 1
        days = np.arange(s.i0, last_i + 1)
        dept_of = np.array([s.spec[k][4] for k in keys])
        phase_of = np.array([s.spec[k][3] for k in keys])
        # departments busy on each day: a task active or starting within 3 working days
        active = (self.as_i[None, :] - 3 <= days[:, None]) & (days[:, None] <= self.af_i[None, :])
        # departments involved on each day: from 5 working days before their first task
        # starts to the day their last task finishes (客服部 and 产品部 throughout)
        first = np.array([self.as_i[dept_of == d].min() for d in _DEPT_ORDER]) - 5
        last = np.array([self.af_i[dept_of == d].max() for d in _DEPT_ORDER])
        busy = (first[None, :] <= days[:, None]) & (days[:, None] <= last[None, :])
        busy[:, np.isin(np.array(_DEPT_ORDER), ["cs", "pd"])] = True
        dev_keys = [k for k in keys if s.spec[k][4] == "eng" and s.spec[k][3] == 3]
        dev_start = min(s.a_s[k] for k in dev_keys)
        hit_by_change = [k for k in keys if s.block[k] is not None and s.block[k][2] == "change"]
        parts = []
        # unplanned one-offs; the change is discussed without 技术部
        one = pd.DataFrame(
            {
                "i": [s.i0, dev_start, s.change_i, s.a_s["canary"] - 1],
                "minute": [17 * 60, 17 * 60, 14 * 60 + 5, 10 * 60],
                "kind": ["kickoff", "devkick", "change", "golive"],
                "topic": [
                    ("需求收集启动会", "Requirements kick-off")[li],
                    ("开发启动会", "Development kick-off")[li],
                    ("需求变更沟通会", "Requirement change discussion")[li],
                    ("上线评审会", "Go-live review")[li],
                ],
                "depts": [["cs", "pd"], ["pd", "eng"], ["cs", "pd", "qa"], list(_DEPT_ORDER)],
                "plan_item": [None] * 4,
                "duration": [60, 60, 45, 90],
                "output": [
                    ("需求收集计划", "Requirements-gathering plan")[li],
                    ("开发排期", "Development schedule")[li],
                    (
                        "需求文档V2.0:新增转人工规则与工单自动分类",
                        "Requirements v2.0: hand-over rules and automatic ticket categories",
                    )[li],
                    ("上线检查清单", "Go-live checklist")[li],
                ],
                # the change meeting concerns the 技术部 work it will force to be redone
                "related": [[], [], ["change", *hit_by_change], ["canary"]],
                "task": [None, None, "change", "canary"],
            }
        )
        parts.append(one)
        # 需求评审会, planned 7月15日14:00
        parts.append(
            pd.DataFrame(
                {
                    "i": [s._wd(np.datetime64("2024-07-15"))],
                    "minute": [14 * 60 + int(rng.integers(0, 3)) * 5],
                    "kind": ["review"],
                    "topic": [_PLAN[1][0][li]],
                    "depts": [["cs", "pd", "eng"]],
                    "plan_item": [_PLAN[1][0][li]],
                    "duration": [120],
                    "output": [_PLAN[1][4][li]],
                    "related": [[]],
                    "task": [None],
                }
            )
        )
        # daily 17:00 sync on working days (调休 weekends included), some days skipped and the
        # days whose 17:00 slot a kick-off took
        wd_day = W[days]
        weekend = ((wd_day.astype(np.int64) + 3) % 7) >= 5
        draw = rng.random(len(days))
        held = (draw >= np.where(weekend, 0.6, 0.06)) & ~np.isin(
            days, one["i"][one["minute"] >= 16 * 60].to_numpy()
        )
        crunch = (wd_day >= np.datetime64("2024-08-01")) & (wd_day <= np.datetime64("2024-09-30"))
        # 技术部 skips many syncs in the August–September crunch; uninvolved departments
        # drop in now and then
        p_att = np.where((np.array(_DEPT_ORDER) == "eng")[None, :] & crunch[:, None], 0.6, 0.93)
        p_att = np.where(busy, p_att, 0.2)
        att = rng.random(busy.shape) < p_att
        counts = active.astype(np.int64) @ np.eye(5, dtype=np.int64)[phase_of]
        topic = np.array([x[li] for x in _SYNC_TOPIC], dtype=object)[counts.argmax(axis=1)]
        n = len(days)
        out = np.where(rng.random(n) >= 0.1, _PLAN[0][4][li], None)
        parts.append(
            pd.DataFrame(
                {
                    "i": days,
                    "minute": 17 * 60 + rng.choice([0, 0, 0, 5, 10, 15, -5], n),
                    "kind": "daily",
                    "topic": topic,
                    "depts": _dept_lists(att),
                    "plan_item": _PLAN[0][0][li],
                    "duration": rng.choice([15, 20, 30], n),
                    "output": out,
                    "related": [[] for _ in range(n)],
                    "task": None,
                }
            )[held]
        )
        # Friday 15:00 risk review; two weeks in August–September are missed
        fri = days[(W[days].astype(np.int64) + 3) % 7 == 4]
        mid = fri[(W[fri] >= np.datetime64("2024-08-01")) & (W[fri] <= np.datetime64("2024-09-30"))]
        self.missed_reviews = np.sort(rng.choice(mid, 2, replace=False))
        fri = fri[~np.isin(fri, self.missed_reviews)]
        st_at = self._status_at(W[fri].astype(np.int64) * u.MIN_PER_DAY + 15 * 60)  # F x tasks
        n_del = (st_at == u.STATUS["delayed"]).sum(axis=1)
        n_blk = (st_at == u.STATUS["blocked"]).sum(axis=1)
        is_dev = np.isin(np.array(keys), dev_keys)
        eng_late = ((st_at == u.STATUS["delayed"]) | (st_at == u.STATUS["blocked"]))[:, is_dev]
        out = u.cat(
            ("风险清单及应对措施(", "Risk list and responses (")[li],
            u.num(n_del),
            ("项滞后、", " delayed, ")[li],
            u.num(n_blk),
            ("项阻塞)", " blocked)")[li],
        )
        extra = (
            "。技术部开发资源不足:需增加2名开发人员或延期5天",
            ". Engineering short of developers: add 2 developers or slip 5 days",
        )[li]
        out = u.pc.if_else(u.pa.array(eng_late.any(axis=1)), u.cat(out, extra), out)
        fb = busy[fri - s.i0]
        p_w = np.where(fb, np.where(np.array(_DEPT_ORDER) == "eng", 0.75, 0.92)[None, :], 0.2)
        att = (rng.random(fb.shape) < p_w) | (np.array(_DEPT_ORDER) == "cs")[None, :]
        parts.append(
            pd.DataFrame(
                {
                    "i": fri,
                    "minute": 15 * 60 + rng.choice([0, 0, 5, 10, 20], len(fri)),
                    "kind": "weekly",
                    "topic": _PLAN[2][0][li],
                    "depts": _dept_lists(att),
                    "plan_item": _PLAN[2][0][li],
                    "duration": rng.choice([45, 60, 90], len(fri)),
                    "output": out.to_pylist(),
                    "related": [[] for _ in fri],
                    "task": None,
                }
            )
        )
        parts.append(self._escalations())
        mt = pd.concat(parts, ignore_index=True)
        mt = mt.iloc[np.lexsort((mt["minute"].to_numpy(), mt["i"].to_numpy()))]
        self.mt = mt.reset_index(drop=True)
        mt = self.mt
        day_n = s.day(mt["i"].to_numpy()).astype(np.int64)
        minute = mt["minute"].to_numpy().astype(np.int64)
        dmap = {d: self.dn(d) for d in _DEPT_ORDER}
        # departments in the order TrackingData.departments gives (first appearance in the
        # tasks), which is also the order a loader derives from the participants text
        rank = {d: j for j, d in enumerate(dict.fromkeys(s.spec[k][4] for k in keys))}
        dept_names = mt["depts"].map(lambda ds: [dmap[d] for d in sorted(ds, key=rank.get)])
        self.meeting_frame = u.frame(
            "meetings",
            {
                "date": u.days_to_dt(day_n),
                "time": u.to_str(u.hhmm(minute)),
                "topic": mt["topic"].astype("str"),
                "participants": dept_names.map(self.sep.join).astype("str"),
                "plan_item": mt["plan_item"].astype("str"),
                "duration_min": mt["duration"].astype("float64"),
                "output": mt["output"].astype("str"),
                "related_tasks": mt["related"].map(lambda ks: [self.tid[k] for k in ks]),
                "start": u.minutes_to_dt(day_n * u.MIN_PER_DAY + minute),
                "departments": dept_names,
            },
        )

    def _status_at(self, moments: np.ndarray) -> np.ndarray:
        """Last logged status of every task at each moment (``-1``: nothing logged yet)."""
        n = len(self.s.keys)
        seen = self.u_when[None, :] <= moments[:, None]  # moments x updates
        row = np.where(seen, np.arange(len(self.u_when))[None, :], -1)
        last = np.full((len(moments), n), -1)
        # updates are ordered by task: reduce each task's block of columns at once
        tasks, starts = np.unique(self.u_t, return_index=True)
        if len(tasks):
            last[:, tasks] = np.maximum.reduceat(row, starts, axis=1)
        return np.where(last >= 0, self.u_st[np.maximum(last, 0)], -1)

    def _escalations(self) -> pd.DataFrame:
        """Meetings after a task turns delayed or blocked, by a response policy.

        Blocked by the requirement change → held late (the change had not reached 技术部,
        so nobody owned the problem for days); blocked for lack of developers → never a
        dedicated meeting (it is "only" a resource problem, left to the weekly review); other
        blocks → within a day. The first delay in 技术部 gets the developer-capacity meeting;
        other delays get a meeting within a day, late or never, at random. A task whose
        block was never discussed gets no later meeting either.
        """
        s, rng, li = self.s, self.rng, self.li
        keys = s.keys
        st = self.u_st
        bad = (st == u.STATUS["delayed"]) | (st == u.STATUS["blocked"])
        prev = np.r_[-1, st[:-1]]
        same_task = np.r_[False, self.u_t[1:] == self.u_t[:-1]]
        ep = np.flatnonzero(bad & ~(same_task & (prev == st)))
        ep_task = self.u_t[ep]
        ep_blocked = st[ep] == u.STATUS["blocked"]
        ep_dept = np.array([s.spec[keys[x]][4] for x in ep_task])
        policy = np.array(
            rng.choice(["within", "late", "never"], len(ep), p=[0.55, 0.2, 0.25]), dtype=object
        )
        block_policy = np.array(
            [s.block[keys[x]][3] if s.block[keys[x]] else "within" for x in ep_task], dtype=object
        )
        policy = np.where(ep_blocked, block_policy, policy)
        first_eng_delay = np.flatnonzero(~ep_blocked & (ep_dept == "eng"))[:1]
        policy[first_eng_delay] = "resource"
        # after a block that never got its meeting, the task gets none
        silent = ep_blocked & (policy == "never")
        first_silent = np.full(len(keys), np.iinfo(np.int64).max)
        np.minimum.at(first_silent, ep_task[silent], ep[silent])
        policy = np.where(ep >= first_silent[ep_task], "never", policy)
        self.episode_policy = pd.DataFrame(
            {
                "task_id": [self.tid[keys[x]] for x in ep_task],
                "status": np.where(ep_blocked, "blocked", "delayed"),
                "policy": policy.astype(str),
            }
        )
        met = policy != "never"
        lag_h = np.where(
            policy == "late", rng.uniform(50, 68, len(ep)), rng.uniform(3, 26, len(ep))
        )
        when = self.u_when[ep] + np.rint(lag_h * 60).astype(np.int64)
        day_i, minute = self._snap(when)
        task_k = np.array(keys, dtype=object)[ep_task]
        cause = np.array([s.block[keys[x]][2] if s.block[keys[x]] else "" for x in ep_task])
        by_change = ep_blocked & (cause == "change")
        is_res = policy == "resource"
        suffix = np.where(
            ep_blocked, ("阻塞专项会", " blocker meeting")[li], ("滞后专项会", " delay meeting")[li]
        )
        topic = u.cat(
            u.pa.array(np.array([self.tname[k] for k in task_k], dtype=object), type=u.TEXT),
            u.pa.array(suffix, type=u.TEXT),
        )
        topic = np.where(
            is_res,
            ("开发资源专项会", "Developer capacity meeting")[li],
            np.array(topic.to_pylist(), dtype=object),
        )
        new_due = u.iso_date(s.day(np.array([s.a_f[k] for k in task_k])).astype(np.int64))
        new_due = np.array(new_due.to_pylist(), dtype=object)
        generic = (
            ("解决措施和责任人已明确,新截止时间", "Fix and owner agreed, new due date "),
            (
                "确认需求变更范围,接口按V2.0返工,新截止时间",
                "Change scope confirmed, APIs reworked to v2.0, new due date ",
            ),
        )
        out = np.where(by_change, generic[1][li], generic[0][li]) + new_due
        out = np.where(
            is_res,
            (
                "技术部开发资源不足:需增加2名开发人员或延期5天;协调产品资源优先支持核心功能",
                "Engineering short of developers: add 2 developers or slip "
                "5 days; product to prioritise the core features",
            )[li],
            out,
        )
        depts = [
            ["eng", "pd"] if c else [d] + [x for x in ("pd", "cs") if x != d]
            for d, c in zip(ep_dept, by_change, strict=True)
        ]
        frame = pd.DataFrame(
            {
                "i": day_i,
                "minute": minute,
                "kind": np.where(is_res, "resource", "escalation"),
                "topic": topic,
                "depts": depts,
                "plan_item": None,
                "duration": rng.choice([30, 45, 60], len(ep)),
                "output": out,
                "related": [[k] for k in task_k],
                "task": task_k,
            }
        )
        return frame[met]

    def _snap(self, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Move meeting times into working hours (09:00–18:00 of a working day)."""
        s = self.s
        day = (when // u.MIN_PER_DAY).astype("datetime64[D]")
        minute = when % u.MIN_PER_DAY
        i = np.searchsorted(s.W, day)
        on_workday = s.W[i] == day
        bump = ~on_workday | (minute > 18 * 60)
        i = np.where(on_workday & (minute > 18 * 60), i + 1, i)
        minute = np.where(bump, 10 * 60, np.maximum(minute, 9 * 60))
        return i, (minute + 29) // 30 * 30

    # --------------------------------------------------------------- actions
    def _actions(self):
        """Action items of the meetings that produce them, with due and closing days."""
        s, rng, li = self.s, self.rng, self.li
        mt = self.mt
        kind = mt["kind"].to_numpy()
        i = mt["i"].to_numpy()
        idx = np.arange(len(mt))
        rev = idx[kind == "review"]
        chg = idx[kind == "change"]
        dev = idx[kind == "devkick"]
        res = idx[kind == "resource"]
        cols = {"m": [], "text": [], "dept": [], "person": [], "due": [], "closed": []}

        def add(m, text, dept, person, due, closed):
            m = np.atleast_1d(m)
            k = len(m)
            cols["m"].append(m)
            cols["text"].append(np.broadcast_to(np.asarray(text, dtype=object), (k,)))
            cols["dept"].append(np.broadcast_to(np.asarray(dept, dtype=object), (k,)))
            cols["person"].append(np.broadcast_to(np.asarray(person), (k,)))
            cols["due"].append(np.broadcast_to(np.asarray(due), (k,)))
            cols["closed"].append(np.broadcast_to(np.asarray(closed), (k,)))

        add(
            rev,
            ("输出需求文档终版", "Publish the final requirements document")[li],
            "pd",
            0,
            s.pf["prd"],
            s.a_f["prd"],
        )
        # passing the change to 技术部 is closed only after 技术部 ran into it
        add(
            chg,
            ("同步需求变更至技术部", "Pass the requirement change to Engineering")[li],
            "pd",
            0,
            i[chg] + 1,
            s.discover_i + 1,
        )
        add(
            chg,
            ("更新需求文档V2.0", "Update the requirements document to v2.0")[li],
            "pd",
            1,
            i[chg] + 2,
            s.a_f["change"],
        )
        add(
            dev,
            ("确认开发排期", "Confirm the development schedule")[li],
            "eng",
            0,
            i[dev] + 2,
            i[dev] + 2,
        )
        add(res, ("申请增加2名开发人员", "Request 2 more developers")[li], "eng", 0, i[res] + 5, -1)
        add(
            res,
            ("调整开发优先级", "Re-prioritise development")[li],
            "pd",
            0,
            i[res] + 1,
            i[res] + 1,
        )
        esc = idx[kind == "escalation"]
        tk = mt["task"].to_numpy()[esc]
        lag = rng.choice([-1, 0, 0, 0, 1, 3], len(esc))
        closed = np.where(rng.random(len(esc)) > 0.1, i[esc] + 2 + lag, -1)
        text = (
            np.array([self.tname[k] for k in tk], dtype=object)
            + (":明确解决措施和新截止时间", ": agree fix and new due date")[li]
        )
        add(
            esc,
            text,
            np.array([s.spec[k][4] for k in tk], dtype=object),
            np.array([s.owner[k] for k in tk]),
            i[esc] + 2,
            closed,
        )
        wk = idx[kind == "weekly"]
        pick = rng.integers(0, len(_REVIEW_ACTIONS), len(wk))
        attendees = mt["depts"].to_numpy()[wk]
        r = rng.random(len(wk))
        other = np.array(
            [a[int(x * len(a))] for a, x in zip(attendees, r, strict=True)], dtype=object
        )
        lag = rng.choice([-2, -1, 0, 0, 0, 1, 3], len(wk))
        closed = np.where(rng.random(len(wk)) > 0.08, i[wk] + 5 + lag, -1)
        add(
            wk,
            np.array([x[li] for x in _REVIEW_ACTIONS], dtype=object)[pick],
            np.where(pick == 0, "pd", other),
            0,
            i[wk] + 5,
            closed,
        )
        a = {k: np.concatenate(v) for k, v in cols.items()}
        order = np.argsort(a["m"], kind="stable")
        a = {k: v[order] for k, v in a.items()}
        cut_i = int(np.searchsorted(s.W, s.cut, side="right")) - 1
        closed_i = a["closed"].astype(np.int64)
        is_closed = (closed_i >= 0) & (closed_i <= cut_i)
        mf = self.meeting_frame
        src = mf["date"].dt.strftime("%Y-%m-%d") + " " + mf["topic"]
        people = {d: [p[li] for p in _PEOPLE[d]] for d in _DEPT_ORDER}
        self.action_frame = u.frame(
            "actions",
            {
                "action": a["text"],
                "owner": [people[d][int(p)] for d, p in zip(a["dept"], a["person"], strict=True)],
                "department": [self.dn(d) for d in a["dept"]],
                "due": u.days_to_dt(s.day(a["due"].astype(np.int64)).astype(np.int64)),
                "closed": u.days_to_dt(s.day(np.maximum(closed_i, 0)).astype(np.int64), ~is_closed),
                "source_meeting": src.to_numpy()[a["m"]],
                "is_closed": is_closed,
            },
        )

    # --------------------------------------------------------------- small tables
    def _project(self) -> pd.DataFrame:
        li = self.li
        depts = self.sep.join(f"{self.dn(d)}({self.person(d)})" for d in _DEPT_ORDER)
        return u.frame(
            "project",
            {
                "project": [_project_name(li)],
                "sponsor_department": [self.dn("cs")],
                "lead": [_LEAD[li]],
                "departments": [depts],
                "goal": [
                    (
                        "Q3完成智能客服系统上线,客户满意度提升至90%",
                        "Launch the smart customer-service system in Q3; customer satisfaction "
                        "to 90%",
                    )[li]
                ],
            },
        )

    def _contacts(self) -> pd.DataFrame:
        return u.frame(
            "contacts",
            {
                "department": [self.dn(d) for d in _DEPT_ORDER],
                "contact": [self.person(d) for d in _DEPT_ORDER],
            },
        )

    def _plan(self) -> pd.DataFrame:
        li = self.li
        return u.frame(
            "plan",
            {
                c: [p[j][li] for p in _PLAN]
                for j, c in enumerate(
                    ("item", "frequency", "participants", "agenda", "output", "channel")
                )
            },
        )

    def _raci(self) -> pd.DataFrame:
        """R = owning department; A = 客服部 (sponsor) or 产品部; C = upstream departments;
        I = downstream departments. The seed's own first row (收集客户痛点: R/C/I, no A) is
        kept as the template shows it."""
        s = self.s
        succ: dict[str, set[str]] = {k: set() for k in s.keys}
        for k in s.keys:
            for p in s.spec[k][6]:
                succ[p].add(s.spec[k][4])
        rows = []
        for k in s.keys:  # ~40 tasks
            r = s.spec[k][4]
            if k == "pain":
                roles = [("cs", "R"), ("pd", "C"), ("eng", "I")]
            else:
                a = "pd" if r in ("eng", "qa", "cs") else "cs"
                if k == "prd":
                    a = "cs"
                roles = [(r, "R"), (a, "A")]
                up = {s.spec[p][4] for p in s.spec[k][6]} - {r, a}
                roles += [(d, "C") for d in _DEPT_ORDER if d in up]
                down = succ[k] - {r, a} - up
                roles += [(d, "I") for d in _DEPT_ORDER if d in down]
            rows += [(k, d, role) for d, role in roles]
        return u.frame(
            "raci",
            {
                "task_id": [self.tid[k] for k, _, _ in rows],
                "task": [self.tname[k] for k, _, _ in rows],
                "department": [self.dn(d) for _, d, _ in rows],
                "role": [role for _, _, role in rows],
            },
        )


def _project_name(li: int) -> str:
    return ("智能客服系统上线", "Smart customer-service system launch")[li]


_SYNC_TOPIC = (
    ("需求进度同步", "Requirements progress sync"),
    ("需求进度同步", "Requirements progress sync"),
    ("方案进度同步", "Design progress sync"),
    ("开发进度同步", "Development progress sync"),
    ("上线进度同步", "Launch progress sync"),
)

# the communication plan, as the seed writes it: item, frequency, participants, agenda, output,
# channel — each (zh, en)
_PLAN = (
    (
        ("日常进度同步", "Daily progress sync"),
        ("每日17:00", "daily 17:00"),
        ("各部门对接人", "All department contacts"),
        ("任务完成情况、次日计划", "Progress today, plan for tomorrow"),
        ("即时通讯群记录", "Chat group log"),
        ("即时通讯群", "IM group"),
    ),
    (
        ("需求评审会", "Requirements review"),
        ("7月15日14:00", "2024-07-15 14:00"),
        (
            "客服部、产品部、技术部负责人+相关专员",
            "Heads of Customer Service, Product, Engineering + specialists",
        ),
        ("客服部痛点清单确认", "Confirm Customer Service's pain-point list"),
        ("会议纪要(含需求文档终版)", "Minutes (incl. final requirements document)"),
        ("会议", "Meeting"),
    ),
    (
        ("风险排查会", "Risk review"),
        ("每周五15:00", "weekly Fri 15:00"),
        ("项目发起方+各部门对接人", "Sponsor + all department contacts"),
        ("开发进度滞后风险", "Schedule risks in development"),
        ("风险清单及应对措施", "Risk list and responses"),
        ("会议", "Meeting"),
    ),
)

_REVIEW_ACTIONS = (
    ("更新风险清单并指定应对人", "Update the risk list and name owners"),
    ("跟进本部门滞后任务", "Follow up the department's late tasks"),
    ("确认下周关键节点", "Confirm next week's milestones"),
)


def _notes(li, names, pct, status, cause) -> u.pa.Array:
    """Update notes: "需求文档编写完成80%", "…完成60%,滞后", "阻塞:原因", "…已完成"."""
    names = u.pa.array(names, type=u.TEXT)
    p = u.num(pct.astype(np.int64))
    if li == 0:
        normal = u.cat(names, "完成", p, "%")
        late = u.cat(names, "完成", p, "%,滞后")
        done = u.cat(names, "已完成")
        blocked = u.cat("阻塞:", u.take([c[0] for c in _CAUSES.values()], _cause_idx(cause)))
    else:
        normal = u.cat(names, " ", p, "% done")
        late = u.cat(names, " ", p, "% done, behind plan")
        done = u.cat(names, " done")
        blocked = u.cat("Blocked: ", u.take([c[1] for c in _CAUSES.values()], _cause_idx(cause)))
    out = u.pc.if_else(u.pa.array(status == u.STATUS["delayed"]), late, normal)
    fin = (status == u.STATUS["done"]) | (status == u.STATUS["done_early"])
    out = u.pc.if_else(u.pa.array(fin), done, out)
    return u.pc.if_else(u.pa.array(status == u.STATUS["blocked"]), blocked, out)


def _cause_idx(cause: np.ndarray) -> np.ndarray:
    """Cause keys → positions in :data:`_CAUSES`."""
    order = np.array(list(_CAUSES))
    sorter = np.argsort(order)
    return sorter[np.searchsorted(order, cause, sorter=sorter)]


def _dept_lists(att: np.ndarray) -> list[list[str]]:
    """Rows of a days x departments attendance matrix → lists of department keys."""
    _, cols = np.nonzero(att)
    return list(u.lists(np.array(_DEPT_ORDER, dtype=object)[cols], att.sum(axis=1)))
