"""Rails' ``activejob/test/cases/exceptions_test.rb`` (v6.1.7), ported.

One test per upstream test; the id names its line. Upstream runs these on the test adapter set
to perform every job as it is enqueued, scheduled ones too (``activejob/test/adapters/test.rb``:
``perform_enqueued_jobs`` and ``perform_enqueued_at_jobs`` true); here each test runs inside
``perform_enqueued_jobs.inside()`` on a simulator with ``queue_adapter = "test"``, so a retry is
performed at once and an error that escapes ``retry_on`` reaches the test. ``RetryJob`` and its
errors are re-declared from upstream's ``test/jobs/retry_job.rb``.

Translations: ``ActiveJob::Base.retry_jitter`` is 0.0 in Rails 6.1's own test suite (no
``load_defaults``), so ``RetryJob`` declares ``retry_jitter=0.0``. ``Kernel.stub(:rand, n)``
with n of 1 or 2 (no real ``rand`` returns those) becomes ``settings(sim).rand = 0.5`` with the
jitter doubled or quadrupled, which keeps ``rand * delay * jitter`` the same number; jobsim's
pinned ``rand`` stays in [0, 1). ``raise name.constantize`` raises the class with its name as
message, as Ruby does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob, DeserializationError, GlobalID, Symbol, settings
from jobsim.testing import perform_enqueued_jobs

UPSTREAM = "activejob/test/cases/exceptions_test.rb"
BUFFER: list[str] = []
LOG = Symbol("log_scheduled_at")


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class DefaultsError(Exception): ...


class DisabledJitterError(Exception): ...


class ZeroJitterError(Exception): ...


class FirstRetryableErrorOfTwo(Exception): ...


class SecondRetryableErrorOfTwo(Exception): ...


class LongWaitError(Exception): ...


class ShortWaitTenAttemptsError(Exception): ...


class ExponentialWaitTenAttemptsError(Exception): ...


class CustomWaitTenAttemptsError(Exception): ...


class CustomCatchError(Exception): ...


class DiscardableError(Exception): ...


class FirstDiscardableErrorOfTwo(Exception): ...


class SecondDiscardableErrorOfTwo(Exception): ...


class CustomDiscardableError(Exception): ...


ERRORS: dict[str, type[Exception]] = {
    error.__name__: error
    for error in (
        DefaultsError,
        DisabledJitterError,
        ZeroJitterError,
        FirstRetryableErrorOfTwo,
        SecondRetryableErrorOfTwo,
        LongWaitError,
        ShortWaitTenAttemptsError,
        ExponentialWaitTenAttemptsError,
        CustomWaitTenAttemptsError,
        CustomCatchError,
        DiscardableError,
        FirstDiscardableErrorOfTwo,
        SecondDiscardableErrorOfTwo,
        CustomDiscardableError,
    )
}


def ordinalize(n: int) -> str:
    """ActiveSupport's ``Integer#ordinalize``."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class RetryJob(ActiveJob, retry_jitter=0.0):
    def perform(self, raising: Any, attempts: int, *rest: Any) -> None:
        if isinstance(raising, list):  # Ruby's shift: the retry carries the shorter list
            raising = raising.pop(0) if raising else None
        if raising and self.executions < attempts:
            BUFFER.append(f"Raised {raising} for the {ordinalize(self.executions)} time")
            raise ERRORS[raising](raising)
        BUFFER.append("Successfully completed job")


def _caught(job: Any, error: BaseException) -> None:
    BUFFER.append(
        f"Dealt with a job that failed to retry in a custom way after {job.arguments[1]} "
        f"attempts. Message: {error}"
    )


def _deserialization(job: Any, error: BaseException) -> None:
    BUFFER.append(f"Raised ActiveJob::{type(error).__name__} for the {job.executions} time")


def _discarded(job: Any, error: BaseException) -> None:
    BUFFER.append(f"Dealt with a job that was discarded in a custom way. Message: {error}")


