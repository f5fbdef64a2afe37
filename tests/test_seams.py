"""The seams of issue 14: one enqueue path, one validation, a bounded engine loop, settings that
take effect, and a clock only the engine moves. Each test is a probe from the issue."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
import jobsim.redis
from jobsim import validate
from tests.conftest import START


class Ping(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class Boom(jobsim.Job):
    def perform(self) -> None:
        raise ValueError("boom")


def sim_with_one_queued() -> tuple[jobsim.Simulator, str]:
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = Ping.perform_async(1)
    assert jid is not None
    return sim, jid


# -- one enqueue path: a time jobsim cannot represent is refused where it enters ------------


@pytest.mark.parametrize(
    ("at", "why"),
    [
        (math.nan, "not a time jobsim can represent"),
        (math.inf, "not a time jobsim can represent"),
        (-math.inf, "not a time jobsim can represent"),
        (1e20, "not a time jobsim can represent"),
    ],
)
def test_a_push_with_an_unrepresentable_at_is_refused_and_nothing_is_lost(
    at: float, why: str
) -> None:
    sim, jid = sim_with_one_queued()
    with pytest.raises(jobsim.InvalidArgument, match=why) as caught:
        sim.push({"class": "Ping", "args": [], "at": at})
    assert str(caught.value).startswith(f"push(Ping): 'at'={at!r}: ")
    assert sim.locate(jid) == "queue:default"
    assert len(sim.scheduled) == 0
    assert sim.drain(max_steps=10) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: Ping.perform_in(1e20),
            "wait=1e+20: the job would run past what jobsim can represent; pass a time before "
            "the year 9999",
        ),
        (
            lambda: Ping.perform_in(math.nan),
            "wait=nan: not a finite number; pass seconds, a timedelta or an aware datetime",
        ),
        (
            lambda: Ping.perform_at(datetime.max.replace(tzinfo=UTC)),
            "wait=datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)"
            ": not a time jobsim can represent; pass a time between the years 2 and 9999 (epoch "
            "seconds -62104060800 to 253370764800)",
        ),
        (
            lambda: Ping.set(wait=timedelta(days=3_000_000)).perform_async(),
            "wait=datetime.timedelta(days=3000000): the job would run past what jobsim can "
            "represent; pass a time before the year 9999",
        ),
    ],
)
def test_perform_in_and_at_refuse_times_out_of_range(call: Any, message: str) -> None:
    sim, jid = sim_with_one_queued()
    with sim, pytest.raises(jobsim.InvalidArgument) as caught:
        call()
    assert str(caught.value) == message
    assert sim.stats.enqueued == 1
    assert sim.locate(jid) == "queue:default"


def test_the_redis_client_and_disabled_mode_refuse_the_same_times() -> None:
    redis = jobsim.redis.fake_redis()
    client = jobsim.redis.Client(redis)
    with pytest.raises(jobsim.InvalidArgument, match="not a time jobsim can represent"):
        client.push({"class": "Ping", "args": [], "at": math.nan})
    with jobsim.redis.disabled(redis), pytest.raises(jobsim.InvalidArgument, match="9999"):
        Ping.perform_in(1e20)
    assert redis.keys("*") == []


def test_the_redis_client_checks_options_as_the_simulator_does() -> None:
    client = jobsim.redis.Client(jobsim.redis.fake_redis())
    sim = jobsim.Simulator()
    item = {"class": "Ping", "args": [], "retry": "yes"}
    with pytest.raises(jobsim.InvalidOption) as from_redis:
        client.push(item)
    with pytest.raises(jobsim.InvalidOption) as from_sim:
        sim.push(item)
    assert str(from_redis.value) == str(from_sim.value)


def test_simulator_and_redis_write_the_same_job_hash() -> None:
    sim = jobsim.Simulator(seed=3, start=START, profile="sidekiq-6.4")
    redis = jobsim.redis.fake_redis()
    client = jobsim.redis.Client(redis, profile="sidekiq-6.4", seed=3, clock=lambda: START)
    item = {"class": "Ping", "args": [1, "a"], "queue": "low", "tags": ["x"]}
    jid = sim.push(dict(item))
    client.push(dict(item))
    stored = json.loads(redis.lrange("queue:low", 0, -1)[0])
    simulated = dict(sim.queue("low").find_job(str(jid)) or {})
    assert stored == simulated
    assert list(stored) == list(simulated)  # the same key order, byte for byte


# -- the engine loop is bounded by turns -------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (lambda sim: sim.advance(math.nan), "advance(delta)=nan: not a finite number"),
        (lambda sim: sim.advance(math.inf), "advance(delta)=inf: not a finite number"),
        (lambda sim: sim.advance(1e20), "not a time jobsim can represent"),
        (lambda sim: sim.run_until(math.nan), "run_until(when)=nan: not a time"),
        (lambda sim: sim.drain(max_steps="3"), "drain(max_steps)='3': pass a whole number >= 0"),
        (lambda sim: sim.drain(max_steps=-1), "drain(max_steps)=-1: pass a whole number >= 0"),
        (lambda sim: sim.run_due(max_steps=1.5), "run_due(max_steps)=1.5: pass a whole number"),
        (lambda sim: sim.call_at(math.inf, lambda: None), "call_at(when)=inf: not a time"),
        (lambda sim: sim.shutdown(math.nan), "shutdown(timeout)=nan: not a finite number"),
    ],
)
def test_running_verbs_refuse_non_finite_input(run: Any, message: str) -> None:
    sim, jid = sim_with_one_queued()
    with pytest.raises(
        jobsim.InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        run(sim)
    assert sim.locate(jid) == "queue:default"
    assert sim.time == START


def test_a_timer_that_re_arms_at_the_same_instant_cannot_spin() -> None:
    sim = jobsim.Simulator(start=START)

    def again() -> None:
        sim.call_at(sim.time, again)

    sim.call_at(START + 5, again)
    with pytest.raises(jobsim.StepLimitExceeded, match="made no progress for 10,000 turns"):
        sim.drain(max_steps=None)


def test_turns_that_start_no_job_count_against_max_steps() -> None:
    sim = jobsim.Simulator(start=START)

    def tick() -> None:
        sim.call_at(sim.time + 60, tick)

    sim.call_at(START, tick)
    with pytest.raises(jobsim.StepLimitExceeded, match="max_steps=50 turns that started no job"):
        sim.drain(max_steps=50)
    assert sim.time == START + 50 * 60


# -- settings: read-only, or taking effect when set ------------------------------------------


def test_setting_mode_takes_effect() -> None:
    sim = jobsim.Simulator(start=START)
    sim.mode = "inline"
    with sim:
        jid = Ping.perform_async(1)
    assert sim.locate(str(jid)) == "done"
    sim.mode = "fake"
    with sim:
        Boom.perform_async()
    with pytest.raises(ValueError, match="boom"):
        sim.drain()
    sim.mode = "simulate"
    with sim:
        failing = Boom.perform_async()
    sim.run_due()
    assert sim.locate(str(failing)) == "retry"
    with pytest.raises(jobsim.InvalidArgument, match="mode='later': pass 'simulate', 'fake'"):
        sim.mode = "later"  # type: ignore[assignment]


def test_setting_fetch_takes_effect() -> None:
    class Slow(jobsim.Job):
        duration = 10.0

        def perform(self) -> None:
            pass

    sim = jobsim.Simulator(start=START)
    with sim:
        jid = Slow.perform_async()
    sim.advance(1)
    sim.fetch = "reliable"
    assert sim.fetch == "reliable"
    assert sim.crash() == [jid]
    assert sim.locate(str(jid)) == "queue:default"


def test_shutdown_timeout_is_checked_when_set_and_seed_is_read_only() -> None:
    sim = jobsim.Simulator()
    sim.shutdown_timeout = timedelta(seconds=8)
    assert sim.shutdown_timeout == 8.0
    with pytest.raises(jobsim.InvalidArgument, match="shutdown_timeout='x'"):
        sim.shutdown_timeout = "x"  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        sim.seed = 5  # type: ignore[misc]


def test_dead_timeout_of_the_wrong_type_is_a_jobsim_error() -> None:
    with pytest.raises(jobsim.JobsimError, match="dead_timeout='x': a str, not a number"):
        jobsim.Simulator(dead_timeout="x")  # type: ignore[arg-type]


@pytest.mark.parametrize("start", [math.nan, math.inf, 1e300])
def test_a_simulator_cannot_start_at_an_unrepresentable_time(start: float) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="start="):
        jobsim.Simulator(start=start)


# -- the clock is read-only to users ---------------------------------------------------------


def test_a_user_cannot_move_the_clock_past_due_work() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = Ping.perform_in(50)
    assert not hasattr(sim.clock, "advance")
    assert not hasattr(sim.clock, "advance_to")
    with pytest.raises(AttributeError):
        sim.clock.advance(100)  # type: ignore[attr-defined]
    moves: list[float] = []
    sim.clock.listeners.append(moves.append)
    sim.advance(100)
    assert sim.locate(str(jid)) == "done"
    assert sim.trace.for_job(str(jid))[-1].ts == START + 50
    assert moves == [START + 50, START + 100]
    assert sim.clock.now == sim.time == START + 100


# -- the validation module -------------------------------------------------------------------


def test_validation_messages_have_one_shape() -> None:
    cases: list[tuple[Any, str]] = [
        (lambda: validate.whole(1.5, name="n", low=1), "n=1.5: pass a whole number >= 1"),
        (lambda: validate.whole(True, name="n"), "n=True: pass a whole number"),
        (
            lambda: validate.number(math.nan, name="x", low=0, high=1),
            "x=nan: not a finite number; pass a number between 0 and 1",
        ),
        (
            lambda: validate.seconds(-1, name="wait"),
            "wait=-1: out of range; pass seconds >= 0 or a timedelta",
        ),
        (lambda: validate.name(" ", name="queue"), "queue=' ': pass a non-empty name (str)"),
        (lambda: validate.choice(1, ("a", True), name="c"), "c=1: pass 'a' or True"),
        (
            lambda: validate.epoch(datetime(2026, 1, 1), name="at"),
            "at=datetime.datetime(2026, 1, 1, 0, 0): a naive datetime; jobsim needs an aware "
            "one to know which instant you mean; pass at.replace(tzinfo=UTC) or a datetime "
            "with a zone",
        ),
    ]
    for call, message in cases:
        with pytest.raises(jobsim.InvalidArgument) as caught:
            call()
        assert str(caught.value) == message
    assert validate.seconds(timedelta(minutes=1), name="t") == 60.0
    assert validate.optional(None, validate.whole, name="n") is None
    assert validate.choice(True, ("a", True), name="c") is True


# -- smaller probes of issue 15 that live on these seams --------------------------------------


def test_jobs_can_be_deleted_while_a_queue_is_iterated() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        jids = [Ping.perform_async(n) for n in range(4)]
    queue = sim.queue()
    for job in queue:
        if job["args"][0] % 2:
            assert queue.delete(str(job["jid"]))
    assert [job["jid"] for job in queue.jobs] == [jids[0], jids[2]]


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


class Odd(jobsim.Job):
    def perform(self) -> None:
        raise Unprintable


def test_an_error_whose_str_raises_is_retried_with_sidekiqs_text() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = str(Odd.perform_async())
    sim.run_due()
    assert sim.locate(jid) == "retry"
    failed = sim.trace.of_kind("failed")[0]
    assert failed.detail["error_message"] == "!!! ERROR MESSAGE THREW AN ERROR !!!"
    entry = sim.retries.find_job(jid)
    assert entry is not None
    assert entry.job["error_message"] == "!!! ERROR MESSAGE THREW AN ERROR !!!"


def test_shutdown_cannot_spin_on_a_timer_that_re_arms_for_now() -> None:
    class Slow(jobsim.Job):
        duration = 30.0

        def perform(self) -> None:
            pass

    sim = jobsim.Simulator(start=START)
    with sim:
        Slow.perform_async()
    sim.advance(1)

    def again() -> None:
        sim.call_at(sim.time, again)

    sim.call_at(START + 5, again)
    with pytest.raises(jobsim.StepLimitExceeded, match=r"shutdown\(\) made no progress"):
        sim.shutdown(60)
