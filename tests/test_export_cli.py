"""The ``collab-analytics report`` subcommand, end to end on a real workbook file."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics import sample
from collab_analytics.cli import main
from collab_analytics.io import write_workbook


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    td = sample.portfolio(n_projects=1, tasks_per_project=20, seed=5, cadence_failures=0.2)
    return write_workbook(td, tmp_path_factory.mktemp("wb") / "tracking.xlsx", lang="zh")


@pytest.mark.slow
def test_report_writes_and_prints(workbook, tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(
        [
            "report",
            str(workbook),
            "--out",
            str(out),
            "--lang",
            "en",
            "--format",
            "html,xlsx",
            "--working-days",
            "--quiet",
        ]
    )
    text = capsys.readouterr().out
    assert rc == 0
    assert "Key indicators:" in text and "On-time completion rate" in text
    assert str(out / "report.html") in text and str(out / "tables.xlsx") in text
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "report.html",
        "tables.xlsx",
    ]
    # running again overwrites its own files
    assert main(["report", str(workbook), "--out", str(out), "--format", "html", "--quiet"]) == 0


def test_report_refuses_to_overwrite_foreign_files(workbook, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("someone else's", encoding="utf-8")
    rc = main(["report", str(workbook), "--out", str(out), "--format", "html", "--quiet"])
    assert rc == 2
    assert "Refusing to overwrite" in capsys.readouterr().err
    assert (out / "report.html").read_text(encoding="utf-8") == "someone else's"


def test_report_bad_input_prints_validation_report(tmp_path, capsys):
    bad = tmp_path / "tasks.csv"
    pd.DataFrame({"任务名称": ["需求评审"], "负责部门": ["产品部"], "计划完成": ["待定"]}).to_csv(
        bad, index=False
    )
    rc = main(["report", str(bad), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "数据校验未通过" in err and "计划完成" in err
    assert not (tmp_path / "out" / "report.pptx").exists()


def test_report_unknown_format_is_a_usage_error(workbook, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", str(workbook), "--out", str(tmp_path), "--format", "pdf"])
    assert exc.value.code == 2
    assert "unknown format(s) ['pdf']" in capsys.readouterr().err


@pytest.mark.slow
def test_report_compare_as_of_adds_deltas(workbook, tmp_path, capsys):
    from collab_analytics.io import load

    td = load(workbook)
    before = (td.as_of - pd.Timedelta(days=20)).strftime("%Y-%m-%d")
    out = tmp_path / "out"
    rc = main(
        [
            "report",
            str(workbook),
            "--out",
            str(out),
            "--lang",
            "en",
            "--format",
            "html,xlsx",
            "--compare-as-of",
            before,
            "--quiet",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Period-over-period" in html and f"Before ({before})" in html
    sheets = pd.read_excel(out / "tables.xlsx", sheet_name=None, engine="openpyxl")
    cmp = sheets["Period-over-period"]
    assert cmp.columns[0] == "Indicator" and "On-time rate" in set(cmp["Indicator"])


def test_report_deadline_reaches_the_forecast(tmp_path, capsys):
    from pathlib import Path

    wb = Path(__file__).resolve().parents[1] / "data" / "smart_cs_launch.xlsx"
    out = tmp_path / "out"
    args = ["report", str(wb), "--out", str(out), "--lang", "en", "--format", "xlsx", "--quiet"]
    assert main([*args, "--deadline", "2024-10-31"]) == 0, capsys.readouterr().err
    sheets = pd.read_excel(out / "tables.xlsx", sheet_name=None, engine="openpyxl")
    texts = " ".join(sheets["Findings"].iloc[:, 1].astype(str))
    assert "chance to finish by the deadline 2024-10-31" in texts
    assert main(args) == 0  # without a deadline: compared with the last planned finish
    sheets = pd.read_excel(out / "tables.xlsx", sheet_name=None, engine="openpyxl")
    texts = " ".join(sheets["Findings"].iloc[:, 1].astype(str))
    assert "deadline" not in texts and "last planned finish 2024-09-23" in texts
