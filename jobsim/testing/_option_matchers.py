"""rspec-sidekiq's option matchers as objects: ``be_retryable``, ``save_backtrace``,
``be_processed_in``, ``be_expired_in``.

Each reads the options a job class declares (a ``jobsim.Job`` subclass, or an ActiveJob class:
its ``sidekiq_options`` and ``queue_as``) and compares them as rspec-sidekiq does, exactly:
``be_retryable(0)`` is not ``be_retryable(False)`` (Sidekiq sends a ``retry: 0`` job to the dead
set and a ``retry: false`` one nowhere), ``save_backtrace(True)`` is not ``save_backtrace(1)``,
and ``be_retryable(25)`` fails for the default ``retry=True``. A matcher is checked with
``assert be_retryable(5).matches(Charge)`` (the result is falsy with the failure message as its
repr), ``.verify(Charge)`` (raises AssertionError), and negated with ``~be_retryable(5)``.

``be_unique`` lives in ``_unique``; ``be_delayed`` waits for a profile with
Sidekiq's delay extensions (none has them: 6.4 disables them by default and 7.0 removed them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.options import default_options
from jobsim.testing._arguments import short

__all__ = [
    "OptionCheck",
    "OptionMatcher",
    "be_expired_in",
    "be_processed_in",
    "be_retryable",
    "save_backtrace",
]


def _same(expected: Any, actual: Any) -> bool:
    """Ruby's ``==`` on option values: 0 is not false and 1 is not true (unlike Python's)."""
    return type(expected) is type(actual) and expected == actual


def job_options(job_class: Any, where: str) -> tuple[str, Mapping[str, Any]]:
    """(name, declared Sidekiq options) of a jobsim job class or an ActiveJob class."""
    if isinstance(job_class, type):
        name = getattr(job_class, "job_name", None)
        options = getattr(job_class, "sidekiq_options", None)
        if isinstance(name, str) and isinstance(options, Mapping):
            return name, options
        aj_name = getattr(job_class, "job_class_name", None)
        if isinstance(aj_name, str):
            merged = {**default_options(), **(options if isinstance(options, Mapping) else {})}
            queue = getattr(job_class, "queue_as", "default")
            merged["queue"] = queue if isinstance(queue, str) else "(computed by queue_as)"
            return aj_name, merged
    msg = f"{where}: {short(job_class)} is not a job class; pass a jobsim.Job or ActiveJob class"
    raise InvalidArgument(msg)


@dataclass(frozen=True, slots=True)
class OptionCheck:
    """The result of one check: truthy when it passed; its repr is the message."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"<{self.message}>"


class OptionMatcher:
    """One expectation on a declared option, with rspec-sidekiq's description and messages."""

    __slots__ = ("_description", "_failure", "_negated", "_negative", "_option", "_test", "name")

    def __init__(
        self,
        name: str,
        option: str,
        description: str,
        test: Callable[[Any], bool],
        failure: Callable[[str, Any], str],
        *,
        negative: Callable[[str], str] | None = None,
        negated: bool = False,
    ) -> None:
        self.name = name
        self._option = option
        self._description = description
        self._test = test
        self._failure = failure
        self._negative = negative
        self._negated = negated

    def description(self) -> str:
        """``retry 5 times``, ``not save error backtrace``…"""
        return ("not " if self._negated else "") + self._description

    def matches(self, job_class: Any) -> OptionCheck:
        """Check ``job_class``; the result is truthy when it passed."""
        klass, options = job_options(job_class, self.name)
        actual = options.get(self._option)
        holds = self._test(actual)
        if not self._negated:
            return OptionCheck(holds, self._failure(klass, actual))
        if self._negative is not None:
            return OptionCheck(not holds, self._negative(klass))
        negative = f"expected {klass} to not {self._description}".replace("not not ", "")
        return OptionCheck(not holds, negative)

    def failure_message(self, job_class: Any) -> str:
        """What a failed check says (for the matcher as written, negated or not)."""
        return self.matches(job_class).message

    def verify(self, job_class: Any) -> None:
        """Raise AssertionError with the failure message unless ``job_class`` matches."""
        __tracebackhide__ = True
        check = self.matches(job_class)
        if not check:
            raise AssertionError(check.message)

    def __invert__(self) -> OptionMatcher:
        return OptionMatcher(
            self.name,
            self._option,
            self._description,
            self._test,
            self._failure,
            negative=self._negative,
            negated=not self._negated,
        )

    def __repr__(self) -> str:
        return f"<{'~' if self._negated else ''}{self.name}: {self.description()}>"


def ruby_text(value: Any) -> str:
    """A value as Ruby interpolates it in rspec-sidekiq's messages (true, false, nil)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "nil"
    return str(value)


def _count_or_flag(value: Any, call: str) -> None:
    if not isinstance(value, bool):  # True and False are flags; anything else is a count
        validate.whole(
            value, name=call, low=0, subject=call, expected="True, False or a whole number >= 0"
        )


def be_retryable(expected: bool | int) -> OptionMatcher:
    """The ``retry`` option is exactly ``expected`` (True, False or a number of retries)."""
    call = f"be_retryable({short(expected)})"
    _count_or_flag(expected, call)
    if expected is True:
        text = "retry the default number of times"
    elif expected is False:
        text = "not retry"
    else:
        text = f"retry {expected} times"
    return OptionMatcher(
        call,
        "retry",
        text,
        lambda actual: _same(expected, actual),
        lambda klass, actual: f"expected {klass} to {text} but got {ruby_text(actual)}",
    )


def save_backtrace(expected: bool | int = True) -> OptionMatcher:
    """The ``backtrace`` option is exactly ``expected`` (True, False or a number of lines)."""
    call = f"save_backtrace({short(expected)})"
    _count_or_flag(expected, call)
    if expected is True:
        text = "save error backtrace"
    elif expected is False:
        text = "not save error backtrace"
    else:
        text = f"save {expected} lines of error backtrace"
    return OptionMatcher(
        call,
        "backtrace",
        text,
        lambda actual: _same(expected, actual),
        lambda klass, actual: f"expected {klass} to {text} but got {ruby_text(actual)}",
    )


def be_processed_in(queue: str) -> OptionMatcher:
    """The class's queue is ``queue`` (an ActiveJob class: its ``queue_as``)."""
    given: object = queue
    if not isinstance(given, str) or not given:
        raise InvalidArgument(f"be_processed_in({short(queue)}): pass a queue name")
    return OptionMatcher(
        f"be_processed_in({queue!r})",
        "queue",
        f'be processed in the "{queue}" queue',
        lambda actual: str(actual) == queue,
        lambda klass, actual: (
            f'expected {klass} to be processed in the "{queue}" queue but got "{actual}"'
        ),
    )


def be_expired_in(seconds: float) -> OptionMatcher:
    """The ``expires_in`` option (Sidekiq Pro's job expiration) is ``seconds``."""
    validate.number(
        seconds,
        name="seconds",
        subject=f"be_expired_in({short(seconds)})",
        expected="a number of seconds",
    )
    return OptionMatcher(
        f"be_expired_in({seconds!r})",
        "expires_in",
        f"to expire in {seconds}",
        lambda actual: not isinstance(actual, bool) and actual is not None and actual == seconds,
        lambda klass, actual: f"expected to expire in {seconds} but expired in {ruby_text(actual)}",
        negative=lambda klass: f"expected to not expire in {seconds}",
    )
