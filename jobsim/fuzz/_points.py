"""Effect points: where the fuzzer may crash, raise, or switch to another execution (layer 7).

Three kinds of point reach the run that is active in the calling thread (a context variable,
so worker threads of an interleaving each see their own run): declared effects (callables
patched for the duration of a check, see :mod:`jobsim.fuzz._effects`), :func:`checkpoint`, and
the statements and commits of a :func:`jobsim.fuzz.connect` connection. Outside a fuzz run
every point is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from jobsim.points import checkpoint, checkpoint_hook

__all__ = ["InjectedError", "PointHost", "checkpoint", "current_host", "hosting"]


class InjectedError(Exception):
    """The exception the fuzzer raises at an effect point (Sidekiq retries it)."""


class PointHost(Protocol):
    """What an active fuzz run offers to effect points."""

    def point(self, label: str, call: Callable[[], Any] | None, *, counted: bool) -> Any:
        """Reach a point called ``label``; run ``call`` (the effect) unless a fault fires."""
        ...

    def adopt(self, resource: Any) -> None:
        """Remember a connection opened by the current delivery (closed if it crashes)."""
        ...


_HOST: ContextVar[PointHost | None] = ContextVar("jobsim_fuzz_host", default=None)


def current_host() -> PointHost | None:
    """The fuzz run active in this thread, or None."""
    return _HOST.get()


@contextmanager
def hosting(host: PointHost) -> Iterator[None]:
    """Make ``host`` the active run in this thread for the block; ``jobsim.checkpoint`` calls
    become its points (a crash, an exception or a switch to a duplicate may happen there)."""
    token = _HOST.set(host)
    try:
        with checkpoint_hook(lambda name: host.point(name, None, counted=False)):
            yield
    finally:
        _HOST.reset(token)
