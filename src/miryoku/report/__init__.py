"""The lake's reports: the text summary (``render``) and the offline HTML report (``write_html_report``)."""

from miryoku.report.text import connect, gate_results, render, rows_per_table, top_terms, write_text


def write_html_report(lake_root: str | None, date_from: str, date_to: str, path: str | None = None,
                      pref: str | None = None, **options) -> str:
    """The HTML report for a period (see ``miryoku.report.page.write_html_report``); returns its path."""
    from miryoku.report.page import write_html_report as write

    return write(lake_root, date_from, date_to, path, pref, **options)


__all__ = ["connect", "gate_results", "render", "rows_per_table", "top_terms", "write_html_report", "write_text"]
