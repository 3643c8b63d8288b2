"""Shared helpers of the delivery metrics: as-of resolution, day arithmetic, group keys, edges.

Dates are handled as ``int64`` day ordinals (days since 1970-01-01) after dropping the time of
day, with :data:`NAT` marking a missing date. Working-day differences are looked up in one
cumulative count of working days over the span of the data, so every duration is vectorised.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics._common import resolve_as_of
>>> tasks = pd.DataFrame({"actual_finish": pd.to_datetime(["2024-07-10", None])})
>>> resolve_as_of(None, tasks)
Timestamp('2024-07-10 00:00:00')
>>> resolve_as_of("2024-08-01 17:30", tasks)
Timestamp('2024-08-01 00:00:00')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError, SchemaError
from collab_analytics._lists import flatten
from collab_analytics._threads import in_worker, pool
from collab_analytics.calendar import WorkCalendar, get_calendar
from collab_analytics.schema import DATE_DTYPE

__all__: list[str] = []  # private module: nothing re-exported

#: Sentinel for a missing day ordinal.
NAT = np.iinfo(np.int64).min

#: Period keys accepted in ``by=``: derived from ``planned_finish``.
PERIOD_KEYS = {"week": "W", "month": "M"}

_TASK_DATE_COLUMNS = ("actual_start", "actual_finish")
_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000}
_PER_DAY["ns"] = 86_400_000_000_000
_UPDATE_DATE_COLUMNS = ("date",)


# --------------------------------------------------------------------------- two threads
#: Inputs of at least this many rows (tasks plus update rows) run :func:`beside`'s two calls
#: on two threads; smaller ones run them in turn (a thread hand-over costs more than it saves).
PARALLEL_ROWS = 200_000

#: ``None``: two threads from :data:`PARALLEL_ROWS` rows on; ``True`` / ``False``: always /
#: never (tests use both to check that the results are the same).
THREADS: bool | None = None


def beside(here: Callable, there: Callable, n_rows: int) -> tuple:
    """``(here(), there())``: with ``n_rows`` ≥ :data:`PARALLEL_ROWS`, ``there`` runs on a
    worker thread while ``here`` runs in the calling thread.

    numpy's array loops and Arrow's kernels release the GIL, so two independent halves of a
    large computation take about the time of the longer one on two cores. The two calls must
    share no mutable state (each its own :class:`DayCounter`). The results are the same
    either way; the calling thread always waits for ``there`` (nothing is left running), and
    an error of ``here`` is raised first, as when they run in turn. Small inputs, and calls
    made from the worker itself, run in turn.
    """
    use = THREADS if THREADS is not None else n_rows >= PARALLEL_ROWS
    if not use or in_worker("delivery"):
        first = here()
        return first, there()
    future = pool("delivery").submit(there)
    try:
        first = here()
    except BaseException:
        future.exception()  # wait, and let ``here``'s error win
        raise
    return first, future.result()


# ----------------------------------------------------------------------------------- as-of
def latest_date(*series: pd.Series | None) -> pd.Timestamp | None:
    """The latest non-missing value over several datetime series (``None`` if there is none)."""
    best = None
    for s in series:
        if s is None or len(s) == 0:
            continue
        m = s.max()
        if pd.isna(m):
            continue
        best = m if best is None or m > best else best
    return None if best is None else pd.Timestamp(best).normalize()


def resolve_as_of(as_of, tasks: pd.DataFrame | None = None, updates=None) -> pd.Timestamp | None:
    """The as-of date ``T`` (midnight): ``as_of`` if given, else the latest date in the data.

    The latest date is the maximum of the tasks' ``actual_start``/``actual_finish`` and the
    updates' ``date``; when none exists (nothing has happened yet) it is the earliest
    ``planned_start`` (or ``planned_finish``). Never the wall clock. ``None`` for empty input.
    """
    if as_of is not None:
        try:
            ts = pd.Timestamp(as_of)
        except (TypeError, ValueError) as exc:
            msg = f"as_of={as_of!r} is not a date."
            raise CollabError(msg) from exc
        if ts is pd.NaT:
            msg = f"as_of={as_of!r} is not a date."
            raise CollabError(msg)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize()
    cols = []
    if tasks is not None:
        cols += [tasks[c] for c in _TASK_DATE_COLUMNS if c in tasks.columns]
    if updates is not None:
        cols += [updates[c] for c in _UPDATE_DATE_COLUMNS if c in updates.columns]
    found = latest_date(*cols)
    if found is not None or tasks is None:
        return found
    for c in ("planned_start", "planned_finish"):
        if c in tasks.columns and len(tasks) and tasks[c].notna().any():
            return pd.Timestamp(tasks[c].min()).normalize()
    return None


# ------------------------------------------------------------------------------- day maths
def day_ordinals(values) -> np.ndarray:
    """Datetime-like values → int64 days since 1970 (time of day dropped), missing → :data:`NAT`."""
    if isinstance(values, pd.Series | pd.Index):
        s = values
        if not isinstance(s.dtype, np.dtype) or s.dtype.kind != "M":
            s = pd.to_datetime(s)
        if getattr(s.dt if isinstance(s, pd.Series) else s, "tz", None) is not None:
            s = s.dt.tz_localize(None) if isinstance(s, pd.Series) else s.tz_localize(None)
        raw = s.to_numpy()
        if isinstance(raw, np.ndarray) and raw.dtype.kind == "M":
            unit = np.datetime_data(raw.dtype)[0]
            if unit in _PER_DAY:  # floor division, as numpy's cast to days
                v = raw.view("int64")
                out = v // _PER_DAY[unit]
                out[v == NAT] = NAT
                return out
        arr = s.to_numpy(dtype="datetime64[D]")
    else:
        arr = np.asarray(values, dtype="datetime64[D]")
    return arr.view("int64").copy()


def day_of(ts: pd.Timestamp | None) -> int:
    """One timestamp → its day ordinal (``NAT`` for ``None``)."""
    if ts is None or ts is pd.NaT:
        return NAT
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype("int64"))


def days_to_datetime(days: np.ndarray) -> np.ndarray:
    """Day ordinals → ``datetime64[us]`` (``NAT`` → NaT)."""
    out = days.astype("datetime64[D]").astype(DATE_DTYPE)
    out[days == NAT] = np.datetime64("NaT")
    return out


class DayCounter:
    """Signed day differences under one calendar, vectorised over int64 day ordinals.

    ``diff(start, end)`` counts the days ``d`` with ``start < d ≤ end`` that are working days
    (every day in calendar mode); negative when ``end < start``; NaN where either is missing.
    It is the rule of :meth:`WorkCalendar.days_between`, computed by lookup in one cumulative
    count of working days.
    """

    def __init__(self, calendar=None):
        self.calendar: WorkCalendar = get_calendar(calendar)
        self.is_calendar_days = self.calendar.is_calendar_days
        self._lo = 0
        self._cum = np.zeros(1, dtype=np.int64)

    def _ensure(self, lo: int, hi: int) -> None:
        if len(self._cum) > 1 and lo >= self._lo and hi < self._lo + len(self._cum):
            return
        if len(self._cum) > 1:
            lo, hi = min(lo, self._lo), max(hi, self._lo + len(self._cum) - 1)
        rng = np.arange(lo, hi + 1, dtype=np.int64).astype("datetime64[D]")
        mask = self.calendar.is_workday(rng)
        self._lo = lo
        self._cum = np.cumsum(mask.astype(np.int64))

    def diff(self, start, end) -> np.ndarray:
        start, end = np.broadcast_arrays(np.asarray(start, np.int64), np.asarray(end, np.int64))
        bad = start == NAT
        bad |= end == NAT
        out = np.empty(start.shape, dtype=np.float64)
        if self.is_calendar_days:
            np.subtract(end, start, out=out, casting="unsafe")
        else:
            ok = ~bad
            if ok.any():
                s, e = start[ok], end[ok]
                lo = int(min(s.min(), e.min()))
                hi = int(max(s.max(), e.max()))
                self._ensure(lo, hi)
                c = self._cum
                out[ok] = c[e - self._lo] - c[s - self._lo]
        if bad.any():
            out[bad] = np.nan
        return out

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, np.int64)
        if self.is_calendar_days or len(days) == 0:
            return days != NAT
        ok = days != NAT
        out = np.zeros(days.shape, dtype=bool)
        if ok.any():
            d = days[ok]
            out[ok] = self.calendar.is_workday(d.astype("datetime64[D]"))
        return out


# ------------------------------------------------------------------------------- columns
def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`SchemaError` naming every missing column at once."""
    if not isinstance(frame, pd.DataFrame):
        msg = f"{what} must be a pandas DataFrame, got {type(frame).__name__}."
        raise TypeError(msg)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"{what} lacks required column(s) {missing}. Available columns: {list(frame.columns)}."
        )
        raise SchemaError(msg)


