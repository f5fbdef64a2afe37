"""``assert_enqueued_email_with`` as each Rails version has it, and the 7.1 mail helpers.

What the helper makes of its arguments changed between Rails versions (ActionMailer's
``test_helper.rb`` at v6.1.7, v7.0.10, v7.1.6, v7.2.3 and v8.0.5):

* ``args`` given as a Hash is the params of a parameterized mail in 6.1 and 7.0; 7.1 still
  reads it so and warns that this goes away; from 7.2 Rails compares it as a list of pairs,
  which never matches, so jobsim refuses it and says what to write instead.
* ``args`` given as a function (a Proc) is called with the mail's arguments from 7.1 on; 6.1
  and 7.0 compare it as a value, so jobsim refuses it there.
* ``params`` given as a function, and a parameterized mailer (``Mailer.with_(...)``) in place
  of the mailer, came with 7.1 too.
* ``deliver_enqueued_emails`` and ``capture_emails`` came with 7.1.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from jobsim import active_job, routing
from jobsim.active_job import (
    DeliveryJob,
    MailDeliveryJob,
    Message,
    RailsDeprecationWarning,
    Symbol,
)
from jobsim.active_job._mailer import _Parameterized as Parameterized
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing._arguments import equal
from jobsim.testing._mail import delivery_job
from jobsim.testing._perform import PerformInside, perform_enqueued_jobs
from jobsim.testing._rails_assertions import assert_enqueued_with
from jobsim.testing._records import resolve_simulator

__all__ = ["assert_enqueued_email_with", "capture_emails", "deliver_enqueued_emails"]

WHERE = "assert_enqueued_email_with"


def _version(sim: Simulator | None) -> tuple[int, int]:
    target = sim if sim is not None else routing.active()
    major, minor = active_job.settings(target).rails.split(".")
    return int(major), int(minor)


def _since(version: tuple[int, int], where: str, sim: Simulator | None) -> None:
    if _version(sim) < version:
        rails = active_job.settings(sim if sim is not None else routing.active()).rails
        msg = (
            f"{where} came with Rails {version[0]}.{version[1]}; this simulator runs Rails "
            f"{rails} (jobsim.active_job.settings(sim).rails)"
        )
        raise InvalidArgument(msg)


def _params_from_args(args: Any, params: Any, sim: Simulator | None) -> tuple[Any, Any]:
    """Rails' reading of ``args:`` given as a Hash, per version."""
    if not isinstance(args, Mapping):
        return args, params
    version = _version(sim)
    if version >= (7, 2):
        msg = (
            f"{WHERE}: args={{...}} is not the params of a parameterized mail since Rails 7.2 "
            f"(Rails compares it as a list of pairs and never matches): pass params={{...}}, or "
            f"args=[{{...}}] for one hash argument"
        )
        raise InvalidArgument(msg)
    if params is not None:
        raise InvalidArgument(f"{WHERE}: give the params as params= or args={{...}}, not both")
    if version == (7, 1):
        msg = (
            f"{WHERE}: passing a dict as args= makes it the params; Rails 7.1 deprecates this "
            f"and 7.2 removes it: pass params={{...}}, or args=[{{...}}] for one hash argument"
        )
        warnings.warn(RailsDeprecationWarning(msg), stacklevel=4)
    return None, args


def _expected(
    name: str,
    method: str,
    args: Any,
    params: Any,
    sim: Simulator | None,
) -> list[Any] | Callable[[list[Any]], bool]:
    args, params = _params_from_args(args, params, sim)
    if callable(params):
        _since((7, 1), f"{WHERE}(params=<function>)", sim)
    elif params is not None:
        params = {Symbol(key): value for key, value in params.items()}
    if not callable(args) and not callable(params):
        keywords: dict[str, Any] = {} if params is None else {"params": params}
        keywords["args"] = list(args or [])
        return [name, method, "deliver_now", keywords]
    if callable(args):
        _since((7, 1), f"{WHERE}(args=<function>)", sim)
    else:
        args = list(args or [])
    check_args: Any = args
    check_params: Any = params

    def matches(job_args: list[Any]) -> bool:
        # Rails 7.1: the head must be equal, params === job's params, args === job's args
        # (=== calls a Proc, and compares anything else by value).
        if len(job_args) != 4 or list(job_args[:3]) != [name, method, "deliver_now"]:
            return False
        payload = job_args[3]
        if not isinstance(payload, Mapping):
            return False
        given = payload.get("params")
        if callable(check_params):
            if not check_params(given):
                return False
        elif (check_params is None) != (given is None) or not equal(check_params, given):
            return False
        found = list(payload.get("args") or [])
        return bool(check_args(found)) if callable(check_args) else equal(check_args, found)

    shown = check_args if callable(check_args) else check_params
    matches.__qualname__ = str(getattr(shown, "__qualname__", "check"))
    return matches


