"""Words shown only by the widgets (controls, tabs, buttons), in Chinese and English.

Metric, KPI and chart words come from :mod:`collab_analytics.labels`; these are the few the
dashboard and loader add. (Candidates to move into ``labels.py``.)
"""

from __future__ import annotations

from collab_analytics.labels import check_lang, label

__all__ = ["text"]

_PAIRS: dict[str, tuple[str, str]] = {
    "projects": ("项目", "Projects"),
    "departments": ("部门", "Departments"),
    "period_start": ("周期开始", "Period from"),
    "period_end": ("周期结束", "Period to"),
    "as_of": ("数据截至", "As of"),
    "day_mode": ("天数口径", "Days"),
    "calendar_days": ("日历日", "Calendar days"),
    "working_days": ("工作日(含调休)", "Working days (CN)"),
    "language": ("语言", "Language"),
    "tab_delivery": ("交付", "Delivery"),
    "tab_bottlenecks": ("瓶颈", "Bottlenecks"),
    "tab_cadence": ("沟通节奏", "Communication cadence"),
    "tab_escalation": ("问题升级", "Escalation"),
    "tab_raci": ("RACI", "RACI"),
    "tab_forecast": ("预测", "Forecast"),
    "drill_department": ("下钻部门", "Drill into"),
    "drill_all": ("(选择部门)", "(pick a department)"),
    "drill_only_late": ("仅看延误/逾期", "Only late or overdue"),
    "drill_hint": (
        "在上方图表中点击某个部门,或在此选择部门,查看其任务明细。",
        "Click a department in a chart above, or pick one here, to see its tasks.",
    ),
    "drill_rows": ("{dept}:{n} 个任务", "{dept}: {n} tasks"),
    "export_view": ("导出当前视图", "Export this view"),
    "export_format": ("格式", "Format"),
    "export_folder": ("输出文件夹", "Output folder"),
    "export_done": ("已导出", "Exported"),
    "export_failed": ("导出失败", "Export failed"),
    "nothing_selected": ("当前筛选下没有数据", "Nothing in the current selection"),
    "upload": ("上传跟踪表", "Upload workbook"),
    "upload_hint": (
        "上传 跨部门协作沟通计划与跟踪表(.xlsx 或 .csv),先查看校验报告,再进入看板。",
        "Upload the tracking workbook (.xlsx or .csv); check the validation report, "
        "then open the dashboard.",
    ),
    "validation_report": ("数据校验报告", "Validation report"),
    "errors": ("错误", "Errors"),
    "warnings": ("警告", "Warnings"),
    "no_issues": ("未发现问题", "No problems found"),
    "open_dashboard": ("打开看板", "Open the dashboard"),
    "open_anyway": ("忽略错误并打开看板", "Open the dashboard anyway"),
    "load_failed": ("无法读取文件", "Could not read the file"),
    "severity": ("级别", "Severity"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "message": ("说明", "Message"),
    "hint": ("建议", "Hint"),
    "sheet": ("工作表", "Sheet"),
    "episodes": ("升级次数", "Episodes"),
    "judged": ("可判定", "Judged"),
    "within": ("48小时内", "Within limit"),
    "late": ("超时", "Late"),
    "never": ("未开会", "No meeting"),
    "compliance": ("合规率", "Compliance"),
    "remaining_tasks": ("剩余任务", "Remaining tasks"),
    "mean_daily_throughput": ("日均完成任务", "Mean daily throughput"),
    "p50": ("P50 完成日期", "P50 finish date"),
    "p85": ("P85 完成日期", "P85 finish date"),
    "p95": ("P95 完成日期", "P95 finish date"),
    "table_bottleneck_ranking": ("瓶颈部门排名", "Bottleneck ranking"),
    "table_escalation_by_department": ("各部门48小时升级合规", "48-hour rule by department"),
    "table_forecast": ("完成日期预测(蒙特卡洛)", "Finish-date forecast (Monte Carlo)"),
}


def text(key: str, lang: str = "zh", **fmt: object) -> str:
    """A widget word in ``lang``; falls back to :func:`collab_analytics.labels.label`.

    >>> text("tab_delivery", "en"), text("department", "zh")
    ('Delivery', '负责部门')
    """
    check_lang(lang)
    pair = _PAIRS.get(key)
    if pair is None:
        return label(key, lang, **fmt)
    s = pair[0] if lang == "zh" else pair[1]
    return s.format(**fmt) if fmt else s