RetryJob.retry_on(DefaultsError)
RetryJob.retry_on(DisabledJitterError, jitter=None)
RetryJob.retry_on(ZeroJitterError, jitter=0.0)
RetryJob.retry_on(FirstRetryableErrorOfTwo, SecondRetryableErrorOfTwo, attempts=4)
RetryJob.retry_on(LongWaitError, wait=3600, attempts=10)
RetryJob.retry_on(ShortWaitTenAttemptsError, wait=1, attempts=10)
RetryJob.retry_on(ExponentialWaitTenAttemptsError, wait="exponentially_longer", attempts=10)
RetryJob.retry_on(CustomWaitTenAttemptsError, wait=lambda executions: executions * 2, attempts=10)
RetryJob.retry_on(CustomCatchError, block=_caught)
RetryJob.retry_on(DeserializationError, block=_deserialization)
RetryJob.discard_on(DiscardableError)
RetryJob.discard_on(FirstDiscardableErrorOfTwo, SecondDiscardableErrorOfTwo)
RetryJob.discard_on(CustomDiscardableError, block=_discarded)


@RetryJob.before_enqueue
def _log_scheduled_at(job: Any) -> None:
    if LOG in job.arguments and job.scheduled_at:
        BUFFER.append(f"Next execution scheduled at {job.scheduled_at}")


class Person:
    def __init__(self, id: object) -> None:
        self.id = str(id)

    def to_global_id(self) -> GlobalID:
        return GlobalID("aj", "Person", self.id)


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    BUFFER.clear()
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"
        settings(simulator).finders["Person"] = lambda id: None  # Person 404: gone
        with perform_enqueued_jobs.inside():  # adapters/test.rb: perform as enqueued
            yield simulator


def scheduled(sim: jobsim.Simulator, seconds: float) -> str:
    """``"Next execution scheduled at #{(Time.now + seconds).to_f}"`` under a frozen clock."""
    return f"Next execution scheduled at {sim.time + seconds}"


@upstream(14)
def test_successfully_retry_job_throwing_exception_against_defaults(case: str) -> None:
    RetryJob.perform_later("DefaultsError", 5)
    assert BUFFER == [
        "Raised DefaultsError for the 1st time",
        "Raised DefaultsError for the 2nd time",
        "Raised DefaultsError for the 3rd time",
        "Raised DefaultsError for the 4th time",
        "Successfully completed job",
    ]


@upstream(25)
def test_successfully_retry_job_throwing_exception_against_higher_limit(case: str) -> None:
    RetryJob.perform_later("ShortWaitTenAttemptsError", 9)
    assert len(BUFFER) == 9


@upstream(30)
def test_keeps_the_same_attempts_counter_for_several_exceptions_in_one_retry_on(case: str) -> None:
    raising = ["FirstRetryableErrorOfTwo"] * 3 + ["SecondRetryableErrorOfTwo"] * 2
    with pytest.raises(SecondRetryableErrorOfTwo):
        RetryJob.perform_later(raising, 5)
    # Upstream's assert_equal sits after the raise inside assert_raises and never runs; the
    # buffer it names is what the retries did.
    assert BUFFER == [
        "Raised FirstRetryableErrorOfTwo for the 1st time",
        "Raised FirstRetryableErrorOfTwo for the 2nd time",
        "Raised FirstRetryableErrorOfTwo for the 3rd time",
        "Raised SecondRetryableErrorOfTwo for the 4th time",
    ]


@upstream(47)
def test_keeps_a_separate_attempts_counter_for_each_retry_on(case: str) -> None:
    raising = ["DefaultsError"] * 4 + ["FirstRetryableErrorOfTwo"] * 3
    RetryJob.perform_later(raising, 10)
    assert BUFFER == [
        "Raised DefaultsError for the 1st time",
        "Raised DefaultsError for the 2nd time",
        "Raised DefaultsError for the 3rd time",
        "Raised DefaultsError for the 4th time",
        "Raised FirstRetryableErrorOfTwo for the 5th time",
        "Raised FirstRetryableErrorOfTwo for the 6th time",
        "Raised FirstRetryableErrorOfTwo for the 7th time",
        "Successfully completed job",
    ]


@upstream(67)
def test_failed_retry_job_when_exception_kept_occurring_against_defaults(case: str) -> None:
    with pytest.raises(DefaultsError):
        RetryJob.perform_later("DefaultsError", 6)
    assert BUFFER[-1] == "Raised DefaultsError for the 5th time"


