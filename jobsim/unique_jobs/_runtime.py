"""The per-simulator state of a unique-jobs plugin, which its middleware share.

It lives in ``sim.stash`` (never in a module), holds the :class:`LockTable`, and keeps, per
running jid, what to do when that execution ends: the gem releases runtime locks in ``ensure``
and re-locks after a failure, which in virtual time happens when the job's duration has passed,
not the instant ``perform`` returns (see ``SimState.execution_listeners``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from jobsim.job import Job
from jobsim.plugins import LOCKS_VIEW
from jobsim.retry import error_class_name, error_message
from jobsim.stash import StashKey
from jobsim.unique_jobs._digest import RUN_SUFFIX
from jobsim.unique_jobs._prepare import Prepared, lock_type_of, prepare
from jobsim.unique_jobs._resolutions import Resolutions
from jobsim.unique_jobs._table import LockTable
from jobsim.unique_jobs._view import LocksView

if TYPE_CHECKING:
    from jobsim.simulator import Simulator
    from jobsim.unique_jobs._prepare import Settings

__all__ = ["LOCK_TABLE", "UniqueRuntime"]

#: The one lock table of a simulator, shared by both unique-jobs plugins (``sim.locks``).
LOCK_TABLE = StashKey[LockTable]("unique jobs: held locks")

#: What to do when an execution ends, given how it ended (see ``ExecutionListener``).
AfterRun = Callable[[str], None]


class UniqueRuntime:
    """One plugin's configuration and state on one simulator."""

    __slots__ = ("_clock", "_pending", "resolutions", "settings", "sim", "table")

    def __init__(self, sim: Simulator, settings: Settings) -> None:
        self.sim = sim
        self.settings = settings
        #: The simulator's clock (one per simulator, never replaced): read several times a job.
        self._clock = sim._state.clock
        table = sim.stash.get(LOCK_TABLE, None)
        if table is None:  # the first unique-jobs plugin on this simulator
            table = sim.stash[LOCK_TABLE] = LockTable()
            sim.stash[LOCKS_VIEW] = LocksView(sim, table)
        self.table: LockTable = table
        self._pending: dict[str, AfterRun | list[AfterRun]] = {}
        #: Each job class's lock options, resolved once (see ``_resolutions``).
        self.resolutions = Resolutions(settings)
        sim._state.execution_listeners.append(self._ended)

    @property
    def now(self) -> float:
        """The virtual time."""
        return self._clock.now

    def job_class(self, subject: Any, job: Mapping[str, Any]) -> Any:
        """The job class a middleware call is about (a class, or found by the hash's name)."""
        if isinstance(subject, type):
            return subject
        if isinstance(subject, Job):
            return type(subject)
        return self.sim.job_class(str(job.get("class")))

    # -- a job's lock --------------------------------------------------------------------------

    def at_start(
        self, job: Mapping[str, Any], job_class: Any
    ) -> tuple[Prepared | None, Mapping[str, Any]]:
        """The server's view of a job about to run, and the hash to use from here on.

        It is what the push wrote into ``job`` (the keys the gem's server reads back). A job
        pushed without the plugin, or whose class declares another lock type since, is
        prepared again, on a copy: the stored hash stays as it was pushed.
        """
        digest = job.get("lock_digest")
        lock = job.get("lock")
        if isinstance(digest, str) and isinstance(lock, str) and "lock_ttl" in job:
            lock_type, limit, client, server = self.resolutions.at_start(job, job_class)
            if lock_type == lock:
                return Prepared(lock, digest, job["lock_ttl"], limit, client, server), job
        if "lock_digest" not in job and lock_type_of(job, job_class) is None:
            return None, job  # no lock (a plain job on a simulator with the plugin)
        copy = dict(job)
        found = self.resolutions.found
        return prepare(copy, job_class, self.settings, self._clock.now, found), copy

    # -- when an execution ends ---------------------------------------------------------------

    def after_run(self, jid: str, action: AfterRun) -> None:
        """Run ``action(how)`` when the running execution of ``jid`` ends."""
        # One action per running jid, as a list only while one jid runs twice at once.
        waiting = self._pending.get(jid)
        if waiting is None:
            self._pending[jid] = action
        elif isinstance(waiting, list):
            waiting.append(action)
        else:
            self._pending[jid] = [waiting, action]

    def _ended(self, job: Mapping[str, Any], how: str) -> None:
        jid = job.get("jid")
        waiting = self._pending.pop(jid if type(jid) is str else str(jid), None)
        if waiting is None:
            return
        if isinstance(waiting, list):  # the earliest start ends first
            action = waiting.pop(0)
            if waiting:
                self._pending[str(jid)] = waiting if len(waiting) > 1 else waiting[0]
        else:
            action = waiting
        action(how)

    # -- handlers ----------------------------------------------------------------------------

    def death_handler(self, job: Mapping[str, Any], exc: BaseException) -> None:
        """``SidekiqUniqueJobs::Server::DEATH_HANDLER``: a dead job's digest is deleted, with
        its runtime lock (``Digests#delete_by_digest``)."""
        digest = job.get("lock_digest")
        if isinstance(digest, str):
            self.table.delete(digest)
            self.table.delete(digest + RUN_SUFFIX)

    def after_unlock(self, instance: Any, job: Mapping[str, Any]) -> None:
        """The job's ``after_unlock`` hook, if it has one; an error in it is recorded and the
        job carries on (``BaseLock#callback_safely``)."""
        hook = getattr(instance, "after_unlock", None)
        if not callable(hook):
            return
        try:
            hook()
        except Exception as error:
            detail = {
                "hook": "after_unlock",
                "error_class": error_class_name(error),
                "error_message": error_message(error)[:200],
                "context": "After unlock callback failed",
            }
            self.sim.trace.record("hook_error", self.now, str(job.get("jid")), job, detail)

    def conflict(
        self,
        job: Mapping[str, Any],
        *,
        digest: str,
        strategy: str | None,
        phase: str,
        **extra: Any,
    ) -> None:
        """Record a ``lock_conflict`` event naming the digest, its holder and the strategy."""
        held = self.table.live(digest, self.now)
        holders = list(held.holders) if held is not None else []
        detail = {
            "digest": digest,
            "holder": holders[0] if holders else None,
            "strategy": strategy or "none",
            "phase": phase,
            **extra,
        }
        self.sim.trace.record("lock_conflict", self.now, str(job.get("jid")), dict(job), detail)