class _AssertEnqueuedEmailWith:
    """``assert_enqueued_email_with(mailer, method, args:, params:, queue:)``."""

    __name__ = "assert_enqueued_email_with"
    __qualname__ = "assert_enqueued_email_with"

    def _fields(
        self,
        mailer: Any,
        method: str,
        args: Any,
        params: Any,
        queue: str | None,
        sim: Simulator | None,
    ) -> tuple[type[Any], Any, str]:
        if isinstance(mailer, Parameterized):  # Rails 7.1+: the mailer's params are params:
            _since((7, 1), f"{WHERE}({mailer!r}, ...): a parameterized mailer", sim)
            if params is not None:
                msg = f"{WHERE}({mailer!r}, ...): give the params in with_() or params=, not both"
                raise InvalidArgument(msg)
            mailer, params = mailer.mailer, mailer.params
        name = getattr(mailer, "mailer_name", mailer)
        if not isinstance(name, str):
            raise InvalidArgument(f"{WHERE}: {mailer!r} is not a mailer or its name")
        config = active_job.settings(sim if sim is not None else routing.active())
        job = getattr(mailer, "delivery_job", None) or config.delivery_job or MailDeliveryJob
        if isinstance(job, type) and issubclass(job, DeliveryJob):
            # Rails 6.1 looks for MailDeliveryJob's argument layout in any delivery job, so
            # with the legacy job the assertion can never pass: say so instead.
            msg = (
                f"{WHERE}({name}, {method!r}): {name} delivers through the legacy "
                f"{job.job_class_name}, whose arguments Rails' assert_enqueued_email_with never "
                f"matches (it expects MailDeliveryJob's args: layout); assert on the job: "
                f"assert_enqueued_with(job={job.__qualname__}, args=[{name!r}, {method!r}, "
                f"'deliver_now', *mail_args])"
            )
            raise InvalidArgument(msg)
        if queue is None:  # Rails: deliver_later_queue_name || the default queue name
            own = getattr(mailer, "deliver_later_queue_name", None)  # the mailer's, 7.1+
            chosen = own if own is not None and _version(sim) >= (7, 1) else None
            queue = chosen or config.deliver_later_queue_name or config.default_queue_name
        return job, _expected(name, method, args, params, sim), queue

    def __call__(
        self,
        mailer: Any,
        method: str,
        *,
        args: Sequence[Any] | Mapping[str, Any] | Callable[[list[Any]], object] | None = None,
        params: Mapping[str, Any] | Callable[[Any], object] | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> Any:
        """Assert that ``mailer.method(*args)`` (with ``params``) was enqueued for delivery.

        ``mailer`` may be a parameterized mailer (``Mailer.with_(...)``, 7.1+: its params);
        ``args`` may be a dict (the params, Rails 6.1 to 7.1) or a function of the mail's
        arguments (7.1+), ``params`` a function of the mail's params (7.1+); ``queue``
        defaults to ``deliver_later_queue_name`` or the default queue. Returns the delivery job.
        """
        __tracebackhide__ = True
        job, expected, on_queue = self._fields(mailer, method, args, params, queue, sim)
        return assert_enqueued_with(job=job, args=expected, queue=on_queue, sim=sim)

    def inside(
        self,
        mailer: Any,
        method: str,
        *,
        args: Sequence[Any] | Mapping[str, Any] | Callable[[list[Any]], object] | None = None,
        params: Mapping[str, Any] | Callable[[Any], object] | None = None,
        queue: str | None = None,
        sim: Simulator | None = None,
    ) -> Any:
        """A ``with`` block that must enqueue this mail."""
        job, expected, on_queue = self._fields(mailer, method, args, params, queue, sim)
        return assert_enqueued_with.inside(job=job, args=expected, queue=on_queue, sim=sim)

    def __repr__(self) -> str:
        return "<jobsim.testing.assert_enqueued_email_with>"


assert_enqueued_email_with = _AssertEnqueuedEmailWith()


class _DeliverEnqueuedEmails:
    """``deliver_enqueued_emails`` (Rails 7.1+): perform the mail jobs, now or in a block."""

    __name__ = "deliver_enqueued_emails"
    __qualname__ = "deliver_enqueued_emails"

    def __call__(
        self, *, queue: str | None = None, at: Any = None, sim: Simulator | None = None
    ) -> int:
        """Deliver the mails waiting as jobs (``queue``/``at`` as for perform_enqueued_jobs)."""
        _since((7, 1), "deliver_enqueued_emails()", sim)
        return perform_enqueued_jobs(only=delivery_job, queue=queue, at=at, sim=sim)

    def inside(
        self, *, queue: str | None = None, at: Any = None, sim: Simulator | None = None
    ) -> PerformInside:
        """A ``with`` block whose mail jobs are delivered."""
        _since((7, 1), "deliver_enqueued_emails.inside()", sim)
        return perform_enqueued_jobs.inside(only=delivery_job, queue=queue, at=at, sim=sim)

    def __repr__(self) -> str:
        return "<jobsim.testing.deliver_enqueued_emails>"


deliver_enqueued_emails = _DeliverEnqueuedEmails()


class _Captured:
    """``with capture_emails() as mails:``; ``mails`` holds the block's mails once it ends."""

    def __init__(self, sim: Simulator | None) -> None:
        self._sim = sim
        self._perform = perform_enqueued_jobs.inside(only=delivery_job, sim=sim)
        self._start = 0
        self.mails: list[Message] = []

    def __enter__(self) -> list[Message]:
        _since((7, 1), "capture_emails()", self._sim)
        target = resolve_simulator(self._sim, "capture_emails()")
        self._start = len(active_job.settings(target).deliveries)
        self._perform.__enter__()
        return self.mails

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._perform.__exit__(exc_type, exc, tb)
        target = resolve_simulator(self._sim, "capture_emails()")
        self.mails.extend(active_job.settings(target).deliveries[self._start :])


def capture_emails(*, sim: Simulator | None = None) -> _Captured:
    """``capture_emails`` (Rails 7.1+): ``with capture_emails() as mails:`` delivers the
    block's mail jobs and collects every mail delivered in it."""
    return _Captured(sim)
