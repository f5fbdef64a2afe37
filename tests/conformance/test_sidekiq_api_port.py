"""Port of Sidekiq's data API tests: ``test/test_api.rb`` (v6.4.1), ``test/api_test.rb``
(v7.3.10 and v8.1.7, the tags ``jobsim.profiles`` names).

An example present on several tags is one test run once per tag, under that tag's profile; its
id names the upstream file, line and tag (``test/test_api.rb:349@v6.4.1``). Upstream writes
Redis directly to set the scene (``conn.zadd("retry", ...)``, ``conn.set("stat:processed",
5)``); the port uses ``sim._restore`` (what the Redis bridge loads a saved state with) where a
job hash must be placed as is, and runs real jobs where counts are needed. ``Time.stub`` is the
virtual clock. ``Sidekiq::Queue.new`` is ``sim.queue()``, ``ScheduledSet``/``RetrySet``/
``DeadSet`` are ``sim.scheduled``/``sim.retries``/``sim.dead``, ``Stats`` is ``sim.stats``.

Not applicable (Ruby-only or process mechanics jobsim has no counterpart for), not ported:

* "retrieves the number of busy workers", "can enumerate processes", "can enumerate workers",
  "prunes processes which have died", "can find processes", "can't quiet or stop embedded
  processes", "can find a work by jid", and 8.1.7's process signal, leader and aggregate
  examples (:689, :762, :773, :783, :789, :925, :932, :941, :950): the heartbeats of real
  processes in Redis. jobsim's one simulated process shows its work as ``sim.running``.
* test_api.rb:276 "unwraps delayed jobs": the delay extensions, which no profile has.
* 8.1.7:360, :373, :379 (a JobRecord built from a JSON string, a malformed one, or a Hash kept
  by identity): jobsim's records wrap the job hashes it holds; nothing is parsed.
* 8.1.7:400's second half (the memoized nil is an instance variable); its first half is ported.
* 8.1.7:1037 "can show profile records" (Vernier profiles) and :1058 "runs load hooks".
* 8.1.7:145 "queue_summaries": not built (``sim.stats.queues`` and each queue's ``latency``
  give the same figures).
"""

from __future__ import annotations

import base64
import enum
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.payload import dumps
from jobsim.retry import encode_backtrace

#: (tag, upstream file, profile) in the order the line numbers are given.
TAGS = (
    ("v6.4.1", "test/test_api.rb", "sidekiq-6.4"),
    ("v7.3.10", "test/api_test.rb", "sidekiq-7"),
    ("v8.1.7", "test/api_test.rb", "sidekiq-8"),
)
START = datetime(2012, 12, 26, tzinfo=UTC)


def upstream(v6: int | None, v7: int | None, v8: int | None) -> pytest.MarkDecorator:
    """One test per tag that has the example, named after its line and run on its profile."""
    cases = [
        pytest.param(profile, id=f"{path}:{line}@{tag}")
        for (tag, path, profile), line in zip(TAGS, (v6, v7, v8), strict=True)
        if line is not None
    ]
    return pytest.mark.parametrize("profile", cases)


