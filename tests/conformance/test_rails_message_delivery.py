"""Rails' ``actionmailer/test/message_delivery_test.rb`` (v6.1.7), ported in part.

One test per upstream test; the id names its line. Upstream runs Rails' test adapter, and so
does this port (``settings(sim).queue_adapter = "test"``): ``assert_performed_with.inside``
performs each mail job as it is enqueued, a mail scheduled for later too.
``deliver_now!``/``deliver_later!`` are ``deliver_now_bang``/``deliver_later_bang``.
``DelayedMailer``'s ``rescue_from`` blocks are handlers declared after the class; a handler
gets the mailer (instance or class) as its first argument, Ruby's ``self`` in the block.
``test_raise("StandardError")`` raises Python's ``Exception`` (Ruby's StandardError).
Upstream's setup sets the adapter's ``perform_enqueued_jobs = true``; the tests that need the
job performed at once wrap the enqueue in ``perform_enqueued_jobs.inside()``, which does that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.active_job import (
    DeserializationError,
    GlobalID,
    MailDeliveryJob,
    Mailer,
    Message,
    MessageDelivery,
    settings,
)
from jobsim.testing import assert_performed_with, deliveries, perform_enqueued_jobs

UPSTREAM = "actionmailer/test/message_delivery_test.rb"
START = datetime(2026, 1, 1, tzinfo=UTC)
ARGS = ["DelayedMailer", "test_message", "deliver_now", {"args": [1, 2, 3]}]


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class DelayedMailer(Mailer):
    def test_message(self, *args: object) -> None:
        self.mail(
            from_="test-sender@test.com",
            to="test-receiver@test.com",
            subject="Test Subject",
            body="Test Body",
        )

    def test_kwargs(self, *, argument: int) -> None:
        self.mail(
            from_="test-sender@test.com",
            to="test-receiver@test.com",
            subject="Test Subject",
            body="Test Body",
        )

    def test_raise(self, kind: str) -> None:
        raise ERRORS[kind]("boom")


class DelayedMailerError(Exception):
    pass


ERRORS: dict[str, type[Exception]] = {
    "StandardError": Exception,
    "DelayedMailerError": DelayedMailerError,
}
#: DelayedMailer's cattr_accessors: the last error a handler took, and its ``self``.
RESCUED: dict[str, Any] = {}


@DelayedMailer.rescue_from(DelayedMailerError)
@DelayedMailer.rescue_from(DeserializationError)
def _remember(mailer: Any, error: Exception) -> None:
    RESCUED.update(last_error=error, last_rescue_from_instance=mailer)


class DummyJob(MailDeliveryJob, name="MessageDeliveryTest::DummyJob"):
    pass


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).deliver_later_queue_name = "test_queue"
        settings(simulator).queue_adapter = "test"
        RESCUED.clear()
        yield simulator


@pytest.fixture
def mail() -> MessageDelivery:
    return DelayedMailer.test_message(1, 2, 3)


@upstream(37)
def test_should_have_a_message(case: str, mail: MessageDelivery) -> None:
    assert mail.message


@upstream(41)
def test_its_message_should_be_a_message(case: str, mail: MessageDelivery) -> None:
    assert type(mail.message) is Message


@pytest.mark.parametrize(
    ("case", "method"),
    [
        (f"{UPSTREAM}:45", "deliver_later"),
        (f"{UPSTREAM}:49", "deliver_later_bang"),
        (f"{UPSTREAM}:53", "deliver_now"),
        (f"{UPSTREAM}:57", "deliver_now_bang"),
    ],
)
def test_should_respond_to(case: str, method: str, mail: MessageDelivery) -> None:
    assert callable(getattr(mail, method))


@upstream(61)
def test_should_enqueue_and_run_correctly_in_activejob(case: str, mail: MessageDelivery) -> None:
    with perform_enqueued_jobs.inside():
        mail.deliver_later_bang()
    assert len(deliveries()) == 1


@upstream(66)
def test_should_enqueue_the_email_with_deliver_now(case: str, mail: MessageDelivery) -> None:
    with assert_performed_with.inside(job=MailDeliveryJob, args=ARGS):
        mail.deliver_later()


@upstream(72)
def test_should_enqueue_the_email_with_deliver_now_bang(case: str, mail: MessageDelivery) -> None:
    args = ["DelayedMailer", "test_message", "deliver_now!", {"args": [1, 2, 3]}]
    with assert_performed_with.inside(job=MailDeliveryJob, args=args):
        mail.deliver_later_bang()


@upstream(78)
def test_should_enqueue_a_delivery_with_a_delay(case: str, mail: MessageDelivery) -> None:
    at = START + timedelta(minutes=10)
    with assert_performed_with.inside(job=MailDeliveryJob, at=at, args=ARGS):
        mail.deliver_later(wait=timedelta(minutes=10))


@upstream(86)
def test_should_enqueue_a_delivery_with_a_priority(case: str, mail: MessageDelivery) -> None:
    job = mail.deliver_later(priority=10)
    assert job.priority == 10


@upstream(91)
def test_should_enqueue_a_delivery_at_a_specific_time(case: str, mail: MessageDelivery) -> None:
    later = START + timedelta(hours=1)
    with assert_performed_with.inside(job=MailDeliveryJob, at=later, args=ARGS):
        mail.deliver_later(wait_until=later)


@upstream(98)
def test_should_enqueue_the_job_on_the_correct_queue(case: str, mail: MessageDelivery) -> None:
    with assert_performed_with.inside(job=MailDeliveryJob, args=ARGS, queue="test_queue"):
        mail.deliver_later()


@upstream(104)
def test_should_enqueue_the_job_with_the_correct_delivery_job(
    case: str, mail: MessageDelivery
) -> None:
    DelayedMailer.delivery_job = DummyJob
    try:
        with assert_performed_with.inside(job=DummyJob, args=ARGS):
            mail.deliver_later()
    finally:
        DelayedMailer.delivery_job = None


@upstream(117)
def test_can_override_the_queue_when_enqueuing_mail(case: str, mail: MessageDelivery) -> None:
    with assert_performed_with.inside(job=MailDeliveryJob, args=ARGS, queue="another_queue"):
        mail.deliver_later(queue="another_queue")


@upstream(123)
def test_deliver_later_after_accessing_the_message_is_disallowed(
    case: str, mail: MessageDelivery
) -> None:
    assert mail.message
    with pytest.raises(jobsim.InvalidArgument):
        mail.deliver_later()


@upstream(131)
def test_job_delegates_error_handling_to_mailer(case: str) -> None:
    # Superclass not rescued by the mailer's rescue_from DelayedMailerError
    message = DelayedMailer.test_raise("StandardError")
    with pytest.raises(Exception, match="boom") as raised, perform_enqueued_jobs.inside():
        message.deliver_later()
    assert type(raised.value) is Exception
    assert RESCUED == {}
    # Rescued by the mailer's rescue_from DelayedMailerError
    with perform_enqueued_jobs.inside():
        DelayedMailer.test_raise("DelayedMailerError").deliver_later()
    assert str(RESCUED["last_error"]) == "boom"
    assert isinstance(RESCUED["last_rescue_from_instance"], DelayedMailer)


class DeserializationErrorFixture:
    def __init__(self, id: int = 1) -> None:
        self.id = id

    def to_global_id(self) -> GlobalID:
        return GlobalID("foo", "DeserializationErrorFixture", self.id)


def _missing_find(id: str) -> Any:
    raise RuntimeError("boom, missing find")


@upstream(162)
def test_job_delegates_deserialization_errors_to_mailer_class(
    case: str, sim: jobsim.Simulator
) -> None:
    settings(sim).finders["DeserializationErrorFixture"] = _missing_find
    # Inject an argument that can't be deserialized.
    message = DelayedMailer.test_message(DeserializationErrorFixture())
    # DeserializationError is raised, rescued, and delegated to the handler on the mailer class.
    with perform_enqueued_jobs.inside():
        message.deliver_later()
    assert RESCUED["last_rescue_from_instance"] is DelayedMailer
    assert str(RESCUED["last_error"]) == (
        "Error while trying to deserialize arguments: boom, missing find"
    )


@upstream(173)
def test_allows_for_keyword_arguments(case: str) -> None:
    args = ["DelayedMailer", "test_kwargs", "deliver_now", {"args": [{"argument": 1}]}]
    with assert_performed_with.inside(job=MailDeliveryJob, args=args):
        DelayedMailer.test_kwargs(argument=1).deliver_later()
    assert len(deliveries()) == 1
