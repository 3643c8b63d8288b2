"""Integer-code helpers of :mod:`~collab_analytics.metrics.cadence`: text columns turned
into codes once, meetings' departments as (row, department) pairs, times and working-day
ordinals as integers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import collab_analytics.metrics._encoded as enc
from collab_analytics._lists import flatten, rows_of
from collab_analytics.metrics._cadence_text import _distinct, _text_departments

#
# Large text columns (task ids, departments, list cells) are turned into integer codes once,
# in Arrow's C++ hash tables; every join, group and comparison afterwards runs on int arrays.


def _arrow_text(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow large strings (no copy for pandas' Arrow-backed ``str``)."""
    arr = pa.array(s.astype("str").array)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return arr


def _lookup(arr: pa.Array | pa.ChunkedArray, values: pa.Array) -> np.ndarray:
    """Position of each ``arr`` value in ``values`` (first match; -1 = absent or missing)."""
    if len(arr) == 0:
        return np.zeros(0, dtype="int64")
    pos = pc.index_in(arr, value_set=values, skip_nulls=True)
    return pos.fill_null(-1).to_numpy().astype("int64", copy=False)


def _concat_text(parts) -> pa.ChunkedArray:
    """Arrow string arrays (plain or chunked) as one ChunkedArray of large strings."""
    flat = []
    for c in parts:
        flat.extend(c.chunks if isinstance(c, pa.ChunkedArray) else [c])
    return pa.chunked_array(flat, type=pa.large_string())


def _str_series(arr) -> pd.Series:
    """An Arrow string array (or object array) as a ``str`` Series with a fresh index."""
    if isinstance(arr, pa.ChunkedArray | pa.Array):
        return pd.Series(pd.array(arr, dtype="str"))
    return pd.Series(arr, dtype="str")


