"""Guide 003 ("Sidekiq & Async Patterns Skill"): its sidekiq.yml verbatim, its spec as pytest
tests, and each snippet's claim, measured."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import yaml

import jobsim
from examples.guides import guide_003 as g
from examples.guides import world
from jobsim.active_job import settings
from jobsim.cron.scheduler import SidekiqScheduler
from jobsim.testing import deliveries, have_enqueued_job
from jobsim.unique_jobs import UniqueJobs

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def clean() -> None:
    g.LOG.clear()
    g.SmsService.SENT.clear()
    g.ExternalApiJob.FAILS_WITH = None
    g.ManualRetryJob.PLAN = []


# -- config/sidekiq.yml, verbatim ---------------------------------------------------------------
class AlwaysFails(jobsim.Job):
    def perform(self) -> None:
        raise RuntimeError("down")


@pytest.mark.parametrize(
    ("variables", "environment", "concurrency"),
    [
        ({}, None, 10),
        ({"SIDEKIQ_CONCURRENCY": "32"}, None, 32),
        ({}, "production", 20),
        ({"SIDEKIQ_CONCURRENCY": "32"}, "production", 20),
        ({}, "development", 5),
        ({"SIDEKIQ_CONCURRENCY": "32"}, "development", 5),
    ],
)
def test_the_sidekiq_yml_loads_verbatim(
    variables: dict[str, str], environment: str | None, concurrency: int
) -> None:
    """With SIDEKIQ_CONCURRENCY set and unset, default, production and development: the
    environment sections win over the ERB; :timeout: 25; :max_retries: 5 (6 executions)."""
    sim = jobsim.Simulator.from_sidekiq_yml(
        g.SIDEKIQ_YML, environment=environment, env=variables, seed=1
    )
    assert sim.concurrency == concurrency
    assert sim.shutdown_timeout == 25
    assert sim.queues == [
        "critical",
        "default",
        "notifications",
        "integrations",
        "bulk",
        "scheduled",
        "low",
    ]
    g.configure_server(sim)
    with sim:
        AlwaysFails.perform_async()
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 6
    assert g.LOG == ["Job AlwaysFails died: down"]  # the death handler


def test_the_weights_6_5_4_3_2_1_1() -> None:
    sim = jobsim.Simulator.from_sidekiq_yml(g.SIDEKIQ_YML, env={}, seed=2)
    weights = dict(zip(sim.queues, (6, 5, 4, 3, 2, 1, 1), strict=True))
    with sim:
        for n in range(900):  # enough that no queue runs dry in the first 2200 starts
            for queue in weights:
                g.FlexibleJob.set(queue=queue).perform_later({"priority": "low", "n": n})
    sim.drain()
    first = Counter(e.job["queue"] for e in list(sim.trace.of_kind("started"))[:2200])
    for queue, weight in weights.items():
        assert first[queue] / 2200 == pytest.approx(weight / 22, abs=0.03)


# -- "Testing Jobs": spec/jobs/task_notification_job_spec.rb ------------------------------------
@pytest.mark.usefixtures("jobsim")
def test_sends_notification() -> None:
    g.TaskNotificationJob.perform_now(1)
    assert g.SmsService.SENT == [("ada@example.com", "task 1 created")]


@pytest.mark.usefixtures("jobsim")
def test_is_idempotent() -> None:
    g.TaskNotificationJob.perform_now(1)  # First call
    g.TaskNotificationJob.perform_now(1)  # Second call should not send again
    assert len(g.SmsService.SENT) == 1


@pytest.mark.usefixtures("jobsim")
def test_when_task_not_found_it_does_not_raise() -> None:
    """The spec expects ``perform_now(0)`` to ``raise_error(ActiveRecord::RecordNotFound)``;
    but the job declares ``retry_on ActiveRecord::RecordNotFound``, so ``perform_now`` rescues
    it and enqueues a retry in 5 s: that spec fails on Rails."""
    g.TaskNotificationJob.perform_now(0)
    assert have_enqueued_job(g.TaskNotificationJob).with_args(0).on_queue("notifications")


@pytest.mark.usefixtures("jobsim")
def test_queues_on_correct_queue() -> None:
    with have_enqueued_job().on_queue("notifications"):
        g.TaskNotificationJob.perform_later(1)


# -- the rest of the guide -----------------------------------------------------------------------
def test_send_welcome_email_wrong_sends_twice_correct_once() -> None:
    for job, sent in ((g.SendWelcomeEmailJobWrong, 2), (g.SendWelcomeEmailJob, 1)):
        world.reset()
        sim = jobsim.Simulator(seed=1)
        with sim:
            job.perform_later(1)
            job.perform_later(1)  # a duplicate delivery
            sim.drain()
        assert len(deliveries(sim)) == sent


def _gaps(sim: jobsim.Simulator) -> list[float]:
    starts = [e.ts for e in sim.trace.of_kind("started")]
    return [b - a for a, b in itertools.pairwise(starts)]


def _external(error: type[Exception], rails: str = "7.1") -> jobsim.Simulator:
    g.ExternalApiJob.FAILS_WITH = error
    sim = jobsim.Simulator(seed=4, profile="sidekiq-7")
    settings(sim).rand = 0.0  # pin Rails' retry jitter to 0
    with sim:
        g.ExternalApiJob.perform_later(1)
        sim.drain()
    return sim


def test_polynomially_longer_waits_3_18_83_258_not_627() -> None:
    """The guide: "Exponential backoff: 3s, 18s, 83s, 258s, 627s": with ``attempts: 5`` there are
    only four waits; the fifth failure goes to Sidekiq's retries (15 s + jitter next), not 627
    s."""
    gaps = _external(g.ApiRateLimitError)
    assert _gaps(gaps)[:4] == [3, 18, 83, 258]
    assert _gaps(gaps)[4] < 627


def test_the_other_retry_on_lines() -> None:
    assert _gaps(_external(g.NetOpenTimeout))[:2] == [5, 5]  # wait: 5.seconds, attempts: 3
    assert _gaps(_external(g.CustomError))[:4] == [10, 20, 30, 40]  # executions * 10.seconds
    discarded = _external(g.UnrecoverableError)
    assert len(discarded.trace.of_kind("started")) == 1
    assert (len(discarded.retries), len(discarded.dead)) == (0, 0)


def test_manual_retry_re_enqueues_a_new_job_in_a_minute() -> None:
    g.ManualRetryJob.PLAN = [g.RateLimitError, g.PermanentError]
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        g.ManualRetryJob.perform_later(5)
        sim.drain()
    starts = sim.trace.of_kind("started")
    assert [e.at - START for e in starts] == [timedelta(0), timedelta(minutes=1)]
    assert len({e.jid for e in starts}) == 2  # a new job, not a Sidekiq retry
    assert g.LOG == ["Permanent failure: task 5"]
    assert len(sim.retries) == 0


def test_recurring_yml_fires_2am_daily_hourly_and_monday_9am() -> None:
    """config/recurring.yml with sidekiq-scheduler (rufus fires on time)."""
    sim = jobsim.Simulator(seed=1, start=START)
    sim.register(g.DailyCleanupJob, g.HourlySyncJob, g.WeeklyReportJob)
    schedule = yaml.safe_load(g.RECURRING_YML.read_text(encoding="utf-8"))
    SidekiqScheduler(sim).load(schedule).start()
    sim.run_until(START + timedelta(days=7))
    fired = Counter(
        (e.detail["name"], e.job["queue"], e.at.strftime("%a %H:%M"))
        for e in sim.trace.of_kind("cron_enqueued")
    )
    by_name = Counter(e.detail["name"] for e in sim.trace.of_kind("cron_enqueued"))
    assert by_name == {"daily_cleanup": 7, "hourly_sync": 7 * 24, "weekly_report": 1}
    assert all(when.endswith("02:00") for name, q, when in fired if name == "daily_cleanup")
    assert fired[("weekly_report", "low", "Mon 09:00")] == 1
    assert {q for name, q, when in fired} == {"scheduled", "integrations", "low"}


def test_error_handling_swallows_record_not_found_and_re_raises_the_rest() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.MyJob.perform_later(99)
        sim.drain()
    assert g.LOG == ["MyJob: Record not found - Couldn't find User with 'id'=99"]
    assert len(sim.trace.of_kind("succeeded")) == 1


def test_flexible_job_picks_its_queue_from_the_arguments() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.FlexibleJob.perform_later({"priority": "high"})
        g.FlexibleJob.perform_later({"priority": "low"})
        assert (sim.queue("critical").size, sim.queue("default").size) == (1, 1)


def test_strict_args_refuses_an_object() -> None:
    """``Sidekiq.strict_args!`` ("Recommended"): a non-JSON argument is refused at the push."""
    sim = jobsim.Simulator(seed=1, strict_args="raise")
    with sim, pytest.raises(jobsim.JobsimError, match="native JSON types"):
        g.DailyCleanupJob.perform_async(world.find_user(1))


# -- "Unique Jobs (with sidekiq-unique-jobs)": UniqueProcessingJob ------------------------------
def test_unique_processing_job_is_not_unique_on_active_job() -> None:
    """``lock_args_method: :lock_args`` returning ``[args[0]]`` claims one job per resource_id.
    On an ActiveJob class the job's ``class`` is Sidekiq's wrapper, which has no ``lock_args``:
    the method is never called, and the lock args are the wrapper's one argument, the ActiveJob
    job hash with its own job_id, so every push gets its own digest and both run."""
    g.UniqueProcessingJob.LOCK_ARGS_CALLS.clear()
    sim = jobsim.Simulator(seed=1, plugins=[UniqueJobs()])
    with sim:
        g.UniqueProcessingJob.perform_later(5, {"full": True})
        g.UniqueProcessingJob.perform_later(5, {"full": False})
    jobs = sim.queue().jobs
    assert len(jobs) == 2
    assert g.UniqueProcessingJob.LOCK_ARGS_CALLS == []
    (args_0,) = jobs[0]["lock_args"]
    assert args_0["job_class"] == "UniqueProcessingJob"
    assert args_0["arguments"][0] == 5
    assert len({job["lock_digest"] for job in jobs}) == 2
    sim.drain()
    assert world.WORLD.calls == ["process 5", "process 5"]


def test_unique_processing_as_a_sidekiq_job_is_one_per_resource_id() -> None:
    """The same options on a Sidekiq job do what the guide says: lock_args is called with the
    job's args and the second push for resource 5 is refused, whatever its options."""
    calls: list[list[object]] = []

    class UniqueProcessingWorker(jobsim.Job, lock="until_executed", lock_args_method="lock_args"):
        @classmethod
        def lock_args(cls, args: list[object]) -> list[object]:
            calls.append(args)
            return [args[0]]

        def perform(self, resource_id: int, options: dict[str, bool] | None = None) -> None:
            world.WORLD.calls.append(f"process {resource_id}")

    sim = jobsim.Simulator(seed=1, plugins=[UniqueJobs()])
    with sim:
        kept = [
            UniqueProcessingWorker.perform_async(5, {"full": True}),
            UniqueProcessingWorker.perform_async(5, {"full": False}),
            UniqueProcessingWorker.perform_async(6),
        ]
    assert [jid is not None for jid in kept] == [True, False, True]
    assert calls[:2] == [[5, {"full": True}], [5, {"full": False}]]
    sim.drain()
    assert sorted(world.WORLD.calls) == ["process 5", "process 6"]
