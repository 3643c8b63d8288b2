"""Actions dated by their source meeting: each distinct source text is parsed once; the result
equals parsing every row (dated prefixes, topics looked up, missing and empty sources)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from collab_analytics.metrics.actions import action_status, action_summary


def _row_by_row(src: pd.Series, meetings: pd.DataFrame) -> pd.Series:
    """The per-row way, in plain Python: a date at the start of the text, else the date of
    the one meeting whose stripped topic is the stripped text (none when several dates)."""
    dates_of: dict[str, set] = {}
    for topic, date in zip(meetings["topic"], meetings["date"], strict=True):
        if isinstance(topic, str) and not pd.isna(date):
            dates_of.setdefault(topic.strip(), set()).add(pd.Timestamp(date))
    out = []
    for text in src:
        text = text if isinstance(text, str) else ""
        lead = re.match(r"\s*(\d{4}-\d{1,2}-\d{1,2})", text)
        day = pd.to_datetime(lead.group(1), errors="coerce") if lead else pd.NaT
        if pd.isna(day):
            found = dates_of.get(text.strip(), set())
            day = next(iter(found)) if len(found) == 1 else pd.NaT
        out.append(day)
    return pd.Series(out, dtype="datetime64[us]")


def test_sources_parsed_once_equal_row_by_row():
    meetings = pd.DataFrame(
        {
            "topic": pd.Series(["周会", " 风险评审 ", "", "周会", "复盘"], dtype="str"),
            "date": pd.to_datetime(
                ["2024-07-01", "2024-07-05", "2024-07-06", "2024-07-08", "2024-07-09"]
            ).astype("datetime64[us]"),
        }
    )
    sources = [
        "2024-07-02 周会",
        " 2024-7-3 评审",
        "风险评审",
        None,
        "",
        "周会",  # two meetings with that topic: not dated by topic
        "复盘",
        "2024-07-02 周会",
        "2024-13-45 错误日期",
        None,
        "复盘 ",
    ]
    rng = np.random.default_rng(0)
    src = pd.Series(np.asarray(sources, dtype=object)[rng.integers(0, len(sources), 300)])
    src = src.astype("str")
    actions = pd.DataFrame(
        {
            "action": pd.Series([f"a{i}" for i in range(len(src))], dtype="str"),
            "department": pd.Series(["技术部", "产品部"] * (len(src) // 2), dtype="str"),
            "source_meeting": src,
            "due": pd.Series(pd.to_datetime(["2024-07-20"] * len(src)), dtype="datetime64[us]"),
            "closed": pd.Series(
                pd.to_datetime(["2024-07-15", None] * (len(src) // 2)), dtype="datetime64[us]"
            ),
        }
    )
    got = action_status(actions, meetings=meetings, as_of="2024-07-31")["created"]
    want = _row_by_row(src, meetings)
    assert got.tolist() == want.tolist()
    assert got.notna().sum() > 0 and got.isna().sum() > 0
    # the empty topic is a topic like any other: missing and empty sources get its date
    assert got[src.isna().to_numpy()].eq(pd.Timestamp("2024-07-06")).all()
    summary = action_summary(actions, meetings=meetings, as_of="2024-07-31")
    assert summary["n_actions"].sum() == len(src)
