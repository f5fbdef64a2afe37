"""Rails' ``activejob/test/cases/callbacks_test.rb`` (v6.1.7), ported: one test per upstream test.

The upstream jobs (``test/jobs/callback_job.rb``, ``abort_before_enqueue_job.rb``) are
re-declared here; ``throw :abort`` is ``raise Abort``. Each test's id names the upstream file
and line. ``ActiveJob::Base.skip_after_callbacks_if_terminated`` is the simulator's
``settings(sim).skip_after_callbacks_if_terminated``; the deprecation Rails 6.1 prints is a
``RailsDeprecationWarning``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import Abort, ActiveJob, RailsDeprecationWarning, settings

UPSTREAM = "activejob/test/cases/callbacks_test.rb"


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).skip_after_callbacks_if_terminated = False  # 6.1's framework default
        yield simulator


class CallbackJob(ActiveJob):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.history: list[str] = []

    def perform(self, person: str = "david") -> None:
        pass


CallbackJob.before_perform(lambda job: job.history.append("CallbackJob ran before_perform"))
CallbackJob.after_perform(lambda job: job.history.append("CallbackJob ran after_perform"))
CallbackJob.before_enqueue(lambda job: job.history.append("CallbackJob ran before_enqueue"))
CallbackJob.after_enqueue(lambda job: job.history.append("CallbackJob ran after_enqueue"))


@CallbackJob.around_perform
def _around_perform(job: CallbackJob, block: Any) -> None:
    job.history.append("CallbackJob ran around_perform_start")
    block()
    job.history.append("CallbackJob ran around_perform_stop")


@CallbackJob.around_enqueue
def _around_enqueue(job: CallbackJob, block: Any) -> None:
    job.history.append("CallbackJob ran around_enqueue_start")
    block()
    job.history.append("CallbackJob ran around_enqueue_stop")


class AbortBeforeEnqueueJob(ActiveJob):
    class MyError(Exception):
        pass

    flag: str | None = None

    def perform(self) -> None:
        raise RuntimeError("This should never be called")

    def throw_or_raise(self) -> None:
        if (self.arguments[0] if self.arguments else "abort") == "abort":
            raise Abort
        raise self.MyError


AbortBeforeEnqueueJob.before_enqueue("throw_or_raise")
AbortBeforeEnqueueJob.after_enqueue(lambda job: setattr(job, "flag", "after_enqueue"))


@AbortBeforeEnqueueJob.before_perform
def _abort_perform(job: AbortBeforeEnqueueJob) -> None:
    raise Abort


AbortBeforeEnqueueJob.after_perform(lambda job: setattr(job, "flag", "after_perform"))


@upstream(10)
def test_perform_callbacks(case: str) -> None:
    job = CallbackJob("A-JOB-ID")
    job.perform_now()
    assert "CallbackJob ran before_perform" in job.history
    assert "CallbackJob ran after_perform" in job.history
    assert "CallbackJob ran around_perform_start" in job.history
    assert "CallbackJob ran around_perform_stop" in job.history


@upstream(19)
def test_perform_return_value(case: str) -> None:
    class Job(ActiveJob):
        def perform(self) -> int:
            return 123

    assert Job.perform_now() == 123


@upstream(29)
def test_perform_around_callbacks_return_value(case: str) -> None:
    seen: list[Any] = []

    class Job(ActiveJob):
        def perform(self) -> int:
            return 123

    Job.around_perform(lambda job, block: seen.append(block()))
    Job.perform_now()
    assert seen == [123]


@upstream(45)
def test_enqueue_callbacks(case: str, sim: jobsim.Simulator) -> None:
    job = CallbackJob.perform_later()
    assert isinstance(job, CallbackJob)
    assert "CallbackJob ran before_enqueue" in job.history
    assert "CallbackJob ran after_enqueue" in job.history
    assert "CallbackJob ran around_enqueue_start" in job.history
    assert "CallbackJob ran around_enqueue_stop" in job.history


@upstream(53)
def test_enqueue_returns_false_when_before_enqueue_aborts(case: str, sim: jobsim.Simulator) -> None:
    settings(sim).skip_after_callbacks_if_terminated = True
    assert AbortBeforeEnqueueJob().enqueue() is False
    assert sim.queue("default").size == 0


@upstream(57)
def test_enqueue_skips_after_enqueue_when_skip_after_callbacks(
    case: str, sim: jobsim.Simulator
) -> None:
    settings(sim).skip_after_callbacks_if_terminated = True
    job = AbortBeforeEnqueueJob()
    job.enqueue()
    assert job.flag is None


@upstream(71)
def test_enqueue_runs_after_enqueue_when_not_skipping(case: str, sim: jobsim.Simulator) -> None:
    job = AbortBeforeEnqueueJob()
    with pytest.warns(RailsDeprecationWarning, match="callbacks no longer run"):
        job.enqueue()
    assert job.flag == "after_enqueue"


@upstream(85)
def test_enqueue_no_deprecation_without_after_callbacks(case: str, sim: jobsim.Simulator) -> None:
    class Job(ActiveJob):
        def perform(self) -> None:
            pass

    @Job.before_enqueue
    def halt(job: ActiveJob) -> None:
        raise Abort

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Job().enqueue() is False


@upstream(100)
def test_enqueue_no_deprecation_when_not_aborted(case: str, sim: jobsim.Simulator) -> None:
    class Job(ActiveJob):
        def perform(self) -> None:
            pass

    def around(job: ActiveJob, block: Any) -> None:
        with contextlib.suppress(ValueError):  # Ruby's ArgumentError
            block()

    def before(job: ActiveJob) -> None:
        raise ValueError

    Job.after_enqueue(lambda job: None)
    Job.around_enqueue(around)
    Job.before_enqueue(before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Job.perform_later() is False
    assert sim.queue("default").size == 0


@upstream(123)
def test_perform_skips_after_perform_when_skip_after_callbacks(
    case: str, sim: jobsim.Simulator
) -> None:
    settings(sim).skip_after_callbacks_if_terminated = True
    job = AbortBeforeEnqueueJob()
    job.perform_now()
    assert job.flag is None


@upstream(135)
def test_perform_runs_after_perform_when_not_skipping(case: str, sim: jobsim.Simulator) -> None:
    job = AbortBeforeEnqueueJob()
    with pytest.warns(RailsDeprecationWarning, match="callbacks no longer run"):
        job.perform_now()
    assert job.flag == "after_perform"


@upstream(149)
def test_perform_no_deprecation_without_after_callbacks(case: str, sim: jobsim.Simulator) -> None:
    class Job(ActiveJob):
        def perform(self) -> None:
            raise RuntimeError("halted: never performed")

    @Job.before_perform
    def halt(job: ActiveJob) -> None:
        raise Abort

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Job.perform_now() is False


@upstream(164)
def test_perform_no_deprecation_when_not_aborted(case: str, sim: jobsim.Simulator) -> None:
    class Job(ActiveJob):
        def perform(self) -> None:
            pass

    def around(job: ActiveJob, block: Any) -> None:
        with contextlib.suppress(ValueError):
            block()

    def before(job: ActiveJob) -> None:
        raise ValueError

    Job.after_perform(lambda job: None)
    Job.around_perform(around)
    Job.before_perform(before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Job.perform_now()


@upstream(187)
def test_enqueue_returns_self_when_enqueued(case: str, sim: jobsim.Simulator) -> None:
    job = CallbackJob()
    assert job.enqueue() is job
