"""Port of rspec-rails v5.0.2's ``spec/rspec/rails/matchers/active_job_spec.rb``, the
``have_performed_job`` and ``have_been_performed`` examples (lines 453-704), each one test
named by file and line.

rspec-rails turns on ``perform_enqueued_jobs`` and ``perform_enqueued_at_jobs`` for this block,
so jobs run as they are enqueued: here a simulator in ``mode="inline"``, with ``drain()`` for
a scheduled job (jobsim runs it at its time). Translations as in
test_rspec_rails_active_job_port.py. Not applicable: :453 (ArgumentError without a block),
:593 (GlobalID), :620 (queue adapters), :653 (GlobalID and Symbol keys in the block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import have_performed_job

SPEC = "spec/rspec/rails/matchers/active_job_spec.rb"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TOMORROW_NOON = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


class HeavyLiftingJob(ActiveJob):
    def perform(self) -> None:
        pass


class HelloJob(ActiveJob):
    def perform(self, *args: Any) -> None:
        pass


class LoggingJob(ActiveJob):
    def perform(self) -> None:
        pass


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(start=NOW, mode="inline") as active:
        yield active


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("example", [f"{SPEC}:{line}"], ids=[f"{SPEC}:{line}"])


def fails(match: str, block: Callable[[], object]) -> None:
    with pytest.raises(AssertionError, match=match):
        block()


@upstream(459)
def test_passes_with_default_jobs_count(example: str) -> None:
    with have_performed_job():
        HeavyLiftingJob.perform_later()


@upstream(465)
def test_counts_only_jobs_performed_in_block(example: str) -> None:
    HeavyLiftingJob.perform_later()
    with have_performed_job().exactly(1):
        HeavyLiftingJob.perform_later()


@upstream(472)
def test_passes_when_negated(example: str) -> None:
    assert not have_performed_job()


@upstream(476)
def test_fails_when_job_is_not_performed(example: str) -> None:
    def block() -> None:
        with have_performed_job():
            pass

    fails(r"Expected exactly 1 job of any class performed inside", block)


@upstream(482)
def test_fails_when_too_many_jobs_performed(example: str) -> None:
    def block() -> None:
        with have_performed_job().exactly(1):
            HeavyLiftingJob.perform_later()
            HeavyLiftingJob.perform_later()

    fails(r"but found 2:", block)


@upstream(491)
def test_reports_correct_number_in_fail_error_message(example: str) -> None:
    HeavyLiftingJob.perform_later()

    def block() -> None:
        with have_performed_job().exactly(1):
            pass

    fails(r"but nothing was performed inside the `with` block", block)


@upstream(498)
def test_fails_when_negated_and_job_is_performed(example: str) -> None:
    HeavyLiftingJob.perform_later()
    assert bool(have_performed_job()) is True  # so `assert not` fails


@upstream(504)
def test_passes_with_job_name(example: str) -> None:
    with have_performed_job(HelloJob).exactly(1).times:
        HelloJob.perform_later()
        HeavyLiftingJob.perform_later()


@upstream(511)
def test_passes_with_multiple_jobs(example: str) -> None:
    with have_performed_job(HelloJob) & have_performed_job(LoggingJob):
        HelloJob.perform_later()
        LoggingJob.perform_later()
        HeavyLiftingJob.perform_later()


@upstream(519)
def test_passes_with_once_count(example: str) -> None:
    with have_performed_job().once():
        HelloJob.perform_later()


@upstream(525)
def test_passes_with_twice_count(example: str) -> None:
    with have_performed_job().twice():
        HelloJob.perform_later()
        HelloJob.perform_later()


@upstream(532)
def test_passes_with_thrice_count(example: str) -> None:
    with have_performed_job().thrice():
        for _ in range(3):
            HelloJob.perform_later()


@upstream(540)
def test_passes_with_at_least_count_over_limit(example: str) -> None:
    with have_performed_job().at_least(1):
        HelloJob.perform_later()
        HelloJob.perform_later()


@upstream(547)
def test_passes_with_at_most_count_under_limit(example: str) -> None:
    with have_performed_job().at_most(1):
        HelloJob.perform_later()


@upstream(553)
def test_failure_message_with_at_least_hint(example: str) -> None:
    def block() -> None:
        with have_performed_job().at_least(1):
            pass

    fails(r"Expected at least 1 jobs? of any class performed", block)


@upstream(559)
def test_failure_message_with_at_most_hint(example: str) -> None:
    def block() -> None:
        with have_performed_job().at_most(1):
            HelloJob.perform_later()
            HelloJob.perform_later()

    fails(r"Expected at most 1 jobs? of any class performed(.|\n)*but found 2", block)


@upstream(568)
def test_passes_with_provided_queue_name_as_string(example: str) -> None:
    with have_performed_job().on_queue("low"):
        HelloJob.set(queue="low").perform_later()


@upstream(574)
def test_passes_with_provided_queue_name_as_symbol(example: str) -> None:
    with have_performed_job().on_queue("low"):
        HelloJob.set(queue="low").perform_later()


@upstream(580)
def test_passes_with_provided_at_date(example: str, sim: jobsim.Simulator) -> None:
    with have_performed_job().at(TOMORROW_NOON):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later()
        sim.drain()  # the scheduled job runs at its time


@upstream(587)
def test_passes_with_provided_arguments(example: str) -> None:
    with have_performed_job().with_args(42, "David"):
        HelloJob.perform_later(42, "David")


@upstream(601)
def test_passes_with_provided_argument_matchers(example: str) -> None:
    with have_performed_job().with_args(42, "David"):
        HelloJob.perform_later(42, "David")


@upstream(607)
def test_failure_message_with_all_provided_options(example: str) -> None:
    def block() -> None:
        matcher = have_performed_job(HelloJob).with_args(42).on_queue("low")
        with matcher.at(TOMORROW_NOON).exactly(2).times:
            HelloJob.perform_later(1)

    pattern = (
        r"Expected exactly 2 HelloJob jobs performed inside the `with` block\n"
        r"  with args  42\n  on queue   'low'\n  at +2026-03-03T12:00:00Z(.|\n)*"
        r"HelloJob\(1\) jid=\w+ queue 'default'"
    )
    fails(pattern, block)


@upstream(631)
def test_fails_with_with_block_with_incorrect_data(example: str) -> None:
    def check(arg: Any) -> None:
        assert arg == "zxcv", f"expected: {'zxcv'!r}, got: {arg!r}"

    def block() -> None:
        with have_performed_job(HelloJob).with_args(check):
            HelloJob.perform_later("asdf")

    fails(r"expected: 'zxcv', got: 'asdf'", block)


@upstream(644)
def test_passes_multiple_arguments_to_with_block(example: str) -> None:
    def check(first: Any, second: Any) -> None:
        assert (first, second) == ("asdf", "zxcv")

    with have_performed_job(HelloJob).with_args(check):
        HelloJob.perform_later("asdf", "zxcv")


@upstream(664)
def test_only_calls_with_block_if_other_conditions_are_met(
    example: str, sim: jobsim.Simulator
) -> None:
    def check(arg: Any) -> None:
        assert arg == "asdf"

    midnight = datetime(2026, 3, 3, tzinfo=UTC)
    with have_performed_job(HelloJob).at(TOMORROW_NOON).with_args(check):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later("asdf")
        HelloJob.set(wait_until=midnight).perform_later("zxcv")
        sim.drain()


# -- have_been_performed (the value form: jobsim's plain assert) ------------------------------


@upstream(684)
def test_been_performed_passes_with_default_jobs_count(example: str) -> None:
    HeavyLiftingJob.perform_later()
    assert have_performed_job(HeavyLiftingJob)


@upstream(689)
def test_been_performed_counts_all_performed_jobs(example: str) -> None:
    HeavyLiftingJob.perform_later()
    HeavyLiftingJob.perform_later()
    assert have_performed_job(HeavyLiftingJob).exactly(2)


@upstream(695)
def test_been_performed_passes_when_negated(example: str) -> None:
    assert not have_performed_job(HeavyLiftingJob)


@upstream(699)
def test_been_performed_fails_when_job_is_not_performed(example: str) -> None:
    fails(r"Expected exactly 1 HeavyLiftingJob job", have_performed_job(HeavyLiftingJob).verify)
