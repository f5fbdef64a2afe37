"""Sidekiq's Redis key layout as data (layer 7, private).

The keys (Sidekiq's ``lib/sidekiq/api.rb``, ``client.rb`` and ``scheduled.rb``): the ``queues``
set, one ``queue:NAME`` list per
queue (the client LPUSHes, the fetcher BRPOPs, so the list's tail is the oldest job), the
``schedule``, ``retry`` and ``dead`` sorted sets scored by epoch seconds, and the
``stat:processed`` / ``stat:failed`` counters with their ``:YYYY-MM-DD`` daily keys.

A :class:`Layout` is the decoded content of those keys, the one shape every reader and writer
of this package goes through (a live Redis, a JSON-lines dump, a simulator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobsim import validate
from jobsim.errors import JobsimError

__all__ = [
    "DAILY_PREFIXES",
    "QUEUES_KEY",
    "QUEUE_PREFIX",
    "SET_KEYS",
    "STATS_KEYS",
    "STATS_TTL",
    "Layout",
    "RedisDataError",
    "ruby_float",
]

QUEUES_KEY = "queues"
QUEUE_PREFIX = "queue:"
#: The sorted sets, in the order they are read and written.
SET_KEYS = ("schedule", "retry", "dead")
STATS_KEYS = ("stat:processed", "stat:failed")
DAILY_PREFIXES = ("stat:processed:", "stat:failed:")
#: Sidekiq's ``STATS_TTL``: daily counters expire after five years.
STATS_TTL = 5 * 365 * 24 * 60 * 60


class RedisDataError(JobsimError, ValueError):
    """A key or member of a Sidekiq layout (a live Redis or a dump) that jobsim cannot take.

    The message names the key, the member (its position, its jid when it has one, and the
    start of its text) and what is wrong with it; nothing is loaded when this is raised.
    """


def ruby_float(value: float | int) -> str:
    """``value.to_s`` as Ruby writes it, which is what Sidekiq sends as a ZADD score.

    Ruby and Python both print the shortest text that reads back as the same double; they
    differ only in the scientific form (Ruby ``1.0e+16``, Python ``1e+16``). Integers stay
    integers (``Integer#to_s``).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = repr(
        validate.number(
            value, name="score", expected="a finite number of epoch seconds", error=RedisDataError
        )
    )
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        text = f"{mantissa}e{exponent}"
    return text


@dataclass
class Layout:
    """The decoded content of a Sidekiq keyspace.

    ``queues`` maps each name in the ``queues`` set (and each ``queue:NAME`` list found without
    one) to its jobs oldest first, the order they will be fetched; ``sets`` maps ``schedule``,
    ``retry`` and ``dead`` to ``(score, job)`` pairs lowest score first (ties as Redis orders
    them, by the member's bytes); ``daily`` maps ``stat:processed:YYYY-MM-DD`` style keys to
    their counts.
    """

    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sets: dict[str, list[tuple[float, dict[str, Any]]]] = field(
        default_factory=lambda: {name: [] for name in SET_KEYS}
    )
    processed: int = 0
    failed: int = 0
    daily: dict[str, int] = field(default_factory=dict)

    @property
    def job_count(self) -> int:
        """Jobs in queues and sets together."""
        queued = sum(len(jobs) for jobs in self.queues.values())
        return queued + sum(len(entries) for entries in self.sets.values())
