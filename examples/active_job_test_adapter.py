"""The seeds' welcome mail tested as a Rails test would, on Rails' test adapter.

Run it: ``python examples/active_job_test_adapter.py``. With
``settings(sim).queue_adapter = "test"`` the helpers follow ``ActiveJob::TestHelper``: the
block form of ``perform_enqueued_jobs`` performs each job as it is enqueued (the one an hour
later too), a performed job leaves ``enqueued_jobs``, and a job whose record is gone is
discarded by ``discard_on(DeserializationError)`` as in the seeds. ``have_enqueued_mail`` is
rspec-rails' matcher.
"""

from __future__ import annotations

from datetime import timedelta

import jobsim
from jobsim.active_job import ActiveJob, DeserializationError, GlobalID, Mailer, settings
from jobsim.testing import (
    assert_emails,
    assert_enqueued_jobs,
    deliveries,
    enqueued_jobs,
    have_enqueued_mail,
    perform_enqueued_jobs,
)


class User:
    def __init__(self, id: int, email: str) -> None:
        self.id = id
        self.email = email

    def to_global_id(self) -> GlobalID:
        return GlobalID("shop", "User", self.id)


USERS = {1: User(1, "ada@example.com"), 2: User(2, "bob@example.com")}


class UserMailer(Mailer, default_from="notifications@example.com"):
    def welcome_email(self, user: User) -> None:
        self.mail(to=user.email, subject="Welcome to My Awesome Site")


class WelcomeEmailJob(ActiveJob, queue_as="mailers"):
    def perform(self, user: User) -> None:
        UserMailer.welcome_email(user).deliver_now()


WelcomeEmailJob.discard_on(DeserializationError)


def main() -> None:
    sim = jobsim.Simulator(seed=5)
    settings(sim).queue_adapter = "test"
    settings(sim).finders["User"] = lambda id: USERS.get(int(id))
    with sim:
        with assert_emails.inside(2), perform_enqueued_jobs.inside():
            WelcomeEmailJob.perform_later(USERS[1])
            WelcomeEmailJob.set(wait=timedelta(hours=1)).perform_later(USERS[2])
        print(f"delivered: {[mail.to[0] for mail in deliveries()]}")
        print(f"still enqueued after the block: {len(enqueued_jobs())}")

        gone = User(3, "gone@example.com")  # never saved: its finder finds nothing
        WelcomeEmailJob.perform_later(gone)
        assert_enqueued_jobs(1)
        perform_enqueued_jobs()
        print(f"after performing: {len(enqueued_jobs())} enqueued, {len(deliveries())} delivered")
        print(f"discarded: {[(e.job_class, e.error_class) for e in settings(sim).events]}")

        with have_enqueued_mail(UserMailer, "welcome_email").with_args(USERS[1]).once():
            UserMailer.welcome_email(USERS[1]).deliver_later()
        print("have_enqueued_mail(UserMailer, 'welcome_email').with_args(user) passed")
        print(f"clock at {jobsim.clock.format_time(sim.time)}")


if __name__ == "__main__":
    main()
