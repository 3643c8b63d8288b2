"""Words the sample generators draw from, in Chinese and English.

Everything user-facing exists in both languages; index ``0`` is Chinese, ``1`` English.
"""

from __future__ import annotations

#: Default departments (zh, en), in the order tables show them.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("客服部", "Customer Service"),
    ("产品部", "Product"),
    ("技术部", "Engineering"),
    ("测试部", "QA"),
    ("市场部", "Marketing"),
    ("运营部", "Operations"),
    ("法务部", "Legal"),
)

#: Project phases (zh, en), in order.
PHASES: tuple[tuple[str, str], ...] = (
    ("需求收集", "Requirements gathering"),
    ("需求分析", "Requirements analysis"),
    ("方案设计", "Design"),
    ("开发测试", "Build and test"),
    ("上线推广", "Launch and rollout"),
)

# department (zh) -> task kinds: (name zh, name en, description zh, description en,
#                                 deliverable zh, deliverable en)
TASK_KINDS: dict[str, tuple[tuple[str, str, str, str, str, str], ...]] = {
    "客服部": (
        (
            "客户痛点收集",
            "Customer pain-point survey",
            "整理近3个月TOP10客户投诉",
            "Top-10 customer complaints of the last 3 months",
            "客户痛点清单",
            "Pain-point list",
        ),
        (
            "客服话术整理",
            "Service script review",
            "更新常见问题应答话术",
            "Update answers to frequent questions",
            "话术手册",
            "Script handbook",
        ),
        (
            "坐席培训",
            "Agent training",
            "组织一线坐席培训与考核",
            "Train and assess front-line agents",
            "培训记录",
            "Training record",
        ),
        (
            "知识库梳理",
            "Knowledge-base cleanup",
            "清理过期知识条目并补充新问题",
            "Retire stale articles and add new ones",
            "知识库条目",
            "Knowledge-base articles",
        ),
        (
            "用户反馈回访",
            "Customer feedback calls",
            "回访重点客户收集使用反馈",
            "Call key customers for feedback",
            "回访报告",
            "Call report",
        ),
    ),
    "产品部": (
        (
            "需求文档编写",
            "Requirements document",
            "输出含用户画像、功能优先级的需求文档",
            "PRD with personas and feature priorities",
            "需求文档",
            "Requirements document",
        ),
        (
            "原型设计",
            "Prototype design",
            "完成核心流程交互原型",
            "Interactive prototype of the core flows",
            "原型稿",
            "Prototype",
        ),
        (
            "验收标准制定",
            "Acceptance criteria",
            "明确各功能验收标准",
            "Acceptance criteria per feature",
            "验收标准",
            "Acceptance criteria",
        ),
        (
            "用户故事拆分",
            "User-story breakdown",
            "将需求拆分为可排期的用户故事",
            "Split requirements into plannable stories",
            "用户故事清单",
            "Story list",
        ),
    ),
    "技术部": (
        (
            "接口开发",
            "API development",
            "开发并联调对外接口",
            "Build and integrate the external APIs",
            "接口文档",
            "API spec",
        ),
        (
            "后端服务开发",
            "Back-end service development",
            "实现核心业务服务",
            "Implement the core business services",
            "服务代码",
            "Service code",
        ),
        (
            "前端页面开发",
            "Front-end development",
            "实现前端页面与交互",
            "Implement pages and interactions",
            "前端页面",
            "Front-end pages",
        ),
        (
            "数据迁移",
            "Data migration",
            "历史数据清洗与迁移",
            "Clean and migrate historical data",
            "迁移脚本",
            "Migration scripts",
        ),
        (
            "部署上线",
            "Deployment",
            "生产环境部署与灰度发布",
            "Production deployment and canary release",
            "部署记录",
            "Deployment record",
        ),
        (
            "性能优化",
            "Performance tuning",
            "优化响应时间与并发能力",
            "Improve response time and throughput",
            "性能报告",
            "Performance report",
        ),
    ),
    "测试部": (
        (
            "测试用例编写",
            "Test-case design",
            "按验收标准编写测试用例",
            "Write test cases from the acceptance criteria",
            "测试用例",
            "Test cases",
        ),
        (
            "功能测试",
            "Functional testing",
            "执行功能测试并跟踪缺陷",
            "Run functional tests, track defects",
            "测试报告",
            "Test report",
        ),
        (
            "回归测试",
            "Regression testing",
            "修复后全量回归",
            "Full regression after fixes",
            "回归报告",
            "Regression report",
        ),
        (
            "性能测试",
            "Load testing",
            "高峰并发压测",
            "Peak-load testing",
            "压测报告",
            "Load-test report",
        ),
    ),
    "市场部": (
        (
            "推广方案策划",
            "Campaign planning",
            "制定上线推广方案",
            "Plan the launch campaign",
            "推广方案",
            "Campaign plan",
        ),
        (
            "宣传物料制作",
            "Marketing collateral",
            "制作海报、推文等宣传物料",
            "Posters, articles and other collateral",
            "宣传物料",
            "Collateral",
        ),
        (
            "渠道投放",
            "Channel launch",
            "各渠道投放与效果跟踪",
            "Run and track channel placements",
            "投放计划",
            "Placement plan",
        ),
    ),
    "运营部": (
        (
            "运营方案制定",
            "Operations plan",
            "制定上线后运营方案",
            "Post-launch operations plan",
            "运营方案",
            "Operations plan",
        ),
        (
            "上线公告",
            "Launch announcement",
            "发布上线公告与使用指引",
            "Publish announcement and guide",
            "公告",
            "Announcement",
        ),
        (
            "数据看板搭建",
            "Ops dashboard",
            "搭建核心指标数据看板",
            "Dashboard of the key metrics",
            "数据看板",
            "Dashboard",
        ),
    ),
    "法务部": (
        (
            "合同审核",
            "Contract review",
            "审核供应商合同条款",
            "Review supplier contract terms",
            "审核意见",
            "Review notes",
        ),
        (
            "隐私合规评估",
            "Privacy compliance review",
            "评估个人信息处理合规性",
            "Assess personal-data processing compliance",
            "合规评估报告",
            "Compliance report",
        ),
        (
            "用户协议修订",
            "Terms update",
            "修订用户协议与隐私政策",
            "Revise terms and privacy policy",
            "用户协议",
            "Terms of service",
        ),
    ),
}

