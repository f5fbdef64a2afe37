"""The ActiveJob layer: delay formulas and callbacks per Rails version, layering on Sidekiq."""

from __future__ import annotations

from datetime import timedelta

import pytest

import jobsim
from jobsim.active_job import (
    RAILS_VERSIONS,
    ActiveJob,
    RailsDeprecationWarning,
    determine_delay,
    get_rails,
    settings,
)
from jobsim.errors import InvalidArgument

START = 1_767_225_600.0


class Boom(Exception):
    pass


def half() -> float:
    return 0.5


@pytest.mark.parametrize(
    ("wait", "n", "jitter", "expected"),
    [
        (3, 1, 0.15, 3 + 0.5 * 3 * 0.15),
        (timedelta(seconds=90.9), 2, 0.0, 90),  # Duration#to_i truncates
        ("polynomially_longer", 3, 0.15, 81 + 0.5 * 81 * 0.15 + 2),  # +2 never jittered
        (lambda n: n * 10, 4, 0.9, 40),  # a callable is never jittered
    ],
)
def test_delay_formulas_on_8_0(wait: object, n: int, jitter: float, expected: float) -> None:
    assert determine_delay(wait, n, jitter, get_rails("8.0"), half) == pytest.approx(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["6.1", "7.0", "7.1"])
def test_exponentially_longer_works_until_7_1(version: str) -> None:
    assert determine_delay("exponentially_longer", 2, 0.0, get_rails(version), half) == 18


@pytest.mark.parametrize("version", ["7.2", "8.0"])
def test_exponentially_longer_is_removed_from_7_2_at_failure_time(version: str) -> None:
    with pytest.raises(RuntimeError, match="Couldn't determine a delay based on :exponentially"):
        determine_delay("exponentially_longer", 1, 0.0, get_rails(version), half)


@pytest.mark.parametrize("version", ["6.1", "7.0"])
def test_polynomially_longer_does_not_exist_before_7_1(version: str) -> None:
    with pytest.raises(RuntimeError, match=":polynomially_longer"):
        determine_delay("polynomially_longer", 1, 0.0, get_rails(version), half)


@pytest.mark.parametrize("version", list(RAILS_VERSIONS))
def test_float_wait_fails_in_every_version(version: str) -> None:
    with pytest.raises(RuntimeError, match=r"based on 1\.5"):
        determine_delay(1.5, 1, 0.0, get_rails(version), half)


def test_no_draw_when_jitter_is_zero() -> None:
    def never() -> float:
        raise AssertionError("rand drawn")

    assert determine_delay(5, 1, 0.0, get_rails("8.0"), never) == 5


def test_exponentially_longer_warns_when_declared_on_7_1() -> None:
    class Old(ActiveJob, rails="7.1"):
        pass

    with pytest.warns(RailsDeprecationWarning, match="polynomially_longer"):
        Old.retry_on(Boom, wait="exponentially_longer")


def _failing(rails: str, **retry: object) -> type[ActiveJob]:
    class Failing(ActiveJob, rails=rails, name=f"Failing{rails.replace('.', '')}"):
        def perform(self, *args: object) -> None:
            raise Boom("no")

    Failing.retry_on(Boom, **retry)  # type: ignore[arg-type]
    return Failing


def _run(job: type[ActiveJob], profile: str = "sidekiq-7") -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=5, start=START, profile=profile)
    settings(sim).rand = 0.5
    with sim:
        job.perform_later(1)
        sim.drain()
    return sim


def test_attempts_then_sidekiq_retries_stack() -> None:
    sim = _run(_failing("8.0", wait=2, attempts=5, jitter=0))
    assert sim.trace.kinds().count("started") == 5 + 25
    assert len(sim.dead) == 1
    assert [e.kind for e in sim.trace][:2] == ["enqueued", "started"]


def test_unlimited_attempts_from_7_0_but_an_error_in_6_1() -> None:
    job = _failing("6.1", wait=1, attempts="unlimited")
    sim = _run(job, "sidekiq-6.4")
    first_failure = next(e for e in sim.trace if e.kind == "failed")
    assert first_failure.detail["error_message"] == "comparison of Integer with :unlimited failed"

    class Flaky(ActiveJob, rails="7.0"):
        runs = 0

        def perform(self) -> None:
            Flaky.runs += 1
            if Flaky.runs < 40:
                raise Boom("again")

    Flaky.retry_on(Boom, wait=1, attempts="unlimited", jitter=0)
    sim = jobsim.Simulator(seed=1, start=START)
    with sim:
        Flaky.perform_later()
        sim.drain()
    assert Flaky.runs == 40
    assert "failed" not in sim.trace.kinds()


