"""rspec-rails' ``have_enqueued_mail`` as a :class:`JobMatcher`: mail deliveries enqueued.

``have_enqueued_mail(UserMailer, "welcome")`` expects ``ActionMailer::MailDeliveryJob`` pushes
(or pushes of a mailer's own ``delivery_job`` subclass) for that mailer and action; every chain
of :class:`JobMatcher` applies (counts, ``on_queue``, ``at``, the ``with`` block, ``assert``).
``with_args`` takes the *mail's* arguments, as rspec-rails 6.0+ reads them from the unified
delivery job (``.with(1, 2)`` checks ``args: [1, 2]``; a first dict is the params of a
parameterized mail); one argument matcher alone is matched against the job's whole
``{params:, args:}`` hash, as rspec-rails 5's ``a_hash_including(params: ..., args: ...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from jobsim import active_job, routing
from jobsim.active_job import DeliveryJob, ParameterizedDeliveryJob
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing._arguments import ArgumentMatcher, call_text, equal, short
from jobsim.testing._chain_values import is_block
from jobsim.testing._mail import delivery_job
from jobsim.testing._mail_messages import MailWording
from jobsim.testing._matchers import Evaluation, JobMatcher
from jobsim.testing._records import JobRecord, Scope

__all__ = ["MailMatcher", "have_enqueued_mail"]

#: The delivery method rspec-rails expects in the job's arguments (``MAILER_JOB_METHOD``).
MAILER_JOB_METHOD = "deliver_now"
#: The keywords of ``MailDeliveryJob#perform`` after the delivery method.
_UNIFIED_KEYS = {"args", "kwargs", "params"}


def _mailer_name(mailer: Any) -> str | None:
    if mailer is None:
        return None
    name = getattr(mailer, "mailer_name", mailer)
    if not isinstance(name, str) or not name:
        msg = f"have_enqueued_mail({short(mailer)}): pass a jobsim.active_job.Mailer or its name"
        raise InvalidArgument(msg)
    return name


def _legacy(record: JobRecord) -> bool:
    """Whether ``record`` is Rails 6.1's legacy ``DeliveryJob`` (or a subclass of it)."""
    if record.job_class in (DeliveryJob.job_class_name, ParameterizedDeliveryJob.job_class_name):
        return True
    sim = routing.active()
    found = active_job.settings(sim).classes.get(record.job_class) if sim is not None else None
    return isinstance(found, type) and issubclass(found, DeliveryJob)


def mail_arguments(job_args: Sequence[Any]) -> list[Any]:
    """The arguments of the mail action a delivery job carries: ``args:`` of the unified
    job's keyword hash; the legacy jobs' own list after the delivery method (a parameterized
    mail's params first, as rspec-rails 5 yields them)."""
    payload = job_args[3] if len(job_args) > 3 else None
    if isinstance(payload, Mapping) and "args" in payload and set(payload) <= _UNIFIED_KEYS:
        given = payload.get("args")
        return list(given) if isinstance(given, list | tuple) else []
    return list(job_args[3:])


def _same_list(expected: Sequence[Any], actual: Sequence[Any]) -> bool:
    return len(expected) == len(actual) and all(map(equal, expected, actual))


def _mail_args_match(expected: Sequence[Any], record: JobRecord) -> bool:
    job_args = record.args
    payload = job_args[3] if len(job_args) > 3 else None
    if not isinstance(payload, Mapping) or _legacy(record):
        # The legacy jobs carry the mail's arguments (a parameterized one's params first)
        # in their own list: rspec-rails compares them as they stand.
        return _same_list(expected, job_args[3:])
    if len(expected) == 1 and isinstance(expected[0], ArgumentMatcher):
        return equal(expected[0], dict(payload))  # rspec-rails 5: a_hash_including(...)
    params = payload.get("params")
    if expected and isinstance(expected[0], Mapping) and params is not None:
        same_params = equal(dict(expected[0]), dict(params))
        return same_params and _same_list(expected[1:], mail_arguments(job_args))
    return _same_list(expected, mail_arguments(job_args))


