"""The JSON-lines dump of a Sidekiq keyspace (layer 7, private).

One JSON object a line; a file can be taken from a live Redis (:func:`write_dump`), written by
hand, and replayed without a server::

    {"jobsim_dump": 1, "time": 1767225600.0}                         optional header
    {"key": "queues", "member": "default"}
    {"key": "queue:default", "member": "{\\"class\\":\\"HardJob\\",…}"}   LRANGE order: newest first
    {"key": "retry", "score": 1767225700.5, "member": "{…}"}
    {"key": "stat:processed", "value": 12}

``member`` is the exact text Redis holds (a JSON object is accepted too and encoded as Sidekiq
would). ``time`` is the server's clock when the dump was taken, where a replay starts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import IO, Any

from jobsim import validate
from jobsim.payload import dumps
from jobsim.redis._layout import (
    DAILY_PREFIXES,
    QUEUE_PREFIX,
    QUEUES_KEY,
    SET_KEYS,
    STATS_KEYS,
    RedisDataError,
)
from jobsim.redis._read import Raw

__all__ = ["parse_dump", "write_dump"]


def _text(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def write_dump(raw: Raw, out: IO[str], *, time: float | None = None) -> int:
    """Write ``raw`` as JSON lines; returns how many lines."""
    lines: list[dict[str, Any]] = [{"jobsim_dump": 1, "time": time}]
    lines += [{"key": QUEUES_KEY, "member": _text(name)} for name in raw.queue_names]
    for key, members in raw.lists.items():
        lines += [{"key": key, "member": _text(member)} for member in members]
    for key, entries in raw.zsets.items():
        lines += [
            {"key": key, "score": float(score), "member": _text(member)}
            for member, score in entries
        ]
    for key, value in raw.counters.items():
        if value is not None:
            lines.append({"key": key, "value": int(_text(value))})
    for line in lines:
        out.write(dumps(line) + "\n")
    return len(lines)


def _line_error(number: int, problem: str) -> RedisDataError:
    return RedisDataError(f"dump line {number}: {problem}")


def parse_dump(lines: Iterable[str], *, max_line_bytes: int) -> tuple[Raw, float | None]:
    """The :class:`Raw` content of a dump and its ``time`` (None without a header)."""
    raw = Raw()
    when: float | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > max_line_bytes:
            msg = (
                f"is {len(line):,} characters, over the limit of {max_line_bytes:,}: {line[:80]!r}…"
            )
            raise _line_error(number, msg)
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise _line_error(number, f"is not JSON ({exc}): {line[:80]!r}") from None
        if not isinstance(record, dict):
            raise _line_error(number, f"is a JSON {type(record).__name__}, not an object")
        if "jobsim_dump" in record:
            stamp = record.get("time")
            when = validate.optional(
                stamp,
                validate.number,
                name="time",
                low=validate.EPOCH_MIN,
                high=validate.EPOCH_MAX,
                subject=f"dump line {number}: header 'time' {stamp!r}",
                expected="epoch seconds (a time between the years 2 and 9999)",
                error=RedisDataError,
            )
            continue
        key = record.get("key")
        if not isinstance(key, str):
            raise _line_error(number, f"'key' {key!r} is not a string")
        member = record.get("member")
        if isinstance(member, dict):
            member = dumps(member)
        if key in STATS_KEYS or key.startswith(DAILY_PREFIXES):
            raw.counters[key] = record.get("value")
        elif key == QUEUES_KEY:
            raw.queue_names.append(member)
        elif key.startswith(QUEUE_PREFIX):
            raw.lists.setdefault(key, []).append(member)
        elif key in SET_KEYS:
            raw.zsets.setdefault(key, []).append((member, record.get("score")))
        else:
            expected = f"{QUEUES_KEY}, {QUEUE_PREFIX}NAME, {', '.join(SET_KEYS)} or stat:*"
            raise _line_error(
                number, f"key {key!r} is not part of Sidekiq's job layout ({expected})"
            )
    for key, entries in raw.zsets.items():
        # Redis orders a sorted set by score, then by the member's bytes.
        with contextlib.suppress(TypeError, ValueError):  # decode_raw names a bad score
            entries.sort(key=lambda pair: (float(pair[1]), _text(pair[0]).encode()))
        raw.zsets[key] = entries
    raw.queue_names.sort(key=_text)
    return raw, when
