"""One virtual day of a small shop's background jobs: three weighted queues, five workers.

The shop runs one Sidekiq process with ``concurrency 5`` and the queues ``critical`` (weight 6),
``default`` (3) and ``low`` (1): on every fetch Sidekiq shuffles the list with each queue
repeated by its weight, so a busy ``low`` queue never starves ``critical``, and ``low`` still
gets about one fetch in ten. Through the day, orders arrive with a daytime peak; each order
charges a card (``critical``), sends a receipt and a partner webhook (``default``) and often
resizes a product image (``low``). Stock is synced with the warehouse every five minutes, a
nightly report runs at 02:00 and a newsletter goes to 6,000 subscribers at 10:00 (all
``low``). Job durations are drawn from the simulator's seeded streams. A few jobs are flaky:
one charge in 40 times out once, warehouse syncs of every 9th SKU fail once, and the webhook
endpoint of partner B is down all day, so its deliveries exhaust ``retry=3`` and end dead.

Traffic is enqueued five minutes at a time with ``perform_in`` (spread over the five minutes)
and the clock moves with ``advance``. At the end the script prints, per queue, the latency
from enqueue to start (``sim.stats.latency(queue)``: every execution, retries too) and how busy
the workers were, then the counters. A day takes a few seconds, and the same seeds print the
same table every time.

Run it: ``python examples/day_of_a_small_app.py``
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import jobsim
from jobsim.durations import exponential, uniform

DAY = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
STEP = timedelta(minutes=5)
QUEUES = [("critical", 6), ("default", 3), ("low", 1)]
CONCURRENCY = 5
#: Orders per hour, by hour of the day (UTC): quiet nights, a daytime peak.
ORDERS_PER_HOUR = [
    60, 36, 24, 18, 18, 30, 90, 240, 480, 660, 780, 840,
    900, 870, 810, 750, 720, 750, 780, 720, 540, 360, 210, 120,
]  # fmt: skip
NEWSLETTER_SUBSCRIBERS = 6_000
SKUS_PER_SYNC = 12

#: Executions so far, per jid: the flaky jobs fail on their first attempt only.
ATTEMPTS: Counter[str] = Counter()


class GatewayTimeout(Exception):
    """The card gateway did not answer in time."""


class ChargeCard(jobsim.Job, queue="critical"):
    """Charges the card of an order; one order in 40 times out on the first attempt."""

    duration = uniform(0.5, 3.0)

    def perform(self, order_id: int) -> None:
        ATTEMPTS[self.jid] += 1
        if order_id % 40 == 0 and ATTEMPTS[self.jid] == 1:
            raise GatewayTimeout(f"card gateway timed out for order {order_id}")


class SendReceipt(jobsim.Job, queue="default"):
    """Emails the receipt of a paid order."""

    duration = uniform(1.0, 4.0)

    def perform(self, order_id: int) -> None:
        return None


class DeliverWebhook(jobsim.Job, queue="default", retry=3):
    """Posts an order event to a partner; partner B's endpoint is down all day."""

    duration = uniform(0.5, 3.0)

    def perform(self, order_id: int, partner: str) -> None:
        if partner == "partner-b":
            raise ConnectionError(f"{partner}: 503 Service Unavailable")


class ResizeImage(jobsim.Job, queue="low"):
    """Makes the thumbnails of a product photo (a few long ones)."""

    duration = exponential(8.0)

    def perform(self, image_id: int) -> None:
        return None


class SyncInventory(jobsim.Job, queue="low"):
    """Syncs one SKU's stock with the warehouse; every 9th SKU fails on its first attempt."""

    duration = uniform(1.0, 4.0)

    def perform(self, sku: int) -> None:
        ATTEMPTS[self.jid] += 1
        if sku % 9 == 0 and ATTEMPTS[self.jid] == 1:
            raise TimeoutError(f"warehouse API timed out for SKU {sku}")


class SendNewsletter(jobsim.Job, queue="low"):
    """Sends the newsletter to one subscriber."""

    duration = uniform(0.2, 0.6)

    def perform(self, user_id: int) -> None:
        return None


