"""Argument matchers and the comparison of expected with actual job arguments.

A matcher is any object compared with ``==`` against the actual value, with the expectation on
the left, so ``unittest.mock.ANY`` and dirty-equals objects work as they are. The matchers here
also explain a mismatch (``missing key 'plan'``), which the failure messages print.

Job arguments have been through JSON, so the expectation is normalised the same way before it is
compared: tuples become lists. Keyword expectations (``with_args(user_id=42)``) are bound to the
job's ``perform`` signature, so ``with_args(42)`` and ``with_args(user_id=42)`` mean one thing.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Final
from uuid import UUID

from jobsim.errors import InvalidArgument

__all__ = [
    "ANY",
    "ArgumentMatcher",
    "ExpectedArgs",
    "call_text",
    "dict_containing",
    "equal",
    "explain",
    "instance_of",
    "list_containing",
    "normalise",
    "perform_signature",
    "predicate",
    "regex",
    "short",
]

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


# -- binding expected arguments to perform() --------------------------------------------------

_NOT_GIVEN: Final = object()


def perform_signature(job_class: type | None) -> inspect.Signature | None:
    """``perform``'s signature without ``self`` (the wrapped function's for ``@jobsim.job``)."""
    if job_class is None:
        return None
    target: Any = getattr(job_class, "__wrapped__", None) or getattr(job_class, "perform", None)
    if target is None:
        return None
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    parameters = list(signature.parameters.values())
    if target is not getattr(job_class, "__wrapped__", None) and parameters:
        parameters = parameters[1:]  # drop self
    if all(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None  # perform(self, *args) says nothing about names
    # Annotations make messages longer, not clearer: ``perform(email, plan='free')``.
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in parameters]
    return signature.replace(parameters=bare, return_annotation=inspect.Signature.empty)


def call_text(args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """Arguments as a call shows them: ``42, plan='pro'``."""
    parts = [short(value, 60) for value in args]
    parts += [f"{key}={short(value, 60)}" for key, value in kwargs.items()]
    return ", ".join(parts)


class ExpectedArgs:
    """What ``with_args(*args, **kwargs)`` expects, bound to ``perform``'s parameters.

    Args:
        job_name: The class name, for messages.
        job_class: The job class (None when matching by name only).
        args: Expected positional arguments (values or matchers).
        kwargs: Expected arguments by parameter name.
    """

    def __init__(
        self,
        job_name: str,
        job_class: type | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        found_class: bool = False,
    ) -> None:
        self.job_name = job_name
        self.args = [normalise(value) for value in args]
        self.kwargs = {key: normalise(value) for key, value in kwargs.items()}
        self.signature = perform_signature(job_class)
        self.names: list[str] | None = None
        #: Why no job can match (the expectation does not fit ``perform``): a failure line,
        #: as rspec-rails' signature check fails the expectation rather than raising.
        self.unfit: str | None = None
        if self.signature is None:
            if kwargs:
                msg = (
                    f"with_args({self.describe()}): {job_name}.perform takes *args, so arguments "
                    f"have no names to match by; pass them positionally"
                )
                if not found_class:
                    raise InvalidArgument(msg)
                self.unfit = f"args: {msg}"
            return
        try:
            bound = self.signature.bind(*self.args, **self.kwargs)
        except TypeError as exc:
            self.unfit = (
                f"args: with_args({self.describe()}) does not fit {job_name}.perform"
                f"{self.signature}: {exc}"
            )
            return
        bound.apply_defaults()
        self.bound = dict(bound.arguments)
        self.names = list(self.bound)

    def describe(self) -> str:
        """The expectation as the call it stands for: ``42, plan='pro'``."""
        return call_text(self.args, self.kwargs)

    def differences(self, actual: Sequence[Any]) -> list[str]:
        """One line per argument that differs (empty when the arguments match)."""
        if self.unfit is not None:
            return [self.unfit]
        if self.signature is None:
            return _positional_differences(self.args, list(actual))
        try:
            bound = self.signature.bind(*actual)
        except TypeError as exc:
            fit = f"{self.job_name}.perform{self.signature}"
            return [f"args: {short(list(actual))} does not fit {fit}: {exc}"]
        bound.apply_defaults()
        got = bound.arguments
        lines = []
        for position, name in enumerate(self.bound):
            want = self.bound[name]
            have = got.get(name, _NOT_GIVEN)
            parameter = self.signature.parameters[name]
            if parameter.kind is parameter.VAR_POSITIONAL:
                lines += _positional_differences(list(want), list(have), label=f"*{name}")
            elif have is _NOT_GIVEN:
                lines.append(f"args[{position}] {name}: expected {short(want)}, not passed")
            elif not equal(want, have):
                lines.append(f"args[{position}] {name}: {explain(want, have)}")
        return lines


def _positional_differences(
    expected: list[Any], actual: list[Any], *, label: str = "args"
) -> list[str]:
    if len(expected) != len(actual):
        return [
            f"{label}: expected {len(expected)} arguments {short(expected)}, "
            f"got {len(actual)} {short(actual)}"
        ]
    return [
        f"{label}[{index}]: {explain(want, have)}"
        for index, (want, have) in enumerate(zip(expected, actual, strict=True))
        if not equal(want, have)
    ]
