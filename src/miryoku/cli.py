"""``miryoku …``: the steps the DAGs run, for humans and tests.

    miryoku run --date 2026-01-14 [--lake ./lake] [--sources file,sample]
    miryoku demo [--start 2026-01-01 --days 14]      # the nightly DAG via Airflow, then the report
    miryoku report [--from D --to D] [--pref 41] [--html [PATH]]   # text summary or the HTML report
    miryoku sql sql/questions/06_distinctive_terms.sql --var dt_from=2026-01-01 …   # a query, bound
    miryoku catalog --output catalog.duckdb         # DuckDB file for analysts and BI tools
    miryoku check                                   # Java, MeCab dictionary, Python version

Exit codes: 0 done; 1 a run, gate or check failed (or an unexpected error); 2 invalid input (a bad
option, date or variable); 3 nothing to read (no lake, no published tables or no data in the period).
Errors are one line naming the cause and the fix; --verbose adds the traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

EXIT_FAILED, EXIT_USAGE, EXIT_NO_DATA = 1, 2, 3
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CliError(Exception):
    """An error the user can fix: printed as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def iso_date(text: str) -> str:
    """argparse type: a real calendar date written YYYY-MM-DD (not 20260310, not 2026-W07-2)."""
    if not _DATE.match(text or ""):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD (e.g. 2026-01-14)")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date (e.g. 2026-01-14)") from None
    return text


def pref_code(text: str) -> str:
    if not re.fullmatch(r"\d{2}", text) or not 1 <= int(text) <= 47:
        raise argparse.ArgumentTypeError(f"{text!r} is not a prefecture code 01–47 (e.g. 41 for 佐賀県)")
    return text


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
    return EXIT_FAILED if problems else 0


def _existing_lake(root: str | None):
    """The lake, or a one-line error when a local lake folder does not exist."""
    from miryoku.lake import Lake

    lake = Lake.from_settings(root)
    if lake.is_local and not lake.exists(""):
        raise CliError(f"no lake at {lake.root}: pass --lake PATH or set MIRYOKU_LAKE "
                       "(make demo builds ./lake over the sample)", EXIT_NO_DATA)
    return lake


def cmd_run(args) -> int:
    from miryoku.pipeline import parse_sources, run_all

    run_id = args.run_id or f"manual__{args.date}__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    summary = run_all(args.date, run_id, parse_sources(args.sources), args.lake)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def _report_period(args, lake) -> tuple[str, str]:
    """--date D, or --from/--to; without either, the latest published date."""
    from miryoku.report import connect
    from miryoku.report.data import published_dates

    if args.date and (args.date_from or args.date_to):
        raise CliError("give either --date or --from/--to, not both", EXIT_USAGE)
    dates = published_dates(connect(lake))
    if not dates:
        raise CliError(f"no published gold in {lake.root}: run `miryoku run --date YYYY-MM-DD` first",
                       EXIT_NO_DATA)
    date_to = args.date or args.date_to or dates[-1]
    date_from = args.date or args.date_from or date_to
    if date_from > date_to:
        raise CliError(f"--from {date_from} is after --to {date_to}: swap them", EXIT_USAGE)
    if not any(date_from <= d <= date_to for d in dates):
        raise CliError(f"no published gold between {date_from} and {date_to}: published dates are "
                       f"{dates[0]} … {dates[-1]}", EXIT_NO_DATA)
    return date_from, date_to


def cmd_report(args) -> int:
    from miryoku.report import render, write_html_report

    lake = _existing_lake(args.lake)
    date_from, date_to = _report_period(args, lake)
    if args.html is None:
        print(render(lake, date_to, args.top))
        return 0
    path = write_html_report(lake.root, date_from, date_to, args.html or None, args.pref, item=args.item,
                             data_docs=not args.no_data_docs)
    print(path)
    return 0


