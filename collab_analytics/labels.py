"""Every user-facing label in Chinese and English, in one place.

Charts, findings, the deck, the HTML report and the CLI take their words from here, so one
``lang`` switch changes every title, axis, legend, tooltip and table header. Status labels are
the ones defined in :data:`collab_analytics.schema.STATUS_LABELS` (not repeated here).

Examples
--------
>>> from collab_analytics.labels import label, status_label, status_labels
>>> label("department", "zh"), label("department", "en")
('负责部门', 'Department')
>>> status_label("blocked", "zh")
'阻塞'
>>> status_labels("en")[:3]
['Not started', 'On track', 'Delayed']
>>> label("no_such_key", "zh")
Traceback (most recent call last):
...
KeyError: "Unknown label key 'no_such_key'."
"""

from __future__ import annotations

from collab_analytics._errors import CollabError
from collab_analytics.schema import STATUS_CODES, STATUS_LABELS

__all__ = [
    "LABELS",
    "LANGS",
    "check_lang",
    "label",
    "labels_for",
    "status_label",
    "status_labels",
]

#: Supported label languages.
LANGS: tuple[str, ...] = ("zh", "en")

#: key -> (zh, en)
_PAIRS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- columns / fields
    "project": ("项目", "Project"),
    "task": ("任务名称", "Task"),
    "task_id": ("任务编号", "Task ID"),
    "phase": ("阶段", "Phase"),
    "department": ("负责部门", "Department"),
    "owner": ("负责人", "Owner"),
    "status": ("状态", "Status"),
    "progress": ("进度", "Progress"),
    "planned_start": ("计划开始", "Planned start"),
    "planned_finish": ("计划完成", "Planned finish"),
    "actual_start": ("实际开始", "Actual start"),
    "actual_finish": ("实际完成", "Actual finish"),
    "depends_on": ("前置任务", "Depends on"),
    "date": ("日期", "Date"),
    "period": ("周期", "Period"),
    "week": ("周", "Week"),
    "month": ("月份", "Month"),
    "kind": ("类型", "Kind"),
    "value": ("数值", "Value"),
    "count": ("数量", "Count"),
    "share": ("占比", "Share"),
    "n_tasks": ("任务数", "Tasks"),
    "n_due": ("到期任务数", "Due tasks"),
    "n_on_time": ("按时完成数", "On time"),
    "n_late": ("延期完成数", "Finished late"),
    "n_overdue_open": ("逾期未完成数", "Overdue open"),
    "n_done": ("已完成数", "Done"),
    "on_time_rate": ("按时完成率", "On-time rate"),
    "delay_rate": ("延误率", "Delay rate"),
    "early_rate": ("提前完成率", "Early-completion rate"),
    "completion_rate": ("完成率", "Completion rate"),
    "delay_days": ("延误天数", "Delay (days)"),
    "mean_delay_days": ("平均延误天数", "Mean delay (days)"),
    "total_delay_days": ("延误天数合计", "Total delay (days)"),
    "own_delay_days": ("自身延误天数", "Own delay (days)"),
    "inherited_delay_days": ("继承延误天数", "Inherited delay (days)"),
    "blocked_days": ("阻塞天数", "Blocked (days)"),
    "handoff_wait_days": ("交接等待天数", "Handoff wait (days)"),
    "overdue_open_days": ("逾期未完成天数", "Overdue open (days)"),
    "downstream_hit": ("受影响下游任务", "Downstream tasks hit"),
    "score": ("瓶颈得分", "Bottleneck score"),
    "rank": ("排名", "Rank"),
    "component": ("构成", "Component"),
    "contribution": ("贡献", "Contribution"),
    "share_of_delay": ("占总延误比例", "Share of attributable delay"),
    "from_department": ("交出部门", "From department"),
    "to_department": ("接收部门", "To department"),
    "n_handoffs": ("交接次数", "Handoffs"),
    "median_wait_days": ("等待中位数(天)", "Median wait (days)"),
    "mean_wait_days": ("平均等待(天)", "Mean wait (days)"),
    "max_wait_days": ("最长等待(天)", "Max wait (days)"),
    "planned": ("计划", "Planned"),
    "actual": ("实际", "Actual"),
    "planned_done": ("计划完成累计", "Planned (cumulative)"),
    "actual_done": ("实际完成累计", "Actual (cumulative)"),
    "cumulative": ("累计完成", "Cumulative done"),
    "plan_item": ("沟通环节", "Plan item"),
    "occurrence": ("应开日期", "Expected date"),
    "outcome": ("结果", "Outcome"),
    "expected": ("应开", "Expected"),
    "held": ("已开", "Held"),
    "missed": ("未开", "Missed"),
    "unplanned": ("计划外召开", "Held off-plan"),
    "adherence": ("执行率", "Adherence"),
    "gap_days": ("间隔天数", "Gap (days)"),
    "median_gap_days": ("间隔中位数(天)", "Median gap (days)"),
    "hours_to_meeting": ("到会时长(小时)", "Hours to meeting"),
    "within_limit": ("48小时内处理", "Handled within 48 h"),
    "escalation_limit": ("48小时规则", "48-hour rule"),
    "handled": ("已处理", "Handled"),
    "not_handled": ("未处理", "Not handled"),
    "attendance_rate": ("出席率", "Attendance rate"),
    "n_expected": ("应出席次数", "Expected"),
    "n_attended": ("出席次数", "Attended"),
    "role": ("角色", "Role"),
    "violation": ("问题", "Violation"),
    "action": ("待办事项", "Action item"),
    "n_actions": ("待办数", "Action items"),
    "closed_on_time": ("按时关闭", "Closed on time"),
    "closed_late": ("逾期关闭", "Closed late"),
    "open_overdue": ("逾期未关闭", "Open, overdue"),
    "open_not_due": ("未到期", "Open, not yet due"),
    "closure_rate": ("关闭率", "Closure rate"),
    "finish_date": ("预计完成日期", "Forecast finish date"),
    "probability": ("概率", "Probability"),
    "cumulative_probability": ("累计概率", "Cumulative probability"),
    "percentile": ("分位", "Percentile"),
    "simulations": ("模拟次数", "Simulations"),
    "kpi": ("指标", "Indicator"),
    "before": ("上期", "Before"),
    "after": ("本期", "After"),
    "delta": ("变化", "Change"),
    "old_planned_finish": ("原计划完成", "Old planned finish"),
    "new_planned_finish": ("新计划完成", "New planned finish"),
    "shift_days": ("调整天数", "Shift (days)"),
    "evidence": ("依据", "Evidence"),
    "finding": ("发现", "Finding"),
    "polarity": ("类别", "Kind"),
    "went_well": ("做得好的", "What went well"),
    "to_improve": ("待改进的", "What to improve"),
    "chart": ("图表", "Chart"),
    "file": ("文件", "File"),
    "format": ("格式", "Format"),
    "more_tasks": ("其余任务", "more tasks"),
    "closed_no_due": ("已关闭(无截止日)", "Closed, no due date"),
    "open_no_due": ("未关闭(无截止日)", "Open, no due date"),
    "state": ("状态", "State"),
    "bin": ("区间(天)", "Range (days)"),
    "n_tasks_in_bin": ("任务数", "Tasks"),
    "n_sims": ("模拟次数", "Simulations"),
    "deadline": ("截止日期", "Deadline"),
    "p_meet_deadline": ("按期完成概率", "Chance to meet the deadline"),
    "remaining_tasks": ("剩余任务", "Remaining tasks"),
    "share_of_score": ("占得分", "Part of the score"),
    "contrib_own_delay_days": ("自身延误", "Own delay"),
    "contrib_blocked_days": ("阻塞时长", "Blocked time"),
    "contrib_handoff_wait_days": ("交接等待", "Handoff wait"),
    "contrib_overdue_open_days": ("逾期未完成", "Overdue open"),
    "contrib_downstream_tasks_hit": ("波及下游", "Downstream tasks hit"),
    "as_of_line": ("数据截至日", "As-of date"),
    "today_line": ("数据截至", "As of"),
    # ---------------------------------------------------------------- KPIs (headline)
    "kpi_tasks": ("任务总数", "Tasks"),
    "kpi_due": ("到期任务", "Due tasks"),
    "kpi_on_time_rate": ("按时完成率", "On-time completion rate"),
    "kpi_delay_rate": ("延误率", "Delay rate"),
    "kpi_completion_rate": ("完成率", "Completion rate"),
    "kpi_overdue_open": ("逾期未完成", "Overdue open tasks"),
    "kpi_blocked": ("阻塞任务", "Blocked tasks"),
    "kpi_mean_delay": ("平均延误天数", "Mean delay (days)"),
    "kpi_bottleneck": ("首要瓶颈部门", "Top bottleneck department"),
    "kpi_adherence": ("沟通计划执行率", "Communication plan adherence"),
    "kpi_escalation": ("48小时升级合规率", "48-hour escalation compliance"),
    "kpi_action_closure": ("待办关闭率", "Action-item closure rate"),
    "kpi_spi": ("进度绩效指数 SPI", "Schedule performance index (SPI)"),
    "kpi_forecast_p85": ("预计完成日期(P85)", "Forecast finish (P85)"),
    "kpi_tasks_blocked": ("曾阻塞的任务", "Tasks ever blocked"),
    # ---------------------------------------------------------------- chart titles
    "title_gantt": ("任务甘特图:计划 vs 实际", "Gantt: planned vs actual"),
    "gantt_finish_only": (
        "菱形: 只有完成日期、没有开始日期的任务",
        "Diamond: a task with a finish date but no start date",
    ),
    "title_delivery_by_department": (
        "各部门按时完成率与延误率",
        "On-time and delay rate by department",
    ),
    "title_delivery_by_period": ("按周期的按时完成率与延误率", "On-time and delay rate by period"),
    "title_slippage": ("延误天数分布", "Slippage distribution"),
    "title_bottleneck": ("瓶颈部门排名及构成", "Bottleneck ranking and its breakdown"),
    "title_attribution": ("自身延误 vs 继承延误(按部门)", "Own vs inherited delay by department"),
    "title_slippage_histogram": ("延误天数分布(区间)", "Slippage histogram"),
    "title_linked": (
        "各部门交付与瓶颈(点击部门联动高亮)",
        "Delivery and bottlenecks by department (click a department)",
    ),
    "title_comparison": ("期间对比", "Period-over-period"),
    "title_handoffs": ("部门间交接等待", "Handoff waits between departments"),
    "title_burnup": ("累计完成:计划 vs 实际", "Burn-up: planned vs actual"),
    "title_status_mix": ("任务状态分布变化", "Status mix over time"),
    "title_cadence": ("沟通计划执行日历", "Communication cadence calendar"),
    "title_gaps": ("会议间隔时间线", "Gaps between meetings"),
    "title_escalation": (
        "问题升级到会时长 vs 48小时规则",
        "Escalation time-to-meeting vs the 48 h rule",
    ),
    "title_attendance": ("部门出席矩阵", "Attendance by department"),
    "title_raci": ("RACI 矩阵与问题标记", "RACI matrix with violations"),
    "title_actions": ("待办事项关闭情况", "Action-item closure"),
    "title_forecast": ("蒙特卡洛完成日期预测", "Monte Carlo finish-date forecast"),
    # ---------------------------------------------------------------- report / deck
    "report_title": ("跨部门协作复盘报告", "Cross-department collaboration retrospective"),
    "report_period": ("统计周期", "Period"),
    "report_as_of": ("数据截至", "Data as of"),
    "report_sponsor": ("发起部门", "Sponsor"),
    "report_lead": ("项目负责人", "Project lead"),
    "report_kpis": ("核心指标", "Key indicators"),
    "report_findings": ("复盘发现", "Findings"),
    "report_charts": ("图表", "Charts"),
    "report_appendix": ("附录:延误与阻塞任务", "Appendix: late and blocked tasks"),
    "report_comparison": ("期间对比", "Period-over-period"),
    "report_replanned": ("重新计划的任务", "Re-planned tasks"),
    "report_generated_by": ("由 collab_analytics 生成", "Generated by collab_analytics"),
    "report_no_rows": ("无", "None"),
    "no_data": ("暂无数据", "No data"),
    "report_more_rows": ("另有 {n} 行未显示", "{n} more rows not shown"),
    "report_written": ("已写入", "Written"),
    "report_validation_failed": ("数据校验未通过", "Validation failed"),
    "days_suffix": ("天", "d"),
    "hours_suffix": ("小时", "h"),
    # ---------------------------------------------------------------- dashboard and loader widgets
    "ui_projects": ("项目", "Projects"),
    "ui_departments": ("部门", "Departments"),
    "ui_period_start": ("周期开始", "Period from"),
    "ui_period_end": ("周期结束", "Period to"),
    "ui_as_of": ("数据截至", "As of"),
    "ui_day_mode": ("天数口径", "Days"),
    "ui_calendar_days": ("日历日", "Calendar days"),
    "ui_working_days": ("工作日(含调休)", "Working days (CN)"),
    "ui_language": ("语言", "Language"),
    "ui_tab_delivery": ("交付", "Delivery"),
    "ui_tab_bottlenecks": ("瓶颈", "Bottlenecks"),
    "ui_tab_cadence": ("沟通节奏", "Communication cadence"),
    "ui_tab_escalation": ("问题升级", "Escalation"),
    "ui_tab_raci": ("RACI", "RACI"),
    "ui_tab_forecast": ("预测", "Forecast"),
    "ui_drill_department": ("下钻部门", "Drill into"),
    "ui_drill_all": ("(选择部门)", "(pick a department)"),
    "ui_drill_only_late": ("仅看延误/逾期", "Only late or overdue"),
    "ui_drill_hint": (
        "在上方图表中点击某个部门,或在此选择部门,查看其任务明细。",
        "Click a department in a chart above, or pick one here, to see its tasks.",
    ),
    "ui_drill_rows": ("{dept}:{n} 个任务", "{dept}: {n} tasks"),
    "ui_export_view": ("导出当前视图", "Export this view"),
    "ui_export_format": ("格式", "Format"),
    "ui_export_folder": ("输出文件夹", "Output folder"),
    "ui_export_done": ("已导出", "Exported"),
    "ui_export_failed": ("导出失败", "Export failed"),
    "ui_nothing_selected": ("当前筛选下没有数据", "Nothing in the current selection"),
    "ui_upload": ("上传跟踪表", "Upload workbook"),
    "ui_upload_hint": (
        "上传 跨部门协作沟通计划与跟踪表(.xlsx 或 .csv),先查看校验报告,再进入看板。",
        "Upload the tracking workbook (.xlsx or .csv); check the validation report, "
        "then open the dashboard.",
    ),
    "ui_validation_report": ("数据校验报告", "Validation report"),
    "ui_errors": ("错误", "Errors"),
    "ui_warnings": ("警告", "Warnings"),
    "ui_no_issues": ("未发现问题", "No problems found"),
    "ui_open_dashboard": ("打开看板", "Open the dashboard"),
    "ui_open_anyway": ("忽略错误并打开看板", "Open the dashboard anyway"),
    "ui_load_failed": ("无法读取文件", "Could not read the file"),
    "ui_severity": ("级别", "Severity"),
    "ui_row": ("行", "Row"),
    "ui_column": ("列", "Column"),
    "ui_value": ("值", "Value"),
    "ui_message": ("说明", "Message"),
    "ui_hint": ("建议", "Hint"),
    "ui_sheet": ("工作表", "Sheet"),
    "ui_episodes": ("升级次数", "Episodes"),
    "ui_judged": ("可判定", "Judged"),
    "ui_within": ("48小时内", "Within limit"),
    "ui_late": ("超时", "Late"),
    "ui_never": ("未开会", "No meeting"),
    "ui_compliance": ("合规率", "Compliance"),
    "ui_mean_daily_throughput": ("日均完成任务", "Mean daily throughput"),
    "ui_p50": ("P50 完成日期", "P50 finish date"),
    "ui_p85": ("P85 完成日期", "P85 finish date"),
    "ui_p95": ("P95 完成日期", "P95 finish date"),
    "ui_table_bottleneck_ranking": ("瓶颈部门排名", "Bottleneck ranking"),
    "ui_table_escalation_by_department": ("各部门48小时升级合规", "48-hour rule by department"),
    "ui_table_forecast": ("完成日期预测(蒙特卡洛)", "Finish-date forecast (Monte Carlo)"),
    "ui_show_owners": ("显示负责人(个人层面)", "Show owners (person level)"),
    "ui_owners_hint": (
        "默认按部门复盘,不指向个人;勾选后显示负责人,少于 {n} 个任务的负责人不单独列出。",
        "Department level by default; when ticked, owners with fewer than {n} tasks "
        "are not shown on their own.",
    ),
    "ui_owner_hidden": ("(小组不列出)", "(small group hidden)"),
    "ui_table_by_owner": ("各负责人交付情况", "Delivery by owner"),
}

