"""A simulator's own Redis for user middleware: ``sim.redis``, ``sim.redis_pool`` and the
``call(worker, job, queue, redis_pool, call_next)`` form, on the virtual clock (issue #19)."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.errors import InvalidArgument
from jobsim.middleware import Chain
from jobsim.redis import Client, RedisPool, fake_redis
from jobsim.redis_pool import REDIS_POOL

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "rate_limit:Report"


class RateLimitMiddleware:
    """The guide's middleware, as written."""

    def call(
        self, worker: Any, job: dict[str, Any], queue: str, redis_pool: Any, call_next: Any
    ) -> Any:
        key = f"rate_limit:{type(worker).__name__}"
        with redis_pool.with_() as conn:
            count = conn.incr(key)
            if count == 1:
                conn.expire(key, 60)
            if count > 100:
                raise RuntimeError("Rate limit exceeded")
        return call_next()


class Report(jobsim.Job):
    duration = 0.2

    def perform(self, report_id: int) -> None:
        pass


def limited(seed: int = 3, jobs: int = 150) -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=seed, start=START, concurrency=10)
    sim.server_middleware.add(RateLimitMiddleware)
    with sim:
        for n in range(jobs):
            Report.perform_async(n)
    return sim


def trace_text(sim: jobsim.Simulator) -> str:
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return out.getvalue()


# -- the clock --------------------------------------------------------------------------------


def test_ttls_and_time_follow_the_virtual_clock() -> None:
    sim = jobsim.Simulator(start=START)
    redis = sim.redis
    assert redis.time() == (int(START.timestamp()), 0)
    redis.set("k", 1, ex=60)
    redis.incr("n")
    redis.pexpire("n", 1500)
    sim.advance(timedelta(seconds=1))
    assert redis.ttl("k") == 59
    assert redis.pttl("n") == 500
    assert redis.time() == (int(START.timestamp()) + 1, 0)
    sim.advance(0.5)
    assert redis.get("n") == b"1"  # at its deadline, not yet past it (Redis's rule)
    sim.advance(0.001)
    assert redis.get("n") is None
    sim.advance(58.5)
    assert redis.exists("k") == 0


def test_transactions_follow_the_virtual_clock_too() -> None:
    sim = jobsim.Simulator(start=START)
    pipe = sim.redis.pipeline(transaction=True)
    pipe.incr("k").expire("k", 10).ttl("k")
    assert pipe.execute() == [1, True, 10]
    sim.advance(10.5)
    assert sim.redis.get("k") is None


def test_each_simulator_has_a_redis_of_its_own() -> None:
    first, second = jobsim.Simulator(), jobsim.Simulator(start=START)
    first.redis.set("shared?", "first")
    assert second.redis.get("shared?") is None
    assert first.redis is first.redis_pool.connection
    assert first.stash[REDIS_POOL] is first.redis_pool


def test_the_connection_is_made_on_first_use() -> None:
    sim = jobsim.Simulator()
    assert not sim.redis_pool.connected
    assert "not yet made" in repr(sim.redis_pool)
    sim.redis.ping()
    assert sim.redis_pool.connected


def test_fake_redis_with_a_clock() -> None:
    now = [1_000.0]
    redis = fake_redis(clock=lambda: now[0])
    redis.set("k", 1, px=10)
    now[0] += 0.011
    assert redis.get("k") is None
    clock = jobsim.VirtualClock(START)
    assert fake_redis(clock=clock).time() == (int(START.timestamp()), 0)


def test_hash_field_ttls_are_refused_since_fakeredis_times_them_by_the_wall_clock() -> None:
    sim = jobsim.Simulator()
    with pytest.raises(InvalidArgument, match=r"HEXPIRE on a virtual-clock fakeredis.*EXPIRE"):
        sim.redis.hexpire("h", 10, "field")
    pipe = sim.redis.pipeline(transaction=True)
    pipe.set("before", 1).hexpire("h", 10, "field")
    with pytest.raises(InvalidArgument, match="HEXPIRE"):
        pipe.execute()
    assert sim.redis.get("before") is None  # nothing of the transaction ran
    assert sim.redis.set("after", 1)  # and the connection works on


# -- the pool ---------------------------------------------------------------------------------


def test_the_pool_lends_its_connection_three_ways() -> None:
    sim = jobsim.Simulator()
    pool = sim.redis_pool
    with pool.with_() as conn:
        conn.set("a", 1)
    assert pool.with_(lambda conn: conn.get("a")) == b"1"
    with pool as conn:
        assert conn is sim.redis
    with pytest.raises(InvalidArgument, match=r"with_\('conn'\): pass a callable"):
        pool.with_("conn")  # type: ignore[call-overload]


def test_a_pool_over_a_given_connection_refuses_another() -> None:
    redis = fake_redis()
    pool = RedisPool.of(redis, name="mine")
    assert pool.connected
    assert pool.connection is redis
    pool.use(redis)  # the same one: fine
    with pytest.raises(InvalidArgument, match="mine: its connection is already in use"):
        pool.use(fake_redis())


# -- middleware that takes redis_pool ---------------------------------------------------------


def test_the_101st_job_in_a_minute_fails_and_sidekiq_retries_it() -> None:
    sim = limited()
    sim.run_until(sim.time + 10)
    assert len(sim.trace.of_kind("succeeded")) == 100
    failed = sim.trace.of_kind("failed")
    assert len(failed) == 50
    assert {event.detail["error_message"] for event in failed} == {"Rate limit exceeded"}
    assert sim.retries.size == 50
    assert int(sim.redis.get(KEY)) == 150
    assert sim.redis.ttl(KEY) == 50
    sim.drain()
    assert len(sim.trace.of_kind("succeeded")) == 150
    assert sim.dead.size == 0


