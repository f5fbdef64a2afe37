"""Batches saved in Sidekiq Pro's b-{bid} keys and loaded into another simulator carry on."""

from __future__ import annotations

import pytest
from batch_helpers import Calls, Child, events, simulator

from jobsim.batches import Batch, BatchError, load_batches, save_batches
from jobsim.redis import fake_redis, load_state, save_state


def test_a_batch_saved_mid_run_finishes_in_the_simulator_that_loads_it() -> None:
    sim = simulator()
    Child.failures["slow"] = 1
    with sim:
        batch = Batch(description="saved")
        batch.on("complete", Calls, {"k": 1})
        batch.on("success", Calls, {"k": 2})
        with batch.jobs():
            Child.perform_async("ok")
            Child.perform_async("slow")
    sim.run_due()  # "slow" fails once and waits in the retry set; complete fires
    assert events() == [("complete", batch.bid)]
    redis = fake_redis()
    save_state(sim, redis)
    assert save_batches(sim, redis) == 1
    key = f"b-{batch.bid}"
    assert redis.hget(key, "pending") == b"1"
    assert redis.smembers(f"{key}-jids") == set(redis.hkeys(f"{key}-failinfo"))
    assert 0 < redis.ttl(key) <= 30 * 86_400

    other = simulator(start=sim.time)
    other.register(Child)
    load_state(redis, other)
    assert load_batches(redis, other) == 1
    assert other.batches[batch.bid].failures == 1
    Calls.log.clear()
    other.drain()
    assert [(e, o) for e, _, _, o in Calls.log] == [("success", {"k": 2})]
    assert other.batches[batch.bid].success
    with pytest.raises(BatchError, match="already live"):
        load_batches(redis, other)


def test_children_and_dead_jobs_survive_the_round_trip() -> None:
    sim = simulator()
    Child.failures["dies"] = 9

    with sim:
        parent = Batch(description="parent")
        parent.on("success", Calls)
        with parent.jobs():
            child = Batch(description="child")
            child.on("death", Calls)
            with child.jobs():
                Child.perform_async("dies")
    sim.drain()
    redis = fake_redis()
    save_state(sim, redis)
    save_batches(sim, redis)
    other = simulator(start=sim.time)
    other.register(Child)
    load_state(redis, other)
    load_batches(redis, other)
    assert other.batches[parent.bid].child_bids == (child.bid,)
    assert other.batches[child.bid].dead_jids == sim.batches[child.bid].dead_jids
    Calls.log.clear()
    Child.failures["dies"] = 0  # fixed: a retry by hand now succeeds
    other.dead.retry_all()
    other.drain()
    assert events() == [("success", parent.bid)]
