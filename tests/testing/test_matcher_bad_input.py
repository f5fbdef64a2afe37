"""#15's matcher rows: a misspelt class name in a negative assertion is an error, and
``failed(SomeError)`` matches subclasses as ``except`` does (``exactly=`` for one class)."""

from __future__ import annotations

import re

import pytest

import jobsim
from jobsim.testing import have_enqueued_job, have_performed_job


class SendWelcome(jobsim.Job):
    def perform(self) -> None:
        pass


class Timeout(LookupError):
    pass


class Lookup(jobsim.Job, retry=False):
    def perform(self) -> None:
        raise KeyError("sku-1")


class Slow(jobsim.Job, retry=False):
    def perform(self) -> None:
        raise Timeout("gateway")


def ran(*classes: type[jobsim.Job]) -> jobsim.Simulator:
    sim = jobsim.Simulator()
    with sim:
        for job_class in classes:
            job_class.perform_async()
        sim.drain()
    return sim


class ArchiveInvoices(jobsim.Job):
    def perform(self) -> None:
        pass


def test_a_negative_assertion_about_a_misspelt_name_is_an_error() -> None:
    sim = ran(ArchiveInvoices)
    with pytest.raises(jobsim.InvalidArgument) as caught:
        assert not have_enqueued_job("ArchiveInvoice", sim=sim)
    assert str(caught.value) == (
        "have_enqueued_job('ArchiveInvoice'): no job class is named 'ArchiveInvoice' and no job "
        "of that name was recorded, so this expectation could never fail; did you mean "
        "'ArchiveInvoices'? pass the job class itself to catch a misspelt name at import"
    )
    with pytest.raises(jobsim.InvalidArgument, match=re.escape("have_performed_job('Okk')")):
        have_performed_job("Okk", sim=sim).never().verify()


def test_a_known_name_never_enqueued_is_a_fine_negative_assertion() -> None:
    sim = ran(Lookup)
    assert not have_enqueued_job("SendWelcome", sim=sim)  # defined, not enqueued
    with sim:
        sim.push({"class": "Raw", "args": []})  # a name only a recorded job has
    assert not have_performed_job("Raw", sim=sim)


def test_failed_matches_a_subclass_as_except_does() -> None:
    sim = ran(Lookup, Slow)
    assert have_performed_job(Lookup, sim=sim).failed(LookupError)
    assert have_performed_job(Slow, sim=sim).failed(LookupError)
    assert have_performed_job(Slow, sim=sim).failed(Exception)
    assert have_performed_job(sim=sim).failed(LookupError).twice()
    assert not have_performed_job(Lookup, sim=sim).failed(ValueError)


def test_failed_exactly_matches_one_class() -> None:
    sim = ran(Lookup, Slow)
    assert have_performed_job(Slow, sim=sim).failed(exactly=Timeout)
    assert not have_performed_job(Slow, sim=sim).failed(exactly=LookupError)
    with pytest.raises(AssertionError) as caught:
        have_performed_job(Lookup, sim=sim).failed(exactly=LookupError).verify()
    assert "outcome: expected failed with LookupError, got KeyError: 'sku-1'" in str(caught.value)


def test_failed_says_or_a_subclass_when_none_matches() -> None:
    sim = ran(Lookup)
    with pytest.raises(AssertionError) as caught:
        have_performed_job(Lookup, sim=sim).failed(ArithmeticError).verify()
    assert (
        "outcome: expected failed with ArithmeticError or a subclass, got KeyError: 'sku-1'"
        in str(caught.value)
    )


def test_failed_takes_one_of_error_and_exactly() -> None:
    with pytest.raises(jobsim.InvalidArgument) as caught:
        have_performed_job(Lookup).failed(KeyError, exactly=KeyError)
    assert str(caught.value) == (
        "failed(<class 'KeyError'>, exactly=<class 'KeyError'>): pass one of the two"
    )
