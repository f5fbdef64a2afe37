"""Fugit's natural-language meaning (layer 2): parse tree to slots to cron text.

A port of the rewrite half of ``Fugit::Nat`` (``rewrite_*``, ``Slot``, ``SlotGroup``): each
phrase part becomes a slot (an hour/minute pair, a weekday list, a month day, ...); slots of
one kind merge by Fugit's "weak"/"strong" grading, hour/minute pairs group into one cron per
distinct hour set, and the cron text is joined as Fugit joins it. Ruby's dynamic values are
kept as they are (an int, a string such as ``"*/4"`` or ``"1-5"``, or a list), because the
text depends on them: Fugit 1.5 sorts a field's values with Ruby's ``sort``, which raises on a
mix of numbers and words (``1st and last``), where 1.11+ puts words last.

Where Fugit raises (Ruby's ``ArgumentError``, ``NoMethodError``), :class:`FugitRaises` says
which error and why, so a caller can refuse the phrase as Fugit's ``parse`` would fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jobsim.cron._nat_grammar import NHOURS, NMINUTES, OMONTHDAYS, WEEKDS
from jobsim.cron._peg import Node

__all__ = ["FugitRaises", "SlotGroup", "rewrite_nat", "ruby_s", "to_i"]


class FugitRaises(Exception):
    """Fugit raises on this phrase; ``ruby_class`` names what Ruby raises."""

    def __init__(self, ruby_class: str, message: str) -> None:
        super().__init__(f"{ruby_class}: {message}")
        self.ruby_class = ruby_class


def _array(value: Any) -> list[Any]:
    """Ruby's ``Array(x)``."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def ruby_s(value: Any) -> str:
    """Ruby's ``to_s`` / string interpolation of the values a slot holds."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(_inspect(v) for v in value) + "]"
    return str(value)


def _inspect(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, str):
        return '"' + value + '"'
    return ruby_s(value)


@dataclass
class Slot:
    """One part of a phrase's meaning: a kind, one or two values, and a grade."""

    key: str
    data0: Any
    data1: Any = None
    weak: Any = None  # None, True or a data index (0/1): this side gives way
    strong: Any = None  # None, True or a data index (0/1): this side wins
    _memo: dict[int, list[Any]] = field(default_factory=dict)

    def array(self, index: int) -> list[Any]:
        """Ruby's memoised ``data0`` / ``data1`` (``Array(@_data0)``)."""
        if index not in self._memo:
            self._memo[index] = _array(self.data0 if index == 0 else self.data1)
        return self._memo[index]

    @property
    def graded(self) -> bool:
        return self.weak is not None or self.strong is not None

    def append(self, other: Slot) -> Slot:
        self.data0, self.data1 = self._conflate(0, other), self._conflate(1, other)
        self.weak = self.strong = None
        return self

    def hour_range(self) -> tuple[int, int] | None:
        if not (self.key == "hm" and self.data1 == 0 and not isinstance(self.data1, bool)):
            return None
        if not isinstance(self.data0, str):
            kind = "Integer" if isinstance(self.data0, int) else "Array"
            raise FugitRaises("NoMethodError", f"undefined method `match' for {kind}")
        match = re.fullmatch(r"(\d+)-(\d+)", self.data0)
        return (int(match.group(1)), int(match.group(2))) if match else None

    def _conflate(self, index: int, other: Slot) -> Any:
        a, b = (self.data0, other.data0) if index == 0 else (self.data1, other.data1)
        if b is None:
            return a
        if a is None:
            return b
        if index == 0 and other.strong == 1 and other.strong is not True:
            span = self.hour_range()
            if span:
                return _hour_span(span)
        if index == 0 and self.strong == 1 and self.strong is not True:
            span = other.hour_range()
            if span:
                return _hour_span(span)
        if _grade(self.strong, index):
            return a
        if _grade(other.strong, index):
            return b
        if _grade(other.weak, index):
            return a
        if _grade(self.weak, index):
            return b
        if a == "*" and b == "*":
            return ["*"]
        return _to_a(a) + _to_a(b)


