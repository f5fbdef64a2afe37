"""Sidekiq job options and their validation (layer 2).

Options are checked when a job class is defined (``class Charge(Job, retry=3)``) and when
``Charge.set(...)`` is called, so a typo fails at import time with the option's name, the value
and the close matches, not days later in production.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from jobsim.errors import InvalidOption
from jobsim.gem_options import GEM_OPTIONS, check_gem_option

__all__ = [
    "JOB_OPTIONS",
    "SET_ONLY_OPTIONS",
    "Validator",
    "declared_options",
    "default_options",
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
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return _Expected("a relative number of seconds or a timedelta")  # also NaN
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

#: What a declared option's validator is: it returns the value to store (possibly normalised)
#: or raises ValueError/TypeError saying what it wanted; None accepts anything.
Validator = Callable[[Any], Any] | None


def declared_options(sources: Iterable[Any], *, where: str) -> dict[str, tuple[str, Validator]]:
    """The options that middleware (or plugin) classes declare in ``job_options``.

    A job class names the middleware whose options it uses (``options_from=(Audit,)``), so an
    option is known where it is used, never through a process-wide registry. Returns option
    name -> (owner's name, validator).
    """
    declared: dict[str, tuple[str, Validator]] = {}
    for source in sources:
        owner = getattr(source, "__name__", type(source).__name__)
        table = getattr(source, "job_options", None)
        if not isinstance(table, Mapping):
            msg = (
                f"{where}: options_from={source!r} declares no job options; pass middleware or "
                f"plugin classes with job_options = {{'name': validator_or_None}}"
            )
            raise InvalidOption(msg)
        for name, validator in table.items():
            given: object = name
            if not isinstance(given, str) or not given.isidentifier():
                msg = f"{where}: {owner}.job_options has {name!r}; option names are identifiers"
                raise InvalidOption(msg)
            if name in JOB_OPTIONS or name in SET_ONLY_OPTIONS or name in GEM_OPTIONS:
                msg = (
                    f"{where}: {owner}.job_options declares {name!r}, which jobsim already knows "
                    f"(Sidekiq's or a gem's option); give your middleware's option its own name"
                )
                raise InvalidOption(msg)
            known = declared.get(name)
            if known is not None and known[0] != owner:
                msg = (
                    f"{where}: {owner} and {known[0]} both declare option {name!r}; two "
                    f"middleware cannot both give it a meaning"
                )
                raise InvalidOption(msg)
            if validator is not None and not callable(validator):
                msg = f"{where}: {owner}.job_options[{name!r}] must be a callable or None"
                raise InvalidOption(msg)
            declared[name] = (owner, validator)
    return declared


def _check_declared(name: str, value: Any, owner: str, validator: Validator, where: str) -> Any:
    if validator is None:
        return value
    try:
        return validator(value)
    except (TypeError, ValueError) as error:
        msg = f"{where}: option {name}={value!r} is not valid for {owner}: {error}"
        raise InvalidOption(msg) from None


def validate_options(
    options: Mapping[str, Any],
    *,
    where: str,
    extra: tuple[str, ...] = (),
    declared: Mapping[str, tuple[str, Validator]] | None = None,
    stacklevel: int = 2,
) -> dict[str, Any]:
    """Check ``options`` against Sidekiq's options, the gems' schema (:mod:`jobsim.gem_options`)
    and the options ``declared`` by middleware the job names, returning the normalised values.

    ``where`` names the place for the message (``class Charge`` or ``Charge.set()``), ``extra``
    lists further names the caller handles itself, and ``stacklevel`` points a deprecation
    warning at the caller's caller.
    """
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if key in extra:
            checked[key] = value
            continue
        validator = JOB_OPTIONS.get(key)
        if validator is None:
            if key in GEM_OPTIONS:
                checked[key] = check_gem_option(key, value, where=where, stacklevel=stacklevel + 1)
                continue
            if declared and key in declared:
                checked[key] = _check_declared(key, value, *declared[key], where)
                continue
            raise InvalidOption(_unknown(key, value, where, extra, declared))
        result = validator(value)
        if isinstance(result, _Expected):
            msg = f"{where}: option {key}={value!r} is not valid; expected {result.text}"
            raise InvalidOption(msg)
        checked[key] = result
    return checked


def _unknown(
    key: str,
    value: Any,
    where: str,
    extra: tuple[str, ...],
    declared: Mapping[str, tuple[str, Validator]] | None,
) -> str:
    known = sorted([*JOB_OPTIONS, *extra, *(declared or {})])
    close = difflib.get_close_matches(key, [*known, *sorted(GEM_OPTIONS)], n=2)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    return (
        f"{where}: unknown job option {key}={value!r}; {hint}known options: "
        f"{', '.join(known)}, the gems' options (lock, on_conflict, unique_for, throttle…), "
        f"and your middleware's own once the job class names it: options_from=(TheMiddleware,)"
    )