@upstream(74)
def test_failed_retry_job_when_exception_kept_occurring_against_higher_limit(case: str) -> None:
    with pytest.raises(ShortWaitTenAttemptsError):
        RetryJob.perform_later("ShortWaitTenAttemptsError", 11)
    assert BUFFER[-1] == "Raised ShortWaitTenAttemptsError for the 10th time"


@upstream(81)
def test_discard_job(case: str) -> None:
    RetryJob.perform_later("DiscardableError", 2)
    assert BUFFER[-1] == "Raised DiscardableError for the 1st time"


@upstream(86)
def test_custom_handling_of_discarded_job(case: str) -> None:
    RetryJob.perform_later("CustomDiscardableError", 2)
    assert BUFFER[-1] == (
        "Dealt with a job that was discarded in a custom way. Message: CustomDiscardableError"
    )


@upstream(91)
def test_custom_handling_of_job_that_exceeds_retry_attempts(case: str) -> None:
    RetryJob.perform_later("CustomCatchError", 6)
    assert BUFFER[-1] == (
        "Dealt with a job that failed to retry in a custom way after 6 attempts. "
        "Message: CustomCatchError"
    )


@upstream(96)
def test_long_wait_job(case: str, sim: jobsim.Simulator) -> None:
    settings(sim).rand = 0.5  # Kernel.stub(:rand, 1); the jitter is 0.0 either way
    RetryJob.perform_later("LongWaitError", 2, LOG)
    assert [
        "Raised LongWaitError for the 1st time",
        scheduled(sim, 3600 + 1 * 3600 * RetryJob.retry_jitter),
        "Successfully completed job",
    ] == BUFFER


@upstream(111)
def test_exponentially_retrying_job_includes_jitter(case: str, sim: jobsim.Simulator) -> None:
    settings(sim).rand = 0.5  # Kernel.stub(:rand, 2); the jitter is 0.0 either way

    def jitter(delay: int) -> float:
        return 2 * delay * RetryJob.retry_jitter

    RetryJob.perform_later("ExponentialWaitTenAttemptsError", 5, LOG)
    assert [
        "Raised ExponentialWaitTenAttemptsError for the 1st time",
        scheduled(sim, 3 + jitter(1)),
        "Raised ExponentialWaitTenAttemptsError for the 2nd time",
        scheduled(sim, 18 + jitter(16)),
        "Raised ExponentialWaitTenAttemptsError for the 3rd time",
        scheduled(sim, 83 + jitter(81)),
        "Raised ExponentialWaitTenAttemptsError for the 4th time",
        scheduled(sim, 258 + jitter(256)),
        "Successfully completed job",
    ] == BUFFER


