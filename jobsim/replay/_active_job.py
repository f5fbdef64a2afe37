"""ActiveJob's ``retry_on`` schedule replayed offline (layer 7), layered on Sidekiq's retry.

The rows come from running a real always-failing :class:`~jobsim.active_job.ActiveJob` with
``retry_on(Exception, wait=…, attempts=…, jitter=…)`` in a :class:`~jobsim.Simulator`, so the
numbers are the engine's own: ActiveJob's retries are new pushes of Sidekiq's wrapper job, and
once the attempts run out the error escapes the wrapper to Sidekiq's own retry (25 retries by
default), so the job runs ``attempts + retry`` times before it dies. ``Kernel.rand`` and
Sidekiq's jitter draw from the streams of ``Simulator(seed=…)``; ``jitter="min"``/``"max"`` pin
both layers to a bound. ``delay_min``/``delay_max`` are the jitter range of each row: for
ActiveJob rows ``determine_delay`` with ``Kernel.rand`` at 0 and at its supremum 1 (the upper
bound is exclusive, as ``rand`` never returns 1), for Sidekiq rows the engine run with its
jitter pinned to each bound.
"""

from __future__ import annotations

import math
import warnings
from datetime import timedelta
from typing import Any, Literal

from jobsim import validate
from jobsim.active_job import (
    DEFAULT_RAILS,
    ActiveJob,
    Instrumented,
    Wait,
    determine_delay,
    get_rails,
    settings,
)
from jobsim.active_job._delay import ruby_inspect
from jobsim.clock import DEFAULT_START, format_time
from jobsim.errors import ClockError, InvalidArgument
from jobsim.profiles import DEFAULT_PROFILE, get_profile
from jobsim.replay._input import LAST_SHOWN_TIME, parse_duration, past_the_last_time
from jobsim.retry import JitterMode
from jobsim.simulator import Simulator

__all__ = ["ACTIVE_JOB_ROW_FIELDS", "active_job_schedule", "parse_wait"]

#: Fields every ActiveJob row carries, in column order (tables and CSV).
ACTIVE_JOB_ROW_FIELDS = (
    "executions",
    "layer",
    "retry_count",
    "delay",
    "delay_min",
    "delay_max",
    "at",
    "elapsed",
    "elapsed_min",
    "elapsed_max",
)

Layer = Literal["active_job", "sidekiq"]

#: The largest value Ruby's ``Kernel.rand`` returns (53-bit floats below 1).
_RAND_MAX = math.nextafter(1.0, 0.0)
_SYMBOLS = ("polynomially_longer", "exponentially_longer")


class ReplayedFailure(Exception):
    """The error every replayed execution raises."""


def parse_wait(text: str) -> Wait:
    """``--activejob WAIT`` as ``retry_on``'s ``wait``: a symbol, or seconds.

    ``polynomially_longer`` and ``exponentially_longer`` stand for Ruby symbols; a whole
    number (``30``) is an Integer; a number with a unit (``30s``, ``5m``, ``2h``) is a Duration,
    truncated to whole seconds as ``Duration#to_i`` does; a bare decimal (``1.5``) is a Float,
    which Rails 6.1–8.0 cannot turn into a delay (the error comes when the schedule is built).
    """
    cleaned = text.strip()
    if cleaned.lstrip(":") in _SYMBOLS:
        return cleaned.lstrip(":")
    try:
        seconds = parse_duration(cleaned, option="--activejob")
    except InvalidArgument:
        msg = (
            f"--activejob {text!r}: pass seconds (30), a duration (5m, 2h), "
            f"polynomially_longer or exponentially_longer"
        )
        raise InvalidArgument(msg) from None
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned[-1:].isalpha():
        try:
            return timedelta(seconds=seconds)
        except OverflowError:
            msg = f"--activejob {text!r}: longer than a timedelta holds; pass a shorter wait"
            raise InvalidArgument(msg) from None
    return seconds  # a Float: Rails raises when the job fails


def _check_wait(wait: Wait, jitter: float, rails: str) -> None:
    """Refuse a ``wait`` the version cannot turn into a delay, with Rails' own message."""
    version = get_rails(rails)
    try:
        determine_delay(wait, 1, jitter, version, lambda: 0.0)
    except RuntimeError as error:
        symbols = [f":{symbol}" for symbol in _SYMBOLS if _supports(symbol, version.name)]
        msg = (
            f"wait={ruby_inspect(wait)} on Rails {version.name}: RuntimeError "
            f'"{error}" — Rails raises it at the job\'s first failure, so ActiveJob would '
            f"never retry and every run would go to Sidekiq's retry; Rails {version.name} "
            f"takes whole seconds, a duration or {' or '.join(symbols)}"
        )
        raise InvalidArgument(msg) from None


