"""Placing an order: write the order and enqueue its charge, two ways.

:func:`place_order_naive` enqueues inside the transaction, so a rollback (an error in a later
statement, a failed commit) leaves a Charge job for an order that does not exist.
:func:`place_order` uses :func:`jobsim.fuzz.transactional_push`: the job reaches the queue only
after the commit.
"""

from __future__ import annotations

from examples.idempotency.shop import ChargeOnce, shop
from jobsim.fuzz import transactional_push

__all__ = ["place_order", "place_order_naive"]


def place_order_naive(order_id: int, amount: int) -> None:
    """Flawed: the job is pushed before the transaction is known to commit."""
    db = shop().connect()
    try:
        with db:
            db.execute(
                "INSERT INTO orders (id, amount, status) VALUES (?, ?, 'pending')",
                (order_id, amount),
            )
            ChargeOnce.perform_async(order_id)
            db.execute("UPDATE orders SET amount = amount WHERE id = ?", (order_id,))
    finally:
        db.close()


def place_order(order_id: int, amount: int) -> None:
    """Correct: the push waits for the commit."""
    db = shop().connect()
    try:
        with transactional_push(db):
            db.execute(
                "INSERT INTO orders (id, amount, status) VALUES (?, ?, 'pending')",
                (order_id, amount),
            )
            ChargeOnce.perform_async(order_id)
            db.execute("UPDATE orders SET amount = amount WHERE id = ?", (order_id,))
    finally:
        db.close()
