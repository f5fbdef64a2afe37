"""Idempotency fuzzing (layer 7): Hypothesis finds the delivery schedule that breaks a job.

::

    from jobsim.fuzz import check_idempotent

    check_idempotent(Charge, args=[7], setup=shop.reset, snapshot=shop.snapshot,
                     effects=[gateway.charge])

Sidekiq delivers a job at least once, and a retry runs it again from the top after partial
side effects. The check delivers the same payload several times, crashes the process at effect
points (lost under basic fetch, redelivered under reliable fetch), raises there (Sidekiq's
retry with its real backoff), interleaves concurrent duplicates, and pushes jobs back on
shutdown; it then compares the result with one clean run and shrinks any failure to a short
timeline. Effect points are declared callables, :func:`checkpoint` calls, and the statements
and commits of a :func:`connect` SQLite connection.

The checks need Hypothesis (``pip install 'jobsim[fuzz]'``); :func:`checkpoint`,
:func:`connect` and :func:`transactional_push` work without it, and are no-ops or thin
pass-throughs outside a fuzz run.
"""

from __future__ import annotations

from typing import Any

from jobsim.fuzz._batches import BATCH_FAULTS, check_batch_callbacks, run_batch_plan
from jobsim.fuzz._check import check_idempotent, idempotency_test
from jobsim.fuzz._effects import Effect, effect
from jobsim.fuzz._points import InjectedError, checkpoint
from jobsim.fuzz._run import RunResult, execute
from jobsim.fuzz._schedule import Faults, Schedule
from jobsim.fuzz._sqlite import FuzzConnection, connect
from jobsim.fuzz._transactional import (
    PendingPushes,
    check_transactional_enqueue,
    transactional_push,
)

__all__ = [
    # Checks
    "check_batch_callbacks",
    "check_idempotent",
    "check_transactional_enqueue",
    "idempotency_test",
    # Fault model
    "Faults",
    "Schedule",
    "schedules",
    # Effect points
    "Effect",
    "InjectedError",
    "checkpoint",
    "effect",
    "FuzzConnection",
    "connect",
    # Transactional enqueue
    "PendingPushes",
    "transactional_push",
    # One run, for tools and tests
    "BATCH_FAULTS",
    "RunResult",
    "execute",
    "run_batch_plan",
]


def __getattr__(name: str) -> Any:
    # The strategies import Hypothesis; load them only when asked for.
    if name == "schedules":
        from jobsim.fuzz._strategies import schedules

        return schedules
    msg = f"module 'jobsim.fuzz' has no attribute {name!r}"
    raise AttributeError(msg)
