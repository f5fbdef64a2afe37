"""``Strategy#throttled?`` for a uniform strategy, with its keys and limits worked out once.

A uniform strategy (:attr:`~jobsim.throttled._spec.Strategy.uniform`) has constant limits and
keys, so the per-fetch work of :meth:`ThrottleGate._throttled` (resolving each value against
the job's arguments, building each key, finding its counter) can be done once. The answers
and every counter's changes are the same, step for step.
"""

from __future__ import annotations

import math
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
        "_window_given",
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
        self._window_given: float = 0
        self._period = 0.0
        if strategy.threshold:
            threshold = strategy.threshold[0]
            self._window_key = key_of(threshold.base_key, threshold.key_suffix, ())
            self._window_given = resolve(threshold.limit, ())
            self._window_limit = int(self._window_given)
            self._period = float(resolve(threshold.period, ()))

    def changes_at(self, now: float) -> float:
        """:meth:`ThrottleGate._changes_at` for this strategy: when the limits refusing now
        can let a job through by themselves (inf: only a released slot can)."""
        at = math.inf
        slots = self._gate.slots.get(self._slots_key) if self._slots_key is not None else None
        if slots is not None and len(slots.running) >= self._slot_limit:
            at = slots.changes_at()
        if self._window_key is not None:
            window = self._gate.windows.get(self._window_key)
            if window is not None:
                starts = window.starts
                if len(starts) >= self._window_given and now - starts[-1] < self._period:
                    at = min(at, window.changes_at(self._period))
        return at

    def would_refuse(self, jid: str, at: float) -> bool:
        """Whether :meth:`throttled` at ``at`` would refuse ``jid``, changing nothing."""
        if self._slots_key is not None:
            slots = self._gate.slots.get(self._slots_key)
            if slots is not None:
                live = [held for held, expiry in slots.running.items() if not expiry < at]
                if self._slot_limit <= len(live) and jid not in live:
                    return True
        if self._window_key is not None:
            window = self._gate.windows.get(self._window_key)
            starts = window.starts if window is not None else ()
            if not starts or at - starts[0] >= self._period:
                return False  # empty, or expired: the job is let through
            return self._window_limit <= len(starts) and at - starts[-1] < self._period
        return False

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
