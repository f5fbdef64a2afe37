"""jobsim's argument matchers: ``ANY``, ``instance_of``, ``dict_containing``,
``list_containing``, ``regex`` and ``predicate``.

Each also explains a mismatch (``missing key 'plan'``), which the failure messages print.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from jobsim.errors import InvalidArgument
from jobsim.testing._argument_base import ArgumentMatcher, equal, explain, normalise, short

__all__ = [
    "ANY",
    "dict_containing",
    "instance_of",
    "list_containing",
    "predicate",
    "regex",
]


class _Anything(ArgumentMatcher):
    def matches(self, value: Any) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


#: Matches any value.
ANY: Final[ArgumentMatcher] = _Anything()


class _InstanceOf(ArgumentMatcher):
    def __init__(self, types: tuple[type, ...]) -> None:
        self.types = types

    def matches(self, value: Any) -> bool:
        return isinstance(value, self.types)

    def mismatch(self, value: Any) -> str:
        return f"expected {self._names()}, got {type(value).__name__} {short(value)}"

    def _names(self) -> str:
        names = [kind.__name__ for kind in self.types]
        return "an instance of " + " or ".join(names)

    def __repr__(self) -> str:
        return f"instance_of({', '.join(kind.__name__ for kind in self.types)})"


def instance_of(*types: type) -> ArgumentMatcher:
    """Matches an instance of any of ``types`` (``instance_of(int)``, ``instance_of(str, None)``).

    ``None`` stands for ``type(None)``. Job arguments are JSON, so the useful types are ``str``,
    ``int``, ``float``, ``bool``, ``list``, ``dict`` and ``None``.
    """
    given: tuple[object, ...] = types
    if not given:
        raise InvalidArgument("instance_of() needs at least one type, e.g. instance_of(int)")
    checked: list[type] = []
    for kind in given:
        if kind is None:
            checked.append(type(None))
        elif isinstance(kind, type):
            checked.append(kind)
        else:
            msg = f"instance_of({kind!r}): pass classes such as int or str, not {short(kind)}"
            raise InvalidArgument(msg)
    return _InstanceOf(tuple(checked))


class _DictContaining(ArgumentMatcher):
    def __init__(self, entries: dict[str, Any]) -> None:
        self.entries = entries

    def matches(self, value: Any) -> bool:
        if not isinstance(value, Mapping):
            return False
        return all(
            key in value and equal(expected, value[key]) for key, expected in self.entries.items()
        )

    def mismatch(self, value: Any) -> str:
        if not isinstance(value, Mapping):
            return f"expected a dict containing {short(self.entries)}, got {short(value)}"
        problems = []
        for key, expected in self.entries.items():
            if key not in value:
                problems.append(f"missing key {key!r}")
            elif not equal(expected, value[key]):
                problems.append(f"[{key!r}] {explain(expected, value[key])}")
        return "; ".join(problems)

    def __repr__(self) -> str:
        return f"dict_containing({short(self.entries)})"


def dict_containing(entries: Mapping[str, Any] | None = None, /, **more: Any) -> ArgumentMatcher:
    """Matches a dict that has at least these keys, each value ``==`` the given one.

    ``dict_containing(plan="pro")`` or ``dict_containing({"plan": "pro", "seats": ANY})``.
    """
    merged: dict[str, Any] = {}
    given: object = entries
    if given is not None:
        if not isinstance(given, Mapping):
            msg = f"dict_containing({short(entries)}): pass a dict or keyword arguments"
            raise InvalidArgument(msg)
        merged.update(given)
    merged.update(more)
    return _DictContaining({key: normalise(value) for key, value in merged.items()})


class _ListContaining(ArgumentMatcher):
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def _unmatched(self, value: Sequence[Any]) -> list[Any]:
        left = list(value)
        missing = []
        for expected in self.items:
            for index, actual in enumerate(left):
                if equal(expected, actual):
                    del left[index]
                    break
            else:
                missing.append(expected)
        return missing

    def matches(self, value: Any) -> bool:
        if not isinstance(value, list | tuple):
            return False
        return not self._unmatched(value)

    def mismatch(self, value: Any) -> str:
        if not isinstance(value, list | tuple):
            return f"expected a list containing {short(self.items)}, got {short(value)}"
        missing = ", ".join(short(item, 40) for item in self._unmatched(value))
        return f"no element of {short(value)} matches {missing}"

    def __repr__(self) -> str:
        return f"list_containing({', '.join(short(item, 40) for item in self.items)})"


def list_containing(*items: Any) -> ArgumentMatcher:
    """Matches a list holding each of ``items`` (in any order; one element per item)."""
    return _ListContaining([normalise(item) for item in items])


class _Regex(ArgumentMatcher):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and self.pattern.search(value) is not None

    def mismatch(self, value: Any) -> str:
        if not isinstance(value, str):
            return f"expected a str matching {self!r}, got {type(value).__name__} {short(value)}"
        return f"{short(value)} does not match {self!r}"

    def __repr__(self) -> str:
        return f"regex({self.pattern.pattern!r})"


def regex(pattern: str | re.Pattern[str], flags: int = 0) -> ArgumentMatcher:
    """Matches a str in which ``pattern`` is found (``re.search``; anchor with ``^``/``$``)."""
    given: object = pattern
    if isinstance(given, re.Pattern):
        return _Regex(given)
    if not isinstance(given, str):
        msg = f"regex({short(pattern)}): pass a pattern string such as r'^user-\\d+$'"
        raise InvalidArgument(msg)
    try:
        return _Regex(re.compile(given, flags))
    except re.error as exc:
        msg = f"regex({pattern!r}) is not a valid regular expression: {exc}"
        raise InvalidArgument(msg) from exc


class _Predicate(ArgumentMatcher):
    def __init__(self, function: Callable[[Any], object], description: str) -> None:
        self.function = function
        self.description = description

    def matches(self, value: Any) -> bool:
        try:
            return bool(self.function(value))
        except Exception:
            return False

    def mismatch(self, value: Any) -> str:
        try:
            result = self.function(value)
        except Exception as exc:
            return f"{self.description} raised {type(exc).__name__}: {exc} for {short(value)}"
        return f"{self.description} is {short(result, 30)} for {short(value)}"

    def __repr__(self) -> str:
        return f"predicate({self.description})"


def predicate(function: Callable[[Any], object], description: str | None = None) -> ArgumentMatcher:
    """Matches a value for which ``function(value)`` is truthy (an exception counts as no)."""
    given: object = function
    if not callable(given):
        msg = f"predicate({short(function)}): pass a function taking the value"
        raise InvalidArgument(msg)
    name = description or getattr(function, "__qualname__", None) or short(function)
    return _Predicate(function, str(name))
