"""rspec-mocks' ``any_args`` and ``hash_excluding``, as jobsim argument matchers.

``with_args(any_args)`` accepts any argument list and ``with_args(1, any_args)`` any list that
starts with 1 (``any_args`` must come last, as rspec-mocks requires). ``dict_excluding("a")``
matches a dict without key "a"; ``dict_excluding(a=1)`` a dict where "a" is absent or not 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from jobsim.errors import InvalidArgument
from jobsim.testing._arguments import ArgumentMatcher, equal, explain, normalise, short

__all__ = ["ANY_ARGS", "PrefixArgs", "dict_excluding"]


class _AnyArgs(ArgumentMatcher):
    def matches(self, value: Any) -> bool:
        return True

    def __repr__(self) -> str:
        return "any_args"


#: Any number of arguments of any value, in ``with_args(...)`` only, as its last argument.
ANY_ARGS: Final[ArgumentMatcher] = _AnyArgs()


class PrefixArgs:
    """``with_args(a, b, any_args)``: the job's arguments start with ``a, b``."""

    __slots__ = ("prefix",)

    def __init__(self, args: tuple[Any, ...], call: str) -> None:
        if any(value is ANY_ARGS for value in args[:-1]):
            raise InvalidArgument(f"{call}: any_args goes last, standing for the rest")
        self.prefix = [normalise(value) for value in args[:-1]]

    def describe(self) -> str:
        """The expectation as written: ``1, any_args``."""
        return ", ".join([*(short(value, 60) for value in self.prefix), "any_args"])

    def differences(self, actual: Sequence[Any]) -> list[str]:
        """Why the job's arguments do not start with the prefix (empty: they do)."""
        given = list(actual)
        if len(given) < len(self.prefix):
            return [
                f"args: expected at least {len(self.prefix)} arguments starting "
                f"{short(self.prefix)}, got {len(given)} {short(given)}"
            ]
        return [
            f"args[{index}]: {explain(want, have)}"
            for index, (want, have) in enumerate(zip(self.prefix, given, strict=False))
            if not equal(want, have)
        ]


class _DictExcluding(ArgumentMatcher):
    def __init__(self, keys: tuple[str, ...], entries: dict[str, Any]) -> None:
        self.keys = keys
        self.entries = entries

    def _present(self, value: Mapping[str, Any]) -> list[str]:
        found = [f"key {key!r}" for key in self.keys if key in value]
        found += [
            f"{key!r}: {short(want)}"
            for key, want in self.entries.items()
            if key in value and equal(want, value[key])
        ]
        return found

    def matches(self, value: Any) -> bool:
        return isinstance(value, Mapping) and not self._present(value)

    def mismatch(self, value: Any) -> str:
        if not isinstance(value, Mapping):
            return f"expected a dict, got {type(value).__name__} {short(value)}"
        return f"expected none of {', '.join(self._present(value))} in {short(value)}"

    def __repr__(self) -> str:
        parts = [repr(key) for key in self.keys]
        parts += [f"{key}={short(value, 40)}" for key, value in self.entries.items()]
        return f"dict_excluding({', '.join(parts)})"


def dict_excluding(*keys: str, **entries: Any) -> ArgumentMatcher:
    """Matches a dict that has none of ``keys`` and none of the ``entries`` (rspec-mocks'
    ``hash_excluding``)."""
    if not keys and not entries:
        raise InvalidArgument("dict_excluding(): name the keys or key=value pairs to exclude")
    for key in keys:
        if not isinstance(key, str):
            raise InvalidArgument(f"dict_excluding({short(key)}): keys of job arguments are str")
    return _DictExcluding(keys, {key: normalise(value) for key, value in entries.items()})
