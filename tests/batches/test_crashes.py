"""Callbacks fire exactly once under crashes, duplicate deliveries and callback retries."""

from __future__ import annotations

from typing import ClassVar

import pytest
from batch_helpers import Calls, events, simulator

import jobsim
from jobsim.batches import Batch, Status


class CrashOnce(jobsim.Job):
    crashed: ClassVar[list[str]] = []
    runs: ClassVar[list[str]] = []

    def perform(self, key: str) -> None:
        CrashOnce.runs.append(key)
        if key == "crash" and not CrashOnce.crashed:
            CrashOnce.crashed.append(key)
            raise jobsim.SimulatedCrash("kill -9 mid-job")


@pytest.fixture(autouse=True)
def _fresh_crashes() -> None:
    CrashOnce.crashed.clear()
    CrashOnce.runs.clear()


def _batch(keys: list[str]) -> Batch:
    batch = Batch()
    for event in ("complete", "success", "death"):
        batch.on(event, Calls)
    with batch.jobs():
        for key in keys:
            CrashOnce.perform_async(key)
    return batch


def test_a_member_lost_in_a_crash_under_basic_fetch_is_never_counted() -> None:
    sim = simulator(fetch="basic")
    with sim:
        batch = _batch(["ok", "crash"])
    sim.drain()
    sim.start()
    sim.drain()
    assert events() == []  # the lost run never ended: the batch waits, as in Sidekiq
    assert sim.batches[batch.bid].pending == 1


def test_a_member_crashed_under_reliable_fetch_runs_again_and_counts_once() -> None:
    sim = simulator(fetch="reliable")
    with sim:
        batch = _batch(["crash", "ok"])
    sim.drain()
    sim.start()
    sim.drain()
    assert CrashOnce.runs.count("crash") == 2
    assert events() == [("complete", batch.bid), ("success", batch.bid)]


def test_a_duplicate_delivery_of_a_member_counts_once() -> None:
    sim = simulator()
    with sim:
        batch = _batch(["dup"])
    (job,) = sim.queue().jobs
    sim.push(dict(job))  # the same jid delivered twice
    sim.drain()
    assert CrashOnce.runs == ["dup", "dup"]
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    assert sim.batches[batch.bid].total == 1


def test_a_callback_job_crashed_under_reliable_fetch_runs_again_and_fires_once() -> None:
    class CrashingCallback:
        calls: ClassVar[list[str]] = []

        def on_success(self, status: Status, options: dict[str, str]) -> None:
            CrashingCallback.calls.append(status.bid)
            if len(CrashingCallback.calls) == 1:
                raise jobsim.SimulatedCrash("kill -9 inside the callback")

    class Start(jobsim.Job):
        def perform(self) -> None:
            child = Batch()
            child.on("success", CrashingCallback)
            with child.jobs():
                CrashOnce.perform_async("leaf")

    sim = simulator(fetch="reliable")
    with sim:
        parent = Batch()
        parent.on("success", Calls)
        with parent.jobs():
            Start.perform_async()
    sim.drain()
    assert events() == []  # the child's step is not done: its callback job never finished
    sim.start()
    sim.drain()
    assert len(CrashingCallback.calls) == 2  # at least once: the target ran again
    assert events() == [("success", parent.bid)]
    (child_bid,) = sim.batches[parent.bid].child_bids
    fired = [e.detail["event"] for e in sim.trace.for_job(child_bid) if e.kind == "batch"]
    assert fired == ["created", "complete", "success"]  # each event fired once
