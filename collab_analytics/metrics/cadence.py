"""Communication cadence: did the planned meetings happen, on time, with the right people?

Matching rules (also in ``docs/metrics-communication.md``)
---------------------------------------------------------
1. **Meeting → plan item.** A meeting whose ``plan_item`` equals a plan item (after
   normalising: NFKC, lower case, no spaces or punctuation) belongs to it. Otherwise its
   ``topic`` is compared with every plan item name: similarity is ``1`` when the item name is a
   substring of the topic (``风险排查会(第3周)`` → ``风险排查会``), else the Jaccard index of the
   two sets of character bigrams. The best item with similarity ≥ ``min_similarity`` (default
   0.5) wins; ties go to the longer item name, then to plan order. Meetings with no item are
   *unplanned* with reason ``no_plan_item``.
2. **Meeting → occurrence.** Within its item, a meeting is matched to the nearest expected
   occurrence (by date) if it lies at most ``tolerance_days`` working days of the calendar
   away (default 1: a Friday review held on Monday still counts). Every occurrence takes at
   most one meeting and every meeting at most one occurrence: when several meetings claim one
   occurrence the closest keeps it (equally close: the earlier meeting) and the others try
   the remaining free occurrences (up to three rounds); what is left is *unplanned* with
   reason ``off_schedule`` or ``duplicate``.
3. ``held`` = occurrences with a meeting; ``adherence = held / expected``;
   ``missed = expected − held``; punctuality is the time-of-day difference in minutes between
   the meeting's start and the planned time (positive = late; missing when either time is
   unknown); gaps are calendar days between consecutive meetings of the series.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.cadence import match_meetings, cadence_summary
>>> from collab_analytics.metrics.schedule import expected_occurrences
>>> plan = pd.DataFrame({"item": ["风险排查会"], "frequency": ["每周五15:00"]})
>>> occ = expected_occurrences(plan, start="2024-07-01", end="2024-07-21")
>>> meetings = pd.DataFrame({"date": pd.to_datetime(["2024-07-05", "2024-07-19"]),
...                          "time": ["15:10", "15:00"], "topic": ["风险排查会", "风险排查会"]})
>>> m = match_meetings(meetings, plan, occ)
>>> cadence_summary(m, occ)[["item", "expected", "held", "adherence", "missed"]]
    item  expected  held  adherence  missed
0  风险排查会         3     2   0.666667       1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import collab_analytics.metrics._encoded as enc
from collab_analytics.calendar import get_calendar
from collab_analytics.metrics._cadence_codes import (
    _arrow_text,
    _day_ordinals,
    _first_rows,
    _list_cells,
    _meeting_dept_codes,
    _meeting_dept_codes_uncached,
    _str_series,
    _time_minutes,
    _unique_pairs,
    _workday_counts,
)
from collab_analytics.metrics._cadence_text import (
    _best_items,
    _distinct,
    _norm_one,
    _norm_text,
    _text_departments,
)
from collab_analytics.metrics.schedule import _decoded

__all__ = [
    "ATTENDANCE_COLUMNS",
    "CADENCE_COLUMNS",
    "GAP_COLUMNS",
    "LOAD_COLUMNS",
    "MATCH_COLUMNS",
    "attendance",
    "attendance_by_department",
    "cadence_summary",
    "expected_departments",
    "match_meetings",
    "meeting_gaps",
    "meeting_load",
    "missed_occurrences",
    "unplanned_meetings",
]

#: Columns of :func:`match_meetings` (one row per meeting).
MATCH_COLUMNS: tuple[str, ...] = (
    "meeting",
    "date",
    "start",
    "topic",
    "item",
    "item_rule",
    "similarity",
    "occurrence",
    "days_off",
    "minutes_late",
    "matched",
    "reason",
    "has_output",
    "duration_min",
)
#: Columns of :func:`cadence_summary`.
CADENCE_COLUMNS: tuple[str, ...] = (
    "item",
    "expected",
    "held",
    "adherence",
    "missed",
    "unplanned",
    "punctuality_median_min",
    "gap_median_days",
    "gap_max_days",
    "longest_gap_start",
    "longest_gap_end",
    "output_share",
)
#: Columns of :func:`meeting_gaps`.
GAP_COLUMNS: tuple[str, ...] = (
    "series",
    "meetings",
    "gap_mean_days",
    "gap_median_days",
    "gap_max_days",
    "longest_gap_start",
    "longest_gap_end",
    "intended_days",
    "share_gaps_over_intended",
)
#: Columns of :func:`attendance`.
ATTENDANCE_COLUMNS: tuple[str, ...] = (
    "item",
    "department",
    "meetings",
    "attended",
    "attendance_rate",
)
#: Columns of :func:`meeting_load`.
LOAD_COLUMNS: tuple[str, ...] = (
    "department",
    "week",
    "meetings",
    "hours",
    "long_meetings",
    "large_meetings",
    "meetings_without_duration",
)

# ----------------------------------------------------------------------------- matching


def _empty_matches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meeting": pd.Series([], dtype="int64"),
            "date": pd.Series([], dtype="datetime64[us]"),
            "start": pd.Series([], dtype="datetime64[us]"),
            "topic": pd.Series([], dtype="str"),
            "item": pd.Series([], dtype="str"),
            "item_rule": pd.Series([], dtype="str"),
            "similarity": pd.Series([], dtype="float64"),
            "occurrence": pd.Series([], dtype="datetime64[us]"),
            "days_off": pd.Series([], dtype="float64"),
            "minutes_late": pd.Series([], dtype="float64"),
            "matched": pd.Series([], dtype="bool"),
            "reason": pd.Series([], dtype="str"),
            "has_output": pd.Series([], dtype="bool"),
            "duration_min": pd.Series([], dtype="float64"),
        }
    )


def _assign_items(
    meetings: pd.DataFrame, items: list[str], min_similarity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item index (-1 = none), rule and similarity per meeting."""
    item_idx, rule, sim, _best = _assignment(meetings, items, min_similarity)
    return item_idx, rule, sim


