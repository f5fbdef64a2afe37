"""Where enqueued jobs go (layer 1): the simulators active in this thread or task.

``with sim:`` makes a simulator receive ``Job.perform_async`` and friends. Activation follows
the thread and the asyncio task (a :class:`contextvars.ContextVar`), so two threads each inside
their own ``with`` reach their own simulator. A thread started inside ``with sim:`` does not
inherit the activation (Python starts threads in a fresh context); hand it the simulator
explicitly, either by entering ``with sim:`` in the thread, or by running the thread's work in a
copy of the caller's context::

    pool.submit(contextvars.copy_context().run, work, 42)

For diagnostics only, this module also remembers a little about where enqueues went, so an
assertion that finds nothing can say why: a generation number that grows with every
activation, the simulators activated recently (weakly held), and the last enqueues that found
no active simulator. None of it changes where a job goes.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from jobsim.errors import NoActiveSimulator

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "EnqueueTarget",
    "Missed",
    "activate",
    "activated_since",
    "active",
    "current_target",
    "deactivate",
    "generation",
    "missed_since",
    "targets",
]


class EnqueueTarget(Protocol):
    """What a job class hands its enqueues to (a :class:`jobsim.Simulator`)."""

    def _enqueue_job(
        self, job_class: type[Any], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        """Enqueue one job of ``job_class``; returns the jid, or None if middleware dropped it."""
        ...

    def _keeps_dropped_in_bulk(self) -> bool:
        """Whether ``perform_bulk`` keeps a None for a job client middleware dropped."""
        ...


class Missed(NamedTuple):
    """An enqueue that found no active simulator (its NoActiveSimulator may have been caught)."""

    generation: int
    job_name: str
    thread: str


_lock = threading.Lock()
#: The targets active in this thread or task, innermost last. Read it with ``targets.get()``
#: (Job.perform_async peeks at the top without another call); only activate() and
#: deactivate() set it.
targets: ContextVar[tuple[EnqueueTarget, ...]] = ContextVar("jobsim_targets", default=())
#: Grows by one with every activation and deactivation; diagnostics compare generations,
#: never times.
_generation = 0
#: id(target) -> (generation of its latest activation, weak reference to it)
_recent: dict[int, tuple[int, weakref.ref[Any]]] = {}
_RECENT_MAX = 64
_missed: deque[Missed] = deque(maxlen=32)


def activate(target: EnqueueTarget) -> None:
    """Make ``target`` receive enqueues until :func:`deactivate`."""
    global _generation
    targets.set((*targets.get(), target))
    with _lock:
        _generation += 1
        try:
            ref: weakref.ref[Any] = weakref.ref(target)
        except TypeError:  # a target without weak-reference support is just not remembered
            return
        _recent[id(target)] = (_generation, ref)
        if len(_recent) > _RECENT_MAX:
            _forget_oldest()


def _forget_oldest() -> None:
    for key in [key for key, (_, ref) in _recent.items() if ref() is None]:
        del _recent[key]
    while len(_recent) > _RECENT_MAX:
        oldest = min(_recent, key=lambda key: _recent[key][0])
        del _recent[oldest]


def generation() -> int:
    """A point in routing history: grows with every activation and deactivation."""
    return _generation


def active() -> EnqueueTarget | None:
    """The simulator that receives enqueues now in this thread or task, or None."""
    active_now = targets.get()
    return active_now[-1] if active_now else None


def activated_since(since: int) -> list[Any]:
    """Live targets activated after generation ``since``, most recently activated first."""
    with _lock:
        found = [
            (gen, target)
            for gen, ref in _recent.values()
            if gen > since and (target := ref()) is not None
        ]
    found.sort(key=lambda item: -item[0])
    return [target for _, target in found]


def missed_since(since: int) -> list[Missed]:
    """Enqueues that found no active simulator after generation ``since`` (the last 32 kept)."""
    with _lock:
        return [miss for miss in _missed if miss.generation >= since]


def deactivate(target: EnqueueTarget) -> None:
    """Stop routing enqueues to ``target`` (the innermost activation of it)."""
    global _generation
    with _lock:
        _generation += 1
    active_now = targets.get()
    for index in range(len(active_now) - 1, -1, -1):
        if active_now[index] is target:
            targets.set(active_now[:index] + active_now[index + 1 :])
            return


def current_target(job_name: str) -> EnqueueTarget:
    """The simulator that receives enqueues now, or a clear error naming the job."""
    active_now = targets.get()
    if active_now:
        return active_now[-1]
    with _lock:
        _missed.append(Missed(_generation, job_name, threading.current_thread().name))
    msg = (
        f"{job_name}.perform_async() was called with no active jobsim simulator, so the job has "
        f"nowhere to go; enqueue inside `with jobsim.Simulator() as sim:` or use the pytest "
        f"fixture `jobsim`{_thread_hint()}"
    )
    raise NoActiveSimulator(msg)


def _thread_hint() -> str:
    # Activation follows the thread: say so when the enqueue came from another thread.
    if threading.current_thread() is threading.main_thread():
        return ""
    return (
        f" (this enqueue ran in thread {threading.current_thread().name!r}, and a simulator is "
        f"active only in the thread that entered it: enter `with sim:` in the thread, or start "
        f"its work with contextvars.copy_context().run)"
    )