def test_the_counter_expires_sixty_virtual_seconds_after_the_first_hit() -> None:
    sim = limited()
    first_hit = sim.trace.of_kind("enqueued")[-1].ts  # the first job starts at once
    sim.run_until(first_hit + 60)
    assert sim.redis.exists(KEY) == 1
    assert sim.redis.pttl(KEY) == 0
    sim.run_until(first_hit + 60.001)
    assert sim.redis.exists(KEY) == 0
    sim.drain()
    # each retry that ran after the window opened again got through
    late = [e for e in sim.trace.of_kind("succeeded") if e.ts > first_hit + 60]
    assert len(late) == 50


def test_the_same_seed_gives_the_same_trace_byte_for_byte() -> None:
    runs = []
    for _ in range(2):
        sim = limited(seed=11)
        sim.drain()
        runs.append(trace_text(sim))
    assert runs[0] == runs[1]
    other = limited(seed=12)
    other.drain()
    assert trace_text(other) != runs[0]  # the retries' jitter is drawn from the seed


def test_client_middleware_gets_the_pool_too() -> None:
    class CountPushes:
        def call(
            self, job_class: Any, job: Any, queue: str, redis_pool: Any, call_next: Any
        ) -> Any:
            redis_pool.with_(lambda conn: conn.incr(f"pushes:{queue}"))
            return call_next()

    sim = jobsim.Simulator()
    sim.client_middleware.add(CountPushes)
    with sim:
        Report.perform_async(1)
        Report.set(queue="low").perform_async(2)
    assert sim.redis.mget("pushes:default", "pushes:low") == [b"1", b"1"]


def test_a_redis_middleware_that_stops_is_named_in_the_trace() -> None:
    class Gate:
        def call(self, worker: Any, job: Any, queue: str, redis_pool: Any, call_next: Any) -> Any:
            return None if redis_pool.with_(lambda conn: conn.exists("closed")) else call_next()

    sim = jobsim.Simulator()
    sim.server_middleware.add(Gate)
    sim.redis.set("closed", 1)
    with sim:
        Report.perform_async(1)
    sim.drain()
    assert sim.trace.of_kind("succeeded")[0].detail == {"skipped_by": "Gate"}


def test_the_producer_client_lends_its_own_redis() -> None:
    class Stamp:
        def call(
            self, job_class: Any, job: Any, queue: str, redis_pool: Any, call_next: Any
        ) -> Any:
            job["seq"] = redis_pool.with_(lambda conn: conn.incr("seq"))
            return call_next()

    redis = fake_redis()
    client = Client(redis)
    client.middleware.add(Stamp)
    client.push({"class": "HardJob", "args": [1]})
    assert redis.get("seq") == b"1"


def test_plain_middleware_keeps_four_arguments() -> None:
    class Plain:
        def call(self, worker: Any, job: Any, queue: str, call_next: Any) -> Any:
            return call_next()

    class Flexible:
        def call(self, *args: Any) -> Any:
            return args[-1]()

    sim = jobsim.Simulator()
    sim.server_middleware.add(Plain)
    sim.server_middleware.add(Flexible)
    with sim:
        Report.perform_async(1)
    assert sim.drain() == 1
    assert not sim.redis_pool.connected  # nobody asked for Redis: none was made


# -- bad input --------------------------------------------------------------------------------


def test_five_arguments_without_the_name_are_refused_when_added() -> None:
    class Unnamed:
        def call(self, worker: Any, job: Any, queue: str, pool: Any, call_next: Any) -> Any:
            return call_next()

    sim = jobsim.Simulator()
    with pytest.raises(InvalidArgument, match=r"Unnamed.call\(worker, job, queue, pool, call_next\)"
                       r" takes five arguments: name the fourth redis_pool"):  # fmt: skip
        sim.server_middleware.add(Unnamed)
    assert Unnamed not in sim.server_middleware


def test_redis_pool_in_the_wrong_place_is_refused() -> None:
    class Misplaced:
        def call(self, redis_pool: Any, worker: Any, job: Any, queue: str, call_next: Any) -> Any:
            return call_next()

    with pytest.raises(InvalidArgument, match="redis_pool must be the fourth parameter"):
        jobsim.Simulator().client_middleware.add(Misplaced)


def test_a_chain_without_a_redis_refuses_a_redis_middleware() -> None:
    with pytest.raises(InvalidArgument, match="this client chain has no Redis"):
        Chain("client").add(RateLimitMiddleware)


@pytest.fixture
def without_fakeredis(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if ``jobsim[redis]`` were not installed (the module cache forgets fakeredis)."""
    monkeypatch.setitem(sys.modules, "fakeredis", None)  # type: ignore[arg-type]
    monkeypatch.delitem(sys.modules, "jobsim.redis_clock", raising=False)


@pytest.mark.usefixtures("without_fakeredis")
def test_without_the_extra_sim_redis_names_it() -> None:
    sim = jobsim.Simulator()
    with pytest.raises(InvalidArgument, match=r"sim.redis needs fakeredis.*jobsim\[redis\]"):
        sim.redis.ping()


@pytest.mark.usefixtures("without_fakeredis")
def test_without_the_extra_a_redis_middleware_is_refused_when_added() -> None:
    sim = jobsim.Simulator()
    with pytest.raises(InvalidArgument, match=r"RateLimitMiddleware \(it takes redis_pool\) needs"
                       r" fakeredis.*pip install 'jobsim\[redis\]'"):  # fmt: skip
        sim.server_middleware.add(RateLimitMiddleware)
