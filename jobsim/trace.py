"""The trace (layer 3): every event of a run, in order, with read-only queries."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, overload

from jobsim import validate
from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument
from jobsim.events import EVENT_KINDS, Event
from jobsim.payload import dumps

__all__ = ["NO_DETAIL", "Row", "Trace", "row_writer"]


#: The detail of an event that has none (shared: never mutate an event's detail).
NO_DETAIL: Mapping[str, Any] = {}

_KINDS = frozenset(EVENT_KINDS)

#: Kinds that end a job's life outside every queue and set.
_ENDINGS = frozenset(("succeeded", "discarded", "lost"))

#: One stored event: (kind, ts, jid, job, detail). Tuples cost a fraction of objects to build
#: and keep; :class:`Event` views are made only when someone reads the trace. A row's sequence
#: number is not stored: it follows from the row's position and the number of rows dropped.
Row = tuple[str, float, str, Mapping[str, Any], Mapping[str, Any]]
_Row = Row


class Trace:
    """An append-only record of events.

    ``limit`` keeps only the newest ``limit`` events (``0`` keeps none, for runs of millions
    of jobs); the sequence numbers still count every event, so a gap shows what was dropped.
    """

    __slots__ = ("_add", "_count", "_rows", "ended", "limit")

    def __init__(self, limit: int | None = None) -> None:
        validate.optional(limit, validate.whole, name="trace_limit", low=0)
        self.limit = limit
        #: Events recorded by a limited trace (an unlimited one counts its rows instead).
        self._count = 0
        #: With a limit: how each job whose last events were trimmed away ended
        #: (``succeeded``, ``discarded`` or ``lost``), so jobs stay locatable.
        self.ended: dict[str, str] = {}
        self._rows: deque[_Row] | list[_Row] = [] if limit is None else deque(maxlen=limit)
        # Appends one row ``(kind, ts, jid, job, detail)``: without a limit it is the list's own
        # append, no Python frame at all. Only the simulation's state writes rows this way
        # (through row_writer); everyone else records through record(), which names the parts.
        self._add: Callable[[_Row], None]
        self._bind()

    def _bind(self) -> None:
        rows, limit = self._rows, self.limit
        if isinstance(rows, list):
            self._add = rows.append
        else:
            self._add = self._add_limited if limit else self._add_uncounted

    def __deepcopy__(self, memo: dict[int, Any]) -> Trace:
        # ``add`` is bound to this trace's own rows; a copy must append to its own.
        clone = Trace.__new__(Trace)
        memo[id(self)] = clone
        clone.limit = self.limit
        clone._count = self._count
        clone.ended = copy.deepcopy(self.ended, memo)
        clone._rows = copy.deepcopy(self._rows, memo)
        clone._bind()
        return clone

    def record(
        self,
        kind: str,
        ts: float,
        jid: str,
        job: Mapping[str, Any],
        detail: Mapping[str, Any] = NO_DETAIL,
    ) -> None:
        """Append a new event (``kind`` must be one of :data:`jobsim.events.EVENT_KINDS`)."""
        if kind not in _KINDS:
            msg = f"record({kind!r}): not an event kind; kinds are {', '.join(EVENT_KINDS)}"
            raise InvalidArgument(msg)
        self._add((kind, ts, jid, job, detail))

    def record_each(
        self, kind: str, ts: float, jobs: list[Mapping[str, Any]], detail: Mapping[str, Any]
    ) -> None:
        """One ``kind`` event at ``ts`` per job of ``jobs`` (its own jid), in order, all with
        the same ``detail``: what ``record`` would append, for a run of like events at once."""
        if kind not in _KINDS or kind in _ENDINGS:
            msg = f"record_each({kind!r}): not an event kind that leaves the ending of a job alone"
            raise InvalidArgument(msg)
        rows = self._rows
        if isinstance(rows, list):
            rows.extend([(kind, ts, str(job["jid"]), job, detail) for job in jobs])
        elif self.limit:
            for job in jobs:
                self._add_limited((kind, ts, str(job["jid"]), job, detail))
        else:
            self._count += len(jobs)  # trace_limit=0: only the total counts them

    def _add_limited(self, row: _Row) -> None:
        self._count += 1
        rows = self._rows
        if len(rows) == self.limit:
            oldest = rows[0]  # about to fall off the end
            if oldest[0] in _ENDINGS:
                self.ended[oldest[2]] = oldest[0]
        rows.append(row)

    def _add_uncounted(self, row: _Row) -> None:
        # trace_limit=0 keeps no rows, only how each job ended.
        self._count += 1
        if row[0] in _ENDINGS:
            self.ended[row[2]] = row[0]

    @property
    def total(self) -> int:
        """How many events were ever recorded, including any dropped by ``limit``."""
        return len(self._rows) if self.limit is None else self._count

    def __len__(self) -> int:
        return len(self._rows)

    def _first_seq(self) -> int:
        """The sequence number of the oldest kept row."""
        return self.total - len(self._rows) + 1

    def __iter__(self) -> Iterator[Event]:
        first = self._first_seq()
        return (Event(first + at, *row) for at, row in enumerate(list(self._rows)))

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        rows = self._rows
        first = self._first_seq()
        if isinstance(index, slice):
            kept = list(rows)
            return [Event(first + at, *kept[at]) for at in range(len(kept))[index]]
        at = range(len(rows))[index]  # negative indexes and IndexError as a list gives them
        return Event(first + at, *rows[at])

    def of_kind(self, *kinds: str) -> list[Event]:
        """The events of the given kinds, in order."""
        for kind in kinds:
            if kind not in EVENT_KINDS:
                msg = f"of_kind({kind!r}): not an event kind; kinds are {', '.join(EVENT_KINDS)}"
                raise InvalidArgument(msg)
        first = self._first_seq()
        rows = list(self._rows)
        return [Event(first + at, *row) for at, row in enumerate(rows) if row[0] in kinds]

    def for_job(self, jid: str) -> list[Event]:
        """The events of one job, in order."""
        first = self._first_seq()
        rows = list(self._rows)
        return [Event(first + at, *row) for at, row in enumerate(rows) if row[2] == jid]

    def between(self, start: Any, end: Any) -> list[Event]:
        """Events with ``start <= at < end`` (aware datetimes or epoch seconds)."""
        low, high = as_epoch(start, name="start"), as_epoch(end, name="end")
        first = self._first_seq()
        rows = list(self._rows)
        return [Event(first + at, *row) for at, row in enumerate(rows) if low <= row[1] < high]

    def kinds(self) -> list[str]:
        """The kind of every event, in order (handy in assertions)."""
        return [row[0] for row in self._rows]

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
        validate.whole(count, name="tail(count)", low=0)
        return self[-count:] if count else []


def row_writer(trace: Trace) -> Callable[[Row], None]:
    """The call that appends one raw row to ``trace``, for the simulation's state alone.

    :class:`jobsim.state.SimState` writes the per-job events (enqueued, started, succeeded…)
    through it without a Python frame each; it is not a method of :class:`Trace`, so a
    simulator's public trace has no door for unchecked rows.
    """
    return trace._add
