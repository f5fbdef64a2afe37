"""The ``Cron`` value (layer 2): parse once, then ask for fire times around any instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobsim import validate
from jobsim.cron._compile import SPECIALS, Compiled, compile_fugit
from jobsim.cron._cron_text import cron_text, matches_fields
from jobsim.cron._errors import CronNeverFires
from jobsim.cron._fields import FugitFields
from jobsim.cron._frequency import Frequency, brute_frequency, rough_frequency
from jobsim.cron._parse import Draw
from jobsim.cron._schedule import FugitSearch
from jobsim.cron._zones import resolve_zone, zone_name
from jobsim.errors import InvalidArgument

__all__ = ["DIALECTS", "SPECIALS", "TAKE_LIMIT", "Cron", "Dialect"]

Dialect = Literal["fugit", "fugit-1.5", "fugit-1.11", "vixie"]
#: Every dialect: ``"fugit"`` is ``"fugit-1.5"`` (sidekiq-cron 1.8, the ``sidekiq-6.4`` profile).
DIALECTS: tuple[Dialect, ...] = ("fugit", "fugit-1.5", "fugit-1.11", "vixie")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The most fire times one ``take`` returns: an every-second cron has billions before the
#: year 9999, and a list of them would hold the caller for hours.
TAKE_LIMIT = 100_000


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


def zone_argument(tz: object) -> tzinfo | None:
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
        dialect: ``"fugit-1.5"`` (alias ``"fugit"``, the default: Fugit 1.5.2, what
            sidekiq-cron 1.8 runs), ``"fugit-1.11"`` (Fugit 1.11 and later, sidekiq-cron 2.x:
            ``&``, ``~``, ``%n+k`` as week modulo, the newer phrases) or ``"vixie"`` (Debian
            cron, cronsim).
        random: For ``~`` in the 1.11+ dialect, the generator that picks (Fugit's
            ``random:`` option; ``False`` picks the start of the range). By default a
            generator seeded with the expression, so a cron always picks the same.

    Raises:
        CronSyntaxError: At construction, for text the dialect rejects or that can never fire,
            with the position and the reason.

    Two crons are equal when they fire at the same sets (Fugit's ``==``: the zone is not
    compared); ``str(cron)`` is the expression, :meth:`to_cron_s` Fugit's normalised text.
    """

    __slots__ = ("_fields", "_searches", "_written_zone", "dialect", "expression", "source", "zone")

    def __init__(
        self,
        expression: str,
        tz: tzinfo | str | None = None,
        dialect: Dialect = "fugit",
        *,
        random: Draw | None = None,
    ) -> None:
        given: object = expression
        if not isinstance(given, str):
            msg = f"expression={given!r} is a {type(given).__name__}; pass a string"
            raise InvalidArgument(msg)
        if dialect not in DIALECTS:
            msg = f"dialect={dialect!r}: pass one of {', '.join(map(repr, DIALECTS))}"
            raise InvalidArgument(msg)
        self.expression = expression
        self.dialect: Dialect = dialect
        zone = zone_argument(tz)
        self._searches: dict[tzinfo, object] = {}
        if dialect == "vixie":
            from jobsim.cron._vixie import VixieCron

            self._fields: object = VixieCron(expression)
            self._written_zone: tzinfo | None = None
            self.zone = zone
            self.source = expression
            return
        compiled = compile_fugit(expression, modern=dialect == "fugit-1.11", draw=random)
        self._fields = compiled.fields
        self._written_zone = compiled.zone
        self.zone = compiled.zone or zone
        #: The cron text Fugit parsed (a phrase's cron, specials replaced): Fugit's original.
        self.source = compiled.source

    @classmethod
    def _of(cls, expression: str, dialect: Dialect, compiled: Compiled) -> Cron:
        """A Fugit cron from sets already compiled (``jobsim.cron.fugit``'s parse functions)."""
        cron = cls.__new__(cls)
        cron.expression = expression
        cron.dialect = dialect
        cron._searches = {}
        cron._fields = compiled.fields
        cron._written_zone = cron.zone = compiled.zone
        cron.source = compiled.source
        return cron

    def __repr__(self) -> str:
        zone = "" if self.zone is None else f", tz={zone_name(self.zone)!r}"
        return f"Cron({self.expression!r}{zone}, dialect={self.dialect!r})"

    # -- as a value ----------------------------------------------------------------------------

    @property
    def fields(self) -> FugitFields:
        """The expanded sets (Fugit's ``to_a``); for the Fugit dialects only."""
        if not isinstance(self._fields, FugitFields):
            msg = f"{self!r}: the vixie dialect has no Fugit field sets; use a fugit dialect"
            raise InvalidArgument(msg)
        return self._fields

    def _key(self) -> tuple[object, ...]:
        if isinstance(self._fields, FugitFields):
            return ("fugit", self._fields)
        return ("vixie", " ".join(self.expression.split()))

    def __eq__(self, other: object) -> bool:
        """Fugit's ``==``: the same sets (and the same rules), whatever the text or zone."""
        if not isinstance(other, Cron):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.expression

    def to_cron_s(self) -> str:
        """Fugit's normalised text: ``Cron("0 0 L 5 *").to_cron_s() == "0 0 -1 5 *"``."""
        written = None if self._written_zone is None else zone_name(self._written_zone)
        return cron_text(self.fields, written)

    def matches(self, when: datetime) -> bool:
        """Fugit's ``match?``: whether ``when`` (whole seconds) is one of the fire times."""
        when = _check_aware(when, "when")
        zone = self._zone_for(when)
        if isinstance(self._fields, FugitFields):
            return matches_fields(self._search(zone), _epoch_seconds(when))
        whole = when.replace(microsecond=0)
        return self.next_after(whole - timedelta(seconds=1)) == whole

    def rough_frequency(self) -> int:
        """Fugit's estimate of the gap between fire times, in seconds, from the sets alone."""
        return rough_frequency(self.fields)

    def brute_frequency(self, year: int = 2017) -> Frequency:
        """Every gap between fire times over ``year`` (in the cron's zone, else UTC)."""
        self.fields  # noqa: B018 - refuses the vixie dialect with a clear error
        search = self._search(self.zone if self.zone is not None else UTC)
        start = search.make(year, 1, 1)
        if start is None:  # midnight in a gap: start from the first instant of the year
            start = int(datetime(year, 1, 1, tzinfo=search.zone).timestamp())
        return brute_frequency(search.next_time, lambda t: search.local(t).year, start - 1, year)

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
        try:
            if self.dialect == "vixie":
                from jobsim.cron._vixie import VixieCron

                assert isinstance(self._fields, VixieCron)
                return self._fields.next_after(when.astimezone(zone)).astimezone(out_zone)
            t = self._search(zone).next_time(_epoch_seconds(when))
            return datetime.fromtimestamp(t, out_zone)
        except (OverflowError, ValueError) as exc:
            raise self._off_the_calendar("next", when) from exc

    def previous_before(self, when: datetime) -> datetime:
        """The last fire time strictly before ``when``, as Fugit's ``previous_time``.

        Fugit starts one second back and drops sub-seconds, so at 12:00:00.5 a minutely cron's
        previous time is 11:59:00; 12:00:00 counts from 12:00:01 on.
        """
        when = _check_aware(when, "when")
        out_zone = when.tzinfo
        zone = self._zone_for(when)
        try:
            if self.dialect == "vixie":
                from jobsim.cron._vixie import VixieCron

                assert isinstance(self._fields, VixieCron)
                return self._fields.previous_before(when.astimezone(zone)).astimezone(out_zone)
            t = self._search(zone).previous_time(_epoch_seconds(when) - 1)
            return datetime.fromtimestamp(t, out_zone)
        except (OverflowError, ValueError) as exc:
            raise self._off_the_calendar("previous", when) from exc

    def _off_the_calendar(self, which: str, when: datetime) -> CronNeverFires:
        # Python's datetime ends at 9999-12-31 and starts at 0001-01-01; a search that walks
        # past either end has no answer to give, which is a property of the input, not a bug.
        edge = "after" if which == "next" else "before"
        return CronNeverFires(
            f"no {which} fire time of {self.expression!r} {edge} {when.isoformat()}: the search "
            f"ran off the calendar (datetime holds years 1 to 9999); start from a time further "
            f"from that edge"
        )

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
        """The next ``count`` fire times after ``when`` (at most :data:`TAKE_LIMIT`)."""
        count = validate.whole(count, name="take(count)", low=0, high=TAKE_LIMIT)
        out: list[datetime] = []
        iterator = self.iter_after(when)
        for _ in range(count):
            out.append(next(iterator))
        return out
