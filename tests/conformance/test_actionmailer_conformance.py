"""ActionMailer deliver_later: jobsim (Rails 6.1) against Debian's ActionMailer 6.1.7.

``actionmailer_delivery.rb`` enqueues four mails with the test adapter (a plain mailer, a
parameterized one scheduled for later, ``queue:``/``priority:`` given, and the ``mailers``
queue configured); this module does the same with ``jobsim.active_job.Mailer`` and compares
each ``ActionMailer::MailDeliveryJob``'s class, queue, priority, arguments and schedule.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.active_job import GlobalID, Mailer, settings
from jobsim.testing import (
    assert_emails,
    assert_enqueued_email_with,
    assert_enqueued_emails,
    assert_no_emails,
    deliveries,
)

RUBY_SCRIPT = Path(__file__).resolve().parent / "actionmailer_delivery.rb"


class User:
    def __init__(self, id: int) -> None:
        self.id = id
        self.email = f"u{id}@example.com"

    def to_global_id(self) -> GlobalID:
        return GlobalID("jobsim", "User", self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return self.id


class UserMailer(Mailer, default_from="notifications@example.com"):
    def welcome_email(self, user: User, plan: str = "free") -> None:
        self.mail(to=user.email, subject=f"Welcome {plan}", body="hi")


@pytest.fixture(scope="module")
def ruby_jobs() -> list[dict[str, Any]]:
    ruby = shutil.which("ruby")
    if ruby is None:
        message = "conformance needs ruby: apt-get install -y ruby-actionmailer ruby-globalid"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [ruby, str(RUBY_SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{RUBY_SCRIPT.name} failed:\n{done.stderr}"
    return [json.loads(line) for line in done.stdout.splitlines()]


def _ours() -> list[dict[str, Any]]:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = "6.1"
        UserMailer.welcome_email(User(1), "pro").deliver_later()
        UserMailer.with_(user=User(2)).welcome_email(User(3)).deliver_later(wait=60)
        settings(sim).deliver_later_queue_name = "mailers"
        UserMailer.welcome_email(User(4)).deliver_later(queue="urgent", priority=5)
        UserMailer.welcome_email(User(5)).deliver_later()
        pushed = [(job, False) for name in sim.queues for job in sim.queue(name).jobs]
        pushed += [(entry.job, True) for entry in sim.scheduled]
    pushed.sort(key=lambda item: item[0]["args"][0]["arguments"][3]["args"][0]["_aj_globalid"])
    return [
        {
            "job_class": job["args"][0]["job_class"],
            "queue": job["queue"],
            "priority": job["args"][0]["priority"],
            "arguments": job["args"][0]["arguments"],
            "scheduled": scheduled,
        }
        for job, scheduled in pushed
    ]


def test_deliver_later_enqueues_as_actionmailer_6_1(ruby_jobs: list[dict[str, Any]]) -> None:
    ours = _ours()
    assert ours == ruby_jobs
    assert json.dumps(ours) == json.dumps(ruby_jobs)  # key order too


def test_mail_is_delivered_now_or_by_its_job() -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).finders["User"] = lambda id: User(int(id))
        assert_no_emails()
        UserMailer.welcome_email(User(1)).deliver_now()
        assert_emails(1)
        with assert_enqueued_emails.inside(1):
            UserMailer.with_(user=User(2)).welcome_email(User(3), "pro").deliver_later()
        assert_enqueued_email_with(
            UserMailer, "welcome_email", args=[User(3), "pro"], params={"user": User(2)}
        )
        assert_emails(1)  # the second is still a job
        with assert_emails.inside(1):
            UserMailer.welcome_email(User(4)).deliver_later()
        sim.drain()
        mails = deliveries()
    assert [(m.to, m.subject, m.from_) for m in mails] == [
        (("u1@example.com",), "Welcome free", "notifications@example.com"),
        (("u4@example.com",), "Welcome free", "notifications@example.com"),
        (("u3@example.com",), "Welcome pro", "notifications@example.com"),
    ]
    assert mails[2].params == {"user": User(2)}


def test_assert_emails_says_what_was_delivered() -> None:
    with jobsim.Simulator(seed=1):
        UserMailer.welcome_email(User(1)).deliver_now()
        with pytest.raises(AssertionError, match=r"Expected 2 mail\(s\).*\n.*found 1:\n.*u1@"):
            assert_emails(2)


def test_deliver_later_after_reading_the_message_is_refused() -> None:
    with jobsim.Simulator(seed=1):
        delivery = UserMailer.welcome_email(User(1))
        assert delivery.message is not None
        with pytest.raises(jobsim.InvalidArgument, match="accessed the message before"):
            delivery.deliver_later()
