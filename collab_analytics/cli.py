"""The ``collab-analytics`` command.

Subcommands
-----------
``validate WORKBOOK_OR_FOLDER [--strict] [--lang zh|en] [--column H=C] [--status W=C]``
    Load and print the data-quality report (table sizes, rows read/loaded/rejected, every
    issue with file › sheet › row › column). ``--column "Summary=task"`` and
    ``--status Resolved=done`` read exports of other tools (repeatable). Exit status: 0 clean,
    1 errors found (with ``--strict`` also warnings), 2 the input cannot be read.
``template OUT.xlsx [--lang zh|en]``
    Write the blank tracking template.
``report WORKBOOK_OR_FOLDER --out DIR [--lang] [--as-of DATE] [--format LIST] [--working-days]``
    (and the input options of ``validate``: ``--column``, ``--status``, ``--year``)
    Write the retrospective (deck, HTML, charts, tables) under ``DIR``; prints the headline
    KPIs and every file written. Exit status: 0 written, 1 validation errors (report on stderr),
    2 unreadable input or unsafe output path.

Each subcommand is registered by its own ``_add_<name>(subparsers)`` function that sets
``func``; new subcommands (``report``) are added the same way in :func:`build_parser`.

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics.cli import main
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> main(["template", str(out), "--lang", "en"])  # doctest: +ELLIPSIS
Template written: ...t.xlsx
0
>>> main(["validate", str(out), "--lang", "en"])  # doctest: +ELLIPSIS
table ...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from collab_analytics._errors import CollabError

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of labels and messages (default: zh)",
    )


def _pairs(option: str, key: str, value: str):
    """argparse type for ``KEY=VALUE`` options (``--column "Summary=task"``)."""

    def parse(text: str) -> tuple[str, str]:
        k, sep, v = text.partition("=")
        if not sep or not k.strip() or not v.strip():
            msg = f"{option} expects {key}={value}, got {text!r}"
            raise argparse.ArgumentTypeError(msg)
        return k.strip(), v.strip()

    return parse


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options on how to read the input, shared by ``validate`` and ``report``."""
    from collab_analytics.schema import STATUS_CODES

    pairs = (
        (
            "--column",
            "HEADER",
            "COLUMN",
            "your header for a canonical column, e.g. --column 'Component/s=department'",
        ),
        (
            "--status",
            "WORD",
            "CODE",
            "your status word for a status code, e.g. --status "
            f"Resolved=done (codes: {' '.join(STATUS_CODES)})",
        ),
    )
    for option, key, value, text in pairs:
        p.add_argument(
            option,
            action="append",
            default=[],
            type=_pairs(option, key, value),
            metavar=f"{key}={value}",
            help=f"{text}; repeatable",
        )
    p.add_argument(
        "--year", type=int, default=None, help="year for dates written without one (7月15日)"
    )


def input_options(args: argparse.Namespace) -> dict:
    """Keyword arguments for :func:`collab_analytics.load` from :func:`add_input_options`."""
    return {
        "columns": dict(args.column) or None,
        "status_map": dict(args.status) or None,
        "year": args.year,
    }


def _cmd_validate(args: argparse.Namespace) -> int:
    from collab_analytics.io import load

    td = load(args.path, **input_options(args))
    print(td.summary(lang=args.lang))
    skipped = td.accounting.get("rows_skipped")
    if skipped is not None and int(skipped.sum()):
        label = (
            "跳过的非数据行(空行/注释/标题)"
            if args.lang == "zh"
            else "non-data rows skipped (blank/notes/titles)"
        )
        print(f"{label}: {int(skipped.sum())}")
    if len(td.rejected):
        head = "被拒绝的行" if args.lang == "zh" else "rejected rows"
        print(f"{head}:")
        for r in td.rejected.itertuples(index=False):
            where = " › ".join(str(x) for x in (r.file, r.sheet) if isinstance(x, str) and x)
            print(f"  {r.table}: {where} › row {r.row}: {r.reason}")
    if td.has_errors or (args.strict and len(td.warnings)):
        return EXIT_ERRORS
    return EXIT_OK


def _add_validate(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="check a tracking workbook, CSV file or folder",
        description="Load the data and print the data-quality report.",
    )
    p.add_argument("path", metavar="WORKBOOK_OR_FOLDER")
    p.add_argument(
        "--strict", action="store_true", help="exit non-zero on warnings too, not only on errors"
    )
    add_input_options(p)
    _add_lang(p)
    p.set_defaults(func=_cmd_validate)


def _cmd_template(args: argparse.Namespace) -> int:
    from collab_analytics.io import write_template

    path = write_template(args.out, lang=args.lang)
    msg = f"已写入模板: {path}" if args.lang == "zh" else f"Template written: {path}"
    print(msg)
    return EXIT_OK


def _add_template(sub) -> None:
    p = sub.add_parser("template", help="write the blank tracking template (.xlsx)")
    p.add_argument("out", metavar="OUT.xlsx")
    _add_lang(p)
    p.set_defaults(func=_cmd_template)


def _add_report(sub) -> None:
    from collab_analytics.export._cli import add_report

    add_report(sub)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="collab-analytics",
        description="Retrospective analytics for cross-department tracking workbooks "
        "(跨部门协作沟通计划与跟踪表).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_validate(sub)
    _add_template(sub)
    _add_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CollabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
