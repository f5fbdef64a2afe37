"""Mid-size throttled runs whose whole outcome is pinned (see test_throttle_pinned.py).

Each scenario builds its own classes and simulator, runs it, and is summarised by
:func:`outcome`: every trace row (kind, exact time, jid, detail), the per-class counts, every
limit's state, the clock and the totals. The digests in ``pinned_runs.json`` were taken on
the one-refusal-at-a-time gate, before refusals were batched, so a faster gate must give the
same runs bit for bit.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import jobsim
from jobsim.throttled import Throttled, throttles
from tests.conftest import START


def job_class(
    name: str, throttle: dict[str, Any] | None, seconds: float = 0.0, fail: int | None = None
) -> type[jobsim.Job]:
    def perform(self: Any, index: int, *rest: Any) -> None:
        if fail is not None and index % fail == 0:
            raise RuntimeError(f"job {index} fails")

    options: dict[str, Any] = {"throttle": throttle} if throttle else {}
    return type(name, (jobsim.Job,), {"perform": perform, "duration": seconds}, **options)


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def outcome(sim: jobsim.Simulator) -> dict[str, Any]:
    """Everything observable about a finished run, with the trace as a digest."""
    digest = hashlib.sha256()
    for event in sim.trace:
        row = [event.kind, event.ts.hex(), event.jid, _canonical(dict(event.detail))]
        digest.update(json.dumps(row, sort_keys=True).encode())
        digest.update(b"\n")
    view = throttles(sim)
    state = {
        key: {
            "running": view.running(key),
            "window": [at.hex() for at in view.window(key)],
            "backlog": view.backlog(key).hex(),
        }
        for key in view.keys()  # noqa: SIM118 (a view, not a dict)
    }
    state_digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
    return {
        "time": (sim.time - START).hex(),
        "trace_total": sim.trace.total,
        "kinds": dict(sorted(Counter(sim.trace.kinds()).items())),
        "counts": _canonical(view.summary()),
        "queued": {name: sim.queue(name).size for name in sorted(sim.queues)},
        "trace": digest.hexdigest(),
        "limits": state_digest,
    }


LIMITED = {"concurrency": {"limit": 5}, "threshold": {"limit": 100, "period": 60}}


def bench_like(**plugin: Any) -> jobsim.Simulator:
    """The benchmark's run, 600 jobs: 5 at a time, 100 a minute, 25 threads, 1 s each."""
    klass = job_class("Limited", LIMITED, 1.0)
    sim = jobsim.Simulator(start=START, concurrency=25, plugins=[Throttled(**plugin)])
    with sim:
        for index in range(600):
            klass.perform_async(index)
    sim.drain()
    return sim


def mixed_queue() -> jobsim.Simulator:
    """Throttled and unthrottled jobs interleaved in one queue, and a second throttle."""
    slow = job_class(
        "Slow", {"concurrency": {"limit": 2}, "threshold": {"limit": 30, "period": 60}}, 3.0
    )
    free = job_class("Free", None, 0.5)
    other = job_class("Other", {"threshold": {"limit": 10, "period": 20}}, 0.0)
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Throttled()])
    with sim:
        for index in range(300):
            (slow, slow, free, other, slow)[index % 5].perform_async(index)
    sim.drain()
    return sim


def two_queues(queues: list[Any]) -> jobsim.Simulator:
    """Throttled jobs in two queues and free ones behind them, strict or weighted."""
    limited = job_class(
        "Limited", {"concurrency": {"limit": 3}, "threshold": {"limit": 40, "period": 30}}, 2.0
    )
    free = job_class("Free", None, 1.0)
    sim = jobsim.Simulator(
        start=START, concurrency=8, queues=queues, plugins=[Throttled(cooldown_threshold=20)]
    )
    with sim:
        for index in range(200):
            limited.set(queue="a").perform_async(index)
            if index % 4 == 0:
                free.set(queue="b").perform_async(index)
                limited.set(queue="b").perform_async(index)
    sim.drain()
    return sim


def scheduled(version: str) -> jobsim.Simulator:
    """``requeue: {with: "schedule"}``: new jids at retry_in, with the gem's jitter."""
    klass = job_class(
        "Later",
        {
            "concurrency": {"limit": 4, "ttl": 120},
            "threshold": {"limit": 20, "period": 30},
            "requeue": {"with": "schedule"},
        },
        5.0,
    )
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Throttled(version=version)])  # type: ignore[arg-type]
    with sim:
        for index in range(150):
            klass.perform_async(index)
    sim.drain()
    return sim


