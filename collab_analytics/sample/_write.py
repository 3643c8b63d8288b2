"""Write the bundled sample files under ``data/`` (``python -m collab_analytics.sample write``).

Files written:

* ``smart_cs_launch.xlsx`` — the seed's project in the template layout, Chinese headers, with
  the harmless untidiness of a hand-kept workbook (see :func:`_hand_kept`);
* ``smart_cs_launch_en.xlsx`` — the same data, English headers and labels;
* ``csv/<table>.csv`` — one UTF-8 CSV per table, English headers (RACI in long form);
* ``portfolio.xlsx`` — a small PMO portfolio (8 projects, 7 departments, 技术部 planted as
  the bottleneck, 10 % of planned meetings missed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd

from collab_analytics.data import TrackingData
from collab_analytics.schema import DERIVED_COLUMNS, STATUS_LABELS, TABLES

__all__ = ["PORTFOLIO_ARGS", "main", "write_csv_folder", "write_sample_files"]

#: Arguments of the bundled ``portfolio.xlsx``.
PORTFOLIO_ARGS: dict = {
    "n_projects": 8,
    "tasks_per_project": 30,
    "seed": 7,
    "bottleneck": "技术部",
    "cadence_failures": 0.1,
}

# a fixed timestamp in the files' properties, so regenerating gives the same workbook content
_STAMP = dt.datetime(2024, 10, 15, 18, 0, 0)

_CSV_RACI_HEADERS = {
    "task_id": "Task ID",
    "task": "Task",
    "department": "Department",
    "role": "Role",
}


def write_csv_folder(data: TrackingData, folder: str | os.PathLike) -> list[Path]:
    """One UTF-8 CSV per canonical table with English headers.

    Dates are ISO (``2024-07-01``, or ``2024-07-01 17:00`` with a time), statuses their English
    labels, progress ``"80%"``, lists joined by ``", "``; derived columns are left out (a
    loader recomputes them). RACI is written in long form.

    Examples
    --------
    >>> import tempfile
    >>> from collab_analytics.sample import smart_cs_launch
    >>> from collab_analytics.sample._write import write_csv_folder
    >>> [p.name for p in write_csv_folder(smart_cs_launch(), tempfile.mkdtemp())][:3]
    ['project.csv', 'tasks.csv', 'updates.csv']
    """
    from collab_analytics.io.template import HEADERS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    labels = STATUS_LABELS["en"]
    written = []
    for table, spec in TABLES.items():
        df = getattr(data, table)
        cols = [c for c in df.columns if c not in DERIVED_COLUMNS.get(table, {})]
        out = {}
        for c in cols:
            s = df[c]
            kind = spec.column(c).kind if c in spec.column_names else "str"
            if kind in ("date", "datetime"):
                has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
                fmt = "%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"
                out[c] = s.dt.strftime(fmt)
            elif kind == "status":
                out[c] = s.astype("object").map(labels)
            elif kind == "pct":
                pct = (s * 100).round(1)
                out[c] = pct.map(lambda x: f"{x:g}%", na_action="ignore")
            elif kind == "list":
                out[c] = s.map(lambda v: ", ".join(v) if len(v) else None)
            else:
                out[c] = s
        frame = pd.DataFrame(out)
        headers = _CSV_RACI_HEADERS if table == "raci" else HEADERS["en"][table]
        frame = frame.rename(columns={c: headers.get(c, c) for c in frame.columns})
        path = folder / f"{table}.csv"
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def _fix_properties(path: Path) -> None:
    """Pin the workbook's timestamps so that regenerating gives byte-identical files."""
    import re
    import zipfile

    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.properties.created = _STAMP
    wb.properties.creator = "collab_analytics.sample"
    wb.save(path)  # openpyxl stamps "modified" with the wall clock; rewrite it below
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, raw in entries:
            if info.filename == "docProps/core.xml":
                raw = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    raw,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, raw)


