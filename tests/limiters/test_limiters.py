"""Sidekiq Enterprise limiters on the virtual clock: waits, OverLimit reschedules, views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import jobsim
from jobsim.limiters import Limiter, Limiters, OverLimit, limiter_errors, limiters
from tests.conftest import START


def job_using(
    name: str,
    limiter: Callable[[], Limiter],
    seconds: float = 0.0,
    used: int = 1,
    **options: Any,
) -> type[jobsim.Job]:
    """A job class whose perform runs one block within ``limiter()``."""

    def perform(self: Any, *args: Any) -> None:
        with limiter().within_limit(used=used):
            pass

    return type(name, (jobsim.Job,), {"perform": perform, "duration": seconds}, **options)


def limiter_events(sim: jobsim.Simulator, event: str) -> list[jobsim.Event]:
    return [e for e in sim.trace.of_kind("limiter") if e.detail["event"] == event]


def entries(sim: jobsim.Simulator, jids: list[str]) -> list[float]:
    """When each execution of the jobs got into its block: start plus what it waited."""
    waited: dict[tuple[str, float], float] = {}
    for event in limiter_events(sim, "waited"):
        key = (event.jid, event.ts)
        waited[key] = waited.get(key, 0.0) + event.detail["seconds"]
    return sorted(
        event.ts - START + waited.get((event.jid, event.ts), 0.0)
        for event in sim.trace.of_kind("started")
        if event.jid in jids and not _gave_up(sim, event)
    )


def _gave_up(sim: jobsim.Simulator, started: jobsim.Event) -> bool:
    return any(
        e.jid == started.jid and e.ts == started.ts and e.detail["gave_up"]
        for e in limiter_events(sim, "waited")
    )


def run(sim: jobsim.Simulator, klass: type[jobsim.Job], count: int) -> list[str]:
    with sim:
        jids = [str(klass.perform_async(i)) for i in range(count)]
    sim.drain()
    return jids


def test_concurrent_holds_a_slot_until_the_execution_ends_and_waits_for_one() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    erp = limiters(sim).concurrent("erp", 2, wait_timeout=5)
    klass = job_using("CallErp", lambda: erp, seconds=3.0)
    jids = run(sim, klass, 6)
    # two get in, two wait 3 s for them, two give up after 5 s and come back later
    assert entries(sim, jids)[:4] == [0.0, 0.0, 3.0, 3.0]
    rescheduled = limiter_events(sim, "rescheduled")
    assert len(rescheduled) == 2
    assert {e.jid for e in rescheduled} <= set(jids)  # the same jobs, not copies
    assert all(e.ts == START + 5.0 and e.job["overrated"] == 1 for e in rescheduled)
    assert all(1 <= e.detail["delay"] <= 300 for e in rescheduled)
    # the waiting threads were busy: the waiters finished at 6 s, the ones that gave up at 5
    finished = sorted(e.ts - START for e in sim.trace.of_kind("succeeded"))
    assert finished[:6] == [3.0, 3.0, 5.0, 5.0, 6.0, 6.0]
    assert erp.status().held == 6
    assert erp.status().over_limit == 2
    assert erp.status().waited == 16.0
    assert limiters(sim).counts(klass).as_dict() == {
        "over_limit": 2, "rescheduled": 2, "retried": 0, "waited": 16.0,
    }  # fmt: skip


def test_a_slot_held_past_lock_timeout_can_be_taken() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    mutex = limiters(sim).concurrent("mutex", 1, wait_timeout=60, lock_timeout=10)
    klass = job_using("Long", lambda: mutex, seconds=30.0)
    jids = run(sim, klass, 3)
    assert entries(sim, jids) == [0.0, 10.0, 20.0]


def test_a_crash_leaves_the_lock_until_lock_timeout() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    mutex = limiters(sim).concurrent("mutex", 1, wait_timeout=0, lock_timeout=100)
    klass = job_using("Crashy", lambda: mutex, seconds=30.0)
    with sim:
        klass.perform_async(1)
    sim.run_until(START + 1)
    assert sim.crash()  # basic fetch: the job is lost, its lock stays in "Redis"
    sim.start()
    assert mutex.status().in_use == 1
    sim.advance(98)
    assert mutex.status().in_use == 1
    sim.advance(2)
    assert mutex.status().in_use == 0


def test_a_shutdown_gives_the_slot_back() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    mutex = limiters(sim).concurrent("mutex", 1, lock_timeout=100)
    klass = job_using("Stopped", lambda: mutex, seconds=30.0)
    with sim:
        klass.perform_async(1)
    sim.run_until(START + 1)
    assert len(sim.shutdown(0)) == 1  # ensure blocks run: the lock is released
    assert mutex.status().in_use == 0


def test_bucket_counts_per_calendar_interval() -> None:
    sim = jobsim.Simulator(start=START + 50, concurrency=10, plugins=[Limiters()])
    api = limiters(sim).bucket("api", 3, "minute", wait_timeout=15)
    klass = job_using("Api", lambda: api)
    with sim:
        jids = [str(klass.perform_async(i)) for i in range(8)]
    sim.run_until(START + 65)
    # 3 in the minute that ends 10 s later, 3 at the boundary, then nothing within 15 s
    assert entries(sim, jids) == [50.0, 50.0, 50.0, 60.0, 60.0, 60.0]
    assert len(limiter_events(sim, "rescheduled")) == 2
    assert api.status().in_use == 3


def test_window_rolls() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    window = limiters(sim).window("w", 2, 10, wait_timeout=30)
    klass = job_using("Win", lambda: window)
    with sim:
        jids = [str(klass.perform_in(5, i)) for i in range(2)]
        jids.append(str(klass.perform_in(12, 2)))
    sim.drain()
    # a bucket of 10 s would let the third in at 12 (a new bucket); the window waits to 15
    assert entries(sim, jids) == [5.0, 5.0, 15.0]


def test_bucket_starts_afresh_where_a_window_would_wait() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    bucket = limiters(sim).bucket("b", 2, 10, wait_timeout=30)
    klass = job_using("Buck", lambda: bucket)
    with sim:
        jids = [str(klass.perform_in(5, i)) for i in range(2)]
        jids.append(str(klass.perform_in(12, 2)))
    sim.drain()
    assert entries(sim, jids) == [5.0, 5.0, 12.0]


def test_leaky_bursts_then_drips() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    leaky = limiters(sim).leaky("shopify", 2, 10, wait_timeout=60)
    klass = job_using("Leak", lambda: leaky)
    jids = run(sim, klass, 5)
    assert entries(sim, jids) == [0.0, 0.0, 5.0, 10.0, 15.0]


def test_points_spend_used_units_and_refill() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    points = limiters(sim).points("graphql", 10, 10, wait_timeout=60)
    klass = job_using("Query", lambda: points, used=4)
    jids = run(sim, klass, 4)
    # 8 points at once; the third needs 2 more (2 s at 1 point/s), the fourth 4 more
    assert entries(sim, jids) == [0.0, 0.0, 2.0, 6.0]
    assert sim.time == START + 6.0
    assert points.status().in_use == 10.0  # full again at the last use


def test_bucket_and_window_take_used_too() -> None:
    sim = jobsim.Simulator(start=START, concurrency=10, plugins=[Limiters()])
    bucket = limiters(sim).bucket("bulk", 10, "minute", wait_timeout=0)
    klass = job_using("Bulk", lambda: bucket, used=4)
    with sim:
        for i in range(3):
            klass.perform_async(i)
    sim.run_until(START)
    assert bucket.status().held == 2
    assert bucket.status().in_use == 8
    assert bucket.status().waits == 0  # wait_timeout=0: it gave up without waiting
    window = limiters(sim).window("wbulk", 5, 60, wait_timeout=0)
    with window.within_limit(used=5):
        pass
    with pytest.raises(OverLimit), window.within_limit(used=1):
        pass


def test_the_reschedule_cap_hands_the_error_to_retries_and_overrated_stays() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    full = limiters(sim).bucket("full", 1, "day", wait_timeout=0, reschedule=2)
    with full.within_limit():  # outside a job: spends the day's only unit now
        pass
    klass = job_using("Capped", lambda: full, retry=1)
    with sim:
        jid = klass.perform_async()
    sim.run_until(START + 2 * 3600)
    kinds = [(e.kind, e.detail.get("event")) for e in sim.trace.for_job(str(jid))]
    assert kinds.count(("limiter", "rescheduled")) == 2
    assert ("retry_scheduled", None) in kinds
    actions = [e.detail["action"] for e in limiter_events(sim, "over_limit")]
    # the retry meets the limit again and, overrated still 2, goes straight back to retries
    assert actions == ["reschedule", "reschedule", "retry", "retry"]
    assert sim.locate(str(jid)) == "dead"
    failed = sim.trace.of_kind("failed")[0]
    assert failed.detail["error_class"] == "Sidekiq::Limiter::OverLimit"
    assert failed.job["overrated"] == 2  # not reset (sidekiq/sidekiq#6010)


def test_limiter_reschedules_ignore_retry_false() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    full = limiters(sim).concurrent("solo", 1, wait_timeout=0, lock_timeout=10**6)
    with full.within_limit():
        pass
    hold = full  # the block above ended outside a job: its slot is free again
    assert hold.status().in_use == 0
    blocker = job_using("Blocker", lambda: full, seconds=10**5)
    klass = job_using("NoRetry", lambda: full, retry=False)
    with sim:
        blocker.perform_async()
        jid = klass.perform_async()
    sim.run_until(START + 3 * 3600)
    rescheduled = [e for e in limiter_events(sim, "rescheduled") if e.jid == jid]
    assert len(rescheduled) >= 3  # retry: false did not stop the limiter's reschedules


def test_backoff_per_limiter_and_global() -> None:
    seen: list[tuple[Any, int, str]] = []

    def backoff(limiter: Any, job: dict[str, Any], error: BaseException) -> float:
        seen.append((limiter, job.get("overrated", 0), type(error).__name__))
        return 10

    sim = jobsim.Simulator(start=START, plugins=[Limiters(backoff=lambda *_: 99)])
    own = limiters(sim).bucket("own", 1, "day", wait_timeout=0, backoff=backoff)
    shared = limiters(sim).bucket("shared", 1, "day", wait_timeout=0)
    for limiter in (own, shared):
        with limiter.within_limit():
            pass
    first = job_using("Own", lambda: own)
    second = job_using("Shared", lambda: shared)
    with sim:
        first.perform_async()
        second.perform_async()
    sim.run_until(START + 1)
    delays = {e.job["class"]: e.detail["delay"] for e in limiter_events(sim, "rescheduled")}
    assert delays == {"Own": 10.0, "Shared": 99.0}
    assert seen == [(own, 0, "OverLimit")]
    assert limiter_events(sim, "over_limit")[0].detail["error_class"] == (
        "Sidekiq::Limiter::OverLimit"
    )


def test_the_default_backoff_grows_with_overrated() -> None:
    sim = jobsim.Simulator(start=START, seed=3, plugins=[Limiters()])
    full = limiters(sim).bucket("full", 1, "day", wait_timeout=0)
    with full.within_limit():
        pass
    klass = job_using("Grows", lambda: full)
    with sim:
        klass.perform_async()
    sim.run_until(START + 6 * 3600)
    delays = [e.detail["delay"] for e in limiter_events(sim, "rescheduled")]
    assert len(delays) >= 4
    for count, delay in enumerate(delays):
        assert 300 * count + 1 <= delay <= 300 * count + 300


def test_limiter_errors_reschedule_other_exceptions() -> None:
    class TooManyRequests(Exception):
        pass

    class Calls(jobsim.Job):
        calls = 0

        def perform(self) -> None:
            type(self).calls += 1
            if type(self).calls == 1:
                raise TooManyRequests("429")

    sim = jobsim.Simulator(start=START, plugins=[Limiters()])
    errors = limiter_errors(sim)
    assert list(errors) == [OverLimit]
    errors.append(TooManyRequests)
    assert TooManyRequests in errors
    with sim:
        jid = Calls.perform_async()
    sim.drain()
    assert [e.detail["event"] for e in sim.trace.of_kind("limiter")] == [
        "over_limit",
        "rescheduled",
    ]
    assert sim.trace.of_kind("limiter")[0].detail["limiter"] is None
    assert not sim.trace.of_kind("failed")
    assert Calls.calls == 2
    assert sim.trace.for_job(str(jid))[-1].kind == "succeeded"
    errors.remove(TooManyRequests)
    assert len(errors) == 1
    assert (
        limiter_errors(jobsim.Simulator(plugins=[Limiters()])).matches(TooManyRequests()) is False
    )


def test_outside_a_job_nothing_waits() -> None:
    sim = jobsim.Simulator(start=START, plugins=["limiters"])
    mutex = limiters(sim).concurrent("m", 1, wait_timeout=5)
    with mutex.within_limit():
        assert mutex.status().in_use == 1
        over = pytest.raises(OverLimit, match="concurrent limiter 'm' is over its limit")
        with over, mutex.within_limit():
            pass
    assert mutex.status().in_use == 0
    assert mutex.status().over_limit == 1


def test_unlimited_always_has_room() -> None:
    sim = jobsim.Simulator(start=START, concurrency=5, plugins=[Limiters()])
    free = limiters(sim).unlimited()
    klass = job_using("Free", lambda: free, seconds=5.0, used=1000)
    jids = run(sim, klass, 5)
    assert entries(sim, jids) == [0.0] * 5
    assert free.status().held == 0
    assert repr(free) == "Limiter.unlimited()"


def test_a_name_is_one_limiter_and_other_limits_under_it_are_refused() -> None:
    sim = jobsim.Simulator(start=START, plugins=[Limiters()])
    factory = limiters(sim)
    first = factory.concurrent("stripe-42", 2)
    again = factory.concurrent("stripe-42", 2, wait_timeout=1)
    with first.within_limit():
        assert again.status().in_use == 1  # the same counts
    assert factory.bucket("stripe-42", 5, "second").status().held == 0  # another type
    with pytest.raises(jobsim.JobsimError, match=r"already has Limiter\.concurrent"):
        factory.concurrent("stripe-42", 3)
    assert sorted(factory.status()) == ["lmtr:bucket:stripe-42", "lmtr:concurrent:stripe-42"]


def test_ttl_forgets_an_unused_limiter() -> None:
    sim = jobsim.Simulator(start=START, plugins=[Limiters(key_prefix="ent")])
    daily = limiters(sim).window("daily", 1, "day", ttl=100)
    assert daily.key == "ent:window:daily"
    with daily.within_limit():
        pass
    sim.advance(50)
    with pytest.raises(OverLimit), daily.within_limit():
        pass
    sim.advance(101)
    with daily.within_limit():
        pass


def test_limiters_are_per_simulator() -> None:
    first = jobsim.Simulator(start=START, plugins=[Limiters()])
    second = jobsim.Simulator(start=START, plugins=[Limiters()])
    one = limiters(first).concurrent("erp", 1)
    other = limiters(second).concurrent("erp", 1)
    with one.within_limit():
        assert other.status().in_use == 0
    with pytest.raises(jobsim.JobsimError, match="does not run Sidekiq Enterprise's limiters"):
        limiters(jobsim.Simulator())


def test_same_seed_same_trace() -> None:
    def one_run() -> list[tuple[str, float, str, Any]]:
        sim = jobsim.Simulator(start=START, seed=11, concurrency=4, plugins=[Limiters()])
        lim = limiters(sim).concurrent("erp", 1, wait_timeout=2)
        klass = job_using("Same", lambda: lim, seconds=3.0)
        run(sim, klass, 6)
        return [(e.kind, e.ts, e.jid, dict(e.detail)) for e in sim.trace]

    assert one_run() == one_run()


def test_a_wait_under_perform_one_takes_no_time_and_is_not_charged_to_a_later_run() -> None:
    sim = jobsim.Simulator(start=START, plugins=[Limiters()])
    bucket = limiters(sim).bucket("tens", 1, 10, wait_timeout=10)
    with bucket.within_limit():  # the bucket [0, 10) is spent
        pass

    class FailsOnce(jobsim.Job):
        duration = 2.0
        runs = 0

        def perform(self) -> None:
            with bucket.within_limit():
                type(self).runs += 1
                if type(self).runs == 1:
                    raise RuntimeError("first run fails")

    with sim:
        jid = str(FailsOnce.perform_async())
    sim.perform_one()  # waits 10 s for the next bucket, at one instant: the clock stays
    assert sim.time == START
    assert [e.detail["seconds"] for e in limiter_events(sim, "waited")] == [10.0]
    sim.drain()  # the retry runs on the engine, with room at once
    started, succeeded = sim.trace.of_kind("started")[-1], sim.trace.of_kind("succeeded")[-1]
    assert started.jid == succeeded.jid == jid
    assert succeeded.ts - started.ts == 2.0  # its own duration, no stale wait


def test_a_job_that_catches_overlimit_itself_keeps_its_duration() -> None:
    sim = jobsim.Simulator(start=START, plugins=[Limiters()])
    full = limiters(sim).bucket("full", 1, "day", wait_timeout=3)
    with full.within_limit():
        pass

    class Tolerant(jobsim.Job):
        duration = 10.0

        def perform(self) -> None:
            try:
                with full.within_limit():
                    pass
            except OverLimit:
                pass  # carries on without the API call

    class Strict(jobsim.Job):
        duration = 10.0

        def perform(self) -> None:
            with full.within_limit():
                pass

    with sim:
        Tolerant.perform_async()
        Strict.perform_async()
    sim.run_until(START + 60)
    ended: dict[str, float] = {}
    for event in sim.trace.of_kind("succeeded"):  # each class's first execution
        ended.setdefault(event.job["class"], event.ts - START)
    assert ended == {"Tolerant": 13.0, "Strict": 3.0}  # waited 3 s, then 10 s of work or none
    assert {e.job["class"] for e in limiter_events(sim, "rescheduled")} == {"Strict"}