@upstream(134)
def test_retry_jitter_uses_value_from_base_retry_jitter_by_default(
    case: str, sim: jobsim.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # retry_jitter = 4.0 with Kernel.rand 1: the same waits as jitter 8.0 with rand 0.5.
    monkeypatch.setattr(RetryJob, "retry_jitter", 8.0)
    settings(sim).rand = 0.5
    RetryJob.perform_later("ExponentialWaitTenAttemptsError", 5, LOG)
    assert [
        "Raised ExponentialWaitTenAttemptsError for the 1st time",
        scheduled(sim, 7),
        "Raised ExponentialWaitTenAttemptsError for the 2nd time",
        scheduled(sim, 82),
        "Raised ExponentialWaitTenAttemptsError for the 3rd time",
        scheduled(sim, 407),
        "Raised ExponentialWaitTenAttemptsError for the 4th time",
        scheduled(sim, 1282),
        "Successfully completed job",
    ] == BUFFER


@pytest.mark.parametrize(
    ("line", "jitter", "error"),
    [
        (161, 0.6, "DefaultsError"),
        (178, 1.2, "ExponentialWaitTenAttemptsError"),
        (195, -1.2, "ExponentialWaitTenAttemptsError"),
    ],
    ids=[f"{UPSTREAM}:161", f"{UPSTREAM}:178", f"{UPSTREAM}:195"],
)
def test_random_wait_time_with_jitter(
    line: int, jitter: float, error: str, sim: jobsim.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RetryJob, "retry_jitter", jitter)
    RetryJob.perform_later(error, 2, LOG)
    assert [
        f"Raised {error} for the 1st time",
        scheduled(sim, 3),
        "Successfully completed job",
    ] != BUFFER


@pytest.mark.parametrize(
    ("line", "error"),
    [(212, "DisabledJitterError"), (226, "ZeroJitterError")],
    ids=[f"{UPSTREAM}:212", f"{UPSTREAM}:226"],
)
def test_retry_jitter_disabled(
    line: int, error: str, sim: jobsim.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Upstream relies on the jitter of these retry_on being off; a class jitter that is not
    # zero shows that it is.
    monkeypatch.setattr(RetryJob, "retry_jitter", 0.15)
    RetryJob.perform_later(error, 3, LOG)
    assert [
        f"Raised {error} for the 1st time",
        scheduled(sim, 3),
        f"Raised {error} for the 2nd time",
        scheduled(sim, 3),
        "Successfully completed job",
    ] == BUFFER


@upstream(240)
def test_custom_wait_retrying_job(case: str, sim: jobsim.Simulator) -> None:
    RetryJob.perform_later("CustomWaitTenAttemptsError", 5, LOG)
    assert [
        "Raised CustomWaitTenAttemptsError for the 1st time",
        scheduled(sim, 2),
        "Raised CustomWaitTenAttemptsError for the 2nd time",
        scheduled(sim, 4),
        "Raised CustomWaitTenAttemptsError for the 3rd time",
        scheduled(sim, 6),
        "Raised CustomWaitTenAttemptsError for the 4th time",
        scheduled(sim, 8),
        "Successfully completed job",
    ] == BUFFER


@upstream(258)
def test_use_individual_execution_timers_when_calculating_retry_delay(
    case: str, sim: jobsim.Simulator
) -> None:
    settings(sim).rand = 0.5  # Kernel.stub(:rand, 1); the jitter is 0.0 either way
    raising = ["ExponentialWaitTenAttemptsError", "CustomWaitTenAttemptsError"] * 2
    RetryJob.perform_later(raising, 5, LOG)

    def jitter(delay: int) -> float:
        return 1 * delay * RetryJob.retry_jitter

    assert [
        "Raised ExponentialWaitTenAttemptsError for the 1st time",
        scheduled(sim, 3 + jitter(1)),
        "Raised CustomWaitTenAttemptsError for the 2nd time",
        scheduled(sim, 2),
        "Raised ExponentialWaitTenAttemptsError for the 3rd time",
        scheduled(sim, 18 + jitter(16)),
        "Raised CustomWaitTenAttemptsError for the 4th time",
        scheduled(sim, 4),
        "Successfully completed job",
    ] == BUFFER


@upstream(284)
def test_successfully_retry_job_throwing_one_of_two_retryable_exceptions(case: str) -> None:
    RetryJob.perform_later("SecondRetryableErrorOfTwo", 3)
    assert BUFFER == [
        "Raised SecondRetryableErrorOfTwo for the 1st time",
        "Raised SecondRetryableErrorOfTwo for the 2nd time",
        "Successfully completed job",
    ]


@upstream(293)
def test_discard_job_throwing_one_of_two_discardable_exceptions(case: str) -> None:
    RetryJob.perform_later("SecondDiscardableErrorOfTwo", 2)
    assert BUFFER == ["Raised SecondDiscardableErrorOfTwo for the 1st time"]


@upstream(298)
def test_successfully_retry_job_throwing_deserialization_error(case: str) -> None:
    RetryJob.perform_later(Person(404), 5)
    assert BUFFER == ["Raised ActiveJob::DeserializationError for the 5 time"]


@upstream(303)
def test_running_a_job_enqueued_by_aj_5_2(case: str) -> None:
    job = RetryJob("DefaultsError", 6)
    job.exception_executions = None  # how jobs from Rails 5.2 look
    with pytest.raises(DefaultsError):
        job.enqueue()
    assert len(BUFFER) == 5


@upstream(314)
def test_running_a_job_enqueued_and_attempted_under_aj_5_2(case: str) -> None:
    job = RetryJob("DefaultsError", 6)
    job.exception_executions = None  # 4 executions under Rails 5.2
    job.executions = 4
    with pytest.raises(DefaultsError):
        job.enqueue()
    assert BUFFER == ["Raised DefaultsError for the 5th time"]