def _assignment(
    meetings: pd.DataFrame, items: list[str], min_similarity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_assign_items` plus each meeting's winning item whether or not it passes the
    threshold (``best``: the ``plan_item`` match, else the most similar item; -1 when the
    meeting has neither a plan item match nor a topic, or there are no items)."""
    n = len(meetings)
    item_idx = np.full(n, -1, dtype="int64")
    best_all = np.full(n, -1, dtype="int64")
    rule = np.full(n, None, dtype=object)
    sim = np.full(n, np.nan)
    if n == 0 or not items:
        return item_idx, rule, sim, best_all
    norm_items = [_norm_one(i) for i in items]
    lookup = {}
    for j, ni in enumerate(norm_items):
        lookup.setdefault(ni, j)
    if "plan_item" in meetings.columns:
        codes = _distinct(
            meetings["plan_item"],
            lambda u: np.array([lookup.get(x, -1) for x in _norm_text(u)], dtype="int64"),
        )
        ok = codes >= 0
        item_idx[ok] = codes[ok]
        best_all[ok] = codes[ok]
        rule[ok] = "plan_item"
        sim[ok] = 1.0
    todo = np.flatnonzero(item_idx < 0)
    if len(todo) and "topic" in meetings.columns:
        inv, raw = pd.factorize(meetings["topic"].astype("str").iloc[todo])
        inv = np.where(inv >= 0, inv, len(raw))
        uniq = _norm_text(pd.Series([*raw, None], dtype="str")).to_numpy(dtype=object)
        # ties: longer item name first, then plan order
        best, best_sim = _best_items(uniq.astype(str), np.asarray(norm_items, dtype=str))
        ok_u = best_sim >= min_similarity
        ok = ok_u[inv]
        item_idx[todo[ok]] = best[inv][ok]
        rule[todo[ok]] = "topic"
        sim[todo] = best_sim[inv]
        best_all[todo] = best[inv]
    return item_idx, rule, sim, best_all


#: The item rules as :func:`_rule_codes` numbers them (-1: no rule).
_RULES = ("plan_item", "topic")


def _rule_codes(rule: np.ndarray) -> np.ndarray:
    """The item rule of each meeting as int8 codes into :data:`_RULES` (-1: none); codes
    are returned as they are.

    >>> _rule_codes(np.array(["topic", None, "plan_item"], dtype=object)).tolist()
    [1, -1, 0]
    """
    rule = np.asarray(rule)
    if rule.dtype.kind in "iu":
        return rule.astype("int8", copy=False)
    return np.where(rule == _RULES[0], 0, np.where(rule == _RULES[1], 1, -1)).astype("int8")


def _plan_items(plan: pd.DataFrame) -> list[str]:
    """The distinct plan item names in plan order, as :func:`match_meetings` reads them."""
    if len(plan) == 0:
        return []
    return pd.unique(plan["item"].astype("str").fillna("")).tolist()


def _subset_assignment(
    full: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    full_items: list[str],
    rows: np.ndarray,
    meetings: pd.DataFrame,
    items: list[str],
    min_similarity: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_assignment` of the meetings at positions ``rows`` of ``meetings`` (the log
    ``full`` was computed for) against ``items`` (some of ``full_items``), derived from
    ``full``.

    A meeting's winner over a subset of the items is its winner over all items whenever that
    item is kept (the tie-break key compares the same values and the kept items keep their
    order); a meeting similar to no item (similarity 0) gets the subset's longest, first item
    with similarity 0. Only the other meetings are matched again.

    The rules come as ``full`` gives them: names, or :func:`_rule_codes` when ``full``'s are
    codes.
    """
    item_f, rule_f, sim_f, best_f = (a[rows] for a in full)
    coded = rule_f.dtype.kind in "iu"

    def fresh(picked: pd.DataFrame):
        got = _assignment(picked, items, min_similarity)
        return (got[0], _rule_codes(got[1]), *got[2:]) if coded else got

    if items == full_items:
        return item_f, rule_f, sim_f, best_f  # fancy indexing made them copies
    where = {name: j for j, name in enumerate(full_items)}
    old = np.array([where.get(name, -1) for name in items], dtype="int64")
    if (old < 0).any() or (np.diff(old) <= 0).any() or not items:
        # not an ordered subset
        return fresh(meetings.iloc[rows].reset_index(drop=True))
    new_of = np.full(len(full_items) + 1, -1, dtype="int64")
    new_of[old] = np.arange(len(items))
    best = np.where(best_f >= 0, new_of[best_f], -1)
    item_idx = np.where(item_f >= 0, best, -1)
    rule, sim = rule_f, sim_f
    lost = (best_f >= 0) & (best < 0)
    # similar to nothing: still nothing, and the subset's default item wins
    nothing = lost & (rule_f != (0 if coded else _RULES[0])) & (sim_f == 0)
    if nothing.any():
        lengths = np.array([len(_norm_one(x)) for x in items], dtype="int64")
        best[nothing] = int(np.argmax(lengths))
        if min_similarity <= 0:
            item_idx[nothing] = best[nothing]
            rule[nothing] = 1 if coded else _RULES[1]
    again = np.flatnonzero(lost & ~nothing)
    if len(again):
        got = fresh(meetings.iloc[rows[again]])
        item_idx[again], rule[again], sim[again], best[again] = got
    return item_idx, rule, sim, best


def match_meetings(
    meetings: pd.DataFrame,
    plan: pd.DataFrame,
    occurrences: pd.DataFrame,
    *,
    tolerance_days: int = 1,
    min_similarity: float = 0.5,
    calendar="cn",
) -> pd.DataFrame:
    """Match held meetings to plan items and to expected occurrences (rules in module doc).

    Parameters
    ----------
    meetings : DataFrame
        Canonical meetings ``[date, time, topic, plan_item, output, duration_min, …]``
        (``start`` is used when present, else ``date`` + ``time``).
    plan : DataFrame
        Canonical plan (only ``item`` is used).
    occurrences : DataFrame
        :func:`~collab_analytics.metrics.schedule.expected_occurrences` output.
    tolerance_days : int, default 1
        Largest distance, in working days of ``calendar``, between a meeting and the
        occurrence it is matched to.
    min_similarity : float, default 0.5
        Threshold for the topic → plan item rule.
    calendar : calendar spec, default ``"cn"``

    Returns
    -------
    DataFrame
        One row per meeting, in input order: ``[meeting, date, start, topic, item,
        item_rule, similarity, occurrence, days_off, minutes_late, matched, reason,
        has_output, duration_min]``. ``meeting`` is the row position in ``meetings``;
        ``item_rule`` is ``plan_item`` / ``topic`` / missing; ``days_off`` is the signed
        working-day distance meeting − occurrence; ``minutes_late`` the time-of-day difference;
        ``reason`` is missing for matched meetings, else ``no_plan_item``, ``off_schedule`` or
        ``duplicate``.

    Examples
    --------
    >>> import pandas as pd
    >>> from collab_analytics.metrics.schedule import expected_occurrences
    >>> plan = pd.DataFrame({"item": ["风险排查会"], "frequency": ["每周五15:00"]})
    >>> occ = expected_occurrences(plan, start="2024-07-01", end="2024-07-14")
    >>> meetings = pd.DataFrame({"date": pd.to_datetime(["2024-07-08"]), "time": ["15:30"],
    ...                          "topic": ["风险排查会(补开)"]})
    >>> match_meetings(meetings, plan, occ)[["item", "occurrence", "days_off", "minutes_late"]]
        item          occurrence  days_off  minutes_late
    0  风险排查会 2024-07-05 15:00:00       1.0          30.0
    """
    if len(meetings) == 0:
        return _empty_matches()
    items = _plan_items(plan)
    item_idx, rule, sim = _assign_items(meetings, items, min_similarity)
    return _match_assigned(
        meetings,
        items,
        (item_idx, rule, sim),
        occurrences,
        tolerance_days=tolerance_days,
        calendar=calendar,
    )


def _match_assigned(
    meetings: pd.DataFrame,
    items: list[str],
    assigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    occurrences: pd.DataFrame,
    *,
    tolerance_days: int,
    calendar,
) -> pd.DataFrame:
    """:func:`match_meetings` with each meeting's plan item already assigned (item index
    into ``items``, rule, similarity: :func:`_assign_items`)."""
    if len(meetings) == 0:
        return _empty_matches()
    return _match_arrays(
        _meeting_arrays(meetings),
        items,
        assigned,
        occurrences,
        tolerance_days=tolerance_days,
        calendar=calendar,
    )


def _meeting_arrays(meetings: pd.DataFrame) -> dict:
    """What matching reads of each meeting, as arrays: normalised day and start
    (``datetime64[us]``), time of day in minutes, topic (Arrow text), output flag, minutes.

    Computed once per meeting log by the dashboard and sliced with :func:`_take_meetings`
    (every value is a function of its own row).
    """
    n = len(meetings)
    date = pd.to_datetime(meetings["date"]).dt.normalize().astype("datetime64[us]")
    date = date.to_numpy(dtype="datetime64[us]")
    tmin = _time_minutes(meetings["time"]) if "time" in meetings.columns else np.full(n, np.nan)
    if "start" in meetings.columns:
        start = pd.to_datetime(meetings["start"]).to_numpy(dtype="datetime64[us]").copy()
        gap = np.isnat(start)
        start[gap] = date[gap]
    else:
        start = date + np.nan_to_num(tmin, nan=0.0).astype("int64").astype("timedelta64[m]")
        start = start.astype("datetime64[us]")
    if "output" in meetings.columns:
        output = meetings["output"].astype("str").fillna("").str.strip()
        has_output = (output != "").to_numpy(dtype=bool)
    else:
        has_output = np.zeros(n, dtype=bool)
    topic = (
        _arrow_text(meetings["topic"])
        if "topic" in meetings.columns
        else pa.nulls(n, type=pa.large_string())
    )
    duration = (
        pd.to_numeric(meetings["duration_min"], errors="coerce").to_numpy(dtype="float64")
        if "duration_min" in meetings.columns
        else np.full(n, np.nan)
    )
    return {
        "date": date,
        "tmin": np.asarray(tmin, dtype="float64"),
        "start": start,
        "has_output": has_output,
        "topic": topic,
        "duration_min": duration,
    }


def _take_meetings(arrays: dict, rows: np.ndarray | None, *, text: bool = True) -> dict:
    """:func:`_meeting_arrays` of the meetings at positions ``rows`` (``None``: all).

    ``text=False``: the topics are not taken now; ``topic`` holds ``(whole log's topics,
    rows)``, taken when a matches frame is built (the matching never reads them)."""
    if rows is None:
        return arrays
    out = {k: v[rows] for k, v in arrays.items() if k != "topic"}
    out["topic"] = enc.take_text(arrays["topic"], rows) if text else (arrays["topic"], rows)
    return out


def _nearest(r_key: np.ndarray, l_key: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Position in the sorted ``r_key`` of the nearest key of the same group, for every
    ``l_key``: ``pd.merge_asof(direction="nearest", by=group)`` on ``key = group * 2**32 +
    day``. ``base`` is each left key's ``group * 2**32`` (the group's first key). Ties go to
    the earlier key; among equal keys the backward search takes the last, the forward search
    the first (as ``merge_asof`` does); -1 when the group has no key."""
    n = len(r_key)
    back = np.searchsorted(r_key, l_key, side="right") - 1
    # the forward candidate matters only without an exact match: then it is the key after
    # the backward one (the first of its run of equal keys)
    fwd = back + 1
    has_b = back >= 0
    has_b[has_b] = r_key[back[has_b]] >= base[has_b]
    has_f = fwd < n
    has_f[has_f] = r_key[fwd[has_f]] < base[has_f] + (1 << 32)
    bdiff = np.where(has_b, l_key - r_key[np.maximum(back, 0)], 0)
    fdiff = np.where(has_f, r_key[np.minimum(fwd, n - 1)] - l_key, 0)
    use_f = has_f & (~has_b | (fdiff < bdiff))
    return np.where(use_f, fwd, np.where(has_b, back, -1))


def _first_by_keys(group: np.ndarray, keys: tuple[np.ndarray, ...], size: int) -> np.ndarray:
    """Mask of the row of each group (int codes below ``size``) with the smallest ``keys``
    compared in order (int64; the last key distinct within a group): the first row of each
    group after ``np.lexsort((*reversed(keys), group))``, by one minimum per key (no sort).

    >>> _first_by_keys(np.array([0, 0, 1, 0]), (np.array([2, 1, 5, 1]), np.array([0, 3, 1, 2])), 2)
    array([False, False,  True,  True])
    """
    live = np.ones(len(group), dtype=bool)
    for key in keys:
        g, k = group[live], key[live]
        best = np.full(size, np.iinfo(np.int64).max, dtype="int64")
        np.minimum.at(best, g, k)
        live[live] = k == best[g]
    return live


