"""A tiny shop on a real SQLite database, and four versions of the job that charges an order.

Two database files in one folder: ``shop.db`` (the ``orders`` table) and ``gateway.db`` (the
payment provider's ``charges``, a separate system with its own commits). Jobs open their
connection with :func:`jobsim.fuzz.connect`, so each statement and commit is an effect point.

* :class:`ChargeEveryDelivery` charges on every delivery (a duplicate charges twice);
* :class:`CheckThenCharge` checks ``status`` first: safe for one delivery after another, not
  for two at once (both read "pending" before either writes "paid");
* :class:`ClaimThenCharge` claims the order with a conditional update, so duplicates are
  safe, until a crash lands between the charge and the final update: the redelivery finds
  the order claimed and gives up, and it is never marked paid (a concurrent copy holding the
  write lock at that moment does the same harm through a "database is locked" retry);
* :class:`ChargeOnce` is correct: an idempotency key at the gateway makes a repeated charge
  return the first one, and a conditional update records it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jobsim
from jobsim.fuzz import FuzzConnection, connect

__all__ = [
    "ChargeEveryDelivery",
    "ChargeOnce",
    "CheckThenCharge",
    "ClaimThenCharge",
    "Gateway",
    "Shop",
]


def _fast(connection: sqlite3.Connection) -> sqlite3.Connection:
    # Tests reset the database hundreds of times; durability is not what is tested.
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA journal_mode = MEMORY")
    return connection


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection (not an effect point) that commits on success and always closes."""
    connection = _fast(sqlite3.connect(path))
    try:
        with connection:
            yield connection
    finally:
        connection.close()


# Every query is read with fetchall(): a half-read cursor keeps SQLite's read lock for as long
# as the cursor lives (a traceback can keep it alive), and the next reset would find the
# database locked.


class Gateway:
    """The payment provider: one charge per idempotency key (none given: always a new one)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def charge(self, order_id: int, amount: int, key: str | None = None) -> int:
        """Charge ``amount`` for ``order_id``; returns the charge id."""
        with _open(self.path) as db:
            if key is not None:
                found = db.execute("SELECT id FROM charges WHERE key = ?", (key,)).fetchall()
                if found:
                    return int(found[0][0])
            cursor = db.execute(
                "INSERT INTO charges (key, order_id, amount) VALUES (?, ?, ?)",
                (key, order_id, amount),
            )
            return int(cursor.lastrowid or 0)


class Shop:
    """The shop's database and its gateway; ``reset()`` and ``snapshot()`` serve the checks."""

    def __init__(self, folder: Path | str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "shop.db"
        self.gateway = Gateway(folder / "gateway.db")
        for path, schema in (
            (
                self.path,
                "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, "
                "amount INTEGER, status TEXT, charge_id INTEGER)",
            ),
            (
                self.gateway.path,
                "CREATE TABLE IF NOT EXISTS charges (id INTEGER PRIMARY KEY, "
                "key TEXT UNIQUE, order_id INTEGER, amount INTEGER)",
            ),
        ):
            with _open(path) as db:
                db.execute(schema)

    def connect(self) -> FuzzConnection:
        """A connection for job code (statements and commits are effect points)."""
        connection = connect(self.path)
        _fast(connection.connection)  # set-up, not an effect point
        return connection

    def reset(self, orders: dict[int, int] | None = None) -> None:
        """Empty both databases and add pending orders (``{id: amount}``; default order 7)."""
        with _open(self.gateway.path) as db:
            db.execute("DELETE FROM charges")
        with _open(self.path) as db:
            db.execute("DELETE FROM orders")
            for order_id, amount in ({7: 1500} if orders is None else orders).items():
                db.execute(
                    "INSERT INTO orders (id, amount, status) VALUES (?, ?, 'pending')",
                    (order_id, amount),
                )

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every order and every charge, in id order."""
        with _open(self.path) as db:
            orders = db.execute("SELECT * FROM orders ORDER BY id").fetchall()
        with _open(self.gateway.path) as db:
            charges = db.execute("SELECT * FROM charges ORDER BY id").fetchall()
        return {"orders": orders, "charges": charges}


#: The shop the jobs below work on; the tests and the script point it at a folder of theirs.
SHOP: Shop | None = None


def shop() -> Shop:
    """The configured shop (``use(folder)`` first)."""
    if SHOP is None:
        msg = "call examples.idempotency.shop.use(folder) first"
        raise RuntimeError(msg)
    return SHOP


def use(folder: Path | str) -> Shop:
    """Point the jobs at a shop in ``folder`` (created if needed)."""
    global SHOP
    SHOP = Shop(folder)
    return SHOP


class ChargeEveryDelivery(jobsim.Job):
    """Flawed: charges on every delivery."""

    def perform(self, order_id: int) -> None:
        db = shop().connect()
        try:
            [(amount,)] = db.execute(
                "SELECT amount FROM orders WHERE id = ?", (order_id,)
            ).fetchall()
            charge_id = shop().gateway.charge(order_id, amount)
            db.execute(
                "UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?",
                (charge_id, order_id),
            )
            db.commit()
        finally:
            db.close()


class CheckThenCharge(jobsim.Job):
    """Flawed: check, then act; two concurrent copies both see 'pending'."""

    def perform(self, order_id: int) -> None:
        db = shop().connect()
        try:
            [(status, amount)] = db.execute(
                "SELECT status, amount FROM orders WHERE id = ?", (order_id,)
            ).fetchall()
            if status == "paid":
                return
            charge_id = shop().gateway.charge(order_id, amount)
            db.execute(
                "UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?",
                (charge_id, order_id),
            )
            db.commit()
        finally:
            db.close()


class ClaimThenCharge(jobsim.Job):
    """Flawed: claims the order atomically, but a crash after the charge strands the claim."""

    def perform(self, order_id: int) -> None:
        db = shop().connect()
        try:
            claimed = db.execute(
                "UPDATE orders SET status = 'charging' WHERE id = ? AND status = 'pending'",
                (order_id,),
            ).rowcount
            db.commit()
            if not claimed:
                return  # someone else has it, or it is done
            [(amount,)] = db.execute(
                "SELECT amount FROM orders WHERE id = ?", (order_id,)
            ).fetchall()
            charge_id = shop().gateway.charge(order_id, amount)
            db.execute(
                "UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?",
                (charge_id, order_id),
            )
            db.commit()
        finally:
            db.close()


class ChargeOnce(jobsim.Job):
    """Correct: an idempotency key at the gateway, and a conditional update."""

    def perform(self, order_id: int) -> None:
        db = shop().connect()
        try:
            [(status, amount)] = db.execute(
                "SELECT status, amount FROM orders WHERE id = ?", (order_id,)
            ).fetchall()
            if status == "paid":
                return
            charge_id = shop().gateway.charge(order_id, amount, key=f"order-{order_id}")
            db.execute(
                "UPDATE orders SET status = 'paid', charge_id = ? "
                "WHERE id = ? AND status = 'pending'",
                (charge_id, order_id),
            )
            db.commit()
        finally:
            db.close()