#: Kinds for a department the vocabulary does not know.
GENERIC_KINDS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("工作项", "Work item", "部门内工作项", "Department work item", "交付物", "Deliverable"),
    (
        "方案评审",
        "Proposal review",
        "评审部门方案",
        "Review the department's proposal",
        "评审意见",
        "Review notes",
    ),
    (
        "资料整理",
        "Documentation",
        "整理交付资料",
        "Prepare hand-over documents",
        "交付资料",
        "Hand-over pack",
    ),
)

#: Reasons a task gets blocked (zh, en).
BLOCK_REASONS: tuple[tuple[str, str], ...] = (
    ("等待上游接口联调", "waiting for upstream API integration"),
    ("开发资源不足", "not enough developers"),
    ("需求变更待确认", "requirement change not confirmed"),
    ("测试环境不可用", "test environment unavailable"),
    ("第三方供应商延迟交付", "third-party vendor late"),
    ("审批流程未完成", "approval still pending"),
)

PROJECT_STEMS: tuple[tuple[str, str], ...] = (
    ("智能客服系统上线", "Smart customer-service launch"),
    ("会员积分体系升级", "Loyalty points upgrade"),
    ("数据中台建设", "Data platform build-out"),
    ("移动端App改版", "Mobile app redesign"),
    ("供应链协同平台", "Supply-chain collaboration portal"),
    ("线上商城大促", "Online mall promotion"),
    ("新品发布", "New product launch"),
    ("客户投诉闭环优化", "Complaint-loop improvement"),
    ("财务系统迁移", "Finance system migration"),
    ("隐私合规整改", "Privacy compliance remediation"),
    ("渠道伙伴门户", "Partner portal"),
    ("智能推荐引擎", "Recommendation engine"),
    ("呼叫中心扩容", "Call-centre expansion"),
    ("海外市场拓展", "Overseas market entry"),
    ("工单系统重构", "Ticketing system rebuild"),
    ("电子合同平台", "E-contract platform"),
)

