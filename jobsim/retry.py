"""Sidekiq's retry logic as values (layer 2): ``JobRetry#process_retry`` step by step.

:func:`decide_retry` takes the failed job hash and the exception and returns a
:class:`RetryDecision` (retry in N seconds, exhausted, discard, or no retry at all); the
simulator applies it. The rules follow ``lib/sidekiq/job_retry.rb`` at the profile's tag; see
Sidekiq's ``lib/sidekiq/job_retry.rb`` (at v6.4.1, v7.x and v8.x) for each fact and its source.
"""

from __future__ import annotations

import base64
import math
import re
import traceback
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from jobsim.payload import dumps
from jobsim.profiles import Profile, timestamp

if TYPE_CHECKING:
    from jobsim.rng import Stream

__all__ = [
    "ERROR_MESSAGE_LIMIT",
    "HookFailure",
    "RetryDecision",
    "decide_retry",
    "default_delay",
    "error_class_name",
    "error_message",
    "jitter",
    "UNPRINTABLE_MESSAGE",
    "max_attempts",
]

#: Sidekiq keeps the first 10,000 characters of an error message.
ERROR_MESSAGE_LIMIT = 10_000

JitterMode = Literal["random", "min", "max"]


def default_delay(count: int) -> int:
    """Sidekiq's backoff before jitter: ``count ** 4 + 15`` seconds."""
    return count**4 + 15


def jitter(profile: Profile, count: int, mode: JitterMode, rng: Stream) -> int:
    """The jitter added to a retry delay after failure ``count`` (0-based).

    6.2.2 to 7.x: ``rand(10) * (count + 1)``; 8.0+: ``rand(10 * (count + 1))``. ``mode``
    pins the draw to its smallest or largest value, for replaying bounds.
    """
    if profile.jitter == "per_count":
        draw = 0 if mode == "min" else 9 if mode == "max" else rng.randrange(10)
        return draw * (count + 1)
    span = 10 * (count + 1)
    return 0 if mode == "min" else span - 1 if mode == "max" else rng.randrange(span)


def as_seconds(value: float | int, profile: Profile | None = None) -> float:
    """A payload timestamp in seconds. Sidekiq 8 (``time_for``) reads an int as milliseconds
    and a float as seconds; a profile whose payloads carry float seconds (6.x, 7.x) reads any
    number as seconds, as Ruby's ``msg["failed_at"] + retry_for`` does there."""
    if profile is not None and profile.timestamps == "float_seconds":
        return float(value)
    return value / 1000.0 if isinstance(value, int) else float(value)


def max_attempts(retry: Any, max_retries: int) -> int:
    """How many retries ``retry`` allows: an int is a count, any other truthy value the default."""
    if isinstance(retry, int) and not isinstance(retry, bool):
        return retry
    return max_retries


def error_class_name(exc: BaseException) -> str:
    """The exception's class name as Sidekiq records it (qualified unless a builtin).

    An exception standing for a Ruby one (a missing job class is Ruby's ``NameError``) names
    it in a ``sidekiq_error_class`` attribute.
    """
    ruby_name = getattr(exc, "sidekiq_error_class", None)
    if isinstance(ruby_name, str):
        return ruby_name
    kind = type(exc)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


_SURROGATES = re.compile("[\ud800-\udfff]")


#: What Sidekiq writes when an exception's message cannot be had (``#message`` raises).
UNPRINTABLE_MESSAGE = "!!! ERROR MESSAGE THREW AN ERROR !!!"


def error_message(exc: BaseException) -> str:
    """``str(exc)``, cut to 10,000 characters, invalid code points replaced by U+FFFD."""
    ruby_text = getattr(exc, "sidekiq_error_message", None)
    try:
        text = ruby_text if isinstance(ruby_text, str) else str(exc)
    except Exception:  # Sidekiq's own fallback text when #message raises
        text = UNPRINTABLE_MESSAGE
    text = text[:ERROR_MESSAGE_LIMIT]
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


def backtrace_lines(exc: BaseException) -> list[str]:
    """The traceback in Ruby's shape: innermost frame first, ``path:line:in `name'``."""
    frames = traceback.extract_tb(exc.__traceback__)
    return [f"{frame.filename}:{frame.lineno}:in `{frame.name}'" for frame in reversed(frames)]


