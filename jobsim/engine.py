"""The engine (layer 5): the loop that moves virtual time and runs what is due.

One step: move every due retry, then every due scheduled job, into its queue (Sidekiq's poller
visits ``retry`` before ``schedule``); fire due timers; fetch one job in queue order and perform
it. When nothing is queued, jump the clock to the next due time. The engine is the only thing
that moves the clock, and it never moves it back.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jobsim.clock import format_time
from jobsim.errors import StepLimitExceeded

if TYPE_CHECKING:
    from jobsim.client import Client
    from jobsim.processor import Processor
    from jobsim.state import SimState

__all__ = ["Engine"]


class Engine:
    """Runs a :class:`~jobsim.state.SimState` forward in virtual time."""

    __slots__ = ("_client", "_order", "_processor", "_state", "_timers")

    def __init__(self, state: SimState, client: Client, processor: Processor) -> None:
        self._state = state
        self._client = client
        self._processor = processor
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count(1)

    def call_at(self, at: float, action: Callable[[], None]) -> None:
        """Run ``action`` when the clock reaches ``at`` (ties run in the order they were set)."""
        heapq.heappush(self._timers, (at, next(self._order), action))

    def next_due(self) -> float | None:
        """The earliest time at which something is due (a retry, a scheduled job, a timer)."""
        state = self._state
        times = [
            entry.score
            for entry in (state.retries.peek_lowest(), state.scheduled.peek_lowest())
            if entry is not None
        ]
        if self._timers:
            times.append(self._timers[0][0])
        return min(times) if times else None

    def enqueue_due(self) -> int:
        """Move everything due now into its queue and fire due timers; returns how many."""
        state = self._state
        now = state.clock.now
        moved = 0
        for sorted_set, source in ((state.retries, "retry"), (state.scheduled, "schedule")):
            while (entry := sorted_set.pop_due(now)) is not None:
                self._client.requeue(entry.job, source)
                moved += 1
        timers = self._timers
        while timers and timers[0][0] <= now:
            heapq.heappop(timers)[2]()
            moved += 1
        return moved

    def fetch(self, queue: str | None = None) -> tuple[str, Mapping[str, Any]] | None:
        """Take the next job in fetch order (strict: first non-empty queue), or None."""
        state = self._state
        if queue is not None:
            found = state.queues.get(queue)
            job = found.pop() if found is not None else None
            return None if job is None else (queue, job)
        queues = state.queues
        names = state.queue_order if state.queue_order is not None else queues
        for name in names:
            job = queues[name].pop()
            if job is not None:
                return name, job
        return None

    def run(self, *, until: float | None, max_steps: int | None, verb: str) -> int:
        """Perform jobs and move time until idle, or until ``until``; returns jobs performed."""
        state = self._state
        clock = state.clock
        perform = self._processor.perform
        retries, scheduled, timers = state.retries, state.scheduled, self._timers
        steps = 0
        while True:
            now = clock.now
            if retries.due(now) or scheduled.due(now) or (timers and timers[0][0] <= now):
                self.enqueue_due()
            fetched = self.fetch()
            if fetched is not None:
                if max_steps is not None and steps >= max_steps:
                    state.queue(fetched[0]).push_front(fetched[1])
                    raise StepLimitExceeded(self._runaway_message(verb, max_steps))
                perform(fetched[0], fetched[1])
                steps += 1
                continue
            due = self.next_due()
            if due is None or (until is not None and due > until):
                break
            clock.advance_to(max(due, clock.now))
        if until is not None and until > clock.now:
            clock.advance_to(until)
        return steps

    def _runaway_message(self, verb: str, max_steps: int) -> str:
        state = self._state
        queued = {name: q.size for name, q in state.queues.items() if q.size}
        parts = [
            f"{sum(queued.values())} queued ({', '.join(f'{k}: {v}' for k, v in queued.items())})"
        ]
        for label, jobs in (("scheduled", state.scheduled), ("retries", state.retries)):
            head = jobs.peek_lowest()
            when = f", next at {format_time(head.score)}" if head is not None else ""
            parts.append(f"{len(jobs)} {label}{when}")
        return (
            f"{verb} stopped after max_steps={max_steps:,} jobs at {format_time(state.clock.now)} "
            f"with {'; '.join(parts)}; a job that enqueues itself or a recurring job never goes "
            f"idle: pass a larger max_steps, max_steps=None, or use run_until()/advance()"
        )
