"""The values rspec-rails' chains accept, checked when the chain is written.

``on_queue`` takes a name, a compiled regex or an argument matcher; ``at_priority`` (and
``with_priority``) what rspec-rails' ``priority.to_i`` accepts that is not a mistake: a whole
number, a float (truncated) or a numeric str, plus argument matchers; ``with_args`` takes a
function in place of the arguments (rspec-rails' ``with { |*args| ... }`` block), which may
assert inside.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.testing._arguments import ArgumentMatcher, equal, explain, regex, short

__all__ = [
    "ArgsBlock",
    "is_block",
    "priority_value",
    "queue_difference",
    "queue_expectation",
    "queue_text",
]


def queue_expectation(queue: Any, call: str) -> Any:
    """``on_queue``'s argument as something ``==`` against the job's queue name decides."""
    given: object = queue
    if isinstance(given, str) and given:
        return given
    if isinstance(given, re.Pattern):
        return regex(given)
    if isinstance(given, ArgumentMatcher):
        return given
    msg = f"{call}: pass a queue name, a compiled regex (re.compile) or an argument matcher"
    raise InvalidArgument(msg)


def queue_text(queue: Any) -> str:
    """The expected queue for messages."""
    return repr(queue) if isinstance(queue, str) else short(queue)


def queue_difference(expected: Any, actual: str) -> str | None:
    """Why a job's queue does not fit, or None."""
    if equal(expected, actual):
        return None
    if isinstance(expected, str):
        return f"queue: expected {expected!r}, got {actual!r}"
    return f"queue: {explain(expected, actual)}"


_WHOLE = re.compile(r"[+-]?\d+")


def priority_value(priority: Any, call: str) -> Any:
    """A priority as rspec-rails' ``to_i`` reads it, or an argument matcher."""
    given: object = priority
    if isinstance(given, ArgumentMatcher):
        return given
    if validate.is_whole(given):  # True.to_i fails in Ruby too
        return given
    if isinstance(given, float) and validate.is_number(given):
        return int(given)  # Float#to_i truncates toward zero, as int() does
    if isinstance(given, str) and _WHOLE.fullmatch(given.strip()):
        return int(given.strip())
    raise validate.refuse(
        call,
        priority,
        "a whole number (or a numeric str, as to_i reads it) or an argument matcher",
        subject=call,
    )


def is_block(value: object) -> bool:
    """Whether ``with_args``'s single argument is a function to call rather than a value."""
    if isinstance(value, ArgumentMatcher | type):
        return False
    return (
        inspect.isfunction(value)
        or inspect.ismethod(value)
        or inspect.isbuiltin(value)
        or isinstance(value, functools.partial)
    )


class ArgsBlock:
    """``with_args(check)``: ``check(*args)`` for each job that fits the other constraints.

    It may assert inside (its AssertionError, with pytest's expected and actual, becomes the
    job's difference) or return a verdict: False fails, anything else passes.
    """

    __slots__ = ("check", "label")

    def __init__(self, check: Callable[..., object]) -> None:
        self.check = check
        self.label = str(getattr(check, "__qualname__", None) or short(check))

    def difference(self, args: Sequence[Any]) -> list[str]:
        """Why the job's arguments fail the block (empty: they pass)."""
        try:
            verdict = self.check(*args)
        except AssertionError as exc:
            text = str(exc).strip() or "AssertionError"
            lines = text.splitlines()
            return [f"with_args({self.label}) failed: {lines[0]}", *[f"  {x}" for x in lines[1:]]]
        except Exception as exc:
            return [f"with_args({self.label}) raised {type(exc).__name__}: {exc}"]
        if verdict is False:
            return [f"with_args({self.label}) returned False"]
        return []
