"""The firing rules: when a batch's counters say an event happens, and what follows.

In counter terms (the reference's §6.2): ``complete`` when every job has run once, that is
``pending == failures`` (a job waiting in the retry set counts as run) and every child batch's
``complete`` step has finished; ``success`` when ``pending == 0`` and every child's ``success``
step has finished; ``death`` once, the first time a member job dies. An event "fires" by pushing
one ``Sidekiq::Batch::Callback`` job onto the callback queue; its step is "done" when that job
has run every callback (at once when there is none). Parents wait for their children's steps,
which gives the two ordering guarantees Sidekiq makes (child success before parent success,
child complete before parent complete) and no more.
"""

from __future__ import annotations

from typing import Any

from ._state import BatchBook, BatchRecord

__all__ = [
    "expire_later",
    "job_died",
    "job_failed",
    "job_succeeded",
    "note",
    "settle",
    "step_done",
]


def note(book: BatchBook, record: BatchRecord, event: str, **detail: Any) -> None:
    """A ``batch`` event in the trace: ``event`` (created, complete, success, death, …)."""
    sim = book.sim
    job = {"class": "Sidekiq::Batch", "bid": record.bid, "queue": record.callback_queue}
    sim.trace.record("batch", sim.time, record.bid, job, {"event": event, **detail})


def job_succeeded(book: BatchBook, record: BatchRecord, jid: str) -> None:
    """A member job's perform returned: it is no longer pending, failed or dead."""
    if jid not in record.pending:
        return  # a second delivery of a job already counted
    record.pending.discard(jid)
    record.failed.pop(jid, None)
    record.dead.pop(jid, None)
    settle(book, record)


def job_failed(book: BatchBook, record: BatchRecord, jid: str) -> None:
    """A member job raised: it counts as a failure until a later run succeeds."""
    if jid in record.pending and jid not in record.failed:
        record.failed[jid] = None
        settle(book, record)


def job_died(book: BatchBook, record: BatchRecord, jid: str) -> None:
    """A member job died: ``death`` fires the first time; the batch outlives the dead job."""
    if jid not in record.pending:
        return
    record.failed.setdefault(jid, None)
    record.dead.setdefault(jid, None)
    # The batch is kept as long as the dead job, so a retry by hand can still finish it.
    expire_later(book, record, book.sim.time + book.dead_timeout)
    _death(book, record, jid)


def _death(book: BatchBook, record: BatchRecord, jid: str) -> None:
    if "death" in record.fired or not book.version.has_death:
        return
    _fire(book, record, "death", why=f"job {jid} died")
    parent = book.records.get(record.parent_bid or "")
    if parent is not None and book.version.death_reaches_parent:
        _death(book, parent, jid)


def settle(book: BatchBook, record: BatchRecord) -> None:
    """Fire whatever the counters now say has happened (each event at most once)."""
    if record.open_blocks or record.bid not in book.records:
        return
    if (
        "complete" not in record.fired
        and len(record.pending) == len(record.failed)
        and not record.children_waiting["complete"]
    ):
        ran = len(record.jids) - len(record.failed)
        _fire(book, record, "complete", why=f"{ran} succeeded, {len(record.failed)} failed")
    if (
        "success" not in record.fired
        and "complete" in record.done
        and not record.pending
        and not record.children_waiting["success"]
    ):
        _fire(book, record, "success", why=f"all {len(record.jids)} jobs succeeded")


def _fire(book: BatchBook, record: BatchRecord, event: str, *, why: str) -> None:
    record.fired[event] = book.sim.time
    callbacks = len(record.callbacks[event])
    note(book, record, event, why=why, callbacks=callbacks)
    if callbacks:
        book.push_callback(record, event)
    else:
        step_done(book, record, event)


def step_done(book: BatchBook, record: BatchRecord, event: str) -> None:
    """Every callback of ``event`` has run: tell the parent, and go on to ``success``."""
    if event in record.done:
        return
    record.done.add(event)
    if event == "success":
        expire_later(book, record, book.sim.time + record.linger, extend=False)
    if event in ("complete", "success"):
        parent = book.records.get(record.parent_bid or "")
        if parent is not None:
            parent.children_waiting[event].discard(record.bid)
            settle(book, parent)
    if event == "complete":
        settle(book, record)


def expire_later(book: BatchBook, record: BatchRecord, when: float, *, extend: bool = True) -> None:
    """Delete the batch's data at ``when`` (only ever later, unless it lingers after success)."""
    if extend and when <= record.expires_at:
        return
    record.expires_at = when
    bid = record.bid

    def expire() -> None:
        live = book.records.get(bid)
        if live is None or book.sim.time < live.expires_at:
            return  # gone already, or given longer since this timer was set
        del book.records[bid]
        book.history[bid] = "lingered" if "success" in live.done else "expired"
        note(book, live, book.history[bid], pending=len(live.pending))

    book.sim.call_at(when, expire, background=True)
