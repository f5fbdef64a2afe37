"""The ``Cron`` value (layer 2): parse once, then ask for fire times around any instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobsim.cron._errors import CronSyntaxError
from jobsim.cron._fields import MAXDAYS, Element, FieldError, FugitFields, build_fields
from jobsim.cron._natural import parse_natural
from jobsim.cron._parse import diagnose, parse_fugit
from jobsim.cron._schedule import FugitSearch
from jobsim.cron._zones import resolve_zone, zone_name
from jobsim.errors import InvalidArgument

__all__ = ["SPECIALS", "Cron", "Dialect"]

Dialect = Literal["fugit", "vixie"]

#: Fugit 1.5.2's shortcuts (exact text only: ``@daily UTC`` is not one).
SPECIALS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@noon": "0 12 * * *",
    "@hourly": "0 * * * *",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _epoch_seconds(when: datetime) -> int:
    """Whole epoch seconds of an aware datetime, truncated as Ruby's ``to_i`` (floor here)."""
    return (when - _EPOCH) // timedelta(seconds=1)


def _check_aware(when: object, name: str) -> datetime:
    if not isinstance(when, datetime):
        msg = f"{name}={when!r} is a {type(when).__name__}; pass an aware datetime"
        raise InvalidArgument(msg)
    if when.tzinfo is None or when.utcoffset() is None:
        msg = (
            f"{name}={when!r} is a naive datetime; cron needs an aware one to know which "
            f"instant you mean: pass {name}.replace(tzinfo=UTC) or a datetime with a zone"
        )
        raise InvalidArgument(msg)
    return when


def _zone_argument(tz: object) -> tzinfo | None:
    if tz is None or isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = resolve_zone(tz)
            if zone is None:
                msg = f"tz={tz!r}: not a known IANA time zone; pass a name such as 'Europe/London'"
                raise InvalidArgument(msg) from None
            return zone
    msg = f"tz={tz!r}: pass an IANA zone name, a tzinfo, or None"
    raise InvalidArgument(msg)


