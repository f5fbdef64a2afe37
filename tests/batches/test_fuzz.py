"""jobsim.fuzz knows batches: callbacks fire exactly once and success sees every child's effect,
under crashes, duplicates and retries of the children and of the callback jobs."""

from __future__ import annotations

from typing import ClassVar

import pytest

import jobsim
from jobsim.batches import Batch, Status
from jobsim.errors import InvalidArgument
from jobsim.fuzz import check_batch_callbacks, run_batch_plan


class Mailbox(jobsim.Job):
    sent: ClassVar[set[int]] = set()

    def perform(self, user_id: int) -> None:
        Mailbox.sent.add(user_id)


class Step(jobsim.Job):
    def perform(self, rows: int) -> None:
        child = Batch(description=f"rows {rows}")
        with child.jobs():
            for row in range(rows):
                Mailbox.perform_async(100 * rows + row)


def make() -> Batch:
    batch = Batch(description="fuzzed")
    with batch.jobs():
        for user_id in range(3):
            Mailbox.perform_async(user_id)
        Step.perform_async(2)
    return batch


def every_mail_sent(status: Status) -> bool:
    return Mailbox.sent >= {0, 1, 2, 200, 201}


def test_callbacks_fire_once_and_success_sees_every_effect_under_faults() -> None:
    check_batch_callbacks(
        make, setup=Mailbox.sent.clear, effects_visible=every_mail_sent, max_examples=40
    )


def test_one_plan_with_every_fault_holds() -> None:
    plan = ["duplicate", "crash", "raise", "ok", "crash", "duplicate", "raise", "crash"]
    assert (
        run_batch_plan(make, plan, setup=Mailbox.sent.clear, effects_visible=every_mail_sent) == []
    )


def test_the_check_finds_a_success_that_does_not_see_every_effect() -> None:
    with pytest.raises(AssertionError, match="effects_visible"):
        check_batch_callbacks(
            make,
            setup=Mailbox.sent.clear,
            effects_visible=lambda status: 999 in Mailbox.sent,  # never true: must be found
            max_examples=5,
        )


def test_a_bad_plan_entry_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="explode"):
        run_batch_plan(make, ["explode"])