def _match_arrays(
    arrays: dict,
    items: list[str],
    assigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    occurrences: pd.DataFrame,
    **options,
) -> pd.DataFrame:
    """:func:`_match_assigned` of meetings given as :func:`_meeting_arrays`; ``options`` as
    :func:`_match_columns` (``tolerance_days`` and ``calendar`` required).

    ``occ_code`` (each occurrence's position in ``items``) and ``occ_ptime`` (its planned
    time of day in minutes) are read from ``occurrences`` when not given. ``m_order``, a
    hint: the meetings with an item and a date sorted by (item, day) (see
    :func:`_key_order`); it only speeds the searches up (checked, ignored when it is not
    that order; the result does not depend on it).
    """
    return _match_ordered(arrays, items, assigned, occurrences, **options)[0]


def _key_order(
    m_order: np.ndarray | None, valid: np.ndarray, m_key: np.ndarray
) -> np.ndarray | None:
    """``m_order`` when it lists exactly the ``valid`` meetings in non-decreasing ``m_key``
    order, else ``None``."""
    if m_order is None or len(m_order) != int(valid.sum()):
        return None
    if len(m_order) and not valid[m_order].all():
        return None
    k = m_key[m_order]
    return m_order if len(k) < 2 or bool((k[1:] >= k[:-1]).all()) else None


