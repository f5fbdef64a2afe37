"""Sidekiq's retry flow, rule by rule (Sidekiq's lib/sidekiq/job_retry.rb)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import jobsim
from jobsim.retry import default_delay
from tests.conftest import START, Boom, failing_job

PROFILES = ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"]


def delays(sim: jobsim.Simulator) -> list[float]:
    return [event.detail["delay"] for event in sim.trace.of_kind("retry_scheduled")]


# -- the fields a failure writes ------------------------------------------------------


def test_first_failure_sets_failed_at_and_retry_count_zero_but_not_retried_at(
    make_sim: Any,
) -> None:
    sim = make_sim(profile="sidekiq-7")
    flaky = failing_job(queue="critical")
    with sim:
        jid = flaky.perform_async(1)
    sim.perform_one()
    (entry,) = list(sim.retries)
    job = entry.job
    assert job["jid"] == jid
    assert job["retry_count"] == 0
    assert job["failed_at"] == START
    assert "retried_at" not in job
    assert job["error_class"] == "tests.conftest.Boom"
    assert job["error_message"] == "boom 1"
    assert job["queue"] == "critical"


def test_second_failure_sets_retried_at_keeps_failed_at_and_counts_up(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-7", jitter="min")
    flaky = failing_job(fail_times=2)
    with sim:
        flaky.perform_async()
    sim.perform_one()
    sim.advance(15)  # default_delay(0) == 15 with jitter pinned to 0
    (entry,) = list(sim.retries)
    assert entry.job["retry_count"] == 1
    assert entry.job["failed_at"] == START
    assert entry.job["retried_at"] == START + 15
    assert entry.score == START + 15 + default_delay(1)


def test_retry_enqueue_rewrites_enqueued_at_but_keeps_created_at(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-7", jitter="min")
    flaky = failing_job(fail_times=1)
    with sim:
        flaky.perform_async()
    sim.perform_one()
    sim.run_until(START + 15)
    enqueued = sim.trace.of_kind("enqueued")
    assert [event.detail.get("source") for event in enqueued] == [None, "retry"]
    assert enqueued[1].job["created_at"] == START
    assert enqueued[1].job["enqueued_at"] == START + 15


def test_profile_8_writes_integer_millisecond_timestamps(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-8", start=START + 0.123)
    flaky = failing_job()
    with sim:
        flaky.perform_async()
    sim.perform_one()
    job = next(iter(sim.retries)).job
    assert job["created_at"] == 1767225600123
    assert job["enqueued_at"] == 1767225600123
    assert job["failed_at"] == 1767225600123
    assert isinstance(job["failed_at"], int)


# -- the retry option ------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("retries", [1, 2, 5])
def test_retry_n_runs_n_plus_one_times_and_dies_with_retry_count_n(
    make_sim: Any, profile: str, retries: int
) -> None:
    sim = make_sim(profile=profile)
    flaky = failing_job(retry=retries)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(flaky.calls) == retries + 1  # type: ignore[attr-defined]
    assert len(sim.trace.of_kind("retry_scheduled")) == retries
    (dead,) = sim.dead.jobs
    assert dead["retry_count"] == retries
    assert sim.stats.processed == sim.stats.failed == retries + 1


def test_retry_true_means_25_retries(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-8")
    flaky = failing_job()
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(flaky.calls) == 26  # type: ignore[attr-defined]
    assert sim.dead.jobs[0]["retry_count"] == 25


def test_max_retries_setting_changes_what_retry_true_means(make_sim: Any) -> None:
    sim = make_sim(max_retries=7)
    flaky = failing_job()
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(sim.trace.of_kind("retry_scheduled")) == 7
    assert len(sim.dead) == 1


def test_retry_zero_goes_straight_to_the_dead_set(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry=0)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(sim.retries) == 0
    assert sim.dead.jobs[0]["retry_count"] == 0
    assert sim.trace.kinds()[-3:] == ["failed", "retries_exhausted", "died"]


@pytest.mark.parametrize("profile", PROFILES)
def test_retry_false_calls_death_handlers_with_the_original_job_and_keeps_nothing(
    make_sim: Any, profile: str
) -> None:
    sim = make_sim(profile=profile)
    seen: list[tuple[dict[str, Any], BaseException]] = []
    sim.death_handlers.append(lambda job, exc: seen.append((job, exc)))
    flaky = failing_job(retry=False)
    with sim:
        jid = flaky.perform_async(3)
    sim.drain()
    assert len(sim.retries) == len(sim.dead) == 0
    ((job, exc),) = seen
    assert job["jid"] == jid
    assert "error_message" not in job  # JobRetry#global hands over the job as it was pushed
    assert isinstance(exc, Boom)
    assert sim.locate(jid) == "discarded"
    assert sim.trace.of_kind("discarded")[0].detail["reason"] == "retry is disabled (retry: false)"


def test_retry_queue_moves_the_retry_to_another_queue(make_sim: Any) -> None:
    sim = make_sim(jitter="min")
    flaky = failing_job(fail_times=1, queue="default", retry_queue="slow")
    with sim:
        jid = flaky.perform_async()
    sim.perform_one()
    assert next(iter(sim.retries)).job["queue"] == "slow"
    sim.run_until(START + 15)
    assert sim.locate(jid) == "done"
    assert sim.trace.of_kind("succeeded")[0].job["queue"] == "slow"


def test_set_retry_overrides_the_class_option_for_one_enqueue(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry=5)
    with sim:
        flaky.set(retry=0).perform_async()
    sim.drain()
    assert len(flaky.calls) == 1  # type: ignore[attr-defined]


# -- backoff and jitter ---------------------------------------------------------------


@pytest.mark.parametrize(("count", "base"), [(0, 15), (1, 16), (2, 31), (3, 96), (24, 331_791)])
def test_default_delay_is_count_to_the_fourth_plus_fifteen(count: int, base: int) -> None:
    assert default_delay(count) == base


@pytest.mark.parametrize(
    ("profile", "mode", "expected"),
    [
        # 6.4 and 7: rand(10) * (count + 1) -> 0 or 9 * (count + 1)
        ("sidekiq-6.4", "min", [15, 16, 31, 96]),
        ("sidekiq-6.4", "max", [15 + 9, 16 + 18, 31 + 27, 96 + 36]),
        ("sidekiq-7", "max", [15 + 9, 16 + 18, 31 + 27, 96 + 36]),
        # 8: rand(10 * (count + 1)) -> up to 10 * (count + 1) - 1
        ("sidekiq-8", "min", [15, 16, 31, 96]),
        ("sidekiq-8", "max", [15 + 9, 16 + 19, 31 + 29, 96 + 39]),
    ],
)
def test_jitter_bounds_per_profile(
    make_sim: Any, profile: str, mode: str, expected: list[int]
) -> None:
    sim = make_sim(profile=profile, jitter=mode)
    flaky = failing_job(retry=4)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert delays(sim) == expected


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7"])
def test_random_jitter_before_8_is_a_multiple_of_count_plus_one(
    make_sim: Any, profile: str
) -> None:
    seen: set[float] = set()
    for seed in range(60):
        sim = make_sim(profile=profile, seed=seed)
        flaky = failing_job(retry=4)
        with sim:
            flaky.perform_async()
        sim.drain()
        delay = delays(sim)[3]  # count 3: 96 + rand(10) * 4
        assert (delay - 96) % 4 == 0
        assert 96 <= delay <= 132
        seen.add(delay)
    assert len(seen) >= 6  # the seed really varies the draw


def test_random_jitter_in_8_takes_any_integer_in_the_range(make_sim: Any) -> None:
    seen: set[float] = set()
    for seed in range(80):
        sim = make_sim(profile="sidekiq-8", seed=seed)
        flaky = failing_job(retry=4)
        with sim:
            flaky.perform_async()
        sim.drain()
        delay = delays(sim)[3]
        assert 96 <= delay <= 135
        seen.add(delay)
    assert any((delay - 96) % 4 for delay in seen)  # not only multiples of 4


# -- sidekiq_retry_in -----------------------------------------------------------------


def job_with_retry_in(result: Any, *, retry: int = 3, exhausted: list[Any] | None = None) -> type:
    class Hooked(jobsim.Job, retry=retry):
        def perform(self, *args: Any) -> None:
            raise Boom("nope")

        def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> Any:
            if isinstance(result, Exception):
                raise result
            return result(count) if callable(result) else result

        def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> None:
            if exhausted is not None:
                exhausted.append(job["retry_count"])

    return Hooked


@pytest.mark.parametrize("profile", PROFILES)
def test_custom_delay_gets_jitter_added(make_sim: Any, profile: str) -> None:
    sim = make_sim(profile=profile, jitter="max")
    hooked = job_with_retry_in(100, retry=1)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert delays(sim) == [100 + 9]


@pytest.mark.parametrize("result", [0, -5, None, 0.4])
@pytest.mark.parametrize("profile", PROFILES)
def test_zero_negative_or_none_falls_back_to_the_default(
    make_sim: Any, profile: str, result: Any
) -> None:
    sim = make_sim(profile=profile, jitter="min")
    hooked = job_with_retry_in(result, retry=2)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert delays(sim) == [15, 16]


@pytest.mark.parametrize(
    ("result", "expected"), [(12.7, 12), (timedelta(hours=2), 7200), ("30", 30)]
)
@pytest.mark.parametrize("profile", PROFILES)
def test_floats_durations_and_numeric_strings_are_coerced_with_to_i(
    make_sim: Any, profile: str, result: Any, expected: int
) -> None:
    sim = make_sim(profile=profile, jitter="min")
    hooked = job_with_retry_in(result, retry=1)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert delays(sim) == [expected]


def test_retry_in_receives_count_exception_and_job(make_sim: Any) -> None:
    seen: list[tuple[int, str, int]] = []

    class Spy(jobsim.Job, retry=2):
        def perform(self) -> None:
            raise Boom("x")

        def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> None:
            seen.append((count, type(exc).__name__, job["retry_count"]))

    sim = make_sim()
    with sim:
        Spy.perform_async()
    sim.drain()
    assert seen == [(0, "Boom", 0), (1, "Boom", 1)]  # not called on the exhausting failure


def test_a_raising_retry_in_falls_back_to_default_and_is_reported(make_sim: Any) -> None:
    sim = make_sim(jitter="min")
    reports: list[tuple[str, str]] = []
    sim.error_handlers.append(lambda exc, ctx: reports.append((type(exc).__name__, ctx["context"])))
    hooked = job_with_retry_in(KeyError("no such rate"), retry=1)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert delays(sim) == [15]
    assert reports[0] == (
        "KeyError",
        "Failure scheduling retry using the defined `sidekiq_retry_in` in Hooked, "
        "falling back to default",
    )
    assert reports[1] == ("Boom", "Job raised exception")
    assert sim.trace.of_kind("hook_error")[0].detail["hook"] == "retry_in"


@pytest.mark.parametrize("profile", ["sidekiq-7", "sidekiq-8"])
def test_kill_goes_to_the_dead_set_through_the_exhausted_hook(make_sim: Any, profile: str) -> None:
    exhausted: list[Any] = []
    sim = make_sim(profile=profile)
    hooked = job_with_retry_in("kill", retry=5, exhausted=exhausted)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert exhausted == [0]
    assert len(sim.dead) == 1
    assert sim.trace.of_kind("retries_exhausted")[0].detail["reason"] == "retry_in returned 'kill'"


def test_discard_in_7_drops_the_job_silently(make_sim: Any) -> None:
    exhausted: list[Any] = []
    deaths: list[Any] = []
    sim = make_sim(profile="sidekiq-7")
    sim.death_handlers.append(lambda job, exc: deaths.append(job))
    hooked = job_with_retry_in("discard", exhausted=exhausted)
    with sim:
        jid = hooked.perform_async()
    sim.drain()
    assert (exhausted, deaths, len(sim.dead), len(sim.retries)) == ([], [], 0, 0)
    assert sim.locate(jid) == "discarded"


def test_discard_in_8_calls_death_handlers_with_discarded_at(make_sim: Any) -> None:
    deaths: list[dict[str, Any]] = []
    sim = make_sim(profile="sidekiq-8", start=START + 5)
    sim.death_handlers.append(lambda job, exc: deaths.append(job))
    hooked = job_with_retry_in("discard")
    with sim:
        hooked.perform_async()
    sim.drain()
    assert len(deaths) == 1
    assert deaths[0]["discarded_at"] == 1767225605000
    assert len(sim.dead) == 0


@pytest.mark.parametrize("symbol", ["kill", "discard"])
def test_symbols_in_6_4_raise_no_method_error_and_retry_the_original_job(
    make_sim: Any, symbol: str
) -> None:
    # Sidekiq 6.4 calls .to_i on the result; a Symbol has none, the NoMethodError escapes
    # JobRetry#local and #global schedules an ordinary retry of the original payload.
    sim = make_sim(profile="sidekiq-6.4", jitter="min")
    hooked = job_with_retry_in(symbol, retry=3)
    with sim:
        hooked.perform_async()
    sim.perform_one()
    (entry,) = list(sim.retries)
    assert entry.job["error_class"] == "NoMethodError"
    assert entry.job["error_message"] == f"undefined method `to_i' for :{symbol}:Symbol"
    assert entry.job["retry_count"] == 0
    assert entry.score == START + 15
    assert len(sim.dead) == 0


def test_6_4_keeps_running_hooks_on_later_failures_until_the_count_runs_out(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-6.4")
    hooked = job_with_retry_in("kill", retry=2)
    with sim:
        hooked.perform_async()
    sim.drain()
    assert [e.job["error_class"] for e in sim.trace.of_kind("retry_scheduled")] == [
        "NoMethodError",
        "NoMethodError",
    ]
    assert sim.dead.jobs[0]["retry_count"] == 2


# -- retry_for ---------------------------------------------------------------------------


def test_retry_for_in_7_exhausts_when_the_window_passes_even_with_retries_left(
    make_sim: Any,
) -> None:
    sim = make_sim(profile="sidekiq-7", jitter="min")
    flaky = failing_job(retry=25, retry_for=60)
    with sim:
        flaky.perform_async()
    sim.drain()
    # failures at 0, 15, 31 (+16), 62 (+31): the last is past failed_at + 60
    assert [e.ts - START for e in sim.trace.of_kind("failed")] == [0, 15, 31, 62]
    assert sim.trace.of_kind("retries_exhausted")[0].detail["reason"] == (
        "retry_for window has passed"
    )


def test_retry_for_in_7_still_honours_the_retry_count(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-7")
    flaky = failing_job(retry=1, retry_for=timedelta(days=2))
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(flaky.calls) == 2  # type: ignore[attr-defined]


def test_retry_for_in_8_ignores_the_retry_count(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-8", jitter="min")
    flaky = failing_job(retry=1, retry_for=60)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(flaky.calls) == 4  # type: ignore[attr-defined]


def test_retry_for_is_ignored_by_6_4(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-6.4", jitter="min")
    flaky = failing_job(retry=4, retry_for=10)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert len(flaky.calls) == 5  # type: ignore[attr-defined]


def test_retry_for_is_stored_as_whole_seconds(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry_for=timedelta(hours=48))
    with sim:
        flaky.perform_async()
    assert sim.queue().jobs[0]["retry_for"] == 172_800


# Unknown classes go through JobRetry#global -----------------------------------------------


def test_unknown_class_retries_with_default_backoff_and_no_hooks(make_sim: Any) -> None:
    sim = make_sim(jitter="min", profile="sidekiq-7")
    jid = sim.push({"class": "Nowhere", "args": [1], "retry": 1})
    sim.drain()
    assert [e.detail["delay"] for e in sim.trace.of_kind("retry_scheduled")] == [15]
    assert sim.dead.jobs[0]["jid"] == jid
    assert sim.dead.jobs[0]["error_class"] == "NameError"
    assert sim.dead.jobs[0]["error_message"] == "uninitialized constant Nowhere"
    # the trace keeps jobsim's own advice for the person reading it
    assert "register it with sim.register" in sim.trace.of_kind("failed")[0].detail["error_message"]


def test_unknown_class_without_retry_calls_death_handlers(make_sim: Any) -> None:
    sim = make_sim()
    deaths: list[str] = []
    sim.death_handlers.append(lambda job, exc: deaths.append(job["class"]))
    sim.push({"class": "Nowhere", "args": [], "retry": False})
    sim.drain()
    assert deaths == ["Nowhere"]
    assert len(sim.dead) == 0
