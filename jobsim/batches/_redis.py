"""Batches in Redis, in Sidekiq Pro's ``b-{bid}`` layout as far as it is documented.

Sidekiq Pro's code is not public; what its users have shown of the keyspace (sidekiq/sidekiq
#3083, #4914, #5063, #6390, #6580, #2471) is: a hash ``b-{bid}`` per batch, a set
``b-{bid}-jids`` of the jobs not yet succeeded, ``b-{bid}-failinfo`` (a hash by jid of the
failed jobs) and ``b-{bid}-died`` (the dead jobs), each expiring with the batch. Those are
written here under those names. The fields inside the hash are not documented, so jobsim uses
its own (``total``, ``pending``, ``failures``, ``description``, ``cbq``, ``parent_bid``,
``created_at``, ``callbacks``, ``fired``, ``done``, ``members``, ``linger``, ``expires_at``),
and it keeps child batches in ``b-{bid}-kids`` (a name of its own). Save with the job layout
(:func:`jobsim.redis.save_state`), load into a simulator with the plugin, and the batches
carry on: their member jobs keep their ``bid``.
"""

from __future__ import annotations

import json
from typing import Any

from jobsim.errors import InvalidArgument

from ._errors import BatchError
from ._fire import expire_later
from ._state import BOOK, EVENTS, BatchBook, BatchRecord
from ._targets import make_callback

__all__ = ["load_batches", "save_batches"]

#: The hash fields jobsim writes (the first five are what Pro's status reports).
_FIELDS = ("bid", "total", "pending", "failures", "created_at")


def _book(sim: Any, where: str) -> BatchBook:
    book = sim.stash.get(BOOK, None)
    if not isinstance(book, BatchBook):
        msg = f"{where}: this simulator has no batches; create it with plugins=['batches']"
        raise InvalidArgument(msg)
    return book


def _text(raw: Any) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)


def save_batches(sim: Any, redis: Any) -> int:
    """Write every live batch of ``sim`` into ``redis``; returns how many were written.

    Each key expires when the batch would (``EXPIRE`` in whole seconds from the virtual now).
    """
    book = _book(sim, "save_batches()")
    pipe = redis.pipeline(transaction=False)
    for bid, record in book.records.items():
        key = f"b-{bid}"
        pipe.delete(key, f"{key}-jids", f"{key}-failinfo", f"{key}-died", f"{key}-kids")
        fields = {
            "bid": bid,
            "total": len(record.jids),
            "pending": len(record.pending),
            "failures": len(record.failed),
            "created_at": repr(record.created_at),
            "description": record.description or "",
            "cbq": record.callback_queue,
            "parent_bid": record.parent_bid or "",
            "callbacks": json.dumps(
                {e: [[c.target, c.options] for c in record.callbacks[e]] for e in EVENTS}
            ),
            "fired": json.dumps(record.fired),
            "done": json.dumps(sorted(record.done)),
            "members": json.dumps(record.jids),
            "waiting": json.dumps({k: sorted(v) for k, v in record.children_waiting.items()}),
            "linger": repr(record.linger),
            "expires_at": repr(record.expires_at),
        }
        pipe.hset(key, mapping=fields)
        keys = [key]
        # Sets in push order, so a saved state reads the same every time.
        pending = [jid for jid in record.jids if jid in record.pending]
        for suffix, members in (("jids", pending), ("died", list(record.dead))):
            if members:
                pipe.sadd(f"{key}-{suffix}", *members)
                keys.append(f"{key}-{suffix}")
        if record.failed:
            pipe.hset(f"{key}-failinfo", mapping=dict.fromkeys(record.failed, "{}"))
            keys.append(f"{key}-failinfo")
        if record.children:
            pipe.rpush(f"{key}-kids", *record.children)
            keys.append(f"{key}-kids")
        ttl = max(1, int(record.expires_at - sim.time))
        for name in keys:
            pipe.expire(name, ttl)
    pipe.execute()
    return len(book.records)


def load_batches(redis: Any, sim: Any) -> int:
    """Read every ``b-{bid}`` batch from ``redis`` into ``sim``; returns how many were read."""
    book = _book(sim, "load_batches()")
    found: list[BatchRecord] = []
    for raw_key in sorted(redis.scan_iter(match="b-*", count=1000)):
        key = _text(raw_key)
        if _text(redis.type(raw_key)) != "hash":
            continue
        data = {_text(k): _text(v) for k, v in redis.hgetall(raw_key).items()}
        if data.get("bid") != key[2:] or "members" not in data:
            continue  # a -failinfo hash, or a batch hash jobsim did not write
        found.append(_record(redis, key, data, sim))
    for record in found:
        if record.bid in book.records:
            msg = f"load_batches(): batch {record.bid} is already live on this simulator"
            raise BatchError(msg)
    for record in found:
        book.records[record.bid] = record
        book.history[record.bid] = "live"
        expire_later(book, record, record.expires_at, extend=False)
    return len(found)


def _record(redis: Any, key: str, data: dict[str, str], sim: Any) -> BatchRecord:
    try:
        record = BatchRecord(
            data["bid"],
            description=data["description"] or None,
            callback_queue=data["cbq"],
            parent_bid=data["parent_bid"] or None,
            created_at=float(data["created_at"]),
            linger=float(data["linger"]),
        )
        record.expires_at = float(data["expires_at"])
        record.jids = list(json.loads(data["members"]))
        record.fired = {str(k): float(v) for k, v in json.loads(data["fired"]).items()}
        record.done = set(json.loads(data["done"]))
        waiting = json.loads(data["waiting"])
        record.children_waiting = {k: set(waiting.get(k, [])) for k in ("complete", "success")}
        for event, entries in json.loads(data["callbacks"]).items():
            for target, options in entries:
                record.callbacks[event].append(make_callback(event, target, options, sim))
    except (KeyError, ValueError, TypeError) as error:
        msg = f"load_batches(): {key} is not a batch hash jobsim can read ({error!r})"
        raise BatchError(msg) from None
    pending = {_text(jid) for jid in redis.smembers(f"{key}-jids")}
    record.pending = {jid for jid in record.jids if jid in pending}
    failed = {_text(jid) for jid in redis.hkeys(f"{key}-failinfo")}
    record.failed = {jid: None for jid in record.jids if jid in failed}
    died = {_text(jid) for jid in redis.smembers(f"{key}-died")}
    record.dead = {jid: None for jid in record.jids if jid in died}
    record.children = [_text(bid) for bid in redis.lrange(f"{key}-kids", 0, -1)]
    return record
