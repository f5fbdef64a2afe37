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

from jobsim.errors import InvalidArgument
from jobsim.history import History
from jobsim.queues import JobQueue
from jobsim.records import JobRecord
from jobsim.set_views import DeadSetView, JobSetView

if TYPE_CHECKING:
    from datetime import date

    from jobsim.processor import Processor
    from jobsim.state import SimState

__all__ = ["DeadSetView", "JobSetView", "QueueView", "Stats", "Summary"]

#: The counters ``Stats#reset`` knows.
_RESETTABLE = ("failed", "processed")


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

    def __iter__(self) -> Iterator[JobRecord]:
        """Jobs newest first, as ``Sidekiq::Queue#each``: records that read as the job hash
        and can ``delete()`` themselves (listed when iteration starts, so a loop may delete)."""
        legacy = self._state.profile.legacy_backtraces
        return iter([JobRecord(job, self, legacy) for job in self._queue])

    @property
    def jobs(self) -> list[Mapping[str, Any]]:
        """Jobs in the order they will run (oldest first)."""
        return self._queue.oldest_first()

    def find_job(self, jid: str) -> JobRecord | None:
        """The queued job with ``jid`` as a record, or None."""
        job = self._queue.find_job(jid)
        return None if job is None else JobRecord(job, self, self._state.profile.legacy_backtraces)

    def delete(self, jid: str) -> bool:
        """Delete one queued job by jid (``JobRecord#delete``); False if not queued."""
        job = self._queue.find_job(jid)
        return job is not None and self._remove(job)

    def _remove(self, job: Mapping[str, Any]) -> bool:
        # JobRecord#delete: a plugin patching it acts first, whether or not the job is there.
        self._state.removed_by_api(job, "JobRecord#delete", f"queue:{self.name}")
        if not self._queue.remove(job):
            return False
        self._processor.discard(job, f"deleted from queue {self.name!r}")
        return True

    def _now(self) -> float:
        return self._state.clock.now

    def _delete_record(self, record: JobRecord) -> bool:
        return self._remove(record.job)

    def clear(self) -> int:
        """Delete every queued job (``Queue#clear``); returns how many."""
        jobs = self._queue.clear()
        for job in jobs:
            self._state.removed_by_api(job, "Queue#clear", f"queue:{self.name}")
            self._processor.discard(job, f"queue {self.name!r} cleared")
        return len(jobs)

    def __repr__(self) -> str:
        return f"<QueueView {self.name!r} size={self.size}>"


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
    def default_queue_latency(self) -> float:
        """``Queue("default").latency`` (``Stats#default_queue_latency``)."""
        queue = self._state.queues.get("default")
        return 0.0 if queue is None else queue.latency(self._state.clock.now)

    def reset(self, *stats: str | list[str] | tuple[str, ...]) -> None:
        """``Stats#reset``: zero ``"processed"`` and ``"failed"`` (both when none is named).

        The per-day counts of :meth:`history` stay, as Sidekiq's day keys do. Sidekiq ignores
        a name it does not know; jobsim refuses it, so a typo cannot pass silently.
        """
        names: list[str] = []
        for item in stats:
            names.extend(item if isinstance(item, list | tuple) else [item])
        for name in names:
            if name not in _RESETTABLE:
                msg = (
                    f"stats.reset({name!r}): Sidekiq keeps 'processed' and 'failed' totals; "
                    f"name one of them, or none to reset both"
                )
                raise InvalidArgument(msg)
        chosen = set(names) if names else set(_RESETTABLE)
        if "processed" in chosen:
            self._state.processed = 0
        if "failed" in chosen:
            self._state.failed = 0

    def history(self, days_previous: int, start_date: date | None = None) -> History:
        """``Stats::History.new(days_previous, start_date)``: processed and failed per UTC
        day of the virtual clock, newest first, for ``days_previous`` days (1 to 1825)
        ending at ``start_date`` (default: today on the virtual clock)."""
        state = self._state
        return History(state.days, state.clock.now, days_previous, start_date)

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
