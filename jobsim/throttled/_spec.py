"""A job class's ``throttle=`` option read into limits (sidekiq-throttled's ``Strategy``).

The shape was checked when the class was defined (:mod:`jobsim.gem_options`); here the
values are given their defaults and the version's rules. Callables of the job's arguments
stay callables: the gem evaluates them at every fetch, and so does :func:`resolve`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jobsim.errors import InvalidOption

__all__ = [
    "ConcurrencySpec",
    "Strategy",
    "ThresholdSpec",
    "build_strategy",
    "key_of",
    "resolve",
]

Version = Literal["1", "2"]

#: sidekiq-throttled 2.x: avg_job_duration 300 s, lost_job_threshold 900 s (README: "locks …
#: TTL set to 15 minutes"); if only one is given the other is x3 or /3 (concurrency.rb).
_AVG_DEFAULT = 300
_LOST_DEFAULT = 900
#: max_delay defaults to min(10 x avg_job_duration, 30 minutes).
_MAX_DELAY_CAP = 1800


def resolve(value: Any, args: Sequence[Any]) -> Any:
    """A limit, period or suffix for one job: called with its arguments when callable."""
    if callable(value):
        value = value(*args)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


@dataclass(frozen=True, slots=True)
class ConcurrencySpec:
    """``concurrency: {limit:, avg_job_duration:, lost_job_threshold:, max_delay:}``."""

    base_key: str
    limit: Any
    avg_job_duration: float
    lost_job_threshold: float
    max_delay: float
    key_suffix: Any


@dataclass(frozen=True, slots=True)
class ThresholdSpec:
    """``threshold: {limit:, period:}``: at most ``limit`` starts in any ``period`` seconds."""

    base_key: str
    limit: Any
    period: Any
    key_suffix: Any


@dataclass(frozen=True, slots=True)
class Strategy:
    """Every limit one job class (or shared name) runs under, and what a refusal does."""

    name: str
    concurrency: tuple[ConcurrencySpec, ...]
    threshold: tuple[ThresholdSpec, ...]
    requeue_with: Any
    requeue_to: Any
    #: Every job of this strategy meets the same counters and gets the same answer from them:
    #: at most one limit of each kind, positive constant limits, no callables anywhere. Only
    #: then may a run of refusals be applied at once (jobsim.throttled._batch).
    uniform: bool = False


def _constant(value: Any) -> bool:
    return not callable(value)


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _seconds(value: Any) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _listed(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _concurrency(
    name: str, given: Mapping[str, Any], suffix: Any, version: Version, where: str
) -> ConcurrencySpec:
    base = f"throttled:{name}:concurrency.v2"
    key_suffix = given.get("key_suffix", suffix)
    if version == "1":
        extra = sorted(key for key in ("avg_job_duration", "max_delay") if key in given)
        if extra:
            msg = (
                f"{where}: throttle concurrency {', '.join(extra)} came with sidekiq-throttled "
                f"2.0; under Throttled(version='1') pass limit=, ttl= and key_suffix= only"
            )
            raise InvalidOption(msg)
        ttl = _seconds(given.get("lost_job_threshold", given.get("ttl", _LOST_DEFAULT)))
        return ConcurrencySpec(base, given["limit"], 0.0, ttl, 0.0, key_suffix)
    avg = given.get("avg_job_duration")
    lost = given.get("lost_job_threshold", given.get("ttl"))
    # Concurrency#interp_duration_args truncates both to whole seconds (to_i).
    if avg is not None and lost is not None:
        avg_s, lost_s = int(_seconds(avg)), int(_seconds(lost))
    elif avg is not None:
        avg_s = int(_seconds(avg))
        lost_s = avg_s * 3
    elif lost is not None:
        lost_s = int(_seconds(lost))
        avg_s = lost_s // 3
    else:
        avg_s, lost_s = _AVG_DEFAULT, _LOST_DEFAULT
    if lost_s <= avg_s:
        msg = (
            f"{where}: throttle concurrency lost_job_threshold={lost_s} s must be greater than "
            f"avg_job_duration={avg_s} s (sidekiq-throttled raises ArgumentError); give a "
            f"longer lost_job_threshold"
        )
        raise InvalidOption(msg)
    max_delay = given.get("max_delay")
    delay = _seconds(max_delay) if max_delay is not None else min(10 * avg_s, _MAX_DELAY_CAP)
    return ConcurrencySpec(base, given["limit"], avg_s, lost_s, delay, key_suffix)


def build_strategy(
    name: str,
    option: Mapping[str, Any],
    *,
    version: Version,
    default_requeue: Mapping[str, Any],
    where: str,
) -> Strategy:
    """The :class:`Strategy` for ``throttle=option`` under the gem ``version``."""
    suffix = option.get("key_suffix")
    concurrency = tuple(
        _concurrency(name, given, suffix, version, where)
        for given in _listed(option.get("concurrency"))
    )
    threshold = tuple(
        ThresholdSpec(
            f"throttled:{name}:threshold",
            given["limit"],
            given["period"],
            given.get("key_suffix", suffix),
        )
        for given in _listed(option.get("threshold"))
    )
    requeue = {**default_requeue, **(option.get("requeue") or {})}
    with_, to = requeue.get("with", "enqueue"), requeue.get("to")
    uniform = (
        len(concurrency) <= 1
        and len(threshold) <= 1
        and all(_positive(spec.limit) and _constant(spec.key_suffix) for spec in concurrency)
        and all(
            _positive(spec.limit) and _constant(spec.period) and _constant(spec.key_suffix)
            for spec in threshold
        )
        and _constant(with_)
        and _constant(to)
    )
    return Strategy(name, concurrency, threshold, with_, to, uniform)


def key_of(base: str, suffix: Any, args: Sequence[Any]) -> str:
    """The Redis key the gem would use for one job (``base[:suffix]``)."""
    if suffix is None:
        return base
    return f"{base}:{resolve(suffix, args)}"
