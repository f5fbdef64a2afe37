"""Fewer young garbage collections while jobsim's engine works (layer 1).

A simulation allocates job hashes, argument lists and trace rows that all stay alive, so with
CPython's default (a young collection every 700 new container objects) the collector keeps
scanning objects it cannot free: about a fifth of a drain's time. While a simulator's engine
runs (``drain``, ``run_until``, ``advance``, ``run_due``) and the simulator was built with
``young_gc=True`` (the default; the pytest fixture turns it off unless asked), the youngest
generation is collected every 20,000 allocations instead. Code outside the engine (a test,
the application enqueueing inside ``with sim:``) always runs under the process's own setting.
When the last engine run ends, the process gets its own setting back. Nothing else changes:
older generations, ``gc.collect()`` and ``gc.disable()`` behave as before, and a threshold
already at least as high (or 0, collection off) is left alone, as is one that someone changed
in the meantime. The holder count is process-wide because the threshold is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["YOUNG_THRESHOLD", "fewer_young_collections", "hold", "release"]

#: The youngest generation's threshold while jobsim holds it (CPython's default is 700).
YOUNG_THRESHOLD = 20_000

_lock = threading.Lock()
_holders = 0
#: The young threshold to give back when the last holder leaves (None: nothing was changed).
_saved: int | None = None


def hold() -> None:
    """One more holder; the first one raises the young threshold."""
    global _holders, _saved
    with _lock:
        _holders += 1
        if _holders > 1:
            return
        first, second, third = gc.get_threshold()
        if 0 < first < YOUNG_THRESHOLD:
            _saved = first
            gc.set_threshold(YOUNG_THRESHOLD, second, third)


def release() -> None:
    """One holder fewer; the last one gives the process its own threshold back."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders or _saved is None:
            return
        current = gc.get_threshold()
        if current[0] == YOUNG_THRESHOLD:  # unless someone set another meanwhile
            gc.set_threshold(_saved, *current[1:])  # older generations stay as they are now
        _saved = None


@contextmanager
def fewer_young_collections() -> Iterator[None]:
    """Hold for the length of a ``with`` block, however it ends."""
    hold()
    try:
        yield
    finally:
        release()
