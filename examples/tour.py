"""The README's 30-second tour: a job that always fails, its retries, and the dead set.

Run it with ``python examples/tour.py``; the README shows this code and what it prints.
"""

import jobsim


class RefundOrder(jobsim.Job, queue="payments", retry=3):
    def perform(self, order_id):
        raise ValueError(f"refund of order {order_id} rejected")


sim = jobsim.Simulator(seed=42, profile="sidekiq-7")
with sim:  # enqueues inside go to this simulator
    RefundOrder.perform_async(8)
sim.drain()  # runs until idle, jumping the clock to each retry

for event in sim.trace.of_kind("retry_scheduled", "died"):
    print(event.at.time(), event.kind)

dead = sim.dead.jobs[0]
print(f"dead set: {dead['class']} after {dead['retry_count']} retries ({dead['error_message']})")
print(f"processed={sim.stats.processed} failed={sim.stats.failed}")
