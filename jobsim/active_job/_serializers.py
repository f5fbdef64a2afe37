"""ActiveJob's object serializers (layer 2): the values JSON cannot carry, as Rails writes them.

Each is an ``{"_aj_serialized": "<serializer class>", ...}`` hash in the job data. The Python
value each Ruby class stands for:

* :class:`Symbol`: Ruby's Symbol, ``SymbolSerializer`` (value);
* ``timedelta``: ``ActiveSupport::Duration``, ``DurationSerializer`` (value, parts as
  ``Duration.build`` splits the seconds);
* ``datetime`` with a ``ZoneInfo``: ``TimeWithZone``, ``TimeWithZoneSerializer`` (value; from
  7.1 also time_zone);
* any other aware ``datetime``: ``Time``, ``TimeSerializer`` (value); a naive one is refused;
* ``date``: ``Date``, ``DateSerializer`` (value);
* ``Decimal``, 7.1+: ``BigDecimal``, ``BigDecimalSerializer`` (value).

Sources: ``activejob/lib/active_job/serializers/*.rb`` at v6.1.7, v7.1.3 and v8.0.2. A
custom serializer is an :class:`ObjectSerializer` subclass listed in the simulator's
settings; built-in serializers are asked first, as in Rails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

__all__ = [
    "BUILT_IN",
    "GlobalID",
    "Keywords",
    "ObjectSerializer",
    "Symbol",
    "decimal_text",
    "duration_parts",
    "find_serializer",
    "ruby_iso8601",
]

SERIALIZER_KEY = "_aj_serialized"
_PREFIX = "ActiveJob::Serializers::"


class Symbol(str):
    """A Ruby Symbol (``:welcome``): a str that ActiveJob serializes as a symbol, and a dict
    key listed in ``_aj_symbol_keys``. Equal to (and hashed as) the plain string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Symbol({str(self)!r})"


class Keywords(dict[str, Any]):
    """Keyword arguments of ``perform_later(…, key=value)``: Ruby's ruby2_keywords hash
    (``_aj_ruby2_keywords``), passed back to ``perform`` as keyword arguments."""

    __slots__ = ()


