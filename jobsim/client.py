"""The simulator's client (layer 4): writing a normalised push into a queue or the schedule.

What a push becomes is worked out once, in :mod:`jobsim.enqueue` (Sidekiq's
``Client#normalize_item`` and the profile's rules); this module only gives the hash its jid and
``created_at``, runs client middleware, and puts it where Sidekiq would: an immediate push into
its queue with ``enqueued_at``, a future one into the ``schedule`` set, stored without ``at``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.enqueue import (
    check_args,
    defaults_first,
    from_call,
    normalize_item,
    scheduled_at,
)
from jobsim.job import Job
from jobsim.redis_pool import middleware_name

if TYPE_CHECKING:
    from jobsim.state import SimState

__all__ = ["Client"]


class Client:
    """Pushes jobs into a :class:`~jobsim.state.SimState`.

    Pushes may come from any thread (application code often enqueues from a pool); a
    re-entrant lock keeps each push whole, and client middleware may push from inside a push.
    """

    __slots__ = ("_lock", "_state")

    def __init__(self, state: SimState) -> None:
        self._state = state
        self._lock = threading.RLock()

    # -- from job classes --------------------------------------------------------------------

    def push_job(
        self, job_class: type[Job], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        """Enqueue ``job_class(*args)`` with per-call ``options`` (from ``set()``)."""
        state = self._state
        if state.registry.classes.get(job_class.job_name) is not job_class:
            state.registry.add(job_class)
        # not self._checks_args_first(), spelled out: every enqueue takes this path
        after = state.client_middleware.active and state.profile.strict_args_after_middleware
        job, at = from_call(
            job_class,
            args,
            options,
            state.clock.now,
            strict_args=state.strict_args,
            check_now=not after,
        )
        if at is not None or state.client_middleware.active:
            return self.push_normalized(job, at, job_class)
        # push_normalized's first branch, written out here for the plain perform_async of
        # every job: going through push_normalized measured 14.6-14.8x Dramatiq against
        # 15.5-15.7x with this copy (bench_enqueue_drain.py, quiet machine, goal 15x).
        lock = self._lock
        lock.acquire()
        try:
            jid = state.enqueue_new(job)
        finally:
            lock.release()
        return jid if type(jid) is str else str(jid)

    def _checks_args_first(self) -> bool:
        # Sidekiq 6.4.1 checks strict args before client middleware; 6.4.2+ after it, and
        # only for jobs the middleware keeps (push_normalized does that check).
        state = self._state
        return not (state.client_middleware.active and state.profile.strict_args_after_middleware)

    # -- raw hashes (Sidekiq::Client.push) ---------------------------------------------------

    def push(self, job: Any, /) -> str | None:
        """``Sidekiq::Client.push(item)``: a raw job hash with ``class`` and ``args``
        (see :func:`jobsim.enqueue.normalize_item`)."""
        state = self._state
        normalized = normalize_item(
            job, strict_args=state.strict_args, check_now=self._checks_args_first()
        )
        if isinstance(normalized.subject, type):
            state.registry.add(normalized.subject)
        return self.push_normalized(normalized.job, normalized.at, normalized.subject)

    # -- the shared tail ---------------------------------------------------------------------

    def push_normalized(
        self, job: dict[str, Any], at: float | None, subject: Any = None
    ) -> str | None:
        """Give the hash its jid and created_at, run client middleware, then queue or
        schedule it; returns the jid, or None when middleware stopped the push."""
        state = self._state
        # acquire/release rather than ``with``: half the cost on a path every enqueue takes.
        lock = self._lock
        lock.acquire()
        try:
            if at is None and not state.client_middleware.active:
                jid = state.enqueue_new(job)  # the plain enqueue: one call into the state
                return jid if type(jid) is str else str(jid)
            jid = job.get("jid")
            if jid is None:
                jid = job["jid"] = state.new_jid()
            now = state.clock.now
            stamp = state.stamp_at(now)
            if "created_at" not in job:
                job["created_at"] = stamp
            if state.client_middleware.active:
                if at is not None:
                    job["at"] = at  # client middleware sees "at"; Redis never stores it
                kept = self._through_middleware(subject or job["class"], job, "client")
                if kept is None:
                    return None
                job = kept
                at = job.pop("at", None)
                if at is not None:
                    at = scheduled_at(at)
                if state.profile.strict_args_after_middleware:
                    name = str(job["class"])
                    job["args"] = check_args(name, job["args"], state.strict_args)
                now = state.clock.now  # middleware may have moved the clock
            if at is None:
                job["enqueued_at"] = stamp
                state.enqueue(job, now)
            else:
                state.scheduled.add(at, job)
                state.trace.record("scheduled", now, jid, job, {"run_at": at})
            return jid if type(jid) is str else str(jid)
        finally:
            lock.release()

    def _through_middleware(
        self, subject: Any, job: dict[str, Any], source: str
    ) -> dict[str, Any] | None:
        """Run the client chain; the hash to push, or None (recorded) if it was stopped."""
        state = self._state
        queue = str(job.get("queue"))
        chain = state.client_middleware
        sole = chain.sole
        stopped: str | None
        if sole is not None:  # one middleware offering passes(): no closure, no copy
            if sole.passes(subject, job, queue):
                return job
            result, stopped = None, middleware_name(sole)
        else:
            result, stopped = chain.invoke(subject, job, queue, lambda: job)
        if not result:
            who = stopped or "client middleware"
            reason = f"client middleware {who} stopped the push ({source})"
            state.trace.record(
                "discarded", state.clock.now, str(job.get("jid")), job, {"reason": reason}
            )
            return None
        if type(result) is dict or isinstance(result, Mapping):
            return dict(result)
        return job

    def requeue(self, member: Mapping[str, Any], source: str) -> None:
        """Push a job taken out of a sorted set back through the client (new ``enqueued_at``).

        As Sidekiq's poller does, this runs client middleware again (with the class name as
        a string), which may stop the push.
        """
        state = self._state
        lock = self._lock
        lock.acquire()  # as in push_normalized: every retry and scheduled job comes this way
        try:
            job = defaults_first(member)
            if state.client_middleware.active:
                kept = self._through_middleware(job.get("class"), job, source)
                if kept is None:
                    return
                job = kept
                at = scheduled_at(job.pop("at", None))
                if at is not None:  # Client#push with "at" schedules, even from the poller
                    state.scheduled.add(at, job)
                    detail = {"run_at": at, "source": source}
                    state.trace.record("scheduled", state.clock.now, job["jid"], job, detail)
                    return
            now = state.clock.now
            job["enqueued_at"] = state.stamp_at(now)
            state.enqueue(job, now, {"source": source})
        finally:
            lock.release()
