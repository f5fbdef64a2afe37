"""How long jobs take in virtual time (layer 2): constants or draws from a seeded stream.

A job class says ``duration = 2.5`` (seconds), ``duration = timedelta(seconds=3)`` or
``duration = jobsim.durations.uniform(2, 5)``; ``Simulator(durations={...})`` overrides per
class. A draw takes the simulator's ``"duration"`` stream, so the same seed gives the same
durations. The default is 0: a job finishes at the instant it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from jobsim import validate
from jobsim.errors import InvalidArgument

if TYPE_CHECKING:
    from jobsim.rng import Stream

__all__ = [
    "Draw",
    "Duration",
    "DurationSpec",
    "constant",
    "drawer",
    "exponential",
    "uniform",
]


class Duration:
    """A named draw of seconds from a random stream (prints as what it is)."""

    __slots__ = ("_draw", "_text")

    def __init__(self, text: str, draw: Callable[[Stream], float]) -> None:
        self._text = text
        self._draw = draw

    def __call__(self, rng: Stream) -> float:
        return self._draw(rng)

    def __repr__(self) -> str:
        return self._text


#: What a duration may be: seconds, a timedelta, or a callable drawing seconds from a stream.
DurationSpec: TypeAlias = float | int | timedelta | Callable[[Any], float]


def constant(seconds: float) -> Duration:
    """Always ``seconds``."""
    value = _seconds(seconds, "constant")
    return Duration(f"constant({value:g})", lambda rng: value)


def uniform(low: float, high: float) -> Duration:
    """Uniform between ``low`` and ``high`` seconds."""
    lo, hi = _seconds(low, "uniform low"), _seconds(high, "uniform high")
    if hi < lo:
        msg = f"uniform({low!r}, {high!r}): low must not exceed high"
        raise InvalidArgument(msg)
    span = hi - lo
    # Random.uniform(lo, hi) is lo + (hi - lo) * random(): the same float, one frame fewer.
    return Duration(f"uniform({lo:g}, {hi:g})", lambda rng: lo + span * rng.random())


def exponential(mean: float) -> Duration:
    """Exponentially distributed with the given mean (many short jobs, a few long ones)."""
    value = _seconds(mean, "exponential mean")
    if value == 0:
        return constant(0)
    return Duration(f"exponential({value:g})", lambda rng: rng.expovariate(1 / value))


def _seconds(value: Any, what: str) -> float:
    return validate.seconds(value, name=what)


#: Draws one execution's seconds from the simulator's duration stream.
Draw: TypeAlias = "Callable[[Stream], float]"


def drawer(spec: Any, *, where: str) -> Draw | None:
    """How to draw seconds for ``spec`` on every execution; None when it is always zero.

    The engine asks once per job class and keeps the answer, so a checked spec is checked
    once (a constant) or on each draw (a callable of the user's), and jobsim's own draws run
    without any wrapper.
    """
    if spec is None:
        return None
    if type(spec) is Duration:  # jobsim's own draws never go negative: no check needed
        return spec._draw
    if callable(spec) and not isinstance(spec, timedelta):
        return lambda rng: _seconds(spec(rng), f"{where} returned")
    seconds = _seconds(spec, where)
    return None if seconds == 0 else lambda rng: seconds
