"""Every notebook runs top to bottom on the bundled sample and is stored as its generator writes it.

Notebooks execute in a copy under a temporary directory (their exports land there, never in the
repository) with nbclient; any cell error fails the test with the cell's traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
DATA = NOTEBOOKS.parent / "data"
EXPECTED = (
    "retrospective.ipynb",
    "pmo_portfolio.ipynb",
    "export_to_slides.ipynb",
    "data_quality.ipynb",
    "dashboard.ipynb",
)
CELL_TIMEOUT = 120


def test_every_expected_notebook_exists():
    present = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(EXPECTED) == present


@pytest.mark.parametrize("name", EXPECTED)
def test_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    nbformat.validate(nb)


def test_generator_reproduces_stored_notebooks(tmp_path):
    """``notebooks/_build.py`` is the source: the stored files are exactly what it writes."""
    subprocess.run(
        [sys.executable, str(NOTEBOOKS / "_build.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in EXPECTED:
        built = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        stored = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        assert built == stored, f"{name} is stale: run `python notebooks/_build.py`"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_executes(name, tmp_path):
    # the notebooks read the bundled workbooks at ../data, as they do in the repository
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy2(NOTEBOOKS / name, work / name)
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("csv"))
    nb = nbformat.read(work / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:  # show the notebook's own traceback
        pytest.fail(f"{name} failed:\n{exc}", pytrace=False)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "error"
    ]
    assert errors == []
