"""``lock_timeout`` and a runtime lock held by another job: sidekiq-unique-jobs 8.1.0 does not wait.

``Locksmith#execute`` runs ``queue.lua`` first; with the lock's places all held it returns the
holder's jid, ``Locksmith#enqueue`` then does not yield, and the blocking pop that
``lock_timeout`` bounds (``primed_async``: 0 and nil become 1 s, at most
``MAX_BLOCKING_WAIT`` = 5 s) is never reached. So whatever ``lock_timeout`` says, the server
strategy applies the instant the job starts, and its worker slot is not held for a wait.
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import UniqueJobs
from tests.unique_jobs.helpers import unique_sim


def _import_class(**options: Any) -> type[jobsim.Job]:
    class Import(jobsim.Job, lock="while_executing", **options):
        duration = 30

        def perform(self, account: int) -> None:
            pass

    return Import


@pytest.mark.parametrize("timeout", [None, 0, 1, 3, 60])
def test_a_held_runtime_lock_is_a_conflict_at_once_whatever_the_lock_timeout(
    timeout: float | None,
) -> None:
    job_class = _import_class(lock_timeout=timeout, on_conflict="raise")
    sim = unique_sim(concurrency=2)
    with sim:
        holder = job_class.perform_async(1)
        waiter = job_class.perform_async(1)
    start = sim.time
    sim.run_until(start + 1)
    (conflict,) = sim.trace.of_kind("lock_conflict")
    assert conflict.jid == waiter
    assert conflict.detail["holder"] == holder
    assert conflict.ts == start  # not at the holder's release (start + 30), not after a wait
    sim.run_until(start + 31)
    (failed,) = sim.trace.of_kind("failed")
    assert failed.jid == waiter
    assert failed.detail["error_class"] == "SidekiqUniqueJobs::Conflict"


def test_the_plugin_default_lock_timeout_does_not_make_a_wait_either() -> None:
    job_class = _import_class()
    sim = unique_sim(UniqueJobs(lock_timeout=None), concurrency=2)
    with sim:
        job_class.perform_async(1)
        waiter = job_class.perform_async(1)
    queued = sim.queue().find_job(waiter)
    assert queued is not None
    assert queued["lock_timeout"] is None  # the hash says "wait forever"...
    sim.run_until(sim.time + 1)
    (conflict,) = sim.trace.of_kind("lock_conflict")
    assert conflict.jid == waiter  # ...and the job is dropped at once (no strategy: silently)
    assert conflict.ts == sim.time - 1


def test_a_free_runtime_lock_is_taken_at_once() -> None:
    job_class = _import_class(lock_timeout=5)
    sim = unique_sim()
    with sim:
        jid = job_class.perform_async(1)
    sim.drain()
    assert sim.trace.of_kind("lock_conflict") == []
    assert sim.locate(jid) == "done"
