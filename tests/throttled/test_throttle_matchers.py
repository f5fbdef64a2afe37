"""The rate-limit assertions fail when the limit was not kept, and say where."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.testing import assert_max_concurrency, assert_starts_per_window, have_been_throttled
from jobsim.throttled import Throttled
from tests.conftest import START


class Free(jobsim.Job):
    duration = 10.0

    def perform(self, *args: Any) -> None:
        pass


class Limited(jobsim.Job, throttle={"concurrency": {"limit": 2}}):
    duration = 10.0

    def perform(self, *args: Any) -> None:
        pass


def run(job_class: type[jobsim.Job], count: int) -> jobsim.Simulator:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Throttled()])
    with sim:
        for index in range(count):
            job_class.perform_async(index)
    sim.drain()
    return sim


def test_assert_max_concurrency_passes_under_the_limit_and_fails_over_it() -> None:
    assert_max_concurrency(Limited, 2, sim=run(Limited, 5))
    with pytest.raises(AssertionError, match="5 executions of Free ran at once at 2026-01-01T"):
        assert_max_concurrency(Free, 2, sim=run(Free, 5))


def test_assert_starts_per_window() -> None:
    sim = run(Limited, 6)
    assert_starts_per_window(Limited, 2, 10, sim=sim)
    with pytest.raises(AssertionError, match="3 executions of Limited started within 20 s"):
        assert_starts_per_window(Limited, 2, 20, sim=sim)


def test_have_been_throttled_counts_refusals() -> None:
    sim = run(Limited, 3)
    assert have_been_throttled(Limited, sim=sim)
    assert have_been_throttled(Limited, sim=sim).at_least(1)
    assert not have_been_throttled(Free, sim=run(Free, 3))
    matcher = have_been_throttled(Limited, sim=sim).exactly(10_000)
    assert not matcher
    assert "expected 10000..10000" in repr(matcher)


def test_no_active_simulator_is_a_clear_error() -> None:
    with pytest.raises(jobsim.NoActiveSimulator, match="pass sim="):
        have_been_throttled(Limited)
