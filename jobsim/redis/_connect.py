"""Reaching a Redis: the embedded fakeredis and the server's clock.

Private modules of the package import these from here, never back from ``jobsim.redis``.
"""

from __future__ import annotations

from typing import Any

from jobsim.redis_pool import fake_redis_on

__all__ = ["fake_redis", "redis_time"]


def fake_redis(clock: Any = None) -> Any:
    """A fresh in-process ``fakeredis.FakeRedis`` with a server of its own (the embedded
    default). With ``clock`` (a simulator's ``sim.clock``, a ``VirtualClock``, or a callable
    returning epoch seconds), its key expiry and ``TIME`` follow that clock instead of the
    wall clock, as ``sim.redis`` does."""
    if clock is not None:
        return fake_redis_on(clock, what="fake_redis(clock=...)")
    try:
        import fakeredis
    except ImportError:  # pragma: no cover - the extra is part of the dev install
        msg = "jobsim.redis needs fakeredis for an embedded Redis: pip install 'jobsim[redis]'"
        raise ImportError(msg) from None
    return fakeredis.FakeRedis()


def redis_time(redis: Any) -> float:
    """The Redis server's clock (``TIME``) in epoch seconds: where a replay of it starts."""
    seconds, micros = redis.time()
    return int(seconds) + int(micros) / 1_000_000
