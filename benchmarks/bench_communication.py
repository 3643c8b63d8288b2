"""Communication suite benchmark: cadence + escalation + RACI at portfolio scale.

Data: 1M tasks with ≈5M progress updates and ≈3.4M RACI rows from
``collab_analytics.sample.portfolio`` (seeded), plus a communication layer built here with numpy:
200 plan items (150 daily, the rest weekly / biweekly / monthly; two years each) and 100k
meetings — 70 % held for plan items (about 10 % of occurrences skipped, some a day late, some
without ``plan_item`` so the topic rule runs), 30 % escalation meetings about tasks that
turned delayed/blocked.

The list columns (``meetings.related_tasks`` / ``departments``, ``tasks.depends_on``) are
given to the metrics as Arrow list columns, the form the loader produces
(:func:`collab_analytics._lists.with_list_columns`, done once after reading, not timed);
``--object-lists`` keeps them as ``object`` columns of Python lists instead.

Every suite run starts with an empty encoding cache (:mod:`collab_analytics.metrics._encoded`):
the task keys, departments and roles are encoded once per run and shared by the functions of
that run, never carried over from an earlier run.

Timed (medians of ``--repeat`` runs; wall time, and the process's CPU time — the steadier figure
on a shared machine), next to a bare ``pd.read_parquet`` of the same five tables measured in the
same run:

* cadence: expected_occurrences, match_meetings, cadence_summary, missed/unplanned,
  expected_departments, attendance (+ by department), meeting_load
* escalation: escalation_episodes, escalation_compliance (by department and overall),
  escalation_distribution
* RACI: raci_problems, raci_conformance

Run: ``.venv/bin/python benchmarks/bench_communication.py [--repeat 5] [--object-lists]``.
Target: whole suite ≤ 1.5 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from collab_analytics._lists import with_list_columns
from collab_analytics.metrics._encoded import clear_cache
from collab_analytics.metrics.cadence import (
    attendance,
    attendance_by_department,
    cadence_summary,
    expected_departments,
    match_meetings,
    meeting_load,
    missed_occurrences,
    unplanned_meetings,
)
from collab_analytics.metrics.escalation import (
    escalation_compliance,
    escalation_distribution,
    escalation_episodes,
)
from collab_analytics.metrics.raci import raci_conformance, raci_problems
from collab_analytics.metrics.schedule import expected_occurrences
from collab_analytics.sample import portfolio

DATA = Path(__file__).parent / "_data"
FREQS = ["每日17:00", "每周五15:00", "每两周周三10:00", "每月第一个周一", "每周一、三、五"]
ITEMS = ["日常进度同步", "风险排查会", "跨部门协调会", "月度复盘会", "需求对齐会"]


def build(seed: int = 0) -> dict[str, pd.DataFrame]:
    """The five tables, generated once and cached as Parquet under benchmarks/_data/."""
    DATA.mkdir(exist_ok=True)
    paths = {
        n: DATA / f"comm_{n}.parquet" for n in ("tasks", "updates", "raci", "plan", "meetings")
    }
    if all(p.exists() for p in paths.values()):
        return {n: pd.read_parquet(p) for n, p in paths.items()}
    t0 = time.perf_counter()
    td = portfolio(
        n_projects=33_334, tasks_per_project=30, seed=seed, meetings=False, updates_per_task=5
    )
    rng = np.random.default_rng(seed)
    depts = td.departments
    # ---- plan: 200 items, each active for two years
    n_items = 200
    # three in four items are daily syncs, the rest cycle through the other frequencies
    idx = np.arange(n_items)
    kind = np.where(idx % 4 == 0, 1 + (idx // 4) % (len(FREQS) - 1), 0)
    base = pd.Timestamp("2024-01-01")
    starts = base + pd.to_timedelta(rng.integers(0, 200, n_items), unit="D")
    plan = pd.DataFrame(
        {
            "item": pd.Series([f"项目{i:03d}·{ITEMS[k]}" for i, k in enumerate(kind)], dtype="str"),
            "frequency": pd.Series([FREQS[k] for k in kind], dtype="str"),
            "participants": pd.Series(
                np.where(np.arange(n_items) % 3 == 0, "各部门对接人", "产品部、技术部"), dtype="str"
            ),
            "start": pd.Series(starts, dtype="datetime64[us]"),
            "end": pd.Series(starts + pd.Timedelta(days=729), dtype="datetime64[us]"),
        }
    )
    occ = expected_occurrences(plan, calendar="cn")
    # ---- 70k plan meetings: a sample of occurrences, some a day late, some without plan_item
    n_plan_m, n_esc_m = 70_000, 30_000
    pick = np.sort(rng.choice(len(occ), size=n_plan_m, replace=False))
    o = occ.iloc[pick].reset_index(drop=True)
    late = rng.random(n_plan_m) < 0.05
    day = o["occurrence"].dt.normalize() + pd.to_timedelta(late.astype(int), unit="D")
    minute = (o["occurrence"] - o["occurrence"].dt.normalize()).dt.total_seconds() // 60
    minute = minute + rng.integers(-10, 20, n_plan_m)
    no_item = rng.random(n_plan_m) < 0.2
    dsets = rng.integers(1, 2 ** len(depts), n_plan_m)
    dept_lists = np.array(
        [[d for j, d in enumerate(depts) if m >> j & 1] for m in range(2 ** len(depts))],
        dtype=object,
    )
    plan_m = pd.DataFrame(
        {
            "date": pd.Series(day.to_numpy(), dtype="datetime64[us]"),
            "start": pd.Series(
                (day + pd.to_timedelta(minute, unit="min")).to_numpy(), dtype="datetime64[us]"
            ),
            "topic": o["item"].to_numpy(),
            "plan_item": pd.Series(
                np.where(no_item, None, o["item"].to_numpy(dtype=object)), dtype="str"
            ),
            "duration_min": rng.choice([15.0, 30.0, 45.0, 90.0], n_plan_m),
            "output": pd.Series(
                np.where(rng.random(n_plan_m) < 0.85, "会议纪要", None), dtype="str"
            ),
            "related_tasks": pd.Series([[]] * n_plan_m, dtype=object),
            "departments": pd.Series(dept_lists[dsets], dtype=object),
        }
    )
    # ---- 30k escalation meetings about updates that are delayed/blocked, 0–4 days later
    up = td.updates
    bad = np.flatnonzero(up["status"].isin(["delayed", "blocked"]).to_numpy())
    src = np.sort(rng.choice(bad, size=n_esc_m, replace=False))
    when = (
        up["date"].to_numpy()[src]
        + pd.to_timedelta(rng.integers(1, 96, n_esc_m), unit="h").to_numpy()
    )
    esc_m = pd.DataFrame(
        {
            "date": pd.Series(when, dtype="datetime64[us]").dt.normalize(),
            "start": pd.Series(when, dtype="datetime64[us]"),
            "topic": pd.Series(up["task"].to_numpy()[src], dtype="str") + "专项会",
            "plan_item": pd.Series([None] * n_esc_m, dtype="str"),
            "duration_min": 30.0,
            "output": pd.Series(["解决措施、责任人和新截止时间"] * n_esc_m, dtype="str"),
            "related_tasks": pd.Series([[t] for t in up["task_id"].to_numpy()[src]], dtype=object),
            "departments": pd.Series([[d] for d in up["department"].to_numpy()[src]], dtype=object),
        }
    )
    meetings = pd.concat([plan_m, esc_m], ignore_index=True).sort_values("start", kind="stable")
    meetings = meetings.reset_index(drop=True)
    meetings["time"] = meetings["start"].dt.strftime("%H:%M").astype("str")
    frames = {
        "tasks": td.tasks,
        "updates": td.updates,
        "raci": td.raci,
        "plan": plan,
        "meetings": meetings,
    }
    for n, f in frames.items():
        f.to_parquet(paths[n])
    print(f"generated and cached in {time.perf_counter() - t0:.1f} s")
    return {n: pd.read_parquet(p) for n, p in paths.items()}


def read_all(names=("tasks", "updates", "raci", "plan", "meetings")) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(DATA / f"comm_{n}.parquet") for n in names}


def suite(d: dict[str, pd.DataFrame], depts: list[str]) -> dict[str, float]:
    """One pass over the suite; seconds per function, per part and in total."""
    clear_cache()  # a cold run: nothing encoded by an earlier run is reused
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of the process (all its threads)

    def timed(name, f):
        t0, c0 = time.perf_counter(), time.process_time()
        res = f()
        t[name] = t.get(name, 0.0) + time.perf_counter() - t0
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - c0
        return res

    occ = timed("expected_occurrences", lambda: expected_occurrences(d["plan"], calendar="cn"))
    m = timed(
        "match_meetings", lambda: match_meetings(d["meetings"], d["plan"], occ, calendar="cn")
    )
    timed("cadence_summary", lambda: cadence_summary(m, occ, plan=d["plan"]))
    timed("missed+unplanned", lambda: (missed_occurrences(m, occ), unplanned_meetings(m)))
    exp = timed("expected_departments", lambda: expected_departments(d["plan"], depts))
    timed(
        "attendance(+by dept)",
        lambda: attendance_by_department(attendance(m, d["meetings"], exp, departments=depts)),
    )
    timed("meeting_load", lambda: meeting_load(d["meetings"], departments=depts))
    ep = timed(
        "escalation_episodes",
        lambda: escalation_episodes(
            d["updates"], meetings=d["meetings"], tasks=d["tasks"], departments=depts
        ),
    )
    timed(
        "compliance+distribution",
        lambda: (
            escalation_compliance(ep),
            escalation_compliance(ep, by=None),
            escalation_distribution(ep),
        ),
    )
    timed("raci_problems", lambda: raci_problems(d["raci"], tasks=d["tasks"]))
    timed(
        "raci_conformance",
        lambda: raci_conformance(d["raci"], d["tasks"], d["meetings"], departments=depts),
    )
    for d_ in (t, cpu):
        d_["cadence"] = sum(d_[k] for k in CADENCE)
        d_["escalation"] = d_["escalation_episodes"] + d_["compliance+distribution"]
        d_["raci"] = d_["raci_problems"] + d_["raci_conformance"]
        d_["suite"] = d_["cadence"] + d_["escalation"] + d_["raci"]
    t["_episodes"] = len(ep)
    t["_cpu"] = cpu
    return t


CADENCE = (
    "expected_occurrences",
    "match_meetings",
    "cadence_summary",
    "missed+unplanned",
    "expected_departments",
    "attendance(+by dept)",
    "meeting_load",
)


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--object-lists", action="store_true", help="list columns as object columns of lists"
    )
    args = ap.parse_args()
    d = build()
    if not args.object_lists:  # as the loader gives them
        d["meetings"] = with_list_columns(d["meetings"], "related_tasks", "departments")
        d["tasks"] = with_list_columns(d["tasks"], "depends_on")
    depts = list(pd.unique(d["tasks"]["department"]))
    print({n: len(f) for n, f in d.items()}, "departments:", len(depts))
    print(f"peak RSS after loading: {_peak_mb():,.0f} MB")
    print(f"list columns: {'object' if args.object_lists else 'Arrow lists'}")
    base, flat, runs = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        read_all()
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_all(("tasks", "updates", "raci", "plan"))
        flat.append(time.perf_counter() - t0)
        runs.append(suite(d, depts))
    print(f"peak RSS after the runs:  {_peak_mb():,.0f} MB")
    print(f"1-minute load average at the end: {os.getloadavg()[0]:.2f}")
    print(f"episodes found: {runs[0]['_episodes']:,}")
    b = statistics.median(base)
    print(f"{'read_parquet (5 tables)':<26}{b:8.3f} s")
    print(f"{'  without meetings':<26}{statistics.median(flat):8.3f} s   (no list columns)")
    keys = [*CADENCE, "cadence", "escalation_episodes", "compliance+distribution", "escalation"]
    keys += ["raci_problems", "raci_conformance", "raci", "suite"]
    print(f"{'':<26}{'wall':>8}     {'':<26}{'CPU':>8}  (medians; CPU of all threads)")
    for k in keys:
        med = statistics.median(r[k] for r in runs)
        cpu = statistics.median(r["_cpu"][k] for r in runs)
        indent = "" if k in ("cadence", "escalation", "raci", "suite") else "  "
        print(f"{indent + k:<26}{med:8.3f} s   ratio to read_parquet {med / b:5.2f}   {cpu:8.3f} s")
    suite_med = statistics.median(r["suite"] for r in runs)
    print(f"target suite ≤ 1.5 s: {'met' if suite_med <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