def _list_cells(col: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Flatten a list column: (row position of every item, the items as large strings).

    Missing cells and missing items are skipped (see :mod:`collab_analytics._lists`).
    """
    lengths, flat = flatten(col)
    rows = rows_of(lengths)
    keep = pc.is_valid(flat).to_numpy(zero_copy_only=False)
    if not keep.all():
        rows, flat = rows[keep], flat.filter(pa.array(keep))
    return rows, flat


def _first_rows(keys: np.ndarray, size: int) -> np.ndarray:
    """Index of the first occurrence of each key ``0..size-1`` in ``keys`` (-1 = absent)."""
    first = np.full(size, -1, dtype="int64")
    if len(keys):
        first[keys[::-1]] = np.arange(len(keys) - 1, -1, -1, dtype="int64")
    return first


def _unique_pairs(a: np.ndarray, b: np.ndarray, nb: int) -> np.ndarray:
    """Mask keeping the first occurrence of each pair (a, b), with ``0 <= b < nb``."""
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=bool)
    key = a.astype("int64") * max(nb, 1) + b
    if int(key.max()) + 1 <= max(4 * n, 1 << 22):
        # int32 positions when they fit: half the memory to fill and scatter into
        dt = np.int32 if n < (1 << 31) else np.int64
        first = np.full(int(key.max()) + 1, -1, dtype=dt)
        first[key[::-1]] = np.arange(n - 1, -1, -1, dtype=dt)
        return first[key] == np.arange(n, dtype=dt)
    _, idx = np.unique(key, return_index=True)
    keep = np.zeros(n, dtype=bool)
    keep[idx] = True
    return keep


def _member(keys: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin`` for non-negative int keys (a bitmap when the key range is modest)."""
    if len(keys) == 0 or len(pool) == 0:
        return np.zeros(len(keys), dtype=bool)
    top = max(int(keys.max()), int(pool.max())) + 1
    if top <= max(8 * (len(keys) + len(pool)), 1 << 24):
        bits = np.zeros(top, dtype=bool)
        bits[pool] = True
        return bits[keys]
    return np.isin(keys, pool)


def _meeting_dept_codes(
    meetings: pd.DataFrame, departments: Sequence[str] | None = None, sponsor: str | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """:func:`_meeting_dept_pairs` as integer codes: (row, department code, department names).

    Codes follow the order in which departments first appear in the pairs. Shared across
    calls on the same (Arrow-backed) columns (:mod:`~collab_analytics.metrics._encoded`);
    the arrays are read-only.
    """
    extra = (tuple(departments) if departments is not None else None, sponsor)

    def compute():
        rows, codes, names = _meeting_dept_codes_uncached(meetings, departments, sponsor)
        rows.setflags(write=False)
        codes.setflags(write=False)
        return rows, codes, names

    rows, codes, names = enc.cached_columns(
        "meeting_depts", meetings, ("departments", "participants"), compute, extra
    )
    return rows, codes, list(names)


def _meeting_dept_codes_uncached(
    meetings: pd.DataFrame, departments: Sequence[str] | None, sponsor: str | None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    n = len(meetings)
    rows_l, text_l = [], []
    need_text = np.ones(n, dtype=bool)
    if "departments" in meetings.columns and n:
        rows, flat = _list_cells(meetings["departments"])
        ok = pc.not_equal(flat, "").to_numpy(zero_copy_only=False) if len(flat) else None
        if ok is not None and not ok.all():
            rows, flat = rows[ok], flat.filter(pa.array(ok))
        if len(rows):
            rows_l.append(rows)
            text_l.append(flat)
            need_text[rows] = False
    if need_text.any() and "participants" in meetings.columns and departments:
        idx = np.flatnonzero(need_text)
        parsed = _text_departments(
            meetings["participants"].iloc[idx].reset_index(drop=True), departments, sponsor
        )
        if len(parsed):
            rows_l.append(idx[parsed["row"].to_numpy()])
            text_l.append(_arrow_text(parsed["department"]))
    if not rows_l:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), []
    rows = np.concatenate(rows_l)
    chunks = []
    for t in text_l:
        chunks.extend(t.chunks if isinstance(t, pa.ChunkedArray) else [t])
    codes, names = enc.dictionary_codes(pa.chunked_array(chunks, type=pa.large_string()))
    keep = _unique_pairs(rows, codes, len(names))
    return rows[keep], codes[keep], names.to_pylist()


def _meeting_dept_pairs(
    meetings: pd.DataFrame, departments: Sequence[str] | None = None, sponsor: str | None = None
) -> pd.DataFrame:
    """Long ``[row, department]``: departments attending each meeting (row = position).

    Uses the canonical ``departments`` list column; rows where it is empty or missing fall back
    to parsing ``participants`` against ``departments``.
    """
    rows, codes, names = _meeting_dept_codes(meetings, departments, sponsor)
    return pd.DataFrame(
        {
            "row": rows,
            "department": pd.Series(np.asarray(names, dtype=object)[codes], dtype="str"),
        }
    )


def _time_minutes(s: pd.Series) -> np.ndarray:
    """'HH:MM' text → minutes after midnight (float, NaN when missing/bad)."""
    if len(s) == 0:
        return np.zeros(0, dtype="float64")

    def _parse(x: pd.Series) -> pd.Series:
        parts = x.str.extract(r"^\s*(\d{1,2})\s*[:：点]\s*(\d{2})?")
        h = pd.to_numeric(parts[0], errors="coerce")
        m = pd.to_numeric(parts[1], errors="coerce").fillna(0)
        return (h * 60 + m).astype("float64")

    return _distinct(s, lambda u: _parse(u).to_numpy(dtype="float64"))


def _day_ordinals(
    dates: np.ndarray, cal, lo: np.datetime64, hi: np.datetime64, cum: np.ndarray | None = None
) -> np.ndarray:
    """Working-day ordinal of each date (number of working days up to and including it).

    ``cum``: :func:`_workday_counts` of ``cal`` from ``lo`` to ``hi`` when already known."""
    d = dates.astype("datetime64[D]")
    if cal.is_calendar_days:
        return d.astype("int64")
    if cum is None:
        cum = _workday_counts(cal, lo, hi)
    return cum[(d - lo).astype("int64")]


def _workday_counts(cal, lo: np.datetime64, hi: np.datetime64) -> np.ndarray | None:
    """Working days of ``cal`` up to and including each day from ``lo`` to ``hi`` (``None``
    for calendar days: the day numbers are the ordinals)."""
    if cal.is_calendar_days:
        return None
    grid = np.arange(lo, hi + 1, dtype="datetime64[D]")
    return np.cumsum(cal.is_workday(grid).astype("int64"))
