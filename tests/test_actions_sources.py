"""Actions dated by their source meeting: each distinct source text is parsed once; the result
equals parsing every row (dated prefixes, topics looked up, missing and empty sources)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab_analytics.metrics.actions import action_status, action_summary


def _row_by_row(src: pd.Series, meetings: pd.DataFrame) -> pd.Series:
    """The per-row way: the regex and the topic look-up on every row."""
    lead = src.str.extract(r"^\s*(\d{4}-\d{1,2}-\d{1,2})")[0]
    created = pd.to_datetime(lead, errors="coerce").astype("datetime64[us]")
    mt = pd.DataFrame(
        {"topic": meetings["topic"].astype("str").str.strip(), "date": meetings["date"]}
    )
    mt = mt.dropna().drop_duplicates()
    uniq = mt.drop_duplicates("topic", keep=False)
    lookup = pd.Series(uniq["date"].to_numpy(), index=uniq["topic"].to_numpy())
    idx = lookup.index.get_indexer(src.str.strip().to_numpy(dtype=object, na_value=""))
    vals = np.full(len(src), np.datetime64("NaT"), dtype="datetime64[us]")
    vals[idx >= 0] = lookup.to_numpy(dtype="datetime64[us]")[idx[idx >= 0]]
    return created.fillna(pd.Series(vals, dtype="datetime64[us]"))


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
