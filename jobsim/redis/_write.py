"""Writing a :class:`~jobsim.redis._layout.Layout` into Redis (layer 7, private).

Members are the compact JSON Sidekiq writes (:func:`jobsim.payload.dumps`); queues are LPUSHed
oldest first, so the oldest job ends up at the tail where BRPOP takes it; sorted-set scores are
sent as Ruby's ``Float#to_s`` text. Commands go out pipelined, in chunks.
"""

from __future__ import annotations

import json
from typing import Any

from jobsim.redis._layout import (
    DAILY_PREFIXES,
    QUEUE_PREFIX,
    QUEUES_KEY,
    SET_KEYS,
    STATS_KEYS,
    STATS_TTL,
    Layout,
    RedisDataError,
    ruby_float,
)

__all__ = ["CHUNK", "clear_layout", "write_layout"]

#: Members per LPUSH / ZADD command.
CHUNK = 1000

#: :func:`jobsim.payload.dumps` (Sidekiq's compact JSON), with one encoder for every member
#: instead of one per call.
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _text(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def clear_layout(redis: Any) -> None:
    """Delete every key of Sidekiq's job layout (queues, sets, counters) from ``redis``."""
    keys = {QUEUES_KEY, *SET_KEYS, *STATS_KEYS}
    keys.update(f"{QUEUE_PREFIX}{_text(name)}" for name in redis.smembers(QUEUES_KEY))
    for pattern in (f"{QUEUE_PREFIX}*", *(f"{prefix}*" for prefix in DAILY_PREFIXES)):
        keys.update(_text(key) for key in redis.scan_iter(match=pattern, count=1000))
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        redis.delete(*ordered[start : start + CHUNK])


def write_layout(redis: Any, layout: Layout) -> None:
    """Write ``layout`` into ``redis`` (added to what is there; see :func:`clear_layout`)."""
    pipe = redis.pipeline(transaction=False)
    if layout.queues:
        pipe.sadd(QUEUES_KEY, *layout.queues)
    for name, jobs in layout.queues.items():
        members = [dumps(job) for job in jobs]
        for start in range(0, len(members), CHUNK):
            pipe.lpush(f"{QUEUE_PREFIX}{name}", *members[start : start + CHUNK])
    for key in SET_KEYS:
        scored: dict[str, str] = {}
        for score, job in layout.sets.get(key, []):
            member = dumps(job)
            if member in scored:
                msg = (
                    f"cannot write {key}: two entries are the identical member (jid "
                    f"{job.get('jid')!r}) and a Redis sorted set keeps one; nothing was lost "
                    f"yet, but the simulator holds a duplicate job"
                )
                raise RedisDataError(msg)
            scored[member] = ruby_float(score)
        items = list(scored.items())
        for start in range(0, len(items), CHUNK):
            pipe.zadd(key, dict(items[start : start + CHUNK]))
    pipe.set(STATS_KEYS[0], layout.processed)
    pipe.set(STATS_KEYS[1], layout.failed)
    for key, count in sorted(layout.daily.items()):
        pipe.set(key, count, ex=STATS_TTL)
    pipe.execute()
