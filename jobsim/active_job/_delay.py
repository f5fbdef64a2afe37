"""``retry_on``'s delay as a pure function (layer 2): ``determine_delay`` per Rails version.

Per failure ``n`` of one ``retry_on`` declaration (its own counter, 1 on the first failure),
with ``r`` a draw from ``[0, 1)`` (Ruby's ``Kernel.rand``) and ``j`` the jitter::

    :polynomially_longer / :exponentially_longer   n**4 + r * n**4 * j + 2
    Integer or Duration (here int or timedelta)    b + r * b * j     with b = whole seconds
    Proc (here any callable)                        wait(n)           (no jitter)
    anything else (a float included)                RuntimeError when the job fails

A symbol the version does not know falls into the last branch. ``r`` is drawn only when the
jitter is not zero, as in Rails. Source: rails/rails
``activejob/lib/active_job/exceptions.rb`` (``determine_delay``) at each tag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeAlias

from jobsim.active_job._versions import RailsVersion

__all__ = ["Wait", "determine_delay", "ruby_inspect"]

#: What ``retry_on(wait=…)`` takes: seconds (int), a timedelta, ``"polynomially_longer"``,
#: ``"exponentially_longer"`` or a callable ``(executions) -> seconds``.
Wait: TypeAlias = int | float | timedelta | str | Callable[[int], Any]


def ruby_inspect(value: Any) -> str:
    """How Ruby's ``inspect`` would show ``value`` in Rails' error message."""
    if isinstance(value, str):
        return f":{value}"  # wait forms given as str stand for Ruby symbols
    if value is None:
        return "nil"
    return repr(value)


def _known_symbol(wait: str, version: RailsVersion) -> bool:
    if wait == "polynomially_longer":
        return version.polynomially_longer
    if wait == "exponentially_longer":
        return version.exponentially_longer != "removed"
    return False


def determine_delay(
    wait: Wait,
    executions: int,
    jitter: float,
    version: RailsVersion,
    rand: Callable[[], float],
) -> float:
    """Seconds until the retry after failure ``executions`` of one ``retry_on``.

    Raises:
        RuntimeError: ``Couldn't determine a delay based on …`` for a form ``version`` does
            not support (Rails raises it when the job fails, not when the class is defined).
    """
    if isinstance(wait, str) and _known_symbol(wait, version):
        base = executions**4
        return base + _jitter(base, jitter, rand) + 2
    if isinstance(wait, timedelta) or (isinstance(wait, int) and not isinstance(wait, bool)):
        seconds = int(wait.total_seconds()) if isinstance(wait, timedelta) else wait
        return seconds + _jitter(seconds, jitter, rand)
    if callable(wait) and not isinstance(wait, str):
        value = wait(executions)
        if isinstance(value, timedelta):
            return value.total_seconds()
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = (
                f"retry_on wait callable returned {value!r} for executions={executions}; "
                f"return seconds (a number) or a timedelta"
            )
            raise TypeError(msg)
        return float(value)
    msg = f"Couldn't determine a delay based on {ruby_inspect(wait)}"
    raise RuntimeError(msg)


def _jitter(delay: int, jitter: float, rand: Callable[[], float]) -> float:
    if jitter == 0:
        return 0.0
    return rand() * delay * jitter
