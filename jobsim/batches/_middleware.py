"""How jobs join a batch (client middleware) and how their runs are counted (an execution listener).

As in Sidekiq Pro, a job belongs to a batch by the ``bid`` in its hash, written by client
middleware while a ``jobs`` block is open. Each run's outcome (and each callback job's) is
counted when the run *ends* (after its virtual duration, through the simulator's finish
listeners), so a callback never starts while a member job is still running, and a run lost in
a crash is never counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._fire import job_failed, settle, step_done
from ._state import BatchBook, current_open

__all__ = [
    "CALLBACK_CLASS",
    "EMPTY_CLASS",
    "BatchClientMiddleware",
    "count_outcome",
]

#: The classes of the jobs batches push themselves (never members of a batch).
CALLBACK_CLASS = "Sidekiq::Batch::Callback"
EMPTY_CLASS = "Sidekiq::Batch::Empty"


class BatchClientMiddleware:
    """Writes the open batch's ``bid`` into every job pushed inside its ``jobs`` block."""

    __slots__ = ("book",)

    def __init__(self, book: BatchBook) -> None:
        self.book = book

    def call(
        self, job_class: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        book = self.book
        bid = current_open(book)
        if bid is None or "bid" in job or job["class"] == CALLBACK_CLASS:
            return call_next()
        job["bid"] = bid
        pushed = call_next()
        if pushed:  # a middleware further in may have stopped it
            record = book.records.get(bid)
            jid = job["jid"]
            if record is not None and jid not in record.pending:
                record.jids.append(jid)
                record.pending.add(jid)
        return pushed


def count_outcome(book: BatchBook) -> Callable[[Mapping[str, Any], str], None]:
    """The simulator's execution listener: each run of a member job counts when it ends (a
    run pushed back by a shutdown or lost in a crash never ends, so it does not count)."""
    records = book.records

    def finished(job: Mapping[str, Any], how: str) -> None:
        if how != "succeeded" and how != "failed":
            return
        succeeded = how == "succeeded"
        bid = job.get("bid")
        if bid is None:
            if succeeded and job.get("class") == CALLBACK_CLASS:
                _callback_finished(book, job)
            return
        record = records.get(bid)
        if record is None:
            return  # expired, or pushed with a bid this simulator never made
        jid = job["jid"]
        if not succeeded:
            job_failed(book, record, jid)
            return
        # job_succeeded, spelled out for the common case: every member's success comes here.
        pending = record.pending
        if jid not in pending:
            return  # a second delivery of a job already counted
        pending.discard(jid)
        failed = record.failed
        if failed:
            failed.pop(jid, None)
            record.dead.pop(jid, None)
        if len(pending) == len(failed):  # only then can an event fire
            settle(book, record)

    return finished


def _callback_finished(book: BatchBook, job: Mapping[str, Any]) -> None:
    # The step is done when its callback job has finished, not when it started: a parent's
    # callback must not start while its child's is still running.
    args = job.get("args")
    if isinstance(args, list) and len(args) == 2:
        record = book.records.get(args[1])
        if record is not None:
            step_done(book, record, str(args[0]))
