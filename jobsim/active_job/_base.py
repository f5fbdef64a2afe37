"""The ActiveJob flavour of jobs (layer 4): ``perform_later``, ``retry_on``, ``discard_on``…

An :class:`ActiveJob` runs inside Sidekiq's wrapper job, as Rails' Sidekiq adapter does: the
push is an ordinary jobsim job of class ``ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper``
(``Sidekiq::ActiveJob::Wrapper`` on the Sidekiq 8 profile) with ``wrapped`` naming the
ActiveJob class and the serialized job data as its one argument. ActiveJob's retries are new
pushes of the wrapper; an error no handler takes escapes the wrapper, and Sidekiq's own retry
engine (the core's) takes it from there. Semantics: rails/rails
``activejob/lib/active_job/exceptions.rb``, ``execution.rb``, ``enqueuing.rb``.

This module holds the job itself: enqueueing, its data, and running it. What a class declares
(its options, ``retry_on`` and the like) is in ``_declarations``; the wrapper jobs on the
Sidekiq side are in ``_wrapper``.
"""

from __future__ import annotations

import copy
import functools
import itertools
import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from jobsim import routing
from jobsim.active_job import _runtime
from jobsim.active_job._callbacks import Chain, has_after, run_chain
from jobsim.active_job._declarations import Declarations, RailsDeprecationWarning
from jobsim.active_job._serialize import (
    deserialize_arguments,
    iso8601,
    parse_iso8601,
    serialize_arguments,
)
from jobsim.active_job._serializers import Keywords
from jobsim.active_job._test_adapter import after_push
from jobsim.active_job._versions import DEFAULT_RAILS, RailsVersion, get_rails
from jobsim.active_job._wrapper import wrapper_for
from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument
from jobsim.rng import uuid_from_bytes

__all__ = ["ActiveJob", "ConfiguredJob"]

_SET_KEYS = ("wait", "wait_until", "queue", "priority")
_fallback_ids = itertools.count(1)


def _cause(error: BaseException) -> BaseException | None:
    """Ruby's ``Exception#cause``: the explicit ``from`` cause, else the implicit context."""
    if error.__cause__ is not None:
        return error.__cause__
    return None if error.__suppress_context__ else error.__context__


