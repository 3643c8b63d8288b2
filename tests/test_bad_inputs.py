"""The bad-input corpus (``tests/data/bad/``): every file gives exactly its documented outcome.

``expected.toml`` (next to the files) is the contract: for each file either ``raise`` (the
exception type and a message regex) or ``load`` (the exact sets of error and warning codes,
the rows read/loaded/rejected per table, and located issues that must be present). On top of
that, every file must satisfy the general rules: only the toolkit's own exceptions escape,
rows read = rows loaded + rows rejected, every row-level problem names file, sheet (for
workbooks), row, column and value, and loading twice gives the same result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import collab_analytics as ca
from collab_analytics import _errors
from collab_analytics._errors import CollabError, DataValidationError, FileFormatError
from collab_analytics.io import Limits, limits, load

BAD = Path(__file__).resolve().parent / "data" / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))["files"]
CORPUS = sorted(p.name for p in BAD.iterdir() if p.name not in ("make_corpus.py", "expected.toml"))

#: issue codes that concern one cell or row: they must carry row, column (and value)
ROW_CODES = {
    "bad_date",
    "bad_percent",
    "bad_time",
    "bad_number",
    "bad_role",
    "finish_before_start",
    "actual_finish_before_start",
    "duplicate_task_id",
    "duplicate_task_name",
    "unknown_dependency",
    "dependency_cycle",
    "unknown_status",
    "unknown_task",
    "unknown_plan_item",
    "unknown_department",
    "progress_out_of_range",
    "missing_value",
    "row_rejected",
}
#: row-level codes whose cell is blank by definition (no value to quote)
BLANK_VALUE_CODES = {"missing_value", "row_rejected"}


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _load(name: str):
    return load(BAD / name)


# ------------------------------------------------------------------------------ the corpus


def test_corpus_is_complete_and_documented():
    assert len(CORPUS) >= 40
    xlsx = [n for n in CORPUS if n.endswith((".xlsx", ".xls"))]
    text = [n for n in CORPUS if n.endswith((".csv", ".tsv", ".txt"))]
    assert len(xlsx) >= 15 and len(text) >= 15
    assert sorted(EXPECTED) == CORPUS, "every file needs an entry in expected.toml and vice versa"


@pytest.mark.slow
def test_corpus_regenerates_byte_identical(tmp_path):
    mod = _make_corpus_module()
    written = mod.build(tmp_path)
    assert sorted(p.name for p in written) == CORPUS
    for p in written:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        assert digest == hashlib.sha256((BAD / p.name).read_bytes()).hexdigest(), p.name


@pytest.mark.parametrize("name", CORPUS)
def test_documented_outcome(name):
    exp = EXPECTED[name]
    if exp["outcome"] == "raise":
        exc_type = getattr(_errors, exp["exception"])
        with pytest.raises(exc_type, match=exp["match"]) as info:
            _load(name)
        assert isinstance(info.value, CollabError)
        assert name in str(info.value), "the message names the file"
        assert info.value.__cause__ is None or isinstance(info.value.__cause__, CollabError)
        return
    assert exp["outcome"] == "load"
    td = _load(name)
    issues = td.issues
    errors = sorted(set(issues.loc[issues["severity"] == "error", "code"]))
    warnings = sorted(set(issues.loc[issues["severity"] == "warning", "code"]))
    assert errors == sorted(exp.get("errors", [])), issues.to_string()
    assert warnings == sorted(exp.get("warnings", [])), issues.to_string()
    infos = set(issues.loc[issues["severity"] == "info", "code"])
    assert set(exp.get("info", [])) <= infos
    acc = td.accounting.set_index("table")
    for table, (read, loaded, rejected) in exp.get("rows", {}).items():
        got = acc.loc[table, ["rows_read", "rows_loaded", "rows_rejected"]].tolist()
        assert got == [read, loaded, rejected], (table, got)
    untouched = set(acc.index) - set(exp.get("rows", {}))
    assert (acc.loc[sorted(untouched), "rows_read"] == 0).all(), "unexpected tables read"
    for want in exp.get("issues", []):
        m = issues["code"] == want["code"]
        for key in ("row", "column", "value", "sheet"):
            if key in want:
                m &= issues[key].astype("object").eq(want[key]).fillna(False).astype(bool)
        assert m.sum() == want.get("count", 1), (want, issues.to_string())
    if "task_names" in exp:
        assert td.tasks["task"].tolist() == exp["task_names"]
    if "raci_departments" in exp:
        assert list(pd.unique(td.raci["department"])) == exp["raci_departments"]
    if "raci_problems" in exp:
        from collab_analytics.metrics import raci_problems

        probs = raci_problems(td.raci, tasks=td.tasks, contacts=td.contacts)
        assert sorted(set(probs.loc[probs["severity"] == "error", "code"])) == sorted(
            exp["raci_problems"]
        )


@pytest.mark.parametrize("name", [n for n in CORPUS if EXPECTED[n]["outcome"] == "load"])
def test_general_rules(name):
    td = _load(name)
    acc = td.accounting
    # nothing lost: rows read = loaded + rejected, and each rejected row is listed
    assert (acc["rows_read"] == acc["rows_loaded"] + acc["rows_rejected"]).all()
    for r in acc.itertuples(index=False):
        if r.table != "raci":  # RACI is stored long: one wide row gives several rows
            assert len(td.table(r.table)) == r.rows_loaded, r.table
        assert int((td.rejected["table"] == r.table).sum()) == r.rows_rejected
    # every problem says where it is
    probs = td.issues[td.issues["severity"].isin(["error", "warning"])]
    assert (probs["file"] == name).all(), probs.to_string()
    cell = probs[probs["code"].isin(ROW_CODES)]
    assert cell["row"].notna().all(), cell.to_string()
    assert (cell["column"] != "").all(), cell.to_string()
    if name.endswith(".xlsx"):
        assert (cell["sheet"] != "").all()
    valued = cell[~cell["code"].isin(BLANK_VALUE_CODES)]
    assert (valued["value"] != "").all(), valued.to_string()
    # deterministic
    again = _load(name)
    pd.testing.assert_frame_equal(td.issues, again.issues)
    pd.testing.assert_frame_equal(td.tasks, again.tasks)
    pd.testing.assert_frame_equal(td.accounting, again.accounting)


def test_strict_message_names_file_row_column_and_value():
    with pytest.raises(
        DataValidationError,
        match=r"text_in_dates\.xlsx › 任务跟踪子表 › row 2 › "
        r"计划完成 = '待定': Not a date\.",
    ) as info:
        load(BAD / "text_in_dates.xlsx", strict=True)
    assert len(info.value.issues) == 3


def test_cli_validate_never_shows_a_traceback(capsys):
    from collab_analytics.cli import main

    for name in CORPUS:
        code = main(["validate", str(BAD / name), "--lang", "en"])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        exp = EXPECTED[name]
        if exp["outcome"] == "raise":
            assert code == 2 and err.startswith("error: "), name
        else:
            assert code == (1 if exp.get("errors") else 0), name


# ------------------------------------------------------------------------------ loader fixes


def test_english_raci_departments_keep_inner_spaces():
    td = load(BAD / "raci_english_departments.xlsx")
    assert list(pd.unique(td.raci["department"])) == ["Customer Service", "Product", "R&D Center"]
    assert not (td.issues["code"] == "unknown_department").any()


def test_bundled_english_sample_has_no_unknown_departments():
    root = Path(__file__).resolve().parents[1]
    td = ca.load(root / "data" / "smart_cs_launch_en.xlsx")
    assert not (td.issues["code"] == "unknown_department").any()
    assert "Customer Service" in set(td.raci["department"])


def test_yearless_date_without_context_quotes_the_cell():
    td = load(BAD / "yearless_only.csv")
    bad = td.errors[td.errors["code"] == "bad_date"]
    assert bad["value"].tolist() == ["7月11日", "7月20日"]
    assert bad["row"].tolist() == [2, 2]


def test_mixed_line_endings_keep_every_row():
    td = load(BAD / "mixed_line_endings.csv")
    assert td.sources["tasks"]["row"].tolist() == [2, 3, 4]
    assert td.tasks["task"].tolist() == ["客户痛点收集", "输出需求文档", "开发测试"]


def test_corrupt_member_is_a_file_format_error():
    with pytest.raises(FileFormatError, match=r"corrupt_member_crc\.xlsx' is a damaged workbook"):
        load(BAD / "corrupt_member_crc.xlsx")


# ------------------------------------------------------------------------------ limits


def test_zip_bomb_refused_before_inflating():
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(FileFormatError, match=r"decompression bomb.*sheet1\.xml.*inflates"):
        load(BAD / "zip_bomb.xlsx")
    assert time.perf_counter() - t0 < 2.0
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 64  # the 256 MiB member was never inflated


def test_zip_bomb_loads_when_the_limit_is_raised():
    td = load(BAD / "zip_bomb.xlsx", limits={"max_compression_ratio": None})
    assert len(td.tasks) == 3


def test_uncompressed_total_limit(tmp_path):
    with pytest.raises(FileFormatError, match=r"uncompressed XML, over the 1000 bytes limit"):
        load(BAD / "hidden_sheet.xlsx", limits=Limits(max_uncompressed_bytes=1000))


def test_sheet_row_limit_refuses_before_converting_cells():
    with (
        limits(max_rows=2),
        pytest.raises(FileFormatError, match=r"sheet1\.xml has more than 2 data rows"),
    ):
        load(BAD / "hidden_rows.xlsx")
    assert len(load(BAD / "hidden_rows.xlsx").tasks) == 3  # the context restored the default


def test_csv_row_and_size_limits(tmp_path):
    p = tmp_path / "tasks.csv"
    p.write_text("任务名称,负责部门,计划完成\n" + "任务,产品部,2024-07-01\n" * 50, encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"'tasks\.csv' has 50 rows, over the limit of 10"):
        load(p, limits={"max_rows": 10})
    with pytest.raises(FileFormatError, match=r"over the 100 bytes limit for one input file"):
        load(p, limits={"max_file_bytes": 100})
    assert len(load(p, limits={"max_rows": 50}).tasks) == 50


def test_unknown_limit_name_is_a_type_error():
    with pytest.raises(TypeError, match=r"Unknown limit\(s\) \['max_cells'\]"):
        load(BAD / "hidden_rows.xlsx", limits={"max_cells": 1})


# ------------------------------------------------------------------------------ safe XML


def test_openpyxl_parses_with_defusedxml():
    """openpyxl (used by the writers and template reader) refuses entity tricks only when
    defusedxml is importable; it must be installed."""
    import defusedxml  # noqa: F401
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


@pytest.mark.parametrize("name", ["xxe_external_entity.xlsx", "billion_laughs.xlsx"])
def test_entities_are_never_expanded(name):
    td = load(BAD / name)
    # calamine (quick-xml) refuses the DOCTYPE: the sheet is unreadable, nothing leaks
    assert set(td.errors["code"]) == {"unreadable_sheet", "no_tables"}
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    text = td.issues.to_string()
    assert "哈哈哈哈哈哈哈哈哈哈哈" not in text
    if hostname:
        assert hostname not in text


@pytest.mark.parametrize("name", ["xxe_external_entity.xlsx", "billion_laughs.xlsx"])
def test_openpyxl_refuses_entities_too(name):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(BAD / name)
    except Exception as exc:  # openpyxl wraps defusedxml's EntitiesForbidden in a ValueError
        chain = [exc, exc.__cause__, exc.__context__]
        assert any(type(e).__module__.startswith("defusedxml") for e in chain if e), chain
    else:  # pragma: no cover - only if openpyxl silently dropped the DOCTYPE
        values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
        assert not any(isinstance(v, str) and "哈哈哈" in v for v in values)


# ------------------------------------------------------------------------------ a million rows

MILLION = 1_000_000


def _million_row_xlsx(path: Path, *, rows: int = MILLION) -> Path:
    """A real sheet of ``rows`` task rows (rows without ``r=`` attributes are positional)."""
    mod = _make_corpus_module()
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:C{rows + 1}"/><sheetData>'
        + "<row>"
        + "".join(
            mod.cell_xml("", v).replace(' r=""', "") for v in ("任务名称", "负责部门", "计划完成")
        )
        + "</row>"
    )
    row = '<row><c t="inlineStr"><is><t>需求评审</t></is></c><c t="inlineStr"><is><t>产品部</t>'
    row += "</is></c><c><v>45474</v></c></row>"
    xml = head + row * rows + "</sheetData></worksheet>"
    path.write_bytes(mod.raw_xlsx([("任务跟踪子表", xml)], compresslevel=1))
    return path


@pytest.mark.slow
def test_million_row_sheet_refused_before_parsing(tmp_path):
    import resource
    import time

    p = _million_row_xlsx(tmp_path / "million.xlsx")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(
        FileFormatError,
        match=r"'million\.xlsx' › xl/worksheets/sheet1\.xml has more than 500,000 data rows "
        r"\(.* MiB of XML\), over the limit of 500,000 rows",
    ):
        load(p, limits={"max_rows": 500_000})
    assert time.perf_counter() - t0 < 5
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100


def test_lying_dimension_does_not_refuse_a_small_sheet():
    # the sheet claims 1,048,576 rows but holds 3: its XML is too small to hold more
    td = load(BAD / "dimension_claims_1m_rows.xlsx", limits={"max_rows": 10})
    assert len(td.tasks) == 3


@pytest.mark.slow
def test_million_row_csv_loads_with_exact_accounting(tmp_path):
    import time

    p = tmp_path / "tasks.csv"
    line = "需求评审,产品部,2024-07-01,80%\n"
    p.write_text("任务名称,负责部门,计划完成,进度\n" + line * MILLION, encoding="utf-8")
    t0 = time.perf_counter()
    td = load(p)
    assert time.perf_counter() - t0 < 60
    acc = td.accounting.set_index("table").loc["tasks"]
    assert (acc["rows_read"], acc["rows_loaded"], acc["rows_rejected"]) == (MILLION, MILLION, 0)
    assert len(td.tasks) == MILLION
    assert td.tasks["progress"].eq(0.8).all()
    assert int(td.sources["tasks"]["row"].iloc[-1]) == MILLION + 1
    with pytest.raises(FileFormatError, match=r"has 1,000,000 rows, over the limit of 999,999"):
        load(p, limits={"max_rows": MILLION - 1})
