"""Action items from meeting minutes (待办事项): closure, on-time closure, overdue open items.

Definitions, as of a day ``T`` (default: the latest ``closed``/``due`` date in the table —
never the wall clock):

- *closed*: ``closed ≤ T``, or ``is_closed`` is true with no closing date;
- *closed on time*: closed with a date and ``date(closed) ≤ date(due)`` (actions without a due
  date are never on time nor overdue);
- *overdue open*: not closed and ``due < T``;
- *days to close*: ``closed − created`` in calendar days, where *created* is the ``created``
  column when present, else the date of the source meeting: a leading ``YYYY-MM-DD`` in
  ``source_meeting`` (the loader's "2024-07-15 需求评审会" form) or the date of the meeting
  whose topic equals it (when ``meetings`` is given and the topic is unique).

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.actions import action_summary
>>> actions = pd.DataFrame({
...     "action": ["补充验收标准", "更新风险清单", "确认排期"],
...     "department": ["产品部", "技术部", "技术部"],
...     "due": pd.to_datetime(["2024-07-20", "2024-07-19", "2024-07-30"]),
...     "closed": pd.to_datetime(["2024-07-18", None, "2024-07-31"]),
...     "source_meeting": ["2024-07-15 需求评审会", "2024-07-12 风险排查会",
...                        "2024-07-26 风险排查会"]})
>>> s = action_summary(actions, as_of="2024-07-31").set_index("department")
>>> s[["n_actions", "n_closed", "n_closed_on_time", "n_overdue_open"]].to_dict("list")
{'n_actions': [1, 2], 'n_closed': [1, 1], 'n_closed_on_time': [1, 0], 'n_overdue_open': [0, 1]}
>>> s["closure_rate"].tolist(), s["on_time_rate"].tolist()
([1.0, 0.5], [1.0, 0.0])
>>> s["mean_days_to_close"].tolist()
[3.0, 5.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ACTION_COLUMNS", "ACTION_SUMMARY_COLUMNS", "action_status", "action_summary"]

#: Columns of :func:`action_status`.
ACTION_COLUMNS: tuple[str, ...] = (
    "action",
    "owner",
    "department",
    "source_meeting",
    "created",
    "due",
    "closed",
    "closed_as_of",
    "closed_on_time",
    "overdue_open",
    "days_to_close",
    "days_overdue",
)
#: Columns of :func:`action_summary` (after the group keys).
ACTION_SUMMARY_COLUMNS: tuple[str, ...] = (
    "n_actions",
    "n_closed",
    "closure_rate",
    "n_closed_on_time",
    "on_time_rate",
    "n_overdue_open",
    "mean_days_to_close",
)


def _col(df: pd.DataFrame, name: str, dtype: str) -> pd.Series:
    if name in df.columns:
        return df[name].reset_index(drop=True).astype(dtype)
    return pd.Series([None] * len(df), dtype=dtype)


_LEAD_DATE = r"^\s*(\d{4}-\d{1,2}-\d{1,2})"
#: The leading date's format, given (not guessed from the first text: every text is read
#: the same way whichever comes first; one or two digits for the month and day).
_LEAD_FORMAT = "%Y-%m-%d"


def _source_dates(actions: pd.DataFrame) -> np.ndarray:
    """Each action's date written at the start of its source meeting text
    (``datetime64[us]``, NaT when none): every distinct text parsed once.

    >>> a = pd.DataFrame({"source_meeting": ["2024-07-05 周会", "周会", None]})
    >>> _source_dates(a).astype("datetime64[D]").astype(str).tolist()
    ['2024-07-05', 'NaT', 'NaT']
    """
    codes, uniq = pd.factorize(_col(actions, "source_meeting", "str").fillna(""))
    lead = pd.Series(uniq, dtype="str").str.extract(_LEAD_DATE)[0]
    created = pd.to_datetime(lead, errors="coerce", format=_LEAD_FORMAT).astype("datetime64[us]")
    return created.to_numpy(dtype="datetime64[us]")[codes]


def _topic_dates(src: pd.Series, meetings: pd.DataFrame | None) -> np.ndarray | None:
    """The date of the one meeting (after stripping) whose topic each text ``src`` is
    (NaT when none or several dates); ``None`` when there are no meeting topics."""
    if meetings is None or not len(meetings) or "topic" not in meetings.columns:
        return None
    mt = pd.DataFrame(
        {
            "topic": meetings["topic"].astype("str").str.strip(),
            "date": pd.to_datetime(meetings["date"]),
        }
    )
    mt = mt.dropna().drop_duplicates()
    uniq = mt.drop_duplicates("topic", keep=False)
    lookup = pd.Series(uniq["date"].to_numpy(), index=uniq["topic"].to_numpy())
    idx = lookup.index.get_indexer(src.str.strip().to_numpy(dtype=object, na_value=""))
    vals = np.full(len(src), np.datetime64("NaT"), dtype="datetime64[us]")
    vals[idx >= 0] = lookup.to_numpy(dtype="datetime64[us]")[idx[idx >= 0]]
    return vals


def _created(
    actions: pd.DataFrame, meetings: pd.DataFrame | None, lead: np.ndarray | None = None
) -> pd.Series:
    """Creation day of each action: its ``created`` column, else the date leading its
    source text (``lead``: :func:`_source_dates` of these rows, when known), else the
    date of the meeting its source names."""
    if "created" in actions.columns:
        return pd.to_datetime(actions["created"]).reset_index(drop=True).astype("datetime64[us]")
    if lead is not None:
        created = np.array(lead, dtype="datetime64[us]")
        miss = np.flatnonzero(np.isnat(created))
        if len(miss):
            src = _col(actions, "source_meeting", "str").fillna("").iloc[miss]
            by_topic = _topic_dates(src.reset_index(drop=True), meetings)
            if by_topic is not None:
                created[miss] = by_topic
        return pd.Series(created, dtype="datetime64[us]")
    # every distinct source text parsed once (a missing one reads as ""), then spread by code
    codes, uniq = pd.factorize(_col(actions, "source_meeting", "str").fillna(""))
    src = pd.Series(uniq, dtype="str")
    lead_text = src.str.extract(_LEAD_DATE)[0]
    created = pd.to_datetime(lead_text, errors="coerce", format=_LEAD_FORMAT)
    created = created.astype("datetime64[us]")
    by_topic = _topic_dates(src, meetings)
    if by_topic is not None:
        created = created.fillna(pd.Series(by_topic, dtype="datetime64[us]"))
    return pd.Series(created.to_numpy(dtype="datetime64[us]")[codes], dtype="datetime64[us]")


def _resolve_as_of(as_of, actions: pd.DataFrame) -> pd.Timestamp | None:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    cands = [
        actions[c].max()
        for c in ("closed", "due")
        if c in actions.columns and len(actions) and actions[c].notna().any()
    ]
    return pd.Timestamp(max(cands)).normalize() if cands else None


def action_status(
    actions: pd.DataFrame, *, as_of=None, meetings: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per action with its closure flags as of ``as_of`` (definitions in module doc).

    Returns
    -------
    DataFrame
        ``[action, owner, department, source_meeting, created, due, closed, closed_as_of,
        closed_on_time, overdue_open, days_to_close, days_overdue]``; ``days_overdue`` is
        ``T − due`` for overdue open actions, else NaN.
    """
    return _action_status(actions, as_of=as_of, meetings=meetings)