def _supports(symbol: str, rails: str) -> bool:
    try:
        determine_delay(symbol, 1, 0.0, get_rails(rails), lambda: 0.0)
    except RuntimeError:
        return False
    return True


def _job_class(
    wait: Wait, attempts: int, jitter: float, rails: str, sidekiq_options: dict[str, Any]
) -> tuple[type[ActiveJob], list[str]]:
    """A fresh always-failing job class and the warnings Rails gives when it is declared."""

    class RetrySchedule(ActiveJob, rails=rails, sidekiq_options=sidekiq_options):
        def perform(self, *args: Any) -> None:
            raise ReplayedFailure("replayed failure")

    RetrySchedule.__qualname__ = "RetrySchedule"  # as Rails' warning names it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RetrySchedule.retry_on(Exception, wait=wait, attempts=attempts, jitter=jitter)
    return RetrySchedule, [str(item.message) for item in caught]


def _run(
    job_class: type[ActiveJob], *, seed: int, start: float, profile: str, jitter: JitterMode
) -> Simulator:
    sim = Simulator(seed=seed, start=start, profile=profile, jitter=jitter)
    if jitter != "random":
        settings(sim).rand = 0.0 if jitter == "min" else _RAND_MAX
    with sim:
        job_class.perform_later()
        sim.drain()
    return sim


def _sidekiq_bounds(sim: Simulator) -> dict[int, float]:
    """Sidekiq's delay per ``retry_count`` in a run with its jitter pinned."""
    return {
        int(event.detail["retry_count"]): float(event.detail["delay"])
        for event in sim.trace.of_kind("retry_scheduled")
    }


