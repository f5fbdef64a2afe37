"""Field-by-field comparison of a real Ruby observation with jobsim's, as readable lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["differences"]


def differences(
    expected: Any,
    actual: Any,
    path: str = "",
    *,
    side: str = "Sidekiq",
    float_tolerance: float = 0.0,
) -> Iterator[str]:
    """Every place where ``actual`` (jobsim) differs from ``expected`` (the Ruby ``side``).

    Floats on both sides may differ by ``float_tolerance`` (0: they must be equal).
    """

    def walk(expected: Any, actual: Any, path: str) -> Iterator[str]:
        if isinstance(expected, dict) and isinstance(actual, dict):
            for key in expected:
                if key not in actual:
                    yield f"{path}.{key}: missing in jobsim ({side}: {expected[key]!r})"
                else:
                    yield from walk(expected[key], actual[key], f"{path}.{key}")
            for key in actual:
                if key not in expected:
                    yield f"{path}.{key}: only in jobsim ({actual[key]!r})"
            return
        if isinstance(expected, list) and isinstance(actual, list):
            for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
                yield from walk(left, right, f"{path}[{index}]")
            if len(expected) != len(actual):
                yield f"{path}: {side} has {len(expected)} items, jobsim {len(actual)}"
            return
        if isinstance(expected, float) and isinstance(actual, float):
            if abs(expected - actual) > float_tolerance or expected != expected:
                yield f"{path}: {side} {expected!r} != jobsim {actual!r}"
            return
        same_type = isinstance(expected, bool) == isinstance(actual, bool)
        if not same_type or expected != actual:
            yield f"{path}: {side} {expected!r} != jobsim {actual!r}"

    return walk(expected, actual, path)
