"""The guides' Redis rate-limit middleware, as written, on the virtual clock.

The guide's Ruby (``RateLimitMiddleware#call(worker, job, queue, redis_pool)``: INCR a
per-class counter, EXPIRE it 60 s on the first hit, raise "Rate limit exceeded" past 100) runs
here in Python against the simulator's own Redis: a fakeredis whose TTLs follow the virtual
clock. 150 reports are enqueued at 09:00; the first 100 run, the other 50 fail and go to
Sidekiq's retry set, and once the counter has expired (60 virtual seconds after the first hit)
their retries get through. The run takes milliseconds, and the same seed gives the same trace.

Run it with ``python examples/redis_rate_limit.py``; the guide is
docs/how-to/redis-middleware.md.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Any

import jobsim
from jobsim.clock import format_time


class RateLimitMiddleware:
    """Server middleware: at most 100 jobs of a class in a 60-second window, else raise."""

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


class ReportWorker(jobsim.Job):
    duration = 0.2  # seconds per report

    def perform(self, report_id: int) -> None:
        pass


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "rate_limit:ReportWorker"


def clock(ts: float) -> str:
    return format_time(ts)[11:19]


def run(seed: int) -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=seed, start=START, concurrency=10)
    sim.server_middleware.add(RateLimitMiddleware)
    with sim:
        for report_id in range(150):
            ReportWorker.perform_async(report_id)
    return sim


def fingerprint(sim: jobsim.Simulator) -> str:
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return hashlib.sha256(out.getvalue().encode()).hexdigest()[:16]


def main() -> None:
    sim = run(seed=7)
    start = sim.time
    print("150 reports enqueued at 09:00:00, 10 threads, limit 100 a minute per class")
    sim.run_until(start + 30)
    failed = sim.trace.of_kind("failed")
    messages = sorted({event.detail["error_message"] for event in failed})
    print(
        f"  by 09:00:30: {len(sim.trace.of_kind('succeeded'))} succeeded, {len(failed)} attempts "
        f"failed {messages}, {sim.retries.size} jobs in the retry set"
    )
    print(f"  counter {int(sim.redis.get(KEY))}, TTL {sim.redis.ttl(KEY)} s")
    first_hit = sim.trace.of_kind("started")[0].ts
    sim.run_until(first_hit + 60)
    print(f"  at {clock(sim.time)}: counter still there: {bool(sim.redis.exists(KEY))}")
    sim.run_until(first_hit + 60.001)
    print(f"  at {clock(sim.time)}.001: counter still there: {bool(sim.redis.exists(KEY))}")
    sim.drain()
    print(
        f"  drained at {clock(sim.time)}: performed {len(sim.trace.of_kind('succeeded'))}, "
        f"failed attempts {sim.stats.failed}, dead {sim.dead.size}"
    )
    again = run(seed=7)
    again.drain()
    print(f"same seed, same trace: {fingerprint(sim) == fingerprint(again)}")


if __name__ == "__main__":
    main()
