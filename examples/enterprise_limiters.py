"""Sidekiq Enterprise limiters on the virtual clock: how long jobs wait, how many are
rescheduled, and whether anything dies.

Three questions a team asks before turning a limiter on:

1. An ERP allows 5 concurrent calls. 200 syncs arrive at once on 25 threads; each call takes
   2 s and waits up to 5 s for a slot. How many wait, how many are rescheduled (``overrated``),
   when is everything synced?
2. Shopify's API is a leaky bucket of 40 calls draining 2 a second. 300 product updates: how
   long until the last one, and how much of that is threads busy waiting?
3. An HTTP client raises ``TooManyRequests`` on a 429. Added to ``limiter_errors(sim)``, the job
   is rescheduled like an ``OverLimit`` instead of burning a retry.

Run it: ``python examples/enterprise_limiters.py``.
"""

from __future__ import annotations

from collections import Counter

import jobsim
from jobsim.limiters import Limiters, limiter_errors, limiters

START = jobsim.Simulator().time  # 2026-01-01 00:00 UTC


def erp_syncs() -> None:
    sim = jobsim.Simulator(concurrency=25, plugins=[Limiters()])
    erp = limiters(sim).concurrent("erp", 5, wait_timeout=5, lock_timeout=30)

    class SyncOrder(jobsim.Job):
        duration = 2.0  # seconds per ERP call

        def perform(self, order_id: int) -> None:
            with erp.within_limit():
                pass  # call the ERP

    with sim:
        for order_id in range(200):
            SyncOrder.perform_async(order_id)
    sim.drain()
    counts = limiters(sim).counts(SyncOrder)
    rescheduled = sim.trace.of_kind("limiter")
    overrated = Counter(
        event.job["overrated"] for event in rescheduled if event.detail["event"] == "rescheduled"
    )
    print("200 ERP syncs, 25 threads, concurrent limit 5, 2 s a call, wait_timeout 5 s")
    print(f"  over the limit {counts.over_limit} times; rescheduled by overrated: "
          f"{dict(sorted(overrated.items()))}")  # fmt: skip
    print(f"  threads spent {counts.waited / 60:.1f} min waiting for a slot")
    print(f"  all synced after {(sim.time - START) / 60:.1f} min; dead: {len(sim.dead)}, "
          f"retries: {len(sim.retries)}")  # fmt: skip
    print(f"  the limiter was held {erp.status().held} times")


def shopify_updates() -> None:
    sim = jobsim.Simulator(concurrency=10, plugins=[Limiters()])
    shopify = limiters(sim).leaky("shopify", 40, 20, wait_timeout=30)

    class UpdateProduct(jobsim.Job):
        duration = 0.5

        def perform(self, product_id: int) -> None:
            with shopify.within_limit():
                pass  # call Shopify

    with sim:
        for product_id in range(300):
            UpdateProduct.perform_async(product_id)
    sim.drain()
    counts = limiters(sim).counts(UpdateProduct)
    print("300 Shopify updates, leaky bucket 40 draining 2/s, wait_timeout 30 s")
    print(f"  last update after {(sim.time - START) / 60:.1f} min; over the limit "
          f"{counts.over_limit} times; waiting {counts.waited / 60:.1f} thread-min")  # fmt: skip


class TooManyRequests(Exception):
    """What an HTTP client raises on a 429."""


def rate_limited_api() -> None:
    sim = jobsim.Simulator(plugins=[Limiters()])
    limiter_errors(sim).append(TooManyRequests)
    answers = iter([429, 429, 200])

    class FetchInvoice(jobsim.Job):
        def perform(self, invoice_id: int) -> None:
            if next(answers) == 429:
                raise TooManyRequests("429 Too Many Requests")

    with sim:
        jid = FetchInvoice.perform_async(7)
    sim.drain()
    kinds = [
        event.detail["event"] if event.kind == "limiter" else event.kind
        for event in sim.trace.for_job(str(jid))
    ]
    print("a 429 counted as over the limit:", ", ".join(kinds))
    print(f"  failed executions: {len(sim.trace.of_kind('failed'))}, "
          f"done after {(sim.time - START) / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    erp_syncs()
    shopify_updates()
    rate_limited_api()
