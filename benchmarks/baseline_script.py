"""The script an analyst would write instead of the lake: all-Japan daily term counts from JSONL exports.

Read every ``*.jsonl`` file of a folder → NFKC → drop duplicates (an id seen before; the same
author posting the same text on the same JST day; reposts ``RT @x: …``) → MeCab (unidic-lite, a
custom output format passed in an rc file with ``-r``: surface, written base form, first POS field)
→ for each JST date and term, the number of distinct posts containing it. Content words only:
the first POS field exactly 名詞, 動詞, 形容詞 or 形状詞. URLs and @mentions are removed first,
since a term ``https`` in every other post is not what the analyst asked about.

One process, standard library plus mecab-python3 and unidic-lite; it depends on nothing else of
this repository so it can be copied and run on its own:

    python benchmarks/baseline_script.py lake/landing/sns/dashboard/dt=2026-03-02 --output counts.tsv

The output is TSV ``dt, term, posts``, sorted by dt, then posts descending, then term.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
URL_RE = re.compile(r"https?://\S+")
MENTION_RE = re.compile(r"@[A-Za-z0-9_]+")
REPOST_RE = re.compile(r"^\s*RT @[A-Za-z0-9_]+:")
JST = dt.timezone(dt.timedelta(hours=9))
MECAB_RC = (
    "node-format-bench = %m\\t%f[10]\\t%f[0]\\n\n"
    "unk-format-bench = %m\\t%m\\t%f[0]\\n\n"
    "bos-format-bench = \n"
    "eos-format-bench = \n"
    "output-format-type = bench\n"
)


def make_tagger():
    """A Tagger with the fastest custom format; unidic-lite's dicrc ignores -F, so an rc file is used."""
    import MeCab
    import unidic_lite

    rc = os.path.join(tempfile.mkdtemp(prefix="bench-mecab-"), "mecabrc")
    with open(rc, "w", encoding="utf-8") as fh:
        fh.write(MECAB_RC)
    return MeCab.Tagger(f"-r {rc} -d {unidic_lite.DICDIR}")


def jst_date(created_at: str) -> str:
    return dt.datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(JST).date().isoformat()


def read_posts(folder: Path):
    """(id, author, created_at, text) of every line of every JSONL file, files in name order."""
    for path in sorted(Path(folder).glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    post = json.loads(line)
                    yield str(post["id"]), post.get("author"), post["created_at"], post["text"]


def unique_posts(posts):
    """(JST date, NFKC text) of each post that is not a repost, a seen id or an author's repeated text."""
    seen_ids: set[str] = set()
    seen_texts: set[tuple] = set()
    for post_id, author, created_at, text in posts:
        if post_id in seen_ids:
            continue
        seen_ids.add(post_id)
        norm = unicodedata.normalize("NFKC", text)
        if REPOST_RE.match(norm):
            continue
        day = jst_date(created_at)
        key = (day, author, norm)
        if key in seen_texts:
            continue
        seen_texts.add(key)
        yield day, MENTION_RE.sub(" ", URL_RE.sub(" ", norm))


def post_terms(tagger, text: str) -> set[str]:
    """Distinct written base forms of the content words of ``text``."""
    terms = set()
    for line in tagger.parse(text).splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[2] in CONTENT_POS:
            base = fields[1]
            terms.add(base if base and base != "*" else fields[0])
    return terms


def count_terms(folder: Path) -> Counter:
    """(dt, term) → distinct posts."""
    tagger = make_tagger()
    counts: Counter = Counter()
    for day, text in unique_posts(read_posts(folder)):
        for term in post_terms(tagger, text):
            counts[day, term] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of JSONL exports (one JST day's drop)")
    parser.add_argument("--output", type=Path, default=None, help="TSV file (default: standard output)")
    args = parser.parse_args(argv)
    counts = count_terms(args.folder)
    rows = sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        out.write("dt\tterm\tposts\n")
        for (day, term), n in rows:
            out.write(f"{day}\t{term}\t{n}\n")
    finally:
        if args.output:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
