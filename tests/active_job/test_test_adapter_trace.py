"""What the trace says about a job Rails' test adapter performs (issue #17).

Under ``settings(sim).queue_adapter = "test"`` an error that escapes the job's own handlers is
raised to the test. The trace must say so: a ``failed`` event carrying the error, then a
``discarded`` one, and no ``retry_scheduled`` (the job does not go to Sidekiq's retry).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobsim
from jobsim.active_job import ActiveJob, settings
from jobsim.testing import perform_enqueued_jobs


class Breaks(ActiveJob):
    def perform(self) -> None:
        raise KeyError("gone")


class Works(ActiveJob):
    def perform(self) -> None:
        pass


class EnqueuesABreakingJob(ActiveJob):
    def perform(self) -> None:
        Breaks.perform_later()


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).queue_adapter = "test"
        yield simulator


def _kinds_after_push(sim: jobsim.Simulator, jid: str) -> list[str]:
    return [event.kind for event in sim.trace.for_job(jid)][1:]


def test_an_error_raised_to_the_test_is_a_failure_in_the_trace(sim: jobsim.Simulator) -> None:
    job = Breaks.perform_later()
    with pytest.raises(KeyError, match="gone"):
        perform_enqueued_jobs()
    jid = str(job.provider_job_id)
    assert _kinds_after_push(sim, jid) == ["started", "failed", "discarded"]
    failed = sim.trace.for_job(jid)[-2]
    assert failed.detail["error_class"] == "KeyError"
    assert "gone" in failed.detail["error_message"]
    assert sim.trace.of_kind("succeeded", "retry_scheduled") == []
    assert len(sim.retries) == 0


def test_a_job_that_works_still_succeeds(sim: jobsim.Simulator) -> None:
    job = Works.perform_later()
    assert perform_enqueued_jobs() == 1
    assert _kinds_after_push(sim, str(job.provider_job_id)) == ["started", "succeeded"]


def test_a_block_performing_at_enqueue_records_the_failure_too(sim: jobsim.Simulator) -> None:
    with pytest.raises(KeyError, match="gone"), perform_enqueued_jobs.inside():
        Breaks.perform_later()
    assert [event.kind for event in sim.trace.of_kind("failed", "succeeded")] == ["failed"]
    assert sim.trace.of_kind("retry_scheduled") == []


def test_a_nested_failure_fails_the_job_that_enqueued_it(sim: jobsim.Simulator) -> None:
    with pytest.raises(KeyError, match="gone"), perform_enqueued_jobs.inside():
        EnqueuesABreakingJob.perform_later()
    failed = sim.trace.of_kind("failed")
    assert len(failed) == 2  # the inner job, then the outer one its error escaped through
    assert sim.trace.of_kind("succeeded", "retry_scheduled") == []


def test_simulate_mode_still_hands_the_error_to_sidekiqs_retry(sim: jobsim.Simulator) -> None:
    settings(sim).queue_adapter = "sidekiq"
    Breaks.perform_later()
    perform_enqueued_jobs()
    assert len(sim.retries) == 1
    assert len(sim.trace.of_kind("retry_scheduled")) == 1


def test_the_raise_rule_holds_for_that_one_perform_only(sim: jobsim.Simulator) -> None:
    # The test adapter switches the simulator's raise rule on for one perform; once it has
    # raised, a job the simulation runs itself goes to Sidekiq's retry again.
    Breaks.perform_later()
    with pytest.raises(KeyError, match="gone"):
        perform_enqueued_jobs()
    settings(sim).queue_adapter = "sidekiq"
    Breaks.perform_later()
    sim.perform_one()
    assert sim.mode == "simulate"
    assert len(sim.trace.of_kind("retry_scheduled")) == 1
