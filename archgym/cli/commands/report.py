"""``archgym report RESULTS --out DIR``: figures and a Markdown summary of a sweep."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="plot a sweep's results (convergence, evaluations to target, lottery, Pareto)",
    )
    parser.add_argument("results", help="a sweep output folder or its results.parquet")
    parser.add_argument("--out", required=True, help="folder for the PNG figures and report.md")
    parser.add_argument("--title", help="report title (default: the sweep's name)")
    parser.add_argument("--notes", help="Markdown file whose text goes under the title")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.experiments import write_report

    notes = Path(args.notes).read_text() if args.notes else ""
    report = write_report(args.results, args.out, title=args.title, notes=notes)
    for path in (*report.figures, report.markdown):
        print(path)
    return 0
