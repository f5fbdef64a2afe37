"""A limiter as job code holds it: ``Sidekiq::Limiter.concurrent(...)`` and friends.

A :class:`Limiter` is a small, immutable description (type, name, limits, options); what it
has counted lives in the simulator it was made for (``limiters(sim)``), so the same name on
two simulators is two limiters, as it would be on two Redis servers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from jobsim import validate

if TYPE_CHECKING:
    from jobsim.limiters._runtime import LimiterRuntime

__all__ = ["INTERVALS", "Limiter", "LimiterStatus", "interval_seconds", "limiter_name"]

#: The interval names Sidekiq takes as symbols (``:minute``), in seconds.
INTERVALS: Mapping[str, float] = MappingProxyType(
    {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
)

#: Sidekiq's rule for limiter names: letters, digits, hyphens and underscores.
_NAME = re.compile(r"[A-Za-z0-9_-]+")

#: ``backoff(limiter, job, exception) -> seconds``, Sidekiq's per-limiter ``backoff:`` Proc.
Backoff = Callable[[Any, dict[str, Any], BaseException], Any]


def limiter_name(value: Any, *, where: str) -> str:
    """A limiter name as Sidekiq allows it (``"stripe-42"``), or a clear refusal."""
    name = validate.name(value, name=f"{where}(name)", what="limiter name")
    if not _NAME.fullmatch(name):
        raise validate.refuse(
            f"{where}(name)",
            value,
            "a name of letters, digits, '-' and '_' only, e.g. f'stripe-{user_id}'",
            why="Sidekiq refuses other characters in a limiter name",
        )
    return name


def interval_seconds(value: Any, *, where: str) -> float:
    """Seconds for ``"minute"`` (or ``":minute"``), a number of seconds or a ``timedelta``."""
    if isinstance(value, str):
        seconds = INTERVALS.get(value.lstrip(":"))
        if seconds is None:
            raise validate.refuse(where, value, "'second', 'minute', 'hour', 'day', or seconds > 0")
        return seconds
    return validate.seconds(value, name=where, above=0)


@dataclass(frozen=True, slots=True)
class LimiterStatus:
    """One limiter's state and counts at one instant (``limiter.status()``)."""

    #: The limiter's key (``"lmtr:concurrent:erp"``).
    key: str
    kind: str
    name: str
    #: ``size``, ``count`` or ``points``.
    limit: int
    #: Seconds (None for a concurrent limiter).
    interval: float | None
    #: Holders now (concurrent), units in the current bucket or window, or the leaky level.
    in_use: float
    #: Blocks that got in.
    held: int
    #: Times ``within_limit`` raised ``OverLimit``.
    over_limit: int
    #: Blocks that had to wait, and the virtual seconds they waited in all (OverLimits too).
    waits: int
    waited: float


@dataclass(frozen=True, slots=True, eq=False)
class Limiter:
    """One limiter (``Sidekiq::Limiter.concurrent("erp", 50)``), made by ``limiters(sim)``."""

    kind: str
    name: str
    #: ``size`` (concurrent, leaky), ``count`` (bucket, window) or ``points``.
    limit: int
    interval: float | None
    wait_timeout: float
    lock_timeout: float | None
    backoff: Backoff | None
    reschedule: int | None
    ttl: float
    key: str
    _runtime: LimiterRuntime

    @contextmanager
    def within_limit(self, *, used: int = 1) -> Iterator[None]:
        """Run the block within the limit (``limiter.within_limit { ... }``).

        Inside a job the block is taken to last until the job's execution ends: a concurrent
        limiter's slot is held that long. When there is no room the job's thread waits, in
        virtual time, up to ``wait_timeout`` seconds, then raises :class:`OverLimit`.
        ``used`` spends that many units of a bucket, window or points limiter.
        """
        hold = self._runtime.acquire(self, used)
        try:
            yield
        finally:
            self._runtime.block_done(hold)

    def status(self) -> LimiterStatus:
        """This limiter's state and counts now."""
        return self._runtime.status_of(self)

    def __repr__(self) -> str:
        if self.kind == "unlimited":
            return "Limiter.unlimited()"
        shown = f"{self.interval:g}" if self.interval is not None else ""
        limits = f"{self.limit}, {shown}" if shown else f"{self.limit}"
        return f"Limiter.{self.kind}({self.name!r}, {limits}, wait_timeout={self.wait_timeout:g})"