def _find_header(ws, first: str) -> tuple[int, dict[str, int]]:
    """Row of the header whose first cell is ``first`` and its column positions by text."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 200)):
        if row[0].value == first:
            return row[0].row, {c.value: c.column for c in row if c.value is not None}
    msg = f"header {first!r} not found in sheet {ws.title!r}"
    raise LookupError(msg)


def _hand_kept(path: Path, data: TrackingData) -> None:
    """Make the Chinese workbook look hand-kept, without changing what it means.

    * the 需求评审会 row of the meeting log gives its date as ``7月15日`` (year from context);
    * task progress is typed as text, ``"100%"`` / ``"80%"``;
    * RACI department headers carry the template's marker, ``客服部(*对接人:张敏)``;
    * a blank spacer row splits the action items and a note row sits under them.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path)
    # meeting log on 总表
    ws = wb["总表"]
    row, cols = _find_header(ws, "日期")
    for r in range(row + 1, ws.max_row + 1):
        if ws.cell(row=r, column=cols["沟通主题"]).value == "需求评审会":
            d = ws.cell(row=r, column=cols["日期"]).value
            ws.cell(row=r, column=cols["日期"]).value = f"{d.month}月{d.day}日"
            ws.cell(row=r, column=cols["日期"]).number_format = "@"
    # progress as typed percentages
    ws = wb["任务跟踪子表"]
    row, cols = _find_header(ws, "项目名称")
    c = cols["进度"]
    for r in range(row + 1, row + 1 + len(data.tasks)):
        cell = ws.cell(row=r, column=c)
        if isinstance(cell.value, (int, float)):
            cell.value = f"{round(cell.value * 100):d}%"
            cell.number_format = "@"
    # RACI headers with the template's contact marker
    ws = wb["RACI矩阵"]
    row, cols = _find_header(ws, "任务编号")
    contacts = dict(zip(data.contacts["department"], data.contacts["contact"], strict=True))
    for name, col in cols.items():
        if name in contacts:
            ws.cell(row=row, column=col).value = f"{name}(*对接人:{contacts[name]})"
    # a spacer row in the action items and a note under them
    ws = wb["待办事项"]
    row, _ = _find_header(ws, "待办事项")
    split = row + 1 + len(data.actions) // 2
    ws.insert_rows(split)
    last = row + len(data.actions) + 1
    ws.cell(row=last + 2, column=1).value = "注:关闭日期为空表示尚未关闭,请负责人每周五前更新。"
    wb.save(path)


def write_sample_files(out: str | os.PathLike) -> list[Path]:
    """Write every bundled sample file under ``out`` and return their paths."""
    from collab_analytics.io import write_workbook
    from collab_analytics.sample import portfolio, smart_cs_launch

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    zh = smart_cs_launch("zh")
    en = smart_cs_launch("en")
    paths = []
    p = write_workbook(zh, out / "smart_cs_launch.xlsx", lang="zh")
    _hand_kept(p, zh)
    paths.append(p)
    paths.append(write_workbook(en, out / "smart_cs_launch_en.xlsx", lang="en"))
    paths.append(write_workbook(portfolio(**PORTFOLIO_ARGS), out / "portfolio.xlsx", lang="zh"))
    for p in paths:
        _fix_properties(p)
    paths += write_csv_folder(en, out / "csv")
    return paths


def _check(paths: list[Path]) -> int:
    """Load every written file back; print the load summary line; count errors."""
    from collab_analytics.io import load

    errors = 0
    seen = set()
    for p in paths:
        target = p.parent if p.suffix == ".csv" else p
        if target in seen:
            continue
        seen.add(target)
        td = load(target)
        n_err = len(td.errors)
        errors += n_err
        sizes = ", ".join(f"{t}={len(getattr(td, t))}" for t in TABLES)
        print(f"  {target}: errors={n_err} warnings={len(td.warnings)}  ({sizes})")
    return errors


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m collab_analytics.sample write [OUT_DIR]`` (default ``data``)."""
    parser = argparse.ArgumentParser(
        prog="python -m collab_analytics.sample",
        description="Regenerate the bundled sample files.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the sample workbooks and CSVs")
    w.add_argument("out", nargs="?", default="data", help="output folder (default: data)")
    w.add_argument("--no-check", action="store_true", help="skip loading the files back")
    args = parser.parse_args(argv)
    paths = write_sample_files(args.out)
    for p in paths:
        print(p)
    if args.no_check:
        return 0
    print("loading back:")
    return 1 if _check(paths) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
