"""Declared effects (layer 7): the callables a check replaces with effect points, named the way
users write them, and put back afterwards.

Forms that work (:data:`FORMS`): a bound method (``gateway.charge``); a function, static method
or class method named through its module or class (``payments.charge``, ``Gateway.charge``);
an import path (``"shop.payments.charge"``); or :func:`effect` with ``owner=`` for a name the
job looks up somewhere else. A function is replaced where it is defined and also under any
name the job's own module bound it to (``from shop.payments import charge``), since that is
where the job looks it up. Everything replaced is restored when the check ends, however it ends.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jobsim.errors import InvalidArgument
from jobsim.fuzz._points import current_host

__all__ = ["FORMS", "Effect", "as_effects", "effect", "patched"]

#: What the refusals list as the forms that work.
FORMS = (
    "pass a bound method (gateway.charge), a function, static method or class method named "
    "through its module or class (payments.charge, Gateway.charge), an import path string "
    "('shop.payments.charge'), or jobsim.fuzz.effect(target, owner=...) naming the object or "
    "module the job looks it up on"
)


@dataclass(frozen=True, slots=True)
class Effect:
    """A callable declared as a side effect: where it lives, and whether it must run at most
    as often as in one clean run (``once``; pass False for an effect that is idempotent on
    its own, such as a gateway call with an idempotency key, and let the snapshot decide)."""

    owner: Any
    attribute: str
    name: str
    once: bool = True


def _describe(given: object) -> str:
    """How a refusal names what was given: a path as written, a callable by its name."""
    if isinstance(given, str):
        return repr(given)
    qualname = getattr(given, "__qualname__", None)
    if callable(given) and isinstance(qualname, str):
        return qualname
    text = repr(given)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse(given: object, why: str) -> InvalidArgument:
    return InvalidArgument(f"effects: {_describe(given)}: {why}; {FORMS}")


def _import_path(text: str) -> tuple[Any, str]:
    """(owner, attribute) of ``"package.module.Class.attribute"``: the longest importable
    module prefix, then attributes."""
    parts = text.split(".")
    if len(parts) < 2 or not all(part.isidentifier() for part in parts):
        raise _refuse(text, "not a dotted import path to a callable")
    for size in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:size])
        try:
            owner: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue  # not a module at this length: try a shorter prefix
            raise _refuse(text, f"importing {module_name!r} failed ({error})") from None
        for position, part in enumerate(parts[size:-1], start=size):
            if not hasattr(owner, part):
                where = ".".join(parts[:position])
                raise _refuse(text, f"{where!r} has no attribute {part!r}")
            owner = getattr(owner, part)
        return owner, parts[-1]
    raise _refuse(text, f"no module {parts[0]!r} can be imported")


def _owner_of(target: Callable[..., Any], attribute: str) -> Any:
    """Where ``target`` is looked up: the bound object, else its class or module by name."""
    if inspect.ismethod(target):
        return target.__self__  # an instance, or the class of a class method
    module = sys.modules.get(getattr(target, "__module__", None) or "")
    qualname = str(getattr(target, "__qualname__", attribute))
    if module is None or "<locals>" in qualname:
        raise _refuse(target, f"cannot find where {qualname} is looked up (a local function?)")
    owner: Any = module
    for part in qualname.split(".")[:-1]:
        owner = getattr(owner, part, None)
        if owner is None:
            raise _refuse(target, f"cannot find where {qualname} is looked up")
    return owner


def effect(
    target: Callable[..., Any] | str,
    *,
    once: bool = True,
    name: str | None = None,
    owner: Any = None,
) -> Effect:
    """Declare ``target`` as an effect point (see the module docs for the forms it takes).

    The callable is replaced on its owner (the bound object, the class, or the module) for the
    duration of a check; pass ``owner=`` when code calls it through another name.
    """
    if isinstance(target, str):
        found, attribute = _import_path(target)
        owner = found if owner is None else owner
    else:
        named: object = getattr(target, "__name__", None)
        if not isinstance(named, str) or not callable(target):
            raise _refuse(target, f"an object of type {type(target).__name__}, not a function")
        attribute = named
        if owner is None:
            owner = _owner_of(target, attribute)
    if not callable(getattr(owner, attribute, None)):
        raise _refuse(target, f"{owner!r} has no callable attribute {attribute!r}")
    return Effect(owner, attribute, name or attribute, once)


def _aliases(spec: Effect, job: type[Any] | None) -> list[Effect]:
    """The same function under other names in the job's module (``from payments import
    charge``), where the job looks it up."""
    home = sys.modules.get(getattr(job, "__module__", "") or "")
    if home is None or home is spec.owner or not isinstance(spec.owner, types.ModuleType):
        return []
    function = getattr(spec.owner, spec.attribute)
    return [
        Effect(home, alias, spec.name, spec.once)
        for alias, value in sorted(vars(home).items())
        if value is function
    ]


def as_effects(
    items: Sequence[Effect | Callable[..., Any] | str], *, job: type[Any] | None = None
) -> list[Effect]:
    """Normalise ``effects=[...]``: plain callables and import paths become ``effect(item)``;
    functions also get the names ``job``'s module bound them to."""
    given: object = items
    if isinstance(given, str) or not isinstance(given, Sequence):
        raise _refuse(given, "effects= takes a list of effects")
    specs = [item if isinstance(item, Effect) else effect(item) for item in items]
    unique: dict[tuple[int, str], Effect] = {}
    for spec in specs:
        for each in (spec, *_aliases(spec, job)):
            # The same attribute named twice is one point, not a wrapper around a wrapper.
            unique.setdefault((id(each.owner), each.attribute), each)
    return list(unique.values())


