"""Blocked time and the bottleneck ranking (incl. the planted-bottleneck check)."""

from __future__ import annotations

import numpy as np
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


def test_report_blocked_by_department_with_idle_and_missing_departments():
    """The report's per-department blocked table (from shared department codes) equals
    ``blocked_time(by="department")``: a department without updates has no row, a task
    without a department forms the missing-department row (last)."""
    from collab_analytics import TrackingData
    from collab_analytics.metrics.report import delivery_report

    tasks = pd.DataFrame(
        {
            "task_id": ["A", "B", "C", "E"],
            "department": pd.array(["技术部", None, "客服部", "产品部"], dtype="str"),
            "planned_finish": D(["2024-07-20"] * 4),
            "actual_finish": D(["2024-07-09", None, None, None]),
        }
    )
    up = UPDATES.assign(task_id=["A", "A", "A", "E", "B"])
    rep = delivery_report(TrackingData(tasks=tasks, updates=up), as_of="2024-07-10", progress=False)
    ref = blocked_time(up, tasks=tasks, by="department", as_of="2024-07-10")
    pd.testing.assert_frame_equal(rep.blocked_by_department, ref)
    assert ref["department"].tolist()[:2] == ["产品部", "技术部"]  # no 客服部 row
    assert pd.isna(ref["department"].iloc[2]) and ref["blocked_days"].tolist() == [8.0, 5.0, 6.0]
    got = bottleneck_ranking(tasks, up, as_of="2024-07-10").set_index("rank")
    assert got["blocked_days"].sum() == 19.0


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


# ----------------------------------------------------------------------------- equivalence
# The vectorised paths (shared factorised updates log, run-length key coding, one-bincount
# counts, critical predecessors by reduceat) checked against plain pandas references on a
# mid-size generated portfolio, in the given row order and shuffled.


def _portfolio(shuffle: bool):
    import numpy as np

    from collab_analytics import sample

    td = sample.portfolio(
        n_projects=25, tasks_per_project=40, seed=11, bottleneck="技术部", meetings=False
    )
    tasks, up = td.tasks, td.updates
    rng = np.random.default_rng(5)
    depts = np.asarray(sorted(tasks["department"].unique()), dtype=object)
    dep = up["department"].to_numpy(dtype=object).copy()
    moved = rng.random(len(up)) < 0.3
    dep[moved] = depts[rng.integers(0, len(depts), int(moved.sum()))]
    up = up.assign(department=pd.Series(dep, dtype="str", index=up.index))
    if shuffle:
        tasks = tasks.iloc[rng.permutation(len(tasks))].reset_index(drop=True)
        up = up.iloc[rng.permutation(len(up))].reset_index(drop=True)
    return tasks, up


def _ref_days(a, b):
    return (b.dt.normalize() - a.dt.normalize()).dt.days.astype("float64")


