"""What every argument comparison shares: ``==`` with the expectation on the left, short
reprs for messages, the :class:`ArgumentMatcher` base, JSON's shape for expectations, and the
one-line explanation of a mismatch.

A matcher is any object compared with ``==`` against the actual value, with the expectation on
the left, so ``unittest.mock.ANY`` and dirty-equals objects work as they are. Job arguments have
been through JSON, so an expectation is normalised the same way before it is compared: tuples
become lists.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

__all__ = ["ArgumentMatcher", "equal", "explain", "normalise", "short"]

_MAX_REPR = 80


def equal(expected: Any, actual: Any) -> bool:
    """``expected == actual`` with the expectation on the left, so matchers decide.

    An ``__eq__`` that raises counts as "not equal"; :func:`explain` then shows the error.
    """
    try:
        return bool(expected == actual)
    except Exception:
        return False


def short(value: Any, limit: int = _MAX_REPR) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not hide the real failure
        text = f"<{type(value).__name__} with a failing repr: {exc!r}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ArgumentMatcher:
    """Base of jobsim's argument matchers: ``==`` runs :meth:`matches`."""

    __hash__ = None  # type: ignore[assignment]  # equality is not identity; never a dict key

    def matches(self, value: Any) -> bool:
        """Whether ``value`` satisfies this matcher."""
        raise NotImplementedError

    def mismatch(self, value: Any) -> str:
        """Why ``value`` does not match, in a few words (called only after a mismatch)."""
        return f"expected {self!r}, got {short(value)}"

    def __eq__(self, other: object) -> bool:
        return self.matches(other)

    def __ne__(self, other: object) -> bool:
        return not self.matches(other)


# -- normalising and explaining ---------------------------------------------------------------


def normalise(value: Any) -> Any:
    """The expectation in JSON's shape: tuples (and lists) become lists, dicts stay dicts.

    Anything else (matchers, dirty-equals objects, scalars) is left alone.
    """
    kind = type(value)
    if kind is tuple or kind is list:
        return [normalise(item) for item in value]
    if kind is dict:
        return {key: normalise(item) for key, item in value.items()}
    return value


_NEVER_JSON = (datetime, date, time, Decimal, UUID, set, frozenset, bytes, Enum)


def explain(expected: Any, actual: Any) -> str:
    """Why ``actual`` is not ``expected``, in one line (called only after ``==`` said no)."""
    if isinstance(expected, ArgumentMatcher):
        return expected.mismatch(actual)
    if type(expected) is dict and isinstance(actual, dict):
        missing = [key for key in expected if key not in actual]
        extra = [key for key in actual if key not in expected]
        parts = [f"missing key {key!r}" for key in missing]
        parts += [f"unexpected key {key!r}" for key in extra]
        for key, value in expected.items():
            if key in actual and not equal(value, actual[key]):
                parts.append(f"[{key!r}] {explain(value, actual[key])}")
        if parts:
            return "; ".join(parts)
    if type(expected) is list and isinstance(actual, list):
        if len(expected) != len(actual):
            return (
                f"expected {len(expected)} items {short(expected)}, "
                f"got {len(actual)} {short(actual)}"
            )
        parts = [
            f"[{index}] {explain(want, got)}"
            for index, (want, got) in enumerate(zip(expected, actual, strict=True))
            if not equal(want, got)
        ]
        if parts:
            return "; ".join(parts)
    text = f"expected {short(expected)}, got {short(actual)}"
    try:
        bool(expected == actual)
    except Exception as exc:
        text += f" ({short(expected, 40)} == … raised {type(exc).__name__}: {exc})"
    if isinstance(expected, _NEVER_JSON):
        text += (
            f" (job arguments are JSON, so a {type(expected).__name__} never arrives as one; "
            f"compare with the value the job receives, e.g. a str)"
        )
    return text
