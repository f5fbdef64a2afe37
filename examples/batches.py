"""Sidekiq Pro batches: a newsletter to 10,000 users in batches of 100, one user failing for good.

The seeds' snippet in Python: ``ParentJob`` takes 100 user ids, opens a batch with an
``on_success`` callback carrying the ids, and pushes one ``ChildJob`` per user inside
``batch.jobs()``. A few users' mail server times out twice (Sidekiq retries them: each batch's
``complete`` fires at the first failure, its ``success`` after the retries); one user's address
is bad for good, so that child dies after Sidekiq's 25 retries, three weeks later in virtual
time: its batch fires ``death`` and never ``success``, until the address is fixed and the dead
job is retried by hand from the Dead set.

Run: ``python examples/batches.py``
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.batches import Batch, Batches, Status
from jobsim.testing import assert_batch_succeeded, have_batch

USERS = range(1, 10_001)
BAD_ADDRESSES = {4242}


class ChildJob(ActiveJob, queue_as="mailers"):
    """Mails one user; a few time out twice, and a bad address always fails."""

    timeouts: ClassVar[dict[int, int]] = {}
    delivered: ClassVar[set[int]] = set()

    def perform(self, user_id: int) -> None:
        if user_id in BAD_ADDRESSES:
            raise ValueError(f"user {user_id}: invalid address")
        if user_id % 1000 == 7 and ChildJob.timeouts.get(user_id, 0) < 2:
            ChildJob.timeouts[user_id] = ChildJob.timeouts.get(user_id, 0) + 1
            raise TimeoutError(f"user {user_id}: SMTP timeout")
        ChildJob.delivered.add(user_id)


class ParentJob(ActiveJob):
    """The seeds' ParentJob: one batch per 100 users, ``on_success`` when all were mailed."""

    log: ClassVar[list[str]] = []

    def perform(self, user_ids: list[int]) -> None:
        batch = Batch(description=f"newsletter {user_ids[0]}-{user_ids[-1]}")
        batch.on("success", type(self), {"user_ids": user_ids})
        batch.on("death", type(self))
        with batch.jobs():
            for user_id in user_ids:
                ChildJob.perform_later(user_id)

    def on_success(self, status: Status, options: dict[str, Any]) -> None:
        ParentJob.log.append(f"Processed {len(options['user_ids'])} users ({status.description})")

    def on_death(self, status: Status, options: dict[str, Any]) -> None:
        ParentJob.log.append(f"A child died in {status.description}: {status.dead_jids[0]}")


def when(ts: float | None) -> str:
    """A time as hours or days after the start, for the printout."""
    if ts is None:
        return "not yet"
    hours = (ts - START) / 3600
    return f"at {hours * 60:.1f} min" if hours < 1 else f"on day {hours / 24:.1f}"


def find(description: str) -> Status:
    return next(
        status for status in map(sim.batches.get, sim.batches) if status.description == description
    )


sim = jobsim.Simulator(seed=3, plugins=[Batches()])
START = sim.time
with sim:
    for first in range(0, len(USERS), 100):
        ParentJob.perform_later(list(USERS[first : first + 100]))
sim.advance(timedelta(hours=1))

statuses = [sim.batches[bid] for bid in sim.batches]
print(f"after an hour: {len(statuses)} batches, {sum(s.total for s in statuses)} child jobs")
print(f"  delivered to {len(ChildJob.delivered)} users; {len(sim.retries)} job(s) in the retry set")
print(f"  on_success ran {len(ParentJob.log)} times; first: {ParentJob.log[0]}")
slow = find("newsletter 1-100")
print(
    f"  {slow.description} (user 7 timed out twice): complete {when(slow.complete_at)}, "
    f"success {when(slow.success_at)}"
)
stuck = find("newsletter 4201-4300")
print(
    f"  {stuck.description}: complete {when(stuck.complete_at)}, "
    f"success {when(stuck.success_at)}; pending={stuck.pending} failures={stuck.failures}"
)
assert have_batch(sim=sim).succeeded().exactly(99)

sim.drain()  # Sidekiq's 25 retries take three weeks
stuck = sim.batches[stuck.bid]
print(f"after the retries: {ParentJob.log[-1]}")
print(f"  death {when(stuck.death_at)}; {len(sim.batches)} batch left (the others lingered out)")

BAD_ADDRESSES.clear()  # the address is fixed: retry the dead job by hand from the Dead set
sim.dead.retry(stuck.dead_jids[0])
sim.drain()
assert_batch_succeeded(stuck.bid, sim=sim)
print(f"after the retry by hand: {ParentJob.log[-1]}; delivered to {len(ChildJob.delivered)} users")
