"""Pictures of simulations (layer 7): retry timelines, the scenario report and the sweep
report, as inline SVG.

No plotting library is needed: charts are written as SVG by hand (``_svg``); a PNG retry plot
uses matplotlib when it is installed. The scenario report is ``_html`` (page), ``_series``
(numbers), ``_charts``, ``_tables`` and ``_jobs`` (the searchable job list); the sweep report
is ``_sweep``.
"""

from __future__ import annotations

from jobsim.report._html import scenario_report_html, write_report
from jobsim.report._retry_plot import retry_timeline_svg, write_retry_plot
from jobsim.report._svg import duration_label
from jobsim.report._sweep import sweep_report_html, write_sweep_report

__all__ = [
    "duration_label",
    "retry_timeline_svg",
    "scenario_report_html",
    "sweep_report_html",
    "write_report",
    "write_retry_plot",
    "write_sweep_report",
]
