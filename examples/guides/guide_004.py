"""Guide 004, "Background Jobs Best Practices", every snippet.

``shared/seeds/004_8cb2fe1db2fc834b.txt``. ``SyncUserJob``'s pre-7 ``unique: :until_executed``
("Use Unique Jobs When Needed") runs under the ``UniqueJobs`` plugin. Its specs
("Job Testing") are ``tests/guides/test_guide_004.py``. The guide's advice is "Use Sidekiq
directly, not ActiveJob", so its jobs are ``jobsim.Job`` classes (``include Sidekiq::Job``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, ClassVar

import jobsim
from examples.guides.world import (
    WORLD,
    Order,
    PaymentGateway,
    RecordNotFound,
    find_order,
    find_user,
)

CONFIG = Path(__file__).resolve().parent / "config"
SIDEKIQ_YML = CONFIG / "004_sidekiq.yml"
LOG: list[str] = []


# -- "Use Sidekiq Directly, Not ActiveJob": GOOD - Direct Sidekiq usage ------------------------
class ProcessOrderJob(jobsim.Job, queue="critical", retry=3):
    def perform(self, order_id: int) -> None:
        try:
            order = find_order(order_id)
            WORLD.calls.append(f"ProcessOrder {order.id}")  # ProcessOrder.new.call(order:)
            order.processed = True
        except RecordNotFound:
            pass  # Order was deleted, that's ok


def create_order(amount: int) -> int:
    """``OrdersController#create``: save the order, enqueue its job."""
    order_id = max(WORLD.orders) + 1
    WORLD.orders[order_id] = Order(order_id, amount)
    ProcessOrderJob.perform_async(order_id)
    return order_id


# -- "Configure Queues by Priority" (SIDEKIQ_YML) ------------------------------------------------
class PaymentJob(jobsim.Job, queue="critical"):
    def perform(self, n: int) -> None: ...


class ReportJob(jobsim.Job, queue="low"):
    def perform(self, n: int) -> None: ...


class MailerJob(jobsim.Job, queue="mailers"):
    def perform(self, n: int) -> None: ...


class DefaultJob(jobsim.Job, queue="default"):
    def perform(self, n: int) -> None: ...


# -- "Jobs Should Defer to Service Layer": GOOD ChargeSubscriptionJob -------------------------
class ChargeFailed(Exception):
    pass


class ChargeSubscriptionJob(jobsim.Job, retry=3):
    DECLINE: ClassVar[bool] = False

    def perform(self, subscription_id: int) -> None:
        try:
            subscription = find_order(subscription_id)
            if ChargeSubscriptionJob.DECLINE:  # result = ChargeSubscription.new.call(...)
                raise ChargeFailed("card declined")  # Let Sidekiq retry mechanism handle it
            PaymentGateway.charge(subscription.id, subscription.amount)
        except RecordNotFound:
            pass  # Subscription deleted, don't retry


# -- "Make Jobs Idempotent": ProcessPaymentJob (with_lock, double-check) ------------------------
class ProcessPaymentJob(jobsim.Job):
    def perform(self, payment_id: int) -> None:
        payment = find_order(payment_id)
        if payment.charged:  # Check if already processed
            return
        # payment.with_lock: a row lock; one job at a time in here, so check again inside
        if payment.charged:  # Double-check after acquiring lock
            return
        result = PaymentGateway.charge(payment.id, payment.amount)
        payment.charged, payment.payment_id = True, result


# -- "Let Jobs Fail and Retry" -----------------------------------------------------------------
class FetchDataJob(jobsim.Job, retry=5):
    def perform(self, source_id: int) -> None:
        raise ConnectionError(f"source {source_id} unreachable")  # ExternalApi.fetch


# "Configure exponential backoff"
class ImportantJob(jobsim.Job, retry=10):
    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> int:
        return 10 * (count**2)  # 10, 40, 90, 160 seconds...

    def perform(self) -> None:
        raise TimeoutError("upstream")


# -- "Handle Specific Errors": SendNotificationJob ---------------------------------------------
class InvalidPhoneNumber(Exception):
    """``User::InvalidPhoneNumber``."""


class NetOpenTimeout(Exception):
    """``Net::OpenTimeout``."""


class SendNotificationJob(jobsim.Job):
    FAILS_WITH: ClassVar[type[Exception] | None] = None

    def perform(self, user_id: int, message: str) -> None:
        find_user(user_id)
        try:
            if SendNotificationJob.FAILS_WITH is not None:  # NotificationService.send
                raise SendNotificationJob.FAILS_WITH("no route")
        except InvalidPhoneNumber as e:
            LOG.append(f"Invalid phone for user {user_id}: {e}")  # Don't retry
        # Net::OpenTimeout: "Let it retry for temporary failures" (raise)


# -- "Dead Job Handler" ---------------------------------------------------------------------------
def admin_death_handler(job: dict[str, Any], exception: BaseException) -> None:
    """``config.death_handlers << ->(job, exception) { AdminMailer.job_failed(...) }``."""
    LOG.append(f"job_failed {job['class']} {job['args']} {exception}")


# -- "Pass Simple Arguments": GOOD - Pass simple data when record might be deleted ---------------
class SendEmailJob(jobsim.Job):
    def perform(self, template: str, data: dict[str, str]) -> None:
        WORLD.calls.append(f"{template} to {data['email']}")


# -- "Use Unique Jobs When Needed": SyncUserJob (run with ``plugins=[UniqueJobs()]``) -------------
# The guide writes the spelling before sidekiq-unique-jobs 7; jobsim reads it and warns at class
# definition, naming the new spelling. The warnings are kept here so the tests can read them.
with warnings.catch_warnings(record=True) as SYNC_USER_JOB_WARNINGS:
    warnings.simplefilter("always")

    class SyncUserJob(
        jobsim.Job,
        unique="until_executed",
        unique_args=lambda args: [args[0]],  # Unique per user_id
    ):
        def perform(self, user_id: int) -> None:
            user = find_user(user_id)
            WORLD.calls.append(f"sync {user.id}")  # ExternalApi.sync_user(user)
