"""``miryoku …``: the steps the DAGs run, for humans and tests.

    miryoku run --date 2026-01-14 [--lake ./lake] [--sources file,sample]
    miryoku demo [--start 2026-01-01 --days 14]      # the nightly DAG via Airflow, then the report
    miryoku report --date 2026-01-14                # read the gold tables back through sql/
    miryoku catalog --output catalog.duckdb         # DuckDB file for analysts and BI tools
    miryoku check                                   # Java, MeCab dictionary, Python version
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys


def _check() -> list[str]:
    problems = []
    if sys.version_info[:2] != (3, 11):
        problems.append(f"Python 3.11 required, found {sys.version.split()[0]}: install python3.11")
    from miryoku.spark import JavaMissing, check_java

    try:
        check_java()
    except JavaMissing as exc:
        problems.append(str(exc))
    from miryoku.text.tokenizer import TokenizerUnavailable, tagger

    try:
        tagger()
    except TokenizerUnavailable as exc:
        problems.append(str(exc))
    return problems


def cmd_check(_args) -> int:
    problems = _check()
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


def cmd_run(args) -> int:
    from miryoku.pipeline import parse_sources, run_all

    dt.date.fromisoformat(args.date)
    run_id = args.run_id or f"manual__{args.date}__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    summary = run_all(args.date, run_id, parse_sources(args.sources), args.lake)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_report(args) -> int:
    from miryoku.lake import Lake
    from miryoku.report import render

    print(render(Lake.from_settings(args.lake), args.date, args.top))
    return 0


def cmd_catalog(args) -> int:
    from pathlib import Path

    from miryoku.catalog import build_catalog
    from miryoku.lake import Lake

    names = build_catalog(Lake.from_settings(args.lake), Path(args.output))
    print(f"{args.output}: {', '.join(names)}")
    return 0


def cmd_demo(args) -> int:
    from miryoku.demo import run_demo

    return run_demo(args.start, args.days, args.lake, args.top)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="miryoku", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every nightly step for one date, in this process")
    run.add_argument("--date", required=True, help="logical date YYYY-MM-DD (a JST calendar day)")
    run.add_argument("--lake", default=None, help="lake root: a folder or s3://bucket/prefix")
    run.add_argument("--sources", default=None, help="comma-separated source names (default: all enabled)")
    run.add_argument("--run-id", default=None, help="reuse a run id to resume a crashed run")
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", help="print rows, gate results and top terms for a date")
    report.add_argument("--date", required=True)
    report.add_argument("--lake", default=None)
    report.add_argument("--top", type=int, default=5)
    report.set_defaults(func=cmd_report)

    demo = sub.add_parser("demo", help="run the nightly DAG through Airflow over the sample, then report")
    demo.add_argument("--start", default="2026-01-01")
    demo.add_argument("--days", type=int, default=14)
    demo.add_argument("--lake", default=None)
    demo.add_argument("--top", type=int, default=5)
    demo.set_defaults(func=cmd_demo)

    catalog = sub.add_parser("catalog", help="build a DuckDB file with a view or table per published table")
    catalog.add_argument("--lake", default=None)
    catalog.add_argument("--output", default="catalog.duckdb")
    catalog.set_defaults(func=cmd_catalog)

    check = sub.add_parser("check", help="check Python, Java and the MeCab dictionary")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
