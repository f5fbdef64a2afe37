"""A simulator's Redis for user middleware (layer 3): Sidekiq's ``redis_pool``, in Python.

Sidekiq 6 hands client middleware a ``redis_pool`` (a ``ConnectionPool``), and the guides' rate
limiters use it on the server side too::

    class RateLimitMiddleware:
        def call(self, worker, job, queue, redis_pool, call_next):
            with redis_pool.with_() as conn:
                count = conn.incr(f"rate_limit:{type(worker).__name__}")
                ...
            return call_next()

Each simulator has one :class:`RedisPool` (``sim.redis_pool``), and its connection
(``sim.redis``) is made on first use: a fakeredis of that simulator's own, whose key expiry and
``TIME`` follow the virtual clock (see :mod:`jobsim.redis_clock`), unless a plugin chose a real
server first (``jobsim.redis.RealRedis``). Nothing here is shared between simulators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, overload

from jobsim.errors import InvalidArgument
from jobsim.stash import StashKey

__all__ = ["REDIS_POOL", "RedisPool", "fake_redis_on", "missing_extra"]


class _Clock(Protocol):
    @property
    def now(self) -> float: ...


def missing_extra(what: str) -> InvalidArgument:
    """The error for a Redis wanted where fakeredis (the ``jobsim[redis]`` extra) is absent."""
    msg = (
        f"{what} needs fakeredis for the simulator's embedded Redis, which is not installed: "
        f"pip install 'jobsim[redis]' (or give the simulator a real server with "
        f"jobsim.redis.RealRedis(client))"
    )
    return InvalidArgument(msg)


def fake_redis_on(clock: _Clock | Callable[[], float], *, what: str = "fake_redis") -> Any:
    """A fresh fakeredis of its own whose key expiry and ``TIME`` follow ``clock`` (anything
    with a ``now`` in epoch seconds, or a callable returning them)."""
    try:
        from jobsim.redis_clock import virtual_fake_redis
    except ImportError:
        raise missing_extra(what) from None
    if callable(clock):
        return virtual_fake_redis(clock)
    source = clock
    return virtual_fake_redis(lambda: source.now)


class RedisPool:
    """``redis_pool`` as Sidekiq middleware sees it: ``with_()`` lends the connection.

    ::

        with redis_pool.with_() as conn:      # Ruby: redis_pool.with { |conn| ... }
            conn.incr("key")
        redis_pool.with_(lambda conn: conn.get("key"))   # the block's value comes back
        with redis_pool as conn: ...           # the same as with_()

    The pool holds one connection, made on first use (a simulator runs one job at a time, so
    one is all Sidekiq's pool would ever lend at once).
    """

    __slots__ = ("_connect", "_connection", "name")

    def __init__(self, connect: Callable[[], Any], *, name: str = "redis_pool") -> None:
        self._connect = connect
        self._connection: Any = None
        #: For messages: whose pool this is.
        self.name = name

    @classmethod
    def of(cls, connection: Any, *, name: str = "redis_pool") -> RedisPool:
        """A pool lending ``connection`` (any redis-py-compatible client)."""
        pool = cls(lambda: connection, name=name)
        pool._connection = connection
        return pool

    @property
    def connection(self) -> Any:
        """The connection, made now if this is its first use."""
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    @property
    def connected(self) -> bool:
        """Whether the connection has been made (or given)."""
        return self._connection is not None

    def use(self, connection: Any) -> None:
        """Lend ``connection`` from now on; only before the first use, so that no middleware
        has written into a Redis the simulator then forgets."""
        if self._connection is not None and self._connection is not connection:
            msg = (
                f"{self.name}: its connection is already in use; choose the Redis before the "
                f"first command (jobsim.Simulator(plugins=[jobsim.redis.RealRedis(client)]))"
            )
            raise InvalidArgument(msg)
        self._connection = connection

    def check_available(self, what: str) -> None:
        """Raise the missing-extra error now, where a middleware asks for the pool, rather
        than at its first job."""
        if self._connection is not None:
            return
        try:
            import jobsim.redis_clock  # noqa: F401 - only whether it imports
        except ImportError:
            raise missing_extra(what) from None

    @overload
    def with_(self) -> Any: ...

    @overload
    def with_(self, block: Callable[[Any], Any]) -> Any: ...

    def with_(self, block: Callable[[Any], Any] | None = None) -> Any:
        """``block(connection)``'s value; without a block, a context manager lending it."""
        if block is None:
            return self._lend()
        given: object = block
        if not callable(given):
            msg = f"{self.name}.with_({block!r}): pass a callable taking the connection, or nothing"
            raise InvalidArgument(msg)
        return block(self.connection)

    @contextmanager
    def _lend(self) -> Iterator[Any]:
        yield self.connection

    def __enter__(self) -> Any:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        state = type(self._connection).__name__ if self._connection is not None else "not yet made"
        return f"<RedisPool {self.name}: {state}>"


#: Where a simulator keeps its pool (``sim.redis_pool``), so plugins find it through the stash.
REDIS_POOL = StashKey[RedisPool]("sim.redis_pool")
