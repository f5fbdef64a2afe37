"""Shared set-up for the pytester-driven plugin tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _inner_runs_are_not_xdist_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``-n 2`` this process is an xdist worker. An inner pytester run would see
    ``PYTEST_XDIST_WORKER`` and pytest-benchmark would warn that xdist is active, which this
    suite turns into an error. The inner runs are plain runs, so they should not see it."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
