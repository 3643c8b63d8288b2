"""The retrospective dashboard: controls wired to the metric, chart, findings and export layers.

:class:`RetrospectiveDashboard` shows a :class:`~collab_analytics.data.TrackingData` as KPI
tiles and six tabs (delivery, bottlenecks, communication cadence, escalation, RACI, forecast).
Every control change recomputes what is visible:

1. the data is restricted to the selected projects, departments and period
   (:func:`collab_analytics.widgets._filter.restrict`, cached per selection);
2. the headline KPIs and the *visible* tab's metric frames are computed by the metric layer
   (cached per selection, as-of date and day mode);
3. the tab's charts are built by the chart layer and pushed into live
   :class:`altair.JupyterChart` widgets (offline: the JavaScript comes from vl-convert).

Clicking a department in a chart (the charts' ``dept`` selection) or picking one in the
drill-down list shows the task rows behind it. "Export this view" writes the visible charts
and KPIs through :mod:`collab_analytics.export`.

State for tests and notebooks: :attr:`~RetrospectiveDashboard.filtered`,
:attr:`~RetrospectiveDashboard.kpis`, :attr:`~RetrospectiveDashboard.frames`,
:attr:`~RetrospectiveDashboard.current_specs`, :attr:`~RetrospectiveDashboard.drill_rows`,
:attr:`~RetrospectiveDashboard.last_update_ms`.

Examples
--------
>>> from collab_analytics import sample
>>> from collab_analytics.widgets import RetrospectiveDashboard
>>> dash = RetrospectiveDashboard(sample.portfolio(n_projects=2, tasks_per_project=12, seed=1))
>>> dash.departments.value = ("技术部",)
>>> set(dash.filtered.tasks["department"])
{'技术部'}
>>> sorted(dash.current_specs)[:1]
['delivery_by_department']
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import ipywidgets as W
import pandas as pd

from collab_analytics import charts as _charts
from collab_analytics.calendar import get_calendar
from collab_analytics.data import TrackingData
from collab_analytics.labels import check_lang
from collab_analytics.metrics.delivery import MIN_GROUP_SIZE
from collab_analytics.widgets import _panels
from collab_analytics.widgets._filter import FilterIndex, ScopedData, filter_state
from collab_analytics.widgets._text import text

__all__ = ["TABS", "RetrospectiveDashboard"]

#: Tab keys, in display order.
TABS: tuple[str, ...] = ("delivery", "bottlenecks", "cadence", "escalation", "raci", "forecast")

_DAY_MODES = ("calendar", "cn")
_CACHE_SIZE = 16
_DRILL_MAX_ROWS = 200


@dataclass(frozen=True)
class Context:
    """What a panel needs: the restricted data and the options in force."""

    data: ScopedData
    as_of: pd.Timestamp | None
    calendar: object
    lang: str
    departments: tuple[str, ...]
    show_owners: bool = False
    min_group_size: int = MIN_GROUP_SIZE
    #: Results computed once per dataset (whatever the selection), shared by every selection.
    cache: dict | None = field(default=None, compare=False, hash=False, repr=False)


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key, make: Callable):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


def _offline_charts() -> None:
    """JupyterChart loads Vega from vl-convert's bundle, never from a CDN."""
    alt.JupyterChart.enable_offline(True)


def _param_names(chart) -> tuple[str, ...]:
    params = getattr(chart, "params", alt.Undefined)
    if params is alt.Undefined or chart is None:
        return ()
    return tuple(sorted(str(getattr(p, "name", "")) for p in params))


def _date(value) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).normalize()


