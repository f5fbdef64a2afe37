"""Checking a simulator's settings (layer 4): every constructor argument, with a clear error.

:class:`jobsim.Simulator` takes many keyword arguments; this module checks each one and fills
in the profile's defaults, so the simulator itself only wires parts together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jobsim import validate
from jobsim.durations import DurationSpec
from jobsim.enqueue import StrictArgs, strict_args_mode
from jobsim.errors import InvalidArgument
from jobsim.profiles import Profile, get_profile
from jobsim.queue_config import QueueConfig, parse_queues

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


def _duration_table(durations: Mapping[Any, DurationSpec] | None) -> dict[str, Any]:
    table: dict[str, Any] = {}
    given: object = durations  # typed as a mapping, but callers pass anything
    if given is not None and not isinstance(given, Mapping):
        msg = (
            f"durations={durations!r}: pass a dict of job class (or name) to seconds, a "
            f"(low, high) range or a function, e.g. {{Charge: (0.5, 2.0)}}"
        )
        raise InvalidArgument(msg)
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
    validate.whole(seed, name="seed", expected="an int so runs can be repeated")
    chosen = get_profile(profile)
    validate.choice(jitter, ("random", "min", "max"), name="jitter")
    validate.choice(poll_interval, ("exact", "sidekiq"), name="poll_interval")
    validate.choice(fetch, ("basic", "reliable"), name="fetch")
    validate.choice(mode, ("simulate", "fake", "inline"), name="mode")
    if strict_args is not None:
        strict_args_mode(strict_args)
    average = validate.optional(
        poll_interval_average, validate.seconds, name="poll_interval_average", above=0
    )
    timeout = validate.seconds(
        chosen.dead_timeout if dead_timeout is None else dead_timeout, name="dead_timeout"
    )
    return Settings(
        profile=chosen,
        queue_config=None if queues is None else parse_queues(queues, chosen),
        concurrency=validate.whole(
            chosen.default_concurrency if concurrency is None else concurrency,
            name="concurrency",
            low=1,
        ),
        durations=_duration_table(durations),
        poll_average=average,
        process_count=validate.whole(process_count, name="process_count", low=1),
        strict_args=chosen.strict_args if strict_args is None else strict_args,
        max_retries=validate.whole(
            chosen.max_retries if max_retries is None else max_retries,
            name="max_retries",
            low=0,
        ),
        dead_max_jobs=validate.whole(
            chosen.dead_max_jobs if dead_max_jobs is None else dead_max_jobs,
            name="dead_max_jobs",
            low=1,
        ),
        dead_timeout=timeout,
    )
