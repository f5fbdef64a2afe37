"""The jobs batches push themselves: the callback runner and the empty batch's placeholder."""

from __future__ import annotations

from jobsim import routing
from jobsim.job import Job
from jobsim.payload import json_round_trip

from ._middleware import CALLBACK_CLASS, EMPTY_CLASS
from ._state import BOOK
from ._status import snapshot

__all__ = ["BatchCallback", "BatchEmpty"]


class BatchCallback(Job, name=CALLBACK_CLASS):
    """Runs every callback of one event, in the order they were added, then finishes the step.

    An ordinary job: a callback that raises makes it retry (the callbacks before it run again,
    as each delivery runs the whole list), and the step stays unfinished until it succeeds.
    """

    def perform(self, event: str, bid: str) -> None:
        sim = routing.active()
        book = sim.stash.get(BOOK, None) if sim is not None else None  # type: ignore[attr-defined]
        record = book.records.get(bid) if book is not None else None
        if book is None or record is None:
            return  # the batch expired before its callback ran: Pro finds no data either
        status = snapshot(book, record)
        for callback in record.callbacks[event]:
            # A fresh instance per call, and fresh options, as Ruby builds both from JSON.
            target = callback.klass()
            (options,) = json_round_trip([callback.options])
            getattr(target, callback.method)(status, options)
        # The step is done when this job has finished (the batches' execution listener says so).


class BatchEmpty(Job, name=EMPTY_CLASS):
    """Pushed into a batch whose jobs block pushed nothing (Pro 7.1+), so callbacks still fire."""

    def perform(self) -> None:
        return None
