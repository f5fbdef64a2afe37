"""The Sidekiq API deletes release locks as sidekiq_unique_ext.rb (v8.1.0) patches them.

Each patched method has a test that fails without the release: either the job's own lock
would stay, or (for ``retry``/``add_to_queue``, which push the job again with its own jid and
so re-enter its own lock) an orphan lock held by another jid would refuse the push.
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import UniqueJobs
from tests.unique_jobs.helpers import lock_job, unique_sim


def _scheduled(sim: jobsim.Simulator, job_class: type[jobsim.Job]) -> tuple[str, str]:
    with sim:
        jid = job_class.perform_in(3600, "ok")
    assert jid is not None
    (digest,) = sim.locks.held_by(jid)
    return jid, digest


def _retrying(sim: jobsim.Simulator, job_class: type[jobsim.Job]) -> tuple[str, str]:
    with sim:
        jid = job_class.perform_async("fail")
    assert jid is not None
    sim.perform_job(jid)
    assert sim.locate(jid) == "retry"
    (digest,) = sim.locks.held_by(jid)
    return jid, digest


def _dead(sim: jobsim.Simulator, job_class: type[jobsim.Job]) -> tuple[str, str]:
    """A dead job whose lock an operator's push took again after the death handler ran."""
    with sim:
        jid = job_class.set(retry=0).perform_async("fail")
    assert jid is not None
    sim.perform_job(jid)
    assert sim.locate(jid) == "dead"
    assert sim.locks.digests == []
    with sim:
        other = job_class.perform_async("fail")
    assert other is not None
    (digest,) = sim.locks.held_by(other)
    return jid, digest


def _orphan(sim: jobsim.Simulator, digest: str) -> None:
    """Hand ``digest`` to a jid no job carries (a lost job's lock, say)."""
    table = sim.locks._table
    table.delete(digest)
    assert table.lock(digest, "gone-jid", sim.time, lock_type="until_executed", ttl=None)


# -- JobRecord#delete and Queue#clear --------------------------------------------------------


def test_job_record_delete_releases_the_lock() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed")
    with sim:
        jid = job_class.perform_async("ok")
    record = sim.queue().find_job(jid)
    assert record is not None
    assert record.delete() is True
    assert sim.locks.digests == []
    with sim:
        assert job_class.perform_async("ok") is not None


def test_job_record_delete_releases_even_when_the_job_has_left_the_queue() -> None:
    # JobRecord#delete calls Unlockable.delete! before LREM, whatever LREM then finds.
    sim = unique_sim()
    job_class = lock_job("until_executed")
    with sim:
        jid = job_class.perform_async("ok")
    (stale,) = list(sim.queue())
    (digest,) = sim.locks.held_by(jid)
    sim.queue().delete(jid)
    with sim:
        again = job_class.perform_async("ok")
    assert sim.locks.holders(digest) == (again,)
    assert stale.delete() is False  # nothing to remove in the queue...
    assert digest not in sim.locks  # ...but the digest went, with the new job's hold on it


def test_queue_delete_by_jid_releases_the_lock() -> None:
    sim = unique_sim()
    with sim:
        jid = lock_job("until_expired", lock_ttl=600).perform_async("ok")
    assert sim.queue().delete(jid) is True
    assert sim.locks.digests == []


def test_queue_clear_releases_every_lock() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed")
    with sim:
        for n in range(3):
            job_class.perform_async(f"ok{n}")
    assert len(sim.locks) == 3
    assert sim.queue().clear() == 3
    assert sim.locks.digests == []


# -- SortedEntry#delete, JobSet#clear, ScheduledSet#delete -----------------------------------


@pytest.mark.parametrize("place", ["schedule", "retry", "dead"])
def test_sorted_entry_delete_releases_the_lock(place: str) -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed")
    make = {"schedule": _scheduled, "retry": _retrying, "dead": _dead}[place]
    jid, digest = make(sim, job_class)
    view = {"schedule": sim.scheduled, "retry": sim.retries, "dead": sim.dead}[place]
    entry = view.find_job(jid)
    assert entry is not None
    assert entry.delete() is True
    assert digest not in sim.locks


@pytest.mark.parametrize("place", ["schedule", "retry"])
def test_delete_by_jid_alone_is_the_entry_delete_and_releases(place: str) -> None:
    sim = unique_sim()
    jid, digest = (_scheduled if place == "schedule" else _retrying)(
        sim, lock_job("until_executed")
    )
    view = sim.scheduled if place == "schedule" else sim.retries
    assert view.delete(jid) is True
    assert digest not in sim.locks


@pytest.mark.parametrize("place", ["schedule", "retry", "dead"])
def test_job_set_clear_releases_every_lock(place: str) -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed")
    make = {"schedule": _scheduled, "retry": _retrying, "dead": _dead}[place]
    _, digest = make(sim, job_class)
    view = {"schedule": sim.scheduled, "retry": sim.retries, "dead": sim.dead}[place]
    assert view.clear() == 1
    assert digest not in sim.locks


def test_scheduled_set_delete_by_score_and_jid_releases_the_lock() -> None:
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    entry = sim.scheduled.find_job(jid)
    assert entry is not None
    assert sim.scheduled.delete(entry.score, jid) is True
    assert digest not in sim.locks


