"""What the gem writes into a job hash before locking (``SidekiqUniqueJobs::Job.prepare``).

``lock`` (the type), ``lock_timeout``, ``lock_ttl`` (seconds, with the delay of a scheduled push
added: ``lock_ttl.rb``), ``lock_prefix``, ``lock_args`` and ``lock_digest`` are set on the
hash, in that order, so a payload in the queue shows the lock it holds, as in Redis. A
``while_executing`` digest ends in ``:RUN`` (``WhileExecuting#append_unique_key_suffix``).
The job's options are read from the hash first, then from its class, then from the plugin's
global configuration, as ``LockConfig`` and ``OptionsWithFallback`` read them.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from jobsim.errors import InvalidOption
from jobsim.unique_jobs._digest import (
    RUN_SUFFIX,
    compute_digest,
    lock_args_method,
    lock_args_with,
)
from jobsim.unique_jobs._table import LockKind

__all__ = [
    "CLIENT_KEYS",
    "SERVER_KEYS",
    "Prepared",
    "Resolved",
    "Settings",
    "apply",
    "lock_type_of",
    "prepare",
    "declared_options",
    "server_options",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class Settings:
    """The gem's global configuration (``SidekiqUniqueJobs.config``) that a job may override."""

    on_conflict: Any
    lock_ttl: float | None
    lock_timeout: float | None
    lock_prefix: str
    digest: str


class Prepared(NamedTuple):
    """One job's lock, as prepared (a tuple: two are built per job, and a frozen dataclass
    costs twice as much to build)."""

    lock: str
    digest: str
    ttl: float | None
    limit: int
    client_strategy: str | None
    server_strategy: str | None


_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


def declared_options(job_class: Any) -> Mapping[str, Any]:
    """The options ``job_class`` declares (none for a class jobsim does not know)."""
    found = getattr(job_class, "sidekiq_options", None)
    if type(found) is dict:  # every jobsim.Job: skip the slower abstract-class check
        return found
    return found if isinstance(found, Mapping) else _EMPTY


def _one(job: Mapping[str, Any], declared: Mapping[str, Any], name: str) -> Any:
    """Option ``name`` set on the hash, else on the class (Ruby's ``a || b``)."""
    value = job.get(name)
    if value is None or value is False:
        value = declared.get(name)
        if value is False:
            return None
    return value