class GlobalID:
    """``gid://app/Model/id``: what ``to_global_id()`` returns and the locator looks up."""

    __slots__ = ("app", "model_id", "model_name")

    def __init__(self, app: str, model_name: str, model_id: object) -> None:
        self.app = app
        self.model_name = model_name
        self.model_id = str(model_id)

    @classmethod
    def parse(cls, text: str) -> GlobalID:
        """The GlobalID written as ``text``; ValueError when it is not ``gid://app/Model/id``."""
        rest = text[len("gid://") :] if text.startswith("gid://") else None
        parts = rest.split("/", 2) if rest is not None else []
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{text!r} is not a GlobalID (gid://app/Model/id)")
        return cls(parts[0], parts[1], parts[2])

    def __str__(self) -> str:
        return f"gid://{self.app}/{self.model_name}/{self.model_id}"

    def __repr__(self) -> str:
        return f"GlobalID({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobalID) and str(other) == str(self)

    def __hash__(self) -> int:
        return hash(str(self))


class ObjectSerializer:
    """Base of an ActiveJob serializer (``ActiveJob::Serializers::ObjectSerializer``).

    Subclass it with ``name`` (the ``_aj_serialized`` value, e.g. ``"MoneySerializer"``) and
    ``klass`` (the Python type it takes), and define :meth:`serialize_fields` and
    :meth:`deserialize`. Register it with ``settings(sim).serializers.append(MySerializer())``.
    """

    name: ClassVar[str] = ""
    klass: ClassVar[type[Any]] = object

    def serialize_p(self, value: Any) -> bool:
        """``serialize?``: whether this serializer takes ``value``."""
        return isinstance(value, self.klass)

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        """The JSON fields besides ``_aj_serialized``; override."""
        raise NotImplementedError(f"{type(self).__qualname__} must define serialize_fields")

    def serialize(self, value: Any) -> dict[str, Any]:
        """``{"_aj_serialized": name, **fields}``."""
        return {
            SERIALIZER_KEY: self.name or type(self).__qualname__,
            **self.serialize_fields(value),
        }

    def deserialize(self, data: dict[str, Any]) -> Any:
        """The value back from its hash; override."""
        raise NotImplementedError(f"{type(self).__qualname__} must define deserialize")


def ruby_iso8601(moment: datetime) -> str:
    """``Time#iso8601(9)``: nine fractional digits, ``Z`` for UTC, else ``+HH:MM``."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond * 1000:09d}"
    offset = moment.utcoffset() or timedelta(0)
    if _is_utc(moment):
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return text + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _is_utc(moment: datetime) -> bool:
    zone = moment.tzinfo
    if zone is UTC:
        return True
    return isinstance(zone, ZoneInfo) and zone.key in ("UTC", "Etc/UTC", "Etc/Zulu", "Zulu")


def _zone_name(zone: ZoneInfo) -> str:
    """``tzinfo.name`` as Rails writes it: Rails' "UTC" zone is ``Etc/UTC``."""
    return "Etc/UTC" if zone.key in ("UTC", "Zulu", "Etc/Zulu") else zone.key


#: ``ActiveSupport::Duration::PARTS_IN_SECONDS`` (6.1–8.0), largest first, as ``build`` uses.
_PARTS = (
    ("years", 31_556_952),
    ("months", 2_629_746),
    ("weeks", 604_800),
    ("days", 86_400),
    ("hours", 3_600),
    ("minutes", 60),
)


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def duration_parts(seconds: float) -> list[tuple[str, int | float]]:
    """``ActiveSupport::Duration.build(seconds).parts``: largest parts first, zeros dropped."""
    if seconds == 0:
        return [("seconds", 0)]
    sign = 1 if seconds > 0 else -1
    remainder = abs(round(seconds, 9))
    parts: list[tuple[str, int | float]] = []
    for name, size in _PARTS:
        count, remainder = divmod(remainder, size)
        if count:
            parts.append((name, _whole(count) * sign))
    if remainder:
        parts.append(("seconds", _whole(remainder) * sign))
    return parts


def decimal_text(value: Decimal) -> str:
    """``BigDecimal#to_s`` with ActiveSupport loaded: plain digits, at least one decimal."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


class _Symbol(ObjectSerializer):
    name = _PREFIX + "SymbolSerializer"
    klass = Symbol

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        return {"value": str(value)}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return Symbol(data["value"])


class _Duration(ObjectSerializer):
    name = _PREFIX + "DurationSerializer"
    klass = timedelta

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        seconds = _whole(value.total_seconds())
        parts = [
            [_Symbol().serialize(Symbol(part)), count] for part, count in duration_parts(seconds)
        ]
        return {"value": seconds, "parts": parts}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return timedelta(seconds=data["value"])


class _TimeWithZone(ObjectSerializer):
    name = _PREFIX + "TimeWithZoneSerializer"
    klass = datetime
    #: Whether ``time_zone`` is written (7.1+).
    with_zone_name: bool = True

    def serialize_p(self, value: Any) -> bool:
        return isinstance(value, datetime) and isinstance(value.tzinfo, ZoneInfo)

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {"value": ruby_iso8601(value)}
        if self.with_zone_name:
            fields["time_zone"] = _zone_name(value.tzinfo)
        return fields

    def deserialize(self, data: dict[str, Any]) -> Any:
        moment = _parse_time(str(data["value"]))
        zone = data.get("time_zone")
        return moment.astimezone(ZoneInfo(str(zone)) if zone else UTC)


class _TimeWithZoneBefore71(_TimeWithZone):
    with_zone_name = False


def _offset(text: str) -> str:
    """The offset part of an ISO-8601 time, for a parse that drops nanoseconds."""
    if text.endswith("Z"):
        return "+00:00"
    return text[-6:] if text[-6] in "+-" else "+00:00"


def _parse_time(text: str) -> datetime:
    # Python parses at most microseconds: cut the nanoseconds, keep the offset.
    head, dot, rest = text.partition(".")
    if not dot:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    digits = "".join(ch for ch in rest if ch.isdigit())
    return datetime.fromisoformat(f"{head}.{(digits + '000000')[:6]}{_offset(text)}")


class _Time(ObjectSerializer):
    name = _PREFIX + "TimeSerializer"
    klass = datetime

    def serialize_p(self, value: Any) -> bool:
        return isinstance(value, datetime) and value.utcoffset() is not None

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        return {"value": ruby_iso8601(value)}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return _parse_time(str(data["value"]))


class _Date(ObjectSerializer):
    name = _PREFIX + "DateSerializer"
    klass = date

    def serialize_p(self, value: Any) -> bool:
        return isinstance(value, date) and not isinstance(value, datetime)

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        return {"value": value.isoformat()}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return date.fromisoformat(str(data["value"]))


class _BigDecimal(ObjectSerializer):
    name = _PREFIX + "BigDecimalSerializer"
    klass = Decimal

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        return {"value": decimal_text(value)}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return Decimal(str(data["value"]))


#: The built-in serializers in Rails' order, per "does the version have BigDecimalSerializer
#: and TimeWithZone's time_zone" (both 7.1+).
BUILT_IN: dict[bool, tuple[ObjectSerializer, ...]] = {
    False: (_Symbol(), _Duration(), _TimeWithZoneBefore71(), _Time(), _Date()),
    True: (_Symbol(), _Duration(), _TimeWithZone(), _Time(), _Date(), _BigDecimal()),
}


def find_serializer(name: str, extra: Sequence[ObjectSerializer]) -> ObjectSerializer | None:
    """The serializer whose ``_aj_serialized`` name is ``name`` (built-in, then ``extra``)."""
    for serializer in (*BUILT_IN[True], *extra):
        if serializer.name == name or (
            not serializer.name and type(serializer).__qualname__ == name
        ):
            return serializer
    return None


#: Locates a GlobalID: returns the record, or raises (any error becomes DeserializationError).
Locate = Callable[[str], Any]
