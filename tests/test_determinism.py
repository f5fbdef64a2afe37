"""The same seed gives the same run, byte for byte; another seed gives other jitter and jids.

A busy scenario (several job classes, failures, retries, hooks, scheduled jobs, the dead set
and its API, an unknown class, drain) is run twice in this process and once more in a fresh
interpreter with another ``PYTHONHASHSEED``: all three traces must be identical bytes, which
shows that nothing depends on set or dict-of-hash iteration order or on process state.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import jobsim

PROFILES = ("sidekiq-6.4", "sidekiq-7", "sidekiq-8")
START = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
HERE = Path(__file__).resolve()


class Charge(jobsim.Job, queue="payments", retry=4, backtrace=3):
    """Fails its first two attempts, then succeeds."""

    def perform(self, order_id: int, amount: dict[str, Any]) -> None:
        if self.job.get("retry_count", -1) < 1:
            raise ConnectionError(f"gateway timeout for order {order_id} ({amount['cents']})")


class Refund(jobsim.Job, queue="payments", retry=2):
    """Always fails; its exhausted hook notes the death."""

    def perform(self, order_id: int) -> None:
        raise ValueError(f"refund of order {order_id} rejected")

    def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> None:
        job.setdefault("tags", []).append("exhausted")


class Notify(jobsim.Job, queue="mailers"):
    def perform(self, user_id: int, template: str) -> None:
        pass


class Cleanup(jobsim.Job, retry=False):
    def perform(self, path: str) -> None:
        raise OSError(f"cannot remove {path}")


class Audit(jobsim.Job, queue="low", retry=1, dead=False, retry_queue="low"):
    def perform(self, n: int) -> None:
        raise LookupError(f"audit {n} missing")


class Backoff(jobsim.Job, retry=6):
    """Custom ``retry_in``: a fixed delay, then Sidekiq's default, then kill or discard."""

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        mode = job["args"][0]
        if count == 0:
            return 7
        if count == 1:
            return None
        return mode

    def perform(self, mode: str) -> None:
        raise TimeoutError(f"backoff {mode}")


#: Options that add workers in virtual time: weighted fetch, three slots, jobs that take time
#: (one drawn from the seeded "duration" stream), Sidekiq's randomised poll ticks.
WORKERS: dict[str, Any] = {
    "queues": [["payments", 3], ["mailers", 2], ["critical", 2], ["default", 1], ["low", 1]],
    "concurrency": 3,
    "durations": {"Notify": jobsim.durations.uniform(1, 20), "Charge": 4},
    "poll_interval": "sidekiq",
}
VARIANTS = ("plain", "workers")


def scenario(seed: int, profile: str, variant: str = "plain") -> jobsim.Simulator:
    options = WORKERS if variant == "workers" else {}
    sim = jobsim.Simulator(seed=seed, start=START, profile=profile, dead_max_jobs=6, **options)
    deaths: list[str] = []
    sim.death_handlers.append(lambda job, exc: deaths.append(job["jid"]))
    sim.error_handlers.append(lambda exc, ctx: None)
    with sim:
        for order in range(3):
            Charge.perform_async(order, {"cents": 100 * order, "currency": "EUR"})
            Refund.perform_async(order)
        Notify.perform_bulk([[user, "welcome"] for user in range(4)])
        Notify.perform_in(timedelta(minutes=10), 99, "reminder")
        Notify.perform_at(START + timedelta(hours=2), 98, "digest")
        Notify.set(queue="critical", wait=45).perform_async(97, "alert")
        Cleanup.perform_async("/tmp/a")
        Audit.perform_async(1)
        Backoff.perform_async("kill")
        Backoff.perform_async("discard")
        Backoff.set(retry=3).perform_async("30")
        sim.push({"class": "Ghost", "args": [1, "two"], "queue": "low", "retry": 2})
        sim.push({"class": Notify, "args": [5, "raw"], "at": START.timestamp() + 5})
    sim.perform_one()
    sim.perform_one("payments")
    sim.advance(timedelta(seconds=30))
    sim.run_due()
    # move things around through the API
    retrying = sorted(entry.jid for entry in sim.retries)
    if retrying:
        sim.retries.kill(retrying[0])
    if len(retrying) > 1:
        sim.retries.retry(retrying[1])
    sim.run_until(START + timedelta(minutes=5))
    if variant == "workers":
        with sim:
            Notify.perform_bulk([[user, "burst"] for user in range(10, 16)])
        sim.advance(2)
        sim.shutdown(5)  # some jobs finish in the grace time, the rest go back to their queues
        sim.start()
    sim.drain()
    dead = sorted(entry.jid for entry in sim.dead)
    if dead:
        sim.dead.retry(dead[0])
    if len(dead) > 1:
        sim.dead.delete(dead[1])
    with sim:
        Refund.perform_in(60, 100)
    sim.drain()
    sim.dead.retry_all()
    sim.drain()
    sim.dead.kill_all()
    with sim:
        Notify.perform_async(0, "done")
    sim.drain()
    assert deaths, "the scenario should call the death handlers"
    return sim


