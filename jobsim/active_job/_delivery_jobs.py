"""ActionMailer's delivery jobs (layer 4): what ``deliver_later`` enqueues, per Rails version.

* ``ActionMailer::MailDeliveryJob`` (6.0+; what ``load_defaults "6.0"`` and later select, and
  the only one from 7.0): ``(mailer, action, delivery_method, params:, args:)``.
* ``ActionMailer::DeliveryJob`` (Rails 6.1's framework default, without ``load_defaults
  "6.0"``; deprecated in 6.1, removed in 7.0): ``(mailer, action, delivery_method, *args)``,
  and ``ActionMailer::Parameterized::DeliveryJob`` for a parameterized mail:
  ``(mailer, action, delivery_method, params, *args)``. Both warn when they perform.
* Another job named as a mailer's ``delivery_job``: in 6.1 it gets the ``args:`` layout when
  its ``perform`` takes ``args`` by keyword (or ``**kwargs``), else the legacy layout with
  a deprecation warning; a parameterized mail goes to ``Parameterized::DeliveryJob`` instead.

Sources: actionmailer ``message_delivery.rb``, ``parameterized.rb``, ``delivery_job.rb`` and
``mail_delivery_job.rb`` at v6.1.7.10 and v7.0.10; compared with Debian's ActionMailer 6.1.7
in ``tests/conformance/test_actionmailer_legacy_delivery.py``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping
from typing import Any

from jobsim import routing
from jobsim.active_job import _runtime
from jobsim.active_job._base import ActiveJob
from jobsim.active_job._declarations import RailsDeprecationWarning
from jobsim.active_job._mailer import Mailer, MessageDelivery
from jobsim.active_job._serializers import Keywords, Symbol
from jobsim.errors import InvalidArgument

__all__ = [
    "DeliveryJob",
    "MailDeliveryJob",
    "ParameterizedDeliveryJob",
    "delivery_job_for",
    "enqueue_delivery",
]

#: What ``DeliveryJob``'s ``before_perform`` says in Rails 6.1.
LEGACY_JOB_DEPRECATION = (
    "Sending mail with DeliveryJob and Parameterized::DeliveryJob is deprecated and will be "
    "removed in Rails 7.0. Please use MailDeliveryJob instead."
)
#: What 6.1's ``enqueue_delivery`` says of a custom job that does not take ``args:``.
LEGACY_ARGUMENTS_DEPRECATION = (
    "In Rails 7.0, Action Mailer will pass the mail arguments inside the `:args` keyword argument."
)


def _delivery_queue(job: ActiveJob) -> Any:
    """``queue_as { ... }``: from 7.1 the mailer's own ``deliver_later_queue_name`` (the
    job's first argument names it), else the setting; None falls back to the default queue
    name, as ``queue_as nil`` does in Rails."""
    sim = routing.active()
    if sim is None:
        return None
    config = _runtime.settings(sim)
    mailer = config.mailers.get(str(job.arguments[0])) if job.arguments else None
    if mailer is not None and _since_7_1(job.rails_version().name):
        own = mailer.deliver_later_queue_name
        if own is not None:
            return own
    return config.deliver_later_queue_name


def _since_7_1(rails: str) -> bool:
    major, minor = (int(part) for part in rails.split("."))
    return (major, minor) >= (7, 1)


def _mailer(job_name: str, mailer: object) -> type[Mailer]:
    sim = routing.active()
    found = _runtime.settings(sim).mailers.get(str(mailer)) if sim is not None else None
    if found is None:
        raise InvalidArgument(f"{job_name}: no mailer named {mailer!r}")
    return found


def _deliver(job_name: str, delivery: MessageDelivery, delivery_method: object) -> None:
    if delivery_method not in ("deliver_now", "deliver_now!"):
        raise InvalidArgument(f"{job_name}: unknown delivery method {delivery_method!r}")
    delivery.deliver_now()


def _split_keywords(args: list[Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if args and isinstance(args[-1], Keywords):
        return tuple(args[:-1]), dict(args[-1])
    return tuple(args), {}


def _handle_with_mailer_class(job: ActiveJob, error: BaseException) -> None:
    """``handle_exception_with_mailer_class``: the mailer's ``rescue_from`` decides (its
    handler gets the mailer class), else the error stands. The mailer is the job's first
    argument, read by hand in case another argument could not be read back."""
    pending = job._pending_arguments
    arguments = pending if pending is not None else job.arguments
    sim = routing.active()
    config = _runtime.settings(sim) if sim is not None and arguments else None
    mailer = config.mailers.get(str(arguments[0])) if config is not None else None
    if mailer is None or not isinstance(error, Exception):
        raise error
    mailer.handle_exception(error)


class MailDeliveryJob(ActiveJob, name="ActionMailer::MailDeliveryJob", queue_as=_delivery_queue):
    """``ActionMailer::MailDeliveryJob``: builds the mail again and delivers it."""

    def perform(self, *positional: Any, **keywords: Any) -> None:
        # (mailer, mail_method, delivery_method, args:, kwargs: nil, params: nil), as Rails'.
        mailer, mail_method, delivery_method = positional
        args, kwargs = _split_keywords(list(keywords.get("args") or []))
        kwargs = {**kwargs, **(keywords.get("kwargs") or {})}
        params: Mapping[str, Any] | None = keywords.get("params")
        found = _mailer(self.job_class_name, mailer)
        delivery = MessageDelivery(found, mail_method, args, kwargs, params)
        _deliver(self.job_class_name, delivery, delivery_method)


class DeliveryJob(ActiveJob, name="ActionMailer::DeliveryJob", queue_as=_delivery_queue):
    """``ActionMailer::DeliveryJob`` (Rails 6.1 only, deprecated): the mail's arguments follow
    the delivery method in the job's own argument list."""

    def perform(self, *positional: Any, **kwargs: Any) -> None:
        # (mailer, mail_method, delivery_method, *args), as Rails' (Ruby's *args takes the
        # mail's keyword arguments too).
        mailer, mail_method, delivery_method, *args = positional
        found = _mailer(self.job_class_name, mailer)
        delivery = MessageDelivery(found, mail_method, tuple(args), kwargs, None)
        _deliver(self.job_class_name, delivery, delivery_method)


