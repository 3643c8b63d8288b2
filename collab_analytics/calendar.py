"""Calendar days vs working days, with Chinese public holidays and adjusted working weekends (调休).

A :class:`WorkCalendar` answers two vectorised questions: *is this date a working day?* and
*how many days lie between two dates?* Day differences follow one rule everywhere:

``days_between(start, end)`` counts the days ``d`` with ``start < d ≤ end`` (negative when
``end < start``), after dropping the time of day. In calendar mode that is simply
``date(end) − date(start)``; in working-day mode only working days are counted, so a task
planned for Friday and finished the next Monday is 1 working day late.

Timestamps are naive local dates (the workbook's own wall clock); time zones are dropped at
load time, never converted.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.calendar import get_calendar
>>> cn = get_calendar("cn")
>>> # National Day 2024: Oct 1–7 off; Sat Sep 29 and Sat Oct 12 are 调休 working days
>>> cn.is_workday(pd.to_datetime(["2024-09-29", "2024-10-01", "2024-10-12"])).tolist()
[True, False, True]
>>> cn.days_between(pd.Timestamp("2024-09-30"), pd.Timestamp("2024-10-08"))
1
>>> get_calendar("calendar").days_between(pd.Timestamp("2024-09-30"), pd.Timestamp("2024-10-08"))
8
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from collab_analytics._errors import CollabError

__all__ = ["CalendarSpec", "WorkCalendar", "get_calendar"]

_EPOCH = np.datetime64("1970-01-01", "D")


def _to_days(values) -> np.ndarray:
    """Dates (scalar, list, Series, Index, ndarray) → int64 day ordinals since 1970, NaT → min."""
    arr = pd.to_datetime(pd.Series(values) if not np.isscalar(values) else pd.Series([values]))
    d = arr.to_numpy(dtype="datetime64[D]")
    return d


@dataclass(frozen=True)
class WorkCalendar:
    """A working-day calendar.

    Parameters
    ----------
    name : str
        ``"calendar"`` (every day counts), ``"weekdays"`` (Mon–Fri), ``"cn"`` (mainland China:
        public holidays off, 调休 weekends on) or a custom name.
    weekmask : str
        Seven characters Mon..Sun, ``1`` = working day.
    holidays, extra_workdays : frozenset of date
        Days off on a working weekday, and weekend days that are worked (调休).
    """

    name: str = "calendar"
    weekmask: str = "1111111"
    holidays: frozenset = field(default_factory=frozenset)
    extra_workdays: frozenset = field(default_factory=frozenset)

    @property
    def is_calendar_days(self) -> bool:
        return self.weekmask == "1111111" and not self.holidays

    # -------------------------------------------------------------- vectorised core
    def _mask_for(self, days: np.ndarray) -> np.ndarray:
        """Working-day flags for an array of datetime64[D]."""
        if self.is_calendar_days:
            return np.ones(days.shape, dtype=bool)
        weekday = (days.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday (3) → Mon=0
        mask = np.array([c == "1" for c in self.weekmask])[weekday]
        if self.holidays:
            hol = np.array(sorted(self.holidays), dtype="datetime64[D]")
            mask &= ~np.isin(days, hol)
        if self.extra_workdays:
            extra = np.array(sorted(self.extra_workdays), dtype="datetime64[D]")
            mask |= np.isin(days, extra)
        return mask

    def is_workday(self, dates) -> np.ndarray:
        """Boolean array: is each date a working day? NaT gives ``False``."""
        days = _to_days(dates)
        nat = np.isnat(days)
        out = self._mask_for(np.where(nat, _EPOCH, days))
        out[nat] = False
        return out

    def days_between(self, start, end):
        """Signed whole days from ``start`` to ``end`` (see module doc for the rule).

        Scalars in → int (or ``None`` when either is missing); array-likes in → float64 array
        with NaN where either side is missing.
        """
        scalar = np.isscalar(start) or isinstance(start, (pd.Timestamp, dt.date))
        s = _to_days(start)
        e = _to_days(end)
        s, e = np.broadcast_arrays(s, e)
        bad = np.isnat(s) | np.isnat(e)
        si = np.where(bad, 0, s.astype("int64"))
        ei = np.where(bad, 0, e.astype("int64"))
        if self.is_calendar_days:
            out = (ei - si).astype("float64")
        else:
            lo = int(min(si.min(initial=0), ei.min(initial=0)))
            hi = int(max(si.max(initial=0), ei.max(initial=0)))
            rng = np.arange(lo, hi + 1).astype("datetime64[D]")
            cum = np.cumsum(self._mask_for(rng).astype("int64"))
            out = (cum[ei - lo] - cum[si - lo]).astype("float64")
        out[bad] = np.nan
        if scalar:
            return None if bad[0] else int(out[0])
        return out

    def workdays(self, start, end) -> pd.DatetimeIndex:
        """Working days ``start ≤ d ≤ end`` as a DatetimeIndex."""
        rng = pd.date_range(
            pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D"
        )
        return rng[self._mask_for(rng.to_numpy(dtype="datetime64[D]"))].as_unit("us")

    def add_days(self, start, n: int) -> pd.Timestamp:
        """The date ``n`` counted days after ``start`` (working days in working mode)."""
        start = pd.Timestamp(start).normalize()
        if self.is_calendar_days:
            return start + pd.Timedelta(days=n)
        step = 1 if n >= 0 else -1
        span = pd.date_range(start, periods=abs(n) * 3 + 30, freq=f"{step}D")
        ok = span[1:][self._mask_for(span[1:].to_numpy(dtype="datetime64[D]"))]
        return ok[abs(n) - 1] if n else start


CalendarSpec = str | WorkCalendar | Iterable | None


def _cn_calendar() -> WorkCalendar:
    try:
        import chinese_calendar
    except ImportError as exc:  # pragma: no cover - dependency is required
        msg = "The 'cn' calendar needs the chinesecalendar package: pip install chinesecalendar"
        raise CollabError(msg) from exc
    return WorkCalendar(
        name="cn",
        weekmask="1111100",
        holidays=frozenset(d for d in chinese_calendar.holidays if d.weekday() < 5),
        extra_workdays=frozenset(d for d in chinese_calendar.workdays if d.weekday() >= 5),
    )


_CACHE: dict[str, WorkCalendar] = {}


def get_calendar(spec: CalendarSpec = None) -> WorkCalendar:
    """Resolve a calendar spec.

    ``None``/``"calendar"`` → calendar days; ``"weekdays"`` → Mon–Fri; ``"cn"``/``"china"`` →
    Chinese working days incl. 调休; a :class:`WorkCalendar` is returned as is; an iterable of
    dates → Mon–Fri minus those holidays.

    >>> get_calendar(["2024-05-01"]).is_workday(["2024-05-01", "2024-05-02"]).tolist()
    [False, True]
    """
    if spec is None or isinstance(spec, WorkCalendar):
        return spec or WorkCalendar()
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in ("calendar", "days", "calendar_days"):
            return WorkCalendar()
        if key in ("weekdays", "mon-fri", "business"):
            return WorkCalendar(name="weekdays", weekmask="1111100")
        if key in ("cn", "china", "chinese", "zh"):
            if "cn" not in _CACHE:
                _CACHE["cn"] = _cn_calendar()
            return _CACHE["cn"]
        msg = (
            f"Unknown calendar {spec!r}. Use 'calendar', 'weekdays', 'cn', a WorkCalendar or "
            "a list of holiday dates."
        )
        raise CollabError(msg)
    days = pd.to_datetime(pd.Series(list(spec))).dt.date
    return WorkCalendar(name="custom", weekmask="1111100", holidays=frozenset(days))
