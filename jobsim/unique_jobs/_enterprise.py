"""``EnterpriseUniqueJobs``: Sidekiq Enterprise's unique jobs (``unique_for``/``unique_until``).

A job is unique by (class, args, queue) for ``unique_for`` seconds (mandatory), plus the delay
of a scheduled push; a duplicate push returns None. ``unique_until: "success"`` (the default)
releases the lock when ``perform`` succeeds, ``"start"`` when it starts; a failure keeps it
(the retry passes with its own jid); a dead job releases it (Enterprise 2.0, #4162).
Enterprise's hash of a job's unique context is not public: jobsim's digest is
``unique:CLASS:QUEUE:ARGS``, saved to Redis under ``jobsim:`` + the digest (see ``_redis``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jobsim.unique_jobs._digest import ruby_json
from jobsim.unique_jobs._prepare import Settings
from jobsim.unique_jobs._redis import SavesLocks
from jobsim.unique_jobs._runtime import UniqueRuntime

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["EnterpriseUniqueJobs", "enterprise_digest"]


def enterprise_digest(job: Mapping[str, Any]) -> str:
    """The lock key of a job under Enterprise's rule: its class, queue and args."""
    return f"unique:{job.get('class')}:{job.get('queue')}:{ruby_json(job.get('args', []))}"


def _window(job: Mapping[str, Any], job_class: Any) -> tuple[float | None, str]:
    declared: Mapping[str, Any] = getattr(job_class, "sidekiq_options", None) or {}
    seconds = job.get("unique_for", declared.get("unique_for"))
    until = job.get("unique_until", declared.get("unique_until")) or "success"
    if seconds is None:
        return None, str(until)
    if hasattr(seconds, "total_seconds"):
        seconds = seconds.total_seconds()
    return float(seconds), str(until).lstrip(":")


class _Client:
    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, subject: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        runtime = self.runtime
        ttl, _ = _window(job, runtime.job_class(subject, job))
        if ttl is None:
            return call_next()
        now = runtime.now
        at = job.get("at")
        if isinstance(at, int | float) and not isinstance(at, bool) and at > now:
            ttl += at - now  # scheduled jobs extend the window by their delay
        digest = enterprise_digest(job)
        if runtime.table.lock(digest, str(job["jid"]), now, lock_type="unique_for", ttl=ttl):
            return call_next()
        runtime.conflict(job, digest=digest, strategy=None, phase="client")
        return None


class _Server:
    def __init__(self, runtime: UniqueRuntime) -> None:
        self.runtime = runtime

    def call(
        self, instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        runtime = self.runtime
        ttl, until = _window(job, runtime.job_class(instance, job))
        if ttl is None:
            return call_next()
        digest = enterprise_digest(job)
        jid = str(job["jid"])
        if until == "start":
            runtime.table.unlock(digest, jid, runtime.now)
        else:

            def ended(how: str) -> None:
                if how == "succeeded":
                    runtime.table.unlock(digest, jid, runtime.now)

            runtime.after_run(jid, ended)
        return call_next()


class EnterpriseUniqueJobs(SavesLocks):
    """Sidekiq Enterprise's unique jobs, honouring ``unique_for`` and ``unique_until``."""

    name = "enterprise_unique_jobs"
    honours = ("unique_for", "unique_until")

    def install(self, sim: Simulator) -> None:
        """Client and server middleware and the dead-job release, on ``sim``."""
        settings = Settings(None, None, 0, "unique", "legacy")
        runtime = UniqueRuntime(sim, settings)
        sim.client_middleware.add(_Client, runtime)
        sim.server_middleware.add(_Server, runtime)

        def release(job: dict[str, Any], exc: BaseException) -> None:
            if _window(job, sim.job_class(str(job.get("class"))))[0] is not None:
                runtime.table.delete(enterprise_digest(job))

        sim.death_handlers.append(release)

    def __repr__(self) -> str:
        return "EnterpriseUniqueJobs()"
