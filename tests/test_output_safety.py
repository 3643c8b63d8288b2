"""Safe outputs: user text never becomes code, files land only under ``--out``, and the
default views are blame-free (departments, not people).

* HTML: hostile task names, departments, plan items, project names, meeting topics and
  update notes are escaped in the markup and, in headless Chromium, no script from the data
  runs and no element is injected.
* CSV/XLSX: cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR are neutralised; the
  report's ``tables.xlsx`` holds no formula.
* CLI/OutputDir: writes only under the output folder, never over a foreign file, never
  through ``..``, absolute paths or symlinks pointing out.
* Blame-free: person-level (owner) views are opt-in and hide groups smaller than
  ``min_group_size``; the default report names no task owner.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from collab_analytics import sample
from collab_analytics._errors import UnsafePathError
from collab_analytics.cli import main
from collab_analytics.export._paths import MANIFEST, OutputDir
from collab_analytics.export.tables import neutralize_formulas, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = {
    "task": '"><img src=x onerror=alert(1)>',
    "department": "研发部'><svg onload=alert(2)>",
    "plan_item": "</script><script>alert(3)</script>",
    "project": "<iframe src=javascript:alert(4)>",
    "topic": '<a href="javascript:alert(5)">topic</a>',
    "note": "<body onload=alert(6)>",
}


def _hostile_data():
    """The seed project with hostile text in every kind of user field."""
    td = sample.smart_cs_launch()
    p = PAYLOADS
    tasks = td.tasks.copy()
    tasks.loc[tasks.index[0], "task"] = p["task"]
    # late, so it is listed in the appendix table too
    tasks.loc[tasks.index[0], "actual_finish"] = tasks["planned_finish"].iloc[0] + pd.Timedelta(
        days=9
    )
    dept = "技术部"
    tasks["department"] = tasks["department"].replace(dept, p["department"])
    raci = td.raci.copy()
    raci["department"] = raci["department"].replace(dept, p["department"])
    contacts = td.contacts.copy()
    contacts["department"] = contacts["department"].replace(dept, p["department"])
    plan = td.plan.copy()
    old_item = plan["item"].iloc[0]
    plan.loc[plan.index[0], "item"] = p["plan_item"]
    meetings = td.meetings.copy()
    meetings["plan_item"] = meetings["plan_item"].replace(old_item, p["plan_item"])
    meetings.loc[meetings.index[0], "topic"] = p["topic"]
    updates = td.updates.copy()
    updates.loc[updates.index[0], "note"] = p["note"]
    project = td.project.copy()
    project.loc[project.index[0], "project"] = p["project"]
    tasks["project"] = p["project"]
    return td.replace(
        tasks=tasks,
        raci=raci,
        contacts=contacts,
        plan=plan,
        meetings=meetings,
        updates=updates,
        project=project,
    )


@pytest.fixture(scope="module")
def hostile():
    return _hostile_data()


# ----------------------------------------------------------------------------- HTML markup


@pytest.mark.slow
def test_html_markup_escapes_every_user_field(hostile):
    from collab_analytics.export.html import render_html
    from collab_analytics.export.report import build_content

    page = render_html(build_content(hostile, lang="en"), include_js=False)
    for tag in ("<img", "<svg onload", "<iframe", "<a href=", "<body onload", "alert(3)</script"):
        assert tag not in page, tag
    # the texts are there, as escaped text or JSON-escaped data
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page  # appendix cell
    assert "研发部&#x27;&gt;&lt;svg onload=alert(2)&gt;" in page  # department in a table
    assert "&lt;iframe src=javascript:alert(4)&gt;" in page  # project in the header
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(3)" in page  # plan item in a spec
    # every <script> is one of ours: a chart spec, the options, nothing else
    n_scripts = page.count("<script")
    assert n_scripts == page.count('<script type="application/json"')


@pytest.mark.browser
@pytest.mark.slow
def test_html_report_runs_no_script_from_the_data(hostile, tmp_path, playwright_sync):
    from _browser import fontconfig_env, launch_chromium, require_chromium

    from collab_analytics.export.report import build_report

    require_chromium()
    (path,) = build_report(hostile, tmp_path / "out", lang="zh", formats=("html",), progress=False)
    pw = playwright_sync
    ctx = launch_chromium(pw, tmp_path, fontconfig_env(tmp_path / "fc"))
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        dialogs, requests, errors = [], [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        n = page.locator("div.chart").count()
        assert n >= 6
        page.wait_for_function(
            f"document.querySelectorAll('div.chart[data-rendered=\"1\"]').length === {n}",
            timeout=60_000,
        )
        page.wait_for_timeout(500)  # give any injected onload/onerror a chance to fire
        assert dialogs == []
        assert errors == []
        injected = page.evaluate(
            "() => document.querySelectorAll("
            "'img, iframe, a[href^=\"javascript\"], [onerror], [onload]').length"
        )
        assert injected == 0
        assert page.locator("script:not([type])").count() == 2  # vega bundle + our embed
        body = page.locator("body").inner_text()
        assert PAYLOADS["task"] in body and PAYLOADS["project"] in body
        assert PAYLOADS["department"] in body
        assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    finally:
        ctx.close()


# ----------------------------------------------------------------------------- CSV / XLSX

RISKY = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
SAFE = ["需求评审", "a=b", " =x", "1-2", "", None]


def _frame():
    return pd.DataFrame(
        {
            "text": pd.Series(RISKY + SAFE[:4] + ["ok", "ok"], dtype="str"),
            "obj": pd.Series(RISKY + SAFE, dtype=object),
            "num": list(range(-6, 7)),
            "=header": ["x"] * 13,
        }
    )


def test_neutralize_formulas_marks_only_risky_text():
    out = neutralize_formulas(_frame())
    assert out["text"].iloc[:7].tolist() == ["'" + v for v in RISKY]
    assert out["obj"].iloc[7:11].tolist() == ["需求评审", "a=b", " =x", "1-2"]
    assert out["num"].tolist() == list(range(-6, 7))  # numbers stay numbers
    assert list(out.columns)[-1] == "'=header"


def test_csv_export_neutralises(tmp_path):
    p = write_csv(_frame(), tmp_path / "t.csv")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-1] == "'=header"
    cells = [r[0] for r in rows[1:8]] + [r[1] for r in rows[1:8]]
    assert all(c.startswith("'") for c in cells), cells
    assert [r[2] for r in rows[1:]] == [str(i) for i in range(-6, 7)]


def test_xlsx_export_has_no_formula_cells(tmp_path):
    p = write_xlsx({"=evil": _frame()}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    kinds = {c.data_type for row in ws.iter_rows() for c in row}
    assert "f" not in kinds
    texts = [c.value for c in ws["A"][1:8]]
    assert all(isinstance(v, str) and v.startswith("'") for v in texts)
    assert [c.value for c in ws["C"][1:]] == list(range(-6, 7))


@pytest.mark.slow
def test_report_tables_xlsx_has_no_formulas(hostile, tmp_path):
    from collab_analytics.export.report import build_report

    tasks = hostile.tasks.copy()
    tasks.loc[tasks.index[1], "task"] = '=HYPERLINK("http://evil","click")'
    late = tasks["actual_finish"].notna()
    tasks.loc[tasks.index[late][:1], "task"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    td = hostile.replace(tasks=tasks)
    (path,) = build_report(td, tmp_path / "out", formats=("xlsx",), progress=False)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "@", "\t", "\r")), c.value


# ----------------------------------------------------------------------------- output paths


@pytest.mark.parametrize(
    "name", ["../evil.txt", "a/../../evil.txt", "/etc/passwd", ".", MANIFEST, "charts/../../x"]
)
def test_output_dir_refuses_escaping_names(tmp_path, name):
    d = OutputDir(tmp_path / "out")
    with pytest.raises(UnsafePathError, match=r"Refusing to write"):
        d.path(name)
    assert not (tmp_path / "evil.txt").exists()


def test_output_dir_refuses_symlinks_pointing_out(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "charts").symlink_to(outside, target_is_directory=True)
    (out / "report.html").symlink_to(victim)
    d = OutputDir(out)
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        d.path("charts/gantt.png")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        d.path("report.html")
    # a manifest that claims the link as ours changes nothing: the link resolves outside
    (out / MANIFEST).write_text(json.dumps(["report.html", "../outside/victim.txt"]), "utf-8")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        OutputDir(out).path("report.html")
    with pytest.raises(UnsafePathError, match="outside the output folder"):
        OutputDir(out).path("../outside/victim.txt")
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_output_dir_never_overwrites_foreign_files(tmp_path):
    out = tmp_path / "out"
    (out / "charts").mkdir(parents=True)
    (out / "charts" / "gantt.png").write_bytes(b"user's picture")
    with pytest.raises(UnsafePathError, match=r"Refusing to overwrite .*not written by"):
        OutputDir(out).path("charts/gantt.png")
    assert (out / "charts" / "gantt.png").read_bytes() == b"user's picture"
    # a file it wrote itself may be rewritten, also by a later OutputDir
    OutputDir(out).path("report.html").write_text("v1", encoding="utf-8")
    OutputDir(out).path("report.html").write_text("v2", encoding="utf-8")
    assert (out / "report.html").read_text(encoding="utf-8") == "v2"


def test_report_refuses_before_writing_anything(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("the user's own page", encoding="utf-8")
    src = ROOT / "data" / "smart_cs_launch.xlsx"
    rc = main(["report", str(src), "--out", str(out), "--format", "pptx,html", "--quiet"])
    assert rc == 2
    assert "Refusing to overwrite" in capsys.readouterr().err
    # the deck comes first in the format list, yet nothing was written at all
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    assert (out / "report.html").read_text(encoding="utf-8") == "the user's own page"


def _snapshot(root: Path) -> dict[str, float]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and "/.venv/" not in str(p)
    }


@pytest.mark.slow
def test_cli_writes_only_under_out(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    src = ROOT / "data" / "smart_cs_launch.xlsx"
    before_repo = _snapshot(ROOT / "data")
    rc = main(["report", str(src), "--out", "out", "--format", "html,xlsx,svg", "--quiet"])
    assert rc == 0, capsys.readouterr().err
    written = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    assert all(w.startswith("out" + os.sep) for w in written), written
    assert "out/report.html" in written and "out/tables.xlsx" in written
    assert _snapshot(ROOT / "data") == before_repo


def test_cli_refuses_an_out_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    src = ROOT / "data" / "smart_cs_launch.xlsx"
    rc = main(["report", str(src), "--out", str(target), "--format", "html", "--quiet"])
    assert rc == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine"


def test_cli_refuses_symlinked_chart_folder(tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "charts").symlink_to(outside, target_is_directory=True)
    src = ROOT / "data" / "smart_cs_launch.xlsx"
    rc = main(["report", str(src), "--out", str(out), "--format", "svg", "--quiet"])
    assert rc == 2
    assert "outside the output folder" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


# ----------------------------------------------------------------------------- blame-free

_TASKS = pd.DataFrame(
    {
        "department": ["产品部"] * 6 + ["技术部"] * 2,
        "owner": ["李强"] * 6 + ["张伟"] * 2,
        "planned_finish": pd.to_datetime(["2024-07-10"] * 8),
        "actual_finish": pd.to_datetime(["2024-07-09"] * 5 + ["2024-07-15"] + ["2024-07-20"] * 2),
    }
)


def test_owner_views_are_opt_in_and_hide_small_groups():
    from collab_analytics.metrics import delivery_summary, slippage

    assert "owner" not in delivery_summary(_TASKS).columns  # default: one overall row
    by_dept = delivery_summary(_TASKS, by="department")
    assert by_dept["department"].tolist() == ["产品部", "技术部"]  # departments never hidden
    by_owner = delivery_summary(_TASKS, by="owner")
    assert by_owner["owner"].tolist() == ["李强"]  # 张伟 has 2 tasks < 5
    assert by_owner["n_late"].tolist() == [1]
    assert delivery_summary(_TASKS, by="owner", min_group_size=2)["owner"].tolist() == [
        "张伟",
        "李强",
    ]
    assert len(delivery_summary(_TASKS, by="owner", min_group_size=None)) == 2
    assert slippage(_TASKS, by="owner")["owner"].tolist() == ["李强"]
    assert len(slippage(_TASKS, by=["department", "owner"], min_group_size=7)) == 0


def test_action_owner_view_hides_small_groups():
    from collab_analytics.metrics import action_summary

    actions = pd.DataFrame(
        {
            "action": [f"a{i}" for i in range(7)],
            "owner": ["王敏"] * 5 + ["赵磊"] * 2,
            "department": ["客服部"] * 5 + ["运营部"] * 2,
            "due": pd.to_datetime(["2024-07-10"] * 7),
            "closed": pd.to_datetime(["2024-07-09"] * 7),
        }
    )
    assert action_summary(actions, as_of="2024-07-31")["department"].tolist() == [
        "客服部",
        "运营部",
    ]
    assert action_summary(actions, by="owner", as_of="2024-07-31")["owner"].tolist() == ["王敏"]
    assert len(action_summary(actions, by="owner", as_of="2024-07-31", min_group_size=1)) == 2


@pytest.mark.slow
def test_default_report_is_department_level():
    import collab_analytics as ca
    from collab_analytics.export.html import render_html
    from collab_analytics.export.report import _xlsx_tables, build_content, compute_metrics

    td = ca.load(ROOT / "data" / "smart_cs_launch.xlsx")
    m = compute_metrics(td)
    for key, frame in m.items():
        if isinstance(frame, pd.DataFrame):
            assert "owner" not in frame.columns or key == "task_delivery", key
    content = build_content(td, lang="zh", metrics=m)
    lead = set(td.project["lead"].dropna())  # the project's lead is named in the header
    owners = (set(td.tasks["owner"].dropna()) | set(td.actions["owner"].dropna())) - lead
    assert len(owners) >= 5
    page = render_html(content, include_js=False)
    assert [o for o in owners if o in page] == []
    tables = _xlsx_tables(td, m, content, "zh")
    text = " ".join(df.astype("str").to_csv() for df in tables.values())
    assert [o for o in owners if o in text] == []
    assert not any(o in content.findings["text"].str.cat(sep=" ") for o in owners)
