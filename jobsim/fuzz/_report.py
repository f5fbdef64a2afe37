"""Counterexamples as short timelines (layer 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobsim.fuzz._run import Delivery, RunResult

__all__ = ["shorten", "timeline_lines"]


def shorten(value: Any, limit: int = 300) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def timeline_lines(result: RunResult) -> list[str]:
    """One line per stretch of steps by the same delivery, in the order they happened."""
    lines: list[str] = []
    current: Delivery | None = None
    steps: list[str] = []

    def flush() -> None:
        if steps:
            who = current.title() if current is not None else "outside a job"
            lines.append(f"  {who}: " + "; ".join(steps))

    for delivery, step in result.timeline:
        if delivery is not current:
            flush()
            current, steps = delivery, []
        steps.append(step)
    flush()
    return lines
