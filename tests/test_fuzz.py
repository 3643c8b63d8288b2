"""Fuzzing the loader with random workbooks and CSV files (hypothesis, bounded for CI).

Each example builds a table with a random choice of header synonyms (Chinese and English, from
:data:`collab_analytics.schema.TABLES`) in random order and spelling, random extra and blank
columns, blank rows, and cells of random types (text with arbitrary Unicode, dates in every
accepted spelling and nonsense, percentages in and out of range, numbers, booleans, blanks),
then writes it as CSV (random encoding and delimiter) or XLSX and loads it. Properties:

* only the toolkit's own exceptions (:class:`~collab_analytics.CollabError`) escape;
* nothing is lost: rows read = loaded + rejected per table, and every written line is either
  read or counted as a skipped non-data line;
* loading is deterministic (twice → identical tables and issues).
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics._errors import CollabError
from collab_analytics.io import load
from collab_analytics.schema import TABLES

#: CI runs a fixed, derandomised set; ``COLLAB_FUZZ_EXAMPLES=2000`` explores new examples.
_EXTRA = int(os.environ.get("COLLAB_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXTRA or 100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=not _EXTRA,  # the same examples on every CI run: reproducible
)
FUZZ_XLSX = settings(FUZZ, max_examples=_EXTRA or 60)

# ----------------------------------------------------------------------------- strategies


# characters a workbook can hold (XML 1.0), no line/record separators inside a cell
TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cs", "Co", "Cn"),
        exclude_characters="\u2028\u2029\x85",
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() != "")
CJK = st.text(
    alphabet=st.sampled_from("需求评审开发测试上线客服产品技术部门风险同步会议"), min_size=1
)
WORDS = st.sampled_from(
    ["待定", "TBD", "下周", "N/A", "-", "?", "=1+1", "@SUM(A1)", "<b>x</b>", "null", "None"]
)


@st.composite
def dates(draw):
    d = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)))
    kind = draw(st.integers(0, 9))
    return [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.month}月{d.day}日",
        f"{d.month}.{d.day}",
        f"{d.year}-{d.month:02d}-{draw(st.integers(28, 35))}",  # impossible days too
        dt.datetime(d.year, d.month, d.day, draw(st.integers(0, 23))),
        float((d - dt.date(1899, 12, 30)).days),  # Excel serial
        f"{d:%Y%m%d}",
        draw(WORDS),
    ][kind]


PCT = st.one_of(
    st.floats(-2, 3, allow_nan=False).map(lambda v: round(v, 3)),
    st.integers(-50, 150),
    st.integers(-50, 150).map(lambda v: f"{v}%"),
    st.sampled_from(["120%", "-5", "80%", "0.8", "一半", "100 %", "８０％"]),
)
STATUS = st.one_of(
    st.sampled_from(
        [
            *("未开始", "正常", "进行中", "滞后", "延期", "阻塞", "已完成", "提前完成", "已取消"),
            *("Done", "Blocked", "on track", "Resolved", "完成了吧", "DELAYED"),
        ]
    ),
    TEXT,
)
ROLE = st.sampled_from(["R", "A", "C", "I", "A/R", "a", "r/c", "RACI", "x", "A、R", "ar"])


def _cell_for(kind: str):
    by_kind = {
        "date": dates(),
        "datetime": dates(),
        "pct": PCT,
        "status": STATUS,
        "role": ROLE,
        "float": st.one_of(st.integers(-10, 500), st.floats(allow_nan=False, width=32), TEXT),
        "list": st.lists(st.sampled_from(["T1", "T2", "T3", "需求评审", "X9"]), max_size=3).map(
            "、".join
        ),
        "time": st.sampled_from(["17:00", "9:30", "25:99", "下午", "15点"]),
    }
    base = by_kind.get(kind, st.one_of(CJK, TEXT))
    return st.one_of(
        base,
        base,
        base,
        st.none(),
        st.just(""),
        st.just("  "),
        TEXT,
        st.integers(-5, 10**6),
        st.booleans(),
    )


def _header_variant(h: str, draw) -> str:
    how = draw(st.integers(0, 4))
    if how == 1:
        return h.upper()
    if how == 2:
        return f" {h} "
    if how == 3:
        return unicodedata.normalize("NFKC", h).replace(" ", "　")  # ideographic space
    if how == 4:
        return h + "(*)"
    return h


@st.composite
def tables(draw, table: str | None = None):
    """(table name, header row, data rows, n blank rows) with random synonyms and order."""
    table = table or draw(st.sampled_from(["tasks", "tasks", "tasks", "meetings", "updates"]))
    spec = TABLES[table]
    required = [c for c in spec.columns if c.required]
    optional = [c for c in spec.columns if not c.required]
    cols = required + draw(st.lists(st.sampled_from(optional), unique=True, max_size=6))
    cols = draw(st.permutations(cols))
    if draw(st.integers(0, 9)) == 0 and len(cols) > 2:  # sometimes drop a required column
        cols = cols[1:]
    headers = [_header_variant(draw(st.sampled_from(c.aliases or (c.name,))), draw) for c in cols]
    kinds = [c.kind for c in cols]
    n_extra = draw(st.integers(0, 2))
    for k in range(n_extra):
        pos = draw(st.integers(0, len(headers)))
        headers.insert(pos, draw(st.sampled_from(["我的备注", "Extra", "", f"列{k}"])))
        kinds.insert(pos, "str")
    n = draw(st.integers(0, 12))
    rows = [[draw(_cell_for(k)) for k in kinds] for _ in range(n)]
    n_blank = 0
    for _ in range(draw(st.integers(0, 3))):
        rows.insert(draw(st.integers(0, len(rows))), [None] * len(kinds))
        n_blank += 1
    return table, headers, rows, n_blank


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def _write_csv(path: Path, headers, rows, *, sep: str, encoding: str, eol: str) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=eol)
    w.writerow(headers)
    for r in rows:
        w.writerow([_csv_value(v) for v in r])
    path.write_bytes(buf.getvalue().encode(encoding))


def _write_xlsx(path: Path, sheet: str, headers, rows, *, title: bool) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append(["表2:任务跟踪子表"])
        ws.append([])
    ws.append(headers)
    for r in rows:
        # "" is no cell in a workbook; "=…" text would become a formula
        ws.append([None if v == "" else ("'" + v if _is_formula(v) else v) for v in r])
    wb.save(path)


def _is_formula(v) -> bool:
    return isinstance(v, str) and v.startswith("=")


def _sheet_lines(rows) -> int:
    """Data lines a sheet holds: trailing rows without any cell are not stored."""
    filled = [i for i, r in enumerate(rows) if any(v is not None and v != "" for v in r)]
    return filled[-1] + 1 if filled else 0


# ----------------------------------------------------------------------------- properties


def _check(path: Path, n_lines: int | None) -> None:
    try:
        td = load(path)
    except CollabError:
        return  # a clear, located refusal is an allowed outcome
    acc = td.accounting
    assert (acc["rows_read"] == acc["rows_loaded"] + acc["rows_rejected"]).all()
    for r in acc.itertuples(index=False):
        if r.table not in ("raci", "project"):
            assert len(td.table(r.table)) == r.rows_loaded
        assert int((td.rejected["table"] == r.table).sum()) == r.rows_rejected
    if n_lines is not None and not td.has_errors:
        seen = int(acc["rows_read"].sum() + acc["rows_skipped"].sum())
        assert seen == n_lines, acc.to_string()
    again = load(path)
    for name in ("tasks", "meetings", "updates", "raci"):
        pd.testing.assert_frame_equal(td.table(name), again.table(name))
    pd.testing.assert_frame_equal(td.issues, again.issues)
    pd.testing.assert_frame_equal(td.accounting, again.accounting)


@pytest.mark.slow
@FUZZ
@given(
    t=tables(),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_fuzz_csv(tmp_path_factory, t, sep, encoding, eol):
    table, headers, rows, _ = t
    path = tmp_path_factory.mktemp("fz") / f"{table}.csv"
    _write_csv(path, headers, rows, sep=sep, encoding=encoding, eol=eol)
    _check(path, len(rows))


@pytest.mark.slow
@FUZZ_XLSX
@given(t=tables(), title=st.booleans(), named=st.booleans())
def test_fuzz_xlsx(tmp_path_factory, t, title, named):
    table, headers, rows, _ = t
    sheet = {"tasks": "任务跟踪子表", "meetings": "沟通记录", "updates": "Progress updates"}
    path = tmp_path_factory.mktemp("fz") / "book.xlsx"
    _write_xlsx(path, sheet[table] if named else "Sheet1", headers, rows, title=title)
    _check(path, _sheet_lines(rows) if named else None)


@pytest.mark.slow
@settings(FUZZ, max_examples=_EXTRA or 60)
@given(data=st.binary(min_size=0, max_size=600), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_fuzz_raw_bytes(tmp_path_factory, data, suffix):
    """Arbitrary bytes under either name: a CollabError or a load, never anything else."""
    path = tmp_path_factory.mktemp("fz") / f"tasks{suffix}"
    path.write_bytes(data)
    _check(path, None)


@pytest.mark.slow
@settings(FUZZ, max_examples=_EXTRA or 40)
@given(cut=st.integers(0, 10_000), flip=st.integers(0, 10_000))
def test_fuzz_damaged_workbook(tmp_path_factory, cut, flip):
    """A real workbook truncated or with one byte flipped."""
    root = Path(__file__).resolve().parents[1]
    raw = bytearray((root / "tests" / "data" / "bad" / "hidden_sheet.xlsx").read_bytes())
    raw[flip % len(raw)] ^= 0x5A
    raw = raw[: len(raw) - cut % len(raw)]
    path = tmp_path_factory.mktemp("fz") / "book.xlsx"
    path.write_bytes(bytes(raw))
    _check(path, None)


# ----------------------------------------------------------------------------- found by fuzzing


def test_numbers_only_in_a_text_column(tmp_path):
    """A status column holding only a number (object dtype, no strings) once crashed in
    ``.str.strip()``; now the cell is an unknown status with its row."""
    path = tmp_path / "book.xlsx"
    _write_xlsx(
        path,
        "Sheet1",
        ["我的备注", "状态", "日期", "任务编号", "进度", "备注", "任务名称"],
        [["上", 0, None, None, None, "上", "上"]],
        title=False,
    )
    td = load(path)
    bad = td.issues[td.issues["code"] == "unknown_status"]
    assert bad["row"].tolist() == [2] and bad["value"].tolist() == ["0.0"]
