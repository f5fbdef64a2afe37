"""A small shop's background jobs, modelled: run it with ``jobsim simulate examples/shop``.

Customers sign up (a welcome mail, a CRM sync) and place orders (a payment charge against a
flaky gateway, a receipt, a CRM sync). The payment gateway times out on 12% of calls, and
every 97th order's card is declined for good (it retries 5 times, then lands in the dead set).
The CRM allows 10 calls a minute; above that it answers 429, and the sync job waits longer on
each retry. A sales report runs nightly at 02:00 (from schedule.yml when jobsim.cron is there).
Traffic follows the hour of day, quieter at weekends; about 14,000 jobs a day.

The first evening is the New Year sale: from 18:00 to 20:00 UTC orders arrive ``SALE_FACTOR``
times as fast, and each sale order first reserves its stock (a slow, locking call). Ten threads
fall behind and queue latency climbs; ``jobsim simulate examples/shop --set concurrency=20``
shows the same evening with twenty, and ``--set SALE_FACTOR=1`` a day without the sale.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jobsim
from jobsim.replay.model import fails, rate_limited, takes

STEP = timedelta(minutes=5)

#: Orders per hour by hour of day (UTC): quiet nights, a lunchtime and an evening peak.
ORDERS_PER_HOUR = [
    40, 25, 15, 10, 10, 20, 60, 120, 180, 200, 220, 260,
    300, 260, 220, 210, 220, 250, 300, 320, 280, 200, 120, 70,
]  # fmt: skip
SIGNUPS_PER_ORDER = 0.4
WEEKEND = 0.7
#: All traffic times this: ``--set TRAFFIC=2`` is twice the customers (sale included).
TRAFFIC = 1.0
#: The sale: hours of the first day (UTC) and how many times the usual orders arrive.
SALE_HOURS = (18, 20)
SALE_FACTOR = 6.0


class GatewayTimeout(TimeoutError):
    """The payment gateway did not answer in time."""


class CardDeclined(Exception):
    """The issuer declined the card; retrying will not help."""


class RateLimited(Exception):
    """The CRM answered 429 Too Many Requests."""


class SmtpError(ConnectionError):
    """The mail relay dropped the connection."""


class SendSignupMail(jobsim.Job, queue="mailers"):
    """Welcomes a new customer."""

    duration = takes(0.3, 1.5)

    @fails(0.02, SmtpError, "421 mail relay busy, try again later")
    def perform(self, user_id: int) -> None:
        return None


class ChargePayment(jobsim.Job, queue="critical", retry=5):
    """Charges an order against the payment gateway."""

    duration = takes(0.8, 4.0)

    @fails(0.12, GatewayTimeout, "payment gateway timed out after 3s")
    def perform(self, order_id: int) -> None:
        if order_id % 97 == 0:
            raise CardDeclined(f"card declined for order {order_id} (do_not_honor)")


class ReserveStock(jobsim.Job, queue="default", retry=3):
    """Reserves a sale item's stock: it locks the product row, so it is slow."""

    duration = takes(10.0, 30.0)

    def perform(self, order_id: int) -> None:
        return None


class SendReceipt(jobsim.Job, queue="mailers"):
    """Mails the receipt of an order."""

    duration = takes(0.3, 1.5)

    @fails(0.02, SmtpError, "421 mail relay busy, try again later")
    def perform(self, order_id: int) -> None:
        return None


class SyncToCrm(jobsim.Job, queue="low", retry=10):
    """Pushes a customer or order to the CRM, which allows 10 calls a minute."""

    duration = takes(0.2, 0.8)

    @rate_limited(10, 60, RateLimited, "429 Too Many Requests")
    def perform(self, kind: str, record_id: int) -> None:
        return None

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> int | None:
        return 60 * (count + 1) if isinstance(exc, RateLimited) else None


class NightlyReport(jobsim.Job, queue="low", retry=3):
    """Builds yesterday's sales report (10–20 minutes)."""

    duration = takes(600, 1200)

    def perform(self) -> None:
        return None


def _how_many(rate: float, rng: Any) -> int:
    return int(rate) + (rng.random() < rate - int(rate))


def _on_sale(ctx: Any) -> bool:
    first_day = ctx.index * ctx.step.total_seconds() < 86400
    return first_day and SALE_HOURS[0] <= ctx.now.hour < SALE_HOURS[1]


def tick(ctx: Any) -> None:
    """Enqueue the next five minutes of traffic, spread over the step."""
    seconds = ctx.step.total_seconds()
    factor = (WEEKEND if ctx.now.weekday() >= 5 else 1.0) * TRAFFIC
    orders = ORDERS_PER_HOUR[ctx.now.hour] * factor * seconds / 3600
    rng = ctx.rng
    base = ctx.index * 100_000
    for number in range(_how_many(orders, rng)):
        order_id = base + number + 1
        at = rng.uniform(0, seconds)
        ChargePayment.perform_in(at, order_id)
        SendReceipt.perform_in(at + 5, order_id)
        SyncToCrm.perform_in(at + 5, "order", order_id)
    if _on_sale(ctx):
        # Sale orders reserve stock before they are charged; the CRM gets them in a batch later.
        for number in range(_how_many(orders * (SALE_FACTOR - 1), rng)):
            order_id = base + 50_000 + number + 1
            at = rng.uniform(0, seconds)
            ReserveStock.perform_in(at, order_id)
            ChargePayment.perform_in(at + 1, order_id)
            SendReceipt.perform_in(at + 6, order_id)
    for number in range(_how_many(orders * SIGNUPS_PER_ORDER, rng)):
        user_id = base + number + 1
        at = rng.uniform(0, seconds)
        SendSignupMail.perform_in(at, user_id)
        SyncToCrm.perform_in(at + 2, "customer", user_id)
    if not ctx.cron and ctx.now.hour == 2 and ctx.now.minute == 0:
        NightlyReport.perform_async()  # stands in for the cron entry in schedule.yml
