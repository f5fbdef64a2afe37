"""One enqueue path (layer 2): what Sidekiq's ``Client#normalize_item`` makes of a push.

Every way a job enters — a job class's ``perform_async``/``perform_in``/``set(...)``, a raw
hash given to ``Sidekiq::Client.push`` (the simulator's ``push``, the Redis producer
:class:`jobsim.redis.Client`, ``jobsim.redis.disabled``) and the poller moving a due job back
to its queue — is normalised here, once, by pure functions: the defaults merged in Sidekiq's
key order, options checked, the time to run at resolved and checked (finite and within the
range jobsim can represent), and the arguments put through the profile's strict-args rule.

The callers only write the result somewhere: the simulator's client into its queues and sets,
the Redis client into Redis. The texts Sidekiq itself raises live in :data:`SIDEKIQ_MESSAGES`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from jobsim import validate
from jobsim.errors import InvalidArgument, InvalidPayload, JobsimWarning
from jobsim.job import Job
from jobsim.options import JOB_OPTIONS, default_options, validate_options
from jobsim.payload import (
    find_non_native,
    find_unencodable,
    fix_hint,
    json_round_trip,
    ruby_to_json,
)

__all__ = [
    "SIDEKIQ_MESSAGES",
    "Normalized",
    "StrictArgs",
    "check_args",
    "defaults_first",
    "from_call",
    "normalize_item",
    "resolve_at",
    "scheduled_at",
    "strict_args_mode",
]

StrictArgs = Literal["raise", "warn"] | bool

#: Sidekiq's own texts for a malformed push (``Client#verify_json`` and friends), filled with
#: the item's repr; a test comparing messages with Sidekiq's finds them here.
SIDEKIQ_MESSAGES: dict[str, str] = {
    "not_a_hash": "Job must be a Hash with 'class' and 'args' keys: `{item}`",
    "bad_class": (
        "Job class must be either a Class or String representation of the class name: `{item}`"
    ),
    "bad_args": "Job args must be an Array: `{item}`",
    "bad_at": "Job 'at' must be a Numeric timestamp: `{item}`",
    "bad_queue": "Job must include a valid queue name: `{item}`",
    "unencodable": (
        "Job arguments to {job} cannot be written as JSON: {problem}; pass text, flat data or "
        "an id the job can load (every strict_args mode refuses this, as Sidekiq's push raises)"
    ),
    "strict_args": (
        "Job arguments to {job} must be native JSON types, but {path} is {value} (a {kind}); "
        "{hint}. See https://github.com/sidekiq/sidekiq/wiki/Best-Practices"
    ),
}

#: Sidekiq treats a number below this as "seconds from now" and above as an epoch.
_EPOCH_THRESHOLD = 1_000_000_000
_SCALAR_TYPES = (str, int, bool, type(None))


class Normalized(NamedTuple):
    """A push made ready to write: the job hash (without ``at``), when to run it (None: now),
    the class's name and what client middleware is handed as the job class."""

    job: dict[str, Any]
    at: float | None
    name: str
    subject: Any


def strict_args_mode(value: Any, *, name: str = "strict_args") -> StrictArgs:
    """``value`` if it is a strict-args mode: ``"raise"``, ``"warn"``, True or False."""
    chosen: StrictArgs = validate.choice(value, ("raise", "warn", True, False), name=name)
    return chosen


def _sidekiq_error(key: str, pushed: Any) -> InvalidArgument:
    try:
        shown = repr(pushed)
    except Exception:
        shown = f"<{type(pushed).__name__} object>"
    return InvalidArgument(SIDEKIQ_MESSAGES[key].format(item=shown))


def resolve_at(wait: Any, now: float, *, name: str = "wait") -> float | None:
    """Sidekiq's ``perform_in`` rule: the epoch to run at, or None to enqueue now.

    A number below 1,000,000,000 (or a timedelta) is relative; anything larger, or an aware
    datetime, is an absolute time. A time not in the future means "now". A time jobsim
    cannot represent (not finite, past the year 9999) is refused here, where it enters.
    """
    if isinstance(wait, datetime):
        target = validate.epoch(wait, name=name)
        # A datetime holds microseconds, the clock a float: sim.now read back as a datetime
        # must still mean "now", not a sliver of a second later.
        if round(target - now, 6) <= 0:
            return None
        return target
    if isinstance(wait, timedelta):
        target = now + wait.total_seconds()
    elif isinstance(wait, int | float) and not isinstance(wait, bool) and math.isfinite(wait):
        target = now + wait if wait < _EPOCH_THRESHOLD else float(wait)
    else:
        raise validate.refuse(
            name,
            wait,
            "seconds, a timedelta or an aware datetime",
            why="not a finite number" if isinstance(wait, float) else f"a {type(wait).__name__}",
        )
    if target <= now:
        return None
    if target > validate.EPOCH_MAX:
        raise validate.refuse(
            name,
            wait,
            "a time before the year 9999",
            why="the job would run past what jobsim can represent",
        )
    return target


