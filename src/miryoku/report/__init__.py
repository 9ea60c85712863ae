"""The lake's reports: the text summary (``render``) and the offline HTML report (``write_html_report``)."""

from miryoku.report.text import connect, gate_results, render, rows_per_table, top_terms, write_text

__all__ = ["connect", "gate_results", "render", "rows_per_table", "top_terms", "write_text"]
