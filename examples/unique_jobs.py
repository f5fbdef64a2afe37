"""Unique jobs: the seeds' three sidekiq-unique-jobs snippets in Python, a report job whose
duplicate pushes are refused under load, and why a lock is not an idempotency guarantee.

The snippets are ``lock: :until_executed, on_conflict: :log``; ``lock_args_method: :lock_args``
with ``def self.lock_args(args) = [args[0]]``; and the pre-7 ``unique: :until_executed,
unique_args: ->(args) { [args.first] }`` (read, with a deprecation warning naming the new
spelling). Two of the seeds write them on ActiveJob classes: the gem does not support
ActiveJob officially, and the last section shows why (every push has its own lock args).

Run: ``python examples/unique_jobs.py``
"""

from __future__ import annotations

import warnings
from typing import Any

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.unique_jobs import UniqueJobs


class GenerateReportJob(jobsim.Job, lock="until_executed", on_conflict="log"):
    """Only one instance per user and report type."""

    duration = 90  # virtual seconds per report

    def perform(self, user_id: int, report_type: str) -> None:
        pass


class UniqueProcessingJob(jobsim.Job, lock="until_executed", lock_args_method="lock_args"):
    """Only one job per resource id at a time, whatever the options."""

    @classmethod
    def lock_args(cls, args: list[Any]) -> list[Any]:
        return [args[0]]  # lock on the first argument only

    def perform(self, resource_id: int, options: dict[str, Any] | None = None) -> None:
        pass


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")

    class SyncUserJob(jobsim.Job, unique="until_executed", unique_args=lambda args: [args[0]]):
        """The spelling before sidekiq-unique-jobs 7."""

        def perform(self, user_id: int) -> None:
            pass


def report_under_load() -> None:
    sim = jobsim.Simulator(seed=11, concurrency=2, plugins=[UniqueJobs()])
    draw = sim.random_stream("clicks")
    pushed = refused = 0
    for second in range(0, 3600, 20):  # users click "generate" every 20 s for an hour
        sim.run_until(sim.time + 20 if second else sim.time)
        with sim:
            user, kind = draw.choice([1, 2, 3]), draw.choice(["sales", "stock"])
            pushed += 1
            refused += GenerateReportJob.perform_async(user, kind) is None
    sim.drain()
    logged = {e.detail["strategy"] for e in sim.trace.of_kind("lock_conflict")}
    print(f"report clicks: {pushed}, refused as duplicates: {refused}, strategies: {logged}")
    print(f"reports generated: {sim.stats.processed}, locks left: {len(sim.locks)}")


def lock_args_snippets() -> None:
    sim = jobsim.Simulator(plugins=["unique_jobs"])
    with sim:
        kept = [
            UniqueProcessingJob.perform_async(5, {"full": True}),
            UniqueProcessingJob.perform_async(5, {"full": False}),
            UniqueProcessingJob.perform_async(6),
            SyncUserJob.perform_async(7),
            SyncUserJob.perform_async(7),
        ]
    print("lock_args_method pushes kept:", [jid is not None for jid in kept[:3]])
    print("pre-7 unique_args pushes kept:", [jid is not None for jid in kept[3:]])
    print("deprecation:", str(caught[0].message).split(";")[0])
    print("             " + str(caught[0].message).split(";")[1].strip().split(" (")[0])


def ttl_is_not_idempotency() -> None:
    sim = jobsim.Simulator(concurrency=1, plugins=[UniqueJobs(lock_ttl=60)])
    runs: list[str] = []

    class Slow(jobsim.Job):
        duration = 600

        def perform(self) -> None:
            pass

    class Charge(jobsim.Job, lock="until_executed"):
        def perform(self, order_id: int) -> None:
            runs.append(f"{sim.now:%H:%M}")

    with sim:
        Slow.perform_async()  # holds the only worker for 10 minutes
        Charge.perform_async(42)
    sim.advance(120)  # the lock's 60 s TTL ran out while the job waited
    with sim:
        again = Charge.perform_async(42)
    sim.drain()
    print(
        f"duplicate pushed after the TTL: {'accepted' if again else 'refused'}; order 42 "
        f"charged {len(runs)} times, at {runs}"
    )


def active_job_is_not_supported() -> None:
    class ReportLater(ActiveJob, sidekiq_options={"lock": "until_executed", "on_conflict": "log"}):
        def perform(self, user_id: int, report_type: str) -> None:
            pass

    sim = jobsim.Simulator(plugins=["unique_jobs"])
    with sim:
        for _ in range(3):
            ReportLater.perform_later(1, "sales")
    digests = {job["lock_digest"] for job in sim.queue().jobs}
    print(
        f"ActiveJob: {len(sim.queue().jobs)} of 3 pushes kept, {len(digests)} distinct digests "
        f"(the lock args include each push's job_id)"
    )


report_under_load()
lock_args_snippets()
ttl_is_not_idempotency()
active_job_is_not_supported()
