"""The app the guides' snippets run against: records, a payment gateway, mailers.

Plain Python stand-ins for ActiveRecord models (``User.find``, ``Order.find``), an external
``PaymentGateway`` whose ``charge`` is the side effect the idempotency snippets worry about,
and ``UserMailer`` (``ActionMailer::Base``). :func:`reset` gives a fresh world; the tests call
it before each run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from jobsim import routing
from jobsim.active_job import GlobalID, Mailer


class RecordNotFound(Exception):
    """``ActiveRecord::RecordNotFound``."""


@dataclass
class User:
    id: int
    name: str = ""
    email: str = ""
    external_id: str | None = None
    welcome_email_sent_at: float | None = None

    def to_global_id(self) -> GlobalID:
        return GlobalID("guides", "User", self.id)


@dataclass
class Order:
    id: int
    amount: int
    charged: bool = False
    payment_id: int | None = None
    processed: bool = False


@dataclass
class World:
    users: dict[int, User] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    charges: list[tuple[int, int]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: count(1))


WORLD = World()


def reset() -> World:
    """A fresh world: two users, two orders, no charges."""
    WORLD.users = {1: User(1, "Ada", "ada@example.com"), 2: User(2, "Lin", "lin@example.com")}
    WORLD.orders = {7: Order(7, 1500), 8: Order(8, 990)}
    WORLD.charges = []
    WORLD.calls = []
    WORLD.ids = count(1)
    return WORLD


def snapshot() -> dict[str, Any]:
    """What the idempotency checks compare: orders, charges and users."""
    return {
        "orders": sorted((o.id, o.amount, o.charged, o.processed) for o in WORLD.orders.values()),
        "charges": list(WORLD.charges),
        "users": sorted((u.id, u.external_id, u.name, u.email) for u in WORLD.users.values()),
    }


def find_user(user_id: int) -> User:
    """``User.find``: raises ``RecordNotFound`` for an unknown id."""
    try:
        return WORLD.users[int(user_id)]
    except KeyError:
        raise RecordNotFound(f"Couldn't find User with 'id'={user_id}") from None


def find_order(order_id: int) -> Order:
    """``Order.find``."""
    try:
        return WORLD.orders[int(order_id)]
    except KeyError:
        raise RecordNotFound(f"Couldn't find Order with 'id'={order_id}") from None


class PaymentGateway:
    """The external payment API: every call charges the customer."""

    @staticmethod
    def charge(order_id: int, amount: int) -> int:
        WORLD.charges.append((order_id, amount))
        return len(WORLD.charges)


class UserMailer(Mailer, default_from="notifications@example.com"):
    """``UserMailer`` of the guides: welcome_email, newsletter, password_reset."""

    def welcome_email(self, user: User) -> None:
        self.mail(to=user.email, subject="Welcome")

    def welcome(self, user: User) -> None:
        self.mail(to=user.email, subject="Welcome")

    def reminder(self, user: User) -> None:
        self.mail(to=user.email, subject="Reminder")


def find_user_by_global_id(record_id: str) -> User | None:
    """The GlobalID locator's finder for ``gid://guides/User/ID``."""
    return WORLD.users.get(int(record_id))


def time_current() -> float:
    """``Time.current``: the virtual time of the simulator running the job."""
    return float(getattr(routing.active(), "time", 0.0))
