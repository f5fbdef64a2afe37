"""Guide 001 ("Background Jobs with Sidekiq"): each snippet's claim, measured; its rspec spec
("Testing") as pytest tests with jobsim.testing."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import yaml

import jobsim
from examples.guides import guide_001 as g
from examples.guides import world
from jobsim.active_job import Symbol
from jobsim.batches import Batches
from jobsim.cron.recurring import Recurring
from jobsim.testing import deliveries, have_batch, have_enqueued_job
from jobsim.unique_jobs import UniqueJobs

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


# -- "Testing": spec/jobs/email_sender_job_spec.rb ---------------------------------------------
@pytest.mark.usefixtures("jobsim")
def test_sends_welcome_email() -> None:
    """``expect { perform_now(user.id, :welcome) }.to change { deliveries.count }.by(1)``."""
    before = len(deliveries())
    g.EmailSenderJob.perform_now(1, Symbol("welcome"))
    assert len(deliveries()) - before == 1


@pytest.mark.usefixtures("jobsim")
def test_enqueues_job() -> None:
    """``have_enqueued_job(described_class).with(user.id, :welcome).on_queue("default")``."""
    with have_enqueued_job(g.EmailSenderJob).with_args(1, Symbol("welcome")).on_queue("default"):
        g.EmailSenderJob.perform_later(1, Symbol("welcome"))


# -- the rest of the guide -----------------------------------------------------------------------
def test_usage_now_in_an_hour_and_tomorrow_noon() -> None:
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        g.usage(2, datetime(2026, 1, 6, 12, tzinfo=UTC))
        sim.drain()
    started = [e.at for e in sim.trace.of_kind("started")]
    assert started == [START, START + timedelta(hours=1), datetime(2026, 1, 6, 12, tzinfo=UTC)]
    assert [mail.subject for mail in deliveries(sim)] == ["Welcome", "Reminder", "Welcome"]


def test_unweighted_queues_are_strict_priority() -> None:
    """config/sidekiq.yml lists critical, default, low without weights: Sidekiq empties
    critical first, then default, then low (strict order), whatever the push order."""
    sim = jobsim.Simulator.from_sidekiq_yml(g.SIDEKIQ_YML, seed=2)
    assert sim.concurrency == 5
    with sim:
        for _ in range(20):
            g.ReportGenerationJob.perform_later()
            g.EmailSenderJob.perform_later(1, Symbol("welcome"))
            g.CriticalJob.perform_later()
    sim.drain()
    queues = [e.job["queue"] for e in sim.trace.of_kind("started")]
    assert queues == ["critical"] * 20 + ["default"] * 20 + ["low"] * 20


def _gaps(sim: jobsim.Simulator) -> list[float]:
    starts = [e.ts for e in sim.trace.of_kind("started")]
    return [later - earlier for earlier, later in itertools.pairwise(starts)]


def _import(profile: str, error: type[Exception]) -> jobsim.Simulator:
    g.ImportJob.FAILS_WITH = error
    sim = jobsim.Simulator(seed=3, profile=profile, jitter="min")
    with sim:
        g.ImportJob.perform_later("https://example.com/data.csv")
    sim.drain()
    return sim


def test_retry_5_means_six_executions() -> None:
    sim = _import("sidekiq-7", g.NetworkError)
    assert len(sim.trace.of_kind("started")) == 6
    assert len(sim.dead) == 1


def test_sidekiq_retry_in_gives_10_20_30_on_sidekiq_7() -> None:
    """The guide: "10 * (count + 1) # 10, 20, 30 seconds": so it is, from Sidekiq 7.1.3 (the block
    is looked up on the ActiveJob class), plus the jitter (pinned to 0 here)."""
    assert _gaps(_import("sidekiq-7", g.NetworkError)) == [10, 20, 30, 40, 50]
    assert _gaps(_import("sidekiq-7", g.RateLimitError)) == [3600] * 5
    # :default -> Sidekiq's own count**4 + 15
    assert _gaps(_import("sidekiq-7", RuntimeError)) == [15, 16, 31, 96, 271]


def test_sidekiq_retry_in_on_an_activejob_is_ignored_by_sidekiq_6_4() -> None:
    """On Sidekiq 6.4 the retry hooks are looked up on the adapter's JobWrapper, not on the
    ActiveJob class, so the guide's block never runs: the default backoff applies."""
    assert _gaps(_import("sidekiq-6.4", g.NetworkError)) == [15, 16, 31, 96, 271]


@pytest.mark.parametrize(("profile", "called"), [("sidekiq-6.4", False), ("sidekiq-7", True)])
def test_retries_exhausted_after_retry_3(profile: str, called: bool) -> None:
    """The guide: "Called when job fails after all retries": after 1 + 3 executions, on Sidekiq
    7.1.3+; on 6.4 an ActiveJob's block is not called (the JobWrapper has none)."""
    g.FAILED_PAYMENTS.clear()
    g.LOG.clear()
    sim = jobsim.Simulator(seed=3, profile=profile)
    with sim:
        g.ProcessPaymentJob.perform_later(1, 500)
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 4
    assert g.LOG.count("Payment failed: card declined for 500") == 4
    assert len(sim.dead) == 1
    assert bool(g.FAILED_PAYMENTS) is called


def test_bulk_email_job_mails_every_user() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.BulkEmailJob.perform_later([1, 2])
        sim.drain()
    assert sorted(mail.to for mail in deliveries(sim)) == [
        ("ada@example.com",),
        ("lin@example.com",),
    ]


