"""``sim.throttles``: what sidekiq-throttled holds on one simulator, read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobsim.throttled._gate import ClassCounts, ThrottleGate

__all__ = ["ThrottleView", "throttles"]


class ThrottleView:
    """Per-limit state (running slots, window contents, backlog) and per-class counts."""

    __slots__ = ("_gate",)

    def __init__(self, gate: ThrottleGate) -> None:
        self._gate = gate

    def running(self, key: str) -> list[str]:
        """Jids holding a slot of concurrency key ``key`` (``throttled:<Class>:concurrency.v2``),
        in start order."""
        slots = self._gate.slots.get(key)
        return list(slots.running) if slots is not None else []

    def window(self, key: str) -> list[float]:
        """Start times in threshold key ``key`` (``throttled:<Class>:threshold``), oldest first."""
        window = self._gate.windows.get(key)
        return list(reversed(window.starts)) if window is not None else []

    def backlog(self, key: str) -> float:
        """The 2.x backlog estimate of concurrency key ``key`` as last written."""
        slots = self._gate.slots.get(key)
        return slots.backlog if slots is not None else 0.0

    def keys(self) -> list[str]:
        """Every key a limit has used so far, sorted."""
        return sorted([*self._gate.slots, *self._gate.windows])

    def counts(self, job_class: Any) -> ClassCounts:
        """What throttling did to ``job_class`` (a class or its name)."""
        from jobsim.throttled._gate import ClassCounts

        name = getattr(job_class, "job_name", job_class)
        return self._gate.counts.get(str(name), ClassCounts())

    def summary(self) -> dict[str, dict[str, float]]:
        """Counts per class name: throttled, requeued, rescheduled, delayed, wait (seconds)."""
        return {name: counts.as_dict() for name, counts in sorted(self._gate.counts.items())}

    def __repr__(self) -> str:
        return f"<ThrottleView {self.summary()}>"


def throttles(sim: Any) -> ThrottleView:
    """The same view as ``sim.throttles`` (the spelling from before that property existed,
    kept working): the sidekiq-throttled state of a simulator with the ``Throttled`` plugin."""
    view: ThrottleView = sim.throttles
    return view