class ApiWorker(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class WorkerWithTags(jobsim.Job, tags=["foo"]):
    def perform(self) -> None:
        pass


class Boom(jobsim.Job, retry=False):
    def perform(self) -> None:
        raise RuntimeError("boom")


@pytest.fixture
def sim(profile: str) -> Iterator[jobsim.Simulator]:
    # "other" is the only queue served, so jobs in "default" wait while the clock moves (the
    # upstream tests have no process running).
    with jobsim.Simulator(profile=profile, start=START, queues=["other"]) as simulator:
        yield simulator


def add_retry(sim: jobsim.Simulator, jid: str = "bob", at: float | None = None) -> None:
    """Upstream's ``add_retry``: a raw retry entry, its backtrace a raw list of lines."""
    job = {
        "class": "ApiWorker",
        "args": [1, "mike"],
        "queue": "default",
        "jid": jid,
        "retry_count": 2,
        "failed_at": sim.time,
        "error_backtrace": ["line1", "line2"],
    }
    sim._restore.entry("retry", sim.time if at is None else at, job)


def run_jobs(sim: jobsim.Simulator, job_class: type[jobsim.Job], count: int, at: float) -> None:
    """``count`` executions of ``job_class`` at ``at`` (served from queue "other")."""
    for _ in range(count):
        job_class.set(queue="other").perform_at(at)
    sim.run_until(at)


# -- stats -----------------------------------------------------------------------------------


@upstream(13, 49, 50)
def test_is_initially_zero(sim: jobsim.Simulator) -> None:
    stats = sim.stats
    assert (stats.processed, stats.failed, stats.enqueued) == (0, 0, 0)
    assert stats.default_queue_latency == 0
    assert len(sim.running) == 0  # workers_size


@upstream(23, 59, 61)
def test_returns_number_of_processed_jobs(sim: jobsim.Simulator) -> None:
    run_jobs(sim, ApiWorker, 5, sim.time + 1)
    assert sim.stats.processed == 5


@upstream(31, 67, 69)
def test_returns_number_of_failed_jobs(sim: jobsim.Simulator) -> None:
    run_jobs(sim, Boom, 5, sim.time + 1)
    assert sim.stats.failed == 5


@pytest.fixture
def counted(sim: jobsim.Simulator) -> jobsim.Simulator:
    sim._restore.stats(processed=5, failed=10)  # conn.set('stat:processed', 5) ...
    return sim


@upstream(46, 82, 84)
def test_will_reset_all_stats_by_default(counted: jobsim.Simulator) -> None:
    counted.stats.reset()
    assert (counted.stats.failed, counted.stats.processed) == (0, 0)


@upstream(53, 89, 91)
def test_can_reset_individual_stats(counted: jobsim.Simulator) -> None:
    counted.stats.reset("failed")
    assert (counted.stats.failed, counted.stats.processed) == (0, 5)


class Stat(enum.StrEnum):
    FAILED = "failed"


@upstream(60, 96, 98)
def test_can_accept_anything_that_responds_to_to_s(counted: jobsim.Simulator) -> None:
    counted.stats.reset(Stat.FAILED)  # a Symbol's counterpart: a str enum
    assert (counted.stats.failed, counted.stats.processed) == (0, 5)


@upstream(67, 103, 105)
@pytest.mark.xfail(
    strict=True,
    raises=jobsim.InvalidArgument,
    reason="jobsim refuses a stat name it does not know (Sidekiq ignores it), so a typo such "
    "as reset('proccessed') cannot pass silently",
)
def test_ignores_anything_other_than_failed_or_processed(counted: jobsim.Simulator) -> None:
    counted.stats.reset(list(range(1, 11)), ["failed"])  # type: ignore[arg-type]
    assert (counted.stats.failed, counted.stats.processed) == (0, 5)


@upstream(89, 124, 126)
def test_queues_is_initially_empty(profile: str) -> None:
    # Without a queue list: a served queue is listed from the start (size 0), while Redis's
    # "queues" set only holds queues pushed to.
    assert len(jobsim.Simulator(profile=profile).stats.queues) == 0


@upstream(94, 129, 131)
def test_returns_a_hash_of_queue_and_size_in_order(profile: str) -> None:
    sim = jobsim.Simulator(profile=profile)  # no queue list: only queues holding jobs
    sim._restore.queue("foo", [{}])
    sim._restore.queue("bar", [{}, {}, {}])
    assert sim.stats.queues == {"foo": 1, "bar": 3}
    assert next(iter(sim.stats.queues)) == "bar"


@upstream(112, 143, 172)
def test_handles_latency_for_good_jobs(sim: jobsim.Simulator) -> None:
    sim._restore.queue("default", [{"enqueued_at": sim.time}])
    sim.advance(1)
    assert sim.stats.default_queue_latency > 0
    assert sim.queue().latency > 0


@upstream(123, 154, 183)
def test_handles_latency_for_incomplete_jobs(sim: jobsim.Simulator) -> None:
    sim._restore.queue("default", [{}])
    sim.advance(1)
    assert sim.stats.default_queue_latency == 0
    assert sim.queue().latency == 0


@upstream(134, 165, 194)
def test_returns_total_enqueued_jobs(sim: jobsim.Simulator) -> None:
    sim._restore.queue("foo", [{}])
    sim._restore.queue("bar", [{}, {}, {}])
    assert sim.stats.enqueued == 4


@upstream(160, 191, 220)
def test_history_does_not_allow_invalid_input(sim: jobsim.Simulator) -> None:
    for days in (-1, 0, 2000):
        with pytest.raises(jobsim.InvalidArgument):
            sim.stats.history(days)
    assert sim.stats.history(200)


def at_day(day: int, hour: float = 0.5) -> float:
    return datetime(2012, 12, day, tzinfo=UTC).timestamp() + hour * 3600


def history_case(sim: jobsim.Simulator, job_class: type[jobsim.Job], stat: str) -> None:
    """4 on the 24th, 1 on the 25th, 6 on the 26th, 2 on the 27th; read on the 26th at
    1:00 -0500 (06:00 UTC), then, after the 27th, from the 25th back."""
    sim2 = jobsim.Simulator(profile=sim.profile, start=at_day(24, 0), queues=["other"])
    with sim2:
        for day, count in ((24, 4), (25, 1), (26, 6)):
            run_jobs(sim2, job_class, count, at_day(day))
        sim2.run_until(at_day(26, 6))

        def read(days: int, start: date | None = None) -> dict[str, int]:
            counts: dict[str, int] = getattr(sim2.stats.history(days, start), stat)
            return counts

        assert read(2) == {"2012-12-26": 6, "2012-12-25": 1}
        assert read(3) == {"2012-12-26": 6, "2012-12-25": 1, "2012-12-24": 4}
        run_jobs(sim2, job_class, 2, at_day(27))
        assert read(2, date(2012, 12, 25)) == {"2012-12-25": 1, "2012-12-24": 4}
        assert list(read(2, date(2012, 12, 25))) == ["2012-12-25", "2012-12-24"]


@upstream(169, 200, 229)
def test_history_processed_retrieves_hash_of_dates(sim: jobsim.Simulator) -> None:
    history_case(sim, ApiWorker, "processed")


@upstream(190, 221, 250)
def test_history_failed_retrieves_hash_of_dates(sim: jobsim.Simulator) -> None:
    history_case(sim, Boom, "failed")


# -- queues and sets -------------------------------------------------------------------------


@upstream(213, 244, 273)
def test_shows_queue_as_empty(sim: jobsim.Simulator) -> None:
    queue = sim.queue()
    assert (queue.size, queue.latency) == (0, 0)


@upstream(243, 255, 285)
def test_can_enumerate_jobs(sim: jobsim.Simulator) -> None:
    queue = sim.queue()
    ApiWorker.perform_async(1, "mike")
    assert [job.klass for job in queue] == ["ApiWorker"]
    job = next(iter(queue))
    assert len(job.jid) == 24
    assert job.args == [1, "mike"]
    assert job.enqueued_at == START
    sim.advance(10_000_001)  # upstream leaves the stub: years pass
    assert queue.latency > 10_000_000
    assert sim.queue("other").size == 0


@upstream(260, 272, 303)
def test_enumerates_jobs_in_descending_score_order(sim: jobsim.Simulator) -> None:
    for index in range(51):
        sim.advance(0.001 * index)
        ApiWorker.perform_in(100, 1, "foo")
    entries = list(sim.scheduled)
    assert entries == sorted(entries, key=lambda entry: -entry.score)
    assert [entry.score for entry in entries] == sorted(
        (entry.score for entry in entries), reverse=True
    )


@upstream(270, 282, 313)
def test_has_no_enqueued_at_time_for_jobs_enqueued_in_the_future(sim: jobsim.Simulator) -> None:
    job = sim.scheduled.find_job(str(ApiWorker.perform_in(100, 1, "foo")))
    assert job is not None
    assert job.enqueued_at is None


@upstream(335, 314, 345)
def test_has_no_enqueued_at_time_for_jobs_enqueued_in_the_future_again(
    sim: jobsim.Simulator,
) -> None:
    test_has_no_enqueued_at_time_for_jobs_enqueued_in_the_future(sim)


@upstream(285, None, None)
def test_handles_previous_raw_array_error_backtrace_format(sim: jobsim.Simulator) -> None:
    add_retry(sim)
    assert next(iter(sim.retries)).error_backtrace == ["line1", "line2"]


@upstream(291, None, None)
@pytest.mark.xfail(
    strict=True,
    raises=jobsim.InvalidPayload,
    reason="jobsim never unmarshals Ruby data (Marshal can build any Ruby object); a Marshal "
    "backtrace, written by Sidekiq before 6.0, is refused with a message saying so",
)
def test_handles_previous_marshalled_array_error_backtrace_format(sim: jobsim.Simulator) -> None:
    # Marshal.dump(["line1", "line2"]) as Ruby 2.7-3.x writes it
    marshalled = b'\x04\x08[\x07I"\nline1\x06:\x06ETI"\nline2\x06;\x00T'
    encoded = base64.encodebytes(zlib.compress(marshalled)).decode()
    job = {"class": "ApiWorker", "args": [1], "queue": "default", "jid": "jid"}
    sim._restore.entry("retry", sim.time, {**job, "error_backtrace": encoded})
    assert next(iter(sim.retries)).error_backtrace == ["line1", "line2"]


#: Upstream's SERIALIZED_JOBS: what Rails 5.x and 6.x wrote for a job and a mail.
RAILS_JOBS = {
    "5.x": [
        '{"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"ApiJob","queue":"default","args":[{"job_class":"ApiJob","job_id":"f1bde53f-3852-4ae4-a879-c12eacebbbb0","provider_job_id":null,"queue_name":"default","priority":null,"arguments":[1,2,3],"executions":0,"locale":"en"}],"retry":true,"jid":"099eee72911085a511d0e312","created_at":1568305542.339916,"enqueued_at":1568305542.339947}',
        '{"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"ActionMailer::DeliveryJob","queue":"mailers","args":[{"job_class":"ActionMailer::DeliveryJob","job_id":"19cc0115-3d1c-4bbe-a51e-bfa1385895d1","provider_job_id":null,"queue_name":"mailers","priority":null,"arguments":["ApiMailer","test_email","deliver_now",1,2,3],"executions":0,"locale":"en"}],"retry":true,"jid":"37436e5504936400e8cf98db","created_at":1568305542.370133,"enqueued_at":1568305542.370241}',
    ],
    "6.x": [
        '{"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"ApiJob","queue":"default","args":[{"job_class":"ApiJob","job_id":"ff2b48d4-bdce-4825-af6b-ef8c11ab651e","provider_job_id":null,"queue_name":"default","priority":null,"arguments":[1,2,3],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2019-09-12T16:28:37Z"}],"retry":true,"jid":"ce121bf77b37ae81fe61b6dc","created_at":1568305717.9469702,"enqueued_at":1568305717.947005}',
        '{"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","wrapped":"ActionMailer::MailDeliveryJob","queue":"mailers","args":[{"job_class":"ActionMailer::MailDeliveryJob","job_id":"2f967da1-a389-479c-9a4e-5cc059e6d65c","provider_job_id":null,"queue_name":"mailers","priority":null,"arguments":["ApiMailer","test_email","deliver_now",{"args":[1,2,3],"_aj_symbol_keys":["args"]}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2019-09-12T16:28:37Z"}],"retry":true,"jid":"469979df52bb9ef9f48b49e1","created_at":1568305717.9457421,"enqueued_at":1568305717.9457731}',
    ],
}


def record_of(sim: jobsim.Simulator, text: str, queue: str) -> Any:
    import json

    sim._restore.queue(queue, [json.loads(text)])
    return next(iter(sim.queue(queue)))


@pytest.mark.parametrize("rails", ["5.x", "6.x"])
@upstream(317, 290, 321)
def test_unwraps_active_job_jobs(sim: jobsim.Simulator, rails: str) -> None:
    record = record_of(sim, RAILS_JOBS[rails][0], "default")
    assert record.display_class == "ApiJob"
    assert record.display_args == [1, 2, 3]


@pytest.mark.parametrize("rails", ["5.x", "6.x"])
@upstream(325, 298, 329)
def test_unwraps_action_mailer_jobs(sim: jobsim.Simulator, rails: str) -> None:
    record = record_of(sim, RAILS_JOBS[rails][1], "mailers")
    assert record.display_class == "ApiMailer#test_email"
    assert record.display_args == [1, 2, 3]


@upstream(341, 320, 351)
def test_returns_tags_field_for_jobs(sim: jobsim.Simulator) -> None:
    found = sim.queue().find_job(str(ApiWorker.perform_async()))
    assert found is not None
    assert found.tags == []
    tagged = sim.queue().find_job(str(WorkerWithTags.perform_async()))
    assert tagged is not None
    assert tagged.tags == ["foo"]


@upstream(349, 328, 426)
def test_can_delete_jobs(sim: jobsim.Simulator) -> None:
    queue = sim.queue()
    ApiWorker.perform_async(1, "mike")
    assert queue.size == 1
    job = next(iter(queue))
    assert job.display_class == "ApiWorker"
    assert job.display_args == [1, "mike"]
    assert [job.delete() for job in queue] == [True]
    assert queue.size == 0


def moved_to_queue(sim: jobsim.Simulator, remain_id: str, job_id: str) -> None:
    job = sim.scheduled.find_job(job_id)
    assert job is not None
    job.add_to_queue()
    queued = sim.queue().find_job(job_id)
    assert queued is not None
    assert queued.jid == job_id
    assert sim.scheduled.find_job(job_id) is None
    assert sim.scheduled.find_job(remain_id) is not None


@upstream(362, 341, 439)
def test_can_move_scheduled_job_to_queue(sim: jobsim.Simulator) -> None:
    remain_id = str(ApiWorker.perform_in(100, 1, "jason"))
    job_id = str(ApiWorker.perform_in(100, 1, "jason"))
    moved_to_queue(sim, remain_id, job_id)


@upstream(375, 354, 452)
def test_handles_multiple_scheduled_jobs_when_moving_to_queue(sim: jobsim.Simulator) -> None:
    jids = sim.push_bulk({"class": ApiWorker, "args": [[1, "jason"], [2, "jason"]], "at": sim.time})
    assert len(jids) == 2
    remain_id, job_id = (str(jid) for jid in jids)
    moved_to_queue(sim, remain_id, job_id)


@upstream(None, None, 468)
def test_can_enqueue_many_pages_of_jobs_when_paginated(sim: jobsim.Simulator) -> None:
    jids = sim.push_bulk({"class": ApiWorker, "args": [[] for _ in range(200)], "at": sim.time})
    assert len(jids) == 200
    assert sim.scheduled.size == 200
    for entry in sim.scheduled:
        entry.add_to_queue()
    assert sim.scheduled.size == 0


@upstream(391, 370, 480)
def test_can_kill_a_scheduled_job(sim: jobsim.Simulator) -> None:
    job = sim.scheduled.find_job(str(ApiWorker.perform_in(100, 1, '{"foo":123}')))
    assert job is not None
    assert sim.dead.size == 0
    job.kill()
    assert sim.dead.size == 1


@upstream(400, 379, 489)
def test_can_find_a_scheduled_job_by_jid(sim: jobsim.Simulator) -> None:
    for index in range(10):
        ApiWorker.perform_in(index, 1)
    job_id = str(ApiWorker.perform_in(5, 1))
    job = sim.scheduled.find_job(job_id)
    assert job is not None
    assert job.jid == job_id
    ApiWorker.perform_in(100, 1, {"jid": "jid_in_args"})
    assert sim.scheduled.find_job("jid_in_args") is None


@upstream(413, 392, 502)
def test_can_remove_jobs_when_iterating_over_a_sorted_set(sim: jobsim.Simulator) -> None:
    for _ in range(51):
        ApiWorker.perform_in(100, "aaron")
    assert all(entry.delete() for entry in sim.scheduled)
    assert sim.scheduled.size == 0


@upstream(423, 402, 512)
def test_can_remove_jobs_when_iterating_over_a_queue(sim: jobsim.Simulator) -> None:
    for _ in range(51):
        ApiWorker.perform_async(1, "aaron")
    assert all(job.delete() for job in sim.queue())
    assert sim.queue().size == 0


@upstream(433, 412, 522)
def test_can_find_job_by_id_in_queues(sim: jobsim.Simulator) -> None:
    job_id = str(ApiWorker.perform_async(1, "jason"))
    job = sim.queue().find_job(job_id)
    assert job is not None
    assert job.jid == job_id


@upstream(441, 420, 530)
def test_can_clear_a_queue(sim: jobsim.Simulator) -> None:
    for _ in range(2):
        ApiWorker.perform_async(1, "mike")
    sim.queue().clear()
    assert sim.queue().size == 0
    assert "foo" not in sim.stats.queues


@upstream(452, 431, 541)
def test_can_fetch_by_score(sim: jobsim.Simulator) -> None:
    add_retry(sim, "bob1", sim.time)
    add_retry(sim, "bob2", sim.time)
    assert len(sim.retries.fetch(sim.time)) == 2


@upstream(460, 439, 549)
def test_can_fetch_by_score_and_jid(sim: jobsim.Simulator) -> None:
    add_retry(sim, "bob1", sim.time)
    add_retry(sim, "bob2", sim.time)
    assert len(sim.retries.fetch(sim.time, "bob1")) == 1


def three_retries(sim: jobsim.Simulator) -> float:
    same_time = sim.time
    for offset, jid in enumerate(("bob1", "bob2", "bob3")):
        add_retry(sim, jid, same_time + offset)
    return same_time


@upstream(468, 447, 557)
def test_can_fetch_by_score_range(sim: jobsim.Simulator) -> None:
    same_time = three_retries(sim)
    assert len(sim.retries.fetch((same_time, same_time + 1))) == 2


@upstream(478, 457, 567)
def test_can_fetch_by_score_range_and_jid(sim: jobsim.Simulator) -> None:
    same_time = three_retries(sim)
    jobs = sim.retries.fetch((same_time, same_time + 1), "bob2")
    assert len(jobs) == 1
    assert jobs[0].jid == "bob2"


@upstream(490, 469, 579)
def test_shows_empty_retries(sim: jobsim.Simulator) -> None:
    assert sim.retries.size == 0


@upstream(495, 474, 584)
def test_can_enumerate_retries(sim: jobsim.Simulator) -> None:
    add_retry(sim)
    assert sim.retries.size == 1
    entries = list(sim.retries)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.klass, entry.queue, entry.jid) == ("ApiWorker", "default", "bob")
    assert entry.at.timestamp() == pytest.approx(sim.time, abs=0.02)


