"""Robustness benchmark: peak memory and time of loading a ~200 MB CSV, and of refusals.

Each measurement runs in a fresh subprocess (so peak RSS belongs to that load alone) and
reports the median of ``--repeat`` runs:

* ``import``          — ``import collab_analytics`` only (the floor);
* ``bare_read``       — ``pd.read_csv(engine="pyarrow")`` of the file (the baseline);
* ``load``            — ``collab_analytics.load`` of the file (parse, validate, accounting);
* ``refuse_rows``     — the same file with ``limits={"max_rows": 100_000}``: refused by a
  line count before parsing;
* ``refuse_zip_bomb`` — ``tests/data/bad/zip_bomb.xlsx`` (256 MiB sheet XML in 255 KB).

The input (about 1.85M task rows, ISO dates, Chinese headers) is generated with the
``bench_load`` generator into ``benchmarks/_data/`` (git-ignored) and reused.
Run: ``.venv/bin/python benchmarks/bench_robustness.py [--mb 200] [--repeat 3]``.
The figures are quoted in ``docs/robustness.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
ROOT = HERE.parent

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
kind, path = sys.argv[1], sys.argv[2]
rows = None
outcome = "ok"
if kind == "import":
    import collab_analytics
elif kind == "bare_read":
    import pandas as pd
    rows = len(pd.read_csv(path, engine="pyarrow"))
else:
    import collab_analytics as ca
    from collab_analytics import CollabError
    lim = {"max_rows": 100_000} if kind == "refuse_rows" else None
    try:
        td = ca.load(path, limits=lim)
        acc = td.accounting
        assert (acc.rows_read == acc.rows_loaded + acc.rows_rejected).all()
        rows = int(acc.rows_read.sum())
    except CollabError as exc:
        outcome = type(exc).__name__
elapsed = time.perf_counter() - t0
# VmHWM (peak RSS of this program image; ru_maxrss would keep the parent's peak across exec)
with open("/proc/self/status") as fh:
    hwm = [ln for ln in fh if ln.startswith("VmHWM:")]
peak_mb = (int(hwm[0].split()[1]) if hwm else resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps({"peak_mb": peak_mb, "seconds": elapsed, "rows": rows, "outcome": outcome}))
"""


def make_csv(mb: int) -> Path:
    path = DATA / f"tasks_{mb}mb_zh.csv"
    if path.exists():
        return path
    sys.path.insert(0, str(HERE))
    from bench_load import make_tasks

    DATA.mkdir(exist_ok=True)
    n = int(mb * 1024 * 1024 / 109.3)  # bench_load rows are ~109 bytes
    make_tasks(n, "zh").to_csv(path, index=False)
    return path


def run(kind: str, path: Path, repeat: int) -> dict:
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "peak_mb": statistics.median(r["peak_mb"] for r in results),
        "seconds": statistics.median(r["seconds"] for r in results),
        "rows": results[0]["rows"],
        "outcome": results[0]["outcome"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = make_csv(args.mb)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"input: {path.name}, {size_mb:.0f} MB")
    bomb = ROOT / "tests" / "data" / "bad" / "zip_bomb.xlsx"
    rows = {}
    for kind, p in (
        ("import", path),
        ("bare_read", path),
        ("load", path),
        ("refuse_rows", path),
        ("refuse_zip_bomb", bomb),
    ):
        r = run(kind, p, args.repeat)
        rows[kind] = r
        print(
            f"{kind:<16} peak RSS {r['peak_mb']:8.0f} MB   {r['seconds']:6.2f} s   "
            f"rows={r['rows']}   outcome={r['outcome']}"
        )
    base, load = rows["bare_read"], rows["load"]
    floor = rows["import"]["peak_mb"]
    n = load["rows"] or 1
    print(
        f"load / bare read: memory {load['peak_mb'] / base['peak_mb']:.2f}x, "
        f"time {load['seconds'] / base['seconds']:.2f}x"
    )
    print(
        f"load peak over import floor: {load['peak_mb'] - floor:.0f} MB "
        f"= {(load['peak_mb'] - floor) * 1024 * 1024 / n:.0f} bytes/row, "
        f"{(load['peak_mb'] - floor) / size_mb:.1f}x the file size"
    )


if __name__ == "__main__":
    main()
