"""Rails' ``queue_naming_test.rb`` and ``queue_priority_test.rb`` (v6.1.7), ported.

One test per upstream test; the id names its file and line. ``ActiveJob::Base``'s app-wide
``queue_name_prefix`` / ``queue_name_delimiter`` / ``default_queue_name`` are the simulator's
settings (jobsim keeps no process-wide state); a class's own prefix is its
``queue_name_prefix=`` class keyword. ``HelloJob.queue_as :x`` is ``HelloJob.queue_as = "x"``
(restored by ``monkeypatch``), and a class-level read (``HelloJob.queue_name``) is read from a
new job, since in Python ``queue_name`` and ``priority`` live on the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob, Symbol, settings

NAMING = "activejob/test/cases/queue_naming_test.rb"
PRIORITY = "activejob/test/cases/queue_priority_test.rb"


def upstream(path: str, line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{path}:{line}"])


class HelloJob(ActiveJob):
    def perform(self, greeter: str = "David") -> None:
        pass


class PrefixedJob(ActiveJob, queue_name_prefix="production"):
    def perform(self) -> None:
        pass


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        yield simulator


def _queue_as(monkeypatch: pytest.MonkeyPatch, value: Any) -> None:
    monkeypatch.setattr(HelloJob, "queue_as", value)


@upstream(NAMING, 10)
def test_name_derived_from_base(case: str) -> None:
    assert HelloJob().queue_name == "default"


@upstream(NAMING, 14)
def test_uses_given_queue_name_job(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue_as(monkeypatch, Symbol("greetings"))
    assert HelloJob().queue_name == "greetings"


@upstream(NAMING, 25)
def test_allows_a_blank_queue_name(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue_as(monkeypatch, "")
    assert HelloJob().queue_name == ""


@upstream(NAMING, 36)
def test_does_not_use_a_nil_queue_name(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue_as(monkeypatch, None)
    assert HelloJob().queue_name == "default"


@upstream(NAMING, 47)
def test_evals_block_given_to_queue_as(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue_as(monkeypatch, lambda job: Symbol("another"))
    assert HelloJob().queue_name == "another"


@upstream(NAMING, 58)
def test_can_use_arguments_in_queue_as_block(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue_as(monkeypatch, lambda job: "one" if job.arguments[0] == "1" else "two")
    assert HelloJob("1").queue_name == "one"
    assert HelloJob("3").queue_name == "two"


@upstream(NAMING, 70)
def test_prefix_with_default_delimiter(
    case: str, sim: jobsim.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings(sim).queue_name_prefix = "aj"
    _queue_as(monkeypatch, "low")
    assert HelloJob().queue_name == "aj_low"


@upstream(NAMING, 84)
def test_prefix_with_custom_delimiter(
    case: str, sim: jobsim.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings(sim).queue_name_delimiter = "."
    settings(sim).queue_name_prefix = "aj"
    _queue_as(monkeypatch, "low")
    assert HelloJob().queue_name == "aj.low"


@upstream(NAMING, 101)
def test_using_a_custom_default_queue_name(case: str, sim: jobsim.Simulator) -> None:
    settings(sim).default_queue_name = "default_queue_name"
    assert HelloJob().queue_name == "default_queue_name"


@upstream(NAMING, 113)
def test_prefix_prepended_to_the_default_queue_name(case: str, sim: jobsim.Simulator) -> None:
    settings(sim).queue_name_prefix = "prefix"
    settings(sim).default_queue_name = "default_queue_name"
    assert HelloJob().queue_name == "prefix_default_queue_name"


@upstream(NAMING, 128)
def test_class_prefix_does_not_affect_other_jobs(case: str) -> None:
    assert PrefixedJob.queue_name_prefix == "production"
    assert HelloJob.queue_name_prefix is None


@upstream(NAMING, 133)
def test_changing_a_class_prefix_does_not_affect_other_jobs(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PrefixedJob, "queue_name_prefix", "staging")
    assert PrefixedJob.queue_name_prefix == "staging"
    assert PrefixedJob().queue_name == "staging_default"
    assert HelloJob.queue_name_prefix is None


@upstream(NAMING, 146)
def test_uses_queue_passed_to_set(case: str) -> None:
    job = HelloJob.set(queue=Symbol("some_queue")).perform_later()
    assert not isinstance(job, bool)
    assert job.queue_name == "some_queue"


@upstream(PRIORITY, 7)
def test_priority_unset_by_default(case: str) -> None:
    assert HelloJob().priority is None


@upstream(PRIORITY, 11)
def test_uses_given_priority(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HelloJob, "priority_default", None)
    HelloJob.queue_with_priority(90)
    assert HelloJob().priority == 90


@upstream(PRIORITY, 22)
def test_evals_block_given_to_priority(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HelloJob, "priority_default", None)
    HelloJob.queue_with_priority(lambda job: 25)
    assert HelloJob().priority == 25


@upstream(PRIORITY, 33)
def test_can_use_arguments_in_priority_block(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HelloJob, "priority_default", None)
    HelloJob.queue_with_priority(lambda job: 99 if job.arguments[0] == "1" else 11)
    assert HelloJob("1").priority == 99
    assert HelloJob("3").priority == 11


@upstream(PRIORITY, 45)
def test_uses_priority_passed_to_set(case: str) -> None:
    job = HelloJob.set(priority=123).perform_later()
    assert not isinstance(job, bool)
    assert job.priority == 123
