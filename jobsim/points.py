"""Named points inside job code (layer 1): ``jobsim.checkpoint("charged")``.

Outside a fuzz run a checkpoint does nothing. During one, the idempotency fuzzer
(:mod:`jobsim.fuzz`) installs a hook here and may crash the process, raise, or switch to a
concurrent duplicate at the point: the places between side effects where real deliveries
break.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["checkpoint", "checkpoint_hook"]

_HOOK: ContextVar[Callable[[str], None] | None] = ContextVar("jobsim_checkpoint", default=None)


def checkpoint(name: str) -> None:
    """Mark a point between side effects; a no-op unless a fuzz run is watching."""
    hook = _HOOK.get()
    if hook is not None:
        hook(name)


@contextmanager
def checkpoint_hook(hook: Callable[[str], None]) -> Iterator[None]:
    """Send every :func:`checkpoint` in this thread to ``hook`` for the block."""
    token = _HOOK.set(hook)
    try:
        yield
    finally:
        _HOOK.reset(token)
