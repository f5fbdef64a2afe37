"""Queues (layer 3): Sidekiq's ``queue:NAME`` lists and the order workers fetch from them.

Sidekiq's client LPUSHes and its fetcher BRPOPs, so each queue is FIFO; a job pushed back at
shutdown is RPUSHed and so runs next. A :class:`JobQueue` keeps that order in a deque: append
for LPUSH, popleft for BRPOP, appendleft for RPUSH.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import Any

__all__ = ["JobQueue", "StrictFetch", "enqueued_seconds"]


def enqueued_seconds(job: Mapping[str, Any]) -> float | None:
    """``enqueued_at`` (or ``created_at``) of a job hash in epoch seconds, whatever its unit.

    Sidekiq 8 writes integer milliseconds and earlier versions float seconds; like Sidekiq's
    ``ApiUtils#calculate_latency``, an int is taken as milliseconds and a float as seconds.
    """
    value = job.get("enqueued_at", job.get("created_at"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value / 1000.0 if isinstance(value, int) else value


class JobQueue:
    """One named FIFO queue of job hashes."""

    __slots__ = ("_jobs", "name", "push")

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: deque[Mapping[str, Any]] = deque()
        #: ``push(job)``: add at the back (Sidekiq's LPUSH). The deque's own append, bound
        #: here, so the push every enqueue makes costs no Python frame.
        self.push: Callable[[Mapping[str, Any]], None] = self._jobs.append

    def push_front(self, job: Mapping[str, Any]) -> None:
        """Add at the front so it is fetched next (Sidekiq's RPUSH on requeue)."""
        self._jobs.appendleft(job)

    def pop(self) -> Mapping[str, Any] | None:
        """Take the oldest job (Sidekiq's BRPOP), or None when empty."""
        return self._jobs.popleft() if self._jobs else None

    def head(self, count: int) -> Iterator[Mapping[str, Any]]:
        """The next ``count`` jobs to be fetched, oldest first, without taking them (the
        queue must not change while this is read)."""
        return islice(self._jobs, count)

    def cycle(self, count: int) -> None:
        """Move the ``count`` oldest jobs to the back, in order: ``count`` pops each pushed
        straight back (a rate limiter's requeue), in one step."""
        self._jobs.rotate(-count)

    @property
    def size(self) -> int:
        """How many jobs wait in the queue (``LLEN``)."""
        return len(self._jobs)

    def __len__(self) -> int:
        return len(self._jobs)

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def latency(self, now: float) -> float:
        """Seconds the oldest job has waited (``Sidekiq::Queue#latency``); 0.0 when empty."""
        if not self._jobs:
            return 0.0
        since = enqueued_seconds(self._jobs[0])
        return 0.0 if since is None else max(now - since, 0.0)

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        """Jobs newest first, as ``Sidekiq::Queue#each`` pages from the head of the list.

        The jobs are listed when iteration starts, so deleting jobs meanwhile is safe (the
        pattern Sidekiq's API documents: ``queue.each { |job| job.delete if ... }``).
        """
        return iter(list(reversed(self._jobs)))

    def oldest_first(self) -> list[Mapping[str, Any]]:
        """Jobs in the order they will be fetched."""
        return list(self._jobs)

    def find_job(self, jid: str) -> Mapping[str, Any] | None:
        """The job with ``jid``, or None."""
        for job in self._jobs:
            if job.get("jid") == jid:
                return job
        return None

    def remove(self, job: Mapping[str, Any]) -> bool:
        """Take out one job (``JobRecord#delete``, LREM 1); False if it was not there."""
        for index, queued in enumerate(self._jobs):
            if queued is job:
                del self._jobs[index]
                return True
        return False

    def clear(self) -> list[Mapping[str, Any]]:
        """Empty the queue; returns the jobs, oldest first."""
        jobs = list(self._jobs)
        self._jobs.clear()
        return jobs


class StrictFetch:
    """Sidekiq's strict fetch over a fixed list of queues: the first non-empty one wins.

    The engine asks this once per free worker slot, so it walks the queues' deques itself
    (this module owns them) rather than calling each queue.
    """

    __slots__ = ("_order", "size")

    def __init__(self, queues: list[JobQueue]) -> None:
        self._order = [(queue.name, queue._jobs) for queue in queues]
        #: How many queues it walks (an attribute: the engine compares it on every fetch).
        self.size = len(self._order)

    def take(self) -> tuple[str, Mapping[str, Any]] | None:
        """``(queue name, job)`` from the first queue holding a job, or None."""
        for name, jobs in self._order:
            if jobs:
                return name, jobs.popleft()
        return None
