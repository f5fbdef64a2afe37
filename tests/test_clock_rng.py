"""The virtual clock and the seeded random streams (layer 1).

The clock never reads the wall clock and never goes back; naive datetimes are refused. Each
named random stream is reproducible from ``(seed, name)`` and independent of every other.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.clock import VirtualClock, as_epoch
from jobsim.rng import SimRandom

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# -- a scenario touching every time-related path ----------------------------------------------


class Tick(jobsim.Job, queue="default", retry=3):
    def perform(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"tick {n} refused")


class Flaky(jobsim.Job, queue="critical", retry=3, backtrace=True):
    def perform(self, n: int) -> None:
        raise RuntimeError(f"flaky {n}")


class Quick(jobsim.Job, retry=2):
    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        return timedelta(seconds=5 * (count + 1))

    def perform(self) -> None:
        raise KeyError("quick")


#: Workers in virtual time: weighted fetch, two slots, drawn durations, Sidekiq's poll ticks.
WORKERS: dict[str, Any] = {
    "queues": [["default", 2], ["critical", 1]],
    "concurrency": 2,
    "durations": {"Tick": jobsim.durations.uniform(1, 5), "Flaky": 3},
    "poll_interval": "sidekiq",
    "fetch": "reliable",
}


def run_scenario(profile: str, workers: bool = False) -> jobsim.Simulator:
    options = WORKERS if workers else {}
    sim = jobsim.Simulator(seed=11, start=START, profile=profile, **options)
    with sim:
        Tick.perform_async(1)
        Tick.perform_async(-1)
        Tick.perform_in(timedelta(minutes=5), 2)
        Tick.perform_at(START + timedelta(hours=1), 3)
        Tick.set(wait_until=START + timedelta(minutes=30)).perform_async(4)
        Flaky.perform_in(30, 5)
        Quick.perform_async()
        sim.push({"class": "Tick", "args": [6], "at": START.timestamp() + 90})
    sim.perform_one()
    sim.advance(timedelta(minutes=2))
    sim.run_due()
    sim.run_until(START + timedelta(minutes=20))
    sim.retries.retry_all()
    sim.drain()
    sim.dead.retry_all()
    if workers:
        with sim:
            for n in range(6):
                Tick.perform_async(10 + n)
        sim.advance(2)
        sim.shutdown(1)
        sim.start()
        sim.advance(1)
        sim.crash()
        sim.start()
    sim.drain()
    list(sim.trace.between(START, START + timedelta(days=30)))
    sim.queue("default").latency  # noqa: B018 - reading it is the point
    repr(sim)
    sim.trace.to_jsonl(_Sink())
    return sim


class _Sink:
    def write(self, text: str) -> int:
        return len(text)


# -- trapping the wall clock ------------------------------------------------------------------


class WallClockRead(AssertionError):
    """Raised by every trapped wall-clock function."""


_REAL_DATETIME = dt.datetime
_REAL_DATE = dt.date


def _refuse(what: str) -> Callable[..., Any]:
    def trap(*args: Any, **kwargs: Any) -> Any:
        raise WallClockRead(f"jobsim read the wall clock through {what}")

    return trap


class _DatetimeMeta(type):
    """Keeps ``isinstance(x, datetime)`` true for real datetimes while the trap stands in."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls.__bases__[0])

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.__bases__[0])


class TrapDatetime(_REAL_DATETIME, metaclass=_DatetimeMeta):
    now = classmethod(_refuse("datetime.now()"))
    utcnow = classmethod(_refuse("datetime.utcnow()"))
    today = classmethod(_refuse("datetime.today()"))


class TrapDate(_REAL_DATE, metaclass=_DatetimeMeta):
    today = classmethod(_refuse("date.today()"))


_TIME_FUNCTIONS = (
    "time",
    "time_ns",
    "monotonic",
    "monotonic_ns",
    "perf_counter",
    "perf_counter_ns",
    "localtime",
    "ctime",
)


