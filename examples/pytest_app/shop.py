"""A tiny shop whose background jobs are tested with jobsim's pytest plugin.

Signing up sends a welcome mail; an order is charged by a job that retries while the payment
provider is down, and a receipt follows the charge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jobsim
from jobsim.active_job import Mailer

#: What the "payment provider" and "mailer" did, for the tests to read.
outbox: list[str] = []
charges: list[tuple[int, str]] = []
provider_down_until: list[datetime] = []


class ProviderDown(Exception):
    """The payment provider refused the call."""


class SendWelcome(jobsim.Job, queue="mailers", retry=3):
    def perform(self, email: str, plan: str = "free") -> None:
        outbox.append(f"welcome {email} ({plan})")


class SendReceipt(jobsim.Job, queue="mailers"):
    def perform(self, order_id: int) -> None:
        outbox.append(f"receipt for order {order_id}")


class ChargeOrder(jobsim.Job, queue="payments", retry=5, backtrace=20):
    def perform(self, order_id: int, cents: int) -> None:
        if provider_down_until and datetime.now(UTC) < provider_down_until[0]:
            raise ProviderDown(f"order {order_id}: provider unavailable")
        charges.append((order_id, datetime.now(UTC).isoformat()))
        SendReceipt.perform_async(order_id)


class RemindCart(jobsim.Job, queue="mailers", retry=False):
    def perform(self, email: str) -> None:
        outbox.append(f"reminder {email}")


class RebuildSearchIndex(jobsim.Job, lock="until_executed", lock_ttl=600):
    """One rebuild at a time (sidekiq-unique-jobs; the app's simulators add the plugin)."""

    def perform(self) -> None:
        pass


class SyncCrm(
    jobsim.Job,
    queue="crm",
    throttle={"concurrency": {"limit": 2}, "threshold": {"limit": 10, "period": 60}},
):
    """Pushes a customer to the CRM, whose API allows 10 calls a minute (sidekiq-throttled)."""

    duration = 5.0

    def perform(self, customer_id: int) -> None:
        pass


def sign_up(email: str, plan: str = "free") -> None:
    """Create the account, then mail the user (and remind them of their cart in a day)."""
    SendWelcome.perform_async(email, plan)
    RemindCart.perform_in(timedelta(days=1), email)


def place_order(order_id: int, cents: int) -> None:
    """Charge the order in the background."""
    ChargeOrder.perform_async(order_id, cents)


class OrderMailer(Mailer, default_from="shop@example.com"):
    """The shop's ActionMailer-style mailer."""

    def shipped(self, email: str, order_id: int) -> None:
        self.mail(to=email, subject=f"Order {order_id} is on its way")


def ship(order_id: int, email: str) -> None:
    """Tell the customer, in the background (``deliver_later``)."""
    OrderMailer.shipped(email, order_id).deliver_later()
