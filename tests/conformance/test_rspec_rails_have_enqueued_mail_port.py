"""rspec-rails' ``spec/rspec/rails/matchers/have_enqueued_mail_spec.rb`` (v5.0.2), ported.

One test per upstream example; the id names its line. ``expect { ... }.to m`` is
``with m: ...``; ``not_to`` is ``assert not m`` after the block's work (a fresh simulator per
test, so "everything so far" is the block); ``.with`` is ``.with_args`` (``with`` is a Python
keyword); a count symbol (``:once``) is its number; ``a_value_within(5.seconds).of(t)`` is
``at(t, tolerance=5)``. Upstream's spec app runs Rails 6.1 on its framework defaults, so
``TestMailer`` and ``AnotherTestMailer`` deliver through the legacy ``ActionMailer::DeliveryJob``
on the ``mailers`` queue, and here too (``settings(sim).delivery_job = DeliveryJob``);
``UnifiedMailer`` names ``MailDeliveryJob``.

Failure messages: jobsim's report leads with rspec-rails' own message, then its own
field-by-field report, so each example's ``raise_error(/.../)`` is its own regex here; for
line 288, whose ``raise_error(message)`` compares the whole message, the report's first
paragraph must equal it. Not applicable: lines 55, 61, 67 (the aliases ``have_enqueued_email``,
``enqueue_mail``, ``enqueue_email``: jobsim has the one name) and 311 (no test adapter set:
jobsim's matcher reads the simulation in either adapter mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import jobsim
from jobsim.active_job import ActiveJob, DeliveryJob, MailDeliveryJob, Mailer, settings
from jobsim.testing import dict_containing, have_enqueued_mail

UPSTREAM = "spec/rspec/rails/matchers/have_enqueued_mail_spec.rb"
START = datetime(2026, 1, 1, tzinfo=UTC)
TOMORROW_NOON = datetime(2026, 1, 2, 12, tzinfo=UTC)
TOMORROW_MIDNIGHT = datetime(2026, 1, 2, tzinfo=UTC)


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class TestMailer(Mailer):
    __test__ = False  # a mailer, not a pytest test class

    def test_email(self) -> None:
        self.mail(to="test@example.com")

    def email_with_args(self, arg1: object, arg2: object) -> None:
        self.mail(to="test@example.com")

    def email_with_optional_args(self, required_arg: object, optional_arg: object = None) -> None:
        self.mail(to="test@example.com")


class AnotherTestMailer(Mailer):
    def test_email(self) -> None:
        self.mail(to="test@example.com")


class UnifiedMailer(Mailer, delivery_job=MailDeliveryJob):
    def test_email(self) -> None:
        self.mail(to="test@example.com")

    def email_with_args(self, arg1: object, arg2: object) -> None:
        self.mail(to="test@example.com")


class DeliveryJobSubClass(DeliveryJob, name="DeliveryJobSubClass"):
    pass


class UnifiedMailerWithDeliveryJobSubClass(Mailer, delivery_job=DeliveryJobSubClass):
    def test_email(self) -> None:
        self.mail(to="test@example.com")


class NonMailerJob(ActiveJob):
    def perform(self) -> None:
        pass


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"  # upstream's before block
        settings(simulator).delivery_job = DeliveryJob  # Rails 6.1's framework default
        settings(simulator).deliver_later_queue_name = "mailers"  # likewise
        yield simulator


def _test_email_twice() -> None:
    TestMailer.test_email().deliver_later()
    TestMailer.test_email().deliver_later()


@upstream(49)
def test_passes_when_a_mailer_method_is_called_with_deliver_later(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email"):
        TestMailer.test_email().deliver_later()


@upstream(73)
def test_passes_when_negated(case: str) -> None:
    assert not have_enqueued_mail(TestMailer, "test_email")


@upstream(77)
def test_passes_when_given_0_arguments(case: str) -> None:
    with have_enqueued_mail():
        TestMailer.test_email().deliver_later()


@upstream(83)
def test_passes_when_negated_with_0_arguments(case: str) -> None:
    assert not have_enqueued_mail()


@upstream(87)
def test_passes_when_only_given_mailer_argument(case: str) -> None:
    with have_enqueued_mail(TestMailer):
        TestMailer.test_email().deliver_later()


@upstream(93)
def test_passes_when_negated_with_only_mailer_arguments(case: str) -> None:
    assert not have_enqueued_mail(TestMailer)


@upstream(97)
def test_ensure_that_the_right_mailer_is_enqueued(case: str) -> None:
    with (
        pytest.raises(
            AssertionError, match=r"expected to enqueue TestMailer exactly 1 time but enqueued 0"
        ),
        have_enqueued_mail(TestMailer),
    ):
        AnotherTestMailer.test_email().deliver_later()


@upstream(105)
def test_counts_only_emails_enqueued_in_the_block(case: str) -> None:
    TestMailer.test_email().deliver_later()
    with have_enqueued_mail(TestMailer, "test_email").once():
        TestMailer.test_email().deliver_later()


@upstream(113)
def test_fails_when_too_many_emails_are_enqueued(case: str) -> None:
    with (
        pytest.raises(
            AssertionError, match=r"expected to enqueue TestMailer.test_email exactly 1 time"
        ),
        have_enqueued_mail(TestMailer, "test_email").exactly(1),
    ):
        _test_email_twice()


@upstream(122)
def test_matches_based_on_mailer_class_and_method_name(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").once():
        TestMailer.test_email().deliver_later()
        TestMailer.email_with_args(1, 2).deliver_later()


@upstream(129)
def test_passes_with_multiple_emails(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email") & have_enqueued_mail(
        TestMailer, "email_with_args"
    ):
        TestMailer.test_email().deliver_later()
        TestMailer.email_with_args(1, 2).deliver_later()


@upstream(136)
def test_fails_when_negated_and_mail_is_enqueued(case: str) -> None:
    TestMailer.test_email().deliver_later()
    message = r"expected not to enqueue TestMailer.test_email at least 1 time but enqueued 1"
    with pytest.raises(AssertionError, match=message):
        assert not have_enqueued_mail(TestMailer, "test_email")


@pytest.mark.parametrize(
    ("line", "count", "sent"),
    [(144, "once", 1), (150, "twice", 2), (157, "thrice", 3)],
    ids=[f"{UPSTREAM}:144", f"{UPSTREAM}:150", f"{UPSTREAM}:157"],
)
def test_passes_with_named_count(line: int, count: str, sent: int) -> None:
    with getattr(have_enqueued_mail(TestMailer, "test_email"), count)():
        for _ in range(sent):
            TestMailer.test_email().deliver_later()


@upstream(165)
def test_passes_with_at_least_when_enqueued_emails_are_over_the_limit(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").at_least(1):
        TestMailer.test_email().deliver_later()
        TestMailer.test_email().deliver_later()


@upstream(172)
def test_passes_with_at_most_when_enqueued_emails_are_under_the_limit(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").at_most(2):
        TestMailer.test_email().deliver_later()


@pytest.mark.parametrize(
    ("line", "mailer", "method", "title"),
    [
        (178, None, None, "ActionMailer::Base"),
        (184, TestMailer, None, "TestMailer"),
        (190, TestMailer, "test_email", "TestMailer.test_email"),
    ],
    ids=[f"{UPSTREAM}:178", f"{UPSTREAM}:184", f"{UPSTREAM}:190"],
)
def test_generates_a_failure_message_at_least(
    line: int, mailer: object, method: str | None, title: str
) -> None:
    with (
        pytest.raises(
            AssertionError, match=rf"expected to enqueue {title} at least 1 time but enqueued 0"
        ),
        have_enqueued_mail(mailer, method).at_least(1),
    ):
        pass


@upstream(196)
def test_generates_a_failure_message_with_at_most_hint(case: str) -> None:
    with (
        pytest.raises(
            AssertionError,
            match=r"expected to enqueue TestMailer.test_email at most 1 time but enqueued 2",
        ),
        have_enqueued_mail(TestMailer, "test_email").at_most(1),
    ):
        _test_email_twice()


@upstream(205)
def test_passes_for_mailer_methods_with_arguments_when_no_argument_matcher(case: str) -> None:
    with have_enqueued_mail(TestMailer, "email_with_args"):
        TestMailer.email_with_args(1, 2).deliver_later()


@upstream(211)
def test_passes_for_mailer_methods_with_default_arguments(case: str) -> None:
    with have_enqueued_mail(TestMailer, "email_with_optional_args"):
        TestMailer.email_with_optional_args("required").deliver_later()
    with have_enqueued_mail(TestMailer, "email_with_optional_args").with_args("required"):
        TestMailer.email_with_optional_args("required").deliver_later()
    matcher = have_enqueued_mail(TestMailer, "email_with_optional_args")
    with matcher.with_args("required", "optional"):
        TestMailer.email_with_optional_args("required", "optional").deliver_later()


@upstream(225)
def test_passes_with_provided_argument_matchers(case: str) -> None:
    with have_enqueued_mail(TestMailer, "email_with_args").with_args(1, 2):
        TestMailer.email_with_args(1, 2).deliver_later()
    TestMailer.email_with_args(1, 2).deliver_later()
    assert not have_enqueued_mail(TestMailer, "email_with_args").with_args(3, 4)


@upstream(235)
def test_generates_a_failure_message(case: str) -> None:
    with (
        pytest.raises(AssertionError, match=r"expected to enqueue TestMailer.test_email"),
        have_enqueued_mail(TestMailer, "test_email"),
    ):
        pass


@upstream(241)
def test_generates_a_failure_message_with_arguments(case: str) -> None:
    with (
        pytest.raises(
            AssertionError,
            match=r"expected to enqueue TestMailer.email_with_args exactly 1 time with \[1, 2\], "
            r"but enqueued 0",
        ),
        have_enqueued_mail(TestMailer, "email_with_args").with_args(1, 2),
    ):
        pass


@upstream(247)
def test_passes_when_deliver_later_is_called_with_a_wait_until_argument(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").at(TOMORROW_NOON):
        TestMailer.test_email().deliver_later(wait_until=TOMORROW_NOON)


@upstream(255)
def test_generates_a_failure_message_with_at(case: str) -> None:
    with (
        pytest.raises(
            AssertionError,
            match=r"expected to enqueue TestMailer.test_email exactly 1 time "
            r"at 2026-01-02 12:00:00",
        ),
        have_enqueued_mail(TestMailer, "test_email").at(TOMORROW_NOON),
    ):
        TestMailer.test_email().deliver_later(wait_until=TOMORROW_NOON + timedelta(seconds=1))


@upstream(265)
def test_accepts_composable_matchers_as_an_at_date(case: str) -> None:
    future = START + timedelta(minutes=1)
    slightly_earlier = START + timedelta(seconds=58)
    with have_enqueued_mail(TestMailer, "test_email").at(future, tolerance=5):
        TestMailer.test_email().deliver_later(wait_until=slightly_earlier)


@upstream(274)
def test_passes_when_deliver_later_is_called_with_a_queue_argument(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").on_queue("urgent_mail"):
        TestMailer.test_email().deliver_later(queue="urgent_mail")


@upstream(280)
def test_generates_a_failure_message_with_on_queue(case: str) -> None:
    with (
        pytest.raises(
            AssertionError,
            match=r"expected to enqueue TestMailer.test_email exactly 1 time on queue urgent_mail",
        ),
        have_enqueued_mail(TestMailer, "test_email").on_queue("urgent_mail"),
    ):
        TestMailer.test_email().deliver_later(queue="not_urgent_mail")


@upstream(288)
def test_generates_a_failure_message_with_unmatching_enqueued_mail_jobs(case: str) -> None:
    message = (
        "expected to enqueue TestMailer.email_with_args exactly 1 time with [1, 2], but enqueued 0"
        "\nQueued deliveries:"
        "\n  TestMailer.test_email"
        "\n  TestMailer.email_with_args with [3, 4], on queue urgent_mail, "
        "at 2026-01-02 12:00:00 +0000"  # Date.tomorrow.noon, as Time#to_s writes it
    )
    with (
        pytest.raises(AssertionError) as raised,
        have_enqueued_mail(TestMailer, "email_with_args").with_args(1, 2),
    ):
        _a_job_and_two_mails()
    assert str(raised.value).split("\n\n", 1)[0] == message


def _a_job_and_two_mails() -> None:
    NonMailerJob.perform_later()
    TestMailer.test_email().deliver_later()
    TestMailer.email_with_args(3, 4).deliver_later(wait_until=TOMORROW_NOON, queue="urgent_mail")


@upstream(322)
def test_fails_with_with_block_with_incorrect_data(case: str) -> None:
    def check(first_arg: object, _second_arg: object) -> None:
        assert first_arg == "zxcv"

    with (
        pytest.raises(AssertionError, match=r"(?s)'asdf' == 'zxcv'"),
        have_enqueued_mail(TestMailer, "email_with_args").with_args(check),
    ):
        TestMailer.email_with_args("asdf", "zxcv").deliver_later()


@upstream(335)
def test_passes_multiple_arguments_to_with_block(case: str) -> None:
    def check(first_arg: object, second_arg: object) -> None:
        assert first_arg == "asdf"
        assert second_arg == "zxcv"

    with have_enqueued_mail(TestMailer, "email_with_args").with_args(check):
        TestMailer.email_with_args("asdf", "zxcv").deliver_later()


@upstream(344)
def test_only_calls_with_block_if_other_conditions_are_met(case: str) -> None:
    def check(first_arg: object, second_arg: object) -> None:
        assert first_arg == "high"
        assert second_arg == "noon"

    with have_enqueued_mail(TestMailer, "email_with_args").at(TOMORROW_NOON).with_args(check):
        TestMailer.email_with_args("high", "noon").deliver_later(wait_until=TOMORROW_NOON)
        TestMailer.email_with_args("midnight", "rider").deliver_later(wait_until=TOMORROW_MIDNIGHT)


@pytest.mark.parametrize(
    ("line", "mailer"),
    [(358, TestMailer), (383, UnifiedMailer)],
    ids=[f"{UPSTREAM}:358", f"{UPSTREAM}:383"],
)
def test_passes_when_mailer_is_parameterized(line: int, mailer: type[Mailer]) -> None:
    with have_enqueued_mail(mailer, "test_email"):
        mailer.with_(foo="bar").test_email().deliver_later()


@pytest.mark.parametrize(
    ("line", "mailer"),
    [(364, TestMailer), (389, UnifiedMailer)],
    ids=[f"{UPSTREAM}:364", f"{UPSTREAM}:389"],
)
def test_passes_when_mixing_parameterized_and_non_parameterized_emails(
    line: int, mailer: type[Mailer]
) -> None:
    both = have_enqueued_mail(mailer, "test_email") & have_enqueued_mail(mailer, "email_with_args")
    with both:
        mailer.with_(foo="bar").test_email().deliver_later()
        mailer.email_with_args(1, 2).deliver_later()  # type: ignore[attr-defined]


@upstream(371)
def test_parameterized_passes_with_provided_argument_matchers(case: str) -> None:
    with have_enqueued_mail(TestMailer, "test_email").with_args({"foo": "bar"}):
        TestMailer.with_(foo="bar").test_email().deliver_later()
    with have_enqueued_mail(TestMailer, "email_with_args").with_args({"foo": "bar"}, 1, 2):
        TestMailer.with_(foo="bar").email_with_args(1, 2).deliver_later()


@upstream(396)
def test_unified_passes_with_provided_argument_matchers(case: str) -> None:
    params_only = dict_containing(params={"foo": "bar"})
    with have_enqueued_mail(UnifiedMailer, "test_email").with_args(params_only):
        UnifiedMailer.with_(foo="bar").test_email().deliver_later()
    both = dict_containing(params={"foo": "bar"}, args=[1, 2])
    with have_enqueued_mail(UnifiedMailer, "email_with_args").with_args(both):
        UnifiedMailer.with_(foo="bar").email_with_args(1, 2).deliver_later()


@upstream(410)
def test_passes_when_using_a_mailer_with_a_delivery_job_sub_class(case: str) -> None:
    with have_enqueued_mail(UnifiedMailerWithDeliveryJobSubClass, "test_email"):
        UnifiedMailerWithDeliveryJobSubClass.test_email().deliver_later()
