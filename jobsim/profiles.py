"""Sidekiq versions as data (layer 2).

Sidekiq's behaviour moved between releases: the jitter formula, what ``sidekiq_retry_in`` may
return, ``retry_for``, the unit of timestamps, strict arguments, the default concurrency. A
:class:`Profile` records each of those choices as a field, and the engine reads the fields; no
code path asks "which version is this?". The facts and their sources are in
Sidekiq's ``Changes.md`` and the tagged sources (``lib/sidekiq/job_retry.rb``, ``client.rb``,
``config.rb`` at v6.4.1, v7.x, v8.x).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Literal

from jobsim import validate
from jobsim.errors import InvalidArgument

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "epoch_ms", "get_profile", "timestamp"]


@dataclass(frozen=True, slots=True)
class Profile:
    """One Sidekiq version's observable choices."""

    #: The name users pass as ``Simulator(profile=...)``.
    name: str
    #: The upstream tag this profile was read from.
    reference_tag: str
    #: ``"per_count"``: ``rand(10) * (count + 1)`` (6.2.2–7.x);
    #: ``"range"``: ``rand(10 * (count + 1))`` (8.0+).
    jitter: Literal["per_count", "range"]
    #: Payload timestamps (created_at, enqueued_at, failed_at, retried_at): epoch float
    #: seconds (6.x, 7.x) or integer epoch milliseconds (8.x).
    timestamps: Literal["float_seconds", "int_ms"]
    #: Default strict-args mode: ``"warn"`` (6.x) or ``"raise"`` (7.0+).
    strict_args: Literal["warn", "raise"]
    #: Whether ``sidekiq_retry_in`` may return ``:discard`` / ``:kill`` (6.5.2+). In 6.4 a
    #: symbol has no ``to_i``, so the NoMethodError escapes and Sidekiq's outer handler schedules
    #: an ordinary retry of the original payload.
    retry_in_symbols: bool
    #: ``retry_for`` (7.1.3+): ``None`` (not supported), ``"and"`` (exhausted when the count
    #: *or* the window runs out, 7.1.3–8.0), ``"exclusive"`` (window only, 8.1+).
    retry_for: Literal["and", "exclusive"] | None
    #: What an exhausted block returning ``:discard`` does: ``None`` (not supported, 6.x),
    #: ``"silent"`` (no dead set, no death handlers, 7.2–8.0.6), ``"death_handlers"`` (8.0.7+).
    exhausted_discard: Literal["silent", "death_handlers"] | None
    #: Whether a ``:discard`` from ``sidekiq_retry_in`` calls the death handlers (8.0.7+).
    retry_in_discard_calls_death_handlers: bool
    #: Whether ``discarded_at`` (epoch ms) is set on jobs not sent to the dead set (8.0.8+).
    sets_discarded_at: bool
    #: ``error_backtrace`` encoding: ``Base64.encode64`` with a newline every 60 characters
    #: (6.x–7.2.1) or strict base64 (7.2.2+).
    strict_base64_backtrace: bool
    #: Processor threads per process (``-c``): 10 in 6.x, 5 from 7.0.
    default_concurrency: int
    #: ``retry_all`` / ``kill_all`` on the sorted sets: per-entry with death handlers
    #: (to 7.3.4) or ZPOPMIN without notification (7.3.5+).
    kill_all_notifies: bool
    #: How a weighted queue list picks its fetch mode: ``"any_weight"`` (6.x: strict unless a
    #: weight is > 0) or ``"by_weights"`` (7.0.3+: all 0 strict, all 1 random, else weighted).
    queue_mode_rule: Literal["any_weight", "by_weights"] = "by_weights"
    #: The scheduler's poll interval with 10+ processes is ``interval * rand * factor``:
    #: 1 up to 8.0.9, 2 from 8.0.10 (mean back at the configured average).
    many_process_poll_factor: int = 1
    #: Whether strict args are checked after client middleware, and only for jobs it keeps
    #: (6.4.2+), rather than before it (6.4.1).
    strict_args_after_middleware: bool = True
    #: Whether ``perform_bulk`` keeps a None per job dropped by middleware (7.1+) rather
    #: than leaving it out.
    bulk_keeps_dropped: bool = True
    #: The job class Rails' ActiveJob adapter pushes (``"class"`` of a wrapped job).
    activejob_wrapper: str = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
    #: Whether ``sidekiq_retry_in`` / ``sidekiq_retries_exhausted`` are looked up on the
    #: wrapped ActiveJob class (7.1.3+) rather than on the wrapper.
    retry_hooks_on_wrapped: bool = True
    #: Whether the data API reads the ``error_backtrace`` formats older Sidekiqs wrote (a raw
    #: list, or a Marshal dump; 6.x) rather than only base64 of zlib-deflated JSON (7.0+).
    legacy_backtraces: bool = False
    #: Whether ``DeadSet#kill`` passes its ``ex:`` option to the death handlers (7.0+); 6.x
    #: ignores it and always passes ``RuntimeError("Job killed by API")``.
    dead_kill_takes_error: bool = True
    #: Whether hash-form ``Client.push_bulk`` takes ``spread_interval`` (8.0.8+).
    bulk_spread_interval: bool = False
    #: Whether hash-form ``Client.push_bulk`` refuses a ``jid`` with more than one job (7.0+);
    #: 6.x ignores it (every job gets a fresh jid).
    bulk_refuses_jid: bool = True
    #: ``max_retries`` (``DEFAULT_MAX_RETRY_ATTEMPTS``).
    max_retries: int = 25
    #: ``dead_max_jobs``; Sidekiq keeps one fewer after an insertion (off-by-one in its trim).
    dead_max_jobs: int = 10_000
    #: ``dead_timeout_in_seconds``: 180 days.
    dead_timeout: float = 180 * 24 * 60 * 60


