"""Conflict strategies (``on_conflict/*.rb`` @ v8.1.0) and the events that name them."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import Conflict, UniqueJobs
from tests.unique_jobs.helpers import lock_job, unique_sim


def conflicts(sim: jobsim.Simulator) -> list[dict[str, Any]]:
    return [dict(event.detail) for event in sim.trace.of_kind("lock_conflict")]


@pytest.mark.parametrize("strategy", [None, "log"])
def test_a_refused_push_returns_none_and_is_recorded(strategy: str | None) -> None:
    sim = unique_sim(UniqueJobs(on_conflict=strategy))
    job_class = lock_job("until_executed")
    with sim:
        first = job_class.perform_async("ok")
        assert job_class.perform_async("ok") is None
    assert [job["jid"] for job in sim.queue().jobs] == [first]
    (detail,) = conflicts(sim)
    assert detail["holder"] == first
    assert detail["strategy"] == (strategy or "none")
    assert detail["phase"] == "client"
    assert detail["digest"] == sim.queue().jobs[0]["lock_digest"]
    assert sim.trace.kinds()[-1] == "discarded"


def test_the_job_option_overrides_the_plugin_default() -> None:
    sim = unique_sim(UniqueJobs(on_conflict="log"))
    job_class = lock_job("until_executed", on_conflict={"client": "replace"})
    with sim:
        job_class.perform_async("ok")
        job_class.perform_async("ok")
    assert conflicts(sim)[0]["strategy"] == "replace"


def test_replace_deletes_the_queued_holder_and_pushes_the_new_job() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed", on_conflict={"client": "replace"})
    with sim:
        old = job_class.perform_in(60, "ok")
        new = job_class.perform_async("ok")
    assert new is not None
    assert len(sim.scheduled) == 0
    assert [job["jid"] for job in sim.queue().jobs] == [new]
    (detail,) = conflicts(sim)
    assert (detail["holder"], detail["replaced"], detail["strategy"]) == (old, old, "replace")
    digest = sim.queue().jobs[0]["lock_digest"]
    assert sim.locks.holders(digest) == (new,)
    assert sim.locate(old) == "discarded"


def test_replace_cannot_replace_a_running_holder() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed", on_conflict={"client": "replace"})
    job_class.duration = 10
    with sim:
        running = job_class.perform_async("ok")
    sim.run_until(sim.time + 1)
    with sim:
        assert job_class.perform_async("ok") is None
    (detail,) = conflicts(sim)
    assert detail["holder"] == running
    assert detail["replaced"] is None


def runtime_conflict(strategy: str, **options: Any) -> tuple[jobsim.Simulator, type, str, str]:
    sim = unique_sim(concurrency=2)
    job_class = lock_job("while_executing", on_conflict=strategy, **options)
    job_class.duration = 30
    with sim:
        first = job_class.perform_async("ok")
        second = job_class.perform_async("ok")
    sim.run_due()  # both start; the second finds the runtime lock taken
    sim.run_until(sim.time + 30)  # the failing duplicate, too, ends after its 30 s
    return sim, job_class, first, second


def test_raise_makes_the_duplicate_retry() -> None:
    sim, job_class, first, second = runtime_conflict("raise")
    assert sim.locate(second) == "retry"
    (failed,) = sim.trace.of_kind("failed")
    assert failed.jid == second
    assert failed.detail["error_class"] == "SidekiqUniqueJobs::Conflict"
    (detail,) = conflicts(sim)
    assert (detail["strategy"], detail["phase"], detail["holder"]) == ("raise", "server", first)
    sim.drain()
    assert len(job_class.seen) == 2  # the retry ran once the first had finished


def test_reject_sends_the_duplicate_to_the_dead_set_without_death_handlers() -> None:
    sim, job_class, _first, second = runtime_conflict("reject")
    called: list[str] = []
    sim.death_handlers.append(lambda job, exc: called.append(job["jid"]))
    assert sim.locate(second) == "dead"
    assert called == []
    assert conflicts(sim)[0]["strategy"] == "reject"
    sim.drain()
    assert len(job_class.seen) == 1


def test_reschedule_pushes_a_new_jid_after_schedule_in() -> None:
    sim, job_class, first, second = runtime_conflict("reschedule", schedule_in=40)
    (detail,) = conflicts(sim)
    again = detail["rescheduled_as"]
    assert again not in (first, second)
    (entry,) = sim.scheduled
    assert entry.jid == again
    assert entry.score == sim.time - 30 + 40
    assert "rescheduled" not in entry.job  # the client middleware took the flag
    sim.drain()
    assert len(job_class.seen) == 2


def test_the_default_schedule_in_is_five_seconds() -> None:
    sim, _, _, second = runtime_conflict("reschedule")
    first_conflict = sim.trace.of_kind("lock_conflict")[0]
    assert first_conflict.jid == second
    assert first_conflict.detail["schedule_in"] == 5
    again = first_conflict.detail["rescheduled_as"]
    (scheduled,) = [e for e in sim.trace.of_kind("scheduled") if e.jid == again]
    assert scheduled.detail["run_at"] == first_conflict.ts + 5


def test_no_strategy_on_the_server_drops_the_duplicate() -> None:
    sim = unique_sim(concurrency=2)
    job_class = lock_job("while_executing")
    job_class.duration = 30
    with sim:
        job_class.perform_async("ok")
        second = job_class.perform_async("ok")
    sim.drain()
    assert len(job_class.seen) == 1
    assert sim.locate(second) == "done"  # Sidekiq counts it processed: the middleware returned
    assert conflicts(sim)[0]["strategy"] == "none"


def test_until_and_while_executing_raise_locks_the_push_lock_again() -> None:
    sim = unique_sim(concurrency=2)
    job_class = lock_job(
        "until_and_while_executing", on_conflict={"client": "log", "server": "raise"}
    )
    job_class.duration = 30
    with sim:
        first = job_class.perform_async("ok")
    sim.run_until(sim.time + 1)  # first runs: its push lock is free, its runtime lock held
    with sim:
        second = job_class.perform_async("ok")
    sim.run_due()
    digest = next(e for e in sim.trace.of_kind("enqueued") if e.jid == second).job["lock_digest"]
    assert sim.locks.holders(digest) == (second,)  # locked again as the Conflict went up
    assert sim.locks.holders(digest + ":RUN") == (first,)
    sim.run_until(sim.time + 30)
    assert sim.locate(second) == "retry"


class Blocker(jobsim.Job):
    duration = 20

    def perform(self) -> None:
        pass


def test_a_lost_lock_skips_perform_without_a_strategy() -> None:
    sim = unique_sim(concurrency=1)
    job_class = lock_job("until_executed", lock_ttl=10)
    with sim:
        Blocker.perform_async()
        first = job_class.perform_async("ok")  # waits behind the blocker; its lock expires at 10
    sim.advance(11)
    with sim:
        other = job_class.perform_async("ok")  # takes the expired digest
    sim.drain()
    assert len(job_class.seen) == 1  # only other performed
    (detail,) = conflicts(sim)
    assert (detail["holder"], detail["phase"], detail["strategy"]) == (other, "server", "none")
    assert "perform skipped" in detail["reason"]
    assert sim.locate(first) == "done"


def test_a_scheduled_job_whose_lock_was_taken_is_dropped_when_due() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed", lock_ttl=10)
    with sim:
        first = job_class.perform_in(60, "ok")
    sim.advance(59)
    digest = sim.scheduled.jobs[0]["lock_digest"]
    sim.locks._table.delete(digest)  # as an operator deleting it in the web UI would
    job_class.duration = 5
    with sim:
        other = job_class.perform_async("ok")
    sim.drain()  # at 60 the poller pushes first through the client middleware: refused
    assert len(job_class.seen) == 1
    (detail,) = conflicts(sim)
    assert (detail["holder"], detail["phase"]) == (other, "client")
    assert sim.locate(first) == "discarded"


def test_conflict_is_a_jobsim_error_with_the_gems_message() -> None:
    error = Conflict("uniquejobs:abc")
    assert isinstance(error, jobsim.JobsimError)
    assert str(error) == "Item with the key: uniquejobs:abc is already scheduled or processing"


def test_strategies_a_phase_does_not_take_are_refused_at_class_definition() -> None:
    with pytest.raises(jobsim.InvalidOption, match="incompatible with the client process"):
        lock_job("until_executed", on_conflict="reschedule")
    with pytest.raises(jobsim.InvalidOption, match="incompatible with the server process"):
        lock_job("while_executing", on_conflict="replace")
