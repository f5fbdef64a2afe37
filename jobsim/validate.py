"""Checking values where they enter (layer 0): one place, so every message has one shape.

Every public entrance (the simulator's constructor and verbs, the clients, the CLI, the cron
and ActiveJob adapters) checks what it is given with these functions, and a bad value raises
:class:`~jobsim.errors.InvalidArgument` saying *what* was wrong, *where* (the argument's name
as the caller spelled it), *which value*, and *what to pass instead*::

    concurrency=0: pass a whole number >= 1
    advance(delta)=nan: not a finite number; pass seconds >= 0 or a timedelta

The API is small and stable, for other modules to call:

========================  ==============================================================
:func:`whole`             an ``int`` (not a bool) within optional bounds
:func:`number`            a finite ``int``/``float`` within optional bounds, as ``float``
:func:`seconds`           a finite duration: seconds or a ``timedelta``, as ``float``
:func:`epoch`             an instant jobsim can represent: an aware ``datetime`` or epoch
                          seconds, as ``float``
:func:`name`              a non-empty ``str``
:func:`choice`            one of a few allowed values
:func:`optional`          ``None`` or what another check accepts
:func:`is_whole`          whether :func:`whole` would accept a value (no bounds), no message
:func:`is_number`         whether :func:`number` would accept a value (no bounds), no message
:func:`refuse`            the error itself, for a check written by hand
:func:`close_match`       the known name a misspelt one most likely meant, for "did you mean"
========================  ==============================================================

``name`` is how the value is known to the caller (``"concurrency"``, ``"drain(max_steps)"``,
``"--retry"``), so the message points at what they typed.

Where the caller typed something other than ``name=value``, the checks take the words the
message needs rather than each entrance writing its own copy of the check:

* ``subject`` replaces the ``name=value`` head: a command-line option as typed
  (``--for '7x'``), a matcher call (``exactly(-1)``), a field of a file
  (``failed_at=1e+300 in the job hash``); a function returning the text is called only
  when the check fails, for checks in a loop over many values (Redis members);
* ``why`` replaces the generated reason, when the entrance knows a better one;
* ``fix`` replaces the whole ``pass …`` tail, for advice that is not a value to pass;
* ``error`` is the :class:`~jobsim.errors.JobsimError` class to raise, for input that is data
  rather than an argument (a Redis member, a dump line).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from jobsim.errors import InvalidArgument, JobsimError

__all__ = [
    "EPOCH_MAX",
    "EPOCH_MIN",
    "choice",
    "close_match",
    "epoch",
    "is_number",
    "is_whole",
    "name",
    "number",
    "optional",
    "refuse",
    "seconds",
    "whole",
]

_T = TypeVar("_T")
#: The types of a real number, as a tuple: ``int | float`` would build a union at every call.
_REAL = (int, float)

#: The head of a message in place of ``name=value``: the text, or a function that makes it
#: (for a check in a loop over many values, where the text would be built for nothing).
Subject = str | Callable[[], str] | None

#: The instants jobsim can represent, in epoch seconds: every time must turn into a datetime
#: (for traces, reports and Sidekiq's payloads), and retries add weeks to a time, so the range
#: stops a year short of ``datetime``'s own ends.
EPOCH_MIN = datetime(2, 1, 1, tzinfo=UTC).timestamp()
EPOCH_MAX = datetime(9999, 1, 1, tzinfo=UTC).timestamp()


def refuse(
    name: str,
    value: Any,
    expected: str,
    *,
    why: str = "",
    subject: Subject = None,
    fix: str | None = None,
    error: type[JobsimError] = InvalidArgument,
) -> JobsimError:
    """The error for ``name=value``: ``why`` it is wrong (optional) and what to pass instead.

    Returned, not raised, so a caller writes ``raise refuse(...)`` and type checkers see the
    branch end. ``subject``, ``fix`` and ``error`` are described in the module's docstring.
    """
    if subject is None:
        head = f"{name}={_shown(value)}"
    else:
        head = subject if isinstance(subject, str) else subject()
    reason = f"{why}; " if why else ""
    tail = f"pass {expected}" if fix is None else fix
    return error(f"{head}: {reason}{tail}")


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a value whose repr raises still gets a message
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 200 else f"{text[:197]}..."


def _bounds(low: float | None, high: float | None, *, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"between {low:g}{unit} and {high:g}{unit}"
    if low is not None:
        return f">= {low:g}{unit}"
    if high is not None:
        return f"<= {high:g}{unit}"
    return ""


def is_whole(value: Any) -> bool:
    """Whether :func:`whole` accepts ``value`` (bounds aside): an ``int`` that is not a bool.

    For a loop over many values that calls :func:`whole`, with its message, only for one that
    fails this.
    """
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Whether :func:`number` accepts ``value`` (bounds aside): a finite ``int`` or ``float``
    that is not a bool."""
    return isinstance(value, _REAL) and not isinstance(value, bool) and math.isfinite(value)


