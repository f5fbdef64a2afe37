"""Admission gates at fetch (layer 5): what a rate-limit plugin adds to the engine's fetch.

The engine keeps the loop and the bulk shortcuts that need its timers; this module holds what
only the gates and the queues decide: the protocol a gate follows, the queues the gates rest
now, a fetch that leaves those out, whether every gate admits a job, and the earliest time a
resting queue wakes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from jobsim.state import SimState

__all__ = ["FetchGate", "admitted_by_all", "earliest_wake", "fetch_around", "resting_queues"]


class FetchGate(Protocol):
    """Admission at fetch, as sidekiq-throttled patches ``BasicFetch#retrieve_work``.

    A gate may refuse a fetched job (it puts the job back or reschedules it itself) and may
    ask the engine not to poll some queues for a while. It must stop refusing at one instant
    by resting the queues it refuses (so the loop ends), and say when a resting queue wakes.
    """

    def admit(self, queue: str, job: Mapping[str, Any]) -> bool:
        """True to start ``job``; False when the gate has requeued or rescheduled it."""
        ...

    def resting(self, now: float) -> Collection[str]:
        """Queues not to poll at ``now``."""
        ...

    def wakes_at(self, now: float) -> float | None:
        """The earliest time after ``now`` a resting queue may be polled again, or None."""
        ...

    def finished(self, queue: str, job: Mapping[str, Any]) -> None:
        """An execution of ``job`` ended (done, failed or pushed back; not lost in a crash)."""
        ...


def resting_queues(gates: Iterable[FetchGate], now: float) -> set[str]:
    """Every queue some gate rests at ``now``."""
    resting: set[str] = set()
    for gate in gates:
        resting.update(gate.resting(now))
    return resting


def fetch_around(state: SimState, resting: set[str]) -> tuple[str, Mapping[str, Any]] | None:
    """Fetch as the engine does, leaving out the ``resting`` queues (a cooldown)."""
    queues = state.queues
    config = state.queue_config
    if config is None:
        names: Any = queues
    elif config.mode == "strict":
        names = config.names
    else:
        served = [name for name in config.names if name not in resting and queues[name]]
        if not served:
            return None
        chosen = config.pick(state.fetch_rng, lambda name: name in served)
        job = queues[chosen].pop() if chosen is not None else None
        return None if chosen is None or job is None else (chosen, job)
    for name in names:
        if name not in resting and queues[name]:
            job = queues[name].pop()
            if job is not None:
                return name, job
    return None


def admitted_by_all(gates: Iterable[FetchGate], queue: str, job: Mapping[str, Any]) -> bool:
    """Whether every gate admits ``job`` (the first refusal ends the question)."""
    return all(gate.admit(queue, job) for gate in gates)


def earliest_wake(gates: Iterable[FetchGate], now: float, due: float | None) -> float | None:
    """The earlier of ``due`` and the first time after ``now`` a resting queue wakes."""
    for gate in gates:
        wake = gate.wakes_at(now)
        if wake is not None and (due is None or wake < due):
            due = wake
    return due
