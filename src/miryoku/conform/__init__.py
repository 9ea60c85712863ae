"""Conformance of the statistics and open-data bronze tables to silver (small data: pyarrow, no Spark).

``conform(lake, dt, run_id)`` reads D's published bronze ``stat_values_v1``, ``shipments_raw_v1`` and
``opendata_<dataset>_v1``, writes silver ``stat_values_v1``, ``shipments_v1`` and
``opendata_<dataset>_v1``, gates each with its suite and publishes the ones that pass.
"""

from miryoku.conform.run import conform

__all__ = ["conform"]
