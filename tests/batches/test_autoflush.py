"""``batch.autoflush = N`` (Sidekiq Pro 8.1.2) and the typed ``sim.batches`` home."""

from __future__ import annotations

import pytest
from batch_helpers import Calls, Child, events, simulator

import jobsim
from jobsim.batches import Batch, BatchesView


def push_then_fail(keys: list[str], autoflush: int | None = None) -> Batch:
    batch = Batch()
    if autoflush is not None:
        batch.autoflush = autoflush
    batch.on("complete", Calls)
    batch.on("success", Calls)

    def fill() -> None:
        with batch.jobs():
            for key in keys:
                Child.perform_async(key)
            raise KeyError("oops")

    with pytest.raises(KeyError):
        fill()
    return batch


@pytest.mark.parametrize("version", ["8.1.2", "8.1.7"])
def test_without_autoflush_a_raising_block_leaves_nothing(version: str) -> None:
    sim = simulator(version=version)
    with sim:
        push_then_fail(["a", "b", "c", "d", "e"])
    assert len(sim.queue()) == 0
    assert len(sim.batches) == 0
    assert sim.drain() == 0


@pytest.mark.parametrize("version", ["8.1.2", "8.1.7"])
def test_with_autoflush_a_raising_block_keeps_its_whole_flushed_groups(version: str) -> None:
    sim = simulator(version=version)
    with sim:
        batch = push_then_fail(["a", "b", "c", "d", "e"], autoflush=2)
    # A queue lists newest first, as Sidekiq's API does; "e" was never flushed.
    assert [job["args"] for job in sim.queue()] == [["d"], ["c"], ["b"], ["a"]]
    status = sim.batches[batch.bid]
    assert (status.total, status.pending) == (4, 4)
    assert sim.drain() == 6  # the four kept jobs, then complete and success
    assert Child.runs == ["a", "b", "c", "d"]
    assert events() == [("complete", batch.bid), ("success", batch.bid)]


def test_with_autoflush_a_block_that_raises_before_its_first_group_leaves_nothing() -> None:
    sim = simulator()
    with sim:
        push_then_fail(["a", "b"], autoflush=3)
    assert len(sim.queue()) == 0
    assert len(sim.batches) == 0


def test_with_autoflush_a_block_that_ends_pushes_every_job() -> None:
    sim = simulator()
    with sim:
        batch = Batch()
        batch.autoflush = 2
        batch.on("success", Calls)
        with batch.jobs():
            for key in "abc":
                Child.perform_async(key)
    assert sim.batches[batch.bid].total == 3
    sim.drain()
    assert events() == [("success", batch.bid)]


@pytest.mark.parametrize("version", ["8.1.1", "8.0", "7.1"])
def test_autoflush_before_pro_8_1_2_is_refused(version: str) -> None:
    sim = simulator(version=version)
    with sim, pytest.raises(jobsim.errors.InvalidArgument, match=r"no autoflush= \(added in 8.1.2"):
        Batch().autoflush = 10


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "10"])
def test_autoflush_takes_a_whole_number_of_at_least_one(value: object) -> None:
    sim = simulator()
    with sim, pytest.raises(jobsim.errors.InvalidArgument, match=r"Batch\.autoflush"):
        Batch().autoflush = value  # type: ignore[assignment]


def test_autoflush_none_turns_it_back_off() -> None:
    sim = simulator()
    with sim:
        batch = Batch()
        batch.autoflush = 5
        batch.autoflush = None
        assert batch.autoflush is None


def test_sim_batches_is_the_plugins_view() -> None:
    sim = simulator()
    assert isinstance(sim.batches, BatchesView)
    assert len(sim.batches) == 0


def test_sim_batches_without_the_plugin_names_it() -> None:
    sim = jobsim.Simulator()
    with pytest.raises(jobsim.errors.InvalidArgument, match=r"no batches plugin.*'batches'"):
        _ = sim.batches