class RetrospectiveDashboard:
    """Interactive retrospective view of one tracking workbook (or a whole portfolio).

    Parameters
    ----------
    data : TrackingData
        Loaded, canonical data (``collab_analytics.load(path)`` or a sample). Never modified.
    lang : {"zh", "en"}
        Initial language of every label; the toggle changes it live.
    as_of : date-like, optional
        Initial as-of date; default :attr:`TrackingData.as_of` (the latest date in the data).
    day_mode : {"calendar", "cn"}
        Count durations in calendar days or in Chinese working days (holidays and 调休).
    projects, departments : sequence of str, optional
        Initial selection (empty: everything).
    tab : str
        Initially visible tab, one of :data:`TABS`.
    show_owners : bool, default False
        Blame-free by default: every view is at department level. ``True`` (or ticking the
        "show owners" box) adds the owner column to the drill-down and a per-owner table to
        the delivery tab; owners with fewer than ``min_group_size`` tasks in the selection
        are hidden there.
    min_group_size : int, default 5
        Smallest person-level group shown (the metric layer's ``min_group_size``).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole dashboard (displaying the dashboard displays this).
    projects, departments : ipywidgets.SelectMultiple
    period_start, period_end, as_of : ipywidgets.DatePicker
    day_mode, language : ipywidgets.ToggleButtons
    tabs : ipywidgets.Tab
    drill_department : ipywidgets.Dropdown
    show_owners : ipywidgets.Checkbox
    export_button : ipywidgets.Button
    """

    def __init__(
        self,
        data: TrackingData,
        *,
        lang: str = "zh",
        as_of=None,
        day_mode: str = "calendar",
        projects: Sequence[str] | None = None,
        departments: Sequence[str] | None = None,
        tab: str = "delivery",
        show_owners: bool = False,
        min_group_size: int = MIN_GROUP_SIZE,
    ):
        if not isinstance(data, TrackingData):
            msg = f"RetrospectiveDashboard needs a TrackingData, got {type(data).__name__}."
            raise TypeError(msg)
        check_lang(lang)
        if day_mode not in _DAY_MODES:
            msg = f"day_mode must be one of {list(_DAY_MODES)}, got {day_mode!r}."
            raise ValueError(msg)
        if tab not in TABS:
            msg = f"tab must be one of {list(TABS)}, got {tab!r}."
            raise ValueError(msg)
        if (
            isinstance(min_group_size, bool)
            or not isinstance(min_group_size, int)
            or (min_group_size < 1)
        ):
            msg = f"min_group_size must be a positive integer, got {min_group_size!r}."
            raise ValueError(msg)
        self.min_group_size = min_group_size
        _offline_charts()
        _panels.enable_chart_theme()

        self.data = data
        self._all_departments = data.departments
        self._index: FilterIndex | None = None
        self._dataset_cache: dict = {}  # per dataset, not per selection (see Context.cache)
        self._restricted = _LRU(_CACHE_SIZE)
        self._frames = _LRU(_CACHE_SIZE * len(TABS))
        self._kpi_cache = _LRU(_CACHE_SIZE)
        self._tile_cache = _LRU(_CACHE_SIZE)
        self._spec_cache = _LRU(_CACHE_SIZE * len(TABS))
        self._drill_cache = _LRU(_CACHE_SIZE)
        self._kpi_tiles: dict[str, W.HTML] = {}
        self._tables_html: dict[str, W.HTML] = {}
        self.current_tables: dict[str, pd.DataFrame] = {}
        self.last_timings: dict[str, float] = {}
        self._charts: dict[str, alt.JupyterChart] = {}
        self._tab_boxes: dict[str, W.VBox] = {}
        self._muted = False
        self.scoped: ScopedData = ScopedData(data, {})
        self.kpis: pd.DataFrame = pd.DataFrame()
        self.frames: dict[str, pd.DataFrame] = {}
        self.current_specs: dict[str, dict] = {}
        self.current_charts: dict[str, alt.TopLevelMixin] = {}
        self.drill_rows: pd.DataFrame = pd.DataFrame()
        self.last_update_ms: float = float("nan")
        self.last_export: list[Path] = []
        self.update_count = 0

        all_projects = [p for p in pd.unique(data.tasks["project"].dropna()) if p]
        self.projects = W.SelectMultiple(
            options=all_projects,
            value=tuple(projects or ()),
            rows=min(6, max(2, len(all_projects))),
        )
        self.departments = W.SelectMultiple(
            options=self._all_departments,
            value=tuple(departments or ()),
            rows=min(8, max(2, len(self._all_departments))),
        )
        self.projects.add_class("collab-projects")
        self.departments.add_class("collab-departments")
        default_as_of = _date(as_of) if as_of is not None else data.as_of
        self.period_start = W.DatePicker(value=None)
        self.period_end = W.DatePicker(value=None)
        self.as_of = W.DatePicker(value=None if default_as_of is None else default_as_of.date())
        self.as_of.add_class("collab-as-of")
        self.day_mode = W.ToggleButtons(value=day_mode, options=[("", m) for m in _DAY_MODES])
        self.day_mode.add_class("collab-day-mode")
        self.language = W.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang)
        self.language.add_class("collab-language")
        self.kpi_box = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.kpi_box.add_class("collab-kpis")
        self.status = W.HTML()
        self.status.add_class("collab-status")

        for key in TABS:
            box = W.VBox()
            box.add_class(f"collab-tab-{key}")
            self._tab_boxes[key] = box
        self.tabs = W.Tab(
            children=[self._tab_boxes[k] for k in TABS], selected_index=TABS.index(tab)
        )
        self.tabs.add_class("collab-tabs")

        self.drill_department = W.Dropdown(options=[("", "")], value="")
        self.drill_department.add_class("collab-drill-department")
        self.drill_only_late = W.Checkbox(value=False, indent=False)
        self.show_owners = W.Checkbox(value=bool(show_owners), indent=False)
        self.show_owners.add_class("collab-show-owners")
        self.owners_hint = W.HTML()
        self.drill_table = W.HTML()
        self.drill_table.add_class("collab-drill-table")

        self.export_format = W.Dropdown(options=["pptx", "png", "svg"], value="pptx")
        self.export_folder = W.Text(value="out/dashboard")
        self.export_button = W.Button(icon="download")
        self.export_button.add_class("collab-export")
        self.export_status = W.HTML()

        self._labels_row = W.HTML()
        self.widget = W.VBox(
            [
                self._labels_row,
                W.HBox(
                    [
                        self._labelled("projects", self.projects),
                        self._labelled("departments", self.departments),
                    ]
                ),
                W.HBox(
                    [
                        self._labelled("period_start", self.period_start),
                        self._labelled("period_end", self.period_end),
                        self._labelled("as_of", self.as_of),
                    ]
                ),
                W.HBox(
                    [
                        self._labelled("day_mode", self.day_mode),
                        self._labelled("language", self.language),
                    ]
                ),
                self.kpi_box,
                self.tabs,
                W.HBox(
                    [
                        self._labelled("drill_department", self.drill_department),
                        self.drill_only_late,
                        W.VBox([self.show_owners, self.owners_hint]),
                    ]
                ),
                self.drill_table,
                W.HBox(
                    [
                        self._labelled("export_format", self.export_format),
                        self._labelled("export_folder", self.export_folder),
                        self.export_button,
                    ]
                ),
                self.export_status,
                self.status,
            ]
        )
        self.widget.add_class("collab-dashboard")

        for ctl in (
            self.projects,
            self.departments,
            self.period_start,
            self.period_end,
            self.as_of,
            self.day_mode,
            self.show_owners,
        ):
            ctl.observe(self._on_filter, names="value")
        self.language.observe(self._on_language, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.drill_department.observe(self._on_drill, names="value")
        self.drill_only_late.observe(self._on_drill, names="value")
        self.export_button.on_click(lambda _b: self.export_view())

        self._apply_language()
        self.refresh()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _labelled(self, key: str, control: W.Widget) -> W.VBox:
        lab = W.HTML()
        lab.add_class("collab-label")
        lab._collab_key = key  # type: ignore[attr-defined]
        box = W.VBox([lab, control])
        self._label_widgets = [*getattr(self, "_label_widgets", []), lab]
        return box

    # ------------------------------------------------------------------ state
    @property
    def lang(self) -> str:
        return self.language.value

    @property
    def tab(self) -> str:
        """Key of the visible tab."""
        return TABS[self.tabs.selected_index or 0]

    def _filter_key(self):
        period = (self.period_start.value, self.period_end.value)
        return filter_state(self.projects.value, self.departments.value, period)

    @property
    def filtered(self) -> TrackingData:
        """The data in the current selection (projects, departments, period)."""
        return self.scoped.to_tracking_data()

    def _context(self) -> Context:
        present = self.scoped.present_departments()
        return Context(
            data=self.scoped,
            as_of=_date(self.as_of.value),
            calendar=get_calendar(self.day_mode.value),
            lang=self.lang,
            departments=tuple(d for d in self._all_departments if d in present),
            show_owners=bool(self.show_owners.value),
            min_group_size=self.min_group_size,
            cache=self._dataset_cache,
        )

    def _scope(self, key) -> ScopedData:
        if not key[0] and not key[1] and key[2] is None and key[3] is None:
            return ScopedData(self.data, {})
        if self._index is None:
            self._index = FilterIndex(self.data)
        return self._index.scope(projects=key[0], departments=key[1], period=key[2:])

    # ------------------------------------------------------------------ updates
    def _on_filter(self, _change=None) -> None:
        if not self._muted:
            self.refresh()

    def _on_language(self, _change=None) -> None:
        self._apply_language()
        self.refresh()

    def _on_tab(self, _change=None) -> None:
        self.refresh(kpis=False)

    def refresh(self, *, kpis: bool = True) -> None:
        """Recompute and re-render what is visible (called on every control change).

        Timings of the steps (ms) are kept in :attr:`last_timings`.
        """
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        fkey = self._filter_key()
        self.scoped = self._restricted.get_or(fkey, lambda: self._scope(fkey))
        ctx = self._context()
        t1 = time.perf_counter()
        timings["restrict"] = (t1 - t0) * 1000
        if kpis:
            # the KPI frames do not depend on the language: a language switch only relabels
            kkey = (fkey, ctx.as_of, ctx.calendar.name)
            frames = self._kpi_cache.get_or(kkey, lambda: _panels.kpi_frames(ctx))
            self.kpis = self._tile_cache.get_or(
                (*kkey, ctx.lang), lambda: _panels.headline_kpis(ctx, frames)
            )
            self._render_kpis()
        t2 = time.perf_counter()
        timings["kpis"] = (t2 - t1) * 1000
        self._render_tab(self.tab, ctx, fkey, timings)
        t3 = time.perf_counter()
        self._update_drill_options(ctx)
        self._render_drill(ctx)
        t4 = time.perf_counter()
        timings["drill"] = (t4 - t3) * 1000
        self.update_count += 1
        self.last_update_ms = (t4 - t0) * 1000
        timings["total"] = self.last_update_ms
        self.last_timings = timings
        n = len(self.scoped.tasks)
        self.status.value = (
            f"<span class='collab-status-text'>{n:,} {html.escape(text('n_tasks', self.lang))} · "
            f"{self.last_update_ms:.0f} ms</span>"
        )

    def _render_tab(self, tab: str, ctx: Context, fkey, timings: dict) -> None:
        t0 = time.perf_counter()
        # only the visible tab is computed, once per selection and the options it uses
        key = (fkey, *_panels.frames_key(tab, ctx))
        frames = self._frames.get_or(key, lambda: _panels.compute(tab, ctx))
        t1 = time.perf_counter()
        timings["compute"] = (t1 - t0) * 1000

        def build() -> tuple[dict, dict, dict]:
            charts, specs = {}, {}
            for p in _panels.PANELS[tab]:
                tc = time.perf_counter()
                # without Altair's debug mode, which validates every schema object as it is
                # created (the chart tests and the first display below validate whole specs)
                with alt.utils.schemapi.debug_mode(False):
                    charts[p.key] = p.build(frames, ctx)
                tb = time.perf_counter()
                # the chart layer's themed spec without altair's JSON-schema validation (its
                # own tests validate every builder; the first display below validates too)
                specs[p.key] = _charts.to_spec(charts[p.key])
                te = time.perf_counter()
                timings[f"build:{p.key}"] = (tb - tc) * 1000
                timings[f"spec:{p.key}"] = (te - tb) * 1000
            tables = {t.key: t.build(frames, ctx) for t in _panels.tables_for(tab, ctx)}
            return charts, specs, tables

        charts, specs, tables = self._spec_cache.get_or((*key, ctx.lang, ctx.show_owners), build)
        t2 = time.perf_counter()
        timings["charts"] = (t2 - t1) * 1000
        children = []
        for key, chart in charts.items():
            jc = self._charts.get(key)
            if jc is None or _param_names(jc.chart) != _param_names(chart):
                # first display, or different params (e.g. an empty placeholder): full set-up
                if jc is None:
                    jc = alt.JupyterChart(
                        chart, embed_options={"renderer": "svg", "actions": False}
                    )
                    jc.add_class("collab-chart")
                    jc.add_class(f"collab-chart-{key}")
                    self._charts[key] = jc
                else:
                    jc.chart = chart
                self._watch_selection(jc)
            else:
                jc.spec = specs[key]  # same params and selections: only the spec changes
            children.append(jc)
        if tables:
            html_tables = self._tables_html.get(tab)
            if html_tables is None:
                html_tables = self._tables_html[tab] = W.HTML()
                html_tables.add_class("collab-tables")
            html_tables.value = "".join(
                f"<h4>{html.escape(text(f'table_{key}', ctx.lang))}</h4>"
                + table.to_html(index=False, escape=True, border=0, na_rep="–")
                for key, table in tables.items()
            )
            children.append(html_tables)
        box = self._tab_boxes[tab]
        if list(box.children) != children:
            box.children = children
        timings["render"] = (time.perf_counter() - t2) * 1000
        self.frames = frames
        self.current_specs = specs
        self.current_charts = charts
        self.current_tables = tables

    def _render_kpis(self) -> None:
        tiles = []
        for row in self.kpis.itertuples(index=False):
            tile = self._kpi_tiles.get(row.key)
            if tile is None:
                tile = W.HTML(
                    layout=W.Layout(
                        border="1px solid #ddd", padding="4px 12px", margin="2px", min_width="120px"
                    )
                )
                tile.add_class("collab-kpi")
                tile.add_class(f"collab-kpi-{row.key}")
                self._kpi_tiles[row.key] = tile
            tile.value = (
                f"<div class='collab-kpi-value' style='font-size:22px;font-weight:600'>"
                f"{html.escape(str(row.display))}</div>"
                f"<div class='collab-kpi-label' style='color:#555'>"
                f"{html.escape(str(row.label))}</div>"
            )
            tiles.append(tile)
        if not tiles:
            tiles = [W.HTML(f"<i>{html.escape(text('nothing_selected', self.lang))}</i>")]
        if list(self.kpi_box.children) != tiles:
            self.kpi_box.children = tiles

    def _apply_language(self) -> None:
        lang = self.lang
        for lab in getattr(self, "_label_widgets", []):
            lab.value = f"<b>{html.escape(text(lab._collab_key, lang))}</b>"
        mode = self.day_mode.value  # new options reset the value: keep the chosen mode
        self._muted = True
        try:
            self.day_mode.options = [
                (text("calendar_days", lang), "calendar"),
                (text("working_days", lang), "cn"),
            ]
            self.day_mode.value = mode
        finally:
            self._muted = False
        for i, key in enumerate(TABS):
            self.tabs.set_title(i, text(f"tab_{key}", lang))
        self.drill_only_late.description = text("drill_only_late", lang)
        self.show_owners.description = text("show_owners", lang)
        self.owners_hint.value = (
            f"<small style='color:#666'>"
            f"{html.escape(text('owners_hint', lang, n=self.min_group_size))}</small>"
        )
        self.export_button.description = text("export_view", lang)

    # ------------------------------------------------------------------ drill-down
    def _watch_selection(self, jc: alt.JupyterChart) -> None:
        """Follow the charts' ``dept`` click selection into the drill-down."""
        if "dept" in jc.selections.trait_names():
            jc.selections.observe(self._on_chart_selection, names=["dept"])

    def _on_chart_selection(self, change) -> None:
        value = getattr(change["new"], "value", None) or []
        depts = [v.get("department") for v in value if isinstance(v, dict) and v.get("department")]
        if depts and depts[0] in {v for _, v in self.drill_department.options}:
            self.drill_department.value = depts[0]

    def select_department(self, department: str) -> None:
        """Drill into ``department`` (what a click on a chart does)."""
        self.drill_department.value = department

    def _update_drill_options(self, ctx: Context) -> None:
        opts = [(text("drill_all", self.lang), ""), *[(d, d) for d in ctx.departments]]
        if list(self.drill_department.options) != opts:
            current = self.drill_department.value
            self._muted = True
            try:
                self.drill_department.options = opts
                self.drill_department.value = current if current in {v for _, v in opts} else ""
            finally:
                self._muted = False

    def _on_drill(self, _change=None) -> None:
        if not self._muted:
            self._render_drill(self._context())

    def _render_drill(self, ctx: Context) -> None:
        dept = self.drill_department.value
        if not dept:
            # no department drilled: the same empty rows whatever the selection
            self.drill_rows = self._drill_cache.get_or(
                ("", ctx.show_owners),
                lambda: _panels.drill_rows(self.scoped, None, ctx=ctx, only_late=False),
            )
            self.drill_table.value = f"<i>{html.escape(text('drill_hint', self.lang))}</i>"
            return
        only_late = bool(self.drill_only_late.value)
        key = (
            self._filter_key(),
            dept,
            only_late,
            ctx.as_of,
            ctx.calendar.name,
            ctx.show_owners,
            ctx.lang,
        )

        def make() -> tuple[pd.DataFrame, str]:
            rows = _panels.drill_rows(self.scoped, dept, ctx=ctx, only_late=only_late)
            shown = _panels.display_rows(rows.head(_DRILL_MAX_ROWS), ctx.lang)
            head = html.escape(text("drill_rows", ctx.lang, dept=dept, n=len(rows)))
            table = shown.to_html(
                index=False, escape=True, border=0, classes="collab-drill", na_rep=""
            )
            return rows, f"<div><b>{head}</b></div>" + table

        self.drill_rows, self.drill_table.value = self._drill_cache.get_or(key, make)

    # ------------------------------------------------------------------ export
    def export_view(self, folder: str | Path | None = None, fmt: str | None = None) -> list[Path]:
        """Write the visible tab's charts (PNG/SVG) or a deck of this view (PPTX).

        Returns the written paths (also kept in :attr:`last_export`).
        """
        folder = Path(folder if folder is not None else self.export_folder.value)
        fmt = fmt or self.export_format.value
        try:
            paths = _panels.export_view(
                folder,
                fmt=fmt,
                charts=self.current_charts,
                kpis=self.kpis,
                ctx=self._context(),
                tab_title=text(f"tab_{self.tab}", self.lang),
            )
        except Exception as exc:
            self.export_status.value = (
                f"<span style='color:#b00'>{html.escape(text('export_failed', self.lang))}: "
                f"{html.escape(str(exc))}</span>"
            )
            raise
        self.last_export = paths
        listed = ", ".join(html.escape(str(p)) for p in paths)
        self.export_status.value = f"{html.escape(text('export_done', self.lang))}: {listed}"
        return paths
