"""Nested batches three deep: the ordering Sidekiq guarantees (sidekiq/sidekiq#5290), over
many seeds, with concurrent workers, job durations and retries; and ActiveJob children."""

from __future__ import annotations

from typing import ClassVar

import pytest
from batch_helpers import Calls, Child, events, simulator

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.batches import Batch
from jobsim.durations import uniform


def _with_callbacks(batch: Batch) -> Batch:
    for event in ("complete", "success", "death"):
        batch.on(event, Calls)
    return batch


class Leaf(jobsim.Job):
    """Makes a child batch of the batch it runs in: ``level`` more levels below it."""

    def perform(self, level: int, fanout: int) -> None:
        child = _with_callbacks(Batch(description=f"level {level}"))
        with child.jobs():
            for index in range(fanout):
                if level > 1:
                    Leaf.perform_async(level - 1, fanout)
                else:
                    Child.perform_async(f"leaf-{index}")
            Child.perform_async(f"x{level}")


def callback_runs(sim: jobsim.Simulator) -> dict[tuple[str, str], tuple[int, int]]:
    """(event, bid) -> (seq of the callback job's start, seq of its success)."""
    started: dict[str, tuple[str, str, int]] = {}
    runs: dict[tuple[str, str], tuple[int, int]] = {}
    for event in sim.trace:
        if event.job.get("class") != "Sidekiq::Batch::Callback":
            continue
        name, bid = event.job["args"]
        if event.kind == "started":
            started.setdefault(event.jid, (name, bid, event.seq))
        elif event.kind == "succeeded":
            assert (name, bid) not in runs, "one callback job per event and batch"
            runs[(name, bid)] = (started[event.jid][2], event.seq)
    return runs


@pytest.mark.parametrize("seed", range(30))
def test_three_deep_children_finish_before_their_parents_over_many_seeds(seed: int) -> None:
    durations = {"Child": uniform(0, 4), "Leaf": 1, "Sidekiq::Batch::Callback": uniform(0, 2)}
    sim = simulator(seed=seed, concurrency=4, durations=durations)
    Child.failures.update({"leaf-1": seed % 3, "x1": seed % 2})
    with sim:
        root = _with_callbacks(Batch(description="root"))
        with root.jobs():
            Leaf.perform_async(2, 2)
    sim.drain()
    runs = callback_runs(sim)
    parents = {bid: sim.batches[bid].parent_bid for bid in sim.batches}
    assert len(parents) == 1 + 1 + 2  # root, its child, and two grandchildren
    assert max(_depth(bid, parents) for bid in parents) == 2
    for bid, parent in parents.items():
        assert ("complete", bid) in runs
        assert ("success", bid) in runs
        if parent is None:
            continue
        for event in ("complete", "success"):
            child_done, parent_started = runs[(event, bid)][1], runs[(event, parent)][0]
            assert child_done < parent_started, f"{event}: child {bid} after parent {parent}"
    assert events().count(("success", root.bid)) == 1


def _depth(bid: str, parents: dict[str, str | None]) -> int:
    parent = parents[bid]
    return 0 if parent is None else 1 + _depth(parent, parents)


class Deliver(ActiveJob, queue_as="mailers"):
    """An ActiveJob child: fails once for user 3 (Sidekiq's retry, as no retry_on takes it)."""

    failed: ClassVar[set[int]] = set()

    def perform(self, user_id: int) -> None:
        if user_id == 3 and user_id not in Deliver.failed:
            Deliver.failed.add(user_id)
            raise RuntimeError("smtp down")


def test_active_job_children_belong_to_the_batch_and_complete_it() -> None:
    Deliver.failed.clear()
    sim = simulator()
    with sim:
        batch = _with_callbacks(Batch())
        with batch.jobs():
            for user_id in range(5):
                Deliver.perform_later(user_id)
    assert {job["bid"] for job in sim.queue("mailers").jobs} == {batch.bid}
    sim.drain()
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    complete_status = Calls.log[0][2]
    assert (complete_status.total, complete_status.failures) == (5, 1)


def test_active_job_retry_on_leaves_the_batch_early_as_in_sidekiq_3373() -> None:
    class Flaky(ActiveJob):
        tries: ClassVar[list[int]] = []

        def perform(self) -> None:
            Flaky.tries.append(1)
            if len(Flaky.tries) == 1:
                raise TimeoutError("slow")

    Flaky.retry_on(TimeoutError, wait=5, attempts=3)
    sim = simulator()
    with sim:
        batch = _with_callbacks(Batch())
        with batch.jobs():
            Flaky.perform_later()
    sim.drain()
    # retry_on rescues the error and pushes a new job outside the batch: the batch's only
    # member succeeded at once, so it succeeded before the job's work was done.
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    assert sim.batches[batch.bid].success_at == sim.batches[batch.bid].created_at / 1000
    assert len(Flaky.tries) == 2
