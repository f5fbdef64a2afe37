"""The client side (layer 4): turning an enqueue into a job hash in a queue or the schedule.

This is Sidekiq's ``Client#push`` path: options merged into the hash in Sidekiq's key order,
strict-args checking per profile, a jid from the seeded stream, ``created_at`` and, for an
immediate push, ``enqueued_at``; a future ``at`` goes to the ``schedule`` set instead, stored
without ``at`` as Sidekiq stores it.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument, InvalidPayload, JobsimWarning
from jobsim.job import Job
from jobsim.options import JOB_OPTIONS, default_options, validate_options
from jobsim.payload import find_non_native, fix_hint, json_round_trip, ruby_to_json
from jobsim.trace import NO_DETAIL

if TYPE_CHECKING:
    from jobsim.state import SimState

__all__ = ["Client", "resolve_at"]

#: Sidekiq treats a number below this as "seconds from now" and above as an epoch.
_EPOCH_THRESHOLD = 1_000_000_000
_SCALAR_TYPES = (str, int, bool, type(None))


def resolve_at(wait: Any, now: float, *, name: str = "wait") -> float | None:
    """Sidekiq's ``perform_in`` rule: the epoch to run at, or None to enqueue now.

    A number below 1,000,000,000 (or a timedelta) is relative; anything larger, or an aware
    datetime, is an absolute time. A time not in the future means "now".
    """
    if isinstance(wait, timedelta):
        seconds = wait.total_seconds()
        target = now + seconds
    elif isinstance(wait, datetime):
        target = as_epoch(wait, name=name)
        # A datetime holds microseconds, the clock a float: sim.now read back as a datetime
        # must still mean "now", not a sliver of a second later.
        if round(target - now, 6) <= 0:
            return None
    elif isinstance(wait, int | float) and not isinstance(wait, bool):
        if not math.isfinite(wait):
            msg = f"{name}={wait!r}: cannot schedule a job then; pass a finite number"
            raise InvalidArgument(msg)
        target = now + wait if wait < _EPOCH_THRESHOLD else float(wait)
    else:
        msg = (
            f"{name}={wait!r} is a {type(wait).__name__}; pass seconds, a timedelta or an "
            f"aware datetime"
        )
        raise InvalidArgument(msg)
    return target if target > now else None


def _scheduled_at(value: Any) -> float | None:
    """The ``at`` a client middleware left in the hash (gone or not a number: push now)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _defaults_first(member: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``member`` as Sidekiq's poller pushes it.

    ``Client#push`` merges the popped hash into the default options of a class given by
    name (``{"retry" => true, "queue" => "default"}``), so ``retry`` and ``queue`` move to
    the front, and a hash without them (one loaded from elsewhere) gets those defaults; the
    other keys keep their order and values.
    """
    keys = iter(member)
    if next(keys, None) == "retry" and next(keys, None) == "queue":
        return dict(member)  # anything Sidekiq or jobsim pushed: already in this order
    payload: dict[str, Any] = {"retry": True, "queue": "default"}
    payload.update(member)
    return payload


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
        name = job_class.job_name
        if state.registry.classes.get(name) is not job_class:
            state.registry.add(job_class)
        payload = dict(job_class.sidekiq_options)
        at = None
        if options:
            for key, value in options.items():
                if key == "wait" or key == "wait_until":
                    at = resolve_at(value, state.clock.now, name=key)
                else:
                    # A "class" key (Job.perform_in, perform_bulk) only fixes where the name
                    # sits, before "args" as in Sidekiq's item; the name is written below.
                    payload[key] = value
        # Scalar arguments (the common case) pass every strict-args rule as they are.
        for item in args:
            kind = type(item)
            if kind not in _SCALAR_TYPES and (kind is not float or not math.isfinite(item)):
                payload["args"] = self._args_before_middleware(name, args)
                break
        else:
            payload["args"] = list(args)
        payload["class"] = name
        return self.push_payload(payload, at, job_class)

    def _args_before_middleware(
        self, job_name: str, args: tuple[Any, ...] | list[Any]
    ) -> list[Any]:
        # Sidekiq 6.4.1 checks strict args before client middleware; 6.4.2+ after it, and
        # only for jobs the middleware keeps (push_payload does that check).
        state = self._state
        if state.client_middleware.active and state.profile.strict_args_after_middleware:
            return list(args)
        return self.check_args(job_name, args)

    def check_args(self, job_name: str, args: tuple[Any, ...] | list[Any]) -> list[Any]:
        """The arguments as the job will see them, after Sidekiq's strict-args rule."""
        for item in args:
            kind = type(item)
            if kind in _SCALAR_TYPES or (kind is float and math.isfinite(item)):
                continue
            break
        else:
            return list(args)
        found = find_non_native(list(args))
        if found is None:
            return json_round_trip(args)
        path, value = found
        hint = fix_hint(value, path)
        text = (
            f"Job arguments to {job_name} must be native JSON types, but {path} is {value!r} "
            f"(a {type(value).__module__}.{type(value).__qualname__}); {hint}. "
            f"See https://github.com/sidekiq/sidekiq/wiki/Best-Practices"
        )
        mode = self._state.strict_args
        if isinstance(value, float) or mode == "raise" or mode is True:
            # NaN and infinities cannot be written as JSON at all, whatever the mode.
            raise InvalidPayload(text)
        if mode == "warn":
            warning = JobsimWarning(
                f"{text}. Sidekiq 6.x only warns and stores the value as text; to make this an "
                f"error pass Simulator(strict_args='raise'), to silence it strict_args=False"
            )
            warnings.warn(warning, stacklevel=4)
        converted: list[Any] = ruby_to_json(list(args))
        again = find_non_native(converted)
        if again is not None:
            raise InvalidPayload(text)
        return converted

    # -- raw hashes (Sidekiq::Client.push) ---------------------------------------------------

    def push(self, item: Any) -> str | None:
        """``Sidekiq::Client.push(item)``: a raw job hash with ``class`` and ``args``.

        ``at`` is taken verbatim as an epoch (a past value is still scheduled and becomes due
        at once), as Sidekiq's client does; the class may be a registered name or a job class.
        """
        if not isinstance(item, Mapping) or "class" not in item or "args" not in item:
            msg = f"Job must be a Hash with 'class' and 'args' keys: `{item!r}`"
            raise InvalidArgument(msg)
        klass = item["class"]
        if isinstance(klass, type) and issubclass(klass, Job):
            self._state.registry.add(klass)
            defaults = dict(klass.sidekiq_options)
            name = str(klass.job_name)
        elif isinstance(klass, str) and klass:
            defaults = default_options()
            name = klass
        else:
            msg = (
                f"Job class must be either a Class or String representation of the class "
                f"name: `{item!r}`"
            )
            raise InvalidArgument(msg)
        args = item["args"]
        if not isinstance(args, list | tuple):
            msg = f"Job args must be an Array: `{item!r}`"
            raise InvalidArgument(msg)
        at = item.get("at")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int | float)):
            msg = f"Job 'at' must be a Numeric timestamp: `{item!r}`"
            raise InvalidArgument(msg)
        known = {key: value for key, value in item.items() if key in JOB_OPTIONS}
        validate_options(known, where=f"push({name})")
        # Sidekiq's ``defaults.merge(item)``: the defaults' keys first (an option the item
        # also gives keeps the defaults' place), then the item's keys in the item's order.
        payload = defaults
        for key, value in item.items():
            if key != "at":
                payload[key] = value
        payload["args"] = self._args_before_middleware(name, args)
        payload["class"] = name
        if not str(payload.get("queue") or "").strip():
            msg = f"Job must include a valid queue name: `{item!r}`"
            raise InvalidArgument(msg)
        subject = klass if isinstance(klass, type) else name
        return self.push_payload(payload, None if at is None else float(at), subject)

    # -- the shared tail ---------------------------------------------------------------------

    def push_payload(
        self, payload: dict[str, Any], at: float | None, subject: Any = None
    ) -> str | None:
        """Give the hash its jid and created_at, run client middleware, then queue or
        schedule it; returns the jid, or None when middleware stopped the push."""
        state = self._state
        # acquire/release rather than ``with``: half the cost on a path every enqueue takes.
        lock = self._lock
        lock.acquire()
        try:
            jid = payload.get("jid")
            if jid is None:  # state.new_jid(), spelled out: every enqueue takes this path
                jid = payload["jid"] = state.jid_bits(96).to_bytes(12, "little").hex()
            now = state.clock.now
            stamp = state.stamp_at(now)
            if "created_at" not in payload:
                payload["created_at"] = stamp
            if state.client_middleware.active:
                if at is not None:
                    payload["at"] = at  # client middleware sees "at"; Redis never stores it
                kept = self._through_middleware(subject or payload["class"], payload, "client")
                if kept is None:
                    return None
                payload = kept
                at = _scheduled_at(payload.pop("at", None))
                if state.profile.strict_args_after_middleware:
                    payload["args"] = self.check_args(str(payload["class"]), payload["args"])
                now = state.clock.now  # middleware may have moved the clock
            if at is None:
                payload["enqueued_at"] = stamp
                queue = state.queues.get(payload["queue"])
                if queue is None:
                    queue = state.queue(payload["queue"])
                queue.push(payload)
                state.trace.add(("enqueued", now, jid, payload, NO_DETAIL))
            else:
                state.scheduled.add(at, payload)
                state.trace.record("scheduled", now, jid, payload, {"run_at": at})
            return jid if type(jid) is str else str(jid)
        finally:
            lock.release()

    def _through_middleware(
        self, subject: Any, payload: dict[str, Any], source: str
    ) -> dict[str, Any] | None:
        """Run the client chain; the hash to push, or None (recorded) if it was stopped."""
        state = self._state
        queue = str(payload.get("queue"))
        result, stopped = state.client_middleware.invoke(subject, payload, queue, lambda: payload)
        if not result:
            who = stopped or "client middleware"
            reason = f"client middleware {who} stopped the push ({source})"
            state.trace.record(
                "discarded", state.clock.now, str(payload.get("jid")), payload, {"reason": reason}
            )
            return None
        return dict(result) if isinstance(result, Mapping) else payload

    def requeue(self, member: Mapping[str, Any], source: str) -> None:
        """Push a job taken out of a sorted set back through the client (new ``enqueued_at``).

        As Sidekiq's poller does, this runs client middleware again (with the class name as
        a string), which may stop the push.
        """
        state = self._state
        lock = self._lock
        lock.acquire()  # as in push_payload: every retry and scheduled job comes this way
        try:
            payload = _defaults_first(member)
            if state.client_middleware.active:
                kept = self._through_middleware(payload.get("class"), payload, source)
                if kept is None:
                    return
                payload = kept
                at = _scheduled_at(payload.pop("at", None))
                if at is not None:  # Client#push with "at" schedules, even from the poller
                    state.scheduled.add(at, payload)
                    detail = {"run_at": at, "source": source}
                    state.trace.record(
                        "scheduled", state.clock.now, payload["jid"], payload, detail
                    )
                    return
            now = state.clock.now
            payload["enqueued_at"] = state.stamp_at(now)
            state.queue(payload["queue"]).push(payload)
            state.trace.add(("enqueued", now, payload["jid"], payload, {"source": source}))
        finally:
            lock.release()
