"""Retries and the dead set: a flaky payment job on Sidekiq's real backoff, in virtual time.

A charge job fails twice against a flaky gateway and then succeeds; a refund job always fails
and, with ``retry=3``, ends in the dead set after four executions. About a minute and a half of
virtual retries (the clock ends at 00:01:22) takes a few milliseconds, and the same seed prints
the same lines every time.

Run it: ``python examples/retries_and_dead_set.py``
"""

from __future__ import annotations

import jobsim

ATTEMPTS: dict[int, int] = {}


class ChargeCard(jobsim.Job, queue="payments", retry=5):
    """Fails on its first two attempts (a gateway timeout), then succeeds."""

    def perform(self, order_id: int) -> None:
        ATTEMPTS[order_id] = ATTEMPTS.get(order_id, 0) + 1
        if ATTEMPTS[order_id] <= 2:
            raise TimeoutError(f"gateway timed out charging order {order_id}")


class RefundOrder(jobsim.Job, queue="payments", retry=3):
    """Always fails: the refund API rejects the request."""

    def perform(self, order_id: int) -> None:
        raise ValueError(f"refund of order {order_id} rejected")


def main() -> None:
    sim = jobsim.Simulator(seed=42, profile="sidekiq-7")
    sim.death_handlers.append(lambda job, exc: print(f"  death handler: {job['class']} {exc}"))
    with sim:
        ChargeCard.perform_async(7)
        RefundOrder.perform_async(8)
    performed = sim.drain()

    print(f"{'time':<22} {'event':<18} {'job':<12} detail")
    for event in sim.trace:
        if event.kind in ("retry_scheduled", "died", "succeeded"):
            detail = ""
            if event.kind == "retry_scheduled":
                detail = f"retry_count={event.detail['retry_count']} in {event.detail['delay']:g}s"
            elif event.kind == "died":
                detail = event.detail["reason"]
            stamp = event.at.strftime("%Y-%m-%d %H:%M:%S")
            print(f"{stamp:<22} {event.kind:<18} {event.job['class']:<12} {detail}")
    stats = sim.stats
    print(f"performed {performed} executions: processed={stats.processed} failed={stats.failed}")
    print(f"dead set: {[job['class'] for job in sim.dead.jobs]}; clock at {sim.now.isoformat()}")


if __name__ == "__main__":
    main()
