"""ActionMailer on jobsim (layer 4): mailers, ``deliver_now`` and ``deliver_later``.

::

    class UserMailer(Mailer, default_from="notifications@example.com"):
        def welcome_email(self, user):
            self.mail(to=user.email, subject="Welcome")

    UserMailer.welcome_email(user).deliver_now()     # into settings(sim).deliveries
    UserMailer.welcome_email(user).deliver_later()   # ActionMailer::MailDeliveryJob
    UserMailer.with_(user=user).welcome_email().deliver_later(wait=60)

``deliver_later`` enqueues the mailer's delivery job (``ActionMailer::MailDeliveryJob`` unless
the mailer or ``settings(sim).delivery_job`` names another; the jobs and their argument layouts
are in ``_delivery_jobs``). The job builds the message again when it runs and delivers it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from jobsim import routing
from jobsim.active_job import _runtime
from jobsim.active_job._base import ActiveJob
from jobsim.errors import InvalidArgument, NoActiveSimulator

__all__ = ["Mailer", "Message", "MessageDelivery"]


@dataclass(frozen=True, slots=True)
class Message:
    """A built mail (``Mail::Message``): what ``deliveries`` holds."""

    to: tuple[str, ...]
    subject: str
    from_: str | None
    body: str = ""
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    mailer: str = ""
    action: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


def _addresses(value: str | list[str] | tuple[str, ...] | None, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items: list[object] = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(item, str) and len(item) > 0 for item in items):
        raise InvalidArgument(f"{where}={value!r}: pass an address or a list of addresses")
    return tuple(str(item) for item in items)


class Mailer:
    """``ActionMailer::Base``: each public method is a mail action, called on the class.

    Class keywords: ``default_from`` (``default from:``), ``name`` (the mailer's name in
    job data; default: the class name), ``delivery_job`` (``self.delivery_job =``: the
    ActiveJob class ``deliver_later`` enqueues; default: ``settings(sim).delivery_job``) and
    ``deliver_later_queue_name`` (Rails 7.1+: this mailer's queue for ``deliver_later``).
    In an action, ``self.params`` holds ``with_(...)``'s values and ``self.mail(...)``
    builds the message.
    """

    mailer_name: ClassVar[str] = "ActionMailer::Base"
    _rescue_handlers: ClassVar[tuple[tuple[type[Exception], MailHandler], ...]] = ()
    default_from: ClassVar[str | None] = None
    #: This mailer's ``deliver_later_queue_name`` (Rails 7.1+; None: the simulator's
    #: ``settings(sim).deliver_later_queue_name``).
    deliver_later_queue_name: ClassVar[str | None] = None
    #: The job ``deliver_later`` enqueues (None: ``settings(sim).delivery_job``).
    delivery_job: ClassVar[type[Any] | None] = None

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        default_from: str | None = None,
        delivery_job: object = None,
        deliver_later_queue_name: object = None,
    ) -> None:
        super().__init_subclass__()
        cls.mailer_name = name or cls.__name__
        if default_from is not None:
            cls.default_from = default_from
        if deliver_later_queue_name is not None:
            if not isinstance(deliver_later_queue_name, str) or not deliver_later_queue_name:
                msg = (
                    f"{cls.__qualname__}: deliver_later_queue_name="
                    f"{deliver_later_queue_name!r} must be a queue name (a non-empty str)"
                )
                raise InvalidArgument(msg)
            cls.deliver_later_queue_name = deliver_later_queue_name
        if delivery_job is not None:
            if not (isinstance(delivery_job, type) and issubclass(delivery_job, ActiveJob)):
                msg = (
                    f"{cls.__qualname__}: delivery_job={delivery_job!r} must be an ActiveJob "
                    f"class, such as jobsim.active_job.MailDeliveryJob or a subclass of it"
                )
                raise InvalidArgument(msg)
            cls.delivery_job = delivery_job
        for attribute, value in list(vars(cls).items()):
            if not attribute.startswith("_") and callable(value) and not isinstance(value, type):
                setattr(cls, attribute, _Action(attribute, value))

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = dict(params or {})
        self.message: Message | None = None
        self._action = ""

    def mail(
        self,
        *,
        to: str | list[str] | tuple[str, ...],
        subject: str = "",
        from_: str | None = None,
        body: str = "",
        cc: str | list[str] | None = None,
        bcc: str | list[str] | None = None,
    ) -> Message:
        """Build this action's message (``mail(to:, subject:, …)``)."""
        where = f"{type(self).__qualname__}.{self._action or 'mail'}"
        self.message = Message(
            to=_addresses(to, f"{where}: to"),
            subject=str(subject),
            from_=from_ if from_ is not None else self.default_from,
            body=str(body),
            cc=_addresses(cc, f"{where}: cc"),
            bcc=_addresses(bcc, f"{where}: bcc"),
            mailer=self.mailer_name,
            action=self._action,
            params=dict(self.params),
        )
        return self.message

    @classmethod
    def with_(cls, **params: Any) -> _Parameterized:
        """``UserMailer.with(user: u)``: actions whose ``self.params`` are ``params``."""
        return _Parameterized(cls, params)

    @classmethod
    def rescue_from(cls, *exceptions: type[Exception], with_: MailHandler | None = None) -> Any:
        """``rescue_from``: handle ``exceptions`` with ``with_(mailer, error)``; without
        ``with_``, a decorator. ``mailer`` is the mailer instance for an error its action
        raised, or the mailer class for one its delivery job hands over (an argument that
        cannot be read back, say). The last declared matching handler wins."""
        where = f"{cls.__qualname__}.rescue_from"
        given: tuple[object, ...] = exceptions
        if not given or not all(
            isinstance(kind, type) and issubclass(kind, Exception) for kind in given
        ):
            msg = f"{where}{exceptions!r}: name exception classes (Exception subclasses)"
            raise InvalidArgument(msg)

        def add(handler: MailHandler) -> MailHandler:
            if not callable(handler):
                raise InvalidArgument(f"{where}: {handler!r} is not callable")
            added = tuple((kind, handler) for kind in exceptions)
            cls._rescue_handlers = (*cls._rescue_handlers, *added)
            return handler

        return add if with_ is None else add(with_)

    @classmethod
    def handle_exception(cls, error: Exception) -> None:
        """``handle_exception``: the class's handler for ``error``, or ``error`` raised again
        (what the delivery jobs call for an error they cannot handle themselves)."""
        if not _rescue(cls, cls, error):
            raise error


#: A mailer's ``rescue_from`` handler: ``handler(mailer instance or class, error)``.
MailHandler = Callable[[Any, Exception], object]


def _rescue(mailer: type[Mailer], receiver: object, error: Exception) -> bool:
    """Run ``mailer``'s last declared handler that matches ``error``; whether one did."""
    for kind, handler in reversed(mailer._rescue_handlers):
        if isinstance(error, kind):
            handler(receiver, error)
            return True
    return False


class _Action:
    """A mailer method: on the class it returns a :class:`MessageDelivery`; on an instance
    it is the plain method."""

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self._name = name
        self._function = function
        self.__doc__ = function.__doc__

    def __get__(self, instance: Any, owner: type[Mailer]) -> Callable[..., Any]:
        if instance is not None:
            return functools.partial(self._function, instance)

        def deliver(*args: Any, **kwargs: Any) -> MessageDelivery:
            return MessageDelivery(owner, self._name, args, kwargs, None)

        return deliver


class _Parameterized:
    """``Mailer.with_(**params)`` (``ActionMailer::Parameterized::Mailer``)."""

    def __init__(self, mailer: type[Mailer], params: dict[str, Any]) -> None:
        self._mailer = mailer
        self._params = params

    @property
    def mailer(self) -> type[Mailer]:
        """The mailer class the params go to."""
        return self._mailer

    @property
    def params(self) -> dict[str, Any]:
        """The params given to ``with_``."""
        return dict(self._params)

    def __repr__(self) -> str:
        given = ", ".join(f"{key}={value!r}" for key, value in self._params.items())
        return f"{self._mailer.__qualname__}.with_({given})"

    def __getattr__(self, action: str) -> Callable[..., MessageDelivery]:
        # An action a mailer inherits is its parent's (wrapped where the parent was declared).
        inherited = (klass.__dict__.get(action) for klass in self._mailer.__mro__)
        if not any(isinstance(found, _Action) for found in inherited):
            raise AttributeError(f"{self._mailer.__qualname__} has no mail action {action!r}")

        def deliver(*args: Any, **kwargs: Any) -> MessageDelivery:
            return MessageDelivery(self._mailer, action, args, kwargs, self._params)

        return deliver


class MessageDelivery:
    """``ActionMailer::MessageDelivery``: a mail not built yet, to deliver now or later."""

    def __init__(
        self,
        mailer: type[Mailer],
        action: str,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        params: Mapping[str, Any] | None,
    ) -> None:
        self.mailer = mailer
        self.action = action
        self.args = args
        self.kwargs = dict(kwargs)
        self.params = params
        self._built: Mailer | None = None

    @property
    def message(self) -> Message | None:
        """The message (building it runs the action; then ``deliver_later`` is refused)."""
        if self._built is None:
            instance = self.mailer(self.params)
            instance._action = self.action
            try:
                getattr(instance, self.action)(*self.args, **self.kwargs)
            except Exception as error:  # ActionMailer's handle_exceptions around the action
                if not _rescue(self.mailer, instance, error):
                    raise
            self._built = instance
        return self._built.message

    def deliver_now_bang(self) -> Message | None:
        """``deliver_now!``: as :meth:`deliver_now` (the simulator has no delivery checks)."""
        return self.deliver_now()

    def deliver_now(self) -> Message | None:
        """Build and deliver now: append to the simulator's deliveries (None: no mail built)."""
        message = self.message
        sim = routing.active()
        if sim is None:
            msg = f"{self.mailer.__qualname__}.{self.action}: deliver_now needs an active simulator"
            raise NoActiveSimulator(msg)
        if message is not None:
            _runtime.settings(sim).deliveries.append(message)
        return message

    def deliver_later_bang(
        self,
        *,
        wait: float | timedelta | None = None,
        wait_until: Any = None,
        queue: str | None = None,
        priority: int | None = None,
    ) -> ActiveJob | bool:
        """``deliver_later!``: the job delivers with ``deliver_now!``."""
        options = {"wait": wait, "wait_until": wait_until, "queue": queue, "priority": priority}
        return self._enqueue("deliver_now!", options)

    def deliver_later(
        self,
        *,
        wait: float | timedelta | None = None,
        wait_until: Any = None,
        queue: str | None = None,
        priority: int | None = None,
    ) -> ActiveJob | bool:
        """Enqueue ``ActionMailer::MailDeliveryJob`` for this mail; returns the job."""
        options = {"wait": wait, "wait_until": wait_until, "queue": queue, "priority": priority}
        return self._enqueue("deliver_now", options)

    def _enqueue(self, delivery_method: str, options: dict[str, Any]) -> ActiveJob | bool:
        if self._built is not None:
            msg = (
                f"{self.mailer.__qualname__}.{self.action}: You've accessed the message before "
                f"asking to deliver it later; only the mailer method's arguments go with the "
                f"delivery job, so call deliver_later without reading .message first"
            )
            raise InvalidArgument(msg)
        # Imported here: the delivery jobs build a MessageDelivery when they run.
        from jobsim.active_job._delivery_jobs import enqueue_delivery

        return enqueue_delivery(self, delivery_method, options)
