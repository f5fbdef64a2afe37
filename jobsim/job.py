"""Job classes (layer 2): ``jobsim.Job``, its enqueue verbs and ``@jobsim.job``.

A job class carries Sidekiq's options as class keyword arguments, checked when the class is
defined::

    class SendWelcome(jobsim.Job, queue="mailers", retry=3):
        def perform(self, user_id):
            ...

    SendWelcome.perform_async(42)
    SendWelcome.perform_in(timedelta(minutes=5), 42)
    SendWelcome.set(queue="critical").perform_async(42)

Enqueues go to the active simulator (``with sim:``); the class itself holds no state.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeAlias, overload

from jobsim import job_testing, routing, validate
from jobsim.durations import DurationSpec
from jobsim.errors import InvalidArgument
from jobsim.gem_options import check_gem_combination
from jobsim.options import (
    SET_ONLY_OPTIONS,
    Validator,
    declared_options,
    default_options,
    validate_options,
)

__all__ = ["Job", "JobSetter", "RetryIn", "When", "job"]

#: What ``retry_in`` may return: a delay (seconds or timedelta), None for Sidekiq's default,
#: or ``"kill"`` / ``"discard"`` (Sidekiq's ``:kill`` / ``:discard`` symbols, 6.5.2+).
RetryIn: TypeAlias = int | float | timedelta | str | None
#: A time to run at or a delay: seconds (>= 1,000,000,000 means an absolute epoch, as in
#: Sidekiq), a timedelta, or an aware datetime.
When: TypeAlias = int | float | timedelta | datetime


class _WaitingJobs:
    """``MyJob.jobs``: read on the class, the hashes of its jobs waiting in the active
    simulator (Sidekiq::Testing's ``jobs`` array); on ``jobsim.Job`` itself, every class's."""

    def __get__(self, instance: object, owner: type[Job]) -> job_testing.WaitingJobs:
        return job_testing.WaitingJobs(_own_name(owner))


def _own_name(cls: type[Job]) -> str | None:
    # On jobsim.Job itself the verbs reach every class, as Sidekiq::Job.jobs does.
    return None if cls is Job else cls.job_name


class Job:
    """Base class of a background job, with Sidekiq's options as class keyword arguments.

    Options: ``queue``, ``retry`` (True, False or a number), ``retry_queue``, ``dead``,
    ``backtrace`` (True, False or a number of lines), ``retry_for`` (seconds or timedelta),
    ``tags``; ``name=`` sets the class name written into payloads (default: the Python class
    name). Subclasses inherit their parent's options. The ecosystem gems' options (``lock``,
    ``on_conflict``, ``unique_for``, ``throttle``…) are checked here too; a plugin gives them
    their meaning (see :mod:`jobsim.plugins`). Options of your own middleware are accepted once
    the class names it: ``options_from=(Audit,)`` uses ``Audit.job_options``.

    Override ``perform``; optionally ``retry_in`` (Sidekiq's ``sidekiq_retry_in``) and
    ``retries_exhausted`` (``sidekiq_retries_exhausted``). A new instance runs each execution,
    with ``self.jid`` set, as Sidekiq does.
    """

    #: The options every payload of this class starts from, in Sidekiq's key order.
    sidekiq_options: ClassVar[dict[str, Any]] = default_options()
    #: The class name written into payloads (``"class"``) and looked up when a job runs.
    job_name: ClassVar[str] = "Job"
    #: Virtual seconds one execution takes: a number, a timedelta, or a draw such as
    #: ``jobsim.durations.uniform(2, 5)``. None or 0: it finishes the instant it starts.
    duration: ClassVar[DurationSpec | None] = None
    #: The middleware (or plugin) classes whose ``job_options`` this class may use, named with
    #: ``options_from=(Audit,)``; a subclass inherits its parent's.
    option_sources: ClassVar[tuple[Any, ...]] = ()
    _declared_options: ClassVar[Mapping[str, tuple[str, Validator]]] = {}

    jid: str
    _job: Mapping[str, Any]

    @property
    def job(self) -> Mapping[str, Any]:
        """The job hash this execution runs, read-only (what server middleware sees)."""
        return types.MappingProxyType(self._job)

    def __init_subclass__(
        cls, *, name: str | None = None, options_from: Iterable[Any] = (), **options: Any
    ) -> None:
        super().__init_subclass__()
        where = f"class {cls.__qualname__}"
        if isinstance(options_from, str | bytes | Mapping) or not isinstance(
            options_from, Iterable
        ):
            msg = f"{where}: options_from={options_from!r} must list middleware classes"
            raise InvalidArgument(msg)
        sources = (*cls.option_sources, *[s for s in options_from if s not in cls.option_sources])
        declared = declared_options(sources, where=where)
        checked = validate_options(options, where=where, declared=declared, stacklevel=2)
        merged = dict(cls.sidekiq_options)
        merged.update(checked)
        check_gem_combination(merged, where=where)
        cls.sidekiq_options = merged
        cls.option_sources = sources
        cls._declared_options = declared
        given: object = name
        if given is not None and (not isinstance(given, str) or not given):
            msg = f"class {cls.__qualname__}: name={name!r} must be a non-empty str"
            raise InvalidArgument(msg)
        cls.job_name = name or cls.__name__

    def perform(self, *args: Any) -> Any:
        """The work; jobsim calls it with the JSON round-tripped arguments."""
        msg = f"{type(self).__qualname__} must define perform(self, *args)"
        raise NotImplementedError(msg)

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> RetryIn:
        """Seconds until the next retry after failure number ``count`` (0-based); None: default."""
        return None

    def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> Any:
        """Called once when the job runs out of retries, before it enters the dead set."""
        return None

    # -- Sidekiq::Testing, class level ----------------------------------------------------

    #: The hashes of this class's jobs waiting in the active simulator (queues and the
    #: schedule, scheduled ones with ``"at"``), oldest push first: a live view of copies, so
    #: change the jobs with ``clear()`` or ``drain()``, not by editing a hash.
    jobs: ClassVar[_WaitingJobs] = _WaitingJobs()

    @classmethod
    def drain(cls, *, max_steps: int | None = job_testing.DRAIN_MAX_STEPS) -> int:
        """Perform this class's waiting jobs until none is left, including any they enqueue.

        Scheduled jobs run at their time: the virtual clock moves there (Sidekiq's fake
        ``drain`` ignores ``"at"``). Returns how many ran. In ``mode="fake"`` a failure
        propagates, as with ``Sidekiq::Testing.fake!``; in ``"simulate"`` it goes to the
        retry set, which ``drain`` leaves alone.
        """
        return job_testing.drain_jobs(_own_name(cls), max_steps=max_steps)

    @classmethod
    def perform_one(cls) -> str:
        """Perform the next waiting job of this class; returns its jid.

        Raises :class:`~jobsim.errors.EmptyQueueError` when none waits.
        """
        return job_testing.perform_one_job(_own_name(cls))

    @classmethod
    def clear(cls) -> int:
        """Delete this class's waiting jobs (queues and schedule); returns how many."""
        return job_testing.clear_jobs(_own_name(cls))

    # -- enqueueing ------------------------------------------------------------------------

    @classmethod
    def perform_async(cls, *args: Any) -> str | None:
        """Enqueue now; returns the jid (None if client middleware dropped the job)."""
        active = routing.targets.get()
        target = active[-1] if active else routing.current_target(cls.job_name)
        return target._enqueue_job(cls, args, _NO_OPTIONS)

    @classmethod
    def perform_in(cls, interval: When, *args: Any) -> str | None:
        """Run after ``interval``; a time not in the future enqueues now, as in Sidekiq."""
        # Sidekiq's class-level perform_in builds {"class", "args", "at"}: "class" comes
        # before "args" in the hash (unlike perform_async and set().perform_in).
        options: dict[str, Any] = {"class": cls, "wait": interval}
        return routing.current_target(cls.job_name)._enqueue_job(cls, args, options)

    @classmethod
    def perform_at(cls, when: When, *args: Any) -> str | None:
        """Run at ``when``. Sidekiq's alias of ``perform_in``: a small number is relative."""
        options: dict[str, Any] = {"class": cls, "wait": when}
        return routing.current_target(cls.job_name)._enqueue_job(cls, args, options)

    @classmethod
    def perform_bulk(
        cls, args_list: Iterable[list[Any]], *, batch_size: int = 1000
    ) -> list[str | None]:
        """Enqueue one job per argument list (Sidekiq's ``perform_bulk``); returns the jids."""
        return JobSetter(cls, {}).perform_bulk(args_list, batch_size=batch_size)

    @classmethod
    def set(cls, **options: Any) -> JobSetter:
        """Options for the next enqueue only: ``queue=``, ``retry=``, ``wait=``, ``wait_until=``…"""
        return JobSetter(cls, {})._set(options)


_NO_OPTIONS: Mapping[str, Any] = types.MappingProxyType({})


class JobSetter:
    """``Job.set(...)``: a job class with options for the next enqueue (Sidekiq's ``Setter``)."""

    __slots__ = ("_job_class", "_options")

    def __init__(self, job_class: type[Job], options: dict[str, Any]) -> None:
        self._job_class = job_class
        self._options = options

    @property
    def options(self) -> Mapping[str, Any]:
        """The options this setter adds to the class's own."""
        return types.MappingProxyType(self._options)

    def set(self, **options: Any) -> JobSetter:
        """More options; later calls win, as with chained ``set`` in Sidekiq."""
        return self._set(options)

    def _set(self, options: dict[str, Any]) -> JobSetter:
        # Called by set() and Job.set() alike, so a warning's stacklevel is the same.
        cls = self._job_class
        where = f"{cls.__qualname__}.set()"
        checked = validate_options(
            options,
            where=where,
            extra=SET_ONLY_OPTIONS,
            declared=cls._declared_options,
            stacklevel=3,
        )
        chosen = {**self._options, **checked}
        check_gem_combination({**cls.sidekiq_options, **chosen}, where=where)
        return JobSetter(cls, chosen)

    def _target(self) -> routing.EnqueueTarget:
        return routing.current_target(self._job_class.job_name)

    def perform_async(self, *args: Any) -> str | None:
        """Enqueue with these options (scheduled if ``wait``/``wait_until`` lie in the future)."""
        return self._target()._enqueue_job(self._job_class, args, self._options)

    def perform_in(self, interval: When, *args: Any) -> str | None:
        """Run after ``interval`` with these options."""
        return self._target()._enqueue_job(
            self._job_class, args, {**self._options, "wait": interval}
        )

    perform_at = perform_in

    def perform_bulk(
        self, args_list: Iterable[list[Any]], *, batch_size: int = 1000
    ) -> list[str | None]:
        """One job per argument list; returns the jids.

        A job dropped by client middleware is left out of the result (Sidekiq 6.x), or
        stands as None in its place (7.1+), per the profile.
        """
        validate.whole(batch_size, name="perform_bulk(batch_size)", low=1)
        if isinstance(args_list, str | bytes | Mapping):
            msg = "Bulk arguments must be an Array of Arrays: [[1], [2]]"
            raise InvalidArgument(f"{msg}; got {args_list!r}")
        checked: list[list[Any] | tuple[Any, ...]] = []
        for index, args in enumerate(list[object](args_list)):
            if not isinstance(args, list | tuple):
                msg = (
                    f"Bulk arguments must be an Array of Arrays: [[1], [2]]; "
                    f"item {index} is {args!r}: wrap it as [{args!r}]"
                )
                raise InvalidArgument(msg)
            checked.append(args)
        target = self._target()
        keep_dropped = target._keeps_dropped_in_bulk()
        # Sidekiq's bulk item is the options, then "class", then "args" (class first, unlike
        # perform_async); the "class" key only fixes that place in the hash.
        options: dict[str, Any] = {**self._options, "class": self._job_class}
        jids: list[str | None] = []
        for args in checked:
            jid = target._enqueue_job(self._job_class, args, options)
            if jid is not None or keep_dropped:
                jids.append(jid)
        return jids


@overload
def job(func: Callable[..., Any], /) -> type[Job]: ...
@overload
def job(
    func: None = None, /, *, name: str | None = None, **options: Any
) -> Callable[[Callable[..., Any]], type[Job]]: ...
def job(
    func: Callable[..., Any] | None = None, /, *, name: str | None = None, **options: Any
) -> type[Job] | Callable[[Callable[..., Any]], type[Job]]:
    """Turn a function into a job class: ``@jobsim.job(queue="mailers", retry=3)``.

    The result is a :class:`Job` subclass named after the function, so
    ``send_welcome.perform_async(42)`` works and payloads say ``"class": "send_welcome"``.
    """

    def wrap(function: Callable[..., Any]) -> type[Job]:
        def perform(self: Job, *args: Any) -> Any:
            return function(*args)

        def body(namespace: dict[str, Any]) -> None:
            namespace["perform"] = perform
            namespace["__doc__"] = function.__doc__
            namespace["__module__"] = function.__module__
            namespace["__wrapped__"] = function

        keywords: dict[str, Any] = {**options, "name": name or function.__name__}
        cls = types.new_class(function.__name__, (Job,), keywords, body)
        cls.__qualname__ = function.__qualname__
        return cls

    if func is not None:
        return wrap(func)
    return wrap
