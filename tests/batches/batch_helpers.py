"""Shared pieces of the batch tests: a callback recorder and children with scripted outcomes."""

from __future__ import annotations

from typing import Any, ClassVar

import jobsim
from jobsim.batches import Batches, Status


class Calls:
    """Records every callback run as (event, bid, status, options), in run order."""

    log: ClassVar[list[tuple[str, str, Status, dict[str, Any]]]] = []

    def on_complete(self, status: Status, options: dict[str, Any]) -> None:
        Calls.log.append(("complete", status.bid, status, options))

    def on_success(self, status: Status, options: dict[str, Any]) -> None:
        Calls.log.append(("success", status.bid, status, options))

    def on_death(self, status: Status, options: dict[str, Any]) -> None:
        Calls.log.append(("death", status.bid, status, options))

    def custom(self, status: Status, options: dict[str, Any]) -> None:
        Calls.log.append(("custom", status.bid, status, options))


class Child(jobsim.Job, retry=2):
    """Fails as many times as ``Child.failures[key]`` says, then succeeds."""

    failures: ClassVar[dict[str, int]] = {}
    runs: ClassVar[list[str]] = []

    def perform(self, key: str) -> None:
        Child.runs.append(key)
        left = Child.failures.get(key, 0)
        if left:
            Child.failures[key] = left - 1
            raise RuntimeError(f"{key} fails")


def reset() -> None:
    Calls.log.clear()
    Child.failures.clear()
    Child.runs.clear()


def events(bid: str | None = None) -> list[tuple[str, str]]:
    """(event, bid) of every callback run so far."""
    return [(event, b) for event, b, _, _ in Calls.log if bid is None or b == bid]


def simulator(**options: Any) -> jobsim.Simulator:
    version = options.pop("version", "8.1.7")
    return jobsim.Simulator(plugins=[Batches(version=version)], **options)