# Both jobs hand every error to the mailer (``rescue_from StandardError, with:
# :handle_exception_with_mailer_class``).
MailDeliveryJob.rescue_from(Exception, with_=_handle_with_mailer_class)
DeliveryJob.rescue_from(Exception, with_=_handle_with_mailer_class)


@DeliveryJob.before_perform
def _warn_legacy_job(job: ActiveJob) -> None:
    warnings.warn(RailsDeprecationWarning(LEGACY_JOB_DEPRECATION), stacklevel=2)


class ParameterizedDeliveryJob(DeliveryJob, name="ActionMailer::Parameterized::DeliveryJob"):
    """``ActionMailer::Parameterized::DeliveryJob`` (Rails 6.1 only, deprecated): the params
    hash comes before the mail's arguments."""

    def perform(self, *positional: Any, **kwargs: Any) -> None:
        # (mailer, mail_method, delivery_method, params, *args), as Rails'.
        mailer, mail_method, delivery_method, *args = positional
        if not args or not isinstance(args[0], Mapping):
            msg = f"{self.job_class_name}: the params hash must follow the delivery method"
            raise InvalidArgument(msg)
        params, *rest = args
        found = _mailer(self.job_class_name, mailer)
        delivery = MessageDelivery(found, mail_method, tuple(rest), kwargs, dict(params))
        _deliver(self.job_class_name, delivery, delivery_method)


