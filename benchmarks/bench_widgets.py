"""Dashboard responsiveness: recompute + re-render after a filter change on a 100k-task portfolio.

Target (issue 6): median ≤ 150 ms from a control change to the dashboard holding the new KPIs
and the visible tab's chart specs. Every measured change goes to a selection not seen before
(no cache hit); cache hits are reported separately.

The baseline, measured in the same run, is a bare ``pd.read_parquet`` of the same tasks table:
the ratio says how many "reads of the tasks" one dashboard update costs on this machine.

usage: .venv/bin/python benchmarks/bench_widgets.py [--tasks N] [--repeat R] [--tabs delivery,...]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from collab_analytics import sample
from collab_analytics.widgets import TABS, RetrospectiveDashboard


def _median_ms(values) -> float:
    return statistics.median(values)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def baseline_read_parquet(tasks: pd.DataFrame, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.parquet"
        tasks.to_parquet(path)
        times = []
        for _ in range(repeat * 3):
            t = time.perf_counter()
            pd.read_parquet(path)
            times.append((time.perf_counter() - t) * 1000)
    return _median_ms(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--tabs",
        default=",".join(TABS),
        help="comma-separated tabs to measure (the communication tabs are slow at 100k tasks)",
    )
    ap.add_argument(
        "--tab-budget",
        type=float,
        default=20.0,
        help="seconds per tab; slow tabs are measured on fewer changes (n is printed)",
    )
    args = ap.parse_args()
    print(f"load average (1, 5, 15 min) at start: {_loadavg()}")

    per_project = 100
    t = time.perf_counter()
    data = sample.portfolio(
        n_projects=max(1, args.tasks // per_project), tasks_per_project=per_project, seed=7
    )
    print(
        f"portfolio: {len(data.tasks):,} tasks, {len(data.updates):,} updates, "
        f"{len(data.meetings):,} meetings, {len(data.actions):,} actions "
        f"(generated in {time.perf_counter() - t:.1f} s)"
    )
    base = baseline_read_parquet(data.tasks, args.repeat)
    print(f"baseline read_parquet(tasks): {base:.1f} ms")

    t = time.perf_counter()
    dash = RetrospectiveDashboard(data)
    print(
        f"dashboard construction (first render, offline JS bundle): {time.perf_counter() - t:.2f} s"
    )

    depts = list(dash.departments.options)
    projects = list(dash.projects.options)
    selections = [((), c) for c in itertools.combinations(depts, 1)]
    selections += [((), c) for c in itertools.combinations(depts, 2)]
    selections += [(tuple(projects[i : i + 3]), ()) for i in range(0, 3 * 8, 3)]

    # first selection builds the filter index (once per dataset): reported on its own
    t = time.perf_counter()
    dash.departments.value = (depts[-1],)
    first = (time.perf_counter() - t) * 1000
    print(f"first filter change (builds the per-dataset filter index): {first:.0f} ms")

    for tab in args.tabs.split(","):
        if tab not in TABS:
            msg = f"unknown tab {tab!r}; expected some of {list(TABS)}"
            raise SystemExit(msg)
        dash.tabs.selected_index = TABS.index(tab)
        rows, walls = [], []
        started = time.perf_counter()
        for rep in range(args.repeat):
            dash._restricted.clear()  # measure the uncached path every repetition
            dash._frames.clear()
            dash._kpi_cache.clear()
            dash._spec_cache.clear()
            for proj, dep in selections[rep % 2 :: 2]:
                if walls and time.perf_counter() - started > args.tab_budget:
                    break
                dash._muted = True  # set both controls, then one update
                dash.projects.value = proj
                dash.departments.value = dep
                dash._muted = False
                t = time.perf_counter()
                dash.refresh()  # what a control's observer calls
                walls.append((time.perf_counter() - t) * 1000)
                rows.append(dict(dash.last_timings))
        med = _median_ms(walls)
        keys = [k for k in rows[0] if k != "total" and ":" not in k]
        parts = ", ".join(f"{k} {_median_ms(r.get(k, 0) for r in rows):.0f}" for k in keys)
        print(
            f"[{tab:<11}] filter change → new KPIs + specs: median {med:6.1f} ms "
            f"(n={len(walls)}, ×{med / base:.1f} read_parquet; steps: {parts}; "
            f"load {_loadavg()})"
        )
        charts = sorted({k.split(":", 1)[1] for r in rows for k in r if k.startswith("build:")})
        for key in charts:
            b = _median_ms(r.get(f"build:{key}", 0) for r in rows)
            s = _median_ms(r.get(f"spec:{key}", 0) for r in rows)
            print(f"    chart {key:<24} build {b:5.1f} ms + to_spec {s:5.1f} ms")

    # cache hits: going back to a selection seen before
    dash.tabs.selected_index = 0
    hits = []
    for dep in depts[:4] * 2:
        t = time.perf_counter()
        dash.departments.value = (dep,)
        hits.append((time.perf_counter() - t) * 1000)
    print(f"[cached     ] back to a seen selection: median {_median_ms(hits[4:]):.1f} ms")
    print(f"load average (1, 5, 15 min) at end: {_loadavg()}")


if __name__ == "__main__":
    main()
