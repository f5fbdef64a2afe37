"""Rails' ``activejob/test/cases/test_helper_test.rb`` (v6.1.7), ``EnqueuedJobsTest``, ported.

One test per upstream test (lines 15–731 of the upstream file); the id names its line. Rails'
block form is ``with helper.inside(...)``, ``only:``/``except:`` are ``only=``/``except_=``, a
proc filter receives a :class:`~jobsim.testing.JobRecord` (Rails: the job's hash), and Ruby's
``ArgumentError`` is ``InvalidArgument`` / ``TypeError``. The upstream jobs (``HelloJob``,
``LoggingJob``, ``NestedJob``, ``RescueJob``, ``MultipleKwargsJob``) and ``Person`` are
re-declared here. Deliberate differences are strict xfails that say why.

``PerformedJobsTest`` (lines 733–1968) is in ``test_rails_test_helper_performed.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import jobsim
from jobsim.active_job import ActiveJob, GlobalID, settings
from jobsim.errors import InvalidArgument
from jobsim.testing import (
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_no_enqueued_jobs,
    assert_performed_jobs,
    enqueued_jobs,
    perform_enqueued_jobs,
)

UPSTREAM = "activejob/test/cases/test_helper_test.rb"
START = datetime(2026, 1, 1, tzinfo=UTC)
TOMORROW_NOON = datetime(2026, 1, 2, 12, tzinfo=UTC)


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class HelloJob(ActiveJob):
    def perform(self, greeter: str = "David") -> None:
        pass


class LoggingJob(ActiveJob):
    # Upstream: perform(dummy). Its tests enqueue (1, 2, 3, keyword: true) without performing;
    # jobsim's helpers check expectations against perform's signature, so it takes them all.
    def perform(self, *args: Any, **kwargs: Any) -> None:
        pass


class NestedJob(ActiveJob):
    def perform(self) -> None:
        LoggingJob.perform_later("NestedJob")


class RescueJob(ActiveJob):
    def perform(self, person: str = "david") -> None:
        pass


class MultipleKwargsJob(ActiveJob):
    def perform(self, argument1: Any = None, argument2: Any = None) -> None:
        pass


class Person:
    def __init__(self, id: object) -> None:
        self.id = str(id)

    def to_global_id(self) -> GlobalID:
        return GlobalID("aj", "Person", self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Person) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"#<Person @id={self.id!r}>"


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"  # ActiveJob::TestHelper's adapter
        settings(simulator).finders["Person"] = Person
        yield simulator


def _twice(job_class: type[ActiveJob], *args: Any) -> None:
    job_class.perform_later(*args)
    job_class.perform_later(*args)


# -- assert_enqueued_jobs ---------------------------------------------------------------------


@upstream(16)
def test_assert_enqueued_jobs(case: str) -> None:
    with assert_enqueued_jobs.inside(1):
        HelloJob.perform_later("david")


@upstream(24)
def test_repeated_enqueued_jobs_calls(case: str) -> None:
    with assert_enqueued_jobs.inside(1):
        HelloJob.perform_later("abdelkader")
    with assert_enqueued_jobs.inside(2):
        HelloJob.perform_later("sean")
        HelloJob.perform_later("yves")


@upstream(39)
def test_assert_enqueued_jobs_message(case: str) -> None:
    HelloJob.perform_later("sean")
    with (
        pytest.raises(AssertionError, match=r"(?s)Expected exactly 2 .*\nbut found 1"),
        assert_enqueued_jobs.inside(2),
    ):
        HelloJob.perform_later("sean")


@upstream(50)
def test_assert_enqueued_jobs_with_no_block(case: str) -> None:
    HelloJob.perform_later("rafael")
    assert_enqueued_jobs(1)
    HelloJob.perform_later("aaron")
    HelloJob.perform_later("matthew")
    assert_enqueued_jobs(3)


@upstream(63)
def test_assert_no_enqueued_jobs_with_no_block(case: str) -> None:
    assert_no_enqueued_jobs()


@upstream(69)
def test_assert_no_enqueued_jobs(case: str) -> None:
    with assert_no_enqueued_jobs.inside():
        HelloJob.perform_now()


def _expected(expected: int) -> str:
    return "no" if expected == 0 else f"exactly {expected}"


def _fails(expected: int, found: int) -> Any:
    """Rails: ``/2 .* but 1/``; jobsim says "Expected exactly 2 … but found 1"."""
    return pytest.raises(
        AssertionError, match=rf"(?s)Expected {_expected(expected)} .*but found {found}\b"
    )


def _fails_none(expected: int) -> Any:
    return pytest.raises(
        AssertionError, match=rf"(?s)Expected {_expected(expected)} .*but found none"
    )


BOTH = r"cannot specify both only= and except_="


@upstream(77)
def test_assert_enqueued_jobs_too_few_sent(case: str) -> None:
    with _fails(2, 1), assert_enqueued_jobs.inside(2):
        HelloJob.perform_later("xavier")


@upstream(87)
def test_assert_enqueued_jobs_too_many_sent(case: str) -> None:
    with _fails(1, 2), assert_enqueued_jobs.inside(1):
        HelloJob.perform_later("cristian")
        HelloJob.perform_later("guillermo")


@upstream(98)
def test_assert_no_enqueued_jobs_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside():
        HelloJob.perform_later("jeremy")


@upstream(108)
def test_assert_enqueued_jobs_with_only_option(case: str) -> None:
    with assert_enqueued_jobs.inside(1, only=HelloJob):
        HelloJob.perform_later("jeremy")
        _twice(LoggingJob)


@upstream(118)
def test_assert_enqueued_jobs_with_only_option_as_proc(case: str) -> None:
    with assert_enqueued_jobs.inside(1, only=lambda job: job.job_class == "HelloJob"):
        HelloJob.perform_later("jeremy")
        _twice(LoggingJob)


@upstream(128)
def test_assert_enqueued_jobs_with_except_option(case: str) -> None:
    with assert_enqueued_jobs.inside(1, except_=LoggingJob):
        HelloJob.perform_later("jeremy")
        _twice(LoggingJob)


@upstream(138)
def test_assert_enqueued_jobs_with_except_option_as_proc(case: str) -> None:
    with assert_enqueued_jobs.inside(1, except_=lambda job: job.job_class == "LoggingJob"):
        HelloJob.perform_later("jeremy")
        _twice(LoggingJob)


@upstream(148)
def test_assert_enqueued_jobs_with_only_and_except_option(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(1, only=HelloJob, except_=HelloJob)


@upstream(160)
def test_assert_enqueued_jobs_with_only_and_queue_option(case: str) -> None:
    with assert_enqueued_jobs.inside(1, only=HelloJob, queue="some_queue"):
        HelloJob.set(queue="some_queue").perform_later()
        HelloJob.set(queue="other_queue").perform_later()
        LoggingJob.perform_later()


@upstream(170)
def test_assert_enqueued_jobs_with_except_and_queue_option(case: str) -> None:
    with assert_enqueued_jobs.inside(1, except_=LoggingJob, queue="some_queue"):
        HelloJob.set(queue="some_queue").perform_later()
        HelloJob.set(queue="other_queue").perform_later()
        LoggingJob.perform_later()


@upstream(180)
def test_assert_enqueued_jobs_with_only_and_except_and_queue_option(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(1, only=HelloJob, except_=HelloJob, queue="some_queue")


@upstream(192)
def test_assert_enqueued_jobs_with_queue_option(case: str) -> None:
    with assert_enqueued_jobs.inside(2, queue="default"):
        HelloJob.perform_later()
        LoggingJob.perform_later()
        HelloJob.set(queue="other_queue").perform_later()
        LoggingJob.set(queue="other_queue").perform_later()


@upstream(203)
def test_assert_enqueued_jobs_with_only_option_and_none_sent(case: str) -> None:
    with _fails_none(1), assert_enqueued_jobs.inside(1, only=HelloJob):
        LoggingJob.perform_later()


@upstream(213)
def test_assert_enqueued_jobs_with_except_option_and_none_sent(case: str) -> None:
    with _fails_none(1), assert_enqueued_jobs.inside(1, except_=LoggingJob):
        LoggingJob.perform_later()


@upstream(223)
def test_assert_enqueued_jobs_with_only_and_except_option_and_none_sent(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(1, only=HelloJob, except_=HelloJob)


@upstream(233)
def test_assert_enqueued_jobs_with_only_option_and_too_few_sent(case: str) -> None:
    with _fails(5, 1), assert_enqueued_jobs.inside(5, only=HelloJob):
        HelloJob.perform_later("jeremy")
        for _ in range(4):
            LoggingJob.perform_later()


@upstream(244)
def test_assert_enqueued_jobs_with_except_option_and_too_few_sent(case: str) -> None:
    with _fails(5, 1), assert_enqueued_jobs.inside(5, except_=LoggingJob):
        HelloJob.perform_later("jeremy")
        for _ in range(4):
            LoggingJob.perform_later()


@upstream(255)
def test_assert_enqueued_jobs_with_only_and_except_option_and_too_few_sent(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(5, only=HelloJob, except_=HelloJob)


@upstream(266)
def test_assert_enqueued_jobs_with_only_option_and_too_many_sent(case: str) -> None:
    with _fails(1, 2), assert_enqueued_jobs.inside(1, only=HelloJob):
        _twice(HelloJob, "jeremy")


@upstream(276)
def test_assert_enqueued_jobs_with_except_option_and_too_many_sent(case: str) -> None:
    with _fails(1, 2), assert_enqueued_jobs.inside(1, except_=LoggingJob):
        _twice(HelloJob, "jeremy")


@upstream(286)
def test_assert_enqueued_jobs_with_only_and_except_option_and_too_many_sent(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(1, only=HelloJob, except_=HelloJob)


@upstream(296)
def test_assert_enqueued_jobs_with_only_option_as_array(case: str) -> None:
    with assert_enqueued_jobs.inside(2, only=[HelloJob, LoggingJob]):
        HelloJob.perform_later("jeremy")
        LoggingJob.perform_later("stewie")
        RescueJob.perform_later("david")


@upstream(306)
def test_assert_enqueued_jobs_with_except_option_as_array(case: str) -> None:
    with assert_enqueued_jobs.inside(1, except_=[HelloJob, LoggingJob]):
        HelloJob.perform_later("jeremy")
        LoggingJob.perform_later("stewie")
        RescueJob.perform_later("david")


@upstream(316)
def test_assert_enqueued_jobs_with_only_and_except_option_as_array(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_enqueued_jobs.inside(2, only=[HelloJob, LoggingJob], except_=[HelloJob, LoggingJob])


# -- assert_no_enqueued_jobs ------------------------------------------------------------------


@upstream(328)
def test_assert_no_enqueued_jobs_with_only_option(case: str) -> None:
    with assert_no_enqueued_jobs.inside(only=HelloJob):
        LoggingJob.perform_later()


@upstream(336)
def test_assert_no_enqueued_jobs_with_except_option(case: str) -> None:
    with assert_no_enqueued_jobs.inside(except_=LoggingJob):
        LoggingJob.perform_later()


@upstream(344)
def test_assert_no_enqueued_jobs_with_only_and_except_option(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_no_enqueued_jobs.inside(only=HelloJob, except_=HelloJob)


@upstream(354)
def test_assert_no_enqueued_jobs_with_only_option_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside(only=HelloJob):
        HelloJob.perform_later("jeremy")
        LoggingJob.perform_later()


@upstream(365)
def test_assert_no_enqueued_jobs_with_except_option_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside(except_=LoggingJob):
        HelloJob.perform_later("jeremy")
        LoggingJob.perform_later()


@upstream(376)
def test_assert_no_enqueued_jobs_with_only_and_except_option_failure(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_no_enqueued_jobs.inside(only=HelloJob, except_=HelloJob)


@upstream(387)
def test_assert_no_enqueued_jobs_with_only_option_as_array(case: str) -> None:
    with assert_no_enqueued_jobs.inside(only=[HelloJob, RescueJob]):
        LoggingJob.perform_later()


@upstream(395)
def test_assert_no_enqueued_jobs_with_except_option_as_array(case: str) -> None:
    with assert_no_enqueued_jobs.inside(except_=[HelloJob, RescueJob]):
        HelloJob.perform_later()
        RescueJob.perform_later()


@upstream(404)
def test_assert_no_enqueued_jobs_with_only_and_except_option_as_array(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_no_enqueued_jobs.inside(only=[HelloJob, RescueJob], except_=[HelloJob, RescueJob])


@upstream(414)
def test_assert_no_enqueued_jobs_with_queue_option(case: str) -> None:
    with assert_no_enqueued_jobs.inside(queue="default"):
        HelloJob.set(queue="other_queue").perform_later()
        LoggingJob.set(queue="other_queue").perform_later()


@upstream(423)
def test_assert_no_enqueued_jobs_with_queue_option_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside(queue="other_queue"):
        HelloJob.set(queue="other_queue").perform_later()


@upstream(433)
def test_assert_no_enqueued_jobs_with_only_and_queue_option(case: str) -> None:
    with assert_no_enqueued_jobs.inside(only=HelloJob, queue="some_queue"):
        _twice(HelloJob.set(queue="other_queue"))  # type: ignore[arg-type]
        LoggingJob.set(queue="some_queue").perform_later()


@upstream(443)
def test_assert_no_enqueued_jobs_with_only_and_queue_option_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside(only=HelloJob, queue="some_queue"):
        HelloJob.set(queue="other_queue").perform_later()
        HelloJob.set(queue="some_queue").perform_later()
        LoggingJob.set(queue="some_queue").perform_later()


@upstream(455)
def test_assert_no_enqueued_jobs_with_except_and_queue_option(case: str) -> None:
    with assert_no_enqueued_jobs.inside(except_=LoggingJob, queue="some_queue"):
        _twice(HelloJob.set(queue="other_queue"))  # type: ignore[arg-type]
        LoggingJob.set(queue="some_queue").perform_later()


@upstream(465)
def test_assert_no_enqueued_jobs_with_except_and_queue_option_failure(case: str) -> None:
    with _fails(0, 1), assert_no_enqueued_jobs.inside(except_=LoggingJob, queue="some_queue"):
        HelloJob.set(queue="other_queue").perform_later()
        HelloJob.set(queue="some_queue").perform_later()
        LoggingJob.set(queue="some_queue").perform_later()


@upstream(477)
def test_assert_no_enqueued_jobs_with_only_and_except_and_queue_option(case: str) -> None:
    with pytest.raises(InvalidArgument, match=BOTH):
        assert_no_enqueued_jobs.inside(only=HelloJob, except_=HelloJob, queue="some_queue")


# -- assert_enqueued_with ---------------------------------------------------------------------


@upstream(487)
def test_assert_enqueued_with(case: str) -> None:
    with assert_enqueued_with.inside(job=LoggingJob, queue="default"):
        LoggingJob.set(wait_until=TOMORROW_NOON).perform_later()


@upstream(493)
def test_assert_enqueued_with_with_no_block(case: str) -> None:
    LoggingJob.set(wait_until=TOMORROW_NOON).perform_later()
    assert_enqueued_with(job=LoggingJob, queue="default")


def _check_returned(job: Any) -> None:
    assert isinstance(job, LoggingJob)
    assert job.scheduled_at == pytest.approx((START + timedelta(minutes=5)).timestamp(), abs=1)
    assert job.queue_name == "default"
    assert job.arguments == [1, 2, 3, {"keyword": True}]


@upstream(498)
def test_assert_enqueued_with_returns(case: str) -> None:
    # A `with` block cannot return a value: the job is read after it.
    with assert_enqueued_with.inside(job=LoggingJob):
        LoggingJob.set(wait=timedelta(minutes=5)).perform_later(1, 2, 3, keyword=True)
    _check_returned(assert_enqueued_with(job=LoggingJob))


@upstream(509)
def test_assert_enqueued_with_with_no_block_returns(case: str) -> None:
    LoggingJob.set(wait=timedelta(minutes=5)).perform_later(1, 2, 3, keyword=True)
    _check_returned(assert_enqueued_with(job=LoggingJob))


@upstream(519)
def test_assert_enqueued_with_failure(case: str) -> None:
    with (
        pytest.raises(AssertionError),
        assert_enqueued_with.inside(job=LoggingJob, queue="default"),
    ):
        NestedJob.perform_later()
    LoggingJob.perform_later()
    with pytest.raises(AssertionError), assert_enqueued_with.inside(job=LoggingJob):
        pass
    with (
        pytest.raises(AssertionError, match=r"assert_enqueued_with\(job=NestedJob, queue='low'\)"),
        assert_enqueued_with.inside(job=NestedJob, queue="low"),
    ):
        NestedJob.perform_later()


@upstream(540)
def test_assert_enqueued_with_with_no_block_failure(case: str) -> None:
    NestedJob.perform_later()
    with pytest.raises(AssertionError):
        assert_enqueued_with(job=LoggingJob, queue="default")
    NestedJob.perform_later()
    with pytest.raises(AssertionError, match=r"assert_enqueued_with\(job=NestedJob, queue='low'\)"):
        assert_enqueued_with(job=NestedJob, queue="low")


@upstream(554)
def test_assert_enqueued_with_args(case: str) -> None:
    with pytest.raises(TypeError, match="class"):
        assert_enqueued_with.inside(**{"class": LoggingJob})


@upstream(562)
def test_assert_enqueued_with_supports_matcher_procs(case: str) -> None:
    facets: dict[str, Any] = {
        "job": HelloJob,
        "args": ["Rails"],
        "at": TOMORROW_NOON,
        "queue": "important",
    }
    HelloJob.set(queue="important", wait_until=TOMORROW_NOON).perform_later("Rails")
    for facet, value in facets.items():
        assert_enqueued_with(**{facet: lambda job_value, value=value: job_value == value})
        with pytest.raises(AssertionError):
            assert_enqueued_with(**{facet: lambda job_value: False})


@upstream(584)
def test_assert_enqueued_with_time(case: str, sim: jobsim.Simulator) -> None:
    now = datetime.fromtimestamp(sim.time, UTC)
    with assert_enqueued_with.inside(job=MultipleKwargsJob, args=[{"argument1": [now]}]):
        MultipleKwargsJob.perform_later(argument1=[now])


@upstream(593)
def test_assert_enqueued_with_date_time(case: str, sim: jobsim.Simulator) -> None:
    # Python has one datetime type: Ruby's DateTime and Time both arrive as datetime.
    now = datetime.fromtimestamp(sim.time, ZoneInfo("UTC"))
    with assert_enqueued_with.inside(job=MultipleKwargsJob, args=[{"argument1": [now]}]):
        MultipleKwargsJob.perform_later(argument1=[now])


@upstream(602)
def test_assert_enqueued_with_time_with_zone(case: str, sim: jobsim.Simulator) -> None:
    now = datetime.fromtimestamp(sim.time, ZoneInfo("Asia/Tokyo"))
    with assert_enqueued_with.inside(job=MultipleKwargsJob, args=[{"argument1": [now]}]):
        MultipleKwargsJob.perform_later(argument1=[now])


@upstream(611)
def test_assert_enqueued_with_time_and_time_precision(case: str) -> None:
    # Python keeps microseconds: the nanoseconds of the upstream values are cut here.
    time_with_zone = datetime(1999, 12, 31, 23, 59, 59, 123_456, tzinfo=UTC).astimezone(
        ZoneInfo("Asia/Tokyo")
    )
    time = datetime.fromtimestamp(946702800 + 0.001234, UTC)
    date_time = datetime(2001, 2, 3, 4, 5, 6, 123_456, tzinfo=ZoneInfo("Etc/GMT-3"))
    args = [{"argument1": [time_with_zone, time, date_time]}]
    with assert_enqueued_with.inside(job=MultipleKwargsJob, args=args):
        MultipleKwargsJob.perform_later(argument1=[time_with_zone, time, date_time])


@upstream(626)
def test_assert_enqueued_with_with_no_block_args(case: str) -> None:
    NestedJob.set(wait_until=TOMORROW_NOON).perform_later()
    with pytest.raises(TypeError, match="class"):
        assert_enqueued_with(**{"class": LoggingJob})


@upstream(633)
def test_assert_enqueued_with_with_at_option(case: str) -> None:
    with assert_enqueued_with.inside(job=HelloJob, at=TOMORROW_NOON):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later()


@upstream(639)
def test_assert_enqueued_with_with_relative_at_option(case: str) -> None:
    with assert_enqueued_with.inside(job=HelloJob, at=START + timedelta(minutes=5)):
        HelloJob.set(wait=timedelta(minutes=5)).perform_later()


@upstream(645)
def test_assert_enqueued_with_with_no_block_with_at_option(case: str) -> None:
    HelloJob.set(wait_until=TOMORROW_NOON).perform_later()
    assert_enqueued_with(job=HelloJob, at=TOMORROW_NOON)


@upstream(650)
def test_assert_enqueued_with_wait_until_with_performed(case: str) -> None:
    with (
        assert_enqueued_with.inside(job=LoggingJob),
        perform_enqueued_jobs.inside(only=HelloJob),
    ):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later("david")
        LoggingJob.set(wait_until=TOMORROW_NOON).perform_later("enqueue")
    assert_enqueued_jobs(1)
    assert_performed_jobs(1)


@upstream(661)
def test_assert_enqueued_with_with_hash_arg(case: str) -> None:
    expected = [{"argument1": 1, "argument2": {"a": 1, "b": 2}}]
    with assert_enqueued_with.inside(job=MultipleKwargsJob, args=expected):
        MultipleKwargsJob.perform_later(argument2={"b": 2, "a": 1}, argument1=1)


@upstream(667)
def test_assert_enqueued_with_with_global_id_args(case: str) -> None:
    ricardo = Person(9)
    with assert_enqueued_with.inside(job=HelloJob, args=[ricardo]):
        HelloJob.perform_later(ricardo)


@upstream(674)
def test_assert_enqueued_with_with_no_block_with_global_id_args(case: str) -> None:
    ricardo = Person(9)
    HelloJob.perform_later(ricardo)
    assert_enqueued_with(job=HelloJob, args=[ricardo])


@upstream(680)
def test_assert_enqueued_with_failure_with_global_id_args(case: str) -> None:
    ricardo, wilma = Person(9), Person(11)
    with (
        pytest.raises(
            AssertionError, match=r"(?s)args=\[#<Person @id='11'>\].*HelloJob\(#<Person @id='9'>\)"
        ),
        assert_enqueued_with.inside(job=HelloJob, args=[wilma]),
    ):
        HelloJob.perform_later(ricardo)


@upstream(692)
def test_assert_enqueued_with_failure_with_no_block_with_global_id_args(case: str) -> None:
    ricardo, wilma = Person(9), Person(11)
    HelloJob.perform_later(ricardo)
    with pytest.raises(
        AssertionError, match=r"(?s)args=\[#<Person @id='11'>\].*HelloJob\(#<Person @id='9'>\)"
    ):
        assert_enqueued_with(job=HelloJob, args=[wilma])


@upstream(704)
def test_assert_enqueued_with_does_not_change_jobs_count(case: str) -> None:
    HelloJob.perform_later()
    with assert_enqueued_with.inside(job=HelloJob):
        HelloJob.perform_later()
    assert len(enqueued_jobs()) == 2


@upstream(713)
def test_assert_enqueued_with_with_no_block_does_not_change_jobs_count(case: str) -> None:
    HelloJob.perform_later()
    HelloJob.perform_later()
    assert_enqueued_with(job=HelloJob)
    assert len(enqueued_jobs()) == 2


@upstream(721)
def test_assert_enqueued_jobs_with_performed(case: str) -> None:
    with (
        assert_enqueued_with.inside(job=LoggingJob),
        perform_enqueued_jobs.inside(only=HelloJob),
    ):
        HelloJob.perform_later("david")
        LoggingJob.perform_later("enqueue")
    assert_enqueued_jobs(1)
    assert_performed_jobs(1)
