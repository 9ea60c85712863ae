"""Property: whatever bytes or JSON a landing file holds, every non-blank line lands in exactly one place.

"Exactly one place" is checked by location: each non-blank line number of the file appears once,
either as a staged bronze row (its ``request`` and the line's ``id``) or as a quarantine entry
(``file:line``), and nothing else is staged or quarantined.
"""

from __future__ import annotations

import json
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miryoku.lake import Lake
from miryoku.lake.quarantine import read_quarantine
from miryoku.sources.base import FetchContext
from miryoku.sources.filedrop import ingest
from miryoku.sources.ingest import staged_source_dir

DT = "2026-01-02"
REL = f"landing/sns/prop/dt={DT}/a.jsonl"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# posts that are often valid, with any field replaced by anything
posts = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(max_size=12), st.integers(), json_values),
    "created_at": st.one_of(st.sampled_from(["2026-01-02T10:00:00+09:00", "2026-01-02T01:00:00Z"]),
                            st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()), json_values),
    "text": st.one_of(st.text(min_size=1, max_size=40), json_values),
    "author": json_values, "hashtags": json_values, "lang": json_values, "url": json_values,
    "user": json_values,
})
lines = st.one_of(
    st.binary(max_size=80),
    json_values.map(lambda v: json.dumps(v).encode()),
    posts.map(lambda p: json.dumps(p, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    posts.map(lambda p: json.dumps(p).encode()),  # ASCII-escaped: lone surrogates reach the parser
)


def non_blank_lines(body: bytes) -> list[int]:
    """1-based numbers of the lines that carry anything (what the parser must account for)."""
    numbers = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if line.strip():
            numbers.append(number)
    return numbers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=12), st.booleans())
def test_every_line_lands_in_exactly_one_place(generated, crlf):
    sep = b"\r\n" if crlf else b"\n"
    body = sep.join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in generated)
    with tempfile.TemporaryDirectory() as root:
        lake = Lake.from_settings(root + "/lake")
        lake.write_bytes(REL, body)
        stats = ingest(lake, FetchContext(DT, "p"), "file", {})
        expected = non_blank_lines(body.replace(b"\r\n", b"\n"))
        quarantined = [q["location"] for q in read_quarantine(lake, "sns_posts", DT)]
        staged_dir = staged_source_dir("p", DT, "prop")
        staged = lake.read_parquet(staged_dir).num_rows if lake.exists(staged_dir) else 0
        if not expected:
            assert quarantined == [REL] and staged == 0  # an empty file is one entry
            return
        numbers = [int(loc.rsplit(":", 1)[1]) for loc in quarantined]
        assert len(numbers) == len(set(numbers))
        assert set(numbers) <= set(expected)
        assert staged + len(numbers) == len(expected)
        assert stats["rows_in"] == len(expected) and stats["rows_out"] == staged