def render(sim: jobsim.Simulator) -> bytes:
    """The trace as JSON lines plus a final snapshot line, as UTF-8 bytes."""
    out = io.StringIO()
    lines = sim.trace.to_jsonl(out)
    assert lines == len(sim.trace)
    snapshot = {
        "now": sim.time,
        "stats": sim.stats.as_dict(),
        "dead": [dict(job) for job in sim.dead.jobs],
        "retry": [dict(job) for job in sim.retries.jobs],
        "scheduled": [dict(job) for job in sim.scheduled.jobs],
    }
    out.write(json.dumps(snapshot, sort_keys=False) + "\n")
    return out.getvalue().encode("utf-8")


def run_all(seed: int) -> dict[str, str]:
    """What the subprocess prints: each profile's and variant's rendering."""
    return {
        f"{profile}/{variant}": render(scenario(seed, profile, variant)).decode("utf-8")
        for profile in PROFILES
        for variant in VARIANTS
    }


def retry_delays(sim: jobsim.Simulator) -> list[tuple[Any, ...]]:
    """Each retry's (class, args, retry_count, delay), sorted."""
    rows = []
    for event in sim.trace.of_kind("retry_scheduled"):
        job, detail = event.job, event.detail
        rows.append((job["class"], json.dumps(job["args"]), detail["retry_count"], detail["delay"]))
    return sorted(rows)


def expected_base_delay(job: dict[str, Any], count: int) -> int:
    """The delay before jitter the scenario's classes ask for after failure ``count``."""
    if job["class"] == "Backoff" and count == 0:
        return 7
    if job["class"] == "Backoff" and count >= 2 and job["args"] == ["30"]:
        return 30
    return jobsim.default_delay(count)


def max_in_flight(sim: jobsim.Simulator) -> int:
    """The most executions started and not yet ended at any point of the trace."""
    open_jids: set[str] = set()
    most = 0
    for event in sim.trace:
        if event.kind == "started":
            open_jids.add(event.jid)
            most = max(most, len(open_jids))
        elif event.kind in ("succeeded", "failed", "interrupted", "lost"):
            open_jids.discard(event.jid)
    return most


# -- the scenario really is busy ---------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_scenario_covers_the_busy_paths(profile: str, variant: str) -> None:
    sim = scenario(1, profile, variant)
    kinds = set(sim.trace.kinds())
    expected = {
        "enqueued",
        "scheduled",
        "started",
        "succeeded",
        "failed",
        "retry_scheduled",
        "retries_exhausted",
        "died",
        "discarded",
    }
    assert expected <= kinds
    assert sim.stats.processed > 30
    assert len(sim.trace.of_kind("retry_scheduled")) > 15
    if variant == "workers":
        assert "interrupted" in kinds  # the shutdown pushed running jobs back
        assert max_in_flight(sim) > 1  # jobs really overlapped in virtual time


# -- same seed, same bytes ---------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_same_seed_gives_byte_identical_traces(profile: str, variant: str) -> None:
    first = render(scenario(7, profile, variant))
    second = render(scenario(7, profile, variant))
    assert first.count(b"\n") > 100
    assert first == second


def test_same_seed_in_another_process_with_another_hash_seed() -> None:
    here = os.environ.get("PYTHONHASHSEED")
    other = "12345" if here != "12345" else "54321"
    env = {**os.environ, "PYTHONHASHSEED": other}
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('test_determinism', {str(HERE)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['test_determinism'] = module\n"
        "spec.loader.exec_module(module)\n"
        "sys.stdout.write(json.dumps(module.run_all(7)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    theirs = json.loads(result.stdout)
    ours = run_all(7)
    assert sorted(theirs) == sorted(ours)
    assert len(ours) == len(PROFILES) * len(VARIANTS)
    for key in ours:
        assert theirs[key].encode("utf-8") == ours[key].encode("utf-8"), key


# -- other seeds, other jitter and jids --------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_different_seeds_give_different_jitter(profile: str) -> None:
    one, two = scenario(1, profile), scenario(2, profile)
    assert retry_delays(one) != retry_delays(two)
    assert render(one) != render(two)
    jitters = set()
    for sim in (one, two):
        for event in sim.trace.of_kind("retry_scheduled"):
            count, jitter = event.detail["retry_count"], event.detail["jitter"]
            # only the jitter is random: the delay is the backoff plus the drawn jitter
            assert event.detail["delay"] == expected_base_delay(dict(event.job), count) + jitter
            if jobsim.PROFILES[profile].jitter == "per_count":  # rand(10) * (count + 1)
                assert jitter % (count + 1) == 0
                assert 0 <= jitter // (count + 1) <= 9
            else:  # rand(10 * (count + 1))
                assert 0 <= jitter < 10 * (count + 1)
            jitters.add(jitter)
    assert len(jitters) > 5


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_different_seeds_give_different_jids(profile: str, variant: str) -> None:
    one, two = scenario(1, profile, variant), scenario(2, profile, variant)
    jids_one = {event.jid for event in one.trace}
    jids_two = {event.jid for event in two.trace}
    assert len(jids_one) == len(jids_two) > 20
    assert not jids_one & jids_two


def test_pinned_jitter_removes_the_seed_from_retry_times() -> None:
    """With ``jitter='min'`` two seeds retry at the same times (only jids still differ)."""

    def times(seed: int) -> list[tuple[str, float]]:
        sim = jobsim.Simulator(seed=seed, start=START, jitter="min")
        with sim:
            Refund.perform_async(1)
            Charge.perform_async(2, {"cents": 1})
        sim.drain()
        return [(e.kind, e.ts) for e in sim.trace]

    assert times(1) == times(2)