@upstream(510, 490, 600)
def test_requires_a_jid_to_delete_an_entry(sim: jobsim.Simulator) -> None:
    start_time = sim.time
    add_retry(sim, "bob2", sim.time)
    with pytest.raises(jobsim.InvalidArgument, match="needs the jid"):
        sim.retries.delete(start_time)


@upstream(518, 498, 608)
def test_can_delete_a_single_retry_from_score_and_jid(sim: jobsim.Simulator) -> None:
    add_retry(sim, "bob1", sim.time)
    add_retry(sim, "bob2", sim.time)
    assert sim.retries.size == 2
    assert sim.retries.delete(sim.time, "bob1") is True
    assert sim.retries.size == 1
    assert [entry.jid for entry in sim.retries] == ["bob2"]


@upstream(528, 508, 618)
def test_can_retry_a_retry(sim: jobsim.Simulator) -> None:
    add_retry(sim)
    assert sim.retries.size == 1
    assert next(iter(sim.retries)).retry() is True
    assert sim.retries.size == 0
    assert sim.queue("default").size == 1
    job = next(iter(sim.queue("default")))
    assert job.jid == "bob"
    assert job["retry_count"] == 1


@upstream(540, 520, 630)
def test_can_clear_retries(sim: jobsim.Simulator) -> None:
    add_retry(sim)
    add_retry(sim, "test")
    assert sim.retries.size == 2
    sim.retries.clear()
    assert sim.retries.size == 0


