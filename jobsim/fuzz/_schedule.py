"""Fault switches and one fault schedule, as plain values (layer 7, no Hypothesis needed).

A :class:`Schedule` is everything that decides one fuzzed run: the simulator's seed, the fetch
mode, how many copies of the payload are delivered, how many of them run interleaved, which
effect points fail and how, and who runs next at each switch of the interleaving. Its ``repr``
is the line that replays a run (``check_idempotent(..., schedule=Schedule(...))``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ACTIONS", "Action", "Faults", "Schedule"]

#: What can happen at an effect point. ``-before`` variants fire instead of the effect,
#: ``-after`` ones once it has run (its side effect stays).
Action = Literal["crash-before", "crash-after", "raise-before", "raise-after", "shutdown-before"]
ACTIONS: tuple[Action, ...] = (
    "crash-before",
    "crash-after",
    "raise-before",
    "raise-after",
    "shutdown-before",
)


@dataclass(frozen=True, slots=True)
class Faults:
    """Which faults the fuzzer may inject; each is on by default.

    Args:
        duplicates: Deliver the same payload (same jid) up to ``max_deliveries`` times.
        crashes: Kill the process at an effect point (``jobsim.SimulatedCrash``): the job is
            lost under basic fetch and redelivered under reliable fetch.
        exceptions: Raise at an effect point; Sidekiq retries with its real backoff.
        concurrency: Run two or more duplicates interleaved at effect points.
        shutdown: Sidekiq's hard shutdown at an effect point: the job is pushed back to the
            front of its queue and runs again.
        max_deliveries: The most copies of one payload delivered (2 or more).
        max_faults: The most injected faults in one schedule.
        resubmits: With a unique-jobs plugin in ``check_idempotent(plugins=...)``: the
            application pushes the same job again (a new jid, what a lock is for) while the
            first one waits in its queue, up to twice.
        lock_expiry: With a unique-jobs plugin: before those pushes, the waiting job's locks
            expire, as when its ``lock_ttl`` runs out in a long queue.
    """

    duplicates: bool = True
    crashes: bool = True
    exceptions: bool = True
    concurrency: bool = True
    shutdown: bool = True
    max_deliveries: int = 3
    max_faults: int = 3
    resubmits: bool = True
    lock_expiry: bool = True

    def actions(self) -> tuple[Action, ...]:
        """The point actions these switches allow, in shrinking order."""
        allowed: list[Action] = []
        if self.crashes:
            allowed += ["crash-before", "crash-after"]
        if self.exceptions:
            allowed += ["raise-before", "raise-after"]
        if self.shutdown:
            allowed.append("shutdown-before")
        return tuple(allowed)


@dataclass(frozen=True, slots=True, repr=False)
class Schedule:
    """One run's decisions. ``faults`` maps effect-point numbers (0-based, in the order the
    run reaches them, across all deliveries) to what happens there; ``order`` picks, at each
    switch of an interleaving, which waiting execution runs next (an index into the waiting
    ones, modulo their number; once used up, the lowest-numbered one runs). ``resubmits``
    new-jid pushes of the same job follow the first while it waits, after its locks expired
    if ``lock_expires`` (both need a unique-jobs plugin on the run)."""

    seed: int = 0
    fetch: Literal["basic", "reliable"] = "basic"
    deliveries: int = 1
    concurrent: int = 1
    faults: tuple[tuple[int, Action], ...] = ()
    order: tuple[int, ...] = ()
    resubmits: int = 0
    lock_expires: bool = False

    def __repr__(self) -> str:
        # The replay line; the lock fields only when set, so other lines read as before.
        text = (
            f"Schedule(seed={self.seed!r}, fetch={self.fetch!r}, deliveries={self.deliveries!r}, "
            f"concurrent={self.concurrent!r}, faults={self.faults!r}, order={self.order!r}"
        )
        if self.resubmits:
            text += f", resubmits={self.resubmits!r}"
        if self.lock_expires:
            text += f", lock_expires={self.lock_expires!r}"
        return text + ")"

    def fault_at(self, point: int) -> Action | None:
        """The action planned at effect point number ``point``, if any."""
        for where, action in self.faults:
            if where == point:
                return action
        return None

    def describe(self) -> str:
        """A one-line summary: copies, interleaving and fetch mode."""
        parts = [f"{self.deliveries} deliver{'y' if self.deliveries == 1 else 'ies'}"]
        if self.concurrent > 1:
            parts.append(f"{self.concurrent} of them interleaved")
        if self.resubmits:
            expired = ", after its lock expired" if self.lock_expires else ""
            parts.append(f"pushed again {self.resubmits}× with a new jid{expired}")
        parts.append(f"{self.fetch} fetch")
        parts.append(f"seed {self.seed}")
        return ", ".join(parts)
