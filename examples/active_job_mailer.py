"""The seeds' welcome mail: a WelcomeEmailJob on the mailers queue, and deliver_later.

Run it: ``python examples/active_job_mailer.py``. As in the seeds' Rails code,
``WelcomeEmailJob`` (``queue_as :mailers``) calls ``UserMailer.welcome_email(user).deliver_now``
and is enqueued now and an hour later (``set(wait: 1.hour)``); a receipt goes out with
``deliver_later``, which enqueues ``ActionMailer::MailDeliveryJob``. The user travels in the job
data as a GlobalID and is found again when each job runs.
"""

from __future__ import annotations

from datetime import timedelta

import jobsim
from jobsim.active_job import ActiveJob, GlobalID, Mailer, settings
from jobsim.testing import deliveries


class User:
    def __init__(self, id: int, email: str) -> None:
        self.id = id
        self.email = email

    def to_global_id(self) -> GlobalID:
        return GlobalID("shop", "User", self.id)


USERS = {1: User(1, "ada@example.com")}


class UserMailer(Mailer, default_from="notifications@example.com"):
    def welcome_email(self, user: User) -> None:
        self.mail(to=user.email, subject="Welcome to My Awesome Site")

    def receipt(self, user: User, cents: int) -> None:
        self.mail(to=user.email, subject=f"Your receipt: {cents / 100:.2f} EUR")


class WelcomeEmailJob(ActiveJob, queue_as="mailers", rails="7.1"):
    def perform(self, user: User) -> None:
        UserMailer.welcome_email(user).deliver_now()


def main() -> None:
    sim = jobsim.Simulator(seed=5)
    settings(sim).finders["User"] = lambda id: USERS.get(int(id))
    with sim:
        user = USERS[1]
        WelcomeEmailJob.perform_later(user)
        WelcomeEmailJob.set(wait=timedelta(hours=1)).perform_later(user)
        UserMailer.receipt(user, 1250).deliver_later()
        for name in sorted(sim.queues):
            for job in sim.queue(name).jobs:
                print(f"queue {name!r}: {job['wrapped']} {job['args'][0]['arguments']}")
        sim.drain()
        for mail in deliveries():
            print(f"delivered to {mail.to[0]}: {mail.subject!r} ({mail.mailer}.{mail.action})")
        print(f"clock at {jobsim.clock.format_time(sim.time)}")


if __name__ == "__main__":
    main()
