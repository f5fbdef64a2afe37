"""Modelled behaviour for scenario jobs (layer 7): how long a job takes, how often it fails.

A scenario's jobs do no real work; they say what the real ones do::

    from jobsim.replay.model import fails, rate_limited, takes

    class ChargePayment(jobsim.Job, queue="critical", retry=5):
        duration = takes(0.5, 3)                          # 0.5–3 s, seeded

        @fails(0.2, TimeoutError, "payment gateway timed out")
        def perform(self, order_id):
            ...

Every draw comes from a stream seeded by the running simulator's seed and the helper's own
name, so the same seed gives the same failures, and adding a helper to one job never shifts
the draws another job sees. Limits count calls in *virtual* time.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from jobsim import routing, validate
from jobsim.durations import Duration, constant, exponential, uniform
from jobsim.errors import InvalidArgument
from jobsim.rng import SimRandom, Stream
from jobsim.stash import Stash, StashKey

__all__ = ["exponential", "fails", "rate_limited", "stream_for", "takes"]

F = TypeVar("F", bound=Callable[..., Any])
ErrorSpec = type[BaseException] | BaseException

#: A simulator's modelled-behaviour streams, in its own stash.
_STREAMS = StashKey[dict[str, Stream]]("replay.model streams")


def _simulator(what: str) -> Any:
    sim = routing.active()
    if not isinstance(getattr(sim, "seed", None), int) or not isinstance(
        getattr(sim, "stash", None), Stash
    ):
        msg = f"{what} ran outside a simulation; modelled jobs run inside a jobsim Simulator"
        raise InvalidArgument(msg)
    return sim


def stream_for(name: str) -> Stream:
    """The random stream called ``name`` of the running simulator (seeded by its seed)."""
    sim = _simulator(f"stream_for({name!r})")
    stash: Stash = sim.stash
    per_sim = stash.setdefault(_STREAMS, {})
    stream = per_sim.get(name)
    if stream is None:
        stream = per_sim[name] = SimRandom(int(sim.seed)).stream(f"model:{name}")
    return stream


def takes(low: float, high: float | None = None) -> Duration:
    """A job's ``duration``: ``low`` seconds, or uniform in ``low..high`` (seeded)."""
    return constant(low) if high is None else uniform(low, high)


def _make_error(error: ErrorSpec, message: str | None) -> BaseException:
    if isinstance(error, BaseException):
        return type(error)(*error.args)
    return error(message) if message is not None else error()


def _check_error(error: Any, where: str) -> None:
    ok = isinstance(error, BaseException) or (
        isinstance(error, type) and issubclass(error, BaseException)
    )
    if not ok:
        msg = f"{where}: error={error!r} is not an exception class or instance"
        raise InvalidArgument(msg)


def fails(rate: float, error: ErrorSpec, message: str | None = None) -> Callable[[F], F]:
    """Decorate ``perform``: each execution raises ``error`` with probability ``rate``."""
    validate.number(
        rate, name="fails(): rate", low=0, high=1, expected="a probability between 0 and 1"
    )
    _check_error(error, "fails()")

    def decorate(function: F) -> F:
        name = f"fails:{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def perform(*args: Any, **kwargs: Any) -> Any:
            if stream_for(name).random() < rate:
                raise _make_error(error, message)
            return function(*args, **kwargs)

        return perform  # type: ignore[return-value]

    return decorate


def rate_limited(
    calls: int, per: float, error: ErrorSpec, message: str | None = None
) -> Callable[[F], F]:
    """Decorate ``perform``: more than ``calls`` executions in any ``per`` virtual seconds
    raise ``error`` (an external API answering 429); the failed call does not count."""
    validate.whole(calls, name="rate_limited(): calls", low=1)
    validate.number(per, name="rate_limited(): per", above=0, expected="seconds > 0")
    _check_error(error, "rate_limited()")
    # Each decorated perform keeps its window in the simulator's stash, under its own key.
    window = StashKey[deque[float]]("rate_limited window")

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def perform(*args: Any, **kwargs: Any) -> Any:
            sim = _simulator("rate_limited()")
            now = float(sim.time)
            recent = sim.stash.setdefault(window, deque())
            while recent and recent[0] <= now - per:
                recent.popleft()
            if len(recent) >= calls:
                raise _make_error(error, message)
            recent.append(now)
            return function(*args, **kwargs)

        return perform  # type: ignore[return-value]

    return decorate
