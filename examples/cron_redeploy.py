"""A deploy reloads schedule.yml: what sidekiq-cron keeps, and what 2.x's grace period changes.

A schedule with a nightly report, a paused cleanup job and a typo is loaded at midnight; the
cleanup is disabled from the Web UI; a deploy at 02:00:10 loads the (fixed) schedule again,
between the 02:00 fire time and the poll that would enqueue it. As in sidekiq-cron, the reload
keeps the run, keeps the cleanup disabled, and the typo did not stop the valid jobs.

Then the same day is run with the process down from 05:50 to 06:20 under sidekiq-cron 1.8
(fixed 60 s grace: the 06:00 run is skipped) and sidekiq-cron 2.x with
``reschedule_grace_period=3600`` (the run is enqueued when the process is back).

Run it with ``python examples/cron_redeploy.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jobsim
from jobsim.clock import format_time
from jobsim.cron.recurring import Recurring

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


class NightlyReport(jobsim.Job):
    def perform(self) -> None:
        pass


class Cleanup(jobsim.Job):
    def perform(self) -> None:
        pass


class Invoices(jobsim.Job):
    def perform(self) -> None:
        pass


SCHEDULE = {
    "nightly_report": {"cron": "0 2 * * *", "class": "NightlyReport"},
    "cleanup": {"cron": "30 1 * * *", "class": "Cleanup"},
    "invoices": {"cron": "0 6 * * *", "class": "Invoices"},
}


def simulator() -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=7, start=START)
    sim.register(NightlyReport, Cleanup, Invoices)
    return sim


def enqueued(sim: jobsim.Simulator) -> list[str]:
    return [
        f"{event.detail['name']} at {format_time(event.ts)[11:19]}"
        for event in sim.trace.of_kind("cron_enqueued")
    ]


def redeploy() -> None:
    sim = simulator()
    recurring = Recurring(sim, poll="exact")
    with_typo = {**SCHEDULE, "invoices": {"cron": "0 6 * * * *x", "class": "Invoices"}}
    recurring.load(with_typo, on_error="collect").start()
    print(f"first load: saved {sorted(recurring.jobs)}, errors for {sorted(recurring.errors)}")
    recurring.disable("cleanup")  # from the Web UI
    sim.advance(timedelta(hours=2, seconds=10))
    recurring.load(SCHEDULE)  # the deploy, 10 s after the 02:00 fire time
    sim.advance(timedelta(hours=5))
    print(f"cleanup after the reload: {recurring.jobs['cleanup'].status}")
    print(f"enqueued: {enqueued(sim)}")


def downtime(version: str, **options: float) -> None:
    sim = simulator()
    Recurring(sim, poll="exact", sidekiq_cron=version, **options).load(SCHEDULE).start()
    sim.advance(timedelta(hours=5, minutes=50))
    sim.crash()
    sim.advance(timedelta(minutes=30))
    sim.start()
    sim.advance(timedelta(hours=1))
    print(f"{version:17} down 05:50-06:20, enqueued: {enqueued(sim)}")


if __name__ == "__main__":
    redeploy()
    downtime("sidekiq-cron-1.8")
    downtime("sidekiq-cron-2", reschedule_grace_period=3600)
