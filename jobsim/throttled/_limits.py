"""The two counters sidekiq-throttled keeps in Redis, kept here per simulator.

:class:`Slots` is ``concurrency.lua``: a sorted set of running jids scored by when each slot
counts as lost, plus (2.x) the backlog estimate the ``schedule`` requeue reads.
:class:`Window` is ``threshold.lua``: the start times of the last ``limit`` admitted jobs.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["Slots", "Window"]


class Slots:
    """``throttled:<name>:concurrency.v2[:suffix]`` and its ``.backlog_info`` hash."""

    __slots__ = ("backlog", "backlog_at", "running")

    def __init__(self) -> None:
        #: jid -> the time its slot is lost (start + lost_job_threshold), in start order.
        self.running: dict[str, float] = {}
        self.backlog = 0.0
        self.backlog_at: float | None = None

    def _estimate(self, now: float, limit: float, lost: float) -> float:
        # est_current_backlog_size: the estimate decays by `limit` jobs per lost_job_threshold.
        since = self.backlog_at if self.backlog_at is not None else now
        return max(self.backlog - (now - since) / lost * limit, 0.0)

    def _change_backlog(self, delta: float, now: float, limit: float, lost: float) -> None:
        self.backlog = self._estimate(now, limit, lost) + delta
        self.backlog_at = now

    def throttled(self, jid: str, limit: float, lost: float, now: float, *, backlog: bool) -> bool:
        """One ``concurrency.lua`` call: True (throttled) or False (``jid`` holds a slot)."""
        stale = [held for held, expiry in self.running.items() if expiry < now]
        for held in stale:  # ZREMRANGEBYSCORE -inf (now: a slot lost after its threshold
            del self.running[held]
        if backlog:
            self._change_backlog(-len(stale), now, limit, lost)
        if limit <= len(self.running) and jid not in self.running:
            if backlog:
                self._change_backlog(1, now, limit, lost)
            return True
        self.running.pop(jid, None)  # ZADD updates the score (and the start order here)
        self.running[jid] = now + lost
        if backlog:
            self._change_backlog(-1, now, limit, lost)
        return False

    def repeat_change(self, calls: int, delta: int, now: float) -> None:
        """The backlog after ``calls`` more :meth:`throttled` calls at ``now`` that find no
        stale slot and change it by ``delta`` each (+1 refused, -1 admitted then given back),
        step by step as the gem's calls round. Only right at the instant of the last change,
        when nothing has decayed."""
        if self.backlog_at != now:
            msg = "repeat_change() only continues changes made at the same instant"
            raise AssertionError(msg)
        backlog = self.backlog
        if delta > 0 and backlog > 0:  # max(., 0) keeps a positive backlog: only the adds
            for _ in range(calls):
                backlog += delta
        else:
            for _ in range(calls):
                backlog = max(backlog - 0.0, 0.0) + 0  # the stale-slot change, none stale
                backlog = max(backlog - 0.0, 0.0) + delta
                if backlog == -1.0 and delta == -1:
                    break  # max(-1, 0) - 1 is -1 again: it stays there
        self.backlog = backlog

    def release(self, jid: str) -> None:
        """``finalize!``: ZREM (a jid that holds no slot changes nothing)."""
        self.running.pop(jid, None)

    def retry_in_v2(
        self, limit: float, avg: float, lost: float, max_delay: float, now: float
    ) -> float:
        """2.x ``Concurrency#retry_in``: backlog x avg / limit, squashed under max_delay."""
        if len(self.running) < limit:
            return 0.0
        delay = self._estimate(now, limit, lost) * avg / limit
        return max_delay * (1 - math.exp(-delay / max_delay)) if max_delay > 0 else 0.0

    def retry_in_v1(self, limit: float, now: float) -> float:
        """1.x ``Concurrency#retry_in``: until the oldest slot counts as lost."""
        if len(self.running) < limit or not self.running:
            return 0.0
        return min(self.running.values()) - now

    def changes_at(self) -> float:
        """When a slot frees without a release: just after the earliest one is lost."""
        if not self.running:
            return -math.inf
        return math.nextafter(min(self.running.values()), math.inf)


class Window:
    """``throttled:<name>:threshold[:suffix]``: start times, newest first, at most ``limit``."""

    __slots__ = ("starts",)

    def __init__(self) -> None:
        #: Newest at the left (LPUSH), oldest at the right (LINDEX -1).
        self.starts: deque[float] = deque()

    def _expire(self, now: float, period: float) -> None:
        # EXPIRE key period after every push: the list goes once the newest start is that old.
        if self.starts and now - self.starts[0] >= period:
            self.starts.clear()

    def throttled(self, limit: int, period: float, now: float) -> bool:
        """One ``threshold.lua`` call: True, or False after recording a start at ``now``."""
        self._expire(now, period)
        starts = self.starts
        if limit <= len(starts) and now - starts[-1] < period:
            return True
        starts.appendleft(now)
        while len(starts) > max(limit, 0):
            starts.pop()  # LTRIM 0, limit - 1
        return False

    def retry_in(self, limit: float, period: float, now: float) -> float:
        """``Threshold#retry_in``: until the oldest start leaves the window."""
        self._expire(now, period)
        if len(self.starts) < limit:
            return 0.0
        since = now - self.starts[-1]
        return 0.0 if since > period else period - since

    def changes_at(self, period: float) -> float:
        """When the oldest start leaves the window."""
        if not self.starts:
            return -math.inf
        oldest = self.starts[-1]
        at = oldest + period
        while at - oldest < period:  # the first float the Lua check would let through
            at = math.nextafter(at, math.inf)
        return at
