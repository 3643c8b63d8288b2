"""Run every benchmark script in this folder, one after the other, and echo their output.

Usage: ``.venv/bin/python benchmarks/run_all.py [NAME ...]`` (names like ``load``, ``delivery``).
Each script prints medians of several runs next to a baseline measured in the same run.
Benchmarks are not tests: they never fail on a slow machine, they report.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ORDER = ("load", "delivery", "communication", "export", "widgets", "robustness")


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(ORDER)
    status = 0
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"== {name}: no such benchmark ({script.name})")
            status = 1
            continue
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"== {script.name} finished in {time.perf_counter() - t0:.0f} s (exit {rc})\n")
        status = status or rc
    return status


if __name__ == "__main__":
    raise SystemExit(main())
