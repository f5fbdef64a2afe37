"""``sim.locks``: the held locks of a simulator, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobsim.clock import format_time
from jobsim.unique_jobs._table import LockTable

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["LockInfo", "LocksView", "locks_of"]


@dataclass(frozen=True, slots=True)
class LockInfo:
    """One held lock: its digest, lock type, holders (jids) and expiry (epoch s, or None)."""

    digest: str
    lock_type: str
    holders: tuple[str, ...]
    expires_at: float | None

    def __repr__(self) -> str:
        until = "never" if self.expires_at is None else format_time(self.expires_at)
        return (
            f"<Lock {self.digest} {self.lock_type} held by {', '.join(self.holders)} until {until}>"
        )


class LocksView:
    """What is locked now (expired locks are gone, as Redis expires them)."""

    __slots__ = ("_sim", "_table")

    def __init__(self, sim: Simulator, table: LockTable) -> None:
        self._sim = sim
        self._table = table

    def _all(self) -> list[LockInfo]:
        return [
            LockInfo(held.digest, held.lock_type, tuple(held.holders), held.expires_at)
            for held in self._table.all(self._sim.time)
        ]

    @property
    def digests(self) -> list[str]:
        """The held digests, sorted."""
        return [info.digest for info in self._all()]

    def get(self, digest: str) -> LockInfo | None:
        """The lock on ``digest``, or None."""
        held = self._table.live(digest, self._sim.time)
        if held is None:
            return None
        return LockInfo(held.digest, held.lock_type, tuple(held.holders), held.expires_at)

    def holders(self, digest: str) -> tuple[str, ...]:
        """The jids holding ``digest`` (empty when it is free)."""
        info = self.get(digest)
        return info.holders if info is not None else ()

    def held_by(self, jid: str) -> list[str]:
        """The digests ``jid`` holds."""
        return [info.digest for info in self._all() if jid in info.holders]

    def __contains__(self, digest: object) -> bool:
        return isinstance(digest, str) and self.get(digest) is not None

    def __iter__(self) -> Iterator[LockInfo]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"<LocksView of {len(self)}>"


def locks_of(sim: Simulator) -> LocksView:
    """The locks view of ``sim`` (what ``sim.locks`` returns)."""
    return sim.locks
