"""``Sidekiq::Batch``: a new batch, or an existing one reopened by its bid.

::

    batch = Batch(description="Newsletter")
    batch.on("success", Newsletter, {"user_ids": user_ids})
    with batch.jobs():
        for user_id in user_ids:
            Deliver.perform_async(user_id)

A batch belongs to the simulator active where it is made (``with sim:``, or inside a job that
simulator runs), which must have the :class:`~jobsim.batches.Batches` plugin.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from jobsim import routing, validate
from jobsim.errors import InvalidArgument, NoActiveSimulator

from ._errors import BatchImmutable, EmptyBatch
from ._fire import expire_later, note, settle
from ._middleware import EMPTY_CLASS, BatchClientMiddleware
from ._state import (
    BOOK,
    EVENTS,
    BatchBook,
    BatchRecord,
    current_open,
    current_running,
    opened,
)
from ._status import Status, find_record, snapshot
from ._targets import make_callback

__all__ = ["Batch"]


class Batch:
    """A Sidekiq Pro batch on one simulator.

    Args:
        bid: Reopen the batch with this bid (``Sidekiq::Batch.new(bid)``), to add jobs from
            one of its jobs or from a callback; None makes a new batch.
        description: Free text shown in status and reports.
        callback_queue: Where its callback jobs go (the plugin's default otherwise).
        sim: The simulator; by default the one active here.
    """

    def __init__(
        self,
        bid: str | None = None,
        *,
        description: str | None = None,
        callback_queue: str | None = None,
        sim: Any = None,
    ) -> None:
        self._sim = sim if sim is not None else _active_simulator()
        book = self._sim.stash.get(BOOK, None)
        if not isinstance(book, BatchBook):
            msg = (
                "Batch(): this simulator has no batches; create it with "
                "jobsim.Simulator(plugins=[jobsim.batches.Batches()]) or plugins=['batches']"
            )
            raise InvalidArgument(msg)
        self._book = book
        self._record: BatchRecord | None = None
        self._autoflush: int | None = None
        if bid is not None:
            self._record = find_record(book, bid, f"Batch({bid!r})")
            self._bid = self._record.bid
            if description is not None or callback_queue is not None:
                msg = f"Batch({bid!r}): a reopened batch keeps its description and callback queue"
                raise InvalidArgument(msg)
            return
        self._bid = _new_bid(self._sim)
        self._description = validate.optional(description, _text, name="Batch(description)")
        queue = validate.optional(callback_queue, _text, name="Batch(callback_queue)")
        self._callback_queue = queue if queue is not None else book.callback_queue
        self._linger = book.linger
        # A batch made inside an open jobs block, or inside a running batch job, is a child.
        self._parent = current_open(book) or current_running(book)
        self._pending_callbacks: list[tuple[str, Any]] = []

    # -- what it is --------------------------------------------------------------------------

    @property
    def bid(self) -> str:
        """The batch id (written into each member job's hash as ``bid``)."""
        return self._bid

    @property
    def parent_bid(self) -> str | None:
        """The batch this one was made inside, if any."""
        return self._record.parent_bid if self._record is not None else self._parent

    @property
    def description(self) -> str | None:
        """Free text for status and reports."""
        return self._record.description if self._record is not None else self._description

    @property
    def callback_queue(self) -> str:
        """Where its callback jobs go."""
        if self._record is not None:
            return self._record.callback_queue
        return self._callback_queue

    @property
    def status(self) -> Status:
        """Its status now (a new batch has none until its first jobs block)."""
        return snapshot(self._book, find_record(self._book, self._bid, "Batch.status"))

    @property
    def linger(self) -> float:
        """Seconds its data is kept after success (default one day)."""
        return self._record.linger if self._record is not None else self._linger

    @linger.setter
    def linger(self, value: float | timedelta) -> None:
        version = self._book.version
        if not version.has_linger:
            msg = f"Batch.linger: Sidekiq Pro {version.text} has no linger= (added in 5.2.1)"
            raise InvalidArgument(msg)
        seconds = max(validate.seconds(value, name="Batch.linger"), version.linger_floor)
        if self._record is not None:
            self._record.linger = seconds
        else:
            self._linger = seconds

    @property
    def autoflush(self) -> int | None:
        """Push the jobs block's jobs in groups of this many (Pro 8.1.2), or None: all at the
        block's end. A block that raises keeps the groups already flushed."""
        return self._autoflush

    @autoflush.setter
    def autoflush(self, value: int | None) -> None:
        version = self._book.version
        if not version.has_autoflush:
            msg = f"Batch.autoflush: Sidekiq Pro {version.text} has no autoflush= (added in 8.1.2)"
            raise InvalidArgument(msg)
        validate.optional(
            value,
            validate.whole,
            name="Batch.autoflush",
            low=1,
            expected="a whole number of jobs >= 1, or None",
        )
        self._autoflush = value

    # -- callbacks ---------------------------------------------------------------------------

    def on(self, event: str, target: object, options: object = None) -> Batch:
        """Call ``target`` with ``(status, options)`` when ``event`` fires: ``"complete"``,
        ``"success"`` or ``"death"``. ``target`` is a class (``on_<event>`` is called on a new
        instance) or ``"package.module.Class#method"``; ``options`` a JSON-native dict."""
        name = str(event).removeprefix(":")
        allowed = EVENTS if self._book.version.has_death else EVENTS[:2]
        if name not in allowed:
            msg = (
                f"Batch.on({event!r}): the events are {', '.join(allowed)} under Sidekiq Pro "
                f"{self._book.version.text}"
            )
            raise InvalidArgument(msg)
        callback = make_callback(name, target, options, self._sim)
        self._refuse_if_succeeded("on()")
        if self._record is not None:
            self._record.callbacks[name].append(callback)
        else:
            self._pending_callbacks.append((name, callback))
        return self

    # -- jobs --------------------------------------------------------------------------------

    @contextmanager
    def jobs(self) -> Iterator[Batch]:
        """Jobs pushed inside the block belong to the batch; the batch's events wait for the
        block's end. A block that raises takes back the jobs it pushed (Pro pushes them at
        the end, so none was ever visible), except, with :attr:`autoflush`, the whole groups
        already flushed: those stay in the batch and its events fire when they have run."""
        self._refuse_if_succeeded("jobs()")
        book, record, created = self._book, self._ensure_record(), self._record_is_new
        before = len(record.jids)
        record.open_blocks += 1
        token = opened.set((*opened.get(), (book, record.bid)))
        _mark_pushes(book, self._sim)
        try:
            yield self
        except BaseException:
            opened.reset(token)
            record.open_blocks -= 1
            _stop_marking(book, self._sim)
            kept = self._flushed(len(record.jids) - before)
            self._take_back(record, before + kept, created)
            if kept:
                settle(book, record)
            raise
        opened.reset(token)
        record.open_blocks -= 1
        _stop_marking(book, self._sim)
        if record.is_empty:
            self._fill_empty(record)
        settle(book, record)

    # -- inside ------------------------------------------------------------------------------

    _record_is_new = False

    def _ensure_record(self) -> BatchRecord:
        self._record_is_new = self._record is None
        if self._record is not None:
            return self._record
        book, sim = self._book, self._sim
        record = BatchRecord(
            self._bid,
            description=self._description,
            callback_queue=self._callback_queue,
            parent_bid=self._parent,
            created_at=sim.time,
            linger=self._linger,
        )
        for name, callback in self._pending_callbacks:
            record.callbacks[name].append(callback)
        parent = book.records.get(self._parent or "")
        if parent is not None:
            if "success" in parent.done:
                msg = f"Batch(): parent batch {parent.bid} has succeeded and cannot take a child"
                raise BatchImmutable(msg)
            parent.children.append(record.bid)
            parent.children_waiting["complete"].add(record.bid)
            parent.children_waiting["success"].add(record.bid)
        book.records[record.bid] = record
        book.history[record.bid] = "live"
        self._record = record
        note(book, record, "created", parent_bid=self._parent, description=self._description)
        expire_later(book, record, record.expires_at, extend=False)
        return record

    def _flushed(self, pushed: int) -> int:
        # Pro 8.1.2 pushes a group each time `autoflush` jobs are waiting; the rest waits for
        # the block's end, which a raise never reaches.
        size = self._autoflush
        return 0 if size is None else pushed - pushed % size

    def _fill_empty(self, record: BatchRecord) -> None:
        if not self._book.version.empty_gets_a_job:
            self._take_back(record, 0, self._record_is_new)
            msg = (
                f"Batch {record.bid}: its jobs block pushed no job; Sidekiq Pro "
                f"{self._book.version.text} leaves an empty batch undefined (7.1 pushes a "
                f"Sidekiq::Batch::Empty job so its callbacks fire): push at least one job"
            )
            raise EmptyBatch(msg)
        with self._reopened(record):
            self._sim.push({"class": EMPTY_CLASS, "args": [], "queue": record.callback_queue})

    @contextmanager
    def _reopened(self, record: BatchRecord) -> Iterator[None]:
        token = opened.set((*opened.get(), (self._book, record.bid)))
        _mark_pushes(self._book, self._sim)
        try:
            yield
        finally:
            opened.reset(token)
            _stop_marking(self._book, self._sim)

    def _take_back(self, record: BatchRecord, before: int, created: bool) -> None:
        taken = record.jids[before:]
        del record.jids[before:]
        for jid in taken:
            record.pending.discard(jid)
            record.failed.pop(jid, None)
            _delete_job(self._sim, jid)
        if created and record.is_empty:
            book = self._book
            del book.records[record.bid]
            book.history.pop(record.bid, None)
            parent = book.records.get(record.parent_bid or "")
            if parent is not None:
                parent.children.remove(record.bid)
                for waiting in parent.children_waiting.values():
                    waiting.discard(record.bid)
            self._record = None

    def _refuse_if_succeeded(self, verb: str) -> None:
        record = self._record
        if record is not None and "success" in record.fired:
            msg = (
                f"Batch {record.bid}.{verb}: the batch has succeeded and is immutable "
                f"(Sidekiq::Batch::Immutable); make a new batch for more work"
            )
            raise BatchImmutable(msg)

    def __repr__(self) -> str:
        return f"<Batch {self._bid} {self.description or ''}>".replace(" >", ">")


def _active_simulator() -> Any:
    sim = routing.active()
    if sim is None:
        msg = (
            "Batch() was made with no active jobsim simulator; make it inside `with sim:`, "
            "inside a job, or pass sim="
        )
        raise NoActiveSimulator(msg)
    return sim


def _new_bid(sim: Any) -> str:
    # Pro's bids are SecureRandom.urlsafe_base64(10): 14 characters, here from a seeded stream.
    raw = sim.random_stream("jobsim.batches.bid").getrandbits(80).to_bytes(10, "little")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _text(value: Any, *, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise validate.refuse(name, value, "a non-empty str")
    return value


def _delete_job(sim: Any, jid: str) -> None:
    where = sim.locate(jid)
    if where.startswith("queue:"):
        sim.queue(where.removeprefix("queue:")).delete(jid)
    elif where == "schedule":
        sim.scheduled.delete(jid)


def _mark_pushes(book: BatchBook, sim: Any) -> None:
    # The client middleware is in the chain only while a jobs block is open on the simulator.
    book.open_blocks += 1
    if book.open_blocks == 1:
        sim.client_middleware.add(BatchClientMiddleware, book)


def _stop_marking(book: BatchBook, sim: Any) -> None:
    book.open_blocks -= 1
    if book.open_blocks == 0:
        sim.client_middleware.remove(BatchClientMiddleware)
