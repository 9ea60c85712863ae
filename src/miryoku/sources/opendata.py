"""Municipal open-data CSV files (plain URLs or landing files) → bronze ``opendata_<dataset>_v1``.

One configured source is one standard dataset (``dataset = "tourism"`` for 観光施設一覧, ``events``,
``wifi`` …; see ``miryoku.conform.opendata_schemas.DATASETS``). Each file is decoded with the
encoding it really has (recorded per row), split with ``jpdata.parse_csv`` and staged row by row as
the original header list plus a header → cell JSON object: bronze keeps every cell as written,
the standard schema is applied in silver. Rows the reader sets aside (footer rows, shifted rows) and
files no encoding decodes are quarantined with their reason; the rest of the file is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from miryoku.conform.opendata_schemas import DATASETS
from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext
from miryoku.sources.fileinputs import fail_alone, iter_source_inputs
from miryoku.sources.inputs import InputFile
from miryoku.sources.jpdata import EncodingError, parse_csv
from miryoku.sources.tabular import FileMeta, TablePage, bronze_table, checksum, run_tabular

CSV_SUFFIXES = (".csv", ".txt")


class ConfigError(ValueError):
    pass


def dataset_of(options: dict) -> str:
    dataset = str(options.get("dataset", ""))
    if dataset not in DATASETS:
        raise ConfigError(f"dataset {dataset!r} is not a known standard dataset: {', '.join(sorted(DATASETS))}")
    return dataset


def csv_page(file: InputFile, dataset: str, source: str, options: dict) -> TablePage:
    """One CSV file → one page of bronze rows (and its rejects) for ``opendata_<dataset>_v1``."""
    table = bronze_table("opendata", dataset)
    digest = checksum(file.data)
    try:
        parsed = parse_csv(file.data, header_rows=int(options.get("header_rows", 1)),
                           declared_encoding=options.get("encoding"),
                           has_header=bool(options.get("header", True)), columns=options.get("columns"))
    except (EncodingError, ValueError) as exc:
        reject = Rejected.of("undecodable_file", str(exc), source, file.location, file.data[:500])
        return TablePage(rows={table: []}, rejected={table: [reject]}, rows_in=1)
    meta = FileMeta(file.location, file.name, parsed.decoded.encoding, parsed.decoded.line_ending, digest)
    columns = json.dumps(parsed.columns, ensure_ascii=False)
    default = options.get("muni_code")
    rows = [meta.row(number, dataset=dataset, muni_code_default=str(default) if default else None,
                     columns=columns, record=json.dumps(record, ensure_ascii=False))
            for number, record in parsed.records()]
    rejected = [Rejected.of(reason, f"record {number} of {file.name}", source, f"{file.location}:{number}",
                            json.dumps(cells, ensure_ascii=False))
                for number, reason, cells in parsed.set_aside]
    return TablePage(rows={table: rows}, rejected={table: rejected}, rows_in=len(rows) + len(rejected))


def fetch_for(lake: Lake, name: str, options: dict):
    dataset = dataset_of(options)

    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        done = int((resume or {}).get("files_done", 0))
        for index, file in iter_source_inputs(lake, ctx, name, options, CSV_SUFFIXES, done):
            page = csv_page(file, dataset, name, options)
            page.resume = {"files_done": index}
            yield page
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's files of one open-data source into bronze ``opendata_<dataset>_v1``."""
    table = bronze_table("opendata", dataset_of(options))
    return fail_alone(lake, ctx, name, lambda: run_tabular(lake, name, fetch_for(lake, name, options), ctx, [table]))
