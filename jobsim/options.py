"""Sidekiq job options and their validation (layer 2).

Options are checked when a job class is defined (``class Charge(Job, retry=3)``) and when
``Charge.set(...)`` is called, so a typo fails at import time with the option's name, the value
and the close matches, not days later in production.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from jobsim.errors import InvalidOption

__all__ = [
    "JOB_OPTIONS",
    "SET_ONLY_OPTIONS",
    "default_options",
    "register_job_option",
    "registered_options",
    "validate_options",
]

#: A job hash's options before any class or call adds its own (``Sidekiq.default_job_options``).
_DEFAULTS: dict[str, Any] = {"retry": True, "queue": "default"}


def default_options() -> dict[str, Any]:
    """A fresh copy of Sidekiq's default job options, in Sidekiq's key order."""
    return dict(_DEFAULTS)


class _Expected:
    """What a validator wanted, returned instead of a value when the value was wrong."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _queue(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return _Expected("a non-empty queue name (str)")
    return value


def _retry(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value >= 0:
        return value
    return _Expected("True, False or a number of retries >= 0")


def _backtrace(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, int) and value >= 0):
        return value
    return _Expected("True, False or a number of lines >= 0")


def _flag(value: Any) -> Any:
    return value if isinstance(value, bool) else _Expected("True or False")


def _retry_for(value: Any) -> Any:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _Expected("a relative number of seconds or a timedelta")
    if value > 1_000_000_000:
        # Sidekiq's client refuses absolute timestamps here with the same advice.
        return _Expected(
            "a relative amount of time, e.g. timedelta(hours=48), not an epoch timestamp"
        )
    if value < 0:
        return _Expected("a relative number of seconds >= 0")
    return int(value)  # Sidekiq stores retry_for.to_i


def _tags(value: Any) -> Any:
    if isinstance(value, list | tuple) and all(isinstance(tag, str) for tag in value):
        return list(value)
    return _Expected("a list of str")


#: Every option a job class or ``set()`` accepts, each with its validator. A validator returns
#: the (normalised) value, or an ``_Expected`` saying what it wanted.
JOB_OPTIONS: dict[str, Callable[[Any], Any]] = {
    "queue": _queue,
    "retry": _retry,
    "retry_queue": _queue,
    "dead": _flag,
    "backtrace": _backtrace,
    "retry_for": _retry_for,
    "tags": _tags,
}

#: Options only ``set()`` takes: when to run, rather than how.
SET_ONLY_OPTIONS = ("wait", "wait_until")

# Options middleware understands (``unique_for``, ``throttle``…), by name: (owner, validator).
# This is the one process-wide registry in jobsim, and on purpose: job classes check their
# options when they are defined, at import time, before any simulator exists, so the options a
# middleware adds must be known by then. It holds names and validators only, never job state.
_EXTRA: dict[str, tuple[str, Callable[[Any], Any] | None]] = {}


def register_job_option(
    name: str, validator: Callable[[Any], Any] | None = None, *, owner: str
) -> None:
    """Let job classes and ``set()`` take option ``name``, understood by ``owner``.

    ``validator(value)`` returns the value to store (possibly normalised) or raises
    ValueError/TypeError saying what it wanted; None accepts anything. Registering the same
    name again for the same owner replaces the validator; for another owner it is an error.
    Middleware usually declares ``job_options = {"name": validator}`` and is registered with
    ``jobsim.register_middleware_options(TheMiddleware)`` (``Chain.add`` does it too).
    """
    given: object = name
    if not isinstance(given, str) or not given.isidentifier():
        msg = f"register_job_option({name!r}): an option name must be an identifier"
        raise InvalidOption(msg)
    if name in JOB_OPTIONS or name in SET_ONLY_OPTIONS:
        msg = f"register_job_option({name!r}): {name} is one of Sidekiq's own options"
        raise InvalidOption(msg)
    known = _EXTRA.get(name)
    if known is not None and known[0] != owner:
        msg = (
            f"register_job_option({name!r}, owner={owner!r}): {known[0]} already owns this "
            f"option; two middleware cannot both give {name!r} a meaning"
        )
        raise InvalidOption(msg)
    _EXTRA[name] = (owner, validator)


def registered_options() -> dict[str, str]:
    """Options added by middleware, with the middleware that owns each, sorted by name."""
    return {name: _EXTRA[name][0] for name in sorted(_EXTRA)}


def _check_extra(name: str, value: Any, where: str) -> Any:
    owner, validator = _EXTRA[name]
    if validator is None:
        return value
    try:
        return validator(value)
    except (TypeError, ValueError) as error:
        msg = f"{where}: option {name}={value!r} is not valid for {owner}: {error}"
        raise InvalidOption(msg) from None


def validate_options(
    options: Mapping[str, Any], *, where: str, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Check ``options`` against :data:`JOB_OPTIONS`, returning the normalised values.

    ``where`` names the place for the message (``class Charge`` or ``Charge.set()``) and
    ``extra`` lists further names the caller handles itself.
    """
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if key in extra:
            checked[key] = value
            continue
        validator = JOB_OPTIONS.get(key)
        if validator is None and key in _EXTRA:
            checked[key] = _check_extra(key, value, where)
            continue
        if validator is None:
            known = sorted([*JOB_OPTIONS, *extra])
            close = difflib.get_close_matches(key, [*known, *sorted(_EXTRA)], n=2)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            msg = (
                f"{where}: unknown job option {key}={value!r}; {hint}"
                f"known options: {', '.join(known)} (and any registered by middleware: "
                f"jobsim.register_middleware_options(TheMiddleware))"
            )
            raise InvalidOption(msg)
        result = validator(value)
        if isinstance(result, _Expected):
            msg = f"{where}: option {key}={value!r} is not valid; expected {result.text}"
            raise InvalidOption(msg)
        checked[key] = result
    return checked
