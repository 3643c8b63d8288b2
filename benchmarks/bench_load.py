"""Load benchmark: public API vs a bare read of the same file.

* 1M task rows (ISO dates, zh or en headers) as CSV and Parquet: ``collab_analytics.load``
  vs ``pd.read_csv(engine="pyarrow")`` / ``pd.read_parquet`` (target: ratio ≤ 2).
* 100k task rows as ``.xlsx`` through ``load`` (target: ≤ 5 s).
* ``python -c "import collab_analytics"`` (target: ≤ 0.5 s).

Bare read and load run alternately; the ratio is the median of the per-pair ratios, and the
1-minute load average before and after is printed (the machine is shared).

Inputs are generated with numpy into ``benchmarks/_data/`` (git-ignored) and reused.
Run: ``.venv/bin/python benchmarks/bench_load.py [--rows 1000000] [--repeat 5] [--lang en]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "_data"

HEAD = {
    "zh": [
        "项目名称",
        "任务编号",
        "任务名称",
        "负责部门",
        "负责人",
        "阶段",
        "计划开始",
        "计划完成",
        "实际开始",
        "实际完成",
        "状态",
        "进度",
        "前置任务",
    ],
    "en": [
        "Project",
        "Task ID",
        "Task",
        "Department",
        "Owner",
        "Phase",
        "Planned start",
        "Planned finish",
        "Actual start",
        "Actual finish",
        "Status",
        "Progress",
        "Depends on",
    ],
}
STATUS = {
    "zh": ["未开始", "正常", "滞后", "阻塞", "已完成", "提前完成"],
    "en": ["Not started", "On track", "Delayed", "Blocked", "Done", "Done early"],
}
DEPTS = ["客服部", "产品部", "技术部", "市场部", "运营部", "法务部", "财务部", "销售部"]


def make_tasks(n: int, lang: str, seed: int = 7, per_project: int = 50) -> pd.DataFrame:
    """n task rows, vectorised: projects of ``per_project`` chained tasks, ISO dates."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    proj = i // per_project
    pos = i % per_project
    ids = pd.Series(i).astype("str").str.zfill(7)
    task_id = "T" + ids
    start = np.datetime64("2024-01-01") + (pos * 3 + rng.integers(0, 30, n)).astype(
        "timedelta64[D]"
    )
    dur = rng.integers(1, 15, n).astype("timedelta64[D]")
    finish = start + dur
    slip = rng.integers(-3, 8, n).astype("timedelta64[D]")
    done = rng.random(n) < 0.6
    a_start = np.where(
        rng.random(n) < 0.8,
        start + rng.integers(0, 3, n).astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    a_finish = np.where(done, finish + slip, np.datetime64("NaT"))
    a_finish = np.where(a_finish < a_start, a_start, a_finish)
    # open tasks past their planned finish (as of the latest date) are delayed or blocked,
    # as in a kept-up sheet; the rest are not started / on track
    as_of = np.max(np.where(done, a_finish, a_start).astype("datetime64[D]").astype("int64"))
    late = ~done & (finish.astype("int64") < as_of)
    status = np.where(done, 4, np.where(late, rng.integers(2, 4, n), rng.integers(0, 2, n)))
    dep = np.where(pos > 0, "T" + pd.Series(i - 1).astype("str").str.zfill(7), None)
    dep = np.where(rng.random(n) < 0.5, dep, None)
    h = HEAD[lang]
    return pd.DataFrame(
        {
            h[0]: "P" + pd.Series(proj).astype("str").str.zfill(5),
            h[1]: task_id,
            h[2]: ("任务" if lang == "zh" else "Task ") + ids,
            h[3]: np.array(DEPTS)[rng.integers(0, len(DEPTS), n)],
            h[4]: np.array(["王敏", "李强", "张伟", "刘洋", "陈静"])[rng.integers(0, 5, n)],
            h[5]: np.array(["需求", "开发", "测试", "上线"])[np.minimum(pos * 4 // per_project, 3)],
            h[6]: pd.to_datetime(start).strftime("%Y-%m-%d"),
            h[7]: pd.to_datetime(finish).strftime("%Y-%m-%d"),
            h[8]: pd.Series(pd.to_datetime(a_start)).dt.strftime("%Y-%m-%d"),
            h[9]: pd.Series(pd.to_datetime(a_finish)).dt.strftime("%Y-%m-%d"),
            h[10]: np.array(STATUS[lang])[status],
            h[11]: np.where(done, 100, rng.integers(0, 100, n)),
            h[12]: dep,
        }
    )


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired_times(bare, fn, repeat: int) -> tuple[float, float, float, float, float]:
    """Medians of ``bare`` and ``fn`` run alternately, the median of per-pair wall-time
    ratios, and the medians of their CPU times (all threads of the process: a fairer
    comparison when the shared machine is loaded)."""
    tb, tf, cb, cf = [], [], [], []
    for _ in range(repeat):
        for f, out, cpu in ((bare, tb, cb), (fn, tf, cf)):
            c0, t0 = time.process_time(), time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    ratio = statistics.median(b / a for a, b in zip(tb, tf, strict=True))
    med = statistics.median
    return med(tb), med(tf), ratio, med(cb), med(cf)


def write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """Write a task sheet with a title row above the header (write-only mode: fast)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("任务跟踪子表")
    ws.append(["表2:任务跟踪子表"])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = ap.parse_args()

    from collab_analytics import load

    DATA.mkdir(exist_ok=True)
    csv = DATA / f"tasks_{args.rows}_{args.lang}.csv"
    pq = DATA / f"tasks_{args.rows}_{args.lang}.parquet"
    xlsx = DATA / f"tasks_{args.xlsx_rows}_{args.lang}.xlsx"
    if not csv.exists() or not pq.exists():
        t0 = time.perf_counter()
        df = make_tasks(args.rows, args.lang)
        df.to_csv(csv, index=False)
        typed = df.copy()  # Parquet keeps real date columns
        for c in HEAD[args.lang][6:10]:
            typed[c] = pd.to_datetime(typed[c])
        typed.to_parquet(pq, index=False)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s")
    if not xlsx.exists():
        t0 = time.perf_counter()
        write_xlsx(make_tasks(args.xlsx_rows, args.lang), xlsx)
        print(f"generated {xlsx.name} in {time.perf_counter() - t0:.1f}s")

    td = load(csv)
    assert len(td.tasks) == args.rows, td.summary()
    print(f"check: {len(td.tasks):,} tasks, {len(td.errors)} errors, {len(td.warnings)} warnings")

    load_avg = [os.getloadavg()[0]]
    res = {}
    # bare read and load alternate, so both see the same machine load (shared 2-core box)
    cpu = {}
    res["csv_bare"], res["csv_load"], res["csv_ratio"], *cpu["csv"] = paired_times(
        lambda: pd.read_csv(csv, engine="pyarrow"), lambda: load(csv), args.repeat
    )
    res["pq_bare"], res["pq_load"], res["pq_ratio"], *cpu["pq"] = paired_times(
        lambda: pd.read_parquet(pq), lambda: load(pq), args.repeat
    )
    load_avg.append(os.getloadavg()[0])
    res["xlsx_load"] = median_time(lambda: load(xlsx), max(1, args.repeat - 1))
    imp = []
    for _ in range(max(3, args.repeat)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import collab_analytics"], check=True)
        imp.append(time.perf_counter() - t0)
    base = []
    for _ in range(max(3, args.repeat)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)

    print(f"\n{'case':<34}{'median s':>10}{'ratio':>8}{'target':>10}{'CPU s':>8}{'ratio':>7}")
    for key, bare_label, label in (
        ("csv", "CSV  pd.read_csv(pyarrow)", "CSV  collab_analytics.load"),
        ("pq", "Parquet pd.read_parquet", "Parquet collab_analytics.load"),
    ):
        cb, cf = cpu[key]
        print(f"{bare_label:<34}{res[key + '_bare']:>10.3f}{'':>18}{cb:>8.3f}")
        print(
            f"{label:<34}{res[key + '_load']:>10.3f}"
            f"{res[key + '_ratio']:>8.2f}{'<= 2.0':>10}{cf:>8.3f}{cf / cb:>7.2f}"
        )
    print(
        f"{f'XLSX {args.xlsx_rows:,} rows load':<34}{res['xlsx_load']:>10.3f}{'':>8}{'<= 5 s':>10}"
    )
    imp_m, base_m = statistics.median(imp), statistics.median(base)
    print(f"{'import collab_analytics (process)':<34}{imp_m:>10.3f}{'':>8}{'<= 0.5 s':>10}")
    print(f"{'  python -c pass (baseline)':<34}{base_m:>10.3f}")
    print(
        f"ratio = median of per-pair ratios (bare and load alternate); 1-min load average "
        f"{load_avg[0]:.2f} → {load_avg[1]:.2f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