@upstream(549, 529, 639)
def test_can_scan_retries(sim: jobsim.Simulator) -> None:
    add_retry(sim)
    add_retry(sim, "test")
    assert isinstance(sim.retries.scan("Worker"), Iterator)
    assert len(list(sim.retries.scan("ApiWorker"))) == 2
    assert len(list(sim.retries.scan("*test*"))) == 1


@upstream(633, 691, 862)
def test_can_reschedule_jobs(sim: jobsim.Simulator) -> None:
    add_retry(sim, "foo1")
    add_retry(sim, "foo2")
    assert sim.retries.size == 2
    assert not any(entry.score > sim.time + 9 for entry in sim.retries)
    for entry in sim.retries:
        if entry.jid == "foo1":
            entry.reschedule(sim.now + timedelta(seconds=15))
        if entry.jid == "foo2":
            entry.reschedule(sim.time + 10)
    assert sim.retries.size == 2
    assert any(entry.score > sim.time + 9 for entry in sim.retries)
    assert any(entry.score > sim.time + 14 for entry in sim.retries)


@upstream(None, None, 882)
def test_keeps_the_in_memory_entry_consistent_after_reschedule(sim: jobsim.Simulator) -> None:
    add_retry(sim, "foo1")
    entry = next(iter(sim.retries))
    new_score = sim.time + 500
    entry.reschedule(datetime.fromtimestamp(new_score, UTC))
    assert entry.score == pytest.approx(new_score, abs=0.001)
    assert entry.at.timestamp() == pytest.approx(new_score, abs=0.001)