def _wrapper(spec: Effect, original: Callable[..., Any], skip_first: bool) -> Callable[..., Any]:
    try:
        signature: inspect.Signature | None = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        host = current_host()
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


def _replacement(spec: Effect) -> Any:
    """What to put on the owner in place of the effect's callable."""
    if not isinstance(spec.owner, type):
        # A module or an instance: the attribute as looked up, already bound if a method.
        return _wrapper(spec, getattr(spec.owner, spec.attribute), skip_first=False)
    raw = inspect.getattr_static(spec.owner, spec.attribute)
    if isinstance(raw, staticmethod):
        return staticmethod(_wrapper(spec, raw.__func__, skip_first=False))
    if isinstance(raw, classmethod):
        return classmethod(_wrapper(spec, raw.__func__, skip_first=True))
    if inspect.isfunction(raw):
        return _wrapper(spec, raw, skip_first=True)  # a method: its first argument is self
    msg = f"{spec.owner.__name__}.{spec.attribute} is a {type(raw).__name__}, not a method"
    raise InvalidArgument(f"effects: {msg}; {FORMS}")


@contextmanager
def patched(effects: Sequence[Effect]) -> Iterator[None]:
    """Replace each effect on its owner for the block, and restore it after (also when the
    block raises, and when a later effect cannot be replaced)."""
    restore: list[tuple[Any, str, Any, bool]] = []
    try:
        for spec in effects:
            namespace = getattr(spec.owner, "__dict__", {})
            had_own = spec.attribute in namespace
            raw = namespace[spec.attribute] if had_own else None
            replacement = _replacement(spec)
            try:
                setattr(spec.owner, spec.attribute, replacement)
            except (AttributeError, TypeError) as error:
                where = _describe(spec.owner)
                msg = f"effects: {spec.name}: cannot replace it on {where} ({error}); {FORMS}"
                raise InvalidArgument(msg) from None
            restore.append((spec.owner, spec.attribute, raw, had_own))
        yield
    finally:
        for owner, attribute, raw, had_own in reversed(restore):
            if had_own:
                setattr(owner, attribute, raw)
            else:
                delattr(owner, attribute)