def column_or_na(frame: pd.DataFrame, name: str, dtype="str") -> pd.Series:
    """``frame[name]`` or an all-missing series of ``dtype`` aligned with ``frame``."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.array([None] * len(frame), dtype=dtype), index=frame.index, name=name)


def take(series: pd.Series, idx: np.ndarray | None = None) -> pd.Series:
    """Rows ``idx`` of ``series`` (all rows if None) with a fresh RangeIndex, without a round trip
    through Python objects (Arrow-backed strings are gathered by Arrow)."""
    if idx is None:
        return series.reset_index(drop=True)
    return series.take(idx).reset_index(drop=True)


def take_masked(series: pd.Series, idx: np.ndarray) -> pd.Series:
    """Like :func:`take` but ``idx == -1`` gives a missing value."""
    has = idx >= 0
    if len(series) == 0:
        return pd.Series(pd.array([None] * len(idx), dtype=series.dtype))
    data = arrow_strings(series)
    if data is not None:  # one Arrow take with null indices (no second pass for the gaps)
        import pyarrow as pa

        picked = data.take(pa.array(idx, mask=~has))
        return pd.Series(pd.array(picked, dtype=series.dtype))
    out = take(series, np.where(has, idx, 0))
    if not has.all():
        out = out.where(pd.Series(has))
    return out


def status_is(frame: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    """Boolean array: status in ``codes`` (False where status is missing or absent)."""
    if "status" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    s = frame["status"]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray(s.cat.categories.astype(str))
        wanted = np.isin(cats, list(codes))
        codes_arr = s.cat.codes.to_numpy()
        lut = np.append(wanted, False)  # code -1 (missing) → last entry
        return lut[codes_arr]
    return s.isin(list(codes)).to_numpy(dtype=bool, na_value=False)


def status_index(frame: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    """``int8`` array: position of the status in ``codes`` (-1 where it is none of them,
    missing or absent) — one pass for several :func:`status_is` questions."""
    out = np.full(len(frame), -1, dtype=np.int8)
    if "status" not in frame.columns:
        return out
    s = frame["status"]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = list(np.asarray(s.cat.categories.astype(str)))
        lut = np.full(len(cats) + 1, -1, dtype=np.int8)  # code -1 (missing) → last entry
        for i, c in enumerate(codes):
            if c in cats:
                lut[cats.index(c)] = i
        return lut[s.cat.codes.to_numpy()]
    for i, c in enumerate(codes):
        out[s.isin([c]).to_numpy(dtype=bool, na_value=False)] = i
    return out


# ------------------------------------------------------------------------------- group keys
def normalize_by(by) -> list[str]:
    """``None`` | str | list → list of key names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not all(isinstance(b, str) for b in out):
        msg = f"by must be a column name or a list of column names, got {by!r}."
        raise TypeError(msg)
    return out


