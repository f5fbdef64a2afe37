"""The Redis round-trip property on a REAL redis-server (the conformance fixture's private one).

Mirrors ``test_round_trip_property_on_fakeredis`` in ``tests/redis/test_redis_bridge.py``: a
random Sidekiq keyspace (queues, the three sorted sets, the counters, and here the daily
counters too) is written with plain Redis commands, loaded with ``load_state``, saved with
``save_state`` into a second, flushed database, and the two keyspaces must be equal: the same
members in the same order at the same scores. On a real server this also checks what fakeredis
cannot: the server's own score parsing and ordering (ties by member bytes), its replies to the
pipelines and SCAN, and byte-exact UTF-8 members.

The strategies are repeated here rather than imported, so this module stands alone in the
conformance run (and a change to one property is a visible change to the other).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.redis import load_state, save_state

redis_py = pytest.importorskip("redis")

#: Databases of the fixture's server this module uses (the other conformance tests use 0, 3, 4).
DB_FIRST, DB_SECOND = 5, 6
QUEUES = ["default", "low", "ü-queue"]


class Charge(jobsim.Job):
    def perform(self, order: int) -> None: ...


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_job = st.fixed_dictionaries(
    {
        "class": st.sampled_from(["Charge", "Ruby::Only", "Mailer"]),
        "args": st.lists(_json, max_size=3),
        "jid": st.text("0123456789abcdef", min_size=24, max_size=24),
        "queue": st.sampled_from(QUEUES),
        "retry": st.booleans() | st.integers(0, 25),
        "created_at": st.floats(1.6e9, 1.9e9) | st.integers(1_600_000_000_000, 1_900_000_000_000),
    },
    optional={"retry_count": st.integers(0, 25), "error_message": st.text(max_size=20)},
)
# Whole seconds too, so equal scores (ordered by the member's bytes) really happen.
_score = st.floats(1.6e9, 1.9e9) | st.integers(1_767_225_600, 1_767_225_603).map(float)
_day = st.sampled_from(["2026-01-01", "2026-01-02", "2025-12-31"])


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "queues": draw(st.dictionaries(st.sampled_from(QUEUES), st.lists(_job, max_size=4),
                                       max_size=3)),
        "sets": {key: draw(st.lists(st.tuples(_score, _job), max_size=4,
                                    unique_by=lambda pair: pair[1]["jid"]))
                 for key in ("schedule", "retry", "dead")},
        "processed": draw(st.integers(0, 10**12)),
        "failed": draw(st.integers(0, 10**12)),
        "daily": draw(st.dictionaries(
            st.tuples(st.sampled_from(["stat:processed:", "stat:failed:"]), _day).map("".join),
            st.integers(0, 10**6), max_size=3)),
    }  # fmt: skip


def ruby_json(job: dict[str, Any]) -> str:
    """``JSON.generate`` as Sidekiq calls it: compact, non-ASCII written as UTF-8, unescaped."""
    return json.dumps(job, separators=(",", ":"), ensure_ascii=False)


def fill(redis: Any, state: dict[str, Any]) -> None:
    """Write ``state`` with plain Redis commands, as Sidekiq's client and server would."""
    for name, jobs in state["queues"].items():
        redis.sadd("queues", name)
        for job in jobs:
            redis.lpush(f"queue:{name}", ruby_json(job))
    for key, entries in state["sets"].items():
        for score, job in entries:
            redis.zadd(key, {ruby_json(job): score})
    redis.set("stat:processed", state["processed"])
    redis.set("stat:failed", state["failed"])
    for key, count in state["daily"].items():
        redis.set(key, count)


def keyspace(redis: Any) -> dict[str, Any]:
    """Every key of the database, decoded, in Redis's own order."""
    names = sorted(redis.smembers("queues"))
    daily = sorted(redis.scan_iter(match="stat:*:*"))
    return {
        "queues": names,
        "lists": {name: [json.loads(m) for m in redis.lrange(b"queue:" + name, 0, -1)]
                  for name in names},
        "sets": {key: [(json.loads(m), s) for m, s in redis.zrange(key, 0, -1, withscores=True)]
                 for key in ("schedule", "retry", "dead")},
        "stats": (redis.get("stat:processed"), redis.get("stat:failed")),
        "daily": {key: redis.get(key) for key in daily},
        "keys": sorted(redis.scan_iter()),
    }  # fmt: skip


@pytest.fixture(scope="module")
def databases(sidekiq_ruby: Any) -> Iterator[tuple[Any, Any]]:
    """Two databases of the fixture's real redis-server (flushed by each example)."""
    base = sidekiq_ruby.redis_url.rsplit("/", 1)[0]
    first = redis_py.Redis.from_url(f"{base}/{DB_FIRST}")
    second = redis_py.Redis.from_url(f"{base}/{DB_SECOND}")
    try:
        yield first, second
    finally:
        for client in (first, second):
            client.flushdb()
            client.close()


@settings(max_examples=30, deadline=None)
@given(state=states())
def test_round_trip_property_on_a_real_redis_server(
    databases: tuple[Any, Any], state: dict[str, Any]
) -> None:
    first, second = databases
    first.flushdb()
    second.flushdb()
    fill(first, state)
    before = keyspace(first)
    sim = jobsim.Simulator(seed=1, profile="sidekiq-6.4")
    sim.register(Charge)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jobsim.JobsimWarning)
        report = load_state(first, sim)
    save_state(sim, second, daily=report.daily)
    assert keyspace(second) == before
