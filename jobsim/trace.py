"""The trace (layer 3): every event of a run, in order, with read-only queries."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import IO, Any, overload

from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument
from jobsim.events import EVENT_KINDS, Event
from jobsim.payload import dumps

__all__ = ["Trace"]


class Trace:
    """An append-only record of events.

    ``limit`` keeps only the newest ``limit`` events (for runs of millions of jobs); the
    sequence numbers still count every event, so a gap shows what was dropped.
    """

    __slots__ = ("_events", "_seq", "limit")

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            msg = f"trace_limit={limit!r}: pass None (keep every event) or a whole number >= 0"
            raise InvalidArgument(msg)
        if limit is not None and limit < 0:
            msg = f"trace_limit={limit!r}: pass None (keep every event) or a whole number >= 0"
            raise InvalidArgument(msg)
        self.limit = limit
        self._events: deque[Event] | list[Event] = (
            list() if limit is None else deque(maxlen=limit)  # noqa: C408 - both branches read alike
        )
        self._seq = 0

    def record(
        self,
        kind: str,
        ts: float,
        jid: str,
        job: Mapping[str, Any],
        detail: Mapping[str, Any] | None = None,
    ) -> Event:
        """Append a new event and return it."""
        self._seq += 1
        event = (
            Event(self._seq, kind, ts, jid, job)
            if detail is None
            else Event(self._seq, kind, ts, jid, job, detail)
        )
        self._events.append(event)
        return event

    @property
    def total(self) -> int:
        """How many events were ever recorded, including any dropped by ``limit``."""
        return self._seq

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return list(self._events)[index]
        return self._events[index]

    def of_kind(self, *kinds: str) -> list[Event]:
        """The events of the given kinds, in order."""
        for kind in kinds:
            if kind not in EVENT_KINDS:
                msg = f"of_kind({kind!r}): not an event kind; kinds are {', '.join(EVENT_KINDS)}"
                raise InvalidArgument(msg)
        return [event for event in self._events if event.kind in kinds]

    def for_job(self, jid: str) -> list[Event]:
        """The events of one job, in order."""
        return [event for event in self._events if event.jid == jid]

    def between(self, start: Any, end: Any) -> list[Event]:
        """Events with ``start <= at < end`` (aware datetimes or epoch seconds)."""
        low, high = as_epoch(start, name="start"), as_epoch(end, name="end")
        return [event for event in self._events if low <= event.ts < high]

    def kinds(self) -> list[str]:
        """The kind of every event, in order (handy in assertions)."""
        return [event.kind for event in self._events]

    def to_jsonl(self, out: IO[str]) -> int:
        """Write one JSON object per line; returns the number of lines written."""
        count = 0
        for event in self._events:
            out.write(dumps(event.to_dict()))
            out.write("\n")
            count += 1
        return count

    def tail(self, count: int = 20) -> list[Event]:
        """The last ``count`` events."""
        events = list(self._events)
        return events[-count:] if count else []