def key_series(frame: pd.DataFrame, key: str, *, date_column: str = "planned_finish") -> pd.Series:
    """The series a group key stands for; ``week``/``month`` are periods of ``date_column``.

    A period is labelled by its first day (weeks start on Monday) as ``datetime64[us]``.
    """
    if key in PERIOD_KEYS and key not in frame.columns:
        if date_column not in frame.columns:
            msg = f"by={key!r} needs a {date_column!r} column."
            raise SchemaError(msg)
        d = day_ordinals(frame[date_column])
        ok = d != NAT
        start = d.copy()
        if key == "week":
            start[ok] = d[ok] - (d[ok] + 3) % 7  # 1970-01-01 was a Thursday
        else:
            m = d[ok].astype("datetime64[D]").astype("datetime64[M]")
            start[ok] = m.astype("datetime64[D]").astype(np.int64)
        return pd.Series(days_to_datetime(start), index=frame.index, name=key)
    if key not in frame.columns:
        msg = (
            f"Cannot group by {key!r}: no such column. Use one of {list(frame.columns)} "
            f"or a period: {list(PERIOD_KEYS)}."
        )
        raise SchemaError(msg)
    return frame[key]


@dataclass(frozen=True)
class Groups:
    """Integer group codes for a list of keys plus the key values of each group (sorted)."""

    codes: np.ndarray  # int64 per row, in 0..n_groups-1
    keys: pd.DataFrame  # one row per group, columns = key names
    n_groups: int


def make_groups(frame: pd.DataFrame, by: list[str], **kw) -> Groups:
    """Factorise the keys of ``by`` (missing values form their own group, sorted last)."""
    n = len(frame)
    if not by:
        return Groups(np.zeros(n, dtype=np.int64), pd.DataFrame(index=range(1)), 1)
    codes = np.zeros(n, dtype=np.int64)
    uniques = []
    for key in by:
        s = key_series(frame, key, **kw)
        c, u = pd.factorize(s, sort=True, use_na_sentinel=False)
        uniques.append(u)
        codes = codes * max(len(u), 1) + c.astype(np.int64)
    if len(by) == 1:  # codes are already dense and in key order
        comb, gcodes = np.arange(len(uniques[0]), dtype=np.int64), codes
    else:
        comb, gcodes = np.unique(codes, return_inverse=True)
    keys = {}
    rem = comb.copy()
    sizes = [max(len(u), 1) for u in uniques]
    parts = []
    for size in reversed(sizes):
        parts.append(rem % size)
        rem = rem // size
    parts.reverse()
    for key, u, part in zip(by, uniques, parts, strict=True):
        keys[key] = pd.Series(u.take(part), dtype=u.dtype)
    return Groups(gcodes.astype(np.int64), pd.DataFrame(keys), len(comb))


