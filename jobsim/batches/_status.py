"""``Sidekiq::Batch::Status``: what a batch's counters say, at one instant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobsim.profiles import epoch_ms

from ._errors import NoSuchBatch
from ._state import BOOK, BatchBook, BatchRecord

__all__ = ["Status", "find_record", "snapshot", "status_of"]


@dataclass(frozen=True)
class Status:
    """A snapshot of one batch (``Sidekiq::Batch::Status.new(bid)``); read it again for news.

    ``created_at`` is integer milliseconds under Pro 8.0+, float epoch seconds before;
    ``complete_at``/``success_at``/``death_at`` are epoch seconds of when each event fired
    (None before it has, and always None before Pro 7.1, which added them).
    """

    bid: str
    description: str | None
    total: int
    pending: int
    failures: int
    failed_jids: tuple[str, ...]
    dead_jids: tuple[str, ...]
    parent_bid: str | None
    child_bids: tuple[str, ...]
    created_at: float | int
    callback_queue: str
    complete_at: float | None
    success_at: float | None
    death_at: float | None
    #: The ``complete`` event has fired (Ruby's ``complete?``).
    complete: bool
    #: The ``success`` event has fired (Ruby's ``success?``).
    success: bool
    #: Seconds since the epoch when the batch's data will be deleted.
    expires_at: float

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON-native data (for reports and JSON lines)."""
        return {
            "bid": self.bid,
            "description": self.description,
            "total": self.total,
            "pending": self.pending,
            "failures": self.failures,
            "failed_jids": list(self.failed_jids),
            "dead_jids": list(self.dead_jids),
            "parent_bid": self.parent_bid,
            "child_bids": list(self.child_bids),
            "created_at": self.created_at,
            "complete_at": self.complete_at,
            "success_at": self.success_at,
            "death_at": self.death_at,
            "complete": self.complete,
            "success": self.success,
        }


def snapshot(book: BatchBook, record: BatchRecord) -> Status:
    """The status of ``record`` now."""
    version = book.version
    times = version.has_event_times
    created: float | int = (
        epoch_ms(record.created_at) if version.created_at_ms else record.created_at
    )
    return Status(
        bid=record.bid,
        description=record.description,
        total=len(record.jids),
        pending=len(record.pending),
        failures=len(record.failed),
        failed_jids=tuple(record.failed),
        dead_jids=tuple(record.dead),
        parent_bid=record.parent_bid,
        child_bids=tuple(record.children),
        created_at=created,
        callback_queue=record.callback_queue,
        complete_at=record.fired.get("complete") if times else None,
        success_at=record.fired.get("success") if times else None,
        death_at=record.fired.get("death") if times else None,
        complete="complete" in record.fired,
        success="success" in record.fired,
        expires_at=record.expires_at,
    )


def find_record(book: BatchBook, bid: object, where: str) -> BatchRecord:
    """The live record of ``bid``, or :class:`NoSuchBatch` saying why there is none."""
    record = book.records.get(bid) if isinstance(bid, str) else None
    if record is not None:
        return record
    fate = book.history.get(bid) if isinstance(bid, str) else None
    if fate == "lingered":
        why = "it succeeded and its data was deleted after its linger"
    elif fate == "expired":
        why = "it expired (30 days pending, or its dead jobs' lifetime)"
    else:
        known = ", ".join(list(book.records)[:5]) or "none"
        why = f"no batch was created with it here (live batches: {known})"
    msg = f"{where}: no batch {bid!r} on this simulator: {why}"
    raise NoSuchBatch(msg)


def status_of(sim: Any, bid: str) -> Status:
    """``Sidekiq::Batch::Status.new(bid)`` on ``sim``."""
    book = sim.stash[BOOK]
    return snapshot(book, find_record(book, bid, f"Status({bid!r})"))