# -- the error information API (8.1.7) -------------------------------------------------------


def retry_entry(sim: jobsim.Simulator, job: Mapping[str, Any]) -> Any:
    sim._restore.entry("retry", sim.time, {"args": [], **job})
    return sim.retries.find_job(str(job.get("jid")))


@upstream(None, None, 392)
def test_decompresses_the_stored_error_backtrace(sim: jobsim.Simulator) -> None:
    stored = encode_backtrace(["a.rb:1", "b.rb:2"], strict=True)
    record = retry_entry(sim, {"class": "X", "jid": "x1", "error_backtrace": stored})
    assert record.error_backtrace == ["a.rb:1", "b.rb:2"]


@upstream(None, None, 400)
def test_returns_nil_for_error_backtrace_when_none_was_stored(sim: jobsim.Simulator) -> None:
    record = retry_entry(sim, {"class": "X", "jid": "x1"})
    assert record.error_backtrace is None


@upstream(None, None, 407)
def test_sorted_entry_error_reflects_the_presence_of_error_class(sim: jobsim.Simulator) -> None:
    with_error = retry_entry(sim, {"class": "X", "jid": "x1", "error_class": "RuntimeError"})
    without_error = retry_entry(sim, {"class": "X", "jid": "x2"})
    assert with_error.has_error
    assert not without_error.has_error


