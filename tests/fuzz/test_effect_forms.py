"""``check_idempotent(..., effects=...)`` takes effects as users write them: a bound method, a
static or class method named through its class, a module-level function, an import path. Each
form is caught when the job is flawed and restored afterwards, also when the check fails."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import jobsim
import jobsim.fuzz as fz
from jobsim.errors import InvalidArgument
from jobsim.fuzz._effects import FORMS

#: Duplicate deliveries only, the default example budget, no example database.
DUPLICATES = fz.Faults(crashes=False, exceptions=False, concurrency=False, shutdown=False)
BUDGET = settings(database=None, deadline=None)

#: Charges made, in order; reset before every run.
LEDGER: list[int] = []


def reset() -> None:
    LEDGER.clear()


def snapshot() -> list[int]:
    return list(LEDGER)


def charge(order: int) -> None:
    """A module-level function, called from jobs as ``<this module>.charge(...)``."""
    LEDGER.append(order)


class Gateway:
    def pay(self, order: int) -> None:
        LEDGER.append(order)

    @staticmethod
    def charge(order: int) -> None:
        LEDGER.append(order)

    @classmethod
    def refund(cls, order: int) -> None:
        LEDGER.append(-order)


gateway = Gateway()
this = sys.modules[__name__]


class PaysEveryDelivery(jobsim.Job):
    def perform(self, order: int) -> None:
        gateway.pay(order)


class ChargesStaticEveryDelivery(jobsim.Job):
    def perform(self, order: int) -> None:
        Gateway.charge(order)


class RefundsEveryDelivery(jobsim.Job):
    def perform(self, order: int) -> None:
        Gateway.refund(order)


class ChargesFunctionEveryDelivery(jobsim.Job):
    def perform(self, order: int) -> None:
        this.charge(order)


class ChargesFunctionOnce(jobsim.Job):
    def perform(self, order: int) -> None:
        if order not in LEDGER:
            this.charge(order)


def check(job: type[jobsim.Job], effects: list[Any]) -> None:
    fz.check_idempotent(
        job, args=[7], setup=reset, snapshot=snapshot, effects=effects, faults=DUPLICATES,
        settings=BUDGET,
    )  # fmt: skip


def caught(job: type[jobsim.Job], effects: list[Any]) -> str:
    with pytest.raises(AssertionError) as failure:
        check(job, effects)
    return str(failure.value)


def test_a_bound_method() -> None:
    report = caught(PaysEveryDelivery, [gateway.pay])
    assert "pay(order=7) ran 2× (1× in one clean run)" in report
    assert "pay" not in vars(gateway)  # the instance attribute added for the check is gone
    assert gateway.pay.__func__ is Gateway.__dict__["pay"]


def test_a_static_method_named_through_its_class() -> None:
    original = Gateway.__dict__["charge"]
    report = caught(ChargesStaticEveryDelivery, [Gateway.charge])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert Gateway.__dict__["charge"] is original  # the same staticmethod object, restored


def test_a_class_method_named_through_its_class() -> None:
    original = Gateway.__dict__["refund"]
    report = caught(RefundsEveryDelivery, [Gateway.refund])
    assert "refund(order=7) ran 2× (1× in one clean run)" in report  # cls is not shown
    assert Gateway.__dict__["refund"] is original


def test_a_method_named_through_its_class_patches_every_instance() -> None:
    original = Gateway.__dict__["pay"]
    report = caught(PaysEveryDelivery, [Gateway.pay])
    assert "pay(order=7) ran 2× (1× in one clean run)" in report  # self is not shown
    assert Gateway.__dict__["pay"] is original


def test_a_module_level_function() -> None:
    report = caught(ChargesFunctionEveryDelivery, [charge])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert this.charge is charge


def test_an_import_path() -> None:
    report = caught(ChargesFunctionEveryDelivery, [f"{__name__}.charge"])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert this.charge is charge
    report = caught(ChargesStaticEveryDelivery, [f"{__name__}.Gateway.charge"])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert isinstance(Gateway.__dict__["charge"], staticmethod)


def test_a_correct_job_passes_with_the_effect_wrapped() -> None:
    check(ChargesFunctionOnce, [charge])
    check(ChargesFunctionOnce, [f"{__name__}.charge"])
    assert this.charge is charge


def test_the_same_effect_named_twice_is_one_point() -> None:
    report = caught(ChargesFunctionEveryDelivery, [charge, f"{__name__}.charge"])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert this.charge is charge


def test_restored_when_the_check_stops_with_another_error() -> None:
    class Stops(jobsim.Job):
        def perform(self, order: int) -> None:
            Gateway.charge(order)
            this.charge(order)
            raise KeyboardInterrupt  # not an Exception: it ends the check itself

    originals = Gateway.__dict__["charge"], this.charge
    with pytest.raises(KeyboardInterrupt):
        check(Stops, [Gateway.charge, charge])
    assert (Gateway.__dict__["charge"], this.charge) == originals


PAYMENTS = """
CHARGES = []

