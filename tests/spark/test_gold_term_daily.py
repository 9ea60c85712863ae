"""gold term_daily on hand-built silver rows: per prefecture, all-Japan, duplicates excluded."""

import pytest
from pyspark.testing import assertDataFrameEqual

from jobs.gold_term_daily import term_daily

pytestmark = pytest.mark.spark

POSTS = "post_id string, dt string, pref_codes array<string>, is_duplicate_of string"
TERMS = "dt string, post_id string, term string, lemma string, pos string, n int"


def test_counts_posts_and_occurrences_per_prefecture_and_all_japan(spark):
    posts = spark.createDataFrame([
        ("p1", "2026-01-02", ["02"], None),          # 青森
        ("p2", "2026-01-02", ["02", "03"], None),    # 青森 and 岩手: counts for each
        ("p3", "2026-01-02", [], None),              # no place: only all Japan
        ("p4", "2026-01-02", ["02"], "p1"),          # duplicate: not counted
        ("p5", "2026-01-03", ["02"], None),
    ], POSTS)
    terms = spark.createDataFrame([
        ("2026-01-02", "p1", "りんご", "林檎", "名詞", 2),
        ("2026-01-02", "p2", "りんご", "林檎", "名詞", 1),
        ("2026-01-02", "p3", "りんご", "林檎", "名詞", 1),
        ("2026-01-02", "p4", "りんご", "林檎", "名詞", 5),
        ("2026-01-03", "p5", "食べる", "食べる", "動詞", 1),
    ], TERMS)
    expected = [
        ("2026-01-02", "02", "りんご", "林檎", "名詞", 2, 3),
        ("2026-01-02", "03", "りんご", "林檎", "名詞", 1, 1),
        ("2026-01-02", "00", "りんご", "林檎", "名詞", 3, 4),
        ("2026-01-03", "02", "食べる", "食べる", "動詞", 1, 1),
        ("2026-01-03", "00", "食べる", "食べる", "動詞", 1, 1),
    ]
    assertDataFrameEqual(term_daily(posts, terms), expected)
