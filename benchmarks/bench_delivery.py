"""Benchmark the delivery and bottleneck metrics on generated portfolios.

Usage::

    .venv/bin/python benchmarks/bench_delivery.py            # 10k, 100k and 1M tasks
    .venv/bin/python benchmarks/bench_delivery.py --sizes 10000 100000 --repeat 3

Data: ``collab_analytics.sample.portfolio`` (about 5 update rows per task). The sample's updates
log keeps every task in its own department, so for the event-history hand-overs a copy of the
log is made in which a seeded 30 % of the events are handled by another department.

Prints the median of ``--repeat`` runs per function next to two baselines measured in the same
run: a bare ``pd.read_parquet`` of the same data, and the same hand-over computations in DuckDB
SQL. Peak memory of the delivery + bottleneck suite is measured in a fresh subprocess
(``tracemalloc`` peak of Python/numpy allocations, and the peak RSS during the suite — reset
through ``/proc/self/clear_refs`` after loading — minus the RSS after loading).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, installed or not

from collab_analytics import TrackingData, sample  # noqa: E402
from collab_analytics.metrics import (  # noqa: E402
    attribution,
    bottleneck,
    delivery,
    handoffs,
    report,
)

TASKS_PER_PROJECT = 100


def make_data(n_tasks: int, folder: Path) -> tuple[Path, Path]:
    td = sample.portfolio(
        n_projects=max(n_tasks // TASKS_PER_PROJECT, 1),
        tasks_per_project=min(n_tasks, TASKS_PER_PROJECT),
        seed=0,
        bottleneck="技术部",
        meetings=False,
    )
    up = td.updates
    rng = np.random.default_rng(0)
    depts = np.asarray(sorted(td.tasks["department"].unique()), dtype=object)
    moved = rng.random(len(up)) < 0.3
    dep = up["department"].to_numpy(dtype=object).copy()
    dep[moved] = depts[rng.integers(0, len(depts), int(moved.sum()))]
    up = up.assign(department=pd.Series(dep, dtype="str", index=up.index))
    tp, hp = folder / f"tasks_{n_tasks}.parquet", folder / f"updates_{n_tasks}.parquet"
    td.tasks.to_parquet(tp)
    up.to_parquet(hp)
    return tp, hp


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


DUCK_HISTORY = """
WITH s AS (
  SELECT department, "date",
         lag(department) OVER w AS prev_dep, lag("date") OVER w AS prev_date
  FROM h WINDOW w AS (PARTITION BY task_id ORDER BY "date"))
SELECT prev_dep AS from_department, department AS to_department, count(*) AS n_handoffs,
       avg(date_diff('day', prev_date::DATE, "date"::DATE)) AS mean_wait_days,
       median(date_diff('day', prev_date::DATE, "date"::DATE)) AS median_wait_days,
       max(date_diff('day', prev_date::DATE, "date"::DATE)) AS max_wait_days
FROM s WHERE prev_dep IS NOT NULL AND prev_dep <> department
GROUP BY ALL ORDER BY ALL
"""

DUCK_DEPS = """
WITH e AS (SELECT task_id AS to_id, department AS to_dep, actual_start,
                  unnest(depends_on) AS from_id FROM t),
     j AS (SELECT e.to_dep, p.department AS from_dep,
                  greatest(date_diff('day', p.actual_finish::DATE, e.actual_start::DATE), 0) AS w
           FROM e JOIN t p ON p.task_id = e.from_id WHERE p.department <> e.to_dep)
SELECT to_dep, count(*) AS n_handoffs, sum(w) AS total_wait_days, avg(w) AS mean_wait_days,
       median(w) AS median_wait_days, max(w) AS max_wait_days
FROM j GROUP BY ALL ORDER BY ALL
"""


def memory_probe(tp: Path, hp: Path) -> dict:
    """Run the delivery + bottleneck suite once in a fresh process and report its memory."""
    code = f"""
import json, resource, tracemalloc, pandas as pd
from collab_analytics import TrackingData
from collab_analytics.metrics import report

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

