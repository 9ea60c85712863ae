"""Public test vectors of other projects, run against this project's parsers (see tests/fixtures/SOURCES.md).

Each vector is ``in`` (read, equal to the expected value), ``refused`` or ``out`` (both raise); the
counts per parser and scope are the table of docs/values.md, which this test keeps honest.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from miryoku.sources.jpvalues import DateError, NumberError, kanji_to_int, parse_date

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "fixtures" / "vectors"


def load(name: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (VECTORS / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            raw, expected, scope, source = line.split("\t")
            rows.append((raw, expected, scope, source))
    return rows


@pytest.mark.parametrize(("raw", "expected", "scope", "source"), load("kanji_numerals.tsv"))
def test_kanji_numeral_vectors(raw, expected, scope, source):
    if scope == "in":
        assert kanji_to_int(raw) == int(expected)
    else:
        with pytest.raises(NumberError):
            kanji_to_int(raw)


@pytest.mark.parametrize(("raw", "expected", "scope", "source"), load("dates.tsv"))
def test_date_vectors(raw, expected, scope, source):
    if scope == "in":
        assert parse_date(raw) == expected
    else:
        with pytest.raises(DateError):
            parse_date(raw)


def test_docs_table_counts_the_vectors():
    text = (ROOT / "docs" / "values.md").read_text(encoding="utf-8")
    for parser, name in (("kanji numerals", "kanji_numerals.tsv"), ("dates", "dates.tsv")):
        counts = Counter((source, scope) for _, _, scope, source in load(name))
        for source in sorted({s for s, _ in counts}):
            row = re.search(rf"^\| {parser} \| {re.escape(source)} \| (\d+) \| (\d+) \| (\d+) \|", text, re.M)
            assert row, f"docs/values.md has no row for {parser} / {source}"
            assert tuple(int(g) for g in row.groups()) == (
                counts[(source, "in")], counts[(source, "out")], counts[(source, "refused")])
