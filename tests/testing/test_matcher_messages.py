"""Failure messages, pinned in full: each scenario's text is in ``snapshots/<name>.txt``.

A change to a message shows up here as a diff. To accept new texts on purpose, run
``JOBSIM_UPDATE_SNAPSHOTS=1 python -m pytest tests/testing/test_matcher_messages.py`` and read
the diff of ``tests/testing/snapshots/`` before committing it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import jobsim
from jobsim.testing import (
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_job_options,
    assert_no_enqueued_jobs,
    assert_performed_jobs,
    assert_processed_in,
    assert_retryable,
    assert_saves_backtrace,
    begin_test,
    have_enqueued_job,
    have_performed_job,
    instance_of,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
START = datetime(2026, 1, 1, tzinfo=UTC)


class SendWelcome(jobsim.Job, queue="mailers"):
    def perform(self, user_id: int, locale: str = "en") -> None:
        pass


class SendWelcom(jobsim.Job):
    def perform(self, user_id: int) -> None:
        pass


class Charge(jobsim.Job, retry=2):
    def perform(self, order_id: int) -> None:
        raise ValueError(f"card declined for order {order_id}")


class Cleanup(jobsim.Job):
    def perform(self) -> None:
        pass


def failure(check: Callable[[], object]) -> str:
    try:
        check()
    except AssertionError as exc:
        return str(exc)
    pytest.fail("the check passed; the scenario must fail")


def compare(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("JOBSIM_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with JOBSIM_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8").removesuffix("\n")


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    begin_test()  # as the plugin does: diagnostics start from this test
    with jobsim.Simulator(seed=1, start=START) as active:
        SendWelcome.perform_async(43)
        SendWelcome.set(queue="default").perform_async(42)
        SendWelcome.perform_in(300, 42)
        Charge.perform_async(7)
        yield active


def test_nearest_candidates_first_with_each_field_that_differs(sim: jobsim.Simulator) -> None:
    matcher = have_enqueued_job(SendWelcome).with_args(42).on_queue("mailers").immediately()
    compare("nearest_first", failure(matcher.verify))


def test_too_many_lists_the_matching_jobs(sim: jobsim.Simulator) -> None:
    compare("too_many", failure(have_enqueued_job(SendWelcome).with_args(42).once().verify))


def test_at_shows_both_times_alike_and_the_offset(sim: jobsim.Simulator) -> None:
    at = START + timedelta(seconds=290)
    compare("at_offset", failure(have_enqueued_job(SendWelcome).at(at).verify))


def test_in_shows_the_delay_from_the_jobs_own_enqueue(sim: jobsim.Simulator) -> None:
    matcher = have_enqueued_job(SendWelcome).in_(timedelta(minutes=10))
    compare("in_delay", failure(matcher.verify))


def test_a_class_never_enqueued_suggests_a_close_name(sim: jobsim.Simulator) -> None:
    compare("class_absent", failure(have_enqueued_job(SendWelcom).verify))


def test_and_no_other_jobs_lists_the_others(sim: jobsim.Simulator) -> None:
    compare(
        "no_other_jobs",
        failure(have_enqueued_job(SendWelcome).at_least(1).and_no_other_jobs().verify),
    )


def test_performed_says_where_the_unperformed_job_waits(sim: jobsim.Simulator) -> None:
    compare("not_performed", failure(have_performed_job(Charge).failed(ValueError).verify))


def test_performed_outcome_differs(sim: jobsim.Simulator) -> None:
    sim.drain()
    compare("outcome", failure(have_performed_job(Charge).succeeded().verify))


def test_count_helper_sums_up_the_filtered_out_jobs(sim: jobsim.Simulator) -> None:
    compare("assert_enqueued_jobs", failure(lambda: assert_enqueued_jobs(2, only=Charge)))
    compare("assert_no_enqueued_jobs", failure(lambda: assert_no_enqueued_jobs(queue="default")))
    compare("assert_performed_jobs", failure(lambda: assert_performed_jobs(1, except_=Cleanup)))


def test_with_helper(sim: jobsim.Simulator) -> None:
    check = lambda: assert_enqueued_with(job=SendWelcome, args=[44], queue="mailers")  # noqa: E731
    compare("assert_enqueued_with", failure(check))


def test_with_block_notes_jobs_from_before_the_block(sim: jobsim.Simulator) -> None:
    def block() -> None:
        with have_enqueued_job(SendWelcome):
            pass

    compare("before_block", failure(block))


def test_the_job_went_to_another_simulator(sim: jobsim.Simulator) -> None:
    other = jobsim.Simulator(seed=3, start=START)

    def block() -> None:
        with have_enqueued_job(Cleanup), other:
            Cleanup.perform_async()

    compare("other_simulator", failure(block))


def test_the_enqueue_found_no_simulator_and_its_error_was_swallowed() -> None:
    begin_test()
    sim = jobsim.Simulator(seed=4, start=START)

    def signup() -> None:  # application code that hides enqueue errors
        with contextlib.suppress(jobsim.NoActiveSimulator):
            Cleanup.perform_async()

    signup()
    with sim:
        compare("no_active_simulator", failure(have_enqueued_job(Cleanup).verify))


def test_passing_matcher_explains_a_failed_assert_not(sim: jobsim.Simulator) -> None:
    evaluation = have_enqueued_job(Charge).evaluate()
    assert evaluation.passed
    compare("assert_not", evaluation.message())


def test_option_assertions() -> None:
    texts = [
        failure(lambda: assert_retryable(Charge, 5)),
        failure(lambda: assert_retryable(Cleanup, False)),
        failure(lambda: assert_processed_in(Charge, "payments")),
        failure(lambda: assert_saves_backtrace(Charge)),
        failure(
            lambda: assert_job_options(
                SendWelcome, queue="default", retry=instance_of(int), tags=["a"]
            )
        ),
    ]
    compare("options", "\n\n".join(texts))
