"""What the drills write and read back: hand-written posts dropped as a file export, the gold they
publish, and the alerts the receiver got."""

from __future__ import annotations

import json
import time

import pyarrow.dataset as pads

TERMS = ("りんご", "いちご", "牛乳", "城")  # the terms the drills count by hand


def write_posts(lake, day: str, texts: list[str], folder: str = "dash") -> None:
    path = lake / "landing" / "sns" / folder / f"dt={day}"
    path.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": f"{day}-{i}", "created_at": f"{day}T1{i}:00:00+09:00", "text": t}, ensure_ascii=False)
             for i, t in enumerate(texts)]
    (path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def gold_terms(lake, day: str) -> dict[tuple[str, str], int]:
    folder = lake / "gold" / "term_daily_v1" / f"dt={day}"
    if not folder.exists():
        return {}
    rows = pads.dataset(str(folder), format="parquet").to_table().to_pylist()
    return {(r["pref_code"], r["term"]): r["posts"] for r in rows if r["term"] in TERMS}


def gold_rows(lake) -> dict[str, list]:
    out = {}
    for table in sorted((lake / "gold").iterdir()):
        rows = pads.dataset(str(table), format="parquet", partitioning="hive").to_table().to_pylist()
        out[table.name] = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False, default=str) for r in rows)
    return out


def alerts(stack, kind: str, run_id: str, timeout: float = 90) -> list[dict]:
    """The alerts of ``kind`` for ``run_id`` (DAG-level callbacks arrive through the dag-processor: wait)."""
    deadline = time.time() + timeout
    while True:
        got = [a for a in stack.receiver.bodies("/alerts") if a.get("kind") == kind and a.get("run_id") == run_id]
        if got or time.time() > deadline:
            return got
        time.sleep(2)
