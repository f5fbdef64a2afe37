"""Fugit's cron grammar (layer 2): a PEG parser that accepts exactly what Fugit 1.5.2 accepts.

A port of ``Fugit::Cron::Parser`` (raabro rules in ``lib/fugit/cron.rb``): ordered choice,
greedy optional parts with no backtracking into them, a 6-field form (seconds first) tried
before the 5-field one, and a trailing zone (``America/New_York``, ``+09:00``) after one or
more spaces. The regular expressions are Fugit's, character for character. On failure, the
diagnosis names the position and the reason (``minute 61 is outside 0-59``).

``modern=True`` is Fugit 1.11+'s grammar: stray commas around and inside a list
(``,1,,2,``), ``&`` after the day-of-month or day-of-week list (both day fields must match),
and ``~`` random picks (``~``, ``10~20``, ``~30/10``), drawn once at parse time from the
seeded stream given (Fugit's ``random:`` option; ``False`` takes the range's start).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jobsim.cron._fields import Element
from jobsim.rng import Stream

__all__ = ["FIELD_NAMES", "ParsedCron", "diagnose", "parse_fugit"]

_I = re.IGNORECASE
_SPACE = re.compile(r"[ \t]+")
_SLASH = re.compile(r"/\d\d?")
_MOS = re.compile(r"[0-5]?\d")
_HOU = re.compile(r"(2[0-4]|[01]?[0-9])")
_DOM = re.compile(r"(-?(3[01]|[12][0-9]|0?[1-9])|last|l)", _I)
_MON = re.compile(r"(1[0-2]|0?[1-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _I)
_DOW = re.compile(r"([0-7]|sun|mon|tue|wed|thu|fri|sat)", _I)
_HASH = re.compile(r"#(-?[1-5]|last|l)", _I)
_MOD = re.compile(r"%\d+(\+\d+)?")
_TZ_DELTA = re.compile(r" +[-+]([01][0-9]|2[0-4]):?(00|15|30|45)")
_COMMAS = re.compile(r"([ \t]*,)*")
_COMMA = re.compile(r",([ \t]*,)*")
_TZ_NAME = re.compile(r" +[A-Z][a-zA-Z0-9+\-]+(\/[A-Z][a-zA-Z0-9+\-_]+){0,2}")

_MONTHS = ("-", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

#: Field kinds in order, for the 6-field form; the 5-field form drops the first.
FIELD_NAMES = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_BOUNDS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 24),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (0, 7),
}
_VALUE = {"second": _MOS, "minute": _MOS, "hour": _HOU, "day-of-month": _DOM, "month": _MON}
#: The range a ``~`` draws from, per field (Fugit's min/max of each ``determine_*``).
_DRAW = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (0, 6),
}


@dataclass(frozen=True, slots=True)
class ParsedCron:
    """The parse tree after Fugit's rewrite: elements per field and the zone text."""

    seconds: list[Element] | None
    minutes: list[Element]
    hours: list[Element]
    monthdays: list[Element]
    months: list[Element]
    weekdays: list[Element]
    zone: str | None
    day_and: bool = False


_Token = tuple[str, str]  # (kind, text): a value kind, "slash", "hash", "mod" or "tilde"
#: Fugit 1.11+'s ``random:`` option: a generator, a ``rand(n)``-like function (0 <= r < n),
#: or False for "the start of the range".
Draw = Stream | Callable[[int], int] | bool


