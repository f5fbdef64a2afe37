"""Each firing rule of Sidekiq Pro's batch callbacks, on the virtual clock (reference §6.1-6.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import pytest
from batch_helpers import Calls, Child, events, simulator

import jobsim
from jobsim.batches import Batch, BatchImmutable, EmptyBatch, NoSuchBatch

DAY = 86_400.0


def make_batch(keys: list[str], **options: object) -> Batch:
    batch = Batch(**options)  # type: ignore[arg-type]
    batch.on("complete", Calls, {"n": len(keys)})
    batch.on("success", Calls)
    batch.on("death", Calls)
    with batch.jobs():
        for key in keys:
            Child.perform_async(key)
    return batch


def test_all_jobs_succeed_fires_complete_then_success_with_round_tripped_options() -> None:
    sim = simulator()
    with sim:
        batch = make_batch(["a", "b", "c"])
    sim.drain()
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    _, _, status, options = Calls.log[0]
    assert options == {"n": 3}
    assert (status.total, status.pending, status.failures) == (3, 0, 0)
    assert sim.batches[batch.bid].success


def test_callbacks_are_ordinary_callback_jobs_on_the_callback_queue() -> None:
    sim = simulator()
    with sim:
        batch = make_batch(["a"], callback_queue="callbacks")
    sim.drain()
    runs = [e for e in sim.trace.of_kind("started") if e.job["class"] == "Sidekiq::Batch::Callback"]
    assert [(e.job["queue"], e.job["args"]) for e in runs] == [
        ("callbacks", ["complete", batch.bid]),
        ("callbacks", ["success", batch.bid]),
    ]
    assert "bid" not in runs[0].job  # a callback job is never a member of a batch


def test_a_child_that_succeeds_after_retries_completes_early_and_succeeds_late() -> None:
    sim = simulator()
    Child.failures["slow"] = 2
    with sim:
        batch = make_batch(["ok", "slow"])
    start = sim.time
    sim.drain()
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    status = sim.batches[batch.bid]
    assert status.complete_at == start  # the first failure left the job in the retry set
    assert status.success_at is not None
    assert status.success_at > start + 15  # after two retries
    complete_status = Calls.log[0][2]
    assert (complete_status.pending, complete_status.failures) == (1, 1)
    assert complete_status.failed_jids == (sim.batches.jids(batch.bid)[1],)


def test_a_child_that_keeps_failing_never_lets_success_fire() -> None:
    sim = simulator()
    Child.failures["bad"] = 99
    with sim:
        batch = make_batch(["bad", "ok"])
    sim.drain()
    assert events() == [("complete", batch.bid), ("death", batch.bid)]
    status = sim.batches[batch.bid]
    assert (status.pending, status.failures, status.success) == (1, 1, False)
    assert status.dead_jids == status.failed_jids


def test_a_dead_child_retried_by_hand_fires_death_and_then_success() -> None:
    sim = simulator()
    Child.failures["flaky"] = 3  # retry=2: three failures kill it
    with sim:
        batch = make_batch(["flaky", "ok"])
    sim.drain()
    assert events() == [("complete", batch.bid), ("death", batch.bid)]
    (dead_jid,) = sim.batches[batch.bid].dead_jids
    sim.dead.retry(dead_jid)
    sim.drain()
    assert events() == [("complete", batch.bid), ("death", batch.bid), ("success", batch.bid)]
    status = sim.batches[batch.bid]
    assert (status.pending, status.failures, status.dead_jids) == (0, 0, ())


def test_death_fires_once_even_when_several_jobs_die_and_for_retry_false() -> None:
    class NoRetry(jobsim.Job, retry=False):
        def perform(self) -> None:
            raise RuntimeError("no")

    sim = simulator()
    Child.failures.update(x=9, y=9)
    with sim:
        batch = make_batch(["x", "y"])
        with batch.jobs():
            NoRetry.perform_async()
    sim.drain()
    assert events().count(("death", batch.bid)) == 1
    # A retry: false job is not kept in the dead set, but it died for the batch (sidekiq#4926).
    assert len(sim.batches[batch.bid].dead_jids) == 3


def test_a_job_deleted_by_hand_leaves_the_batch_pending_until_it_expires() -> None:
    sim = simulator()
    Child.failures["gone"] = 1
    with sim:
        batch = make_batch(["gone"])
    sim.run_due()  # the first run fails; the complete callback runs
    (entry,) = sim.retries
    sim.retries.delete(entry.jid)
    sim.drain()
    assert events() == [("complete", batch.bid)]
    assert sim.batches[batch.bid].pending == 1
    sim.advance(timedelta(days=30) - timedelta(seconds=1))
    assert batch.bid in sim.batches
    sim.advance(timedelta(seconds=1))
    assert batch.bid not in sim.batches
    assert sim.batches.fate(batch.bid) == "expired"
    with pytest.raises(NoSuchBatch, match="expired"):
        sim.batches[batch.bid]


def test_a_job_killed_by_hand_leaves_the_batch_pending_and_fires_no_death() -> None:
    sim = simulator()
    Child.failures["k"] = 1
    with sim:
        batch = make_batch(["k"])
    sim.run_due()  # the first run fails; the complete callback runs
    (entry,) = sim.retries
    sim.retries.kill(entry.jid)
    sim.drain()
    assert events() == [("complete", batch.bid)]
    assert sim.batches[batch.bid].pending == 1


def test_a_dead_job_keeps_its_batch_as_long_as_the_dead_set_keeps_it() -> None:
    sim = simulator()
    Child.failures["d"] = 9
    with sim:
        batch = make_batch(["d"])
    sim.drain()
    died_at = sim.batches[batch.bid].death_at
    assert died_at is not None
    sim.advance(timedelta(days=31))
    assert batch.bid in sim.batches  # not the 30 days of a pending batch: 180, as the dead job
    assert sim.batches[batch.bid].expires_at == died_at + 180 * DAY
    sim.advance(timedelta(days=150))
    assert sim.batches.fate(batch.bid) == "expired"


def test_a_succeeded_batch_lingers_one_day_then_its_data_is_gone() -> None:
    sim = simulator()
    with sim:
        batch = make_batch(["a"])
        other = Batch()
        other.linger = 5  # below the 30 s floor of Pro 8.1.4
        with other.jobs():
            Child.perform_async("b")
    sim.drain()
    sim.advance(29)
    assert other.bid in sim.batches
    sim.advance(1)
    assert sim.batches.fate(other.bid) == "lingered"
    sim.advance(DAY - 31)
    assert batch.bid in sim.batches
    sim.advance(1)
    assert sim.batches.fate(batch.bid) == "lingered"


def test_a_succeeded_batch_is_immutable() -> None:
    sim = simulator()
    with sim:
        batch = make_batch(["a"])
    sim.drain()
    with sim, pytest.raises(BatchImmutable, match="Immutable"), Batch(batch.bid).jobs():
        Child.perform_async("late")
    with pytest.raises(BatchImmutable):
        batch.on("complete", Calls)


def test_an_empty_batch_gets_an_empty_job_from_pro_7_1_so_its_callbacks_fire() -> None:
    sim = simulator()
    with sim:
        batch = make_batch([])
    sim.drain()
    assert events() == [("complete", batch.bid), ("success", batch.bid)]
    (jid,) = sim.batches.jids(batch.bid)
    assert sim.trace.for_job(jid)[0].job["class"] == "Sidekiq::Batch::Empty"


def test_an_empty_batch_before_pro_7_1_is_refused_and_leaves_nothing() -> None:
    sim = simulator(version="7.0")
    with sim, pytest.raises(EmptyBatch, match="undefined"):
        make_batch([])
    assert len(sim.batches) == 0


def test_a_jobs_block_that_raises_takes_its_pushes_back() -> None:
    sim = simulator()

    def push_then_fail() -> None:
        with Batch().jobs():
            Child.perform_async("a")
            raise KeyError("oops")

    with sim, pytest.raises(KeyError):
        push_then_fail()
    assert len(sim.queue()) == 0
    assert len(sim.batches) == 0
    assert sim.drain() == 0


def test_reopening_from_a_batch_job_adds_jobs_and_holds_complete_back() -> None:
    class Fanout(jobsim.Job):
        def perform(self, bid: str) -> None:
            with Batch(bid).jobs():
                Child.perform_async("added")

    sim = simulator()
    with sim:
        batch = Batch()
        batch.on("complete", Calls)
        with batch.jobs():
            Fanout.perform_async(batch.bid)
    sim.drain()
    assert events() == [("complete", batch.bid)]
    assert Calls.log[0][2].total == 2
    assert Child.runs == ["added"]


def test_reopening_the_parent_from_a_child_callback() -> None:
    class Step:
        def on_success(self, status: jobsim.batches.Status, options: dict[str, str]) -> None:
            with Batch(status.parent_bid).jobs():
                Child.perform_async(options["next"])

    class Start(jobsim.Job):
        def perform(self) -> None:
            child = Batch()
            child.on("success", Step, {"next": "step2"})
            with child.jobs():
                Child.perform_async("step1")

    sim = simulator()
    with sim:
        parent = Batch()
        parent.on("success", Calls)
        with parent.jobs():
            Start.perform_async()
    sim.drain()
    assert Child.runs == ["step1", "step2"]
    assert events() == [("success", parent.bid)]
    assert sim.batches[parent.bid].total == 2  # Start and step2; step1 belongs to the child


def test_a_callback_that_raises_is_retried_and_holds_its_parent_back() -> None:
    class Shaky:
        tries: ClassVar[list[int]] = []

        def on_complete(self, status: jobsim.batches.Status, options: dict[str, str]) -> None:
            Shaky.tries.append(1)
            if len(Shaky.tries) < 3:
                raise RuntimeError("callback fails")

    class Start(jobsim.Job):
        def perform(self) -> None:
            child = Batch()
            child.on("complete", Shaky)
            with child.jobs():
                Child.perform_async("c")

    sim = simulator()
    with sim:
        parent = Batch()
        parent.on("complete", Calls)
        with parent.jobs():
            Start.perform_async()
    sim.drain()
    assert len(Shaky.tries) == 3
    assert events() == [("complete", parent.bid)]
    parent_done = sim.batches[parent.bid].complete_at
    child_bid = sim.batches[parent.bid].child_bids[0]
    child_done = sim.batches[child_bid].complete_at
    assert parent_done is not None
    assert child_done is not None
    assert parent_done > child_done


def test_string_targets_and_bad_callbacks() -> None:
    sim = simulator()
    with sim:
        batch = Batch()
        batch.on("success", "batch_helpers.Calls#custom", {"k": [1, 2]})
        with pytest.raises(jobsim.errors.InvalidArgument, match="has no method nope"):
            batch.on("success", "batch_helpers.Calls#nope")
        with pytest.raises(jobsim.errors.InvalidArgument, match="events are complete"):
            batch.on("finished", Calls)
        with pytest.raises(jobsim.errors.InvalidArgument, match="must be a dict"):
            batch.on("success", Calls, ["list"])
        with pytest.raises(jobsim.errors.InvalidArgument, match="isoformat"):
            batch.on("success", Calls, {"when": sim.now})
        with batch.jobs():
            Child.perform_async("a")
    sim.drain()
    assert [(e, o) for e, _, _, o in Calls.log] == [("custom", {"k": [1, 2]})]


def test_a_batch_needs_a_simulator_with_the_plugin() -> None:
    with pytest.raises(jobsim.errors.NoActiveSimulator):
        Batch()
    with jobsim.Simulator(), pytest.raises(jobsim.errors.InvalidArgument, match="plugins"):
        Batch()


def test_a_batch_open_in_one_simulator_does_not_claim_another_simulators_pushes() -> None:
    one, two = simulator(), simulator()
    with one:
        batch = Batch()
        with batch.jobs():
            with two:
                Child.perform_async("elsewhere")
            Child.perform_async("here")
    assert [job.get("bid") for job in two.queue().jobs] == [None]
    assert [job.get("bid") for job in one.queue().jobs] == [batch.bid]


def test_status_fields_follow_the_pro_version() -> None:
    old, new = simulator(version="7.0"), simulator()
    for sim in (old, new):
        with sim:
            batch = make_batch(["a"])
        sim.drain()
        status = sim.batches[batch.bid]
        if sim is old:
            assert isinstance(status.created_at, float)
            assert status.complete_at is None
        else:
            assert status.created_at == int(sim.trace[0].ts * 1000)
            assert status.complete_at is not None


def test_death_reaches_the_parent_from_pro_5_2_1_only() -> None:
    class Start(jobsim.Job):
        def perform(self) -> None:
            child = Batch()
            with child.jobs():
                Child.perform_async("dies")

    for version, expected in (("5.2.1", 1), ("5.2.0", 0)):
        Calls.log.clear()
        Child.failures["dies"] = 9
        sim = simulator(version=version)
        with sim:
            parent = Batch()
            parent.on("death", Calls)
            with parent.jobs():
                Start.perform_async()
        sim.drain()
        assert events().count(("death", parent.bid)) == expected, version