def cmd_sql(args) -> int:
    from miryoku.report.queries import run_file

    values = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise CliError(f"--var {item!r} is not name=value (e.g. --var dt_from=2026-01-01)", EXIT_USAGE)
        values[name] = value
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no SQL file {args.file}: give a path such as sql/questions/06_distinctive_terms.sql",
                       EXIT_USAGE)
    if args.catalog:
        from miryoku.catalog import open_catalog

        if not Path(args.catalog).is_file():
            raise CliError(f"no catalog file {args.catalog}: build it with `miryoku catalog --output "
                           f"{args.catalog}`", EXIT_NO_DATA)
        con = open_catalog(Path(args.catalog))
    else:
        from miryoku.report import connect

        con = connect(_existing_lake(args.lake))
    columns, rows = run_file(con, path, values)
    if args.output:
        return _write_rows(con, columns, rows, args.output)
    _print_table(columns, rows[: args.max_rows])
    if len(rows) > args.max_rows:
        print(f"… {len(rows) - args.max_rows} more rows (--max-rows, or --output FILE.csv for all)")
    return 0


def _write_rows(con, columns: list[str], rows: list[tuple], output: str) -> int:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in rows]) if rows else \
        pa.table({c: pa.array([], pa.string()) for c in columns})
    if output.endswith(".parquet"):
        pq.write_table(table, output)
    elif output.endswith(".csv"):
        pacsv.write_csv(table, output)
    else:
        raise CliError(f"--output {output}: name a .csv or .parquet file", EXIT_USAGE)
    print(f"{output}: {len(rows)} rows")
    return 0


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)))


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def cmd_catalog(args) -> int:
    from miryoku.catalog import NoTablesFound, build_catalog

    lake = _existing_lake(args.lake)
    try:
        names = build_catalog(lake, Path(args.output), include_bronze=args.include_bronze,
                              views_root=args.views_root)
    except NoTablesFound:
        raise CliError(f"no published tables in {lake.root}: pass --lake PATH of a built lake or run "
                       "`miryoku run --date YYYY-MM-DD` first", EXIT_NO_DATA) from None
    print(f"{args.output}: {', '.join(names)}")
    return 0


def cmd_demo(args) -> int:
    from miryoku.demo import run_demo

    return run_demo(args.start, args.days, args.lake, args.top)


