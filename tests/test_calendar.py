import numpy as np
import pandas as pd
import pytest

from collab_analytics import CollabError, get_calendar
from collab_analytics.calendar import WorkCalendar


def test_calendar_days_is_plain_date_difference():
    cal = get_calendar()
    assert cal.days_between(pd.Timestamp("2024-07-10 23:59"), pd.Timestamp("2024-07-11 00:01")) == 1
    assert cal.days_between(pd.Timestamp("2024-07-11"), pd.Timestamp("2024-07-09")) == -2
    assert cal.days_between(pd.Timestamp("2024-07-11"), pd.NaT) is None


def test_weekdays_skip_weekend():
    cal = get_calendar("weekdays")
    # Fri → next Mon is one working day
    assert cal.days_between(pd.Timestamp("2024-07-05"), pd.Timestamp("2024-07-08")) == 1
    assert cal.days_between(pd.Timestamp("2024-07-08"), pd.Timestamp("2024-07-05")) == -1


@pytest.mark.parametrize(
    ("day", "is_work"),
    [
        ("2024-09-14", True),  # Saturday, 调休 working day before 中秋
        ("2024-09-16", False),  # Monday, 中秋 holiday
        ("2024-09-17", False),  # 中秋 festival
        ("2024-09-29", True),  # Sunday, 调休 working day before 国庆
        ("2024-10-04", False),  # National Day week
        ("2024-10-12", True),  # Saturday, 调休 working day after 国庆
        ("2024-10-13", False),  # ordinary Sunday
        ("2024-07-01", True),
    ],
)
def test_cn_calendar_knows_holidays_and_adjusted_weekends(day, is_work):
    assert get_calendar("cn").is_workday([day]).tolist() == [is_work]


def test_cn_working_days_across_national_day():
    cn = get_calendar("cn")
    # Sep 30 (Mon) → Oct 8 (Tue): Oct 1–7 off, so only Oct 8 counts
    assert cn.days_between(pd.Timestamp("2024-09-30"), pd.Timestamp("2024-10-08")) == 1
    days = cn.workdays("2024-09-27", "2024-10-12")
    assert [d.strftime("%m-%d") for d in days] == [
        "09-27",
        "09-29",
        "09-30",
        "10-08",
        "10-09",
        "10-10",
        "10-11",
        "10-12",
    ]


def test_vectorised_days_between_with_missing():
    cal = get_calendar("weekdays")
    s = pd.Series(pd.to_datetime(["2024-07-01", None, "2024-07-05"]))
    e = pd.Series(pd.to_datetime(["2024-07-08", "2024-07-02", "2024-07-05"]))
    out = cal.days_between(s, e)
    assert np.isnan(out[1])
    assert out[[0, 2]].tolist() == [5.0, 0.0]


def test_custom_holidays_and_add_days():
    cal = get_calendar(["2024-07-08"])
    assert isinstance(cal, WorkCalendar)
    assert cal.add_days("2024-07-05", 1) == pd.Timestamp("2024-07-09")
    assert get_calendar().add_days("2024-07-05", 3) == pd.Timestamp("2024-07-08")


def test_unknown_calendar_name_is_a_clear_error():
    with pytest.raises(CollabError, match="Unknown calendar 'lunar'"):
        get_calendar("lunar")