def _match_ordered(
    arrays: dict,
    items: list[str],
    assigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    occurrences: pd.DataFrame,
    **options,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`_match_arrays`, and ``m_order`` when it was the meetings' (item, day) order
    (``None`` when not given or not that order); ``options`` as :func:`_match_columns`."""
    cols, m_order = _match_columns(arrays, items, assigned, occurrences, **options)
    return _matches_frame(cols, items), m_order


def _matches_frame(cols: dict | None, items: list[str]) -> pd.DataFrame:
    """The :func:`match_meetings` frame of :func:`_match_columns`' columns (``None``: no
    meeting)."""
    if cols is None:
        return _empty_matches()
    return pd.DataFrame(
        {
            "meeting": np.arange(len(cols["date"]), dtype="int64"),
            "date": pd.Series(cols["date"], dtype="datetime64[us]"),
            "start": pd.Series(cols["start"], dtype="datetime64[us]"),
            "topic": _str_series(
                enc.take_text(*cols["topic"]) if isinstance(cols["topic"], tuple) else cols["topic"]
            ),
            "item": _coded_text(items, cols["item_idx"]),
            "item_rule": _coded_text(list(_RULES), _rule_codes(cols["rule"])),
            "similarity": cols["sim"],
            "occurrence": pd.Series(cols["occurrence"], dtype="datetime64[us]"),
            "days_off": cols["days_off"],
            "minutes_late": cols["minutes_late"],
            "matched": cols["matched"],
            "reason": _coded_text(["no_plan_item", "off_schedule", "duplicate"], cols["reason"]),
            "has_output": cols["has_output"],
            "duration_min": cols["duration_min"],
        }
    )


def _match_columns(
    arrays: dict,
    items: list[str],
    assigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    occurrences: pd.DataFrame,
    *,
    tolerance_days: int,
    calendar,
    occ_code: np.ndarray | None = None,
    occ_ptime: np.ndarray | None = None,
    m_order: np.ndarray | None = None,
    occ_time: np.ndarray | None = None,
) -> tuple[dict | None, np.ndarray | None]:
    """The matching of :func:`_match_ordered` as arrays, the frame's columns by name
    (``item_idx``: item codes into ``items``, ``rule``: rules as given, ``sim``, ``reason``:
    codes of no_plan_item / off_schedule / duplicate, -1: none; the rest as the frame's
    columns; ``None`` for no meeting), and the confirmed ``m_order``. ``occ_time``: the
    occurrences' times (``datetime64[us]``) when known; ``occurrences`` is then read only
    for what else is not given."""
    n = len(arrays["date"])
    if n == 0:
        return None, None
    cal = get_calendar(calendar)
    item_idx, rule, sim = assigned
    date, tmin, start = arrays["date"], arrays["tmin"], arrays["start"]

    if occ_code is None:
        code_of = {it: j for j, it in enumerate(items)}
        occ_code = _distinct(
            occurrences["item"],
            lambda u: np.array([code_of.get(x, -1) for x in u.tolist()], dtype="int64"),
        )
    if occ_time is None:
        occ_time = occurrences["occurrence"].to_numpy(dtype="datetime64[us]")
    n_occ = len(occ_time)
    if occ_ptime is None:
        occ_ptime = _time_minutes(occurrences["planned_time"]) if n_occ else np.zeros(0)

    valid_m = (item_idx >= 0) & ~np.isnat(date)
    occurrence = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    occ_pos = np.full(n, -1, dtype="int64")

    if valid_m.any() and n_occ:
        mdays = date.astype("datetime64[D]")
        odays = occ_time.astype("datetime64[D]")
        all_days = np.concatenate([mdays[valid_m], odays])
        lo, hi = all_days.min(), all_days.max()
        m_ord = np.zeros(n, dtype="int64")
        cum = _workday_counts(cal, lo, hi)  # one grid for the meetings and the occurrences
        m_ord[valid_m] = _day_ordinals(mdays[valid_m], cal, lo, hi, cum)
        o_ord = _day_ordinals(odays, cal, lo, hi, cum)
        # (item, day) as one int64 key: item * 2**32 + days since the first day
        o_key = (odays - lo).astype("int64") + (occ_code.astype("int64") << 32)
        m_key = np.zeros(n, dtype="int64")
        m_key[valid_m] = (mdays[valid_m] - lo).astype("int64") + (item_idx[valid_m] << 32)
        # candidates in key order when the hint holds: the searches then walk forward
        m_order = _key_order(m_order, valid_m, m_key)
        m_start = start.view("int64")
        o_time = occ_time.view("int64")
        free = occ_code >= 0
        pending = valid_m.copy()
        # the free occurrences in key order (ties: row order) are the sorted ones still free:
        # one stable sort (none when the expansion's keys come sorted), then a filter per round
        key_order = np.flatnonzero(free)
        ok_key = o_key[key_order]
        if len(ok_key) > 1 and (ok_key[1:] < ok_key[:-1]).any():
            key_order = key_order[np.argsort(ok_key, kind="stable")]
            ok_key = o_key[key_order]
        # no two occurrences of an item on one day: an occurrence is missed exactly when no
        # meeting took it (see _cadence_frames)
        distinct = not (ok_key[1:] == ok_key[:-1]).any()
        for _round in range(3):
            cand = np.flatnonzero(pending) if m_order is None else m_order[pending[m_order]]
            ro = key_order[free[key_order]]
            if len(cand) == 0 or len(ro) == 0:
                break
            lk = m_key[cand]
            at = _nearest(o_key[ro], lk, item_idx[cand] << 32)
            got = at >= 0
            if not got.any():
                break
            mm, oo = cand[got], ro[at[got]]
            ok = np.abs(m_ord[mm] - o_ord[oo]) <= tolerance_days
            mm, oo = mm[ok], oo[ok]
            # one meeting per occurrence: the closest in time keeps it, then the earlier
            # meeting (not the earlier row: the outcome must not depend on the log's order)
            ms = m_start[mm]
            dist = np.abs(ms - o_time[oo])
            win = _first_by_keys(oo, (dist, ms, mm), n_occ)
            win_m, win_o = mm[win], oo[win]
            occ_pos[win_m] = win_o
            free[win_o] = False
            pending[win_m] = False
            # meetings that found nothing within tolerance stop here; losers retry
            found = np.zeros(n, dtype=bool)
            found[mm] = True
            pending[cand[~found[cand]]] = False
            if len(win_m) == len(mm):
                break
        has = occ_pos >= 0
        occurrence[has] = occ_time[occ_pos[has]]
        days_off = np.full(n, np.nan)
        days_off[has] = (m_ord[has] - o_ord[occ_pos[has]]).astype("float64")
        minutes_late = np.full(n, np.nan)
        minutes_late[has] = tmin[has] - occ_ptime[occ_pos[has]]
        # losers of a contested occurrence that found nothing else are duplicates
        contested = np.zeros(n, dtype=bool)
        lone = np.flatnonzero(valid_m & ~has)  # only unmatched meetings get a reason
        if has.any() and len(lone) and m_order is not None:
            # the keys in order: a meeting shares its (item, day) when a neighbour equals it
            vk = m_key[m_order]
            twin = np.zeros(len(vk), dtype=bool)
            same = vk[1:] == vk[:-1]
            twin[1:] |= same
            twin[:-1] |= same
            shared = np.zeros(n, dtype=bool)
            shared[m_order] = twin
            contested[lone] = shared[lone]
        elif has.any() and len(lone):
            vk = np.sort(m_key[valid_m])
            q = m_key[lone]
            many = np.searchsorted(vk, q, side="right") - np.searchsorted(vk, q, side="left")
            contested[lone[many > 1]] = True
    else:
        m_order = None
        free, distinct = None, False
        has = np.zeros(n, dtype=bool)
        days_off = np.full(n, np.nan)
        minutes_late = np.full(n, np.nan)
        contested = np.zeros(n, dtype=bool)

    off = (item_idx >= 0) & ~has
    reason = np.where(item_idx < 0, 0, np.where(off, np.where(contested, 2, 1), -1))
    cols = {
        "date": date,
        "start": start,
        "topic": arrays["topic"],
        "item_idx": np.asarray(item_idx, dtype="int64"),
        "rule": rule,
        "sim": sim,
        "occurrence": occurrence,
        "days_off": days_off,
        "minutes_late": minutes_late,
        "matched": has,
        "reason": reason,
        "has_output": arrays["has_output"],
        "duration_min": arrays["duration_min"],
        # per occurrence: not taken by a meeting (None: no matching ran), and whether no
        # two occurrences with an item share the item and the day
        "occ_free": free,
        "occ_distinct": distinct,
    }
    return cols, m_order


def _cadence_frames(
    arrays: dict,
    items: list[str],
    assigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    plan: pd.DataFrame,
    occurrences: pd.DataFrame,
    expansion,
    expected: pd.DataFrame,
    present: tuple[np.ndarray, np.ndarray, list[str]],
    *,
    tolerance_days: int,
    calendar,
    m_order: np.ndarray | None = None,
    listed: tuple[np.ndarray, list[str]] | None = None,
    lazy: bool = False,
    rows_coded: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, pd.DataFrame]:
    """``matches``, ``missed``, ``cadence`` and ``attendance`` as :func:`match_meetings`,
    :func:`missed_occurrences`, :func:`cadence_summary` (with ``plan``) and
    :func:`attendance` give them, on integer item codes throughout: the meetings as
    :func:`_meeting_arrays` with their assignment to ``items`` (:func:`_plan_items` of
    ``plan``), the occurrences with their ``expansion`` (plan row of each occurrence, the
    rows' items and planned times: :class:`~collab_analytics.metrics.schedule._Expansion`)
    and the departments present at each meeting (:func:`_meeting_dept_codes` pairs).
    ``m_order``: a hint, see :func:`_match_arrays`. ``listed``: present pairs counted per
    (item, department), ``present`` holding the others' (see :func:`_attendance_codes`).

    Also ``item_codes`` when the missed occurrences were found on codes: ``(match codes,
    missed codes, items)``, the ``item`` of each row of ``matches`` and ``missed`` as its
    position in ``items`` (-1: none), for a chart that groups by item without hashing the
    texts again.

    ``lazy``: ``matches`` is a function building the frame (the others are computed from
    the matching's arrays, not from it), and ``marks`` its ``date`` and ``matched``
    columns (what the cadence chart reads besides the item codes).

    ``rows_coded``: each expansion row's item position in ``items`` (-1: none) and planned
    time in minutes, when the caller derived them (else read from ``expansion``).

    ``occurrences`` may be a function building the frame: the times are then the
    expansion's, and the frame is built only where a rare case needs it (no frame of the
    report is the occurrences)."""
    if rows_coded is not None:
        row_code, row_ptime = rows_coded
    else:
        row_code = (
            _positions_in(expansion.items, items)
            if len(items)
            else np.full(len(expansion.items), -1, dtype="int64")
        )
        row_ptime = _time_minutes(pd.Series(expansion.times, dtype="str"))
    occ_code = row_code[expansion.rows] if len(row_code) else np.zeros(0, dtype="int64")
    occ_ptime = row_ptime[expansion.rows] if len(row_ptime) else np.zeros(0)
    if isinstance(occurrences, pd.DataFrame):
        occ_given = [occurrences]
        occ_time = occurrences["occurrence"].to_numpy(dtype="datetime64[us]")
    else:
        occ_given, make_occ = [], occurrences
        occ_time = np.asarray(expansion.occ, dtype="datetime64[us]")

    def occ_frame() -> pd.DataFrame:
        if not occ_given:
            occ_given.append(make_occ())
        return occ_given[0]

    cols, m_order = _match_columns(
        arrays,
        items,
        assigned,
        None,
        tolerance_days=tolerance_days,
        calendar=calendar,
        occ_code=occ_code,
        occ_ptime=occ_ptime,
        m_order=m_order,
        occ_time=occ_time,
    )
    built: list[pd.DataFrame] = []

    def frame() -> pd.DataFrame:
        if not built:
            built.append(_matches_frame(cols, items))
        return built[0]

    n = len(arrays["date"])
    src = cols if cols is not None else frame()  # what the other frames read
    item_idx = np.asarray(assigned[0], dtype="int64")
    matched = _values(src, "matched", bool)
    codes = None
    if len(occ_time) == 0:
        missed = missed_occurrences(frame(), occ_frame())
    else:
        rows = None
        if (
            cols is not None
            and cols["occ_free"] is not None
            and cols["occ_distinct"]
            and not (occ_code < 0).any()
            and not np.isnat(occ_time).any()
        ):
            # every occurrence has an item and a time, no two share an item and a day: the
            # missed ones (no matched meeting with its item and time) are those left free
            rows = np.flatnonzero(cols["occ_free"])
        else:
            rows = _missed_rows(src, occ_frame(), occ_code, item_idx[matched], len(items))
        if rows is None:
            missed = _missed_codes(frame(), occ_frame(), occ_code, item_idx[matched], len(items))
        else:
            # the occurrences' texts from their plan rows (as the occurrence frame has them)
            at = expansion.rows[rows]
            missed = pd.DataFrame(
                {
                    "item": _decoded(expansion.items, at),
                    "occurrence": pd.Series(occ_time[rows], dtype="datetime64[us]"),
                    "planned_time": _decoded(pd.Series(expansion.times, dtype="str"), at),
                }
            )
            codes = (item_idx, occ_code[rows], items)
    names = plan["item"]
    if n and names.notna().all() and pd.unique(names.astype("str")).tolist() == items:
        summary = _summary_codes(items, occ_code, item_idx, src, m_order=m_order)
    else:
        summary = cadence_summary(frame(), occ_frame(), plan=plan)
    if n == 0 or len(expected) == 0:
        att = _attendance_present(frame(), expected, present)  # empty
    else:
        has = item_idx >= 0
        att = _attendance_codes(
            np.flatnonzero(has),
            item_idx[has],
            _positions_in(expected["item"], items),
            items,
            expected["department"],
            present,
            listed,
        )
    out = {"matches": frame if lazy else frame()}
    out.update(missed=missed, cadence=summary, attendance=att)
    if codes is not None:
        out["item_codes"] = codes
    if lazy:
        date = src["date"]
        out["marks"] = pd.DataFrame(
            {
                "date": pd.Series(date, dtype="datetime64[us]"),
                "matched": _values(src, "matched", bool),
            }
        )
    return out


def _positions_in(values: pd.Series, names: list[str]) -> np.ndarray:
    """Position of each text of ``values`` among the distinct ``names`` (-1: absent or
    missing), looked up in Arrow (``pd.Index(names).get_indexer(values)``)."""
    got = pc.index_in(_arrow_text(values), value_set=pa.array(names, type=pa.large_string()))
    return np.asarray(got.fill_null(-1).to_numpy(zero_copy_only=False), dtype="int64")


def _coded_text(names: list[str], codes: np.ndarray) -> pd.Series:
    """A ``str`` Series of ``names[code]`` (missing where the code is -1), decoded in Arrow
    (a dictionary array cast to text: faster than a ``take`` for long code arrays).

    >>> _coded_text(["a", "b"], np.array([1, -1, 0])).tolist()
    ['b', nan, 'a']
    """
    codes = np.asarray(codes)
    small = len(names) < (1 << 31)
    idx = pa.array(codes.astype("int32" if small else "int64"), mask=codes < 0)
    values = pa.array(names, type=pa.large_string())
    return _str_series(pa.DictionaryArray.from_arrays(idx, values).cast(pa.large_string()))


def _gap_stats(keys: np.ndarray, days: np.ndarray, *, presorted: bool = False) -> pd.DataFrame:
    """Per key: meetings, mean/median/max gap in days, start/end of the longest gap.

    ``keys`` are int codes, ``days`` datetime64[D]. Vectorised: one sort (none when
    ``presorted``: already by key, then day), one diff, then bincounts per key (the index
    holds the keys present, sorted).
    """
    got = _gap_arrays(keys, days, presorted=presorted)
    return pd.DataFrame({c: got[c] for c in _GAP_COLUMNS}, index=pd.Index(got["key"], name="key"))


_GAP_COLUMNS = (
    "meetings",
    "gap_mean_days",
    "gap_median_days",
    "gap_max_days",
    "longest_gap_start",
    "longest_gap_end",
)


def _gap_arrays(keys: np.ndarray, days: np.ndarray, *, presorted: bool = False) -> dict:
    """:func:`_gap_stats` as arrays: ``key`` (the keys present, sorted) and one array per
    column of :data:`_GAP_COLUMNS`."""
    k, d = np.asarray(keys, dtype="int64"), days.astype("int64")
    if not presorted:
        k, d = _sorted_pairs(k, d)
    n = len(k)
    same = np.zeros(n, dtype=bool)
    same[1:] = k[1:] == k[:-1]
    head = np.flatnonzero(~same)
    uk = k[head]
    g = np.cumsum(~same) - 1  # group of each sorted row
    ng = len(uk)
    rows = np.flatnonzero(same)  # rows closing a gap
    gc = g[rows]
    gv = (d[rows] - d[rows - 1]).astype("float64")
    n_gap = np.bincount(gc, minlength=ng)
    total = np.bincount(gc, weights=gv, minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_gap > 0, total / np.maximum(n_gap, 1), np.nan)
    median = _group_median(gc, gv, ng)
    gap_max = np.full(ng, np.nan)
    start = np.full(ng, np.datetime64("NaT"), dtype="datetime64[us]")
    end = start.copy()
    if len(rows):
        # the longest gap of each key: the first (earliest) one of maximal length; the gaps
        # come grouped by key (``gc`` ascending), so one maximum per run of ``gc``
        glen = d[rows] - d[rows - 1]
        run = np.flatnonzero(np.r_[True, gc[1:] != gc[:-1]])
        top = np.maximum.reduceat(glen, run)
        hit = np.flatnonzero(glen == np.repeat(top, np.diff(np.append(run, len(gc)))))
        pick = hit[np.r_[True, gc[hit][1:] != gc[hit][:-1]]]
        grp, at = gc[pick], rows[pick]
        gap_max[grp] = gv[pick]
        start[grp] = d[at - 1].astype("datetime64[D]").astype("datetime64[us]")
        end[grp] = d[at].astype("datetime64[D]").astype("datetime64[us]")
    return {
        "key": uk,
        "meetings": np.diff(np.append(head, n)).astype("int64"),
        "gap_mean_days": mean,
        "gap_median_days": median,
        "gap_max_days": gap_max,
        "longest_gap_start": start,
        "longest_gap_end": end,
    }


def cadence_summary(
    matches: pd.DataFrame,
    occurrences: pd.DataFrame,
    *,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per plan item: expected vs held meetings, punctuality, gaps and minutes.

    Parameters
    ----------
    matches : DataFrame
        :func:`match_meetings` output.
    occurrences : DataFrame
        :func:`~collab_analytics.metrics.schedule.expected_occurrences` output.
    plan : DataFrame, optional
        When given, every plan item gets a row (in plan order), even with nothing expected.

    Returns
    -------
    DataFrame
        ``[item, expected, held, adherence, missed, unplanned, punctuality_median_min,
        gap_median_days, gap_max_days, longest_gap_start, longest_gap_end, output_share]``.
        ``adherence`` is NaN when nothing was expected; gaps are calendar days between
        consecutive meetings of the item (matched or not); ``output_share`` is the share of the
        item's meetings with a recorded output.
    """
    occ_codes, occ_uniq = _item_codes(occurrences["item"])
    m_codes, m_uniq = _item_codes(matches["item"])
    items = list(
        dict.fromkeys(
            (
                pd.Index(pd.unique(plan["item"].astype("str").dropna()))
                .to_numpy(dtype=object)
                .tolist()
                if plan is not None
                else []
            )
            + list(occ_uniq)
            + list(m_uniq)
        )
    )
    if not items:
        return pd.DataFrame(
            {
                c: pd.Series(
                    [],
                    dtype=(
                        "str"
                        if c == "item"
                        else "int64"
                        if c in ("expected", "held", "missed", "unplanned")
                        else "datetime64[us]"
                        if c.startswith("longest")
                        else "float64"
                    ),
                )
                for c in CADENCE_COLUMNS
            }
        )
    # every count, median and share on integer item codes (position in ``items``)
    idx = pd.Index(items, name="item")
    oc = _recode(occ_codes, idx.get_indexer(pd.Index(occ_uniq, dtype="object")))
    mc = _recode(m_codes, idx.get_indexer(pd.Index(m_uniq, dtype="object")))
    return _summary_codes(items, oc, mc, matches)


def _summary_codes(
    items: list[str],
    oc: np.ndarray,
    mc: np.ndarray,
    matches,
    *,
    m_order: np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`cadence_summary` with each occurrence's (``oc``) and each match row's (``mc``)
    position in ``items`` (-1: none), ``items`` being the summary's rows in order.

    ``matches``: the frame, or :func:`_match_columns`' arrays. ``m_order``: the match rows
    with an item and a date sorted by (``mc``, day), as :func:`_match_ordered` confirmed it
    (the gaps then need no sort)."""
    k = len(items)
    exp = np.bincount(oc[oc >= 0], minlength=k).astype("int64")
    has = mc >= 0
    matched = _values(matches, "matched", bool)
    hld = np.bincount(mc[has & matched], minlength=k).astype("int64")
    unplanned = np.bincount(mc[has & ~matched], minlength=k).astype("int64")
    n_m = np.bincount(mc[has], minlength=k)
    got_out = np.bincount(mc[has], weights=_values(matches, "has_output", float)[has], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        out_share = np.where(n_m > 0, got_out / np.maximum(n_m, 1), np.nan)
    punct = _group_median(mc[has], _values(matches, "minutes_late", "float64")[has], k)
    day = _values(matches, "date", "datetime64[us]").astype("datetime64[D]")
    dated = has & ~np.isnat(day)
    # per item (missing where an item has no dated meeting)
    gap_median, gap_max = np.full(k, np.nan), np.full(k, np.nan)
    gap_start = np.full(k, np.datetime64("NaT"), dtype="datetime64[us]")
    gap_end = gap_start.copy()
    if dated.any():
        if m_order is not None:
            got = _gap_arrays(mc[m_order], day[m_order], presorted=True)
        else:
            got = _gap_arrays(mc[dated], day[dated])
        at = got["key"]
        gap_median[at], gap_max[at] = got["gap_median_days"], got["gap_max_days"]
        gap_start[at], gap_end[at] = got["longest_gap_start"], got["longest_gap_end"]
    with np.errstate(invalid="ignore", divide="ignore"):
        adherence = np.where(exp > 0, hld / np.where(exp > 0, exp, 1), np.nan)
    return pd.DataFrame(
        {
            "item": pd.Series(items, dtype="str"),
            "expected": exp,
            "held": hld,
            "adherence": adherence,
            "missed": exp - hld,
            "unplanned": unplanned,
            "punctuality_median_min": punct,
            "gap_median_days": gap_median,
            "gap_max_days": gap_max,
            "longest_gap_start": pd.Series(gap_start, dtype="datetime64[us]"),
            "longest_gap_end": pd.Series(gap_end, dtype="datetime64[us]"),
            "output_share": out_share,
        }
    )


def _item_codes(s: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 = missing) and distinct values (first appearance) of an item column."""
    codes, uniq = pd.factorize(s.astype("str"))
    return np.asarray(codes, dtype="int64"), pd.Index(uniq).to_numpy(dtype=object).tolist()


def _recode(codes: np.ndarray, to: np.ndarray) -> np.ndarray:
    """``to[codes]`` with -1 kept."""
    return np.append(np.asarray(to, dtype="int64"), -1)[codes]


def _sorted_pairs(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keys, values) sorted by key, then value (int64 keys ``>= 0``, int64 values): one
    sort of ``key << 32 | value - min`` when the keys and the values' span fit 31 bits
    (no index array, no lexsort), else a lexsort."""
    if len(keys) == 0:
        return keys, values
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < (1 << 31) and int(keys.max()) < (1 << 31) and int(keys.min()) >= 0:
        packed = np.sort((keys << 32) | (values - lo))
        return packed >> 32, (packed & 0xFFFFFFFF) + lo
    o = np.lexsort((values, keys))
    return keys[o], values[o]


def _group_median(codes: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Median of the non-missing ``values`` of each code ``0..k-1`` (NaN when none), as
    ``groupby().median()`` computes it (the mean of the two middle values)."""
    out = np.full(k, np.nan)
    ok = ~np.isnan(values)
    c, v = codes[ok], values[ok]
    if len(c) == 0:
        return out
    iv = v.astype("int64")
    if np.array_equal(iv, v):  # whole numbers (minutes, days): one sort of packed pairs
        c, iv = _sorted_pairs(c.astype("int64"), iv)
        v = iv.astype("float64")
    else:
        o = np.lexsort((v, c))
        c, v = c[o], v[o]
    n = np.bincount(c, minlength=k)
    lo = np.cumsum(n) - n
    g = np.flatnonzero(n)
    a = v[lo[g] + (n[g] - 1) // 2]
    b = v[lo[g] + n[g] // 2]
    out[g] = (a + b) / 2
    return out


def missed_occurrences(matches: pd.DataFrame, occurrences: pd.DataFrame) -> pd.DataFrame:
    """Expected occurrences no meeting was matched to: ``[item, occurrence, planned_time]``.

    >>> import pandas as pd
    >>> occ = pd.DataFrame({"item": ["a", "a"], "occurrence": pd.to_datetime(["2024-07-05",
    ...                     "2024-07-12"]).astype("datetime64[us]"), "planned_time": [None, None]})
    >>> m = pd.DataFrame({"item": ["a"], "occurrence": pd.to_datetime(["2024-07-05"]),
    ...                   "matched": [True]})
    >>> missed_occurrences(m, occ)["occurrence"].dt.strftime("%m-%d").tolist()
    ['07-12']
    """
    cols = ["item", "occurrence", "planned_time"]
    if len(occurrences) == 0:
        return occurrences.reindex(columns=cols).reset_index(drop=True)
    # (item, occurrence) pairs as one integer key each: item code × time span + time offset
    matched = matches["matched"].to_numpy(dtype=bool)
    o_codes, o_uniq = _item_codes(occurrences["item"])
    h_codes, h_uniq = _item_codes(matches["item"][matched])
    h_codes = _recode(
        h_codes, pd.Index(o_uniq, dtype="object").get_indexer(pd.Index(h_uniq, dtype="object"))
    )
    return _missed_codes(matches, occurrences, o_codes, h_codes, len(o_uniq))


def _missed_codes(
    matches: pd.DataFrame,
    occurrences: pd.DataFrame,
    o_codes: np.ndarray,
    h_codes: np.ndarray,
    n_items: int,
) -> pd.DataFrame:
    """:func:`missed_occurrences` with item codes in ``[-1, n_items)`` (one coding for both)
    of every occurrence (``o_codes``) and of every *matched* match row (``h_codes``)."""
    cols = ["item", "occurrence", "planned_time"]
    rows = _missed_rows(matches, occurrences, o_codes, h_codes, n_items)
    if rows is not None:
        return occurrences[cols].iloc[rows].reset_index(drop=True)
    matched = matches["matched"].to_numpy(dtype=bool)
    hit = matches.loc[matched, ["item", "occurrence"]].drop_duplicates()
    hit = hit.assign(_hit=True)
    hit["occurrence"] = hit["occurrence"].astype("datetime64[us]")
    hit["item"] = hit["item"].astype("str")
    merged = occurrences[cols].merge(hit, on=["item", "occurrence"], how="left")
    return merged.loc[merged["_hit"].isna(), cols].reset_index(drop=True)


def _values(matches, name: str, dtype) -> np.ndarray:
    """Column ``name`` of a matches frame, or of :func:`_match_columns`' arrays, as numpy."""
    col = matches[name]
    if isinstance(col, pd.Series):
        return col.to_numpy(dtype=dtype)
    return np.asarray(col, dtype=dtype)


def _missed_rows(
    matches,
    occurrences: pd.DataFrame,
    o_codes: np.ndarray,
    h_codes: np.ndarray,
    n_items: int,
) -> np.ndarray | None:
    """Positions of the missed occurrences (:func:`_missed_codes`' arguments; ``matches``
    may be :func:`_match_columns`' arrays) found on integer keys; ``None`` when the keys do
    not fit (a missing time or item, a huge span: the caller joins on the columns)."""
    matched = _values(matches, "matched", bool)
    o_t = occurrences["occurrence"].to_numpy(dtype="datetime64[us]").view("int64")
    h_t = _values(matches, "occurrence", "datetime64[us]")[matched].view("int64")
    o_nat = np.isnat(occurrences["occurrence"].to_numpy(dtype="datetime64[us]"))
    h_ok = (h_codes >= 0) & (h_t != np.iinfo(np.int64).min)
    lo = int(o_t[~o_nat].min()) if (~o_nat).any() else 0
    span = (int(o_t[~o_nat].max()) - lo + 1) if (~o_nat).any() else 1
    fits = span * (n_items + 1) < (1 << 62) and not o_nat.any() and not (o_codes < 0).any()
    if not fits:  # missing keys or a huge span: the join on the columns themselves
        return None
    h_ok &= (h_t >= lo) & (h_t < lo + span)
    o_key = o_codes * span + (o_t - lo)
    h_key = h_codes[h_ok] * span + (h_t[h_ok] - lo)
    h_key = np.sort(h_key)
    at = np.minimum(np.searchsorted(h_key, o_key), max(len(h_key) - 1, 0))
    missed = ~(h_key[at] == o_key) if len(h_key) else np.ones(len(o_key), dtype=bool)
    return np.flatnonzero(missed)


def unplanned_meetings(matches: pd.DataFrame) -> pd.DataFrame:
    """Meetings that matched no expected occurrence: ``[meeting, date, start, topic, item,
    reason]`` (``reason``: ``no_plan_item`` / ``off_schedule`` / ``duplicate``)."""
    cols = ["meeting", "date", "start", "topic", "item", "reason"]
    return matches.loc[~matches["matched"], cols].reset_index(drop=True)


def meeting_gaps(
    meetings: pd.DataFrame,
    *,
    by: str = "topic",
    intended_days: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Regularity of a plain meeting log, without any plan: gaps between consecutive meetings.

    Parameters
    ----------
    meetings : DataFrame
        Canonical meetings (``date`` and the ``by`` column are used).
    by : {"topic", "plan_item"} or column name
        What makes a series. Topics are compared after normalisation (case, spaces,
        punctuation).
    intended_days : float or mapping, optional
        The intended interval (e.g. 7 for weekly), one number or per series; gaps longer than
        it are counted in ``share_gaps_over_intended``.

    Returns
    -------
    DataFrame
        ``[series, meetings, gap_mean_days, gap_median_days, gap_max_days, longest_gap_start,
        longest_gap_end, intended_days, share_gaps_over_intended]`` in calendar days; one
        row per series, ordered by first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"date": pd.to_datetime(["2024-07-05", "2024-07-12", "2024-07-26"]),
    ...                     "topic": ["周会", "周会", "周会 "]})
    >>> meeting_gaps(log, intended_days=7)[["series", "gap_max_days",
    ...                                      "share_gaps_over_intended"]]
      series  gap_max_days  share_gaps_over_intended
    0     周会          14.0                       0.5
    """
    if len(meetings) == 0 or by not in meetings.columns:
        return pd.DataFrame(
            {
                c: pd.Series(
                    [],
                    dtype=(
                        "str"
                        if c == "series"
                        else "int64"
                        if c == "meetings"
                        else "datetime64[us]"
                        if c.startswith("longest")
                        else "float64"
                    ),
                )
                for c in GAP_COLUMNS
            }
        )
    raw = meetings[by].astype("str").reset_index(drop=True)
    key_text = _norm_text(raw)
    ok = (key_text != "").to_numpy() & pd.to_datetime(meetings["date"]).notna().to_numpy()
    codes, uniq = pd.factorize(key_text[ok], sort=False)
    first_label = raw[ok].groupby(codes, sort=True).first().str.strip()
    days = pd.to_datetime(meetings["date"]).to_numpy(dtype="datetime64[D]")[ok]
    stats = _gap_stats(codes.astype("int64"), days)
    labels = first_label.reindex(stats.index).to_numpy()
    if intended_days is None:
        intended = np.full(len(stats), np.nan)
    elif isinstance(intended_days, Mapping):
        norm_map = {_norm_one(k): float(v) for k, v in intended_days.items()}
        intended = np.array([norm_map.get(uniq[i], np.nan) for i in stats.index], dtype=float)
    else:
        intended = np.full(len(stats), float(intended_days))
    # share of gaps over the intended interval
    order = np.lexsort((days, codes))
    k, d = codes[order], days[order].astype("int64")
    same = np.r_[False, k[1:] == k[:-1]]
    gap = np.r_[np.nan, (d[1:] - d[:-1]).astype("float64")]
    gk, gv = k[same], gap[same]
    lim = np.full(int(codes.max()) + 1 if len(codes) else 0, np.nan)
    lim[stats.index.to_numpy()] = intended
    over = np.bincount(gk, weights=(gv > lim[gk]).astype(float), minlength=len(lim))
    cnt = np.bincount(gk, minlength=len(lim))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where((cnt > 0) & ~np.isnan(lim), over / np.maximum(cnt, 1), np.nan)
    return pd.DataFrame(
        {
            "series": pd.Series(labels, dtype="str"),
            "meetings": stats["meetings"].to_numpy(dtype="int64"),
            "gap_mean_days": stats["gap_mean_days"].to_numpy(dtype="float64"),
            "gap_median_days": stats["gap_median_days"].to_numpy(dtype="float64"),
            "gap_max_days": stats["gap_max_days"].to_numpy(dtype="float64"),
            "longest_gap_start": stats["longest_gap_start"].to_numpy(),
            "longest_gap_end": stats["longest_gap_end"].to_numpy(),
            "intended_days": intended,
            "share_gaps_over_intended": share[stats.index.to_numpy()],
        }
    )


# --------------------------------------------------------------------------- participation


def expected_departments(
    plan: pd.DataFrame,
    departments: Sequence[str],
    *,
    sponsor: str | None = None,
    raci: pd.DataFrame | None = None,
    meetings: pd.DataFrame | None = None,
    matches: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Departments expected at each plan item: ``[item, department, source]``.

    From the plan's ``participants`` text: "各部门对接人", "三部门负责人", "all departments"
    → every department in ``departments``; explicit names → those departments;
    "项目发起方"/"sponsor" → ``sponsor``. Optionally (``raci``, ``meetings`` and ``matches``
    given) the R and A departments of the tasks listed in the item's meetings'
    ``related_tasks`` are added with ``source = "raci"``.

    >>> import pandas as pd
    >>> plan = pd.DataFrame({"item": ["日常进度同步", "开发启动会"],
    ...                      "participants": ["各部门对接人", "产品部、技术部"]})
    >>> expected_departments(plan, ["客服部", "产品部", "技术部"]).groupby("item",
    ...     sort=False)["department"].apply(list).to_dict()
    {'日常进度同步': ['客服部', '产品部', '技术部'], '开发启动会': ['产品部', '技术部']}
    """
    cols = {"item": "str", "department": "str", "source": "str"}
    empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
    if len(plan) == 0 or not departments:
        return empty
    text = (
        plan["participants"]
        if "participants" in plan.columns
        else pd.Series([""] * len(plan), dtype="str")
    ).reset_index(drop=True)
    pairs = _text_departments(text, departments, sponsor)
    items = plan["item"].astype("str").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "item": items.iloc[pairs["row"]].to_numpy(),
            "department": pairs["department"].to_numpy(),
            "source": "participants",
        }
    )
    frames = [out]
    if raci is not None and meetings is not None and matches is not None and len(raci):
        rel = _related_pairs(meetings)
        if len(rel):
            rel = rel.assign(item=matches["item"].to_numpy()[rel["row"].to_numpy()])
            rel = rel[rel["item"].notna()]
            ra = raci[raci["role"].isin(["R", "A"])][["task_id", "department"]]
            got = rel.merge(ra, left_on="task_key", right_on="task_id")[["item", "department"]]
            frames.append(got.drop_duplicates().assign(source="raci"))
    res = pd.concat(frames, ignore_index=True).drop_duplicates(["item", "department"])
    return res.astype(cols).reset_index(drop=True)


def _related_items(meetings: pd.DataFrame) -> tuple[np.ndarray, pa.Array]:
    """``related_tasks`` flattened: (row, stripped non-empty task key), duplicates kept.

    Shared across calls on the same Arrow list column; the rows are read-only.
    """

    def compute():
        rows, flat = _related_items_uncached(meetings)
        rows.setflags(write=False)
        return rows, flat

    return enc.cached_columns("related", meetings, ("related_tasks",), compute)


def _related_items_uncached(meetings: pd.DataFrame) -> tuple[np.ndarray, pa.Array]:
    if "related_tasks" not in meetings.columns or len(meetings) == 0:
        return np.zeros(0, dtype="int64"), pa.array([], type=pa.large_string())
    rows, flat = _list_cells(meetings["related_tasks"])
    if len(flat):
        flat = pc.utf8_trim_whitespace(flat)
        ok = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
        if not ok.all():
            rows, flat = rows[ok], flat.filter(pa.array(ok))
    return rows, flat


def _related_pairs(meetings: pd.DataFrame) -> pd.DataFrame:
    """Long ``[row, task_key]`` from the ``related_tasks`` list column."""
    rows, flat = _related_items(meetings)
    codes, names = enc.dictionary_codes(flat)
    keep = _unique_pairs(rows, codes, len(names))
    return pd.DataFrame({"row": rows[keep], "task_key": _str_series(flat.filter(pa.array(keep)))})


def _empty_attendance() -> pd.DataFrame:
    """The columns of :func:`attendance`, no rows."""
    return pd.DataFrame(
        {
            "item": pd.Series([], dtype="str"),
            "department": pd.Series([], dtype="str"),
            "meetings": pd.Series([], dtype="int64"),
            "attended": pd.Series([], dtype="int64"),
            "attendance_rate": pd.Series([], dtype="float64"),
        }
    )


def attendance(
    matches: pd.DataFrame,
    meetings: pd.DataFrame,
    expected: pd.DataFrame,
    *,
    departments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Attendance of expected departments at each plan item's meetings.

    Every meeting assigned to a plan item (matched or not) counts once for each department
    expected at that item; it is *attended* when the department is among the meeting's
    departments (``meetings.departments``, else parsed from ``participants``).

    Returns
    -------
    DataFrame
        Long form of the department × plan item matrix: ``[item, department, meetings,
        attended, attendance_rate]`` (pivot it for a matrix).
    """
    empty = _empty_attendance()
    if len(matches) == 0 or len(expected) == 0:
        return empty
    depts = (
        list(departments)
        if departments is not None
        else list(dict.fromkeys(expected["department"].dropna()))
    )
    return _attendance_present(matches, expected, _meeting_dept_codes(meetings, depts))


def _attendance_present(
    matches: pd.DataFrame,
    expected: pd.DataFrame,
    present: tuple[np.ndarray, np.ndarray, list[str]],
) -> pd.DataFrame:
    """:func:`attendance` with the departments present at each meeting given as
    :func:`_meeting_dept_codes` (or :func:`_subset_dept_codes`) pairs."""
    if len(matches) == 0 or len(expected) == 0:
        return _attendance_codes(
            np.zeros(0, dtype="int64"),
            np.zeros(0, dtype="int64"),
            np.zeros(0, dtype="int64"),
            [],
            expected["department"].iloc[:0],
            present,
        )
    # on integer codes: every assigned meeting × the departments expected at its item (in
    # meeting order, then expected order), attended when the department was at the meeting
    has_item = matches["item"].notna().to_numpy(dtype=bool)
    k = int(has_item.sum())
    ic, iu = pd.factorize(
        pd.concat(
            [matches["item"][has_item].astype("str"), expected["item"].astype("str")],
            ignore_index=True,
        )
    )
    return _attendance_codes(
        matches["meeting"].to_numpy(dtype="int64")[has_item],
        ic[:k],
        ic[k:],
        pd.Index(iu).to_numpy(dtype=object).tolist(),
        expected["department"],
        present,
    )


def _attendance_codes(
    mm: np.ndarray,
    m_ic: np.ndarray,
    e_ic: np.ndarray,
    item_names: list[str],
    e_dept: pd.Series,
    present: tuple[np.ndarray, np.ndarray, list[str]],
    listed: tuple[np.ndarray, list[str]] | None = None,
) -> pd.DataFrame:
    """:func:`attendance` on codes: each assigned meeting's position ``mm`` and item code
    ``m_ic`` (into ``item_names``), each expected row's item code ``e_ic`` (-1: an item no
    meeting has) and department ``e_dept``, and the departments present at each meeting
    (:func:`_meeting_dept_codes`: distinct (row, code) pairs, distinct names in any order).

    ``listed``: more present pairs, already counted per (item, department) — ``(counts,
    names)``, counts of shape ``(len(item_names), len(names))`` (:func:`_listed_within`);
    ``present`` then holds the other meetings' pairs only."""
    empty = _empty_attendance()
    dc, du = pd.factorize(e_dept.astype("str"))
    n_i, n_d = len(item_names), len(du)
    ok = (e_ic >= 0) & (dc >= 0)  # a missing department forms no group
    if len(mm) == 0 or not ok.any():
        return empty
    # expected rows per (item, department) cell: each meeting of the item counts once per row
    cell = e_ic[ok] * n_d + dc[ok]
    mult = np.bincount(cell, minlength=n_i * n_d)
    n_meet = np.bincount(m_ic, minlength=n_i)
    cells = np.flatnonzero((mult > 0) & (np.repeat(n_meet, n_d) > 0))
    if len(cells) == 0:
        return empty
    # attended: (meeting, department) pairs present, on the meeting's item, in expected cells
    p_rows, p_codes, p_names = present
    pos = {d: i for i, d in enumerate(p_names)}
    to_e = np.array([pos.get(d, -1) for d in du.tolist()], dtype="int64")
    from_p = np.full(len(p_names) + 1, -1, dtype="int64")
    from_p[to_e[to_e >= 0]] = np.flatnonzero(to_e >= 0)
    top = int(max(int(mm.max()), int(p_rows.max()) if len(p_rows) else 0)) + 1
    item_of = np.full(top, -1, dtype="int64")
    item_of[mm] = m_ic
    pi, pd_ = item_of[p_rows], from_p[p_codes] if len(p_codes) else np.zeros(0, "int64")
    use = (pi >= 0) & (pd_ >= 0)
    pcell = pi[use] * n_d + pd_[use]  # the pairs are distinct (one per meeting and name)
    att = np.bincount(pcell, minlength=n_i * n_d)
    if listed is not None:
        counts, l_names = listed
        at = {d: i for i, d in enumerate(l_names)}
        to_l = np.array([at.get(d, -1) for d in du.tolist()], dtype="int64")
        has = to_l >= 0
        if has.any():
            add = np.zeros((n_i, n_d), dtype="int64")
            add[:, has] = counts[:n_i][:, to_l[has]]
            att = att + add.ravel()
    # cells in order of first appearance: the item's first meeting, then the first expected
    # row of the department among the item's rows
    first_m = _first_rows(m_ic, n_i)
    e_rows = np.flatnonzero(ok)
    first_e = np.full(n_i * n_d, len(e_ic), dtype="int64")
    first_e[cell[::-1]] = e_rows[::-1]
    ci = cells // n_d
    order = np.lexsort((first_e[cells], first_m[ci]))
    cells, ci = cells[order], ci[order]
    size = (n_meet[ci] * mult[cells]).astype("int64")
    got = (att[cells] * mult[cells]).astype("int64")
    return pd.DataFrame(
        {
            "item": _coded_text(item_names, ci),
            "department": _take_str(e_dept, first_e[cells]),
            "meetings": size,
            "attended": got,
            "attendance_rate": got.astype("float64") / size,
        }
    )


def _meeting_list_depts(meetings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The departments each meeting lists (``departments`` column only, no text fallback):
    (row, code, names) — what :func:`_subset_dept_codes` derives a subset's pairs from."""
    rows, codes, names = _meeting_dept_codes_uncached(meetings, None, None)
    return rows, codes, list(names)


def _subset_dept_codes(
    listed: tuple[np.ndarray, np.ndarray, list[str]],
    n_all: int,
    rows: np.ndarray,
    participants: pd.Series | None,
    departments: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The (row, department) pairs of :func:`_meeting_dept_codes` for the meetings at
    positions ``rows`` of a log of ``n_all`` meetings, from that log's listed departments
    (:func:`_meeting_list_depts`): a meeting's listed departments do not depend on the
    department list; only meetings that list none read their ``participants`` (the whole
    log's column) against ``departments``. Rows are positions in ``rows``; the same pairs
    as the direct call, possibly with other codes (names follow the codes)."""
    l_rows, l_codes, names = listed
    where = np.full(n_all, -1, dtype="int64")
    where[rows] = np.arange(len(rows))
    at = where[l_rows]
    keep = at >= 0
    out_rows, out_codes = at[keep], l_codes[keep]
    need = np.ones(len(rows), dtype=bool)
    need[out_rows] = False
    t_rows, t_codes, names = _text_pairs(rows, need, participants, departments, names)
    if len(t_rows):
        out_rows = np.concatenate([out_rows, t_rows])
        out_codes = np.concatenate([out_codes, t_codes])
    return out_rows, out_codes, names


def _text_pairs(
    rows: np.ndarray,
    need: np.ndarray,
    participants: pd.Series | None,
    departments: Sequence[str] | None,
    names: list[str],
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The (row, department) pairs the ``participants`` text (the whole log's column) gives
    the meetings at positions ``rows`` flagged in ``need`` (those listing no department),
    against ``departments``: rows are positions in ``rows``, codes index ``names`` (extended
    by the departments it lacks; returned)."""
    none = np.zeros(0, dtype="int64")
    if not need.any() or participants is None or not departments:
        return none, none, names
    idx = np.flatnonzero(need)
    text = participants.iloc[rows[idx]].reset_index(drop=True)
    parsed = _text_departments(text, departments)
    if not len(parsed):
        return none, none, names
    extra = [str(d) for d in pd.unique(parsed["department"])]
    names = list(names)
    known = {d: i for i, d in enumerate(names)}
    for d in extra:
        if d not in known:
            known[d] = len(names)
            names.append(d)
    code = np.array([known[str(d)] for d in extra], dtype="int64")
    d_code = code[pd.Index(extra).get_indexer(parsed["department"].astype("object"))]
    return idx[parsed["row"].to_numpy()], d_code, names


class _ListedIndex:
    """The whole meeting log's listed departments keyed by each meeting's item in the whole
    plan (built once per dataset by :func:`_listed_index`): ``rows`` (meeting of each pair
    whose meeting has an item), ``key`` (``item * len(names) + department code``),
    ``names``, ``n_items``, ``lists`` (whether each meeting lists a department) and
    ``total`` (the pairs per key over the whole log)."""

    def __init__(self, **parts):
        self.__dict__.update(parts)


def _listed_index(
    listed: tuple[np.ndarray, np.ndarray, list[str]], n_all: int, item: np.ndarray, n_items: int
) -> _ListedIndex:
    """:class:`_ListedIndex` of a log of ``n_all`` meetings (:func:`_meeting_list_depts`
    pairs ``listed``) whose item codes (below ``n_items``; -1: none) are ``item``."""
    l_rows, l_codes, names = listed
    it = item[l_rows]
    ok = it >= 0
    lists = np.zeros(n_all, dtype=bool)
    lists[l_rows] = True
    key = it[ok] * max(len(names), 1) + l_codes[ok]
    return _ListedIndex(
        rows=l_rows[ok],
        key=key,
        names=list(names),
        n_items=n_items,
        lists=lists,
        total=np.bincount(key, minlength=n_items * max(len(names), 1)),
    )


def _listed_within(
    index: _ListedIndex,
    rows: np.ndarray,
    old: np.ndarray,
    participants: pd.Series | None,
    departments: Sequence[str] | None,
) -> tuple[tuple[np.ndarray, list[str]], tuple[np.ndarray, np.ndarray, list[str]]]:
    """For the meetings at positions ``rows`` of the log ``index`` was built for, whose items
    are the whole plan's items at positions ``old`` (each selection item's whole-plan code,
    every meeting keeping its whole-log item): the count of listed (meeting, department)
    pairs per (selection item, listed department) — ``(counts, names)``, counts of shape
    ``(len(old), len(names))`` — and the participants-text pairs of the meetings listing
    none (:func:`_text_pairs`), what :func:`_attendance_codes` takes as ``listed`` and
    ``present``."""
    n_names = max(len(index.names), 1)
    kept = np.zeros(len(index.lists), dtype=bool)
    kept[rows] = True
    size = index.n_items * n_names
    if 2 * len(rows) > len(kept):  # most meetings kept: subtract the others' pairs
        cnt = index.total - np.bincount(index.key[~kept[index.rows]], minlength=size)
    else:
        cnt = np.bincount(index.key[kept[index.rows]], minlength=size)
    counts = cnt.reshape(index.n_items, n_names)[old]
    text = _text_pairs(rows, ~index.lists[rows], participants, departments, index.names)
    return (counts, index.names), text


def _take_str(s: pd.Series, rows: np.ndarray) -> pd.Series:
    """Rows of a text column as a ``str`` Series with a fresh index."""
    return _str_series(enc.take_text(_arrow_text(s), rows))


def attendance_by_department(att: pd.DataFrame) -> pd.DataFrame:
    """Per department, over every plan item it is expected at: ``[department, meetings,
    attended, attendance_rate]``."""
    if len(att) == 0:
        return att.reindex(columns=["department", "meetings", "attended", "attendance_rate"])
    g = att.groupby("department", sort=False)[["meetings", "attended"]].sum().reset_index()
    g["attendance_rate"] = g["attended"] / g["meetings"]
    return g.astype({"department": "str"})


def _participant_counts(text: pd.Series) -> np.ndarray:
    """Estimate the number of people from a participants text.

    ``客服部(张三、李四)、产品部`` → 3: a department followed by names in brackets counts its
    names, anything else separated by 、,，;/+ or spaces counts as one.
    """
    s = text.astype("str").fillna("").str.normalize("NFKC")
    s = s.str.replace(r"[^、,，;；/+\s(（]+[(（]\s*([^)）*]+?)\s*[)）]", r"、\1", regex=True)
    s = s.str.replace(r"[(（][^)）]*[)）]", "", regex=True)
    return s.str.count(r"[^、,，;；/+\s]+").to_numpy(dtype="float64")


def meeting_load(
    meetings: pd.DataFrame,
    *,
    departments: Sequence[str] | None = None,
    long_minutes: float = 60,
    large_participants: int = 8,
) -> pd.DataFrame:
    """Meeting load per department and week (weeks start on Monday).

    A meeting counts for every department attending it. ``hours`` sums ``duration_min``;
    *long* meetings last more than ``long_minutes``; *large* meetings have more than
    ``large_participants`` participants (column ``n_participants`` when the log has it, else
    estimated from the ``participants`` text).

    Returns
    -------
    DataFrame
        ``[department, week, meetings, hours, long_meetings, large_meetings,
        meetings_without_duration]``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"date": pd.to_datetime(["2024-07-01", "2024-07-03"]),
    ...                     "duration_min": [90.0, 30.0],
    ...                     "departments": [["客服部", "产品部"], ["产品部"]]})
    >>> meeting_load(log)[["department", "meetings", "hours", "long_meetings"]]
      department  meetings  hours  long_meetings
    0        客服部         1    1.5              1
    1        产品部         2    2.0              1
    """
    cols = {
        "department": "str",
        "week": "datetime64[us]",
        "meetings": "int64",
        "hours": "float64",
        "long_meetings": "int64",
        "large_meetings": "int64",
        "meetings_without_duration": "int64",
    }
    if len(meetings) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
    r, dcode, dnames = _meeting_dept_codes(meetings, departments or [])
    if len(r) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
    day = pd.to_datetime(meetings["date"]).to_numpy(dtype="datetime64[D]")
    weekday = (day.astype("int64") - 4) % 7
    week = (day - weekday.astype("timedelta64[D]")).astype("datetime64[us]")
    dur = (
        pd.to_numeric(meetings["duration_min"], errors="coerce").to_numpy(dtype="float64")
        if "duration_min" in meetings.columns
        else np.full(len(meetings), np.nan)
    )
    if "n_participants" in meetings.columns:
        npart = pd.to_numeric(meetings["n_participants"], errors="coerce").to_numpy(float)
    elif "participants" in meetings.columns:
        npart = _participant_counts(meetings["participants"])
    else:
        npart = np.full(len(meetings), np.nan)
    ok = ~np.isnat(week[r])
    if not ok.all():
        r, dcode = r[ok], dcode[ok]
    if len(r) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
    # one integer key per (department, week), grouped in order of first appearance
    wk = week[r].view("int64") // (7 * 86_400_000_000)
    wk = wk - wk.min()
    key = dcode * (int(wk.max()) + 1) + wk
    frame = pd.DataFrame(
        {
            "key": key,
            "hours": np.nan_to_num(dur[r], nan=0.0) / 60.0,
            "long_meetings": (dur[r] > long_minutes).astype("int64"),
            "large_meetings": (npart[r] > large_participants).astype("int64"),
            "meetings_without_duration": np.isnan(dur[r]).astype("int64"),
        }
    )
    g = frame.groupby("key", sort=False)
    out = g.agg(
        meetings=("hours", "size"),
        hours=("hours", "sum"),
        long_meetings=("long_meetings", "sum"),
        large_meetings=("large_meetings", "sum"),
        meetings_without_duration=("meetings_without_duration", "sum"),
    )
    first = _first_rows(np.unique(key, return_inverse=True)[1].reshape(-1), len(out))
    first = np.sort(first)  # groups come in order of first appearance
    out.insert(0, "week", week[r][first])
    out.insert(0, "department", np.asarray(dnames, dtype=object)[dcode[first]])
    return out.reset_index(drop=True).astype(cols)[list(cols)]
