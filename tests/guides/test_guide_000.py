"""Guide 000 ("Sidekiq – Background Jobs", Spanish): each snippet's claim, measured."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import yaml

import jobsim
import jobsim.fuzz as fz
from examples.guides import guide_000 as g
from examples.guides import world
from jobsim.active_job import settings
from jobsim.cron.recurring import Recurring
from jobsim.testing import assert_max_concurrency, assert_starts_per_window, deliveries
from jobsim.throttled import Throttled

START = datetime(2023, 12, 31, 12, 0, tzinfo=g.ZONE)


def test_email_worker_now_in_five_minutes_and_at_a_time() -> None:
    """The guide: "Worker Básico": perform_async, perform_in(5.minutes),
    perform_at(Time.zone.parse)."""
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        g.enqueue_email_worker(world.find_user(1))
        assert sim.queue("mailers").size == 1
        sim.drain()
    started = [e.at.astimezone(g.ZONE) for e in sim.trace.of_kind("started")]
    assert started == [START, START + timedelta(minutes=5), datetime(2024, 1, 1, 9, tzinfo=g.ZONE)]
    assert [mail.to for mail in deliveries(sim)] == [("ada@example.com",)] * 3


def test_welcome_email_job_now_and_in_an_hour() -> None:
    """ActiveJob: perform_later(user) (a GlobalID in the job data) and set(wait: 1.hour)."""
    sim = jobsim.Simulator(seed=1, start=START)
    settings(sim).finders["User"] = world.find_user_by_global_id
    with sim:
        g.enqueue_welcome_email_job(world.find_user(2))
        (first,) = sim.queue("mailers").jobs
        assert first["args"][0]["arguments"] == [{"_aj_globalid": "gid://guides/User/2"}]
        sim.drain()
    assert len(deliveries(sim)) == 2
    assert sim.now - START == timedelta(hours=1)


ONE_AFTER_ANOTHER = fz.Faults(crashes=False, exceptions=False, concurrency=False, shutdown=False)


def test_the_not_idempotent_charge_worker_is_caught() -> None:
    """❌ "Cobra N veces si se reintenta": a second delivery charges again."""
    with pytest.raises(AssertionError, match=r"charge\(.*\) ran 2×"):
        fz.check_idempotent(
            g.ChargeWorkerNotIdempotent,
            args=[7],
            setup=world.reset,
            snapshot=world.snapshot,
            effects=[world.PaymentGateway.charge],
            faults=ONE_AFTER_ANOTHER,
        )


def test_the_idempotent_charge_worker_passes_duplicates() -> None:
    """✅ "verifica estado antes de actuar": safe for deliveries one after another."""
    fz.check_idempotent(
        g.ChargeWorker,
        args=[7],
        setup=world.reset,
        snapshot=world.snapshot,
        effects=[world.PaymentGateway.charge],
        faults=ONE_AFTER_ANOTHER,
    )


def test_but_not_a_crash_between_the_charge_and_the_update() -> None:
    """What the guide leaves out: a crash after the charge, before ``update!``, charges twice
    under reliable fetch (and a retry after an error there does too)."""
    with pytest.raises(AssertionError, match=r"charge\(.*\) ran 2×"):
        fz.check_idempotent(
            g.ChargeWorker,
            args=[7],
            setup=world.reset,
            snapshot=world.snapshot,
            effects=[world.PaymentGateway.charge],
        )


def test_sync_user_worker_find_or_create_is_idempotent() -> None:
    fz.check_idempotent(
        g.SyncUserWorker,
        args=["ext-9", {"name": "Kim", "email": "kim@example.com"}],
        setup=world.reset,
        snapshot=world.snapshot,
    )


def _gaps(sim: jobsim.Simulator) -> list[float]:
    starts = [e.ts for e in sim.trace.of_kind("started")]
    return [later - earlier for earlier, later in itertools.pairwise(starts)]


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"])
def test_retry_5_dies_after_six_executions(profile: str) -> None:
    """The guide: "Reintentar hasta 5 veces": 1 + 5 executions, then the dead set and the hook."""
    g.FAILED_JOBS.clear()
    sim = jobsim.Simulator(seed=4, profile=profile)
    with sim:
        g.RiskyWorker.perform_async(42)
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 6
    assert len(sim.dead) == 1
    assert g.FAILED_JOBS == [{"worker": "RiskyWorker", "args": [42], "error": "API down for 42"}]


def test_the_backoff_is_not_the_guides_rand_30() -> None:
    """The guide: "Backoff por defecto: (retry_count^4) + 15 + (rand(30) * (retry_count + 1))" is
    Sidekiq ≤ 6.2.1; 6.2.2 cut the jitter to ``rand(10) * (count + 1)``. The real gaps, with the
    jitter at its least and its most, beside the guide's range."""
    bounds = {}
    for jitter in ("min", "max"):
        sim = jobsim.Simulator(seed=4, profile="sidekiq-6.4", jitter=jitter)
        with sim:
            g.RiskyWorker.perform_async(42)
        sim.drain()
        bounds[jitter] = _gaps(sim)
    counts = range(5)
    assert bounds["min"] == [g.guide_backoff(c, 0) for c in counts] == [15, 16, 31, 96, 271]
    assert bounds["max"] == [g.guide_backoff(c, 0) + 9 * (c + 1) for c in counts]
    guide_max = [g.guide_backoff(c, 29) for c in counts]
    assert guide_max == [44, 74, 118, 212, 416]
    assert all(real < guide for real, guide in zip(bounds["max"], guide_max, strict=True))


