"""Shared helpers for jobsim's own tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import jobsim

START = 1767225600.0  # 2026-01-01T00:00:00Z, jobsim's default start


class Boom(RuntimeError):
    """The error test jobs raise."""


def failing_job(name: str = "Flaky", *, fail_times: int | None = None, **options: Any) -> type:
    """A job class that raises Boom on its first ``fail_times`` executions (None: always)."""
    calls: list[int] = []

    def perform(self: jobsim.Job, *args: Any) -> None:
        calls.append(1)
        if fail_times is None or len(calls) <= fail_times:
            raise Boom(f"boom {len(calls)}")

    cls = type(name, (jobsim.Job,), {"perform": perform, "calls": calls}, **options)
    return cls


@pytest.fixture
def make_sim() -> Callable[..., jobsim.Simulator]:
    """Build a simulator with test-friendly defaults (pinned jitter unless asked)."""

    def build(**kwargs: Any) -> jobsim.Simulator:
        kwargs.setdefault("seed", 1)
        kwargs.setdefault("start", START)
        return jobsim.Simulator(**kwargs)

    return build
