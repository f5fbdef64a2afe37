"""Guide 004 ("Background Jobs Best Practices"): its specs as pytest tests with
jobsim.testing, and each snippet's claim, measured."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

import jobsim
import jobsim.fuzz as fz
from examples.guides import guide_004 as g
from examples.guides import world
from jobsim.errors import JobsimDeprecationWarning
from jobsim.unique_jobs import UniqueJobs


@pytest.fixture(autouse=True)
def clean() -> None:
    g.LOG.clear()
    g.ChargeSubscriptionJob.DECLINE = False
    g.SendNotificationJob.FAILS_WITH = None


# -- "Job Testing" ------------------------------------------------------------------------------
@pytest.mark.usefixtures("jobsim")
def test_enqueues_job_after_order_creation() -> None:
    """``expect { post :create }.to change { ProcessOrderJob.jobs.size }.by(1)`` and
    ``ProcessOrderJob.jobs.last['args'] == [Order.last.id]``."""
    before = len(g.ProcessOrderJob.jobs)
    order_id = g.create_order(2500)
    assert len(g.ProcessOrderJob.jobs) - before == 1
    assert g.ProcessOrderJob.jobs[-1]["args"] == [order_id]


def test_processes_the_order() -> None:
    """``ProcessOrderJob.new.perform(order.id)``: the job's code, called directly."""
    g.ProcessOrderJob().perform(7)
    assert world.find_order(7).processed


def test_handles_missing_orders_gracefully() -> None:
    g.ProcessOrderJob().perform(999999)  # not_to raise_error


def test_charge_payment_job_is_idempotent() -> None:
    """The guide: "Test Idempotency": a second perform must not charge again."""
    g.ProcessPaymentJob().perform(7)
    g.ProcessPaymentJob().perform(7)
    assert world.WORLD.charges == [(7, 1500)]


# -- the rest of the guide -----------------------------------------------------------------------
def test_process_payment_job_under_the_fuzzer() -> None:
    """The double-check is safe for deliveries one after another; a crash between the charge
    and the update still charges twice (the lock does not make the gateway call atomic)."""
    one_after_another = fz.Faults(
        crashes=False, exceptions=False, concurrency=False, shutdown=False
    )
    options = {
        "args": [7],
        "setup": world.reset,
        "snapshot": world.snapshot,
        "effects": [world.PaymentGateway.charge],
    }
    fz.check_idempotent(g.ProcessPaymentJob, faults=one_after_another, **options)
    with pytest.raises(AssertionError, match=r"charge\(.*\) ran 2×"):
        fz.check_idempotent(g.ProcessPaymentJob, **options)


def test_weighted_queues_with_mailers_2() -> None:
    """critical 3 ("Process 3x more often" than low), default 2, low 1, mailers 2."""
    sim = jobsim.Simulator.from_sidekiq_yml(g.SIDEKIQ_YML, seed=9)
    jobs = {"critical": g.PaymentJob, "default": g.DefaultJob, "low": g.ReportJob}
    jobs["mailers"] = g.MailerJob
    with sim:
        for n in range(700):
            for job in jobs.values():
                job.perform_async(n)
    sim.drain()
    first = Counter(e.job["queue"] for e in list(sim.trace.of_kind("started"))[:1600])
    for queue, weight in {"critical": 3, "default": 2, "low": 1, "mailers": 2}.items():
        assert first[queue] / 1600 == pytest.approx(weight / 8, abs=0.03)
    assert first["critical"] / first["low"] == pytest.approx(3, rel=0.25)


def test_charge_subscription_retries_3_times_then_dies() -> None:
    g.ChargeSubscriptionJob.DECLINE = True
    sim = jobsim.Simulator(seed=1)
    sim.death_handlers.append(g.admin_death_handler)
    with sim:
        g.ChargeSubscriptionJob.perform_async(8)
        g.ChargeSubscriptionJob.perform_async(404)  # deleted: no retry
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 4 + 1
    assert g.LOG == ["job_failed ChargeSubscriptionJob [8] card declined"]


def test_fetch_data_retry_5() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        g.FetchDataJob.perform_async(3)
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 6


def _gaps(sim: jobsim.Simulator) -> list[float]:
    starts = [e.ts for e in sim.trace.of_kind("started")]
    return [b - a for a, b in itertools.pairwise(starts)]


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"])
def test_important_job_waits_are_not_10_40_90_160(profile: str) -> None:
    """The guide: "10 * (count ** 2) # 10, 40, 90, 160 seconds...": Sidekiq passes count 0 first,
    and a delay of 0 means "use the default", so the waits are 15 (the default), 10, 40, 90,
    160, ... (jitter pinned to 0 here)."""
    sim = jobsim.Simulator(seed=1, profile=profile, jitter="min")
    with sim:
        g.ImportantJob.perform_async()
    sim.drain()
    assert len(sim.trace.of_kind("started")) == 11
    assert _gaps(sim) == [15, 10, 40, 90, 160, 250, 360, 490, 640, 810]


def test_send_notification_handles_specific_errors() -> None:
    for error, retried in ((g.InvalidPhoneNumber, False), (g.NetOpenTimeout, True)):
        g.SendNotificationJob.FAILS_WITH = error
        sim = jobsim.Simulator(seed=1)
        with sim:
            g.SendNotificationJob.perform_async(1, "hi")
        sim.run_until(sim.time + 1)
        assert (len(sim.retries) == 1) is retried
    assert g.LOG == ["Invalid phone for user 1: no route"]


def test_send_email_job_with_simple_data() -> None:
    sim = jobsim.Simulator(seed=1, strict_args="raise")
    with sim:
        g.SendEmailJob.perform_async("user_welcome", {"email": "a@b.c", "name": "A"})
    sim.drain()
    assert world.WORLD.calls == ["user_welcome to a@b.c"]


# -- "Use Unique Jobs When Needed": SyncUserJob ---------------------------------------------
def test_sync_user_job_is_unique_per_user_id() -> None:
    """``unique: :until_executed, unique_args: ->(args) { [args.first] }  # Unique per user_id``:
    a second push for the same user is refused until the first has run; another user is not."""
    sim = jobsim.Simulator(seed=1, plugins=[UniqueJobs()])
    with sim:
        first = g.SyncUserJob.perform_async(1)
        again = g.SyncUserJob.perform_async(1)
        other = g.SyncUserJob.perform_async(2)
    assert first is not None
    assert again is None
    assert other is not None
    assert [job["lock_args"] for job in sim.queue().jobs] == [[1], [2]]
    sim.drain()
    assert world.WORLD.calls == ["sync 1", "sync 2"]
    with sim:
        after = g.SyncUserJob.perform_async(1)  # until_executed: free once it has run
    assert after is not None


def test_sync_user_job_old_spelling_warns_with_the_new_one() -> None:
    """The pre-7 names still work, and each warning names its sidekiq-unique-jobs 7 spelling."""
    messages = [str(w.message) for w in g.SYNC_USER_JOB_WARNINGS]
    assert all(issubclass(w.category, JobsimDeprecationWarning) for w in g.SYNC_USER_JOB_WARNINGS)
    assert len(messages) == 2
    assert "unique='until_executed'" in messages[0]
    assert "write lock='until_executed'" in messages[0]
    assert "unique_args=" in messages[1]
    assert "write lock_args_method=" in messages[1]
