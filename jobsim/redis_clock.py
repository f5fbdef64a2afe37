"""fakeredis on a virtual clock (private; imported only when fakeredis is installed).

fakeredis reads the wall clock in two places that matter for user middleware: before every
command it sets each database's ``time`` (which key expiry is measured against) from
``time.time()``, and ``TIME`` answers ``time.time()``. Nothing there takes a clock, and
patching ``time.time`` would move every clock in the process. So this module subclasses the
socket fakeredis makes per connection: its ``_run_command`` (the one door every command goes
through, directly, inside ``MULTI``/``EXEC`` and from Lua) sets the databases' time from the
server's clock just before the command runs, and its ``TIME`` reads that clock. The clock
belongs to one :class:`VirtualServer`, so two simulators in a process never share keys or time.

A few fakeredis commands read the wall clock on their own (hash-field TTLs); they are refused
with a message, because their answers would silently depend on when the test ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fakeredis
from fakeredis._clients._sync import FakeRedisConnection
from fakeredis._msgs import CONNECTION_ERROR_MSG
from fakeredis._socket import FakeSocket

from jobsim.errors import InvalidArgument

__all__ = ["WALL_CLOCK_COMMANDS", "VirtualServer", "virtual_fake_redis"]

#: Commands fakeredis answers from the wall clock whatever the databases' time says: hash
#: fields with their own TTLs (Redis 7.4). Refused on a virtual clock (see the module doc).
WALL_CLOCK_COMMANDS = frozenset(
    {
        "hexpire",
        "hpexpire",
        "hexpireat",
        "hpexpireat",
        "httl",
        "hpttl",
        "hexpiretime",
        "hpexpiretime",
        "hpersist",
        "hgetex",
        "hsetex",
    }
)


class VirtualServer(fakeredis.FakeServer):
    """A fakeredis server whose time is ``now()`` (epoch seconds), e.g. a simulator's clock."""

    def __init__(self, now: Callable[[], float]) -> None:
        super().__init__()
        self.now = now


class _VirtualSocket(FakeSocket):
    # One per connection; fakeredis's own socket but for where the time comes from.
    _server: VirtualServer

    def _name_to_func(self, cmd_name: str) -> Any:
        # Looked up when a command arrives (before MULTI queues it, and from Lua), so a refusal
        # happens before anything of a transaction has run.
        if cmd_name in WALL_CLOCK_COMMANDS:
            msg = (
                f"Redis {cmd_name.upper()} on a virtual-clock fakeredis: fakeredis times "
                f"hash-field TTLs with the wall clock, not the virtual one; expire whole keys "
                f"(EXPIRE, PEXPIRE, SET ... EX) instead"
            )
            raise InvalidArgument(msg)
        return super()._name_to_func(cmd_name)

    def _run_command(self, func: Any, sig: Any, args: list[Any], from_script: bool) -> Any:
        now = self._server.now()
        for db in self._server.dbs.values():
            db.time = now
        return super()._run_command(func, sig, args, from_script)

    def time(self) -> list[bytes]:
        micros = round(self._server.now() * 1_000_000)
        return [str(micros // 1_000_000).encode(), str(micros % 1_000_000).encode()]


class _VirtualConnection(FakeRedisConnection):
    _server: VirtualServer

    def _connect(self) -> FakeSocket:
        if not self._server.connected:  # as fakeredis's own connection does
            raise self._connection_error_class(CONNECTION_ERROR_MSG)
        return _VirtualSocket(
            self._server,
            client_class=self._client_class,
            db=self.db,
            lua_modules=self._lua_modules,
            client_info=self._client_info,
        )


def virtual_fake_redis(now: Callable[[], float]) -> Any:
    """A ``fakeredis.FakeRedis`` on a fresh server of its own whose time is ``now()``."""
    return fakeredis.FakeRedis(server=VirtualServer(now), connection_class=_VirtualConnection)
