"""Action summaries from the source dates of the whole table cut to a selection
(``actions._action_summary(lead=_source_dates(all)[rows])``) equal ``action_summary`` on the
selection's rows, whatever the sources look like."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collab_analytics.metrics import actions as act

SOURCES = [
    "2024-07-05 周会",
    " 2024-7-5 评审会",
    "2024-13-40 坏日期",
    "周会",
    "评审会",
    "重复会",
    "",
    None,
]


def _data(rng, n):
    due = np.datetime64("2024-07-01") + rng.integers(0, 40, n).astype("timedelta64[D]")
    closed = due + rng.integers(-10, 10, n).astype("timedelta64[D]")
    closed = np.where(rng.random(n) < 0.4, np.datetime64("NaT"), closed)
    actions = pd.DataFrame(
        {
            "action": pd.Series([f"a{i}" for i in range(n)], dtype="str"),
            "owner": pd.Series(rng.choice(["张", "李"], n), dtype="str"),
            "department": pd.Series(rng.choice(["甲部", "乙部", "丙部"], n), dtype="str"),
            "due": pd.Series(due.astype("datetime64[us]")),
            "closed": pd.Series(closed.astype("datetime64[us]")),
            "source_meeting": pd.Series(
                rng.choice(np.array(SOURCES, dtype=object), n), dtype="str"
            ),
            "is_closed": rng.random(n) < 0.5,
        }
    )
    meetings = pd.DataFrame(
        {
            "topic": pd.Series([" 周会", "评审会", "重复会", "重复会", "周会"], dtype="str"),
            "date": pd.to_datetime(
                ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04", "2024-06-01"]
            ).astype("datetime64[us]"),
        }
    )
    return actions, meetings


@pytest.mark.parametrize("seed", range(10))
def test_summary_from_the_whole_tables_source_dates_equals_the_direct_one(seed):
    rng = np.random.default_rng(seed)
    actions, meetings = _data(rng, int(rng.integers(1, 60)))
    lead = act._source_dates(actions)
    for _ in range(4):
        rows = np.flatnonzero(rng.random(len(actions)) < rng.random())
        sub = actions.iloc[rows]
        mrows = np.flatnonzero(rng.random(len(meetings)) < 0.7)
        msub = meetings.iloc[mrows].reset_index(drop=True)
        for by in ("department", "source_meeting", None):
            want = act.action_summary(sub, by=by, as_of="2024-07-20", meetings=msub)
            got = act._action_summary(
                sub, by=by, as_of="2024-07-20", meetings=msub, lead=lead[rows]
            )
            pd.testing.assert_frame_equal(got, want)
        want = act.action_status(sub, as_of="2024-07-20", meetings=msub)
        got = act._action_status(sub, as_of="2024-07-20", meetings=msub, lead=lead[rows])
        pd.testing.assert_frame_equal(got, want)
