"""What a report contains, independent of its format (deck, HTML, tables).

:func:`collab_analytics.export.report.build_content` fills a :class:`ReportContent` from a
:class:`~collab_analytics.data.TrackingData`; the PPTX and HTML writers only lay it out.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.export.content import ReportContent, kpi_frame
>>> k = kpi_frame([("kpi_on_time_rate", 0.625, "62.5%")], lang="en")
>>> k.columns.tolist(), k.loc[0, "label"]
(['key', 'label', 'value', 'display'], 'On-time completion rate')
>>> ReportContent(lang="en", title="Demo", kpis=k).subtitle_lines()
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from collab_analytics.labels import check_lang, label

__all__ = ["ChartItem", "ReportContent", "format_value", "kpi_frame"]

#: Columns of :attr:`ReportContent.findings`.
FINDING_COLUMNS = ("polarity", "text", "evidence", "chart")


@dataclass
class ChartItem:
    """One chart of the report: its key, display title, the chart and its takeaway."""

    key: str
    title: str
    chart: alt.TopLevelMixin
    takeaway: str = ""


@dataclass
class ReportContent:
    """Everything a deck or HTML report shows, already labelled in ``lang``.

    Attributes
    ----------
    kpis : DataFrame
        ``[key, label, value, display]``, one row per headline KPI.
    charts : list of ChartItem
        Charts for every output (deck, HTML, PNG/SVG), in report order.
    interactive : list of ChartItem
        Views only the HTML report shows (linked selections make no sense on a slide).
    findings : DataFrame
        ``[polarity, text, evidence, chart]`` (polarity ``"went_well"`` / ``"to_improve"``).
    tables : dict of str to DataFrame
        Appendix tables keyed by a label key (e.g. ``"report_appendix"``), columns already
        display labels.
    """

    lang: str = "zh"
    title: str = ""
    project: str = ""
    sponsor: str = ""
    lead: str = ""
    period: str = ""
    as_of: str = ""
    kpis: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["key", "label", "value", "display"])
    )
    charts: list[ChartItem] = field(default_factory=list)
    interactive: list[ChartItem] = field(default_factory=list)
    findings: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(FINDING_COLUMNS))
    )
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_lang(self.lang)

    def subtitle_lines(self) -> list[str]:
        """Project, period, sponsor, lead and as-of lines for the title slide / header."""
        out = []
        if self.project:
            out.append(f"{label('project', self.lang)}: {self.project}")
        if self.period:
            out.append(f"{label('report_period', self.lang)}: {self.period}")
        if self.sponsor:
            out.append(f"{label('report_sponsor', self.lang)}: {self.sponsor}")
        if self.lead:
            out.append(f"{label('report_lead', self.lang)}: {self.lead}")
        if self.as_of:
            out.append(f"{label('report_as_of', self.lang)}: {self.as_of}")
        return out


def format_value(value: object, kind: str = "number") -> str:
    """Display text for a KPI value: ``kind`` is ``"rate"``, ``"days"``, ``"int"``, ``"date"``,
    ``"number"`` or ``"text"``; missing values show as ``"–"``.

    >>> format_value(0.6251, "rate"), format_value(3.0, "int"), format_value(None, "rate")
    ('62.5%', '3', '–')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "days":
        return f"{float(value):.1f}"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "number":
        return f"{float(value):.2f}"
    return str(value)


def kpi_frame(rows, *, lang: str = "zh") -> pd.DataFrame:
    """Build the KPI table from ``(key, value, display)`` tuples, adding labels in ``lang``."""
    rows = list(rows)
    return pd.DataFrame(
        {
            "key": pd.Series([r[0] for r in rows], dtype="str"),
            "label": pd.Series([label(r[0], lang) for r in rows], dtype="str"),
            "value": pd.Series([r[1] for r in rows], dtype="object"),
            "display": pd.Series([r[2] for r in rows], dtype="str"),
        }
    )