@pytest.mark.parametrize(("rails", "calls"), [("7.0", 0), ("7.1", 1)])
def test_after_discard_from_7_1(rails: str, calls: int) -> None:
    seen: list[str] = []

    class Gone(ActiveJob, rails=rails, name=f"Gone{rails}"):
        def perform(self) -> None:
            raise Boom("gone")

    Gone.discard_on(Boom)
    Gone.after_discard(lambda job, error: seen.append(str(error)))
    with jobsim.Simulator(seed=1, start=START) as sim:
        Gone.perform_later()
        sim.drain()
    assert len(seen) == calls
    assert "failed" not in sim.trace.kinds()


def test_last_declared_handler_wins_and_subclass_over_parent() -> None:
    order: list[str] = []

    class Parent(ActiveJob, rails="8.0"):
        def perform(self) -> None:
            raise Boom("x")

    Parent.rescue_from(Boom, with_=lambda job, e: order.append("first"))
    Parent.rescue_from(Exception, with_=lambda job, e: order.append("last"))

    class Child(Parent):
        pass

    Child.rescue_from(Boom, with_=lambda job, e: order.append("child"))
    assert isinstance(Parent.perform_now(), Boom)
    assert isinstance(Child.perform_now(), Boom)
    assert order == ["last", "child"]


def test_cause_chain_reaches_the_handler() -> None:
    got: list[BaseException] = []

    class Wrapped(ActiveJob):
        def perform(self) -> None:
            try:
                raise Boom("inner")
            except Boom as inner:
                raise ValueError("outer") from inner

    Wrapped.rescue_from(Boom, with_=lambda job, e: got.append(e))
    Wrapped.perform_now()
    assert [str(e) for e in got] == ["inner"]


@pytest.mark.parametrize(("rails", "queue"), [("6.1", "default"), ("7.0", "urgent")])
def test_set_perform_now_applies_options_from_7_0(rails: str, queue: str) -> None:
    class Where(ActiveJob, rails=rails, name=f"Where{rails}"):
        def perform(self) -> str:
            return self.queue_name

    assert Where.set(queue="urgent").perform_now() == queue


def test_payload_is_the_adapters_and_7_1_serializes_scheduled_at() -> None:
    class Mail(ActiveJob, rails="7.1", queue_as=lambda job: f"mail_{job.arguments[0]}"):
        def perform(self, kind: str) -> None:
            pass

    with jobsim.Simulator(seed=1, start=START, profile="sidekiq-7") as sim:
        job = Mail.set(wait=60, priority=3).perform_later("welcome")
    event = next(e for e in sim.trace if e.kind == "scheduled")
    assert event.job["class"] == "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"
    assert event.job["wrapped"] == "Mail"
    assert event.job["queue"] == "mail_welcome"
    data = event.job["args"][0]
    assert data["priority"] == 3
    assert data["scheduled_at"] == "2026-01-01T00:01:00.000000000Z"
    assert data["enqueued_at"] == "2026-01-01T00:00:00.000000000Z"
    assert job.provider_job_id == event.jid


def test_sidekiq_8_uses_its_own_wrapper_and_looks_up_hooks_on_the_wrapped_class() -> None:
    class Hooked(ActiveJob):
        @staticmethod
        def sidekiq_retry_in(count: int, exc: Exception, job: object) -> int:
            return 1000

        def perform(self) -> None:
            raise Boom("x")

    with jobsim.Simulator(seed=1, start=START, profile="sidekiq-8", jitter="min") as sim:
        Hooked.perform_later()
        sim.run_due()
    event = next(e for e in sim.trace if e.kind == "retry_scheduled")
    assert event.job["class"] == "Sidekiq::ActiveJob::Wrapper"
    assert event.detail["delay"] == 1000

    with jobsim.Simulator(seed=1, start=START, profile="sidekiq-6.4", jitter="min") as sim:
        Hooked.perform_later()
        sim.run_due()
    event = next(e for e in sim.trace if e.kind == "retry_scheduled")
    assert event.detail["delay"] == 15  # 6.4 never asks the wrapped class


def test_same_seed_same_jitter_and_ids() -> None:
    def run(seed: int) -> list[object]:
        class J(ActiveJob, name="J"):
            def perform(self) -> None:
                raise Boom("x")

        J.retry_on(Boom, wait=100, attempts=3, jitter=0.5)
        sim = jobsim.Simulator(seed=seed, start=START)
        with sim:
            J.perform_later()
            sim.run_until(START + 1000)
        return [(e.kind, e.ts, e.job["args"][0]["job_id"]) for e in sim.trace]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_bad_declarations_fail_early() -> None:
    with pytest.raises(InvalidArgument, match="not an exception class"):
        ActiveJob.retry_on("Boom")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"rails='9\.9'"):
        get_rails("9.9")
    with pytest.raises(InvalidArgument, match="set takes"):
        ActiveJob.set(wiat=3)
