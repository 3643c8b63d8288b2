"""Build the bad-input corpus in this folder, deterministically.

Run ``python tests/data/bad/make_corpus.py`` (from the repository root) after changing a case;
the generated files are committed next to this script and ``expected.toml`` states what loading
each one must give. ``tests/test_bad_inputs.py`` checks that regenerating gives byte-identical
files, so a case cannot drift from its expectation unnoticed.

Workbooks are written either with openpyxl (then re-zipped with pinned timestamps) or, where the
XML itself is the point (formulas with and without cached values, hidden rows, error cells, a
dimension claiming a million rows, external entities, decompression bombs), by hand with
:func:`raw_xlsx`. Large inputs (the million-row sheet, the 200 MB CSV) are never stored here:
their tests generate them in a temporary folder.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

HERE = Path(__file__).resolve().parent
STAMP = (2024, 10, 15, 18, 0, 0)
STAMP_ISO = "2024-10-15T18:00:00Z"

TASK_ZH = ["任务编号", "任务名称", "负责部门", "负责人", "计划开始", "计划完成", "状态", "进度"]
TASK_EN = [
    "Task ID",
    "Task",
    "Department",
    "Owner",
    "Planned start",
    "Planned finish",
    "Status",
    "Progress",
]
GOOD = [
    ["T1", "客户痛点收集", "客服部", "王敏", "2024-07-01", "2024-07-10", "正常", "80%"],
    ["T2", "输出需求文档", "产品部", "李强", "2024-07-11", "2024-07-20", "正常", "60%"],
    ["T3", "开发测试", "技术部", "张伟", "2024-07-21", "2024-08-20", "未开始", "0%"],
]


# ----------------------------------------------------------------------------- writers


def csv_text(rows: list[list[str]], *, sep: str = ",", eol: str = "\n") -> str:
    """Rows → CSV text (quotes only where needed)."""

    def q(v: str) -> str:
        v = str(v)
        if any(ch in v for ch in (sep, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    return "".join(sep.join(q(v) for v in r) + eol for r in rows)


def _pin_zip(data: bytes) -> bytes:
    """Re-zip a workbook with fixed entry timestamps and document properties."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                raw = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + STAMP_ISO.encode() + rb"\g<2>",
                    raw,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=STAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, raw)
    return out.getvalue()


