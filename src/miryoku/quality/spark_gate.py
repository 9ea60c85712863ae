"""The gate inside Spark: a table's Great Expectations suite evaluated as Spark aggregates.

Silver and gold partitions are far too large to bring to the driver (``toPandas`` of a million posts
is gigabytes), and GX's own Spark execution engine runs several Spark jobs per expectation. This
module compiles each expectation of the same GX 1.x suite files (``miryoku/expectations/<layer>.<table>.json``)
into an unexpected-row count and evaluates all of them, for every partition of a staged table, in
one aggregation job. A uniqueness expectation compares its rows with the distinct hashes of their
values, counted in a job of their own (``_distinct_hashes``), and only when they differ does one
more job count the duplicated rows as GX does; only counts and, for failing expectations, a few
example values reach the driver. Semantics follow GX's: column-map expectations ignore nulls except
``not_be_null``; ``mostly`` is the share of non-null rows that must pass; pair expectations skip
rows where both values are null. ``tests/spark/test_spark_gate.py``
checks that this and GX's pandas validation agree on the same rows.

A suite using an expectation type not listed in ``SUPPORTED`` is refused when loaded, never
silently passed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from miryoku.lake.storage import Lake, safe_key
from miryoku.quality.gate import GateResult

log = logging.getLogger(__name__)

EXAMPLES = 5
MAP_TYPES = {
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_values_to_be_between", "expect_column_value_lengths_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
}
UNIQUE_TYPES = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
TABLE_TYPES = {"expect_table_columns_to_match_set", "expect_table_row_count_to_be_between"}
SUPPORTED = MAP_TYPES | UNIQUE_TYPES | TABLE_TYPES


class UnsupportedExpectation(ValueError):
    pass


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict

    @property
    def mostly(self) -> float:
        return float(self.kwargs.get("mostly", 1.0))


def load_expectations(expectations_dir: str, suite_name: str) -> list[Expectation]:
    from miryoku.quality.gate import suite_spec

    spec = suite_spec(expectations_dir, suite_name)
    out = []
    for e in spec["expectations"]:
        if e["type"] not in SUPPORTED:
            raise UnsupportedExpectation(f"{suite_name}: {e['type']} is not evaluated in Spark (miryoku.quality."
                                         f"spark_gate.SUPPORTED); add it there or validate this table with pandas")
        out.append(Expectation(e["type"], {k: v for k, v in e["kwargs"].items()}))
    return out


def _between(value: Column, kw: dict) -> Column:
    """True where ``value`` is outside [min_value, max_value] (strict bounds honoured)."""
    bad = F.lit(False)
    if kw.get("min_value") is not None:
        bad = bad | (value <= F.lit(kw["min_value"]) if kw.get("strict_min") else value < F.lit(kw["min_value"]))
    if kw.get("max_value") is not None:
        bad = bad | (value >= F.lit(kw["max_value"]) if kw.get("strict_max") else value > F.lit(kw["max_value"]))
    return bad


def unexpected(e: Expectation) -> tuple[Column, Column]:
    """(row is unexpected, row is in the expectation's domain) for a column-map expectation."""
    kw = e.kwargs
    if e.type == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = F.col(kw["column_A"]), F.col(kw["column_B"])
        domain = a.isNotNull() | b.isNotNull()
        ok = (a >= b) if kw.get("or_equal") else (a > b)
        return domain & ~F.coalesce(ok, F.lit(False)), domain
    col = F.col(kw["column"])
    if e.type == "expect_column_values_to_not_be_null":
        return col.isNull(), F.lit(True)
    domain = col.isNotNull()
    if e.type == "expect_column_values_to_be_in_set":
        bad = ~col.isin(list(kw["value_set"]))
    elif e.type == "expect_column_values_to_match_regex":
        bad = ~col.rlike(kw["regex"])
    elif e.type == "expect_column_values_to_not_match_regex":
        bad = col.rlike(kw["regex"])
    elif e.type == "expect_column_values_to_be_between":
        bad = _between(col, kw)
    elif e.type == "expect_column_value_lengths_to_be_between":
        bad = _between(F.length(col), kw)
    else:  # pragma: no cover - guarded by load_expectations
        raise UnsupportedExpectation(e.type)
    return domain & bad, domain


def _unique_columns(e: Expectation) -> list[str]:
    return [e.kwargs["column"]] if e.type == "expect_column_values_to_be_unique" else list(e.kwargs["column_list"])


def _present(cols: list[str]) -> Column:
    """A uniqueness expectation's domain: rows where at least one of its columns is not null."""
    present = F.lit(False)
    for c in cols:
        present = present | F.col(c).isNotNull()
    return present


def _hashes_distinct(batches):
    """mapInArrow: how many distinct values one partition's 64-bit hashes hold (Arrow's kernel; the
    executors' environment has pyarrow, not necessarily numpy)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    hashes = pa.chunked_array([batch.column(0) for batch in batches], type=pa.int64())
    distinct = pc.count_distinct(hashes).as_py() if len(hashes) else 0
    yield pa.RecordBatch.from_pydict({"distinct": pa.array([distinct], pa.int64())})


def _distinct_hashes(df: DataFrame, part_col: str, cols: list[str]) -> int:
    """How many distinct hashes of (partition, key) the rows in the key's domain have.

    Hashes are shuffled by value, so equal ones meet in one task, which counts its share's distinct
    values in one pass over a flat array. Spark's own ``count(distinct …)`` keeps every hash in a hash
    map of rows before and after the shuffle, and next to the table's other aggregates it doubles
    every row through an ``Expand``: over a night's eleven million term rows that took 30 s
    (BENCHMARKS.md)."""
    hashes = df.where(_present(cols)).select(F.xxhash64(part_col, *cols).alias("h")).repartition("h")
    found = hashes.mapInArrow(_hashes_distinct, "distinct long").agg(F.sum("distinct")).first()[0]
    return int(found or 0)


def _duplicated_rows(df: DataFrame, part_col: str, cols: list[str]) -> dict[str, tuple[int, int]]:
    """Per partition: (rows whose value occurs more than once, rows in the domain)."""
    grouped = df.where(_present(cols)).groupBy(part_col, *cols).agg(F.count(F.lit(1)).alias("n"))
    return {r[part_col]: (r["u"] or 0, r["d"] or 0) for r in grouped.groupBy(part_col).agg(
        F.sum(F.when(F.col("n") > 1, F.col("n"))).alias("u"), F.sum("n").alias("d")).collect()}


def _examples(df: DataFrame, e: Expectation, part_col: str, part: str) -> list:
    rows = df.where(F.col(part_col) == part)
    if e.type in UNIQUE_TYPES:
        cols = _unique_columns(e)
        dup = rows.groupBy(*cols).count().where("count > 1").limit(EXAMPLES).collect()
        return [r[0] if len(cols) == 1 else list(r[:len(cols)]) for r in dup]
    bad, _ = unexpected(e)
    cols = [e.kwargs["column"]] if "column" in e.kwargs else [e.kwargs["column_A"], e.kwargs["column_B"]]
    got = rows.where(bad).select(*cols).limit(EXAMPLES).collect()
    return [r[0] if len(cols) == 1 else list(r) for r in got]


def evaluate(df: DataFrame, expectations: list[Expectation], part_col: str) -> dict[str, list[dict]]:
    """Per partition value of ``part_col``: one result per expectation (GX's result fields).

    A frame that is only the partition column (nothing was staged) has no partitions to report."""
    if df.columns == [part_col]:
        return {}
    aggs = [F.count(F.lit(1)).alias("_rows")]
    maps = [e for e in expectations if e.type in MAP_TYPES]
    for i, e in enumerate(maps):
        bad, domain = unexpected(e)
        aggs += [F.sum(bad.cast("long")).alias(f"_u{i}"), F.sum(domain.cast("long")).alias(f"_d{i}")]
    keys = [e for e in expectations if e.type in UNIQUE_TYPES]
    for j, e in enumerate(keys):
        aggs.append(F.sum(_present(_unique_columns(e)).cast("long")).alias(f"_kd{j}"))
    with ThreadPoolExecutor(max_workers=max(1, len(keys))) as pool:  # side by side with the aggregate
        distinct = [pool.submit(_distinct_hashes, df, part_col, _unique_columns(e)) for e in keys]
        counts = {r[part_col]: r.asDict() for r in df.groupBy(part_col).agg(*aggs).collect()}
        distinct = [d.result() for d in distinct]
    uniques = {}
    for j, e in enumerate(keys):
        # As many distinct 64-bit hashes of (partition, key) as rows in the domain means no duplicate
        # (distinct hashes are distinct values). A duplicate or, rarely, a collision makes them
        # differ, and the exact count below decides.
        if distinct[j] == sum(c[f"_kd{j}"] or 0 for c in counts.values()):
            uniques[j] = {part: (0, c[f"_kd{j}"] or 0) for part, c in counts.items()}
        else:  # GX counts every row of a duplicated value: one more job, only when there are duplicates
            uniques[j] = _duplicated_rows(df, part_col, _unique_columns(e))
    out: dict[str, list[dict]] = {}
    for part, c in counts.items():
        results, m, u = [], 0, 0
        for e in expectations:
            if e.type in MAP_TYPES:
                n_bad, n_domain = c[f"_u{m}"] or 0, c[f"_d{m}"] or 0
                m += 1
            elif e.type in UNIQUE_TYPES:
                n_bad, n_domain = uniques[u].get(part, (0, 0))
                u += 1
            else:
                results.append(_table_result(e, df.columns, c["_rows"]))
                continue
            share = n_bad / n_domain if n_domain else 0.0
            results.append({"type": e.type, "kwargs": e.kwargs, "success": share <= 1 - e.mostly + 1e-12,
                            "element_count": c["_rows"], "unexpected_count": int(n_bad),
                            "unexpected_percent": round(100 * share, 6)})
        out[part] = results
    return out


def _table_result(e: Expectation, columns: list[str], rows: int) -> dict:
    kw = e.kwargs
    if e.type == "expect_table_columns_to_match_set":
        want, have = set(kw["column_set"]), set(columns)
        ok = want <= have if not kw.get("exact_match", True) else want == have
        return {"type": e.type, "kwargs": kw, "success": ok, "observed_value": sorted(have),
                "missing": sorted(want - have), "unexpected_count": None}
    low, high = kw.get("min_value"), kw.get("max_value")
    ok = (low is None or rows >= low) and (high is None or rows <= high)
    return {"type": e.type, "kwargs": kw, "success": ok, "observed_value": rows, "unexpected_count": None}


def _empty_result(e: Expectation) -> dict:
    """A partition without rows: its row count is checked; there are no columns to compare."""
    if e.type == "expect_table_columns_to_match_set":
        return {"type": e.type, "kwargs": e.kwargs, "success": True, "observed_value": "no rows",
                "unexpected_count": None}
    return _table_result(e, [], 0)


def _gx_shaped(suite_name: str, success: bool, checks: list[dict], failures: list[dict],
               expectations: list[Expectation]) -> dict:
    """The result in the shape of GX's ``ExpectationSuiteValidationResult.to_json_dict()``, so GX's own
    renderers draw Data Docs pages from it like from any other validation result."""
    import datetime as dt

    examples = {f["expectation"] + repr(f["kwargs"]): f["examples"] for f in failures}
    results = []
    for e, r in zip(expectations, checks, strict=True):
        result = {k: r[k] for k in ("element_count", "unexpected_count", "unexpected_percent", "observed_value")
                  if r.get(k) is not None}
        if r.get("unexpected_count") is not None:
            result["partial_unexpected_list"] = examples.get(e.type + repr(e.kwargs), [])
        results.append({"success": bool(r["success"]), "result": result, "meta": {},
                        "expectation_config": {"type": e.type, "kwargs": e.kwargs, "meta": {}},
                        "exception_info": {"raised_exception": False, "exception_message": None,
                                           "exception_traceback": None}})
    passed = sum(1 for r in results if r["success"])
    return {"success": success, "suite_name": suite_name, "results": results,
            "statistics": {"evaluated_expectations": len(results), "successful_expectations": passed,
                           "unsuccessful_expectations": len(results) - passed,
                           "success_percent": 100.0 * passed / len(results) if results else 100.0},
            "meta": {"engine": "spark (miryoku.quality.spark_gate)",
                     "batch_markers": {"ge_load_time": dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")}}}


def validate_partitions(lake: Lake, suite_name: str, df: DataFrame, part_col: str, parts: list[str],
                        run_id: str, source: str | None = None) -> list[GateResult]:
    """Validate every partition of ``parts`` in ``df`` (a partition without rows is validated as empty)
    and keep each result under ``_quality/<suite>/<part_col>=<part>/<run>.json``."""
    expectations = load_expectations(lake.cfg.expectations_dir, suite_name)
    results = evaluate(df, expectations, part_col)
    outcomes = []
    for part in parts:
        checks = results.get(part) or [_empty_result(e) if e.type in TABLE_TYPES else
                                       {"type": e.type, "kwargs": e.kwargs, "success": True,
                                        "element_count": 0, "unexpected_count": 0, "unexpected_percent": 0.0}
                                       for e in expectations]
        rows = next((r["element_count"] for r in checks if "element_count" in r), 0)
        failures = []
        for e, r in zip(expectations, checks, strict=True):
            if not r["success"]:
                examples = _examples(df, e, part_col, part) if r.get("unexpected_count") else []
                failures.append({"expectation": e.type, "kwargs": e.kwargs, "unexpected_count": r.get(
                    "unexpected_count"), "examples": examples, "observed": r.get("observed_value")})
        success = not failures
        label = f"{suite_name} {part_col}={part}" + (f" source={source}" if source else "")
        path = f"_quality/{safe_key(suite_name)}/dt={part}/{safe_key(run_id)}.json"
        lake.write_json(path, {"suite": suite_name, "dt": part, "run_id": run_id, "rows": rows, "source": source,
                               "engine": "spark", "success": success, "failures": failures,
                               "result": _gx_shaped(suite_name, success, checks, failures, expectations)})
        outcome = GateResult(label, success, rows, failures, path)
        (log.info if success else log.error)(outcome.describe())
        outcomes.append(outcome)
    return outcomes
