"""A SQLite connection whose statements and commits are effect points (layer 7).

Outside a fuzz run it is a thin pass-through. During one, each ``execute`` and ``commit`` may
crash, raise or switch to a concurrent duplicate, and a crash closes the connections the
crashed delivery opened, so SQLite rolls back what they had not committed, as it does when a
process dies. Connections fail at once on a locked database (``timeout=0``): a paused
concurrent execution may hold the lock, and waiting for it would wait forever.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from jobsim.fuzz._points import current_host

__all__ = ["FuzzConnection", "connect"]


def _label(sql: str) -> str:
    text = " ".join(sql.split())
    return f"sql {text[:48]}{'...' if len(text) > 48 else ''}"


class FuzzConnection:
    """Wraps a :class:`sqlite3.Connection`; other attributes pass through."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        host = current_host()
        if host is not None:
            host.adopt(self)

    def _point(self, label: str, call: Any) -> Any:
        host = current_host()
        if host is None:
            return call()
        return host.point(label, call, counted=False)

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """``Connection.execute``, as an effect point."""
        return self._point(_label(sql), lambda: self.connection.execute(sql, parameters))  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        """``Connection.executemany``, as one effect point."""
        return self._point(_label(sql), lambda: self.connection.executemany(sql, rows))  # type: ignore[no-any-return]

    def commit(self) -> None:
        """``Connection.commit``, as an effect point called ``commit``."""
        self._point("commit", self.connection.commit)

    def rollback(self) -> None:
        """``Connection.rollback`` (not a point: it only undoes)."""
        self.connection.rollback()

    def close(self) -> None:
        """Close the connection (uncommitted changes roll back)."""
        self.connection.close()

    def die(self) -> None:
        """The process holding this connection died: roll back and close, quietly."""
        with contextlib.suppress(sqlite3.Error):
            self.connection.rollback()
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return self.connection.in_transaction

    def __enter__(self) -> FuzzConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # sqlite3.Connection's own context manager: commit on success, roll back on error.
        if exc_type is None:
            self.commit()
        else:
            with contextlib.suppress(sqlite3.Error):
                self.rollback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def connect(database: str | Any, *, timeout: float = 0.0, **kwargs: Any) -> FuzzConnection:
    """``sqlite3.connect`` with statements and commits as effect points (see module docs)."""
    return FuzzConnection(sqlite3.connect(database, timeout=timeout, **kwargs))
