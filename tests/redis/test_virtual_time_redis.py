"""``VirtualTimeRedis``: a real server's client whose TTLs and ``TIME`` follow the virtual clock.

The "server" here is a plain fakeredis on the wall clock: the wrapper never gives the server a
TTL, so what these tests see depends only on the virtual clock. The same checks against a real
redis-server are in tests/conformance/test_real_redis_virtual_ttl.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.errors import InvalidArgument
from jobsim.redis import RealRedis, VirtualTimeRedis, fake_redis

START = 1_767_225_600.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server() -> Any:
    return fake_redis()


@pytest.fixture
def redis(server: Any, clock: Clock) -> VirtualTimeRedis:
    return VirtualTimeRedis(server, clock)


def test_time_is_the_virtual_clock(redis: VirtualTimeRedis, clock: Clock) -> None:
    clock.now += 1.25
    assert redis.time() == (int(START) + 1, 250_000)


def test_expire_keeps_the_deadline_here_and_deletes_past_it(
    redis: VirtualTimeRedis, server: Any, clock: Clock
) -> None:
    assert redis.incr("k") == 1
    assert redis.expire("k", 60)
    assert server.ttl("k") == -1  # the server holds no TTL of its own
    assert redis.ttl("k") == 60
    clock.now += 59.6
    assert redis.ttl("k") == 0  # 400 ms left: Redis rounds to the nearest second
    assert redis.pttl("k") == 400
    clock.now += 0.4
    assert redis.get("k") == b"1"
    clock.now += 0.001
    assert redis.get("k") is None
    assert server.exists("k") == 0
    assert redis.ttl("k") == -2
    assert not redis.expire("k", 10)  # no key, no TTL (Redis answers 0)


def test_the_ttl_forms(redis: VirtualTimeRedis, clock: Clock) -> None:
    redis.set("a", 1, ex=10)
    redis.set("b", 1, px=1500)
    redis.set("c", 1, exat=int(START) + 20)
    redis.set("d", 1, pxat=datetime.fromtimestamp(START + 30, UTC))
    redis.setex("e", timedelta(seconds=40), 1)
    redis.psetex("f", 50_000, 1)
    redis.set("g", 1)
    redis.expireat("g", START + 60)
    redis.set("h", 1)
    redis.pexpireat("h", (START + 70) * 1000)
    ttls = [redis.ttl(key) for key in "abcdefgh"]
    assert ttls == [10, 2, 20, 30, 40, 50, 60, 70]
    assert redis.expiretime("g") == int(START) + 60


def test_flags_as_redis_reads_them(redis: VirtualTimeRedis) -> None:
    redis.set("k", 1)
    assert not redis.expire("k", 10, xx=True)  # no TTL yet
    assert redis.expire("k", 10, nx=True)
    assert not redis.expire("k", 20, nx=True)
    assert not redis.expire("k", 5, gt=True)
    assert redis.expire("k", 20, gt=True)
    assert redis.expire("k", 15, lt=True)
    assert redis.ttl("k") == 15


def test_writes_drop_or_keep_the_ttl_as_redis_does(redis: VirtualTimeRedis, clock: Clock) -> None:
    redis.set("k", 1, ex=10)
    redis.set("k", 2, keepttl=True)
    assert redis.ttl("k") == 10
    redis.set("k", 3)
    assert redis.ttl("k") == -1
    redis.set("m", 1, ex=10)
    redis.mset({"m": 2})
    redis.set("g", 1, ex=10)
    redis.getset("g", 2)
    assert (redis.ttl("m"), redis.ttl("g")) == (-1, -1)
    redis.set("p", 1, ex=10)
    assert redis.persist("p")
    clock.now += 11
    assert redis.mget("k", "m", "g", "p") == [b"3", b"2", b"2", b"1"]


def test_rename_moves_the_ttl_and_delete_forgets_it(redis: VirtualTimeRedis, clock: Clock) -> None:
    redis.set("old", 1, ex=10)
    redis.rename("old", "new")
    assert redis.ttl("new") == 10
    redis.set("gone", 1, ex=5)
    assert redis.delete("gone") == 1
    redis.set("gone", "again")  # a new key of the same name: no old deadline haunts it
    clock.now += 10.5
    assert redis.get("new") is None
    assert redis.get("gone") == b"again"


def test_set_nx_only_sets_a_ttl_when_it_wrote(redis: VirtualTimeRedis) -> None:
    redis.set("k", 1)
    assert not redis.set("k", 2, nx=True, ex=5)
    assert redis.ttl("k") == -1
    with pytest.raises(InvalidArgument, match="get=True with nx/xx cannot tell"):
        redis.set("k", 2, nx=True, get=True)


def test_what_would_reach_the_servers_ttls_is_refused(redis: VirtualTimeRedis) -> None:
    for name in ("pipeline", "eval", "register_script", "execute_command", "lock"):
        with pytest.raises(InvalidArgument, match=rf"{name}\(\) on a real Redis server"):
            getattr(redis, name)
    with pytest.raises(InvalidArgument, match=r"expire\('k'\): 'soon' is not a number of seconds"):
        redis.expire("k", "soon")


def test_flushdb_forgets_every_deadline(redis: VirtualTimeRedis, clock: Clock) -> None:
    redis.set("k", 1, ex=5)
    redis.flushdb()
    redis.set("k", 2)
    clock.now += 6
    assert redis.get("k") == b"2"
    assert "0 virtual TTLs" in repr(redis)


def test_real_redis_plugin_puts_the_server_in_the_pool(server: Any) -> None:
    sim = jobsim.Simulator(plugins=[RealRedis(server)])
    assert isinstance(sim.redis, VirtualTimeRedis)
    assert sim.redis.client is server
    sim.redis.set("k", 1, ex=5)
    sim.advance(5.5)
    assert sim.redis.get("k") is None
    bare = jobsim.Simulator(plugins=[RealRedis(server, virtual_ttls=False)])
    assert bare.redis is server


def test_real_redis_refuses_what_is_not_a_client() -> None:
    with pytest.raises(InvalidArgument, match=r"RealRedis\('redis://x'\): pass a redis-py client"):
        RealRedis("redis://x")
    with pytest.raises(InvalidArgument, match=r"virtual_ttls='yes'"):
        RealRedis(fake_redis(), virtual_ttls="yes")  # type: ignore[arg-type]
