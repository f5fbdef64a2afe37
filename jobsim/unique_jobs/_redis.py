"""Held locks to and from sidekiq-unique-jobs' Redis keys (8.x layout, ``lua/lock.lua``).

Per digest: ``DIGEST:LOCKED``, a hash of each holder's jid to the time it locked, and the
digest's score in ``uniquejobs:digests`` (or, for an ``until_expired`` lock with a TTL, its
expiry in ``uniquejobs:expiring_digests``); a lock with a TTL has its keys ``PEXPIRE``d with
the time it has left, since the server's clock is not the virtual one. Loading reads the
hashes back: the remaining TTL counts from the simulator's clock. Enterprise locks are not
written (their key format is private to Sidekiq Enterprise).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from jobsim.errors import InvalidArgument
from jobsim.redis import RedisDataError
from jobsim.unique_jobs._runtime import LOCK_TABLE
from jobsim.unique_jobs._table import HeldLock, LockTable

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["DIGESTS", "EXPIRING_DIGESTS", "load_locks", "save_locks"]

DIGESTS = "uniquejobs:digests"
EXPIRING_DIGESTS = "uniquejobs:expiring_digests"
_LOCKED = ":LOCKED"


def _text(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _table(sim: Simulator, verb: str) -> LockTable:
    table = sim.stash.get(LOCK_TABLE, None)
    if table is None:
        msg = (
            f"{verb}: this simulator has no unique-jobs plugin; build it with "
            f"jobsim.Simulator(plugins=['unique_jobs'])"
        )
        raise InvalidArgument(msg)
    return table


def save_locks(sim: Simulator, redis: Any, *, clear: bool = True) -> int:
    """Write ``sim``'s held sidekiq-unique-jobs locks into ``redis``; how many were written.

    With ``clear`` (the default) the gem's keys already there (``uniquejobs:*``) go first.
    """
    if clear:
        keys = sorted(_text(key) for key in redis.scan_iter(match="uniquejobs:*", count=1000))
        for start in range(0, len(keys), 500):
            redis.delete(*keys[start : start + 500])
    now = sim.time
    written = 0
    pipe = redis.pipeline(transaction=False)
    for held in _table(sim, "save_locks").all(now):
        if held.lock_type == "unique_for":
            continue  # Sidekiq Enterprise's own keys
        locked = held.digest + _LOCKED
        pipe.hset(locked, mapping={jid: repr(at) for jid, at in held.holders.items()})
        if held.lock_type == "until_expired" and held.expires_at is not None:
            pipe.zadd(EXPIRING_DIGESTS, {held.digest: held.expires_at})
        else:
            pipe.zadd(DIGESTS, {held.digest: held.score})
        if held.expires_at is not None:
            pipe.pexpire(locked, max(1, math.ceil((held.expires_at - now) * 1000)))
        written += 1
    pipe.execute()
    return written


def load_locks(redis: Any, sim: Simulator) -> int:
    """Read the gem's locks from ``redis`` into ``sim`` (which needs the ``UniqueJobs``
    plugin); how many were loaded. A lock's type is not stored without the gem's
    ``lock_info``: an expiring digest is ``until_expired``, any other ``until_executed``."""
    table = _table(sim, "load_locks")
    now = sim.time
    scored = {
        **{
            _text(d): ("until_executed", s)
            for d, s in redis.zrange(DIGESTS, 0, -1, withscores=True)
        },
        **{
            _text(d): ("until_expired", s)
            for d, s in redis.zrange(EXPIRING_DIGESTS, 0, -1, withscores=True)
        },
    }
    loaded = 0
    for digest in sorted(scored):
        lock_type, score = scored[digest]
        holders = redis.hgetall(digest + _LOCKED)
        if not holders:
            continue  # expired in Redis, or unlocked
        try:
            held = HeldLock(
                digest,
                lock_type,
                {_text(jid): float(_text(at)) for jid, at in sorted(holders.items())},
                score=float(score),
            )
        except ValueError:
            msg = f"{digest}{_LOCKED}: lock times must be numbers, got {holders!r}"
            raise RedisDataError(msg) from None
        held.limit = max(1, len(held.holders))
        left = redis.pttl(digest + _LOCKED)
        if isinstance(left, int) and left > 0:
            held.expires_at = now + left / 1000
        table.restore(held)
        loaded += 1
    return loaded
