"""ActionMailer 6.1's legacy delivery jobs: jobsim against Debian's ActionMailer 6.1.7.

``actionmailer_legacy_delivery.rb`` runs ActionMailer 6.1.7 on its framework defaults (no
``load_defaults``: ``ActionMailer::DeliveryJob`` on the ``mailers`` queue) with the test
adapter: a plain mail, a parameterized one scheduled for later (``Parameterized::DeliveryJob``),
keyword arguments with ``queue:``/``priority:``, ``deliver_later!``, a ``DeliveryJob`` subclass,
custom jobs whose ``perform`` takes the legacy arguments, ``args:`` by keyword or ``**kwargs``,
a parameterized mail through a custom job, and the unified job for contrast. Each case is then
performed. This module does the same with jobsim (``settings(sim).delivery_job = DeliveryJob``)
and compares, case by case: each job's class, queue, priority, arguments and schedule, the
deprecations enqueueing and performing emitted, and the mails delivered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.active_job import (
    ActiveJob,
    DeliveryJob,
    GlobalID,
    MailDeliveryJob,
    Mailer,
    RailsDeprecationWarning,
    settings,
)
from jobsim.testing import perform_enqueued_jobs

RUBY_SCRIPT = Path(__file__).resolve().parent / "actionmailer_legacy_delivery.rb"


class User:
    def __init__(self, id: int) -> None:
        self.id = id

    def to_global_id(self) -> GlobalID:
        return GlobalID("jobsim", "User", self.id)


class LegacyArgumentDeliveryJob(ActiveJob, name="LegacyArgumentDeliveryJob"):
    def perform(self, mailer: str, mail_method: str, delivery_method: str, *args: Any) -> None:
        pass


class NewArgumentDeliveryJob(ActiveJob, name="NewArgumentDeliveryJob"):
    def perform(
        self, mailer: str, mail_method: str, delivery_method: str, *, args: list[Any]
    ) -> None:
        pass


class KeyRestArgumentJob(ActiveJob, name="KeyRestArgumentJob"):
    def perform(self, mailer: str, mail_method: str, delivery_method: str, **kwargs: Any) -> None:
        pass


class LegacySubclassJob(DeliveryJob, name="LegacySubclassJob"):
    pass


class UserMailer(Mailer, default_from="notifications@example.com"):
    def welcome_email(self, user: User, plan: str = "free") -> None:
        self.mail(to=f"u{user.id}@example.com", subject=f"Welcome {plan}")

    def notice(self, user: User, *, note: str) -> None:
        by = self.params.get("by")
        self.mail(to=f"u{user.id}@example.com", subject=f"Note {note} {by.id if by else ''}")


CASES: dict[str, tuple[type[ActiveJob] | None, Callable[[], Any]]] = {
    "plain": (None, lambda: UserMailer.welcome_email(User(1), "pro").deliver_later()),
    "parameterized": (
        None,
        lambda: UserMailer.with_(by=User(2)).notice(User(3), note="x").deliver_later(wait=60),
    ),
    "keywords": (
        None,
        lambda: UserMailer.notice(User(4), note="y").deliver_later(queue="urgent", priority=5),
    ),
    "bang": (None, lambda: UserMailer.welcome_email(User(5)).deliver_later_bang()),
    "subclass": (LegacySubclassJob, lambda: UserMailer.welcome_email(User(6)).deliver_later()),
    "legacy_custom": (
        LegacyArgumentDeliveryJob,
        lambda: UserMailer.welcome_email(User(7)).deliver_later(),
    ),
    "new_args_custom": (
        NewArgumentDeliveryJob,
        lambda: UserMailer.welcome_email(User(8)).deliver_later(),
    ),
    "keyrest_custom": (
        KeyRestArgumentJob,
        lambda: UserMailer.welcome_email(User(9)).deliver_later(),
    ),
    "parameterized_custom": (
        LegacyArgumentDeliveryJob,
        lambda: UserMailer.with_(by=User(1)).welcome_email(User(10)).deliver_later(),
    ),
    "unified": (
        MailDeliveryJob,
        lambda: UserMailer.with_(by=User(1)).welcome_email(User(11)).deliver_later(),
    ),
}


@pytest.fixture(scope="module")
def ruby_cases() -> dict[str, dict[str, Any]]:
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
    found = [json.loads(line) for line in done.stdout.splitlines()]
    return {case["case"]: case for case in found}


def _warned(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(item.message) for item in caught if item.category is RailsDeprecationWarning]


def _ours(name: str) -> dict[str, Any]:
    job_class, send = CASES[name]
    with jobsim.Simulator(seed=1) as sim:
        config = settings(sim)
        config.rails = "6.1"
        config.queue_adapter = "test"
        config.delivery_job = DeliveryJob  # 6.1's framework default
        config.deliver_later_queue_name = "mailers"
        config.finders["User"] = lambda id: User(int(id))
        UserMailer.delivery_job = job_class
        try:
            with warnings.catch_warnings(record=True) as enqueue_caught:
                warnings.simplefilter("always")
                send()
            pushed = [(job, False) for queue in sim.queues for job in sim.queue(queue).jobs]
            pushed += [(entry.job, True) for entry in sim.scheduled]
            with warnings.catch_warnings(record=True) as perform_caught:
                warnings.simplefilter("always")
                perform_enqueued_jobs()
        finally:
            UserMailer.delivery_job = None
        delivered = [[list(mail.to), mail.subject] for mail in config.deliveries]
    return {
        "jobs": [
            {
                "job_class": job["args"][0]["job_class"],
                "queue": job["queue"],
                "priority": job["args"][0]["priority"],
                "arguments": job["args"][0]["arguments"],
                "scheduled": scheduled,
            }
            for job, scheduled in pushed
        ],
        "enqueue_deprecations": _warned(enqueue_caught),
        "perform_deprecations": _warned(perform_caught),
        "delivered": delivered,
    }


@pytest.mark.parametrize("name", list(CASES), ids=[f"actionmailer-6.1.7:{n}" for n in CASES])
def test_legacy_delivery_as_actionmailer_6_1(
    name: str, ruby_cases: dict[str, dict[str, Any]]
) -> None:
    ours, theirs = _ours(name), ruby_cases[name]
    assert theirs["error"] is None
    assert json.dumps(ours["jobs"]) == json.dumps(theirs["jobs"])  # key order too
    assert ours["delivered"] == theirs["delivered"]
    for key in ("enqueue_deprecations", "perform_deprecations"):
        assert len(ours[key]) == len(theirs[key]), key
        for mine, rails in zip(ours[key], theirs[key], strict=True):
            assert rails in mine
