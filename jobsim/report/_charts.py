"""The report's charts (layer 7), drawn from :func:`jobsim.report._series.report_data`.

Series of different scales never share an axis: each gets a panel of its own (small
multiples), one per queue for depth and latency, one per process for busy threads. Time axes
tick on whole UTC steps (:func:`jobsim.report._svg.time_ticks`), so a one-hour run and a
thirty-day run both read cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobsim.report._svg import PALETTE, Chart, duration_label

__all__ = [
    "busy_charts",
    "count_chart",
    "depth_charts",
    "latency_charts",
    "set_size_chart",
]

_X_LABEL = "virtual time (UTC)"
_PANEL = 190


def _edges(data: dict[str, Any]) -> list[float]:
    return [data["start"] + index * data["bin"] for index in range(data["bins"])]


def _mids(data: dict[str, Any]) -> list[float]:
    half = data["bin"] / 2
    return [edge + half for edge in _edges(data)]


def _chart(data: dict[str, Any], title: str, y_label: str, peak: float, css: str) -> Chart:
    return Chart(
        title=title,
        x_label=_X_LABEL,
        y_label=y_label,
        x_range=(data["start"], data["end"]),
        y_range=(0, max(peak, 1.0) * 1.12),
        height=_PANEL,
        css_class=css,
    )


def _count_format(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


def busy_charts(data: dict[str, Any]) -> str:
    """Busy threads per process: the mean and the peak per bin against the concurrency."""
    out = []
    for process in data["processes"]:
        limit = float(process["concurrency"])
        chart = _chart(
            data,
            f"{process['name']}: busy threads (concurrency {process['concurrency']})",
            "threads",
            limit,
            "busy",
        )
        edges = _edges(data)
        chart.bars(edges, process["busy_mean"], data["bin"], "#9ecae1", "busy (mean per bin)")
        chart.polyline(_mids(data), process["busy_peak"], PALETTE[3], "busy (peak)")
        chart.polyline([data["start"], data["end"]], [limit, limit], "#444444", "concurrency")
        out.append(chart.render(time_axis=True, y_format=_count_format))
    return "".join(out)


def count_chart(data: dict[str, Any], key: str, title: str, color: str) -> str:
    """Bars of one per-bin count (processed, failed, retries, deaths)."""
    values: Sequence[float] = data[key]
    chart = _chart(data, title, "jobs per " + duration_label(data["bin"]), max(values), key)
    chart.bars(_edges(data), values, data["bin"], color, key)
    return chart.render(time_axis=True, y_format=_count_format)


def set_size_chart(data: dict[str, Any], name: str, title: str, color: str) -> str:
    """The largest sampled size of a sorted set (retry, dead, scheduled) per bin."""
    values = data["sets"][name]
    chart = _chart(data, title, "entries", max(values), f"{name}-size")
    chart.polyline(_mids(data), values, color, f"{name} set size")
    return chart.render(time_axis=True, y_format=_count_format)


def depth_charts(data: dict[str, Any]) -> str:
    """Queue depth, one panel per queue (each on its own scale)."""
    out = []
    for index, (queue, values) in enumerate(data["depth"].items()):
        chart = _chart(data, f"queue {queue}: jobs waiting", "jobs", max(values), "queue-depth")
        chart.polyline(_mids(data), values, PALETTE[index % len(PALETTE)], "largest sample")
        out.append(chart.render(time_axis=True, y_format=_count_format))
    return "".join(out)


def latency_charts(data: dict[str, Any]) -> str:
    """Enqueue-to-start latency per queue: p50, p95 and max of the jobs started in a bin."""
    out = []
    for queue, series in data["latency"].items():
        peak = max(series["max"], default=0.0)
        chart = _chart(data, f"queue {queue}: latency (enqueue to start)", "", peak, "latency")
        mids = _mids(data)
        chart.polyline(mids, series["max"], "#bbbbbb", "max")
        chart.polyline(mids, series["p95"], PALETTE[3], "p95")
        chart.polyline(mids, series["p50"], PALETTE[0], "p50")
        out.append(chart.render(time_axis=True, y_format=duration_label))
    return "".join(out)
