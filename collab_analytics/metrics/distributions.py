"""Small derived distributions and headline KPIs for charts and reports.

Pure reshaping of frames the other metric modules already produce, so chart builders never
do arithmetic themselves:

* :func:`slippage_histogram` — binned signed delay days (per group), zero bins included;
* :func:`action_states` — action items split into closed on time / closed late / closed
  without a due date / open overdue / open not yet due / open without a due date;
* :func:`plan_adherence` — the communication plan's overall adherence ``Σ held / Σ expected``;
* :func:`headline_kpis` — the headline KPIs of a
  :class:`~collab_analytics.metrics.report.DeliveryReport` (and optionally a
  :class:`~collab_analytics.metrics.communication.CommunicationReport`) as one tidy frame
  ``[kpi, value, numerator, denominator, subject]``.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.distributions import slippage_histogram
>>> td = pd.DataFrame({"delay_days": [-2.0, 0.0, 0.0, 2.0, 5.0, 40.0, None]})
>>> h = slippage_histogram(td)
>>> h[["bin", "n_tasks"]].values.tolist()
[['<0', 1], ['0', 2], ['1–3', 1], ['4–7', 1], ['8–14', 0], ['15–30', 0], ['≥31', 1]]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from collab_analytics._errors import SchemaError

__all__ = [
    "ACTION_STATES",
    "HEADLINE_KPIS",
    "SLIPPAGE_EDGES",
    "action_states",
    "action_states_from_summary",
    "headline_kpis",
    "plan_adherence",
    "slippage_histogram",
]

#: Default inner bin edges of :func:`slippage_histogram` (whole days; lower edge inclusive).
SLIPPAGE_EDGES: tuple[float, ...] = (0, 1, 4, 8, 15, 31)

#: States of :func:`action_states`, in display order.
ACTION_STATES: tuple[str, ...] = (
    "closed_on_time",
    "closed_late",
    "closed_no_due",
    "open_overdue",
    "open_not_due",
    "open_no_due",
)

#: KPI names of :func:`headline_kpis`, in display order.
HEADLINE_KPIS: tuple[str, ...] = (
    "tasks",
    "due",
    "on_time_rate",
    "delay_rate",
    "completion_rate",
    "overdue_open",
    "tasks_blocked",
    "mean_delay_days",
    "bottleneck_share",
    "spi",
    "plan_adherence",
    "escalation_compliance",
    "action_closure",
    "forecast_p85_days",
)


def _need(frame: pd.DataFrame, cols: Sequence[str], fn: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        msg = f"{fn}() needs columns {missing}; got {list(frame.columns)}."
        raise SchemaError(msg)


def _by(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _group_codes(kf: pd.DataFrame, sort: bool) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row and the groups' key values (one row per code)."""
    gb = kf.groupby(list(kf.columns), sort=sort, dropna=False)
    codes = gb.ngroup().to_numpy(dtype="int64")
    first = np.full(int(codes.max()) + 1 if len(codes) else 0, len(codes), dtype="int64")
    np.minimum.at(first, codes, np.arange(len(codes)))
    return codes, kf.iloc[first].reset_index(drop=True)


def _bin_labels(edges: np.ndarray) -> list[str]:
    def f(v: float) -> str:
        return f"{v:g}"

    labels = [f"<{f(edges[0])}"]
    for lo, hi in itertools.pairwise(edges):
        labels.append(f(lo) if hi - lo == 1 else f"{f(lo)}–{f(hi - 1)}")
    labels.append(f"≥{f(edges[-1])}")
    return labels