def empty_keys(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Zero-row key frame with the dtypes the keys would have."""
    out = {}
    for key in by:
        if key in PERIOD_KEYS and key not in frame.columns:
            out[key] = pd.Series([], dtype=DATE_DTYPE)
        elif key in frame.columns:
            out[key] = frame[key].iloc[:0].reset_index(drop=True)
        else:
            key_series(frame, key)  # raises the helpful error
    return pd.DataFrame(out)


def safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` as float, NaN where ``den`` is 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


# ------------------------------------------------------------------------------- dependencies
@dataclass(frozen=True)
class Edges:
    """Dependency edges as row positions: ``src`` (predecessor) → ``dst`` (successor).

    ``ids_sorted``: the task ids are distinct and in increasing order (row order is id order).
    """

    src: np.ndarray
    dst: np.ndarray
    n_unresolved: int
    ids_sorted: bool = False


def _flatten_lists(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """List lengths per row and all items as one string Index (see ``_lists.flatten``)."""
    lengths, flat = flatten(col)
    return lengths, _refs_index(flat)


def _refs_index(flat) -> pd.Index:
    """Arrow strings as a pandas string Index."""
    return pd.Index(pd.array(flat, dtype="str")) if len(flat) else pd.Index([], dtype="str")


def _first_position(refs: pd.Index, keys: pd.Series) -> np.ndarray:
    """Row of the first ``keys`` value equal to each ref (-1 if none)."""
    return positions_in(refs, keys)


def _be_word(fixed: np.ndarray, start: int) -> np.ndarray:
    """Bytes ``start:start + 8`` of each ``S<w>`` value (``w >= 8``) as a big-endian uint64
    (so byte order is integer order), read through a strided view without a byte matrix."""
    w = fixed.dtype.itemsize
    raw = np.ascontiguousarray(fixed).view(np.uint8)
    word = np.ndarray((len(fixed),), dtype=">u8", buffer=raw, offset=start, strides=(w,))
    return word.astype(np.uint64)


def _searchsorted_runs(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(table, values)`` searching once per run of equal ``values``
    (references of one project share their id head)."""
    n = len(values)
    if n < 2:
        return np.searchsorted(table, values)
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(values[1:], values[:-1], out=start[1:])
    pos = np.flatnonzero(start)
    if len(pos) * 4 > n:
        return np.searchsorted(table, values)
    return np.repeat(np.searchsorted(table, values[pos]), np.diff(np.append(pos, n)))


def _sorted_int_keys(table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Order-preserving uint64 keys of a strictly increasing ``S<w>`` table and of ``values``
    (same width) — ``None`` when they do not fit in 64 bits or are shorter than 8 bytes.

    Exactly 8 bytes are their own key. Longer ids (``P00001-T008``) are split into an
    8-byte head and a tail of at most 7 bytes: the key is the head's rank among the table's
    distinct heads followed by the tail, which stays strictly increasing along the table.
    A value whose head is not in the table gets a key that matches nothing.
    """
    w = table.dtype.itemsize
    if w < 8:
        return None
    if w == 8:
        return _be_word(table, 0), _be_word(values, 0)
    tail = w - 8
    if tail > 7:
        return None
    thead, vhead = _be_word(table, 0), _be_word(values, 0)
    mask = np.uint64((1 << (8 * tail)) - 1)
    new = np.empty(len(thead), dtype=bool)
    new[0] = True
    np.not_equal(thead[1:], thead[:-1], out=new[1:])
    heads = thead[new]
    if len(heads).bit_length() + 8 * tail > 63:
        return None
    shift = np.uint64(8 * tail)
    tkey = ((np.cumsum(new) - 1).astype(np.uint64) << shift) | (_be_word(table, tail) & mask)
    g = np.minimum(_searchsorted_runs(heads, vhead), len(heads) - 1)
    found = heads[g] == vhead
    vkey = (g.astype(np.uint64) << shift) | (_be_word(values, tail) & mask)
    vkey[~found] = np.uint64(2**64 - 1)  # above every table key (< 2**63)
    return tkey, vkey


def _id_positions(refs: pd.Index, ids: pd.Series) -> np.ndarray:
    """:func:`positions_in` of dependency references among the task ids (see
    :func:`_id_lookup`)."""
    return _id_lookup(refs, ids)[0]


#: Rows handled at a time by the id lookup: its temporaries stay in the CPU cache and are
#: reused by the allocator, instead of a fresh block of memory (page faults) per step.
_SLICE = 1 << 16


def _fixed_chunks(a, width: int | None = None) -> list[np.ndarray] | None:
    """``S<w>`` views of the chunks of a large-string array whose values all have ``w`` bytes
    (``width`` if given) and none is missing; else ``None``. The views are compared only as
    machine words and bytes (never as numpy ``S`` values, which ignore trailing NUL bytes)."""
    import pyarrow as pa

    from collab_analytics.io._arrow import fixed_width

    chunks = [c for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]) if len(c)]
    out = []
    for c in chunks:
        info = fixed_width(c, width)
        if info is None:
            return None
        width, first, buf = info
        out.append(np.frombuffer(buf, dtype=f"S{width}", count=len(c), offset=first))
    return out or None


def _slices(views: list[np.ndarray]):
    for v in views:
        for i in range(0, len(v), _SLICE):
            yield v[i : i + _SLICE]


def _bytes_at(fixed: np.ndarray, p: int) -> np.ndarray:
    """Byte ``p`` of each ``S<w>`` value as a strided ``uint8`` view (no copy)."""
    return np.ascontiguousarray(fixed).view(np.uint8)[p :: fixed.dtype.itemsize]


def _tail_numbers(fixed: np.ndarray, lo: np.ndarray, radix: np.ndarray, check: bool = False):
    """Bytes ``8:`` of each ``S<w>`` value as one mixed-radix number — byte ``p`` is the
    digit ``b - lo[p]`` in base ``radix[p]``, so byte order is number order and equal
    numbers are equal bytes — and, with ``check``, whether every byte lies in its range
    (else ``None``; a byte out of range gives a meaningless number)."""
    n = len(fixed)
    num = np.zeros(n, dtype=np.int64)
    valid = np.ones(n, dtype=bool) if check else None
    for j in range(len(radix)):
        r = int(radix[j])
        if r == 1 and not check:
            continue
        d = _bytes_at(fixed, 8 + j) - np.uint8(lo[j])  # below ``lo`` wraps past the range
        if check and r < 256:
            valid &= d < r
        if r > 1:
            num *= r
            num += d
    return num, valid


@dataclass(frozen=True)
class _IdRuns:
    """Task ids of 9 to 15 bytes, strictly increasing and numbered without gaps.

    An id is an 8-byte head (``P00001-T``) and a tail (``001``) read as a mixed-radix number
    (:func:`_tail_numbers` with the tails' byte ranges ``lo``/``radix``). The ids form runs
    of one head — ``starts`` (first row), ``heads`` (increasing), ``first`` (number of the
    first tail) and ``lengths`` — along which the tail numbers count up by one, so the id
    with head ``heads[g]`` and tail number ``x`` is row ``starts[g] + x - first[g]`` when
    ``0 <= x - first[g] < lengths[g]``, and absent otherwise.
    """

    starts: np.ndarray
    heads: np.ndarray
    first: np.ndarray
    lengths: np.ndarray
    lo: np.ndarray
    radix: np.ndarray


def _id_runs(table: list[np.ndarray]) -> _IdRuns | None:
    """:class:`_IdRuns` of the ``S<w>`` chunks of the ids; ``None`` when the ids are not of
    that form (another width, not increasing, a gap in a run's numbering)."""
    w = table[0].dtype.itemsize
    if not 8 < w < 16:
        return None
    lo = np.array([min(_bytes_at(t, p).min() for t in table) for p in range(8, w)], np.int64)
    hi = np.array([max(_bytes_at(t, p).max() for t in table) for p in range(8, w)], np.int64)
    radix = hi - lo + 1
    starts, heads, first = [], [], []
    base, prev = 0, None
    for sl in _slices(table):
        head = _be_word(sl, 0)
        num = _tail_numbers(sl, lo, radix)[0]
        new = np.empty(len(sl), dtype=bool)
        new[0] = prev is None or head[0] != prev[0]
        if not new[0] and num[0] != prev[1] + 1:
            return None
        np.not_equal(head[1:], head[:-1], out=new[1:])
        if not (new[1:] | (num[1:] - num[:-1] == 1)).all():  # a gap, a repeat or a step back
            return None
        st = np.flatnonzero(new)
        starts.append(st + base)
        heads.append(head[st])
        first.append(num[st])
        base += len(sl)
        prev = (head[-1], num[-1])
    heads = np.concatenate(heads)
    if not (heads[1:] > heads[:-1]).all():
        return None
    starts = np.concatenate(starts)
    lengths = np.diff(np.append(starts, base))
    return _IdRuns(starts, heads, np.concatenate(first), lengths, lo, radix)


def _run_positions(runs: _IdRuns, values: list[np.ndarray], out: np.ndarray) -> None:
    """Row of each ``S<w>`` value among the ids of ``runs`` (-1 if absent) into ``out``, with
    no hashing and no search per value: the head is searched once per run of equal value
    heads among the distinct heads, the tail's number then gives the row (see
    :class:`_IdRuns`)."""
    heads = runs.heads
    i = 0
    for sl in _slices(values):
        vhead = _be_word(sl, 0)
        g = np.minimum(_searchsorted_runs(heads, vhead), len(heads) - 1)
        num, ok = _tail_numbers(sl, runs.lo, runs.radix, True)
        ok &= heads[g] == vhead
        num -= runs.first[g]
        ok &= num >= 0
        ok &= num < runs.lengths[g]
        num += runs.starts[g]
        out[i : i + len(sl)] = np.where(ok, num, -1)
        i += len(sl)


def _as_index(refs) -> pd.Index:
    """``refs`` (an Index or Arrow strings) as a pandas string Index."""
    return refs if isinstance(refs, pd.Index) else _refs_index(refs)


def _id_lookup(refs, ids: pd.Series) -> tuple[np.ndarray, bool]:
    """:func:`positions_in` of dependency references among the task ids, and whether the ids
    are known to be distinct and increasing. ``refs``: a string Index or Arrow strings.

    Ids kept in order with one byte length (``T0001``, ``P00001-T001``…) are unique and
    resolve without hashing: ids of 9 to 15 bytes numbered without gaps within each head by
    arithmetic (:func:`_run_positions`), others by binary search on integer keys
    (:func:`_id_lookup_sorted`); other ids go through Arrow's hash lookup.
    """
    from collab_analytics.io._arrow import as_arrow

    data = arrow_strings(ids, chunked=True) if len(ids) else None
    table = None if data is None else _fixed_chunks(data)
    runs = None if table is None else _id_runs(table)
    if runs is None:
        return _id_lookup_sorted(_as_index(refs), ids)
    import pyarrow.compute as pc

    v = arrow_strings(refs, chunked=True)
    if v is None:
        v = as_arrow(refs.array if isinstance(refs, pd.Index) else refs)
    width = table[0].dtype.itemsize
    pos = np.empty(len(v), dtype=np.int64)
    views = _fixed_chunks(v, width) if len(v) else []
    if views is not None:  # every reference has the ids' width
        _run_positions(runs, views, pos)
        return pos, True
    v = as_arrow(v)
    pos[:] = -1
    sel = pc.fill_null(pc.equal(pc.binary_length(v), width), False)
    idx = np.flatnonzero(sel.to_numpy(zero_copy_only=False))
    if len(idx):
        sub = np.empty(len(idx), dtype=np.int64)
        _run_positions(runs, _fixed_chunks(v.filter(sel), width), sub)
        pos[idx] = sub
    return pos, True


def _id_lookup_sorted(refs: pd.Index, ids: pd.Series) -> tuple[np.ndarray, bool]:
    """:func:`_id_lookup` by binary search on :func:`_sorted_int_keys`, for sorted ids that
    :func:`_id_runs` does not take (8 bytes wide, or numbered with gaps)."""
    from collab_analytics.io._arrow import _fixed_view, as_arrow, sorted_fixed

    table = sorted_fixed(ids) if len(ids) else None
    if table is None:
        return positions_in(refs, ids), False
    import pyarrow.compute as pc

    v = as_arrow(refs.array if isinstance(refs, pd.Index) else refs)
    pos = np.full(len(v), -1, dtype=np.int64)
    width = table.dtype.itemsize
    sel = pc.fill_null(pc.equal(pc.binary_length(v), width), False)
    idx = np.flatnonzero(sel.to_numpy(zero_copy_only=False))
    if len(idx) == 0:
        return pos, True
    view = _fixed_view(v.filter(sel))
    keys = None if view is None else _sorted_int_keys(table, view)
    if keys is None:
        return positions_in(refs, ids), True
    tkey, vkey = keys
    i = np.minimum(np.searchsorted(tkey, vkey), len(tkey) - 1)
    hit = tkey[i] == vkey
    pos[idx[hit]] = i[hit]
    return pos, True


def dependency_edges(tasks: pd.DataFrame) -> Edges:
    """Edges from ``depends_on`` (lists of task ids; task names accepted as a fallback).

    Uses ``np.repeat`` over list lengths and one Arrow ``index_in`` lookup (no ``explode``).
    References that match no task (and self references) are dropped and counted.
    """
    n = len(tasks)
    if n == 0 or "depends_on" not in tasks.columns:
        z = np.zeros(0, dtype=np.int64)
        return Edges(z, z, 0)
    lengths, flat = flatten(tasks["depends_on"])
    total = len(flat)
    if total == 0:
        z = np.zeros(0, dtype=np.int64)
        return Edges(z, z, 0)
    dst = np.repeat(np.arange(n, dtype=np.int64), lengths)
    src = np.full(total, -1, dtype=np.int64)
    ids_sorted = False
    if "task_id" in tasks.columns:
        src, ids_sorted = _id_lookup(flat, tasks["task_id"])
    miss = src < 0
    if miss.any() and "task" in tasks.columns:
        import pyarrow as pa

        src[miss] = _first_position(_refs_index(flat.filter(pa.array(miss))), tasks["task"])
    ok = src >= 0
    ok &= src != dst
    if ok.all():  # every reference resolved to another task: nothing to drop
        return Edges(src, dst, 0, ids_sorted)
    return Edges(src[ok], dst[ok], int((~ok).sum()), ids_sorted)


# ------------------------------------------------------------------------------- strings
def arrow_strings(values, *, chunked: bool = False):
    """The Arrow data (one chunk) of an Arrow-backed string series or index, else ``None``.

    With ``chunked=True`` a chunked column is returned as it is (no copy into one chunk),
    for element-wise kernels that accept chunked input.
    """
    arr = values.array if isinstance(values, pd.Series | pd.Index) else values
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        return None
    import pyarrow as pa

    data = arr.__arrow_array__()
    if isinstance(data, pa.ChunkedArray):
        if data.num_chunks == 1:
            return data.chunk(0)
        if not chunked:
            data = data.combine_chunks()
    return data


def factorize_strings(values: pd.Series, *, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values, sort=sort)`` (codes as int64), hashing each *run* only once.

    Logs are usually grouped by task, so equal keys come in runs: runs are found by one
    comparison of neighbours, and only the first key of each run is hashed. Falls back to
    ``pd.factorize`` when keys are missing, not Arrow-backed, or runs are short.
    """
    import pyarrow.compute as pc

    n = len(values)
    data = arrow_strings(values, chunked=True)  # neighbour tests, take, encode: chunk-wise
    if data is None or n < 2 or data.null_count:
        codes, uniques = pd.factorize(values, sort=sort)
        return codes.astype(np.int64, copy=False), uniques
    head = min(n, 4096)  # runs too short in the first rows: hash at once
    if head > 64:
        neq = pc.not_equal(data.slice(1, head - 1), data.slice(0, head - 1))
        if pc.sum(neq).as_py() * 2 > head:
            return _dictionary_factorize(data, values.dtype, sort)
    start = np.empty(n, dtype=bool)
    start[0] = True
    neq = pc.not_equal(data.slice(1), data.slice(0, n - 1))
    start[1:] = neq.to_numpy(zero_copy_only=False)
    pos = np.flatnonzero(start)
    if len(pos) * 2 > n:
        return _dictionary_factorize(data, values.dtype, sort)
    lengths = np.diff(np.append(pos, n))
    firsts = data.take(pos)
    m = len(firsts)
    if m < 2 or not pc.any(pc.greater_equal(firsts.slice(0, m - 1), firsts.slice(1))).as_py():
        # runs in increasing key order: every run is a new key, already sorted — no hashing
        uniques = pd.Index(pd.array(firsts, dtype=values.dtype))
        return np.repeat(np.arange(m, dtype=np.int64), lengths), uniques
    run_codes, uniques = _dictionary_factorize(firsts, values.dtype, sort)
    return np.repeat(run_codes, lengths), uniques


def _dictionary_factorize(data, dtype, sort: bool) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of null-free Arrow strings by one Arrow ``dictionary_encode`` (codes in
    order of first appearance); with ``sort`` the (usually few) uniques are sorted and the
    codes renumbered by a lookup table — UTF-8 byte order is code point order, as Python's."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(data)
    if isinstance(enc, pa.ChunkedArray):
        # one hash table over all chunks, which only grows: the last chunk's dictionary
        # holds every value and the codes of every chunk index into it
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in enc.chunks])
        uniq = enc.chunk(enc.num_chunks - 1).dictionary
    else:
        codes = enc.indices.to_numpy(zero_copy_only=False)
        uniq = enc.dictionary
    if sort and len(uniq) > 1:
        order = pc.sort_indices(uniq).to_numpy(zero_copy_only=False)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        codes = rank[codes]  # int64 from the lookup table
        uniq = uniq.take(order)
    else:
        codes = codes.astype(np.int64)
    return codes, pd.Index(pd.array(uniq, dtype=dtype))


def positions_in(wanted, keys, *, unique: bool = False) -> np.ndarray:
    """Row of the first ``keys`` value equal to each ``wanted`` value (-1 if none).

    Both are string series/indexes. When ``wanted`` holds distinct values (``unique=True``)
    and equals ``keys`` row for row (a log whose tasks come in the order of the tasks table)
    this is one comparison; otherwise Arrow hashes ``keys`` once (C++ ``index_in``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(wanted)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    w, k = arrow_strings(wanted), arrow_strings(keys)
    if w is None:
        w = pa.array(pd.array(wanted, dtype="str"))
    if k is None:
        k = pa.array(pd.Series(keys).astype("str").array)
    if isinstance(w, pa.ChunkedArray):
        w = w.combine_chunks()
    if isinstance(k, pa.ChunkedArray):
        k = k.combine_chunks()
    if unique and len(k) == n and not w.null_count and not k.null_count:
        same = pc.equal(w.cast(k.type) if w.type != k.type else w, k)
        if pc.all(same).as_py():  # identical and distinct: the first match is the same row
            return np.arange(n, dtype=np.int64)
    pos = pc.index_in(w, value_set=k)
    return pos.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


# ------------------------------------------------------------------------------- event logs
@dataclass(frozen=True)
class EventLog:
    """Rows of an event log put in (task, time) order once (shared by hand-overs and
    blocked time).

    ``rows`` are the kept row positions of the frame (``None``: all rows); ``tcode`` the task
    code of each kept row (codes in order of first appearance, as ``pd.factorize``),
    ``tuniq`` the task keys, ``when`` the times in microseconds and ``order`` the stable
    (task, time) order of the kept rows (``None``: already in that order).
    """

    rows: np.ndarray | None
    tcode: np.ndarray
    tuniq: pd.Index
    when: np.ndarray
    order: np.ndarray | None

    def sorted(self, values: np.ndarray) -> np.ndarray:
        """Per-kept-row ``values`` in (task, time) order."""
        return values if self.order is None else values[self.order]

    def kept(self, values):
        """Per-frame-row ``values`` (array or Series) restricted to the kept rows."""
        if self.rows is None:
            return values
        if isinstance(values, pd.Series):
            return values.iloc[self.rows]
        return values[self.rows]

    # computed once, shared by every metric that reads the same log
    @cached_property
    def task(self) -> np.ndarray:
        """Task codes in (task, time) order."""
        return self.sorted(self.tcode)

    @cached_property
    def day(self) -> np.ndarray:
        """Day ordinals in (task, time) order (floor: naive local dates)."""
        return self.sorted(self.when) // 86_400_000_000

    @cached_property
    def first(self) -> np.ndarray:
        """True at the first event of each task, in (task, time) order."""
        tc = self.task
        out = np.empty(len(tc), dtype=bool)
        out[:1] = True
        np.not_equal(tc[1:], tc[:-1], out=out[1:])
        return out

    @cached_property
    def n_events(self) -> np.ndarray:
        """Events per task code."""
        return np.bincount(self.tcode, minlength=len(self.tuniq))


def event_log(key: pd.Series, when: pd.Series, keep: np.ndarray | None = None) -> EventLog:
    """Factorise the task keys and order the events by (task, time) (see :class:`EventLog`)."""
    rows = None
    if keep is not None and not keep.all():
        rows = np.flatnonzero(keep)
        key, when = key.iloc[rows], when.iloc[rows]
    tcode, tuniq = factorize_strings(key)
    w = when.to_numpy(dtype="datetime64[us]").view(np.int64)
    return EventLog(rows, tcode, tuniq, w, sort_order(tcode, w, len(tuniq)))


def sort_order(tcode: np.ndarray, when: np.ndarray, n_tasks: int) -> np.ndarray | None:
    """Stable order by (task, time); ``None`` when the rows are already in that order.

    A log already grouped by task (codes in order of first appearance) in time order — the
    usual export — is detected in O(n). Otherwise one ``argsort`` of a packed unique int64 key
    (task code, time offset, row number: unique, so an unstable SIMD sort gives exactly the
    stable order); ``np.lexsort`` when the key does not fit in 62 bits.
    """
    n = len(tcode)
    if n == 0:
        return None
    same = tcode[1:] == tcode[:-1]
    if np.all(tcode[1:] >= tcode[:-1]) and np.all(~same | (when[1:] >= when[:-1])):
        return None
    row_bits = int(n).bit_length()
    task_bits = max(int(n_tasks).bit_length(), 1)
    # already in time order: the row number carries the time
    if task_bits + row_bits <= 62 and np.all(when[1:] >= when[:-1]):
        key = (tcode.astype(np.int64) << row_bits) | np.arange(n, dtype=np.int64)
        return np.argsort(key)
    rel = when - when.min()
    unit = 1
    for u in (86_400_000_000, 1_000_000):  # whole days / whole seconds in microseconds
        if not (rel % u).any():
            unit = u
            break
    rel = rel // unit
    time_bits = max(int(rel.max()).bit_length(), 1)
    if task_bits + time_bits + row_bits <= 62:
        key = (
            (tcode.astype(np.int64) << (time_bits + row_bits))
            | (rel << row_bits)
            | np.arange(n, dtype=np.int64)
        )
        return np.argsort(key)
    return np.lexsort((when, tcode))
