"""The held locks of one simulator: what the gem keeps in Redis under ``uniquejobs:*``.

One :class:`HeldLock` per digest: the jids holding it (``…:LOCKED``, a hash of jid to lock
time), its lock type, and when the whole digest expires (``PEXPIRE`` with the lock's TTL). The
rules are ``lua/lock.lua`` and ``lua/unlock.lua`` of sidekiq-unique-jobs 8.1:

* a jid that already holds the digest locks it again at once (re-entrant), without moving
  its expiry: a scheduled or retried job passes its own lock;
* otherwise the lock is taken while fewer than ``lock_limit`` jids hold it;
* unlocking removes the jid, and the digest with its last holder, except for
  ``until_expired``, which only its TTL removes;
* an expired digest is gone, whoever held it (expiry is read against the virtual clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["HeldLock", "LockKind", "LockTable"]


@dataclass(slots=True)
class HeldLock:
    """One digest's lock."""

    digest: str
    lock_type: str
    #: jid -> virtual time it took the lock, in locking order.
    holders: dict[str, float] = field(default_factory=dict)
    limit: int = 1
    #: Virtual time the digest expires (None: never).
    expires_at: float | None = None
    #: Its score in the digests ZSET: the job's ``at`` when it was scheduled, else lock time.
    score: float = 0.0


class LockKind(NamedTuple):
    """What the locks one resolution of a job class takes share (made once, not per push)."""

    lock_type: str
    limit: int
    #: Seconds the digest lives (None: until released).
    ttl: float | None


class LockTable:
    """Every held lock of one simulator, by digest.

    Most locks are taken on push by one jid, held by it alone and released (:meth:`take_free`).
    Such a **fresh** lock is kept as three plain entries: ``_locks[digest]`` is the holder's
    jid, ``_since[digest]`` its lock time (also its score) and ``_kinds[digest]`` the
    :class:`LockKind` its job class shares. None of them is a new container, so a push adds
    nothing for the garbage collector to scan (a tuple or a :class:`HeldLock` per push cost
    about a microsecond, mostly in collections). The first use that needs more (a second
    holder, the view, an expiry by hand, a save) turns it into a :class:`HeldLock` for good,
    with the values a :meth:`lock` would have given it.
    """

    __slots__ = ("_kinds", "_locks", "_since")

    def __init__(self) -> None:
        self._locks: dict[str, HeldLock | str] = {}
        self._since: dict[str, float] = {}
        self._kinds: dict[str, LockKind] = {}

    def _held(self, digest: str) -> HeldLock | None:
        """The entry for ``digest`` as a :class:`HeldLock` (expired or not)."""
        held = self._locks.get(digest)
        if not isinstance(held, str):
            return held
        since = self._since.pop(digest)
        kind = self._kinds.pop(digest)
        expires = since + kind.ttl if kind.ttl is not None and kind.ttl > 0 else None
        promoted = HeldLock(digest, kind.lock_type, {held: since}, kind.limit, expires, since)
        self._locks[digest] = promoted
        return promoted

    def _drop(self, digest: str) -> None:
        if isinstance(self._locks.pop(digest), str):
            del self._since[digest]
            del self._kinds[digest]

    def live(self, digest: str, now: float) -> HeldLock | None:
        """The lock on ``digest`` if it is held and not expired (an expired one is dropped)."""
        held = self._held(digest)
        if held is not None and held.expires_at is not None and now >= held.expires_at:
            del self._locks[digest]
            return None
        return held

    def _fresh_gone(self, digest: str, ttl: float | None, now: float) -> bool:
        """Whether the fresh lock on ``digest`` has expired by ``now`` (then it is dropped)."""
        if ttl is None or ttl <= 0 or now < self._since[digest] + ttl:
            return False
        self._drop(digest)
        return True

    def free(self, digest: str, now: float) -> bool:
        """Whether nobody holds ``digest`` now (:meth:`live` is None), keeping its form."""
        held = self._locks.get(digest)
        if held is None:
            return True
        if isinstance(held, str):
            return self._fresh_gone(digest, self._kinds[digest].ttl, now)
        expires = held.expires_at
        if expires is not None and now >= expires:
            del self._locks[digest]
            return True
        return False

    def take_free(self, digest: str, jid: str, now: float, kind: LockKind) -> bool:
        """:meth:`lock` (lock time as score) when nobody holds ``digest``; False, nothing
        changed, when somebody does."""
        if digest in self._locks and not self.free(digest, now):
            return False
        self._locks[digest] = jid
        self._since[digest] = now
        self._kinds[digest] = kind
        return True

    def lock(
        self,
        digest: str,
        jid: str,
        now: float,
        lock_type: str,
        ttl: float | None,
        limit: int = 1,
        score: float | None = None,
    ) -> bool:
        """Take ``digest`` for ``jid``; False when other jids hold all ``limit`` places."""
        if self.free(digest, now):
            expires = now + ttl if ttl is not None and ttl > 0 else None
            score = now if score is None else score
            self._locks[digest] = HeldLock(digest, lock_type, {jid: now}, limit, expires, score)
            return True
        if self._locks[digest] == jid:  # a fresh lock's holder: re-entrant
            return True
        held = self._held(digest)
        assert held is not None  # free() said it is there
        if jid in held.holders:
            return True
        if len(held.holders) >= held.limit:
            return False
        held.holders[jid] = now
        if ttl is not None and ttl > 0:
            held.expires_at = now + ttl
        return True

    def unlock(self, digest: str, jid: str, now: float) -> bool:
        """Give up ``jid``'s hold; False when other jids hold it and ``jid`` does not."""
        held = self._locks.get(digest)
        if isinstance(held, str):  # fresh: one holder
            kind = self._kinds[digest]
            if self._fresh_gone(digest, kind.ttl, now):
                return True  # expired: nothing held, unlock.lua reports success
            if held != jid:
                return False
            if kind.lock_type != "until_expired":  # only its TTL ends that one
                self._drop(digest)
            return True
        if held is None or self.free(digest, now):
            return True  # nothing held: unlock.lua carries on and reports success
        if jid not in held.holders and held.holders:
            return False
        if held.lock_type == "until_expired":
            return True  # only the TTL ends it
        held.holders.pop(jid, None)
        if not held.holders:
            del self._locks[digest]
        return True

    def expire(self, digest: str, now: float) -> bool:
        """Let ``digest`` expire at ``now``, as if its TTL ran out; False if it is not held."""
        held = self.live(digest, now)
        if held is None:
            return False
        held.expires_at = now
        self.live(digest, now)
        return True

    def delete(self, digest: str) -> bool:
        """Remove ``digest`` whoever holds it (``Digests#delete_by_digest``)."""
        if digest not in self._locks:
            return False
        self._drop(digest)
        return True

    def holds(self, digest: str, jid: str, now: float) -> bool:
        """Whether ``jid`` holds ``digest`` now."""
        held = self._locks.get(digest)
        if isinstance(held, str):  # fresh: one holder
            return not self._fresh_gone(digest, self._kinds[digest].ttl, now) and held == jid
        return held is not None and not self.free(digest, now) and jid in held.holders

    def all(self, now: float) -> list[HeldLock]:
        """Every live lock, by digest (expired ones are dropped first)."""
        digests = sorted(self._locks)
        for digest in digests:
            self.live(digest, now)
        return [held for digest in digests if (held := self._held(digest)) is not None]

    def restore(self, held: HeldLock) -> None:
        """Put a lock back as a saved state had it."""
        if isinstance(self._locks.get(held.digest), str):
            self._drop(held.digest)
        self._locks[held.digest] = held
