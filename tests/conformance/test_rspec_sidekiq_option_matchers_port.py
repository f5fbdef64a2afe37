"""Port of rspec-sidekiq v5.3.0's option matcher specs: ``be_retryable_spec.rb``,
``save_backtrace_spec.rb``, ``be_processed_in_spec.rb``, ``be_expired_in_spec.rb``
(``spec/rspec/sidekiq/matchers/``), each upstream example one test named by file and line.

Translations, not differences: ``create_worker retry: 2`` is a ``jobsim.Job`` subclass with
``retry=2``; Ruby's ``#{klass}`` is the class's job name; ``expect(x).to m`` is
``m.matches(x)``, ``to_not`` is ``~m``; a Ruby Symbol queue is a str; ``be_a Matcher`` is
``isinstance(..., OptionMatcher)``. Sidekiq's ``expires_in`` is a Pro option jobsim does not
define, so the expiring worker declares it through ``sidekiq_options`` directly.

Not applicable: none; the ``create_active_job`` example runs on jobsim's ActiveJob.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import (
    OptionMatcher,
    be_expired_in,
    be_processed_in,
    be_retryable,
    save_backtrace,
)

SPEC = "spec/rspec/sidekiq/matchers"


def worker(name: str, **options: Any) -> type[jobsim.Job]:
    """``create_worker(**options)``: a fresh job class with these options."""
    return type(name, (jobsim.Job,), {"perform": lambda self: None}, **options)


SPECIFIC_RETRY = worker("SpecificRetry", retry=2)
DEFAULT_RETRY = worker("DefaultRetry", retry=True)
NEGATIVE_RETRY = worker("NegativeRetry", retry=False)
SPECIFIC_TRACE = worker("SpecificTrace", backtrace=2)
DEFAULT_TRACE = worker("DefaultTrace", backtrace=True)
NEGATIVE_TRACE = worker("NegativeTrace", backtrace=False)
A_QUEUE = worker("AQueue", queue="a_queue")
ANOTHER_QUEUE = worker("AnotherQueue", queue="another_queue")
EXPIRING = worker("Expiring")
EXPIRING.sidekiq_options = {**EXPIRING.sidekiq_options, "expires_in": 1}


class Mailers(ActiveJob, queue_as="mailers"):
    def perform(self) -> None:
        pass


def retry_cases() -> list[tuple[int, Callable[[], object]]]:
    spec, default, negative = be_retryable(2), be_retryable(True), be_retryable(False)
    return [
        (19, lambda: be_retryable(True).matches(DEFAULT_RETRY)),
        (25, lambda: isinstance(be_retryable(True), OptionMatcher)),
        (32, lambda: spec.description() == "retry 2 times"),
        (38, lambda: default.description() == "retry the default number of times"),
        (44, lambda: negative.description() == "not retry"),
        (52, lambda: spec.failure_message(SPECIFIC_RETRY)
            == "expected SpecificRetry to retry 2 times but got 2"),
        (58, lambda: default.failure_message(DEFAULT_RETRY)
            == "expected DefaultRetry to retry the default number of times but got true"),
        (64, lambda: negative.failure_message(NEGATIVE_RETRY)
            == "expected NegativeRetry to not retry but got false"),
        (73, lambda: spec.matches(SPECIFIC_RETRY).passed is True),
        (79, lambda: default.matches(DEFAULT_RETRY).passed is True),
        (85, lambda: negative.matches(NEGATIVE_RETRY).passed is True),
        (93, lambda: spec.matches(DEFAULT_RETRY).passed is False),
        (99, lambda: default.matches(NEGATIVE_RETRY).passed is False),
        (105, lambda: negative.matches(SPECIFIC_RETRY).passed is False),
        (114, lambda: (~spec).failure_message(SPECIFIC_RETRY)
            == "expected SpecificRetry to not retry 2 times"),
        (120, lambda: (~default).failure_message(DEFAULT_RETRY)
            == "expected DefaultRetry to not retry the default number of times"),
        (126, lambda: (~negative).failure_message(NEGATIVE_RETRY)
            == "expected NegativeRetry to retry"),
    ]  # fmt: skip


def backtrace_cases() -> list[tuple[int, Callable[[], object]]]:
    spec, default, negative = save_backtrace(2), save_backtrace(True), save_backtrace(False)
    return [
        (19, lambda: save_backtrace(True).matches(DEFAULT_TRACE)
            and save_backtrace().matches(DEFAULT_TRACE)),
        (24, lambda: save_backtrace(False).matches(NEGATIVE_TRACE)
            and (~save_backtrace()).matches(NEGATIVE_TRACE)),
        (31, lambda: isinstance(save_backtrace(True), OptionMatcher)
            and isinstance(save_backtrace(), OptionMatcher)),
        (39, lambda: spec.description() == "save 2 lines of error backtrace"),
        (45, lambda: default.description() == "save error backtrace"),
        (51, lambda: negative.description() == "not save error backtrace"),
        (59, lambda: spec.failure_message(SPECIFIC_TRACE)
            == "expected SpecificTrace to save 2 lines of error backtrace but got 2"),
        (65, lambda: default.failure_message(DEFAULT_TRACE)
            == "expected DefaultTrace to save error backtrace but got true"),
        (71, lambda: negative.failure_message(NEGATIVE_TRACE)
            == "expected NegativeTrace to not save error backtrace but got false"),
        (80, lambda: spec.matches(SPECIFIC_TRACE).passed is True),
        (86, lambda: default.matches(DEFAULT_TRACE).passed is True),
        (92, lambda: negative.matches(NEGATIVE_TRACE).passed is True),
        (100, lambda: spec.matches(DEFAULT_TRACE).passed is False),
        (106, lambda: default.matches(NEGATIVE_TRACE).passed is False),
        (112, lambda: negative.matches(SPECIFIC_TRACE).passed is False),
        (121, lambda: (~spec).failure_message(SPECIFIC_TRACE)
            == "expected SpecificTrace to not save 2 lines of error backtrace"),
        (127, lambda: (~default).failure_message(DEFAULT_TRACE)
            == "expected DefaultTrace to not save error backtrace"),
        (133, lambda: (~negative).failure_message(NEGATIVE_TRACE)
            == "expected NegativeTrace to save error backtrace"),
    ]  # fmt: skip


def processed_in_cases() -> list[tuple[int, Callable[[], object]]]:
    # A Ruby Symbol and a String queue are both a str here: the symbol and string subjects
    # and workers of the spec coincide.
    symbol = string = be_processed_in("a_queue")
    description = 'be processed in the "a_queue" queue'
    failure = 'expected AQueue to be processed in the "a_queue" queue but got "a_queue"'
    negated = 'expected AQueue to not be processed in the "a_queue" queue'
    return [
        (19, lambda: be_processed_in("a_queue").matches(A_QUEUE)),
        (23, lambda: be_processed_in("mailers").matches(Mailers)),
        (29, lambda: isinstance(be_processed_in("a_queue"), OptionMatcher)),
        (36, lambda: symbol.description() == description),
        (42, lambda: string.description() == description),
        (50, lambda: symbol.failure_message(A_QUEUE) == failure),
        (56, lambda: string.failure_message(A_QUEUE) == failure),
        (65, lambda: symbol.matches(A_QUEUE).passed is True),
        (71, lambda: symbol.matches(A_QUEUE).passed is True),
        (77, lambda: string.matches(A_QUEUE).passed is True),
        (83, lambda: string.matches(A_QUEUE).passed is True),
        (91, lambda: symbol.matches(ANOTHER_QUEUE).passed is False),
        (97, lambda: string.matches(ANOTHER_QUEUE).passed is False),
        (106, lambda: (~symbol).failure_message(A_QUEUE) == negated),
        (112, lambda: (~string).failure_message(A_QUEUE) == negated),
    ]


def expired_in_cases() -> list[tuple[int, Callable[[], object]]]:
    subject = be_expired_in(1)
    return [
        (10, lambda: isinstance(be_expired_in(1), OptionMatcher)),
        (16, lambda: be_expired_in(1).matches(EXPIRING)),
        (21, lambda: (~be_expired_in(2)).matches(EXPIRING)),
        (
            28,
            lambda: subject.failure_message(EXPIRING) == "expected to expire in 1 but expired in 1",
        ),
        (36, lambda: subject.matches(EXPIRING).passed is True),
        (41, lambda: be_expired_in(2).matches(EXPIRING).passed is False),
        (48, lambda: (~subject).failure_message(EXPIRING) == "expected to not expire in 1"),
        (55, lambda: subject.description() == "to expire in 1"),
    ]


CASES = [
    *[(f"{SPEC}/be_retryable_spec.rb:{line}", case) for line, case in retry_cases()],
    *[(f"{SPEC}/save_backtrace_spec.rb:{line}", case) for line, case in backtrace_cases()],
    *[(f"{SPEC}/be_processed_in_spec.rb:{line}", case) for line, case in processed_in_cases()],
    *[(f"{SPEC}/be_expired_in_spec.rb:{line}", case) for line, case in expired_in_cases()],
]


@pytest.mark.parametrize("case", [case for _, case in CASES], ids=[where for where, _ in CASES])
def test_option_matcher(case: Callable[[], object]) -> None:
    assert case()


def test_sidekiq_distinctions_that_python_equality_would_blur() -> None:
    """0 is not False and 1 is not True for Sidekiq: `retry: 0` dies, `retry: false` vanishes."""
    zero = worker("ZeroRetry", retry=0)
    one_line = worker("OneLine", backtrace=1)
    assert not be_retryable(False).matches(zero)
    assert be_retryable(0).matches(zero)
    assert not be_retryable(0).matches(NEGATIVE_RETRY)
    assert not save_backtrace(True).matches(one_line)
    assert save_backtrace(1).matches(one_line)
    assert not be_retryable(25).matches(worker("Defaults"))  # the default is `true`, not 25
    with pytest.raises(AssertionError, match="expected ZeroRetry to not retry but got 0"):
        be_retryable(False).verify(zero)
    with pytest.raises(jobsim.InvalidArgument, match="not a job class"):
        be_retryable(1).matches("ZeroRetry")
