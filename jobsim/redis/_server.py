"""Choosing a simulator's Redis server (layer 7, private): the ``RealRedis`` plugin."""

from __future__ import annotations

from typing import Any

from jobsim.errors import InvalidArgument
from jobsim.redis._real import VirtualTimeRedis
from jobsim.redis_pool import REDIS_POOL

__all__ = ["RealRedis"]


class RealRedis:
    """Give a simulator's ``redis_pool`` a real server instead of its own fakeredis.

    ::

        sim = jobsim.Simulator(plugins=[RealRedis(redis.Redis.from_url("redis://localhost/5"))])

    ``TIME`` and the TTLs of keys written through ``sim.redis`` follow the virtual clock (see
    :class:`VirtualTimeRedis` for what can and cannot); ``virtual_ttls=False`` hands the client
    over as it is, at the server's own clock. Use a database of its own: nothing is flushed.
    """

    name = "real_redis"
    honours: tuple[str, ...] = ()

    def __init__(self, client: Any, *, virtual_ttls: bool = True) -> None:
        if not callable(getattr(client, "execute_command", None)):
            msg = (
                f"RealRedis({client!r}): pass a redis-py client of a real server, e.g. "
                f"redis.Redis.from_url('redis://localhost:6379/5')"
            )
            raise InvalidArgument(msg)
        given: object = virtual_ttls
        if not isinstance(given, bool):
            msg = f"RealRedis(virtual_ttls={virtual_ttls!r}): pass True or False"
            raise InvalidArgument(msg)
        self.client = client
        self.virtual_ttls = virtual_ttls

    def install(self, sim: Any) -> None:
        """Lend the server through ``sim.redis_pool`` (with virtual TTLs unless told not to)."""
        pool = sim.stash[REDIS_POOL]
        if not self.virtual_ttls:
            pool.use(self.client)
            return
        clock = sim.clock
        pool.use(VirtualTimeRedis(self.client, lambda: clock.now))
