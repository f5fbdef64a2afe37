"""The lifecycle table (reference/cron-and-gems.md §4.2): when each of the five lock types is
held, for each outcome: success, a failure that retries, death, ``kill`` and ``discard``."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.unique_jobs import UniqueJobs
from tests.unique_jobs.helpers import lock_job, unique_sim

CLIENT_LOCKS = ("until_executing", "until_executed", "until_expired", "until_and_while_executing")
ALL_LOCKS = (*CLIENT_LOCKS, "while_executing")


def push(lock: str, mode: str, **options: Any) -> tuple[Any, type, str, str]:
    sim = unique_sim(profile=options.pop("profile", "sidekiq-8"))
    job_class = lock_job(lock, **options)
    with sim:
        jid = job_class.perform_async(mode)
    assert jid is not None
    digest = sim.queue().jobs[0]["lock_digest"]
    return sim, job_class, jid, digest


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_after_the_push(lock: str) -> None:
    sim, _, jid, digest = push(lock, "ok")
    if lock == "while_executing":
        assert digest.endswith(":RUN")
        assert sim.locks.digests == []  # nothing is locked until perform
    else:
        assert sim.locks.digests == [digest]
        assert sim.locks.holders(digest) == (jid,)


# lock -> digests held while perform runs (C: the push lock, R: the runtime lock)
DURING = {
    "until_executing": "",
    "until_executed": "C",
    "until_expired": "C",
    "while_executing": "R",
    "until_and_while_executing": "R",
}


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_while_perform_runs(lock: str) -> None:
    sim, job_class, _, digest = push(lock, "ok")
    sim.drain()
    expected = []
    if DURING[lock] == "C":
        expected = [digest]
    elif DURING[lock] == "R":
        expected = [digest if digest.endswith(":RUN") else digest + ":RUN"]
    assert job_class.seen == [expected]  # type: ignore[attr-defined]


# lock -> held after success / after a failure that went to the retry set
AFTER_SUCCESS = {
    "until_executing": False,
    "until_executed": False,
    "until_expired": True,
    "while_executing": False,
    "until_and_while_executing": False,
}
AFTER_FAILURE = {
    "until_executing": True,  # locked again (wait 0) before the error goes on
    "until_executed": True,  # kept
    "until_expired": True,
    "while_executing": False,  # released in ensure
    "until_and_while_executing": True,  # the push lock again; the runtime lock released
}


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_after_success(lock: str) -> None:
    sim, _, _jid, digest = push(lock, "ok")
    sim.drain()
    assert sim.stats.processed == 1
    assert (digest in sim.locks) is AFTER_SUCCESS[lock]


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_after_a_failure_that_retries(lock: str) -> None:
    sim, _, jid, digest = push(lock, "fail")
    sim.run_due()
    assert sim.locate(jid) == "retry"
    held = sorted(sim.locks.digests)
    assert held == ([digest] if AFTER_FAILURE[lock] else [])
    if held:
        assert sim.locks.holders(digest) == (jid,)


@pytest.mark.parametrize("lock", CLIENT_LOCKS)
def test_the_retry_passes_its_own_lock(lock: str) -> None:
    sim, job_class, jid, _digest = push(lock, "fail", retry=1)
    sim.drain()
    assert sim.locate(jid) == "dead"
    assert len(job_class.seen) == 2  # type: ignore[attr-defined]
    assert sim.trace.of_kind("lock_conflict") == []


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_death_deletes_the_digest(lock: str) -> None:
    sim, _, jid, _digest = push(lock, "fail", retry=0)
    sim.drain()
    assert sim.locate(jid) == "dead"
    assert sim.locks.digests == []


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_kill_deletes_the_digest(lock: str) -> None:
    sim, _, jid, _digest = push(lock, "fail")
    sim.run_due()
    sim.retries.kill(jid)
    assert sim.locate(jid) == "dead"
    assert sim.locks.digests == []


@pytest.mark.parametrize("profile", ["sidekiq-7", "sidekiq-8"])
@pytest.mark.parametrize("lock", CLIENT_LOCKS)
def test_discard_releases_only_where_sidekiq_runs_death_handlers(lock: str, profile: str) -> None:
    sim, _, jid, digest = push(lock, "discard", profile=profile)
    sim.run_due()
    assert sim.locate(jid) == "discarded"
    # Sidekiq 8 calls the death handlers for a retry_in :discard, 7 does not: the lock leaks
    # until its TTL or the reaper.
    assert (digest in sim.locks) is (profile == "sidekiq-7")


def test_until_expired_ends_by_ttl_only() -> None:
    sim, _, _jid, digest = push("until_expired", "ok", lock_ttl=60)
    sim.drain()
    assert sim.locks.get(digest).expires_at == sim.time + 60  # type: ignore[union-attr]
    sim.advance(59)
    assert digest in sim.locks
    sim.advance(1)
    assert digest not in sim.locks


def test_a_scheduled_push_extends_the_ttl_by_its_delay() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed", lock_ttl=100)
    with sim:
        jid = job_class.perform_in(3600, "ok")
    (entry,) = sim.scheduled
    assert entry.job["lock_ttl"] == 3700
    digest = entry.job["lock_digest"]
    assert sim.locks.get(digest).expires_at == sim.time + 3700  # type: ignore[union-attr]
    with sim:
        assert job_class.perform_in(60, "ok") is None
    sim.drain()
    assert sim.locate(jid) == "done"
    assert sim.locks.digests == []


def test_a_runtime_lock_is_held_for_the_virtual_duration() -> None:
    sim = unique_sim(concurrency=2)
    job_class = lock_job("while_executing", on_conflict="reschedule")
    job_class.duration = 30
    with sim:
        first = job_class.perform_async("ok")
        second = job_class.perform_async("ok")
    sim.run_due()
    (conflict,) = sim.trace.of_kind("lock_conflict")
    assert conflict.jid == second
    assert conflict.detail["holder"] == first
    assert conflict.detail["strategy"] == "reschedule"
    sim.drain()
    assert len(job_class.seen) == 2  # type: ignore[attr-defined]
    assert sim.locks.digests == []


def test_a_crash_keeps_a_runtime_lock_until_the_reaper_removes_it() -> None:
    sim = unique_sim(UniqueJobs(reaper_interval=60))
    job_class = lock_job("while_executing")
    job_class.duration = 30
    with sim:
        jid = job_class.perform_async("ok")
    sim.run_until(sim.time + 1)
    sim.crash()
    assert sim.locate(jid) == "lost"
    (digest,) = sim.locks.digests
    sim.start()
    sim.advance(58)
    assert digest in sim.locks  # the reaper's first run is at 60 s
    sim.advance(2)  # at 60 s the digest is older than 10 + 10 s and no job carries it
    assert digest not in sim.locks


def test_shutdown_runs_ensure_and_releases_the_runtime_lock() -> None:
    sim = unique_sim()
    job_class = lock_job("while_executing")
    job_class.duration = 60
    with sim:
        jid = job_class.perform_async("ok")
    sim.run_until(sim.time + 1)
    assert len(sim.locks) == 1
    assert sim.shutdown(timeout=5) == [jid]
    assert sim.locks.digests == []