class _Parser:
    __slots__ = ("draw", "far", "modern", "text")

    def __init__(self, text: str, modern: bool = False, draw: Draw = False) -> None:
        self.text = text
        self.far = 0
        self.modern = modern
        self.draw = draw

    def rex(self, regex: re.Pattern[str], pos: int) -> int | None:
        match = regex.match(self.text, pos)
        if match is None:
            self.far = max(self.far, pos)
            return None
        return match.end()

    def value(self, kind: str, pos: int, out: list[_Token]) -> int | None:
        regex = _DOW if kind == "day-of-week" else _VALUE[kind]
        end = self.rex(regex, pos)
        if end is not None:
            out.append((kind, self.text[pos:end]))
        return end

    def tilde(self, kind: str, pos: int, out: list[_Token]) -> int | None:
        """value? "~" value? (Fugit 1.11+)"""
        mine: list[_Token] = []
        end = self.value(kind, pos, mine)
        cursor = pos if end is None else end
        if not self.text.startswith("~", cursor):
            self.far = max(self.far, cursor)
            return None
        mine.append(("tilde", "~"))
        after = self.value(kind, cursor + 1, mine)
        out.extend(mine)
        return cursor + 1 if after is None else after

    def range_(self, kind: str, pos: int, out: list[_Token]) -> int | None:
        """star | value ( "-" value )?  (1.11+: star | tilde | range)"""
        if self.text.startswith("*", pos):
            return pos + 1
        if self.modern:
            end = self.tilde(kind, pos, out)
            if end is not None:
                return end
        self.far = max(self.far, pos)
        end = self.value(kind, pos, out)
        if end is None:
            return None
        if self.text.startswith("-", end):
            more: list[_Token] = []
            after = self.value(kind, end + 1, more)
            if after is not None:
                out.extend(more)
                return after
        else:
            self.far = max(self.far, end)
        return end

    def slash(self, pos: int, out: list[_Token]) -> int | None:
        end = self.rex(_SLASH, pos)
        if end is not None:
            out.append(("slash", self.text[pos:end]))
        return end

    def element(self, kind: str, pos: int) -> tuple[list[_Token], int] | None:
        if kind == "day-of-week":
            for suffix in (_HASH, _MOD):  # h_dow | mod_dow
                out: list[_Token] = []
                end = self.value(kind, pos, out)
                if end is not None:
                    after = self.rex(suffix, end)
                    if after is not None:
                        name = "hash" if suffix is _HASH else "mod"
                        out.append((name, self.text[end:after]))
                        return out, after
        out = []
        end = self.slash(pos, out)
        if end is not None:
            return out, end
        out = []
        end = self.range_(kind, pos, out)
        if end is None:
            return None
        slash: list[_Token] = []
        after = self.slash(end, slash)
        if after is not None:
            return out + slash, after
        return out, end

    def list_(self, kind: str, pos: int) -> tuple[list[Element], int] | None:
        if self.modern:  # comma? list comma? (&?)
            pos = self.rex(_COMMAS, pos) or pos
        first = self.element(kind, pos)
        if first is None:
            return None
        tokens, end = first
        elements = [self.rewrite(kind, tokens)]
        separator = _COMMA if self.modern else re.compile(",")
        while True:
            after = self.rex(separator, end)
            if after is None:
                break
            more = self.element(kind, after)
            if more is None:
                break
            elements.append(self.rewrite(kind, more[0]))
            end = more[1]
        self.far = max(self.far, end)
        if self.modern:
            end = self.rex(_COMMAS, end) or end
            if kind in ("day-of-month", "day-of-week") and self.text.startswith("&", end):
                end += 1
        return elements, end

    def rewrite(self, kind: str, tokens: list[_Token]) -> Element:
        element = _rewrite(kind, tokens)
        if not any(name == "tilde" for name, _ in tokens):
            return element
        start, end, step, _nth, _mod = element
        low, high = _DRAW[kind]
        if start is not None and not any(name == kind for name, _ in tokens[:1]):
            start, end = None, start  # "~5": the value after the tilde is the end
        picked = _draw(self.draw, low, high, start, end, step)
        return (picked, end if step is not None else None, step, None, None)

    def cron(self, kinds: tuple[str, ...]) -> ParsedCron | None:
        pos = 0
        fields: list[list[Element]] = []
        for index, kind in enumerate(kinds):
            parsed = self.list_(kind, pos)
            if parsed is None:
                return None
            elements, pos = parsed
            fields.append(elements)
            if index < len(kinds) - 1:
                end = self.rex(_SPACE, pos)
                if end is None:
                    return None
                pos = end
        zone = None
        for regex in (_TZ_DELTA, _TZ_NAME):
            end = self.rex(regex, pos)
            if end is not None:
                zone = self.text[pos:end].strip()
                pos = end
                break
        if pos != len(self.text):
            self.far = max(self.far, pos)
            return None
        seconds = fields.pop(0) if len(kinds) == 6 else None
        minutes, hours, monthdays, months, weekdays = fields
        day_and = self.modern and "&" in self.text
        return ParsedCron(seconds, minutes, hours, monthdays, months, weekdays, zone, day_and)


