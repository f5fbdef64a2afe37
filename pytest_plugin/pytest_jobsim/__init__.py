"""The jobsim pytest plugin: a fresh, active simulator per test.

Registered through the ``pytest11`` entry point as ``jobsim`` (disable with ``-p no:jobsim``).
It does no work at import and adds no autouse fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import jobsim

__all__ = ["jobsim_factory", "jobsim_sim"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "jobsim(**kwargs): keyword arguments for the `jobsim` fixture's Simulator "
        "(seed=, start=, profile=, queues=, ...)",
    )


@pytest.fixture
def jobsim_factory() -> Any:
    """A callable building simulators (for Hypothesis tests and custom set-ups)."""
    return jobsim.Simulator


@pytest.fixture(name="jobsim")
def jobsim_sim(request: pytest.FixtureRequest) -> Iterator[jobsim.Simulator]:
    """A fresh simulator, active for the whole test (enqueues go to it)."""
    marker = request.node.get_closest_marker("jobsim")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    with jobsim.Simulator(**options) as sim:
        yield sim