class NightlyReport(jobsim.Job, queue="low"):
    """Builds yesterday's sales report (10-15 minutes)."""

    duration = uniform(600, 900)

    def perform(self, day: str) -> None:
        return None


def enqueue_step(step_start: datetime, traffic: random.Random, next_order: int) -> int:
    """Enqueue what the app does during the five minutes from ``step_start``; returns the
    next order id. ``perform_in`` spreads the jobs over the five minutes."""
    seconds = STEP.total_seconds()
    per_step = ORDERS_PER_HOUR[step_start.hour] * seconds / 3600
    orders = int(per_step) + (traffic.random() < per_step - int(per_step))
    for _ in range(orders):
        order_id = next_order
        next_order += 1
        at = traffic.uniform(0, seconds)
        ChargeCard.perform_in(at, order_id)
        SendReceipt.perform_in(at + 5, order_id)
        partner = "partner-b" if traffic.random() < 0.02 else "partner-a"
        DeliverWebhook.perform_in(at + 5, order_id, partner)
        if traffic.random() < 0.6:
            ResizeImage.perform_in(at + 1, order_id)
    for sku in traffic.sample(range(1, 500), SKUS_PER_SYNC):
        SyncInventory.perform_in(traffic.uniform(0, 10), sku)
    if step_start.hour == 2 and step_start.minute == 0:
        NightlyReport.perform_async((step_start - timedelta(days=1)).date().isoformat())
    if step_start.hour == 10 and step_start.minute == 0:
        for user_id in range(1, NEWSLETTER_SUBSCRIBERS + 1):
            SendNewsletter.perform_async(user_id)
    return next_order


def seconds_text(value: float) -> str:
    return f"{value:,.1f}"


def main() -> None:
    sim = jobsim.Simulator(
        seed=2026, start=DAY, queues=QUEUES, concurrency=CONCURRENCY, trace_limit=0
    )
    traffic = random.Random(7)  # the app's own randomness: when orders come, which partner
    next_order = 1
    now = DAY
    while now < DAY + timedelta(days=1):
        with sim:
            next_order = enqueue_step(now, traffic, next_order)
        sim.advance(STEP)
        now += STEP
    leftover = sim.drain()  # retries and jobs still queued at midnight

    weights = dict(QUEUES)
    mode = sim.queue_config.mode if sim.queue_config is not None else "strict"
    print(
        f"{DAY:%A %Y-%m-%d}: {next_order - 1:,} orders, concurrency {sim.concurrency}, "
        f"{mode} queues {', '.join(f'{n} {w}' for n, w in QUEUES)} ({sim.profile.name})"
    )
    print()
    header = f"{'queue':<9} {'weight':>6} {'jobs':>7} {'p50 s':>8} {'p95 s':>8} {'max s':>9}"
    print(header + f" {'busy':>6}")
    worker_seconds = CONCURRENCY * 86_400
    busy = sim.stats.busy_seconds
    for name in weights:
        latency = sim.stats.latency(name)
        share = busy.get(name, 0.0) / worker_seconds
        print(
            f"{name:<9} {weights[name]:>6} {latency.count:>7,} {seconds_text(latency.p50):>8} "
            f"{seconds_text(latency.p95):>8} {seconds_text(latency.max):>9} {share:>6.1%}"
        )
    overall = sim.stats.latency()
    print(
        f"{'all':<9} {'':>6} {overall.count:>7,} {seconds_text(overall.p50):>8} "
        f"{seconds_text(overall.p95):>8} {seconds_text(overall.max):>9} "
        f"{sum(busy.values()) / worker_seconds:>6.1%}"
    )
    print()
    stats = sim.stats
    print(
        f"processed={stats.processed:,} failed={stats.failed:,} dead={stats.dead_size:,} "
        f"retries pending={stats.retry_size:,}"
    )
    dead = Counter(f"{job['class']}: {job['error_message']}" for job in sim.dead.jobs)
    for reason, count in sorted(dead.items()):
        print(f"  dead: {count} x {reason}")
    print(f"after midnight: {leftover:,} executions to drain; clock at {sim.now:%Y-%m-%d %H:%M:%S}")


if __name__ == "__main__":
    main()
