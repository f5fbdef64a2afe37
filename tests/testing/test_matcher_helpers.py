"""The ActiveJob::TestHelper family, perform_enqueued_jobs, option assertions and the report
notes that explain a failed plain ``assert``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import jobsim
from jobsim.testing import (
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_job_options,
    assert_no_enqueued_jobs,
    assert_no_performed_jobs,
    assert_performed_jobs,
    assert_performed_with,
    assert_processed_in,
    assert_retryable,
    assert_saves_backtrace,
    begin_test,
    dict_containing,
    enqueued_jobs,
    explain_failure,
    have_enqueued_job,
    perform_enqueued_jobs,
    performed_jobs,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
ran: list[str] = []


class SendWelcome(jobsim.Job, queue="mailers", backtrace=10):
    def perform(self, user_id: int) -> None:
        ran.append(f"welcome {user_id}")


class Charge(jobsim.Job, retry=False, backtrace=True):
    def perform(self, order_id: int) -> None:
        ran.append(f"charge {order_id}")
        SendReceipt.perform_async(order_id)


class SendReceipt(jobsim.Job, queue="mailers"):
    def perform(self, order_id: int) -> None:
        ran.append(f"receipt {order_id}")


class Forever(jobsim.Job):
    def perform(self) -> None:
        Forever.perform_async()


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    ran.clear()
    with jobsim.Simulator(seed=1, start=START) as active:
        yield active


# -- assert_enqueued_jobs and friends ----------------------------------------------------------


def test_assert_enqueued_jobs_counts_with_filters(sim: jobsim.Simulator) -> None:
    assert_no_enqueued_jobs()
    SendWelcome.perform_async(1)
    Charge.perform_async(2)
    assert len(assert_enqueued_jobs(2)) == 2
    assert_enqueued_jobs(1, only=Charge)
    assert_enqueued_jobs(1, only="Charge")
    assert_enqueued_jobs(2, only=[Charge, SendWelcome])
    assert_enqueued_jobs(1, except_=Charge)
    assert_enqueued_jobs(1, queue="mailers")
    assert_enqueued_jobs(1, only=lambda job: job.args == [2])
    assert_no_enqueued_jobs(only=SendReceipt)
    with pytest.raises(AssertionError, match=r"assert_enqueued_jobs\(3\)\nExpected exactly 3"):
        assert_enqueued_jobs(3)
    with pytest.raises(AssertionError, match="Expected no jobs of any class"):
        assert_no_enqueued_jobs(only=Charge)


def test_filters_are_checked(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="cannot specify both only= and except_="):
        assert_enqueued_jobs(1, only=Charge, except_=SendWelcome)
    with pytest.raises(jobsim.InvalidArgument, match="is not a job class"):
        assert_enqueued_jobs(1, only=[3])  # type: ignore[list-item]
    with pytest.raises(jobsim.InvalidArgument, match="whole number >= 0"):
        assert_enqueued_jobs(-1)


def test_inside_forms_count_only_the_block(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    with assert_enqueued_jobs.inside(1, only=Charge):
        Charge.perform_async(2)
    with assert_no_enqueued_jobs.inside():
        pass
    with (
        pytest.raises(AssertionError, match="inside the `with` block"),
        assert_no_enqueued_jobs.inside(),
    ):
        Charge.perform_async(3)
    with assert_enqueued_with.inside(job=SendWelcome, args=[9]) as block:
        SendWelcome.perform_async(9)
    assert [job.args for job in block.jobs] == [[9]]


def test_assert_enqueued_with_returns_the_job(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(60, 7)
    job = assert_enqueued_with(job=SendWelcome, args=[7], queue="mailers")
    assert job.jid == enqueued_jobs()[0].jid
    assert_enqueued_with(job=SendWelcome, at=START + timedelta(seconds=60))
    assert_enqueued_with(job=SendWelcome, kwargs={"user_id": 7})
    assert_enqueued_with(args=lambda args: args[0] > 5)
    with pytest.raises(AssertionError, match=r"args\[0\] user_id: expected 8, got 7"):
        assert_enqueued_with(job=SendWelcome, args=[8])
    with pytest.raises(jobsim.InvalidArgument, match="args= is the list of arguments"):
        assert_enqueued_with(job=SendWelcome, args={"user_id": 7})


# -- performing --------------------------------------------------------------------------------


def test_perform_enqueued_jobs_performs_a_snapshot_in_enqueue_order(sim: jobsim.Simulator) -> None:
    Charge.perform_async(1)
    SendWelcome.perform_async(2)
    assert perform_enqueued_jobs() == 2
    assert ran == ["charge 1", "welcome 2"]
    assert_enqueued_jobs(1, only=SendReceipt)  # enqueued by Charge: still waiting
    assert_performed_jobs(2)
    assert perform_enqueued_jobs() == 1
    assert ran[-1] == "receipt 1"


def test_perform_enqueued_jobs_filters_and_keeps_the_rest(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    Charge.perform_async(2)
    SendWelcome.perform_async(3)
    assert perform_enqueued_jobs(only=SendWelcome) == 2
    assert ran == ["welcome 1", "welcome 3"]
    assert [job["class"] for job in sim.queue("default").jobs] == ["Charge"]
    assert perform_enqueued_jobs(queue="mailers") == 0
    assert perform_enqueued_jobs(except_=SendWelcome) == 1


def test_perform_enqueued_jobs_at_reaches_scheduled_jobs_due_by_then(
    sim: jobsim.Simulator,
) -> None:
    SendWelcome.perform_in(60, 1)
    SendWelcome.perform_in(600, 2)
    assert perform_enqueued_jobs() == 0
    assert perform_enqueued_jobs(at=START + timedelta(minutes=5)) == 1
    assert ran == ["welcome 1"]
    assert sim.time == START.timestamp()  # the clock did not move
    assert len(sim.scheduled) == 1


def test_perform_inside_performs_the_blocks_jobs_and_theirs(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(0)  # from before the block: not performed
    with perform_enqueued_jobs.inside() as run:
        Charge.perform_async(5)
        assert ran == []  # performed when the block ends, not at enqueue
    assert ran == ["charge 5", "receipt 5"]
    assert run.count == 2
    assert [job.job_class for job in run.performed] == ["Charge", "SendReceipt"]
    assert_enqueued_jobs(1, only=SendWelcome)
    assert_performed_with(job=SendReceipt, args=[5])


def test_perform_inside_with_a_filter_and_a_runaway_guard(sim: jobsim.Simulator) -> None:
    with perform_enqueued_jobs.inside(only=Charge):
        Charge.perform_async(5)
    assert ran == ["charge 5"]
    with (
        pytest.raises(jobsim.StepLimitExceeded, match="more keep coming"),
        perform_enqueued_jobs.inside(max_jobs=20),
    ):
        Forever.perform_async()


def test_assert_performed_inside_performs_then_counts(sim: jobsim.Simulator) -> None:
    with assert_performed_jobs.inside(2):
        Charge.perform_async(1)
    with assert_no_performed_jobs.inside(only=Charge):
        SendWelcome.perform_async(2)
    with assert_performed_with.inside(job=SendWelcome, args=[3]) as block:
        SendWelcome.perform_async(3)
    assert [job.outcome for job in block.jobs] == ["succeeded"]
    assert [job.job_class for job in performed_jobs()][-1] == "SendWelcome"


def test_no_simulator_anywhere_is_a_clear_error() -> None:
    with pytest.raises(jobsim.NoActiveSimulator, match=r"perform_enqueued_jobs\(\) has no"):
        perform_enqueued_jobs()
    with pytest.raises(jobsim.NoActiveSimulator):
        enqueued_jobs()


# -- option assertions -------------------------------------------------------------------------


def test_option_assertions_pass() -> None:
    assert_retryable(SendWelcome)
    assert_retryable(SendWelcome, 25)
    assert_retryable(Charge, False)
    assert_processed_in(SendWelcome, "mailers")
    assert_processed_in(Forever, "default")
    assert_saves_backtrace(SendWelcome)
    assert_saves_backtrace(SendWelcome, 10)
    assert_saves_backtrace(Forever, False)
    assert_job_options(SendWelcome, queue="mailers", backtrace=10)
    assert_job_options(SendWelcome, {"retry": True})


def test_option_assertions_fail_and_refuse_bad_input() -> None:
    with pytest.raises(AssertionError, match="expected Charge to retry"):
        assert_retryable(Charge)
    with pytest.raises(AssertionError, match="to save 3 backtrace lines"):
        assert_saves_backtrace(SendWelcome, 3)
    with pytest.raises(AssertionError, match="not to save"):
        assert_saves_backtrace(Charge, False)
    with pytest.raises(jobsim.InvalidArgument, match=r"not a jobsim\.Job subclass"):
        assert_processed_in(dict, "x")  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="name at least one option"):
        assert_job_options(Charge)
    with pytest.raises(jobsim.InvalidArgument, match="pass True, False or N"):
        assert_retryable(Charge, -1)
    with pytest.raises(AssertionError, match="missing: tags"):
        assert_job_options(Charge, tags=dict_containing())


# -- explaining a failed plain assert ------------------------------------------------------------


def test_explain_failure_finds_the_check_made_at_the_failing_line(sim: jobsim.Simulator) -> None:
    begin_test()
    SendWelcome.perform_async(1)
    assert have_enqueued_job(SendWelcome)  # a passing check, noted too
    try:
        assert have_enqueued_job(Charge), "no charge"
    except AssertionError:
        tb = sys.exc_info()[2]
    report = explain_failure(tb)
    assert report is not None
    assert report.startswith("have_enqueued_job(Charge)\nExpected exactly 1 Charge job")


def test_explain_failure_ignores_checks_from_other_lines(sim: jobsim.Simulator) -> None:
    begin_test()
    assert not have_enqueued_job(Charge)  # falsy, but this line passes
    try:
        assert sim.stats.enqueued == 1
    except AssertionError:
        tb = sys.exc_info()[2]
    assert explain_failure(tb) is None
    begin_test()
    assert explain_failure(None) is None


def test_explain_failure_for_a_failed_assert_not(sim: jobsim.Simulator) -> None:
    begin_test()
    Charge.perform_async(1)
    try:
        assert not have_enqueued_job(Charge)
    except AssertionError:
        tb = sys.exc_info()[2]
    report = explain_failure(tb)
    assert report is not None
    assert "and found 1, so `assert not …` fails:" in report