def test_the_schedule_fires_at_6_daily_and_sundays_at_2() -> None:
    """config/schedule.yml: "0 6 * * *" on default, "0 2 * * 0" ("Sunday at 2am") on low."""
    sim = jobsim.Simulator(seed=1, start=datetime(2026, 1, 5, tzinfo=UTC))
    sim.register(g.DailyReportJob, g.CleanupJob)
    schedule = yaml.safe_load(g.SCHEDULE_YML.read_text(encoding="utf-8"))
    Recurring(sim, poll="exact").load(schedule).start()
    sim.run_until(datetime(2026, 1, 19, tzinfo=UTC))
    fired = Counter(
        (e.detail["name"], e.at.strftime("%a %H:%M"), e.job["queue"])
        for e in sim.trace.of_kind("cron_enqueued")
    )
    assert fired[("cleanup_old_records", "Sun 02:00", "low")] == 2
    assert sum(n for (name, when, q), n in fired.items() if name == "daily_report") == 14
    assert all(when.endswith("06:00") for name, when, q in fired if name == "daily_report")


def test_process_order_job_runs_once_for_two_deliveries() -> None:
    """The guide: "Idempotent jobs": ``return if order.processed?``."""
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.ProcessOrderJob.perform_later(7)
        g.ProcessOrderJob.perform_later(7)
        sim.drain()
    assert world.WORLD.calls == ["process 7"]


def test_monitoring_sizes_and_clear() -> None:
    """The guide: "Monitoring": Sidekiq::Queue.new("default").size, ScheduledSet/RetrySet/DeadSet
    sizes, Sidekiq::Queue.new("default").clear."""
    g.ImportJob.FAILS_WITH = g.NetworkError
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        g.EmailSenderJob.perform_later(1, Symbol("welcome"))
        g.EmailSenderJob.set(wait=timedelta(hours=1)).perform_later(1, Symbol("reminder"))
        g.ImportJob.perform_later("https://example.com/a.csv")
    sim.run_until(sim.time + 1)
    assert sim.queue("default").size == 0
    assert (sim.scheduled.size, sim.retries.size, sim.dead.size) == (1, 1, 0)
    with sim:
        g.EmailSenderJob.perform_later(2, Symbol("welcome"))
    assert sim.queue("default").size == 1
    sim.queue("default").clear()  # Clear queues (use with caution)
    assert sim.queue("default").size == 0


# -- "Batch Processing": ParentJob ------------------------------------------------------------
def test_parent_job_logs_once_after_every_child() -> None:
    """``batch.on(:success, self.class, 'user_ids' => user_ids)`` with a ChildJob per id inside
    ``batch.jobs``: on_success runs once, after all children, and logs "Processed N users".
    Pro batches take ActiveJob children: perform_later inside the block joins the batch."""
    g.LOG.clear()
    sim = jobsim.Simulator(seed=1, concurrency=3, plugins=[Batches()])
    with sim:
        g.ParentJob.perform_later([1, 2, 3, 4])
    sim.drain()
    assert g.LOG == ["Processed 4 users"]
    assert sorted(world.WORLD.calls) == ["child 1", "child 2", "child 3", "child 4"]
    assert have_batch(sim=sim).succeeded().with_total(4).exactly(1)
    children = [e for e in sim.trace.of_kind("succeeded") if e.job.get("wrapped") == "ChildJob"]
    assert len(children) == 4
    assert all(e.job.get("bid") for e in children)
    last_child = max(e.at for e in children)
    (callback,) = [e for e in sim.trace.of_kind("started") if "Callback" in e.job["class"]]
    assert callback.at >= last_child


# -- "Unique jobs": GenerateReportJob ---------------------------------------------------------
def test_generate_report_job_is_not_unique_on_active_job() -> None:
    """``lock: :until_executed, on_conflict: :log`` claims one job per user + report_type. On an
    ActiveJob class it does not hold: the gem does not support ActiveJob, the lock args are the
    wrapper's job hash (its job_id included), so every push has its own digest."""
    sim = jobsim.Simulator(seed=1, plugins=[UniqueJobs()])
    with sim:
        for _ in range(3):
            g.GenerateReportJob.perform_later(1, "sales")
    jobs = sim.queue().jobs
    assert len(jobs) == 3
    assert len({job["lock_digest"] for job in jobs}) == 3
    assert sim.trace.of_kind("lock_conflict") == []
    sim.drain()
    assert world.WORLD.calls == ["report 1 sales"] * 3


def test_generate_report_as_a_sidekiq_job_is_one_per_user_and_type() -> None:
    """The claim holds for the same options on a Sidekiq job (``include Sidekiq::Job``)."""

    class GenerateReportWorker(jobsim.Job, lock="until_executed", on_conflict="log"):
        def perform(self, user_id: int, report_type: str) -> None:
            world.WORLD.calls.append(f"report {user_id} {report_type}")

    sim = jobsim.Simulator(seed=1, plugins=[UniqueJobs()])
    with sim:
        kept = [GenerateReportWorker.perform_async(1, "sales") for _ in range(3)]
        other = GenerateReportWorker.perform_async(1, "stock")
    assert [jid is not None for jid in kept] == [True, False, False]
    assert other is not None
    assert [e.detail["strategy"] for e in sim.trace.of_kind("lock_conflict")] == ["log"] * 2
    sim.drain()
    assert sorted(world.WORLD.calls) == ["report 1 sales", "report 1 stock"]
