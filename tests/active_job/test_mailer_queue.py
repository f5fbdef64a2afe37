"""A mailer's own ``deliver_later_queue_name`` (Rails 7.1+) and the setting for all mailers."""

from __future__ import annotations

import pytest

import jobsim
from jobsim.active_job import Mailer, settings
from jobsim.testing import assert_enqueued_email_with


class EventsMailer(Mailer, deliver_later_queue_name="throttled_mailer"):
    def invite(self) -> None:
        self.mail(to="a@example.com")


class PlainMailer(Mailer):
    def hello(self) -> None:
        self.mail(to="a@example.com")


@pytest.mark.parametrize("rails", ["7.1", "7.2", "8.0"])
def test_a_mailers_own_queue_wins_from_rails_7_1(rails: str) -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = rails
        settings(sim).deliver_later_queue_name = "mailers"
        EventsMailer.invite().deliver_later()
        PlainMailer.hello().deliver_later()
        assert len(sim.queue("throttled_mailer")) == 1
        assert len(sim.queue("mailers")) == 1
        job = assert_enqueued_email_with(EventsMailer, "invite")  # its queue by default
        assert job.queue_name == "throttled_mailer"
        EventsMailer.invite().deliver_later(queue="urgent")  # deliver_later's queue: wins
        assert len(sim.queue("urgent")) == 1


@pytest.mark.parametrize("rails", ["6.1", "7.0"])
def test_before_rails_7_1_a_mailers_own_queue_is_refused(rails: str) -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = rails
        with pytest.raises(jobsim.InvalidArgument, match=r"came with Rails 7\.1"):
            EventsMailer.invite().deliver_later()
        assert sim.stats.enqueued == 0


def test_a_queue_name_that_is_not_a_name_is_refused() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="must be a queue name"):

        class Broken(Mailer, deliver_later_queue_name=""):
            pass
