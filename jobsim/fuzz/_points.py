"""Effect points: where the fuzzer may crash, raise, or switch to another execution (layer 7).

Three kinds of point reach the run that is active in the calling thread (a context variable,
so worker threads of an interleaving each see their own run): declared effects (callables
patched for the duration of a check), :func:`checkpoint`, and the statements and commits of a
:func:`jobsim.fuzz.connect` connection. Outside a fuzz run every point is a no-op.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from jobsim.errors import InvalidArgument
from jobsim.points import checkpoint, checkpoint_hook

__all__ = [
    "Effect",
    "InjectedError",
    "PointHost",
    "checkpoint",
    "current_host",
    "effect",
    "patched",
]


class InjectedError(Exception):
    """The exception the fuzzer raises at an effect point (Sidekiq retries it)."""


class PointHost(Protocol):
    """What an active fuzz run offers to effect points."""

    def point(self, label: str, call: Callable[[], Any] | None, *, counted: bool) -> Any:
        """Reach a point called ``label``; run ``call`` (the effect) unless a fault fires."""
        ...

    def adopt(self, resource: Any) -> None:
        """Remember a connection opened by the current delivery (closed if it crashes)."""
        ...


_HOST: ContextVar[PointHost | None] = ContextVar("jobsim_fuzz_host", default=None)


def current_host() -> PointHost | None:
    """The fuzz run active in this thread, or None."""
    return _HOST.get()


@contextmanager
def hosting(host: PointHost) -> Iterator[None]:
    """Make ``host`` the active run in this thread for the block; ``jobsim.checkpoint`` calls
    become its points (a crash, an exception or a switch to a duplicate may happen there)."""
    token = _HOST.set(host)
    try:
        with checkpoint_hook(lambda name: host.point(name, None, counted=False)):
            yield
    finally:
        _HOST.reset(token)


@dataclass(frozen=True, slots=True)
class Effect:
    """A callable declared as a side effect: where it lives, and whether it must run at most
    as often as in one clean run (``once``; pass False for an effect that is idempotent on
    its own, such as a gateway call with an idempotency key, and let the snapshot decide)."""

    owner: Any
    attribute: str
    name: str
    once: bool = True


def effect(
    target: Callable[..., Any],
    *,
    once: bool = True,
    name: str | None = None,
    owner: Any = None,
) -> Effect:
    """Declare ``target`` (a function, method or bound method) as an effect point.

    The callable is replaced on its owner (the bound object, the class, or the module) for the
    duration of a check; pass ``owner=`` when code calls it through another name (a module
    that did ``from payments import charge``).
    """
    attribute = getattr(target, "__name__", None)
    if not isinstance(attribute, str) or not callable(target):
        msg = f"effect({target!r}): pass a function or method, such as gateway.charge"
        raise InvalidArgument(msg)
    if owner is None:
        owner = _owner_of(target, attribute)
    if getattr(owner, attribute, None) is None:
        msg = f"effect({attribute}): {owner!r} has no attribute {attribute!r}; pass owner="
        raise InvalidArgument(msg)
    return Effect(owner, attribute, name or attribute, once)


def _owner_of(target: Callable[..., Any], attribute: str) -> Any:
    bound = getattr(target, "__self__", None)
    if bound is not None and inspect.ismethod(target):
        return bound
    module = sys.modules.get(getattr(target, "__module__", "") or "")
    qualname = str(getattr(target, "__qualname__", attribute))
    if module is None or "<locals>" in qualname:
        msg = (
            f"effect({qualname}): cannot find where {qualname} lives (a local function?); "
            f"pass owner= (the object or module whose attribute {attribute!r} code calls)"
        )
        raise InvalidArgument(msg)
    owner: Any = module
    for part in qualname.split(".")[:-1]:
        owner = getattr(owner, part)
    return owner


def as_effects(items: Sequence[Effect | Callable[..., Any]]) -> list[Effect]:
    """Normalise ``effects=[...]``: plain callables become ``effect(callable)``."""
    return [item if isinstance(item, Effect) else effect(item) for item in items]


def _wrapper(spec: Effect, original: Callable[..., Any]) -> Callable[..., Any]:
    try:
        signature: inspect.Signature | None = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None
    skip_first = bool(
        isinstance(spec.owner, type)
        and signature is not None
        and next(iter(signature.parameters), "") in ("self", "cls")
    )

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        host = _HOST.get()
        if host is None:
            return original(*args, **kwargs)
        label = _label(spec.name, signature, args, kwargs, skip_first)
        return host.point(label, lambda: original(*args, **kwargs), counted=spec.once)

    wrapped.__wrapped__ = original  # type: ignore[attr-defined]
    wrapped.__name__ = spec.attribute
    return wrapped


def _label(
    name: str,
    signature: inspect.Signature | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    skip_first: bool,
) -> str:
    parts: list[str] = []
    try:
        if signature is None:
            raise TypeError
        bound = signature.bind(*args, **kwargs)
        items = list(bound.arguments.items())[1 if skip_first else 0 :]
        parts = [f"{key}={value!r}" for key, value in items]
    except TypeError:
        parts = [repr(value) for value in args[1 if skip_first else 0 :]]
        parts += [f"{key}={value!r}" for key, value in kwargs.items()]
    text = ", ".join(parts)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{name}({text})"


@contextmanager
def patched(effects: Sequence[Effect]) -> Iterator[None]:
    """Replace each effect on its owner for the block, and restore it after."""
    restore: list[tuple[Any, str, Any, bool]] = []
    try:
        for spec in effects:
            namespace = getattr(spec.owner, "__dict__", {})
            had_own = spec.attribute in namespace
            raw = namespace[spec.attribute] if had_own else None
            original = getattr(spec.owner, spec.attribute)
            if isinstance(spec.owner, type) and isinstance(raw, staticmethod | classmethod):
                msg = f"effect({spec.name}): static and class methods: declare the bound method"
                raise InvalidArgument(msg)
            if isinstance(spec.owner, type):
                original = raw if had_own else original
            setattr(spec.owner, spec.attribute, _wrapper(spec, original))
            restore.append((spec.owner, spec.attribute, raw, had_own))
        yield
    finally:
        for owner, attribute, raw, had_own in reversed(restore):
            if had_own:
                setattr(owner, attribute, raw)
            else:
                delattr(owner, attribute)
