"""Fugit's durations (layer 2): ``"1Y3M2d"``, ``"2h30m"``, ``"P1DT2H"``, as ``Fugit::Duration``.

Only what ``Fugit.parse`` needs to tell a duration from a cron or a time: the plain grammar
(``1y2M3w4d5h6m7s``, with words, signs, ``and``/commas between parts, a bare number being
seconds) and the ISO 8601 one (``P1Y2M3W4DT5H6M7S``), and Fugit's ``to_plain_s`` / ``seconds``
(a year is 365 days, a month 30).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobsim.cron._peg import Node, Peg, Rule

__all__ = ["FugitDuration", "parse_duration"]

_NUM = r"(\d+\.\d*|(\d*\.)?\d+) *"
_A = re.ASCII
_I = re.ASCII | re.IGNORECASE
_PLAIN = {
    "yea": re.compile(_NUM + r"y(ears?)?", _I),
    "mon": re.compile(_NUM + r"(M|months?)", _A),
    "wee": re.compile(_NUM + r"w(eeks?)?", _I),
    "day": re.compile(_NUM + r"d(ays?)?", _I),
    "hou": re.compile(_NUM + r"h(ours?)?", _I),
    "min": re.compile(_NUM + r"m(in(ute)?s?)?", _A),
    "sec": re.compile(_NUM + r"s(ec(ond)?)?s?", _I),
}
_SEK = re.compile(r"(\d+\.\d*|\.\d+|\d+)$", _A)
_SEP = re.compile(r"([ \t,]+|and)*", _I)
_SIGN = re.compile(r"[-+]?", _A)
_ISO_DATE = {k: re.compile(rf"-?\d+{u}", _A) for k, u in (("yea", "Y"), ("mon", "M"))}
_ISO_DATE.update({k: re.compile(rf"-?\d+{u}", _A) for k, u in (("wee", "W"), ("day", "D"))})
_ISO_TIME = {k: re.compile(rf"-?\d+{u}", _A) for k, u in (("hou", "H"), ("min", "M"))}
_ISO_TIME["sec"] = re.compile(r"-?(\d*\.)?\d+S", _A)
#: Fugit's KEYS: name, plain letter, seconds.
_KEYS = (
    ("yea", "Y", 365 * 86_400),
    ("mon", "M", 30 * 86_400),
    ("wee", "W", 7 * 86_400),
    ("day", "D", 86_400),
    ("hou", "h", 3600),
    ("min", "m", 60),
    ("sec", "s", 1),
)

Number = int | float


@dataclass(frozen=True, slots=True)
class FugitDuration:
    """A parsed duration: the amount of each unit, as written (Fugit's ``h``)."""

    parts: tuple[tuple[str, Number], ...]
    original: str

    def to_plain_s(self) -> str:
        """Fugit's ``to_plain_s``: ``1Y3M2D``, signs only where they change."""
        amounts = dict(self.parts)
        out, sign = "", "+"
        for key, letter, _ in _KEYS:
            value = amounts.get(key)
            if value is None:
                continue
            now = "-" if value < 0 else "+"
            out += (now if now != sign else "") + _number(abs(value)) + letter
            sign = now
        return out

    @property
    def seconds(self) -> float:
        """The length in seconds (a year of 365 days, a month of 30)."""
        amounts = dict(self.parts)
        return float(sum(amounts.get(key, 0) * size for key, _, size in _KEYS))


def _number(value: Number) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _unit(peg: Peg, key: str, regex: re.Pattern[str]) -> Rule:
    return lambda p: peg.rex(key, p, regex)


class _Plain(Peg):
    __slots__ = ()

    def sep(self, i: int) -> Node | None:
        return self.rex(None, i, _SEP)

    def elt(self, i: int) -> Node | None:
        rules = [_unit(self, key, regex) for key, regex in _PLAIN.items()]
        rules.append(_unit(self, "sec", _SEK))
        return self.alt(None, i, *rules)

    def sign(self, i: int) -> Node | None:
        return self.rex("sign", i, _SIGN)

    def sdur(self, i: int) -> Node | None:
        return self.seq("sdur", i, self.sign, "?", self.elt, "+")

    def dur(self, i: int) -> Node | None:
        return self.jseq("dur", i, self.sdur, self.sep)


class _Iso(Peg):
    __slots__ = ()

    def _one_of(self, i: int, table: dict[str, re.Pattern[str]]) -> Node | None:
        rules = [_unit(self, key, regex) for key, regex in table.items()]
        return self.alt(None, i, *rules)

    def date(self, i: int) -> Node | None:
        return self.seq(None, i, lambda p: self._one_of(p, _ISO_DATE), "+")

    def t_time(self, i: int) -> Node | None:
        return self.seq(
            None, i, lambda p: self.str_(None, p, "T"), lambda p: self._one_of(p, _ISO_TIME), "+"
        )

    def dur(self, i: int) -> Node | None:
        return self.seq(
            "dur", i, lambda p: self.str_(None, p, "P"), self.date, "?", self.t_time, "?"
        )


def _amounts(node: Node) -> dict[str, Number]:
    """Fugit's ``common_rewrite_dur``: each named part's number, summed per unit."""
    out: dict[str, Number] = {}
    for part in node.subgather(None):
        if part.name == "sign":
            continue
        digits = re.match(r"-?[\d.]+", part.string)
        text = digits.group() if digits else "0"
        value: Number = float(text) if "." in text else int(text)
        assert part.name is not None
        out[part.name] = out.get(part.name, 0) + value
    return out


def _plain(text: str) -> dict[str, Number] | None:
    parser = _Plain(text)
    tree = parser.all_(parser.dur)
    if tree is None:
        return None
    total: dict[str, Number] = {}
    for sdur in tree.children:
        if sdur.name != "sdur":
            continue
        sign_node = sdur.sublookup("sign")
        sign = -1 if sign_node is not None and sign_node.string == "-" else 1
        for key, value in _amounts(sdur).items():
            total[key] = total.get(key, 0) + sign * value
    return total


def parse_duration(text: object) -> FugitDuration | None:
    """``Fugit::Duration.parse``: a duration, or None."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return None
    source = f"{text}s" if not isinstance(text, str) else text
    stripped = source.strip(" \t\n\v\f\r\0")
    amounts = _plain(stripped)
    if amounts is None:
        iso = _Iso(stripped.upper())
        tree = iso.all_(iso.dur)
        amounts = _amounts(tree) if tree is not None else None
    if amounts is None:
        return None
    order = [key for key, _, _ in _KEYS]
    parts = tuple(sorted(amounts.items(), key=lambda kv: order.index(kv[0])))
    return FugitDuration(parts, str(text))