def slippage_histogram(
    delivery: pd.DataFrame,
    *,
    by=None,
    edges: Sequence[float] = SLIPPAGE_EDGES,
) -> pd.DataFrame:
    """Binned distribution of signed delay days, every bin in every group.

    Parameters
    ----------
    delivery : DataFrame
        Per-task delays: :func:`~collab_analytics.metrics.delivery.task_delivery` (or
        :attr:`DeliveryReport.tasks <collab_analytics.metrics.report.DeliveryReport>`), i.e. a
        ``delay_days`` column (NaN rows — cancelled, open not yet due — are left out) plus the
        ``by`` columns.
    by : None, str or list of str
        Group keys (rows with a missing key are left out).
    edges : sequence of float
        Increasing inner edges in whole days; bin ``i`` holds ``edges[i-1] ≤ d < edges[i]``,
        plus an open bin below the first and above the last edge. The default gives
        ``<0, 0, 1–3, 4–7, 8–14, 15–30, ≥31``.

    Returns
    -------
    DataFrame
        ``[*by, bin, lower_days, upper_days, n_tasks, share]``: ``bin`` is the label
        (``"1–3"`` = 1 to 3 days inclusive), ``lower_days`` inclusive and ``upper_days``
        exclusive (±inf for the open bins), ``share`` within the group (NaN for an empty group).

    Examples
    --------
    >>> import pandas as pd
    >>> td = pd.DataFrame({"department": ["技术部", "技术部", "产品部"],
    ...                    "delay_days": [3.0, 12.0, -1.0]})
    >>> h = slippage_histogram(td, by="department", edges=[0, 7])
    >>> h[["department", "bin", "n_tasks"]]
      department  bin  n_tasks
    0        产品部   <0        1
    1        产品部  0–6        0
    2        产品部   ≥7        0
    3        技术部   <0        0
    4        技术部  0–6        1
    5        技术部   ≥7        1
    """
    keys = _by(by)
    _need(delivery, ["delay_days", *keys], "slippage_histogram")
    e = np.asarray(edges, dtype="float64")
    if e.ndim != 1 or len(e) == 0 or np.any(np.diff(e) <= 0):
        msg = f"slippage_histogram() edges must be a non-empty increasing list; got {list(edges)}."
        raise SchemaError(msg)
    labels = _bin_labels(e)
    nb = len(labels)
    lower = np.concatenate([[-np.inf], e])
    upper = np.concatenate([e, [np.inf]])
    d = pd.to_numeric(delivery["delay_days"], errors="coerce").to_numpy(dtype="float64")
    ok = ~np.isnan(d)
    if keys:
        key_frame = delivery[keys]
        ok &= key_frame.notna().all(axis=1).to_numpy()
        codes, groups = _group_codes(key_frame[ok], sort=True)
        ng = len(groups)
    else:
        codes = np.zeros(int(ok.sum()), dtype="int64")
        groups = pd.DataFrame(index=[0])
        ng = 1
    b = np.searchsorted(e, d[ok], side="right")
    counts = np.bincount(codes * nb + b, minlength=ng * nb).reshape(ng, nb)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    out = groups.loc[np.repeat(np.arange(ng), nb)].reset_index(drop=True)
    out["bin"] = pd.Series(np.tile(labels, ng), dtype="str")
    out["lower_days"] = np.tile(lower, ng)
    out["upper_days"] = np.tile(upper, ng)
    out["n_tasks"] = counts.ravel().astype("int64")
    out["share"] = share.ravel()
    return out[[*keys, "bin", "lower_days", "upper_days", "n_tasks", "share"]]


