"""The job options of Sidekiq's ecosystem gems, as a declared schema (layer 2).

``lock`` and ``on_conflict`` (sidekiq-unique-jobs), ``unique_for`` (Sidekiq Enterprise) and
``throttle`` (sidekiq-throttled) are checked when a job class is defined, whether or not the
simulator that runs it has the plugin that gives them a meaning: a typo or an invalid
combination fails at import, as the gems' own validators would fail at boot. The behaviour
belongs to the plugins (``jobsim.unique_jobs.UniqueJobs`` and the others); this table only knows
the shapes, which plugin honours each option, and the pre-7 spellings of sidekiq-unique-jobs.

The table is a constant: nothing registers into it at run time (per-simulator state lives on
the simulator; see :mod:`jobsim.plugins`).
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jobsim.errors import InvalidOption, JobsimDeprecationWarning

__all__ = [
    "GEM_OPTIONS",
    "LOCK_TYPES",
    "GemOption",
    "check_gem_combination",
    "check_gem_option",
]

UNIQUE_JOBS = "jobsim.unique_jobs.UniqueJobs"
ENTERPRISE_UNIQUE = "jobsim.unique_jobs.EnterpriseUniqueJobs"
THROTTLED = "jobsim.throttled.Throttled"

#: sidekiq-unique-jobs' five lock types (``lock:``).
LOCK_TYPES = (
    "until_executing",
    "until_executed",
    "until_expired",
    "while_executing",
    "until_and_while_executing",
)
#: sidekiq-unique-jobs' conflict strategies (``on_conflict:``).
STRATEGIES = ("log", "raise", "reject", "replace", "reschedule")
#: Strategies the gem's client validator refuses, and the server validator's (lock/*_validator.rb).
_NOT_ON_CLIENT = ("raise", "reject", "reschedule")
_NOT_ON_SERVER = ("replace",)


class _Wrong(Exception):
    """What a shape check wanted, raised inside this module only."""


@dataclass(frozen=True, slots=True)
class GemOption:
    """One gem option: its shape check, the plugin that honours it, and its new name if any."""

    check: Callable[[Any], Any]
    plugin: str
    gem: str
    renamed_to: str | None = None


def _choice(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value.lstrip(":") in choices:
            return value.lstrip(":")  # Ruby's :until_executed, as people paste it
        raise _Wrong("one of " + ", ".join(map(repr, choices)))

    return check


def _seconds(value: Any, *, allow_zero: bool = True) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Wrong("a number of seconds or a timedelta")
    if value < 0 or (value == 0 and not allow_zero):
        raise _Wrong("a number of seconds " + (">= 0" if allow_zero else "> 0"))
    return value


def _method_or_callable(value: Any) -> Any:
    if callable(value) or (isinstance(value, str) and value.lstrip(":").isidentifier()):
        return value
    raise _Wrong("a callable taking the job's arguments, or the name of a class method")


def _ttl(value: Any) -> Any:
    if value is None or callable(value) or isinstance(value, str):
        return _method_or_callable(value) if value is not None else None
    _seconds(value)
    return value


def _timeout(value: Any) -> Any:
    if value is None:  # the gem's "wait forever"
        return None
    _seconds(value)
    return value


def _whole_at_least_one(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Wrong("a whole number >= 1")
    return value


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Wrong("True or False")
    return value


def _prefix(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise _Wrong("a non-empty str")
    return value


def _on_conflict(value: Any) -> Any:
    if isinstance(value, Mapping):
        unknown = sorted(str(key) for key in value if key not in ("client", "server"))
        if unknown or not value:
            raise _Wrong('a strategy, or {"client": strategy, "server": strategy}')
        return {str(key): _strategy(value[key]) for key in value}
    return _strategy(value)


def _strategy(value: Any) -> Any:
    if value is None:
        return None
    return _choice(STRATEGIES)(value)


def _unique_for(value: Any) -> Any:
    _seconds(value, allow_zero=False)
    return value


_THROTTLE_KEYS = ("concurrency", "threshold", "requeue", "key_suffix")
_CONCURRENCY_KEYS = ("limit", "avg_job_duration", "lost_job_threshold", "ttl", "max_delay")
_THRESHOLD_KEYS = ("limit", "period")


def _throttle(value: Any) -> Any:
    if not isinstance(value, Mapping) or not value:
        raise _Wrong("a dict with concurrency=, threshold=, requeue= or key_suffix=")
    unknown = sorted(str(key) for key in value if key not in _THROTTLE_KEYS)
    if unknown:
        raise _Wrong(f"keys among {', '.join(_THROTTLE_KEYS)} (not {', '.join(unknown)})")
    if "requeue" in value:  # Strategy#validate! checks requeue with= before the limits
        _requeue(value["requeue"])
    if "concurrency" not in value and "threshold" not in value:
        raise _Wrong("a concurrency= or threshold= limit (or both)")
    for part, keys in (("concurrency", _CONCURRENCY_KEYS), ("threshold", _THRESHOLD_KEYS)):
        if part in value:
            given = value[part]
            for limit in given if isinstance(given, list | tuple) else [given]:
                _limit(part, limit, keys)
    if "key_suffix" in value:
        _dynamic_text("key_suffix", value["key_suffix"])
    return value


def _limit(part: str, limit: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(limit, Mapping) or "limit" not in limit:
        raise _Wrong(f"{part} as a dict with limit= (or a list of such dicts)")
    unknown = sorted(str(key) for key in limit if key not in (*keys, "key_suffix"))
    if unknown:
        raise _Wrong(f"{part} keys among {', '.join((*keys, 'key_suffix'))}")
    for key, given in limit.items():
        if key == "key_suffix":
            _dynamic_text(f"{part} key_suffix", given)
        elif _not_a_limit(given, none_allowed=key == "limit"):
            raise _Wrong(f"{part} {key} as a number, a timedelta or a callable of the args")
    if part == "threshold" and "period" not in limit:
        raise _Wrong("threshold with period= (seconds per window)")


def _not_a_limit(value: Any, *, none_allowed: bool) -> bool:
    # sidekiq-throttled: a nil limit never throttles; numbers and Procs of the args are read
    # at fetch time.
    if callable(value) or (value is None and none_allowed):
        return False
    return isinstance(value, bool) or not isinstance(value, int | float | timedelta)


def _requeue(value: Any) -> None:
    if not isinstance(value, Mapping) or any(key not in ("with", "to") for key in value):
        raise _Wrong('requeue as {"with": "enqueue" or "schedule", "to": queue}')
    way = value.get("with", "enqueue")
    if not callable(way) and way not in ("enqueue", "schedule"):
        raise _Wrong('requeue with= "enqueue" or "schedule"')
    if "to" in value:
        _dynamic_text("requeue to", value["to"])


def _dynamic_text(what: str, value: Any) -> None:
    if not callable(value) and (not isinstance(value, str) or not value):
        raise _Wrong(f"{what} as a non-empty str or a callable of the args")


def _unique_jobs(check: Callable[[Any], Any], renamed_to: str | None = None) -> GemOption:
    return GemOption(check, UNIQUE_JOBS, "sidekiq-unique-jobs", renamed_to)


#: Every gem option jobsim knows, by name.
GEM_OPTIONS: Mapping[str, GemOption] = types.MappingProxyType(
    {
        "lock": _unique_jobs(_choice(LOCK_TYPES)),
        "lock_args_method": _unique_jobs(_method_or_callable),
        "lock_ttl": _unique_jobs(_ttl),
        "lock_timeout": _unique_jobs(_timeout),
        "lock_limit": _unique_jobs(_whole_at_least_one),
        "on_conflict": _unique_jobs(_on_conflict),
        "unique_across_queues": _unique_jobs(_flag),
        "unique_across_workers": _unique_jobs(_flag),
        "lock_prefix": _unique_jobs(_prefix),
        # Reschedule#schedule_in: seconds until the copy the reschedule strategy pushes.
        "schedule_in": _unique_jobs(_seconds),
        # The spellings before sidekiq-unique-jobs 7: still read, with a deprecation warning.
        "unique": _unique_jobs(_choice(LOCK_TYPES), renamed_to="lock"),
        "unique_args": _unique_jobs(_method_or_callable, renamed_to="lock_args_method"),
        "unique_expiration": _unique_jobs(_ttl, renamed_to="lock_ttl"),
        "unique_prefix": _unique_jobs(_prefix, renamed_to="lock_prefix"),
        "unique_for": GemOption(_unique_for, ENTERPRISE_UNIQUE, "Sidekiq Enterprise"),
        "unique_until": GemOption(
            _choice(("success", "start")), ENTERPRISE_UNIQUE, "Sidekiq Enterprise"
        ),
        "throttle": GemOption(_throttle, THROTTLED, "sidekiq-throttled"),
    }
)


def check_gem_option(name: str, value: Any, *, where: str, stacklevel: int) -> Any:
    """``value`` for gem option ``name``, normalised; a clear InvalidOption if it is wrong.

    A pre-7 sidekiq-unique-jobs name gives a :class:`~jobsim.errors.JobsimDeprecationWarning`
    naming the new spelling (``stacklevel`` points it at the caller's line).
    """
    option = GEM_OPTIONS[name]
    try:
        checked = option.check(value)
    except _Wrong as wanted:
        msg = f"{where}: option {name}={value!r} is not valid for {option.gem}; expected {wanted}"
        raise InvalidOption(msg) from None
    if option.renamed_to is not None:
        warning = JobsimDeprecationWarning(
            f"{where}: option {name}={value!r} is the spelling before sidekiq-unique-jobs 7; "
            f"write {option.renamed_to}={value!r} (jobsim still reads the old name; the gem's "
            f"validator reports it as deprecated)"
        )
        warnings.warn(warning, stacklevel=stacklevel + 1)
    return checked


def check_gem_combination(options: Mapping[str, Any], *, where: str) -> None:
    """The gems' rules across options: which conflict strategy each phase of a lock takes."""
    lock = options.get("lock", options.get("unique"))
    conflict = options.get("on_conflict")
    if lock is not None and conflict is not None:
        if isinstance(conflict, Mapping):
            client, server = conflict.get("client"), conflict.get("server")
        else:
            client = server = conflict
        # sidekiq-unique-jobs' Lock::Validator: while_executing is checked only as a server
        # lock, until_executing only as a client lock, every other type as both.
        if lock != "while_executing" and client in _NOT_ON_CLIENT:
            _refuse_strategy(where, lock, conflict, client, "client", "'log', 'replace' or None")
        if lock != "until_executing" and server in _NOT_ON_SERVER:
            _refuse_strategy(
                where, lock, conflict, server, "server", "'log', 'raise', 'reject' or 'reschedule'"
            )
    if "unique_until" in options and "unique_for" not in options:
        msg = (
            f"{where}: option unique_until={options['unique_until']!r} needs unique_for= "
            f"(Sidekiq Enterprise's unique jobs always expire: pass unique_for=seconds)"
        )
        raise InvalidOption(msg)


def _refuse_strategy(
    where: str, lock: str, conflict: Any, strategy: str, phase: str, valid: str
) -> None:
    msg = (
        f"{where}: option on_conflict={conflict!r} is not valid with lock={lock!r}: "
        f"{strategy} is incompatible with the {phase} process (sidekiq-unique-jobs' "
        f"validator); for the {phase} phase use {valid}"
    )
    raise InvalidOption(msg)