def charge(order):
    CHARGES.append(order)
"""

JOBS = """
import jobsim
from fx_shop import payments
from fx_shop.payments import charge


class ChargeThroughModule(jobsim.Job):
    def perform(self, order):
        payments.charge(order)


class ChargeThroughImportedName(jobsim.Job):
    def perform(self, order):
        charge(order)
"""


@pytest.fixture
def fx_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A package as a user has it: fx_shop.payments.charge, and jobs calling it both ways."""
    package = tmp_path / "fx_shop"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "payments.py").write_text(textwrap.dedent(PAYMENTS), encoding="utf-8")
    (package / "jobs.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fx_shop.jobs  # type: ignore[import-not-found]

    yield fx_shop
    for name in [name for name in sys.modules if name.split(".")[0] == "fx_shop"]:
        del sys.modules[name]


def shop_check(shop: Any, job: type[jobsim.Job], effects: list[Any]) -> str:
    charges = shop.payments.CHARGES
    with pytest.raises(AssertionError) as failure:
        fz.check_idempotent(
            job, args=[7], setup=charges.clear, snapshot=lambda: list(charges), effects=effects,
            faults=DUPLICATES, settings=BUDGET,
        )  # fmt: skip
    return str(failure.value)


@pytest.mark.parametrize("name", ["ChargeThroughModule", "ChargeThroughImportedName"])
def test_an_import_path_in_a_package_is_patched_where_the_job_looks_it_up(
    fx_shop: Any, name: str
) -> None:
    original = fx_shop.payments.charge
    report = shop_check(fx_shop, getattr(fx_shop.jobs, name), ["fx_shop.payments.charge"])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert fx_shop.payments.charge is original
    assert fx_shop.jobs.charge is original  # the job module's own name for it, restored too


def test_the_function_itself_is_patched_under_the_job_module_s_name_too(fx_shop: Any) -> None:
    original = fx_shop.payments.charge
    report = shop_check(fx_shop, fx_shop.jobs.ChargeThroughImportedName, [original])
    assert "charge(order=7) ran 2× (1× in one clean run)" in report
    assert fx_shop.jobs.charge is original


def refusal(given: str, why: str) -> str:
    return f"effects: {given}: {why}; {FORMS}"


def test_refusals_name_what_was_given_and_the_forms_that_work() -> None:
    with pytest.raises(InvalidArgument) as error:
        check(PaysEveryDelivery, [42])
    assert str(error.value) == refusal("42", "an object of type int, not a function")
    with pytest.raises(InvalidArgument) as error:
        check(PaysEveryDelivery, [lambda order: None])
    where = "test_refusals_name_what_was_given_and_the_forms_that_work.<locals>.<lambda>"
    assert str(error.value) == refusal(where, f"cannot find where {where} is looked up "
                                              "(a local function?)")  # fmt: skip
    with pytest.raises(InvalidArgument) as error:
        check(PaysEveryDelivery, ["no_such_package.payments.charge"])
    assert str(error.value) == refusal(
        "'no_such_package.payments.charge'", "no module 'no_such_package' can be imported"
    )
    with pytest.raises(InvalidArgument) as error:
        check(PaysEveryDelivery, [f"{__name__}.Gateway.nope"])
    assert str(error.value) == refusal(
        f"'{__name__}.Gateway.nope'",
        "<class '" + __name__ + ".Gateway'> has no callable attribute 'nope'",
    )
    with pytest.raises(InvalidArgument) as error:
        fz.check_idempotent(PaysEveryDelivery, effects=f"{__name__}.charge")  # type: ignore[arg-type]
    assert str(error.value) == refusal(f"'{__name__}.charge'", "effects= takes a list of effects")


def test_a_refusal_after_some_effects_were_replaced_restores_them() -> None:
    original = Gateway.__dict__["charge"]

    class Slotted:
        __slots__ = ()

        def pay(self, order: int) -> None:
            LEDGER.append(order)

    slotted = Slotted()
    with pytest.raises(InvalidArgument, match=r"^effects: pay: cannot replace it on "):
        check(ChargesStaticEveryDelivery, [Gateway.charge, slotted.pay])
    assert Gateway.__dict__["charge"] is original
