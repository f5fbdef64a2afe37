"""A week of a sidekiq-cron ``config/schedule.yml`` on the virtual clock, in a blink.

Loads a real-looking ``schedule.yml`` (five jobs: one disabled, one on New York time, one on
the last day of the month) into ``jobsim.cron.recurring.Recurring``, sidekiq-cron 1.8's
poller, polling every 15-45 s as Sidekiq does — advances a simulator one week, and prints
every enqueue: the fire time (slot) it served and when the poll enqueued it. The process is
down on Wednesday 10:00-13:00, so the runs due then are skipped (sidekiq-cron enqueues only
within 60 s of the fire time). Deterministic: the seed fixes the poll jitter.

Run: ``python examples/cron_week.py``
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jobsim
from jobsim.cron.recurring import Recurring

SCHEDULE_YML = """\
nightly_report:
  cron: "0 2 * * *"
  class: "NightlyReport"
  queue: "low"
  description: "Yesterday's numbers"
sync_inventory:
  cron: "*/30 9-17 * * 1-5"
  class: "SyncInventory"
weekly_digest:
  cron: "0 9 * * 1 America/New_York"
  class: "WeeklyDigest"
  args: ["digest"]
month_end:
  cron: "0 23 L * *"
  class: "MonthEnd"
legacy_cleanup:
  cron: "15 * * * *"
  class: "LegacyCleanup"
  status: "disabled"
"""

RAN: Counter[str] = Counter()


class NightlyReport(jobsim.Job, queue="low"):
    def perform(self) -> None:
        RAN["NightlyReport"] += 1


class SyncInventory(jobsim.Job):
    def perform(self) -> None:
        RAN["SyncInventory"] += 1


class WeeklyDigest(jobsim.Job):
    def perform(self, kind: str) -> None:
        RAN["WeeklyDigest"] += 1


class MonthEnd(jobsim.Job):
    def perform(self) -> None:
        RAN["MonthEnd"] += 1


class LegacyCleanup(jobsim.Job):
    def perform(self) -> None:
        RAN["LegacyCleanup"] += 1


def main() -> None:
    start = datetime(2026, 1, 26, tzinfo=UTC)  # Monday; Saturday 31 January is the month's end
    sim = jobsim.Simulator(seed=7, start=start)
    for job in (NightlyReport, SyncInventory, WeeklyDigest, MonthEnd, LegacyCleanup):
        sim.register(job)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.yml"
        path.write_text(SCHEDULE_YML, encoding="utf-8")
        recurring = Recurring(sim).load_yaml(path).start()

    sim.advance(timedelta(days=2, hours=10))  # to Wednesday 10:00
    sim.crash()
    sim.advance(timedelta(hours=3))  # down until 13:00
    sim.start()
    sim.advance(start + timedelta(days=7) - sim.now)

    events = sim.trace.of_kind("cron_enqueued")
    print(f"a week from {start:%a %Y-%m-%d} UTC: {len(events)} enqueues")
    shown = 0
    for event in events:
        name = event.detail["name"]
        if name == "sync_inventory" and not event.detail["slot"].endswith(("T09:00:00Z",)):
            continue  # one line a day for the half-hourly job
        enqueued = datetime.fromtimestamp(event.ts, UTC)
        print(f"  {event.detail['slot']}  {name:15}  enqueued at {enqueued:%H:%M:%S}")
        shown += 1
    per_job = Counter(event.detail["name"] for event in events)
    print("enqueues per job:", dict(sorted(per_job.items())))
    print("performed:", dict(sorted(RAN.items())))
    skipped = [
        s
        for s in ("T10:00", "T10:30", "T12:30")
        if not any(e.detail["slot"].startswith("2026-01-28" + s) for e in events)
    ]
    print(f"Wednesday runs skipped while down: {', '.join(x[1:] for x in skipped)}")
    print("legacy_cleanup status:", recurring.jobs["legacy_cleanup"].status)


if __name__ == "__main__":
    main()
