"""Rate limits with sidekiq-throttled: the seeds' snippet, and a CRM sync whose 100/min limit
turns a burst of 6,000 contacts into a queue that drains over an hour.

The seeds' Ruby::

    include Sidekiq::Throttled::Worker
    sidekiq_throttle(concurrency: { limit: 5 }, threshold: { limit: 100, period: 60 })

is a ``throttle=`` option on a jobsim job class, honoured by the ``Throttled`` plugin.

Run it with ``python examples/rate_limits.py``; the guide is docs/how-to/rate-limits.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

import jobsim
from jobsim.throttled import Throttled

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SyncContact(
    jobsim.Job,
    queue="crm",
    throttle={"concurrency": {"limit": 5}, "threshold": {"limit": 100, "period": 60}},
):
    """Pushes one contact to the CRM's API, which allows 100 calls a minute."""

    duration = 1.5  # seconds per API call

    def perform(self, contact_id: int) -> None:
        pass


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def crm_burst(contacts: int) -> None:
    sim = jobsim.Simulator(start=START, concurrency=25, plugins=[Throttled()])
    with sim:
        for contact_id in range(contacts):
            SyncContact.perform_async(contact_id)
    sim.drain()
    starts = [event.ts for event in sim.trace.of_kind("started")]
    waits = sorted(start - START.timestamp() for start in starts)
    counts = sim.throttles.counts(SyncContact)
    print(f"{contacts} contacts enqueued at 09:00, 25 threads, limit 5 at once and 100/min")
    print(f"  drained at {sim.now:%H:%M:%S} ({minutes(sim.time - START.timestamp())})")
    print(f"  median wait {minutes(waits[len(waits) // 2])}, longest {minutes(waits[-1])}")
    print(f"  starts in the busiest minute: {busiest_minute(starts)}")
    print(f"  throttled fetches {counts.throttled}, jobs delayed {counts.delayed}")
    print(f"  dead: {len(sim.dead)}, retries: {len(sim.retries)}")


def busiest_minute(starts: list[float]) -> int:
    best = 0
    first = 0
    for last, at in enumerate(starts):
        while at - starts[first] >= 60:
            first += 1
        best = max(best, last - first + 1)
    return best


def scheduled_requeue() -> None:
    # requeue: {with: :schedule} replaces each refused job by a new one in the scheduled set.
    class Invoice(
        jobsim.Job,
        throttle={"threshold": {"limit": 2, "period": 60}, "requeue": {"with": "schedule"}},
    ):
        def perform(self, number: int) -> None:
            pass

    sim = jobsim.Simulator(start=START, seed=3, plugins=[Throttled()])
    with sim:
        for number in range(3):
            Invoice.perform_async(number)
    sim.run_due()
    refused = sim.trace.of_kind("throttled")[0]
    print(
        f"schedule requeue: job {refused.job['args']} refused, a new job scheduled in "
        f"{refused.detail['retry_in']:.1f} s; scheduled set now holds {len(sim.scheduled)}"
    )
    sim.drain()
    print(f"  all three done by {sim.now:%H:%M:%S}")


if __name__ == "__main__":
    crm_burst(6000)
    scheduled_requeue()
