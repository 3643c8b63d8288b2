"""The ``report`` subcommand of ``collab-analytics`` (registered by :mod:`collab_analytics.cli`).

``collab-analytics report WORKBOOK_OR_FOLDER --out DIR [--lang zh|en] [--as-of DATE]
[--deadline DATE] [--format pptx,html,png,svg,xlsx] [--working-days] [--compare-as-of DATE |
--compare-with OLD_WORKBOOK]``

Exit status: 0 written; 1 the data has validation errors (the validation report is printed on
stderr, nothing is written); 2 the input cannot be read or an output path is unsafe.

Examples
--------
>>> import argparse
>>> sub = argparse.ArgumentParser().add_subparsers()
>>> p = add_report(sub)
>>> a = p.parse_args(["wb.xlsx", "--out", "o", "--format", "html,xlsx", "--working-days"])
>>> a.formats, a.calendar, a.lang, a.compare_as_of, a.deadline
(['html', 'xlsx'], 'cn', 'zh', None, None)
"""

from __future__ import annotations

import argparse
import sys

from collab_analytics.cli import add_input_options, input_options

__all__ = ["add_report", "cmd_report"]

EXIT_OK, EXIT_ERRORS = 0, 1


def _formats(text: str) -> list[str]:
    from collab_analytics.export.report import FORMATS

    out = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        msg = f"unknown format(s) {bad or text!r}; choose from {','.join(FORMATS)}"
        raise argparse.ArgumentTypeError(msg)
    return out


def _width(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``report``: load, validate, write, print KPIs and where each file went."""
    from collab_analytics.export.report import run_report
    from collab_analytics.io import load
    from collab_analytics.labels import label

    lang = args.lang
    read = input_options(args)
    td = load(args.path, **read)
    if td.has_errors:
        print(f"{label('report_validation_failed', lang)}:", file=sys.stderr)
        print(td.summary(lang=lang), file=sys.stderr)
        return EXIT_ERRORS
    compare_to = args.compare_as_of
    if args.compare_with is not None:
        compare_to = load(args.compare_with, **read)
        if compare_to.has_errors:
            print(f"{label('report_validation_failed', lang)}:", file=sys.stderr)
            print(compare_to.summary(lang=lang), file=sys.stderr)
            return EXIT_ERRORS
    result = run_report(
        td,
        args.out,
        lang=lang,
        formats=args.formats,
        as_of=args.as_of,
        calendar=args.calendar,
        compare_to=compare_to,
        deadline=args.deadline,
        progress=not args.quiet,
    )
    print(f"{label('report_kpis', lang)}:")
    width = max((_width(s) for s in result.kpis["label"]), default=0)
    for lab, disp in zip(result.kpis["label"], result.kpis["display"], strict=True):
        print(f"  {lab}{' ' * (width - _width(lab))}  {disp}")
    print(f"{label('report_written', lang)}:")
    for p in result.paths:
        print(f"  {p}")
    return EXIT_OK


def add_report(sub) -> argparse.ArgumentParser:
    """Register ``report`` on an ``add_subparsers()`` object; returns its parser."""
    p = sub.add_parser(
        "report",
        help="write the retrospective deck, HTML report, charts and tables",
        description="Load the data, compute the metrics and findings, and write the "
        "retrospective under --out (only there; files it did not write are never overwritten).",
    )
    p.add_argument("path", metavar="WORKBOOK_OR_FOLDER")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_input_options(p)
    p.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of the report (default: zh)"
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        metavar="DATE",
        help="as-of date (default: the latest date in the data)",
    )
    p.add_argument(
        "--deadline",
        default=None,
        metavar="DATE",
        help="deadline for the finish forecast (chance to finish by then)",
    )
    p.add_argument(
        "--format",
        dest="formats",
        type=_formats,
        default=["pptx", "html", "png"],
        metavar="LIST",
        help="comma list of pptx,html,png,svg,xlsx (default: pptx,html,png)",
    )
    p.add_argument(
        "--working-days",
        dest="calendar",
        action="store_const",
        const="cn",
        default=None,
        help="count days as Chinese working days (holidays, 调休)",
    )
    cmp = p.add_mutually_exclusive_group()
    cmp.add_argument(
        "--compare-as-of",
        dest="compare_as_of",
        default=None,
        metavar="DATE",
        help="period over period: also show KPI deltas since this earlier as-of date",
    )
    cmp.add_argument(
        "--compare-with",
        dest="compare_with",
        default=None,
        metavar="OLD_WORKBOOK",
        help="period over period against an earlier snapshot of the workbook "
        "(KPI deltas and re-planned tasks)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)
    return p
