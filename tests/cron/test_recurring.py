"""sidekiq-cron's poller on a simulator (sidekiq-cron 1.8.0 job.rb / poller.rb)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim import active_job
from jobsim.active_job import ActiveJob
from jobsim.cron.recurring import CronLoadError, Recurring

START = datetime(2026, 1, 1, tzinfo=UTC)
RAN: list[tuple[str, list[Any]]] = []


class Report(jobsim.Job, queue="low"):
    def perform(self, *args: Any) -> None:
        RAN.append(("Report", list(args)))


class Digest(ActiveJob, queue_as="mailers"):
    def perform(self, *args: Any) -> None:
        RAN.append(("Digest", list(args)))


class Export(ActiveJob, queue_as="mailers", sidekiq_options={"queue": "exports"}):
    def perform(self, *args: Any) -> None:
        RAN.append(("Export", list(args)))


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
    with pytest.raises(jobsim.InvalidArgument, match="'cron' must be set"):
        recurring.load({"broken": {"class": "Report"}})
    with pytest.raises(CronLoadError, match="'cron' -> \"61 \\* \\* \\* \\*\" -> CronSyntaxError"):
        recurring.load({"bad": {"cron": "61 * * * *", "class": "Report"}})
    with pytest.raises(jobsim.InvalidArgument, match="no cron job named 'nope'"):
        recurring.disable("nope")


# -- how Job#enque! enqueues (sidekiq-cron 1.8.0; checked in tests/conformance) -----------------


def poll_at_two(schedule: dict[str, Any], *, seed: int = 3) -> tuple[jobsim.Simulator, Recurring]:
    """A simulator with Report and the ActiveJob classes, polled once at 02:00:10."""
    sim = jobsim.Simulator(seed=seed, start=START)
    sim.register(Report)
    active_job.register(sim, Digest, Export)
    recurring = Recurring(sim, poll="exact").load(schedule)
    sim.run_until(START + timedelta(hours=2, seconds=10))
    recurring.poll_once(sim.time)
    return sim, recurring


def queued(sim: jobsim.Simulator) -> list[dict[str, Any]]:
    return [dict(job) for name in sim.queues for job in sim.queue(name).jobs]


def test_a_sidekiq_class_goes_to_its_own_queue_unless_the_entry_names_one() -> None:
    sim, _ = poll_at_two(
        {
            "own": {"cron": "0 2 * * *", "class": "Report"},
            "given": {"cron": "0 2 * * *", "class": "Report", "queue": "reports"},
            "prefix_needs_the_flag": {"cron": "0 2 * * *", "class": "Report",
                                      "queue_name_prefix": "staging"},
        }
    )  # fmt: skip
    assert sorted(job["queue"] for job in queued(sim)) == ["low", "low", "reports"]
    assert {job["class"] for job in queued(sim)} == {"Report"}


def test_an_activejob_class_is_performed_later_on_default_whatever_its_queue_as() -> None:
    sim, recurring = poll_at_two({"digest": {"cron": "0 2 * * *", "class": "Digest", "args": [7]}})
    (job,) = queued(sim)
    assert job["class"] == active_job.wrapper_for(sim).job_name  # the profile's adapter job
    assert job["wrapped"] == "Digest"
    assert job["queue"] == "default"  # not "mailers": sidekiq-cron passes set(queue: "default")
    (data,) = job["args"]
    assert data["job_class"] == "Digest"
    assert data["queue_name"] == "default"
    assert data["arguments"] == [7]
    assert "executions" in data  # ActiveJob's own serialize, not a hand-built hash
    assert recurring.jobs["digest"].jid_history[0]["jid"] == job["jid"]  # provider_job_id
    (event,) = sim.trace.of_kind("cron_enqueued")
    assert event.job["queue"] == "default"
    sim.drain()
    assert RAN == [("Digest", [7])]


def test_an_activejob_class_takes_the_entry_queue_or_its_sidekiq_options_queue() -> None:
    sim, _ = poll_at_two(
        {
            "given": {"cron": "0 2 * * *", "class": "Digest", "queue": "reports",
                      "queue_name_prefix": "staging", "active_job": True},
            "options": {"cron": "0 2 * * *", "class": "Export"},
        }
    )  # fmt: skip
    # the entry's queue_name_prefix is never applied to a real ActiveJob class
    assert sorted((job["wrapped"], job["queue"]) for job in queued(sim)) == [
        ("Digest", "reports"),
        ("Export", "exports"),
    ]


def test_date_as_argument_reaches_an_activejob_as_its_last_argument() -> None:
    sim, _ = poll_at_two(
        {"d": {"cron": "0 2 * * *", "class": "Digest", "args": {"a": 1}, "date_as_argument": 1}}
    )
    sim.drain()
    ((name, args),) = RAN
    assert name == "Digest"
    assert args[0] == {"a": 1}
    assert args[1] == pytest.approx((START + timedelta(hours=2, seconds=10)).timestamp())


def test_active_job_flag_on_a_sidekiq_class_is_still_perform_async_on_a_prefixed_queue() -> None:
    # Report has no perform_later: sidekiq-cron does not fail, it calls perform_async, and the
    # flag only puts queue_name_prefix (and the delimiter, "_" by default) before the queue.
    sim, _ = poll_at_two(
        {
            "flag": {"cron": "0 2 * * *", "class": "Report", "active_job": True, "args": [1]},
            "prefix": {"cron": "0 2 * * *", "class": "Report", "active_job": "yes",
                       "queue_name_prefix": "staging"},
            "delimiter": {"cron": "0 2 * * *", "class": "Report", "active_job": "true",
                          "queue": "reports", "queue_name_prefix": "staging",
                          "queue_name_delimiter": "."},
        }
    )  # fmt: skip
    jobs = queued(sim)
    assert sorted(job["queue"] for job in jobs) == ["low", "staging.reports", "staging_low"]
    assert all(job["class"] == "Report" and "wrapped" not in job for job in jobs)
    sim.drain()
    assert sorted(RAN) == [("Report", []), ("Report", []), ("Report", [1])]


def test_active_job_flag_on_an_unknown_class_pushes_a_hand_built_wrapper() -> None:
    spec = {"cron": "0 2 * * *", "class": "Nightly", "active_job": True, "args": [5],
            "queue": "reports", "queue_name_prefix": "staging",
            "description": "nightly"}  # fmt: skip
    sim, recurring = poll_at_two({"n": spec})
    (job,) = queued(sim)
    # sidekiq-cron 1.8.0 writes Rails' adapter job name, whatever the Sidekiq version
    assert job["class"] == "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
    assert (job["wrapped"], job["queue"], job["description"]) == (
        "Nightly",
        "staging_reports",
        "nightly",
    )
    (data,) = job["args"]
    assert sorted(data) == ["arguments", "job_class", "job_id", "queue_name"]
    assert (data["job_class"], data["queue_name"], data["arguments"]) == (
        "Nightly",
        "staging_reports",
        [5],
    )
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        data["job_id"])  # fmt: skip
    again, _ = poll_at_two({"n": spec})
    assert queued(again)[0]["args"][0]["job_id"] == data["job_id"]  # seeded, not uuid4()
    assert recurring.jobs["n"].jid_history[0]["jid"] == job["jid"]


def test_a_hand_built_wrapper_fails_as_a_name_error_until_the_class_exists() -> None:
    sim, _ = poll_at_two({"n": {"cron": "0 2 * * *", "class": "Nightly", "active_job": True}})
    sim.run_due()
    (failed,) = sim.trace.of_kind("failed")
    assert failed.detail["error_class"] == "NameError"

    class Nightly(ActiveJob):
        def perform(self, *args: Any) -> None:
            RAN.append(("Nightly", list(args)))

    active_job.register(sim, Nightly)
    sim.drain()  # the retry finds it now
    assert RAN == [("Nightly", [])]


def test_an_unknown_class_without_the_flag_is_pushed_as_a_raw_hash() -> None:
    sim, _ = poll_at_two({"n": {"cron": "0 2 * * *", "class": "Nowhere", "args": ["a"],
                                "queue_name_prefix": "staging"}})  # fmt: skip
    (job,) = queued(sim)
    assert (job["class"], job["queue"], job["args"]) == ("Nowhere", "default", ["a"])
    assert "wrapped" not in job


def test_prefix_and_delimiter_are_read_as_text() -> None:
    sim = jobsim.Simulator(start=START)
    recurring = Recurring(sim).load(
        {"n": {"cron": "0 2 * * *", "class": "X", "queue_name_prefix": 2026,
               "queue_name_delimiter": "-", "active_job": "t"}}
    )  # fmt: skip
    job = recurring.jobs["n"]
    assert (job.queue_name_prefix, job.queue_name_delimiter, job.active_job) == ("2026", "-", True)


def test_crons_without_a_zone_run_in_the_process_zone() -> None:
    """``tz=`` is the Sidekiq process's zone (Rails' Time.zone); a cron naming its own wins."""
    sim = jobsim.Simulator(start=datetime(2026, 7, 1, tzinfo=UTC))
    sim.register(Report)
    recurring = Recurring(sim, tz="America/New_York", poll="exact")
    recurring.load(
        {
            "local": {"cron": "0 9 * * *", "class": "Report"},
            "tokyo": {"cron": "0 9 * * * Asia/Tokyo", "class": "Report"},
        }
    ).start()
    sim.run_until(datetime(2026, 7, 2, tzinfo=UTC))
    fired = {e.detail["name"]: e.at.strftime("%H:%M") for e in sim.trace.of_kind("cron_enqueued")}
    assert fired == {"local": "13:00", "tokyo": "00:00"}  # 09:00 EDT; 09:00 JST (the 1st)
    with pytest.raises(jobsim.InvalidArgument, match="tz='Mars/Base'"):
        Recurring(sim, tz="Mars/Base")