@dataclass(slots=True)
class _MailEvaluation(Evaluation):
    """An evaluation whose report leads with rspec-rails' own words."""

    rspec: str = ""

    def message(self) -> str:
        # (Evaluation's, named: a slots dataclass has no zero-argument super())
        return f"{self.rspec}\n\n{Evaluation.message(self)}"


class MailMatcher(JobMatcher):
    """Expected mail deliveries; built by :func:`have_enqueued_mail`.

    Its failure report begins with rspec-rails' message (``expected to enqueue
    TestMailer.test_email exactly 1 time but enqueued 0`` and the ``Queued deliveries:``), and
    its ``repr`` after a negated check that failed with ``expected not to enqueue ...``.
    """

    #: What rspec-rails' messages name: the mailer, the action and ``with``'s arguments.
    _mailer_text: str | None = None
    _method_text: str | None = None
    _mail_args: tuple[Any, ...] = ()

    def _wording(self) -> MailWording:
        return MailWording(
            self._mailer_text, self._method_text, self._mail_args, self._queue, self._time
        )

    def evaluate(self, scope: Scope | None = None) -> Evaluation:
        """As :meth:`JobMatcher.evaluate`; the report leads with rspec-rails' message."""
        found = super().evaluate(scope)
        unmatched = [record for record, _ in found.misses if delivery_job(record)]
        evaluation = _MailEvaluation(
            found.matcher,
            found.scope,
            found.records,
            found.matching,
            found.misses,
            found.count,
            found.passed,
            rspec=self._wording().failure(found.count, len(found.matching), unmatched),
        )
        self._last = evaluation
        return evaluation

    def __repr__(self) -> str:
        last = self._last
        if last is not None and last.passed:  # what `assert not m` shows when it fails
            negated = self._wording().negated_failure(len(last.matching))
            return f"<{self.description()}: {negated}>"
        return super().__repr__()

    def with_args(self, *args: Any, **kwargs: Any) -> Self:
        """The mail action's arguments (keywords as the last hash, as ActionMailer 6.1
        passes them), values or argument matchers; or one function, called as
        ``check(*mail_args)`` for each delivery that fits the other constraints."""
        if len(args) == 1 and not kwargs and is_block(args[0]):
            check: Callable[..., object] = args[0]

            def on_mail_args(*job_args: Any) -> object:
                return check(*mail_arguments(job_args))

            on_mail_args.__qualname__ = str(getattr(check, "__qualname__", "check"))
            return super().with_args(on_mail_args)
        expected = [*args, *([dict(kwargs)] if kwargs else [])]
        text = f"with_args({call_text(args, kwargs)})"

        def matches(record: JobRecord) -> bool:
            return _mail_args_match(expected, record)

        matcher = self.where(matches, text)
        matcher._mail_args = tuple(expected)
        return matcher


def have_enqueued_mail(
    mailer: Any = None, method: str | None = None, *, sim: Simulator | None = None
) -> MailMatcher:
    """Expect mail deliveries of ``mailer.method`` (either may be None: any) enqueued.

    ``mailer`` is a :class:`jobsim.active_job.Mailer` subclass or its name. Chain as any
    :class:`JobMatcher`; ``with_args`` takes the mail's own arguments.
    """
    name = _mailer_name(mailer)
    given: object = method
    if given is not None and (not isinstance(given, str) or not given):
        msg = f"have_enqueued_mail({name}, {short(method)}): the mail action is its name, a str"
        raise InvalidArgument(msg)
    matcher = MailMatcher("enqueued", None, sim=sim).where(delivery_job, "a mail delivery")
    if name is not None:
        matcher = matcher.where(lambda record: _field(record, 0) == name, f"mailer {name}")
    if method is not None:
        matcher = matcher.where(lambda record: _field(record, 1) == method, f"action {method}")
        matcher = matcher.where(
            lambda record: _field(record, 2) == MAILER_JOB_METHOD, "deliver_now"
        )
    shown = ", ".join(part for part in (name, repr(method) if method else None) if part)
    matcher = matcher.titled(f"have_enqueued_mail({shown})")
    matcher._mailer_text = name
    matcher._method_text = method
    return matcher


def _field(record: JobRecord, index: int) -> Any:
    return record.args[index] if len(record.args) > index else None
