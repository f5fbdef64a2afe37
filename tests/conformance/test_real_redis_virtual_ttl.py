"""The guide's rate-limit middleware on a REAL redis-server, its TTLs on the virtual clock.

A real server cannot follow the virtual clock, so ``jobsim.redis.RealRedis`` keeps the TTLs of
the keys written through ``sim.redis`` itself (``VirtualTimeRedis``). Run on the conformance
fixture's private redis-server, the middleware must see exactly what it sees on the
simulator's fakeredis: the same trace, byte for byte, and no TTL left on the server.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis as redis_py

import jobsim
from jobsim.redis import RealRedis

#: A database no other conformance test uses (they take 3 to 6).
DB = 9
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RateLimitMiddleware:
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


class Export(jobsim.Job):
    duration = 0.2

    def perform(self, n: int) -> None:
        pass


@pytest.fixture
def server(sidekiq_ruby: Any) -> Iterator[Any]:
    base = sidekiq_ruby.redis_url.rsplit("/", 1)[0]
    client = redis_py.Redis.from_url(f"{base}/{DB}")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


def run(plugins: list[Any]) -> tuple[jobsim.Simulator, str]:
    sim = jobsim.Simulator(seed=4, start=START, concurrency=10, plugins=plugins)
    sim.server_middleware.add(RateLimitMiddleware)
    with sim:
        for n in range(150):
            Export.perform_async(n)
    sim.run_until(sim.time + 30)
    assert sim.redis.ttl("rate_limit:Export") == 30
    sim.drain()
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return sim, out.getvalue()


def test_the_rate_limit_runs_the_same_on_a_real_server(server: Any) -> None:
    on_server, trace = run([RealRedis(server)])
    _, on_fakeredis = run([])
    assert trace == on_fakeredis
    assert len(on_server.trace.of_kind("failed")) > 50
    assert server.ttl("rate_limit:Export") in (-1, -2)  # never a TTL of the server's own


def test_time_on_a_real_server_is_the_virtual_clock(server: Any) -> None:
    sim = jobsim.Simulator(start=START, plugins=[RealRedis(server)])
    assert sim.redis.time() == (int(START.timestamp()), 0)
    seconds, _ = server.time()
    assert seconds != int(START.timestamp())  # the server's own clock is the real one
