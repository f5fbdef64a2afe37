"""have_enqueued_job / have_performed_job: every chain passes and fails, in every form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.testing import (
    ANY,
    JobMatcher,
    have_enqueued_job,
    have_performed_job,
    instance_of,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


class SendWelcome(jobsim.Job, queue="mailers"):
    def perform(self, user_id: int, locale: str = "en") -> None:
        pass


class Charge(jobsim.Job, retry=2):
    def perform(self, order_id: int) -> None:
        raise ValueError(f"card declined for order {order_id}")


class Cleanup(jobsim.Job):
    def perform(self) -> None:
        pass


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1, start=START) as active:
        yield active


def holds(matcher: JobMatcher) -> bool:
    """Both plain forms agree: truthiness and verify()."""
    truth = bool(matcher)
    try:
        matcher.verify()
    except AssertionError:
        assert not truth
        return False
    assert truth
    return True


# -- class, args, queue ----------------------------------------------------------------------


def test_class_alone_and_any_class(sim: jobsim.Simulator) -> None:
    assert not holds(have_enqueued_job(SendWelcome))
    assert not holds(have_enqueued_job())
    SendWelcome.perform_async(1)
    assert holds(have_enqueued_job(SendWelcome))
    assert holds(have_enqueued_job("SendWelcome"))
    assert holds(have_enqueued_job())
    assert not holds(have_enqueued_job(Cleanup))


def test_with_args_positional_keyword_and_matchers(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(42, "fr")
    assert holds(have_enqueued_job(SendWelcome).with_args(42, "fr"))
    assert holds(have_enqueued_job(SendWelcome).with_args(user_id=42, locale="fr"))
    assert holds(have_enqueued_job(SendWelcome).with_args(instance_of(int), locale=ANY))
    assert not holds(have_enqueued_job(SendWelcome).with_args(42))  # locale defaults to "en"
    assert not holds(have_enqueued_job(SendWelcome).with_args(43, "fr"))


def test_with_args_without_a_class_binds_to_each_jobs_own_class(sim: jobsim.Simulator) -> None:
    """rspec-rails checks the enqueued job's signature even when the matcher names no class."""
    SendWelcome.perform_async(1)
    assert holds(have_enqueued_job("SendWelcome").with_args(user_id=1))
    assert holds(have_enqueued_job().with_args(1, locale="en"))
    matcher = have_enqueued_job().with_args(1, 2, 3)
    with pytest.raises(AssertionError, match=r"does not fit SendWelcome\.perform\(user_id"):
        matcher.verify()
    sim.push({"class": "Unknown", "args": [1]})
    with pytest.raises(AssertionError, match=r"Unknown\.perform takes \*args"):
        have_enqueued_job("Unknown").with_args(user_id=1).verify()


