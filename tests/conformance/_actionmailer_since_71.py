"""What Rails 7.1 added to ``actionmailer/test/test_helper_test.rb``, for the 7.1 and 8.0 ports.

The examples below read the same at v7.1.6 and v8.0.5.1 (only their line numbers moved), so
``test_rails_actionmailer_test_helper_71.py`` and ``_80.py`` run these bodies, each under its
own Rails profile and with its own upstream line in the test id. The mailers are upstream's
``TestHelperMailer`` (7.1 gave ``test`` a subject and added ``test_named_args``),
``CustomDeliveryMailer`` and the new ``CustomQueueMailer``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import jobsim
from jobsim.active_job import MailDeliveryJob, Mailer, Message, settings
from jobsim.testing import (
    assert_emails,
    assert_enqueued_email_with,
    capture_emails,
    deliver_enqueued_emails,
)

__all__ = ["CustomDeliveryMailer", "CustomQueueMailer", "TestHelperMailer", "rails_test_case"]


class TestHelperMailer(Mailer):
    __test__ = False  # a mailer, not a pytest test class

    def test(self) -> None:
        world = "Earth"
        self.mail(
            body=f"Hello, {world}",
            subject="Hi!",
            to="test@example.com",
            from_="tester@example.com",
        )

    def test_args(self, recipient: str, name: str) -> None:
        self.mail(body=f"Hello, {name}", to=recipient, from_="tester@example.com")

    def test_named_args(self, *, recipient: str, name: str) -> None:
        self.mail(body=f"Hello, {name}", to=recipient, from_="tester@example.com")

    def test_parameter_args(self) -> None:
        body = f"All is {self.params.get('all')}"
        self.mail(body=body, to="test@example.com", from_="tester@example.com")


class CustomDeliveryJob(MailDeliveryJob, name="CustomDeliveryJob"):
    pass


class CustomDeliveryMailer(TestHelperMailer, delivery_job=CustomDeliveryJob):
    pass


class CustomQueueMailer(TestHelperMailer, deliver_later_queue_name="custom_queue"):
    pass


def rails_test_case(rails: str) -> jobsim.Simulator:
    """``ActionMailer::TestCase`` at this Rails version: its test adapter, no mail yet."""
    simulator = jobsim.Simulator(seed=1)
    settings(simulator).rails = rails
    settings(simulator).queue_adapter = "test"
    return simulator


def capture_emails_case() -> None:
    with capture_emails() as emails:
        TestHelperMailer.test().deliver_now()
    email = emails[0]
    assert type(email) is Message
    assert email.body == "Hello, Earth"
    assert email.subject == "Hi!"

    with capture_emails() as emails:
        TestHelperMailer.test().deliver_now()
        TestHelperMailer.test().deliver_now()
    assert type(emails) is list
    assert type(emails[0]) is Message
    assert type(emails[1]) is Message


def custom_deliver_later_queue_case() -> None:
    with assert_enqueued_email_with.inside(CustomQueueMailer, "test"):
        CustomQueueMailer.test().deliver_later()
    with assert_enqueued_email_with.inside(CustomQueueMailer, "test", queue="custom_queue"):
        CustomQueueMailer.test().deliver_later()


def parameterized_mailer_case() -> None:
    with assert_enqueued_email_with.inside(
        TestHelperMailer.with_(all="good"), "test_parameter_args"
    ):
        TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()


def named_args_case() -> None:
    named = [{"email": "some_email", "name": "some_name"}]
    with assert_enqueued_email_with.inside(TestHelperMailer, "test_named_args", args=named):
        TestHelperMailer.test_named_args(email="some_email", name="some_name").deliver_later()


def params_and_args_case() -> None:
    with assert_enqueued_email_with.inside(
        TestHelperMailer, "test_args", params={"all": "good"}, args=["some_email", "some_name"]
    ):
        TestHelperMailer.with_(all="good").test_args("some_email", "some_name").deliver_later()


def params_and_named_args_case() -> None:
    named = [{"email": "some_email", "name": "some_name"}]
    with assert_enqueued_email_with.inside(
        TestHelperMailer, "test_named_args", params={"all": "good"}, args=named
    ):
        TestHelperMailer.with_(all="good").test_named_args(
            email="some_email", name="some_name"
        ).deliver_later()


def params_matcher_proc_case() -> None:
    mail_params = {"all": "good"}
    TestHelperMailer.with_(**mail_params).test_parameter_args().deliver_later()
    seen: list[Any] = []

    def remember(params: Any) -> Any:
        seen.append(params)
        return params  # Ruby: the assignment's value, truthy

    assert_enqueued_email_with(TestHelperMailer, "test_parameter_args", params=remember)
    assert seen == [mail_params]
    with pytest.raises(AssertionError):
        assert_enqueued_email_with(
            TestHelperMailer, "test_parameter_args", params=lambda _params: False
        )


def args_matcher_proc_case() -> None:
    mail_args = ["some_email", "some_name"]
    TestHelperMailer.test_args(*mail_args).deliver_later()
    seen: list[Any] = []

    def remember(args: Any) -> Any:
        seen.append(args)
        return args

    assert_enqueued_email_with(TestHelperMailer, "test_args", args=remember)
    assert seen == [mail_args]
    with pytest.raises(AssertionError):
        assert_enqueued_email_with(TestHelperMailer, "test_args", args=lambda _args: False)


def named_args_matcher_proc_case() -> None:
    mail_args = [{"email": "some_email", "name": "some_name"}]
    TestHelperMailer.test_named_args(**mail_args[0]).deliver_later()
    seen: list[Any] = []

    def remember(args: Any) -> Any:
        seen.append(args)
        return args

    assert_enqueued_email_with(TestHelperMailer, "test_named_args", args=remember)
    assert seen == [mail_args]


def deliver_enqueued_emails_with_no_block_case() -> None:
    TestHelperMailer.test().deliver_later()
    deliver_enqueued_emails()
    assert_emails(1)


def deliver_enqueued_emails_with_a_block_case() -> None:
    with deliver_enqueued_emails.inside():
        TestHelperMailer.test().deliver_later()
    assert_emails(1)


def deliver_enqueued_emails_with_custom_delivery_job_case() -> None:
    with deliver_enqueued_emails.inside():
        CustomDeliveryMailer.test().deliver_later()
    assert_emails(1)


def deliver_enqueued_emails_with_custom_queue_case() -> None:
    with deliver_enqueued_emails.inside(queue=CustomQueueMailer.deliver_later_queue_name):
        TestHelperMailer.test().deliver_later()
        CustomQueueMailer.test().deliver_later()
    assert_emails(1)
    assert_enqueued_email_with(TestHelperMailer, "test")


def deliver_enqueued_emails_with_at_case(sim: jobsim.Simulator) -> None:
    with deliver_enqueued_emails.inside(at=sim.now + timedelta(hours=1)):
        TestHelperMailer.test().deliver_later()
        TestHelperMailer.test().deliver_later(wait=timedelta(hours=2))
    assert_emails(1)


def any_adapter_case(sim: jobsim.Simulator) -> None:
    # AdapterIsNotTestAdapterTest swaps in the inline adapter; jobsim's other adapter is
    # Sidekiq's (the simulation). deliver_now involves no adapter either way.
    settings(sim).queue_adapter = "sidekiq"
    with assert_emails.inside(1):
        TestHelperMailer.test().deliver_now()
