"""Held locks to and from Redis: sidekiq-unique-jobs' 8.x keys, and Enterprise's in jobsim's.

The gem's layout (``lua/lock.lua``): per digest ``DIGEST:LOCKED``, a hash of each holder's jid
to the time it locked, and the digest's score in ``uniquejobs:digests`` (or, for an
``until_expired`` lock with a TTL, its expiry in ``uniquejobs:expiring_digests``); a lock with
a TTL has its keys ``PEXPIRE``d with the time it has left, since the server's clock is not the
virtual one. Loading reads the hashes back: the remaining TTL counts from the simulator's clock.

Sidekiq Enterprise's own layout is only partly published: a string key ``unique:`` + a hash
of the job's unique context (SHA1 hex up to Enterprise 7, SHA256 in base64 from 8.0), holding
the jid, with ``unique_for`` as its TTL (sidekiq/sidekiq#5002, #6890, #3978; ``Ent-Changes.md``
8.0.0). What is hashed, and how it is serialized, is private, so a real Enterprise could never
find a lock jobsim wrote under that name. Enterprise locks go instead under jobsim's own,
clearly named keys of the same shape (see ``_enterprise_redis``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from jobsim.errors import InvalidArgument
from jobsim.redis import RedisDataError
from jobsim.unique_jobs._enterprise_redis import load_enterprise, save_enterprise
from jobsim.unique_jobs._runtime import LOCK_TABLE
from jobsim.unique_jobs._table import HeldLock, LockTable

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = [
    "DIGESTS",
    "EXPIRING_DIGESTS",
    "SavesLocks",
    "delete_matching",
    "load_gem_locks",
    "load_locks",
    "save_gem_locks",
    "save_locks",
]

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


def delete_matching(redis: Any, pattern: str) -> None:
    """Delete every key matching the glob ``pattern``, in sorted batches."""
    keys = sorted(_text(key) for key in redis.scan_iter(match=pattern, count=1000))
    for start in range(0, len(keys), 500):
        redis.delete(*keys[start : start + 500])


def save_locks(sim: Simulator, redis: Any, *, clear: bool = True) -> int:
    """Write ``sim``'s held locks into ``redis``; how many were written.

    sidekiq-unique-jobs' locks go in the gem's keys, Sidekiq Enterprise's in jobsim's (see the
    module notes). ``jobsim.redis.save_state`` calls this through the plugins, so a saved state
    carries its locks. With ``clear`` (the default) the keys of each kind already there go
    first.
    """
    table = _table(sim, "save_locks")
    now = sim.time
    return save_gem_locks(now, redis, table, clear=clear) + save_enterprise(
        now, redis, table, clear=clear
    )


def load_locks(redis: Any, sim: Simulator) -> int:
    """Read the locks of both kinds from ``redis`` into ``sim`` (which needs a unique-jobs
    plugin); how many were loaded. ``jobsim.redis.load_state`` calls this through the plugins.
    """
    table = _table(sim, "load_locks")
    return load_gem_locks(redis, sim.time, table) + load_enterprise(redis, sim.time, table)


def save_gem_locks(now: float, redis: Any, table: LockTable, *, clear: bool) -> int:
    """Write the held sidekiq-unique-jobs locks in the gem's keys (``uniquejobs:*`` cleared
    first with ``clear``); how many were written."""
    if clear:
        delete_matching(redis, "uniquejobs:*")
    written = 0
    pipe = redis.pipeline(transaction=False)
    for held in table.all(now):
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


def load_gem_locks(redis: Any, now: float, table: LockTable) -> int:
    """Read the gem's locks from ``redis`` into ``table``; how many were loaded. A lock's
    type is not stored without the gem's ``lock_info``: an expiring digest is
    ``until_expired``, any other ``until_executed``."""
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


class SavesLocks:
    """The Redis hooks of a plugin whose state is the simulator's lock table: both unique-jobs
    plugins share that table, so either one saves and loads all of it."""

    def save_redis(self, sim: Simulator, redis: Any, *, clear: bool = True) -> int:
        """The held locks into ``redis``, as ``jobsim.redis.save_state`` asks (see
        :func:`save_locks`); how many were written."""
        return save_locks(sim, redis, clear=clear)

    def load_redis(self, redis: Any, sim: Simulator) -> int:
        """The locks in ``redis`` into ``sim``, as ``jobsim.redis.load_state`` asks (see
        :func:`load_locks`); how many were loaded."""
        return load_locks(redis, sim)
