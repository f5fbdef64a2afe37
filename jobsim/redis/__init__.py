"""Sidekiq's Redis key layout (layer 7): push for Ruby workers, save and load whole states.

::

    from jobsim.redis import Client, save_state, load_state, fake_redis

    redis = fake_redis()                      # or redis.Redis.from_url("redis://…")
    save_state(sim, redis)                    # Sidekiq's API and Web UI can now read it
    load_state(redis, other_sim)              # a live Sidekiq state, into a simulator
    Client(redis, profile="sidekiq-7").push({"class": "HardJob", "args": [1]})

Keys: ``queues`` (set), ``queue:NAME`` (lists, LPUSH, consumed from the right), ``schedule``,
``retry`` and ``dead`` (sorted sets scored by epoch seconds), ``stat:processed``,
``stat:failed`` and their daily keys. fakeredis is the embedded default; a real redis-server
goes through the same code. Needs the ``jobsim[redis]`` extra.

A simulator's own Redis, for user middleware that takes ``redis_pool``: ``sim.redis`` (a
fakeredis whose TTLs and ``TIME`` follow the virtual clock) and ``sim.redis_pool``
(:class:`RedisPool`); ``Simulator(plugins=[RealRedis(client)])`` puts a real server there.
"""

from __future__ import annotations

from typing import IO, Any

from jobsim.redis._client import Client
from jobsim.redis._connect import fake_redis, redis_time
from jobsim.redis._decode import DEFAULT_MAX_MEMBER_BYTES
from jobsim.redis._disabled import RedisTarget, disabled
from jobsim.redis._dump import write_dump
from jobsim.redis._layout import Layout, RedisDataError, ruby_float
from jobsim.redis._read import read_raw
from jobsim.redis._real import VirtualTimeRedis
from jobsim.redis._server import RealRedis
from jobsim.redis._state import LoadReport, load_dump, load_state, save_state, snapshot
from jobsim.redis_pool import RedisPool

__all__ = [
    # Producing jobs for Ruby workers
    "Client",
    # Whole states
    "save_state",
    "load_state",
    "load_dump",
    "dump_state",
    "snapshot",
    "Layout",
    "LoadReport",
    # Redis itself
    "fake_redis",
    "disabled",
    "RedisTarget",
    "redis_time",
    "ruby_float",
    # The Redis user middleware gets (sim.redis_pool, sim.redis)
    "RedisPool",
    "RealRedis",
    "VirtualTimeRedis",
    # Errors and limits
    "RedisDataError",
    "DEFAULT_MAX_MEMBER_BYTES",
]


def dump_state(redis: Any, out: IO[str]) -> int:
    """Write Sidekiq's keys of ``redis`` as JSON lines (see :func:`load_dump`), with the
    server's time in the header; returns how many lines."""
    return write_dump(read_raw(redis), out, time=redis_time(redis))