@upstream(None, None, 418)
def test_sorted_entry_inherits_error_backtrace_decompression(sim: jobsim.Simulator) -> None:
    stored = encode_backtrace(["only-line.rb:1"], strict=True)
    record = retry_entry(sim, {"class": "X", "jid": "x1", "error_backtrace": stored})
    assert record.error_backtrace == ["only-line.rb:1"]


@upstream(None, None, 367)
def test_redacts_the_final_argument_when_the_job_is_marked_encrypted(
    sim: jobsim.Simulator,
) -> None:
    payload = {"class": "X", "args": ["a", "b", "secret"], "queue": "default", "encrypt": True}
    sim._restore.queue("default", [payload])
    assert next(iter(sim.queue())).display_args == ["a", "b", "[encrypted data]"]


# -- the dead set (7.3.10, 8.1.7) ------------------------------------------------------------


def scheduled_value(sim: jobsim.Simulator) -> str:
    """``job.value``: the JSON of a scheduled job."""
    job = sim.scheduled.find_job(str(ApiWorker.perform_in(100, 1, '{"foo":123}')))
    assert job is not None
    return dumps(dict(job))


@upstream(None, 735, 961)
def test_dead_set_can_kill_a_job(sim: jobsim.Simulator) -> None:
    seen: list[str] = []
    sim.death_handlers.append(lambda job, ex: seen.append(str(ex)))
    value = scheduled_value(sim)
    assert sim.dead.size == 0
    assert sim.dead.kill(value) is True
    assert sim.dead.size == 1
    assert seen == ["Job killed by API"]


