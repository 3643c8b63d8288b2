"""Helpers shared by the chart builders: explicit orders, labelled tooltips, row limits."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from collab_analytics._errors import SchemaError
from collab_analytics.labels import check_lang, label
from collab_analytics.schema import STATUS_LABELS

__all__: list[str] = []  # private module

#: Hard ceiling on rows embedded in any chart (altair's MaxRowsError default is 5,000).
MAX_CHART_ROWS = 4000

#: Label of a missing status (kept out of the canonical status vocabulary).
_UNKNOWN_STATUS = {"zh": "未填写", "en": "Not recorded"}


def require(frame: pd.DataFrame, columns: Sequence[str], builder: str) -> None:
    """Raise :class:`SchemaError` naming the missing columns of a metric frame."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{builder}() needs columns {missing} in its metric frame; got {list(frame.columns)}."
        raise SchemaError(msg)


def check_rows(frame: pd.DataFrame, builder: str) -> pd.DataFrame:
    """Refuse frames that would make an oversized chart (aggregate in metrics first)."""
    if len(frame) > MAX_CHART_ROWS:
        msg = (
            f"{builder}() got {len(frame):,} rows; charts carry at most {MAX_CHART_ROWS:,}. "
            "Pass the aggregated metric frame, not per-task rows."
        )
        raise SchemaError(msg)
    return frame


def order(values: pd.Series, preferred: Sequence[str] | None = None) -> list[str]:
    """Explicit display order: ``preferred`` first (those present), then the rest as they
    appear. Never code-point order unless the caller asks for it."""
    present = pd.unique(values.dropna().astype("str")).tolist()
    if preferred is None:
        return present
    seen = set(present)
    head = list(dict.fromkeys(str(p) for p in preferred if str(p) in seen))
    taken = set(head)
    return head + [v for v in present if v not in taken]


def status_text(codes: pd.Series, lang: str) -> pd.Series:
    """Status codes → display labels (missing → "未填写"/"Not recorded")."""
    check_lang(lang)
    mapping = STATUS_LABELS[lang]
    out = codes.astype("object").map(mapping)
    return out.fillna(_UNKNOWN_STATUS[lang]).astype("str")


def unknown_status(lang: str) -> str:
    return _UNKNOWN_STATUS[lang]


def tip(
    field: str,
    key: str | None,
    lang: str,
    type_: str = "nominal",
    fmt: str | None = None,
    title: str | None = None,
) -> alt.Tooltip:
    """A tooltip whose title comes from the label table."""
    kw = {"title": title if title is not None else label(key or field, lang)}
    if fmt:
        kw["format"] = fmt
    if ":" in field or "(" in field:  # shorthand syntax (a type, an aggregate): Altair parses it
        return alt.Tooltip(field, type=type_, **kw)
    # a plain column name as the field itself: the same spec, but Altair does not look the
    # column up in the chart's data to infer a type that the explicit one overrides anyway
    return alt.Tooltip(field=field, type=type_, **kw)


def department_selection(field: str = "department") -> alt.Parameter:
    """Click-to-highlight selection of departments (named ``dept`` in every chart, so views
    concatenated by :func:`collab_analytics.charts.linked_departments` highlight together)."""
    return alt.selection_point(name="dept", fields=[field])


def highlight(param: alt.Parameter, on: float = 1.0, off: float = 0.25):
    """Opacity condition: selected departments opaque, others faded."""
    return alt.OpacityValue(**alt.condition(param, alt.value(on), alt.value(off)))


def props(chart, **kwargs):
    """``chart.properties(**kwargs)``. Outside Altair's debug mode (the dashboard builds its
    charts there) the properties are set without validating each against the schema, as
    Altair then skips validating the objects themselves; the result is the same chart. The
    chart tests validate every builder's whole spec.

    >>> import altair as alt, pandas as pd
    >>> c = alt.Chart(pd.DataFrame({"a": [1]})).mark_point()
    >>> with alt.utils.schemapi.debug_mode(False):
    ...     fast = props(c, title="T", width=300)
    >>> fast.to_dict() == c.properties(title="T", width=300).to_dict()
    True
    """
    if alt.utils.schemapi.DEBUG_MODE:
        return chart.properties(**kwargs)
    out = chart.copy(deep=False)
    for key, value in kwargs.items():
        setattr(out, key, value)
    return out


def empty_chart(title: str, lang: str) -> alt.Chart:
    """A small placeholder chart saying there is nothing to show."""
    chart = (
        alt.Chart(pd.DataFrame({"t": [label("no_data", lang)]}), title=title)
        .mark_text(fontSize=16, color="#888888")
        .encode(text=alt.Text("t:N"))
    )
    return props(chart, width=400, height=60)
