"""Pictures of simulations (layer 7): retry timelines and the scenario report, as inline SVG.

No plotting library is needed: charts are written as SVG by hand (``_svg``); a PNG retry plot
uses matplotlib when it is installed.
"""

from __future__ import annotations

from jobsim.report._html import scenario_report_html, write_report
from jobsim.report._retry_plot import retry_timeline_svg, write_retry_plot

__all__ = ["retry_timeline_svg", "scenario_report_html", "write_report", "write_retry_plot"]
