"""ActiveJob's job data (layer 2): arguments, ids and timestamps as ``core.rb#serialize``.

Arguments go through ``ActiveJob::Arguments``: JSON scalars and lists pass unchanged; a dict
(a Ruby Hash with string keys) gains ``"_aj_symbol_keys": []``, which deserializing removes.
Other Python objects have no ActiveJob serializer here and are refused with the path to them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from jobsim.errors import InvalidPayload

__all__ = [
    "deserialize_arguments",
    "iso8601",
    "parse_iso8601",
    "serialize_arguments",
]

_SYMBOL_KEYS = "_aj_symbol_keys"
_RESERVED = (
    "_aj_globalid",
    "_aj_symbol_keys",
    "_aj_ruby2_keywords",
    "_aj_hash_with_indifferent_access",
    "_aj_serialized",
)


def serialize_arguments(arguments: list[Any] | tuple[Any, ...], where: str) -> list[Any]:
    """``ActiveJob::Arguments.serialize``: the arguments as job data."""
    return [_serialize(value, f"{where}[{index}]") for index, value in enumerate(arguments)]


def _serialize(value: Any, path: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidPayload(
                f"{path} is {value!r}; ActiveJob cannot serialize it: pass a finite number"
            )
        return value
    if isinstance(value, list | tuple):
        return [_serialize(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                msg = (
                    f"{path} has the key {key!r} (a {type(key).__name__}); ActiveJob only "
                    f"serializes Hash keys that are strings: pass str({key!r})"
                )
                raise InvalidPayload(msg)
            if key in _RESERVED:
                msg = f"{path} uses the reserved key {key!r} (ActiveJob::SerializationError); rename it"  # noqa: E501
                raise InvalidPayload(msg)
            out[key] = _serialize(item, f"{path}[{key!r}]")
        out[_SYMBOL_KEYS] = []
        return out
    msg = (
        f"{path} is {value!r} (a {type(value).__module__}.{type(value).__qualname__}); "
        f"Unsupported argument type: {type(value).__name__} (ActiveJob::SerializationError): "
        f"pass JSON-native values (str, int, float, bool, None, list, dict with str keys)"
    )
    raise InvalidPayload(msg)


def deserialize_arguments(data: list[Any]) -> list[Any]:
    """``ActiveJob::Arguments.deserialize``: job data back to arguments."""
    return [_deserialize(value) for value in data]


def _deserialize(value: Any) -> Any:
    if isinstance(value, list):
        return [_deserialize(item) for item in value]
    if isinstance(value, dict):
        return {key: _deserialize(item) for key, item in value.items() if key != _SYMBOL_KEYS}
    return value


def iso8601(ts: float, digits: int) -> str:
    """``Time#utc.iso8601(digits)``: ``2026-01-01T00:00:00Z`` or with fractional digits."""
    whole = math.floor(ts)
    text = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        fraction = round((ts - whole) * 1_000_000) * 1000  # a float holds microseconds at best
        text += f".{min(fraction, 999_999_000):09d}"[: digits + 1]
    return text + "Z"


def parse_iso8601(text: str) -> float:
    """Epoch seconds of a timestamp :func:`iso8601` wrote (or any ISO-8601 text)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
