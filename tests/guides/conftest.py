"""Shared helpers for the guides' tests: a fresh world per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from examples.guides import world


@pytest.fixture(autouse=True)
def fresh_world() -> Iterator[world.World]:
    yield world.reset()
    world.reset()
