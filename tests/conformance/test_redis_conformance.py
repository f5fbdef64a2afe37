"""jobsim.redis against real Sidekiq 6.4.1 on a real redis-server: both read what the other wrote.

``sidekiq_redis.rb`` runs Sidekiq's own read API (``Sidekiq::Stats``, ``Queue``,
``ScheduledSet``, ``RetrySet``, ``DeadSet``) over a database of the fixture's private Redis and,
when asked, first fills it the way a Ruby application and Sidekiq's machinery do
(``Sidekiq::Client.push``, ``perform_in``/``perform_at``, ``JobRetry#local``, ``DeadSet#kill``).

* jobsim writes (``jobsim.redis.Client`` with the "sidekiq-6.4" profile, ``save_state`` of a
  simulator with queued, scheduled, retry and dead jobs): Sidekiq must report the same sizes,
  classes, args, jids, scores, retry counts, errors and queue names, with each member's text
  exactly what jobsim wrote.
* Sidekiq writes: ``load_state`` must put every job into the simulator with every field, and a
  ``save_state`` of that simulator (with the loaded daily counters) into a second database must
  give back the same keys and members, byte for byte, at the same scores, which Sidekiq's API
  then reads the same.

Each case starts from a FLUSHDB of its own database numbers, so the other conformance tests
(database 0) and earlier cases leave nothing behind.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.redis import Client, load_state, redis_time, save_state

redis_py = pytest.importorskip("redis")

HERE = Path(__file__).resolve().parent
RUBY_SCRIPT = HERE / "sidekiq_redis.rb"
PROFILE = "sidekiq-6.4"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
#: Databases of the fixture's server this module uses (the other conformance tests use 0).
DB_A, DB_B = 3, 4

Seen = dict[str, Any]


@dataclass
class Database:
    """One flushed database of the private Redis, and the Ruby script pointed at it."""

    number: int
    redis: Any
    sidekiq: Any
    tmp_path: Path

    def run_sidekiq(self, *, produce: bool = False) -> dict[str, Any]:
        """Run ``sidekiq_redis.rb`` on this database; its JSON document."""
        case = self.tmp_path / f"case-{self.number}.json"
        case.write_text(json.dumps({"db": self.number, "produce": produce}), encoding="utf-8")
        result: dict[str, Any] = self.sidekiq.run_ruby(RUBY_SCRIPT, case)
        assert str(result.get("sidekiq_version", "")).startswith("6.4."), result
        return result

    def seen(self) -> Seen:
        """What Sidekiq's API reports for this database."""
        seen: Seen = self.run_sidekiq()["seen"]
        return seen


def _database(sidekiq_ruby: Any, tmp_path: Path, number: int) -> Iterator[Database]:
    base = sidekiq_ruby.redis_url.rsplit("/", 1)[0]
    client = redis_py.Redis.from_url(f"{base}/{number}")
    client.flushdb()
    try:
        yield Database(number, client, sidekiq_ruby, tmp_path)
    finally:
        client.close()


@pytest.fixture
def db(sidekiq_ruby: Any, tmp_path: Path) -> Iterator[Database]:
    """Database ``DB_A``, flushed."""
    yield from _database(sidekiq_ruby, tmp_path, DB_A)


@pytest.fixture
def db_b(sidekiq_ruby: Any, tmp_path: Path) -> Iterator[Database]:
    """Database ``DB_B``, flushed."""
    yield from _database(sidekiq_ruby, tmp_path, DB_B)


# -- helpers -----------------------------------------------------------------------------------


def raw_keyspace(redis: Any) -> dict[str, Any]:
    """Every key of the database with its exact content (members as bytes, in Redis's order)."""
    content: dict[str, Any] = {}
    for key in sorted(redis.scan_iter(count=1000)):
        kind = redis.type(key).decode()
        name = key.decode()
        if kind == "set":
            content[name] = sorted(redis.smembers(key))
        elif kind == "list":
            content[name] = redis.lrange(key, 0, -1)
        elif kind == "zset":
            content[name] = redis.zrange(key, 0, -1, withscores=True)
        elif kind == "string":
            content[name] = redis.get(key)
        else:  # pragma: no cover - Sidekiq's job layout has no other kinds
            content[name] = kind
    return content