def test_retry_false_does_not_go_to_the_dead_queue() -> None:
    """The guide: "Sin reintentos (fallo → dead queue directamente)" is wrong: with ``retry: false``
    Sidekiq re-raises and forgets the job; the dead set stays empty."""
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.RiskyWorkerNoRetry.perform_async(1)
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 1
    assert len(sim.dead) == 0
    assert len(sim.retries) == 0


def test_perform_in_24_hours_and_at_tomorrows_midnight() -> None:
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        g.schedule_reports(world.find_user(1), sim.now)
    ats = sorted(datetime.fromtimestamp(entry.score, g.ZONE) for entry in sim.scheduled)
    assert ats == [datetime(2024, 1, 1, tzinfo=g.ZONE), START + timedelta(hours=24)]


def test_the_schedule_fires_at_8_daily_and_sundays_at_2_in_the_zone() -> None:
    """config/schedule.yml: "Todos los días a las 8am", "Domingos a las 2am"."""
    start = datetime(2026, 3, 23, tzinfo=g.ZONE)  # a Monday; Madrid moves to CEST on the 29th
    sim = jobsim.Simulator(seed=1, start=start)
    sim.register(g.DailyReportWorker, g.CleanupWorker)
    schedule = yaml.safe_load(g.SCHEDULE_YML.read_text(encoding="utf-8"))
    Recurring(sim, tz=g.ZONE, poll="exact").load(schedule).start()
    sim.run_until(start + timedelta(days=14))
    fired = Counter()
    for event in sim.trace.of_kind("cron_enqueued"):
        local = event.at.astimezone(g.ZONE)
        fired[(event.detail["name"], local.strftime("%a %H:%M"))] += 1
    assert fired == {
        **{("daily_report", f"{day} 08:00"): 2 for day in ("Mon", "Tue", "Wed", "Thu", "Fri")},
        ("daily_report", "Sat 08:00"): 2,
        ("daily_report", "Sun 08:00"): 2,
        # Not 2 but 1: Europe moves to summer time on Sunday 29 March at 02:00, so that
        # Sunday has no 02:00 and Fugit skips it (as cron_test.rb's DST walks show).
        ("cleanup_old_records", "Sun 02:00"): 1,
    }
    (cleanup,) = [
        e for e in sim.trace.of_kind("cron_enqueued") if e.detail["name"] != "daily_report"
    ]
    assert cleanup.at.astimezone(g.ZONE).date().isoformat() == "2026-04-05"


def test_weighted_queues_start_jobs_in_proportion() -> None:
    """config/sidekiq.yml: critical 3, default 2, mailers 1, low 1 ("Prioridad 3x")."""
    sim = jobsim.Simulator.from_sidekiq_yml(g.SIDEKIQ_YML, seed=5)
    assert sim.concurrency == 10
    workers = [g.CriticalWorker, g.DefaultWorker, g.MailersWorker, g.LowWorker]
    with sim:
        for n in range(1000):
            for worker in workers:
                worker.perform_async(n)
    sim.drain()
    first = [e.job["queue"] for e in sim.trace.of_kind("started")][:1400]
    share = {queue: count / len(first) for queue, count in Counter(first).items()}
    for queue, weight in {"critical": 3, "default": 2, "mailers": 1, "low": 1}.items():
        assert share[queue] == pytest.approx(weight / 7, abs=0.03)


def test_the_rate_limit_middleware_lets_100_a_minute_through() -> None:
    """The guide: "Opción 2: Middleware personalizado con Redis": the 101st job in a
    minute raises."""
    sim = jobsim.Simulator(seed=1, start=datetime(2026, 1, 5, tzinfo=UTC))
    sim.server_middleware.add(g.RateLimitMiddleware, g.FakeRedis(sim))
    with sim:
        for n in range(150):
            g.ReportWorker.perform_async(n)
    sim.run_until(sim.time + 10)
    failed = sim.trace.of_kind("failed")
    assert len(sim.trace.of_kind("succeeded")) == 100
    assert {e.detail["error_message"] for e in failed} == {"Rate limit exceeded"}
    assert len(failed) == 50
    sim.drain()  # their retries come after the window: all succeed
    assert len(sim.trace.of_kind("succeeded")) == 150


def test_api_worker_runs_five_at_once_and_a_hundred_a_minute() -> None:
    """The guide: "Opción 1: sidekiq-throttled": concurrency 5 ("Máx 5 jobs simultáneos"),
    threshold 100 per 60 s ("Máx 100 jobs por minuto"), over a burst of 300 on 25 threads."""
    sim = jobsim.Simulator(seed=1, concurrency=25, plugins=[Throttled()])
    start = sim.time
    with sim:
        for record_id in range(300):
            g.ApiWorker.perform_async(record_id)
    sim.drain()
    assert len(world.WORLD.calls) == 300
    assert_max_concurrency(g.ApiWorker, 5, sim=sim)
    assert_starts_per_window(g.ApiWorker, 100, 60, sim=sim)
    # Both limits bind: 5 at once would take 90 s for 300 calls of 1.5 s; 100 a minute makes
    # the third hundred wait for the first minute's starts to age out.
    assert sim.time - start > 120
    with pytest.raises(AssertionError):
        assert_max_concurrency(g.ApiWorker, 4, sim=sim)
    with pytest.raises(AssertionError):
        assert_starts_per_window(g.ApiWorker, 99, 60, sim=sim)
