"""Field-by-field comparison of a real Ruby observation with jobsim's, as readable lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["differences"]


def differences(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Every place where ``actual`` (jobsim) differs from ``expected`` (the Ruby side)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                yield f"{path}.{key}: missing in jobsim (Sidekiq: {expected[key]!r})"
            else:
                yield from differences(expected[key], actual[key], f"{path}.{key}")
        for key in actual:
            if key not in expected:
                yield f"{path}.{key}: only in jobsim ({actual[key]!r})"
        return
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            yield from differences(left, right, f"{path}[{index}]")
        if len(expected) != len(actual):
            yield f"{path}: Sidekiq has {len(expected)} items, jobsim {len(actual)}"
        return
    same_type = isinstance(expected, bool) == isinstance(actual, bool)
    if not same_type or expected != actual:
        yield f"{path}: Sidekiq {expected!r} != jobsim {actual!r}"