def _draw(
    draw: Draw, low: int, high: int, start: int | None, end: int | None, step: int | None
) -> int:
    """Fugit's ``random``: one value of ``start~end`` (wrapping), fixed at parse time."""
    start = low if start is None else start
    end = high if end is None else end
    if draw is False or draw is True:
        return start
    count = end - start + 1
    if count <= 0:
        count = high - low + 1 + count
    if step is not None and step < count:
        count = step
    picked = start + (draw.randrange(count) if isinstance(draw, Stream) else draw(count))
    if picked > high:
        picked = picked + low - high - 1
    return picked


def _bound(kind: str, text: str) -> int:
    low = text.lower()
    if kind == "month" and low in _MONTHS:
        return _MONTHS.index(low)
    if kind == "day-of-week" and low in _WEEKDS:
        return _WEEKDS.index(low)
    if kind == "day-of-month" and low.startswith("l"):
        return -1
    return int(text)


def _rewrite(kind: str, tokens: list[_Token]) -> Element:
    a: int | None = None
    z: int | None = None
    step: int | None = None
    nth: int | None = None
    mod: tuple[int, int] | None = None
    for name, text in tokens:
        if name == "tilde":
            continue
        if name == "slash":
            step = int(text[1:])
        elif name == "hash":
            nth = -1 if text[1:].upper().startswith("L") else int(text[1:])
        elif name == "mod":
            parts = [int(p) for p in re.split(r"[%+]", text) if p]
            mod = (parts[0], parts[1] if len(parts) > 1 else 0)
        elif a is None:
            a = _bound(kind, text)
        elif z is None:
            z = _bound(kind, text)
    return (a, z, step, nth, mod)


def parse_fugit(
    text: str, *, modern: bool = False, draw: Draw = False
) -> tuple[ParsedCron | None, int]:
    """Parse as Fugit does (6 fields tried first); returns (tree or None, farthest position)."""
    parser = _Parser(text, modern, draw)
    # alt(second_cron, classic_cron): the first one that succeeds wins, even if it leaves
    # input over (then the whole parse fails, as raabro's `all` does).
    for kinds in (FIELD_NAMES, FIELD_NAMES[1:]):
        parsed = parser.cron(kinds)
        if parsed is not None:
            return parsed, parser.far
    return None, parser.far


_NUMBER = re.compile(r"-?\d+")


def diagnose(text: str, far: int, *, hour_max: int = 24, sunday7: bool = True) -> tuple[int, str]:
    """A position and a human reason for an expression the grammar rejected."""
    fields = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    zone_like = (
        fields and len(fields) in (6, 7) and re.match(r"[A-Z+\-]", fields[-1][1]) is not None
    )
    count = len(fields) - (1 if zone_like else 0)
    if count not in (5, 6):
        return (
            0,
            f"expected 5 fields (minute hour day month weekday) or 6 (seconds first), "
            f"found {count}",
        )
    kinds = FIELD_NAMES if count == 6 else FIELD_NAMES[1:]
    for (start, field), kind in zip(fields, kinds, strict=False):
        low, high = _BOUNDS[kind]
        if kind == "hour":
            high = hour_max
        if kind == "day-of-week" and not sunday7:
            high = 6
        for match in _NUMBER.finditer(field):
            before = field[match.start() - 1] if match.start() else ""
            value = int(match.group())
            if before in ("/", "#", "%", "+"):
                if before == "/" and value == 0:
                    return (start + match.start(), f"{kind} step 0 never advances")
                if before == "/" and value > 99:
                    return (start + match.start(), f"{kind} step {value} has more than 2 digits")
                continue
            if value < 0 and kind == "day-of-month" and value >= -31:
                continue
            value = abs(value) if before == "-" or match.group().startswith("-") else value
            if not low <= value <= high:
                pos = start + match.start() + (1 if match.group().startswith("-") else 0)
                return (pos, f"{kind} {value} is outside {low}-{high}")
    near = text[far : far + 12] or "end of text"
    return (far, f"unexpected {near!r}")