def whole(
    value: Any,
    *,
    name: str,
    low: int | None = None,
    high: int | None = None,
    expected: str = "",
    why: str = "",
    subject: Subject = None,
    fix: str | None = None,
    error: type[JobsimError] = InvalidArgument,
) -> int:
    """``value`` if it is an ``int`` (a bool is not) with ``low <= value <= high``.

    ``expected`` replaces the generated "what to pass" text.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        wanted = expected or f"a whole number {_bounds(low, high)}".rstrip()
        raise refuse(name, value, wanted, why=why, subject=subject, fix=fix, error=error)
    return value


def number(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    expected: str = "",
    why: str = "",
    subject: Subject = None,
    fix: str | None = None,
    error: type[JobsimError] = InvalidArgument,
) -> float:
    """``value`` as a float if it is a finite real number within the bounds.

    ``low``/``high`` are inclusive; ``above`` is an exclusive lower bound (``> 0``).
    ``expected`` replaces the generated "what to pass" text; ``why`` replaces the reason
    (a bool, not a number / not a finite number / out of range) whichever it is.
    """
    if above is not None:
        wanted = expected or f"a number > {above:g}"
    else:
        wanted = expected or f"a number {_bounds(low, high)}".rstrip()
    if isinstance(value, bool) or not isinstance(value, _REAL):
        problem = f"a {type(value).__name__}, not a number"
    elif not math.isfinite(value):
        problem = "not a finite number"
    elif (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    ):
        problem = "out of range"
    else:
        return float(value)
    raise refuse(name, value, wanted, why=why or problem, subject=subject, fix=fix, error=error)


def seconds(
    value: Any,
    *,
    name: str,
    low: float | None = 0.0,
    high: float | None = None,
    above: float | None = None,
    expected: str = "",
    why: str = "",
    subject: Subject = None,
    fix: str | None = None,
    error: type[JobsimError] = InvalidArgument,
) -> float:
    """A duration in seconds from a number or a ``timedelta``, finite and within bounds."""
    given = value.total_seconds() if isinstance(value, timedelta) else value
    if expected:
        wanted = expected
    elif above is not None:
        wanted = f"seconds > {above:g} or a timedelta"
    else:
        wanted = f"seconds {_bounds(low, high)} or a timedelta"
    return number(
        given,
        name=name,
        low=low,
        high=high,
        above=above,
        expected=wanted,
        why=why,
        subject=subject,
        fix=fix,
        error=error,
    )


def epoch(value: Any, *, name: str) -> float:
    """Epoch seconds of an aware ``datetime`` or a number, within jobsim's range.

    A naive datetime is refused: a job scheduled "at 09:00" in an unknown zone is a bug that
    shows up only when servers change zone.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise refuse(
                name,
                value,
                f"{name}.replace(tzinfo=UTC) or a datetime with a zone",
                why="a naive datetime; jobsim needs an aware one to know which instant you mean",
            )
        try:
            stamp = value.timestamp()
        except (OverflowError, ValueError):  # datetime.max in a zone east of UTC
            stamp = math.inf
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse(
            name,
            value,
            "an aware datetime or epoch seconds (int or float)",
            why=f"a {type(value).__name__}",
        )
    else:
        stamp = float(value)
    if not EPOCH_MIN <= stamp <= EPOCH_MAX:  # NaN fails this too
        raise refuse(
            name,
            value,
            "a time between the years 2 and 9999 (epoch seconds "
            f"{EPOCH_MIN:.0f} to {EPOCH_MAX:.0f})",
            why="not a time jobsim can represent",
        )
    return stamp


def name(value: Any, *, name: str, what: str = "name") -> str:
    """``value`` if it is a ``str`` with something other than blanks in it."""
    if not isinstance(value, str) or not value.strip():
        raise refuse(name, value, f"a non-empty {what} (str)")
    return value


def choice(value: Any, allowed: Iterable[_T], *, name: str) -> _T:
    """``value`` if it is one of ``allowed`` (compared with ``==``, a bool never equals 1)."""
    options = list(allowed)
    for option in options:
        if type(value) is type(option) and value == option:
            return option
    shown = [repr(option) for option in options]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    raise refuse(name, value, listed)


def optional(value: Any, check: Callable[..., _T], **how: Any) -> _T | None:
    """None, or ``check(value, **how)``: for settings where None means "the default"."""
    return None if value is None else check(value, **how)


def close_match(value: Any, known: Iterable[str], *, cutoff: float = 0.8) -> str | None:
    """The name in ``known`` that ``value`` most likely misspells, or None.

    The cutoff is strict on purpose: ``'prodution'`` finds ``'production'``, but
    ``'development'`` does not, so a name that is simply different is not called a typo.
    """
    found = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=cutoff)
    return found[0] if found else None
