"""The simulate-mode note on a failing enqueued-jobs count, in both forms (issue #17).

In jobsim's own mode (Rails' Sidekiq adapter) a performed job still counts as enqueued; Rails'
test adapter forgets it. A failing count says so whether it was called or written as a
``with`` block.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobsim
from jobsim.active_job import ActiveJob, settings
from jobsim.testing import (
    assert_enqueued_jobs,
    assert_no_enqueued_jobs,
    perform_enqueued_jobs,
)

PERFORMED = "1 of the jobs enqueued were performed since"
NOTE = "still count; Rails' test adapter forgets performed jobs"


class Ping(ActiveJob):
    def perform(self) -> None:
        pass


def _enqueue_and_perform() -> None:
    Ping.perform_later()
    perform_enqueued_jobs()


def _enqueue_twice() -> None:
    Ping.perform_later()
    Ping.perform_later()


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        yield simulator


def test_called_count_carries_the_note(sim: jobsim.Simulator) -> None:
    Ping.perform_later()
    perform_enqueued_jobs()
    with pytest.raises(AssertionError, match=NOTE):
        assert_enqueued_jobs(0)


def test_with_block_count_carries_the_note(sim: jobsim.Simulator) -> None:
    with pytest.raises(AssertionError, match=PERFORMED), assert_enqueued_jobs.inside(0):
        _enqueue_and_perform()


def test_called_no_jobs_carries_the_note(sim: jobsim.Simulator) -> None:
    Ping.perform_later()
    perform_enqueued_jobs()
    with pytest.raises(AssertionError, match=NOTE):
        assert_no_enqueued_jobs()


def test_with_block_no_jobs_carries_the_note(sim: jobsim.Simulator) -> None:
    with pytest.raises(AssertionError, match=NOTE), assert_no_enqueued_jobs.inside():
        _enqueue_and_perform()


def test_with_block_counts_only_its_own_performed_jobs(sim: jobsim.Simulator) -> None:
    Ping.perform_later()
    perform_enqueued_jobs()  # before the block: not the block's job, so not in its note
    with pytest.raises(AssertionError, match=PERFORMED), assert_enqueued_jobs.inside(0):
        _enqueue_and_perform()


def test_with_block_without_performed_jobs_has_no_note(sim: jobsim.Simulator) -> None:
    with pytest.raises(AssertionError) as failure, assert_enqueued_jobs.inside(0):
        Ping.perform_later()
    assert NOTE not in str(failure.value)


def test_with_block_under_the_test_adapter_has_no_note(sim: jobsim.Simulator) -> None:
    settings(sim).queue_adapter = "test"
    with pytest.raises(AssertionError) as failure, assert_enqueued_jobs.inside(1):
        _enqueue_twice()
    assert NOTE not in str(failure.value)


def test_with_block_that_passes_gives_its_jobs(sim: jobsim.Simulator) -> None:
    with assert_enqueued_jobs.inside(1) as block:
        Ping.perform_later()
    assert len(block.jobs) == 1
