"""Dashboard responsiveness: recompute + re-render after a filter change on a 100k-task portfolio.

Target (issue 6): median ≤ 150 ms from a control change to the dashboard holding the new KPIs
and the visible tab's chart specs, on every tab. Every measured change goes to a selection not
seen before (all caches cleared before each repetition); cache hits are reported separately.

Baselines measured in the same run:

* a bare ``pd.read_parquet`` of the same tasks table: the ratio says how many "reads of the
  tasks" one dashboard update costs on this machine;
* with ``--before REV``: the dashboard and chart code of git revision ``REV``
  (``collab_analytics/widgets``, ``collab_analytics/charts`` and the cadence tab's metric
  modules ``metrics/cadence.py`` and ``metrics/schedule.py`` taken from it, everything else
  from the working tree). Both versions run in their own worker process on the same generated
  portfolio and are measured alternately, tab by tab, so both see the same machine load.

usage: .venv/bin/python benchmarks/bench_widgets.py [--tasks N] [--repeat R] [--tabs delivery,...]
       [--tab-budget S] [--before REV]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TAB_KEYS = ("delivery", "bottlenecks", "cadence", "escalation", "raci", "forecast")


def _median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def baseline_read_parquet(tasks, repeat: int) -> float:
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.parquet"
        tasks.to_parquet(path)
        times = []
        for _ in range(repeat * 3):
            t = time.perf_counter()
            pd.read_parquet(path, dtype_backend="pyarrow")  # list columns need the Arrow types
            times.append((time.perf_counter() - t) * 1000)
    return _median(times)


# ---------------------------------------------------------------------------- one version
class Session:
    """One dashboard on one generated portfolio, measured tab by tab."""

    def __init__(self, n_tasks: int):
        from collab_analytics import sample
        from collab_analytics.widgets import RetrospectiveDashboard

        per_project = 100
        t = time.perf_counter()
        self.data = sample.portfolio(
            n_projects=max(1, n_tasks // per_project), tasks_per_project=per_project, seed=7
        )
        self.generate_s = time.perf_counter() - t
        t = time.perf_counter()
        self.dash = RetrospectiveDashboard(self.data)
        self.construct_s = time.perf_counter() - t
        dash = self.dash
        depts = list(dash.departments.options)
        projects = list(dash.projects.options)
        sel = [((), c) for c in itertools.combinations(depts, 1)]
        sel += [((), c) for c in itertools.combinations(depts, 2)]
        sel += [(tuple(projects[i : i + 3]), ()) for i in range(0, 3 * 8, 3)]
        self.selections = sel
        # the first selection builds the filter index (once per dataset): reported on its own
        t = time.perf_counter()
        dash.departments.value = (depts[-1],)
        self.first_ms = (time.perf_counter() - t) * 1000

    def info(self) -> dict:
        import collab_analytics

        d = self.data
        return {
            "source": str(Path(collab_analytics.__file__).parent),
            "tasks": len(d.tasks),
            "updates": len(d.updates),
            "meetings": len(d.meetings),
            "actions": len(d.actions),
            "generate_s": self.generate_s,
            "construct_s": self.construct_s,
            "first_ms": self.first_ms,
        }

    def _clear_caches(self) -> None:
        for value in vars(self.dash).values():
            if isinstance(value, OrderedDict):  # every per-selection cache of the dashboard
                value.clear()
        from collab_analytics.widgets import _panels

        shared = getattr(_panels, "_REPORTS", None)  # older versions shared reports here
        if isinstance(shared, dict):
            shared.clear()

    def measure_tab(self, tab: str, rep: int, budget: float) -> dict:
        """Filter changes to unseen selections on ``tab`` (half of the selections per rep)."""
        from collab_analytics.widgets import TABS

        dash = self.dash
        dash.tabs.selected_index = TABS.index(tab)
        self._clear_caches()
        walls, rows = [], []
        started = time.perf_counter()
        for proj, dep in self.selections[rep % 2 :: 2]:
            if walls and time.perf_counter() - started > budget:
                break
            dash._muted = True  # set both controls, then one update
            dash.projects.value = proj
            dash.departments.value = dep
            dash._muted = False
            t = time.perf_counter()
            dash.refresh()  # what a control's observer calls
            walls.append((time.perf_counter() - t) * 1000)
            rows.append(dict(dash.last_timings))
        return {"walls": walls, "rows": rows}

    def cached(self) -> list[float]:
        dash = self.dash
        dash.tabs.selected_index = 0
        depts = list(dash.departments.options)
        hits = []
        for dep in depts[:4] * 2:
            t = time.perf_counter()
            dash.departments.value = (dep,)
            hits.append((time.perf_counter() - t) * 1000)
        return hits[4:]


def worker(n_tasks: int) -> None:
    """Line protocol on stdin/stdout (JSON), used by ``--before``."""
    session = Session(n_tasks)
    out = sys.stdout
    out.write(json.dumps(session.info()) + "\n")
    out.flush()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "tab":
            res = session.measure_tab(cmd["tab"], cmd["rep"], cmd["budget"])
        elif cmd["cmd"] == "cached":
            res = {"walls": session.cached()}
        else:
            break
        out.write(json.dumps(res) + "\n")
        out.flush()


class Remote:
    """A worker process running the package found in ``src``."""

    def __init__(self, name: str, src: Path, n_tasks: int):
        self.name = name
        env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--tasks", str(n_tasks)]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=src
        )
        self.info = self._read()
        if Path(self.info["source"]).resolve() != (src / "collab_analytics").resolve():
            msg = f"{name}: worker imported {self.info['source']}, expected {src}"
            raise SystemExit(msg)

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            msg = f"{self.name}: worker ended early (exit code {self.proc.wait()})"
            raise SystemExit(msg)
        return json.loads(line)

    def call(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)


#: What ``--before REV`` takes from ``REV`` (the rest of the package is the working tree's).
BEFORE_PATHS = (
    "collab_analytics/widgets",
    "collab_analytics/charts",
    "collab_analytics/metrics/cadence.py",
    "collab_analytics/metrics/schedule.py",
)


def _source_at(rev: str, tmp: Path) -> Path:
    """The working tree's package with :data:`BEFORE_PATHS` as they were at ``rev``."""
    src = tmp / "src"
    shutil.copytree(
        REPO / "collab_analytics",
        src / "collab_analytics",
        ignore=shutil.ignore_patterns("__pycache__", "widgets", "charts"),
    )
    for name in BEFORE_PATHS:
        if name.endswith(".py"):
            (src / name).unlink(missing_ok=True)
    tar = subprocess.run(
        ["git", "archive", rev, *BEFORE_PATHS],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(src, filter="data")
    return src


# ---------------------------------------------------------------------------- report
def _steps(rows: list[dict]) -> str:
    keys = [k for k in (rows[0] if rows else {}) if k != "total" and ":" not in k]
    return ", ".join(f"{k} {_median(r.get(k, 0) for r in rows):.0f}" for k in keys)


def _chart_lines(rows: list[dict]) -> list[tuple[str, float, float]]:
    keys = sorted({k.split(":", 1)[1] for r in rows for k in r if k.startswith("build:")})
    return [
        (
            key,
            _median(r[f"build:{key}"] for r in rows if f"build:{key}" in r),
            _median(r[f"spec:{key}"] for r in rows if f"spec:{key}" in r),
        )
        for key in keys
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tabs", default=",".join(TAB_KEYS), help="comma-separated tabs to measure")
    ap.add_argument(
        "--tab-budget",
        type=float,
        default=20.0,
        help="seconds per tab and repetition; slow tabs are measured on fewer changes (n)",
    )
    ap.add_argument("--before", metavar="REV", help="also measure widgets/charts of git REV")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.tasks)
        return
    tabs = args.tabs.split(",")
    unknown = [t for t in tabs if t not in TAB_KEYS]
    if unknown:
        msg = f"unknown tabs {unknown}; expected some of {list(TAB_KEYS)}"
        raise SystemExit(msg)
    print(f"load average (1, 5, 15 min) at start: {_loadavg()}")

    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            versions = {
                "before": Remote("before", _source_at(args.before, Path(tmp)), args.tasks),
                "after": Remote("after", REPO, args.tasks),
            }
        else:
            versions = {"now": Session(args.tasks)}
        try:
            _run(versions, tabs, args)
        finally:
            for v in versions.values():
                if isinstance(v, Remote):
                    v.close()


def _call(v, **cmd) -> dict:
    if isinstance(v, Remote):
        return v.call(**cmd)
    if cmd["cmd"] == "cached":
        return {"walls": v.cached()}
    return v.measure_tab(cmd["tab"], cmd["rep"], cmd["budget"])


def _run(versions: dict, tabs: list[str], args) -> None:
    names = list(versions)
    for name, v in versions.items():
        info = v.info if isinstance(v, Remote) else v.info()
        print(
            f"[{name}] {info['source']}: {info['tasks']:,} tasks, {info['updates']:,} updates, "
            f"{info['meetings']:,} meetings, {info['actions']:,} actions "
            f"(generated in {info['generate_s']:.1f} s); dashboard construction "
            f"{info['construct_s']:.2f} s; first filter change (builds the filter index) "
            f"{info['first_ms']:.0f} ms"
        )
    from collab_analytics import sample

    probe = sample.portfolio(n_projects=max(1, args.tasks // 100), tasks_per_project=100, seed=7)
    base = baseline_read_parquet(probe.tasks, args.repeat)
    del probe
    print(f"baseline read_parquet(tasks): {base:.1f} ms\n")

    results: dict[str, dict[str, dict]] = {n: {} for n in names}
    loads: dict[str, str] = {}
    for tab in tabs:
        for rep in range(args.repeat):
            order = names if rep % 2 == 0 else names[::-1]  # alternate who goes first
            for name in order:
                res = _call(versions[name], cmd="tab", tab=tab, rep=rep, budget=args.tab_budget)
                acc = results[name].setdefault(tab, {"walls": [], "rows": []})
                acc["walls"] += res["walls"]
                acc["rows"] += res["rows"]
        loads[tab] = _loadavg()
        for name in names:
            r = results[name][tab]
            med = _median(r["walls"])
            print(
                f"[{name:<6}] [{tab:<11}] filter change → new KPIs + specs: median "
                f"{med:8.1f} ms (n={len(r['walls'])}, ×{med / base:.1f} read_parquet; "
                f"steps: {_steps(r['rows'])}; load {loads[tab]})"
            )
            for key, b, s in _chart_lines(r["rows"]):
                print(f"      chart {key:<24} build {b:6.1f} ms + to_spec {s:6.1f} ms")
        sys.stdout.flush()

    print("\nper-tab medians (ms), filter change to an unseen selection:")
    head = "".join(f"{n:>12}" for n in names)
    ratio = "   after/before" if names == ["before", "after"] else ""
    print(f"  {'tab':<12}{head}{ratio}   load at tab end")
    for tab in tabs:
        meds = [_median(results[n][tab]["walls"]) for n in names]
        cells = "".join(f"{m:12.1f}" for m in meds)
        extra = f"{meds[1] / meds[0]:15.3f}" if ratio else ""
        print(f"  {tab:<12}{cells}{extra}   {loads[tab]}")
    for name in names:
        hits = _call(versions[name], cmd="cached")["walls"]
        print(f"[{name:<6}] back to a seen selection (cache hit): median {_median(hits):.1f} ms")
    print(f"load average (1, 5, 15 min) at end: {_loadavg()}")


if __name__ == "__main__":
    main()