def set_records(seen: Seen, key: str) -> list[tuple[float, dict[str, Any]]]:
    """``(score, item)`` of one of Sidekiq's sorted sets, in JobSet#each order."""
    return [(job["score"], job["item"]) for job in seen[key]["jobs"]]


def assert_record_matches_item(record: dict[str, Any]) -> None:
    """Sidekiq's accessors agree with the item it parsed (and the item with the raw member)."""
    item = record["item"]
    assert json.loads(record["value"]) == item
    assert record["jid"] == item["jid"]
    assert record["klass"] == item["class"]
    assert record["args"] == item["args"]
    assert record["retry_count"] == item.get("retry_count")
    assert record["error_class"] == item.get("error_class")
    assert record["error_message"] == item.get("error_message")


# -- (a) jobsim writes, Sidekiq reads ----------------------------------------------------------


class Mailer(jobsim.Job, queue="mailers", retry=3):
    def perform(self, user_id: int) -> None: ...


def test_sidekiq_reads_jobs_pushed_by_the_jobsim_client(db: Database) -> None:
    counter = iter(range(1, 1000))
    client = Client(
        db.redis,
        profile=PROFILE,
        clock=lambda: START + 0.125,
        jids=lambda: f"{next(counter):024x}",
    )
    pushed = {
        "hash": client.push({"class": "HardJob", "args": [1, "two", {"k": [None, True, 2.5]}]}),
        "unicode": client.push({"class": "HardJob", "args": ["ü ✓ \u2028", -0.5, 10**15]}),
        "options": client.push(
            {
                "class": "Billing::Invoice",
                "args": [],
                "queue": "critical",
                "retry": 7,
                "tags": ["py"],
                "custom": {"tenant": 42},
            }
        ),
        "job_class": client.push({"class": Mailer, "args": [5]}),
        "scheduled": client.push({"class": "LaterJob", "args": [6], "at": START + 3600.75}),
        "scheduled_queue": client.push(
            {"class": "LaterJob", "args": [7], "at": START + 86400, "queue": "low"}
        ),
    }
    assert all(pushed.values())
    seen = db.seen()

    assert seen["stats"] == {
        "processed": 0,
        "failed": 0,
        "enqueued": 4,
        "scheduled_size": 2,
        "retry_size": 0,
        "dead_size": 0,
        "queues": {"default": 2, "critical": 1, "mailers": 1},
    }
    queues = {queue["name"]: queue for queue in seen["queues"]}
    assert sorted(queues) == ["critical", "default", "mailers"]
    by_jid = {job["jid"]: job for queue in seen["queues"] for job in queue["jobs"]}
    for queue in seen["queues"]:
        assert queue["size"] == len(queue["jobs"])
        raw = db.redis.lrange(f"queue:{queue['name']}", 0, -1)
        assert [job["value"].encode() for job in queue["jobs"]] == raw  # the exact text
        for job in queue["jobs"]:
            assert_record_matches_item(job)
            assert job["queue"] == queue["name"]
            assert job["enqueued_at"] == START + 0.125
            assert job["created_at"] == START + 0.125
    # Queue#each reads from the head: the newest push first.
    assert [job["jid"] for job in queues["default"]["jobs"]] == [pushed["unicode"], pushed["hash"]]
    assert by_jid[pushed["hash"]]["args"] == [1, "two", {"k": [None, True, 2.5]}]
    assert by_jid[pushed["unicode"]]["args"] == ["ü ✓ \u2028", -0.5, 10**15]
    options = by_jid[pushed["options"]]
    assert (options["klass"], options["queue"]) == ("Billing::Invoice", "critical")
    assert options["item"]["retry"] == 7
    assert options["item"]["tags"] == ["py"]
    assert options["item"]["custom"] == {"tenant": 42}
    mailer = by_jid[pushed["job_class"]]
    assert (mailer["klass"], mailer["queue"], mailer["item"]["retry"]) == ("Mailer", "mailers", 3)

    schedule = seen["schedule"]
    assert schedule["size"] == 2
    assert [job["jid"] for job in schedule["jobs"]] == [
        pushed["scheduled_queue"],
        pushed["scheduled"],
    ]
    for job, at, queue in zip(
        schedule["jobs"], (START + 86400, START + 3600.75), ("low", "default"), strict=True
    ):
        assert_record_matches_item(job)
        assert job["score"] == at
        assert job["at"] == pytest.approx(at, abs=1e-6)  # Time.at(score) rounds to ns
        assert job["queue"] == queue
        assert job["enqueued_at"] is None  # set by Sidekiq's Enq when it comes due
        assert "at" not in job["item"]
    assert seen["retry"] == {"name": "retry", "size": 0, "jobs": []}
    assert seen["dead"] == {"name": "dead", "size": 0, "jobs": []}


