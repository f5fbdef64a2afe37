"""Callback targets: a class (``on_complete``/``on_success``/``on_death``) or ``"Class#method"``.

Ruby names a class by its constant; Python needs a place to find it, so a string target is
``"package.module.Class#method"`` (or ``package.module:Class#method``), or a bare
``"Class#method"`` naming a job class this simulator knows. Targets are checked when
``on()`` is called, so a typo fails where it is written rather than when the batch finishes.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

from jobsim.errors import InvalidArgument
from jobsim.payload import find_non_native, fix_hint, json_round_trip

__all__ = ["Callback", "make_callback"]


class Callback(NamedTuple):
    """One registered callback: the target as written, its class and method, its options."""

    target: str
    klass: type[Any]
    method: str
    options: dict[str, Any]


def make_callback(event: str, target: object, options: object, sim: Any) -> Callback:
    """Check ``on(event, target, options)`` and keep it in the form the callback job runs."""
    where = f"Batch.on({event!r}, {target!r}, ...)"
    if isinstance(target, type):
        klass, method = target, f"on_{event}"
    elif isinstance(target, str) and target.count("#") == 1:
        name, method = target.split("#")
        klass = _find_class(name, sim, where)
    else:
        msg = (
            f"{where}: the target must be a class (its on_{event} method is called) or a "
            f"string 'package.module.Class#method'"
        )
        raise InvalidArgument(msg)
    if not callable(getattr(klass, method, None)):
        msg = f"{where}: {klass.__qualname__} has no method {method}(self, status, options)"
        raise InvalidArgument(msg)
    return Callback(f"{_written(klass)}#{method}", klass, method, _options(options, where))


def _written(klass: type[Any]) -> str:
    return f"{klass.__module__}.{klass.__qualname__}"


def _find_class(name: str, sim: Any, where: str) -> type[Any]:
    module_name, sep, attribute = name.replace(":", ".").rpartition(".")
    if not sep:
        known = sim.job_class(name)
        if known is not None:
            return known  # type: ignore[no-any-return]
        msg = (
            f"{where}: no class {name!r} here; write 'package.module.{name}#method' or pass "
            f"the class itself"
        )
        raise InvalidArgument(msg)
    try:
        found = getattr(importlib.import_module(module_name), attribute, None)
    except ImportError as error:
        msg = f"{where}: cannot import {module_name} ({error})"
        raise InvalidArgument(msg) from None
    if not isinstance(found, type):
        msg = f"{where}: {module_name} has no class {attribute}"
        raise InvalidArgument(msg)
    return found


def _options(options: object, where: str) -> dict[str, Any]:
    # Pro warns about a non-Hash since 8.0.3 and plans an ArgumentError for 9.0; a simulator
    # says so at once. The callback receives the options as JSON gives them back.
    if options is None:
        return {}
    if not isinstance(options, dict):
        msg = (
            f"{where}: options must be a dict (Sidekiq Pro warns about anything else since "
            f"8.0.3 and will refuse it in 9.0), not {type(options).__name__}"
        )
        raise InvalidArgument(msg)
    bad = find_non_native(options, "options")
    if bad is not None:
        path, value = bad
        msg = (
            f"{where}: {path} = {value!r} does not survive the JSON round trip Sidekiq gives "
            f"callback options; {fix_hint(value, path)}"
        )
        raise InvalidArgument(msg)
    (round_tripped,) = json_round_trip([options])
    return dict(round_tripped)
