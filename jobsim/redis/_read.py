"""Reading Sidekiq's keys into a :class:`~jobsim.redis._layout.Layout` (layer 7, private).

Two sources give the same :class:`Raw` content: a live Redis (any redis-py-compatible client;
bytes or str replies) and a JSON-lines dump. :func:`decode_raw` then checks every member; it
raises before anything is loaded, so a bad member never leaves half a state behind.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from jobsim.errors import JobsimWarning
from jobsim.redis._decode import decode_count, decode_member, decode_score, text_of
from jobsim.redis._layout import (
    DAILY_PREFIXES,
    QUEUE_PREFIX,
    QUEUES_KEY,
    SET_KEYS,
    STATS_KEYS,
    Layout,
    RedisDataError,
)

__all__ = ["Raw", "decode_raw", "read_raw"]


@dataclass
class Raw:
    """Undecoded content: members as the client or the dump gave them."""

    #: Members of the ``queues`` set.
    queue_names: list[Any] = field(default_factory=list)
    #: ``queue:NAME`` list name -> members in list order (index 0, the newest, first).
    lists: dict[str, list[Any]] = field(default_factory=dict)
    #: Sorted set key -> (member, score) pairs, lowest score first.
    zsets: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    #: ``stat:*`` key -> value.
    counters: dict[str, Any] = field(default_factory=dict)


def _key_text(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def read_raw(redis: Any) -> Raw:
    """Everything of Sidekiq's layout a Redis holds, in two pipelined round trips."""
    first = redis.pipeline(transaction=False)
    first.smembers(QUEUES_KEY)
    for key in SET_KEYS:
        first.zrange(key, 0, -1, withscores=True)
    for key in STATS_KEYS:
        first.get(key)
    replies = first.execute(raise_on_error=False)
    _raise_for(replies[1 : 1 + len(SET_KEYS)], SET_KEYS, "a sorted set")
    _raise_for(replies[:1], (QUEUES_KEY,), "a set")
    raw = Raw(queue_names=sorted(replies[0], key=_key_text))
    raw.zsets = dict(zip(SET_KEYS, replies[1 : 1 + len(SET_KEYS)], strict=True))
    for key, value in zip(STATS_KEYS, replies[1 + len(SET_KEYS) :], strict=True):
        raw.counters[key] = value
    listed = {f"{QUEUE_PREFIX}{_key_text(name)}" for name in raw.queue_names}
    found = {_key_text(key) for key in redis.scan_iter(match=f"{QUEUE_PREFIX}*", count=1000)}
    list_keys = sorted(listed | found)
    daily = sorted(
        {_key_text(key) for prefix in DAILY_PREFIXES for key in redis.scan_iter(match=f"{prefix}*")}
    )
    second = redis.pipeline(transaction=False)
    for key in list_keys:
        second.lrange(key, 0, -1)
    for key in daily:
        second.get(key)
    replies = second.execute(raise_on_error=False)
    _raise_for(replies[: len(list_keys)], list_keys, "a list")
    raw.lists = dict(zip(list_keys, replies[: len(list_keys)], strict=True))
    raw.counters.update(zip(daily, replies[len(list_keys) :], strict=True))
    return raw


def _raise_for(replies: list[Any], keys: Any, kind: str) -> None:
    for key, reply in zip(keys, replies, strict=True):
        if isinstance(reply, Exception):
            msg = f"key {key!r} is not {kind} as Sidekiq's layout needs ({reply})"
            raise RedisDataError(msg)


def decode_raw(raw: Raw, *, max_member_bytes: int) -> Layout:
    """Check and decode every member; the first bad one raises :class:`RedisDataError`."""
    layout = Layout()
    names = [
        text_of(name, f"{QUEUES_KEY} member {index}") for index, name in enumerate(raw.queue_names)
    ]
    for index, name in enumerate(names):
        if not name:
            msg = f"{QUEUES_KEY} member {index} is an empty queue name"
            raise RedisDataError(msg)
        layout.queues[name] = []
    orphans = []
    for key, members in raw.lists.items():
        name = key[len(QUEUE_PREFIX) :]
        if name not in layout.queues:
            orphans.append(name)
        # LRANGE lists the newest (the head) first; the simulator keeps the oldest first.
        layout.queues[name] = [
            decode_member(
                member,
                key=key,
                position=f"{index} (LRANGE index)",
                max_bytes=max_member_bytes,
            )
            for index, member in reversed(list(enumerate(members)))
        ]
    for key in SET_KEYS:
        entries = []
        for index, (member, score) in enumerate(raw.zsets.get(key, [])):
            position = f"{index} (by score)"
            at = decode_score(score, key=key, position=position)
            job = decode_member(member, key=key, position=position, max_bytes=max_member_bytes)
            entries.append((at, job))
        layout.sets[key] = entries
    for key, value in raw.counters.items():
        count = decode_count(value, key=key)
        if key == STATS_KEYS[0]:
            layout.processed = count
        elif key == STATS_KEYS[1]:
            layout.failed = count
        else:
            layout.daily[key] = count
    if orphans:
        warnings.warn(
            JobsimWarning(
                f"queue lists without a name in the 'queues' set were loaded too: "
                f"{', '.join(sorted(orphans))} (Sidekiq's Web UI would not list them)"
            ),
            stacklevel=3,
        )
    return layout
