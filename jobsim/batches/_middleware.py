"""The batch middleware: the client side marks pushes, the server side counts outcomes.

As in Sidekiq Pro, a job belongs to a batch by the ``bid`` in its hash, written by client
middleware while a ``jobs`` block is open. Each run's outcome (and each callback job's) is
counted when the run *ends* (after its virtual duration, through the simulator's finish
listeners), so a callback never starts while a member job is still running, and a run lost in
a crash is never counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._fire import job_failed, job_succeeded, step_done
from ._state import BatchBook, current_open, running

__all__ = [
    "CALLBACK_CLASS",
    "EMPTY_CLASS",
    "BatchClientMiddleware",
    "BatchServerMiddleware",
    "count_outcome",
]

#: The classes of the jobs batches push themselves (never members of a batch).
CALLBACK_CLASS = "Sidekiq::Batch::Callback"
EMPTY_CLASS = "Sidekiq::Batch::Empty"


class BatchClientMiddleware:
    """Writes the open batch's ``bid`` into every job pushed inside its ``jobs`` block."""

    def __init__(self, book: BatchBook) -> None:
        self.book = book

    def call(
        self, job_class: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        book = self.book
        bid = current_open(book)
        if bid is None or "bid" in job or job.get("class") == CALLBACK_CLASS:
            return call_next()
        job["bid"] = bid
        pushed = call_next()
        record = book.records.get(bid)
        if pushed and record is not None:  # a middleware further in may have stopped it
            jid = str(job["jid"])
            if jid not in record.pending:
                record.jids.append(jid)
                record.pending.add(jid)
        return pushed


class BatchServerMiddleware:
    """While a batch job performs, its batch is the one in hand (a batch made there is a child)."""

    def __init__(self, book: BatchBook) -> None:
        self.book = book

    def call(
        self, instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        bid = job.get("bid")
        if bid is None:
            return call_next()
        token = running.set((*running.get(), (self.book, str(bid))))
        try:
            return call_next()
        finally:
            running.reset(token)


def count_outcome(book: BatchBook) -> Callable[[Mapping[str, Any], bool], None]:
    """The simulator's finish listener: each run of a member job counts when it ends."""
    records = book.records

    def finished(job: Mapping[str, Any], succeeded: bool) -> None:
        bid = job.get("bid")
        if bid is None:
            if succeeded and job.get("class") == CALLBACK_CLASS:
                _callback_finished(book, job)
            return
        record = records.get(bid)
        if record is None:
            return  # expired, or pushed with a bid this simulator never made
        if succeeded:
            job_succeeded(book, record, str(job["jid"]))
        else:
            job_failed(book, record, str(job["jid"]))

    return finished


def _callback_finished(book: BatchBook, job: Mapping[str, Any]) -> None:
    # The step is done when its callback job has finished, not when it started: a parent's
    # callback must not start while its child's is still running.
    args = job.get("args")
    if isinstance(args, list) and len(args) == 2:
        record = book.records.get(args[1])
        if record is not None:
            step_done(book, record, str(args[0]))
