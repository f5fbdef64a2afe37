"""Reaching a Redis: the embedded fakeredis and the server's clock.

Private modules of the package import these from here, never back from ``jobsim.redis``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["fake_redis", "redis_time"]


def fake_redis() -> Any:
    """A fresh in-process ``fakeredis.FakeRedis`` (the embedded default)."""
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
