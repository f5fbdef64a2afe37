"""The pytest matchers see an ActiveJob, not its Sidekiq wrapper."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import have_enqueued_job, have_performed_job


class SyncAccount(ActiveJob):
    queue_as = "sync"

    def perform(self, account_id: int, options: dict[str, Any]) -> None:
        pass


def test_have_enqueued_job_matches_the_active_job_class_and_arguments() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        SyncAccount.set(priority=5).perform_later(42, {"full": True})
        assert have_enqueued_job(SyncAccount).with_args(42, {"full": True}).on_queue("sync")
        assert have_enqueued_job(SyncAccount).with_priority(5).once()
        assert not have_enqueued_job(SyncAccount).with_priority(1)
        assert not have_enqueued_job(SyncAccount).with_args(43, {"full": True})
        sim.drain()
        assert have_performed_job(SyncAccount).with_args(42, {"full": True}).once()


def test_a_priority_mismatch_is_explained() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        SyncAccount.set(priority=5).perform_later(1, {})
        with pytest.raises(AssertionError, match="priority: expected 9, got 5"):
            have_enqueued_job(SyncAccount).with_priority(9).verify()