class _class_or_instance:
    """A method that works on the class (``Job.perform_now(1)``) and on an instance."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self._function = function
        self.__doc__ = function.__doc__

    def __get__(self, instance: Any, owner: type[Any]) -> Callable[..., Any]:
        bound = owner if instance is None else instance
        return functools.partial(self._function, bound)


class ActiveJob(Declarations):
    """Base class of an ActiveJob job (``ActiveJob::Base``).

    Class keyword arguments: ``queue_as`` (a queue name, or a callable ``(job) -> name``
    evaluated at enqueue with the job's arguments), ``priority``, ``rails`` (``"6.1"`` …
    ``"8.0"``; default: the simulator's setting), ``retry_jitter`` (0.15, what
    ``load_defaults "6.1"`` and later set), ``sidekiq_options`` (merged into the wrapper's
    payload, e.g. ``{"retry": False}``), ``name`` (the ``job_class`` written into job data).

    Declare error handling after the class body (Rails' order matters, so it stays visible)::

        SyncJob.retry_on(TimeoutError, wait="polynomially_longer", attempts=10)
        SyncJob.discard_on(ClientError)
    """

    # -- enqueueing ----------------------------------------------------------------------

    @classmethod
    def perform_later(cls, *args: Any, **kwargs: Any) -> ActiveJob | bool:
        """Enqueue through the Sidekiq adapter; returns the job (``provider_job_id`` = jid),
        or False when a ``before_enqueue`` callback halted (raised ``Abort``)."""
        return cls(*args, **kwargs).enqueue()

    @_class_or_instance
    def perform_now(self_or_cls: Any, *args: Any, **kwargs: Any) -> Any:
        """Run at once, here; returns perform's value, or the error a handler took.

        ``MyJob.perform_now(*args)`` builds the job first; ``job.perform_now()`` runs it.
        """
        if isinstance(self_or_cls, type):
            return self_or_cls(*args, **kwargs).perform_now()
        return self_or_cls._perform_now()

    @classmethod
    def set(cls, **options: Any) -> ConfiguredJob:
        """``wait=``, ``wait_until=``, ``queue=``, ``priority=`` for the next enqueue."""
        return ConfiguredJob(cls, _check_set(cls, options))

    # -- an instance is one job ----------------------------------------------------------

    def __init__(self, *arguments: Any, **keywords: Any) -> None:
        # Keyword arguments ride as a last ruby2_keywords hash, as Rails passes them.
        self.arguments: list[Any] = [*arguments, *([Keywords(keywords)] if keywords else [])]
        #: Job data arguments not read back yet (Rails' @serialized_arguments).
        self._pending_arguments: list[Any] | None = None
        sim = routing.active()
        if sim is not None and hasattr(sim, "push"):
            self.job_id = uuid_from_bytes(_runtime.random_bytes(sim, 16))
        else:  # no simulator: still deterministic, never uuid4
            self.job_id = f"00000000-0000-4000-8000-{next(_fallback_ids):012x}"
        self.provider_job_id: str | None = None
        self._queue_name: str | None = None
        self._priority: int | None = None
        self._priority_read = False
        self.executions = 0
        self.exception_executions: dict[str, int] | None = {}
        self.locale = "en"
        self.timezone: str | None = "UTC"
        self.enqueued_at: str | None = None
        #: When the job was set to run (epoch seconds), or None.
        self.scheduled_at: float | None = None

    @property
    def queue_name(self) -> str:
        """The queue, with a computed ``queue_as`` evaluated on first read (as Rails does),
        the prefix added (``queue_name_from_part``)."""
        if self._queue_name is None:
            chosen: Any = type(self).queue_as  # through the class: a function stays unbound
            part: object = chosen(self) if callable(chosen) else chosen
            self._queue_name = self.queue_name_from_part(part)
        return self._queue_name

    @queue_name.setter
    def queue_name(self, value: str) -> None:
        self._queue_name = value

    def queue_name_from_part(self, part: object) -> str:
        """``queue_name_from_part``: ``part`` (None: the default queue name) behind the
        prefix and its delimiter, when a prefix is set."""
        sim = routing.active()
        config = _runtime.settings(sim) if sim is not None else None
        if part is None:
            part = config.default_queue_name if config is not None else "default"
        if not isinstance(part, str):
            msg = f"{type(self).__qualname__}: the queue {part!r} is not a name; use a str"
            raise InvalidArgument(msg)
        job_class = type(self)
        prefix = job_class.queue_name_prefix
        if prefix is None and config is not None:
            prefix = config.queue_name_prefix
        delimiter = job_class.queue_name_delimiter
        if delimiter is None:
            delimiter = config.queue_name_delimiter if config is not None else "_"
        return f"{prefix}{delimiter}{part}" if prefix else str(part)

    @property
    def priority(self) -> int | None:
        """The priority, with a ``queue_with_priority`` callable evaluated on first read."""
        if not self._priority_read:
            chosen: Any = type(self).priority_default
            value: object = chosen(self) if callable(chosen) else chosen
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                msg = f"{type(self).__qualname__}: priority {value!r} is not a whole number"
                raise InvalidArgument(msg)
            self._priority = value
            self._priority_read = True
        return self._priority

    @priority.setter
    def priority(self, value: int | None) -> None:
        self._priority = value
        self._priority_read = True

    def perform(self, *args: Any) -> Any:
        """The work; override it."""
        raise NotImplementedError(f"{type(self).__qualname__} must define perform(self, *args)")

    def rails_version(self) -> RailsVersion:
        """The Rails version in force: the class's ``rails=``, else the simulator's setting."""
        if self.rails is not None:
            return get_rails(self.rails)
        sim = routing.active()
        return _runtime.settings(sim).version() if sim is not None else get_rails(DEFAULT_RAILS)

    def enqueue(
        self,
        *,
        wait: float | timedelta | None = None,
        wait_until: Any = None,
        queue: str | None = None,
        priority: int | None = None,
    ) -> ActiveJob | bool:
        """``Job#enqueue(options)``: push through the adapter, inside the enqueue callbacks;
        returns the job, or False when a callback halted the enqueue."""
        sim = _runtime.target(self.job_class_name)
        now = sim.time
        if wait is not None:
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            self.scheduled_at = now + seconds
        if wait_until is not None:  # applied after wait, so it wins
            self.scheduled_at = as_epoch(wait_until, name="wait_until")
        if queue is not None:
            self.queue_name = self.queue_name_from_part(queue)
        if priority is not None:
            self.priority = int(priority)
        _runtime.settings(sim).register(type(self))

        def push() -> bool:
            job: dict[str, Any] = {
                **self.sidekiq_options,
                "class": wrapper_for(sim),
                "wrapped": self.job_class_name,
                "queue": self.queue_name,
                "args": [self.serialize(sim.time)],
            }
            if self.scheduled_at is not None:
                job["at"] = self.scheduled_at  # the adapter's enqueue_at: always the schedule
            self.provider_job_id = sim.push(job)
            if self.provider_job_id is not None:
                after_push(sim, self.queue_name, {**job, "jid": self.provider_job_id})
            return True

        enqueued, _ = self._run_callbacks(self._enqueue_callbacks, push)
        return self if enqueued else False

    def _run_callbacks(self, chain: Chain, action: Callable[[], Any]) -> tuple[bool, Any]:
        if not chain:
            return True, action()
        version = self.rails_version()
        skip = True
        sim = routing.active()
        if version.after_callbacks_configurable and sim is not None:
            skip = _runtime.settings(sim).skip_after_callbacks_if_terminated
        ran, value, halted = run_chain(chain, self, action, skip_after_if_halted=skip)
        if halted and not skip and version.name == "6.1" and has_after(chain):
            msg = (
                f"{self.job_class_name}: a before callback halted, and its after callbacks "
                f"still ran; in Rails 7.0, `after_enqueue`/`after_perform` callbacks no longer "
                f"run if `before_enqueue`/`before_perform` respectively halts with `throw "
                f":abort` (set settings(sim).skip_after_callbacks_if_terminated = True)"
            )
            warnings.warn(RailsDeprecationWarning(msg), stacklevel=3)
        return ran, value

    def serialize(self, now: float) -> dict[str, Any]:
        """``Job#serialize``: the job data the adapter pushes."""
        version = self.rails_version()
        digits = 9 if version.serializes_scheduled_at else 0
        if self._pending_arguments is not None:  # never read back: written as it came
            arguments = self._pending_arguments
        else:
            sim = routing.active()
            arguments = serialize_arguments(
                self.arguments,
                f"{self.job_class_name} arguments",
                modern=version.modern_serializers,
                serializers=_runtime.settings(sim).serializers if sim is not None else (),
            )
        data: dict[str, Any] = {
            "job_class": self.job_class_name,
            "job_id": self.job_id,
            "provider_job_id": self.provider_job_id,
            "queue_name": self.queue_name,
            "priority": self.priority,
            "arguments": arguments,
            "executions": self.executions,
            "exception_executions": self.exception_executions,
            "locale": self.locale,
            "timezone": self.timezone,
            "enqueued_at": iso8601(now, digits),
        }
        if version.serializes_scheduled_at:
            at = self.scheduled_at
            data["scheduled_at"] = None if at is None else iso8601(at, 9)
        return data

    @classmethod
    def deserialize(cls, data: Mapping[str, Any]) -> ActiveJob:
        """A job from its data (``Base.deserialize``), ready for :meth:`perform_now`."""
        job = cls.__new__(cls)
        job.arguments = []
        job._pending_arguments = list(data.get("arguments") or [])
        job.job_id = str(data.get("job_id"))
        job.provider_job_id = data.get("provider_job_id")
        job._queue_name = data.get("queue_name")
        job.priority = data.get("priority")
        job.executions = int(data.get("executions") or 0)
        counters = data.get("exception_executions")
        job.exception_executions = dict(counters) if isinstance(counters, Mapping) else None
        job.locale = str(data.get("locale") or "en")
        job.timezone = data.get("timezone")
        job.enqueued_at = data.get("enqueued_at")
        scheduled = data.get("scheduled_at")
        keep = isinstance(scheduled, str) and job.rails_version().serializes_scheduled_at
        job.scheduled_at = parse_iso8601(scheduled) if keep else None  # type: ignore[arg-type]
        return job

    # -- execution -----------------------------------------------------------------------

    def _perform_now(self) -> Any:
        """``Job#perform_now``: count the execution, perform, and let the handlers decide.

        Returns perform's value, or the error a handler took; an error no handler takes is
        re-raised (after the ``after_discard`` callbacks on 7.1+).
        """
        self.executions = (self.executions or 0) + 1
        try:
            self._read_arguments()
            return self._run_callbacks(self._perform_callbacks, self._call_perform)[1]
        except Exception as error:
            handled = self._rescue_with_handler(error)
            if handled is not None:
                return handled
            self._run_after_discard(error)
            raise

    def _read_arguments(self) -> None:
        """Rails' ``deserialize_arguments_if_needed``: inside perform_now, so a record that
        is gone raises DeserializationError where the handlers can take it."""
        pending = self._pending_arguments
        if pending is None:
            return
        sim = routing.active()
        config = _runtime.settings(sim) if sim is not None else None
        self.arguments = deserialize_arguments(
            pending,
            locate=None if config is None else config.locate,
            serializers=() if config is None else config.serializers,
            strict=True,
        )
        self._pending_arguments = None

    def _call_perform(self) -> Any:
        arguments = self.arguments
        if arguments and isinstance(arguments[-1], Keywords):
            return self.perform(*arguments[:-1], **arguments[-1])
        return self.perform(*arguments)

    def retry_job(
        self,
        *,
        wait: float | timedelta | None = None,
        wait_until: Any = None,
        queue: str | None = None,
        priority: int | None = None,
        error: BaseException | None = None,
    ) -> ActiveJob:
        """Enqueue this job again (6.1–7.1: itself, so its queue/priority stay changed;
        7.2+: a copy)."""
        version = self.rails_version()
        job = self if version.retry_enqueues == "self" else copy.copy(self)
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else wait
        self._instrument("enqueue_retry", error, seconds)
        job.enqueue(wait=wait, wait_until=wait_until, queue=queue, priority=priority)
        return job

    def _rescue_with_handler(self, error: BaseException) -> BaseException | None:
        seen: list[BaseException] = []
        current: BaseException | None = error
        while current is not None and not any(current is old for old in seen):
            for kind, handler in reversed(self._rescue_handlers):
                if isinstance(current, kind):
                    handler(self, current)
                    return current
            seen.append(current)
            current = _cause(current)
        return None

    def _count_execution(self, key: str) -> int:
        counters = self.exception_executions
        if counters is None:  # job data from before per-declaration counters
            return self.executions
        counters[key] = counters.get(key, 0) + 1
        return counters[key]

    def _run_after_discard(self, error: BaseException) -> None:
        if not self.rails_version().after_discard:
            return
        last: Exception | None = None
        for callback in self._after_discard:
            try:
                callback(self, error)
            except Exception as problem:  # Rails runs them all and raises the last error
                last = problem
        if last is not None:
            raise last

    def _rand(self) -> float:
        sim = routing.active()
        if sim is None:
            msg = f"{self.job_class_name}: a retry needs an active simulator for Kernel.rand"
            raise InvalidArgument(msg)
        return _runtime.draw(sim)

    def _instrument(
        self, name: str, error: BaseException | None, wait: float | None = None
    ) -> None:
        sim = routing.active()
        if sim is None:
            return
        _runtime.settings(sim).events.append(
            _runtime.Instrumented(
                name=name,
                at=float(getattr(sim, "time", 0.0)),
                job_class=self.job_class_name,
                job_id=self.job_id,
                executions=self.executions,
                error_class=None if error is None else type(error).__qualname__,
                wait=wait,
            )
        )


class ConfiguredJob:
    """``Job.set(...)``: a job class with options for the next enqueue."""

    __slots__ = ("_job_class", "_options")

    def __init__(self, job_class: type[ActiveJob], options: dict[str, Any]) -> None:
        self._job_class = job_class
        self._options = options

    def set(self, **options: Any) -> ConfiguredJob:
        """More options; later calls win."""
        return ConfiguredJob(
            self._job_class, {**self._options, **_check_set(self._job_class, options)}
        )

    def perform_later(self, *args: Any, **kwargs: Any) -> ActiveJob | bool:
        """Enqueue with these options."""
        return self._job_class(*args, **kwargs).enqueue(**self._options)

    def perform_now(self, *args: Any, **kwargs: Any) -> Any:
        """Run at once; 7.0+ applies queue/priority/scheduled_at first, 6.1 ignores them."""
        job = self._job_class(*args, **kwargs)
        if job.rails_version().perform_now_applies_set:
            options = self._options
            if options.get("queue") is not None:
                job.queue_name = job.queue_name_from_part(options["queue"])
            if options.get("priority") is not None:
                job.priority = int(options["priority"])
        return job.perform_now()


def _check_set(job_class: type[ActiveJob], options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [key for key in options if key not in _SET_KEYS]
    if unknown:
        msg = (
            f"{job_class.__qualname__}.set({unknown[0]}=…): ActiveJob's set takes "
            f"{', '.join(_SET_KEYS)}"
        )
        raise InvalidArgument(msg)
    return dict(options)
