"""Sidekiq Enterprise's unique locks to and from Redis, under jobsim's own key names.

Enterprise keeps one string key per lock, ``unique:`` + a private hash of the job's unique
context, holding the jid, expiring after ``unique_for`` (see ``_redis``). jobsim keeps that
shape and names the key after its own digest, under a prefix no Sidekiq reads::

    jobsim:unique:Report:default:[7]  ->  "b3f0c7…"   (PEXPIRE: the time the lock has left)

so a saved state carries the locks, a loaded one honours them, and a real Enterprise sharing
the Redis neither reads nor trips over them.
"""

from __future__ import annotations

import math
from typing import Any

from jobsim.redis import RedisDataError
from jobsim.unique_jobs._table import HeldLock, LockTable

__all__ = ["ENTERPRISE_KEY_PREFIX", "load_enterprise", "save_enterprise"]

#: What jobsim puts before an Enterprise digest (``unique:CLASS:QUEUE:ARGS``) to make its key.
ENTERPRISE_KEY_PREFIX = "jobsim:"
_TYPE = "unique_for"


def _text(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def save_enterprise(now: float, redis: Any, table: LockTable, *, clear: bool) -> int:
    """Write the held Enterprise locks (``jobsim:unique:*`` cleared first with ``clear``);
    how many were written."""
    pattern = f"{ENTERPRISE_KEY_PREFIX}unique:*"
    if clear:
        keys = sorted(_text(key) for key in redis.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 500):
            redis.delete(*keys[start : start + 500])
    written = 0
    pipe = redis.pipeline(transaction=False)
    for held in table.all(now):
        if held.lock_type != _TYPE or not held.holders:
            continue
        key = ENTERPRISE_KEY_PREFIX + held.digest
        pipe.set(key, next(iter(held.holders)))
        if held.expires_at is not None:  # unique_for is mandatory: always, in practice
            pipe.pexpire(key, max(1, math.ceil((held.expires_at - now) * 1000)))
        written += 1
    pipe.execute()
    return written


def load_enterprise(redis: Any, now: float, table: LockTable) -> int:
    """Read the Enterprise locks jobsim wrote into ``table``; how many were loaded. The time
    each was taken is not kept, so a loaded lock counts as taken at ``now``."""
    keys = sorted(
        _text(key) for key in redis.scan_iter(match=f"{ENTERPRISE_KEY_PREFIX}unique:*", count=1000)
    )
    loaded = 0
    for key in keys:
        raw = redis.get(key)
        if raw is None:
            continue  # expired between the scan and the read
        jid = _text(raw)
        if not jid or len(jid) > 64:
            msg = f"{key}: an Enterprise lock holds a jid, got {jid[:80]!r}"
            raise RedisDataError(msg)
        held = HeldLock(key.removeprefix(ENTERPRISE_KEY_PREFIX), _TYPE, {jid: now}, score=now)
        left = redis.pttl(key)
        if isinstance(left, int) and left > 0:
            held.expires_at = now + left / 1000
        table.restore(held)
        loaded += 1
    return loaded
