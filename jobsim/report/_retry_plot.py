"""The retry timeline of ``jobsim retries --plot`` (layer 7): SVG by hand, PNG via matplotlib.

One row per retry: a light band where the retry may run over all jitter (every earlier delay
at its minimum .. at its maximum), a darker band for the 5th–95th percentile over sampled
seeds (with ``--samples``), and a dot where it runs for this seed. The x axis is logarithmic:
25 retries span seconds to three weeks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jobsim.errors import InvalidArgument
from jobsim.report._svg import PALETTE, Chart, duration_label

__all__ = ["X_LABEL", "Y_LABEL", "retry_timeline_svg", "write_retry_plot"]

X_LABEL = "elapsed since first failure (log scale)"
Y_LABEL = "retry_count"


def _title(schedule: dict[str, Any]) -> str:
    end = schedule["outcome"]
    return (
        f"retry schedule: retry={schedule['retry']} {schedule['profile']} seed={schedule['seed']}"
        f" — {end} after {duration_label(schedule['ends_after'])}"
    )


def retry_timeline_svg(schedule: dict[str, Any]) -> str:
    """The timeline of ``schedule`` (from :func:`jobsim.replay.retry_schedule`) as SVG."""
    rows = schedule["rows"]
    high = max([row["elapsed_max"] for row in rows] + [schedule["ends_after"], 60.0])
    low = max(min([row["elapsed_min"] for row in rows] + [high]) / 2, 1.0)
    counts = [row["retry_count"] for row in rows] or [0]
    chart = Chart(
        title=_title(schedule),
        x_label=X_LABEL,
        y_label=Y_LABEL,
        x_range=(low, high * 1.3),
        y_range=(min(counts) - 0.8, max(counts) + 0.8),
        height=max(260, 80 + 14 * len(rows)),
        x_log=True,
        css_class="retry-timeline",
    )
    for row in rows:
        chart.band(row["elapsed_min"], row["elapsed_max"], row["retry_count"], 9, PALETTE[0], 0.25)
        if "elapsed_p05" in row:
            chart.band(
                row["elapsed_p05"], row["elapsed_p95"], row["retry_count"], 5, PALETTE[0], 0.6
            )
    for row in rows:
        tip = f"retry {row['retry_count']}: {row['at']} (+{duration_label(row['elapsed'])})"
        chart.dot(row["elapsed"], row["retry_count"], PALETTE[3], tip)
    chart.add_legend("jitter range", "#b3d0e8")
    if rows and "elapsed_p05" in rows[0]:
        chart.add_legend(f"p5–p95 of {schedule.get('samples')} seeds", PALETTE[0])
    chart.add_legend(f"seed {schedule['seed']}", PALETTE[3])
    step = max(1, len(rows) // 12)
    ticks = [row["retry_count"] for row in rows][::step]
    return chart.render(x_format=duration_label, y_ticks=ticks, y_format=lambda v: f"{v:g}")


def _write_png(schedule: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        from matplotlib import pyplot  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        msg = (
            f"--plot {path}: PNG output needs matplotlib (pip install matplotlib); "
            f"or write an .svg, which needs nothing"
        )
        raise InvalidArgument(msg) from None
    rows = schedule["rows"]
    figure, axes = pyplot.subplots(figsize=(8, max(3.0, 0.8 + 0.2 * len(rows))), dpi=100)
    counts = [row["retry_count"] for row in rows]
    axes.hlines(
        counts,
        [row["elapsed_min"] for row in rows],
        [row["elapsed_max"] for row in rows],
        colors="#b3d0e8",
        linewidth=7,
        label="jitter range",
    )
    if rows and "elapsed_p05" in rows[0]:
        axes.hlines(
            counts,
            [row["elapsed_p05"] for row in rows],
            [row["elapsed_p95"] for row in rows],
            colors=PALETTE[0],
            linewidth=4,
            label=f"p5–p95 of {schedule.get('samples')} seeds",
        )
    axes.scatter(
        [row["elapsed"] for row in rows], counts, color=PALETTE[3], s=12, zorder=3,
        label=f"seed {schedule['seed']}",
    )  # fmt: skip
    axes.set_xscale("log")
    axes.set_xlabel(X_LABEL)
    axes.set_ylabel(Y_LABEL)
    axes.set_title(_title(schedule), fontsize=9)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    pyplot.close(figure)


def write_retry_plot(schedule: dict[str, Any], path: str | Path) -> Path:
    """Write the timeline to ``path`` (``.svg``, or ``.png`` with matplotlib installed)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        target.write_text(retry_timeline_svg(schedule) + "\n", encoding="utf-8")
    elif suffix == ".png":
        _write_png(schedule, target)
    else:
        msg = f"--plot {path}: pass a file name ending in .svg or .png"
        raise InvalidArgument(msg)
    return target
