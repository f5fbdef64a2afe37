"""Sidekiq::Testing's class-level API: ``ProcessOrderJob.jobs``, ``drain()``, ``clear()``.

The Ruby test this ports (from a Sidekiq testing guide)::

    expect { post :create, params: { order: attributes } }
      .to change { ProcessOrderJob.jobs.size }.by(1)
    job = ProcessOrderJob.jobs.last
    expect(job['args']).to eq([Order.last.id])

In Python the controller is a function, the "change by 1" is a before/after difference, and
``jobs[-1]`` is Ruby's ``jobs.last``. Then ``drain()`` performs the waiting jobs, including the
receipt the order job schedules for an hour later: jobsim runs it at its time and moves the
virtual clock there (Sidekiq's fake mode would run it at once, ignoring ``"at"``).

Run it: ``python examples/sidekiq_testing.py``
"""

from __future__ import annotations

from datetime import timedelta

import jobsim
from jobsim.testing import drain_all

ORDERS: list[dict[str, object]] = []
LOG: list[str] = []


class SendReceiptJob(jobsim.Job, queue="mailers"):
    """Mails the receipt of one order."""

    def perform(self, order_id: int) -> None:
        LOG.append(f"receipt for order {order_id}")


class ProcessOrderJob(jobsim.Job):
    """Processes one order, then schedules its receipt."""

    def perform(self, order_id: int) -> None:
        ORDERS[order_id - 1]["processed"] = True
        LOG.append(f"processed order {order_id}")
        SendReceiptJob.perform_in(timedelta(hours=1), order_id)


def create_order(attributes: dict[str, object]) -> int:
    """What ``post :create`` does: store the order and enqueue its processing."""
    ORDERS.append({**attributes, "processed": False})
    order_id = len(ORDERS)
    ProcessOrderJob.perform_async(order_id)
    return order_id


def main() -> None:
    with jobsim.Simulator(mode="fake") as sim:
        before = len(ProcessOrderJob.jobs)
        create_order({"sku": "TEA-1", "quantity": 2})
        assert len(ProcessOrderJob.jobs) - before == 1  # change { jobs.size }.by(1)
        job = ProcessOrderJob.jobs[-1]
        assert job["args"] == [len(ORDERS)]  # expect(job['args']).to eq([Order.last.id])
        print(f"ProcessOrderJob.jobs: {len(ProcessOrderJob.jobs)} waiting, args {job['args']}")

        print(f"ProcessOrderJob.drain() performed {ProcessOrderJob.drain()}")
        print(f"SendReceiptJob.jobs: {[(j['args'], 'at' in j) for j in SendReceiptJob.jobs]}")
        print(f"drain_all() performed {drain_all()}; clock at {sim.now.isoformat()}")
        for line in LOG:
            print(f"  {line}")


if __name__ == "__main__":
    main()
