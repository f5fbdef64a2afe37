"""The sweep report (layer 7): each figure's spread across seeds, with a histogram.

One self-contained HTML file, like the scenario report: a table of p50, p95 and max across
seeds per figure, a histogram per figure (how many seeds landed in each range), and the
per-seed figures, in seed order.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from jobsim.report._svg import PALETTE, Chart, duration_label
from jobsim.report._tables import table

if TYPE_CHECKING:
    from jobsim.replay._sweep import SweepResult

__all__ = ["HISTOGRAM_BINS", "histogram", "sweep_report_html", "write_sweep_report"]

#: Bars per histogram at most (fewer when there are fewer seeds).
HISTOGRAM_BINS = 20

_CSS = """
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.note { color: #666; font-size: 12px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
svg { display: block; margin: 6px 0 14px 0; }
"""


def is_seconds(metric: str) -> bool:
    """Whether a figure is a duration (shown as ``1m 30s``) rather than a count."""
    return metric.startswith("latency") or metric.endswith("_seconds")


def _show(metric: str, value: float) -> str:
    return duration_label(value) if is_seconds(metric) else f"{value:,.0f}"


def histogram(values: list[float], bins: int = HISTOGRAM_BINS) -> tuple[list[float], list[int]]:
    """Equal-width bins over ``min..max``: the left edges and the count in each."""
    low, high = min(values), max(values)
    count = max(1, min(bins, len(set(values))))
    width = (high - low) / count if high > low else 1.0
    edges = [low + index * width for index in range(count)]
    counts = [0] * count
    for value in values:
        index = min(int((value - low) / width), count - 1) if high > low else 0
        counts[index] += 1
    return edges, counts


def _histogram_svg(metric: str, values: list[float]) -> str:
    edges, counts = histogram(values)
    width = edges[1] - edges[0] if len(edges) > 1 else 1.0
    high = edges[-1] + width
    chart = Chart(
        title=metric,
        x_label="seconds" if is_seconds(metric) else "value",
        y_label="seeds",
        x_range=(edges[0], high),
        y_range=(0, max(counts) * 1.15),
        width=540,
        height=210,
        css_class="histogram",
    )
    chart.bars(edges, [float(c) for c in counts], width * 0.92, PALETTE[0], "seeds per range")
    ticks = [edges[0], edges[0] + (high - edges[0]) / 2, high]
    return chart.render(
        x_ticks=ticks,
        x_format=lambda value: _show(metric, value),
        y_ticks=_count_ticks(max(counts)),
    )


def _count_ticks(peak: int) -> list[float]:
    step = max(1, math.ceil(peak / 4))
    return [float(value) for value in range(0, peak + step, step)]


def sweep_report_html(result: SweepResult) -> str:
    """The sweep as an HTML document."""
    seeds = result.seeds
    title = f"jobsim sweep: {result.scenario}, {len(seeds)} seeds"
    settings = ", ".join(f"{k}={v}" for k, v in result.settings.items()) or "none"
    spread = table(
        "distribution",
        ["figure", "p50", "p95", "max", "min"],
        [
            [metric, *(_show(metric, row[key]) for key in ("p50", "p95", "max", "min"))]
            for metric, row in result.distribution.items()
        ],
    )
    charts = "".join(
        _histogram_svg(metric, [row[metric] for row in result.per_seed if metric in row])
        for metric in result.distribution
    )
    metrics = list(result.distribution)
    per_seed = table(
        "per-seed",
        ["seed", *metrics],
        [
            [seed, *(_show(m, row.get(m, 0.0)) for m in metrics)]
            for seed, row in zip(seeds, result.per_seed, strict=True)
        ],
    )
    first, last = seeds[0], seeds[-1]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>Each seed is one run of {duration_label(result.period)} (seeds {first}…{last}; settings
{escape(settings)}). One seed is an anecdote; the spread below is what to size for.</p>
<section id="distribution-section"><h2>Across seeds</h2>{spread}</section>
<section id="histograms"><h2>Histograms</h2><div class="grid">{charts}</div></section>
<section id="per-seed-section"><h2>Per seed</h2>{per_seed}</section>
</body></html>
"""


def write_sweep_report(result: SweepResult, path: str | Path) -> Path:
    """Write :func:`sweep_report_html` to ``path``."""
    target = Path(path)
    target.write_text(sweep_report_html(result), encoding="utf-8")
    return target
