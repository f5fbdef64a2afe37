"""The ``Batches`` plugin: Sidekiq Pro's batches on one simulator."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from jobsim import validate
from jobsim.plugins import BATCHES_VIEW

from ._fire import job_died
from ._jobs import BatchCallback, BatchEmpty
from ._middleware import (
    CALLBACK_CLASS,
    count_outcome,
)
from ._state import BOOK, DAY, BatchBook, BatchRecord
from ._status import Status, find_record, snapshot
from ._versions import DEFAULT_VERSION, parse_version

__all__ = ["Batches", "BatchesView"]

#: What Sidekiq's API says when a job is killed by hand; such a death leaves the batch pending.
_KILLED_BY_HAND = "Job killed by API"


class Batches:
    """Sidekiq Pro's batches, installed per simulator.

    Args:
        version: The Sidekiq Pro version whose batch rules apply (``"8.1.7"`` by default;
            ``"7.0"`` has no ``Empty`` job, ``"5.2"`` no death propagation…).
        callback_queue: Where callback jobs go unless a batch says otherwise.
        linger: How long a succeeded batch's data is kept (one day, as in Pro).
    """

    name = "batches"
    honours: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        version: str = DEFAULT_VERSION,
        callback_queue: str = "default",
        linger: float | timedelta = DAY,
    ) -> None:
        self.version = parse_version(version)
        given: object = callback_queue
        if not isinstance(given, str) or not given:
            raise validate.refuse("Batches(callback_queue)", callback_queue, "a queue name")
        self.callback_queue = callback_queue
        seconds = validate.seconds(linger, name="Batches(linger)")
        self.linger = max(seconds, self.version.linger_floor)

    def install(self, sim: Any) -> None:
        """Add the execution listener, the death handler, the callback jobs and ``sim.batches``
        (the client middleware joins the chain while a jobs block is open)."""
        book = BatchBook(
            sim,
            self.version,
            self.callback_queue,
            self.linger,
            float(sim._state.dead.timeout),
            _callback_pusher(sim),
        )
        sim.stash[BOOK] = book
        sim.register(BatchCallback, BatchEmpty)
        sim._state.execution_listeners.append(count_outcome(book))
        sim.death_handlers.append(_death_handler(book))
        sim.stash[BATCHES_VIEW] = BatchesView(book)

    def __repr__(self) -> str:
        return f"Batches(version={self.version.text!r}, callback_queue={self.callback_queue!r})"


def _callback_pusher(sim: Any) -> Any:
    def push(record: BatchRecord, event: str) -> None:
        sim.push(
            {"class": CALLBACK_CLASS, "args": [event, record.bid], "queue": record.callback_queue}
        )

    return push


def _death_handler(book: BatchBook) -> Any:
    def on_death(job: dict[str, Any], exc: BaseException) -> None:
        bid = job.get("bid")
        record = book.records.get(bid) if isinstance(bid, str) else None
        if record is None or str(exc) == _KILLED_BY_HAND:
            return  # a kill by hand leaves the batch pending until it expires (sidekiq#2333)
        job_died(book, record, str(job.get("jid")))

    return on_death


class BatchesView(Mapping[str, Status]):
    """``sim.batches``: every live batch's status by bid, in creation order."""

    def __init__(self, book: BatchBook) -> None:
        self._book = book

    def __getitem__(self, bid: str) -> Status:
        return snapshot(self._book, find_record(self._book, bid, f"sim.batches[{bid!r}]"))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._book.records))

    def __len__(self) -> int:
        return len(self._book.records)

    def __contains__(self, bid: object) -> bool:
        return bid in self._book.records

    def get(self, bid: str, default: Any = None) -> Any:
        """The status of ``bid``, or ``default`` when no such batch is live."""
        return self[bid] if bid in self._book.records else default

    def jids(self, bid: str) -> list[str]:
        """The member jobs of batch ``bid``, in push order."""
        return list(find_record(self._book, bid, f"sim.batches.jids({bid!r})").jids)

    def fate(self, bid: str) -> str:
        """``"live"``, ``"expired"``, ``"lingered"`` (deleted after success) or ``"unknown"``."""
        return self._book.history.get(bid, "unknown")

    def __repr__(self) -> str:
        return f"<sim.batches: {len(self)} live>"
