"""Rails' ``actionmailer/test/message_delivery_test.rb`` at v7.1.6 and v8.0.5.1: what differs
from v6.1.7, ported.

The file reads the same at v7.1.6 and v8.0.5.1, so each example here runs under both Rails
profiles, its id naming ``file@version:line``. What changed since v6.1.7: the test's setup no
longer sets ``ActionMailer::Base.deliver_later_queue_name = :test_queue``; ``DelayedMailer``
(``test/mailers/delayed_mailer.rb``) sets its own ``deliver_later_queue_name =
:delayed_mailers``, which 7.1 made possible; so line 92 expects ``delayed_mailers``, and line
117 is new. ``ActionMailer::Base.deliver_later_queue_name`` is then Rails' framework default
``:mailers``; jobsim's default is the default queue (what ``load_defaults "6.1"`` and later
set), so the fixture sets ``"mailers"`` as the framework does.

Ported: lines 92 (``should enqueue delivery on the correct queue``) and 117 (``delivery queue
can be overridden in subclasses``).

Unchanged from v6.1.7 but for the test's name (``test_rails_message_delivery.py`` runs them):
36, 40, 44, 48, 52, 56, 60, 66, 72, 80, 85, 98, 111, 131, 139, 170, 181.

Removed since v6.1.7: its line 61 (``test_should_enqueue_and_run_correctly_in_activejob``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobsim
from jobsim.active_job import MailDeliveryJob, Mailer, settings
from jobsim.testing import assert_performed_with

UPSTREAM = "actionmailer/test/message_delivery_test.rb"
VERSIONS = {"v7.1.6": "7.1", "v8.0.5.1": "8.0"}


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        "rails", list(VERSIONS.values()), ids=[f"{UPSTREAM}@{tag}:{line}" for tag in VERSIONS]
    )


class DelayedMailer(Mailer, deliver_later_queue_name="delayed_mailers"):
    def test_message(self, *args: object) -> None:
        self.mail(
            from_="test-sender@test.com",
            to="test-receiver@test.com",
            subject="Test Subject",
            body="Test Body",
        )


@pytest.fixture
def sim(rails: str) -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = rails
        settings(simulator).queue_adapter = "test"
        settings(simulator).deliver_later_queue_name = "mailers"  # the framework default
        yield simulator


@upstream(92)
def test_should_enqueue_delivery_on_the_correct_queue(sim: jobsim.Simulator) -> None:
    args = ["DelayedMailer", "test_message", "deliver_now", {"args": [1, 2, 3]}]
    with assert_performed_with.inside(job=MailDeliveryJob, args=args, queue="delayed_mailers"):
        DelayedMailer.test_message(1, 2, 3).deliver_later()


@upstream(117)
def test_delivery_queue_can_be_overridden_in_subclasses(sim: jobsim.Simulator) -> None:
    previous_queue_name = DelayedMailer.deliver_later_queue_name
    DelayedMailer.deliver_later_queue_name = "throttled_mailers"
    try:
        assert DelayedMailer.deliver_later_queue_name == "throttled_mailers"
        assert settings(sim).deliver_later_queue_name == "mailers"  # ActionMailer::Base's
        assert Mailer.deliver_later_queue_name is None  # the subclass's stays its own
        args = ["DelayedMailer", "test_message", "deliver_now", {"args": []}]
        with assert_performed_with.inside(
            job=MailDeliveryJob, args=args, queue="throttled_mailers"
        ):
            DelayedMailer.test_message().deliver_later()
    finally:
        DelayedMailer.deliver_later_queue_name = previous_queue_name
