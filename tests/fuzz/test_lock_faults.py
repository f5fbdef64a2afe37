"""Fault schedules that know unique locks: a lock that expires while its job waits, and a crash
while a runtime lock is held. A unique lock is not an idempotency guarantee, and the fuzzer
shows it (the gem's README warns of exactly this)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given, settings

import jobsim
import jobsim.fuzz as fz
from jobsim.fuzz._effects import as_effects, patched
from jobsim.fuzz._run import RunResult, execute
from jobsim.fuzz._strategies import schedules
from jobsim.unique_jobs import UniqueJobs, expire_locks

#: Charges made, by order id (reset before every run).
LEDGER: list[int] = []


def reset() -> None:
    LEDGER.clear()


def snapshot() -> list[int]:
    return sorted(LEDGER)


def charge(order_id: int) -> None:
    LEDGER.append(order_id)


class ChargeOnce(jobsim.Job, lock="until_executing", lock_ttl=60):
    """Charges an order; its lock is meant to stop a second push while it waits."""

    def perform(self, order_id: int) -> None:
        sys.modules[__name__].charge(order_id)  # looked up at call time: the patched effect


class ChargeUntilExecuted(jobsim.Job, lock="until_executed", lock_ttl=60):
    """The same under ``until_executed``: the job whose lock expired is skipped instead."""

    def perform(self, order_id: int) -> None:
        sys.modules[__name__].charge(order_id)  # looked up at call time: the patched effect


class ChargeWhileLocked(jobsim.Job, lock="while_executing"):
    """Charges an order under a runtime lock."""

    def perform(self, order_id: int) -> None:
        sys.modules[__name__].charge(order_id)


EFFECTS = [fz.effect(f"{__name__}.charge", once=True)]
PLUGINS = [UniqueJobs()]


def check(job: type[jobsim.Job], **options: Any) -> None:
    fz.check_idempotent(job, args=[7], setup=reset, snapshot=snapshot, effects=EFFECTS, **options)


def run_once(job: type[jobsim.Job], schedule: fz.Schedule) -> RunResult:
    with patched(as_effects(EFFECTS, job=job)):
        return execute(job, (7,), schedule, setup=reset, snapshot=snapshot, plugins=PLUGINS)


def test_a_held_lock_refuses_the_resubmission() -> None:
    check(ChargeOnce, plugins=PLUGINS, schedule=fz.Schedule(resubmits=2))
    run = run_once(ChargeOnce, fz.Schedule(resubmits=1))
    assert (None, "pushed again with a new jid: refused by its lock") in run.timeline
    assert run.snapshot == [7]


def test_a_lock_that_expires_while_its_job_waits_lets_the_resubmission_in() -> None:
    with pytest.raises(AssertionError) as caught:
        check(ChargeOnce, plugins=PLUGINS, schedule=fz.Schedule(resubmits=1, lock_expires=True))
    report = str(caught.value)
    assert "ChargeOnce(7) is not idempotent" in report
    assert "pushed again 1× with a new jid, after its lock expired" in report
    assert "expired while the job waited (lock_ttl)" in report
    assert "pushed again with a new jid: accepted as" in report
    assert "(another job, new jid)" in report
    assert "resubmits=1, lock_expires=True)" in report  # the replay line carries them


def test_under_until_executed_the_job_whose_lock_expired_is_skipped_not_run_twice() -> None:
    # UntilExecuted#execute: its own lock is gone and the new job holds it, so the first job's
    # perform is skipped (no strategy); the order is charged once, by the resubmitted job.
    expired = fz.Schedule(resubmits=1, lock_expires=True)
    check(ChargeUntilExecuted, plugins=PLUGINS, schedule=expired)
    run = run_once(ChargeUntilExecuted, expired)
    assert run.snapshot == [7]
    assert [delivery.other for delivery, _ in run.timeline if delivery is not None][-1] is True


def test_a_crash_while_a_runtime_lock_is_held_leaves_it_held_and_the_redelivery_reenters() -> None:
    crash = fz.Schedule(fetch="reliable", faults=((0, "crash-after"),))
    with pytest.raises(AssertionError) as caught:
        check(ChargeWhileLocked, plugins=PLUGINS, schedule=crash)
    report = str(caught.value)
    assert ":RUN stays held (no ensure ran)" in report
    assert "charge(order_id=7) ran 2× (1× in one clean run)" in report


def test_under_basic_fetch_the_lost_job_keeps_its_runtime_lock() -> None:
    crash = fz.Schedule(fetch="basic", faults=((0, "crash-before"),))
    run = run_once(ChargeWhileLocked, crash)
    (line,) = [step for _, step in run.timeline if step.startswith("process crashed")]
    assert line.startswith("process crashed: job lost (basic fetch); its lock uniquejobs:")
    assert line.endswith(":RUN stays held (no ensure ran)")


def test_the_search_finds_that_a_lock_is_not_idempotency() -> None:
    only_locks = fz.Faults(
        duplicates=False, crashes=False, exceptions=False, concurrency=False, shutdown=False
    )
    with pytest.raises(AssertionError) as caught:
        check(
            ChargeOnce,
            plugins=PLUGINS,
            faults=only_locks,
            settings=settings(database=None, deadline=None),
        )
    report = str(caught.value)
    assert "after its lock expired" in report
    assert "charge(order_id=7) ran 2×" in report


def test_without_the_lock_faults_the_same_search_passes() -> None:
    none = fz.Faults(
        duplicates=False,
        crashes=False,
        exceptions=False,
        concurrency=False,
        shutdown=False,
        lock_expiry=False,
    )
    check(ChargeOnce, plugins=PLUGINS, faults=none, settings=settings(database=None, deadline=None))


@settings(database=None, max_examples=60)
@given(schedules())
def test_without_a_unique_plugin_no_lock_fault_is_drawn(schedule: fz.Schedule) -> None:
    assert (schedule.resubmits, schedule.lock_expires) == (0, False)


def test_a_schedule_without_lock_faults_replays_as_before() -> None:
    assert repr(fz.Schedule(seed=3, deliveries=2)) == (
        "Schedule(seed=3, fetch='basic', deliveries=2, concurrent=1, faults=(), order=())"
    )


def test_expire_locks() -> None:
    sim = jobsim.Simulator(plugins=PLUGINS)
    with sim:
        jid = ChargeOnce.perform_async(7)
    assert jid is not None
    (digest,) = sim.locks.held_by(jid)
    assert expire_locks(sim, jid) == [digest]
    assert digest not in sim.locks
    assert expire_locks(sim, jid) == []
    with sim:
        assert ChargeOnce.perform_async(7) is not None


def test_expire_locks_refuses_bad_input() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="no unique-jobs plugin"):
        expire_locks(jobsim.Simulator(), "abc")
    with pytest.raises(jobsim.InvalidArgument, match="pass the jid"):
        expire_locks(jobsim.Simulator(plugins=PLUGINS), 7)  # type: ignore[arg-type]
