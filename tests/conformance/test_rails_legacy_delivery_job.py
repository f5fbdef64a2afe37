"""Rails' ``actionmailer/test/legacy_delivery_job_test.rb`` (v6.1.7), ported.

One test per upstream test; the id names its line. Rails 6.1 with Rails' test adapter
(``settings(sim).queue_adapter = "test"``) and ``deliver_later_queue_name = :test_queue``, as
upstream's setup. ``with_delivery_job`` sets the mailers' ``delivery_job`` for one test.
``assert_deprecated`` is ``pytest.warns(RailsDeprecationWarning)``; ``assert_not_deprecated``
turns that warning into an error for the block. Rails' block form is ``with helper.inside()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import (
    ActiveJob,
    DeliveryJob,
    Mailer,
    ParameterizedDeliveryJob,
    RailsDeprecationWarning,
    settings,
)
from jobsim.testing import assert_performed_with, deliveries, perform_enqueued_jobs

UPSTREAM = "actionmailer/test/legacy_delivery_job_test.rb"


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class LegacyDeliveryJob(DeliveryJob, name="LegacyDeliveryJobTest::LegacyDeliveryJob"):
    pass


class LegacyArgumentDeliveryJob(ActiveJob, name="LegacyDeliveryJobTest::LegacyArgumentJob"):
    def perform(self, mailer: str, mail_method: str, delivery_method: str, *args: Any) -> None:
        pass


class NewArgumentDeliveryJob(ActiveJob, name="LegacyDeliveryJobTest::NewArgumentDeliveryJob"):
    def perform(
        self, mailer: str, mail_method: str, delivery_method: str, *, args: list[Any]
    ) -> None:
        pass


class KeyRestArgumentJob(ActiveJob, name="LegacyDeliveryJobTest::KeyRestArgumentJob"):
    def perform(self, mailer: str, mail_method: str, delivery_method: str, **kwargs: Any) -> None:
        pass


class ParamsMailer(Mailer):
    def invitation(self) -> None:
        inviter, invitee = self.params["inviter"], self.params["invitee"]
        self.mail(
            subject="Welcome to the project!", from_=inviter, to=invitee, body=f"So says {inviter}"
        )


class DelayedMailer(Mailer):
    def test_message(self, *args: object) -> None:
        self.mail(from_="test-sender@test.com", to="test-receiver@test.com", subject="Test")


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"
        settings(simulator).deliver_later_queue_name = "test_queue"
        yield simulator


@pytest.fixture
def with_delivery_job() -> Iterator[Any]:
    def use(job: type[ActiveJob]) -> None:
        ParamsMailer.delivery_job = job
        DelayedMailer.delivery_job = job

    yield use
    ParamsMailer.delivery_job = None
    DelayedMailer.delivery_job = None


@upstream(48)
def test_should_send_parameterized_mail_correctly(case: str, with_delivery_job: Any) -> None:
    mail = ParamsMailer.with_(inviter="david@basecamp.com", invitee="jason@basecamp.com")
    delivery = mail.invitation()
    args = [
        "ParamsMailer",
        "invitation",
        "deliver_now",
        {"inviter": "david@basecamp.com", "invitee": "jason@basecamp.com"},
    ]
    with_delivery_job(LegacyDeliveryJob)
    with (
        pytest.warns(RailsDeprecationWarning, match="DeliveryJob and Parameterized::DeliveryJob"),
        assert_performed_with.inside(job=ParameterizedDeliveryJob, args=args),
    ):
        delivery.deliver_later()
    assert [mail.to for mail in deliveries()] == [("jason@basecamp.com",)]


@upstream(66)
def test_should_send_mail_correctly(case: str, with_delivery_job: Any) -> None:
    mail = DelayedMailer.test_message(1, 2, 3)
    args = ["DelayedMailer", "test_message", "deliver_now", 1, 2, 3]
    with_delivery_job(LegacyDeliveryJob)
    with (
        pytest.warns(RailsDeprecationWarning, match="Please use MailDeliveryJob instead"),
        assert_performed_with.inside(job=LegacyDeliveryJob, args=args),
    ):
        mail.deliver_later()
    assert len(deliveries()) == 1


@upstream(86)
def test_triggers_a_deprecation_warning_when_a_delivery_job_use_legacy_arguments(
    case: str, with_delivery_job: Any
) -> None:
    with_delivery_job(LegacyArgumentDeliveryJob)
    message = "Action Mailer will pass the mail arguments inside the `:args` keyword argument"
    with pytest.warns(RailsDeprecationWarning, match=message), perform_enqueued_jobs.inside():
        DelayedMailer.test_message(1, 2, 3).deliver_later()


@upstream(96)
def test_does_not_trigger_a_deprecation_warning_when_a_delivery_job_use_a_required_args_kwargs(
    case: str, with_delivery_job: Any
) -> None:
    with_delivery_job(NewArgumentDeliveryJob)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RailsDeprecationWarning)
        with perform_enqueued_jobs.inside():
            DelayedMailer.test_message(1, 2, 3).deliver_later()


@upstream(106)
def test_does_not_trigger_a_deprecation_warning_when_a_delivery_job_use_a_keyrest_argument(
    case: str, with_delivery_job: Any
) -> None:
    with_delivery_job(KeyRestArgumentJob)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RailsDeprecationWarning)
        with perform_enqueued_jobs.inside():
            DelayedMailer.test_message(1, 2, 3).deliver_later()
