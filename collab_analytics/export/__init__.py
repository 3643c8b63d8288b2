"""Export: PNG/SVG images, the PPTX deck, the HTML report, XLSX/CSV tables, one-call report.

The main entry points are re-exported here and imported on first use:

>>> from collab_analytics import export
>>> export.build_report.__name__
'build_report'
"""

from __future__ import annotations

import importlib

_LAZY = {
    "build_report": "report",
    "run_report": "report",
    "ReportResult": "report",
    "write_deck": "pptx",
    "write_html": "html",
    "chart_to_png": "images",
    "chart_to_svg": "images",
    "save_chart": "images",
    "write_xlsx": "tables",
    "write_csv": "tables",
    "neutralize_formulas": "tables",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'collab_analytics.export' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"collab_analytics.export.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