@upstream(None, 751, 977)
def test_dead_set_can_kill_a_job_without_notifying_failure(sim: jobsim.Simulator) -> None:
    seen: list[str] = []
    sim.death_handlers.append(lambda job, ex: seen.append(str(ex)))
    value = scheduled_value(sim)
    sim.dead.kill(value, notify_failure=False)
    assert sim.dead.size == 1
    assert seen == []


@upstream(None, 765, 991)
def test_dead_set_can_kill_a_job_with_a_custom_exception(sim: jobsim.Simulator) -> None:
    seen: list[str] = []
    sim.death_handlers.append(lambda job, ex: seen.append(str(ex)))
    value = scheduled_value(sim)
    sim.dead.kill(value, ex=ValueError("custom error"))
    assert sim.dead.size == 1
    assert seen == ["custom error"]


@upstream(None, 781, 1007)
def test_dead_set_can_retry_and_kill_all_safely(profile: str) -> None:
    dead_count, retry_count = 1000, 500
    with jobsim.Simulator(
        profile=profile, start=START, queues=["other"], dead_max_jobs=dead_count
    ) as sim:
        for index in range(dead_count):
            job = {"class": "ApiWorker", "args": [1, "mike"], "queue": "default"}
            sim._restore.entry("dead", sim.time, {**job, "jid": f"{index:024x}"})
        for _ in range(retry_count):
            add_retry(sim)
        assert (sim.dead.size, sim.retries.size) == (dead_count, retry_count)
        sim.dead.retry_all()
        assert sim.dead.size == 0
        assert sim.queue().size == dead_count
        sim.retries.kill_all()
        assert (sim.dead.size, sim.retries.size) == (retry_count, 0)


