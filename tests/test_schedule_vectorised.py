"""The vectorised plan expansion equals a day-by-day reading of the expansion rules."""

from __future__ import annotations

import calendar as pycal
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from collab_analytics.calendar import get_calendar
from collab_analytics.metrics.schedule import expected_occurrences, parse_frequency

FREQS = [
    "每日17:00",
    "每周五15:00",
    "每周一、三、五",
    "每两周周三10:00",
    "隔周三",
    "biweekly",
    "weekly",
    "每月第一个周一",
    "每月最后一个周五",
    "每月15日",
    "每月31日",
    "monthly",
    "7月15日14:00",
    "2月29日",
    "2024-07-15",
    "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2",
]


def _reference(plan: pd.DataFrame, calendar: str, year: int | None) -> list[tuple]:
    """(item, occurrence) pairs, one plan row and one day at a time."""
    cal = get_calendar(calendar)
    out = []
    for row in plan.itertuples(index=False):
        s = pd.Timestamp(row.start).date()
        e = pd.Timestamp(row.end).date()
        sched = parse_frequency(row.frequency)
        if sched.kind == "rrule":
            continue  # dateutil's own expansion; covered by the schedule tests
        days = [s + dt.timedelta(days=i) for i in range((e - s).days + 1)]
        first_match = None
        for d in days:
            work = bool(cal.is_workday(np.array([np.datetime64(d)], dtype="datetime64[D]"))[0])
            k = sched.kind
            keep = False
            if k == "daily":
                keep = work
            elif k in ("weekly", "biweekly"):
                wds = sched.weekdays or (s.weekday(),)
                if d.weekday() in wds:
                    if first_match is None:
                        first_match = d
                    weeks = (
                        (d - dt.timedelta(d.weekday()))
                        - (first_match - dt.timedelta(first_match.weekday()))
                    ).days // 7
                    keep = work and weeks % sched.interval == 0
            elif k in ("monthly_day", "monthly_nth_weekday"):
                months = (d.year * 12 + d.month) - (s.year * 12 + s.month)
                if k == "monthly_day":
                    ok = d.day == (sched.day if sched.day is not None else s.day)
                else:
                    last = pycal.monthrange(d.year, d.month)[1]
                    nth_ok = (
                        d.day + 7 > last if sched.nth == -1 else (d.day - 1) // 7 == sched.nth - 1
                    )
                    ok = d.weekday() == sched.weekdays[0] and nth_ok
                keep = ok and work and months % max(sched.interval, 1) == 0
            elif k == "once":
                y = year if year is not None else s.year
                date = (y, *sched.date) if len(sched.date) == 2 else sched.date
                try:
                    keep = d == dt.date(*date)
                except ValueError:
                    keep = False
            if keep:
                t = pd.Timestamp(d)
                if sched.time:
                    h, m = map(int, sched.time.split(":"))
                    t += pd.Timedelta(hours=h, minutes=m)
                out.append((row.item, t))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_expansion_equals_day_by_day_reading(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 10))
    s = pd.Timestamp("2023-12-20") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    e = s + pd.to_timedelta(rng.integers(-3, 120, n), unit="D")
    freqs = [f for f in rng.choice(FREQS, n) if not f.startswith("FREQ")] or ["每日"]
    plan = pd.DataFrame(
        {
            "item": [f"i{k}" for k in range(len(freqs))],
            "frequency": freqs,
            "start": s[: len(freqs)],
            "end": e[: len(freqs)],
        }
    )
    calendar = ["cn", "weekdays", "calendar"][seed % 3]
    year = 2023 if seed % 4 == 0 else None
    got = expected_occurrences(plan, calendar=calendar, year=year)
    want = _reference(plan, calendar, year)
    assert list(zip(got["item"], got["occurrence"], strict=True)) == want


def test_rrule_rows_keep_plan_order_among_vectorised_rows():
    plan = pd.DataFrame(
        {"item": ["a", "r", "b"], "frequency": ["每周五", "FREQ=WEEKLY;BYDAY=MO", "2024-07-03"]}
    )
    occ = expected_occurrences(plan, start="2024-07-01", end="2024-07-12", calendar="weekdays")
    assert occ["item"].tolist() == ["a", "a", "r", "r", "b"]
    assert occ["occurrence"].dt.strftime("%m-%d").tolist() == [
        "07-05",
        "07-12",
        "07-01",
        "07-08",
        "07-03",
    ]


def test_row_without_window_is_refused():
    plan = pd.DataFrame(
        {
            "item": ["a"],
            "frequency": ["每日"],
            "start": [pd.NaT],
            "end": [pd.Timestamp("2024-07-05")],
        }
    )
    with pytest.raises(ValueError, match="has no start or end date"):
        expected_occurrences(plan)
    got = expected_occurrences(plan, start="2024-07-04", calendar="calendar")
    assert got["occurrence"].dt.day.tolist() == [4, 5]