@pytest.fixture
def no_wall_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every way of reading the wall clock raises, including names jobsim bound at import."""
    originals: dict[int, str] = {}
    for name in _TIME_FUNCTIONS:
        originals[id(getattr(time, name))] = f"time.{name}"
    originals[id(_REAL_DATETIME)] = "datetime"
    originals[id(_REAL_DATE)] = "date"
    replacements: dict[str, Any] = {"datetime": TrapDatetime, "date": TrapDate}
    with monkeypatch.context() as patch:
        for name in _TIME_FUNCTIONS:
            patch.setattr(time, name, _refuse(f"time.{name}()"))
        patch.setattr(dt, "datetime", TrapDatetime)
        patch.setattr(dt, "date", TrapDate)
        for module_name, module in list(sys.modules.items()):
            if module is None or not module_name.startswith("jobsim"):
                continue
            for attr, value in list(vars(module).items()):
                label = originals.get(id(value))
                if label is None:
                    continue
                if label.startswith("time."):
                    patch.setattr(module, attr, _refuse(f"{module_name}.{attr} ({label})"))
                else:
                    patch.setattr(module, attr, replacements[label])
        yield


@pytest.mark.parametrize("workers", [False, True], ids=["plain", "workers"])
@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"])
def test_a_busy_scenario_never_reads_the_wall_clock(
    no_wall_clock: None, profile: str, workers: bool
) -> None:
    sim = run_scenario(profile, workers)
    kinds = set(sim.trace.kinds())
    assert {"enqueued", "scheduled", "started", "succeeded", "failed"} <= kinds
    assert {"retry_scheduled", "died"} <= kinds
    if workers:
        assert "interrupted" in kinds  # shutdown and crash met jobs in flight
    assert sim.now > START  # virtual time did move, and only through the simulator
    assert sim.stats.dead_size >= 1


def test_the_trap_catches_a_wall_clock_read(no_wall_clock: None) -> None:
    """The fixture must be able to fail: each way in is trapped."""
    with pytest.raises(WallClockRead):
        time.time()
    with pytest.raises(WallClockRead):
        dt.datetime.now(UTC)
    with pytest.raises(WallClockRead):
        dt.date.today()
    import jobsim.clock as clock_module

    with pytest.raises(WallClockRead):
        clock_module.datetime.now(UTC)  # the name jobsim bound at import is trapped too
    assert isinstance(START, clock_module.datetime)  # and still recognises real datetimes


def test_clock_starts_at_a_fixed_instant_not_now() -> None:
    assert jobsim.Simulator().now == jobsim.DEFAULT_START
    assert VirtualClock().now_datetime == jobsim.DEFAULT_START
    assert jobsim.DEFAULT_START.tzinfo is not None


# -- never backwards ---------------------------------------------------------------------------


def test_clock_refuses_to_go_backwards() -> None:
    clock = VirtualClock(START)
    clock.advance(10)
    with pytest.raises(jobsim.ClockError, match="back"):
        clock.advance_to(START.timestamp())
    with pytest.raises(jobsim.ClockError):
        clock.advance(-0.001)
    with pytest.raises(jobsim.ClockError):
        clock.advance(timedelta(seconds=-1))
    assert clock.now == START.timestamp() + 10  # a refused move changes nothing
    clock.advance_to(clock.now)  # standing still is allowed
    clock.advance(timedelta(minutes=1))
    assert clock.now_datetime == START + timedelta(seconds=70)


def test_simulator_refuses_to_run_until_the_past() -> None:
    sim = jobsim.Simulator(start=START)
    sim.advance(timedelta(hours=1))
    with pytest.raises(jobsim.ClockError):
        sim.run_until(START)
    with pytest.raises(jobsim.ClockError):
        sim.run_until(START.timestamp() + 60)
    assert sim.now == START + timedelta(hours=1)
    with pytest.raises(jobsim.InvalidArgument):
        sim.advance(-1)
    assert sim.now == START + timedelta(hours=1)


def test_clock_error_is_a_simulation_error() -> None:
    assert issubclass(jobsim.ClockError, jobsim.SimulationError)
    assert issubclass(jobsim.ClockError, jobsim.JobsimError)
    assert issubclass(jobsim.ClockError, RuntimeError)


# -- naive datetimes ---------------------------------------------------------------------------

NAIVE = datetime(2026, 3, 1, 9, 0)  # naive on purpose


def test_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="naive"):
        VirtualClock(NAIVE)
    with pytest.raises(jobsim.InvalidArgument, match="naive"):
        as_epoch(NAIVE)
    with pytest.raises(jobsim.InvalidArgument, match="naive"):
        jobsim.Simulator(start=NAIVE)


def test_simulator_verbs_refuse_naive_datetimes() -> None:
    sim = jobsim.Simulator(start=START)
    with pytest.raises(jobsim.InvalidArgument, match="naive"):
        sim.run_until(NAIVE + timedelta(days=1))
    with sim:
        with pytest.raises(jobsim.InvalidArgument, match="naive"):
            Tick.perform_at(NAIVE + timedelta(days=1), 1)
        with pytest.raises(jobsim.InvalidArgument, match="naive"):
            Tick.set(wait_until=NAIVE + timedelta(days=1)).perform_async(1)
    with pytest.raises(jobsim.InvalidArgument, match="naive"):
        sim.trace.between(NAIVE, NAIVE + timedelta(days=1))
    assert sim.now == START
    assert len(sim.trace) == 0  # nothing was enqueued by the refused calls
    assert sim.stats.scheduled_size == 0


def test_aware_datetimes_in_any_zone_mean_the_same_instant() -> None:
    plus_two = dt.timezone(timedelta(hours=2))
    assert as_epoch(START.astimezone(plus_two)) == as_epoch(START) == START.timestamp()


# -- seeded random streams ---------------------------------------------------------------------


def _draws(stream: Any, count: int = 20) -> list[float]:
    return [stream.random() for _ in range(count)]


def test_streams_are_reproducible() -> None:
    first = SimRandom(1234)
    second = SimRandom(1234)
    assert _draws(first.stream("jid")) == _draws(second.stream("jid"))
    assert _draws(first.stream("jitter")) == _draws(second.stream("jitter"))


def test_a_stream_is_the_same_object_each_time_and_continues() -> None:
    rng = SimRandom(5)
    head = _draws(rng.stream("jid"), 5)
    tail = _draws(rng.stream("jid"), 5)
    assert _draws(SimRandom(5).stream("jid"), 10) == head + tail


def test_drawing_from_one_stream_does_not_change_another() -> None:
    quiet = SimRandom(99)
    busy = SimRandom(99)
    _draws(busy.stream("jitter"), 1000)
    busy.stream("fetch").getrandbits(4096)
    assert _draws(busy.stream("jid")) == _draws(quiet.stream("jid"))
    # the order in which streams are first asked for does not matter either
    late = SimRandom(99)
    late.stream("zzz")
    assert _draws(late.stream("jitter"), 1000)[:20] == _draws(SimRandom(99).stream("jitter"))


def test_streams_differ_by_name_and_by_seed() -> None:
    rng = SimRandom(7)
    assert _draws(rng.stream("jid")) != _draws(rng.stream("jitter"))
    assert _draws(SimRandom(7).stream("jid")) != _draws(SimRandom(8).stream("jid"))
    # (seed, name) pairs that concatenate alike must not collide
    assert _draws(SimRandom(1).stream("2x")) != _draws(SimRandom(12).stream("x"))


def test_streams_are_not_the_global_random_state() -> None:
    import random

    state = random.getstate()
    try:
        random.seed(0)
        expected = _draws(SimRandom(3).stream("jid"))
        random.seed(1)
        assert _draws(SimRandom(3).stream("jid")) == expected
    finally:
        random.setstate(state)


class _Fails(jobsim.Job, retry=5):
    def perform(self) -> None:
        raise ValueError("no")


class _Fine(jobsim.Job):
    def perform(self, n: int) -> None:
        pass


def test_retry_jitter_draws_do_not_shift_later_jids() -> None:
    """In a simulator, jids come from their own stream: failures in between change nothing."""
    plain = jobsim.Simulator(seed=3)
    noisy = jobsim.Simulator(seed=3)
    with plain:
        plain_first = _Fine.perform_async(0)
    with noisy:
        noisy_first = _Fails.perform_async()
    noisy.drain()  # five retries, five jitter draws
    assert len(noisy.trace.of_kind("retry_scheduled")) == 5
    with plain:
        plain_jids = [_Fine.perform_async(n) for n in range(5)]
    with noisy:
        noisy_jids = [_Fine.perform_async(n) for n in range(5)]
    assert plain_first == noisy_first
    assert plain_jids == noisy_jids
    assert len({plain_first, *plain_jids}) == 6


def test_jids_do_not_shift_retry_jitter() -> None:
    """The other way round: enqueueing more jobs does not change a retry's jitter."""

    def delays(extra_jobs: int) -> list[float]:
        sim = jobsim.Simulator(seed=21, profile="sidekiq-8")
        with sim:
            for n in range(extra_jobs):
                _Fine.perform_async(n)
            _Fails.perform_async()
        sim.drain()
        return [event.detail["delay"] for event in sim.trace.of_kind("retry_scheduled")]

    assert delays(0) == delays(50)
    assert len(delays(0)) == 5