@pytest.mark.parametrize("shuffle", [False, True])
def test_report_matches_public_functions_and_pandas_references(shuffle):
    from collab_analytics import TrackingData
    from collab_analytics.metrics.attribution import delay_attribution, department_attribution
    from collab_analytics.metrics.delivery import delivery_summary, task_delivery
    from collab_analytics.metrics.handoffs import handoff_summary, handoffs, history_handoffs
    from collab_analytics.metrics.report import delivery_report

    tasks, up = _portfolio(shuffle)
    rep = delivery_report(TrackingData(tasks=tasks, updates=up), progress=False)
    eq = pd.testing.assert_frame_equal
    # one call == the public functions one by one
    eq(rep.summary, delivery_summary(tasks, by="department", as_of=rep.as_of))
    eq(rep.tasks, task_delivery(tasks, as_of=rep.as_of))
    eq(rep.attribution, delay_attribution(tasks, as_of=rep.as_of))
    eq(rep.departments, department_attribution(tasks, as_of=rep.as_of))
    eq(rep.handoffs, handoffs(tasks, as_of=rep.as_of))
    eq(rep.handoff_pairs, handoff_summary(tasks, by="pair", as_of=rep.as_of))
    eq(rep.blocked, blocked_time(up, tasks=tasks, as_of=rep.as_of))
    eq(rep.bottlenecks, bottleneck_ranking(tasks, up, as_of=rep.as_of))
    hist = history_handoffs(up)
    for name in ("transitions", "pairs", "sojourn", "ping_pong", "per_task"):
        eq(getattr(rep.history, name), getattr(hist, name))

    # delivery counts: plain boolean columns and groupby
    t = tasks.assign(
        live=tasks["status"] != "cancelled",
        pf=tasks["planned_finish"].dt.normalize(),
        af=tasks["actual_finish"].dt.normalize(),
    )
    done = t["live"] & t["af"].notna() & (t["af"] <= rep.as_of)
    t["due"] = t["live"] & (t["pf"] <= rep.as_of)
    t["late"] = done & (t["af"] > t["pf"])
    t["on_time"] = done & (t["af"] <= t["pf"]) & t["due"]
    undated = t["live"] & t["af"].isna() & t["status"].isin(["done", "done_early"])
    t["open_late"] = t["live"] & ~(done | undated) & (t["pf"] < rep.as_of)
    ref = t.groupby("department")[["due", "late", "on_time", "open_late"]].sum()
    got = rep.summary.set_index("department")
    assert got["n_due"].tolist() == ref["due"].tolist()
    assert got["n_late"].tolist() == ref["late"].tolist()
    assert got["n_on_time"].tolist() == ref["on_time"].tolist()
    assert got["n_overdue_open"].tolist() == ref["open_late"].tolist()

    # history hand-overs: stable sort by (task in order of appearance, time), then neighbours
    first_seen = pd.factorize(up["task_id"])[0]
    h = up.assign(_t=first_seen).sort_values(["_t", "date"], kind="stable")
    h = h.reset_index(drop=True)
    same = h["task_id"].eq(h["task_id"].shift())
    moved = same & h["department"].ne(h["department"].shift())
    prev = h.shift()
    ref_tr = pd.DataFrame(
        {
            "task_id": h["task_id"][moved].to_numpy(),
            "from_department": prev["department"][moved].to_numpy(),
            "to_department": h["department"][moved].to_numpy(),
            "wait_days": _ref_days(prev["date"][moved], h["date"][moved]).to_numpy(),
        }
    )
    got_tr = rep.history.transitions[list(ref_tr.columns)]
    assert len(got_tr) > 100
    assert got_tr.astype(object).to_numpy().tolist() == ref_tr.astype(object).to_numpy().tolist()

    # blocked days: each blocked update holds until the task's next update, the last one
    # until the task's actual finish (if earlier) or as_of
    fin = tasks.set_index("task_id")["actual_finish"].dt.normalize()
    nxt = h.groupby("task_id")["date"].shift(-1).dt.normalize()
    stop = fin.reindex(h["task_id"]).to_numpy()
    stop = pd.Series(stop).where(pd.Series(stop) < rep.as_of, rep.as_of)
    end = nxt.fillna(stop)
    span = _ref_days(h["date"], end).clip(lower=0)
    ref_b = span.where(h["status"] == "blocked", 0.0).groupby(h["task_id"]).sum()
    got_b = rep.blocked.set_index("task_id")["blocked_days"]
    assert (got_b > 0).sum() > 10
    pd.testing.assert_series_equal(
        got_b.sort_index(), ref_b.sort_index(), check_names=False, check_index_type=False
    )

    # critical predecessor: the predecessor finishing last (ties: larger task id)
    e = tasks[["task_id", "depends_on"]].explode("depends_on").dropna()
    e = e.rename(columns={"task_id": "to", "depends_on": "from"})
    fin_all = tasks.set_index("task_id")
    f = fin_all["actual_finish"].dt.normalize()
    f = f.where(fin_all["status"] != "cancelled")
    open_ = fin_all["actual_finish"].isna() & ~fin_all["status"].isin(
        ["done", "done_early", "cancelled"]
    )
    f = f.where(~open_, rep.as_of)
    e["f"] = f.reindex(e["from"]).to_numpy()
    e = e.dropna(subset=["f"]).sort_values(["to", "f", "from"], kind="stable")
    crit = e.groupby("to")["from"].last()
    got_c = rep.attribution.set_index("task_id")["critical_predecessor"].dropna()
    assert len(crit) > 100
    assert got_c.sort_index().to_dict() == crit.sort_index().to_dict()


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_report_matches_public_functions_with_missing_departments(dtype):
    """Shared department codes give the same tables as the public functions, for text and
    object department columns with gaps (the gaps never make hand-overs)."""
    from collab_analytics import TrackingData
    from collab_analytics.metrics.handoffs import handoff_summary, handoffs
    from collab_analytics.metrics.report import delivery_report

    tasks, up = _portfolio(True)
    dep = tasks["department"].astype(object).to_numpy().copy()
    dep[::37] = None
    tasks = tasks.assign(department=pd.Series(dep, dtype=dtype, index=tasks.index))
    rep = delivery_report(TrackingData(tasks=tasks, updates=up), progress=False)
    eq = pd.testing.assert_frame_equal
    h = handoffs(tasks, as_of=rep.as_of)
    eq(rep.handoffs, h)
    assert len(h) > 100 and h["from_department"].notna().all() and h["to_department"].notna().all()
    eq(rep.handoff_pairs, handoff_summary(tasks, by="pair", as_of=rep.as_of))
    eq(rep.blocked, blocked_time(up, tasks=tasks, as_of=rep.as_of))
    eq(rep.blocked_by_department, blocked_time(up, tasks=tasks, by="department", as_of=rep.as_of))
    assert rep.blocked_by_department["department"].isna().sum() == 1
    eq(rep.bottlenecks, bottleneck_ranking(tasks, up, as_of=rep.as_of))