def encode_backtrace(lines: list[str], *, strict: bool) -> str:
    """``error_backtrace``: base64 of zlib-deflated JSON; 6.x wraps at 60 columns."""
    raw = base64.b64encode(zlib.compress(dumps(lines).encode())).decode()
    if strict:
        return raw
    return "".join(raw[i : i + 60] + "\n" for i in range(0, len(raw), 60))


@dataclass(frozen=True, slots=True)
class HookFailure:
    """User code in a hook raised; Sidekiq reports it to the error handlers and carries on."""

    hook: str
    error: Exception
    context: str


# Not frozen: one is made for every failure, and a frozen dataclass's __init__ (a guarded
# setattr per field) costs five times as much. Nothing changes a decision once made.
@dataclass(slots=True)
class RetryDecision:
    """What to do with a failed job.

    ``action``: ``"retry"`` (into the retry set at ``retry_at``), ``"exhausted"`` (run the
    exhausted hook, then dead set and death handlers), ``"discard"`` (``retry_in`` returned
    ``"discard"``), or ``"no_retry"`` (``retry: false``: death handlers only).
    """

    action: Literal["retry", "exhausted", "discard", "no_retry"]
    job: dict[str, Any]
    reason: str
    delay: float | None = None
    jitter: int = 0
    retry_at: float | None = None
    hook_failures: tuple[HookFailure, ...] = field(default=())
    #: The exception that drove the decision (6.4 replaces it with NoMethodError when
    #: ``retry_in`` returns a symbol).
    error: BaseException | None = None


# What a retry_in result means: ("delay", seconds) / ("default",) / ("kill",) / ("discard",)
# / ("no_method", ruby_inspect) for 6.4's NoMethodError on a value without #to_i.
_Interpretation = tuple[str, ...] | tuple[str, int]
_INTEGER_TEXT = re.compile(r"\s*[+-]?\d+")


def _interpret_retry_in(profile: Profile, value: Any) -> _Interpretation:
    if value is None:
        return ("default",)
    if isinstance(value, bool):
        # Ruby's true/false have no #to_i: 6.4 raises NoMethodError; 7.0.7+ skips coercion.
        return (
            ("no_method", f"{str(value).lower()}:{value.__class__.__name__}Class")
            if (not profile.retry_in_symbols)
            else ("default",)
        )
    if isinstance(value, timedelta):
        value = int(value.total_seconds())
    if isinstance(value, float):
        if not math.isfinite(value):
            return ("default",)
        value = int(value)  # Float#to_i truncates toward zero
    if isinstance(value, int):
        return ("delay", value) if value > 0 else ("default",)
    if isinstance(value, str):
        match = _INTEGER_TEXT.match(value)
        if match and match.group().strip() == value.strip():
            number = int(match.group())  # a numeric string: String#to_i
            return ("delay", number) if number > 0 else ("default",)
        # Any other string stands for a Ruby symbol such as :kill.
        if not profile.retry_in_symbols:
            return ("no_method", f":{value}:Symbol")
        return (value,) if value in ("kill", "discard") else ("default",)
    if not profile.retry_in_symbols:
        return ("no_method", f"{value!r}:{type(value).__name__}")
    return ("default",)


class NoMethodError(Exception):
    """Stands for Ruby's NoMethodError in Sidekiq 6.4's symbol-returning ``retry_in`` path."""


def record_failure(
    profile: Profile,
    job: Mapping[str, Any],
    exc: BaseException,
    fetched_from: str,
    now: float,
) -> dict[str, Any]:
    """The job hash after a failure: queue, error fields, retry_count, failed_at/retried_at."""
    failed_job = dict(job)
    failed_job["queue"] = job.get("retry_queue") or fetched_from
    failed_job["error_message"] = error_message(exc)
    failed_job["error_class"] = error_class_name(exc)
    stamp = timestamp(profile, now)
    if "retry_count" in failed_job:
        failed_job["retried_at"] = stamp
        failed_job["retry_count"] = int(failed_job["retry_count"]) + 1
    else:
        failed_job["failed_at"] = stamp
        failed_job["retry_count"] = 0
    wanted = failed_job.get("backtrace")
    if wanted:
        lines = backtrace_lines(exc)
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            lines = lines[:wanted]
        strict = profile.strict_base64_backtrace
        failed_job["error_backtrace"] = encode_backtrace(lines, strict=strict)
    return failed_job