class Cron:
    """A cron expression with Fugit's (sidekiq-cron's) or Debian cron's semantics.

    ``Cron("0 9 * * 1-5", tz="Europe/London").next_after(now)`` is the next weekday 09:00 in
    London strictly after ``now``, as an aware datetime in ``now``'s zone. Without a zone in the
    expression or ``tz``, times are evaluated in the zone of the datetime you pass (as Fugit
    evaluates in the process's local zone).

    Args:
        expression: 5 fields, or 6 with seconds first; ``@daily`` & co; a trailing zone
            (``"0 9 * * * America/New_York"``); or Fugit's natural language
            (``"every day at noon"``).
        tz: The zone to evaluate in when the expression names none.
        dialect: ``"fugit"`` (sidekiq-cron, the default) or ``"vixie"`` (Debian cron, cronsim).

    Raises:
        CronSyntaxError: At construction, for text the dialect rejects or that can never fire,
            with the position and the reason.
    """

    __slots__ = ("_fields", "_searches", "dialect", "expression", "source", "zone")

    def __init__(
        self, expression: str, tz: tzinfo | str | None = None, dialect: Dialect = "fugit"
    ) -> None:
        given: object = expression
        if not isinstance(given, str):
            msg = f"expression={given!r} is a {type(given).__name__}; pass a string"
            raise InvalidArgument(msg)
        if dialect not in ("fugit", "vixie"):
            msg = f"dialect={dialect!r}: pass 'fugit' or 'vixie'"
            raise InvalidArgument(msg)
        self.expression = expression
        self.dialect: Dialect = dialect
        zone = _zone_argument(tz)
        self._searches: dict[tzinfo, object] = {}
        if dialect == "vixie":
            from jobsim.cron._vixie import VixieCron

            self._fields: object = VixieCron(expression)
            self.zone = zone
            self.source = expression
            return
        source = SPECIALS.get(expression, expression)
        fields, inline_zone = _parse_fugit_or_natural(expression, source)
        self._fields = fields
        self.zone = inline_zone or zone
        self.source = source

    def __repr__(self) -> str:
        zone = "" if self.zone is None else f", tz={zone_name(self.zone)!r}"
        return f"Cron({self.expression!r}{zone}, dialect={self.dialect!r})"

    # -- searching ---------------------------------------------------------------------------

    def _zone_for(self, when: datetime) -> tzinfo:
        zone = self.zone if self.zone is not None else when.tzinfo
        assert zone is not None
        return zone

    def _search(self, zone: tzinfo) -> FugitSearch:
        found = self._searches.get(zone)
        if found is None:
            assert isinstance(self._fields, FugitFields)
            found = FugitSearch(self._fields, zone)
            self._searches[zone] = found
        assert isinstance(found, FugitSearch)
        return found

    def next_after(self, when: datetime) -> datetime:
        """The first fire time strictly after ``when`` (sub-seconds dropped, as Fugit)."""
        when = _check_aware(when, "when")
        out_zone = when.tzinfo
        zone = self._zone_for(when)
        if self.dialect == "vixie":
            from jobsim.cron._vixie import VixieCron

            assert isinstance(self._fields, VixieCron)
            return self._fields.next_after(when.astimezone(zone)).astimezone(out_zone)
        t = self._search(zone).next_time(_epoch_seconds(when))
        return datetime.fromtimestamp(t, out_zone)

    def previous_before(self, when: datetime) -> datetime:
        """The last fire time strictly before ``when``, as Fugit's ``previous_time``.

        Fugit starts one second back and drops sub-seconds, so at 12:00:00.5 a minutely cron's
        previous time is 11:59:00; 12:00:00 counts from 12:00:01 on.
        """
        when = _check_aware(when, "when")
        out_zone = when.tzinfo
        zone = self._zone_for(when)
        if self.dialect == "vixie":
            from jobsim.cron._vixie import VixieCron

            assert isinstance(self._fields, VixieCron)
            return self._fields.previous_before(when.astimezone(zone)).astimezone(out_zone)
        t = self._search(zone).previous_time(_epoch_seconds(when) - 1)
        return datetime.fromtimestamp(t, out_zone)

    def iter_after(self, when: datetime) -> Iterator[datetime]:
        """Fire times strictly after ``when``, for ever."""
        current = when
        while True:
            current = self.next_after(current)
            yield current

    def iter_before(self, when: datetime) -> Iterator[datetime]:
        """Fire times strictly before ``when``, going back, for ever."""
        current = when
        while True:
            current = self.previous_before(current)
            yield current

    def take(self, when: datetime, count: int) -> list[datetime]:
        """The next ``count`` fire times after ``when``."""
        out: list[datetime] = []
        iterator = self.iter_after(when)
        for _ in range(count):
            out.append(next(iterator))
        return out


def _parse_fugit_or_natural(expression: str, source: str) -> tuple[FugitFields, tzinfo | None]:
    if source == "@reboot":
        raise CronSyntaxError(expression, 0, "@reboot has no fire times (Fugit returns nil)")
    parsed, far = parse_fugit(source)
    if parsed is None:
        natural = parse_natural(source)
        if natural is not None:
            return _parse_fugit_or_natural(expression, natural)
        position, reason = diagnose(source, far)
        raise CronSyntaxError(expression, position, reason)
    zone = None
    if parsed.zone is not None:
        zone = resolve_zone(parsed.zone)
        if zone is None:
            position = source.rfind(parsed.zone)
            raise CronSyntaxError(expression, position, f"unknown time zone {parsed.zone!r}")
    try:
        fields = build_fields(
            parsed.seconds,
            parsed.minutes,
            parsed.hours,
            parsed.monthdays,
            parsed.months,
            parsed.weekdays,
        )
    except FieldError as exc:
        raise CronSyntaxError(expression, None, str(exc)) from None
    if fields is None:
        raise CronSyntaxError(expression, None, _never_reason(parsed.monthdays, parsed.months))
    return fields, zone


def _never_reason(monthdays: list[Element], months: list[Element]) -> str:
    try:
        probe = build_fields(
            None,
            [(0, None, None, None, None)],
            [(0, None, None, None, None)],
            [(None, None, None, None, None)],
            months,
            [],
        )
        month_list = probe.months if probe is not None and probe.months else ()
    except FieldError:
        month_list = ()
    names = ", ".join(_MONTH_NAMES[m] for m in month_list) or "the listed months"
    longest = max((MAXDAYS[m] for m in month_list), default=31)
    return (
        f"never fires: no listed day of the month exists in {names} (at most {longest} days); "
        f"Fugit rejects such a cron, fix the day or the month"
    )
