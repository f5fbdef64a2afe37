"""have_enqueued_sidekiq_job: rspec-sidekiq's defaults (any args, at least one) and chains."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import jobsim
from jobsim.testing import ANY, have_enqueued_sidekiq_job

START = datetime(2026, 1, 1, tzinfo=UTC)


class Awesome(jobsim.Job, tags=["a"]):
    def perform(self, name: str, count: int) -> None:
        pass


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=2, start=START) as active:
        yield active


def test_defaults_any_args_and_at_least_one(sim: jobsim.Simulator) -> None:
    assert not have_enqueued_sidekiq_job(Awesome)
    Awesome.perform_async("string", 1)
    Awesome.perform_async("string", 2)
    assert have_enqueued_sidekiq_job(Awesome)
    assert have_enqueued_sidekiq_job(Awesome, "string", ANY).twice()
    assert have_enqueued_sidekiq_job(Awesome, "string", 1).once()
    assert not have_enqueued_sidekiq_job(Awesome, "other", 1)
    assert repr(have_enqueued_sidekiq_job(Awesome, "x", 1)).startswith(
        "<have_enqueued_sidekiq_job(Awesome).with_args('x', 1)"
    )


def test_on_at_in_immediately_and_with_context(sim: jobsim.Simulator) -> None:
    Awesome.set(queue="low").perform_in(timedelta(hours=1), "later", 1)
    Awesome.perform_async("now", 2)
    assert have_enqueued_sidekiq_job(Awesome, "later", 1).on("low").in_(3600)
    assert have_enqueued_sidekiq_job(Awesome, "later", 1).at(START + timedelta(hours=1))
    assert have_enqueued_sidekiq_job(Awesome, "now", 2).immediately()
    assert not have_enqueued_sidekiq_job(Awesome, "later", 1).immediately()
    assert have_enqueued_sidekiq_job(Awesome).with_context(retry=True, tags=["a"]).twice()
    assert not have_enqueued_sidekiq_job(Awesome).with_context(retry=False)
    with pytest.raises(jobsim.InvalidArgument, match=r"use on\(\) for 'queue'"):
        have_enqueued_sidekiq_job(Awesome).with_context(queue="low")
    with pytest.raises(jobsim.InvalidArgument, match="job class first"):
        have_enqueued_sidekiq_job(None)