def action_states(items: pd.DataFrame, *, by="department") -> pd.DataFrame:
    """Action items per group and state (long form, every state in every group).

    Parameters
    ----------
    items : DataFrame
        :func:`~collab_analytics.metrics.actions.action_status` (``closed_as_of``,
        ``closed_on_time``, ``overdue_open``, ``due`` and the ``by`` columns).
    by : None, str or list of str
        Group keys; missing key values form their own group (shown as ``"–"``).

    Returns
    -------
    DataFrame
        ``[*by, state, n_actions, share]`` with ``state`` in :data:`ACTION_STATES` order:
        ``closed_on_time``; ``closed_late`` (closed after its due date);
        ``closed_no_due``; ``open_overdue``; ``open_not_due`` (open, due date not passed);
        ``open_no_due``. ``n_actions`` counts items, ``share`` is within the group. Groups in
        order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> it = pd.DataFrame({"department": ["技术部"] * 4,
    ...     "due": pd.to_datetime(["2024-07-01", "2024-07-01", "2024-07-30", None]),
    ...     "closed_as_of": [True, True, False, False],
    ...     "closed_on_time": [True, False, False, False],
    ...     "overdue_open": [False, False, False, False]})
    >>> action_states(it).set_index("state")["n_actions"].tolist()
    [1, 1, 0, 0, 1, 1]
    """
    keys = _by(by)
    _need(items, ["due", "closed_as_of", "closed_on_time", "overdue_open", *keys], "action_states")
    closed = items["closed_as_of"].fillna(False).to_numpy(dtype=bool)
    on_time = items["closed_on_time"].fillna(False).to_numpy(dtype=bool)
    overdue = items["overdue_open"].fillna(False).to_numpy(dtype=bool)
    has_due = items["due"].notna().to_numpy()
    state = np.select(
        [
            closed & on_time,
            closed & has_due,
            closed,
            overdue,
            has_due,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    )
    ns = len(ACTION_STATES)
    if keys:
        kf = items[keys].astype("object").fillna("–").astype("str")
        codes, groups = _group_codes(kf, sort=False)
        ng = len(groups)
    else:
        codes = np.zeros(len(items), dtype="int64")
        groups = pd.DataFrame(index=[0])
        ng = 1 if len(items) else 0
    counts = np.bincount(codes * ns + state, minlength=ng * ns).reshape(ng, ns)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    out = groups.loc[np.repeat(np.arange(ng), ns)].reset_index(drop=True)
    out["state"] = pd.Series(np.tile(ACTION_STATES, ng), dtype="str")
    out["n_actions"] = counts.ravel().astype("int64")
    out["share"] = share.ravel()
    return out[[*keys, "state", "n_actions", "share"]]


def action_states_from_summary(summary: pd.DataFrame, *, by="department") -> pd.DataFrame:
    """:func:`action_states` from the counts of
    :func:`~collab_analytics.metrics.actions.action_summary` when the items are not at hand.

    The summary cannot tell closed-late from closed-without-due-date, nor open-not-due from
    open-without-due-date: ``closed_late = n_closed − n_closed_on_time`` (closed, not on
    time) and ``open_not_due = n_actions − n_closed − n_overdue_open`` (open, not overdue);
    the ``*_no_due`` states are 0.

    Returns
    -------
    DataFrame
        ``[*by, state, n_actions, share]`` as :func:`action_states`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"department": ["客服部"], "n_actions": [5], "n_closed": [3],
    ...                   "n_closed_on_time": [2], "n_overdue_open": [1]})
    >>> action_states_from_summary(s).set_index("state")["n_actions"].tolist()
    [2, 1, 0, 1, 1, 0]
    """
    keys = _by(by)
    cols = ["n_actions", "n_closed", "n_closed_on_time", "n_overdue_open"]
    _need(summary, [*keys, *cols], "action_states_from_summary")
    n = summary[cols].to_numpy(dtype="int64")
    zero = np.zeros(len(summary), dtype="int64")
    parts = np.stack(
        [
            n[:, 2],
            n[:, 1] - n[:, 2],
            zero,
            n[:, 3],
            n[:, 0] - n[:, 1] - n[:, 3],
            zero,
        ],
        axis=1,
    )
    ns = len(ACTION_STATES)
    totals = parts.sum(axis=1, keepdims=True)
    share = np.where(totals > 0, parts / np.maximum(totals, 1), np.nan)
    out = summary[keys].iloc[np.repeat(np.arange(len(summary)), ns)].reset_index(drop=True)
    out["state"] = pd.Series(np.tile(ACTION_STATES, len(summary)), dtype="str")
    out["n_actions"] = parts.ravel()
    out["share"] = share.ravel()
    return out[[*keys, "state", "n_actions", "share"]]


def plan_adherence(cadence: pd.DataFrame) -> pd.DataFrame:
    """Overall communication-plan adherence: ``Σ held / Σ expected`` over plan items.

    Parameters
    ----------
    cadence : DataFrame
        :func:`~collab_analytics.metrics.cadence.cadence_summary` (``expected``, ``held``).

    Returns
    -------
    DataFrame
        One row ``[expected, held, missed, adherence]`` (``adherence`` NaN when nothing was
        expected). Weighting by occurrences, a daily stand-up counts more than a monthly review.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"item": ["日常进度同步", "风险排查会"], "expected": [10, 4],
    ...                   "held": [9, 2]})
    >>> plan_adherence(c).iloc[0].tolist()
    [14.0, 11.0, 3.0, 0.7857142857142857]
    """
    _need(cadence, ["expected", "held"], "plan_adherence")
    exp = float(pd.to_numeric(cadence["expected"]).sum())
    held = float(pd.to_numeric(cadence["held"]).sum())
    return pd.DataFrame(
        {
            "expected": [exp],
            "held": [held],
            "missed": [exp - held],
            "adherence": [held / exp if exp > 0 else np.nan],
        }
    )


def headline_kpis(delivery_report, communication_report=None) -> pd.DataFrame:
    """The headline KPIs of a delivery (and communication) report as one tidy frame.

    Parameters
    ----------
    delivery_report : DeliveryReport
        :func:`~collab_analytics.metrics.report.delivery_report` (``progress=False`` is fine:
        SPI and the forecast are then left out).
    communication_report : CommunicationReport, optional
        :func:`~collab_analytics.metrics.communication.communication_report`: adds plan
        adherence, 48-hour escalation compliance and action closure.

    Returns
    -------
    DataFrame
        ``[kpi, value, numerator, denominator, subject]``, one row per KPI in
        :data:`HEADLINE_KPIS` order (KPIs without data are left out):

        - ``tasks``, ``due``, ``overdue_open`` — counts (``value = numerator``);
          ``tasks_blocked`` — tasks reported blocked at least once in the updates log;
        - ``on_time_rate`` = on time / due; ``delay_rate`` = (late + overdue open) / due;
          ``completion_rate`` = finished / tasks;
        - ``mean_delay_days`` = Σ signed delay days / tasks with a delay value;
        - ``bottleneck_share`` — the rank-1 department of the bottleneck ranking
          (``subject``): its own delay days / all own delay days;
        - ``spi`` = Σ earned value / Σ planned value;
        - ``plan_adherence`` = Σ held / Σ expected occurrences;
        - ``escalation_compliance`` = episodes met within the limit / judged episodes;
        - ``action_closure`` = closed action items / all action items;
        - ``forecast_p85_days`` — days from the as-of date to the P85 forecast finish date
          (``subject``: that date, ISO format).

        ``subject`` is ``""`` except where noted.

    Examples
    --------
    >>> from collab_analytics import sample
    >>> from collab_analytics.metrics.report import delivery_report
    >>> td = sample.portfolio(n_projects=1, tasks_per_project=12, seed=1)
    >>> k = headline_kpis(delivery_report(td, progress=False)).set_index("kpi")
    >>> r = k.loc["on_time_rate"]
    >>> bool(r["value"] == r["numerator"] / r["denominator"])
    True
    >>> bool(r["denominator"] == k.loc["due", "value"])
    True
    """
    rows: list[tuple] = []

    def add(kpi, num, den=np.nan, subject="", value=None):
        num = float(num)
        den = float(den)
        if value is None:
            value = num if np.isnan(den) else (num / den if den > 0 else np.nan)
        rows.append((kpi, float(value), num, den, subject))

    o = delivery_report.overall
    if len(o):
        r = o.iloc[0]
        add("tasks", r["n_tasks"])
        add("due", r["n_due"])
        add("on_time_rate", r["n_on_time"], r["n_due"])
        add("delay_rate", r["n_late"] + r["n_overdue_open"], r["n_due"])
        add("completion_rate", r["n_finished"], r["n_tasks"])
        add("overdue_open", r["n_overdue_open"])
    bd = delivery_report.blocked_by_department
    if len(bd) and "n_tasks_blocked" in bd.columns:
        add("tasks_blocked", bd["n_tasks_blocked"].sum())
    t = delivery_report.tasks
    if len(t) and "delay_days" in t.columns:
        d = t["delay_days"].dropna()
        if len(d):
            add("mean_delay_days", d.sum(), len(d))
    rk = delivery_report.bottlenecks
    if len(rk):
        top = rk.iloc[0]
        total = float(delivery_report.departments["own_delay_days"].sum())
        if total > 0:
            add("bottleneck_share", top["own_delay_days"], total, str(top["department"]))
    ev = delivery_report.earned_value
    if isinstance(ev, pd.DataFrame) and len(ev) and {"ev", "pv"} <= set(ev.columns):
        pv = float(ev["pv"].sum())
        if pv > 0:
            add("spi", ev["ev"].sum(), pv)
    c = communication_report
    if c is not None:
        if len(c.cadence):
            a = plan_adherence(c.cadence).iloc[0]
            if a["expected"] > 0:
                add("plan_adherence", a["held"], a["expected"])
        e = c.escalation_overall
        if len(e) and int(e["judged"].iloc[0]) > 0:
            add("escalation_compliance", e["within"].iloc[0], e["judged"].iloc[0])
        it = c.action_items
        if len(it):
            add("action_closure", it["closed_as_of"].fillna(False).astype(bool).sum(), len(it))
    fc = delivery_report.forecast
    if fc is not None and len(fc.summary):
        s = fc.summary.iloc[0]
        if pd.notna(s["p85"]) and pd.notna(s["as_of"]):
            days = (pd.Timestamp(s["p85"]) - pd.Timestamp(s["as_of"])).days
            add("forecast_p85_days", days, subject=f"{pd.Timestamp(s['p85']):%Y-%m-%d}")
    out = pd.DataFrame(rows, columns=["kpi", "value", "numerator", "denominator", "subject"])
    out["kpi"] = out["kpi"].astype("str")
    out["subject"] = out["subject"].astype("str")
    order = {k: i for i, k in enumerate(HEADLINE_KPIS)}
    return (
        out.sort_values("kpi", key=lambda s: s.map(order), kind="stable")
        .reset_index(drop=True)
        .astype({"value": "float64", "numerator": "float64", "denominator": "float64"})
    )
