"""Job arguments and their JSON round trip (layer 1).

Sidekiq stores a job as JSON, so ``perform`` receives what ``JSON.parse(JSON.generate(args))``
gives back. This module finds the first value that would not survive that trip (with the *path*
to it, so the message can say ``args[1]["when"]``), reproduces the round trip, and encodes
payloads the way Sidekiq writes them (compact JSON, non-ASCII kept).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

__all__ = [
    "JSON_MAX_NESTING",
    "dumps",
    "find_non_native",
    "find_unencodable",
    "fix_hint",
    "json_round_trip",
    "loads",
    "parsed_copy",
    "ruby_to_json",
]

_SCALARS = (str, int, bool, type(None))

#: Ruby's ``JSON.generate`` (Sidekiq's ``dump_json``) refuses a document nested deeper than
#: this many arrays and hashes (``JSON::NestingError``). The job hash is level 1 and its
#: ``args`` level 2, so an argument can hold 98 levels of containers.
JSON_MAX_NESTING = 100
_ARGS_LEVEL = 2
_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any) -> str:
    """Compact JSON as Sidekiq's ``JSON.generate`` writes it (no spaces, UTF-8 kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes) -> Any:
    """Parse JSON; never anything richer (no pickle, no eval)."""
    return json.loads(text)


def _path(parent: str, key: object) -> str:
    return f"{parent}[{key!r}]"


