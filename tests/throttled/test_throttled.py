"""sidekiq-throttled on the virtual clock: admission at fetch, release, requeue, cooldown."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.throttled import Throttled, throttles
from tests.conftest import START


def job_class(name: str, throttle: dict[str, Any], seconds: float = 0.0, fail: bool = False):
    def perform(self: Any, *args: Any) -> None:
        if fail:
            raise RuntimeError("boom")

    return type(name, (jobsim.Job,), {"perform": perform, "duration": seconds}, throttle=throttle)


def starts(sim: jobsim.Simulator, name: str) -> list[float]:
    return [event.ts for event in sim.trace.of_kind("started") if event.job["class"] == name]


def max_running(sim: jobsim.Simulator, name: str) -> int:
    running = peak = 0
    for event in sim.trace:
        if event.job.get("class") != name:
            continue
        if event.kind == "started":
            running += 1
            peak = max(peak, running)
        elif event.kind in ("succeeded", "failed"):
            running -= 1
    return peak


def test_concurrency_never_exceeds_the_limit_and_every_job_runs() -> None:
    klass = job_class("Conc", {"concurrency": {"limit": 2}}, seconds=10.0)
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Throttled()])
    with sim:
        for i in range(7):
            klass.perform_async(i)
    assert sim.drain() == 7
    assert max_running(sim, "Conc") == 2
    assert sim.time - START == 40.0  # 7 jobs, 2 at a time, 10 s each: 4 rounds
    assert throttles(sim).running("throttled:Conc:concurrency.v2") == []


def test_threshold_is_a_rolling_window_over_the_last_limit_starts() -> None:
    klass = job_class("Thr", {"threshold": {"limit": 3, "period": 60}})
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        for i in range(7):
            klass.perform_async(i)
    sim.drain()
    assert [at - START for at in starts(sim, "Thr")] == [0, 0, 0, 60, 60, 60, 120]


def test_a_failing_job_releases_its_slot_and_its_retry_is_throttled_again() -> None:
    klass = job_class("Fails", {"concurrency": {"limit": 1}}, seconds=5.0, fail=True)
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        klass.set(retry=False).perform_async(1)
        klass.set(retry=False).perform_async(2)
    sim.drain()
    assert [at - START for at in starts(sim, "Fails")] == [0.0, 5.0]


def test_a_slot_is_lost_after_lost_job_threshold_so_a_second_job_may_start() -> None:
    klass = job_class(
        "Slow", {"concurrency": {"limit": 1, "lost_job_threshold": 60}}, seconds=100.0
    )
    sim = jobsim.Simulator(start=START, plugins=[Throttled(cooldown_period=None)])
    with sim:
        klass.perform_async(1)
        klass.perform_async(2)
    sim.drain()
    second = starts(sim, "Slow")[1] - START
    assert 60.0 < second < 60.001  # just after the first slot's score passed


def test_threshold_refusal_gives_back_the_concurrency_slot() -> None:
    klass = job_class(
        "Both", {"concurrency": {"limit": 5}, "threshold": {"limit": 1, "period": 30}}, 100.0
    )
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        klass.perform_async(1)
        klass.perform_async(2)
    sim.run_until(START + 10)
    view = throttles(sim)
    assert len(view.running("throttled:Both:concurrency.v2")) == 1
    assert view.counts("Both").throttled >= 1


def test_schedule_requeue_makes_a_new_job_at_retry_in() -> None:
    klass = job_class(
        "Sched",
        {"threshold": {"limit": 1, "period": 5}, "requeue": {"with": "schedule"}},
    )
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        first = klass.perform_async(1)
        second = klass.perform_async(2)
    sim.run_due()
    event = sim.trace.of_kind("throttled")[0]
    assert event.jid == second
    assert event.detail["retry_in"] == 5.0  # period - (now - oldest); no jitter at <= 10 s
    new_jid = event.detail["new_jid"]
    assert new_jid not in (first, second)
    assert sim.locate(new_jid) == "schedule"
    sim.drain()
    assert sim.locate(new_jid) == "done"
    assert throttles(sim).counts("Sched").rescheduled == 1


def test_requeue_to_another_queue_and_per_argument_keys() -> None:
    klass = job_class(
        "PerUser",
        {
            "threshold": {"limit": 1, "period": 60, "key_suffix": lambda user: user},
            "requeue": {"to": "later"},
        },
    )
    sim = jobsim.Simulator(start=START, plugins=[Throttled()])
    with sim:
        klass.perform_async("ada")
        klass.perform_async("bob")
        klass.perform_async("ada")
    sim.run_due()
    assert sim.queue("later").size == 1
    keys = throttles(sim).keys()
    assert keys == ["throttled:PerUser:threshold:ada", "throttled:PerUser:threshold:bob"]


def test_cooldown_rests_a_queue_so_other_queues_are_served() -> None:
    blocked = job_class("Blocked", {"concurrency": {"limit": 0}})
    free = job_class("Free", {"threshold": {"limit": None, "period": 1}})
    sim = jobsim.Simulator(
        start=START, queues=["a", "b"], plugins=[Throttled(cooldown_threshold=3)]
    )
    with sim:
        for i in range(5):
            blocked.set(queue="a").perform_async(i)
        free.set(queue="b").perform_async(1)
    sim.run_until(START + 0.5)
    assert sim.locate(sim.trace.of_kind("enqueued")[-1].jid) == "done"
    assert throttles(sim).counts("Blocked").throttled == 3


def test_every_job_refused_rests_the_queue_without_spinning() -> None:
    blocked = job_class("Never", {"concurrency": {"limit": 0}})
    sim = jobsim.Simulator(start=START, plugins=[Throttled(cooldown_period=None)])
    with sim:
        blocked.perform_async(1)
        blocked.perform_async(2)
    assert sim.drain(max_steps=100) == 0  # goes idle: nothing can ever change
    assert sim.queue().size == 2
    assert throttles(sim).counts("Never").throttled == 2


def test_version_1_refuses_2x_keys() -> None:
    klass = job_class("V1", {"concurrency": {"limit": 1, "avg_job_duration": 10}})
    sim = jobsim.Simulator(plugins=[Throttled(version="1")])
    with sim:
        klass.perform_async(1)
    with pytest.raises(jobsim.InvalidOption, match=r"came with sidekiq-throttled 2\.0"):
        sim.drain()


@pytest.mark.parametrize("version", ["1", "2"])
def test_schedule_retry_in_by_version(version: str) -> None:
    # 1.x waits until the oldest slot is lost (ttl 600 s); 2.x estimates from the backlog
    # (-1 after the admission, floored at 0, then 1 after the refusal, as concurrency.lua).
    klass = job_class(
        f"V{version}",
        {"concurrency": {"limit": 1, "ttl": 600}, "requeue": {"with": "schedule"}},
        seconds=1000.0,
    )
    sim = jobsim.Simulator(start=START, plugins=[Throttled(version=version)])  # type: ignore[arg-type]
    with sim:
        klass.perform_async(1)
        klass.perform_async(2)
    sim.run_due()
    retry_in = sim.trace.of_kind("throttled")[0].detail["retry_in"]
    if version == "1":
        assert 600.0 <= retry_in < 720.0  # plus up to 20 % jitter
    else:
        # backlog 1 x avg 200 s (ttl / 3) / limit 1 = 200 s, squashed under max_delay
        # min(10 x 200, 1800) = 1800: 1800 x (1 - e^(-200/1800)) = 189.29 s, plus jitter.
        squashed = 1800 * (1 - math.exp(-200 / 1800))
        assert squashed <= retry_in < squashed * 1.2


def test_lost_job_threshold_must_exceed_avg_job_duration() -> None:
    klass = job_class("Bad", {"concurrency": {"limit": 1, "avg_job_duration": 60, "ttl": 30}})
    sim = jobsim.Simulator(plugins=[Throttled()])
    with sim:
        klass.perform_async(1)
    with pytest.raises(jobsim.InvalidOption, match="must be greater than avg_job_duration"):
        sim.drain()


def test_shared_throttles_count_several_classes_together() -> None:
    one = job_class("One", {"threshold": {"limit": 99, "period": 1}})
    two = job_class("Two", {"threshold": {"limit": 99, "period": 1}})
    plugin = Throttled(
        shared={"stripe": {"threshold": {"limit": 2, "period": 10}}},
        throttled_as={"One": "stripe", "Two": "stripe"},
    )
    sim = jobsim.Simulator(start=START, plugins=[plugin])
    with sim:
        one.perform_async(1)
        two.perform_async(1)
        one.perform_async(2)
    sim.drain()
    assert [event.ts - START for event in sim.trace.of_kind("started")] == [0, 0, 10]


def test_the_plugin_refuses_bad_configuration() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="version"):
        Throttled(version="3")  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="no shared throttle 'x'"):
        Throttled(throttled_as={"A": "x"})
    with pytest.raises(jobsim.InvalidArgument, match="does not run sidekiq-throttled"):
        throttles(jobsim.Simulator())


@settings(max_examples=40, deadline=None)
@given(
    arrivals=st.lists(st.floats(0, 300), min_size=1, max_size=40),
    durations=st.lists(st.floats(0, 50), min_size=1, max_size=5),
    limit=st.integers(1, 4),
    per=st.integers(1, 6),
    period=st.floats(1, 120),
    workers=st.integers(1, 8),
    cooldown=st.sampled_from([None, 1.0]),
    requeue=st.sampled_from(["enqueue", "schedule"]),
)
def test_model_limits_hold_and_every_job_is_performed(
    arrivals: list[float],
    durations: list[float],
    limit: int,
    per: int,
    period: float,
    workers: int,
    cooldown: float | None,
    requeue: str,
) -> None:
    throttle = {
        "concurrency": {"limit": limit},
        "threshold": {"limit": per, "period": period},
        "requeue": {"with": requeue},
    }
    klass = job_class("Model", throttle)
    seconds = iter(durations * 100)
    sim = jobsim.Simulator(
        start=START,
        concurrency=workers,
        durations={"Model": lambda rng: next(seconds)},
        plugins=[Throttled(cooldown_period=cooldown)],
    )
    with sim:
        for index, at in enumerate(arrivals):
            klass.perform_at(START + at, index)
    sim.drain()
    assert max_running(sim, "Model") <= limit
    started = sorted(starts(sim, "Model"))
    for index in range(per, len(started)):
        assert started[index] - started[index - per] >= period
    performed = sorted(event.job["args"][0] for event in sim.trace.of_kind("succeeded"))
    assert performed == list(range(len(arrivals)))