class Charge(jobsim.Job, backtrace=3):
    def perform(self, order: int) -> None:
        if order < 0:
            msg = f"card declined for order {order}"
            raise RuntimeError(msg)


class Refund(jobsim.Job, queue="payments", retry=1):
    def perform(self, order: int) -> None:
        msg = f"refund {order} rejected"
        raise ValueError(msg)


def busy_simulator() -> jobsim.Simulator:
    """Queued jobs in three queues, two scheduled, two retrying, two dead, counters moved."""
    sim = jobsim.Simulator(seed=11, profile=PROFILE)
    with sim:
        Charge.perform_async(-1)  # fails: retry set
        Charge.set(retry=0).perform_async(-2)  # dies at once
        Refund.perform_async(3)  # fails, retries once, then dies
        Charge.perform_in(3600, 5)
        Charge.set(queue="critical").perform_in(7200.5, 6)
        Charge.perform_async(1)  # succeeds
    sim.run_due()
    sim.advance(120)  # Refund's one retry comes due and dies
    with sim:
        Refund.perform_async(9)  # a second entry in the retry set
    sim.run_due()
    with sim:
        Charge.perform_async(7)
        Charge.perform_async(8)
        Charge.set(queue="low").perform_async("ü")
        Charge.perform_in(30, 10)
    return sim


def test_sidekiq_reads_a_saved_simulator_state(db: Database) -> None:
    sim = busy_simulator()
    assert not sim.running
    assert sim.queues
    assert min(len(sim.scheduled), len(sim.retries), len(sim.dead)) >= 2
    save_state(sim, db.redis)
    seen = db.seen()

    sizes = {name: sim.queue(name).size for name in sim.queues}
    assert seen["stats"] == {
        "processed": sim.stats.processed,
        "failed": sim.stats.failed,
        "enqueued": sum(sizes.values()),
        "scheduled_size": len(sim.scheduled),
        "retry_size": len(sim.retries),
        "dead_size": len(sim.dead),
        "queues": sizes,
    }
    assert sorted(queue["name"] for queue in seen["queues"]) == sorted(sim.queues)
    for queue in seen["queues"]:
        jobs = sim.queue(queue["name"]).jobs
        assert queue["size"] == len(jobs)
        # Sidekiq reads from the head (newest); jobsim lists the oldest first.
        assert [job["item"] for job in queue["jobs"]] == [dict(job) for job in reversed(jobs)]
        for job in queue["jobs"]:
            assert_record_matches_item(job)
            assert job["queue"] == queue["name"]
            assert job["enqueued_at"] == job["item"]["enqueued_at"]

    for key, view in (("schedule", sim.scheduled), ("retry", sim.retries), ("dead", sim.dead)):
        assert seen[key]["size"] == len(view), key
        # Both iterate highest score first.
        assert set_records(seen, key) == [(entry.score, dict(entry.job)) for entry in view], key
        for job, entry in zip(seen[key]["jobs"], view, strict=True):
            assert_record_matches_item(job)
            assert job["at"] == pytest.approx(entry.score, abs=1e-6)
            assert job["jid"] == entry.jid
            assert job["klass"] == entry.klass
            assert job["queue"] == entry.job["queue"]
            assert job["retry_count"] == entry.job.get("retry_count")
    for key in ("retry", "dead"):
        for job in seen[key]["jobs"]:
            assert job["error_class"] in ("RuntimeError", "ValueError")
            assert job["error_message"]
    # Sidekiq decodes jobsim's compressed backtraces (Charge keeps 3 lines).
    backtraces = [
        job["error_backtrace"]
        for key in ("retry", "dead")
        for job in seen[key]["jobs"]
        if job["klass"] == "Charge" and job["error_backtrace"] is not None
    ]
    assert backtraces
    assert all(isinstance(lines, list) and 0 < len(lines) <= 3 for lines in backtraces)


