"""What each limiter type counts, on the virtual clock: when the next use fits.

Every type answers two questions for a use of ``n`` units asked for at instant ``t``:
:meth:`earliest` (the first instant at or after ``t`` when the use fits, without changing
anything) and :meth:`take` (record the use at that instant). The caller decides whether the
wait is short enough (``wait_timeout``). Uses are granted in the order they are asked for:
``earliest`` never answers before the last use granted, so a later caller cannot overtake an
earlier one that is still waiting, and a use granted now can never push an earlier window
over its limit.

``prune(now)`` forgets what can no longer matter at ``now`` or later (the clock never goes
back), so a long run keeps only the live part of each limiter.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

__all__ = [
    "Bucket",
    "Concurrent",
    "Holder",
    "Leaky",
    "Unlimited",
    "Window",
]


@dataclass(slots=True)
class Holder:
    """One hold of a concurrent limiter's slot, from ``acquired_at`` until it ends."""

    jid: str
    acquired_at: float
    #: After this the lock may be reclaimed (``lock_timeout``), whatever the holder does.
    lock_until: float
    #: When the execution holding it is due to end (known once its duration is drawn).
    expected_end: float | None = None
    #: When the execution ended and gave the slot back (None: still held, or lost in a crash).
    released_at: float | None = None

    def end(self) -> float:
        """When the slot is free again."""
        if self.released_at is not None:
            return min(self.released_at, self.lock_until)
        if self.expected_end is not None:
            return min(self.expected_end, self.lock_until)
        return self.lock_until


class Concurrent:
    """At most ``size`` holders at any instant; a hold older than ``lock_timeout`` is free."""

    kind = "concurrent"
    __slots__ = ("holders", "lock_timeout", "size")

    def __init__(self, size: int, lock_timeout: float) -> None:
        self.size = size
        self.lock_timeout = lock_timeout
        self.holders: list[Holder] = []

    def prune(self, now: float) -> None:
        if self.holders:
            self.holders = [holder for holder in self.holders if holder.end() > now]

    def earliest(self, t: float, n: int) -> float:
        # A new hold lasts until its execution ends, which nobody knows yet: it fits once at
        # most size - 1 other holds are left for good, i.e. at the size-th latest end.
        if len(self.holders) < self.size:
            return t
        ends = sorted((holder.end() for holder in self.holders), reverse=True)
        return max(t, ends[self.size - 1])

    def take(self, at: float, n: int, jid: str) -> Holder:
        holder = Holder(jid, at, at + self.lock_timeout)
        self.holders.append(holder)
        return holder

    def in_use(self, now: float) -> float:
        return sum(1 for holder in self.holders if holder.acquired_at <= now < holder.end())


class Bucket:
    """``count`` units per calendar interval (epoch-aligned, so :minute starts at :00)."""

    kind = "bucket"
    __slots__ = ("count", "interval", "last", "start", "used")

    def __init__(self, count: int, interval: float) -> None:
        self.count = count
        self.interval = interval
        self.last = -math.inf
        self.start = -math.inf
        self.used = 0

    def prune(self, now: float) -> None:
        pass  # one number per limiter: nothing grows

    def _start_of(self, at: float) -> float:
        return math.floor(at / self.interval) * self.interval

    def earliest(self, t: float, n: int) -> float:
        at = max(t, self.last)
        start = self._start_of(at)
        used = self.used if start == self.start else 0
        if used + n <= self.count:
            return at
        return start + self.interval  # the next bucket is empty and n <= count

    def take(self, at: float, n: int, jid: str) -> None:
        start = self._start_of(at)
        if start != self.start:
            self.start, self.used = start, 0
        self.used += n
        self.last = at

    def in_use(self, now: float) -> float:
        return self.used if self._start_of(now) == self.start else 0


class Window:
    """``count`` units in any rolling ``interval``: a use at ``u`` counts in (u, u + interval]."""

    kind = "window"
    __slots__ = ("count", "interval", "last", "total", "uses")

    def __init__(self, count: int, interval: float) -> None:
        self.count = count
        self.interval = interval
        self.uses: deque[tuple[float, int]] = deque()
        self.total = 0
        self.last = -math.inf

    def prune(self, now: float) -> None:
        uses = self.uses
        while uses and uses[0][0] <= now - self.interval:
            self.total -= uses.popleft()[1]

    def earliest(self, t: float, n: int) -> float:
        at = max(t, self.last)
        total = self.total
        for used_at, units in self.uses:  # oldest first
            if total + n <= self.count and used_at > at - self.interval:
                break
            if used_at > at - self.interval:
                at = used_at + self.interval  # wait until this use leaves the window
            total -= units
        return at

    def take(self, at: float, n: int, jid: str) -> None:
        self.uses.append((at, n))
        self.total += n
        self.last = at

    def in_use(self, now: float) -> float:
        return sum(units for used_at, units in self.uses if now - self.interval < used_at <= now)


class Leaky:
    """A bucket of ``size`` that drains at ``size`` per ``interval``: a burst of ``size``,
    then an even rate. Sidekiq's ``points`` limiter is the same with weighted uses."""

    __slots__ = ("interval", "kind", "level", "level_at", "rate", "size")

    def __init__(self, size: int, interval: float, *, kind: str = "leaky") -> None:
        self.kind = kind
        self.size = size
        self.interval = interval
        self.rate = size / interval
        self.level = 0.0
        self.level_at = -math.inf

    def prune(self, now: float) -> None:
        pass

    def _level(self, at: float) -> float:
        if self.level <= 0:
            return 0.0
        return max(0.0, self.level - self.rate * (at - self.level_at))

    def earliest(self, t: float, n: int) -> float:
        at = max(t, self.level_at)
        excess = self._level(at) + n - self.size
        if excess <= 0:
            return at
        return at + excess / self.rate

    def take(self, at: float, n: int, jid: str) -> None:
        # Never above size, even by a rounding error: a wait computed from a float division
        # may land a hair early.
        self.level = min(float(self.size), self._level(at) + n)
        self.level_at = at

    def in_use(self, now: float) -> float:
        return self._level(max(now, self.level_at))


class Unlimited:
    """Always fits (``Sidekiq::Limiter.unlimited``, for tests and feature flags)."""

    kind = "unlimited"
    __slots__ = ()

    def prune(self, now: float) -> None:
        pass

    def earliest(self, t: float, n: int) -> float:
        return t

    def take(self, at: float, n: int, jid: str) -> None:
        pass

    def in_use(self, now: float) -> float:
        return 0
