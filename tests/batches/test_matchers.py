"""have_batch and assert_batch_succeeded: they hold when they should and say why when not."""

from __future__ import annotations

import pytest
from batch_helpers import Child, simulator

import jobsim
from jobsim.batches import Batch
from jobsim.testing import assert_batch_succeeded, have_batch


def _run(fail: int) -> tuple[jobsim.Simulator, Batch]:
    sim = simulator()
    Child.failures["b"] = fail
    with sim:
        batch = Batch(description="Newsletter")
        with batch.jobs():
            Child.perform_async("a")
            Child.perform_async("b")
    sim.drain()
    return sim, batch


def test_have_batch_holds_for_a_succeeded_batch() -> None:
    sim, batch = _run(0)
    with sim:
        assert have_batch("Newsletter").succeeded().with_total(2).once()
        assert not have_batch("Newsletter").not_succeeded()
    have_batch().with_bid(batch.bid).with_parent(None).completed().verify(sim)


def test_have_batch_lists_the_batches_when_it_fails() -> None:
    sim, _ = _run(9)
    with pytest.raises(AssertionError) as raised:
        have_batch("Newsletter").succeeded().verify(sim)
    message = str(raised.value)
    assert (
        "expected to have at least 1 batch\n  with description 'Newsletter', succeeded()" in message
    )
    assert "pending=1 failures=1 dead=1 fired=complete, death" in message


def test_assert_batch_succeeded_says_what_is_pending() -> None:
    sim, batch = _run(0)
    assert_batch_succeeded(batch.bid, sim=sim)
    sim, batch = _run(9)
    with pytest.raises(AssertionError, match=r"(?s)has not:.*: dead"):
        assert_batch_succeeded(batch.bid, sim=sim)
    with pytest.raises(AssertionError, match="unknown"):
        assert_batch_succeeded("nope", sim=sim)


def test_a_lingered_batch_still_counts_as_succeeded() -> None:
    sim, batch = _run(0)
    sim.advance(2 * 86_400)
    assert batch.bid not in sim.batches
    assert_batch_succeeded(batch.bid, sim=sim)


def test_matchers_need_the_plugin() -> None:
    sim = jobsim.Simulator()
    with pytest.raises(jobsim.errors.InvalidArgument, match="plugins"):
        have_batch().verify(sim)


@pytest.mark.jobsim(plugins=["batches"])
def test_the_pytest_fixture_takes_batches_by_name(jobsim: jobsim.Simulator) -> None:
    batch = Batch(description="fixture")
    with batch.jobs():
        Child.perform_async("a")
    jobsim.drain()
    assert have_batch("fixture").succeeded().once()
    assert_batch_succeeded(batch.bid)


def test_the_timeline_says_when_each_event_fired_and_when_its_callback_ran() -> None:
    from batch_helpers import Calls

    from jobsim.batches import timeline

    sim = simulator()
    Child.failures["b"] = 1
    with sim:
        batch = Batch(description="t")
        batch.on("success", Calls)
        with batch.jobs():
            Child.perform_async("b")
    sim.drain()
    lines = [str(entry).split("  ", 1)[1] for entry in timeline(sim, batch.bid)]
    assert [line.split()[0:2] for line in lines] == [
        ["created", "parent_bid=None,"],
        ["complete", "0"],
        ["success", "all"],
        ["callback", "success"],
        ["callback", "success"],
    ]
    assert lines[1] == "complete             0 succeeded, 1 failed; callbacks=0"
    assert lines[3].startswith("callback success started job ")
