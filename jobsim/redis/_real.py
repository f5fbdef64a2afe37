"""A real Redis server for user middleware, with TTLs on the virtual clock (layer 7, private).

A real server expires keys by its own clock, which no simulator can move: ``EXPIRE key 60``
there lasts sixty real seconds whatever the virtual clock does, and an absolute time computed
from the virtual clock (``PEXPIREAT``) is in the real past or far future. So TTLs are kept here:
the server holds the keys without a TTL, this wrapper remembers each key's virtual deadline and
deletes the key (``DEL``) once the virtual clock has passed it, before the next command it
forwards. ``TIME`` answers the virtual clock. Only commands that go through this wrapper's own
methods are translated; the ones that would reach the server's TTLs behind its back (scripts,
pipelines, raw ``execute_command``) are refused with a message.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from jobsim.errors import InvalidArgument

__all__ = ["REFUSED", "VirtualTimeRedis"]

#: Methods that would set or read TTLs on the server itself, out of this wrapper's sight.
REFUSED = frozenset(
    {
        "pipeline",
        "transaction",
        "execute_command",
        "eval",
        "evalsha",
        "eval_ro",
        "evalsha_ro",
        "fcall",
        "fcall_ro",
        "register_script",
        "lock",
        "copy",
        "move",
        "restore",
        "hexpire",
        "hpexpire",
        "hexpireat",
        "hpexpireat",
        "hsetex",
        "hgetex",
    }
)


def _key(name: Any) -> bytes:
    # redis-py's own encoding of a key (utf-8 text, numbers as their text), to tell keys apart.
    if isinstance(name, bytes):
        return name
    if isinstance(name, memoryview):
        return name.tobytes()
    return str(name).encode()


def _seconds(value: Any, *, unit: float, what: str) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    given: object = value
    if isinstance(given, bool) or not isinstance(given, int | float) or not math.isfinite(given):
        msg = f"{what}: {value!r} is not a number of {'seconds' if unit == 1 else 'milliseconds'}"
        raise InvalidArgument(msg)
    return float(given) * unit


def _epoch(value: Any, *, unit: float, what: str) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return _seconds(value, unit=unit, what=what)


class VirtualTimeRedis:
    """``client`` (a redis-py client of a real server) with ``TIME`` and key TTLs following
    ``now()`` (a simulator's virtual clock). Other methods are the client's own."""

    def __init__(self, client: Any, now: Callable[[], float]) -> None:
        #: The real server's client, for what needs no translation.
        self.client = client
        self._now = now
        self._deadlines: dict[bytes, float] = {}
        # (deadline, order, key), soonest first; the order number keeps equal deadlines in the
        # order they were set, never in the order of the keys' bytes.
        self._due: list[tuple[float, int, bytes]] = []
        self._order = 0

    # -- the deadlines ----------------------------------------------------------------------

    def _sweep(self) -> None:
        now = self._now()
        due = self._due
        while due and due[0][0] < now:  # Redis: a key is gone once now is past its deadline
            deadline, _, key = heapq.heappop(due)
            if self._deadlines.get(key) == deadline:
                del self._deadlines[key]
                self.client.delete(key)

    def _expire_at(self, name: Any, deadline: float) -> None:
        key = _key(name)
        self._deadlines[key] = deadline
        self._order += 1
        heapq.heappush(self._due, (deadline, self._order, key))
        self._sweep()  # a deadline already past deletes the key now, as Redis does

    def _forget(self, *names: Any) -> None:
        for name in names:
            self._deadlines.pop(_key(name), None)

    def __getattr__(self, name: str) -> Any:
        if name in REFUSED:
            msg = (
                f"{name}() on a real Redis server with virtual TTLs: jobsim keeps key TTLs "
                f"on the virtual clock only for single commands it sees; run this middleware on "
                f"the simulator's fakeredis (the default, which follows the virtual clock for "
                f"every command), or call it on .client at the server's own clock"
            )
            raise InvalidArgument(msg)
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute

        def forwarded(*args: Any, **kwargs: Any) -> Any:
            self._sweep()
            return attribute(*args, **kwargs)

        return forwarded

    # -- time -------------------------------------------------------------------------------

    def time(self) -> tuple[int, int]:
        """``TIME`` of the virtual clock: (seconds, microseconds)."""
        micros = round(self._now() * 1_000_000)
        return micros // 1_000_000, micros % 1_000_000

    # -- setting TTLs -----------------------------------------------------------------------

    def _set_ttl(self, name: Any, deadline: float, flags: dict[str, bool]) -> bool:
        self._sweep()
        if not self.client.exists(name):
            return False
        current = self._deadlines.get(_key(name))
        if flags.get("nx") and current is not None:
            return False
        if flags.get("xx") and current is None:
            return False
        if flags.get("gt") and (current is None or deadline <= current):
            return False
        if flags.get("lt") and current is not None and deadline >= current:
            return False
        self._expire_at(name, deadline)
        return True

    def expire(self, name: Any, time: Any, **flags: bool) -> bool:
        """``EXPIRE`` (``nx``/``xx``/``gt``/``lt`` as redis-py takes them)."""
        seconds = _seconds(time, unit=1, what=f"expire({name!r})")
        return self._set_ttl(name, self._now() + seconds, flags)

    def pexpire(self, name: Any, time: Any, **flags: bool) -> bool:
        """``PEXPIRE``."""
        seconds = _seconds(time, unit=0.001, what=f"pexpire({name!r})")
        return self._set_ttl(name, self._now() + seconds, flags)

    def expireat(self, name: Any, when: Any, **flags: bool) -> bool:
        """``EXPIREAT``: ``when`` is a virtual time (epoch seconds or an aware datetime)."""
        return self._set_ttl(name, _epoch(when, unit=1, what=f"expireat({name!r})"), flags)

    def pexpireat(self, name: Any, when: Any, **flags: bool) -> bool:
        """``PEXPIREAT``."""
        return self._set_ttl(name, _epoch(when, unit=0.001, what=f"pexpireat({name!r})"), flags)

    def persist(self, name: Any) -> bool:
        """``PERSIST``."""
        self._sweep()
        if self._deadlines.pop(_key(name), None) is not None:
            return True
        return bool(self.client.persist(name))

    def set(
        self,
        name: Any,
        value: Any,
        ex: Any = None,
        px: Any = None,
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
        exat: Any = None,
        pxat: Any = None,
    ) -> Any:
        """``SET``, its TTL options kept on the virtual clock."""
        self._sweep()
        what = f"set({name!r})"
        deadline: float | None = None
        if ex is not None:
            deadline = self._now() + _seconds(ex, unit=1, what=what)
        elif px is not None:
            deadline = self._now() + _seconds(px, unit=0.001, what=what)
        elif exat is not None:
            deadline = _epoch(exat, unit=1, what=what)
        elif pxat is not None:
            deadline = _epoch(pxat, unit=0.001, what=what)
        if get and (nx or xx):
            msg = f"{what}: get=True with nx/xx cannot tell whether it wrote; drop one of them"
            raise InvalidArgument(msg)
        result = self.client.set(name, value, nx=nx, xx=xx, keepttl=keepttl, get=get)
        if get or result:
            if not keepttl:
                self._forget(name)  # a SET without KEEPTTL drops the old TTL
            if deadline is not None:
                self._expire_at(name, deadline)
        return result

    def setex(self, name: Any, time: Any, value: Any) -> Any:
        """``SETEX``."""
        return self.set(name, value, ex=time)

    def psetex(self, name: Any, time_ms: Any, value: Any) -> Any:
        """``PSETEX``."""
        return self.set(name, value, px=time_ms)

    # -- reading TTLs -----------------------------------------------------------------------

    def pttl(self, name: Any) -> int:
        """``PTTL``: milliseconds left on the virtual clock (-1 none, -2 no key)."""
        self._sweep()
        deadline = self._deadlines.get(_key(name))
        if deadline is None:
            return int(self.client.pttl(name))
        return round((deadline - self._now()) * 1000)

    def ttl(self, name: Any) -> int:
        """``TTL``: seconds left, rounded to the nearest as Redis rounds them."""
        self._sweep()
        deadline = self._deadlines.get(_key(name))
        if deadline is None:
            return int(self.client.ttl(name))
        return (round((deadline - self._now()) * 1000) + 500) // 1000

    def expiretime(self, name: Any) -> int:
        """``EXPIRETIME``: the virtual deadline in epoch seconds."""
        self._sweep()
        deadline = self._deadlines.get(_key(name))
        return int(self.client.expiretime(name)) if deadline is None else int(deadline)

    # -- writes that drop or move a TTL ----------------------------------------------------

    def delete(self, *names: Any) -> int:
        """``DEL``."""
        self._sweep()
        self._forget(*names)
        return int(self.client.delete(*names))

    def getset(self, name: Any, value: Any) -> Any:
        """``GETSET`` (drops the key's TTL, as Redis does)."""
        self._sweep()
        self._forget(name)
        return self.client.getset(name, value)

    def mset(self, mapping: Any) -> Any:
        """``MSET`` (drops the keys' TTLs)."""
        self._sweep()
        self._forget(*mapping)
        return self.client.mset(mapping)

    def rename(self, src: Any, dst: Any) -> Any:
        """``RENAME``: the TTL goes with the value."""
        self._sweep()
        result = self.client.rename(src, dst)
        deadline = self._deadlines.pop(_key(src), None)
        self._forget(dst)
        if deadline is not None:
            self._expire_at(dst, deadline)
        return result

    def flushdb(self, *args: Any, **kwargs: Any) -> Any:
        """``FLUSHDB``."""
        self._deadlines.clear()
        self._due.clear()
        return self.client.flushdb(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<VirtualTimeRedis over {self.client!r}: {len(self._deadlines)} virtual TTLs>"
