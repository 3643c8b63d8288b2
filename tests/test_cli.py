"""The collab-analytics command: validate and template."""

from __future__ import annotations

import subprocess
import sys

import pytest
from _io_builders import TASKS, seed_workbook, tasks_csv

from collab_analytics.cli import main


def test_template_then_validate_is_clean(tmp_path, capsys):
    out = tmp_path / "模板.xlsx"
    assert main(["template", str(out), "--lang", "zh"]) == 0
    assert out.exists() and "已写入模板" in capsys.readouterr().out
    assert main(["validate", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "errors: 0   warnings: 0" in text


def test_validate_reports_errors_with_location_and_exit_1(tmp_path, capsys):
    rows = [list(r) for r in TASKS]
    rows[1][5] = "待定"
    p = tasks_csv(tmp_path, [tuple(r) for r in rows])
    assert main(["validate", str(p)]) == 1
    text = capsys.readouterr().out
    assert "错误: 1" in text
    assert "tasks.csv › row 3 › 计划完成 = '待定': Not a date." in text


def test_validate_strict_fails_on_warnings(tmp_path, capsys):
    p = seed_workbook(tmp_path / "seed.xlsx")  # one rejected row → one warning
    assert main(["validate", str(p)]) == 0
    out = capsys.readouterr().out
    assert "被拒绝的行" in out and "row 8: no task (任务名称)" in out
    assert main(["validate", str(p), "--strict"]) == 1


def test_validate_unreadable_input_exit_2_without_traceback(tmp_path, capsys):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 'broken.xlsx' is a damaged workbook")
    assert "Traceback" not in err


def test_console_script_entry_point(tmp_path):
    p = tasks_csv(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "collab_analytics.cli", "validate", str(p), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "tasks            3       3         0" in r.stdout


def test_validate_reads_another_tool_export_with_column_and_status_options(tmp_path, capsys):
    p = tmp_path / "export.csv"
    p.write_text(
        "Key,Summary,Status,Team,Deadline,Finished on\n"
        "P-1,Collect,Resolved,Support,2024-07-10,2024-07-09\n"
        "P-2,Build,Waiting,Engineering,2024-08-20,\n",
        encoding="utf-8",
    )
    assert main(["validate", str(p), "--lang", "en"]) == 0
    assert "unknown status" in capsys.readouterr().out.lower()
    argv = ["validate", str(p), "--lang", "en", "--strict", "--column", "Finished on=actual_finish"]
    argv += ["--status", "Resolved=done", "--status", "Waiting=blocked"]
    assert main(argv) == 0
    assert "errors: 0   warnings: 0" in capsys.readouterr().out
    argv = ["validate", str(p), "--column", "Finished on=foo"]
    assert main(argv) == 2
    assert "'foo' is not a canonical column" in capsys.readouterr().err


def test_column_option_needs_header_equals_column(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(tmp_path), "--column", "Summary"])
    assert exc.value.code == 2
    assert "--column expects HEADER=COLUMN, got 'Summary'" in capsys.readouterr().err
