"""The gem's spec vocabulary over jobsim's unique-jobs parts: ``process.lock``,
``process.execute { … }``, ``process.locked?``.

A :class:`Process` is one ``SidekiqUniqueJobs::Lock::*`` instance: its item is prepared once
(``BaseLock#prepare_item``), ``lock`` runs the client middleware (the jid, or None), and
``execute(block)`` runs the server middleware around ``block``, then ends the execution as
jobsim's processor does (``"succeeded"``, or ``"failed"`` and the error re-raised), which is when
runtime locks are released and failed locks taken again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jobsim
from jobsim.unique_jobs import UniqueJobs
from jobsim.unique_jobs._digest import RUN_SUFFIX
from jobsim.unique_jobs._middleware import UniqueClient, UniqueServer
from jobsim.unique_jobs._prepare import Settings, prepare
from jobsim.unique_jobs._runtime import UniqueRuntime

SETTINGS = Settings(
    on_conflict=None, lock_ttl=None, lock_timeout=0, lock_prefix="uniquejobs", digest="legacy"
)


def runtime_for(*job_classes: type[jobsim.Job]) -> UniqueRuntime:
    # The plugin too, as the gem's middleware is always installed (its client middleware takes
    # the reschedule flag off a copy); the harness's runtime shares the plugin's lock table.
    sim = jobsim.Simulator(start=1767225600.0, plugins=[UniqueJobs()])
    sim.register(*job_classes)
    return UniqueRuntime(sim, SETTINGS)


class Process:
    """One lock instance of the gem's specs."""

    def __init__(self, runtime: UniqueRuntime, item: dict[str, Any]) -> None:
        self.runtime = runtime
        self.item = item
        self.job_class = runtime.sim.job_class(str(item["class"]))
        prepare(item, self.job_class, runtime.settings, runtime.now)  # mutates, as in Ruby
        self.callbacks = 0

    @property
    def digest(self) -> str:
        return str(self.item["lock_digest"])

    def lock(self) -> str | None:
        job = self.item
        kept = UniqueClient(self.runtime).call(self.job_class, job, str(job["queue"]), lambda: job)
        return str(job["jid"]) if kept else None

    def locked(self, digest: str | None = None) -> bool:
        return self.runtime.table.holds(
            digest or self.digest, str(self.item["jid"]), self.runtime.now
        )

    def runtime_locked(self) -> bool:
        base = self.digest.removesuffix(RUN_SUFFIX)
        return self.locked(base + RUN_SUFFIX)

    def execute(self, block: Callable[[], Any] = lambda: None) -> Any:
        process = self

        class Instance:  # the job instance the server middleware is given
            jid = str(process.item["jid"])

            def after_unlock(self) -> None:
                process.callbacks += 1

        job = self.item
        try:
            result = UniqueServer(self.runtime).call(Instance(), job, str(job["queue"]), block)
        except Exception:
            self.runtime._ended(job, "failed")
            raise
        self.runtime._ended(job, "succeeded")
        return result