# -- what the profiles change, beyond the upstream examples ----------------------------------


def test_sidekiq_6_ignores_the_exception_given_to_dead_kill() -> None:
    with jobsim.Simulator(profile="sidekiq-6.4") as sim:
        seen: list[str] = []
        sim.death_handlers.append(lambda job, ex: seen.append(str(ex)))
        sim.dead.kill({"class": "X", "args": [], "jid": "j"}, ex=ValueError("custom error"))
    assert seen == ["Job killed by API"]


@pytest.mark.parametrize("profile", ["sidekiq-7", "sidekiq-8"])
def test_sidekiq_7_and_later_refuse_a_raw_list_backtrace(profile: str) -> None:
    with jobsim.Simulator(profile=profile) as sim:
        add_retry(sim)
        with pytest.raises(jobsim.InvalidPayload, match=r"only Sidekiq 6\.x reads"):
            _ = next(iter(sim.retries)).error_backtrace


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"])
def test_each_profile_reads_back_what_it_wrote(profile: str) -> None:
    class Fails(jobsim.Job, backtrace=True):
        def perform(self) -> None:
            raise RuntimeError("no")

    with jobsim.Simulator(profile=profile) as sim:
        Fails.perform_async()
        sim.run_due()
        entry = next(iter(sim.retries))
    assert entry.has_error
    lines = entry.error_backtrace
    assert lines is not None
    assert lines[0].endswith("in `perform'")
    assert ("\n" in entry["error_backtrace"]) is (profile == "sidekiq-6.4")
