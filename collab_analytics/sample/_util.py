"""Vectorised building blocks shared by the sample generators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collab_analytics.calendar import get_calendar
from collab_analytics.schema import DATE_DTYPE, STATUS_CODES, STATUS_DTYPE, empty_table

_STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
#: Arrow type of every generated text column: pandas' ``str`` dtype stores ``large_string``,
#: so building in it avoids a copy when the frames are made.
TEXT = pa.large_string()
_MIN_PER_DAY = 1440
_US_PER_MIN = 60_000_000


def to_str(values) -> pd.Series:
    """An arrow string array (or anything arrow accepts) as a ``str`` Series."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if arr.type != TEXT:
        arr = pc.cast(arr, TEXT)
    return arr.to_pandas(types_mapper={TEXT: _STR_DTYPE}.get)


def take(vocab: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    """``vocab[idx]`` as an arrow string array (nulls where the vocabulary holds ``None``)."""
    return pa.array(list(vocab), type=TEXT).take(pa.array(np.asarray(idx, dtype=np.int64)))


def cat(*parts) -> pa.Array:
    """Element-wise concatenation of arrow string arrays and python ``str`` scalars."""
    args = [
        pa.scalar(p, TEXT) if isinstance(p, str) else (p if p.type == TEXT else pc.cast(p, TEXT))
        for p in parts
    ]
    return pc.binary_join_element_wise(*args, pa.scalar("", TEXT))


def num(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as (zero-padded) arrow strings."""
    s = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), TEXT)
    return pc.utf8_lpad(s, width, "0") if width else s


def days_to_dt(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Integer day numbers (since 1970-01-01) → ``datetime64[us]``; ``missing`` → NaT."""
    out = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(DATE_DTYPE)
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def minutes_to_dt(minutes: np.ndarray) -> np.ndarray:
    """Integer minutes since 1970-01-01 → ``datetime64[us]``."""
    return (np.asarray(minutes, dtype=np.int64) * _US_PER_MIN).astype(DATE_DTYPE)


def day_number(value) -> int:
    """A date-like scalar → its day number since 1970-01-01."""
    return int(np.datetime64(pd.Timestamp(value).normalize().date(), "D").astype(np.int64))


def hhmm(minute_of_day: np.ndarray) -> pa.Array:
    """Minute of day → ``"HH:MM"`` arrow strings."""
    m = np.asarray(minute_of_day, dtype=np.int64)
    return cat(num(m // 60, 2), ":", num(m % 60, 2))


def iso_date(days: np.ndarray) -> pa.Array:
    """Day numbers → ``"YYYY-MM-DD"`` arrow strings."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return pc.cast(pa.array(d), TEXT)


def month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers → (month, day-of-month) integer arrays."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    dom = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return month, dom


def lists(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Object array of python lists: row ``i`` holds the next ``lengths[i]`` items of ``values``.

    Rows of equal length are built together with ``ndarray.tolist`` (C speed); there are only
    a handful of distinct lengths in practice.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(lengths)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    distinct = np.unique(lengths)
    if len(distinct) > 64:
        arr = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, type=TEXT))
        out[:] = arr.to_pylist()
        return out
    for k in distinct:
        rows = np.flatnonzero(lengths == k)
        if k == 0:
            block = np.empty((len(rows), 0), dtype=object)
        else:
            block = values[offsets[rows][:, None] + np.arange(k)]
        out[rows] = block.tolist() if len(rows) > 1 else [block[0].tolist()]
    return out


def status_series(codes: np.ndarray) -> pd.Series:
    """Integer positions in :data:`STATUS_CODES` → the canonical categorical."""
    return pd.Series(
        pd.Categorical.from_codes(np.asarray(codes, dtype=np.int8), dtype=STATUS_DTYPE)
    )


STATUS = {c: i for i, c in enumerate(STATUS_CODES)}


def frame(table: str, columns: dict) -> pd.DataFrame:
    """A canonical table with the given columns filled, others empty, dtypes as in the schema."""
    template = empty_table(table)
    n = max((len(v) for v in columns.values()), default=0)
    out = {}
    for name in template.columns:
        dtype = template.dtypes[name]
        if name in columns:
            v = columns[name]
            s = v if isinstance(v, pd.Series) else pd.Series(v)
            s = s.reset_index(drop=True)
            if str(dtype) == "object":
                s = s.astype(object)
            elif s.dtype != dtype:
                s = s.astype(dtype)
            out[name] = s
        elif str(dtype) == "object":
            out[name] = pd.Series(lists(np.empty(0, dtype=object), np.zeros(n, np.int64)))
        else:
            out[name] = pd.Series(index=range(n), dtype=dtype)
    return pd.DataFrame(out)


def workday_table(first: int, last: int) -> tuple[np.ndarray, int]:
    """Working-day flags (Chinese calendar with 调休) for day numbers ``first..last``."""
    days = np.arange(first, last + 1).astype("datetime64[D]")
    cal = get_calendar("cn")
    return cal.is_workday(days), first


def next_workday(days: np.ndarray, flags: np.ndarray, first: int) -> np.ndarray:
    """The first working day on or after each day (within the flag table)."""
    n = len(flags)
    idx = np.where(flags, np.arange(n), n)
    nxt = np.minimum.accumulate(idx[::-1])[::-1]
    pos = np.clip(np.asarray(days) - first, 0, n - 1)
    found = nxt[pos]
    return np.where(found < n, found, pos) + first


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 for day numbers."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


MIN_PER_DAY = _MIN_PER_DAY
