"""A deterministic scheduler for concurrent duplicates: real threads, one baton (layer 7).

Each execution runs in its own thread, but only the thread holding the baton runs; at every
effect point it hands the baton back and the scheduler picks who goes next from a list of
choices (Hypothesis draws it, so interleavings shrink). There is no real parallelism, so the
same choices always give the same interleaving.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from jobsim.errors import SimulationError

__all__ = ["Interleaver"]

#: Wall-clock seconds an execution may take between two points before the run is declared
#: stuck (it waits on a lock another, paused execution holds). Not virtual time: a guard.
STUCK_AFTER = 20.0

_SCHEDULER = -1


class Interleaver:
    """Runs callables as interleaved threads; :meth:`pause` is called at each point."""

    def __init__(self, choices: Sequence[int]) -> None:
        self._choices = list(choices)
        self._used = 0
        self._cond = threading.Condition()
        self._turn = _SCHEDULER
        self._local = threading.local()
        #: The order in which executions held the baton (execution indices), for tests.
        self.history: list[int] = []

    def _pick(self, waiting: list[int]) -> int:
        if self._used < len(self._choices):
            choice = self._choices[self._used] % len(waiting)
            self._used += 1
            return waiting[choice]
        return waiting[0]

    def pause(self) -> None:
        """At a point: hand the baton to the scheduler and wait to be picked again."""
        me: int | None = getattr(self._local, "index", None)
        if me is None:
            return  # not one of the interleaved threads (a retry run later, say)
        with self._cond:
            self._turn = _SCHEDULER
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._turn == me)

    def run(self, bodies: Sequence[Callable[[], None]]) -> None:
        """Run ``bodies`` interleaved until all have finished."""
        finished = [False] * len(bodies)
        failures: list[BaseException] = []

        def thread_main(index: int, body: Callable[[], None]) -> None:
            self._local.index = index
            with self._cond:
                self._cond.wait_for(lambda: self._turn == index)
            try:
                body()
            except BaseException as exc:  # reported to the caller's thread
                failures.append(exc)
            finally:
                with self._cond:
                    finished[index] = True
                    self._turn = _SCHEDULER
                    self._cond.notify_all()

        threads = [
            threading.Thread(target=thread_main, args=(i, body), daemon=True, name=f"delivery-{i}")
            for i, body in enumerate(bodies)
        ]
        for thread in threads:
            thread.start()
        with self._cond:
            while not all(finished):
                waiting = [i for i, done in enumerate(finished) if not done]
                chosen = self._pick(waiting)
                self.history.append(chosen)
                self._turn = chosen
                self._cond.notify_all()
                if not self._cond.wait_for(lambda: self._turn == _SCHEDULER, STUCK_AFTER):
                    msg = (
                        f"interleaved execution {chosen + 1} did not reach an effect point "
                        f"within {STUCK_AFTER:g} s: it probably waits on a lock that another, "
                        f"paused execution holds (a SQLite busy timeout?); open connections "
                        f"with jobsim.fuzz.connect(), which fails at once on a locked database"
                    )
                    raise SimulationError(msg)
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
