"""have_job over the retry set, the dead set and the schedule (rspec-sidekiq 5.3's have_job)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import jobsim
from jobsim.testing import ANY, have_job, regex


class Declined(Exception):
    pass


class Charge(jobsim.Job, retry=1):
    def perform(self, order_id: int) -> None:
        raise Declined(f"card declined for {order_id}")


class Refund(jobsim.Job):
    def perform(self, order_id: int) -> None:
        pass


def test_retry_set_with_error_class_and_retry_count() -> None:
    with jobsim.Simulator(seed=4) as sim:
        Charge.perform_async(7)
        sim.run_due()
        assert have_job(Charge).matches(sim.retries)
        assert have_job(Charge).with_args(7).with_retry_count(0).once().matches(sim.retries)
        assert have_job("Charge").with_error("card declined for 7").matches(sim.retries)
        assert have_job().with_error(regex("declined")).matches(sim.retries)
        assert have_job(Charge).with_error_class(Declined).matches(sim.retries)
        assert have_job(Charge).with_error_class(ANY).matches(sim.retries)
        assert not have_job(Charge).with_args(8).matches(sim.retries)
        assert not have_job(Refund).matches(sim.retries)
        assert have_job(Refund).never().matches(sim.retries)
        with pytest.raises(AssertionError) as caught:
            have_job(Charge).with_retry_count(3).verify(sim.retries)
        text = str(caught.value)
        assert text.startswith("expected to have at least 1 Charge job in retry\n")
        assert "but found 0 among 1 in retry" in text
        assert "Charge(7,) retry_count=0 error=" in text


def test_dead_set_and_died_within() -> None:
    with jobsim.Simulator(seed=4) as sim:
        Charge.perform_async(7)
        sim.drain()
        assert not have_job(Charge).matches(sim.retries)
        assert have_job(Charge).with_retry_count(1).matches(sim.dead)
        assert have_job(Charge).died_within(timedelta(minutes=1)).matches(sim.dead)
        sim.advance(timedelta(hours=2))
        assert not have_job(Charge).died_within(timedelta(hours=1)).matches(sim.dead)
        assert have_job(Charge).died_within(3 * 3600).matches(sim.dead)


def test_schedule_and_bad_input() -> None:
    with jobsim.Simulator() as sim:
        Refund.perform_in(60, 1)
        assert have_job(Refund).with_args(1).matches(sim.scheduled)
        with pytest.raises(jobsim.InvalidArgument, match=r"pass sim\.retries"):
            have_job(Refund).matches([])
        with pytest.raises(jobsim.InvalidArgument, match="pass a job class"):
            have_job(42)