SURNAMES: tuple[tuple[str, str], ...] = (
    ("张", "Zhang"),
    ("李", "Li"),
    ("王", "Wang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("何", "He"),
    ("郭", "Guo"),
    ("马", "Ma"),
    ("罗", "Luo"),
)

GIVEN: tuple[tuple[str, str], ...] = (
    ("敏", "Min"),
    ("强", "Qiang"),
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("磊", "Lei"),
    ("洋", "Yang"),
    ("静", "Jing"),
    ("杰", "Jie"),
    ("婷", "Ting"),
    ("军", "Jun"),
    ("霞", "Xia"),
    ("涛", "Tao"),
    ("丽", "Li"),
    ("鹏", "Peng"),
    ("华", "Hua"),
    ("晨", "Chen"),
    ("琳", "Lin"),
    ("超", "Chao"),
    ("颖", "Ying"),
)

# communication plan items: key -> (item zh, item en, frequency zh, frequency en,
#                                    participants zh, participants en, agenda zh, agenda en,
#                                    output zh, output en, channel zh, channel en)
PLAN_ITEMS: dict[str, tuple[str, ...]] = {
    "daily": (
        "日常进度同步",
        "Daily progress sync",
        "每日17:00",
        "daily 17:00",
        "各部门对接人",
        "All department contacts",
        "任务完成情况、次日计划",
        "Today's progress, tomorrow's plan",
        "即时通讯群记录",
        "Chat group log",
        "即时通讯群",
        "IM group",
    ),
    "weekly": (
        "风险排查会",
        "Risk review",
        "每周五15:00",
        "weekly Fri 15:00",
        "项目发起方+各部门对接人",
        "Sponsor + all department contacts",
        "开发进度滞后风险",
        "Schedule risks",
        "风险清单及应对措施",
        "Risk list and responses",
        "会议",
        "Meeting",
    ),
    "biweekly": (
        "跨部门协调会",
        "Cross-team coordination",
        "每两周周三10:00",
        "biweekly Wed 10:00",
        "各部门负责人",
        "All department heads",
        "资源冲突与依赖协调",
        "Resource conflicts and dependencies",
        "会议纪要",
        "Minutes",
        "会议",
        "Meeting",
    ),
    "req_review": (
        "需求评审会",
        "Requirements review",
        None,
        None,
        None,
        None,
        "客户痛点清单确认",
        "Confirm the pain-point list",
        "会议纪要(含需求文档终版)",
        "Minutes (incl. final requirements document)",
        "会议",
        "Meeting",
    ),
    "golive_review": (
        "上线评审会",
        "Go-live review",
        None,
        None,
        None,
        None,
        "上线准备度检查",
        "Go-live readiness check",
        "上线检查清单",
        "Go-live checklist",
        "会议",
        "Meeting",
    ),
}

#: Escalation meeting topic suffixes (zh, en) by status.
ESCALATION_TOPIC = {
    "delayed": ("滞后专项会", "delay meeting"),
    "blocked": ("阻塞专项会", "blocker meeting"),
}

ACTION_TEXT = {
    "weekly": (
        ("更新风险清单并指定应对人", "Update the risk list and name owners"),
        ("跟进资源缺口", "Follow up the resource gap"),
        ("确认下周关键节点", "Confirm next week's milestones"),
    ),
    "review": (
        ("更新需求文档终版", "Publish the final requirements document"),
        ("补充验收标准", "Add acceptance criteria"),
    ),
    "daily": (("补充进度说明", "Add a progress note"),),
    "escalation": (("明确解决措施、责任人和新截止时间", "Agree fix, owner and new due date"),),
}

#: Relative weight of each department's work in each phase (order of :data:`PHASES`). The
#: generator rescales these so every department still gets an even share of the tasks.
PHASE_AFFINITY: dict[str, tuple[float, ...]] = {
    "客服部": (3.0, 1.0, 0.3, 0.3, 2.0),
    "产品部": (3.0, 3.0, 2.0, 0.5, 0.5),
    "技术部": (0.3, 2.0, 3.0, 3.0, 1.0),
    "测试部": (0.2, 1.0, 1.5, 3.0, 0.5),
    "市场部": (2.0, 0.5, 0.5, 0.3, 3.0),
    "运营部": (1.0, 0.5, 0.5, 0.5, 3.0),
    "法务部": (1.0, 1.0, 1.0, 0.3, 0.5),
}
