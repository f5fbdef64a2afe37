"""Putting saved state back (layer 6): ``sim._restore`` for loaders such as the Redis bridge.

A state read from Redis or a dump was made elsewhere: its jobs keep their hashes exactly
(``enqueued_at``, ``jid``, errors), no client middleware runs, nothing is trimmed. Each job
placed gets a ``restored`` event, so the trace still shows where every job came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from jobsim import validate
from jobsim.errors import InvalidArgument

if TYPE_CHECKING:
    from jobsim.sets import SetEntry
    from jobsim.state import SimState

__all__ = ["Restorer", "SetName"]

SetName = Literal["schedule", "retry", "dead"]


class Restorer:
    """``sim._restore``: place jobs and counters as a saved state had them."""

    __slots__ = ("_state",)

    def __init__(self, state: SimState) -> None:
        self._state = state

    def queue(self, name: str, jobs: Iterable[Mapping[str, Any]] = ()) -> None:
        """Create queue ``name`` (an empty one survives a round trip) and append ``jobs``,
        oldest first, each hash unchanged."""
        given: object = name
        if not isinstance(given, str) or not given:
            msg = f"restore.queue({name!r}): pass a non-empty queue name"
            raise InvalidArgument(msg)
        state = self._state
        queue = state.queue(name)
        for job in jobs:
            queue.push(job)
            detail = {"place": f"queue:{name}"}
            state.trace.record("restored", state.clock.now, str(job.get("jid")), job, detail)

    def entry(self, set_name: SetName, score: float, job: Mapping[str, Any]) -> SetEntry:
        """Add ``job`` unchanged to the ``schedule``, ``retry`` or ``dead`` set at ``score``
        (epoch seconds), after any entry with the same score; the dead set is not trimmed."""
        state = self._state
        target = {"schedule": state.scheduled, "retry": state.retries, "dead": state.dead}.get(
            set_name
        )
        if target is None:
            msg = f"restore.entry({set_name!r}, ...): pass 'schedule', 'retry' or 'dead'"
            raise InvalidArgument(msg)
        entry = target.add(float(score), job)
        detail = {"place": set_name, "score": float(score)}
        state.trace.record("restored", state.clock.now, str(job.get("jid")), job, detail)
        return entry

    def stats(self, *, processed: int, failed: int) -> None:
        """Add a saved state's ``stat:processed`` and ``stat:failed`` to the counters."""
        processed = validate.whole(processed, name="restore.stats(processed)", low=0)
        failed = validate.whole(failed, name="restore.stats(failed)", low=0)
        self._state.processed += processed
        self._state.failed += failed

    def knows(self, name: str) -> bool:
        """Whether a job class is registered under ``name``."""
        return self._state.registry.get(name) is not None
