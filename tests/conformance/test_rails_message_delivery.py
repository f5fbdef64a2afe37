"""Rails' ``actionmailer/test/message_delivery_test.rb`` (v6.1.7), ported in part.

One test per upstream test; the id names its line. Upstream runs Rails' test adapter, and so
does this port (``settings(sim).queue_adapter = "test"``): ``assert_performed_with.inside``
performs each mail job as it is enqueued, a mail scheduled for later too.
``deliver_now!``/``deliver_later!`` are ``deliver_now_bang``/``deliver_later_bang``.
Not ported: the mailer's own ``rescue_from`` (lines 131 and 162: jobsim's mailers have no
``rescue_from`` yet) and a custom ``delivery_job`` (line 104).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import jobsim
from jobsim.active_job import MailDeliveryJob, Mailer, Message, MessageDelivery, settings
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


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).deliver_later_queue_name = "test_queue"
        settings(simulator).queue_adapter = "test"
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


@upstream(173)
def test_allows_for_keyword_arguments(case: str) -> None:
    args = ["DelayedMailer", "test_kwargs", "deliver_now", {"args": [{"argument": 1}]}]
    with assert_performed_with.inside(job=MailDeliveryJob, args=args):
        DelayedMailer.test_kwargs(argument=1).deliver_later()
    assert len(deliveries()) == 1