def delivery_job_for(mailer: type[Mailer], sim: Any) -> type[ActiveJob]:
    """The job ``mailer``'s ``deliver_later`` enqueues: its own ``delivery_job``, else the
    simulator's ``settings(sim).delivery_job`` (None: MailDeliveryJob)."""
    chosen: object = mailer.delivery_job or _runtime.settings(sim).delivery_job or MailDeliveryJob
    where = f"{mailer.__qualname__}.deliver_later"
    if not (isinstance(chosen, type) and issubclass(chosen, ActiveJob)):
        msg = (
            f"{where}: jobsim.active_job.settings(sim).delivery_job is {chosen!r}; set an "
            f"ActiveJob class such as MailDeliveryJob or (Rails 6.1) DeliveryJob"
        )
        raise InvalidArgument(msg)
    if issubclass(chosen, DeliveryJob) and _runtime.settings(sim).rails != "6.1":
        msg = (
            f"{where}: {chosen.job_class_name} is ActionMailer::DeliveryJob, which Rails 7.0 "
            f"removed; this simulator runs Rails {_runtime.settings(sim).rails} (settings(sim)"
            f".rails): use MailDeliveryJob, or run Rails 6.1"
        )
        raise InvalidArgument(msg)
    return chosen


def _takes_args_keyword(job_class: type[ActiveJob]) -> bool:
    """Rails 6.1's ``use_new_args?``: perform takes ``args`` by keyword (required), or any
    keywords. A Python ``(*args, **kwargs)`` is Ruby's ``*args`` (which also takes the
    keywords), so ``**kwargs`` counts only without ``*args``."""
    parameters = list(inspect.signature(job_class.perform).parameters.values())
    if any(
        p.kind is p.KEYWORD_ONLY and p.name == "args" and p.default is p.empty for p in parameters
    ):
        return True
    kinds = {parameter.kind for parameter in parameters}
    return inspect.Parameter.VAR_KEYWORD in kinds and inspect.Parameter.VAR_POSITIONAL not in kinds


def enqueue_delivery(
    delivery: MessageDelivery, delivery_method: str, options: dict[str, Any]
) -> ActiveJob | bool:
    """``enqueue_delivery``: push ``delivery``'s job with the layout its Rails version uses."""
    mailer = delivery.mailer
    sim = _runtime.target(f"{mailer.__qualname__}.deliver_later")
    config = _runtime.settings(sim)
    job_class = delivery_job_for(mailer, sim)
    if mailer.deliver_later_queue_name is not None and not _since_7_1(config.rails):
        msg = (
            f"{mailer.__qualname__}.deliver_later: a mailer's own deliver_later_queue_name came "
            f"with Rails 7.1; this simulator runs Rails {config.rails}, where it is one setting "
            f"for every mailer: settings(sim).deliver_later_queue_name"
        )
        raise InvalidArgument(msg)
    config.mailers[mailer.mailer_name] = mailer
    head = (mailer.mailer_name, delivery.action, delivery_method)
    # The mail's keyword arguments ride as a last ruby2_keywords hash, as Ruby passes them.
    args = [*delivery.args, *([Keywords(delivery.kwargs)] if delivery.kwargs else [])]
    params = None
    if delivery.params is not None:  # with(user: u): a Hash with symbol keys
        params = {Symbol(key): value for key, value in delivery.params.items()}
    legacy_rails = config.rails == "6.1"
    if legacy_rails and not issubclass(job_class, MailDeliveryJob) and params is not None:
        job: ActiveJob = ParameterizedDeliveryJob(*head, params, *args)
    elif not legacy_rails or issubclass(job_class, MailDeliveryJob):
        keywords: dict[str, Any] = {} if params is None else {"params": params}
        job = job_class(*head, **keywords, args=args)
    elif _takes_args_keyword(job_class):
        job = job_class(*head, args=args)
    else:
        if not issubclass(job_class, DeliveryJob):
            message = f"{job_class.job_class_name}: {LEGACY_ARGUMENTS_DEPRECATION}"
            warnings.warn(RailsDeprecationWarning(message), stacklevel=4)
        job = job_class(*head, *args)
    enqueued: ActiveJob | bool = job.enqueue(**options)
    return enqueued