def _action_status(
    actions: pd.DataFrame,
    *,
    as_of=None,
    meetings: pd.DataFrame | None = None,
    lead: np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`action_status` with the dates leading the source texts given (``lead``:
    :func:`_source_dates` of these rows, e.g. cut from the whole table's)."""
    n = len(actions)
    T = _resolve_as_of(as_of, actions)
    due = pd.to_datetime(_col(actions, "due", "datetime64[us]")).dt.normalize()
    closed = pd.to_datetime(_col(actions, "closed", "datetime64[us]"))
    flag = (
        actions["is_closed"].reset_index(drop=True).fillna(False).astype(bool)
        if "is_closed" in actions.columns
        else pd.Series(np.zeros(n, dtype=bool))
    )
    if T is not None:
        closed_as_of = (closed.notna() & (closed.dt.normalize() <= T)) | (closed.isna() & flag)
    else:
        closed_as_of = closed.notna() | flag
    closed_as_of = closed_as_of.to_numpy(dtype=bool)
    on_time = (
        closed_as_of
        & closed.notna().to_numpy()
        & due.notna().to_numpy()
        & ((closed.dt.normalize() <= due).fillna(False).to_numpy(dtype=bool))
    )
    overdue = ~closed_as_of & due.notna().to_numpy()
    if T is not None:
        overdue &= (due < T).fillna(False).to_numpy(dtype=bool)
        days_over = np.where(
            overdue, (T - due).dt.days.to_numpy(dtype="float64", na_value=np.nan), np.nan
        )
    else:
        overdue[:] = False
        days_over = np.full(n, np.nan)
    created = _created(actions, meetings, lead)
    dtc = (closed.dt.normalize() - created.dt.normalize()).dt.days.to_numpy(
        dtype="float64", na_value=np.nan
    )
    dtc = np.where(closed_as_of, dtc, np.nan)
    return pd.DataFrame(
        {
            "action": _col(actions, "action", "str"),
            "owner": _col(actions, "owner", "str"),
            "department": _col(actions, "department", "str"),
            "source_meeting": _col(actions, "source_meeting", "str"),
            "created": created.astype("datetime64[us]"),
            "due": due.astype("datetime64[us]"),
            "closed": closed.astype("datetime64[us]"),
            "closed_as_of": closed_as_of,
            "closed_on_time": on_time,
            "overdue_open": overdue,
            "days_to_close": dtc,
            "days_overdue": days_over,
        }
    )


def action_summary(
    actions: pd.DataFrame,
    *,
    by="department",
    as_of=None,
    meetings: pd.DataFrame | None = None,
    min_group_size: int | None = 5,
) -> pd.DataFrame:
    """Closure of action items per owner, department or source meeting.

    Parameters
    ----------
    actions : DataFrame
        Canonical actions ``[action, owner, department, due, closed, source_meeting,
        is_closed]``.
    by : str, list of str or None, default ``"department"``
        ``"owner"``, ``"department"``, ``"source_meeting"`` (or several); ``None`` → one row.
    as_of : date-like, optional
    meetings : DataFrame, optional
        To date actions by their source meeting's topic (see module doc).
    min_group_size : int or None, default 5
        Only when ``by`` includes ``owner`` (a person-level view, opt-in): owners with fewer
        than this many actions are left out. ``None`` or 0 shows every owner.

    Returns
    -------
    DataFrame
        ``[*by, n_actions, n_closed, closure_rate, n_closed_on_time, on_time_rate,
        n_overdue_open, mean_days_to_close]`` with ``closure_rate = n_closed / n_actions`` and
        ``on_time_rate = n_closed_on_time / n_closed`` (NaN when nothing is closed); groups in
        order of first appearance.
    """
    return _action_summary(
        actions, by=by, as_of=as_of, meetings=meetings, min_group_size=min_group_size
    )


def _action_summary(
    actions: pd.DataFrame,
    *,
    by="department",
    as_of=None,
    meetings: pd.DataFrame | None = None,
    min_group_size: int | None = 5,
    lead: np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`action_summary` with the dates leading the source texts given (``lead``, see
    :func:`_action_status`)."""
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    cols = [*keys, *ACTION_SUMMARY_COLUMNS]
    if len(actions) == 0:
        out = {k: pd.Series([], dtype="str") for k in keys}
        for c in ACTION_SUMMARY_COLUMNS:
            out[c] = pd.Series([], dtype="int64" if c.startswith("n_") else "float64")
        return pd.DataFrame(out)[cols]
    st = _action_status(actions, as_of=as_of, meetings=meetings, lead=lead)
    st["_one"] = 1
    g = (
        st.groupby(keys, sort=False, dropna=False)
        if keys
        else st.groupby(np.zeros(len(st), dtype=int))
    )
    res = pd.DataFrame(
        {
            "n_actions": g["_one"].sum(),
            "n_closed": g["closed_as_of"].sum(),
            "n_closed_on_time": g["closed_on_time"].sum(),
            "n_overdue_open": g["overdue_open"].sum(),
            "mean_days_to_close": g["days_to_close"].mean(),
        }
    )
    res = res.reset_index(drop=not keys)
    for c in ("n_actions", "n_closed", "n_closed_on_time", "n_overdue_open"):
        res[c] = res[c].astype("int64")
    res["closure_rate"] = res["n_closed"] / res["n_actions"]
    res["on_time_rate"] = res["n_closed_on_time"] / res["n_closed"].where(res["n_closed"] > 0)
    for k in keys:
        res[k] = res[k].astype("str")
    res = res[cols].reset_index(drop=True)
    if min_group_size and "owner" in keys:  # retrospectives look at processes, not people
        res = res[res["n_actions"] >= min_group_size].reset_index(drop=True)
    return res
