"""Checking a simulator's settings (layer 4): every constructor argument, with a clear error.

:class:`jobsim.Simulator` takes many keyword arguments; this module checks each one and fills
in the profile's defaults, so the simulator itself only wires parts together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jobsim.durations import DurationSpec
from jobsim.errors import InvalidArgument
from jobsim.profiles import Profile, get_profile
from jobsim.queue_config import QueueConfig, parse_queues
from jobsim.state import StrictArgs

__all__ = ["Fetch", "Jitter", "Mode", "Settings", "check_settings"]

Jitter = Literal["random", "min", "max"]
Mode = Literal["simulate", "fake", "inline"]
Fetch = Literal["basic", "reliable"]


@dataclass(frozen=True, slots=True)
class Settings:
    """The checked settings, with the profile's defaults filled in."""

    profile: Profile
    queue_config: QueueConfig | None
    concurrency: int
    durations: dict[str, Any]
    poll_average: float | None
    process_count: int
    strict_args: StrictArgs
    max_retries: int
    dead_max_jobs: int
    dead_timeout: float


def _one_of(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(item) for item in allowed[:-1]) + f" or {allowed[-1]!r}"
        msg = f"{name}={value!r}: pass {choices}"
        raise InvalidArgument(msg)


def _whole(name: str, value: Any, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        msg = f"{name}={value!r}: pass a whole number >= {low}"
        raise InvalidArgument(msg)
    return value


def _duration_table(durations: Mapping[Any, DurationSpec] | None) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, spec in (durations or {}).items():
        name = key if isinstance(key, str) else getattr(key, "job_name", None)
        if not isinstance(name, str):
            msg = f"durations: key {key!r} is not a job class or class name"
            raise InvalidArgument(msg)
        table[name] = spec
    return table


def check_settings(
    *,
    seed: Any,
    profile: str | Profile,
    queues: Iterable[Any] | None,
    concurrency: int | None,
    durations: Mapping[Any, DurationSpec] | None,
    poll_interval: Any,
    poll_interval_average: float | None,
    process_count: int,
    fetch: Any,
    mode: Any,
    jitter: Any,
    strict_args: Any,
    max_retries: int | None,
    dead_max_jobs: int | None,
    dead_timeout: float | timedelta | None,
) -> Settings:
    """Check every setting; the first bad one raises :class:`~jobsim.errors.InvalidArgument`."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        msg = f"seed={seed!r}: pass an int so runs can be repeated"
        raise InvalidArgument(msg)
    chosen = get_profile(profile)
    _one_of("jitter", jitter, ("random", "min", "max"))
    _one_of("poll_interval", poll_interval, ("exact", "sidekiq"))
    _one_of("fetch", fetch, ("basic", "reliable"))
    _one_of("mode", mode, ("simulate", "fake", "inline"))
    if strict_args not in (None, "raise", "warn", True, False):
        msg = f"strict_args={strict_args!r}: pass 'raise', 'warn' or False"
        raise InvalidArgument(msg)
    average: object = poll_interval_average
    if average is not None and (
        isinstance(average, bool) or not isinstance(average, int | float) or average <= 0
    ):
        msg = f"poll_interval_average={poll_interval_average!r}: pass seconds > 0 or None"
        raise InvalidArgument(msg)
    timeout = (
        dead_timeout.total_seconds()
        if isinstance(dead_timeout, timedelta)
        else (chosen.dead_timeout if dead_timeout is None else dead_timeout)
    )
    return Settings(
        profile=chosen,
        queue_config=None if queues is None else parse_queues(queues, chosen),
        concurrency=_whole(
            "concurrency", chosen.default_concurrency if concurrency is None else concurrency, low=1
        ),
        durations=_duration_table(durations),
        poll_average=None if poll_interval_average is None else float(poll_interval_average),
        process_count=_whole("process_count", process_count, low=1),
        strict_args=chosen.strict_args if strict_args is None else strict_args,
        max_retries=_whole(
            "max_retries", chosen.max_retries if max_retries is None else max_retries, low=0
        ),
        dead_max_jobs=_whole(
            "dead_max_jobs", chosen.dead_max_jobs if dead_max_jobs is None else dead_max_jobs, low=1
        ),
        dead_timeout=float(timeout),
    )
