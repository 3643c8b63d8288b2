"""Benchmark: chart specs, PPTX deck and HTML report from a 100k-task portfolio.

Targets (issue #5): all chart specs built ≤ 1 s; full deck written ≤ 15 s; HTML ≤ 5 s.
Prints the median of several runs of each step and its ratio to a baseline measured in the same
run (serialising the tasks table to Parquet in memory), so noisy shared machines stay comparable,
and the load average before and after (the machine is shared). "chart specs" builds every chart
of the report (deck/PNG charts and the HTML-only linked view) and serialises each to its
Vega-Lite dict; the per-chart split of the slowest ones is printed too.

usage: python benchmarks/bench_export.py [--tasks 100000] [--runs 3] [--lang zh]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from collab_analytics import sample
from collab_analytics.charts.theme import to_spec
from collab_analytics.export.html import javascript_bundle, render_html
from collab_analytics.export.images import register_fonts
from collab_analytics.export.pptx import write_deck
from collab_analytics.export.report import (
    build_charts,
    build_content,
    compute_metrics,
    interactive_charts,
)

TARGETS = {"chart specs": 1.0, "deck (pptx)": 15.0, "html": 5.0}


def _median(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lang", default="zh", choices=["zh", "en"])
    args = ap.parse_args()
    print(f"before: {_load()}")
    per_project = 50
    t0 = time.perf_counter()
    td = sample.portfolio(
        n_projects=max(args.tasks // per_project, 1),
        tasks_per_project=per_project,
        seed=0,
        cadence_failures=0.1,
    )
    print(
        f"portfolio: {len(td.tasks):,} tasks, {len(td.updates):,} updates, "
        f"{len(td.meetings):,} meetings ({time.perf_counter() - t0:.1f} s to generate)"
    )
    register_fonts()
    javascript_bundle()  # one-time load of the inline JS (cached per process)

    base, _ = _median(
        lambda: td.tasks.drop(columns=["depends_on"]).to_parquet(io.BytesIO()), args.runs
    )
    t_metrics, metrics = _median(lambda: compute_metrics(td), 1)
    content = build_content(td, lang=args.lang, metrics=metrics)

    def specs():
        charts = build_charts(td, metrics, lang=args.lang)
        charts |= interactive_charts(td, metrics, lang=args.lang)
        return [to_spec(c) for c in charts.values()]

    t_specs, spec_list = _median(specs, args.runs)
    per_chart = {}
    for key, chart in build_charts(td, metrics, lang=args.lang).items():
        per_chart[key], _ = _median(lambda c=chart: to_spec(c), args.runs)
    rows = max(len(ds) for s in spec_list for ds in s.get("datasets", {}).values())
    tmp = Path(tempfile.mkdtemp())
    t_deck, _ = _median(lambda: write_deck(content, tmp / "deck.pptx"), args.runs)
    t_html, page = _median(lambda: render_html(content), args.runs)

    print(f"baseline (tasks → parquet in memory): {base:.3f} s")
    print(f"metrics for the report (once, not a target): {t_metrics:.2f} s")
    print(
        f"{len(spec_list)} charts ({len(content.charts)} slides); "
        f"largest embedded dataset: {rows:,} rows; HTML size {len(page) / 1e6:.1f} MB"
    )
    slow = sorted(per_chart.items(), key=lambda kv: -kv[1])[:4]
    print("slowest to_spec alone: " + ", ".join(f"{k} {v:.3f} s" for k, v in slow))
    print(f"{'step':<14}{'median s':>10}{'target s':>10}{'x baseline':>12}  ok")
    for name, t in (("chart specs", t_specs), ("deck (pptx)", t_deck), ("html", t_html)):
        ok = "yes" if t <= TARGETS[name] else "NO"
        print(f"{name:<14}{t:>10.2f}{TARGETS[name]:>10.1f}{t / base:>12.1f}  {ok}")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
