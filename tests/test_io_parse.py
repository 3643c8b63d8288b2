"""Cell parsers: dates, times, percentages, statuses, lists, text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from collab_analytics.io._parse import (
    parse_dates,
    parse_list,
    parse_pct,
    parse_status,
    parse_time,
    to_text,
)


def _d(values):
    return parse_dates(pd.Series(values, dtype=object))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-07-01", "2024-07-01 00:00"),
        ("2024-07-01 17:30", "2024-07-01 17:30"),
        ("2024/7/1", "2024-07-01 00:00"),
        ("2024.7.1", "2024-07-01 00:00"),
        ("2024年7月1日", "2024-07-01 00:00"),
        ("2024年7月1日 9:05", "2024-07-01 09:05"),
        (45474, "2024-07-01 00:00"),  # Excel serial
        (45474.75, "2024-07-01 18:00"),
        ("45474", "2024-07-01 00:00"),
        (20240701, "2024-07-01 00:00"),
        (dt.date(2024, 7, 1), "2024-07-01 00:00"),
        (dt.datetime(2024, 7, 1, 8, 0), "2024-07-01 08:00"),
        ("2024-07-01T10:00:00+08:00", "2024-07-01 10:00"),  # zone dropped, wall clock kept
    ],
)
def test_full_dates(cell, expected):
    r = _d([cell])
    assert r.parsed.dt.strftime("%Y-%m-%d %H:%M").tolist() == [expected]
    assert not r.bad.any() and not r.yearless.any()


@pytest.mark.parametrize("cell", ["7月15日", "7.15", "7/15", 7.15])
def test_yearless_dates_wait_for_a_year(cell):
    r = _d([cell])
    assert r.parsed.isna().all() and r.yearless.tolist() == [True]
    assert r.fill_year(2024).dt.strftime("%Y-%m-%d").tolist() == ["2024-07-15"]


@pytest.mark.parametrize("cell", ["待定", "TBD", "下周", "2024-02-30", "13月1日", dt.time(9, 0)])
def test_bad_dates_are_flagged_not_guessed(cell):
    r = _d([cell])
    assert r.bad.tolist() == [True]
    assert r.parsed.isna().all()


def test_blank_cells_are_missing_not_bad():
    r = _d([None, "", "  ", np.nan])
    assert not r.bad.any() and r.parsed.isna().all()


def test_datetime_column_passes_through_as_microseconds():
    s = pd.Series(pd.to_datetime(["2024-07-01", None]))
    r = parse_dates(s)
    assert str(r.parsed.dtype) == "datetime64[us]" and r.parsed.isna().tolist() == [False, True]


def test_percentages_rule_values_above_one_are_percents():
    r = parse_pct(
        pd.Series(["80%", "80 ％", 0.8, 80, "80", 1, "完成50%", "-5", "abc", None], dtype=object)
    )
    assert r.parsed.round(6).tolist()[:8] == [0.8, 0.8, 0.8, 0.8, 0.8, 1.0, 0.5, -0.05]
    assert r.bad.tolist() == [False] * 8 + [True, False]


def test_numeric_percent_column():
    assert parse_pct(pd.Series([50, 100, 0.25])).parsed.tolist() == [0.5, 1.0, 0.25]


def test_status_words_both_languages_and_user_map():
    words = [
        "正常",
        "进行中",
        "滞后",
        "延期",
        "阻塞",
        "已完成",
        "提前完成",
        "已取消",
        "未开始",
        "On track",
        "Delayed",
        "blocked",
        "DONE",
        "Resolved",
        "???",
        None,
    ]
    r = parse_status(pd.Series(words), {"Resolved": "done"})
    assert r.parsed.astype("object").tolist()[:14] == [
        "on_track",
        "on_track",
        "delayed",
        "delayed",
        "blocked",
        "done",
        "done_early",
        "cancelled",
        "not_started",
        "on_track",
        "delayed",
        "blocked",
        "done",
        "done",
    ]
    # an unknown word is flagged and left missing — never turned into another status
    assert pd.isna(r.parsed.iloc[14]) and r.bad.tolist()[14:] == [True, False]


def test_lists_split_on_all_separators():
    r = parse_list(pd.Series(["T1, T2;T3", "需求评审、开发；测试，上线", "", None, " T9 "]))
    assert r.parsed.tolist() == [
        ["T1", "T2", "T3"],
        ["需求评审", "开发", "测试", "上线"],
        [],
        [],
        ["T9"],
    ]
    assert r.pos.tolist() == [0, 0, 0, 1, 1, 1, 1, 4]


def test_times():
    r = parse_time(
        pd.Series(["17:00", "9:05", "15点", dt.time(8, 30), 0.75, "下午", None], dtype=object)
    )
    assert r.parsed.tolist()[:5] == ["17:00", "09:05", "15:00", "08:30", "18:00"]
    assert r.bad.tolist() == [False] * 5 + [True, False]


def test_text_drops_float_artifacts_and_blanks():
    assert to_text(pd.Series([1.0, 2.5, " x ", "", None], dtype=object)).tolist() == [
        "1",
        "2.5",
        "x",
        np.nan,
        np.nan,
    ]
