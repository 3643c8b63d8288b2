"""One theme for every chart: CJK-capable fonts, status colours, slide-readable sizes.

Builders never configure charts themselves; :func:`apply_theme` (used by every exporter) or
:func:`enable_theme` (for notebooks) adds :func:`theme_config` at the top level, so layered and
concatenated charts stay composable.

Examples
--------
>>> from collab_analytics.charts.theme import FONT_FAMILY, status_scale, theme_config
>>> FONT_FAMILY.endswith("sans-serif")
True
>>> sc = status_scale("zh")
>>> sc["domain"][:3], sc["range"][2]
(['未开始', '正常', '滞后'], '#F28E2B')
>>> theme_config()["config"]["font"] == FONT_FAMILY
True
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import altair as alt
import pandas as pd

from collab_analytics.charts._values import frame_values
from collab_analytics.labels import check_lang, status_label
from collab_analytics.schema import STATUS_CODES

__all__ = [
    "DEPARTMENT_PALETTE",
    "FONT_FAMILY",
    "STATUS_COLORS",
    "THEME_NAME",
    "apply_theme",
    "department_scale",
    "enable_theme",
    "status_scale",
    "theme_config",
    "to_spec",
    "untitled",
]

#: CSS font list used by every chart. It ends in a generic family: a single unknown name would
#: make vl-convert drop all text silently.
FONT_FAMILY = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

#: One colour per status code, the same in every chart, deck and report.
STATUS_COLORS: dict[str, str] = {
    "not_started": "#BAB0AC",  # grey
    "on_track": "#4E79A7",  # blue
    "delayed": "#F28E2B",  # orange
    "blocked": "#E15759",  # red
    "done_early": "#76B7B2",  # teal
    "done": "#59A14F",  # green
    "cancelled": "#D7D7D7",  # light grey
}

#: Colours for departments, assigned in the order departments are given.
DEPARTMENT_PALETTE: tuple[str, ...] = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#EDC948",
    "#76B7B2",
    "#FF9DA7",
    "#9C755F",
    "#E15759",
    "#BAB0AC",
)

#: Colours for good / bad / neutral in diverging or two-valued charts.
GOOD, BAD, NEUTRAL, PLAN = "#59A14F", "#E15759", "#BAB0AC", "#9DB7D5"

THEME_NAME = "collab_analytics"

#: Default chart size, readable when placed full-width on a 16:9 slide.
WIDTH, HEIGHT = 640, 340


def status_scale(lang: str = "zh", codes: Sequence[str] = STATUS_CODES) -> dict:
    """Vega-Lite scale mapping status labels (in ``lang``) to :data:`STATUS_COLORS`."""
    check_lang(lang)
    return {
        "domain": [status_label(c, lang) for c in codes],
        "range": [STATUS_COLORS[c] for c in codes],
    }


def department_scale(departments: Sequence[str]) -> dict:
    """Vega-Lite scale giving each department its palette colour, in the given order.

    >>> department_scale(["客服部", "产品部"])
    {'domain': ['客服部', '产品部'], 'range': ['#4E79A7', '#F28E2B']}
    """
    depts = list(departments)
    n = len(DEPARTMENT_PALETTE)
    return {"domain": depts, "range": [DEPARTMENT_PALETTE[i % n] for i in range(len(depts))]}


def theme_config() -> dict:
    """The theme as a Vega-Lite top-level dict (``{"config": ...}``): fonts and sizes."""
    axis = {
        "labelFontSize": 13,
        "titleFontSize": 14,
        "titleFontWeight": "normal",
        "labelLimit": 220,
        "gridColor": "#E6E6E6",
        "domainColor": "#888888",
        "tickColor": "#888888",
    }
    return {
        "config": {
            "font": FONT_FAMILY,
            "background": "white",
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "axis": axis,
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 14,
                "titleFontWeight": "normal",
                "labelLimit": 240,
                "symbolSize": 140,
            },
            "header": {"labelFontSize": 14, "titleFontSize": 14},
            "title": {
                "fontSize": 20,
                "fontWeight": "bold",
                "anchor": "start",
                "subtitleFontSize": 14,
                "subtitleColor": "#555555",
                "offset": 12,
            },
            "text": {"fontSize": 13},
            "range": {"category": list(DEPARTMENT_PALETTE)},
            "bar": {"continuousBandSize": 12},
        }
    }


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite dict with the theme applied (chart's own config wins).

    Schema validation is skipped here (it costs ~0.1 s per chart); the test-suite validates
    every builder's spec with ``chart.to_dict()``. A frame shared by several layers is turned
    into rows once (Altair converts it again for every layer that refers to it); the spec is
    the same.

    >>> import altair as alt, pandas as pd
    >>> spec = to_spec(alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q"))
    >>> spec["config"]["font"].split(",")[0]
    'Noto Sans SC'
    """
    # outside Altair's debug mode: the schema objects to_dict creates on the way (copies of
    # layers, named datasets) are not validated one by one either
    with _each_frame_once(), alt.utils.schemapi.debug_mode(False):
        spec = chart.to_dict(validate=False)
    cfg = copy.deepcopy(theme_config()["config"])
    _deep_update(cfg, spec.get("config", {}))
    spec["config"] = cfg
    return spec


