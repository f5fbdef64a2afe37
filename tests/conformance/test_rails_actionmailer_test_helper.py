"""Rails' ``actionmailer/test/test_helper_test.rb`` (v6.1.7), ported.

One test per upstream test; the id names its line. ``ActionMailer::TestCase`` includes
``ActiveJob::TestHelper``, so the simulator runs Rails' test adapter
(``settings(sim).queue_adapter = "test"``). ``TestHelperMailer``, ``CustomDeliveryJob`` and
``CustomDeliveryMailer`` are re-declared; ``render(inline:)`` is a plain string. Rails' block
form is ``with helper.inside(...)``; ``silence_stream($stdout)`` has nothing to silence here.

Not applicable, with why:

- ``ActionMailer::TestCase``'s own setup and helpers, which jobsim has no counterpart for:
  line 51 (``@expected`` is a ``Mail::Message``), 57 and 61 (the mailer class inferred from the
  test class's name), 67 (``charset``), 71 (``encode``: quoted-printable), 75 (``read_fixture``)
  and 441 (``AnotherTestHelperMailerTest``: setup order of a ``tests``-declared test case).

Lines 217 and 241 set the legacy ``ActionMailer::DeliveryJob`` (Rails 6.1's framework default,
removed in 7.0) as the mailer's ``delivery_job``; jobsim's ``DeliveryJob`` is the same job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import DeliveryJob, MailDeliveryJob, Mailer, settings
from jobsim.testing import (
    assert_emails,
    assert_enqueued_email_with,
    assert_enqueued_emails,
    assert_no_emails,
    assert_no_enqueued_emails,
    deliveries,
)

UPSTREAM = "actionmailer/test/test_helper_test.rb"


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class TestHelperMailer(Mailer):
    __test__ = False  # a mailer, not a pytest test class

    def test(self) -> None:
        world = "Earth"
        self.mail(body=f"Hello, {world}", to="test@example.com", from_="tester@example.com")

    def test_args(self, recipient: str, name: str) -> None:
        self.mail(body=f"Hello, {name}", to=recipient, from_="tester@example.com")

    def test_parameter_args(self) -> None:
        body = f"All is {self.params.get('all')}"
        self.mail(body=body, to="test@example.com", from_="tester@example.com")


class CustomDeliveryJob(MailDeliveryJob, name="CustomDeliveryJob"):
    pass


class CustomDeliveryMailer(TestHelperMailer, delivery_job=CustomDeliveryJob):
    pass


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"  # ActionMailer::TestCase's
        yield simulator


def _fails(expected: int, found: int) -> Any:
    """Rails: ``/2 .* but 1/`` (minitest's "Expected: 2 / Actual: 1" for one of them)."""
    return pytest.raises(AssertionError, match=rf"(?s)Expected {expected} .*but found {found}\b")


def _fails_enqueued(expected: int, found: int) -> Any:
    wanted = "no" if expected == 0 else f"exactly {expected}"
    return pytest.raises(AssertionError, match=rf"(?s)Expected {wanted} .*but found {found}\b")


@upstream(45)
def test_setup_sets_right_action_mailer_options(case: str) -> None:
    # delivery_method :test and perform_deliveries are what jobsim always does: a delivered
    # mail is appended to the simulator's deliveries, which start empty.
    assert deliveries() == []


@upstream(79)
def test_assert_emails(case: str) -> None:
    with assert_emails.inside(1):
        TestHelperMailer.test().deliver_now()


@upstream(87)
def test_assert_emails_with_custom_delivery_job(case: str) -> None:
    with assert_emails.inside(1):
        CustomDeliveryMailer.test().deliver_later()


@upstream(97)
def test_assert_emails_with_custom_parameterized_delivery_job(case: str) -> None:
    with assert_emails.inside(1):
        CustomDeliveryMailer.with_(foo="bar").test_parameter_args().deliver_later()


@upstream(107)
def test_assert_emails_with_enqueued_emails(case: str) -> None:
    with assert_emails.inside(1):
        TestHelperMailer.test().deliver_later()


@upstream(117)
def test_repeated_assert_emails_calls(case: str) -> None:
    with assert_emails.inside(1):
        TestHelperMailer.test().deliver_now()
    with assert_emails.inside(2):
        TestHelperMailer.test().deliver_now()
        TestHelperMailer.test().deliver_now()


@upstream(132)
def test_assert_emails_with_no_block(case: str) -> None:
    TestHelperMailer.test().deliver_now()
    assert_emails(1)
    TestHelperMailer.test().deliver_now()
    TestHelperMailer.test().deliver_now()
    assert_emails(3)


@upstream(145)
def test_assert_no_emails(case: str) -> None:
    with assert_no_emails.inside():
        TestHelperMailer.test()


@upstream(153)
def test_assert_no_emails_with_enqueued_emails(case: str) -> None:
    with _fails(0, 1), assert_no_emails.inside():
        TestHelperMailer.test().deliver_later()


@upstream(165)
def test_assert_emails_too_few_sent(case: str) -> None:
    with _fails(2, 1), assert_emails.inside(2):
        TestHelperMailer.test().deliver_now()


@upstream(175)
def test_assert_emails_too_many_sent(case: str) -> None:
    with _fails(1, 2), assert_emails.inside(1):
        TestHelperMailer.test().deliver_now()
        TestHelperMailer.test().deliver_now()


@upstream(186)
def test_assert_emails_message(case: str) -> None:
    TestHelperMailer.test().deliver_now()
    with _fails(2, 1), assert_emails.inside(2):
        TestHelperMailer.test().deliver_now()


@upstream(197)
def test_assert_no_emails_failure(case: str) -> None:
    with _fails(0, 1), assert_no_emails.inside():
        TestHelperMailer.test().deliver_now()


@upstream(207)
def test_assert_enqueued_emails(case: str) -> None:
    with assert_enqueued_emails.inside(1):
        TestHelperMailer.test().deliver_later()


@upstream(217)
def test_assert_enqueued_emails_with_legacy_delivery_job(case: str) -> None:
    TestHelperMailer.delivery_job = DeliveryJob
    try:
        with assert_enqueued_emails.inside(1):
            TestHelperMailer.test().deliver_later()
    finally:
        TestHelperMailer.delivery_job = None


@upstream(231)
def test_assert_enqueued_parameterized_emails(case: str) -> None:
    with assert_enqueued_emails.inside(1):
        TestHelperMailer.with_(a=1).test().deliver_later()


@upstream(241)
def test_assert_enqueued_parameterized_emails_with_legacy_delivery_job(case: str) -> None:
    TestHelperMailer.delivery_job = DeliveryJob
    try:
        with assert_enqueued_emails.inside(1):
            # Parameterized::DeliveryJob, which no mailer names: counted as Rails counts it
            TestHelperMailer.with_(a=1).test().deliver_later()
    finally:
        TestHelperMailer.delivery_job = None


@upstream(255)
def test_assert_enqueued_emails_too_few_sent(case: str) -> None:
    with _fails_enqueued(2, 1), assert_enqueued_emails.inside(2):
        TestHelperMailer.test().deliver_later()


@upstream(267)
def test_assert_enqueued_emails_with_custom_delivery_job(case: str) -> None:
    with assert_enqueued_emails.inside(1):
        CustomDeliveryMailer.test().deliver_later()


@upstream(277)
def test_assert_enqueued_emails_too_many_sent(case: str) -> None:
    with _fails_enqueued(1, 2), assert_enqueued_emails.inside(1):
        TestHelperMailer.test().deliver_later()
        TestHelperMailer.test().deliver_later()


@upstream(290)
def test_assert_no_enqueued_emails(case: str) -> None:
    with assert_no_enqueued_emails.inside():
        TestHelperMailer.test().deliver_now()


@upstream(298)
def test_assert_no_enqueued_parameterized_emails(case: str) -> None:
    with assert_no_enqueued_emails.inside():
        TestHelperMailer.with_(a=1).test().deliver_now()


@upstream(306)
def test_assert_no_enqueued_emails_failure(case: str) -> None:
    with _fails_enqueued(0, 1), assert_no_enqueued_emails.inside():
        TestHelperMailer.test().deliver_later()


@upstream(318)
def test_assert_enqueued_email_with(case: str) -> None:
    with assert_enqueued_email_with.inside(TestHelperMailer, "test"):
        TestHelperMailer.test().deliver_later()


@pytest.mark.parametrize(
    ("line", "queue_name"),
    [(328, None), (340, "sample_mailer_queue_name"), (352, "mailers")],
    ids=[f"{UPSTREAM}:328", f"{UPSTREAM}:340", f"{UPSTREAM}:352"],
)
def test_assert_enqueued_email_with_when_deliver_later_queue_name_is(
    line: int, queue_name: str | None, sim: jobsim.Simulator
) -> None:
    # Line 352 sets a Symbol (:mailers); queue names are strings here.
    settings(sim).deliver_later_queue_name = queue_name
    with assert_enqueued_email_with.inside(TestHelperMailer, "test"):
        TestHelperMailer.test().deliver_later()


@upstream(364)
def test_assert_enqueued_email_with_when_queue_arg_is_symbol(
    case: str, sim: jobsim.Simulator
) -> None:
    settings(sim).deliver_later_queue_name = "mailers"
    with assert_enqueued_email_with.inside(TestHelperMailer, "test", queue="mailers"):
        TestHelperMailer.test().deliver_later()


@upstream(376)
def test_assert_enqueued_email_with_when_mailer_has_custom_delivery_job(case: str) -> None:
    with assert_enqueued_email_with.inside(CustomDeliveryMailer, "test"):
        CustomDeliveryMailer.test().deliver_later()


@upstream(386)
def test_assert_enqueued_email_with_with_no_block(case: str) -> None:
    TestHelperMailer.test().deliver_later()
    assert_enqueued_email_with(TestHelperMailer, "test")


@upstream(395)
def test_assert_enqueued_email_with_with_args(case: str) -> None:
    args = ["some_email", "some_name"]
    with assert_enqueued_email_with.inside(TestHelperMailer, "test_args", args=args):
        TestHelperMailer.test_args("some_email", "some_name").deliver_later()


@upstream(405)
def test_assert_enqueued_email_with_with_no_block_with_args(case: str) -> None:
    TestHelperMailer.test_args("some_email", "some_name").deliver_later()
    assert_enqueued_email_with(TestHelperMailer, "test_args", args=["some_email", "some_name"])


@upstream(414)
def test_assert_enqueued_email_with_with_parameterized_args(case: str) -> None:
    with assert_enqueued_email_with.inside(
        TestHelperMailer, "test_parameter_args", args={"all": "good"}
    ):
        TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()


@upstream(424)
def test_assert_enqueued_email_with_with_no_block_with_parameterized_args(case: str) -> None:
    TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()
    assert_enqueued_email_with(TestHelperMailer, "test_parameter_args", args={"all": "good"})