# ---------------------------------------------------------------- two threads in the report
def _report_items(rep):
    import dataclasses

    out = {}
    for f in dataclasses.fields(rep):
        v = getattr(rep, f.name)
        if dataclasses.is_dataclass(v):
            for g in dataclasses.fields(v):
                out[(f.name, g.name)] = getattr(v, g.name)
        else:
            out[f.name] = v
    return out


@pytest.mark.parametrize("calendar", [None, "cn"])
def test_report_same_on_two_threads(monkeypatch, calendar):
    from collab_analytics import TrackingData, sample
    from collab_analytics.metrics import _common
    from collab_analytics.metrics.report import delivery_report

    td = sample.portfolio(n_projects=3, tasks_per_project=30, seed=4, bottleneck="技术部")
    up = td.updates  # a quarter of the events handled by another department: hand-overs
    depts = np.asarray(sorted(td.tasks["department"].unique()), dtype=object)
    dep = up["department"].to_numpy(dtype=object).copy()
    moved = np.arange(len(up)) % 4 == 1
    dep[moved] = depts[np.arange(int(moved.sum())) % len(depts)]
    up = up.assign(department=pd.Series(dep, dtype="str", index=up.index))
    td = TrackingData(tasks=td.tasks, updates=up)
    got = {}
    for threads in (False, True):
        monkeypatch.setattr(_common, "THREADS", threads)
        got[threads] = _report_items(delivery_report(td, calendar=calendar, forecast_sims=50))
    assert got[False].keys() == got[True].keys()
    n_frames = 0
    for key, a in got[False].items():
        b = got[True][key]
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            n_frames += 1
        elif isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b or a is b, key
    assert n_frames > 15
    assert len(got[True]["blocked"]) > 0 and len(got[True][("history", "transitions")]) > 0


def test_beside_runs_small_inputs_in_turn_and_raises_the_first_error(monkeypatch):
    import threading

    from collab_analytics.metrics import _common

    monkeypatch.setattr(_common, "THREADS", None)
    names = _common.beside(
        lambda: threading.current_thread().name,
        lambda: threading.current_thread().name,
        _common.PARALLEL_ROWS - 1,
    )
    assert names[0] == names[1] == threading.current_thread().name
    here, there = _common.beside(
        lambda: threading.current_thread().name,
        lambda: threading.current_thread().name,
        _common.PARALLEL_ROWS,
    )
    assert here == threading.current_thread().name and there.startswith("collab-delivery")
    done = []

    def fail():
        raise ValueError("here failed")

    def slow():
        import time

        time.sleep(0.05)
        done.append(1)
        raise KeyError("there failed")

    with pytest.raises(ValueError, match="here failed"):
        _common.beside(fail, slow, _common.PARALLEL_ROWS)
    assert done == [1]  # waited for the worker


def test_report_in_a_forked_child(monkeypatch):
    import multiprocessing as mp

    from collab_analytics.metrics import _common

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(_common, "THREADS", True)
    _common.beside(lambda: 1, lambda: 2, 0)  # the parent's worker thread exists
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        res = pool.apply_async(_child_report)
        assert res.get(timeout=60) > 0


def _child_report():
    from collab_analytics import sample
    from collab_analytics.metrics import _common
    from collab_analytics.metrics.report import delivery_report

    _common.THREADS = True
    td = sample.portfolio(n_projects=2, tasks_per_project=20, seed=1)
    return len(delivery_report(td, progress=False).tasks)
