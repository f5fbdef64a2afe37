"""Refusals applied in runs give the very run that refusing one job per fetch gives.

The gate's ``shortcuts`` switch turns the runs (and a uniform strategy's worked-out check)
off, leaving one refusal per fetch on the general path, the reference: for
random classes, limits, arrivals, queues, cooldowns and step limits, both must leave the same
trace, counts, limit state and queues, and fail the same way.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.throttled import Throttled
from jobsim.throttled._gate import ThrottleGate
from jobsim.throttled._plugin import GATE
from tests.conftest import START
from tests.throttled._scenarios import job_class, outcome

THRESHOLD = st.fixed_dictionaries(
    {"limit": st.integers(1, 12) | st.just(2.5), "period": st.sampled_from([5, 30.5, 60])}
)
LIMITS = st.fixed_dictionaries(
    {},
    optional={
        "concurrency": st.fixed_dictionaries(
            {"limit": st.integers(1, 4)},
            optional={"lost_job_threshold": st.sampled_from([20, 60, 900])},
        ),
        # Two thresholds on one key would refuse each other's starts for ever: own keys.
        "threshold": THRESHOLD
        | st.tuples(THRESHOLD, THRESHOLD).map(
            lambda pair: [{**pair[0], "key_suffix": "m"}, {**pair[1], "key_suffix": "h"}]
        ),
        "requeue": st.sampled_from([{"with": "enqueue"}, {"with": "schedule"}, {"to": "b"}]),
        # A constant suffix keeps the strategy uniform; one computed from the arguments not.
        "key_suffix": st.sampled_from(["eu", lambda index: index % 2]),
    },
).filter(lambda limits: "concurrency" in limits or "threshold" in limits)


@st.composite
def runs(draw: st.DrawFn) -> dict[str, Any]:
    classes = draw(st.lists(LIMITS | st.none(), min_size=1, max_size=3))
    jobs = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(classes) - 1),
                st.sampled_from(["a", "b"]),
                st.sampled_from([0.0, 0.0, 5.0, 37.5]),
            ),
            min_size=1,
            max_size=80,
        )
    )
    fails = draw(st.sampled_from([None, 5]))
    # A job that always fails can live for ever under a "schedule" requeue (each refusal
    # makes a new job, whose retry count starts again), as with the gem: bound those runs.
    steps = [50, 400, 3000] if fails else [None, 50, 400]
    return {
        "classes": classes,
        "jobs": jobs,
        "seconds": draw(st.sampled_from([0.0, 0.5, 1.0, 7.0])),
        "fails": fails,
        "workers": draw(st.integers(1, 12)),
        "queues": draw(st.sampled_from([None, ["a", "b"], ["b", "a"], [["a", 2], ["b", 1]]])),
        "cooldown": draw(st.sampled_from([None, 1.0, 0.25])),
        "threshold": draw(st.integers(1, 30)),
        "version": draw(st.sampled_from(["1", "2"])),
        "poll": draw(st.sampled_from(["exact", "sidekiq"])),
        "trace_limit": draw(st.sampled_from([None, None, 0, 40])),
        "max_steps": draw(st.sampled_from(steps)),
    }


def play(run: dict[str, Any], *, batch: bool) -> tuple[dict[str, Any], str | None]:
    classes = [
        job_class(f"Job{index}", limits, run["seconds"], fail=run["fails"])
        for index, limits in enumerate(run["classes"])
    ]
    plugin = Throttled(
        version=run["version"],
        cooldown_period=run["cooldown"],
        cooldown_threshold=run["threshold"],
    )
    sim = jobsim.Simulator(
        start=START,
        concurrency=run["workers"],
        queues=run["queues"],
        poll_interval=run["poll"],
        trace_limit=run["trace_limit"],
        plugins=[plugin],
    )
    sim.stash[GATE].shortcuts = batch
    with sim:
        for index, (which, queue, at) in enumerate(run["jobs"]):
            classes[which].set(queue=queue, retry=1).perform_at(START + at, index)
    error = None
    try:
        sim.drain(max_steps=run["max_steps"])
    except jobsim.StepLimitExceeded as exc:
        error = str(exc)
    return outcome(sim), error


@settings(max_examples=150, deadline=None)
@given(run=runs())
def test_batched_refusals_change_nothing(run: dict[str, Any]) -> None:
    assert play(run, batch=True) == play(run, batch=False)


@pytest.mark.parametrize("cooldown", [None, 1.0])
def test_a_burst_is_refused_in_runs(cooldown: float | None, monkeypatch: Any) -> None:
    # The switch matters: the same burst asks the gate about far fewer fetched jobs.
    asked = {True: 0, False: 0}
    admit = ThrottleGate.admit

    def counted(self: ThrottleGate, queue: str, job: Any) -> bool:
        asked[self.shortcuts] += 1
        return admit(self, queue, job)

    monkeypatch.setattr(ThrottleGate, "admit", counted)
    run = {
        "classes": [{"concurrency": {"limit": 2}}],
        "jobs": [(0, "a", 0.0)] * 300,
        "seconds": 1.0,
        "fails": None,
        "workers": 10,
        "queues": None,
        "cooldown": cooldown,
        "threshold": 100,
        "version": "2",
        "poll": "exact",
        "trace_limit": None,
        "max_steps": None,
    }
    fast, _ = play(run, batch=True)
    slow, _ = play(run, batch=False)
    assert fast == slow
    assert fast["kinds"]["throttled"] > 1000
    assert asked[False] > fast["kinds"]["throttled"] > 10 * asked[True]
