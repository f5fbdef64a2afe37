"""sidekiq-cron's poller on a simulator (sidekiq-cron 1.8.0 job.rb / poller.rb)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.cron.recurring import Recurring

START = datetime(2026, 1, 1, tzinfo=UTC)
RAN: list[tuple[str, list[Any]]] = []


class Report(jobsim.Job, queue="low"):
    def perform(self, *args: Any) -> None:
        RAN.append(("Report", list(args)))


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def sim_with(schedule: dict[str, Any], **options: Any) -> tuple[jobsim.Simulator, Recurring]:
    sim = jobsim.Simulator(seed=3, start=START)
    sim.register(Report)
    recurring = Recurring(sim, **options).load(schedule).start()
    return sim, recurring


def test_a_daily_job_runs_once_a_day_for_a_week() -> None:
    sim, recurring = sim_with({"nightly": {"cron": "0 2 * * *", "class": "Report"}})
    sim.advance(timedelta(days=7))
    fired = sim.trace.of_kind("cron_enqueued")
    assert len(fired) == 7
    for day, event in enumerate(fired):
        slot = START + timedelta(days=day, hours=2)
        assert event.detail["slot"] == slot.isoformat().replace("+00:00", "Z")
        # enqueued by a poll 15-45 s apart, so within the 60 s grace after the slot
        assert 0 < event.ts - slot.timestamp() <= 60
    assert len(RAN) == 7
    assert len(recurring.jobs["nightly"].jid_history) == 7


def test_exact_polling_enqueues_at_the_first_poll_after_the_slot() -> None:
    sim, _ = sim_with({"tick": {"cron": "*/5 * * * *", "class": "Report"}}, poll="exact")
    sim.advance(timedelta(minutes=30))
    assert len(sim.trace.of_kind("cron_enqueued")) == 6


def test_runs_missed_while_the_process_was_down_are_skipped() -> None:
    sim, _ = sim_with({"hourly": {"cron": "0 * * * *", "class": "Report"}}, poll="exact")
    sim.advance(timedelta(minutes=30))
    sim.crash()  # down from 00:30 ...
    sim.advance(timedelta(hours=3))
    sim.start()  # ... to 03:30: the 01:00, 02:00 and 03:00 runs are gone for good
    sim.advance(timedelta(hours=1))
    slots = [e.detail["slot"] for e in sim.trace.of_kind("cron_enqueued")]
    assert slots == ["2026-01-01T00:00:00Z", "2026-01-01T04:00:00Z"]


def test_disabled_jobs_are_not_enqueued_until_enabled() -> None:
    sim, recurring = sim_with({"hourly": {"cron": "0 * * * *", "class": "Report"}})
    recurring.disable("hourly")
    sim.advance(timedelta(hours=2, minutes=5))
    assert sim.trace.of_kind("cron_enqueued") == []
    recurring.enable("hourly")
    sim.advance(timedelta(hours=1))
    assert len(sim.trace.of_kind("cron_enqueued")) == 1


def test_args_queue_and_date_as_argument() -> None:
    sim, _ = sim_with(
        {"r": {"cron": "0 2 * * *", "class": "Report", "args": ["daily"], "queue": "reports",
               "date_as_argument": "yes"}},
        poll="exact",
    )  # fmt: skip
    sim.advance(timedelta(hours=3))
    (event,) = sim.trace.of_kind("enqueued")
    assert event.job["queue"] == "reports"
    assert event.job["args"][0] == "daily"
    assert event.job["args"][1] == pytest.approx(event.ts)  # the enqueue time, epoch float


def test_drain_does_not_wait_for_the_next_cron_run() -> None:
    sim, _ = sim_with({"nightly": {"cron": "0 2 * * *", "class": "Report"}})
    with sim:
        Report.perform_async("now")
    sim.drain()
    assert RAN == [("Report", ["now"])]
    assert sim.time < START.timestamp() + 1  # the poller is in the background


def test_schedule_yml_and_bad_entries(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yml"
    path.write_text('nightly:\n  cron: "0 2 * * *"\n  class: Report\n  description: d\n')
    sim = jobsim.Simulator(start=START)
    recurring = Recurring(sim).load_yaml(path)
    assert recurring.jobs["nightly"].description == "d"
    with pytest.raises(jobsim.InvalidArgument, match="needs 'cron'"):
        recurring.load({"broken": {"class": "Report"}})
    with pytest.raises(jobsim.CronSyntaxError):
        recurring.load({"bad": {"cron": "61 * * * *", "class": "Report"}})
    with pytest.raises(jobsim.InvalidArgument, match="no cron job named 'nope'"):
        recurring.disable("nope")
