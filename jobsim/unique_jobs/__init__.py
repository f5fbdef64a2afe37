"""Unique jobs on the virtual clock: sidekiq-unique-jobs 8.1 (and 7) and Sidekiq Enterprise.

::

    sim = jobsim.Simulator(plugins=[jobsim.unique_jobs.UniqueJobs(on_conflict="log")])

    class Report(jobsim.Job, lock="until_executed"):
        def perform(self, day): ...

    with sim:
        Report.perform_async("2026-01-01")      # a jid
        Report.perform_async("2026-01-01")      # None: the lock is taken
    sim.locks.digests                          # ['uniquejobs:…']

The guide is ``docs/how-to/unique-jobs.md``. A lock is not an idempotency guarantee: it expires,
is deleted when its job dies, and is released before or after ``perform`` as its type says.
"""

from __future__ import annotations

from jobsim.unique_jobs._conflict import DEFAULT_SCHEDULE_IN, Conflict
from jobsim.unique_jobs._digest import RUN_SUFFIX, compute_digest, lock_args_for, ruby_json
from jobsim.unique_jobs._enterprise import EnterpriseUniqueJobs, enterprise_digest
from jobsim.unique_jobs._faults import expire_locks
from jobsim.unique_jobs._plugin import UniqueJobs
from jobsim.unique_jobs._redis import load_locks, save_locks
from jobsim.unique_jobs._view import LockInfo, LocksView, locks_of

__all__ = [
    "DEFAULT_SCHEDULE_IN",
    "RUN_SUFFIX",
    "Conflict",
    "EnterpriseUniqueJobs",
    "LockInfo",
    "LocksView",
    "UniqueJobs",
    "compute_digest",
    "enterprise_digest",
    "expire_locks",
    "load_locks",
    "lock_args_for",
    "locks_of",
    "ruby_json",
    "save_locks",
]