#: ``{lang: {key: text}}`` for every supported language.
LABELS: dict[str, dict[str, str]] = {
    "zh": {k: v[0] for k, v in _PAIRS.items()},
    "en": {k: v[1] for k, v in _PAIRS.items()},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise :class:`CollabError`.

    >>> check_lang("zh")
    'zh'
    """
    if lang not in LANGS:
        msg = f"Unsupported language {lang!r}. Expected one of: {list(LANGS)}."
        raise CollabError(msg)
    return lang


def label(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label for ``key`` in ``lang``; ``fmt`` fills ``{placeholders}``.

    Status codes are accepted as keys too (``label("done", "zh") == "已完成"``).

    >>> label("report_more_rows", "en", n=3)
    '3 more rows not shown'
    >>> label("done", "zh")
    '已完成'
    """
    check_lang(lang)
    text = LABELS[lang].get(key)
    if text is None:
        text = STATUS_LABELS[lang].get(key)
    if text is None:
        msg = f"Unknown label key {key!r}."
        raise KeyError(msg)
    return text.format(**fmt) if fmt else text


def labels_for(keys, lang: str = "zh") -> dict[str, str]:
    """``{key: label}`` for several keys (handy for ``DataFrame.rename``).

    >>> labels_for(["task", "status"], "en")
    {'task': 'Task', 'status': 'Status'}
    """
    return {k: label(k, lang) for k in keys}


def status_label(code: str, lang: str = "zh") -> str:
    """Display label of a status code, from :data:`collab_analytics.schema.STATUS_LABELS`."""
    check_lang(lang)
    return STATUS_LABELS[lang][code]


def status_labels(lang: str = "zh", codes=STATUS_CODES) -> list[str]:
    """Status labels in the canonical chart order (``schema.STATUS_CODES``)."""
    check_lang(lang)
    return [STATUS_LABELS[lang][c] for c in codes]
