"""Sidekiq::Testing's class-level verbs in each mode: MyJob.jobs, drain, perform_one, clear."""

from __future__ import annotations

from datetime import timedelta

import pytest

import jobsim
from jobsim.testing import clear_all, drain_all

ran: list[tuple[str, float]] = []


class Mail(jobsim.Job, queue="mailers"):
    def perform(self, to: str) -> None:
        ran.append((to, 0.0))


class Chain(jobsim.Job):
    def perform(self, n: int) -> None:
        ran.append((f"chain{n}", 0.0))
        if n > 0:
            Chain.perform_async(n - 1)


class Forever(jobsim.Job):
    def perform(self) -> None:
        Forever.perform_async()


class Boom(jobsim.Job, retry=2):
    def perform(self) -> None:
        raise ValueError("boom")


@pytest.fixture(autouse=True)
def _fresh() -> None:
    ran.clear()


def test_jobs_lists_queued_and_scheduled_in_push_order_across_queues() -> None:
    with jobsim.Simulator() as sim:
        Chain.perform_async(0)
        Mail.perform_in(60, "a")
        Mail.perform_async("b")
        assert [job["args"] for job in Mail.jobs] == [["a"], ["b"]]
        assert Mail.jobs[0]["at"] == sim.time + 60
        assert "at" not in Mail.jobs[1]
        assert [job["class"] for job in jobsim.Job.jobs] == ["Chain", "Mail", "Mail"]
        assert Mail.jobs.size == 2


def test_drain_runs_due_jobs_first_then_scheduled_ones_at_their_time() -> None:
    with jobsim.Simulator() as sim:
        start = sim.time
        Mail.perform_in(60, "later")
        Mail.perform_async("now")
        Chain.perform_async(0)
        assert Mail.drain() == 2
        assert [to for to, _ in ran] == ["now", "later"]
        assert sim.time == start + 60
        assert [job["class"] for job in jobsim.Job.jobs] == ["Chain"]  # others stay


def test_drain_includes_jobs_enqueued_meanwhile() -> None:
    with jobsim.Simulator():
        Chain.perform_async(3)
        assert Chain.drain() == 4
        assert len(Chain.jobs) == 0


def test_drain_stops_a_job_that_enqueues_itself_forever() -> None:
    with jobsim.Simulator():
        Forever.perform_async()
        with pytest.raises(jobsim.StepLimitExceeded, match=r"Forever\.drain\(\) performed 50"):
            Forever.drain(max_steps=50)


def test_simulate_mode_failure_goes_to_retries_which_drain_leaves_alone() -> None:
    with jobsim.Simulator() as sim:
        Boom.perform_async()
        assert Boom.drain() == 1
        assert len(sim.retries) == 1
        assert len(Boom.jobs) == 0


def test_fake_mode_failure_propagates_and_the_rest_wait() -> None:
    with jobsim.Simulator(mode="fake"):
        Boom.perform_async()
        Boom.perform_async()
        with pytest.raises(ValueError, match="boom"):
            Boom.drain()
        assert len(Boom.jobs) == 1


def test_inline_mode_leaves_only_scheduled_jobs_waiting() -> None:
    with jobsim.Simulator(mode="inline"):
        Mail.perform_async("now")
        Mail.perform_in(timedelta(hours=1), "later")
        assert [job["args"] for job in Mail.jobs] == [["later"]]
        assert Mail.perform_one()
        assert [to for to, _ in ran] == ["now", "later"]


def test_perform_one_takes_the_oldest_and_raises_when_none_waits() -> None:
    with jobsim.Simulator(mode="fake"):
        Mail.perform_async("a")
        Mail.perform_async("b")
        Mail.perform_one()
        assert [to for to, _ in ran] == ["a"]
        Mail.perform_one()
        with pytest.raises(jobsim.EmptyQueueError, match="Mail has no job waiting"):
            Mail.perform_one()


def test_clear_deletes_this_class_only_and_clear_all_everything() -> None:
    with jobsim.Simulator() as sim:
        Mail.perform_async("a")
        Mail.perform_in(10, "b")
        Chain.perform_async(0)
        assert Mail.clear() == 2
        assert len(Mail.jobs) == 0
        assert len(Chain.jobs) == 1
        assert sim.locate(Chain.jobs[0]["jid"]) == "queue:default"
        Mail.perform_async("c")
        assert clear_all() == 2
        assert len(jobsim.Job.jobs) == 0
        assert drain_all() == 0


def test_jobs_items_are_copies() -> None:
    with jobsim.Simulator():
        Mail.perform_async("a")
        Mail.jobs[0]["args"] = ["changed"]
        assert Mail.jobs[0]["args"] == ["a"]
        assert Mail.jobs == [Mail.jobs[0]]


def test_verbs_without_an_active_simulator_say_so() -> None:
    with pytest.raises(jobsim.NoActiveSimulator, match="no active jobsim simulator"):
        len(Mail.jobs)
    with pytest.raises(jobsim.NoActiveSimulator):
        Mail.drain()
