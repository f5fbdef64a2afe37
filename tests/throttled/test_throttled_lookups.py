"""Where sidekiq-throttled finds a job's limits: ``sim.throttles``, and ActiveJob classes
found through ``job["wrapped"]`` with their own ``arguments`` (the gem's ``Message``)."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import assert_max_concurrency
from jobsim.throttled import Throttled, ThrottleView, throttles
from tests.conftest import START


class SyncAccount(
    ActiveJob,
    sidekiq_options={
        "throttle": {
            "concurrency": {"limit": 2},
            "threshold": {"limit": 3, "period": 60, "key_suffix": lambda account: account},
        }
    },
):
    def perform(self, account: str) -> None:
        pass


def test_sim_throttles_is_the_view_and_names_the_plugin_when_missing() -> None:
    sim = jobsim.Simulator(plugins=["throttled"])
    assert isinstance(sim.throttles, ThrottleView)
    assert throttles(sim) is sim.throttles  # the older spelling, kept working
    with pytest.raises(jobsim.InvalidArgument, match=r"sim\.throttles: .*plugins=\['throttled'\]"):
        _ = jobsim.Simulator().throttles


def test_an_active_job_class_is_throttled_by_its_wrapped_name_and_own_arguments() -> None:
    wrapper = jobsim.active_job.JobWrapper
    sim = jobsim.Simulator(
        start=START, concurrency=10, durations={wrapper: 5.0}, plugins=[Throttled()]
    )
    with sim:
        for account in ["ada", "ada", "ada", "ada", "bob"]:
            SyncAccount.perform_later(account)
    sim.drain()
    view = sim.throttles
    # The limits were found on SyncAccount through job["wrapped"], the key suffix was
    # computed from the ActiveJob's own arguments, not from the wrapper's one hash.
    assert view.keys() == [
        "throttled:SyncAccount:concurrency.v2",
        "throttled:SyncAccount:threshold:ada",
        "throttled:SyncAccount:threshold:bob",
    ]
    assert view.counts(SyncAccount.__name__).throttled >= 1
    assert_max_concurrency(wrapper, 2, sim=sim)
    starts = [event.ts - START for event in sim.trace.of_kind("started")]
    assert starts[:2] == [0.0, 0.0]
    assert max(starts) >= 60.0  # the fourth "ada" waited for the window: 3 per minute
    assert view.running("throttled:SyncAccount:concurrency.v2") == []  # every slot released


def test_a_scheduled_requeue_of_an_active_job_keeps_it_an_active_job() -> None:
    class Later(
        ActiveJob,
        sidekiq_options={
            "throttle": {"threshold": {"limit": 1, "period": 30}, "requeue": {"with": "schedule"}}
        },
    ):
        def perform(self, n: int) -> None:
            done.append(n)

    done: list[Any] = []
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        Later.perform_later(1)
        Later.perform_later(2)
    sim.drain()
    assert done == [1, 2]
    refusal = sim.trace.of_kind("throttled")[0]
    new = sim.trace.for_job(refusal.detail["new_jid"])[0].job
    assert new["wrapped"] == "Later"
    assert new["args"] == refusal.job["args"]
    assert sim.throttles.counts("Later").rescheduled == 1


class Blocked(jobsim.Job, throttle={"concurrency": {"limit": 0}}):
    def perform(self, n: int) -> None:
        pass


def test_perform_one_bypasses_the_fetcher_and_its_throttles() -> None:
    # Sidekiq::Testing's perform_one runs a job without the fetcher, where the gem admits
    # jobs, so nothing is refused, even from a queue the gem has cooled down or rested.
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        first = Blocked.perform_async(1)
        second = Blocked.perform_async(2)
    assert sim.drain(max_steps=100) == 0  # a limit of 0: refused, the queue rests
    assert sim.throttles.counts(Blocked).throttled == 2
    assert {sim.perform_one(), sim.perform_one()} == {first, second}
    assert sim.throttles.counts(Blocked).throttled == 2
    assert sim.throttles.running("throttled:Blocked:concurrency.v2") == []


def test_inline_mode_performs_throttled_jobs_at_enqueue() -> None:
    # Sidekiq::Testing.inline! performs at push, with no fetch: the gem never sees them.
    sim = jobsim.Simulator(start=START, mode="inline", plugins=[Throttled()])
    with sim:
        Blocked.perform_async(1)
        Blocked.perform_async(2)
    assert [event.kind for event in sim.trace if event.kind in ("started", "throttled")] == [
        "started",
        "started",
    ]
    assert sim.throttles.summary() == {}