def suffixed() -> jobsim.Simulator:
    """A constant key_suffix on one limit and a callable one on another."""
    klass = job_class(
        "PerTenant",
        {
            "concurrency": {"limit": 2, "key_suffix": "eu"},
            "threshold": {"limit": 5, "period": 10, "key_suffix": lambda index: index % 3},
        },
        1.0,
    )
    sim = jobsim.Simulator(start=START, concurrency=6, plugins=[Throttled()])
    with sim:
        for index in range(120):
            klass.perform_async(index)
    sim.drain()
    return sim


def failing_on_poll_ticks() -> jobsim.Simulator:
    """Failures and retries moved on Sidekiq's poll ticks while the queue is throttled."""
    klass = job_class(
        "Flaky",
        {"concurrency": {"limit": 3}, "threshold": {"limit": 25, "period": 20}},
        0.0,
        fail=7,
    )
    sim = jobsim.Simulator(
        start=START,
        concurrency=5,
        durations={"Flaky": lambda rng: rng.uniform(0.1, 4.0)},
        poll_interval="sidekiq",
        plugins=[Throttled()],
    )
    with sim:
        for index in range(200):
            klass.set(retry=2).perform_async(index)
    sim.drain()
    return sim


def lost_slots() -> jobsim.Simulator:
    """Jobs outliving lost_job_threshold, so slots are lost and more start."""
    klass = job_class("Long", {"concurrency": {"limit": 2, "lost_job_threshold": 30}}, 45.0)
    sim = jobsim.Simulator(start=START, concurrency=6, plugins=[Throttled(cooldown_threshold=5)])
    with sim:
        for index in range(40):
            klass.perform_async(index)
    sim.drain()
    return sim


def spread_arrivals() -> jobsim.Simulator:
    """Jobs arriving over time (perform_at) into a throttled queue, with a limited trace."""
    klass = job_class("Arriving", LIMITED, 1.0)
    sim = jobsim.Simulator(start=START, concurrency=25, trace_limit=500, plugins=[Throttled()])
    with sim:
        for index in range(400):
            klass.perform_at(START + (index * 7919 % 600) / 2, index)
    sim.drain()
    return sim


def uncounted_trace() -> jobsim.Simulator:
    """The benchmark's run with trace_limit=0: only the totals are kept."""
    klass = job_class("Limited", LIMITED, 1.0)
    sim = jobsim.Simulator(start=START, concurrency=25, trace_limit=0, plugins=[Throttled()])
    with sim:
        for index in range(400):
            klass.perform_async(index)
    sim.drain()
    return sim


def shared() -> jobsim.Simulator:
    """Two classes counted under one shared throttle, in one queue."""
    one = job_class("ChargeCard", None, 1.0)
    two = job_class("RefundCard", None, 2.0)
    plugin = Throttled(
        shared={"stripe": {"concurrency": {"limit": 3}, "threshold": {"limit": 12, "period": 10}}},
        throttled_as={"ChargeCard": "stripe", "RefundCard": "stripe"},
    )
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[plugin])
    with sim:
        for index in range(150):
            (one if index % 3 else two).perform_async(index)
    sim.drain()
    return sim


SCENARIOS: dict[str, Callable[[], jobsim.Simulator]] = {
    "bench_like": bench_like,
    "bench_like_no_cooldown": lambda: bench_like(cooldown_period=None),
    "bench_like_cooldown_7": lambda: bench_like(cooldown_threshold=7),
    "bench_like_v1": lambda: bench_like(version="1"),
    "mixed_queue": mixed_queue,
    "two_queues_strict": lambda: two_queues(["a", "b"]),
    "two_queues_weighted": lambda: two_queues([["a", 2], ["b", 1]]),
    "scheduled_v2": lambda: scheduled("2"),
    "scheduled_v1": lambda: scheduled("1"),
    "suffixed": suffixed,
    "failing_on_poll_ticks": failing_on_poll_ticks,
    "lost_slots": lost_slots,
    "spread_arrivals": spread_arrivals,
    "uncounted_trace": uncounted_trace,
    "shared": shared,
}