def find_non_native(value: Any, path: str = "args") -> tuple[str, Any] | None:
    """The path and value of the first thing in ``value`` that is not JSON-native, or None.

    JSON-native means exactly what Sidekiq 7's ``json_unsafe?`` accepts: ``str``, ``int``,
    finite ``float``, ``bool``, ``None``, ``list`` and ``dict`` with ``str`` keys, nested. Exact
    types only: an ``IntEnum`` or a ``dict`` subclass is refused, as Sidekiq refuses a Hash
    subclass. A tuple is refused too, because it comes back as a list.
    """
    kind = type(value)
    if kind in _SCALARS:
        return None
    if kind is float:
        return None if math.isfinite(value) else (path, value)
    if kind is list:
        for index, item in enumerate(value):
            found = find_non_native(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return (f"{path} key {key!r}", key)
            found = find_non_native(item, _path(path, key))
            if found is not None:
                return found
        return None
    return (path, value)


def find_unencodable(value: Any, path: str = "args") -> str | None:
    """Why ``value`` (a job's argument list) cannot be written as JSON at all, or None.

    What Ruby's ``JSON.generate`` refuses whatever the strict-args mode: text holding a lone
    surrogate (not UTF-8), nesting deeper than :data:`JSON_MAX_NESTING`, and a container that
    holds itself (Ruby reports it as too deep; the message here names the cycle). The walk
    stops at the limit, so a 100,000-deep list costs 100 steps, not a ``RecursionError``.
    """
    return _unencodable(value, path, _ARGS_LEVEL, [])


def _unencodable(value: Any, path: str, level: int, holders: list[int]) -> str | None:
    kind = type(value)
    if kind is str:
        return None if value.isascii() else _surrogate_problem(value, path)
    if kind is not list and kind is not dict and kind is not tuple:
        return None
    if id(value) in holders:
        return f"{path} contains itself (a {kind.__name__} that refers back to an enclosing one)"
    if level > JSON_MAX_NESTING:
        top = path[: path.find("]") + 1]  # the argument, not a path 100 indexes long
        return (
            f"{top} nests a container {level} levels deep in the job hash, past the "
            f"{JSON_MAX_NESTING} levels Ruby's JSON.generate allows (JSON::NestingError)"
        )
    holders.append(id(value))
    try:
        if kind is dict:
            for key, item in value.items():
                if type(key) is str and not key.isascii():
                    found = _surrogate_problem(key, f"{path} key {key!r}")
                    if found is not None:
                        return found
                found = _unencodable(item, _path(path, key), level + 1, holders)
                if found is not None:
                    return found
            return None
        for index, item in enumerate(value):
            found = _unencodable(item, f"{path}[{index}]", level + 1, holders)
            if found is not None:
                return found
        return None
    finally:
        holders.pop()


def _surrogate_problem(text: str, path: str) -> str | None:
    match = _SURROGATE.search(text)
    if match is None:
        return None
    return (
        f"{path} holds the lone surrogate {match.group()!r} at index {match.start()}, which is "
        f"not UTF-8 (Ruby's JSON.generate: source sequence is illegal/malformed utf-8)"
    )


def fix_hint(value: Any, path: str) -> str:
    """What to pass instead of a non-native ``value`` found at ``path``."""
    # A value under a string key is named by the key (``when``), anything else by its path.
    name = path.rsplit("[", 1)[-1].strip("]'\"") if path.endswith("']") else path
    if " key " in path:
        return "use str keys in argument dicts (JSON object keys are always strings)"
    if isinstance(value, float):
        return "JSON has no NaN or Infinity: pass None or a string such as 'inf'"
    if isinstance(value, datetime | date | time):
        return f"pass {name}.isoformat() and parse it in perform()"
    if isinstance(value, timedelta):
        return f"pass {name}.total_seconds()"
    if isinstance(value, Enum):
        return f"pass {name}.value"
    if isinstance(value, tuple):
        return f"pass list({name}); a tuple comes back as a list"
    if isinstance(value, set | frozenset):
        return f"pass sorted({name})"
    if isinstance(value, Decimal | UUID):
        return f"pass str({name})"
    if isinstance(value, bytes | bytearray):
        return f"pass {name}.decode() or a base64 string"
    if isinstance(value, dict | list | str | int):
        return f"pass a plain {type(value).__mro__[-2].__name__} (subclasses are refused)"
    return f"pass an id the job can load (such as {name}.id), not the object itself"


def ruby_to_json(value: Any) -> Any:
    """What Ruby's ``JSON.generate`` then ``JSON.parse`` makes of a value Sidekiq 6.x lets by.

    Sidekiq 6.x only *warns* about non-native arguments and stores them anyway: containers are
    kept, keys become strings, and any other object is written as its ``to_s``. Python's
    ``str()`` plays the part of ``to_s``. NaN and infinities stay unencodable, as in Ruby.
    """
    kind = type(value)
    if kind in _SCALARS or kind is float:
        return value
    if isinstance(value, dict):
        return {str(key): ruby_to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [ruby_to_json(item) for item in value]
    if isinstance(value, bool | int | float | str):
        return value if kind in (bool, int, float, str) else _plain_scalar(value)
    return str(value)


def _plain_scalar(value: Any) -> Any:
    for plain in (bool, int, float, str):
        if isinstance(value, plain):
            return plain(value)
    return str(value)  # pragma: no cover - every caller passes one of the four


def json_round_trip(args: Sequence[Any]) -> list[Any]:
    """A fresh copy of native ``args`` as JSON would give it back.

    Scalar-only argument lists (the common case) are copied without encoding; anything with
    containers goes through a real encode and parse, so the job never shares a mutable object
    with the caller.
    """
    for item in args:
        if type(item) not in _SCALARS and type(item) is not float:
            return list(loads(dumps(list(args))))
    return list(args)


def parsed_copy(job: Mapping[str, Any]) -> dict[str, Any]:
    """What ``JSON.parse`` of the stored ``job`` gives: equal to ``loads(dumps(job))``.

    Sidekiq hands server middleware the parsed job and re-parses the stored string for the
    retry, so nothing a middleware changes in its copy, however deep, reaches the retry. A
    copy in which every container is new keeps that promise; scalar values are immutable and
    are shared, so the common job (scalars and one short ``args`` list) is copied without
    encoding. Anything else (a container, a non-finite float, a subclass, a key that is not a
    ``str``) goes through a real encode and parse, with the errors that brings.
    """
    parsed = dict(job)
    for key, value in parsed.items():
        kind = type(value)
        if type(key) is not str:
            copied: dict[str, Any] = loads(dumps(job))
            return copied
        if kind in _SCALARS or (kind is float and math.isfinite(value)):
            continue
        parsed[key] = _flat_copy(value) if kind is list else loads(dumps(value))
    return parsed


def _flat_copy(items: list[Any]) -> Any:
    # A list of strings, whole numbers, finite floats, booleans and None is its own JSON
    # round trip; anything else in it takes the real one.
    for item in items:
        kind = type(item)
        if kind not in _SCALARS and (kind is not float or not math.isfinite(item)):
            return loads(dumps(items))
    return items.copy()