# -- (b) Sidekiq writes, jobsim reads ----------------------------------------------------------


class HardJob(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


def loaded_simulator(redis: Any) -> tuple[jobsim.Simulator, Any]:
    sim = jobsim.Simulator(seed=5, profile=PROFILE, start=redis_time(redis))
    sim.register(HardJob)
    with pytest.warns(jobsim.JobsimWarning, match="kept unchanged") as caught:
        report = load_state(redis, sim)
    assert len(caught) == 1
    return sim, report


def test_jobsim_loads_what_real_sidekiq_wrote(db: Database, db_b: Database) -> None:
    result = db.run_sidekiq(produce=True)
    produced, seen = result["produced"], result["seen"]
    before = raw_keyspace(db.redis)
    sim, report = loaded_simulator(db.redis)

    # Every job, every field, in order.
    assert sorted(sim.queues) == sorted(queue["name"] for queue in seen["queues"])
    for queue in seen["queues"]:
        loaded = [dict(job) for job in sim.queue(queue["name"]).jobs]
        assert loaded == [job["item"] for job in reversed(queue["jobs"])], queue["name"]
    for key, view in (("schedule", sim.scheduled), ("retry", sim.retries), ("dead", sim.dead)):
        assert [(entry.score, dict(entry.job)) for entry in view] == set_records(seen, key), key
    assert (sim.stats.processed, sim.stats.failed) == (12, 4)
    assert report.counts == {
        "queue:critical": 1,
        "queue:default": 2,
        "queue:low": 1,
        "schedule": 2,
        "retry": 2,
        "dead": 2,
    }
    assert report.unknown_classes == {
        "Billing::Invoice": 1,
        "DoomedJob": 1,
        "FlakyJob": 3,
        "LaterJob": 2,
    }
    assert (report.processed, report.failed) == (12, 4)
    assert sorted(report.daily.values()) == [4, 12]

    # The fields Sidekiq's machinery wrote are all there.
    jobs = {entry.jid: entry.job for view in (sim.retries, sim.dead) for entry in view}
    first, again = jobs[produced["retry_first"]], jobs[produced["retry_again"]]
    assert (first["retry_count"], first["error_class"]) == (0, "ArgumentError")
    assert first["error_message"] == "card declined ü"
    assert "failed_at" in first
    assert "retried_at" not in first
    assert isinstance(first["error_backtrace"], str)
    assert (again["retry_count"], again["error_message"]) == (1, "still failing")
    assert "retried_at" in again
    assert jobs[produced["exhausted"]]["error_class"] == "IOError"
    assert jobs[produced["killed"]]["error_message"] == "bad card"
    assert {entry.jid for entry in sim.dead} == {produced["exhausted"], produced["killed"]}
    scheduled = {entry.jid: entry for entry in sim.scheduled}
    assert set(scheduled) == {produced["perform_in"], produced["perform_at"]}
    assert scheduled[produced["perform_at"]].job["queue"] == "critical"

    # Saved again into a second database: the same keys, members byte for byte, same scores.
    save_state(sim, db_b.redis, daily=report.daily)
    after = raw_keyspace(db_b.redis)
    assert after == before
    assert raw_keyspace(db.redis) == before  # loading never writes
    # ... and Sidekiq's API reads the copy exactly as it read the original.
    assert db_b.seen() == seen


def test_a_loaded_sidekiq_state_runs_forward(db: Database) -> None:
    result = db.run_sidekiq(produce=True)
    sim, _ = loaded_simulator(db.redis)
    start = sim.time
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jobsim.JobsimWarning)
        sim.advance(2 * 86400)
    assert sim.time == start + 2 * 86400
    assert len(sim.scheduled) == 0  # perform_in(1h) and perform_at(+1d) both came due
    succeeded = {event.jid for event in sim.trace.of_kind("succeeded")}
    assert result["produced"]["push_hash"] in succeeded  # HardJob is registered
    assert result["produced"]["push_class"] in succeeded
    # Classes only Ruby knows fail as Sidekiq fails them (NameError), never vanish.
    failed = sim.trace.of_kind("failed")
    assert failed
    assert {event.detail["error_class"] for event in failed} == {"NameError"}
    assert result["produced"]["perform_async"] in {event.jid for event in failed}  # LaterJob
    assert len(sim.dead) >= 2
