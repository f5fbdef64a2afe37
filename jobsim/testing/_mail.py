"""ActionMailer's test helpers as functions: ``deliveries``, ``assert_emails`` and their kin.

``deliveries()`` is ``ActionMailer::Base.deliveries`` for the simulator; ``assert_emails`` counts
delivered mail and ``assert_enqueued_emails`` / ``assert_enqueued_email_with`` look at the
delivery jobs' pushes (``ActionMailer::MailDeliveryJob``, Rails 6.1's legacy ``DeliveryJob``,
their subclasses, and any mailer's own ``delivery_job``, as Rails' ``delivery_job_filter``).
The ``with`` form of ``assert_emails`` performs the mail jobs enqueued inside the block, as
Rails' block form does (as each is enqueued under the test adapter, when the block ends
otherwise).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jobsim import active_job, routing
from jobsim.active_job import DeliveryJob, MailDeliveryJob, Message
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator
from jobsim.testing._perform import PerformInside, perform_enqueued_jobs
from jobsim.testing._rails_assertions import assert_enqueued_jobs
from jobsim.testing._records import JobRecord, resolve_simulator

__all__ = [
    "assert_emails",
    "assert_enqueued_emails",
    "assert_no_emails",
    "assert_no_enqueued_emails",
    "deliveries",
    "delivery_job",
]


def deliveries(sim: Simulator | None = None) -> list[Message]:
    """Every mail delivered so far (``ActionMailer::Base.deliveries``), in order."""
    target = resolve_simulator(sim, "deliveries()")
    return list(active_job.settings(target).deliveries)


#: ActionMailer's own delivery jobs; a subclass of one, or a mailer's ``delivery_job``, counts.
_DELIVERY_JOBS = (MailDeliveryJob, DeliveryJob)


def delivery_job(record: JobRecord) -> bool:
    """Whether ``record`` is a mail delivery (Rails' ``delivery_job_filter``): a
    ``MailDeliveryJob`` or legacy ``DeliveryJob`` (or a subclass), or a mailer's own
    ``delivery_job``."""
    if record.job_class in (job.job_class_name for job in _DELIVERY_JOBS):
        return True
    sim = routing.active()
    if sim is None:
        return False
    config = active_job.settings(sim)
    found = config.classes.get(record.job_class)
    if not isinstance(found, type):
        return False
    mailer_jobs = (mailer.delivery_job for mailer in config.mailers.values())
    return issubclass(found, _DELIVERY_JOBS) or any(job is found for job in mailer_jobs)


def _check_count(n: object, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidArgument(f"{where}: pass the expected number of mails as a whole number >= 0")
    return n


def _fail(title: str, n: int, found: list[Message], scope: str) -> None:
    __tracebackhide__ = True
    listed = "".join(
        f"\n  {index}) {mail.mailer}.{mail.action} to {', '.join(mail.to)}: {mail.subject!r}"
        for index, mail in enumerate(found, 1)
    )
    ending = ":" if found else "."
    msg = f"{title}\nExpected {n} mail(s) delivered {scope}\nbut found {len(found)}{ending}{listed}"
    raise AssertionError(msg)


class _MailsInside:
    """``with assert_emails.inside(n):``: the block's mails, its mail jobs performed first."""

    def __init__(self, title: str, n: int, sim: Simulator | None) -> None:
        self._title = title
        self._n = n
        self._sim = sim
        self._perform: PerformInside = perform_enqueued_jobs.inside(only=delivery_job, sim=sim)
        self._start = 0
        self.mails: list[Message] = []

    def __enter__(self) -> _MailsInside:
        target = resolve_simulator(self._sim, self._title)
        self._start = len(active_job.settings(target).deliveries)
        self._perform.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self._perform.__exit__(exc_type, exc, tb)
        if exc_type is not None:
            return
        self.mails = deliveries(self._sim)[self._start :]
        if len(self.mails) != self._n:
            _fail(self._title, self._n, self.mails, "inside the `with` block")


class _AssertEmails:
    def __init__(self, name: str, fixed: int | None) -> None:
        self.__name__ = name
        self._fixed = fixed

    def __call__(self, n: int | None = None, *, sim: Simulator | None = None) -> list[Message]:
        """Assert that exactly ``n`` mails were delivered so far; returns them."""
        __tracebackhide__ = True
        count = _check_count(self._fixed if self._fixed is not None else n, self.__name__)
        found = deliveries(sim)
        if len(found) != count:
            _fail(
                f"{self.__name__}({'' if self._fixed is not None else count})",
                count,
                found,
                "so far",
            )
        return found

    def inside(self, n: int | None = None, *, sim: Simulator | None = None) -> _MailsInside:
        """A ``with`` block that must deliver exactly ``n`` mails (its mail jobs included)."""
        count = _check_count(self._fixed if self._fixed is not None else n, self.__name__)
        title = f"{self.__name__}({'' if self._fixed is not None else count})"
        return _MailsInside(title, count, sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


assert_emails = _AssertEmails("assert_emails", None)
assert_no_emails = _AssertEmails("assert_no_emails", 0)


class _AssertEnqueuedEmails:
    def __init__(self, name: str, fixed: int | None) -> None:
        self.__name__ = name
        self._fixed = fixed

    def _count(self, n: int | None) -> int:
        return _check_count(self._fixed if self._fixed is not None else n, self.__name__)

    def __call__(self, n: int | None = None, *, sim: Simulator | None = None) -> Any:
        """Assert that exactly ``n`` mail deliveries were enqueued so far."""
        __tracebackhide__ = True
        return assert_enqueued_jobs(self._count(n), only=delivery_job, sim=sim)

    def inside(self, n: int | None = None, *, sim: Simulator | None = None) -> Any:
        """A ``with`` block that must enqueue exactly ``n`` mail deliveries."""
        return assert_enqueued_jobs.inside(self._count(n), only=delivery_job, sim=sim)

    def __repr__(self) -> str:
        return f"<jobsim.testing.{self.__name__}>"


assert_enqueued_emails = _AssertEnqueuedEmails("assert_enqueued_emails", None)
assert_no_enqueued_emails = _AssertEnqueuedEmails("assert_no_enqueued_emails", 0)
