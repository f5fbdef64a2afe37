"""The batch middleware: the client side marks pushes, the server side counts outcomes.

As in Sidekiq Pro, a job belongs to a batch by the ``bid`` in its hash, written by client
middleware while a ``jobs`` block is open; server middleware counts each run's outcome. jobsim
runs a job's code (and so its server middleware) at the instant it starts, so a batch counts a
job when its ``perform`` returns or raises, at that instant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._fire import job_failed, job_succeeded
from ._state import BatchBook, current_open, running

__all__ = ["BatchClientMiddleware", "BatchServerMiddleware", "CALLBACK_CLASS", "EMPTY_CLASS"]

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
    """Counts each run of a batch job; while it runs, its batch is the one in hand."""

    def __init__(self, book: BatchBook) -> None:
        self.book = book

    def call(
        self, instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        bid = job.get("bid")
        if bid is None:
            return call_next()
        book = self.book
        token = running.set((*running.get(), (book, str(bid))))
        try:
            result = call_next()
        except Exception:
            record = book.records.get(bid)
            if record is not None:
                job_failed(book, record, str(job["jid"]))
            raise
        finally:
            running.reset(token)
        record = book.records.get(bid)
        if record is not None:
            job_succeeded(book, record, str(job["jid"]))
        return result
