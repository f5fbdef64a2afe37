"""The server side (layer 5): performing one job and applying Sidekiq's retry decision.

This mirrors ``Processor#process`` with ``JobRetry#global`` and ``#local`` around it: every
execution counts as processed, every raise as failed; a failure becomes a retry-set entry, an
exhaustion (exhausted hook, then dead set, then death handlers, in that order), a discard, or
with ``retry: false`` just the death handlers; error handlers run last. A job whose class is
unknown takes the ``global`` path: it retries with the default backoff and no hooks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from jobsim.errors import SimulatedCrash, UnknownJob
from jobsim.payload import json_round_trip, parsed_copy
from jobsim.profiles import epoch_ms
from jobsim.redis_pool import middleware_name
from jobsim.retry import (
    UNPRINTABLE_MESSAGE,
    HookFailure,
    RetryDecision,
    decide_retry,
    error_class_name,
    error_message,
)

if TYPE_CHECKING:
    from jobsim.job import Job
    from jobsim.state import SimState

__all__ = ["Processor"]


#: What one execution did, held until its virtual duration has passed:
#: (job class, job instance, the exception it raised, the middleware that skipped perform).
#: A plain tuple, because one is built for every execution.
Outcome: TypeAlias = "tuple[type[Job] | None, Job | None, Exception | None, str | None]"


class Processor:
    """Runs jobs against a :class:`~jobsim.state.SimState`."""

    __slots__ = ("_state", "raise_errors")

    def __init__(self, state: SimState, *, raise_errors: bool = False) -> None:
        self._state = state
        #: Like Sidekiq::Testing: a failure propagates to the caller instead of retrying.
        self.raise_errors = raise_errors

    def perform(self, queue: str, job: Mapping[str, Any]) -> bool:
        """Start and finish ``job`` at the current instant; True if it succeeded."""
        outcome = self.start(queue, job)
        self.finish(queue, job, outcome, 0.0)
        return outcome[2] is None

    def start(self, queue: str, job: Mapping[str, Any]) -> Outcome:
        """Count and record the execution, run server middleware and ``perform``.

        The job's code runs at the instant it starts; :meth:`finish` applies the result when
        its duration has passed. A ``BaseException`` that is not an ``Exception``
        (KeyboardInterrupt, SystemExit) puts the job back at the front of its queue before it
        propagates, so the job is not lost.
        """
        state = self._state
        state.begin(queue, job)
        jid = job["jid"]
        job_class = state.registry.classes.get(job.get("class"))  # type: ignore[arg-type]
        instance: Job | None = None
        skipped_by: str | None = None
        try:
            if job_class is None:
                raise _unknown_class(job, state.registry.names())
            instance = job_class()
            instance.jid = jid
            instance._job = job
            chain = state.server_middleware
            sole = chain.sole
            if chain.active and sole is None:
                # Sidekiq hands middleware the parsed job and performs whatever args the hash
                # holds afterwards, but retries re-parse the original JSON: give the chain a
                # copy as JSON would (every container new) so its changes reach perform and
                # never the retry.
                work, parsed = instance, parsed_copy(job)
                _, skipped_by = chain.invoke(
                    work, parsed, queue, lambda: work.perform(*parsed["args"])
                )
            elif sole is not None and not sole.passes(instance, job, queue):
                # One middleware offering passes(), which leaves the hash as it is: no copy
                # to protect the retry, and perform gets the args as without middleware.
                skipped_by = middleware_name(sole)
            elif args := job["args"]:
                instance.perform(*json_round_trip(args))
            else:
                instance.perform()
        except Exception as exc:
            shutdown = _caused_by_shutdown(exc)
            if shutdown is None:
                return (job_class, instance, exc, None)
            # JobRetry#local: an error raised while handling Shutdown re-raises Shutdown, and
            # nothing is retried: the job goes back to its queue as for the interrupt itself.
            reason = f"{error_class_name(exc)} raised while handling {type(shutdown).__name__}"
            self.push_back(queue, job, f"{reason}; requeued")
            raise shutdown from exc
        except SimulatedCrash:
            raise  # the engine takes the whole process down
        except BaseException:
            self.push_back(queue, job, "interrupted; requeued")
            raise
        return (job_class, instance, None, skipped_by)

    def finish(self, queue: str, job: Mapping[str, Any], outcome: Outcome, busy: float) -> None:
        """Apply an execution's outcome: success, or Sidekiq's failure handling."""
        state = self._state
        job_class, instance, error, skipped_by = outcome
        succeeded = error is None and skipped_by is None
        state.end(queue, job, busy, succeeded=succeeded)
        if state.execution_listeners:
            self._ended(job, "failed" if error is not None else "succeeded")
        for gate in state.gates:  # sidekiq-throttled's server middleware: finalize! in ensure
            gate.finished(queue, job)
        if succeeded:
            return
        jid = job["jid"]
        if error is None:  # a server middleware skipped perform: a success, saying so
            detail = {"skipped_by": skipped_by}
            state.trace.record("succeeded", state.clock.now, jid, job, detail)
            return
        if self.raise_errors:
            state.count_failure()
            detail = {
                "error_class": error_class_name(error),
                "error_message": error_message(error)[:300],
            }
            state.trace.record("failed", state.clock.now, jid, job, detail)
            reason = "raised to the caller (testing mode: no retries)"
            state.trace.record("discarded", state.clock.now, jid, job, {"reason": reason})
            raise error
        self._failed(queue, job, error, job_class, instance)

    def lose(self, queue: str, job: Mapping[str, Any], reason: str) -> None:
        """A running job vanished (a crash under basic fetch): counted, recorded, gone."""
        state = self._state
        state.end(queue, job, 0.0)
        self._ended(job, "lost")
        state.count_failure()
        state.trace.record("lost", state.clock.now, job["jid"], job, {"reason": reason})

    def push_back(
        self, queue: str, job: Mapping[str, Any], reason: str, *, crashed: bool = False
    ) -> None:
        """A running job returns to the front of its queue (shutdown, or a crash under
        reliable fetch: ``crashed``, so no ``ensure`` block of the job ran)."""
        state = self._state
        state.end(queue, job, 0.0)
        self._ended(job, "recovered" if crashed else "pushed_back")
        state.count_failure()  # Sidekiq's stats wrapper counts the interrupted attempt as failed
        for gate in state.gates:  # Sidekiq::Shutdown unwinds through the middleware's ensure
            gate.finished(queue, job)
        state.queue(queue).push_front(job)
        state.trace.record("interrupted", state.clock.now, job["jid"], job, {"reason": reason})

    def _ended(self, job: Mapping[str, Any], how: str) -> None:
        for listener in list(self._state.execution_listeners):
            listener(job, how)

    # -- failure -----------------------------------------------------------------------------

    def _failed(
        self,
        queue: str,
        job: Mapping[str, Any],
        exc: Exception,
        job_class: type[Job] | None,
        instance: Job | None,
    ) -> None:
        state = self._state
        state.count_failure()
        now = state.clock.now
        detail = {"error_class": error_class_name(exc), "error_message": _described(exc)}
        state.trace.record("failed", now, job["jid"], job, detail)
        retry_option = job.get("retry")
        if retry_option is None and job_class is not None:
            # JobRetry#local falls back to the class option; #global has no class to ask.
            retry_option = job_class.sidekiq_options.get("retry", True)
        decision = decide_retry(
            state.profile,
            job,
            exc,
            fetched_from=queue,
            now=now,
            retry_option=retry_option,
            retry_in=instance.retry_in if instance is not None else None,
            max_retries=state.max_retries,
            jitter_mode=state.jitter,
            rng=state.jitter_rng,
            class_name=str(job.get("class")),
        )
        for failure in decision.hook_failures:
            self._hook_failed(failure, job)
        cause = decision.error or exc
        self._apply(decision, cause, instance)
        if state.error_handlers:
            self._report(cause, {"context": "Job raised exception", "job": dict(job)})

    def _apply(self, decision: RetryDecision, exc: BaseException, instance: Job | None) -> None:
        state = self._state
        job = decision.job
        now = state.clock.now
        jid = str(job.get("jid"))
        if decision.action == "retry" and decision.retry_at is not None:
            state.retries.add(decision.retry_at, job)
            detail = {
                "retry_at": decision.retry_at,
                "delay": decision.delay,
                "jitter": decision.jitter,
                "retry_count": job["retry_count"],
            }
            state.trace.record("retry_scheduled", now, jid, job, detail)
        elif decision.action == "exhausted":
            self._exhausted(job, exc, instance, decision.reason)
        elif decision.action == "discard":
            if state.profile.retry_in_discard_calls_death_handlers:
                if state.profile.sets_discarded_at:
                    job = {**job, "discarded_at": epoch_ms(now)}
                self._gone(job, decision.reason)
                self._run_death_handlers(job, exc)
            else:
                self._gone(job, decision.reason)
        else:  # no_retry: JobRetry#global calls the death handlers with the original job
            self._gone(job, decision.reason)
            self._run_death_handlers(job, exc)

    def _exhausted(
        self, job: dict[str, Any], exc: BaseException, instance: Job | None, reason: str
    ) -> None:
        state = self._state
        profile = state.profile
        jid = str(job.get("jid"))
        state.trace.record("retries_exhausted", state.clock.now, jid, dict(job), {"reason": reason})
        returned: Any = None
        if instance is not None:
            try:
                returned = instance.retries_exhausted(job, exc)  # type: ignore[arg-type]
            except Exception as hook_error:
                context = "Error calling retries_exhausted"
                self._hook_failed(HookFailure("retries_exhausted", hook_error, context), job)
        discard = profile.exhausted_discard is not None and returned == "discard"
        if discard and profile.exhausted_discard == "silent":
            self._gone(dict(job), "retries_exhausted returned 'discard'")
            return
        if job.get("dead") is not False and not discard:
            entry, trimmed = state.dead.add_and_trim(state.clock.now, dict(job))
            state.trace.record("died", state.clock.now, jid, entry.job, {"reason": reason})
            for old, why in trimmed:
                self._gone(old.job, why)
            dead_job: dict[str, Any] = dict(entry.job)
        else:
            dead_job = dict(job)
            if profile.sets_discarded_at:
                dead_job["discarded_at"] = epoch_ms(state.clock.now)
            why = "dead: false" if not discard else "retries_exhausted returned 'discard'"
            self._gone(dead_job, f"{reason}; not kept ({why})")
        self._run_death_handlers(dead_job, exc)

    # -- moves the data API makes ------------------------------------------------------------

    def kill(
        self,
        job: Mapping[str, Any],
        reason: str,
        *,
        notify: bool,
        error: BaseException | None = None,
    ) -> None:
        """``DeadSet#kill``: into the dead set now; death handlers see ``error``, by default
        "Job killed by API"."""
        state = self._state
        entry, trimmed = state.dead.add_and_trim(state.clock.now, dict(job))
        state.trace.record("died", state.clock.now, entry.jid, entry.job, {"reason": reason})
        for old, why in trimmed:
            self._gone(old.job, why)
        if notify:
            cause = error if error is not None else RuntimeError("Job killed by API")
            self._run_death_handlers(dict(entry.job), cause)

    def discard(self, job: Mapping[str, Any], reason: str) -> None:
        """Record that ``job`` left the simulation for ``reason`` (deleted, cleared)."""
        self._gone(job, reason)

    # -- handlers ----------------------------------------------------------------------------

    def _gone(self, job: Mapping[str, Any], reason: str) -> None:
        state = self._state
        jid = str(job.get("jid"))
        state.trace.record("discarded", state.clock.now, jid, job, {"reason": reason})

    def _run_death_handlers(self, job: dict[str, Any], exc: BaseException) -> None:
        for handler in list(self._state.death_handlers):
            try:
                handler(job, exc)
            except Exception as hook_error:
                failure = HookFailure("death_handler", hook_error, "Error calling death handler")
                self._hook_failed(failure, job)

    def _hook_failed(self, failure: HookFailure, job: Mapping[str, Any]) -> None:
        state = self._state
        detail = {
            "hook": failure.hook,
            "error_class": error_class_name(failure.error),
            "error_message": error_message(failure.error)[:200],
            "context": failure.context,
        }
        state.trace.record("hook_error", state.clock.now, str(job.get("jid")), job, detail)
        self._report(failure.error, {"context": failure.context, "job": dict(job)})

    def _report(self, exc: BaseException, context: dict[str, Any]) -> None:
        """Call the error handlers; one that raises is recorded and the rest still run."""
        state = self._state
        for handler in list(state.error_handlers):
            try:
                handler(exc, context)
            except Exception as handler_error:
                job = context.get("job") or {}
                detail = {
                    "hook": "error_handler",
                    "error_class": error_class_name(handler_error),
                    "error_message": error_message(handler_error)[:200],
                    "context": "Error calling error handler",
                }
                state.trace.record("hook_error", state.clock.now, str(job.get("jid")), job, detail)


def _unknown_class(job: Mapping[str, Any], known: list[str]) -> UnknownJob:
    name = job.get("class")
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    registered = ", ".join(known) or "none"
    msg = (
        f"job {job.get('jid')} names class {name!r}, which this simulator does not know; {hint}"
        f"register it with sim.register(YourJob) (registered: {registered})"
    )
    error = UnknownJob(msg)
    # What Sidekiq writes into the payload: constantize raises NameError.
    error.sidekiq_error_class = "NameError"
    error.sidekiq_error_message = f"uninitialized constant {name}"
    return error


def _described(exc: BaseException) -> str:
    """The exception's own text for the trace (jobsim's advice included, not Sidekiq's
    payload text), or Sidekiq's fallback when its ``__str__`` raises."""
    try:
        return str(exc)[:300]
    except Exception:
        return UNPRINTABLE_MESSAGE


def _caused_by_shutdown(exc: BaseException) -> BaseException | None:
    """The interrupt (a ``BaseException`` that is not an ``Exception``: jobsim's stand-in for
    ``Sidekiq::Shutdown``) somewhere in ``exc``'s causes, as ``exception_caused_by_shutdown?``
    walks Ruby's ``cause`` chain; each exception is looked at once, so a cycle ends."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, Exception) and not isinstance(current, SimulatedCrash):
            return current
        current = current.__cause__ or current.__context__
    return None