def _option(job: Mapping[str, Any], declared: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` set on the hash, then on the class (Ruby's ``a || b``)."""
    for source in (job, declared):
        for name in names:
            value = source.get(name)
            if value is not None and value is not False:
                return value
    return None


def lock_type_of(job: Mapping[str, Any], job_class: Any) -> str | None:
    """The job's lock type (``lock``, or the pre-7 ``unique``), or None for no lock."""
    return _lock_type(job, declared_options(job_class))


def _lock_type(job: Mapping[str, Any], declared: Mapping[str, Any]) -> str | None:
    found = declared.get("lock") or declared.get("unique") or job.get("lock") or job.get("unique")
    if found and type(found) is str and found[0] != ":":
        return found  # what str(found).lstrip(":") gives, without the copies
    return str(found).lstrip(":") if found else None


class Resolved(NamedTuple):
    """What a job's lock options come to before its args and ``at`` are read: a function of
    its class, the class's options, the plugin's settings and the hash's ``CLIENT_KEYS``."""

    lock: str | None
    timeout: Any
    #: Whole seconds, or None; unused when ``ttl_from`` is set.
    ttl: int | None
    #: A callable (or class method) giving the TTL from the args, else None.
    ttl_from: Callable[[Any], Any] | None
    prefix: str
    method: Callable[[list[Any]], Any] | None
    across_queues: bool
    across_workers: bool
    #: Keys of the hash holding callables, written as their description (as Ruby dumps a Proc).
    stand_ins: tuple[str, ...]
    limit: int
    client: str | None
    server: str | None
    #: Set when nothing but the class, queue and args goes into the digest and nothing is
    #: called on push (the case ``_lanes.push_simple`` writes out): what its locks share.
    lane_kind: LockKind | None = None


#: Every key of the hash that :func:`resolve` reads.
CLIENT_KEYS = (
    "lock",
    "unique",
    "lock_timeout",
    "lock_ttl",
    "unique_expiration",
    "lock_prefix",
    "unique_prefix",
    "lock_args_method",
    "unique_args",
    "unique_across_queues",
    "unique_across_workers",
    "lock_limit",
    "on_conflict",
)

#: Every key of the hash that :func:`prepared_at_push` reads besides those the push wrote.
SERVER_KEYS = ("lock", "unique", "lock_limit", "on_conflict")


def _ttl_source(
    job: Mapping[str, Any], job_class: Any, declared: Mapping[str, Any], settings: Settings
) -> tuple[int | None, Callable[[Any], Any] | None]:
    ttl = _one(job, declared, "lock_ttl")
    if ttl is None and ("unique_expiration" in job or "unique_expiration" in declared):
        ttl = _option(job, declared, "unique_expiration")
    if ttl is None:
        ttl = settings.lock_ttl
    if ttl is None:
        return None, None
    if isinstance(ttl, str) and not ttl.lstrip("-").isdigit():
        method = getattr(job_class, ttl.lstrip(":"), None)
        if not callable(method):
            msg = (
                f"{job.get('class')}: lock_ttl={ttl!r} names no class method of "
                f"{getattr(job_class, '__qualname__', job_class)}; define it or pass seconds"
            )
            raise InvalidOption(msg)
        return None, method
    if callable(ttl):
        return None, ttl
    return _whole_seconds(ttl, job), None


def _whole_seconds(ttl: Any, job: Mapping[str, Any]) -> int:
    try:
        return int(ttl.total_seconds() if hasattr(ttl, "total_seconds") else ttl)
    except (TypeError, ValueError):
        msg = f"{job.get('class')}: lock_ttl gave {ttl!r}; it must be a number of seconds"
        raise InvalidOption(msg) from None


def _ttl(resolved: Resolved, job: Mapping[str, Any], now: float) -> int | None:
    """The lock's TTL for this push: the resolved one (or what its callable gives for the
    args), plus the delay of a scheduled push (``LockTTL#time_until_scheduled``)."""
    source = resolved.ttl_from
    seconds = resolved.ttl if source is None else _whole_seconds(source(job.get("args", [])), job)
    if seconds is None:
        return None
    at = job.get("at")
    if isinstance(at, int | float) and not isinstance(at, bool):
        seconds += max(0, int(at) - int(now))
    return seconds


def _strategies(job: Mapping[str, Any], settings: Settings) -> tuple[str | None, str | None]:
    chosen = job.get("on_conflict")
    if chosen is None:
        chosen = settings.on_conflict
    if chosen is not None and type(chosen) is not str and isinstance(chosen, Mapping):
        client, server = chosen.get("client"), chosen.get("server")
    else:
        client = server = chosen
    return (
        str(client).lstrip(":") if client else None,
        str(server).lstrip(":") if server else None,
    )


def _limit(job: Mapping[str, Any], declared: Mapping[str, Any]) -> int:
    limit = _one(job, declared, "lock_limit")
    return int(limit) if limit else 1


def resolve(
    job: Mapping[str, Any],
    job_class: Any,
    settings: Settings,
    found: dict[Any, Any] | None = None,
) -> Resolved:
    """The options of ``job``'s lock that do not depend on its args (``LockConfig``,
    ``OptionsWithFallback``): read from the hash first, then the class, then ``settings``."""
    declared = declared_options(job_class)
    lock = _lock_type(job, declared)
    if lock is None:
        return _NO_LOCK
    timeout = _one(job, declared, "lock_timeout")
    ttl, ttl_from = _ttl_source(job, job_class, declared, settings)
    prefix = job.get("lock_prefix") or job.get("unique_prefix")
    prefix = prefix or _option(_EMPTY, declared, "lock_prefix", "unique_prefix")
    client, server = _strategies(job, settings)
    prefix = prefix or settings.lock_prefix
    method = lock_args_method(job_class, job, declared, found)
    across_queues = bool(_one(job, declared, "unique_across_queues"))
    across_workers = bool(_one(job, declared, "unique_across_workers"))
    stand_ins = tuple(k for k in ("lock_args_method", "unique_args") if callable(job.get(k)))
    limit = _limit(job, declared)
    # the usual case _lanes.push_simple writes out: nothing to call, nothing else hashed
    lane = (
        ttl_from is None and method is None and not (stand_ins or across_queues or across_workers)
    )
    return Resolved(
        lock=lock,
        timeout=settings.lock_timeout if timeout is None else timeout,
        ttl=ttl,
        ttl_from=ttl_from,
        prefix=prefix,
        method=method,
        across_queues=across_queues,
        across_workers=across_workers,
        stand_ins=stand_ins,
        limit=limit,
        client=client,
        server=server,
        lane_kind=LockKind(lock, limit, ttl) if lane and type(prefix) is str else None,
    )


_NO_LOCK = Resolved(None, None, None, None, "", None, False, False, (), 1, None, None)


def prepare(
    job: dict[str, Any],
    job_class: Any,
    settings: Settings,
    now: float,
    found: dict[Any, Any] | None = None,
) -> Prepared | None:
    """Write the lock's keys into ``job``; None when the job has no lock. ``found`` caches
    each class's lock-args method (see :func:`~jobsim.unique_jobs._digest.lock_args_method`)."""
    return apply(resolve(job, job_class, settings, found), job, settings, now)


def apply(
    resolved: Resolved, job: dict[str, Any], settings: Settings, now: float
) -> Prepared | None:
    """What :func:`prepare` writes, from options already resolved for this hash."""
    lock = resolved.lock
    if lock is None:
        return None
    job.setdefault("lock", lock)
    job["lock_timeout"] = resolved.timeout
    job["lock_ttl"] = ttl = _ttl(resolved, job, now)
    job["lock_prefix"] = prefix = resolved.prefix
    job["lock_args"] = lock_args_with(resolved.method, job)
    digest = compute_digest(
        job,
        prefix=str(prefix),
        algorithm=settings.digest,
        across_queues=resolved.across_queues,
        across_workers=resolved.across_workers,
    )
    if lock == "while_executing":
        digest += RUN_SUFFIX
    job["lock_digest"] = digest
    for key in resolved.stand_ins:  # a Proc in a Ruby hash is JSON-dumped as its description
        value = job[key]
        job[key] = f"#<callable {getattr(value, '__qualname__', type(value).__name__)}>"
    return Prepared(lock, digest, ttl, resolved.limit, resolved.client, resolved.server)


def server_options(
    job: Mapping[str, Any], declared: Mapping[str, Any], settings: Settings
) -> tuple[str | None, int, str | None, str | None]:
    """What the server reads besides the keys the push wrote: the lock type as the class and
    hash now declare it, the limit and the two strategies."""
    client, server = _strategies(job, settings)
    return _lock_type(job, declared), _limit(job, declared), client, server
