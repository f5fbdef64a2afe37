"""Port of sidekiq-unique-jobs v8.1.0 ``spec/sidekiq/api_spec.rb`` and
``spec/sidekiq/retry_set_spec.rb``: the Sidekiq API deletes that release locks
(``sidekiq_unique_ext.rb``), one test per upstream example, its id the upstream file and line.

``api_spec.rb:23`` sends the private ``SortedEntry#remove_job`` with a block that only reads the
job; jobsim reaches ``remove_job`` only through ``retry``, ``add_to_queue`` and ``kill``, so the
port uses ``kill`` (``remove_job`` then ``DeadSet#kill``) and reads the dead job's hash.
``spec/sidekiq/job_spec.rb`` (``Sidekiq::Job.clear_all``) belongs to the gem's opt-in
``sidekiq_unique_jobs/testing`` and is not ported.
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import UniqueJobs

API = "sidekiq-unique-jobs/spec/sidekiq/api_spec.rb"
RETRY_SET = "sidekiq-unique-jobs/spec/sidekiq/retry_set_spec.rb"
THREE_HOURS = 60 * 60 * 3


class JustAWorker(jobsim.Job, lock="until_executed", queue="testqueue"):
    def perform(self, options: dict[str, Any] | None = None) -> Any:
        return options


class MyUniqueJob(jobsim.Job, lock="until_executed", lock_ttl=7200, queue="customqueue"):
    def perform(self, one: int, two: int) -> None:
        pass


def example(path: str, line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("upstream", [f"{path}:{line}"], ids=[f"{path}:{line}"])


def simulator() -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=1, start=1767225600.0, plugins=[UniqueJobs()])
    sim.register(JustAWorker, MyUniqueJob)
    return sim


@example(API, 13)
def test_sorted_entry_delete_deletes_the_uniqueness_lock(upstream: str) -> None:
    sim = simulator()
    with sim:
        assert JustAWorker.perform_in(THREE_HOURS, {"foo": "bar"})
    assert sim.locks.digests != []
    for entry in sim.scheduled:
        entry.delete()
    assert sim.locks.digests == []
    with sim:
        assert JustAWorker.perform_in(THREE_HOURS, {"boo": "far"})


@example(API, 23)
def test_remove_job_deletes_the_uniqueness_lock(upstream: str) -> None:
    sim = simulator()
    with sim:
        assert JustAWorker.perform_in(THREE_HOURS, {"foo": "bar"})
    assert sim.locks.digests != []
    for entry in sim.scheduled:
        entry.kill()
    (dead,) = sim.dead.jobs
    expected = {
        "args": [{"foo": "bar"}],
        "class": "JustAWorker",
        "lock_ttl": None,
        "lock_timeout": 0,
        "queue": "testqueue",
        "retry": True,
        "lock": "until_executed",
        "lock_args": [{"foo": "bar"}],
        "lock_digest": "uniquejobs:1fa0458e74c76c7029b1f4f00bc59ec9",
        "lock_prefix": "uniquejobs",
    }
    assert {key: dead[key] for key in expected} == expected
    assert isinstance(dead["jid"], str)
    assert sim.locks.digests == []
    with sim:
        assert JustAWorker.perform_in(THREE_HOURS, {"boo": "far"})


@example(API, 53)
def test_job_record_delete_deletes_the_uniqueness_lock(upstream: str) -> None:
    sim = simulator()
    with sim:
        jid = JustAWorker.perform_async({"roo": "baf"})
    assert sim.locks.digests != []
    record = sim.queue("testqueue").find_job(jid)
    assert record is not None
    record.delete()
    assert sim.locks.digests == []


@example(API, 62)
def test_queue_clear_deletes_the_uniqueness_locks(upstream: str) -> None:
    sim = simulator()
    with sim:
        JustAWorker.perform_async({"oob": "far"})
    assert sim.locks.digests != []
    sim.queue("testqueue").clear()
    assert sim.locks.digests == []


@example(API, 71)
def test_job_set_clear_deletes_the_uniqueness_locks(upstream: str) -> None:
    # Sidekiq::JobSet.new("schedule") is the schedule set seen through the base class.
    sim = simulator()
    with sim:
        JustAWorker.perform_in(THREE_HOURS, {"roo": "fab"})
    assert sim.locks.digests != []
    sim.scheduled.clear()
    assert sim.locks.digests == []


@example(API, 80)
def test_scheduled_set_clear_deletes_the_uniqueness_locks(upstream: str) -> None:
    sim = simulator()
    with sim:
        JustAWorker.perform_in(THREE_HOURS, {"roo": "fab"})
    assert sim.locks.digests != []
    sim.scheduled.clear()
    assert sim.locks.digests == []


@example(API, 87)
def test_scheduled_set_delete_by_score_deletes_the_uniqueness_locks(upstream: str) -> None:
    sim = simulator()
    with sim:
        JustAWorker.perform_in(THREE_HOURS, {"roo": "fab"})
    assert sim.locks.digests != []
    for entry in sim.scheduled:
        sim.scheduled.delete(entry.score, entry.jid)
    assert sim.locks.digests == []


@example(RETRY_SET, 41)
def test_retry_all_puts_a_locked_job_back_on_its_queue(upstream: str) -> None:
    sim = simulator()
    with sim:
        first = MyUniqueJob.perform_async(1, 2)
    queued = sim.queue("customqueue").find_job(str(first))
    assert queued is not None
    digest = queued["lock_digest"]
    sim.queue("customqueue").clear()
    job = {
        "args": [1, 2],
        "class": "MyUniqueJob",
        "failed_at": sim.time,
        "jid": "ajobid",
        "lock": "until_executed",
        "lock_ttl": 7200,
        "queue": "customqueue",
        "retry_at": sim.time + 360,
        "retry_count": 1,
        "lock_digest": digest,
    }
    sim._restore.entry("retry", sim.time + 360, job)  # zadd("retry", retry_at, item)
    table = sim.locks._table  # locksmith.lock: the job's own jid holds the digest
    assert table.lock(digest, "ajobid", sim.time, lock_type="until_executed", ttl=7200)
    assert len(sim.retries) == 1
    assert len(sim.queue("customqueue")) == 0
    sim.retries.retry_all()
    assert len(sim.queue("customqueue")) == 1
    assert len(sim.retries) == 0