PROFILES: dict[str, Profile] = {
    "sidekiq-6.4": Profile(
        name="sidekiq-6.4",
        reference_tag="v6.4.1",
        jitter="per_count",
        timestamps="float_seconds",
        strict_args="warn",
        retry_in_symbols=False,
        retry_for=None,
        exhausted_discard=None,
        retry_in_discard_calls_death_handlers=False,
        sets_discarded_at=False,
        strict_base64_backtrace=False,
        default_concurrency=10,
        kill_all_notifies=True,
        queue_mode_rule="any_weight",
        strict_args_after_middleware=False,
        bulk_keeps_dropped=False,
        retry_hooks_on_wrapped=False,
        legacy_backtraces=True,
        dead_kill_takes_error=False,
        bulk_refuses_jid=False,
    ),
    "sidekiq-7": Profile(
        name="sidekiq-7",
        reference_tag="v7.3.10",
        jitter="per_count",
        timestamps="float_seconds",
        strict_args="raise",
        retry_in_symbols=True,
        retry_for="and",
        exhausted_discard="silent",
        retry_in_discard_calls_death_handlers=False,
        sets_discarded_at=False,
        strict_base64_backtrace=True,
        default_concurrency=5,
        kill_all_notifies=False,
    ),
    "sidekiq-8": Profile(
        name="sidekiq-8",
        reference_tag="v8.1.7",
        jitter="range",
        timestamps="int_ms",
        strict_args="raise",
        retry_in_symbols=True,
        retry_for="exclusive",
        exhausted_discard="death_handlers",
        retry_in_discard_calls_death_handlers=True,
        sets_discarded_at=True,
        strict_base64_backtrace=True,
        default_concurrency=5,
        kill_all_notifies=False,
        many_process_poll_factor=2,
        activejob_wrapper="Sidekiq::ActiveJob::Wrapper",
        bulk_spread_interval=True,
    ),
}

#: The newest Sidekiq jobsim reproduces.
DEFAULT_PROFILE = "sidekiq-8"


def get_profile(profile: str | Profile) -> Profile:
    """The :class:`Profile` named ``profile`` (or ``profile`` itself if it already is one)."""
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, str):
        raise validate.refuse(
            "profile", profile, f"a profile name: {', '.join(sorted(PROFILES))}", why="not a str"
        )
    found = PROFILES.get(profile)
    if found is None:
        close = difflib.get_close_matches(str(profile), PROFILES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = (
            f"profile={profile!r} is not a Sidekiq profile jobsim knows; {hint}"
            f"choose one of {', '.join(sorted(PROFILES))}"
        )
        raise InvalidArgument(msg)
    return found


def epoch_ms(now: float) -> int:
    """Epoch seconds as integer milliseconds, as Sidekiq 8's ``now_ms`` gives them.

    The small epsilon keeps a whole number of milliseconds held in binary floating point
    (``0.123 * 1000 == 122.99999…``) from flooring to the millisecond before.
    """
    return math.floor(now * 1000 + 1e-6)


def timestamp(profile: Profile, now: float) -> float | int:
    """``now`` in the profile's payload unit: epoch float seconds, or integer ms in 8.x."""
    return epoch_ms(now) if profile.timestamps == "int_ms" else now
