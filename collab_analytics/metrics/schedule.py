"""Communication-plan frequencies: free text (zh/en, RRULE) → :class:`Schedule` → expected dates.

The plan's 频率 column is free text. :func:`parse_frequency` understands the forms the template
and its users write and refuses everything else with a :class:`ScheduleParseError` that names
the plan item, the text and the accepted forms — it never guesses.

==========================================  ===================================================
text                                        schedule
==========================================  ===================================================
``每日17:00`` ``每天`` ``工作日每日``          ``daily`` (working days of the calendar)
``daily 17:00`` ``every working day``
``每周五15:00`` ``每周一、三、五``            ``weekly`` with weekdays
``weekly Fri 15:00`` ``every Mon, Wed``
``每两周周三`` ``隔周三`` ``biweekly Wed``     ``biweekly`` (interval 2)
``每月第一个周一`` ``first Monday monthly``   ``monthly_nth_weekday``
``每月15日`` ``monthly on the 15th``          ``monthly_day``
``7月15日14:00`` ``2024-07-15``               ``once`` (year from context when not written)
``FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2``      ``rrule`` (RFC 5545, expanded by dateutil)
==========================================  ===================================================

Expansion rules (:func:`expected_occurrences`):

- Every recurring kind (daily, weekly, biweekly, monthly) only produces **working days** of the
  chosen calendar: "daily" means every working day, and a weekly meeting that falls on a public
  holiday is not expected (it is not "missed"). One-off dates and RRULEs are taken literally.
- ``weekly``/``biweekly``/``monthly`` without a day are anchored on the window's first day;
  a biweekly series starts on the first matching weekday on or after the window start and
  repeats every second (Monday-based) week from there.
- The default calendar is ``"cn"`` (mainland China public holidays and 调休 working weekends),
  because the template is Chinese; pass ``calendar="weekdays"``, a holiday list or a
  :class:`~collab_analytics.calendar.WorkCalendar` for other places.

Examples
--------
>>> from collab_analytics.metrics.schedule import parse_frequency
>>> parse_frequency("每周五15:00")
Schedule(kind='weekly', weekdays=(4,), time='15:00', interval=1)
>>> parse_frequency("每月第一个周一").nth
1
>>> parse_frequency("7月15日14:00")
Schedule(kind='once', time='14:00', date=(7, 15))
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from collab_analytics._errors import ScheduleParseError
from collab_analytics.calendar import get_calendar

__all__ = [
    "OCCURRENCE_COLUMNS",
    "SCHEDULE_KINDS",
    "Schedule",
    "expected_occurrences",
    "parse_frequency",
    "parse_plan",
]

SCHEDULE_KINDS: tuple[str, ...] = (
    "daily",
    "weekly",
    "biweekly",
    "monthly_nth_weekday",
    "monthly_day",
    "once",
    "rrule",
)

#: Columns of :func:`expected_occurrences`.
OCCURRENCE_COLUMNS: tuple[str, ...] = ("item", "occurrence", "planned_time")

_EXAMPLES = (
    "每日17:00, 每天, 工作日每日, 每周五15:00, 每周一、三、五, 每两周周三, 每月第一个周一, "
    "每月15日, 7月15日14:00, 2024-07-15, 'daily 17:00', 'weekly Fri 15:00', 'biweekly Wed', "
    "'monthly', 'first Monday monthly', 'FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2'"
)


@dataclass(frozen=True)
class Schedule:
    """A parsed plan frequency.

    Attributes
    ----------
    kind : str
        One of :data:`SCHEDULE_KINDS`.
    weekdays : tuple of int
        Monday = 0 … Sunday = 6 (weekly, biweekly, monthly_nth_weekday); empty = anchor on
        the window start.
    time : str or None
        Planned start ``"HH:MM"``.
    interval : int
        Weeks between occurrences (``weekly`` 1, ``biweekly`` 2) or months (monthly kinds).
    date : tuple or None
        ``once``: ``(month, day)`` when the year is left to context, else ``(year, month, day)``.
    nth : int or None
        ``monthly_nth_weekday``: 1…5, or -1 for the last one.
    day : int or None
        ``monthly_day``: day of month (a month without that day has no occurrence); ``None``
        anchors on the window start's day.
    rrule : str or None
        The RRULE text for ``kind="rrule"``.
    """

    kind: str
    weekdays: tuple[int, ...] = ()
    time: str | None = None
    interval: int = 1
    date: tuple[int, ...] | None = None
    nth: int | None = None
    day: int | None = None
    rrule: str | None = None

    def __repr__(self) -> str:
        parts = [f"kind={self.kind!r}"]
        if self.weekdays:
            parts.append(f"weekdays={self.weekdays!r}")
        if self.time is not None:
            parts.append(f"time={self.time!r}")
        if self.kind in ("weekly", "biweekly") or self.interval != 1:
            parts.append(f"interval={self.interval}")
        for name in ("date", "nth", "day", "rrule"):
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{name}={v!r}")
        return f"Schedule({', '.join(parts)})"


# ------------------------------------------------------------------------------------ parsing

_ZH_NUM = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "日": 7,
    "天": 7,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "5": 5,
    "6": 6,
    "7": 7,
}
_EN_DAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_EN_ORD = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_ZH_ORD = {
    "一": 1,
    "1": 1,
    "二": 2,
    "2": 2,
    "三": 3,
    "3": 3,
    "四": 4,
    "4": 4,
    "五": 5,
    "5": 5,
    "最后一": -1,
    "最后": -1,
    "末": -1,
}
_RR_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}

_TIME_RE = re.compile(
    r"(?P<h>[01]?\d|2[0-3])\s*(?::|点|时)\s*(?P<m>[0-5]\d)?\s*(?:分)?(?P<half>半)?"
    r"(?:\s*[-~至到]\s*(?:[01]?\d|2[0-3])\s*(?::|点|时)\s*(?:[0-5]\d)?\s*分?)?"
)
_AMPM_RE = re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>am|pm)\b")
_FILLER_RE = re.compile(
    r"\b(?:at|meeting|meetings|sync|standup|stand-up|held)\b|"
    r"召开|举行|进行|开会|会议|例会|一次|固定|左右|上午|下午|晚上|早上|中午|的|在|于|前后"
)
_SEP = r"[、,，/和及与&+;；\s]*"


def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"[（(][^)）]*[)）]", " ", s)  # bracketed remarks: (线上), (即时通讯)
    return s


def _fmt_time(h: int, m: int) -> str:
    return f"{h:02d}:{m:02d}"


def _take_time(s: str) -> tuple[str, str | None]:
    m = _AMPM_RE.search(s)
    if m:
        h = int(m["h"]) % 12 + (12 if m["ap"] == "pm" else 0)
        return s[: m.start()] + " " + s[m.end() :], _fmt_time(h, int(m["m"] or 0))
    m = _TIME_RE.search(s)
    if m:
        h = int(m["h"])
        minute = 30 if m["half"] else int(m["m"] or 0)
        if "下午" in s or "晚上" in s:
            h = h + 12 if h < 12 else h
        return s[: m.start()] + " " + s[m.end() :], _fmt_time(h, minute)
    return s, None


def _clean(s: str) -> str:
    s = _FILLER_RE.sub(" ", s)
    s = re.sub(r"[\s:：,，.。;；]+", " ", s).strip()
    return s


def _zh_days(chunk: str) -> tuple[int, ...]:
    days = re.findall(r"[一二三四五六日天1-7]", chunk)
    return tuple(sorted({_ZH_NUM[d] - 1 for d in days}))


def _en_days(chunk: str) -> tuple[int, ...]:
    words = re.findall(r"[a-z]+", chunk)
    return tuple(sorted({_EN_DAYS[w] for w in words if w in _EN_DAYS}))


_ZH_WD = r"(?:周|星期|礼拜)"
_ZH_DAYLIST = rf"(?:{_ZH_WD}?[一二三四五六日天1-7](?:{_SEP}{_ZH_WD}?[一二三四五六日天1-7])*)"
_EN_DAY = r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?s?"
_EN_DAYLIST = rf"(?:{_EN_DAY}(?:{_SEP}(?:and\s+)?{_EN_DAY})*)"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "daily",
        re.compile(
            r"(?:工作日)?(?:每日|每天|每个工作日|每工作日|日常|工作日每日|工作日每天|工作日)"
            r"|(?:every\s+)?(?:working\s+|work\s+|business\s+)?(?:daily|days?|weekdays?)"
            r"(?:\s+daily)?"
        ),
    ),
    (
        "biweekly_zh",
        re.compile(rf"(?:每两周|每2周|每隔一周|隔周|双周|每双周){_SEP}(?P<days>{_ZH_DAYLIST})?"),
    ),
    ("weekly_zh", re.compile(rf"(?:每周|每星期|每个星期|每礼拜|周){_SEP}(?P<days>{_ZH_DAYLIST})?")),
    ("weekly_zh_every", re.compile(rf"每(?P<days>{_ZH_DAYLIST})")),
    (
        "monthly_nth_zh",
        re.compile(
            rf"每(?:个)?月(?:的)?\s*第?(?P<nth>最后一|最后|末|[一二三四五1-5])个?\s*{_ZH_WD}"
            r"(?P<day>[一二三四五六日天1-7])"
        ),
    ),
    ("monthly_day_zh", re.compile(r"每(?:个)?月\s*(?P<day>\d{1,2})\s*(?:日|号)?")),
    ("monthly_zh", re.compile(r"每(?:个)?月|月度|每月一次")),
    (
        "once_zh",
        re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*(?:日|号)?"),
    ),
    ("once_iso", re.compile(r"(?:once\s*)?(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")),
    (
        "biweekly_en",
        re.compile(
            rf"(?:bi-?weekly|fortnightly|every\s+(?:2|two|other)\s+weeks?|every\s+other)"
            rf"\s*(?:on\s+)?(?P<days>{_EN_DAYLIST})?"
        ),
    ),
    (
        "weekly_en",
        re.compile(
            rf"(?:weekly|every\s+week|each\s+week|every)\s*(?:on\s+)?(?P<days>{_EN_DAYLIST})?"
        ),
    ),
    ("weekly_en_days", re.compile(rf"(?P<days>{_EN_DAYLIST})\s*weekly")),
    (
        "monthly_nth_en",
        re.compile(
            rf"(?:monthly\s*)?(?:every\s+|on\s+)?(?:the\s+)?(?P<nth>first|1st|second|2nd|third|3rd|"
            rf"fourth|4th|fifth|5th|last)\s+(?P<day>{_EN_DAY})\s*(?:of\s+)?(?:the\s+|each\s+|every\s+)?"
            r"(?:month(?:ly)?)?"
        ),
    ),
    (
        "monthly_day_en",
        re.compile(
            r"(?:monthly|every\s+month)\s*(?:on\s+)?(?:the\s+)?(?:day\s+)?(?P<day>\d{1,2})"
            r"(?:st|nd|rd|th)?"
        ),
    ),
    ("monthly_en", re.compile(r"monthly|every\s+month|each\s+month")),
]


def _error(text: object, item: object, row: object, why: str) -> ScheduleParseError:
    where = []
    if item is not None and not (isinstance(item, float) and np.isnan(item)):
        where.append(f"plan item {item!r}")
    if row is not None:
        where.append(f"row {row}")
    loc = (" (" + ", ".join(where) + ")") if where else ""
    msg = f"Cannot understand the frequency {text!r}{loc}: {why}. Hint: write one of {_EXAMPLES}."
    return ScheduleParseError(msg)


def _parse_rrule(raw: str, text: str, item, row) -> Schedule:
    body = raw.strip()
    body = re.sub(r"^rrule:\s*", "", body, flags=re.IGNORECASE)
    parts = {}
    for kv in body.upper().split(";"):
        if not kv.strip():
            continue
        if "=" not in kv:
            raise _error(text, item, row, f"RRULE part {kv!r} is not KEY=VALUE")
        k, v = kv.split("=", 1)
        parts[k.strip()] = v.strip()
    known = {
        "FREQ",
        "INTERVAL",
        "BYDAY",
        "BYMONTHDAY",
        "BYMONTH",
        "BYHOUR",
        "BYMINUTE",
        "BYSETPOS",
        "COUNT",
        "UNTIL",
        "WKST",
    }
    unknown = sorted(set(parts) - known)
    if unknown:
        raise _error(text, item, row, f"RRULE keys {unknown} are not supported")
    if parts.get("FREQ") not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise _error(text, item, row, "RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY")
    from dateutil.rrule import rrulestr

    try:
        rrulestr(
            "RRULE:" + ";".join(f"{k}={v}" for k, v in parts.items()),
            dtstart=pd.Timestamp("2000-01-01").to_pydatetime(),
        )
    except (ValueError, TypeError) as exc:
        raise _error(text, item, row, f"invalid RRULE ({exc})") from None
    time = None
    if "BYHOUR" in parts:
        try:
            h = int(parts["BYHOUR"].split(",")[0])
            mi = int(parts.get("BYMINUTE", "0").split(",")[0])
        except ValueError:
            raise _error(text, item, row, "BYHOUR/BYMINUTE must be numbers") from None
        time = _fmt_time(h, mi)
    days = tuple(
        sorted({_RR_DAYS[d[-2:]] for d in parts.get("BYDAY", "").split(",") if d[-2:] in _RR_DAYS})
    )
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError:
        raise _error(text, item, row, "INTERVAL must be a whole number") from None
    canon = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("BYHOUR", "BYMINUTE"))
    return Schedule(kind="rrule", weekdays=days, time=time, interval=interval, rrule=canon)


def parse_frequency(text: object, *, item: object = None, row: object = None) -> Schedule:
    """Parse a plan frequency text (Chinese, English or an iCalendar RRULE).

    Parameters
    ----------
    text : str
        The 频率 cell, e.g. ``"每周五15:00"``, ``"weekly Fri 15:00"``,
        ``"FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2"``.
    item, row : optional
        Where the text comes from (plan item name, row number); only used in error messages.

    Returns
    -------
    Schedule

    Raises
    ------
    ScheduleParseError
        When the text is empty or not one of the accepted forms; the message names the item,
        the row, the text, and lists accepted examples.

    Examples
    --------
    >>> parse_frequency("每日17:00")
    Schedule(kind='daily', time='17:00')
    >>> parse_frequency("每周一、三、五").weekdays
    (0, 2, 4)
    >>> parse_frequency("每两周周三")
    Schedule(kind='biweekly', weekdays=(2,), interval=2)
    >>> parse_frequency("weekly Fri 15:00")
    Schedule(kind='weekly', weekdays=(4,), time='15:00', interval=1)
    >>> parse_frequency("FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2").kind
    'rrule'
    >>> parse_frequency("看情况", item="临时会")
    Traceback (most recent call last):
    ...
    collab_analytics._errors.ScheduleParseError: Cannot understand the frequency '看情况' (plan item '临时会'): ...
    """  # noqa: E501
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        raise _error(text, item, row, "the frequency is empty")
    raw = str(text)
    if re.match(r"\s*(rrule:|freq=)", raw, flags=re.IGNORECASE):
        return _parse_rrule(raw, raw, item, row)
    s = _norm(raw)
    s, time = _take_time(s)
    s = _clean(s)
    if not s and time is not None:
        # "17:00" alone is not a frequency
        raise _error(raw, item, row, "a time of day alone does not say how often")
    for name, pat in _PATTERNS:
        m = pat.fullmatch(s)
        if not m:
            continue
        g = m.groupdict()
        if name == "daily":
            return Schedule(kind="daily", time=time)
        if name in ("weekly_zh", "weekly_zh_every", "biweekly_zh"):
            days = _zh_days(re.sub(_ZH_WD, "", g["days"])) if g.get("days") else ()
            if name == "weekly_zh" and not days and not s.startswith("每"):
                continue
            if name == "biweekly_zh":
                return Schedule(kind="biweekly", weekdays=days, time=time, interval=2)
            return Schedule(kind="weekly", weekdays=days, time=time, interval=1)
        if name in ("weekly_en", "weekly_en_days", "biweekly_en"):
            days = _en_days(g["days"]) if g.get("days") else ()
            if name == "weekly_en" and s.startswith("every") and not days and s != "every week":
                continue
            if name == "biweekly_en":
                return Schedule(kind="biweekly", weekdays=days, time=time, interval=2)
            return Schedule(kind="weekly", weekdays=days, time=time, interval=1)
        if name == "monthly_nth_zh":
            wd = _ZH_NUM[g["day"]] - 1
            return Schedule(
                kind="monthly_nth_weekday", weekdays=(wd,), time=time, nth=_ZH_ORD[g["nth"]]
            )
        if name == "monthly_nth_en":
            wd = _EN_DAYS.get(g["day"].rstrip("s"), _EN_DAYS.get(g["day"]))
            if wd is None:
                continue
            return Schedule(
                kind="monthly_nth_weekday", weekdays=(wd,), time=time, nth=_EN_ORD[g["nth"]]
            )
        if name in ("monthly_day_zh", "monthly_day_en"):
            day = int(g["day"])
            if not 1 <= day <= 31:
                raise _error(raw, item, row, f"day of month {day} is not between 1 and 31")
            return Schedule(kind="monthly_day", time=time, day=day)
        if name in ("monthly_zh", "monthly_en"):
            return Schedule(kind="monthly_day", time=time, day=None)
        if name in ("once_zh", "once_iso"):
            mo, d = int(g["m"]), int(g["d"])
            y = int(g["y"]) if g.get("y") else 2000  # 2000 is a leap year: validates 2月29日
            try:
                pd.Timestamp(year=y, month=mo, day=d)
            except ValueError:
                raise _error(raw, item, row, f"{mo}月{d}日 is not a date") from None
            date = (int(g["y"]), mo, d) if g.get("y") else (mo, d)
            return Schedule(kind="once", time=time, date=date)
    raise _error(raw, item, row, "no known pattern matches")


def _parse_text(text: str) -> Schedule:
    """:func:`parse_frequency` of a text without item or row (they only name the place in an
    error message), remembered: a plan repeats a few frequency texts many times."""
    return _parse_cached(text)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Schedule:
    return parse_frequency(text)


def parse_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """Parse every plan row's frequency, raising one error that lists every bad row.

    Returns ``[item, frequency, schedule, kind, weekdays, time, interval]`` (``schedule`` holds
    :class:`Schedule` objects). Each distinct frequency text is parsed once.

    >>> import pandas as pd
    >>> plan = pd.DataFrame({"item": ["日常进度同步", "风险排查会"],
    ...                      "frequency": ["每日17:00", "每周五15:00"]})
    >>> parse_plan(plan)[["kind", "time"]].to_dict("list")
    {'kind': ['daily', 'weekly'], 'time': ['17:00', '15:00']}
    """
    cols = ["item", "frequency", "schedule", "kind", "weekdays", "time", "interval"]
    if len(plan) == 0:
        return pd.DataFrame(
            {
                c: pd.Series(
                    [],
                    dtype="object"
                    if c in ("schedule", "weekdays")
                    else "int64"
                    if c == "interval"
                    else "str",
                )
                for c in cols
            }
        )
    schedules, errors = [], []
    for i, (item, freq) in enumerate(zip(plan["item"], plan["frequency"], strict=True)):
        try:
            if isinstance(freq, str):
                try:
                    sched = _parse_text(freq)
                except ScheduleParseError:  # again, for the message naming the item and row
                    sched = parse_frequency(freq, item=item, row=i + 1)
            else:
                sched = parse_frequency(freq, item=item, row=i + 1)
            schedules.append(sched)
        except ScheduleParseError as exc:
            errors.append(str(exc))
            schedules.append(None)
    if errors:
        msg = (
            f"{len(errors)} plan frequenc{'y' if len(errors) == 1 else 'ies'} "
            "could not be parsed:\n  - " + "\n  - ".join(errors)
        )
        raise ScheduleParseError(msg)
    out = pd.DataFrame(
        {
            "item": plan["item"].astype("str").to_numpy(),
            "frequency": plan["frequency"].astype("str").to_numpy(),
            "schedule": pd.Series(schedules, dtype="object").to_numpy(),
        }
    )
    out["kind"] = pd.Series([s.kind for s in schedules], dtype="str")
    out["weekdays"] = pd.Series([s.weekdays for s in schedules], dtype="object")
    out["time"] = pd.Series([s.time for s in schedules], dtype="str")
    out["interval"] = np.array([s.interval for s in schedules], dtype="int64")
    return out


# ---------------------------------------------------------------------------------- expansion
#
# Every plan row's window is expanded into its days at once (one repeat over all rows of the
# grid-based kinds); each kind then keeps its days with array tests on per-row parameters.
# One-off dates are one comparison per row; RRULEs (rare) are expanded by dateutil per row.

_K_DAILY, _K_WEEK, _K_MDAY, _K_MNTH, _K_ONCE, _K_RRULE = range(6)
_NO_DAY = np.iinfo(np.int64).min
_KIND_CODE = {
    "daily": _K_DAILY,
    "weekly": _K_WEEK,
    "biweekly": _K_WEEK,
    "monthly_day": _K_MDAY,
    "monthly_nth_weekday": _K_MNTH,
    "once": _K_ONCE,
    "rrule": _K_RRULE,
}


def _day_of(value) -> np.datetime64:
    """A date-like scalar as a day (its own calendar date, as ``Timestamp.normalize``)."""
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        msg = "expected_occurrences needs a window, but a plan row has no start or end date."
        raise ValueError(msg)
    return np.datetime64(ts.normalize().date(), "D")


def _row_days(plan: pd.DataFrame, column: str, default) -> np.ndarray:
    """Each row's window bound (``column`` when given and present, else ``default``) as day
    ordinals."""
    n = len(plan)
    fallback = None if default is None else _day_of(default).astype("int64")
    if column not in plan.columns:
        if fallback is None:  # pragma: no cover - checked by the caller
            return _day_of(None)
        return np.full(n, fallback, dtype="int64")
    col = pd.to_datetime(plan[column])
    vals = col.to_numpy(dtype="datetime64[us]")
    missing = col.isna().to_numpy()
    if getattr(col.dt, "tz", None) is not None:  # local calendar dates of aware stamps
        vals = col.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    days = vals.astype("datetime64[D]").astype("int64")
    if missing.any():
        if fallback is None:
            _day_of(None)
        days[missing] = fallback
    return days


def _rrule_days(sched: Schedule, start, end) -> np.ndarray:
    from dateutil.rrule import rrulestr

    dtstart = pd.Timestamp(start).normalize().to_pydatetime()
    until = pd.Timestamp(end).normalize().to_pydatetime()
    rule = rrulestr("RRULE:" + sched.rrule, dtstart=dtstart)
    got = rule.between(dtstart, until, inc=True)
    return np.array([np.datetime64(d.date(), "D") for d in got], dtype="datetime64[D]")


def _once_day(date: tuple[int, ...], year: int) -> int | None:
    """Day ordinal of a one-off date (``None``: 2月29日 in a non-leap year)."""
    y, mo, d = (year, *date) if len(date) == 2 else date
    try:
        return int(np.datetime64(dt.date(y, mo, d), "D").astype("int64"))
    except ValueError:
        return None


def _week0(s_ord: np.ndarray, wd_bits: np.ndarray) -> np.ndarray:
    """Monday-based week number of each row's first matching weekday on/after its start."""
    wd0 = (s_ord - 4) % 7
    off = np.full(len(s_ord), 7, dtype="int64")
    for step in range(6, -1, -1):
        hit = ((wd_bits >> ((wd0 + step) % 7)) & 1) == 1
        off[hit] = step
    f = s_ord + off
    return (f - (f - 4) % 7) // 7


