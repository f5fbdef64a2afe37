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

__all__ = ["HeldLock", "LockTable"]


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


class LockTable:
    """Every held lock of one simulator, by digest."""

    __slots__ = ("_locks",)

    def __init__(self) -> None:
        self._locks: dict[str, HeldLock] = {}

    def live(self, digest: str, now: float) -> HeldLock | None:
        """The lock on ``digest`` if it is held and not expired (an expired one is dropped)."""
        held = self._locks.get(digest)
        if held is not None and held.expires_at is not None and now >= held.expires_at:
            del self._locks[digest]
            return None
        return held

    def lock(
        self,
        digest: str,
        jid: str,
        now: float,
        *,
        lock_type: str,
        ttl: float | None,
        limit: int = 1,
        score: float | None = None,
    ) -> bool:
        """Take ``digest`` for ``jid``; False when other jids hold all ``limit`` places."""
        held = self._locks.get(digest)  # live(), written out: every push and start comes here
        if held is not None and held.expires_at is not None and now >= held.expires_at:
            del self._locks[digest]
            held = None
        if held is None:
            expires = now + ttl if ttl is not None and ttl > 0 else None
            score = now if score is None else score
            self._locks[digest] = HeldLock(digest, lock_type, {jid: now}, limit, expires, score)
            return True
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
        held = self.live(digest, now)
        if held is None:
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
        return self._locks.pop(digest, None) is not None

    def holds(self, digest: str, jid: str, now: float) -> bool:
        """Whether ``jid`` holds ``digest`` now."""
        held = self.live(digest, now)
        return held is not None and jid in held.holders

    def all(self, now: float) -> list[HeldLock]:
        """Every live lock, by digest (expired ones are dropped first)."""
        for digest in [d for d, h in self._locks.items() if h.expires_at is not None]:
            self.live(digest, now)
        return [self._locks[digest] for digest in sorted(self._locks)]

    def restore(self, held: HeldLock) -> None:
        """Put a lock back as a saved state had it."""
        self._locks[held.digest] = held
