"""Retry schedules replayed offline (layer 7): from options or from a real job hash.

The numbers come from :func:`jobsim.retry.decide_retry`, the same function the simulator
applies to every failure, fed one failure after another: each retry runs when it is due and
fails again, until the job is exhausted (dead set) or has no retries (discarded). Jitter is
drawn from the ``"jitter"`` stream of ``SimRandom(seed)``, the stream a ``Simulator(seed=…)``
uses, so a schedule printed here is the one a simulation with that seed would follow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from jobsim import validate
from jobsim.clock import DEFAULT_START, format_time
from jobsim.errors import InvalidArgument, JobsimError
from jobsim.options import validate_options
from jobsim.profiles import DEFAULT_PROFILE, Profile, get_profile
from jobsim.replay._input import LAST_SHOWN_TIME, check_shown_time, past_the_last_time
from jobsim.retry import JitterMode, RetryDecision, as_seconds, decide_retry, max_attempts
from jobsim.rng import SimRandom

__all__ = ["ReplayedFailure", "percentile", "retry_schedule"]

#: Fields every row carries, in column order (tables and CSV).
ROW_FIELDS = (
    "retry_count",
    "delay",
    "delay_min",
    "delay_max",
    "at",
    "elapsed",
    "elapsed_min",
    "elapsed_max",
)
#: What ``--samples`` adds to each row.
SAMPLE_FIELDS = (
    "reached",
    "delay_p05",
    "delay_p50",
    "delay_p95",
    "elapsed_p05",
    "elapsed_p50",
    "elapsed_p95",
)


class ReplayedFailure(Exception):
    """The error each replayed execution raises (named after the job's own error, if known)."""


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (``share`` in 0..1); 0.0 when empty."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


class _Pinned:
    """Stands for a random stream when jitter is pinned to a bound (never drawn from)."""

    def randrange(self, *args: int) -> int:  # pragma: no cover - min/max never draw
        msg = "a pinned jitter mode drew a random number"
        raise AssertionError(msg)


def _stamp(job: Mapping[str, Any], key: str, profile: Profile) -> float:
    """A time of the job hash in epoch seconds, read in the profile's payload unit."""
    value = job[key]
    where = f"{key}={value!r} in the job hash"
    validate.number(
        value,
        name=key,
        subject=where,
        expected="epoch seconds (a number; Sidekiq 8 writes integer milliseconds)",
    )
    return check_shown_time(as_seconds(value, profile), where)


def _start_state(
    job: Mapping[str, Any] | None,
    first_failure: float,
    options: Mapping[str, Any],
    profile: Profile,
) -> tuple[dict[str, Any], float, float]:
    """(job hash before the failure to replay, when that failure happens, first failure)."""
    if job is None:
        fresh: dict[str, Any] = {"class": "RetrySchedule", "queue": "default", "jid": "replay"}
        fresh.update(options)
        return fresh, first_failure, first_failure
    if "failed_at" not in job or "retry_count" not in job:
        missing = [key for key in ("failed_at", "retry_count") if key not in job]
        msg_text = (
            f"the job hash has no {' or '.join(missing)}; pass a job as found in Sidekiq's retry "
            f"or dead set (it has failed at least once), or use --retry for a fresh job"
        )
        raise InvalidArgument(msg_text)
    count = job["retry_count"]
    validate.whole(
        count, name="retry_count", low=0, subject=f"retry_count={count!r} in the job hash"
    )
    first = _stamp(job, "failed_at", profile)
    last = _stamp(job, "retried_at", profile) if count > 0 and "retried_at" in job else first
    before = {**job, **options}
    # Replay the failure that put the job where it is: one count back, at its time.
    if count == 0:
        before.pop("retry_count")
        before.pop("failed_at")
    else:
        before["retry_count"] = count - 1
    return before, last, first


def _refuse_failed_hook(decision: RetryDecision) -> None:
    """A ``retry_in`` that raised a jobsim error is bad input (``--retry-in "1/0"``), not the
    job's hook failing at run time: raise it instead of showing Sidekiq's fallback schedule."""
    for failure in decision.hook_failures:
        if isinstance(failure.error, JobsimError):
            msg = (
                f"{failure.error} (at run time Sidekiq would log the failure and fall back to "
                f"its default backoff)"
            )
            raise InvalidArgument(msg) from None


def _one_run(
    profile: Profile,
    job: Mapping[str, Any] | None,
    *,
    seed: int,
    jitter: JitterMode,
    first_failure: float,
    options: Mapping[str, Any],
    retry_in: Callable[[int], float] | None,
    max_retries: int,
) -> tuple[list[dict[str, Any]], RetryDecision, float, float]:
    current, now, first = _start_state(job, first_failure, options, profile)
    rng = SimRandom(seed).stream("jitter")
    hook = None if retry_in is None else (lambda count, exc, job: retry_in(count))
    error = ReplayedFailure(str((job or {}).get("error_message", "replayed failure")))
    retry_option = current.get("retry", True)
    rows: list[dict[str, Any]] = []
    elapsed_min = elapsed_max = now - first

    def decide(mode: JitterMode, state: Mapping[str, Any], at: float) -> RetryDecision:
        return decide_retry(
            profile,
            state,
            error,
            fetched_from=str(state.get("queue", "default")),
            now=at,
            retry_option=retry_option,
            retry_in=hook,
            max_retries=max_retries,
            jitter_mode=mode,
            rng=rng if mode == "random" else _Pinned(),  # type: ignore[arg-type]
            class_name=str(state.get("class")),
        )

    limit = max_attempts(retry_option, max_retries) + 2
    while True:
        decision = decide(jitter, current, now)
        _refuse_failed_hook(decision)
        if decision.action != "retry" or decision.delay is None or decision.retry_at is None:
            return rows, decision, now, first
        if decision.retry_at > LAST_SHOWN_TIME:
            msg_text = past_the_last_time(f"retry {len(rows) + 1}", f"retry={retry_option!r}")
            raise InvalidArgument(msg_text)
        low = decide("min", current, now).delay or 0.0
        high = decide("max", current, now).delay or 0.0
        elapsed_min += low
        elapsed_max += high
        rows.append(
            {
                "retry_count": decision.job["retry_count"],
                "delay": decision.delay,
                "delay_min": low,
                "delay_max": high,
                "at": format_time(decision.retry_at),
                "elapsed": decision.retry_at - first,
                "elapsed_min": elapsed_min,
                "elapsed_max": elapsed_max,
            }
        )
        current, now = decision.job, decision.retry_at
        if len(rows) > limit + 10_000:  # pragma: no cover - decide_retry always ends
            msg_text = "retry schedule did not end; this is a jobsim bug"
            raise AssertionError(msg_text)


def retry_schedule(
    *,
    retry: int | bool | None = None,
    profile: str = DEFAULT_PROFILE,
    seed: int = 0,
    jitter: JitterMode = "random",
    retry_for: float | None = None,
    retry_in: Callable[[int], float] | None = None,
    retry_in_text: str | None = None,
    job: Mapping[str, Any] | None = None,
    first_failure: float | None = None,
    samples: int = 0,
    max_retries: int | None = None,
) -> dict[str, Any]:
    """The retry schedule of an always-failing job, as JSON-native data.

    Args:
        retry: Sidekiq's ``retry`` option (a count, True for ``max_retries``, False for none);
            None keeps the job hash's own, or 25 retries for a fresh job.
        profile: The Sidekiq profile whose rules apply.
        seed: Seeds the jitter of the ``delay`` column.
        jitter: ``"random"``, or ``"min"``/``"max"`` to pin the jitter to a bound.
        retry_for: Sidekiq 7.1.3+'s ``retry_for`` window in seconds.
        retry_in: ``sidekiq_retry_in`` as a function of ``count`` (see ``--retry-in``).
        job: A Sidekiq job hash from the retry or dead set: the schedule continues from it.
        first_failure: Epoch seconds of the first failure of a fresh job (jobsim's start).
        samples: With N > 0, percentile bands of delay and elapsed over seeds
            ``seed .. seed + N - 1``.
        max_retries: What ``retry: true`` means (the profile's, 25).

    Returns:
        ``rows`` (one per retry: retry_count, delay, delay_min, delay_max, at, elapsed,
        elapsed_min, elapsed_max, and the percentile fields with ``samples``), ``dies_at``
        and ``outcome`` (``"dead"`` or ``"discarded"``), and the inputs.
    """
    chosen = get_profile(profile)
    validate.choice(jitter, ("random", "min", "max"), name="jitter")
    validate.whole(samples, name="samples", low=0)
    given = {"retry": retry, "retry_for": retry_for}
    # The job options' own validators: the rules a job class is held to.
    options = validate_options(
        {key: value for key, value in given.items() if value is not None},
        where="retry_schedule()",
    )
    if retry is None and job is None:
        options = {"retry": 25, **options}
    limit = chosen.max_retries if max_retries is None else max_retries
    start = DEFAULT_START.timestamp() if first_failure is None else first_failure

    def run(run_seed: int, mode: JitterMode) -> tuple[list[dict[str, Any]], Any, float, float]:
        return _one_run(
            chosen,
            job,
            seed=run_seed,
            jitter=mode,
            first_failure=start,
            options=options,
            retry_in=retry_in,
            max_retries=limit,
        )

    rows, decision, end, first = run(seed, jitter)
    outcome = {"exhausted": "dead", "discard": "discarded", "no_retry": "discarded"}
    result: dict[str, Any] = {
        "profile": chosen.name,
        "seed": seed,
        "jitter": jitter,
        "retry": decision.job.get("retry", options.get("retry", True)),
        "retry_for": options.get("retry_for", (job or {}).get("retry_for")),
        "retry_in": retry_in_text,
        "source": "options" if job is None else "job",
        "class": (job or {}).get("class"),
        "first_failure": format_time(first),
        "rows": rows,
        "outcome": outcome.get(decision.action, decision.action),
        "reason": decision.reason,
        "dies_at": format_time(end) if decision.action == "exhausted" else None,
        "ends_at": format_time(end),
        "ends_after": end - first,
        "executions": len(rows) + (1 if job is None else 0),
    }
    if samples:
        result["samples"] = samples
        _add_bands(result, [run(seed + offset, "random") for offset in range(samples)])
    return result


def _add_bands(
    result: dict[str, Any], runs: list[tuple[list[dict[str, Any]], Any, float, float]]
) -> None:
    rows: list[dict[str, Any]] = result["rows"]
    for index, row in enumerate(rows):
        reached = [run[0][index] for run in runs if len(run[0]) > index]
        delays = [float(item["delay"]) for item in reached]
        elapsed = [float(item["elapsed"]) for item in reached]
        row["reached"] = len(reached)
        for name, values in (("delay", delays), ("elapsed", elapsed)):
            for label, share in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
                row[f"{name}_{label}"] = percentile(values, share)
    ends = [run[2] - run[3] for run in runs]
    result["ends_after_p05"] = percentile(ends, 0.05)
    result["ends_after_p50"] = percentile(ends, 0.5)
    result["ends_after_p95"] = percentile(ends, 0.95)
