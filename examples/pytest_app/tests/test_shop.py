"""The shop's own tests: every jobsim.testing assertion, on the `jobsim` fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shop

import jobsim
from jobsim.testing import (
    ANY,
    assert_batch_succeeded,
    assert_emails,
    assert_enqueued_email_with,
    assert_enqueued_emails,
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_job_options,
    assert_max_concurrency,
    assert_no_emails,
    assert_no_enqueued_emails,
    assert_no_enqueued_jobs,
    assert_no_performed_jobs,
    assert_performed_jobs,
    assert_performed_with,
    assert_processed_in,
    assert_retryable,
    assert_saves_backtrace,
    assert_starts_per_window,
    assert_unique,
    dict_containing,
    enqueued_jobs,
    have_batch,
    have_been_throttled,
    have_enqueued_job,
    have_enqueued_mail,
    have_enqueued_sidekiq_job,
    have_job,
    have_performed_job,
    instance_of,
    list_containing,
    perform_enqueued_jobs,
    performed_jobs,
    predicate,
    regex,
)


def test_sign_up_sends_a_welcome_mail_and_schedules_a_reminder(jobsim: jobsim.Simulator) -> None:
    shop.sign_up("ada@example.com", plan="pro")
    assert (
        have_enqueued_job(shop.SendWelcome)
        .with_args("ada@example.com", "pro")
        .on_queue("mailers")
        .immediately()
        .once()
    )
    assert (
        have_enqueued_job(shop.RemindCart)
        .with_args(regex(r"@example\.com$"))
        .in_(timedelta(days=1))
    )
    assert have_enqueued_job(shop.RemindCart).at(jobsim.now + timedelta(hours=24))
    assert_enqueued_jobs(2)
    assert_enqueued_jobs(1, only=shop.SendWelcome)
    assert_enqueued_jobs(1, except_=shop.SendWelcome, queue="mailers")
    assert_no_enqueued_jobs(only=shop.ChargeOrder)
    job = assert_enqueued_with(job=shop.SendWelcome, args=["ada@example.com", "pro"])
    assert job.queue == "mailers"


def test_the_with_form_counts_only_the_block(jobsim: jobsim.Simulator) -> None:
    shop.sign_up("first@example.com")
    with have_enqueued_job(shop.SendWelcome).with_args(email=ANY, plan="free").once():
        shop.sign_up("second@example.com")
    with have_enqueued_job(shop.ChargeOrder).never():
        shop.sign_up("third@example.com")
    with assert_enqueued_jobs.inside(1, only=shop.ChargeOrder):
        shop.place_order(7, 1999)
    assert [job.job_class for job in enqueued_jobs()][-1] == "ChargeOrder"


def test_a_charge_and_its_receipt(jobsim: jobsim.Simulator) -> None:
    shop.place_order(7, 1999)
    assert have_enqueued_job(shop.ChargeOrder).with_args(7, instance_of(int)).and_no_other_jobs()
    assert perform_enqueued_jobs() == 1
    assert have_performed_job(shop.ChargeOrder).succeeded().once()
    assert have_enqueued_job(shop.SendReceipt).with_args(7)  # the charge enqueued it
    assert_performed_jobs(1)
    perform_enqueued_jobs(only=shop.SendReceipt)
    assert_performed_with(job=shop.SendReceipt, args=[7])
    assert shop.outbox == ["receipt for order 7"]


def test_performing_inside_a_block(jobsim: jobsim.Simulator) -> None:
    shop.sign_up("early@example.com")  # enqueued before the block: not performed
    with perform_enqueued_jobs.inside(except_=shop.RemindCart):
        shop.place_order(8, 500)
    assert shop.outbox == ["receipt for order 8"]
    with assert_performed_jobs.inside(1, only=shop.SendWelcome):
        shop.sign_up("late@example.com")
    assert_no_performed_jobs(only=shop.RemindCart)
    assert [job.args[0] for job in performed_jobs()] == [8, 8, "late@example.com"]


def test_a_charge_retries_while_the_provider_is_down(jobsim: jobsim.Simulator) -> None:
    shop.provider_down_until.append(jobsim.now + timedelta(minutes=2))
    shop.place_order(9, 4200)
    jobsim.drain()  # virtual time moves through the retries; datetime.now() moves with it
    assert have_performed_job(shop.ChargeOrder).failed(shop.ProviderDown).at_least(2)
    assert have_performed_job(shop.ChargeOrder).succeeded().once()
    assert have_enqueued_job(shop.ChargeOrder).once()  # retries are not new enqueues
    assert have_performed_job(shop.SendReceipt).with_args(9)
    assert have_enqueued_sidekiq_job(shop.ChargeOrder, 9, 4200).on("payments")
    assert have_job(shop.ChargeOrder).never().matches(jobsim.retries)  # it succeeded in the end
    (_, charged_at) = shop.charges[0]
    assert datetime.fromisoformat(charged_at) >= datetime.now(UTC) - timedelta(seconds=1)
    assert jobsim.now > shop.provider_down_until[0]


@pytest.mark.jobsim(seed=3, start=datetime(2026, 12, 24, 18, 0, tzinfo=UTC))
def test_the_marker_sets_the_scene(jobsim: jobsim.Simulator) -> None:
    shop.sign_up("late@example.com")
    assert datetime.now(UTC) == datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert have_enqueued_job(shop.RemindCart).at(datetime(2026, 12, 25, 18, 0, tzinfo=UTC))


def test_argument_matchers(jobsim: jobsim.Simulator) -> None:
    shop.SendWelcome.perform_async({"email": "x@example.com", "tags": ["vip", "new"]})
    assert have_enqueued_job(shop.SendWelcome).with_args(
        dict_containing(email=regex("^x@"), tags=list_containing("new")),
    )
    assert have_enqueued_job(shop.SendWelcome).with_args(predicate(lambda arg: "email" in arg))


def test_job_options() -> None:
    assert_retryable(shop.ChargeOrder, 5)
    assert_retryable(shop.RemindCart, False)
    assert_processed_in(shop.ChargeOrder, "payments")
    assert_saves_backtrace(shop.ChargeOrder, 20)
    assert_job_options(shop.SendWelcome, queue="mailers", retry=3)
    assert_unique(shop.RebuildSearchIndex, lock="until_executed", ttl=600)


def test_shipping_mails_the_customer(jobsim: jobsim.Simulator) -> None:
    assert_no_enqueued_emails()
    with assert_enqueued_emails.inside(1):
        shop.ship(7, "ada@example.com")
    assert_enqueued_email_with(shop.OrderMailer, "shipped", args=["ada@example.com", 7])
    assert_no_emails()
    with assert_emails.inside(1):
        shop.ship(8, "bob@example.com")  # the block performs its mail jobs when it ends
    jobsim.drain()
    assert_emails(2)
    with have_enqueued_mail(shop.OrderMailer, "shipped").with_args("cy@example.com", 9).once():
        shop.ship(9, "cy@example.com")


@pytest.mark.jobsim(plugins=["batches"])
def test_welcome_mails_go_out_as_one_batch(jobsim: jobsim.Simulator) -> None:
    from jobsim.batches import Batch

    batch = Batch(description="welcome wave")
    with batch.jobs():
        for email in ("ada@example.com", "bob@example.com"):
            shop.sign_up(email)
    jobsim.drain()
    assert have_batch("welcome wave").succeeded().with_total(4).once()  # welcome + reminder
    assert_batch_succeeded(batch.bid)


@pytest.mark.jobsim(plugins=["throttled"])
def test_the_crm_sync_keeps_its_rate_limit(jobsim: jobsim.Simulator) -> None:
    for customer_id in range(25):
        shop.SyncCrm.perform_async(customer_id)
    jobsim.drain()
    assert_max_concurrency(shop.SyncCrm, 2)
    assert_starts_per_window(shop.SyncCrm, 10, 60)
    assert have_been_throttled(shop.SyncCrm).at_least(1)
