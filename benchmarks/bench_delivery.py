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

``--baseline REF`` also times the main rows for the package as of git revision ``REF``
(extracted with ``git archive`` into a temporary folder) against the working tree, in fresh
subprocesses that alternate between the two, and prints both medians and their ratio::

    .venv/bin/python benchmarks/bench_delivery.py --sizes 1000000 --baseline HEAD~3

The tasks' ``depends_on`` is an Arrow list column, as the loader makes it; pandas cannot read
such a column back from its own parquet metadata (pandas-dev/pandas#57411), so the tasks file
is read through pyarrow with the list type mapped explicitly (:func:`read_tasks`).
"""

from __future__ import annotations

import argparse
import inspect
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


def read_tasks(path):
    """The tasks parquet with ``depends_on`` as an Arrow list column (see module doc).
    Self-contained: its source also runs in the subprocesses (:data:`READ_TASKS`)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    lists = pd.ArrowDtype(pa.list_(pa.large_string()))

    def mapper(t):
        return lists if pa.types.is_list(t) or pa.types.is_large_list(t) else None

    return pq.read_table(path).to_pandas(types_mapper=mapper, ignore_metadata=True)


#: source of :func:`read_tasks` for the subprocesses (each imports the package of its own tree)
READ_TASKS = inspect.getsource(read_tasks)


def median_time(fn, repeat: int) -> tuple[float, float]:
    """Medians of the wall-clock and the CPU time (all threads) of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


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

{READ_TASKS}
tasks = read_tasks({str(tp)!r}); updates = pd.read_parquet({str(hp)!r})
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


COMPARE = """
import json, os, statistics, sys, time
import duckdb, pandas as pd, pyarrow.parquet as pq
import collab_analytics
from collab_analytics import TrackingData
from collab_analytics.metrics import delivery, handoffs, report
{read_tasks}
tp, hp, repeat = {tp!r}, {hp!r}, {repeat}
tasks = read_tasks(tp); updates = pd.read_parquet(hp)
td = TrackingData(tasks=tasks, updates=updates)
con = duckdb.connect(); con.execute("SET threads = 2")
con.register("h", pq.read_table(hp, columns=["task_id", "date", "department"]))
con.register("t", pq.read_table(
    tp, columns=["task_id", "department", "actual_start", "actual_finish", "depends_on"]))
rows = {{
    "delivery_report(progress=False)": lambda: report.delivery_report(td, progress=False),
    "delivery_summary(by=department)": lambda: delivery.delivery_summary(tasks, by="department"),
    "handoff_summary(dependencies)": lambda: handoffs.handoff_summary(tasks),
    "DuckDB dependency handoffs": lambda: con.execute({deps!r}).df(),
    "history_handoffs(updates log)": lambda: handoffs.history_handoffs(updates),
    "DuckDB history handoff pairs": lambda: con.execute({hist!r}).df(),
}}
out = {{"__file__": collab_analytics.__file__}}
for name, fn in rows.items():
    fn()
    ts = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append((time.perf_counter() - t0, time.process_time() - c0))
    out[name] = ts
print(json.dumps(out))
"""


def compare(tp: Path, hp: Path, ref: str, rounds: int, repeat: int) -> None:
    """Time the main rows for git revision ``ref`` and for the working tree, alternating
    fresh subprocesses, and print the medians of all their runs and the ratios."""
    code = COMPARE.format(
        read_tasks=READ_TASKS,
        tp=str(tp),
        hp=str(hp),
        repeat=repeat,
        deps=DUCK_DEPS,
        hist=DUCK_HISTORY,
    )
    with tempfile.TemporaryDirectory() as d:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "collab_analytics"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", d], input=archive, check=True)
        trees = {f"{ref}": d, "working tree": str(ROOT)}
        times: dict[str, dict[str, list[float]]] = {k: {} for k in trees}
        print(f"\n-- {ref} vs working tree: {rounds} alternating rounds of {repeat} runs each --")
        print(f"load average (1, 5, 15 min) before: {os.getloadavg()}")
        for _ in range(rounds):
            for label, root in trees.items():
                env = {**os.environ, "PYTHONPATH": root}
                res = subprocess.run(
                    [sys.executable, "-c", code],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                    cwd=root,  # ``python -c`` puts the working folder first on sys.path
                )
                got = json.loads(res.stdout.strip().splitlines()[-1])
                assert got.pop("__file__").startswith(root), "imported the wrong tree"
                for name, ts in got.items():
                    times[label].setdefault(name, []).extend(ts)
        print(f"load average (1, 5, 15 min) after: {os.getloadavg()}")
        for i, what in enumerate(("wall-clock", "CPU (process_time, all threads)")):
            med = {
                lab: {k: statistics.median(x[i] for x in v) for k, v in t.items()}
                for lab, t in times.items()
            }
            a, b = med[ref], med["working tree"]
            print(f"median {what} time")
            print(f"{'':<36}{ref:>14}{'working tree':>14}{'new/old':>9}")
            for name in a:
                print(f"{name:<36}{a[name]:12.3f} s{b[name]:12.3f} s{b[name] / a[name]:9.2f}")
            for lab, m in med.items():
                r1 = m["handoff_summary(dependencies)"] / m["DuckDB dependency handoffs"]
                r2 = m["history_handoffs(updates log)"] / m["DuckDB history handoff pairs"]
                print(f"  {lab}: dependency hand-overs {r1:.2f}× DuckDB, history {r2:.2f}×")


def run(n_tasks: int, repeat: int, folder: Path) -> None:
    import duckdb

    tp, hp = make_data(n_tasks, folder)
    tasks = read_tasks(tp)
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
        "read_parquet tasks+updates (baseline)": lambda: (read_tasks(tp), pd.read_parquet(hp)),
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
    res, cpu = {}, {}
    for name, fn in rows.items():
        fn()  # warm-up
        res[name], cpu[name] = median_time(fn, repeat)
    base = res["read_parquet tasks+updates (baseline)"]
    print(f"{'':<45}{'wall':>11}{'':>15}{'CPU (all threads)':>20}")
    for name, sec in res.items():
        print(f"{name:<45}{sec:9.3f} s{sec / base:8.2f}× read_parquet{cpu[name]:9.3f} s")
    for what, m in (("wall-clock", res), ("CPU", cpu)):
        r1 = m["history_handoffs(updates log)"] / m["DuckDB history handoff pairs"]
        r2 = m["handoff_summary(dependencies)"] / m["DuckDB dependency handoffs"]
        print(
            f"{what}: history hand-overs vs DuckDB: {r1:.2f}×   "
            f"dependency hand-overs vs DuckDB: {r2:.2f}×"
        )
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
    ap.add_argument("--baseline", metavar="REF", help="also compare with git revision REF")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per tree")
    ap.add_argument("--compare-only", action="store_true", help="skip the full table")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for n in args.sizes:
            if not args.compare_only:
                run(n, args.repeat, Path(d))
            if args.baseline:
                tp, hp = Path(d) / f"tasks_{n}.parquet", Path(d) / f"updates_{n}.parquet"
                if not tp.exists():
                    tp, hp = make_data(n, Path(d))
                compare(tp, hp, args.baseline, args.rounds, args.repeat)
    print(f"\n(cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
