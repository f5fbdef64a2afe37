"""ActiveJob's job data (layer 2): ``ActiveJob::Arguments`` and the timestamps of ``serialize``.

Arguments serialize as ``activejob/lib/active_job/arguments.rb`` writes them (v6.1.7 … v8.0):
JSON scalars pass unchanged; a list stays a list; a dict gains ``"_aj_symbol_keys"`` (its
:class:`Symbol` keys) or, for keyword arguments, ``"_aj_ruby2_keywords"``; anything with
``to_global_id()`` becomes ``{"_aj_globalid": "gid://…"}``; symbols, times, dates, durations
and (7.1+) decimals go through the object serializers of ``_serializers``. Before 7.1 a
``Decimal`` is a permitted type: the JSON carries its text, which comes back as a str (Rails'
own behaviour with the Sidekiq adapter).

Deserializing is strict for a job about to perform (a GlobalID the locator cannot find raises
:class:`DeserializationError`, which ``discard_on`` can take) and lenient for the test
helpers, which show an unlocatable GlobalID as the :class:`GlobalID` itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from jobsim.active_job._serializers import (
    BUILT_IN,
    SERIALIZER_KEY,
    GlobalID,
    Keywords,
    Locate,
    ObjectSerializer,
    Symbol,
    decimal_text,
    find_serializer,
)
from jobsim.errors import InvalidPayload, JobsimError

__all__ = [
    "DeserializationError",
    "SerializationError",
    "deserialize_arguments",
    "iso8601",
    "parse_iso8601",
    "serialize_arguments",
]

_GLOBALID = "_aj_globalid"
_SYMBOL_KEYS = "_aj_symbol_keys"
_KEYWORDS = "_aj_ruby2_keywords"
_INDIFFERENT = "_aj_hash_with_indifferent_access"
_RESERVED = (_GLOBALID, _SYMBOL_KEYS, _KEYWORDS, _INDIFFERENT, SERIALIZER_KEY)


class SerializationError(InvalidPayload):
    """``ActiveJob::SerializationError``: an argument ActiveJob cannot write into job data."""


class DeserializationError(JobsimError):
    """``ActiveJob::DeserializationError``: job data whose arguments cannot be read back,
    such as a GlobalID whose record no longer exists. Raised inside ``perform_now``, so
    ``discard_on(DeserializationError)`` and ``retry_on`` take it as in Rails; the original
    error is its ``__cause__``."""

    sidekiq_error_class = "ActiveJob::DeserializationError"

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"Error while trying to deserialize arguments: {cause}")


def serialize_arguments(
    arguments: Sequence[Any],
    where: str,
    *,
    modern: bool = True,
    serializers: Sequence[ObjectSerializer] = (),
) -> list[Any]:
    """``ActiveJob::Arguments.serialize``: the arguments as job data.

    ``modern``: the version has 7.1's serializers (BigDecimal, TimeWithZone's zone name);
    ``serializers``: custom ones, asked after the built-in ones.
    """
    writer = _Writer(modern, tuple(serializers))
    return [writer.value(value, f"{where}[{index}]") for index, value in enumerate(arguments)]


class _Writer:
    def __init__(self, modern: bool, extra: tuple[ObjectSerializer, ...]) -> None:
        self._modern = modern
        self._serializers = (*BUILT_IN[modern], *extra)

    def value(self, value: Any, path: str) -> Any:
        if value is None or isinstance(value, bool | int) or _plain_str(value):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                msg = f"{path} is {value!r}; ActiveJob cannot serialize it: pass a finite number"
                raise SerializationError(msg)
            return value
        if isinstance(value, Decimal) and not self._modern:
            return decimal_text(value)  # a permitted type; JSON writes its text
        to_global_id = getattr(value, "to_global_id", None)
        if callable(to_global_id) and not isinstance(value, type):
            return {_GLOBALID: _global_id_text(value, to_global_id, path)}
        if isinstance(value, list | tuple):
            return [self.value(item, f"{path}[{index}]") for index, item in enumerate(value)]
        if isinstance(value, dict):
            return self._hash(value, path)
        for serializer in self._serializers:
            if serializer.serialize_p(value):
                return serializer.serialize(value)
        raise SerializationError(_unsupported(value, path))

    def _hash(self, value: dict[Any, Any], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        symbols: list[str] = []
        keywords = isinstance(value, Keywords)
        for key, item in value.items():
            if key in _RESERVED:
                msg = (
                    f"{path}: Can't serialize a Hash with reserved key {key!r} "
                    f"(ActiveJob::SerializationError); rename it"
                )
                raise SerializationError(msg)
            if not isinstance(key, str):
                msg = (
                    f"{path}: Only string and symbol hash keys may be serialized as job "
                    f"arguments, but {key!r} is a {type(key).__name__} "
                    f"(ActiveJob::SerializationError): pass str({key!r}) or Symbol({key!r})"
                )
                raise SerializationError(msg)
            if keywords or isinstance(key, Symbol):
                symbols.append(str(key))
            out[str(key)] = self.value(item, f"{path}[{key!r}]")
        out[_KEYWORDS if keywords else _SYMBOL_KEYS] = symbols
        return out


def _plain_str(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, Symbol)


def _global_id_text(value: Any, to_global_id: Any, path: str) -> str:
    gid = to_global_id()
    text = str(gid)
    try:
        GlobalID.parse(text)
    except ValueError:
        msg = (
            f"{path}: Unable to serialize {type(value).__name__} without an id "
            f"(to_global_id() gave {text!r}). (Maybe you forgot to call save?)"
        )
        raise SerializationError(msg) from None
    return text


def _unsupported(value: Any, path: str) -> str:
    kind = type(value)
    hint = (
        "give the datetime a zone (ActiveJob writes Time with its offset)"
        if isinstance(value, datetime)
        else "pass JSON-native values, a record with to_global_id(), or register an "
        "ObjectSerializer in jobsim.active_job.settings(sim).serializers"
    )
    return (
        f"{path} is {value!r} (a {kind.__module__}.{kind.__qualname__}); "
        f"Unsupported argument type: {kind.__name__} (ActiveJob::SerializationError): {hint}"
    )


def deserialize_arguments(
    data: Sequence[Any],
    *,
    locate: Locate | None = None,
    serializers: Sequence[ObjectSerializer] = (),
    strict: bool = False,
) -> list[Any]:
    """``ActiveJob::Arguments.deserialize``: job data back to arguments.

    ``locate(gid_text)`` finds a GlobalID's record. ``strict`` (a job about to perform): any
    failure raises :class:`DeserializationError`. Otherwise (the test helpers) a GlobalID
    that cannot be located, or a serializer not known, is left as it is.
    """
    reader = _Reader(locate, tuple(serializers), strict)
    try:
        return [reader.value(value) for value in data]
    except DeserializationError:
        raise
    except Exception as error:
        raise DeserializationError(error) from error


class _Reader:
    def __init__(
        self, locate: Locate | None, extra: tuple[ObjectSerializer, ...], strict: bool
    ) -> None:
        self._locate = locate
        self._extra = extra
        self._strict = strict

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, dict):
            if self._strict and not (value is None or isinstance(value, str | int | float)):
                raise ValueError(f"Can only deserialize primitive arguments: {value!r}")
            return value
        if len(value) == 1 and _GLOBALID in value:
            return self._global_id(str(value[_GLOBALID]))
        if SERIALIZER_KEY in value:
            name = str(value[SERIALIZER_KEY])
            serializer = find_serializer(name, self._extra)
            if serializer is None:
                if not self._strict:
                    return dict(value)
                raise ValueError(f"Serializer {name} is not known")
            return serializer.deserialize(value)
        return self._hash(value)

    def _hash(self, value: dict[str, Any]) -> dict[Any, Any]:
        items = {key: self.value(item) for key, item in value.items()}
        if items.pop(_INDIFFERENT, None):
            return items
        for marker, kind in ((_SYMBOL_KEYS, dict), (_KEYWORDS, Keywords)):
            if marker in items:
                names = set(items.pop(marker) or ())
                return kind((Symbol(k) if k in names else k, v) for k, v in items.items())
        return items

    def _global_id(self, text: str) -> Any:
        if self._locate is None:
            if self._strict:
                msg = (
                    f"no locator for {text}: set jobsim.active_job.settings(sim).finders"
                    f"[model_name] to a function (id) -> record"
                )
                raise LookupError(msg)
            return GlobalID.parse(text)
        if self._strict:
            return self._locate(text)
        try:
            return self._locate(text)
        except Exception:  # the helpers show what the job data holds
            return GlobalID.parse(text)


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