def cmd_jvm_archive(args) -> int:
    from miryoku.class_archive import build
    from miryoku.config import settings

    out = args.output or settings().spark.class_archive
    if out.lower() == "none":
        raise CliError("MIRYOKU_SPARK_CLASS_ARCHIVE=none: give --output PATH to make one anyway", EXIT_USAGE)
    print(json.dumps(build(Path(out))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", "-v", action="store_true", help="show the traceback of an error")
    parser = argparse.ArgumentParser(prog="miryoku", description=__doc__, parents=[common],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lake_help = "lake root: a folder or s3://bucket/prefix (default: MIRYOKU_LAKE or ./lake)"

    run = sub.add_parser("run", parents=[common], help="run every nightly step for one date, in this process")
    run.add_argument("--date", required=True, type=iso_date, help="logical date YYYY-MM-DD (a JST calendar day)")
    run.add_argument("--lake", default=None, help=lake_help)
    run.add_argument("--sources", default=None, help="comma-separated source names (default: all enabled)")
    run.add_argument("--run-id", default=None, help="reuse a run id to resume a crashed run")
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", parents=[common],
                            help="the text summary, or with --html the offline HTML report with charts")
    report.add_argument("--date", type=iso_date, default=None,
                        help="one JST date YYYY-MM-DD (default: the latest published date)")
    report.add_argument("--from", dest="date_from", type=iso_date, default=None,
                        help="first JST date of the period (default: --to)")
    report.add_argument("--to", dest="date_to", type=iso_date, default=None,
                        help="last JST date of the period (default: the latest published date)")
    report.add_argument("--pref", type=pref_code, default=None, help="narrow the charts to one prefecture (01–47)")
    report.add_argument("--item", default="いちご", help="item of the tile map and the shipments chart")
    report.add_argument("--html", nargs="?", const="", default=None, metavar="PATH",
                        help="write the HTML report to PATH (no PATH: <lake>/_reports/dt=<to>/report.html)")
    report.add_argument("--no-data-docs", action="store_true",
                        help="link the gate results' JSON instead of rendering GX Data Docs pages")
    report.add_argument("--lake", default=None, help=lake_help)
    report.add_argument("--top", type=int, default=5, help="terms per prefecture in the text summary")
    report.set_defaults(func=cmd_report)

    sql = sub.add_parser("sql", parents=[common], help="run a sql/ query with its variables bound")
    sql.add_argument("file", help="a SQL file, e.g. sql/questions/06_distinctive_terms.sql")
    sql.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                     help="a variable the file reads with getvariable('NAME'); repeat for each")
    sql.add_argument("--lake", default=None, help=lake_help + "; the query runs over its published tables")
    sql.add_argument("--catalog", default=None, help="run against this catalog file instead of --lake")
    sql.add_argument("--output", default=None, metavar="FILE", help="write all rows to FILE.csv or FILE.parquet")
    sql.add_argument("--max-rows", type=int, default=50, help="rows printed without --output (default 50)")
    sql.set_defaults(func=cmd_sql)

    demo = sub.add_parser("demo", parents=[common],
                          help="run the nightly DAG through Airflow over the sample, then report")
    demo.add_argument("--start", type=iso_date, default="2026-01-01", help="first logical date YYYY-MM-DD")
    demo.add_argument("--days", type=int, default=14, help="number of dates to run")
    demo.add_argument("--lake", default=None, help=lake_help)
    demo.add_argument("--top", type=int, default=5, help="terms per prefecture in the closing summary")
    demo.set_defaults(func=cmd_demo)

    catalog = sub.add_parser("catalog", parents=[common],
                             help="build a DuckDB file with a view or table per published table")
    catalog.add_argument("--lake", default=None, help=lake_help)
    catalog.add_argument("--output", default="catalog.duckdb", help="the DuckDB file to write")
    catalog.add_argument("--include-bronze", action="store_true",
                         help="also expose bronze (raw payloads as fetched); silver and gold only by default")
    catalog.add_argument("--views-root", default=None, metavar="ROOT",
                         help="lake root written into the views, e.g. where a BI host mounts the lake "
                              "(default: relative to the catalog file's folder)")
    catalog.set_defaults(func=cmd_catalog)

    archive = sub.add_parser("jvm-archive", parents=[common],
                             help="record the local Spark JVM's class-data-sharing archive from one sample night")
    archive.add_argument("--output", default=None, metavar="PATH",
                         help="where to write it (default: MIRYOKU_SPARK_CLASS_ARCHIVE or <venv>/share/miryoku/)")
    archive.set_defaults(func=cmd_jvm_archive)

    check = sub.add_parser("check", parents=[common], help="check Python, Java and the MeCab dictionary")
    check.set_defaults(func=cmd_check)
    parser.error = lambda message: _usage_error(message)  # one line, not usage + error
    for action in sub.choices.values():
        action.error = parser.error
    return parser


def _usage_error(message: str):
    print(f"error: {message} (see miryoku --help)", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def main(argv: list[str] | None = None) -> int:
    """Run a command; errors become one line on stderr and an exit code (traceback with --verbose)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - every error ends as one line and an exit code
        if args.verbose:
            import traceback

            traceback.print_exc()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return _exit_code(exc)


def _one_line(exc: Exception) -> str:
    from miryoku.failure import DISK_FULL, disk_full
    from miryoku.quality.gate import GateFailed

    text = " ".join(str(exc).split()) or type(exc).__name__
    if disk_full(exc):
        return (f"{DISK_FULL}: the step failed and the previous data stays served; free space, then run "
                "the date again with the same --run-id")
    if isinstance(exc, GateFailed):
        return f"{text} — nothing was published; see <lake>/_quality for the full result"
    if isinstance(exc, CliError):
        return text
    from miryoku.report.queries import QueryInputError

    if isinstance(exc, QueryInputError):
        return text
    return f"{type(exc).__name__}: {text} (rerun with --verbose for the traceback)"


def _exit_code(exc: Exception) -> int:
    from miryoku.report.page import NoDataForPeriod
    from miryoku.report.queries import QueryInputError

    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, QueryInputError):
        return EXIT_USAGE
    if isinstance(exc, NoDataForPeriod):
        return EXIT_NO_DATA
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
