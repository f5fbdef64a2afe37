"""Workers in virtual time: concurrency, durations, fetch order, polling, shutdown and crashes
(Sidekiq's lib/sidekiq/processor.rb, manager.rb,
scheduled.rb and fetch.rb)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.durations import constant, exponential, uniform
from jobsim.queue_config import parse_queues
from jobsim.rng import SimRandom
from tests.conftest import START

LOG: list[tuple[str, float]] = []


class Slow(jobsim.Job):
    duration = 10

    def perform(self, label: str) -> None:
        LOG.append((label, 0.0))


@pytest.fixture(autouse=True)
def _clear() -> None:
    LOG.clear()


# -- concurrency and durations -------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "slots"), [("sidekiq-6.4", 10), ("sidekiq-7", 5), ("sidekiq-8", 5)]
)
def test_default_concurrency_per_profile(profile: str, slots: int) -> None:
    assert jobsim.Simulator(profile=profile).concurrency == slots


def test_jobs_hold_a_slot_for_their_duration(make_sim: Any) -> None:
    sim = make_sim(concurrency=2)
    with sim:
        jids = [Slow.perform_async(str(i)) for i in range(5)]
    sim.drain()
    finished = {e.jid: e.ts - START for e in sim.trace.of_kind("succeeded")}
    started = {e.jid: e.ts - START for e in sim.trace.of_kind("started")}
    assert [started[j] for j in jids] == [0, 0, 10, 10, 20]
    assert [finished[j] for j in jids] == [10, 10, 20, 20, 30]
    assert sim.time == START + 30


def test_two_deliveries_of_one_jid_run_side_by_side_and_both_finish(make_sim: Any) -> None:
    # A duplicate push (same jid twice, as a fuzzer or a double enqueue makes) is two
    # executions: each holds its own slot and each ends; neither hides the other.
    sim = make_sim(concurrency=2)
    job = {"class": Slow, "args": ["dup"], "jid": "ab" * 12}
    with sim:
        sim.push(dict(job))
        sim.push(dict(job))
    sim.advance(5)
    assert len(sim.running) == 2
    sim.drain()
    assert [(e.kind, e.ts - START) for e in sim.trace.for_job("ab" * 12)][2:] == [
        ("started", 0),
        ("started", 0),
        ("succeeded", 10),
        ("succeeded", 10),
    ]
    assert sim.running == []
    assert sim.stats.processed == 2
    assert sim.locate("ab" * 12) == "done"


def test_latency_is_measured_from_enqueue_to_start(make_sim: Any) -> None:
    sim = make_sim(concurrency=1)
    with sim:
        for i in range(3):
            Slow.perform_async(str(i))
    sim.drain()
    summary = sim.stats.latency("default")
    assert (summary.count, summary.max, summary.p50) == (3, 20.0, 10.0)
    assert summary.mean == pytest.approx(10.0)
    assert sim.stats.busy_seconds == {"default": 30.0}


def test_queue_latency_of_the_oldest_waiting_job(make_sim: Any) -> None:
    sim = make_sim(concurrency=1)
    with sim:
        for i in range(3):
            Slow.perform_async(str(i))
    sim.advance(15)
    assert sim.queue().latency == 15.0  # job 2 has waited since 0


def test_durations_can_be_drawn_and_overridden_per_simulator(make_sim: Any) -> None:
    class Quick(jobsim.Job):
        duration = uniform(2, 5)

        def perform(self) -> None: ...

    def run(seed: int, **kwargs: Any) -> list[float]:
        sim = make_sim(seed=seed, concurrency=1, **kwargs)
        with sim:
            for _ in range(20):
                Quick.perform_async()
        sim.drain()
        ends = [e.ts for e in sim.trace.of_kind("succeeded")]
        return [b - a for a, b in zip([START, *ends], ends, strict=False)]

    first = run(1)
    assert all(2 <= d <= 5 for d in first)
    assert first == run(1)
    assert first != run(2)
    assert run(1, durations={Quick: constant(1)}) == [1.0] * 20
    assert run(1, durations={"Quick": 0.5}) == [0.5] * 20


def test_a_failure_lands_when_the_execution_ends(make_sim: Any) -> None:
    class SlowFail(jobsim.Job, retry=1):
        duration = 7

        def perform(self) -> None:
            raise ValueError("late")

    sim = make_sim(jitter="min", profile="sidekiq-7")
    with sim:
        SlowFail.perform_async()
    sim.drain()
    failed = [e.ts - START for e in sim.trace.of_kind("failed")]
    assert failed == [7, 7 + 15 + 7]


def test_duration_draws_are_checked() -> None:
    class Broken(jobsim.Job):
        duration = staticmethod(lambda rng: -1.0)

        def perform(self) -> None: ...

    sim = jobsim.Simulator()
    with sim:
        Broken.perform_async()
        with pytest.raises(jobsim.InvalidArgument, match=r"duration of Broken returned=-1\.0"):
            sim.drain()
    assert exponential(0)(None) == 0  # type: ignore[arg-type]


# -- queue order -------------------------------------------------------------------------


def test_queue_modes_per_profile() -> None:
    six = jobsim.PROFILES["sidekiq-6.4"]
    seven = jobsim.PROFILES["sidekiq-7"]
    assert parse_queues(["a", "b"], six).mode == "strict"
    assert parse_queues([["a", 1], ["b", 1]], six).mode == "weighted"
    assert parse_queues([["a", 1], ["b", 1]], seven).mode == "random"
    assert parse_queues(["a", "b,2"], seven).mode == "weighted"
    assert parse_queues(["a", "b"], seven).mode == "strict"
    assert parse_queues(["foo", "bar,2"], seven).expanded == ("foo", "bar", "bar")
    assert parse_queues([["foo"], ["baz", 3]], seven).expanded == ("foo", "baz", "baz", "baz")


def chi_squared(observed: Counter[str], weights: dict[str, int]) -> float:
    total = sum(observed.values())
    weight_sum = sum(weights.values())
    return sum(
        (observed[name] - total * w / weight_sum) ** 2 / (total * w / weight_sum)
        for name, w in weights.items()
    )


def test_weighted_fetch_picks_first_queue_in_proportion_to_weight() -> None:
    weights = {"critical": 6, "default": 3, "low": 1}
    firsts: Counter[str] = Counter()
    for seed in range(300):
        sim = jobsim.Simulator(seed=seed, queues=[[n, w] for n, w in weights.items()])
        rng = sim._state.fetch_rng
        for _ in range(20):
            firsts[sim.queue_config.fetch_order(rng)[0]] += 1  # type: ignore[union-attr]
    # 2 degrees of freedom: 13.8 is the 0.1% critical value
    assert chi_squared(firsts, weights) < 13.8
    assert set(firsts) == set(weights)


def test_weighted_fetch_never_starves_a_queue_behind_an_empty_heavy_one(make_sim: Any) -> None:
    sim = make_sim(queues=[["busy", 100], ["quiet", 1]])
    with sim:
        for i in range(3):
            Slow.set(queue="quiet").perform_async(str(i))
    sim.drain()
    assert sim.stats.processed == 3


def test_without_a_queue_config_queues_are_tried_in_order_of_first_use(make_sim: Any) -> None:
    sim = make_sim(concurrency=1)
    with sim:
        Slow.set(queue="b").perform_async("b1")
        Slow.set(queue="a").perform_async("a1")
        sim.drain()
        Slow.set(queue="c").perform_async("c1")  # a queue new after fetches began
        Slow.set(queue="a").perform_async("a2")
        Slow.set(queue="b").perform_async("b2")
        sim.drain()
    assert [e.job["args"][0] for e in sim.trace.of_kind("started")] == [
        "b1",
        "a1",
        "b2",
        "a2",
        "c1",
    ]


def test_looking_at_empty_queues_draws_nothing_from_the_fetch_stream(make_sim: Any) -> None:
    # Each run or advance with every queue empty makes the engine look once; those looks are
    # the engine's business and must not change which queue later fetches pick.
    def start_order(idle_looks: int) -> list[str]:
        sim = make_sim(seed=4, queues=[["a", 3], ["b", 2], ["c", 1]], concurrency=1)
        with sim:
            for round_ in range(3):
                for _ in range(idle_looks):
                    sim.advance(1)
                for name in "abc" * 4:
                    Slow.set(queue=name).perform_async(f"{round_}{name}")
                sim.drain()
        return [str(event.job["queue"]) for event in sim.trace.of_kind("started")]

    assert start_order(0) == start_order(7)


def test_weighted_runs_share_slots_by_weight(make_sim: Any) -> None:
    class Tick(jobsim.Job):
        def perform(self, queue: str) -> None:
            LOG.append((queue, 0.0))

    sim = make_sim(queues=[["a", 3], ["b", 1]])
    with sim:
        for _i in range(400):
            Tick.set(queue="a").perform_async("a")
            Tick.set(queue="b").perform_async("b")
    for _ in range(200):
        sim.perform_one()
    share = Counter(q for q, _ in LOG)
    assert 130 <= share["a"] <= 170  # expected 150 of the first 200


# -- the scheduler's poll --------------------------------------------------------------------


def test_sidekiq_poll_moves_due_jobs_on_randomised_ticks(make_sim: Any) -> None:
    delays = []
    for seed in range(40):
        sim = make_sim(seed=seed, poll_interval="sidekiq", poll_interval_average=10)
        with sim:
            jid = Slow.perform_in(100, "x")
        sim.drain()
        started = sim.trace.for_job(jid)[1]
        assert started.kind == "enqueued"
        delays.append(started.ts - (START + 100))
    assert all(0 <= d < 15 for d in delays)  # ticks every [5, 15) s with average 10
    assert len(set(delays)) > 30
    assert 3 <= sum(delays) / len(delays) <= 8  # about half an interval on average


def test_sidekiq_poll_lands_on_the_tick_sequence_drawn_one_tick_at_a_time(make_sim: Any) -> None:
    # The engine draws past ticks that find nothing due without visiting them; the ticks
    # must still be the poller's own sequence: initial wait 10 + 5 * rand, then
    # average * rand + average / 2 each, all from the "poll" stream.
    for seed in range(5):
        sim = make_sim(seed=seed, poll_interval="sidekiq")
        stream = SimRandom(seed).stream("poll")
        tick = START + 10 + 5 * stream.random()
        with sim:
            early = Slow.perform_in(30, "early")
            late = Slow.perform_in(20_000, "late")
        sim.drain()
        landed = {}
        for due, jid in ((START + 30, early), (START + 20_000, late)):
            while tick < due:
                tick += 5 * stream.random() + 2.5
            landed[jid] = tick
            tick += 5 * stream.random() + 2.5  # the tick that moved it draws the next one
        for jid, expected in landed.items():
            assert sim.trace.for_job(jid)[1].ts == expected


def test_exact_poll_moves_due_jobs_exactly_when_due(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        jid = Slow.perform_in(100, "x")
    sim.drain()
    assert sim.trace.for_job(jid)[1].ts == START + 100


def test_poll_interval_formula_per_process_count(make_sim: Any) -> None:
    few = make_sim(poll_interval="sidekiq", process_count=3)._engine
    many6 = make_sim(poll_interval="sidekiq", process_count=10, profile="sidekiq-7")._engine
    many8 = make_sim(poll_interval="sidekiq", process_count=10, profile="sidekiq-8")._engine
    few_draws = [few._poll_interval() for _ in range(2000)]
    assert min(few_draws) >= 7.5
    assert max(few_draws) < 22.5
    assert sum(few_draws) / 2000 == pytest.approx(15, rel=0.05)
    six = [many6._poll_interval() for _ in range(2000)]
    eight = [many8._poll_interval() for _ in range(2000)]
    assert max(six) < 50
    assert sum(six) / 2000 == pytest.approx(25, rel=0.08)
    assert max(eight) < 100
    assert sum(eight) / 2000 == pytest.approx(50, rel=0.08)


# -- shutdown and crashes -------------------------------------------------------------------


def test_shutdown_pushes_unfinished_jobs_back_to_the_front(make_sim: Any) -> None:
    class Long(jobsim.Job):
        duration = 30

        def perform(self, n: int) -> None: ...

    # Sidekiq 6.4.1, -c 1 -t 2, TERM after 4 s with three 30 s jobs: job 1 is pushed back
    # and is the next one popped; processed 1, failed 1.
    sim = make_sim(concurrency=1, profile="sidekiq-6.4")
    with sim:
        jids = [Long.perform_async(i) for i in range(3)]
    sim.advance(4)
    assert sim.shutdown(timeout=2) == [jids[0]]
    assert [job["jid"] for job in sim.queue().jobs] == jids
    assert (sim.stats.processed, sim.stats.failed, len(sim.retries)) == (1, 1, 0)
    assert sim.time == START + 6
    assert sim.trace.kinds()[-1] == "interrupted"
    sim.drain()  # stopped: nothing runs
    assert sim.stats.processed == 1
    sim.start()
    sim.drain()
    assert sim.stats.processed == 4


def test_shutdown_lets_jobs_that_finish_in_time_finish(make_sim: Any) -> None:
    sim = make_sim(concurrency=2)
    with sim:
        Slow.perform_async("a")
    sim.advance(1)
    assert sim.shutdown(timeout=25) == []
    assert sim.time == START + 10
    assert sim.stats.failed == 0


def test_crash_with_basic_fetch_loses_running_jobs(make_sim: Any) -> None:
    sim = make_sim(concurrency=1)
    with sim:
        jid = Slow.perform_async("a")
        Slow.perform_async("b")
    sim.advance(5)
    assert sim.crash() == [jid]
    assert sim.locate(jid) == "lost"
    sim.start()
    sim.drain()
    assert sim.locate(jid) == "lost"
    assert [label for label, _ in LOG] == ["a", "b"]  # a's side effects happened once


def test_crash_with_reliable_fetch_redelivers_running_jobs(make_sim: Any) -> None:
    sim = make_sim(concurrency=1, fetch="reliable")
    with sim:
        jid = Slow.perform_async("a")
        Slow.perform_async("b")
    sim.advance(5)
    assert sim.crash() == [jid]
    sim.start()
    sim.drain()
    assert sim.locate(jid) == "done"
    assert [label for label, _ in LOG] == ["a", "a", "b"]  # at-least-once: a ran twice


# Testing modes ---------------------------------------------------------------------------------


def test_inline_mode_runs_at_enqueue_and_raises_to_the_caller() -> None:
    seen: list[Any] = []

    class Inline(jobsim.Job):
        def perform(self, value: Any) -> None:
            seen.append(value)
            if value == "bad":
                raise ValueError("bad input")

    sim = jobsim.Simulator(mode="inline", profile="sidekiq-8", strict_args=False)
    with sim:
        Inline.perform_async({"when": 1})
        assert seen == [{"when": 1}]
        with pytest.raises(ValueError, match="bad input"):
            Inline.perform_async("bad")
        Inline.perform_in(60, "later")
    assert seen == [{"when": 1}, "bad"]
    assert len(sim.retries) == 0
    sim.drain()
    assert seen[-1] == "later"  # our inline keeps scheduled times


def test_fake_mode_records_and_drain_raises_the_first_failure() -> None:
    class Fake(jobsim.Job):
        def perform(self, n: int) -> None:
            if n == 2:
                raise KeyError(n)

    sim = jobsim.Simulator(mode="fake")
    with sim:
        for n in (1, 2, 3):
            Fake.perform_async(n)
    assert sim.stats.enqueued == 3
    with pytest.raises(KeyError):
        sim.drain()
    assert [job["args"] for job in sim.queue().jobs] == [[3]]  # the failed one is gone
    assert len(sim.retries) == 0


def test_sidekiq_yml_configures_concurrency_and_queues(tmp_path: Any) -> None:
    path = tmp_path / "sidekiq.yml"
    path.write_text(
        ":concurrency: 3\n:queues:\n  - critical\n  - [default, 2]\n  - [low, 1]\n"
        "production:\n  :concurrency: 12\n:timeout: 8\n"
    )
    sim = jobsim.Simulator.from_sidekiq_yml(path, profile="sidekiq-7")
    assert sim.concurrency == 3
    assert sim.queues == ["critical", "default", "low"]
    assert sim.queue_config is not None
    assert sim.queue_config.mode == "weighted"
    assert sim.shutdown_timeout == 8
    assert jobsim.Simulator.from_sidekiq_yml(path, environment="production").concurrency == 12


def test_sidekiq_yml_with_erb_beyond_env_lookups_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "sidekiq.yml"
    path.write_text(":concurrency: <%= ENV['THREADS'] %>\n:queues:\n<% if true %>- a\n<% end %>\n")
    with pytest.raises(jobsim.InvalidArgument, match="line 3, column 1: '<% if true %>' is ERB"):
        jobsim.Simulator.from_sidekiq_yml(path, env={"THREADS": "4"})


def test_summary_percentiles() -> None:
    from jobsim.views import Summary

    summary = Summary.of(float(i) for i in range(1, 101))
    assert (summary.p50, summary.p95, summary.p99, summary.max) == (50.0, 95.0, 99.0, 100.0)
    assert math.isclose(summary.mean, 50.5)


class ChargeThenCrash(jobsim.Job):
    crashes: ClassVar[list[bool]] = [True]

    def perform(self, order: int) -> None:
        LOG.append((f"charge {order}", 0.0))
        if ChargeThenCrash.crashes and ChargeThenCrash.crashes.pop():
            raise jobsim.SimulatedCrash("after charge")
        LOG.append((f"update {order}", 0.0))


@pytest.mark.parametrize(
    ("fetch", "charges", "where"), [("basic", 1, "lost"), ("reliable", 2, "done")]
)
def test_a_crash_inside_a_job_keeps_its_side_effects(
    make_sim: Any, fetch: str, charges: int, where: str
) -> None:
    ChargeThenCrash.crashes = [True]
    sim = make_sim(fetch=fetch)
    with sim:
        jid = ChargeThenCrash.perform_async(7)
    sim.drain()
    assert sim.stopped
    reason = sim.trace.for_job(jid)[-1].detail["reason"]
    assert reason.startswith("crash during ChargeThenCrash: after charge")
    sim.start()
    sim.drain()
    labels = [label for label, _ in LOG]
    assert labels.count("charge 7") == charges
    assert sim.locate(jid) == where


def test_job_code_cannot_catch_a_simulated_crash(make_sim: Any) -> None:
    class Swallow(jobsim.Job):
        def perform(self) -> None:
            try:
                raise jobsim.SimulatedCrash("kill -9")
            except Exception:  # what careless job code does; SIGKILL is not an Exception
                LOG.append(("swallowed", 0.0))

    sim = make_sim()
    with sim:
        jid = Swallow.perform_async()
    sim.perform_one()
    assert LOG == []
    assert sim.locate(jid) == "lost"


def test_lazy_pick_draws_queues_like_shuffle_and_uniq() -> None:
    import random as stdlib_random

    weights = {"critical": 6, "default": 3, "low": 1}
    config = parse_queues([[n, w] for n, w in weights.items()], jobsim.PROFILES["sidekiq-7"])
    rng = stdlib_random.Random(5)
    firsts: Counter[str] = Counter(config.pick(rng, lambda name: True) for _ in range(6000))
    assert chi_squared(firsts, weights) < 13.8
    # With the heavy queue empty, the others share in proportion to their own weights.
    seconds: Counter[str] = Counter(
        config.pick(rng, lambda name: name != "critical") for _ in range(4000)
    )
    assert "critical" not in seconds
    assert chi_squared(seconds, {"default": 3, "low": 1}) < 10.8  # 1 dof, 0.1%
    assert config.pick(rng, lambda name: False) is None