tasks = pd.read_parquet({str(tp)!r}); updates = pd.read_parquet({str(hp)!r})
td = TrackingData(tasks=tasks, updates=updates)
base = status("VmRSS:")
load_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
open("/proc/self/clear_refs", "w").write("5")  # reset the peak RSS (VmHWM) to the current RSS
tracemalloc.start()
report.delivery_report(td, progress=False)
cur, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({{"tracemalloc_peak_mib": peak / 2**20, "rss_before_mib": base,
                   "rss_load_peak_mib": load_peak, "rss_max_mib": status("VmHWM:")}}))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(n_tasks: int, repeat: int, folder: Path) -> None:
    import duckdb

    tp, hp = make_data(n_tasks, folder)
    tasks = pd.read_parquet(tp)
    updates = pd.read_parquet(hp)
    td = TrackingData(tasks=tasks, updates=updates)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    import pyarrow.parquet as pq

    # DuckDB scans the same data as Arrow tables (typed, zero-copy), already in memory
    con.register("h", pq.read_table(hp, columns=["task_id", "date", "department"]))
    con.register(
        "t",
        pq.read_table(
            tp,
            columns=["task_id", "department", "actual_start", "actual_finish", "depends_on"],
        ),
    )
    print(f"\n== {len(tasks):,} tasks, {len(updates):,} update rows (median of {repeat}) ==")
    print(f"load average (1, 5, 15 min) before the run: {os.getloadavg()}")
    rows = {
        "read_parquet tasks+updates (baseline)": lambda: (pd.read_parquet(tp), pd.read_parquet(hp)),
        "read_parquet updates": lambda: pd.read_parquet(hp),
        "delivery_summary(by=department)": lambda: delivery.delivery_summary(
            tasks, by="department"
        ),
        "delivery_summary(by=[department, month])": lambda: delivery.delivery_summary(
            tasks, by=["department", "month"]
        ),
        "task_delivery": lambda: delivery.task_delivery(tasks),
        "slippage(by=department)": lambda: delivery.slippage(tasks, by="department"),
        "slippage(by=department, cn calendar)": lambda: delivery.slippage(
            tasks, by="department", calendar="cn"
        ),
        "delay_attribution": lambda: attribution.delay_attribution(tasks),
        "department_attribution": lambda: attribution.department_attribution(tasks),
        "handoff_summary(dependencies)": lambda: handoffs.handoff_summary(tasks),
        "DuckDB dependency handoffs": lambda: con.execute(DUCK_DEPS).df(),
        "history_handoffs(updates log)": lambda: handoffs.history_handoffs(updates),
        "DuckDB history handoff pairs": lambda: con.execute(DUCK_HISTORY).df(),
        "blocked_time(by=department)": lambda: bottleneck.blocked_time(
            updates, tasks=tasks, by="department"
        ),
        "bottleneck_ranking": lambda: bottleneck.bottleneck_ranking(tasks, updates),
        "delivery_report(progress=False)": lambda: report.delivery_report(td, progress=False),
        "delivery_report (all tables)": lambda: report.delivery_report(td, forecast_sims=10_000),
    }
    res = {}
    for name, fn in rows.items():
        fn()  # warm-up
        res[name] = median_time(fn, repeat)
    base = res["read_parquet tasks+updates (baseline)"]
    for name, sec in res.items():
        print(f"{name:<45}{sec:9.3f} s{sec / base:8.2f}× read_parquet")
    r1 = res["history_handoffs(updates log)"] / res["DuckDB history handoff pairs"]
    r2 = res["handoff_summary(dependencies)"] / res["DuckDB dependency handoffs"]
    print(f"history hand-overs vs DuckDB: {r1:.2f}×   dependency hand-overs vs DuckDB: {r2:.2f}×")
    suite = res["delivery_report(progress=False)"]
    print(
        f"delivery_report(progress=False): {suite / base:.2f}× read_parquet; "
        f"delivery_summary: {res['delivery_summary(by=department)'] / base:.3f}× read_parquet"
    )
    mem = memory_probe(tp, hp)
    print(
        "delivery+bottleneck suite memory: tracemalloc peak "
        f"{mem['tracemalloc_peak_mib']:.0f} MiB; peak RSS during the suite "
        f"{mem['rss_max_mib']:.0f} MiB = {mem['rss_before_mib']:.0f} MiB after loading "
        f"+ {mem['rss_max_mib'] - mem['rss_before_mib']:.0f} MiB "
        f"(loading alone peaked at {mem['rss_load_peak_mib']:.0f} MiB)"
    )
    print(f"load average (1, 5, 15 min) after the run: {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for n in args.sizes:
            run(n, args.repeat, Path(d))
    print(f"\n(cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
