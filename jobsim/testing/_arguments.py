"""The comparison of expected with actual job arguments (``with_args``), and the argument
matchers' home for the rest of ``jobsim.testing``.

Keyword expectations (``with_args(user_id=42)``) are bound to the job's ``perform`` signature,
so ``with_args(42)`` and ``with_args(user_id=42)`` mean one thing. The comparison itself and the
matchers live in ``_argument_base`` and ``_argument_matchers``; their names are re-exported
here so the matcher modules import them from one place.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Final

from jobsim.errors import InvalidArgument
from jobsim.testing._argument_base import ArgumentMatcher, equal, explain, normalise, short
from jobsim.testing._argument_matchers import (
    ANY,
    dict_containing,
    instance_of,
    list_containing,
    predicate,
    regex,
)

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
