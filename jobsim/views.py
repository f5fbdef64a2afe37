"""The data API (layer 6): Sidekiq's ``Queue``, ``ScheduledSet``/``RetrySet``/``DeadSet`` and
``Stats``, as views over a simulation.

Views read live state and act through the simulator, so every move a view makes (retry a dead
job, kill a retry, clear a queue) appears in the trace like any other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument
from jobsim.queues import JobQueue

if TYPE_CHECKING:
    from datetime import datetime

    from jobsim.client import Client
    from jobsim.processor import Processor
    from jobsim.sets import SetEntry, SortedJobSet
    from jobsim.state import SimState

__all__ = ["JobSetView", "QueueView", "Stats", "Summary"]


@dataclass(frozen=True, slots=True)
class Summary:
    """A distribution of seconds: count, mean and nearest-rank percentiles."""

    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Summary:
        """Summarise ``values`` (all zeros when there are none)."""
        ordered = sorted(values)
        if not ordered:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)

        def rank(share: float) -> float:
            return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]

        mean = math.fsum(ordered) / len(ordered)
        return cls(len(ordered), mean, rank(0.5), rank(0.95), rank(0.99), ordered[-1])


_EMPTY_QUEUE = JobQueue("")  # stands for a queue nobody has pushed to; never written to


class QueueView:
    """``Sidekiq::Queue``: one queue's size, latency and jobs (newest first)."""

    __slots__ = ("_name", "_processor", "_state")

    def __init__(self, state: SimState, name: str, processor: Processor) -> None:
        self._state = state
        self._name = name
        self._processor = processor

    @property
    def _queue(self) -> JobQueue:
        # Looking at a queue creates nothing, as with Sidekiq::Queue.new(name).
        return self._state.queues.get(self._name) or _EMPTY_QUEUE

    @property
    def name(self) -> str:
        """The queue's name."""
        return self._name

    @property
    def size(self) -> int:
        """How many jobs wait."""
        return self._queue.size

    def __len__(self) -> int:
        return self._queue.size

    @property
    def latency(self) -> float:
        """Seconds the oldest job has waited (0.0 when empty)."""
        return self._queue.latency(self._state.clock.now)

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        """Jobs newest first, as ``Sidekiq::Queue#each``."""
        return iter(self._queue)

    @property
    def jobs(self) -> list[Mapping[str, Any]]:
        """Jobs in the order they will run (oldest first)."""
        return self._queue.oldest_first()

    def find_job(self, jid: str) -> Mapping[str, Any] | None:
        """The queued job with ``jid``, or None."""
        return self._queue.find_job(jid)

    def delete(self, jid: str) -> bool:
        """Delete one queued job by jid (``JobRecord#delete``); False if not queued."""
        job = self._queue.find_job(jid)
        if job is None or not self._queue.remove(job):
            return False
        self._processor.discard(job, f"deleted from queue {self.name!r}")
        return True

    def clear(self) -> int:
        """Delete every queued job (``Queue#clear``); returns how many."""
        jobs = self._queue.clear()
        for job in jobs:
            self._processor.discard(job, f"queue {self.name!r} cleared")
        return len(jobs)

    def __repr__(self) -> str:
        return f"<QueueView {self.name!r} size={self.size}>"