# -- SortedEntry#remove_job: retry, add_to_queue, kill ---------------------------------------


@pytest.mark.parametrize("verb", ["retry", "add_to_queue"])
def test_remove_job_releases_before_the_push_so_the_job_takes_its_lock_again(verb: str) -> None:
    sim = unique_sim()
    jid, digest = _retrying(sim, lock_job("until_executed"))
    _orphan(sim, digest)  # without the release the push would meet this lock and be dropped
    entry = sim.retries.find_job(jid)
    assert entry is not None
    assert getattr(entry, verb)() is True
    assert sim.locate(jid) == "queue:default"
    assert sim.locks.holders(digest) == (jid,)


@pytest.mark.parametrize("verb", ["retry", "add_to_queue"])
def test_by_jid_verbs_release_as_the_entry_verbs_do(verb: str) -> None:
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    _orphan(sim, digest)
    getattr(sim.scheduled, verb)(jid)
    assert sim.locate(jid) == "queue:default"
    assert sim.locks.holders(digest) == (jid,)


def test_kill_releases_the_lock_before_the_death_handler_runs() -> None:
    seen: list[tuple[str, ...]] = []
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    sim.death_handlers.insert(0, lambda job, exc: seen.append(sim.locks.holders(digest)))
    entry = sim.scheduled.find_job(jid)
    assert entry is not None
    assert entry.kill() is True
    assert seen == [()]  # remove_job's release came first; the gem's handler runs after
    assert sim.locate(jid) == "dead"


def test_retry_all_walks_entries_up_to_sidekiq_7_3_4_and_releases() -> None:
    sim = unique_sim(UniqueJobs(version="7"), profile="sidekiq-6.4")
    jid, digest = _retrying(sim, lock_job("until_executed"))
    _orphan(sim, digest)
    assert sim.retries.retry_all() == 1
    assert sim.locks.holders(digest) == (jid,)


# -- what the gem does not patch --------------------------------------------------------------


def test_retry_all_pops_from_sidekiq_7_3_5_and_keeps_the_lock() -> None:
    sim = unique_sim()  # sidekiq-8 profile
    jid, digest = _retrying(sim, lock_job("until_executed"))
    _orphan(sim, digest)
    assert sim.retries.retry_all() == 1
    assert sim.locate(jid) == "discarded"  # the push met the orphan lock and was dropped
    assert sim.locks.holders(digest) == ("gone-jid",)


def test_kill_all_pops_from_sidekiq_7_3_5_and_without_death_handlers_keeps_the_lock() -> None:
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    assert sim.scheduled.kill_all() == 1
    assert sim.locate(jid) == "dead"
    assert sim.locks.holders(digest) == (jid,)


@pytest.mark.parametrize("place", ["retry", "dead"])
def test_delete_by_score_and_jid_on_the_retry_and_dead_sets_keeps_the_lock(place: str) -> None:
    sim = unique_sim()
    jid, digest = (_retrying if place == "retry" else _dead)(sim, lock_job("until_executed"))
    view = sim.retries if place == "retry" else sim.dead
    entry = view.find_job(jid)
    assert entry is not None
    assert view.delete(entry.score, jid) is True
    assert digest in sim.locks  # only ScheduledSet#delete is patched


def test_delete_by_jid_is_not_patched_even_on_the_schedule() -> None:
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    entry = sim.scheduled.find_job(jid)
    assert entry is not None
    assert sim.scheduled.delete_by_jid(entry.score, jid) is True
    assert sim.locks.holders(digest) == (jid,)


def test_reschedule_keeps_the_lock() -> None:
    sim = unique_sim()
    jid, digest = _scheduled(sim, lock_job("until_executed"))
    sim.scheduled.reschedule(jid, sim.time + 60)
    assert sim.locks.holders(digest) == (jid,)


def test_a_while_executing_job_deleted_from_its_queue_releases_the_base_digest_only() -> None:
    # The gem works the digest out again from the hash: the :RUN suffix is not part of it.
    sim = unique_sim()
    job_class = lock_job("while_executing")
    with sim:
        jid = job_class.perform_async("ok")
    job: Any = sim.queue().find_job(jid)
    run_digest = job["lock_digest"]
    base = run_digest.removesuffix(":RUN")
    table = sim.locks._table
    table.lock(base, "x", sim.time, lock_type="until_executed", ttl=None)
    table.lock(run_digest, "y", sim.time, lock_type="while_executing", ttl=None)
    assert sim.queue().delete(jid) is True
    assert sim.locks.digests == [run_digest]


def test_enterprise_locks_stay_when_a_job_is_deleted() -> None:
    # Sidekiq Enterprise does not patch the API (wiki: removing a job from the retry set does
    # not remove its lock; sidekiq/sidekiq#5576 for a queued job).
    sim = unique_sim("enterprise_unique_jobs")

    class Ent(jobsim.Job, unique_for=600):
        def perform(self, n: int) -> None:
            pass

    with sim:
        jid = Ent.perform_async(1)
    assert sim.queue().delete(jid) is True
    assert len(sim.locks) == 1
