"""examples/idempotency as tests: each flawed job is caught with the default example budget
(the loaded profile's max_examples, 100 unless a profile says otherwise), the correct one
passes, and the scheduler is deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import jobsim.fuzz as fz
from examples.idempotency import shop as app
from jobsim.fuzz._interleave import Interleaver

#: The default budget, without the example database (no files from the suite).
BUDGET = settings(database=None, deadline=None)


@pytest.fixture
def shop(tmp_path: Path) -> app.Shop:
    return app.use(tmp_path)


def check(shop: app.Shop, job: type[Any], *, once: bool = True, **options: Any) -> None:
    fz.check_idempotent(
        job,
        args=[7],
        setup=shop.reset,
        snapshot=shop.snapshot,
        effects=[fz.effect(shop.gateway.charge, once=once)],
        settings=options.pop("settings", BUDGET),
        **options,
    )


def test_charging_on_every_delivery_is_caught_by_duplicates(shop: app.Shop) -> None:
    only_duplicates = fz.Faults(crashes=False, exceptions=False, concurrency=False, shutdown=False)
    with pytest.raises(AssertionError) as caught:
        check(shop, app.ChargeEveryDelivery, faults=only_duplicates)
    report = str(caught.value)
    assert "charge(order_id=7, amount=1500) ran 2× (1× in one clean run)" in report
    assert "schedule: 2 deliveries, basic fetch, seed 0" in report  # shrunk to the minimum
    assert "replay: jobsim.fuzz.check_idempotent(ChargeEveryDelivery" in report


def test_check_then_act_survives_sequential_duplicates_but_not_concurrent_ones(
    shop: app.Shop,
) -> None:
    sequential = fz.Faults(crashes=False, exceptions=False, concurrency=False, shutdown=False)
    check(shop, app.CheckThenCharge, faults=sequential)
    concurrent = fz.Faults(crashes=False, exceptions=False, shutdown=False)
    with pytest.raises(AssertionError) as caught:
        check(shop, app.CheckThenCharge, faults=concurrent)
    report = str(caught.value)
    assert "2 of them interleaved" in report
    assert "ran 2×" in report


def test_claim_then_charge_survives_duplicates_but_not_a_crash(shop: app.Shop) -> None:
    no_crash = fz.Faults(crashes=False, exceptions=False, concurrency=False, shutdown=False)
    check(shop, app.ClaimThenCharge, faults=no_crash)
    crash_only = fz.Faults(duplicates=False, exceptions=False, concurrency=False, shutdown=False)
    with pytest.raises(AssertionError) as caught:
        check(shop, app.ClaimThenCharge, faults=crash_only)
    report = str(caught.value)
    assert "reliable fetch" in report
    assert "then crash; process crashed: job redelivered (reliable fetch)" in report
    assert "'charging'" in report


@pytest.mark.parametrize("job", [app.ChargeEveryDelivery, app.CheckThenCharge, app.ClaimThenCharge])
def test_every_flawed_job_is_caught_with_all_faults_and_the_snapshot_alone(
    shop: app.Shop, job: type[Any]
) -> None:
    # once=False: only the snapshot can tell; the fault model must still find each bug.
    with pytest.raises(AssertionError, match="is not idempotent"):
        check(shop, job, once=False)


def test_the_correct_job_passes_everything(shop: app.Shop) -> None:
    check(shop, app.ChargeOnce, once=False)


def test_a_reported_schedule_replays(shop: app.Shop) -> None:
    schedule = fz.Schedule(fetch="reliable", deliveries=1, faults=((2, "crash-after"),))
    with pytest.raises(AssertionError, match="'charging'"):
        check(shop, app.ClaimThenCharge, schedule=schedule)
    check(shop, app.ChargeOnce, once=False, schedule=schedule)


def test_effects_are_restored_after_a_check(shop: app.Shop) -> None:
    before = shop.gateway.charge
    with pytest.raises(AssertionError):
        check(shop, app.ChargeEveryDelivery, settings=settings(BUDGET, max_examples=5))
    assert shop.gateway.charge == before
    assert "charge" not in vars(shop.gateway)


def test_checkpoint_is_a_no_op_outside_a_run() -> None:
    assert fz.checkpoint("anything") is None


def test_the_same_schedule_gives_the_same_interleaving(shop: app.Shop) -> None:
    schedule = fz.Schedule(seed=3, deliveries=3, concurrent=3, order=(1, 2, 0, 2, 1, 1, 0))
    runs = [
        fz.execute(app.CheckThenCharge, (7,), schedule, setup=shop.reset, snapshot=shop.snapshot)
        for _ in range(3)
    ]
    first = runs[0]
    assert len(set(first.history)) == 3  # all three took turns
    for other in runs[1:]:
        assert other.history == first.history
        assert [(d and d.number, s) for d, s in other.timeline] == [
            (d and d.number, s) for d, s in first.timeline
        ]
    other_order = fz.Schedule(seed=3, deliveries=3, concurrent=3, order=(2, 2, 1, 0))
    changed = fz.execute(
        app.CheckThenCharge, (7,), other_order, setup=shop.reset, snapshot=shop.snapshot
    )
    assert changed.history != first.history


def test_interleaver_without_choices_runs_one_after_another() -> None:
    seen: list[str] = []
    interleaver = Interleaver([])

    def body(name: str) -> Any:
        def run() -> None:
            for step in range(2):
                seen.append(f"{name}{step}")
                interleaver.pause()

        return run

    interleaver.run([body("a"), body("b")])
    assert seen == ["a0", "a1", "b0", "b1"]
    switching = Interleaver([0, 1, 0, 1, 0, 1])
    seen.clear()
    interleaver = switching
    switching.run([body("a"), body("b")])
    assert seen == ["a0", "b0", "a1", "b1"]


def test_the_correct_job_passes_shutdowns_inside_interleavings(shop: app.Shop) -> None:
    # Two interleaved copies of one jid share the jid: a hard shutdown of one must push it
    # back without disturbing the other (the core counts running executions per jid).
    only = fz.Faults(crashes=False, exceptions=False, max_faults=2)
    check(shop, app.ChargeOnce, once=False, faults=only)
