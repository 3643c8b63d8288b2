"""Jupyter widgets: the retrospective dashboard and the workbook loader.

Widgets only wire controls to :mod:`collab_analytics.metrics`, :mod:`collab_analytics.charts`,
:mod:`collab_analytics.findings` and :mod:`collab_analytics.export`; charts render offline
(Vega comes from vl-convert's bundle, no CDN) in JupyterLab and Voila.
"""

from __future__ import annotations

from collab_analytics.widgets.dashboard import TABS, RetrospectiveDashboard
from collab_analytics.widgets.loader import WorkbookLoader

__all__ = ["TABS", "RetrospectiveDashboard", "WorkbookLoader"]
