"""Each job class's lock options, resolved once and reused while a hash agrees.

Resolving a job's lock options (``LockConfig``'s fallbacks from the hash to the class to the
global configuration, the TTL's method, the lock-args method, the strategies) was most of a
unique push. What it gives depends only on the class, the class's options and the values of a
few keys of the hash (``CLIENT_KEYS`` on push, ``SERVER_KEYS`` at start), never on the args.
So one resolution per class is kept with the exact objects it was read from, and reused for a
hash that has the same of those keys, holding **the same objects** (``is``, not ``==``: ``1``,
``1.0`` and ``True`` are equal but are written differently into the hash). A hash built from
the class's options, as every ``perform_async`` without ``set()`` is, carries those very
objects. Anything else (a per-push option, a retry's hash with the push's keys written in, a
class whose options were set again or changed in place) is resolved afresh and kept in place
of the last one. A class's methods (``lock_args``, a TTL method named by a string) are read
when it is resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from jobsim.unique_jobs._prepare import (
    CLIENT_KEYS,
    SERVER_KEYS,
    Resolved,
    Settings,
    declared_options,
    resolve,
    server_options,
)

__all__ = ["Resolutions", "ServerOptions"]

ServerOptions = tuple[str | None, int, str | None, str | None]

_CLIENT_KEYS = frozenset(CLIENT_KEYS)
_SERVER_KEYS = frozenset(SERVER_KEYS)


class _Kept(NamedTuple):
    """A resolution and what it was read from."""

    declared: Mapping[str, Any]
    #: A copy of the declared options (an option changed in place is a new resolution).
    snapshot: dict[str, Any]
    #: The watched keys the hash had, and their values.
    present: frozenset[str]
    pairs: tuple[tuple[str, Any], ...]
    value: Any


def _reused(
    cache: dict[Any, _Kept], watched: frozenset[str], job: Mapping[str, Any], job_class: Any
) -> Any:
    """The kept resolution for ``job_class`` if ``job`` agrees with what it was read from,
    else None."""
    kept = cache.get(job_class)
    if kept is None:
        return None
    declared = declared_options(job_class)
    if (
        kept.declared is not declared
        or watched.intersection(job) != kept.present
        or declared != kept.snapshot
    ):
        return None
    for key, value in kept.pairs:
        if job[key] is not value:  # the very object, see the module's docstring
            return None
    return kept.value


def _keep(
    cache: dict[Any, _Kept], watched: frozenset[str], job: Mapping[str, Any], job_class: Any,
    value: Any,
) -> None:  # fmt: skip
    declared = declared_options(job_class)
    present = watched.intersection(job)
    pairs = tuple((key, job[key]) for key in sorted(present))
    cache[job_class] = _Kept(declared, dict(declared), present, pairs, value)


class Resolutions:
    """One simulator's resolved lock options, by job class (push side and start side)."""

    __slots__ = ("_client", "_found", "_server", "settings")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        #: Each job class's default lock-args method, once looked up.
        self._found: dict[Any, Any] = {}
        self._client: dict[Any, _Kept] = {}
        self._server: dict[Any, _Kept] = {}

    def on_push(self, job: Mapping[str, Any], job_class: Any) -> Resolved:
        """:func:`~jobsim.unique_jobs._prepare.resolve` for ``job``, reused when it agrees."""
        resolved: Resolved | None = _reused(self._client, _CLIENT_KEYS, job, job_class)
        if resolved is None:
            resolved = resolve(job, job_class, self.settings, self._found)
            _keep(self._client, _CLIENT_KEYS, job, job_class, resolved)
        return resolved

    def at_start(self, job: Mapping[str, Any], job_class: Any) -> ServerOptions:
        """The lock type, limit and strategies the server reads from a pushed ``job``."""
        options: ServerOptions | None = _reused(self._server, _SERVER_KEYS, job, job_class)
        if options is None:
            options = server_options(job, declared_options(job_class), self.settings)
            _keep(self._server, _SERVER_KEYS, job, job_class, options)
        return options

    @property
    def found(self) -> dict[Any, Any]:
        """The lock-args methods looked up so far, by class (for a full ``prepare``)."""
        return self._found
