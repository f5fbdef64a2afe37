"""Hand-written SVG charts (layer 7): no plotting library, no network, no scripts.

A :class:`Chart` maps data to a plot area with a linear or logarithmic x axis and a linear y
axis, and collects SVG elements; :meth:`Chart.render` returns one ``<svg>`` element with axis
labels as text, so a report stays self-contained and a test can find the labels in the markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from jobsim.clock import to_datetime

__all__ = ["PALETTE", "Chart", "duration_label", "nice_ticks", "time_ticks"]

#: Series colours (colour-blind friendly, Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

_UNITS = ((86400.0, "d"), (3600.0, "h"), (60.0, "m"), (1.0, "s"))


def duration_label(seconds: float) -> str:
    """``90`` -> ``1m 30s``; ``172800`` -> ``2d``; ``0.25`` -> ``250ms``: at most two units."""
    if seconds < 1:
        if seconds <= 0:
            return "0s"
        # Queue latency on an idle queue is a millisecond or less: say so in milliseconds.
        millis = seconds * 1000
        return f"{millis:.1f}ms" if millis < 10 else f"{millis:.0f}ms"
    parts = []
    rest = round(seconds)
    for size, unit in _UNITS:
        whole = int(rest // size)
        if whole:
            parts.append(f"{whole}{unit}")
            rest -= int(whole * size)
    return " ".join(parts[:2])


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low..high`` (about ``count`` of them)."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


#: Steps a virtual-time axis may use, in seconds (five minutes to two weeks).
_TIME_STEPS = (300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
               1209600)  # fmt: skip


def time_ticks(start: float, end: float, most: int = 8) -> list[tuple[float, str]]:
    """Ticks on whole UTC steps between epoch seconds ``start`` and ``end``, labelled short.

    At most ``most`` + 1 ticks, so labels of at most six characters stay apart on any chart
    from one hour to a month: ``Jan 02`` at midnight (and for steps of a day or more),
    ``HH:MM`` otherwise.
    """
    span = max(end - start, 1.0)
    step = next((s for s in _TIME_STEPS if span / s <= most), None)
    if step is None:
        step = _TIME_STEPS[-1] * math.ceil(span / _TIME_STEPS[-1] / most)
    ticks = []
    value = math.ceil(start / step) * step
    while value <= end + 1e-6:
        moment = to_datetime(value)
        label = f"{moment:%b %d}" if step >= 86400 or value % 86400 == 0 else f"{moment:%H:%M}"
        ticks.append((float(value), label))
        value += step
    return ticks


#: Candidate ticks for a logarithmic time axis, in seconds.
LOG_TIME_TICKS = (1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400)


class Chart:
    """One chart: a plot area, scales, axes and elements, rendered as an ``<svg>``."""

    def __init__(
        self,
        *,
        title: str,
        x_label: str,
        y_label: str,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        width: int = 760,
        height: int = 300,
        x_log: bool = False,
        css_class: str = "chart",
        left: int = 64,
    ) -> None:
        self.title, self.x_label, self.y_label = title, x_label, y_label
        self.width, self.height = width, height
        # The title, then a row of its own for the legend, so the two never overlap.
        self.left, self.right, self.top, self.bottom = left, 16, 46, 40
        self.x_log = x_log
        low, high = x_range
        if x_log:
            low = max(low, 1e-3)
            high = max(high, low * 10)
        elif high <= low:
            high = low + 1
        self.x_low, self.x_high = low, high
        y_low, y_high = y_range
        self.y_low, self.y_high = y_low, (y_high if y_high > y_low else y_low + 1)
        self.css_class = css_class
        self.elements: list[str] = []
        self.legend: list[tuple[str, str]] = []

    # -- scales ----------------------------------------------------------------------------

    def x(self, value: float) -> float:
        """Pixel x of data ``value``."""
        span = self.width - self.left - self.right
        if self.x_log:
            value = max(value, self.x_low)
            share = math.log(value / self.x_low) / math.log(self.x_high / self.x_low)
        else:
            share = (value - self.x_low) / (self.x_high - self.x_low)
        return round(self.left + share * span, 2)

    def y(self, value: float) -> float:
        """Pixel y of data ``value`` (up is larger)."""
        span = self.height - self.top - self.bottom
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return round(self.height - self.bottom - share * span, 2)

    # -- elements --------------------------------------------------------------------------

    def polyline(self, xs: Sequence[float], ys: Sequence[float], color: str, name: str) -> None:
        """A line through the points; ``name`` goes into the legend."""
        points = " ".join(f"{self.x(a)},{self.y(b)}" for a, b in zip(xs, ys, strict=True))
        self.elements.append(
            f'<polyline class="series" data-series="{escape(name)}" fill="none" '
            f'stroke="{color}" stroke-width="1.5" points="{points}"/>'
        )
        self.legend.append((name, color))

    def bars(
        self, xs: Sequence[float], ys: Sequence[float], width: float, color: str, name: str
    ) -> None:
        """Vertical bars of data width ``width`` starting at each x."""
        parts = []
        for a, b in zip(xs, ys, strict=True):
            if b <= 0:
                continue
            x0, x1 = self.x(a), self.x(a + width)
            parts.append(
                f'<rect x="{x0}" y="{self.y(b)}" width="{max(x1 - x0, 0.8):.2f}" '
                f'height="{round(self.y(0) - self.y(b), 2)}"/>'
            )
        self.elements.append(
            f'<g class="bars" data-series="{escape(name)}" fill="{color}">{"".join(parts)}</g>'
        )
        self.legend.append((name, color))

    def band(
        self, x0: float, x1: float, y: float, thickness: float, color: str, opacity: float
    ) -> None:
        """A horizontal band from ``x0`` to ``x1`` at row ``y`` (data units)."""
        left, right = self.x(x0), self.x(x1)
        half = thickness / 2
        self.elements.append(
            f'<rect class="band" x="{left}" y="{round(self.y(y) - half, 2)}" '
            f'width="{max(right - left, 1.0):.2f}" height="{thickness}" fill="{color}" '
            f'fill-opacity="{opacity}"/>'
        )

    def dot(self, x: float, y: float, color: str, title: str = "", radius: float = 3.5) -> None:
        """A marker with an optional tooltip."""
        tip = f"<title>{escape(title)}</title>" if title else ""
        self.elements.append(
            f'<circle class="dot" cx="{self.x(x)}" cy="{self.y(y)}" r="{radius}" fill="{color}">'
            f"{tip}</circle>"
        )

    def segment(self, x0: float, x1: float, y: float, color: str) -> None:
        """A thin horizontal line (a job's life between two events)."""
        self.elements.append(
            f'<line x1="{self.x(x0)}" x2="{self.x(x1)}" y1="{self.y(y)}" y2="{self.y(y)}" '
            f'stroke="{color}" stroke-width="1"/>'
        )

    def add_legend(self, name: str, color: str) -> None:
        """A legend entry without an element of its own."""
        self.legend.append((name, color))

    # -- output ----------------------------------------------------------------------------

    def render(
        self,
        *,
        x_ticks: Sequence[float] | None = None,
        x_format: Callable[[float], str] = lambda value: f"{value:g}",
        y_ticks: Sequence[float] | None = None,
        y_format: Callable[[float], str] = lambda value: f"{value:g}",
        time_axis: bool = False,
    ) -> str:
        """The chart as one ``<svg>`` element (``time_axis``: x in epoch seconds, UTC ticks)."""
        if time_axis:
            labelled = dict(time_ticks(self.x_low, self.x_high))
            x_ticks = list(labelled)

            def x_format(value: float) -> str:
                return labelled[value]

        if x_ticks is None:
            x_ticks = (
                [t for t in LOG_TIME_TICKS if self.x_low <= t <= self.x_high]
                if self.x_log
                else nice_ticks(self.x_low, self.x_high, 6)
            )
        if y_ticks is None:
            y_ticks = nice_ticks(self.y_low, self.y_high, 5)
        base, top = self.height - self.bottom, self.top
        left, right = self.left, self.width - self.right
        axis = [
            f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#444"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#444"/>',
        ]
        for tick in x_ticks:
            px = self.x(tick)
            # Labels at the plot's edges hang inwards: clear of the y labels and inside the svg.
            anchor = "start" if px <= left + 1 else "end" if px >= right - 1 else "middle"
            axis.append(
                f'<line x1="{px}" y1="{top}" x2="{px}" y2="{base}" stroke="#ddd"/>'
                f'<text x="{px}" y="{base + 16}" text-anchor="{anchor}">'
                f"{escape(x_format(tick))}</text>"
            )
        for tick in y_ticks:
            py = self.y(tick)
            axis.append(
                f'<line x1="{left}" y1="{py}" x2="{right}" y2="{py}" stroke="#eee"/>'
                f'<text x="{left - 6}" y="{py + 4}" text-anchor="end">'
                f"{escape(y_format(tick))}</text>"
            )
        labels = [
            f'<text class="title" x="{left}" y="20" font-weight="bold">{escape(self.title)}</text>',
            f'<text class="x-label" x="{(left + right) / 2}" y="{self.height - 6}" '
            f'text-anchor="middle">{escape(self.x_label)}</text>',
        ]
        if self.y_label:
            labels.append(
                f'<text class="y-label" transform="translate(12,{(top + base) / 2}) rotate(-90)" '
                f'text-anchor="middle">{escape(self.y_label)}</text>'
            )
        legend = []
        offset = float(left)
        for name, color in self.legend:
            legend.append(
                f'<rect x="{offset}" y="27" width="10" height="10" fill="{color}"/>'
                f'<text class="legend" x="{offset + 13}" y="36">{escape(name)}</text>'
            )
            offset += 24 + 6.5 * len(name)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{self.css_class}" '
            f'width="{self.width}" height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
            f'font-family="sans-serif" font-size="11" role="img" aria-label="{escape(self.title)}">'
            f'<rect width="100%" height="100%" fill="white"/>'
            + "".join(axis)
            + "".join(self.elements)
            + "".join(labels)
            + "".join(legend)
            + "</svg>"
        )
