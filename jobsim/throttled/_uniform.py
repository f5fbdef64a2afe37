"""``Strategy#throttled?`` for a uniform strategy, with its keys and limits worked out once.

A uniform strategy (:attr:`~jobsim.throttled._spec.Strategy.uniform`) has constant limits and
keys, so the per-fetch work of :meth:`ThrottleGate._throttled` (resolving each value against
the job's arguments, building each key, finding its counter) can be done once. The answers
and every counter's changes are the same, step for step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobsim.throttled._limits import Slots, Window
from jobsim.throttled._spec import Strategy, key_of, resolve

if TYPE_CHECKING:
    from jobsim.throttled._gate import ThrottleGate

__all__ = ["UniformCheck"]


class UniformCheck:
    """One uniform strategy's limits on one gate's counters."""

    __slots__ = (
        "_backlog",
        "_gate",
        "_lost",
        "_period",
        "_slot_limit",
        "_slots",
        "_slots_key",
        "_window",
        "_window_key",
        "_window_limit",
        "strategy",
    )

    def __init__(self, gate: ThrottleGate, strategy: Strategy) -> None:
        self._gate = gate
        #: Held so the gate's table, keyed by id(strategy), never outlives it.
        self.strategy = strategy
        self._backlog = gate.version == "2"
        self._slots: Slots | None = None
        self._slots_key: str | None = None
        self._slot_limit = 0.0
        self._lost = 0.0
        if strategy.concurrency:
            spec = strategy.concurrency[0]
            self._slots_key = key_of(spec.base_key, spec.key_suffix, ())
            self._slot_limit = resolve(spec.limit, ())
            self._lost = spec.lost_job_threshold
        self._window: Window | None = None
        self._window_key: str | None = None
        self._window_limit = 0
        self._period = 0.0
        if strategy.threshold:
            threshold = strategy.threshold[0]
            self._window_key = key_of(threshold.base_key, threshold.key_suffix, ())
            self._window_limit = int(resolve(threshold.limit, ()))
            self._period = float(resolve(threshold.period, ()))

    def throttled(self, jid: str, now: float) -> str | None:
        """Which limit refuses the job ("concurrency"/"threshold"), or None to admit it."""
        slots = self._slots
        if self._slots_key is not None:
            if slots is None:  # the counter exists from its first check on, as in Redis
                slots = self._slots = self._gate.slots.setdefault(self._slots_key, Slots())
            if slots.throttled(jid, self._slot_limit, self._lost, now, backlog=self._backlog):
                return "concurrency"
        if self._window_key is not None:
            window = self._window
            if window is None:
                window = self._window = self._gate.windows.setdefault(self._window_key, Window())
            if window.throttled(self._window_limit, self._period, now):
                if slots is not None:  # the slot the concurrency check just took goes back
                    slots.release(jid)
                return "threshold"
        return None
