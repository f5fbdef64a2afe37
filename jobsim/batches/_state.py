"""What one simulator knows about its batches: the records and the batch in hand.

A :class:`BatchBook` lives in ``sim.stash`` (one per simulator); nothing here is global. The
open ``jobs`` block follows the thread and the task, as routing does, through a context
variable whose entries name the book they belong to, so an open batch in one simulator is never
the current batch of another.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from types import FrameType
from typing import Any

from jobsim.job import Job
from jobsim.stash import StashKey

from ._targets import Callback
from ._versions import ProVersion

__all__ = [
    "BOOK",
    "DAY",
    "EVENTS",
    "EXPIRY",
    "BatchBook",
    "BatchRecord",
    "current_open",
    "current_running",
    "opened",
]

DAY = 86_400.0
#: Pending batches expire after 30 days (hard-coded since Pro 2.0).
EXPIRY = 30 * DAY
#: The callback events, in the order they usually fire.
EVENTS = ("complete", "success", "death")

#: (book, bid) of every jobs block open here, innermost last.
opened: ContextVar[tuple[tuple[BatchBook, str], ...]] = ContextVar("jobsim_batch_open", default=())


def _innermost(entries: tuple[tuple[BatchBook, str], ...], book: BatchBook) -> str | None:
    for owner, bid in reversed(entries):
        if owner is book:
            return bid
    return None


def current_open(book: BatchBook) -> str | None:
    """The bid of the innermost jobs block open on ``book``'s simulator here, or None."""
    entries = opened.get()
    if entries and entries[-1][0] is book:  # the usual case: one block, this simulator's
        return entries[-1][1]
    return _innermost(entries, book)


def current_running(book: BatchBook) -> str | None:
    """The bid of the innermost batch job performing on ``book``'s simulator here, or None.

    jobsim performs a job in the caller's own call stack, so the job in hand is the innermost
    job instance on the stack. Looking there (only when a batch is made) rather than through
    a server middleware keeps every other perform on the simulator's fast path.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, Job):
            job = getattr(candidate, "_job", None)
            bid = job.get("bid") if job is not None else None
            if isinstance(bid, str) and bid in book.records:
                return bid
        frame = frame.f_back
    return None


class BatchRecord:
    """One batch as Sidekiq Pro keeps it under ``b-{bid}``: members, counters, callbacks."""

    def __init__(
        self,
        bid: str,
        *,
        description: str | None,
        callback_queue: str,
        parent_bid: str | None,
        created_at: float,
        linger: float,
    ) -> None:
        self.bid = bid
        self.description = description
        self.callback_queue = callback_queue
        self.parent_bid = parent_bid
        self.created_at = created_at
        self.linger = linger
        self.expires_at = created_at + EXPIRY
        #: event -> its callbacks, in registration order.
        self.callbacks: dict[str, list[Callback]] = {event: [] for event in EVENTS}
        #: Every jid ever pushed into the batch, in push order.
        self.jids: list[str] = []
        #: Jids not yet succeeded (Pro's ``pending``).
        self.pending: set[str] = set()
        #: Jids whose latest run failed (Pro's ``failures``), in failure order.
        self.failed: dict[str, None] = {}
        #: Jids that died (retries exhausted), in death order.
        self.dead: dict[str, None] = {}
        #: Child batches, in creation order, and those whose step has not finished yet.
        self.children: list[str] = []
        self.children_waiting: dict[str, set[str]] = {"complete": set(), "success": set()}
        #: How many jobs blocks are open on it (no event fires while one is).
        self.open_blocks = 0
        #: event -> when it fired (its callback job was pushed).
        self.fired: dict[str, float] = {}
        #: Events whose callbacks have all run (what parents and ``success`` wait for).
        self.done: set[str] = set()

    @property
    def is_empty(self) -> bool:
        """Nothing was ever pushed into it, neither jobs nor child batches."""
        return not self.jids and not self.children


class BatchBook:
    """Every batch of one simulator, and the plugin's settings there."""

    def __init__(
        self,
        sim: Any,
        version: ProVersion,
        callback_queue: str,
        linger: float,
        dead_timeout: float,
        push_callback: Callable[[BatchRecord, str], None],
    ) -> None:
        self.sim = sim
        self.version = version
        self.callback_queue = callback_queue
        self.linger = linger
        #: How long a dead job is kept: a batch with a dead job is kept as long.
        self.dead_timeout = dead_timeout
        #: Pushes the ``Sidekiq::Batch::Callback`` job of an event (set by the plugin).
        self.push_callback = push_callback
        #: Live batches by bid, in creation order (expired ones are removed).
        self.records: dict[str, BatchRecord] = {}
        #: Every bid ever created here, so a status can say "expired" rather than "unknown".
        self.history: dict[str, str] = {}
        #: Open jobs blocks on this simulator: the client middleware is in its chain only
        #: while there is one, so pushes outside blocks stay on the fast path.
        self.open_blocks = 0


#: Where a simulator keeps its :class:`BatchBook`.
BOOK = StashKey[BatchBook]("batches")
