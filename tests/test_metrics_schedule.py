"""Frequency parsing and expansion of the communication plan."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics._errors import ScheduleParseError
from collab_analytics.metrics.schedule import (
    OCCURRENCE_COLUMNS,
    Schedule,
    expected_occurrences,
    parse_frequency,
    parse_plan,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每日17:00", Schedule(kind="daily", time="17:00")),
        ("每天", Schedule(kind="daily")),
        ("工作日每日", Schedule(kind="daily")),
        ("每个工作日 9点半", Schedule(kind="daily", time="09:30")),
        ("每周五15:00", Schedule(kind="weekly", weekdays=(4,), time="15:00")),
        ("每周五下午3点", Schedule(kind="weekly", weekdays=(4,), time="15:00")),
        ("每周一、三、五", Schedule(kind="weekly", weekdays=(0, 2, 4))),
        ("每周五15:00(线上)", Schedule(kind="weekly", weekdays=(4,), time="15:00")),
        ("每两周周三", Schedule(kind="biweekly", weekdays=(2,), interval=2)),
        ("隔周三 10:00", Schedule(kind="biweekly", weekdays=(2,), time="10:00", interval=2)),
        ("每月第一个周一", Schedule(kind="monthly_nth_weekday", weekdays=(0,), nth=1)),
        ("每月最后一个周五", Schedule(kind="monthly_nth_weekday", weekdays=(4,), nth=-1)),
        ("每月15日", Schedule(kind="monthly_day", day=15)),
        ("7月15日14:00", Schedule(kind="once", time="14:00", date=(7, 15))),
        ("2024年7月15日", Schedule(kind="once", date=(2024, 7, 15))),
        ("2024-07-15", Schedule(kind="once", date=(2024, 7, 15))),
        ("daily 17:00", Schedule(kind="daily", time="17:00")),
        ("every working day at 5pm", Schedule(kind="daily", time="17:00")),
        ("weekly Fri 15:00", Schedule(kind="weekly", weekdays=(4,), time="15:00")),
        ("every Mon, Wed", Schedule(kind="weekly", weekdays=(0, 2))),
        ("biweekly", Schedule(kind="biweekly", interval=2)),
        ("every 2 weeks on Tuesday", Schedule(kind="biweekly", weekdays=(1,), interval=2)),
        ("monthly", Schedule(kind="monthly_day")),
        ("monthly on the 15th", Schedule(kind="monthly_day", day=15)),
        ("first Monday monthly", Schedule(kind="monthly_nth_weekday", weekdays=(0,), nth=1)),
        ("last friday of the month", Schedule(kind="monthly_nth_weekday", weekdays=(4,), nth=-1)),
    ],
)
def test_parse_frequency(text, expected):
    assert parse_frequency(text) == expected


def test_parse_rrule():
    s = parse_frequency("FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2")
    assert (s.kind, s.weekdays, s.interval) == ("rrule", (0, 2), 2)
    s = parse_frequency("RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=30")
    assert (s.kind, s.time, s.rrule) == ("rrule", "09:30", "FREQ=DAILY")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("看情况", "no known pattern matches"),
        ("17:00", "a time of day alone"),
        ("", "the frequency is empty"),
        ("每月32日", "day of month 32"),
        ("2月30日", "is not a date"),
        ("FREQ=HOURLY", "RRULE needs FREQ"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid RRULE"),
        ("FREQ=WEEKLY;FOO=1", r"RRULE keys \['FOO'\]"),
    ],
)
def test_parse_errors_name_item_row_text_and_hint(text, why):
    with pytest.raises(ScheduleParseError, match=why) as info:
        parse_frequency(text, item="风险排查会", row=4)
    msg = str(info.value)
    assert "plan item '风险排查会', row 4" in msg
    assert repr(text) in msg
    assert "Hint: write one of 每日17:00" in msg


def test_parse_plan_lists_every_bad_row():
    plan = pd.DataFrame({"item": ["a", "b", "c"], "frequency": ["每日", "随时", "偶尔"]})
    with pytest.raises(ScheduleParseError, match=r"2 plan frequencies could not be parsed") as e:
        parse_plan(plan)
    assert "plan item 'b', row 2" in str(e.value)
    assert "plan item 'c', row 3" in str(e.value)


def _dates(occ, item=None):
    if item is not None:
        occ = occ[occ["item"] == item]
    return occ["occurrence"].dt.strftime("%m-%d").tolist()


def test_daily_series_follows_chinese_holidays_and_adjusted_workdays():
    # Mid-Autumn 2024: Sat 09-14 is a 调休 working day, Mon 09-16 and Tue 09-17 are off
    plan = pd.DataFrame({"item": ["日常进度同步"], "frequency": ["每日17:00"]})
    occ = expected_occurrences(plan, start="2024-09-12", end="2024-09-20")
    assert _dates(occ) == ["09-12", "09-13", "09-14", "09-18", "09-19", "09-20"]
    assert (occ["occurrence"].dt.strftime("%H:%M") == "17:00").all()
    wk = expected_occurrences(plan, start="2024-09-12", end="2024-09-20", calendar="weekdays")
    assert _dates(wk) == ["09-12", "09-13", "09-16", "09-17", "09-18", "09-19", "09-20"]
    cal = expected_occurrences(plan, start="2024-09-12", end="2024-09-20", calendar="calendar")
    assert len(cal) == 9


def test_weekly_biweekly_monthly_once_and_rrule_expansion():
    plan = pd.DataFrame(
        {
            "item": ["w", "b", "m1", "m15", "o", "r"],
            "frequency": [
                "每周五15:00",
                "每两周周三",
                "每月第一个周一",
                "每月15日",
                "7月15日14:00",
                "FREQ=WEEKLY;BYDAY=MO;INTERVAL=2",
            ],
        }
    )
    occ = expected_occurrences(plan, start="2024-07-01", end="2024-08-31")
    assert list(occ.columns) == list(OCCURRENCE_COLUMNS)
    assert _dates(occ, "w") == [
        "07-05",
        "07-12",
        "07-19",
        "07-26",
        "08-02",
        "08-09",
        "08-16",
        "08-23",
        "08-30",
    ]
    assert _dates(occ, "b") == ["07-03", "07-17", "07-31", "08-14", "08-28"]
    assert _dates(occ, "m1") == ["07-01", "08-05"]
    assert _dates(occ, "m15") == ["07-15", "08-15"]
    assert _dates(occ, "o") == ["07-15"]
    assert occ.loc[occ["item"] == "o", "planned_time"].tolist() == ["14:00"]
    assert _dates(occ, "r") == ["07-01", "07-15", "07-29", "08-12", "08-26"]


def test_weekly_meeting_on_a_public_holiday_is_not_expected():
    plan = pd.DataFrame({"item": ["风险排查会"], "frequency": ["每周五15:00"]})
    occ = expected_occurrences(plan, start="2024-09-23", end="2024-10-13")
    # Fri 10-04 is National Day: not expected
    assert _dates(occ) == ["09-27", "10-11"]


def test_one_off_year_and_per_item_windows():
    plan = pd.DataFrame(
        {
            "item": ["评审", "同步"],
            "frequency": ["7月15日", "每日"],
            "start": pd.to_datetime(["2024-07-01", "2024-07-15"]),
            "end": pd.to_datetime(["2024-07-31", "2024-07-16"]),
        }
    )
    occ = expected_occurrences(plan)
    assert _dates(occ) == ["07-15", "07-15", "07-16"]
    assert expected_occurrences(plan, year=2023).shape[0] == 2  # 2023-07-15 is outside


def test_empty_plan_and_missing_window():
    occ = expected_occurrences(
        pd.DataFrame({"item": [], "frequency": []}), start="2024-01-01", end="2024-01-02"
    )
    assert list(occ.columns) == list(OCCURRENCE_COLUMNS) and len(occ) == 0
    assert str(occ["occurrence"].dtype) == "datetime64[us]"
    with pytest.raises(ValueError, match="needs a window"):
        expected_occurrences(pd.DataFrame({"item": ["a"], "frequency": ["每日"]}))
