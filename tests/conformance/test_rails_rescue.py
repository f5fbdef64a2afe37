"""Rails' ``activejob/test/cases/rescue_test.rb`` (v6.1.7), ported: one test per upstream test.

Upstream runs on the inline adapter, where ``perform_later`` and ``retry_job`` perform at once;
here they push to the simulator and ``sim.drain()`` performs them, so a retried job's output
comes after the handler's (the values are the same, the order follows the adapter).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob, DeserializationError, GlobalID, settings

UPSTREAM = "activejob/test/cases/rescue_test.rb"
BUFFER: list[str] = []


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class Person:
    class RecordNotFound(Exception):
        pass

    def __init__(self, id: object) -> None:
        self.id = id

    @classmethod
    def find(cls, id: str) -> Person:
        if int(id) == 404:
            raise cls.RecordNotFound("Cannot find person with ID=404")
        return cls(id)

    def to_global_id(self) -> GlobalID:
        return GlobalID("aj", "Person", self.id)


class RescueJob(ActiveJob):
    class OtherError(Exception):
        pass

    def perform(self, person: Any = "david") -> None:
        if person == "david":
            raise ValueError("Hair too good")  # Ruby's ArgumentError
        if person == "other":
            raise self.OtherError("Bad hair")
        BUFFER.append("performed beautifully")


@RescueJob.rescue_from(ValueError)
def _retry_differently(job: RescueJob, error: BaseException) -> RescueJob:
    BUFFER.append("rescued from ArgumentError")
    job.arguments[0] = "DIFFERENT!"
    retried = job.retry_job()
    BUFFER.append(f"Retried job {retried.arguments[0]}")
    return retried


@RescueJob.rescue_from(DeserializationError)
def _rescued(job: RescueJob, error: BaseException) -> None:
    BUFFER.append("rescued from DeserializationError")
    cause = error.__cause__
    BUFFER.append(f"DeserializationError original exception was {type(cause).__qualname__}")


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    BUFFER.clear()
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).finders["Person"] = Person.find
        yield simulator


@upstream(12)
def test_rescue_perform_exception_with_retry(case: str, sim: jobsim.Simulator) -> None:
    RescueJob("david").perform_now()
    sim.drain()
    assert BUFFER == [
        "rescued from ArgumentError",
        "Retried job DIFFERENT!",
        "performed beautifully",
    ]


@upstream(18)
def test_let_through_unhandled_perform_exception(case: str) -> None:
    with pytest.raises(RescueJob.OtherError):
        RescueJob("other").perform_now()


@upstream(25)
def test_rescue_from_deserialization_errors(case: str, sim: jobsim.Simulator) -> None:
    RescueJob.perform_later(Person(404))
    sim.drain()
    assert "rescued from DeserializationError" in BUFFER
    assert "DeserializationError original exception was Person.RecordNotFound" in BUFFER
    assert "performed beautifully" not in BUFFER


@upstream(32)
def test_should_not_wrap_deserialization_error_twice(case: str, sim: jobsim.Simulator) -> None:
    RescueJob.perform_later([Person(404)])
    sim.drain()
    assert "DeserializationError original exception was Person.RecordNotFound" in BUFFER
