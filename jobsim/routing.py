"""Where enqueued jobs go (layer 1): the stack of active simulators.

``with sim:`` pushes a simulator here and ``Job.perform_async`` asks for the top one. The stack
is process-wide on purpose: application code often enqueues from a thread pool, and a job sent
from another thread must reach the simulator the test activated, not vanish. Nothing else is
global; each simulator owns all of its state.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from jobsim.errors import NoActiveSimulator

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["EnqueueTarget", "activate", "current_target", "deactivate"]


class EnqueueTarget(Protocol):
    """What a job class hands its enqueues to (a :class:`jobsim.Simulator`)."""

    def enqueue_job(
        self, job_class: type[Any], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        """Enqueue one job of ``job_class``; returns the jid, or None if middleware dropped it."""
        ...


_lock = threading.Lock()
_stack: list[EnqueueTarget] = []


def activate(target: EnqueueTarget) -> None:
    """Make ``target`` receive enqueues until :func:`deactivate`."""
    with _lock:
        _stack.append(target)


def deactivate(target: EnqueueTarget) -> None:
    """Stop routing enqueues to ``target`` (the innermost activation of it)."""
    with _lock:
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] is target:
                del _stack[index]
                return


def current_target(job_name: str) -> EnqueueTarget:
    """The simulator that receives enqueues now, or a clear error naming the job."""
    stack = _stack
    if stack:
        return stack[-1]
    msg = (
        f"{job_name}.perform_async() was called with no active jobsim simulator, so the job has "
        f"nowhere to go; enqueue inside `with jobsim.Simulator() as sim:` or use the pytest "
        f"fixture `jobsim`"
    )
    raise NoActiveSimulator(msg)
