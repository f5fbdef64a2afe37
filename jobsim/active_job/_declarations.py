"""What an ActiveJob class declares (layer 4): its class options and its error handling.

The class keyword arguments (``queue_as``, ``priority``, ``rails``, ``retry_jitter``,
``sidekiq_options``, ``name``) and the declarations made after the class body
(``rescue_from``, ``retry_on``, ``discard_on``, ``after_discard``) live on
:class:`Declarations`, the class level of :class:`~jobsim.active_job.ActiveJob`. They only
record handlers and check arguments; the job instance runs them (``_base``). Semantics:
rails/rails ``activejob/lib/active_job/exceptions.rb``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

from jobsim.active_job._callbacks import Callback, Chain, Kind, entry
from jobsim.active_job._delay import Wait, determine_delay
from jobsim.active_job._versions import RailsVersion, get_rails
from jobsim.errors import InvalidArgument, JobsimWarning
from jobsim.gem_options import check_gem_combination
from jobsim.options import validate_options


class _Handled(Protocol):
    """What a retry_on/discard_on handler uses of the ActiveJob it handles (``_base`` builds
    the job class on this module, so this module names its needs instead of importing it)."""

    retry_jitter: float

    def rails_version(self) -> RailsVersion: ...
    def _count_execution(self, key: str) -> int: ...
    def _rand(self) -> float: ...
    def retry_job(
        self,
        *,
        wait: float | timedelta | None = None,
        wait_until: Any = None,
        queue: str | None = None,
        priority: int | None = None,
        error: BaseException | None = None,
    ) -> Any: ...
    def _instrument(
        self, name: str, error: BaseException | None, wait: float | None = None
    ) -> None: ...
    def _run_after_discard(self, error: BaseException) -> None: ...


__all__ = ["Attempts", "Declarations", "Handler", "RailsDeprecationWarning"]

#: ``handler(job, error)``: a ``rescue_from`` handler, a ``retry_on``/``discard_on`` block, or
#: an ``after_discard`` callback.
Handler: TypeAlias = Callable[[Any, BaseException], Any]
Attempts: TypeAlias = int | Literal["unlimited"]
_Entry: TypeAlias = tuple[type[BaseException], Handler]


class RailsDeprecationWarning(JobsimWarning):
    """A form Rails deprecates in the version in force (``:exponentially_longer`` in 7.1)."""


def _class_name(kind: type[BaseException]) -> str:
    return kind.__qualname__


def _exceptions(where: str, exceptions: tuple[Any, ...]) -> tuple[type[BaseException], ...]:
    if not exceptions:
        raise InvalidArgument(f"{where}: name at least one exception class")
    for kind in exceptions:
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            msg = f"{where}: {kind!r} is not an exception class; pass classes such as TimeoutError"
            raise InvalidArgument(msg)
        if not issubclass(kind, Exception) and kind is not BaseException:
            # perform_now rescues StandardError (here: Exception) only, so this handler
            # could never run; Rails accepts it silently, jobsim says so where it is declared.
            msg = (
                f"{where}: {kind.__qualname__} is not an Exception subclass; perform_now only "
                f"rescues Exception (Ruby's StandardError), so this handler would never run"
            )
            raise InvalidArgument(msg)
    return exceptions


class Declarations:
    """The class level of :class:`~jobsim.active_job.ActiveJob`: the class keyword arguments
    (see ``ActiveJob``) and the error handling declared after the class body."""

    job_class_name: ClassVar[str] = "ActiveJob"
    #: The queue: a name, a callable ``(job) -> name``, or None for the simulator's
    #: ``default_queue_name``; the prefix is added when the job reads it (``queue_name``).
    queue_as: ClassVar[str | Callable[[Any], str] | None] = None
    #: ``queue_name_prefix`` / ``queue_name_delimiter`` of this class; None: the simulator's
    #: settings (Rails' ``config.active_job.queue_name_prefix``); "" turns the prefix off.
    queue_name_prefix: ClassVar[str | None] = None
    queue_name_delimiter: ClassVar[str | None] = None
    priority_default: ClassVar[int | Callable[[Any], int | None] | None] = None
    rails: ClassVar[str | None] = None
    retry_jitter: ClassVar[float] = 0.15
    sidekiq_options: ClassVar[dict[str, Any]] = {}
    _rescue_handlers: ClassVar[tuple[_Entry, ...]] = ()
    _after_discard: ClassVar[tuple[Handler, ...]] = ()
    _enqueue_callbacks: ClassVar[Chain] = ()
    _perform_callbacks: ClassVar[Chain] = ()

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        queue_as: str | Callable[[Any], str] | None = None,
        priority: int | Callable[[Any], int | None] | None = None,
        queue_name_prefix: str | None = None,
        queue_name_delimiter: str | None = None,
        rails: str | None = None,
        retry_jitter: float | None = None,
        sidekiq_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init_subclass__()
        where = f"class {cls.__qualname__}"
        given: object = name
        if given is not None and (not isinstance(given, str) or not given):
            raise InvalidArgument(f"{where}: name={name!r} must be a non-empty str")
        cls.job_class_name = name or cls.__name__
        if queue_as is not None:
            chosen: object = queue_as
            if not callable(chosen) and not isinstance(chosen, str):  # "" is a name, as in Rails
                msg = f"{where}: queue_as={queue_as!r}: pass a queue name or a callable (job)"
                raise InvalidArgument(msg)
            cls.queue_as = queue_as
        if priority is not None:
            cls.queue_with_priority(priority)
        for key, text in (
            ("queue_name_prefix", queue_name_prefix),
            ("delimiter", queue_name_delimiter),
        ):
            given_text: object = text
            if given_text is not None and not isinstance(given_text, str):
                raise InvalidArgument(f"{where}: {key}={text!r}: pass a str")
        if queue_name_prefix is not None:
            cls.queue_name_prefix = queue_name_prefix
        if queue_name_delimiter is not None:
            cls.queue_name_delimiter = queue_name_delimiter
        if rails is not None:
            cls.rails = get_rails(rails).name
        if retry_jitter is not None:
            cls.retry_jitter = _jitter_value(f"{where}: retry_jitter", retry_jitter)
        if sidekiq_options is not None:
            checked = validate_options(
                dict(sidekiq_options), where=f"{where} sidekiq_options", stacklevel=2
            )
            cls.sidekiq_options = {**cls.sidekiq_options, **checked}
            check_gem_combination(cls.sidekiq_options, where=f"{where} sidekiq_options")

    @classmethod
    def queue_with_priority(cls, priority: int | Callable[[Any], int | None] | None) -> None:
        """The priority of this class's jobs: a whole number, or a callable ``(job) -> int``
        evaluated when the job first reads its priority (Rails' block form)."""
        if priority is None or callable(priority):
            cls.priority_default = priority
            return
        cls.priority_default = _whole(f"{cls.__qualname__}.queue_with_priority", priority)

    # -- declarations --------------------------------------------------------------------

    @classmethod
    def rescue_from(cls, *exceptions: type[BaseException], with_: Handler | None = None) -> Any:
        """Handle ``exceptions`` with ``with_(job, error)``; without ``with_``, a decorator.

        The last declared matching handler wins, a subclass's over its parent's; when none
        matches, the error's cause is tried (``raise … from …`` or the implicit context).
        """
        kinds = _exceptions(f"{cls.__qualname__}.rescue_from", exceptions)

        def add(handler: Handler) -> Handler:
            if not callable(handler):
                raise InvalidArgument(
                    f"{cls.__qualname__}.rescue_from: {handler!r} is not callable"
                )
            cls._rescue_handlers = (*cls._rescue_handlers, *((kind, handler) for kind in kinds))
            return handler

        return add if with_ is None else add(with_)

    @classmethod
    def retry_on(
        cls,
        *exceptions: type[BaseException],
        wait: Wait = 3,
        attempts: Attempts = 5,
        queue: str | None = None,
        priority: int | None = None,
        jitter: float | Literal["default"] | None = "default",
        block: Handler | None = None,
    ) -> None:
        """Retry on ``exceptions``: ``attempts`` executions in all (or ``"unlimited"``).

        ``wait``: seconds, a timedelta, ``"polynomially_longer"`` (7.1+),
        ``"exponentially_longer"`` (to 7.1) or a callable ``(executions) -> seconds``;
        ``jitter`` omitted uses the class's ``retry_jitter``; ``block(job, error)`` runs when
        the attempts run out (else the error escapes to Sidekiq's retry).
        """
        where = f"{cls.__qualname__}.retry_on"
        kinds = _exceptions(where, exceptions)
        if attempts != "unlimited":
            _whole(f"{where}: attempts", attempts)
        if jitter not in ("default", None):
            _jitter_value(f"{where}: jitter", jitter)
        if wait == "exponentially_longer" and cls.rails is not None:
            state = get_rails(cls.rails).exponentially_longer
            if state == "deprecated":
                msg = (
                    f"{where}: wait='exponentially_longer' is deprecated in Rails "
                    f"{cls.rails} (removed in 7.2): use wait='polynomially_longer'"
                )
                warnings.warn(RailsDeprecationWarning(msg), stacklevel=2)
        key = "[" + ", ".join(_class_name(kind) for kind in kinds) + "]"

        def handler(job: _Handled, error: BaseException) -> None:
            version = job.rails_version()
            n = job._count_execution(key)
            if attempts == "unlimited" and not version.unlimited_attempts:
                msg = "comparison of Integer with :unlimited failed"
                raise TypeError(msg)  # Ruby's ArgumentError from `executions < :unlimited`
            if attempts == "unlimited" or n < attempts:
                j = job.retry_jitter if jitter == "default" else float(jitter or 0.0)
                delay = determine_delay(wait, n, j, version, job._rand)
                job.retry_job(wait=delay, queue=queue, priority=priority, error=error)
                return
            job._instrument("retry_stopped", error)
            if block is not None:
                block(job, error)
                job._run_after_discard(error)
                return
            job._run_after_discard(error)
            raise error

        cls._rescue_handlers = (*cls._rescue_handlers, *((kind, handler) for kind in kinds))

    @classmethod
    def discard_on(cls, *exceptions: type[BaseException], block: Handler | None = None) -> None:
        """Drop the job when one of ``exceptions`` is raised; ``block(job, error)`` first."""
        kinds = _exceptions(f"{cls.__qualname__}.discard_on", exceptions)

        def handler(job: _Handled, error: BaseException) -> None:
            job._instrument("discard", error)
            if block is not None:
                block(job, error)
            job._run_after_discard(error)

        cls._rescue_handlers = (*cls._rescue_handlers, *((kind, handler) for kind in kinds))

    @classmethod
    def after_discard(cls, callback: Handler) -> Handler:
        """Run ``callback(job, error)`` when the job is given up on (Rails 7.1+): retries
        exhausted, ``discard_on``, or an error no handler takes. Usable as a decorator."""
        if not callable(callback):
            raise InvalidArgument(f"{cls.__qualname__}.after_discard: {callback!r} is not callable")
        cls._after_discard = (*cls._after_discard, callback)
        return callback

    # -- callbacks (``_callbacks`` runs them) --------------------------------------------

    @classmethod
    def _add_callback(cls, event: str, kind: Kind, callback: Callback) -> Callback:
        where = f"{cls.__qualname__}.{kind}_{event}"
        attribute = f"_{event}_callbacks"
        chain: Chain = getattr(cls, attribute)
        setattr(cls, attribute, (*chain, entry(kind, callback, where)))
        return callback

    @classmethod
    def before_enqueue(cls, callback: Callback) -> Callback:
        """Run ``callback(job)`` before the push; raise ``Abort`` in it to cancel the enqueue
        (``perform_later`` then returns False). Usable as a decorator."""
        return cls._add_callback("enqueue", "before", callback)

    @classmethod
    def around_enqueue(cls, callback: Callback) -> Callback:
        """Run ``callback(job, block)`` around the push; ``block()`` pushes."""
        return cls._add_callback("enqueue", "around", callback)

    @classmethod
    def after_enqueue(cls, callback: Callback) -> Callback:
        """Run ``callback(job)`` after the push (``job.provider_job_id`` is the jid)."""
        return cls._add_callback("enqueue", "after", callback)

    @classmethod
    def before_perform(cls, callback: Callback) -> Callback:
        """Run ``callback(job)`` before ``perform``; raise ``Abort`` in it to skip the job."""
        return cls._add_callback("perform", "before", callback)

    @classmethod
    def around_perform(cls, callback: Callback) -> Callback:
        """Run ``callback(job, block)`` around ``perform``; ``block()`` performs."""
        return cls._add_callback("perform", "around", callback)

    @classmethod
    def after_perform(cls, callback: Callback) -> Callback:
        """Run ``callback(job)`` after ``perform`` returned (not when it raised)."""
        return cls._add_callback("perform", "after", callback)


def _whole(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"{where}={value!r}: pass a whole number >= 0")
    return value


def _jitter_value(where: str, value: Any) -> float:
    # Rails takes any number; a negative jitter shortens the waits, and jobsim follows.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgument(f"{where}={value!r}: pass a number, such as 0.15")
    return float(value)
