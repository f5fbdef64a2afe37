"""Transactional enqueue: no job survives a rolled-back transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

import jobsim
import jobsim.fuzz as fz
from examples.idempotency import checkout
from examples.idempotency import shop as app

BUDGET = settings(database=None, deadline=None)


@pytest.fixture
def shop(tmp_path: Path) -> app.Shop:
    shop = app.use(tmp_path)
    shop.reset(orders={})
    return shop


def test_a_rolled_back_transaction_leaves_no_job(shop: app.Shop) -> None:
    sim = jobsim.Simulator()
    db = shop.connect()
    pushes: list[fz.PendingPushes] = []

    def place() -> None:
        with fz.transactional_push(db) as held:
            pushes.append(held)
            db.execute("INSERT INTO orders (id, amount, status) VALUES (1, 5, 'pending')")
            app.ChargeOnce.perform_async(1)
            raise ZeroDivisionError

    with sim, pytest.raises(ZeroDivisionError):
        place()
    db.close()
    assert (sim.stats.enqueued, pushes[0].jids, shop.snapshot()["orders"]) == (0, [], [])


def test_a_committed_transaction_pushes_after_the_commit(shop: app.Shop) -> None:
    sim = jobsim.Simulator()
    with sim:
        checkout.place_order(1, 5)
    assert [job["args"] for job in sim.queue().jobs] == [[1]]
    assert shop.snapshot()["orders"] == [(1, 5, "pending", None)]


def test_the_fuzz_check_catches_an_enqueue_inside_the_transaction(shop: app.Shop) -> None:
    def reset() -> None:
        shop.reset(orders={})

    with pytest.raises(AssertionError, match=r"enqueued ChargeOnce\(1,\) but its transaction"):
        fz.check_transactional_enqueue(
            lambda: checkout.place_order_naive(1, 5),
            setup=reset,
            snapshot=shop.snapshot,
            settings=BUDGET,
        )
    fz.check_transactional_enqueue(
        lambda: checkout.place_order(1, 5), setup=reset, snapshot=shop.snapshot, settings=BUDGET
    )