def openpyxl_bytes(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    """A workbook built by ``build(wb)`` (the default sheet is removed first)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    build(wb)
    wb.properties.creator = "collab_analytics tests"
    wb.properties.created = dt.datetime(*STAMP)
    buf = io.BytesIO()
    wb.save(buf)
    return _pin_zip(buf.getvalue())


def sheet_rows(wb: openpyxl.Workbook, name: str, rows: list[list[object]]):
    ws = wb.create_sheet(name)
    for r in rows:
        ws.append(r)
    return ws


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_xml(ref: str, v: object) -> str:
    """One ``<c>``: str → inline string; int/float → number; ``("f", formula, cached)`` →
    formula (cached value omitted when ``None``); ``("e", "#N/A")`` → error cell;
    ``("b", True)`` → boolean."""
    if v is None:
        return ""
    if isinstance(v, tuple):
        kind = v[0]
        if kind == "f":
            _, formula, cached = v
            if cached is None:
                return f'<c r="{ref}"><f>{escape(formula)}</f></c>'
            if isinstance(cached, str):
                return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
            return f'<c r="{ref}"><f>{escape(formula)}</f><v>{cached}</v></c>'
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{escape(v[1])}</v></c>'
        if kind == "b":
            return f'<c r="{ref}" t="b"><v>{int(bool(v[1]))}</v></c>'
        if kind == "raw":
            return v[1]
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'


def sheet_xml(
    rows: list[list[object]],
    *,
    hidden_rows: tuple[int, ...] = (),
    dimension: str | None = None,
    doctype: str = "",
) -> str:
    """Worksheet XML; ``hidden_rows`` are 1-based row numbers."""
    body = []
    for i, r in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{_col(j)}{i}", v) for j, v in enumerate(r))
        hid = ' hidden="1"' if i in hidden_rows else ""
        body.append(f'<row r="{i}"{hid}>{cells}</row>')
    ncol = max((len(r) for r in rows), default=1)
    dim = dimension or f"A1:{_col(max(ncol, 1) - 1)}{max(len(rows), 1)}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dim}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    )


def raw_xlsx(
    sheets: list[tuple[str, str]],
    *,
    hidden: tuple[str, ...] = (),
    extra: dict[str, bytes] | None = None,
    compresslevel: int | None = None,
) -> bytes:
    """A minimal .xlsx from (sheet name, worksheet XML) pairs."""
    ct = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    ]
    rels = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
    ]
    wbs = []
    for i, (name, _) in enumerate(sheets, start=1):
        ct.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
        state = ' state="hidden"' if name in hidden else ""
        wbs.append(f'<sheet name="{escape(name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
    ct.append("</Types>")
    rels.append("</Relationships>")
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{''.join(wbs)}</sheets></workbook>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    parts = {
        "[Content_Types].xml": "\n".join(ct).encode(),
        "_rels/.rels": root_rels.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": "\n".join(rels).encode(),
    }
    for i, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml.encode()
    parts.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, raw in parts.items():
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, raw, compresslevel=compresslevel)
    return out.getvalue()


# ----------------------------------------------------------------------------- cases

CASES: dict[str, Callable[[], bytes]] = {}


def case(name: str):
    def deco(fn: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
        CASES[name] = fn
        return fn

    return deco


def _utf8(rows, **kw) -> bytes:
    return csv_text(rows, **kw).encode("utf-8")


# --- CSV: structure


@case("missing_required_column.csv")
def _():
    # no 计划完成 and no 负责部门
    return _utf8(
        [["任务编号", "任务名称", "负责人", "计划开始"], ["T1", "需求评审", "李强", "2024-07-01"]]
    )


@case("headers_only.csv")
def _():
    return _utf8([TASK_ZH])


@case("empty_file.csv")
def _():
    return b""


@case("blank_lines_only.csv")
def _():
    return b"\n  \n,,,\n\r\n"


@case("duplicated_headers.csv")
def _():
    return _utf8([[*TASK_ZH, "任务名称"], *[[*r, r[1] + "(副本)"] for r in GOOD]])


@case("header_not_first_line.csv")
def _():
    return _utf8([["表2:任务跟踪子表"], [], *[TASK_ZH], *GOOD, [], ["注:进度填 80%"]])


@case("not_a_table.csv")
def _():
    return "这只是一段说明文字\n没有表头,也没有数据\n".encode()


@case("binary_garbage.csv")
def _():
    return bytes(range(256)) * 4


@case("ragged_rows.csv")
def _():
    rows = [TASK_ZH, GOOD[0], GOOD[1][:5], [*GOOD[2], "多余", "字段"]]
    return _utf8(rows)


@case("quoted_newlines.csv")
def _():
    rows = [TASK_ZH, GOOD[0], ["T2", "输出需求\n文档(两行)", *GOOD[1][2:]], GOOD[2]]
    return _utf8(rows)


@case("rows_without_task_name.csv")
def _():
    rows = [
        TASK_ZH,
        GOOD[0],
        ["T2", "", "产品部", "李强", "2024-07-11", "2024-07-20", "", ""],
        GOOD[2],
        ["T4", "  ", "", "", "", "", "", "10%"],
    ]
    return _utf8(rows)


@case("nul_byte_inside.csv")
def _():
    return _utf8([TASK_ZH, GOOD[0]]) + b"T2,\x00\xe5\x9d\x8f,x,y,2024-07-01,2024-07-02,,\n"


# --- CSV: values


@case("text_in_dates.csv")
def _():
    rows = [
        TASK_ZH,
        ["T1", "需求评审", "产品部", "李强", "2024-07-01", "待定", "正常", "10%"],
        ["T2", "接口开发", "技术部", "张伟", "TBD", "2024-07-20", "正常", "0%"],
        ["T3", "话术培训", "客服部", "王敏", "2024-07-01", "下周", "未开始", "0%"],
    ]
    return _utf8(rows)


@case("impossible_dates.csv")
def _():
    rows = [
        TASK_ZH,
        ["T1", "需求评审", "产品部", "李强", "2024-02-01", "2024-02-30", "正常", "10%"],
        ["T2", "接口开发", "技术部", "张伟", "2024-13-01", "2024-07-20", "正常", "0%"],
        ["T3", "话术培训", "客服部", "王敏", "2023-02-29", "2024年7月32日", "未开始", "0%"],
    ]
    return _utf8(rows)


@case("finish_before_start.csv")
def _():
    rows = [
        TASK_ZH,
        GOOD[0],
        ["T2", "输出需求文档", "产品部", "李强", "2024-07-20", "2024-07-11", "正常", "60%"],
    ]
    return _utf8(rows)


@case("progress_out_of_range.csv")
def _():
    rows = [TASK_ZH, [*GOOD[0][:7], "120%"], [*GOOD[1][:7], "-5"], GOOD[2]]
    return _utf8(rows)


@case("bad_percent.csv")
def _():
    rows = [TASK_ZH, [*GOOD[0][:7], "大概一半"], GOOD[1]]
    return _utf8(rows)


@case("unknown_statuses.csv")
def _():
    rows = [TASK_ZH, [*GOOD[0][:6], "完成了吧", "100%"], [*GOOD[1][:6], "Resolved", "60%"], GOOD[2]]
    return _utf8(rows)


@case("duplicate_task_ids.csv")
def _():
    rows = [TASK_ZH, GOOD[0], ["T1", *GOOD[1][1:]], GOOD[2]]
    return _utf8(rows)


@case("unknown_dependency.csv")
def _():
    rows = [
        [*TASK_ZH, "前置任务"],
        [*GOOD[0], ""],
        [*GOOD[1], "T1、T9"],
        [*GOOD[2], "不存在的任务"],
    ]
    return _utf8(rows)


@case("dependency_cycle.csv")
def _():
    rows = [[*TASK_ZH, "前置任务"], [*GOOD[0], "T3"], [*GOOD[1], "T1"], [*GOOD[2], "T2"]]
    return _utf8(rows)


@case("self_dependency.csv")
def _():
    rows = [[*TASK_ZH, "前置任务"], [*GOOD[0], ""], [*GOOD[1], "T2"]]
    return _utf8(rows)


@case("yearless_dates.csv")
def _():
    rows = [
        TASK_ZH,
        GOOD[0],
        ["T2", "输出需求文档", "产品部", "李强", "7月11日", "7.20", "正常", "60%"],
    ]
    return _utf8(rows)


@case("yearless_only.csv")
def _():
    rows = [TASK_ZH, ["T2", "输出需求文档", "产品部", "李强", "7月11日", "7月20日", "正常", "60%"]]
    return _utf8(rows)


@case("english_headers_synonyms.csv")
def _():
    hdr = ["key", "Name", "team", "assignee", "start", "deadline", "state", "% complete"]
    return _utf8([hdr, *GOOD])


@case("fullwidth_headers.csv")
def _():
    hdr = [
        "任务编号",
        " 任务　名称 ",
        "负责部门（*）",
        "负责人",
        "计划开始:",
        "计划完成：",
        "状态",
        "进度（%）",
    ]
    return _utf8([hdr, *GOOD])


# --- CSV: encodings, line endings, delimiters

_GB18030_ONLY = "𠀀号任务"  # a CJK Extension B character GBK cannot encode


@case("encoding_gbk.csv")
def _():
    return csv_text([TASK_ZH, *GOOD]).encode("gbk")


@case("encoding_gb18030.csv")
def _():
    rows = [
        TASK_ZH,
        *GOOD,
        ["T4", _GB18030_ONLY, "技术部", "张伟", "2024-07-01", "2024-07-05", "正常", "10%"],
    ]
    return csv_text(rows).encode("gb18030")


@case("encoding_utf16.csv")
def _():
    return codecs.BOM_UTF16_LE + csv_text([TASK_ZH, *GOOD], sep="\t").encode("utf-16-le")


@case("encoding_utf16_comma.csv")
def _():
    return codecs.BOM_UTF16_LE + csv_text([TASK_ZH, *GOOD]).encode("utf-16-le")


@case("encoding_utf8_bom.csv")
def _():
    return codecs.BOM_UTF8 + csv_text([TASK_ZH, *GOOD]).encode("utf-8")


@case("encoding_unknown.csv")
def _():
    # Shift-JIS bytes that are neither valid UTF-8 nor valid GB18030 lead/trail sequences
    return (
        csv_text([TASK_EN, ["T1", "x", "y", "z", "2024-07-01", "2024-07-02", "", ""]]).encode(
            "ascii"
        )
        + b"T2,\x80\x80\x80\xff\xfe,a,b,2024-07-01,2024-07-02,,\n"
    )


@case("mixed_line_endings.csv")
def _():
    lines = [csv_text([r]).rstrip("\n") for r in [TASK_ZH, *GOOD]]
    return (lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n").encode()


@case("semicolon_delimiter.csv")
def _():
    return _utf8([TASK_ZH, *GOOD], sep=";")


@case("tab_delimiter.tsv")
def _():
    return _utf8([TASK_EN, *GOOD], sep="\t")


@case("pipe_delimiter.txt")
def _():
    return _utf8([TASK_EN, *GOOD], sep="|")


# --- CSV: other tables


@case("raci_long_lowercase.csv")
def _():
    rows = [
        ["任务名称", "部门", "角色"],
        ["需求评审", "产品部", "a/r"],
        ["需求评审", "技术部", "c"],
        ["开发", "技术部", "r"],
        ["开发", "产品部", "x"],
    ]
    return _utf8(rows)


@case("meetings_only.csv")
def _():
    rows = [
        ["日期", "时间", "沟通主题", "参与部门/人员", "沟通环节"],
        ["2024-07-01", "17:00", "每日同步", "客服部、产品部", "日常进度同步"],
        ["2024-07-02", "25:99", "需求评审会", "产品部、技术部", "需求评审会"],
        ["待定", "", "风险排查", "三部门", ""],
    ]
    return _utf8(rows)


# --- XLSX via openpyxl


@case("empty_workbook.xlsx")
def _():
    return openpyxl_bytes(lambda wb: wb.create_sheet("Sheet1"))


@case("empty_task_sheet.xlsx")
def _():
    def b(wb):
        wb.create_sheet("任务跟踪子表")
        sheet_rows(wb, "对接人", [["部门", "对接人"], ["客服部", "王敏"]])

    return openpyxl_bytes(b)


@case("headers_only.xlsx")
def _():
    return openpyxl_bytes(lambda wb: sheet_rows(wb, "任务跟踪子表", [TASK_ZH]))


@case("wrong_sheet_names.xlsx")
def _():
    def b(wb):
        sheet_rows(wb, "Sheet1", [TASK_ZH, *GOOD])
        sheet_rows(wb, "数据2", [["部门", "对接人"], ["客服部", "王敏"], ["产品部", "李强"]])
        sheet_rows(wb, "随便", [["一些", "无关"], ["内容", "而已"]])

    return openpyxl_bytes(b)


@case("header_row_not_first.xlsx")
def _():
    def b(wb):
        sheet_rows(
            wb,
            "任务跟踪子表",
            [["表2:任务跟踪子表"], [], [], TASK_ZH, *GOOD, [], ["注:状态可选 未开始/正常/滞后"]],
        )

    return openpyxl_bytes(b)


@case("merged_header_cells.xlsx")
def _():
    def b(wb):
        ws = sheet_rows(
            wb,
            "任务跟踪子表",
            [
                ["任务编号", "任务名称", "负责部门", "计划", None, "状态"],
                [None, None, None, "开始", "完成", None],
                ["T1", "需求评审", "产品部", "2024-07-01", "2024-07-05", "正常"],
                ["T2", "接口开发", "技术部", "2024-07-06", "2024-07-20", "未开始"],
            ],
        )
        ws.merge_cells("D1:E1")
        for c in "ABCF":
            ws.merge_cells(f"{c}1:{c}2")

    return openpyxl_bytes(b)


@case("merged_data_cells.xlsx")
def _():
    def b(wb):
        ws = sheet_rows(
            wb,
            "任务跟踪子表",
            [
                TASK_ZH,
                GOOD[0],
                ["T2", "输出需求文档", None, "李强", "2024-07-11", "2024-07-20", "正常", "60%"],
                GOOD[2],
            ],
        )
        ws["C3"] = "产品部"
        ws.merge_cells("C3:C4")  # 产品部 covers rows 3-4 (T2 and T3)

    return openpyxl_bytes(b)


@case("duplicated_headers.xlsx")
def _():
    return openpyxl_bytes(
        lambda wb: sheet_rows(
            wb, "任务跟踪子表", [[*TASK_ZH, "计划完成"], *[[*r, "2025-01-01"] for r in GOOD]]
        )
    )


@case("hidden_sheet.xlsx")
def _():
    def b(wb):
        sheet_rows(wb, "任务跟踪子表", [TASK_ZH, *GOOD])
        ws = sheet_rows(wb, "对接人", [["部门", "对接人"], ["客服部", "王敏"]])
        ws.sheet_state = "hidden"

    return openpyxl_bytes(b)


@case("text_in_dates.xlsx")
def _():
    def b(wb):
        rows = [
            TASK_ZH,
            ["T1", "需求评审", "产品部", "李强", dt.datetime(2024, 7, 1), "待定", "正常", 0.1],
            ["T2", "接口开发", "技术部", "张伟", "TBD", dt.datetime(2024, 7, 20), "正常", 0],
            ["T3", "话术培训", "客服部", "王敏", 45474, "下周", "未开始", 0],
        ]
        sheet_rows(wb, "任务跟踪子表", rows)

    return openpyxl_bytes(b)


@case("meetings_unknown_plan_item.xlsx")
def _():
    def b(wb):
        sheet_rows(
            wb,
            "沟通计划",
            [
                ["沟通环节", "频率", "参与人员"],
                ["日常进度同步", "每日17:00", "三部门对接人"],
                ["风险排查会", "每周五15:00", "三部门负责人"],
            ],
        )
        sheet_rows(
            wb,
            "沟通记录",
            [
                ["日期", "时间", "沟通主题", "参与部门/人员", "沟通环节"],
                ["2024-07-01", "17:00", "每日同步", "客服部、产品部", "日常进度同步"],
                ["2024-07-05", "15:00", "风险排查", "三部门", "周会"],
                ["2024-07-08", "10:00", "临时会", "产品部", "头脑风暴"],
            ],
        )

    return openpyxl_bytes(b)


def _raci_book(rows: list[list[object]], depts: list[str]) -> bytes:
    def b(wb):
        sheet_rows(
            wb,
            "Tasks",
            [TASK_EN, *[[*r[:2], d, *r[3:]] for r, d in zip(GOOD, depts, strict=False)]],
        )
        sheet_rows(wb, "RACI", rows)

    return openpyxl_bytes(b)


@case("raci_two_accountable.xlsx")
def _():
    rows = [
        ["Task ID", "Task", "客服部", "产品部", "技术部"],
        ["T1", "客户痛点收集", "A/R", "A", "I"],
        ["T2", "输出需求文档", "C", "A/R", "C"],
        ["T3", "开发测试", "I", "A", "R"],
    ]
    return _raci_book(rows, ["客服部", "产品部", "技术部"])


@case("raci_no_accountable.xlsx")
def _():
    rows = [
        ["Task ID", "Task", "客服部", "产品部", "技术部"],
        ["T1", "客户痛点收集", "R", "C", "I"],
        ["T2", "输出需求文档", "C", "A/R", "C"],
        ["T3", "开发测试", "I", "C", "R"],
    ]
    return _raci_book(rows, ["客服部", "产品部", "技术部"])


@case("raci_lowercase_and_combined.xlsx")
def _():
    rows = [
        ["任务编号", "任务名称", "客服部(*对接人:)", "产品部(*对接人:)", "技术部(*对接人:)"],
        ["T1", "客户痛点收集", "a/r", "c", "i"],
        ["T2", "输出需求文档", "C", "A / R", "c"],
        ["T3", "开发测试", "I", "a", "R+C"],
        ["T4", "没有的任务", "R", "A", "maybe"],
    ]
    return _raci_book(rows, ["客服部", "产品部", "技术部"])


@case("raci_english_departments.xlsx")
def _():
    rows = [
        ["Task ID", "Task", "Customer Service (contact:)", "Product", "R&D Center"],
        ["T1", "客户痛点收集", "A/R", "C", "I"],
        ["T2", "输出需求文档", "C", "A/R", "C"],
        ["T3", "开发测试", "I", "A", "R"],
    ]
    return _raci_book(rows, ["Customer Service", "Product", "R&D Center"])


# --- XLSX by hand: formulas, hidden rows, error cells, dimensions


@case("formula_cached_values.xlsx")
def _():
    rows = [
        TASK_ZH,
        [
            "T1",
            "需求评审",
            "产品部",
            "李强",
            45474,
            ("f", "E2+9", 45483),
            "正常",
            ("f", "1/2", 0.5),
        ],
        [
            "T2",
            ("f", '"接口"&"开发"', "接口开发"),
            "技术部",
            "张伟",
            45484,
            ("f", "E3+10", 45494),
            "未开始",
            0,
        ],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows))])


@case("formula_no_cached_values.xlsx")
def _():
    rows = [
        TASK_ZH,
        [
            "T1",
            "需求评审",
            "产品部",
            "李强",
            45474,
            ("f", "E2+9", None),
            "正常",
            ("f", "1/2", None),
        ],
        ["T2", "接口开发", "技术部", "张伟", 45484, 45494, "未开始", 0],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows))])


@case("error_cells.xlsx")
def _():
    rows = [
        TASK_ZH,
        ["T1", "需求评审", "产品部", "李强", 45474, ("e", "#REF!"), "正常", ("e", "#DIV/0!")],
        ["T2", "接口开发", ("e", "#N/A"), "张伟", 45484, 45494, ("b", True), 0],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows))])


@case("hidden_rows.xlsx")
def _():
    return raw_xlsx([("任务跟踪子表", sheet_xml([TASK_ZH, *GOOD], hidden_rows=(3,)))])


@case("hidden_sheet_raw.xlsx")
def _():
    return raw_xlsx(
        [
            ("任务跟踪子表", sheet_xml([TASK_ZH, *GOOD])),
            (
                "旧版任务",
                sheet_xml(
                    [
                        TASK_ZH,
                        [
                            "T9",
                            "旧任务",
                            "产品部",
                            "李强",
                            "2024-06-01",
                            "2024-06-05",
                            "已完成",
                            "100%",
                        ],
                    ]
                ),
            ),
        ],
        hidden=("旧版任务",),
    )


@case("dimension_claims_1m_rows.xlsx")
def _():
    return raw_xlsx([("任务跟踪子表", sheet_xml([TASK_ZH, *GOOD], dimension="A1:XFD1048576"))])


@case("long_and_odd_text.xlsx")
def _():
    rows = [
        TASK_ZH,
        ["T1", "长" * 32767, "产品部", "李强", 45474, 45483, "正常", 0.5],
        ["T2", "=cmd|' /C calc'!A0", "技术部", "张伟", 45484, 45494, "正常", 0],
        ["T3", "\u202eRTL\u200b零宽\ufeff", "客服部", "王敏", 45484, 45494, "正常", 0],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows))])


# --- containers that are not what they claim


@case("xlsx_really_csv.xlsx")
def _():
    return _utf8([TASK_ZH, *GOOD])


@case("truncated_zip.xlsx")
def _():
    full = openpyxl_bytes(lambda wb: sheet_rows(wb, "任务跟踪子表", [TASK_ZH, *GOOD]))
    return full[: len(full) // 2]


@case("corrupt_member_crc.xlsx")
def _():
    full = bytearray(raw_xlsx([("任务跟踪子表", sheet_xml([TASK_ZH, *GOOD]))]))
    # flip one byte inside the compressed data of the sheet entry
    pos = full.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 20
    full[pos] ^= 0xFF
    return bytes(full)


@case("zip_not_workbook.xlsx")
def _():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("readme.txt", date_time=STAMP), "not a workbook")
    return out.getvalue()


@case("encrypted_workbook.xlsx")
def _():
    return ole_encrypted()


@case("empty_file.xlsx")
def _():
    return b""


@case("legacy_xls_binary.xls")
def _():
    # an OLE container without EncryptionInfo and without a workbook stream
    return ole_encrypted(encrypted=False)


# --- hostile XML


_XXE = (
    '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">'
    '<!ENTITY xxe2 SYSTEM "http://127.0.0.1:9/collab-xxe">]>'
)


@case("xxe_external_entity.xlsx")
def _():
    rows = [
        TASK_ZH,
        [
            "T1",
            ("raw", '<c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c>'),
            "产品部",
            "李强",
            45474,
            45483,
            "正常",
            0.5,
        ],
        GOOD[1],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows, doctype=_XXE))])


@case("billion_laughs.xlsx")
def _():
    ents = ['<!ENTITY l0 "哈哈哈哈哈哈哈哈哈哈">']
    for i in range(1, 10):
        ents.append(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">')
    doctype = f"<!DOCTYPE worksheet [{''.join(ents)}]>"
    rows = [
        TASK_ZH,
        [
            "T1",
            ("raw", '<c r="B2" t="inlineStr"><is><t>&l9;</t></is></c>'),
            "产品部",
            "李强",
            45474,
            45483,
            "正常",
            0.5,
        ],
    ]
    return raw_xlsx([("任务跟踪子表", sheet_xml(rows, doctype=doctype))])


@case("zip_bomb.xlsx")
def _():
    # a sheet whose XML inflates to 256 MiB of spaces (compressed: about 250 KB)
    head = sheet_xml([TASK_ZH, *GOOD])
    pad = " " * (256 * 1024 * 1024)
    xml = head.replace("<sheetData>", "<sheetData>" + pad, 1)
    return raw_xlsx([("任务跟踪子表", xml)], compresslevel=9)


# ----------------------------------------------------------------------------- OLE


def ole_encrypted(*, encrypted: bool = True) -> bytes:
    """A minimal OLE2 compound file whose directory lists ``EncryptionInfo`` and
    ``EncryptedPackage`` streams — what Excel writes for a password-protected .xlsx."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")  # little endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # sector shift (512)
    header[0x20:0x22] = (6).to_bytes(2, "little")  # mini sector shift
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # number of FAT sectors
    header[0x30:0x34] = (1).to_bytes(4, "little")  # first directory sector
    header[0x38:0x3C] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")  # no mini FAT
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")  # no DIFAT sectors
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # DIFAT[0] = FAT in sector 0
    for k in range(1, 109):
        header[0x4C + 4 * k : 0x50 + 4 * k] = (0xFFFFFFFF).to_bytes(4, "little")
    fat = bytearray(b"\xff\xff\xff\xff" * 128)
    fat[0:4] = (0xFFFFFFFD).to_bytes(4, "little")  # sector 0: FAT
    fat[4:8] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 1: directory (end of chain)

    def entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        e = bytearray(128)
        raw = (name + "\x00").encode("utf-16-le")
        e[0 : len(raw)] = raw
        e[0x40:0x42] = len(raw).to_bytes(2, "little")
        e[0x42] = kind
        e[0x43] = 1  # black
        e[0x44:0x48] = (0xFFFFFFFF).to_bytes(4, "little")  # left
        e[0x48:0x4C] = right.to_bytes(4, "little")
        e[0x4C:0x50] = child.to_bytes(4, "little")
        e[0x74:0x78] = (0xFFFFFFFE).to_bytes(4, "little")  # start sector: none
        return bytes(e)

    names = ["EncryptionInfo", "EncryptedPackage"] if encrypted else ["Notes", "Other"]
    directory = (
        entry("Root Entry", 5, child=1)
        + entry(names[0], 2, right=2)
        + entry(names[1], 2)
        + bytes(128)
    )
    return bytes(header) + bytes(fat) + directory


# ----------------------------------------------------------------------------- main


def build(folder: Path = HERE) -> list[Path]:
    """Write every case into ``folder``; returns the paths written (sorted)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fn in sorted(CASES.items()):
        data = fn()
        p = folder / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        out.append(p)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    paths = build(target)
    print(f"{len(paths)} files written to {target}")
