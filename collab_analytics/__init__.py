"""collab_analytics — retrospective analytics for cross-department project tracking workbooks.

Load the tracking workbook your teams already keep (跨部门协作沟通计划与跟踪表), validate it,
and compute delivery, bottleneck and communication metrics as tidy pandas DataFrames.

Everything but the exception classes is imported lazily, on first use, so
``import collab_analytics`` stays fast (pandas is imported when the first table is needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collab_analytics._errors import (
    CollabError,
    DataValidationError,
    FileFormatError,
    ScheduleParseError,
    SchemaError,
    UnsafePathError,
)

__version__ = "0.1.0"

# name -> module that defines it; resolved on first attribute access (PEP 562)
_LAZY = {
    "TrackingData": "collab_analytics.data",
    "WorkCalendar": "collab_analytics.calendar",
    "get_calendar": "collab_analytics.calendar",
    "read_workbook": "collab_analytics.io",
    "read_csv": "collab_analytics.io",
    "read_folder": "collab_analytics.io",
    "load": "collab_analytics.io",
    "write_template": "collab_analytics.io",
    "write_workbook": "collab_analytics.io",
    "sample": "collab_analytics.sample",
    "metrics": "collab_analytics.metrics",
    "charts": "collab_analytics.charts",
    "export": "collab_analytics.export",
    "findings": "collab_analytics.findings",
    "widgets": "collab_analytics.widgets",
}

__all__ = [
    "CollabError",
    "DataValidationError",
    "FileFormatError",
    "ScheduleParseError",
    "SchemaError",
    "TrackingData",
    "UnsafePathError",
    "WorkCalendar",
    "__version__",
    "charts",
    "export",
    "findings",
    "get_calendar",
    "load",
    "metrics",
    "read_csv",
    "read_folder",
    "read_workbook",
    "sample",
    "widgets",
    "write_template",
    "write_workbook",
]

if TYPE_CHECKING:  # pragma: no cover
    from collab_analytics import charts, export, findings, metrics, sample, widgets
    from collab_analytics.calendar import WorkCalendar, get_calendar
    from collab_analytics.data import TrackingData
    from collab_analytics.io import (
        load,
        read_csv,
        read_folder,
        read_workbook,
        write_template,
        write_workbook,
    )


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'collab_analytics' has no attribute {name!r}"
        raise AttributeError(msg)
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