def _start_year(s_ord: np.ndarray) -> np.ndarray:
    return s_ord.astype("datetime64[D]").astype("datetime64[Y]").astype("int64")


def _grid_rows(
    rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, grid0: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (row, grid position) of the rows' windows ``[lo, hi]`` (grid positions), in row
    order then day order: (row of each day, grid position, day ordinal)."""
    length = hi - lo + 1
    total = int(length.sum())
    r = np.repeat(rows, length)
    start_at = np.cumsum(length) - length
    g = np.arange(total, dtype="int64") - np.repeat(start_at - lo, length)
    return r, g, g + grid0


def expected_occurrences(
    plan: pd.DataFrame,
    *,
    start=None,
    end=None,
    calendar="cn",
    year: int | None = None,
) -> pd.DataFrame:
    """Expand each plan item's frequency into the dates it was expected to happen.

    Parameters
    ----------
    plan : DataFrame
        Canonical plan table ``[item, frequency, …]``. Optional columns ``start`` / ``end``
        (dates) override the window per item.
    start, end : date-like
        The window (inclusive). Required unless every plan row carries ``start``/``end``.
    calendar : calendar spec, default ``"cn"``
        Working days for recurring kinds (see module notes); ``"calendar"`` keeps every day.
    year : int, optional
        Year for one-off dates written without a year (``7月15日``); default: the year of
        the item's window start.

    Returns
    -------
    DataFrame
        One row per expected occurrence, ``[item, occurrence, planned_time]``: ``occurrence``
        is the planned start (``datetime64[us]``; midnight when the plan gives no time),
        ``planned_time`` the ``"HH:MM"`` text or missing. Sorted by item (plan order) then time.

    Examples
    --------
    >>> import pandas as pd
    >>> plan = pd.DataFrame({"item": ["日常进度同步", "需求评审会"],
    ...                      "frequency": ["每日17:00", "7月15日14:00"]})
    >>> occ = expected_occurrences(plan, start="2024-07-12", end="2024-07-16")
    >>> occ["occurrence"].dt.strftime("%m-%d %H:%M").tolist()  # 13/14 is a weekend
    ['07-12 17:00', '07-15 17:00', '07-16 17:00', '07-15 14:00']
    """
    empty = pd.DataFrame(
        {
            "item": pd.Series([], dtype="str"),
            "occurrence": pd.Series([], dtype="datetime64[us]"),
            "planned_time": pd.Series([], dtype="str"),
        }
    )
    if len(plan) == 0:
        return empty
    exp = _expansion(plan, start=start, end=end, calendar=calendar, year=year)
    if len(exp.rows) == 0:
        return empty
    return _occurrence_frame(exp, exp.rows, exp.occ)


@dataclass(frozen=True)
class _Expansion:
    """A plan's expected occurrences as arrays: ``rows`` (plan row of each occurrence, in row
    then time order) and ``occ`` (``datetime64[us]``), with each plan row's item, planned time,
    window (day ordinals) and whether its days are a fixed set cut by the window
    (``fixed``: the same rule whatever the window's start, see :func:`_expand_within`)."""

    rows: np.ndarray
    occ: np.ndarray
    items: pd.Series
    times: list
    s_ord: np.ndarray
    e_ord: np.ndarray
    fixed: np.ndarray
    calendar: str
    year: int | None
    #: weekly rows every n-th week (n > 1) on given weekdays: weekday bits and n (else 0, 1)
    week_bits: np.ndarray | None = None
    week_every: np.ndarray | None = None
    #: one-off dates read in the year of the window start
    start_year: np.ndarray | None = None
    #: each plan row's parsed :class:`Schedule` (rows expanded again reuse them)
    schedules: list | None = None
    #: what selections derive from it, computed on first need (see :func:`_every_week`)
    derived: dict = field(default_factory=dict, compare=False, repr=False)


def _occurrence_frame(exp: _Expansion, rows: np.ndarray, occ: np.ndarray) -> pd.DataFrame:
    """The :func:`expected_occurrences` frame of occurrences (plan ``rows``, times ``occ``)."""
    return pd.DataFrame(
        {
            "item": _decoded(exp.items, rows),
            "occurrence": pd.Series(occ, dtype="datetime64[us]"),
            "planned_time": _decoded(pd.Series(exp.times, dtype="str"), rows),
        }
    )


def _decoded(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values.take(rows)`` of a ``str`` Series, with a fresh index: the rows as a
    dictionary array over the values, cast to text (faster than a take when many rows
    repeat a few values, as occurrences repeat their plan row's item and time).

    >>> _decoded(pd.Series(["a", None], dtype="str"), np.array([1, 0, 0])).tolist()
    [nan, 'a', 'a']
    """
    arr = pa.array(values.astype("str").array)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    rows = np.asarray(rows)
    idx = pa.array(rows.astype("int32" if len(values) < (1 << 31) else "int64"))
    text = pa.DictionaryArray.from_arrays(idx, arr).cast(pa.large_string())
    return pd.Series(pd.array(text, dtype="str"))


def _expansion(
    plan: pd.DataFrame, *, start=None, end=None, calendar="cn", year=None, schedules=None
):
    """:func:`expected_occurrences` as an :class:`_Expansion` (``plan`` not empty).

    ``schedules``: each row's parsed frequency when known (:attr:`_Expansion.schedules` of
    the rows in an earlier expansion); else parsed here."""
    if schedules is None:
        parsed = parse_plan(plan)
        schedules = parsed["schedule"].tolist()
        items = parsed["item"].astype("str")
    else:
        items = plan["item"].astype("str").reset_index(drop=True)
    cal = get_calendar(calendar)
    if (start is None and "start" not in plan.columns) or (
        end is None and "end" not in plan.columns
    ):
        msg = (
            "expected_occurrences needs a window: pass start= and end= (e.g. the project's "
            "first date and the as-of date) or give the plan 'start'/'end' columns."
        )
        raise ValueError(msg)
    n = len(schedules)
    s_ord = _row_days(plan, "start", start)
    e_ord = _row_days(plan, "end", end)
    kind = np.array([_KIND_CODE[s.kind] for s in schedules], dtype="int64")
    ok = e_ord >= s_ord
    minutes = np.zeros(n, dtype="int64")
    times = []
    for i, s in enumerate(schedules):
        times.append(s.time)
        if s.time is not None:
            h, m = s.time.split(":")
            minutes[i] = int(h) * 60 + int(m)
    rows_parts, day_parts = [], []

    # grid kinds: every day of the row's window, then each kind's test
    grid_rows = np.flatnonzero(ok & (kind <= _K_MNTH))
    if len(grid_rows):
        grid0 = int(s_ord[grid_rows].min())
        grid = np.arange(grid0, int(e_ord[grid_rows].max()) + 1, dtype="int64")
        work = np.asarray(cal.is_workday(grid.astype("datetime64[D]")), dtype=bool)
        lo = s_ord[grid_rows] - grid0
        hi = e_ord[grid_rows] - grid0
        r, g, day = _grid_rows(grid_rows, lo, hi, grid0)
        weekday = (day - 4) % 7
        k = kind[r]
        sel = np.zeros(len(r), dtype=bool)
        # (row parameters, indexed by plan row)
        first_day = np.zeros(n, dtype="int64")
        first_day[grid_rows] = s_ord[grid_rows]
        is_week = k == _K_WEEK
        if is_week.any():
            wd_bits = np.zeros(n, dtype="int64")
            interval = np.ones(n, dtype="int64")
            for i in np.flatnonzero(kind == _K_WEEK):
                s = schedules[i]
                days = s.weekdays or (int((s_ord[i] - 4) % 7),)
                wd_bits[i] = sum(1 << d for d in set(days))
                interval[i] = max(int(s.interval), 1)
            week0 = _week0(s_ord, wd_bits)
            rw = r[is_week]
            dw = day[is_week]
            keep = ((wd_bits[rw] >> weekday[is_week]) & 1) == 1
            keep &= ((dw - weekday[is_week]) // 7 - week0[rw]) % interval[rw] == 0
            sel[is_week] = keep & work[g[is_week]]
        is_daily = k == _K_DAILY
        sel[is_daily] = work[g[is_daily]]
        is_month = (k == _K_MDAY) | (k == _K_MNTH)
        if is_month.any():
            idx = pd.DatetimeIndex(grid.astype("datetime64[D]").astype("datetime64[s]"))
            dom_grid = idx.day.to_numpy().astype("int64")
            month_grid = idx.year.to_numpy().astype("int64") * 12 + idx.month.to_numpy()
            dim_grid = idx.days_in_month.to_numpy().astype("int64")
            m_int = np.ones(n, dtype="int64")
            m_day = np.zeros(n, dtype="int64")
            m_nth = np.zeros(n, dtype="int64")
            m_wd = np.zeros(n, dtype="int64")
            for i in np.flatnonzero(ok & ((kind == _K_MDAY) | (kind == _K_MNTH))):
                s = schedules[i]
                m_int[i] = max(int(s.interval), 1)
                if s.kind == "monthly_day":
                    m_day[i] = s.day if s.day is not None else dom_grid[s_ord[i] - grid0]
                else:
                    m_nth[i], m_wd[i] = s.nth, s.weekdays[0]
            rm, gm = r[is_month], g[is_month]
            dom = dom_grid[gm]
            in_int = (month_grid[gm] - month_grid[s_ord[rm] - grid0]) % m_int[rm] == 0
            is_day = kind[rm] == _K_MDAY
            nth = m_nth[rm]
            nth_ok = np.where(nth == -1, (dom + 7) > dim_grid[gm], (dom - 1) // 7 == nth - 1)
            keep = np.where(is_day, dom == m_day[rm], (weekday[is_month] == m_wd[rm]) & nth_ok)
            sel[is_month] = keep & in_int & work[gm]
        rows_parts.append(r[sel])
        day_parts.append(day[sel])

    # one-off dates: the target day when it lies in the window
    once = np.flatnonzero(ok & (kind == _K_ONCE))
    if len(once):
        years = (
            np.full(len(once), year, dtype="int64")
            if year is not None
            else s_ord[once].astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
        )
        known: dict[tuple, int] = {}
        target = np.empty(len(once), dtype="int64")
        for j, (i, y) in enumerate(zip(once.tolist(), years.tolist(), strict=True)):
            key = (schedules[i].date, y)
            if key not in known:
                t = _once_day(schedules[i].date, y)
                known[key] = _NO_DAY if t is None else t
            target[j] = known[key]
        hit = (target != _NO_DAY) & (s_ord[once] <= target) & (target <= e_ord[once])
        rows_parts.append(once[hit])
        day_parts.append(target[hit])

    for i in np.flatnonzero(ok & (kind == _K_RRULE)):
        d = _rrule_days(
            schedules[i],
            pd.Timestamp(np.datetime64(int(s_ord[i]), "D")),
            pd.Timestamp(np.datetime64(int(e_ord[i]), "D")),
        )
        rows_parts.append(np.full(len(d), i, dtype="int64"))
        day_parts.append(d.astype("int64"))

    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype="int64")
    days = np.concatenate(day_parts) if day_parts else np.zeros(0, dtype="int64")
    if len(rows_parts) > 1:
        order = np.argsort(rows, kind="stable")  # each row's days come from one part
        rows, days = rows[order], days[order]
    occ = (days * 1440 + minutes[rows]).astype("datetime64[m]").astype("datetime64[us]")
    # a row's days are a fixed set cut by its window when no rule reads the window's start
    fixed = kind == _K_DAILY
    # weekly rows on given weekdays every n-th week: the weeks counted from the start
    week_bits = np.zeros(n, dtype="int64")
    week_every = np.ones(n, dtype="int64")
    # one-off dates whose year is the window start's
    start_year = np.zeros(n, dtype=bool)
    for i in np.flatnonzero((kind > _K_DAILY) & (kind < _K_RRULE)):
        sc = schedules[i]
        every = max(int(sc.interval), 1) == 1
        if kind[i] == _K_WEEK:
            fixed[i] = bool(sc.weekdays) and every
            if sc.weekdays and not every:
                week_bits[i] = sum(1 << d for d in set(sc.weekdays))
                week_every[i] = max(int(sc.interval), 1)
        elif kind[i] == _K_ONCE:
            fixed[i] = sc.date is not None and (len(sc.date) == 3 or year is not None)
            start_year[i] = sc.date is not None and not fixed[i]
        elif kind[i] == _K_MDAY:
            fixed[i] = sc.day is not None and every
        elif kind[i] == _K_MNTH:
            fixed[i] = every
    return _Expansion(
        rows=rows,
        occ=occ,
        items=items,
        times=times,
        s_ord=s_ord,
        e_ord=e_ord,
        fixed=fixed,
        calendar=cal.name,
        year=year,
        week_bits=week_bits,
        week_every=week_every,
        start_year=start_year,
        schedules=schedules,
    )


def _expand_within(
    full: _Expansion, plan: pd.DataFrame, prow: np.ndarray, *, frame: bool = True
) -> tuple[pd.DataFrame | None, _Expansion]:
    """:func:`expected_occurrences` of ``plan`` (rows ``prow`` of the plan ``full`` was
    expanded for, in their order, with their own ``start``/``end`` windows, same calendar
    and year), and its :class:`_Expansion` (``rows``: each occurrence's row in ``plan``).

    A row whose window lies inside its window in ``full`` keeps the full expansion's days
    inside the new window when its days are a fixed set (``_Expansion.fixed``: daily, weekly
    on given weekdays, a given day or weekday of every month, a dated one-off), or every
    n-th week on given weekdays and the new first week is a multiple of n weeks after the
    old one, or a one-off date without a year and both windows start in the same year.
    Other rows (anchored on the window's start, every n-th month, RRULEs, wider windows) are
    expanded again.
    """
    if len(plan) == 0:
        return expected_occurrences(plan), _no_expansion()
    exp = _expansion_within(full, plan, prow)
    return (_occurrences_of(exp, plan) if frame else None), exp


def _occurrences_of(exp: _Expansion, plan: pd.DataFrame) -> pd.DataFrame:
    """The :func:`expected_occurrences` frame of an expansion of ``plan``."""
    if len(exp.rows) == 0:
        return expected_occurrences(plan.iloc[:0])
    return _occurrence_frame(exp, exp.rows, exp.occ)


def _expansion_within(full: _Expansion, plan: pd.DataFrame, prow: np.ndarray) -> _Expansion:
    """The :class:`_Expansion` of :func:`_expand_within` (``plan`` not empty)."""
    s_new = _row_days(plan, "start", None)
    e_new = _row_days(plan, "end", None)
    s_full = full.s_ord[prow]
    same = full.fixed[prow].copy()
    if full.week_bits is not None:
        # every n-th week: the same weeks when the first weeks are n weeks apart
        bits, every = full.week_bits[prow], full.week_every[prow]
        w = np.flatnonzero(bits > 0)
        if len(w):
            shift = _week0(s_new[w], bits[w]) - _week0(s_full[w], bits[w])
            same[w] = shift % every[w] == 0
        # a date without a year: the same day when the window starts in the same year
        y = np.flatnonzero(full.start_year[prow])
        same[y] = _start_year(s_new[y]) == _start_year(s_full[y])
    reuse = same & (s_new >= s_full) & (e_new <= full.e_ord[prow])
    new_of = np.full(len(full.s_ord), -1, dtype="int64")
    new_of[prow[reuse]] = np.flatnonzero(reuse)
    r = new_of[full.rows]
    day = full.occ.astype("datetime64[D]").astype("int64")
    at = np.maximum(r, 0)
    keep = (r >= 0) & (day >= s_new[at]) & (day <= e_new[at])
    rows, occ = r[keep], full.occ[keep]
    inside = (s_new >= s_full) & (e_new <= full.e_ord[prow])
    if full.week_bits is not None and full.schedules is not None:
        # every n-th week, first week moved by other than n weeks, window inside: the other
        # weeks' days, cut from the row's every-week days
        moved = np.flatnonzero(~reuse & inside & (full.week_bits[prow] > 0))
        if len(moved):
            got_rows, got_occ = _moved_weeks(full, prow, moved, s_new, e_new)
            rows, occ = np.concatenate([rows, got_rows]), np.concatenate([occ, got_occ])
            reuse = reuse.copy()
            reuse[moved] = True
    again = np.flatnonzero(~reuse)
    if not len(again) and len(rows) > 1 and (rows[1:] < rows[:-1]).any():
        order = np.argsort(rows, kind="stable")  # each row's days come from one part
        rows, occ = rows[order], occ[order]
    if len(again):
        sub = _expansion(
            plan.iloc[again].reset_index(drop=True),
            calendar=full.calendar,
            year=full.year,
            schedules=None if full.schedules is None else [full.schedules[i] for i in prow[again]],
        )
        rows = np.concatenate([rows, again[sub.rows]])
        occ = np.concatenate([occ, sub.occ])
        order = np.argsort(rows, kind="stable")
        rows, occ = rows[order], occ[order]
    exp = _Expansion(
        rows=rows,
        occ=occ,
        items=full.items.take(prow).reset_index(drop=True),
        times=[full.times[i] for i in prow.tolist()],
        s_ord=s_new,
        e_ord=e_new,
        fixed=full.fixed[prow],
        calendar=full.calendar,
        year=full.year,
    )
    return exp


def _every_week(full: _Expansion) -> tuple[np.ndarray, np.ndarray]:
    """(plan row, occurrence) of ``full``'s every-n-th-week rows on given weekdays expanded
    every week over their windows (computed once per expansion)."""
    if "every_week" not in full.derived:
        w = np.flatnonzero(full.week_bits > 0)
        plan = pd.DataFrame(
            {
                "item": full.items.take(w).reset_index(drop=True),
                "start": full.s_ord[w].astype("datetime64[D]").astype("datetime64[us]"),
                "end": full.e_ord[w].astype("datetime64[D]").astype("datetime64[us]"),
            }
        )
        sub = _expansion(
            plan,
            calendar=full.calendar,
            year=full.year,
            schedules=[replace(full.schedules[i], interval=1) for i in w.tolist()],
        )
        full.derived["every_week"] = (w[sub.rows], sub.occ)
    return full.derived["every_week"]


def _moved_weeks(
    full: _Expansion, prow: np.ndarray, moved: np.ndarray, s_new: np.ndarray, e_new: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The occurrences of the selection rows ``moved`` (every n-th week on given weekdays,
    windows ``s_new``..``e_new`` inside the whole windows): the days of the row's every-week
    expansion in the new window whose week is a multiple of n weeks after the new first
    week, as a fresh expansion keeps them (rows are positions in the selection)."""
    w_rows, w_occ = _every_week(full)
    sel = np.full(len(full.s_ord), -1, dtype="int64")
    sel[prow[moved]] = moved
    r = sel[w_rows]
    keep = r >= 0
    r, occ = r[keep], w_occ[keep]
    day = occ.astype("datetime64[D]").astype("int64")
    bits, every = full.week_bits[prow], full.week_every[prow]
    week0 = np.zeros(len(prow), dtype="int64")
    week0[moved] = _week0(s_new[moved], bits[moved])
    week = (day - (day - 4) % 7) // 7
    keep = (day >= s_new[r]) & (day <= e_new[r]) & ((week - week0[r]) % every[r] == 0)
    return r[keep], occ[keep]


def _no_expansion() -> _Expansion:
    """The :class:`_Expansion` of an empty plan."""
    none = np.zeros(0, dtype="int64")
    return _Expansion(
        rows=none,
        occ=none.astype("datetime64[us]"),
        items=pd.Series([], dtype="str"),
        times=[],
        s_ord=none,
        e_ord=none,
        fixed=none.astype(bool),
        calendar="",
        year=None,
    )


# ------------------------------------------------------------------ plan windows of a subset
_DAY_US = 86_400_000_000
_NAT = np.iinfo(np.int64).min
_NO_START = np.iinfo(np.int64).max


@dataclass(frozen=True)
class _WindowIndex:
    """What :func:`~collab_analytics.metrics.communication.plan_windows` reads of a whole
    dataset, as integer codes, for :func:`_windows_within` (built by :func:`_window_index`)."""

    projects: np.ndarray  # distinct non-empty project names of the tasks (object)
    task_project: np.ndarray  # each task's code in ``projects`` (-1: missing or empty)
    first: np.ndarray  # each task's first planned/actual start in µs (``_NO_START``: none)
    last: np.ndarray  # each task's last planned/actual finish in µs (``_NAT``: none)
    candidates: np.ndarray  # (name lengths, plan rows): code of item[:n], longest n first


def _us(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[us]").view("int64")


def _window_index(tasks: pd.DataFrame, plan: pd.DataFrame) -> _WindowIndex:
    """Project codes, per-task first start and last finish, and each plan row's candidate
    projects (the project named by each prefix of its item) of a whole dataset.

    Examples
    --------
    >>> tasks = pd.DataFrame({"project": ["A", "AB"],
    ...     "planned_start": pd.to_datetime(["2024-01-02", "2024-02-01"]),
    ...     "actual_start": pd.to_datetime([None, None]),
    ...     "planned_finish": pd.to_datetime(["2024-01-09", "2024-03-01"]),
    ...     "actual_finish": pd.to_datetime([None, None])})
    >>> idx = _window_index(tasks, pd.DataFrame({"item": ["AB·周会", "A·周会"]}))
    >>> idx.projects.tolist(), idx.candidates.tolist()  # longest name (2) first; -1: none
    (['A', 'AB'], [[1, -1], [0, 0]])
    """
    proj = tasks["project"]
    keep = proj.notna().to_numpy() & (proj.astype("str").fillna("") != "").to_numpy()
    codes, uniq = pd.factorize(proj.astype("object").where(keep, None))
    names = np.asarray(uniq, dtype=object)
    starts = np.stack([_us(tasks["planned_start"]), _us(tasks["actual_start"])])
    starts = np.where(starts == _NAT, _NO_START, starts).min(axis=0)
    last = np.stack([_us(tasks["planned_finish"]), _us(tasks["actual_finish"])]).max(axis=0)
    items = plan["item"].astype("str").fillna("").reset_index(drop=True)
    lengths = sorted({len(p) for p in names}, reverse=True)
    index = pd.Index(names, dtype=object)
    cand = np.full((len(lengths), len(items)), -1, dtype="int64")
    for i, n in enumerate(lengths):
        if len(items):
            cand[i] = index.get_indexer(items.str.slice(0, n).astype("object"))
    return _WindowIndex(
        projects=names,
        task_project=np.asarray(codes, dtype="int64"),
        first=starts,
        last=last,
        candidates=cand,
    )


def _windows_within(
    index: _WindowIndex, plan: pd.DataFrame, prow: np.ndarray, task_rows: np.ndarray, as_of
) -> pd.DataFrame | None:
    """:func:`~collab_analytics.metrics.communication.plan_windows` of a selection: ``plan``
    is rows ``prow`` of the plan ``index`` was built for, ``task_rows`` the positions of the
    selection's tasks, ``as_of`` the (normalised) as-of day (``plan_windows``' default is the
    restricted data's ``as_of``: pass that) or ``None`` (no cut).

    A plan row's project is its longest candidate among the projects of the kept tasks; a
    project's window is the earliest start and latest finish of its kept tasks (else the
    kept tasks' overall span), normalised and cut at ``as_of``. ``None`` when the rule
    needs more than the index holds (the plan has a ``project`` column, or no task is kept):
    the caller calls ``plan_windows`` then.
    """
    if "project" in plan.columns or len(task_rows) == 0:
        return None
    plan = plan.reset_index(drop=True)
    np_ = len(index.projects)
    tp = index.task_project[task_rows]
    first, last = index.first[task_rows], index.last[task_rows]
    present = np.bincount(tp[tp >= 0], minlength=np_) > 0
    code = np.full(len(plan), -1, dtype="int64")
    for cand in index.candidates[:, prow]:  # longest name first: the first hit wins
        hit = (code < 0) & (cand >= 0)
        hit[hit] = present[cand[hit]]
        code[hit] = cand[hit]
    s_all, e_all = first.min(), last.max()
    s_all = _NAT if s_all == _NO_START else s_all
    p_first = np.full(np_ + 1, _NO_START, dtype="int64")
    p_last = np.full(np_ + 1, _NAT, dtype="int64")
    np.minimum.at(p_first, tp, first)  # -1 (no project) lands in the spare last slot
    np.maximum.at(p_last, tp, last)
    has = code >= 0
    start = np.full(len(plan), s_all, dtype="int64")
    end = np.full(len(plan), e_all, dtype="int64")
    ps, pe = p_first[code[has]], p_last[code[has]]
    start[has] = np.where(ps == _NO_START, s_all, ps)
    end[has] = np.where(pe == _NAT, e_all, pe)
    if as_of is not None:
        t = int(pd.Timestamp(as_of).to_datetime64().astype("datetime64[us]").view("int64"))
        end = np.where((end != _NAT) & (end > t), t, end)
    out = plan.copy()
    out["project"] = pd.Series(
        np.where(has, index.projects[np.maximum(code, 0)] if np_ else None, None), dtype="str"
    )
    for name, v in (("start", start), ("end", end)):
        day = np.where(v == _NAT, _NAT, v - np.mod(v, _DAY_US))
        out[name] = pd.Series(day.view("datetime64[us]"))
    return out
