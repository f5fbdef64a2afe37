"""Guide 002 ("Sidekiq Background Jobs", AnKhangCRM): each snippet's claim, measured."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta

import pytest

import jobsim
from examples.guides import guide_002 as g
from examples.guides import world
from jobsim.active_job import Symbol, settings
from jobsim.cron.recurring import Recurring
from jobsim.testing import deliveries

START = datetime(2026, 1, 5, tzinfo=g.ZONE)  # a Monday in Vietnam


@pytest.fixture(autouse=True)
def no_failures() -> None:
    g.ZaloMessageJob.FAILS_WITH = None
    g.ReliableJob.FAILS_WITH = None
    g.SendZaloMessageJob.TIMEOUTS = 0
    g.ADMIN_NOTIFIED.clear()


def _run(job: type, *args: object, rails: str = "7.0") -> jobsim.Simulator:
    """A run on Sidekiq 7 and the Rails the guide's code was written for (7.0)."""
    sim = jobsim.Simulator(seed=6, start=START, profile="sidekiq-7")
    settings(sim).rails = rails
    with sim:
        job.perform_later(*args)  # type: ignore[attr-defined]
        sim.drain()
    return sim


def test_send_notification_job() -> None:
    _run(g.SendNotificationJob, 1, "New contact available!")
    assert world.WORLD.calls == ["notify Ada: New contact available!"]


def test_zalo_rate_limit_gets_5_attempts_then_sidekiqs_25_retries() -> None:
    """``retry_on ..., attempts: 5``: five ActiveJob attempts, exponentially longer apart; then
    the error escapes to Sidekiq, whose own 25 retries follow (30 executions in all) -- the
    guide reads as if the fifth failure were the end."""
    g.ZaloMessageJob.FAILS_WITH = g.ZaloRateLimitError
    sim = _run(g.ZaloMessageJob, 7, "tpl-1")
    starts = [e.ts for e in sim.trace.of_kind("started")]
    assert len(starts) == 30
    waits = [b - a for a, b in itertools.pairwise(starts[:5])]
    # exponentially_longer (Rails 6.1): executions**4 + 2, plus up to 15 % jitter
    for executions, wait in enumerate(waits, start=1):
        base = executions**4 + 2
        assert base <= wait <= base * 1.15 + 1
    assert len(sim.dead) == 1


@pytest.mark.parametrize("rails", ["7.2", "8.0"])
def test_exponentially_longer_is_gone_from_rails_7_2(rails: str) -> None:
    """On Rails 7.2+ ``:exponentially_longer`` is no longer a wait: the first rate-limit error
    becomes ``RuntimeError("Couldn't determine a delay ...")``, and only Sidekiq's own retries
    run (1 + 25 executions, each failing so)."""
    g.ZaloMessageJob.FAILS_WITH = g.ZaloRateLimitError
    sim = _run(g.ZaloMessageJob, 7, "tpl-1", rails=rails)
    failed = sim.trace.of_kind("failed")
    assert len(failed) == 26
    assert {e.detail["error_message"] for e in failed} == {
        "Couldn't determine a delay based on :exponentially_longer"
    }


def test_zalo_invalid_token_is_discarded() -> None:
    g.ZaloMessageJob.FAILS_WITH = g.ZaloInvalidTokenError
    sim = _run(g.ZaloMessageJob, 7, "tpl-1")
    assert len(sim.trace.of_kind("started")) == 1
    assert (len(sim.retries), len(sim.dead)) == (0, 0)


def test_broadcast_worker_on_critical_with_retry_3() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.BroadcastContactCreatedWorker.perform_async(12)
        (job,) = sim.queue("critical").jobs
        assert job["retry"] == 3
        sim.drain()
    assert world.WORLD.calls == ["web push to Ada: contact 12", "web push to Lin: contact 12"]


def test_the_three_crons_fire_at_their_commented_times_in_vietnam() -> None:
    """The guide: "8 AM daily", "2 AM every Sunday", "9 AM weekdays" -- in the app's zone."""
    sim = jobsim.Simulator(seed=1, start=START)
    sim.register(g.DailyReportJob, g.CleanupLogsJob, g.CskhReminderJob)
    Recurring(sim, tz=g.ZONE, poll="exact").load(g.SCHEDULE).start()
    sim.run_until(START + timedelta(days=7))
    fired = Counter(
        (e.detail["name"], e.at.astimezone(g.ZONE).strftime("%a %H:%M"))
        for e in sim.trace.of_kind("cron_enqueued")
    )
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert fired == {
        **{("daily_report", f"{day} 08:00"): 1 for day in days},
        ("cleanup_old_logs", "Sun 02:00"): 1,
        **{("cskh_reminder", f"{day} 09:00"): 1 for day in days[:5]},
    }


def test_send_zalo_message_retries_twice_5_seconds_apart() -> None:
    """``retry_on Faraday::TimeoutError, wait: 5.seconds, attempts: 3``: 5 s plus Rails'
    jitter (up to 15 %)."""
    g.SendZaloMessageJob.TIMEOUTS = 2
    sim = _run(g.SendZaloMessageJob, 7, "tpl-2", {"name": "An"})
    starts = [e.ts for e in sim.trace.of_kind("started")]
    assert len(starts) == 3
    assert all(5 <= b - a <= 5.75 + 1 for a, b in itertools.pairwise(starts))
    assert world.WORLD.calls == ["zalo_sent 7 tpl-2"]


def test_send_email_job_by_type() -> None:
    _run(g.SendEmailJob, 1, Symbol("password_reset"))
    _run(g.SendEmailJob, 2, Symbol("daily_summary"), {"date": "2026-01-05"})
    # each run has its own simulator: count the deliveries of a last one
    sim = _run(g.SendEmailJob, 1, "daily_summary")
    assert [mail.subject for mail in deliveries(sim)] == ["Welcome"]


def test_reliable_job_discards_rescues_and_retries() -> None:
    g.ReliableJob.FAILS_WITH = world.RecordNotFound
    discarded = _run(g.ReliableJob, 1)
    assert len(discarded.trace.of_kind("started")) == 1
    assert (len(discarded.retries), len(discarded.dead)) == (0, 0)

    g.ReliableJob.FAILS_WITH = g.CustomError
    rescued = _run(g.ReliableJob, 1)
    assert len(rescued.trace.of_kind("started")) == 1
    assert g.ADMIN_NOTIFIED == [("ReliableJob", "boom")]

    g.ReliableJob.FAILS_WITH = RuntimeError
    retried = _run(g.ReliableJob, 1)
    assert len(retried.trace.of_kind("started")) == 5 + 25  # then Sidekiq's own retries


def test_weighted_queues_3_2_1() -> None:
    sim = jobsim.Simulator.from_sidekiq_yml(g.SIDEKIQ_YML, seed=8)
    with sim:
        for n in range(600):
            g.ZaloMessageJob.perform_later(n, "t")
            g.SendNotificationJob.perform_later(1, "m")
            g.BulkNotifyJob.set(queue="low").perform_later([n])
    sim.drain()
    first = [e.job["queue"] for e in sim.trace.of_kind("started")][:900]
    share = Counter(first)
    for queue, weight in {"critical": 3, "default": 2, "low": 1}.items():
        assert share[queue] / len(first) == pytest.approx(weight / 6, abs=0.04)
