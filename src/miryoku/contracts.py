"""The published tables' contracts: columns and types analysts and BI tools depend on, and the grain.

One place feeds the external-table DDL (``sql/ddl/``), the catalog and the docs. Columns may be added
freely; a changed meaning is a new ``_v<N>`` table, never an in-place change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Contract:
    layer: str
    table: str  # versioned name, e.g. term_daily_v1
    partition: str  # dt or month
    grain: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type) without the partition column


S, L, D, B, TS = "varchar", "bigint", "double", "boolean", "timestamp"
ARR = "array<varchar>"

CONTRACTS: tuple[Contract, ...] = (
    Contract("silver", "posts_v1", "dt", "one row per post (source:post_id)", (
        ("post_id", S), ("source", S), ("posted_at", TS), ("lang", S), ("text_norm", S), ("pref_codes", ARR),
        ("muni_codes", ARR), ("categories", ARR), ("products", ARR), ("is_duplicate_of", S),
        ("disaster_situations", ARR), ("disaster_emotions", ARR))),
    Contract("silver", "post_terms_v1", "dt", "one row per dt × post_id × term", (
        ("post_id", S), ("term", S), ("lemma", S), ("pos", S), ("n", "integer"))),
    Contract("gold", "term_daily_v1", "dt", "one row per dt × pref_code × term × lemma × pos", (
        ("pref_code", S), ("term", S), ("lemma", S), ("pos", S), ("posts", L), ("occurrences", L),
        ("is_place_name", B))),
    Contract("gold", "pref_daily_v1", "dt", "one row per dt × pref_code (canonical posts naming it; '00' = all)", (
        ("pref_code", S), ("posts", L))),
    Contract("gold", "category_daily_v1", "dt", "one row per dt × pref_code × category × subcategory", (
        ("pref_code", S), ("category", S), ("subcategory", S), ("posts", L))),
    Contract("gold", "product_volume_daily_v1", "dt", "one row per dt × product", (
        ("product_group", S), ("product", S), ("origin_pref_code", S), ("posts", L), ("share_of_voice", D),
        ("baseline_posts", D), ("is_spike", B))),
    Contract("gold", "cooccurrence_monthly_v1", "month", "one row per month × anchor_term × pref_code × co_term", (
        ("anchor_term", S), ("pref_code", S), ("co_term", S), ("posts", L), ("lift", D), ("anchor_posts", L),
        ("derived_share", D))),
    Contract("gold", "shipment_buzz_monthly_v1", "month", "one row per month × item × pref_code", (
        ("item", S), ("pref_code", S), ("shipment_qty", D), ("unit", S), ("posts", L), ("shipment_share", D),
        ("posts_share", D))),
    Contract("gold", "disaster_hourly_v1", "dt", "one row per hour × pref_code × muni_code × situation", (
        ("hour", TS), ("pref_code", S), ("muni_code", S), ("situation", S), ("posts", L), ("emotion_posts", L))),
)


def contract(table: str) -> Contract:
    for c in CONTRACTS:
        if c.table == table:
            return c
    raise KeyError(table)


# Tables the pipeline keeps for itself (the enriched-posts store, gold daily partials): not analyst
# tables, so the catalog, DDL and BI tools leave them out; their columns may change with the code.
INTERNAL_PREFIXES = ("posts_enriched_", "partial_")


def is_internal(table: str) -> bool:
    return table.startswith(INTERNAL_PREFIXES)
