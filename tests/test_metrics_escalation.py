"""The 48-hour escalation rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_analytics.metrics.escalation import (
    DISTRIBUTION_COLUMNS,
    EPISODE_COLUMNS,
    ESCALATION_COLUMNS,
    escalation_compliance,
    escalation_distribution,
    escalation_episodes,
    task_meeting_pairs,
    working_hours,
)


def _updates(rows):
    df = pd.DataFrame(rows, columns=["date", "task_id", "task", "status", "department"])
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[us]")
    for c in ("task_id", "task", "status", "department"):
        df[c] = df[c].astype("str")
    return df


def _meetings(rows):
    df = pd.DataFrame(rows, columns=["start", "topic", "related_tasks", "departments"])
    df["start"] = pd.to_datetime(df["start"]).astype("datetime64[us]")
    df["date"] = df["start"].dt.normalize()
    return df


UPDATES = _updates(
    [
        ("2024-07-01 17:00", "T1", "开发测试", "on_track", "技术部"),
        ("2024-07-02 17:00", "T1", "开发测试", "blocked", "技术部"),  # met after 50 h
        ("2024-07-03 17:00", "T1", "开发测试", "blocked", "技术部"),  # same episode
        ("2024-07-05 17:00", "T1", "开发测试", "delayed", "技术部"),  # new episode, met 18 h
        ("2024-07-01 17:00", "T2", "需求文档", "delayed", "产品部"),  # never met
        ("2024-07-08 09:00", "T3", "客户痛点收集", "on_track", "客服部"),
        ("2024-07-09 09:00", "T3", "客户痛点收集", "delayed", "客服部"),  # pending at as-of
    ]
)
MEETINGS = _meetings(
    [
        ("2024-07-04 19:00", "开发测试阻塞专项会", ["T1"], ["技术部", "产品部"]),
        ("2024-07-03 09:00", "需求文档讨论", ["T2"], ["技术部"]),  # wrong department
        ("2024-07-06 11:00", "周末碰头:开发测试", [], ["技术部"]),  # named in topic
    ]
)


def test_blocked_task_escalated_after_50_hours():
    ep = escalation_episodes(UPDATES, meetings=MEETINGS, as_of="2024-07-09")
    assert list(ep.columns) == list(EPISODE_COLUMNS)
    t1 = ep[ep["task_id"] == "T1"]
    assert t1["status"].tolist() == ["blocked", "delayed"]
    assert t1["hours_to_meeting"].tolist() == [50.0, 18.0]
    assert t1["within_threshold"].tolist() == [False, True]
    assert t1["meeting_topic"].tolist() == ["开发测试阻塞专项会", "周末碰头:开发测试"]
    t2 = ep[ep["task_id"] == "T2"].iloc[0]
    assert t2["never"] and pd.isna(t2["within_threshold"]) is False
    assert not bool(t2["within_threshold"])
    t3 = ep[ep["task_id"] == "T3"].iloc[0]
    assert t3["pending"] and pd.isna(t3["within_threshold"])
    wider = escalation_episodes(UPDATES, meetings=MEETINGS, as_of="2024-07-09", threshold_hours=72)
    assert wider.loc[wider["task_id"] == "T1", "within_threshold"].tolist() == [True, True]


def test_compliance_per_department_and_overall():
    ep = escalation_episodes(UPDATES, meetings=MEETINGS, as_of="2024-07-09")
    by = escalation_compliance(ep)
    assert list(by.columns) == ["department", *ESCALATION_COLUMNS]
    row = by.set_index("department").loc["技术部"]
    assert (row["episodes"], row["judged"], row["within"], row["late"]) == (2, 2, 1, 1)
    assert row["compliance"] == 0.5 and row["hours_median"] == 34.0
    overall = escalation_compliance(ep, by=None)
    assert list(overall.columns) == list(ESCALATION_COLUMNS)
    o = overall.iloc[0]
    assert (o["episodes"], o["judged"], o["within"], o["late"], o["never"], o["pending"]) == (
        4,
        3,
        1,
        1,
        1,
        1,
    )
    assert o["compliance"] == pytest.approx(1 / 3)
    dist = escalation_distribution(ep)
    assert list(dist.columns) == list(DISTRIBUTION_COLUMNS)
    assert dict(zip(dist["bucket"], dist["episodes"], strict=True)) == {
        "0–24": 1,
        "24–48": 0,
        "48–72": 1,
        "72–168": 0,
        ">168": 0,
        "never": 1,
    }
    assert dist["share"].sum() == pytest.approx(1.0)


def test_working_hours_skip_weekends_and_holidays():
    s = pd.to_datetime(["2024-07-05 17:00", "2024-09-13 12:00", "2024-07-01 09:00"])
    e = pd.to_datetime(["2024-07-08 10:00", "2024-09-18 12:00", "2024-07-01 11:30"])
    # Fri 17:00 → Mon 10:00: 7 + 10; Fri 12:00 → Wed 12:00 over Mid-Autumn (Sat 09-14 worked)
    assert working_hours(s, e, calendar="cn").tolist() == [17.0, 12.0 + 24 + 12, 2.5]
    assert working_hours(s, e, calendar="calendar").tolist() == [65.0, 120.0, 2.5]
    ep = escalation_episodes(UPDATES, meetings=MEETINGS, as_of="2024-07-09", hours="working")
    # blocked Tue 17:00 → Thu 19:00 has no non-working day; delayed Fri 17:00 → Sat 11:00: 7 h
    assert ep.loc[ep["task_id"] == "T1", "hours_to_meeting"].tolist() == [50.0, 7.0]


def test_task_status_without_log_and_department_from_tasks():
    tasks = pd.DataFrame(
        {
            "task_id": ["T9", "T1"],
            "task": ["上线公告", "开发测试"],
            "department": ["市场部", "技术部"],
            "status": ["blocked", "blocked"],
        }
    )
    meetings = _meetings([("2024-07-03 10:00", "上线公告阻塞", ["T9"], ["市场部"])])
    upd = UPDATES.assign(department=pd.Series([None] * len(UPDATES), dtype="str"))
    ep = escalation_episodes(upd, meetings=meetings, tasks=tasks, as_of="2024-07-09")
    t9 = ep[ep["task_id"] == "T9"].iloc[0]
    assert t9["start_source"] == "task_status" and pd.isna(t9["start"])
    assert t9["meeting_date"] == pd.Timestamp("2024-07-03 10:00")
    assert pd.isna(t9["within_threshold"]) and not t9["never"]
    assert ep.loc[ep["task_id"] == "T1", "department"].unique().tolist() == ["技术部"]
    assert escalation_compliance(ep, by=None)["unknown_start"].iloc[0] == 1


def test_task_meeting_pairs_by_name_only_when_no_related_tasks():
    meetings = pd.DataFrame(
        {
            "topic": ["开发测试专项", "开发测试+需求文档", "周会"],
            "output": [None, None, "需求文档已定稿"],
            "related_tasks": [["T5"], [], None],
        }
    )
    tasks = pd.DataFrame({"task_id": ["T1", "T2", "T3"], "task": ["开发测试", "需求文档", "测"]})
    got = task_meeting_pairs(meetings, tasks)
    assert sorted(zip(got["meeting"], got["task_key"], got["rule"], strict=True)) == [
        (0, "T5", "related_tasks"),
        (1, "T1", "named"),
        (1, "T2", "named"),
        (2, "T2", "named"),
    ]


def test_empty_inputs():
    empty = UPDATES.iloc[:0]
    ep = escalation_episodes(empty, meetings=MEETINGS)
    assert list(ep.columns) == list(EPISODE_COLUMNS) and len(ep) == 0
    assert len(escalation_compliance(ep)) == 0
    assert list(escalation_distribution(ep).columns) == list(DISTRIBUTION_COLUMNS)
    ep = escalation_episodes(UPDATES, meetings=MEETINGS.iloc[:0], as_of="2024-07-31")
    assert ep["never"].sum() == len(ep) == 4
    with pytest.raises(ValueError, match="hours must be"):
        escalation_episodes(UPDATES, hours="office")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from(["on_track", "delayed", "blocked", "done"])),
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_episode_properties(events, rnd):
    n = len(events)
    upd = _updates(
        [
            (
                pd.Timestamp("2024-07-01") + pd.Timedelta(hours=7 * i),
                f"T{t}",
                f"任务{t}",
                s,
                "技术部",
            )
            for i, (t, s) in enumerate(events)
        ]
    )
    meets = _meetings([(pd.Timestamp("2024-07-02"), "会", [f"T{t}" for t in range(5)], ["技术部"])])
    ep = escalation_episodes(upd, meetings=meets, as_of="2024-07-31")
    # each episode is a transition into delayed/blocked
    expected = 0
    last: dict[str, str] = {}
    for t, s in events:
        if s in ("delayed", "blocked") and last.get(t) != s:
            expected += 1
        last[t] = s
    assert len(ep) == expected
    assert (ep["hours_to_meeting"].dropna() >= 0).all()
    perm = list(range(n))
    rnd.shuffle(perm)
    ep2 = escalation_episodes(upd.iloc[perm], meetings=meets, as_of="2024-07-31")
    pd.testing.assert_frame_equal(ep, ep2)
    c = escalation_compliance(ep, by=None)
    if len(ep):
        v = c["compliance"].iloc[0]
        assert np.isnan(v) or 0 <= v <= 1


_chars = st.sampled_from(["开", "发", "测", "试", "a", "b", " ", "\u3000", "\t", "\x1c", "\xa0"])
_names = st.lists(st.text(_chars, min_size=0, max_size=5), min_size=1, max_size=8)


@settings(max_examples=120, deadline=None)
@given(_names, st.lists(st.text(_chars, max_size=9), min_size=1, max_size=5))
def test_names_found_by_substring_lookup_equal_the_bigram_narrowing(names, topics):
    import collab_analytics.metrics.escalation as esc

    meetings = pd.DataFrame({"topic": topics, "related_tasks": [[] for _ in topics]})
    tasks = pd.DataFrame({"task_id": [f"T{i}" for i in range(len(names))], "task": names})
    fast = task_meeting_pairs(meetings, tasks)
    saved = esc._SUBSTRINGS_MAX
    esc._SUBSTRINGS_MAX = -1  # every text has too many substrings: the bigram path
    try:
        slow = task_meeting_pairs(meetings, tasks)
    finally:
        esc._SUBSTRINGS_MAX = saved
    pd.testing.assert_frame_equal(fast, slow)
    # and what is found is what str.find finds (names stripped, two characters or more)
    want = {
        (m, f"T{i}")
        for m, topic in enumerate(topics)
        for i, nm in enumerate(names)
        if len(nm.strip()) >= 2 and nm.strip() in " " + topic + " "
    }
    assert set(zip(fast["meeting"], fast["task_key"], strict=True)) == want
