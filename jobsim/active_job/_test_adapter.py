"""Rails' test adapter, on top of the simulator (``settings(sim).queue_adapter = "test"``).

``ActiveJob::QueueAdapters::TestAdapter`` (identical in what it does from Rails 6.1 to 8.0)
keeps a list of enqueued jobs and performs nothing by itself; ``perform_enqueued_jobs`` with a
block switches it to perform each job *as it is enqueued* (unless a filter says no), and an
error the job does not handle reaches the test. jobsim keeps the jobs in the simulator's queues
and schedule either way; this module holds the pieces the helpers in ``jobsim.testing`` need:

* a stack of *perform-at-enqueue* scopes, one per open ``perform_enqueued_jobs`` block, which
  :func:`after_push` consults for every ActiveJob push;
* :func:`perform_for_test`, which performs one waiting (or scheduled) job now and raises what
  escaped its ``perform_now`` to the caller, as the test adapter does, instead of handing it
  to Sidekiq's retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsim.active_job import _runtime
from jobsim.errors import InvalidArgument

__all__ = ["ADAPTERS", "PerformScope", "after_push", "perform_for_test", "using_test_adapter"]

#: The ``queue_adapter`` values: Sidekiq's adapter (jobsim's simulation) or Rails' test one.
ADAPTERS = ("sidekiq", "test")


@dataclass(frozen=True, slots=True)
class PerformScope:
    """One open ``perform_enqueued_jobs`` block: which pushes it performs at once.

    ``accepts(queue, job)`` answers for the adapter's ``filter``/``reject``/``queue``/``at``
    (the testing layer builds it from ``only=``/``except_=``/``queue=``/``at=``).
    """

    accepts: Callable[[str, Mapping[str, Any]], bool]


def using_test_adapter(sim: Any) -> bool:
    """Whether ``sim`` runs ActiveJob's test adapter (checks the setting's value)."""
    config = _runtime.settings(sim)
    adapter: object = config.queue_adapter
    if adapter not in ADAPTERS:
        msg = (
            f"jobsim.active_job.settings(sim).queue_adapter is {adapter!r}; it is 'sidekiq' "
            f"(jobsim simulates Rails' Sidekiq adapter) or 'test' (Rails' test adapter)"
        )
        raise InvalidArgument(msg)
    return adapter == "test"


def after_push(sim: Any, queue: str, job: Mapping[str, Any]) -> None:
    """The test adapter's ``enqueue``/``enqueue_at``: perform the pushed job at once when an
    open ``perform_enqueued_jobs`` block accepts it; otherwise it stays enqueued."""
    config = _runtime.settings(sim)
    if not config.perform_scopes or not using_test_adapter(sim):
        return
    if config.perform_scopes[-1].accepts(queue, job):
        perform_for_test(sim, str(job.get("jid")))


def perform_for_test(sim: Any, jid: str) -> bool:
    """Perform the waiting or scheduled job ``jid`` now, as the test adapter performs it.

    Under the test adapter an error that escapes the job's own handlers (``retry_on``,
    ``discard_on``, ``rescue_from``) is raised here, to the test, and the job does not go to
    Sidekiq's retry set. Returns False when no queue or schedule holds ``jid`` any more.
    """
    if sim.scheduled.find_job(jid) is not None:
        sim.scheduled.add_to_queue(jid)
    if not using_test_adapter(sim):
        return bool(sim.perform_job(jid))
    # The processor's raise-to-the-caller rule (Sidekiq::Testing's) is the test adapter's
    # too: the trace gets a ``failed`` event with the error and a ``discarded`` one (no retry
    # is scheduled), the failure is counted, and the error reaches the test. The simulator
    # switches it on for this one perform only, so simulate mode keeps handing errors to
    # Sidekiq's retry.
    return bool(sim._perform_job_raising(jid))
