"""Rails 6.1's legacy ``ActionMailer::DeliveryJob`` in jobsim: where it is refused, and how the
mail helpers and ``have_enqueued_mail`` read its argument layout (issue #17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import (
    ActiveJob,
    DeliveryJob,
    MailDeliveryJob,
    Mailer,
    ParameterizedDeliveryJob,
    RailsDeprecationWarning,
    settings,
)
from jobsim.testing import (
    assert_enqueued_email_with,
    assert_enqueued_emails,
    assert_enqueued_with,
    have_enqueued_mail,
)


class InviteMailer(Mailer):
    def invite(self, who: str, when: str = "now") -> None:
        self.mail(to=f"{who}@example.com", subject=f"Invite {when} {self.params.get('by', '')}")


class OwnJob(ActiveJob, name="OwnJob"):
    def perform(self, mailer: str, method: str, delivery: str, *, args: list[Any]) -> None:
        pass


class OwnJobMailer(Mailer, delivery_job=OwnJob):
    def note(self) -> None:
        self.mail(to="a@example.com")


@pytest.fixture
def legacy() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = "6.1"
        settings(sim).delivery_job = DeliveryJob
        yield sim


@pytest.mark.parametrize("rails", ["7.0", "7.1", "7.2", "8.0"])
def test_rails_7_and_later_refuse_the_legacy_job(rails: str) -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = rails
        settings(sim).delivery_job = DeliveryJob
        with pytest.raises(jobsim.InvalidArgument, match=r"DeliveryJob, which Rails 7\.0 removed"):
            InviteMailer.invite("ann").deliver_later()
        assert sim.stats.enqueued == 0


def test_a_mailer_naming_the_legacy_job_is_refused_on_rails_7_too() -> None:
    class LegacyMailer(Mailer, delivery_job=DeliveryJob):
        def hello(self) -> None:
            self.mail(to="a@example.com")

    with jobsim.Simulator(seed=1), pytest.raises(jobsim.InvalidArgument, match=r"run Rails 6\.1"):
        LegacyMailer.hello().deliver_later()


def test_a_delivery_job_setting_that_is_not_a_job_class_is_refused() -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).delivery_job = "ActionMailer::DeliveryJob"  # type: ignore[assignment]
        with pytest.raises(jobsim.InvalidArgument, match="set an ActiveJob class"):
            InviteMailer.invite("ann").deliver_later()


def test_a_mailer_delivery_job_must_be_an_active_job() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="must be an ActiveJob class"):

        class Broken(Mailer, delivery_job=dict):
            pass


def test_the_legacy_job_goes_to_the_mailers_queue_by_its_setting(legacy: jobsim.Simulator) -> None:
    settings(legacy).deliver_later_queue_name = "mailers"
    InviteMailer.invite("ann", "today").deliver_later()
    job = assert_enqueued_with(
        job=DeliveryJob, args=["InviteMailer", "invite", "deliver_now", "ann", "today"]
    )
    assert job.queue_name == "mailers"


def test_performing_the_legacy_job_warns_and_delivers(legacy: jobsim.Simulator) -> None:
    InviteMailer.with_(by="bob").invite("ann").deliver_later()
    InviteMailer.invite("cy", when="soon").deliver_later()
    with pytest.warns(RailsDeprecationWarning, match="Please use MailDeliveryJob instead"):
        legacy.drain()
    subjects = sorted(mail.subject for mail in settings(legacy).deliveries)
    assert subjects == ["Invite now bob", "Invite soon "]


def test_mail_counts_include_the_legacy_jobs_and_a_mailers_own_job(
    legacy: jobsim.Simulator,
) -> None:
    with assert_enqueued_emails.inside(3):
        InviteMailer.invite("ann").deliver_later()
        InviteMailer.with_(by="bob").invite("ann").deliver_later()
        OwnJobMailer.note().deliver_later()
    mails = [record for record in legacy.queue("default") if record["wrapped"] != "OwnJob"]
    assert [record.display_args for record in mails] == [["ann"], ["ann"]]


def test_assert_enqueued_email_with_refuses_the_legacy_job(legacy: jobsim.Simulator) -> None:
    InviteMailer.invite("ann").deliver_later()
    with pytest.raises(jobsim.InvalidArgument, match=r"assert_enqueued_with\(job=DeliveryJob"):
        assert_enqueued_email_with(InviteMailer, "invite", args=["ann"])


def test_have_enqueued_mail_reads_the_legacy_layout(legacy: jobsim.Simulator) -> None:
    seen: list[tuple[Any, ...]] = []
    with have_enqueued_mail(InviteMailer, "invite").with_args("ann", "today"):
        InviteMailer.invite("ann", "today").deliver_later()
    with have_enqueued_mail(InviteMailer, "invite").with_args({"by": "bob"}, "ann"):
        InviteMailer.with_(by="bob").invite("ann").deliver_later()
    with have_enqueued_mail(InviteMailer, "invite").with_args(lambda *a: seen.append(a)):
        InviteMailer.with_(by="bob").invite("cy").deliver_later()
    assert seen == [({"by": "bob"}, "cy")]
    assert not have_enqueued_mail(InviteMailer, "invite").with_args("ann", "later")


def test_a_parameterized_legacy_mail_is_the_parameterized_job(legacy: jobsim.Simulator) -> None:
    InviteMailer.with_(by="bob").invite("ann").deliver_later()
    record = next(iter(legacy.queue("default")))
    assert record.display_class == "InviteMailer#invite"
    assert record.display_args == ["ann"]
    assert record["wrapped"] == ParameterizedDeliveryJob.job_class_name
    assert not issubclass(ParameterizedDeliveryJob, MailDeliveryJob)
