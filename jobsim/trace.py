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


_EMPTY: Mapping[str, Any] = {}

#: Kinds that end a job's life outside every queue and set.
_ENDINGS = frozenset(("succeeded", "discarded", "lost"))

#: One stored event: (seq, kind, ts, jid, job, detail). Tuples cost a fraction of objects to
#: build and keep; :class:`Event` views are made only when someone reads the trace.
_Row = tuple[int, str, float, str, Mapping[str, Any], Mapping[str, Any]]


class Trace:
    """An append-only record of events.

    ``limit`` keeps only the newest ``limit`` events (``0`` keeps none, for runs of millions
    of jobs); the sequence numbers still count every event, so a gap shows what was dropped.
    """

    __slots__ = ("_rows", "_seq", "ended", "limit")

    def __init__(self, limit: int | None = None) -> None:
        given: object = limit
        if given is not None and (
            isinstance(given, bool) or not isinstance(given, int) or given < 0
        ):
            msg = f"trace_limit={limit!r}: pass None (keep every event) or a whole number >= 0"
            raise InvalidArgument(msg)
        self.limit = limit
        self._rows: deque[_Row] | list[_Row] = [] if limit is None else deque(maxlen=limit)
        self._seq = 0
        #: With a limit: how each job whose last events were trimmed away ended
        #: (``succeeded``, ``discarded`` or ``lost``), so jobs stay locatable.
        self.ended: dict[str, str] = {}

    def record(
        self,
        kind: str,
        ts: float,
        jid: str,
        job: Mapping[str, Any],
        detail: Mapping[str, Any] = _EMPTY,
    ) -> None:
        """Append a new event."""
        self._seq += 1
        limit = self.limit
        if limit is None:
            self._rows.append((self._seq, kind, ts, jid, job, detail))
            return
        rows = self._rows
        if limit == 0:
            if kind in _ENDINGS:
                self.ended[jid] = kind
            return
        if len(rows) == limit and rows[0][1] in _ENDINGS:
            self.ended[rows[0][3]] = rows[0][1]  # about to fall off the end
        rows.append((self._seq, kind, ts, jid, job, detail))

    @property
    def total(self) -> int:
        """How many events were ever recorded, including any dropped by ``limit``."""
        return self._seq

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Event]:
        return (Event(*row) for row in list(self._rows))

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [Event(*row) for row in list(self._rows)[index]]
        return Event(*self._rows[index])

    def of_kind(self, *kinds: str) -> list[Event]:
        """The events of the given kinds, in order."""
        for kind in kinds:
            if kind not in EVENT_KINDS:
                msg = f"of_kind({kind!r}): not an event kind; kinds are {', '.join(EVENT_KINDS)}"
                raise InvalidArgument(msg)
        return [Event(*row) for row in self._rows if row[1] in kinds]

    def for_job(self, jid: str) -> list[Event]:
        """The events of one job, in order."""
        return [Event(*row) for row in self._rows if row[3] == jid]

    def between(self, start: Any, end: Any) -> list[Event]:
        """Events with ``start <= at < end`` (aware datetimes or epoch seconds)."""
        low, high = as_epoch(start, name="start"), as_epoch(end, name="end")
        return [Event(*row) for row in self._rows if low <= row[2] < high]

    def kinds(self) -> list[str]:
        """The kind of every event, in order (handy in assertions)."""
        return [row[1] for row in self._rows]

    def to_jsonl(self, out: IO[str]) -> int:
        """Write one JSON object per line; returns the number of lines written."""
        count = 0
        for event in self:
            out.write(dumps(event.to_dict()))
            out.write("\n")
            count += 1
        return count

    def tail(self, count: int = 20) -> list[Event]:
        """The last ``count`` events."""
        rows = list(self._rows)
        return [Event(*row) for row in rows[-count:]] if count else []
