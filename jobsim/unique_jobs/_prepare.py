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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from jobsim.errors import InvalidOption
from jobsim.unique_jobs._digest import RUN_SUFFIX, compute_digest, lock_args_for

__all__ = ["Prepared", "Settings", "lock_type_of", "prepare", "prepared_at_push"]


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


def _declared(job_class: Any) -> Mapping[str, Any]:
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
    return _lock_type(job, _declared(job_class))


def _lock_type(job: Mapping[str, Any], declared: Mapping[str, Any]) -> str | None:
    found = declared.get("lock") or declared.get("unique") or job.get("lock") or job.get("unique")
    if found and type(found) is str and found[0] != ":":
        return found  # what str(found).lstrip(":") gives, without the copies
    return str(found).lstrip(":") if found else None


def _ttl(
    job: dict[str, Any],
    job_class: Any,
    declared: Mapping[str, Any],
    settings: Settings,
    now: float,
) -> float | None:
    ttl = _one(job, declared, "lock_ttl")
    if ttl is None and ("unique_expiration" in job or "unique_expiration" in declared):
        ttl = _option(job, declared, "unique_expiration")
    if ttl is None:
        ttl = settings.lock_ttl
    if ttl is None:
        return None
    if isinstance(ttl, str) and not ttl.lstrip("-").isdigit():
        method = getattr(job_class, ttl.lstrip(":"), None)
        if not callable(method):
            msg = (
                f"{job.get('class')}: lock_ttl={ttl!r} names no class method of "
                f"{getattr(job_class, '__qualname__', job_class)}; define it or pass seconds"
            )
            raise InvalidOption(msg)
        ttl = method(job.get("args", []))
    elif callable(ttl):
        ttl = ttl(job.get("args", []))
    try:
        seconds = int(ttl.total_seconds() if hasattr(ttl, "total_seconds") else ttl)
    except (TypeError, ValueError):
        msg = f"{job.get('class')}: lock_ttl gave {ttl!r}; it must be a number of seconds"
        raise InvalidOption(msg) from None
    at = job.get("at")
    if isinstance(at, int | float) and not isinstance(at, bool):
        seconds += max(0, int(at) - int(now))  # LockTTL#time_until_scheduled
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


def prepare(
    job: dict[str, Any],
    job_class: Any,
    settings: Settings,
    now: float,
    found: dict[Any, Any] | None = None,
) -> Prepared | None:
    """Write the lock's keys into ``job``; None when the job has no lock. ``found`` caches
    each class's lock-args method (see :func:`~jobsim.unique_jobs._digest.lock_args_for`)."""
    declared = _declared(job_class)
    lock = _lock_type(job, declared)
    if lock is None:
        return None
    job.setdefault("lock", lock)
    timeout = _one(job, declared, "lock_timeout")
    job["lock_timeout"] = settings.lock_timeout if timeout is None else timeout
    job["lock_ttl"] = ttl = _ttl(job, job_class, declared, settings, now)
    prefix = job.get("lock_prefix") or job.get("unique_prefix")
    prefix = prefix or _option(_EMPTY, declared, "lock_prefix", "unique_prefix")
    job["lock_prefix"] = prefix = prefix or settings.lock_prefix
    job["lock_args"] = lock_args_for(job_class, job, declared, found)
    digest = compute_digest(
        job,
        prefix=str(prefix),
        algorithm=settings.digest,
        across_queues=bool(_one(job, declared, "unique_across_queues")),
        across_workers=bool(_one(job, declared, "unique_across_workers")),
    )
    if lock == "while_executing":
        digest += RUN_SUFFIX
    job["lock_digest"] = digest
    for key in ("lock_args_method", "unique_args"):
        value = job.get(key)
        if callable(value):  # a Proc in a Ruby hash is JSON-dumped as its description
            job[key] = f"#<callable {getattr(value, '__qualname__', type(value).__name__)}>"
    return _prepared(job, declared, settings, lock, digest, ttl)


def _prepared(
    job: Mapping[str, Any],
    declared: Mapping[str, Any],
    settings: Settings,
    lock: str,
    digest: str,
    ttl: Any,
) -> Prepared:
    limit = _one(job, declared, "lock_limit")
    client, server = _strategies(job, settings)
    return Prepared(lock, digest, ttl, int(limit) if limit else 1, client, server)


def prepared_at_push(
    job: dict[str, Any],
    job_class: Any,
    settings: Settings,
    now: float,
    found: dict[Any, Any] | None = None,
) -> Prepared | None:
    """The server's view: what the push wrote into ``job`` (the same keys the gem's server
    recomputes from them), or a full :func:`prepare` for a job pushed without the plugin."""
    digest = job.get("lock_digest")
    lock = job.get("lock")
    if not isinstance(digest, str) or not isinstance(lock, str) or "lock_ttl" not in job:
        return prepare(job, job_class, settings, now, found)
    declared = _declared(job_class)
    if _lock_type(job, declared) != lock:
        return prepare(job, job_class, settings, now, found)  # the class changed since the push
    return _prepared(job, declared, settings, lock, digest, job["lock_ttl"])