class JobSetView:
    """``Sidekiq::JobSet``: the schedule, retry or dead set, iterated highest score first."""

    __slots__ = ("_client", "_processor", "_set", "_state")

    def __init__(
        self, state: SimState, sorted_set: SortedJobSet, client: Client, processor: Processor
    ) -> None:
        self._state = state
        self._set = sorted_set
        self._client = client
        self._processor = processor

    @property
    def name(self) -> str:
        """The Redis key: ``schedule``, ``retry`` or ``dead``."""
        return self._set.name

    @property
    def size(self) -> int:
        """How many entries."""
        return len(self._set)

    def __len__(self) -> int:
        return len(self._set)

    def __iter__(self) -> Iterator[SetEntry]:
        return iter(self._set)

    @property
    def jobs(self) -> list[Mapping[str, Any]]:
        """The job hashes, highest score first."""
        return [entry.job for entry in self._set]

    def find_job(self, jid: str) -> SetEntry | None:
        """The entry with ``jid``, or None."""
        return self._set.find(jid)

    def _take(self, jid: str) -> SetEntry:
        entry = self._set.find(jid)
        if entry is None or not self._set.remove(entry):
            msg = f"no job with jid {jid!r} in the {self.name} set ({self.size} entries)"
            raise InvalidArgument(msg)
        return entry

    def retry(self, jid: str) -> None:
        """Push the job to its queue now, ``retry_count`` lowered by one (``SortedEntry#retry``)."""
        self._retry_entry(self._take(jid))

    def _retry_entry(self, entry: SetEntry) -> None:
        job = dict(entry.job)
        if "retry_count" in job:
            job["retry_count"] = int(job["retry_count"]) - 1
        self._client.requeue(job, f"{self.name} set (manual retry)")

    def add_to_queue(self, jid: str) -> None:
        """Push the job to its queue now, unchanged (``SortedEntry#add_to_queue``)."""
        self._client.requeue(self._take(jid).job, f"{self.name} set (add_to_queue)")

    def kill(self, jid: str) -> None:
        """Move the job to the dead set; death handlers see ``Job killed by API``."""
        self._processor.kill(self._take(jid).job, "killed through the API", notify=True)

    def delete(self, jid: str) -> None:
        """Remove the job for good."""
        self._processor.discard(self._take(jid).job, f"deleted from the {self.name} set")

    def reschedule(self, jid: str, at: datetime | float) -> None:
        """Give the entry a new score (``SortedEntry#reschedule``)."""
        score = as_epoch(at, name="at")  # checked before the entry leaves its set
        entry = self._take(jid)
        self._set.add(score, entry.job)

    def retry_all(self) -> int:
        """Retry every entry; returns how many.

        Up to Sidekiq 7.3.4 this walks the set highest score first; from 7.3.5 it pops the
        lowest first (``ZPOPMIN``). The profile's ``kill_all_notifies`` marks that change.
        """
        entries = self._set.clear()
        if self._state.profile.kill_all_notifies:
            entries.reverse()
        for entry in entries:
            self._retry_entry(entry)
        return len(entries)

    def kill_all(self) -> int:
        """Kill every entry: with death handlers up to 7.3.4, silently from 7.3.5."""
        entries = self._set.clear()
        notify = self._state.profile.kill_all_notifies
        if notify:
            entries.reverse()
        for entry in entries:
            self._processor.kill(entry.job, "killed through the API (kill_all)", notify=notify)
        return len(entries)

    def clear(self) -> int:
        """Remove every entry for good; returns how many."""
        entries = self._set.clear()
        for entry in entries:
            self._processor.discard(entry.job, f"{self.name} set cleared")
        return len(entries)

    def __repr__(self) -> str:
        return f"<JobSetView {self.name!r} size={self.size}>"


class Stats:
    """``Sidekiq::Stats``: counters and sizes, read live."""

    __slots__ = ("_state",)

    def __init__(self, state: SimState) -> None:
        self._state = state

    @property
    def processed(self) -> int:
        """Executions started (every attempt counts, as in Sidekiq)."""
        return self._state.processed

    @property
    def failed(self) -> int:
        """Executions that raised."""
        return self._state.failed

    @property
    def enqueued(self) -> int:
        """Jobs waiting in all queues."""
        return sum(queue.size for queue in self._state.queues.values())

    @property
    def scheduled_size(self) -> int:
        """Entries in the schedule set."""
        return len(self._state.scheduled)

    @property
    def retry_size(self) -> int:
        """Entries in the retry set."""
        return len(self._state.retries)

    @property
    def dead_size(self) -> int:
        """Entries in the dead set."""
        return len(self._state.dead)

    @property
    def queues(self) -> dict[str, int]:
        """Queue sizes, largest first (``Stats#queues``), ties by name."""
        sizes = [(name, queue.size) for name, queue in self._state.queues.items()]
        return dict(sorted(sizes, key=lambda item: (-item[1], item[0])))

    def latency(self, queue: str | None = None) -> Summary:
        """Seconds from enqueue to start, over every execution (of one queue, or all)."""
        latencies = self._state.latencies
        if queue is not None:
            return Summary.of(latencies.get(queue, ()))
        return Summary.of(value for values in latencies.values() for value in values)

    @property
    def busy_seconds(self) -> dict[str, float]:
        """Virtual seconds spent performing, per queue (jobs with a duration)."""
        return dict(self._state.busy_seconds)

    def as_dict(self) -> dict[str, Any]:
        """Every figure in one dict."""
        return {
            "processed": self.processed,
            "failed": self.failed,
            "enqueued": self.enqueued,
            "scheduled_size": self.scheduled_size,
            "retry_size": self.retry_size,
            "dead_size": self.dead_size,
            "queues": self.queues,
        }

    def __repr__(self) -> str:
        return f"<Stats {self.as_dict()}>"