def _grade(grade: Any, index: int) -> bool:
    return grade is True or (grade is not None and grade == index)


def _hour_span(span: tuple[int, int]) -> int | str:
    first, last = span[0], span[1] - 1
    return first if first == last else f"{first}-{last}"


def _to_a(value: Any) -> list[Any]:
    return [] if value == "*" else _array(value)


# -- rewriting the tree ------------------------------------------------------------------------


def _adjust_h_15(hour: Any, ampm: str | None) -> int:
    h = to_i(hour)
    ap = ampm or ""
    return h + 12 if (h < 12 and ap == "pm") or ap == "midnight" else h


def _adjust_h_modern(hour: Any, ampm: str | None) -> Any:
    if ampm == "midnight" and hour == 12:
        return 24
    if ampm == "pm":
        if not isinstance(hour, int):
            raise FugitRaises("NoMethodError", "undefined method `<' for nil")
        if hour < 12:
            return hour + 12
    if ampm == "am" and hour == 12:
        return 0
    return hour


def to_i(value: Any) -> int:
    """Ruby's ``to_i`` on nil, an int or a string (leading digits, else 0)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    match = re.match(r"[ \t\n]*([-+]?\d+)", value)
    return int(match.group(1)) if match else 0


class _Rewriter:
    def __init__(self, modern: bool) -> None:
        self.modern = modern

    def rewrite(self, node: Node) -> Any:
        method = getattr(self, f"rewrite_{node.name}")
        return method(node)

    def subs(self, node: Node, key: str | None = None) -> list[Any]:
        return [self.rewrite(n) for n in node.subgather(key)]

    def rewrite_on_minutes(self, t: Node) -> Slot:
        minutes = [n.strinp for n in t.subgather("dmin")]
        return Slot("hm", "*", ",".join(minutes), strong=1)

    def rewrite_on_thex(self, t: Node) -> Slot:
        if re.search("hour", t.string, re.IGNORECASE):
            return Slot("hm", 0, "*", strong=0)
        return Slot("hm", "*", "*", strong=1)

    def rewrite_on_thes(self, t: Node) -> list[Any]:
        return self.subs(t, "omonthday")

    def rewrite_on_days(self, t: Node) -> list[Any]:
        return self.subs(t, "monthday")

    def rewrite_on(self, t: Node) -> list[Any]:
        return self.subs(t)

    def rewrite_monthday(self, t: Node) -> Slot:
        return Slot("monthday", to_i(t.string))

    def rewrite_omonthday(self, t: Node) -> Slot:
        return Slot("monthday", OMONTHDAYS[t.string.lower()])

    def rewrite_at_p(self, t: Node) -> Slot:
        point = t.sublookup("point")
        assert point is not None
        word = point.strinp.lower()
        kind = "M" if word.startswith("mon") else word[:1]
        values = [to_i(n.string) for n in t.subgather("count")]
        if kind == "m":
            return Slot("hm", "*", values, strong=1)
        if kind == "s":
            return Slot("second", values)
        return Slot(kind, values)

    def rewrite_every_single_interval(self, t: Node) -> Any:
        if re.search("year", t.string, re.IGNORECASE):
            return [Slot("month", 1, weak=True), Slot("monthday", 1, weak=True)]
        return Slot("weekday", 0, weak=True)

    def rewrite_every_interval(self, t: Node) -> Slot:
        if self.modern:
            count_node, interval_node = t.sublookup("count"), t.sublookup("interval")
            offset = t.sublookup("offset")
            assert interval_node is not None
            count = (count_node.string if count_node else "1").strip()
            unit = interval_node.string.strip()[:3]
            start = None
            if offset is not None:
                offset_count = offset.sublookup("offset_count")
                assert offset_count is not None
                start = to_i(offset_count.string)
        else:
            parts = [n.string for n in t.subgather(None)]
            unit = parts.pop().strip()[:3]
            count = (parts.pop() if parts else "1").strip()
            start = None
        kind = "M" if unit == "M" or unit.lower() == "mon" else unit[:1].lower()
        step = f"{start}/{count}" if start is not None else "*" if count == "1" else f"*/{count}"
        if kind == "M":
            return Slot("month", step)
        if kind == "d":
            return Slot("monthday", step, weak=True)
        if kind == "h":
            return Slot("hm", step, 0, weak=1)
        if kind == "m":
            return Slot("hm", "*", step, strong=1)
        return Slot("second", step)

    def rewrite_every_named(self, t: Node) -> Slot:
        return Slot("weekday", "1-5", weak=True)

    def rewrite_tz(self, t: Node) -> Slot:
        return Slot("tz", t.string)

    def rewrite_weekday(self, t: Node) -> int:
        return WEEKDS.index(t.string[:3].lower())

    def rewrite_weekdays(self, t: Node) -> Slot:
        return Slot("weekday", self.subs(t, "weekday"))

    rewrite_on_weekdays = rewrite_weekdays

    def rewrite_to_weekday(self, t: Node) -> Slot:
        first, last = self.subs(t, "weekday")[:2]
        return Slot("weekday", f"{first}-{last}")

    def rewrite_to_omonthday(self, t: Node) -> Slot:
        first, last = (s.data0 for s in self.subs(t, "omonthday")[:2])
        return Slot("monthday", f"{ruby_s(first)}-{ruby_s(last)}")

    def rewrite_digital_hour(self, t: Node) -> Slot:
        if self.modern:
            digits = t.sublookup("digital_h")
            assert digits is not None
            hour, minute = (int(p) for p in digits.strinp.lower().split(":"))
            ampm = t.sublookup("ampm")
            word = ampm.strinp.lower() if ampm is not None else None
            return Slot("hm", _adjust_h_modern(hour, word), minute)
        parts = re.split(r"[: \t]+", t.strinp.lower())
        ampm_15 = parts[2] if len(parts) > 2 else None
        return Slot("hm", _adjust_h_15(parts[0], ampm_15), to_i(parts[1]))

    def rewrite_simple_hour(self, t: Node) -> Slot:
        parts = [n.strinp.lower() for n in t.subgather(None)]
        hour, ampm = parts[0], (parts[1] if len(parts) > 1 else None)
        if self.modern:
            return Slot("hm", _adjust_h_modern(to_i(hour), ampm), 0)
        return Slot("hm", _adjust_h_15(hour, ampm), 0)

    def rewrite_named_hour(self, t: Node) -> Slot:
        hour_node, minute_node = t.sublookup("named_h"), t.sublookup("named_m")
        ampm_node = t.sublookup("ampm")
        assert hour_node is not None
        hour: Any = NHOURS[self.modern].get(hour_node.strinp)  # not lower-cased, as Fugit
        minute: Any = minute_node.strinp if minute_node else 0
        minute = NMINUTES[self.modern].get(minute, minute) if isinstance(minute, str) else minute
        ampm = ampm_node.strinp.lower() if ampm_node else None
        if self.modern:
            return Slot("hm", _adjust_h_modern(hour, ampm), minute)
        return Slot("hm", _adjust_h_15(hour, ampm), minute)

    def rewrite_to_hour(self, t: Node) -> Slot:
        first_node, second_node = t.subgather(None)[:2]
        first, second = self.rewrite(first_node), self.rewrite(second_node)
        if first.array(1) != second.array(1):
            msg = f"cannot deal with {first_node.strinp} to {second_node.strinp}, minutes diverge"
            raise FugitRaises("ArgumentError", msg)
        return Slot("hm", f"{ruby_s(first.data0)}-{ruby_s(second.data0)}", 0, strong=0)

    def rewrite_at(self, t: Node) -> list[Any]:
        return self.subs(t)

    def rewrite_every(self, t: Node) -> Any:
        first = t.sublookup(None)
        return self.rewrite(first) if first is not None else None

    def rewrite_nat(self, t: Node) -> SlotGroup:
        return SlotGroup(_flatten(self.subs(t)), self.modern)


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(_flatten(value))
        else:
            out.append(value)
    return out


def rewrite_nat(tree: Node, *, modern: bool) -> SlotGroup:
    """The slots of a parsed phrase (Fugit's ``rewrite_nat``)."""
    group = _Rewriter(modern).rewrite(tree)
    assert isinstance(group, SlotGroup)
    return group


class SlotGroup:
    """A phrase's slots, merged; ``cron_texts()`` are the crons Fugit parses from them."""

    def __init__(self, slots: list[Any], modern: bool) -> None:
        self.modern = modern
        self.slots: dict[str, Slot] = {}
        self.hms: list[Slot] = []
        for slot in slots:
            if not isinstance(slot, Slot):
                raise FugitRaises("NoMethodError", f"undefined method `key' for {slot!r}")
            if slot.key == "hm":
                self.hms.append(slot)
            elif slot.key in self.slots:
                self.slots[slot.key].append(slot)
            else:
                self.slots[slot.key] = slot
        if "monthday" in self.slots or "weekday" in self.slots:
            if not self.hms:
                self.hms.append(Slot("hm", 0, 0))
        elif "month" in self.slots:
            if not self.hms:
                self.hms.append(Slot("hm", 0, 0))
            self.slots.setdefault("monthday", Slot("monthday", 1))

    def hour_minutes(self) -> list[tuple[list[Any], list[Any]]]:
        """Fugit's ``determine_hms``: one (hours, minutes) pair per cron."""
        if not self.hms:
            return [(["*"], ["*"])]
        hms = list(self.hms)
        while len(hms) > 1:
            graded = next((i for i, s in enumerate(hms) if s.graded), None)
            if graded is None:
                break
            keeper = hms[graded]
            other = hms.pop(1 if graded == 0 else graded - 1)
            keeper.append(other)
        by_minute: dict[Any, list[Any]] = {}
        for slot in hms:
            hours, minutes = slot.array(0), slot.array(1)
            for minute in minutes:
                by_minute.setdefault(_key(minute), []).extend(hours)
        by_hours: dict[Any, list[Any]] = {}
        for minute, hours in by_minute.items():
            by_hours.setdefault(_key(_ruby_sort(hours)), []).append(minute)
        return [(list(hours), minutes) for hours, minutes in by_hours.items()]

    def field(self, key: str, default: str) -> list[Any]:
        slot = self.slots.get(key)
        return slot.array(0) if slot is not None else [default]

    def fields(self, hm: tuple[list[Any], list[Any]]) -> list[list[Any]]:
        """The cron's fields before joining (Fugit's ``a`` in ``parse_cron``)."""
        fields = [
            self.field("second", "0"),
            hm[1],
            hm[0],
            self.field("monthday", "*"),
            self.field("month", "*"),
            self.field("weekday", "*"),
        ]
        zone = self.slots.get("tz")
        if zone is not None:
            fields.append(zone.array(0))
        if fields[0] == ["0"]:
            fields.pop(0)
        return fields

    def cron_text(self, fields: list[list[Any]]) -> str:
        joined = []
        for values in fields:
            unique = _uniq(values)
            ordered = _letters_last(unique) if self.modern else _ruby_sort(unique)
            joined.append(",".join(ruby_s(v) for v in ordered))
        return " ".join(joined)


def _key(value: Any) -> Any:
    return tuple(_key(v) for v in value) if isinstance(value, list) else value


def _uniq(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(type(value) is type(seen) and value == seen for seen in out):
            out.append(value)
    return out


def _ruby_sort(values: list[Any]) -> list[Any]:
    """Ruby's ``Array#sort``: numbers among numbers, strings among strings, else it raises."""
    if len(values) < 2:
        return list(values)
    kinds = {str if isinstance(v, str) else int if isinstance(v, int) else list for v in values}
    if len(kinds) > 1 or list in kinds:
        names = sorted(
            {"String" if k is str else "Integer" if k is int else "Array" for k in kinds}
        )
        msg = f"comparison of {' with '.join(names)} failed"
        raise FugitRaises("ArgumentError", msg)
    return sorted(values)


def _letters_last(values: list[Any]) -> list[Any]:
    """Fugit 1.11+'s ``sort_by``: numbers in order, anything else after them."""
    return sorted(values, key=lambda v: v if isinstance(v, int) else 999_999)
