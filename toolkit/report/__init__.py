"""HTML reports: one per phase plus the study index. See :class:`toolkit.report.html.Report`."""

from toolkit.report.html import Report, figure_to_data_uri

__all__ = ["Report", "figure_to_data_uri"]
