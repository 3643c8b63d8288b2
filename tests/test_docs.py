"""Every code example in README.md and docs/ runs as written.

``>>>`` examples are doctests (their printed output is compared). Plain ``python`` blocks run
top to bottom, one file at a time, in a scratch folder that holds the bundled ``data/``; the
file names the docs use for "your workbook" stand for the bundled sample there.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
#: names the docs give to the reader's own workbook → the bundled sample
PLACEHOLDERS = {
    "跨部门协作沟通计划与跟踪表.xlsx": "data/smart_cs_launch.xlsx",
    "跟踪表.xlsx": "data/smart_cs_launch.xlsx",
    "…xlsx": "data/smart_cs_launch.xlsx",
}
#: files the docs read that stand for the reader's own export
FILES = {
    "jira.csv": "Issue key,Summary,Status,Assignee,Component/s,Due date,Resolved,"
    "Custom field (Start date)\n"
    "P-1,Collect pain points,Resolved,Alice,Support,2024-07-10,2024-07-09,2024-07-01\n"
    "P-2,Build,In Review,Bob,Engineering,2024-08-20,,2024-07-11\n",
}
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(path: Path) -> list[str]:
    return [b for b in BLOCK.findall(path.read_text(encoding="utf-8")) if ">>>" not in b]


def _script(path: Path) -> str:
    code = "\n".join(_blocks(path))
    for name, real in PLACEHOLDERS.items():
        code = code.replace(f'"{name}"', f'"{real}"')
    return code


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_doctest_examples_in_docs(path):
    res = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        encoding="utf-8",
    )
    assert res.failed == 0


WITH_CODE = [p for p in DOCS if _blocks(p)]


def test_docs_hold_python_examples():
    names = {p.name for p in WITH_CODE}
    assert {"README.md", "charts.md", "data-model.md", "notebooks.md"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", WITH_CODE, ids=lambda p: p.name)
def test_python_examples_in_docs_run(path, tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    script = tmp_path / "example.py"
    script.write_text(_script(path), encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "error::FutureWarning"}
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
