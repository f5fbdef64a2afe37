"""Fugit's natural-language grammar (layer 2), rule for rule, in both Fugit versions jobsim models.

A port of ``Fugit::Nat::Parser`` (``lib/fugit/nat.rb``) on raabro's combinators
(:mod:`jobsim.cron._peg`). The regular expressions are Fugit's, with their quirks: the named
numbers are tried in Fugit's order (so ``eighteen`` reads as ``eight``), ``fourty`` is spelt
so in 1.5, an interval's ``M`` is months and ``m`` minutes. Fugit 1.11+ differs in a few rules
(``modern=True``): ``forty``, an am/pm after a digital hour as a separate part (so
``12:00 noon`` parses), case-sensitive ``AM``/``PM``/``Noon`` spellings, and the
"starting at minute 10" offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jobsim.cron._peg import Node, Peg

__all__ = ["NHOURS", "NMINUTES", "OMONTHDAYS", "WEEKDS", "parse_tree"]

_I = re.IGNORECASE | re.ASCII
_A = re.ASCII

_ONE_TO_NINE = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
_TEENS += ["seventeen", "eighteen", "nineteen"]


def _sixties(forty: str) -> list[str]:
    names = ["zero", *_ONE_TO_NINE, *_TEENS]
    for tens in ("twenty", "thirty", forty, "fifty"):
        names.append(tens)
        names.extend(f"{tens}-{unit}" for unit in _ONE_TO_NINE)
    return names


def _numbers(forty: str, extra: dict[str, int], count: int) -> dict[str, int]:
    names = {name: index for index, name in enumerate(_sixties(forty)[:count])}
    names.update(extra)
    return names


#: Named hours and minutes of each version (Fugit's NHOURS / NMINUTES, insertion order kept).
NHOURS = {
    modern: _numbers(forty, {"midnight": 0, "oh": 0, "noon": 12}, 13)
    for modern, forty in ((False, "fourty"), (True, "forty"))
}
NMINUTES = {
    modern: _numbers(forty, {"o'clock": 0, "hundred": 0}, 60)
    for modern, forty in ((False, "fourty"), (True, "forty"))
}

_DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
WEEKDS = [d[:3] for d in _DAY_NAMES]


def _omonthdays() -> dict[str, int | str]:
    days: dict[str, int | str] = {
        "1st": 1,
        "2nd": 2,
        "3rd": 3,
        "21st": 21,
        "22nd": 22,
        "23rd": 23,
        "31st": 31,
        "last": "L",
    }
    days.update({f"{i}th": i for i in range(4, 31)})
    ordinals = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh"
    ordinals += " twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth"
    ordinals += " nineteenth twentieth twenty-first twenty-second twenty-third twenty-fourth"
    ordinals += " twenty-fifth twenty-sixth twenty-seventh twenty-eighth twenty-ninth thirtieth"
    ordinals += " thirty-first"
    days.update({word: i + 1 for i, word in enumerate(ordinals.split())})
    return days


#: Ordinal day words and their day (``last`` is ``L``).
OMONTHDAYS = _omonthdays()


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def _rx(pattern: str, flags: int = _A) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_EVERY = _rx(r"[ \t]*every[ \t]+", _I)
_FROM = _rx(r"[ \t]*from[ \t]+", _I)
_AT = _rx(r"[ \t]*at[ \t]+", _I)
_ON = _rx(r"[ \t]*on[ \t]+", _I)
_TO = _rx(r"[ \t]*to[ \t]+", _I)
_AND = _rx(r"[ \t]*and[ \t]+", _I)
_AND_OR_OR = _rx(r"[ \t]*(and|or)[ \t]+", _I)
_IN_OR_ON = _rx(r"(in|on)[ \t]+", _I)
_AND_OR_OR_OR_COMMA = _rx(r"[ \t]*(,[ \t]*)?((and|or)[ \t]+|,[ \t]*)", _I)
_TO_OR_DASH = _rx(r"[ \t]*-[ \t]*|[ \t]+(to|through)[ \t]+", _I)
_DAY_S = _rx(r"[ \t]*days?[ \t]+", _I)
_THE = _rx(r"[ \t]*the[ \t]+", _I)
_SPACE = _rx(r"[ \t]+")
_SEP = _rx(r"([ \t]+|[ \t]*,[ \t]*)")
_COUNT = _rx(r"\d+")
_OMONTHDAY = _rx(_alternation(OMONTHDAYS), _I)
_MONTHDAY = _rx(r"3[0-1]|[0-2]?[0-9]")
_WEEKDAY = _rx(rf"({_alternation(_DAY_NAMES + WEEKDS)})(?=($|[-, \t]))", _I)
_MINUTE = _rx(r"[ \t]*minute[ \t]+", _I)
_DMIN = _rx(r"[0-5]?[0-9]")
_ON_THEX = _rx(r"[ \t]*the[ \t]+(hour|minute)[ \t]*", _I)
_CITY_TZ = _rx(r"[A-Z][a-zA-Z0-9+\-]+(\/[A-Z][a-zA-Z0-9+\-_]+){0,2}")
_NAMED_TZ = _rx(r"Z|UTC")
_DELTA_TZ = _rx(r"[-+]([01][0-9]|2[0-4])(:?(00|15|30|45))?")
_DIGITAL_HOUR_15 = _rx(r"(2[0-4]|[0-1]?[0-9]):([0-5][0-9])([ \t]*(am|pm))?", _I)
_DIGITAL_H = _rx(r"(2[0-4]|[0-1]?[0-9]):([0-5][0-9])", _I)
_AMPM = {
    False: _rx(r"[ \t]*(am|pm|noon|midday|midnight)", _I),
    True: _rx(r"[ \t]*(am|AM|pm|PM|[Nn]oon|[Mm]idday|[Mm]idnight)"),
}
_DARK = _rx(r"[ \t]*dark", _I)
_SIMPLE_H = _rx("|".join(str(h) for h in range(24, -1, -1)))
_NAMED_M = {m: _rx(_alternation(NMINUTES[m]), _I) for m in (False, True)}
_NAMED_H = {m: _rx(_alternation(NHOURS[m]), _I) for m in (False, True)}
_POINT = _rx(r"(minutes?|mins?|seconds?|secs?|hours?|hou|h)[ \t]+", _I)
_INTERVAL = _rx(r"[ \t]*(seconds?|minutes?|hours?|days?|months?|sec|min|s|m|h|d|M)")
_STARTING_AT = _rx(r"[ \t]*(starting[ \t]+at|from)[ \t]+", _I)
_OFFSET_UNIT = _rx(r"(second|minute|hour|day|month)s?[ \t]+", _I)
_SINGLE_INTERVAL = _rx(r"(1[ \t]+)?(week|year)")
_OTM = _rx(r"[ \t]+of the month")
_EVERY_NAMED = _rx(r"weekday", _I)


class _NatParser(Peg):
    __slots__ = ("modern",)

    def __init__(self, text: str, modern: bool) -> None:
        super().__init__(text)
        self.modern = modern

    # -- words and separators ----------------------------------------------------------------

    def _every(self, i: int) -> Node | None:
        return self.rex(None, i, _EVERY)

    def _from(self, i: int) -> Node | None:
        return self.rex(None, i, _FROM)

    def _at(self, i: int) -> Node | None:
        return self.rex(None, i, _AT)

    def _on(self, i: int) -> Node | None:
        return self.rex(None, i, _ON)

    def _to(self, i: int) -> Node | None:
        return self.rex(None, i, _TO)

    def _and(self, i: int) -> Node | None:
        return self.rex(None, i, _AND)

    def _and_or_or(self, i: int) -> Node | None:
        return self.rex(None, i, _AND_OR_OR)

    def _in_or_on(self, i: int) -> Node | None:
        return self.rex(None, i, _IN_OR_ON)

    def _and_or_or_or_comma(self, i: int) -> Node | None:
        return self.rex(None, i, _AND_OR_OR_OR_COMMA)

    def _to_or_dash(self, i: int) -> Node | None:
        return self.rex(None, i, _TO_OR_DASH)

    def _day_s(self, i: int) -> Node | None:
        return self.rex(None, i, _DAY_S)

    def _the(self, i: int) -> Node | None:
        return self.rex(None, i, _THE)

    def _space(self, i: int) -> Node | None:
        return self.rex(None, i, _SPACE)

    def _sep(self, i: int) -> Node | None:
        return self.rex(None, i, _SEP)

    def count(self, i: int) -> Node | None:
        return self.rex("count", i, _COUNT)

    # -- days --------------------------------------------------------------------------------

    def omonthday(self, i: int) -> Node | None:
        return self.rex("omonthday", i, _OMONTHDAY)

    def monthday(self, i: int) -> Node | None:
        return self.rex("monthday", i, _MONTHDAY)

    def weekday(self, i: int) -> Node | None:
        return self.rex("weekday", i, _WEEKDAY)

    def omonthdays(self, i: int) -> Node | None:
        return self.jseq(None, i, self.omonthday, self._and_or_or_or_comma)

    def monthdays(self, i: int) -> Node | None:
        return self.jseq(None, i, self.monthday, self._and_or_or_or_comma)

    def weekdays(self, i: int) -> Node | None:
        return self.jseq("weekdays", i, self.weekday, self._and_or_or_or_comma)

    def on_the(self, i: int) -> Node | None:
        return self.seq(None, i, self._the, self.omonthdays)

    def _minute(self, i: int) -> Node | None:
        return self.rex(None, i, _MINUTE)

    def _dmin(self, i: int) -> Node | None:
        return self.rex("dmin", i, _DMIN)

    def and_dmin(self, i: int) -> Node | None:
        return self.seq(None, i, self._and_or_or_or_comma, self._minute, "?", self._dmin)

    def on_minutes(self, i: int) -> Node | None:
        return self.seq("on_minutes", i, self._minute, self._dmin, self.and_dmin, "*")

    def on_thex(self, i: int) -> Node | None:
        return self.rex("on_thex", i, _ON_THEX)

    def on_thes(self, i: int) -> Node | None:
        return self.jseq("on_thes", i, self.on_the, self._and_or_or_or_comma)

    def on_days(self, i: int) -> Node | None:
        return self.seq("on_days", i, self._day_s, self.monthdays)

    def on_weekdays(self, i: int) -> Node | None:
        return self.ren("on_weekdays", i, self.weekdays)

    def on_object(self, i: int) -> Node | None:
        return self.alt(
            None, i, self.on_days, self.on_weekdays, self.on_minutes, self.on_thes, self.on_thex
        )

    def on_objects(self, i: int) -> Node | None:
        return self.jseq(None, i, self.on_object, self._and)

    def on(self, i: int) -> Node | None:
        return self.seq("on", i, self._on, self.on_objects)

    # -- zones -------------------------------------------------------------------------------

    def city_tz(self, i: int) -> Node | None:
        return self.rex(None, i, _CITY_TZ)

    def named_tz(self, i: int) -> Node | None:
        return self.rex(None, i, _NAMED_TZ)

    def delta_tz(self, i: int) -> Node | None:
        return self.rex(None, i, _DELTA_TZ)

    def tz(self, i: int) -> Node | None:
        return self.alt("tz", i, self.city_tz, self.named_tz, self.delta_tz)

    def tzone(self, i: int) -> Node | None:
        return self.seq(None, i, self._in_or_on, "?", self.tz)

    # -- hours -------------------------------------------------------------------------------

    def ampm(self, i: int) -> Node | None:
        return self.rex("ampm", i, _AMPM[self.modern])

    def digital_h(self, i: int) -> Node | None:
        return self.rex("digital_h", i, _DIGITAL_H)

    def digital_hour(self, i: int) -> Node | None:
        if self.modern:
            return self.seq("digital_hour", i, self.digital_h, self.ampm, "?")
        return self.rex("digital_hour", i, _DIGITAL_HOUR_15)

    def dark(self, i: int) -> Node | None:
        return self.rex("dark", i, _DARK)

    def simple_h(self, i: int) -> Node | None:
        return self.rex("simple_h", i, _SIMPLE_H)

    def simple_hour(self, i: int) -> Node | None:
        return self.seq("simple_hour", i, self.simple_h, self.ampm, "?")

    def named_m(self, i: int) -> Node | None:
        return self.rex("named_m", i, _NAMED_M[self.modern])

    def named_min(self, i: int) -> Node | None:
        return self.seq(None, i, self._space, self.named_m)

    def named_h(self, i: int) -> Node | None:
        return self.rex("named_h", i, _NAMED_H[self.modern])

    def named_hour(self, i: int) -> Node | None:
        return self.seq(
            "named_hour", i, self.named_h, self.dark, "?", self.named_min, "?", self.ampm, "?"
        )

    def _point(self, i: int) -> Node | None:
        return self.rex("point", i, _POINT)

    def counts(self, i: int) -> Node | None:
        return self.jseq(None, i, self.count, self._and_or_or_or_comma)

    def at_p(self, i: int) -> Node | None:
        return self.seq("at_p", i, self._point, self.counts)

    def at_point(self, i: int) -> Node | None:
        return self.jseq(None, i, self.at_p, self._and_or_or)

    def at_object(self, i: int) -> Node | None:
        return self.alt(
            None, i, self.named_hour, self.digital_hour, self.simple_hour, self.at_point
        )

    def at_objects(self, i: int) -> Node | None:
        return self.jseq(None, i, self.at_object, self._and_or_or_or_comma)

    def at(self, i: int) -> Node | None:
        return self.seq("at", i, self._at, "?", self.at_objects)

    # -- every -------------------------------------------------------------------------------

    def interval(self, i: int) -> Node | None:
        return self.rex("interval", i, _INTERVAL)

    def _starting_at(self, i: int) -> Node | None:
        return self.rex(None, i, _STARTING_AT)

    def _offset_unit(self, i: int) -> Node | None:
        return self.rex(None, i, _OFFSET_UNIT)

    def offset_count(self, i: int) -> Node | None:
        return self.rex("offset_count", i, _COUNT)

    def offset(self, i: int) -> Node | None:
        return self.seq("offset", i, self._starting_at, self._offset_unit, self.offset_count)

    def every_interval(self, i: int) -> Node | None:
        if self.modern:
            return self.seq("every_interval", i, self.count, "?", self.interval, self.offset, "?")
        return self.seq("every_interval", i, self.count, "?", self.interval)

    def every_single_interval(self, i: int) -> Node | None:
        return self.rex("every_single_interval", i, _SINGLE_INTERVAL)

    def to_weekday(self, i: int) -> Node | None:
        return self.seq("to_weekday", i, self.weekday, self._to_or_dash, self.weekday)

    def weekday_range(self, i: int) -> Node | None:
        return self.alt(None, i, self.to_weekday, self.weekdays)

    def to_omonthday(self, i: int) -> Node | None:
        return self.seq(
            "to_omonthday",
            i,
            self._the,
            "?",
            self.omonthday,
            self._to,
            self._the,
            "?",
            self.omonthday,
        )

    def to_hour(self, i: int) -> Node | None:
        return self.seq("to_hour", i, self.at_object, self._to, self.at_object)

    def from_object(self, i: int) -> Node | None:
        return self.alt(None, i, self.to_weekday, self.to_omonthday, self.to_hour)

    def from_objects(self, i: int) -> Node | None:
        return self.jseq(None, i, self.from_object, self._and_or_or)

    def from_(self, i: int) -> Node | None:
        return self.seq(None, i, self._from, "?", self.from_objects)

    def every_weekday(self, i: int) -> Node | None:
        return self.jseq(None, i, self.weekday_range, self._and_or_or)

    def otm(self, i: int) -> Node | None:
        return self.rex(None, i, _OTM)

    def every_of_the_month(self, i: int) -> Node | None:
        return self.seq(None, i, self.omonthdays, self.otm)

    def every_named(self, i: int) -> Node | None:
        return self.rex("every_named", i, _EVERY_NAMED)

    def every_object(self, i: int) -> Node | None:
        return self.alt(
            None,
            i,
            self.every_weekday,
            self.every_of_the_month,
            self.every_interval,
            self.every_named,
            self.every_single_interval,
        )

    def every_objects(self, i: int) -> Node | None:
        return self.jseq(None, i, self.every_object, self._and_or_or)

    def every(self, i: int) -> Node | None:
        return self.seq("every", i, self._every, self.every_objects)

    # -- the phrase --------------------------------------------------------------------------

    def nat_elt(self, i: int) -> Node | None:
        return self.alt(None, i, self.every, self.from_, self.at, self.tzone, self.on)

    def nat(self, i: int) -> Node | None:
        return self.jseq("nat", i, self.nat_elt, self._sep)


def parse_tree(text: str, *, modern: bool) -> Node | None:
    """The parse tree of a phrase (the whole text must parse), or None."""
    parser = _NatParser(text, modern)
    return parser.all_(parser.nat)
