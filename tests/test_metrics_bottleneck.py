"""Blocked time and the bottleneck ranking (incl. the planted-bottleneck check)."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics.metrics.bottleneck import blocked_time, bottleneck_ranking
from collab_analytics.schema import empty_table

D = pd.to_datetime

UPDATES = pd.DataFrame(
    {
        "task_id": ["A", "A", "A", "B", "B"],
        "department": ["技术部", "技术部", "技术部", "产品部", "产品部"],
        "date": D(["2024-07-01", "2024-07-03", "2024-07-08", "2024-07-02", "2024-07-04"]),
        "status": ["on_track", "blocked", "delayed", "blocked", "blocked"],
    }
)


def test_blocked_time_per_task_until_as_of():
    b = blocked_time(UPDATES, as_of="2024-07-10").set_index("task_id")
    assert b.loc["A", ["blocked_days", "delayed_days"]].tolist() == [5, 2]
    assert b.loc["B", ["blocked_days", "n_blocked_spells"]].tolist() == [8, 1]


def test_blocked_time_stops_at_actual_finish_and_working_days():
    tasks = pd.DataFrame(
        {
            "task_id": ["A", "B"],
            "department": ["技术部", "产品部"],
            "actual_finish": D(["2024-07-09", None]),
        }
    )
    b = blocked_time(UPDATES, tasks=tasks, as_of="2024-07-10").set_index("task_id")
    assert b.loc["A", "delayed_days"] == 1  # 07-08 → finish 07-09
    w = blocked_time(UPDATES, as_of="2024-07-10", calendar="weekdays").set_index("task_id")
    assert w.loc["A", "blocked_days"] == 3  # Wed 07-03 → Mon 07-08: Thu, Fri, Mon
    d = blocked_time(UPDATES, tasks=tasks, by="department", as_of="2024-07-10")
    assert d.set_index("department")["n_tasks_blocked"].to_dict() == {"产品部": 1, "技术部": 1}


def test_blocked_time_empty_and_errors():
    assert len(blocked_time(empty_table("updates"))) == 0
    assert len(blocked_time(empty_table("updates"), by="department")) == 0
    with pytest.raises(ValueError, match="by='x' is not supported"):
        blocked_time(UPDATES, by="x")


def chain():
    return pd.DataFrame(
        {
            "task_id": ["A", "B", "C"],
            "department": ["客服部", "产品部", "技术部"],
            "planned_start": D(["2024-07-01", "2024-07-11", "2024-07-21"]),
            "planned_finish": D(["2024-07-10", "2024-07-20", "2024-08-20"]),
            "actual_start": D(["2024-07-01", "2024-07-16", "2024-07-24"]),
            "actual_finish": D(["2024-07-14", "2024-07-24", "2024-08-22"]),
            "depends_on": [[], ["A"], ["B"]],
        }
    )


def test_ranking_breakdown_hand_computed():
    r = bottleneck_ranking(chain()).set_index("department")
    assert r["own_delay_days"].to_dict() == {"客服部": 4, "产品部": 1, "技术部": 0}
    assert r["handoff_wait_days"].to_dict() == {"客服部": 0, "产品部": 2, "技术部": 0}
    assert r["downstream_tasks_hit"].to_dict() == {"客服部": 2, "产品部": 1, "技术部": 0}
    # 客服部: 0.3·4/5 + 0.2·2/3 = 0.24 + 0.1333…; blocked/overdue totals are 0
    assert r.loc["客服部", "score"] == pytest.approx(0.3 * 4 / 5 + 0.2 * 2 / 3)
    assert r.loc["产品部", "score"] == pytest.approx(0.3 / 5 + 0.15 + 0.2 / 3)
    assert r.loc["客服部", "rank"] == 1
    contrib = r.filter(like="contrib_").sum(axis=1)
    assert (contrib - r["score"]).abs().max() < 1e-12


def test_ranking_weights_and_errors():
    r = bottleneck_ranking(chain(), weights={"handoff_wait_days": 1})
    assert r["department"].iloc[0] == "产品部" and r["score"].iloc[0] == 1.0
    with pytest.raises(ValueError, match=r"Unknown bottleneck weight\(s\) \['x'\]"):
        bottleneck_ranking(chain(), weights={"x": 1})
    assert len(bottleneck_ranking(empty_table("tasks"))) == 0


@pytest.mark.slow
def test_planted_bottleneck_ranked_first_in_95_of_100_portfolios():
    from collab_analytics import sample

    first = 0
    for seed in range(100):
        td = sample.portfolio(
            seed=seed, bottleneck="技术部", n_projects=4, tasks_per_project=30, meetings=False
        )
        r = bottleneck_ranking(td.tasks, td.updates)
        first += r["department"].iloc[0] == "技术部"
    assert first >= 95


def test_no_planted_bottleneck_is_not_always_the_same_department():
    from collab_analytics import sample

    tops = set()
    for seed in range(6):
        td = sample.portfolio(seed=seed, n_projects=4, tasks_per_project=30, meetings=False)
        tops.add(bottleneck_ranking(td.tasks, td.updates)["department"].iloc[0])
    assert len(tops) > 1


def test_bundled_story_names_the_engineering_department():
    from collab_analytics import sample

    td = sample.smart_cs_launch()
    r = bottleneck_ranking(td.tasks, td.updates)
    assert r["department"].iloc[0] == "技术部"
    assert r["share_of_attributable_delay"].iloc[0] > 0.5