def check_args(
    job_name: str, args: tuple[Any, ...] | list[Any], mode: StrictArgs, *, stacklevel: int = 5
) -> list[Any]:
    """The arguments as the job will see them, after Sidekiq's strict-args rule.

    ``mode`` ``"raise"`` (or True) refuses anything not JSON-native, ``"warn"`` warns
    (:class:`~jobsim.errors.JobsimWarning`) and stores what Ruby's JSON would, False stores it
    silently. NaN and infinities, lone surrogates, nesting past Ruby's JSON limit and
    self-referencing containers cannot be written as JSON at all, whatever the mode.
    """
    if _plain_scalars(args):
        return list(args)  # what every rule below gives a list of plain scalars
    problem = find_unencodable(list(args))
    if problem is not None:
        raise InvalidPayload(SIDEKIQ_MESSAGES["unencodable"].format(job=job_name, problem=problem))
    found = find_non_native(list(args))
    if found is None:
        return json_round_trip(args)
    path, value = found
    kind = type(value)
    text = SIDEKIQ_MESSAGES["strict_args"].format(
        job=job_name,
        path=path,
        value=repr(value),
        kind=f"{kind.__module__}.{kind.__qualname__}",
        hint=fix_hint(value, path),
    )
    if isinstance(value, float) or mode == "raise" or mode is True:
        raise InvalidPayload(text)
    if mode == "warn":
        warning = JobsimWarning(
            f"{text}. Sidekiq 6.x only warns and stores the value as text; to make this an "
            f"error pass strict_args='raise', to silence it strict_args=False"
        )
        warnings.warn(warning, stacklevel=stacklevel)
    converted: list[Any] = ruby_to_json(list(args))
    if find_non_native(converted) is not None:
        raise InvalidPayload(text)
    return converted


def _plain_scalars(args: tuple[Any, ...] | list[Any]) -> bool:
    """Whether every argument passes every strict-args rule as it is (the common case)."""
    for item in args:
        kind = type(item)
        if (kind not in _SCALAR_TYPES and (kind is not float or not math.isfinite(item))) or (
            kind is str and not item.isascii()  # may hold a surrogate JSON cannot write
        ):
            return False
    return True


def from_call(
    job_class: type[Job],
    args: tuple[Any, ...] | list[Any],
    options: Mapping[str, Any],
    now: float,
    *,
    strict_args: StrictArgs,
    check_now: bool,
) -> tuple[dict[str, Any], float | None]:
    """The job hash and run time of ``job_class.set(**options).perform_async(*args)``.

    Keys come in Sidekiq's order: the class's options, the call's options, ``args``, then
    ``class`` (a ``class`` option, which ``perform_in`` and ``perform_bulk`` pass, only fixes
    where the name sits: before ``args``, as Sidekiq's class-level verbs put it). With
    ``check_now`` the strict-args rule runs here (Sidekiq 6.4.1 checks before client
    middleware); otherwise the caller checks after middleware.
    """
    job = dict(job_class.sidekiq_options)
    at = None
    if options:
        for key, value in options.items():
            if key == "wait" or key == "wait_until":
                at = resolve_at(value, now, name=key)
            else:
                job[key] = value
    name = job_class.job_name
    job["args"] = list(args)
    if check_now and args and not _plain_scalars(args):
        job["args"] = check_args(name, args, strict_args)
    job["class"] = name
    return job, at


def normalize_item(pushed: Any, *, strict_args: StrictArgs, check_now: bool) -> Normalized:
    """``Sidekiq::Client.push(item)``'s checks and merge, for a raw job hash.

    ``item`` needs ``class`` (a job class or a name) and ``args`` (a list); ``at``, if given,
    is taken verbatim as epoch seconds (a past value is still scheduled and becomes due at
    once), as Sidekiq's client does. Options jobsim knows are checked. The defaults' keys
    come first (Sidekiq's ``defaults.merge(item)``), then the item's keys in its order.
    """
    if not isinstance(pushed, Mapping) or "class" not in pushed or "args" not in pushed:
        raise _sidekiq_error("not_a_hash", pushed)
    klass = pushed["class"]
    if isinstance(klass, type) and issubclass(klass, Job):
        job = dict(klass.sidekiq_options)
        name = str(klass.job_name)
    elif isinstance(klass, str) and klass:
        job = default_options()
        name = klass
    else:
        raise _sidekiq_error("bad_class", pushed)
    args = pushed["args"]
    if not isinstance(args, list | tuple):
        raise _sidekiq_error("bad_args", pushed)
    at = pushed.get("at")
    if at is not None:
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise _sidekiq_error("bad_at", pushed)
        at = validate.epoch(at, name=f"push({name}): 'at'")
    validate_options(
        {key: value for key, value in pushed.items() if key in JOB_OPTIONS}, where=f"push({name})"
    )
    for key, value in pushed.items():
        if key != "at":
            job[key] = value
    jid = job.get("jid")
    if jid is False:
        del job["jid"]  # Ruby's `item["jid"] ||= SecureRandom.hex(12)` replaces false too
    elif jid is not None and (not isinstance(jid, str) or not jid.strip()):
        # Every API (locate, find_job, the sets) looks a job up by its str jid.
        raise validate.refuse(
            f"push({name}): 'jid'", jid, "a non-empty str, or no 'jid' for a generated one"
        )
    job["args"] = check_args(name, args, strict_args) if check_now else list(args)
    job["class"] = name
    queue = job.get("queue")
    if not isinstance(queue, str) or not queue.strip():
        raise _sidekiq_error("bad_queue", pushed)
    return Normalized(job, at, name, klass if isinstance(klass, type) else name)


def defaults_first(member: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``member`` as Sidekiq's poller pushes it.

    ``Client#push`` merges the popped hash into the default options of a class given by
    name (``{"retry" => true, "queue" => "default"}``), so ``retry`` and ``queue`` move to
    the front, and a hash without them (one loaded from elsewhere) gets those defaults; the
    other keys keep their order and values.
    """
    keys = iter(member)
    if next(keys, None) == "retry" and next(keys, None) == "queue":
        return dict(member)  # anything Sidekiq or jobsim pushed: already in this order
    job = default_options()
    job.update(member)
    return job


def scheduled_at(value: Any) -> float | None:
    """The ``at`` a client middleware left in the hash (gone or not a number: push now)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return validate.epoch(value, name="'at' set by client middleware")