def _window_closed(profile: Profile, job: Mapping[str, Any], now: float) -> bool:
    retry_for = job.get("retry_for")
    failed_at = job.get("failed_at")
    if profile.retry_for is None or retry_for is None or failed_at is None:
        return False
    return as_seconds(failed_at, profile) + float(retry_for) < now


def decide_retry(
    profile: Profile,
    job: Mapping[str, Any],
    exc: Exception,
    *,
    fetched_from: str,
    now: float,
    retry_option: Any,
    retry_in: Callable[[int, Exception, dict[str, Any]], Any] | None,
    max_retries: int,
    jitter_mode: JitterMode,
    rng: Stream,
    class_name: str,
) -> RetryDecision:
    """Sidekiq's ``JobRetry`` for one failure of ``job``.

    ``retry_option`` is the job's ``retry`` after the class default was applied (None or
    False: no retry). ``retry_in`` is the job's hook, or None when Sidekiq would have no job
    instance (an unknown class goes through ``JobRetry#global``).
    """
    if retry_option is None or retry_option is False:  # Ruby truthiness: 0 retries is truthy
        return RetryDecision("no_retry", dict(job), reason="retry is disabled (retry: false)")
    failed_job = record_failure(profile, job, exc, fetched_from, now)
    count: int = failed_job["retry_count"]
    limit = max_attempts(retry_option, max_retries)
    window = profile.retry_for is not None and failed_job.get("retry_for") is not None
    if profile.retry_for == "exclusive" and window:
        if _window_closed(profile, failed_job, now):
            return RetryDecision("exhausted", failed_job, reason="retry_for window has passed")
    else:
        if count >= limit:
            reason = f"retries exhausted (retry_count {count} >= {limit})"
            return RetryDecision("exhausted", failed_job, reason=reason)
        if window and _window_closed(profile, failed_job, now):
            return RetryDecision("exhausted", failed_job, reason="retry_for window has passed")

    failures: list[HookFailure] = []
    meaning: _Interpretation = ("default",)
    if retry_in is not None:
        try:
            meaning = _interpret_retry_in(profile, retry_in(count, exc, failed_job))
        except Exception as hook_error:
            context = (
                f"Failure scheduling retry using the defined `sidekiq_retry_in` in "
                f"{class_name}, falling back to default"
            )
            failures.append(HookFailure("retry_in", hook_error, context))
    hooks = tuple(failures)
    if meaning[0] == "no_method":
        # 6.4: the NoMethodError escapes JobRetry#local; #global retries the *original* job
        # with no instance, so with the default backoff and without hooks.
        error = NoMethodError(f"undefined method `to_i' for {meaning[1]}")
        decision = decide_retry(
            profile,
            job,
            error,
            fetched_from=fetched_from,
            now=now,
            retry_option=retry_option,
            retry_in=None,
            max_retries=max_retries,
            jitter_mode=jitter_mode,
            rng=rng,
            class_name=class_name,
        )
        return RetryDecision(
            decision.action,
            _as_ruby_no_method(decision.job),
            decision.reason,
            decision.delay,
            decision.jitter,
            decision.retry_at,
            hooks,
            error,
        )
    if meaning[0] == "kill":
        return RetryDecision(
            "exhausted", failed_job, reason="retry_in returned 'kill'", hook_failures=hooks
        )
    if meaning[0] == "discard":
        return RetryDecision(
            "discard", failed_job, reason="retry_in returned 'discard'", hook_failures=hooks
        )
    base = int(meaning[1]) if meaning[0] == "delay" else default_delay(count)
    extra_jitter = jitter(profile, count, jitter_mode, rng)
    delay = float(base + extra_jitter)
    return RetryDecision(
        "retry",
        failed_job,
        reason=f"retry {count + 1} of {limit}",
        delay=delay,
        jitter=extra_jitter,
        retry_at=now + delay,
        hook_failures=hooks,
    )


def _as_ruby_no_method(job: dict[str, Any]) -> dict[str, Any]:
    if job.get("error_class") == error_class_name(NoMethodError("")):
        job["error_class"] = "NoMethodError"
    return job