def test_with_args_that_cannot_fit_the_class_fail_as_an_assertion(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    matcher = have_enqueued_job(SendWelcome).with_args(1, 2, 3)
    assert not matcher
    with pytest.raises(AssertionError, match="too many positional arguments"):
        matcher.verify()


def test_with_no_args_means_no_arguments(sim: jobsim.Simulator) -> None:
    Cleanup.perform_async()
    assert holds(have_enqueued_job(Cleanup).with_args())
    SendWelcome.perform_async(1)
    assert not holds(have_enqueued_job().with_args().twice())


def test_on_queue_reads_the_queue_of_the_enqueue(sim: jobsim.Simulator) -> None:
    SendWelcome.set(queue="critical").perform_async(1)
    assert holds(have_enqueued_job(SendWelcome).on_queue("critical"))
    assert not holds(have_enqueued_job(SendWelcome).on_queue("mailers"))


# -- time ------------------------------------------------------------------------------------


def test_at_with_default_tolerance_of_less_than_a_second(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_at(START + timedelta(hours=1, microseconds=400_000), 1)
    assert holds(have_enqueued_job(SendWelcome).at(START + timedelta(hours=1)))
    assert holds(have_enqueued_job(SendWelcome).at(START.timestamp() + 3600.9))
    assert not holds(have_enqueued_job(SendWelcome).at(START + timedelta(hours=1, seconds=-1)))
    assert not holds(have_enqueued_job(SendWelcome).at(START + timedelta(hours=1), tolerance=0))


def test_at_tolerance_is_configurable_and_zero_means_exact(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(60, 1)
    at = START + timedelta(seconds=60)
    assert holds(have_enqueued_job(SendWelcome).at(at, tolerance=0))
    assert holds(have_enqueued_job(SendWelcome).at(at + timedelta(seconds=5), tolerance=6))
    assert not holds(
        have_enqueued_job(SendWelcome).at(at + timedelta(seconds=5), tolerance=timedelta(seconds=5))
    )


def test_two_jobs_one_second_apart_are_told_apart(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(10, 1)
    SendWelcome.perform_in(11, 1)
    assert holds(have_enqueued_job(SendWelcome).at(START + timedelta(seconds=10)).once())


def test_at_takes_a_matcher_on_the_datetime(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(3600, 1)
    SendWelcome.perform_async(2)
    on_the_hour = jobsim.testing.predicate(lambda when: when is not None and when.minute == 0)
    assert holds(have_enqueued_job(SendWelcome).at(on_the_hour).once())
    assert holds(have_enqueued_job(SendWelcome).at(None).with_args(2))


def test_in_is_measured_from_the_jobs_own_enqueue(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(300, 1)
    sim.advance(120)  # rspec-sidekiq would now expect a run at enqueue + 420 s
    SendWelcome.perform_in(300, 2)
    assert holds(have_enqueued_job(SendWelcome).in_(300).twice())
    assert holds(have_enqueued_job(SendWelcome).in_(timedelta(minutes=5)).with_args(2))
    assert not holds(have_enqueued_job(SendWelcome).in_(180))


def test_immediately_and_in_zero(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    SendWelcome.perform_in(5, 2)
    assert holds(have_enqueued_job(SendWelcome).immediately().with_args(1).once())
    assert holds(have_enqueued_job(SendWelcome).in_(0).once())
    assert not holds(have_enqueued_job(SendWelcome).immediately().with_args(2))


def test_a_scheduled_job_counts_once_even_after_it_moves_to_its_queue(
    sim: jobsim.Simulator,
) -> None:
    SendWelcome.perform_in(60, 1)
    sim.advance(61)
    assert holds(have_enqueued_job(SendWelcome).once())
    assert holds(have_performed_job(SendWelcome).once())


# -- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "ok_for"),
    [
        (lambda m: m.exactly(2), {2}),
        (lambda m: m.exactly(2).times, {2}),
        (lambda m: m.at_least(2), {2, 3}),
        (lambda m: m.at_most(2), {0, 1, 2}),
        (lambda m: m.once(), {1}),
        (lambda m: m.twice(), {2}),
        (lambda m: m.thrice(), {3}),
        (lambda m: m.never(), {0}),
        (lambda m: m.at_least(1), {1, 2, 3}),
    ],
)
def test_counts(build: Any, ok_for: set[int]) -> None:
    for n in range(4):
        with jobsim.Simulator(seed=1):
            for _ in range(n):
                Cleanup.perform_async()
            assert holds(build(have_enqueued_job(Cleanup))) == (n in ok_for), n


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_the_default_count_is_exactly_one_and_too_many_fail_either_way(n: int) -> None:
    """rspec-rails: exactly once by default; `not_to` means none, so two fail both forms."""
    with jobsim.Simulator(seed=1):
        for _ in range(n):
            Cleanup.perform_async()
        matcher = have_enqueued_job(Cleanup)
        if n < 2:
            assert bool(matcher) is (n == 1)
            assert bool(have_performed_job(Cleanup)) is False
            return
        with pytest.raises(AssertionError, match=r"Expected exactly 1 Cleanup job .* default"):
            assert matcher
        with pytest.raises(AssertionError, match=rf"but found {n}:"):
            assert not matcher
        with pytest.raises(AssertionError, match=r"write \.at_least\(1\)"):
            matcher.verify()


def test_counts_count_only_matching_jobs(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    SendWelcome.perform_async(2)
    assert holds(have_enqueued_job(SendWelcome).with_args(1).once())


def test_a_count_or_constraint_is_given_once(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match=r"already has once\(\); give a count once"):
        have_enqueued_job(Cleanup).once().twice()
    with pytest.raises(jobsim.InvalidArgument, match="already has on_queue"):
        have_enqueued_job(Cleanup).on_queue("a").on_queue("b")
    with pytest.raises(jobsim.InvalidArgument, match="already has at"):
        have_enqueued_job(Cleanup).at(0).in_(5)
    with pytest.raises(jobsim.InvalidArgument, match="whole number"):
        have_enqueued_job(Cleanup).exactly(-1)
    with pytest.raises(jobsim.InvalidArgument, match="whole number"):
        have_enqueued_job(Cleanup).at_least(True)


def test_and_no_other_jobs(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    assert holds(have_enqueued_job(SendWelcome).and_no_other_jobs())
    Cleanup.perform_async()
    assert not holds(have_enqueued_job(SendWelcome).and_no_other_jobs())
    SendWelcome.perform_async(2)
    assert not holds(have_enqueued_job(SendWelcome).with_args(1).and_no_other_jobs())


def test_where_takes_a_predicate_on_the_record(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(5)
    assert holds(have_enqueued_job(SendWelcome).where(lambda job: job.args[0] > 3))
    assert not holds(have_enqueued_job(SendWelcome).where(lambda job: job.args[0] > 9))


# -- what "enqueued" and "performed" mean ------------------------------------------------------


def test_retries_are_not_new_enqueues_but_each_execution_is_performed(
    sim: jobsim.Simulator,
) -> None:
    Charge.perform_async(7)
    sim.drain()
    assert holds(have_enqueued_job(Charge).once())
    assert holds(have_performed_job(Charge).thrice())
    assert holds(have_performed_job(Charge).failed(ValueError).thrice())
    assert holds(have_performed_job(Charge).failed("ValueError").on_queue("default").thrice())
    assert not holds(have_performed_job(Charge).succeeded())
    assert not holds(have_performed_job(Charge).failed(KeyError))


def test_performed_at_is_the_start_time(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(90, 1)
    sim.drain()
    assert holds(have_performed_job(SendWelcome).at(START + timedelta(seconds=90)).succeeded())
    with pytest.raises(jobsim.InvalidArgument, match="in_\\(\\) applies to enqueued jobs"):
        have_performed_job(SendWelcome).in_(90)
    with pytest.raises(jobsim.InvalidArgument, match="applies to have_performed_job"):
        have_enqueued_job(SendWelcome).succeeded()


def test_the_job_ran_inline(sim: jobsim.Simulator) -> None:
    with jobsim.Simulator(seed=2, mode="inline") as inline:
        SendWelcome.perform_async(1)
        assert holds(have_enqueued_job(SendWelcome, sim=inline))
        assert holds(have_performed_job(SendWelcome, sim=inline).succeeded())


# -- the with form -----------------------------------------------------------------------------


def test_with_block_counts_only_jobs_enqueued_inside(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(1)
    with have_enqueued_job(SendWelcome).once() as inside:
        SendWelcome.perform_async(2)
    assert [job.args for job in inside.jobs] == [[2]]
    SendWelcome.perform_async(3)
    assert len(inside.jobs) == 1  # the block is over; later jobs are not its jobs


def test_with_block_raises_at_exit_on_mismatch(sim: jobsim.Simulator) -> None:
    expected = "Expected exactly 2 SendWelcome jobs enqueued inside"
    with pytest.raises(AssertionError, match=expected), have_enqueued_job(SendWelcome).twice():
        SendWelcome.perform_async(1)


def test_with_block_lets_the_blocks_own_error_through(sim: jobsim.Simulator) -> None:
    with pytest.raises(KeyError), have_enqueued_job(SendWelcome):
        raise KeyError("from the block")


def test_with_block_never_and_performed(sim: jobsim.Simulator) -> None:
    with have_enqueued_job(Cleanup).never():
        SendWelcome.perform_async(1)
    with have_performed_job(SendWelcome).once():
        sim.drain()


def test_a_matcher_checks_one_block_only(sim: jobsim.Simulator) -> None:
    matcher = have_enqueued_job(Cleanup).never()
    with matcher:
        pass
    with pytest.raises(jobsim.InvalidArgument, match="already checked a `with` block"), matcher:
        pass
    with pytest.raises(jobsim.InvalidArgument, match="chain before `with`"):
        matcher.on_queue("default")


def test_chains_return_new_matchers(sim: jobsim.Simulator) -> None:
    base = have_enqueued_job(SendWelcome)
    SendWelcome.perform_async(1)
    assert holds(base.with_args(1))
    assert holds(base.twice()) is False
    assert holds(base)  # untouched by the chains above


# -- which simulator -------------------------------------------------------------------------


def test_no_simulator_is_a_usage_error_not_a_pass() -> None:
    matcher = have_enqueued_job(Cleanup).never()
    with pytest.raises(jobsim.NoActiveSimulator, match="has no simulator to look at"):
        bool(matcher)
    with pytest.raises(jobsim.NoActiveSimulator), matcher:
        pass


def test_sim_picks_the_simulator(sim: jobsim.Simulator) -> None:
    other = jobsim.Simulator(seed=5)
    with other:
        Cleanup.perform_async()
    assert holds(have_enqueued_job(Cleanup, sim=other))
    assert not holds(have_enqueued_job(Cleanup))
    with pytest.raises(jobsim.InvalidArgument, match=r"is not a jobsim\.Simulator"):
        have_enqueued_job(Cleanup, sim="sim")  # type: ignore[arg-type]


def test_bad_job_argument_is_refused() -> None:
    with pytest.raises(jobsim.InvalidArgument, match=r"pass a jobsim\.Job subclass"):
        have_enqueued_job(42)
    with pytest.raises(jobsim.InvalidArgument, match="pass a job class or its name"):
        have_performed_job("")


def test_repr_says_what_it_is_and_why_it_failed(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_async(43)
    matcher = have_enqueued_job(SendWelcome).with_args(42)
    assert repr(matcher) == "<have_enqueued_job(SendWelcome).with_args(42)>"
    assert not matcher
    assert repr(matcher) == (
        "<have_enqueued_job(SendWelcome).with_args(42): found 0, expected exactly 1; nearest "
        "SendWelcome jid=cb24c57fdcee3c46e456c5f6: args[0] user_id: expected 42, got 43 (full "
        "report: .verify() or the 'jobsim' report section)>"
    )


def test_verify_returns_the_matching_jobs(sim: jobsim.Simulator) -> None:
    SendWelcome.perform_in(60, 1)
    (job,) = have_enqueued_job(SendWelcome).verify()
    assert job.args == [1]
    assert job.queue == "mailers"
    assert job.delay == timedelta(seconds=60)
    assert job.scheduled
    assert job.at == START + timedelta(seconds=60)
    assert job.enqueued_at == START
