"""Time-ordered job sets (layer 3): Sidekiq's ``schedule``, ``retry`` and ``dead`` sorted sets.

Each entry is a job hash with a score (epoch seconds) and a sequence number. Entries order by
``(score, seq)``: Redis breaks score ties by the member's bytes, which depend on random jids, so
jobsim breaks them by insertion order instead, the one rule a person can predict. Iteration goes
highest score first, as ``Sidekiq::JobSet#each`` does.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from jobsim.clock import format_time, to_datetime

__all__ = ["DeadSet", "SetEntry", "SortedJobSet"]


class SetEntry:
    """One job in a sorted set: its score (when it runs, or when it died) and its hash."""

    __slots__ = ("job", "score", "seq")

    def __init__(self, score: float, seq: int, job: Mapping[str, Any]) -> None:
        self.score = score
        self.seq = seq
        self.job = job

    @property
    def jid(self) -> str:
        """The job's jid."""
        return str(self.job.get("jid"))

    @property
    def at(self) -> datetime:
        """The score as an aware UTC datetime."""
        return to_datetime(self.score)

    @property
    def klass(self) -> str:
        """The job's class name (``job["class"]``)."""
        return str(self.job.get("class"))

    def __repr__(self) -> str:
        return f"<SetEntry {self.klass} jid={self.jid} at {format_time(self.score)}>"


class SortedJobSet:
    """A sorted set of jobs with cheap 'lowest first' access for the engine.

    Removal is lazy: the heap may hold entries already removed, and they are skipped when
    they reach the top. ``name`` is the Redis key (``"schedule"``, ``"retry"``, ``"dead"``).
    """

    __slots__ = ("_entries", "_heap", "_order", "earliest", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[int, SetEntry] = {}
        self._heap: list[tuple[float, int, SetEntry]] = []
        self._order = itertools.count(1)
        #: A score at or below which an entry may be due (``inf`` when the set is empty), for
        #: the engine's check each turn without a call. It may say "due" too early (an entry
        #: removed through the API still counts until the heap drops it), never too late.
        self.earliest = math.inf

    def add(self, score: float, job: Mapping[str, Any]) -> SetEntry:
        """Add ``job`` with ``score``; returns its entry."""
        entry = SetEntry(score, next(self._order), job)
        self._entries[entry.seq] = entry
        heapq.heappush(self._heap, (score, entry.seq, entry))
        if score < self.earliest:
            self.earliest = score
        return entry

    def _popped(self) -> None:
        heap = self._heap
        self.earliest = heap[0][0] if heap else math.inf

    def remove(self, entry: SetEntry) -> bool:
        """Take ``entry`` out; False if it was no longer there."""
        return self._entries.pop(entry.seq, None) is not None

    def peek_lowest(self) -> SetEntry | None:
        """The entry with the lowest ``(score, seq)``, or None when empty."""
        heap = self._heap
        entries = self._entries
        while heap:
            entry = heap[0][2]
            if entry.seq in entries:
                return entry
            heapq.heappop(heap)
            self._popped()
        return None

    def pop_lowest(self) -> SetEntry | None:
        """Remove and return the entry with the lowest ``(score, seq)``."""
        entry = self.peek_lowest()
        if entry is not None:
            heapq.heappop(self._heap)
            del self._entries[entry.seq]
            self._popped()
        return entry

    def pop_due(self, now: float) -> SetEntry | None:
        """Remove and return the lowest entry if its score is ``<= now`` (Sidekiq's Enq)."""
        entry = self.peek_lowest()
        if entry is None or entry.score > now:
            return None
        heapq.heappop(self._heap)
        del self._entries[entry.seq]
        self._popped()
        return entry

    def find(self, jid: str) -> SetEntry | None:
        """The entry whose job has ``jid`` (the newest one if several), or None."""
        for entry in self:
            if entry.job.get("jid") == jid:
                return entry
        return None

    def ascending(self) -> list[SetEntry]:
        """Entries lowest score first."""
        return sorted(self._entries.values(), key=lambda entry: (entry.score, entry.seq))

    def __iter__(self) -> Iterator[SetEntry]:
        """Entries highest score first, as Sidekiq's API iterates."""
        return iter(self.ascending()[::-1])

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> list[SetEntry]:
        """Empty the set; returns what was in it, lowest first."""
        removed = self.ascending()
        self._entries.clear()
        self._heap.clear()
        self.earliest = math.inf
        return removed


class DeadSet(SortedJobSet):
    """The ``dead`` set, trimmed on every insertion the way Sidekiq trims it.

    Sidekiq runs ``ZREMRANGEBYSCORE dead -inf now-timeout`` (inclusive) and then
    ``ZREMRANGEBYRANK dead 0 -max_jobs``; the second keeps only ``max_jobs - 1`` entries (an
    off-by-one Sidekiq's own tests pin). Nothing expires between insertions.
    """

    __slots__ = ("max_jobs", "timeout")

    def __init__(self, *, max_jobs: int, timeout: float) -> None:
        super().__init__("dead")
        self.max_jobs = max_jobs
        self.timeout = timeout

    def add_and_trim(
        self, now: float, job: Mapping[str, Any]
    ) -> tuple[SetEntry, list[tuple[SetEntry, str]]]:
        """Add ``job`` dead at ``now``; returns its entry and each trimmed entry with why."""
        entry = self.add(now, job)
        trimmed: list[tuple[SetEntry, str]] = []
        cutoff = now - self.timeout
        # ZREMRANGEBYSCORE dead -inf (now - timeout): the bound is inclusive.
        while (oldest := self.peek_lowest()) is not None and oldest.score <= cutoff:
            self.pop_lowest()
            trimmed.append((oldest, f"trimmed from the dead set: older than {self.timeout:g} s"))
        for _ in range(max(len(self) - self.max_jobs + 1, 0)):
            oldest = self.pop_lowest()
            if oldest is not None:
                why = f"trimmed from the dead set: it keeps dead_max_jobs - 1 = {self.max_jobs - 1}"
                trimmed.append((oldest, why))
        return entry, trimmed