def active_job_schedule(
    wait: Wait,
    *,
    attempts: int = 5,
    jitter_fraction: float = 0.15,
    rails: str = DEFAULT_RAILS,
    retry: int | bool | None = None,
    retry_for: float | None = None,
    profile: str = DEFAULT_PROFILE,
    seed: int = 0,
    jitter: JitterMode = "random",
    first_failure: float | None = None,
) -> dict[str, Any]:
    """The schedule of an always-failing ActiveJob job: ``retry_on``, then Sidekiq's retry.

    Args:
        wait: ``retry_on``'s ``wait``: seconds (int), a timedelta, ``"polynomially_longer"``
            or ``"exponentially_longer"`` (see :func:`parse_wait`).
        attempts: ``retry_on``'s ``attempts`` (executions in all, the first run included).
        jitter_fraction: ``retry_on``'s ``jitter`` (0.15, what ``load_defaults`` sets).
        rails: The Rails version whose ActiveJob applies (``"6.1"`` … ``"8.0"``).
        retry: The wrapper's Sidekiq ``retry`` option (``sidekiq_options`` on the class):
            a count, True or None for Sidekiq's default (25), False for none.
        retry_for: Sidekiq 7.1.3+'s ``retry_for`` window in seconds, for Sidekiq's part.
        profile: The Sidekiq profile (its wrapper class, jitter and retry rules).
        seed: Seeds ``Kernel.rand`` and Sidekiq's jitter, as ``Simulator(seed=…)`` does.
        jitter: ``"random"``, or ``"min"``/``"max"`` to pin both layers' jitter to a bound.
        first_failure: Epoch seconds of the first run (jobsim's start by default).

    Returns:
        ``rows`` (one per retry, with ``executions`` — the runs so far, the failed one
        included —, ``layer`` (``"active_job"`` or ``"sidekiq"``), ``retry_count`` (Sidekiq's,
        None on ActiveJob rows), ``delay``, ``delay_min``, ``delay_max``, ``at``, ``elapsed``,
        ``elapsed_min``, ``elapsed_max``), ``handed_to_sidekiq_at`` (when ActiveJob gave up),
        ``outcome`` (``"dead"`` or ``"discarded"``), ``dies_at``, ``executions`` and the inputs.

    Raises:
        InvalidArgument: a ``wait`` the Rails version cannot use (with Rails' RuntimeError
            message), ``attempts: "unlimited"`` (the schedule would never end), bad numbers.
    """
    version = get_rails(rails)
    chosen = get_profile(profile)
    validate.choice(jitter, ("random", "min", "max"), name="jitter")
    validate.whole(
        attempts, name="attempts", low=1, expected="a whole number >= 1 (the first run counts)"
    )
    validate.number(
        jitter_fraction, name="jitter_fraction", low=0, expected="a fraction >= 0, such as 0.15"
    )
    _check_wait(wait, float(jitter_fraction), version.name)
    options: dict[str, Any] = {}
    if retry is not None:
        options["retry"] = retry
    if retry_for is not None:
        options["retry_for"] = retry_for
    job_class, notes = _job_class(wait, attempts, float(jitter_fraction), version.name, options)
    start = DEFAULT_START.timestamp() if first_failure is None else first_failure

    def run(mode: JitterMode) -> Simulator:
        try:
            return _run(job_class, seed=seed, start=start, profile=chosen.name, jitter=mode)
        except ClockError:  # a retry past the last time jobsim represents
            limit = f"attempts={attempts!r}, retry={options.get('retry', True)!r}"
            raise InvalidArgument(past_the_last_time("a retry", limit)) from None

    sim = run(jitter)
    low = _sidekiq_bounds(run("min"))
    high = _sidekiq_bounds(run("max"))

    def bounds(n: int) -> tuple[float, float]:
        j = float(jitter_fraction)
        return (
            determine_delay(wait, n, j, version, lambda: 0.0),
            determine_delay(wait, n, j, version, lambda: 1.0),
        )

    events: list[tuple[float, Layer, int | None, float, float, float, float]] = []
    active_job_events: list[Instrumented] = settings(sim).events
    for item in active_job_events:
        if item.name == "enqueue_retry" and item.wait is not None:
            d_min, d_max = bounds(item.executions)
            events.append((item.at, "active_job", None, item.wait, item.at + item.wait,
                           d_min, d_max))  # fmt: skip
    for event in sim.trace.of_kind("retry_scheduled"):
        retry_count = int(event.detail["retry_count"])
        delay, retry_at = float(event.detail["delay"]), float(event.detail["retry_at"])
        events.append(
            (event.ts, "sidekiq", retry_count, delay, retry_at, low[retry_count], high[retry_count])
        )
    events.sort(key=lambda item: item[0])
    for number, planned in enumerate(events, start=1):
        if planned[4] > LAST_SHOWN_TIME:
            limit = f"attempts={attempts!r}, retry={options.get('retry', True)!r}"
            raise InvalidArgument(past_the_last_time(f"retry {number}", limit))
    first = events[0][0] if events else start
    rows: list[dict[str, Any]] = []
    elapsed_min = elapsed_max = 0.0
    for index, (_, layer, count, delay, retry_at, d_min, d_max) in enumerate(events, start=1):
        elapsed_min += d_min
        elapsed_max += d_max
        rows.append(
            {
                "executions": index,
                "layer": layer,
                "retry_count": count,
                "delay": delay,
                "delay_min": d_min,
                "delay_max": d_max,
                "at": format_time(retry_at),
                "elapsed": round(retry_at - first, 6),  # the clock's microseconds
                "elapsed_min": elapsed_min,
                "elapsed_max": elapsed_max,
            }
        )
    stopped = [item for item in active_job_events if item.name == "retry_stopped"]
    died = sim.trace.of_kind("died")
    gone = sim.trace.of_kind("discarded")
    end_event = died[-1] if died else gone[-1] if gone else None
    end = end_event.ts if end_event is not None else first
    return {
        "wait": wait.total_seconds() if isinstance(wait, timedelta) else wait,
        "attempts": attempts,
        "jitter_fraction": float(jitter_fraction),
        "rails": version.name,
        "retry": options.get("retry", True),
        "retry_for": retry_for,
        "profile": chosen.name,
        "wrapper": str(sim.trace.of_kind("enqueued", "scheduled")[0].job["class"]),
        "seed": seed,
        "jitter": jitter,
        "first_failure": format_time(first),
        "rows": rows,
        "active_job_retries": sum(1 for row in rows if row["layer"] == "active_job"),
        "sidekiq_retries": sum(1 for row in rows if row["layer"] == "sidekiq"),
        "handed_to_sidekiq_at": format_time(stopped[0].at) if stopped else None,
        "outcome": "dead" if died else "discarded",
        "reason": str(end_event.detail.get("reason", "")) if end_event is not None else "",
        "dies_at": format_time(end) if died else None,
        "ends_at": format_time(end),
        "ends_after": round(end - first, 6),
        "executions": sim.trace.kinds().count("started"),
        "notes": notes,
    }