_ONCE = "collab_analytics_each_frame_once"


@contextmanager
def _each_frame_once() -> Iterator[None]:
    """Within the block, each DataFrame object is converted by the active data transformer
    once; layers sharing it reuse the same rows (and so the same dataset name).

    With Altair's default transformer active, a data frame becomes rows through
    :func:`~collab_analytics.charts._values.frame_values` (the same rows, built column by
    column) after the same row-limit check; other transformers are used as they are."""
    registry = alt.data_transformers
    active = registry.get()
    fast = registry.active == "default" and set(registry.options) <= {"max_rows"}
    max_rows = registry.options.get("max_rows", 5000)
    seen: dict[int, tuple[object, object]] = {}

    def convert(data):
        if fast and isinstance(data, pd.DataFrame) and (max_rows is None or len(data) <= max_rows):
            values = frame_values(data)
            if values is not None:
                return {"values": values}
        return active(data)  # raises MaxRowsError above the limit, as before

    def transform(data, **_options):
        hit = seen.get(id(data))
        if hit is None or hit[0] is not data:
            hit = seen[id(data)] = (data, convert(data))  # keeps ``data`` alive: ids unique
        return hit[1]

    registry.register(_ONCE, transform)
    with registry.enable(_ONCE):
        yield


def apply_theme(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of ``chart`` with the theme set as its top-level config (for display/saving)."""
    out = chart.copy(deep=False)
    cfg = copy.deepcopy(theme_config()["config"])
    own = chart.to_dict().get("config", {}) if chart.config is not alt.Undefined else {}
    _deep_update(cfg, own)
    out.config = alt.Config.from_dict(cfg)
    return out


def untitled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A shallow copy of ``chart`` without its top-level title, for slides whose own title
    carries it. A subtitle (e.g. how to read the chart) is kept, drawn as the title line in the
    subtitle style (Vega draws nothing at all for an empty title text).

    >>> import altair as alt, pandas as pd
    >>> c = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().properties(
    ...     title=alt.Title("T", subtitle="how to read"))
    >>> t = untitled(c).to_dict()["title"]
    >>> t["text"], t["fontWeight"]
    ('how to read', 'normal')
    >>> "title" in untitled(c.properties(title="T")).to_dict()
    False
    """
    out = chart.copy(deep=False)
    t = chart.title
    sub = alt.Undefined
    if isinstance(t, alt.TitleParams):
        sub = t.subtitle
    elif isinstance(t, dict):
        sub = t.get("subtitle", alt.Undefined)
    if sub is alt.Undefined or not sub:
        out.title = alt.Undefined
    else:
        cfg = theme_config()["config"]["title"]
        out.title = alt.Title(
            sub,
            fontSize=cfg["subtitleFontSize"],
            fontWeight="normal",
            color=cfg["subtitleColor"],
        )
    return out


def enable_theme() -> str:
    """Register and enable the theme globally (for notebooks); returns its name."""
    if THEME_NAME not in alt.theme.names():

        @alt.theme.register(THEME_NAME, enable=False)
        def _theme() -> alt.theme.ThemeConfig:
            return theme_config()

    alt.theme.enable(THEME_NAME)
    return THEME_NAME


def _deep_update(base: dict, extra: dict) -> None:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_update(base[k], v)
        else:
            base[k] = v
