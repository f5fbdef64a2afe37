"""Port of sidekiq-unique-jobs v8.1.0 ``spec/sidekiq_unique_jobs/on_conflict/*_spec.rb``: one test
per behavioural example, its id the upstream file and line.

Not ported (Ruby-only mechanics, n/a): every ``#replace?`` example (an internal predicate;
jobsim's replace is the only strategy that retries the lock, tested below), ``strategy_spec.rb:19``
(the abstract base class raising NotImplementedError), ``reject_spec.rb:35, 47, 61, 67``
(which ``DeadSet#kill`` arity the strategy detects: every Sidekiq jobsim models takes
``notify_failure:``, so the reject below is ``kill(payload, notify_failure: false)``),
``replace_spec.rb:40, 56, 73`` (log lines and the block's absence, stubbed), and
``reschedule_spec.rb:67`` (a stubbed ``perform_in`` returning nil).
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import Conflict, UniqueJobs
from jobsim.unique_jobs._conflict import on_server_conflict
from tests.conformance._unique_harness import runtime_for

SPEC = "sidekiq-unique-jobs/spec/sidekiq_unique_jobs/on_conflict"


def example(name: str, line: int) -> pytest.MarkDecorator:
    where = f"{SPEC}/{name}:{line}"
    return pytest.mark.parametrize("upstream", [where], ids=[where])


class UniqueJobOnConflictReschedule(jobsim.Job, lock="while_executing", on_conflict="reschedule"):
    def perform(self, one: int, two: int) -> None:
        pass


class TenSeconds(
    jobsim.Job, lock="while_executing", on_conflict="reschedule", schedule_in=10, name="Ten"
):
    def perform(self, one: int, two: int) -> None:
        pass


class MyUniqueJob(
    jobsim.Job,
    lock="until_executed",
    on_conflict={"client": "replace"},
    queue="customqueue",
    retry=2,
):
    def perform(self, one: int, two: int) -> None:
        raise RuntimeError("fails into the retry set")


def item(job_class: str, jid: str = "arandomjid") -> dict[str, Any]:
    return {
        "class": job_class,
        "jid": jid,
        "lock_digest": "uniquejobs:random-digest-value",
        "args": [1, 2],
        "queue": "default",
    }


@example("log_spec.rb", 12)
def test_log_names_the_jid_and_digest(upstream: str) -> None:
    runtime = runtime_for()
    on_server_conflict(runtime, "log", item("Anything"), "uniquejobs:random-digest-value")
    (event,) = runtime.sim.trace.of_kind("lock_conflict")
    # the gem's line: "Skipping job with id (arandomjid) because lock_digest:
    # (uniquejobs:random-digest-value) already exists"; jobsim's event carries both facts
    assert (event.jid, event.detail["digest"], event.detail["strategy"]) == (
        "arandomjid",
        "uniquejobs:random-digest-value",
        "log",
    )


@example("raise_spec.rb", 13)
def test_raise_raises_conflict_with_the_gems_message(upstream: str) -> None:
    runtime = runtime_for()
    with pytest.raises(
        Conflict,
        match=r"^Item with the key: uniquejobs:random-digest-value is already scheduled or "
        r"processing$",
    ):
        on_server_conflict(runtime, "raise", item("A"), "uniquejobs:random-digest-value")


@example("reject_spec.rb", 25)
def test_reject_kills_without_notifying(upstream: str) -> None:
    runtime = runtime_for()
    sim = runtime.sim
    handled: list[Any] = []
    sim.death_handlers.append(lambda job, exc: handled.append(job))
    on_server_conflict(runtime, "reject", item("WhileExecutingRejectJob", "maaaahjid"), "d")
    assert [job["jid"] for job in sim.dead.jobs] == ["maaaahjid"]
    assert handled == []


def replace_sim() -> jobsim.Simulator:
    return jobsim.Simulator(plugins=[UniqueJobs()], jitter="min")


@example("replace_spec.rb", 29)
def test_replace_without_a_job_to_delete_drops_the_push(upstream: str) -> None:
    sim = replace_sim()
    sim.register(MyUniqueJob)
    with sim:
        first = MyUniqueJob.perform_async(1, 1)
    sim.perform_one()  # the holder is running (here: has run and failed), not queued
    entry = sim.retries.find_job(first)
    assert entry is not None
    # RetrySet#delete(score, jid) is one delete the gem does not patch: the job is gone from
    # the retry set and its lock is still held (delete(jid) alone would release it)
    sim.retries.delete(entry.score, first)
    with sim:
        assert MyUniqueJob.perform_async(1, 1) is None
    assert sim.trace.of_kind("lock_conflict")[-1].detail["replaced"] is None


@example("replace_spec.rb", 96)
def test_replace_removes_the_job_from_the_retry_set(upstream: str) -> None:
    sim = replace_sim()
    with sim:
        first = MyUniqueJob.perform_async(1, 1)
    sim.run_due()
    assert len(sim.retries) == 1
    with sim:
        second = MyUniqueJob.perform_async(1, 1)
    assert len(sim.retries) == 0
    assert second is not None  # the block ran: the new job was pushed
    assert sim.trace.of_kind("lock_conflict")[-1].detail["replaced"] == first


@example("replace_spec.rb", 105)
def test_replace_removes_the_job_from_the_scheduled_set(upstream: str) -> None:
    sim = replace_sim()
    with sim:
        MyUniqueJob.perform_in(2000, 1, 1)
        assert len(sim.scheduled) == 1
        assert MyUniqueJob.perform_async(1, 1) is not None
    assert len(sim.scheduled) == 0


@example("replace_spec.rb", 115)
def test_replace_removes_the_job_from_the_queue(upstream: str) -> None:
    sim = replace_sim()
    with sim:
        first = MyUniqueJob.perform_async(1, 1)
        second = MyUniqueJob.perform_async(1, 1)
    assert [job["jid"] for job in sim.queue("customqueue").jobs] == [second]
    assert first != second


def reschedule(job_class: type[jobsim.Job]) -> jobsim.Simulator:
    runtime = runtime_for(job_class)
    on_server_conflict(runtime, "reschedule", item(job_class.job_name), "d")
    return runtime.sim


@example("reschedule_spec.rb", 36)
def test_reschedule_schedules_ten_seconds_from_now(upstream: str) -> None:
    sim = reschedule(TenSeconds)
    (entry,) = sim.scheduled
    assert (entry.score - sim.time, entry.job["args"]) == (10, [1, 2])


@example("reschedule_spec.rb", 44)
def test_reschedule_schedules_five_seconds_from_now(upstream: str) -> None:
    sim = reschedule(UniqueJobOnConflictReschedule)
    (entry,) = sim.scheduled
    assert (entry.score - sim.time, entry.job["args"]) == (5, [1, 2])


@example("reschedule_spec.rb", 51)
def test_reschedule_is_recorded(upstream: str) -> None:
    sim = reschedule(UniqueJobOnConflictReschedule)
    (event,) = sim.trace.of_kind("lock_conflict")
    assert event.detail["rescheduled_as"] == sim.scheduled.jobs[0]["jid"]


@example("reschedule_spec.rb", 81)
def test_reschedule_of_an_unknown_class_pushes_nothing(upstream: str) -> None:
    runtime = runtime_for()
    on_server_conflict(runtime, "reschedule", item("NotAJob"), "d")
    assert len(runtime.sim.scheduled) == 0
    (event,) = runtime.sim.trace.of_kind("lock_conflict")
    assert "not rescheduled" in event.detail["reason"]


@example("reschedule_spec.rb", 90)
def test_reschedule_while_the_lock_is_held_schedules_once(upstream: str) -> None:
    sim = jobsim.Simulator(plugins=[UniqueJobs()], concurrency=2)
    UniqueJobOnConflictReschedule.duration = 30
    try:
        with sim:
            UniqueJobOnConflictReschedule.perform_async(1, 2)
            UniqueJobOnConflictReschedule.perform_async(1, 2)
        sim.run_due()
    finally:
        UniqueJobOnConflictReschedule.duration = None
    assert len(sim.scheduled) == 1


@example("reschedule_spec.rb", 100)
def test_reschedule_removes_the_flag_from_the_scheduled_job(upstream: str) -> None:
    sim = reschedule(UniqueJobOnConflictReschedule)
    assert "rescheduled" not in sim.scheduled.jobs[0]
