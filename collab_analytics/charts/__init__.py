"""Altair chart builders: a metric frame in, an ``alt.Chart`` out (zh/en labels, one theme).

Builders never compute metrics, save or print. Export themed charts with
:mod:`collab_analytics.export.images`; in a notebook call :func:`enable_theme` once.

Examples
--------
>>> from collab_analytics import charts
>>> "gantt" in charts.CHART_KEYS
True
"""

from __future__ import annotations

from collab_analytics.charts.bottleneck import (
    bottleneck_chart,
    linked_departments,
    slippage_histogram_chart,
)
from collab_analytics.charts.communication import (
    attendance_matrix,
    cadence_calendar,
    escalation_chart,
    gaps_timeline,
    handoff_heatmap,
)
from collab_analytics.charts.delivery import (
    delay_attribution_chart,
    delivery_rates,
    delivery_trend,
    gantt,
    slippage,
)
from collab_analytics.charts.governance import actions_chart, raci_heatmap
from collab_analytics.charts.progress import burnup_chart, forecast_chart, status_mix_chart
from collab_analytics.charts.theme import apply_theme, enable_theme, to_spec, untitled

__all__ = [
    "CHART_KEYS",
    "INTERACTIVE_KEYS",
    "actions_chart",
    "apply_theme",
    "attendance_matrix",
    "bottleneck_chart",
    "burnup_chart",
    "cadence_calendar",
    "delay_attribution_chart",
    "delivery_rates",
    "delivery_trend",
    "enable_theme",
    "escalation_chart",
    "forecast_chart",
    "gantt",
    "gaps_timeline",
    "handoff_heatmap",
    "linked_departments",
    "raci_heatmap",
    "slippage",
    "slippage_histogram_chart",
    "status_mix_chart",
    "to_spec",
    "untitled",
]

#: Chart keys in report order, with the label key of each title.
CHART_KEYS: dict[str, str] = {
    "gantt": "title_gantt",
    "delivery_by_department": "title_delivery_by_department",
    "delivery_by_period": "title_delivery_by_period",
    "slippage": "title_slippage",
    "slippage_histogram": "title_slippage_histogram",
    "bottleneck": "title_bottleneck",
    "attribution": "title_attribution",
    "handoffs": "title_handoffs",
    "burnup": "title_burnup",
    "status_mix": "title_status_mix",
    "cadence": "title_cadence",
    "gaps": "title_gaps",
    "escalation": "title_escalation",
    "attendance": "title_attendance",
    "raci": "title_raci",
    "actions": "title_actions",
    "forecast": "title_forecast",
}

#: Keys of views meant for interactive output only (the HTML report), not for slides/PNG.
INTERACTIVE_KEYS: dict[str, str] = {"linked": "title_linked"}
