"""Start Spark's Python workers while the driver is still busy with other work.

The first Python job of a session (the enrichment's ``mapInArrow``) waits about 1.5 s for Spark to
start its Python daemon, fork one worker per core and import pyarrow and pandas in each — on a
1,000-post night a tenth of the run. With ``spark.python.worker.reuse`` the workers stay up between
jobs, so one tiny job of the same kind, started in a background thread as soon as the session exists
(while the sources are fetched and bronze is gated), leaves them ready; the enrichment then finds
them warm, with the tagger and dictionaries already loaded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

log = logging.getLogger(__name__)


def _load_enrichment(batches: Iterator) -> Iterator:
    """Runs in each Python worker: load the tagger and the dictionaries, pass the batches through."""
    from miryoku.text.enrich import enrich_batch

    enrich_batch(["東京駅の桜がきれい"], ["ja"])
    yield from batches


def _warm(spark) -> None:
    try:
        spark.sparkContext.setJobDescription("warm the Python workers")
        cores = max(1, spark.sparkContext.defaultParallelism)
        spark.range(0, cores, 1, cores).mapInArrow(_load_enrichment, "id long").collect()
    except Exception as exc:  # a failure here only costs the start-up it would have saved
        log.warning("warming the Python workers failed: %s", exc)


def warm_python_workers(spark) -> threading.Thread:
    """Run the warm-up job in a daemon thread (its JVM-side properties those of the caller) and return it."""
    from pyspark import inheritable_thread_target

    thread = threading.Thread(target=inheritable_thread_target(spark)(_warm), args=(spark,),
                              name="warm-python-workers", daemon=True)
    thread.start()
    return thread
