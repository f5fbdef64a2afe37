"""rspec-rails' chains on jobsim's matchers: the with-block, on_queue with patterns,
at_priority, and a performed job's `at` (its scheduled time)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import ANY, have_enqueued_job, have_performed_job, regex

START = datetime(2026, 1, 1, tzinfo=UTC)


class Hello(jobsim.Job, queue="low_priority"):
    def perform(self, name: str, greeting: str = "hi") -> None:
        pass


class Report(ActiveJob):
    queue_as = "reports"

    def perform(self, report_id: int) -> None:
        pass


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=3, start=START) as active:
        yield active


def test_with_args_block_gets_the_arguments_and_may_assert(sim: jobsim.Simulator) -> None:
    Hello.perform_async("ada", "hello")
    seen: list[tuple[Any, ...]] = []

    def check(*args: Any) -> None:
        seen.append(args)
        assert args[1] == "hello"

    assert have_enqueued_job(Hello).with_args(check)
    assert seen == [("ada", "hello")]

    def wrong(name: str, greeting: str) -> None:
        assert greeting == "bonjour", "the greeting"

    matcher = have_enqueued_job(Hello).with_args(wrong)
    with pytest.raises(AssertionError) as caught:
        matcher.verify()
    report = str(caught.value)
    assert "with_args(test_with_args_block_gets_the_arguments_and_may_assert.<locals>.wrong)" in (
        report
    )
    assert "failed: the greeting" in report
    assert "Hello jobs that differ, nearest first:" in report  # not "no Hello job was enqueued"


def test_with_args_block_runs_only_for_jobs_meeting_the_other_constraints(
    sim: jobsim.Simulator,
) -> None:
    Hello.perform_async("ada")
    Hello.set(queue="other").perform_async("bob")
    names: list[str] = []
    assert have_enqueued_job(Hello).on_queue("other").with_args(lambda *a: names.append(a[0]))
    assert names == ["bob"]
    assert not have_enqueued_job(Hello).with_args(lambda name: name == "eve")


def test_on_queue_takes_a_name_a_regex_or_a_matcher(sim: jobsim.Simulator) -> None:
    Hello.perform_async("ada")
    assert have_enqueued_job(Hello).on_queue("low_priority")
    assert have_enqueued_job(Hello).on_queue(re.compile(r"^low_"))
    assert have_enqueued_job(Hello).on_queue(regex("priority$"))
    assert have_enqueued_job(Hello).on_queue(ANY)
    with pytest.raises(AssertionError, match=r"queue: 'low_priority' does not match regex"):
        have_enqueued_job(Hello).on_queue(re.compile("^high")).verify()
    with pytest.raises(jobsim.InvalidArgument, match="compiled regex"):
        have_enqueued_job(Hello).on_queue(42)


def test_at_priority_accepts_what_to_i_reads_and_matches_performed_jobs(
    sim: jobsim.Simulator,
) -> None:
    Report.set(priority=5).perform_later(1)
    for given in (5, "5", 5.7, ANY):
        assert have_enqueued_job(Report).at_priority(given), given
        assert have_enqueued_job(Report).with_priority(given), given
    assert not have_enqueued_job(Report).at_priority(6)
    sim.drain()
    assert have_performed_job(Report).at_priority(5)
    with pytest.raises(AssertionError, match="priority: expected 2, got 5"):
        have_performed_job(Report).at_priority(2).verify()
    for bad in (True, "high", None):
        with pytest.raises(jobsim.InvalidArgument, match="whole number"):
            have_enqueued_job(Report).at_priority(bad)


def test_at_on_performed_jobs_is_the_scheduled_time(sim: jobsim.Simulator) -> None:
    Hello.perform_in(timedelta(minutes=5), "ada")
    sim.advance(timedelta(minutes=10))
    scheduled = START + timedelta(minutes=5)
    assert have_performed_job(Hello).at(scheduled, tolerance=0)
    assert not have_performed_job(Hello).at(scheduled + timedelta(seconds=1), tolerance=0)
    assert not have_performed_job(Hello).at(START + timedelta(minutes=10))  # not the start
    Hello.perform_async("bob")
    sim.drain()
    assert have_performed_job(Hello).with_args("bob").at(None)  # not scheduled: None, as :no_wait


def test_where_as_the_only_difference_is_not_reported_as_no_job(sim: jobsim.Simulator) -> None:
    Hello.perform_async("ada")
    with pytest.raises(AssertionError) as caught:
        have_enqueued_job(Hello).where(lambda r: r.args == ["bob"], "bob only").verify()
    assert "no Hello job was enqueued" not in str(caught.value)
    assert "but found none among 1 job enqueued so far." in str(caught.value)


class Bye(jobsim.Job):
    def perform(self, name: str, *rest: Any) -> None:
        pass


def test_matchers_compose_with_and_or_in_every_form(sim: jobsim.Simulator) -> None:
    Hello.perform_async("ada")
    both = have_enqueued_job(Hello) & have_enqueued_job(Bye)
    either = have_enqueued_job(Hello) | have_enqueued_job(Bye)
    assert not both
    assert either
    assert repr(both) == "<(have_enqueued_job(Hello) & have_enqueued_job(Bye))>"
    with pytest.raises(AssertionError) as caught:
        both.verify()
    assert "does not hold" in str(caught.value)
    assert "Expected exactly 1 Bye job enqueued so far" in str(caught.value)
    assert "Expected exactly 1 Hello job" not in str(caught.value)  # only failed parts
    with have_enqueued_job(Hello).with_args("bob") & have_enqueued_job(Bye).with_args("x"):
        Hello.perform_async("bob")
        Bye.perform_async("x")
    block = have_enqueued_job(Hello) & have_enqueued_job(Bye)
    with pytest.raises(AssertionError, match="Bye"), block:
        Hello.perform_async("eve")
    three = have_enqueued_job(Hello).at_least(1) & have_enqueued_job(Bye) & either
    assert len(three.parts) == 3
    with pytest.raises(jobsim.InvalidArgument, match="compose jobsim matchers only"):
        _ = have_enqueued_job(Hello) & True


def test_any_args_and_dict_excluding(sim: jobsim.Simulator) -> None:
    from jobsim.testing import any_args, dict_excluding

    Bye.perform_async("ada", {"a": 1}, 3)
    assert have_enqueued_job(Bye).with_args(any_args)
    assert have_enqueued_job(Bye).with_args("ada", any_args)
    assert have_enqueued_job(Bye).with_args("ada", dict_excluding("b"), 3)
    assert have_enqueued_job(Bye).with_args(ANY, dict_excluding(a=2), ANY)
    assert not have_enqueued_job(Bye).with_args("bob", any_args)
    with pytest.raises(AssertionError, match=r"expected none of 'a': 1"):
        have_enqueued_job(Bye).with_args(ANY, dict_excluding(a=1), ANY).verify()
    with pytest.raises(jobsim.InvalidArgument, match="any_args goes last"):
        have_enqueued_job(Bye).with_args(any_args, 1)
    with pytest.raises(jobsim.InvalidArgument, match="name the keys"):
        dict_excluding()
