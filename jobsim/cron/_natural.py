"""Fugit's natural-language schedules (layer 2): ``Fugit::Nat.parse`` of 1.5 and of 1.11+.

``nat_cron_texts("every day at 6pm and 8pm", modern=False)`` is ``["0 18,20 * * *"]``: the
cron text(s) Fugit hands to ``Fugit::Cron.parse`` for a phrase, one per distinct hour set
(``multi: true`` keeps them all, the default keeps the first), or None when the phrase does
not parse. Fugit 1.5's own bugs are kept under ``modern=False`` (``every day at 5:00pm`` is
05:00, ``12am`` is noon, ``every day at zero dark forty`` does not parse); ``modern=True``
follows Fugit's current rules (1.11 and later).

Where Fugit raises instead of answering, :class:`~jobsim.cron._nat_slots.FugitRaises` is
raised with Ruby's error class and message.
"""

from __future__ import annotations

import re

from jobsim.cron._nat_grammar import parse_tree
from jobsim.cron._nat_slots import FugitRaises, SlotGroup, rewrite_nat
from jobsim.cron._nat_slots import to_i as _to_i

__all__ = ["MAX_INPUT_LENGTH", "FugitRaises", "NatPhrase", "nat_phrase", "restrict"]

#: Fugit 1.11+ refuses longer phrases (after stripping); 1.5 has no limit.
MAX_INPUT_LENGTH = 256
_RUBY_STRIP = " \t\n\v\f\r\0"


class NatPhrase:
    """A parsed phrase: its slots, the cron texts, and the fields before joining."""

    __slots__ = ("fields", "group", "texts")

    def __init__(self, group: SlotGroup) -> None:
        self.group = group
        self.fields = [group.fields(hm) for hm in group.hour_minutes()]
        self.texts = [group.cron_text(f) for f in self.fields]


def nat_phrase(text: str, *, modern: bool) -> NatPhrase | None:
    """The cron texts Fugit makes of a phrase, or None when Fugit's grammar refuses it."""
    if modern:
        text = text.strip(_RUBY_STRIP)
        if len(text) > MAX_INPUT_LENGTH:
            return None
    tree = parse_tree(text, modern=modern)
    if tree is None:
        return None
    return NatPhrase(rewrite_nat(tree, modern=modern))


def restrict(fields: list[list[object]]) -> bool:
    """Fugit 1.11+'s ``strict: true`` test of a phrase's cron fields (``Nat.restrict``).

    "every 17 hours" makes ``0 */17 * * *``, a valid cron that fires at 00:00 and 17:00, which
    a strict parse refuses. As upstream's code reads, the test looks at the *start* of a
    ``start/step`` (``*`` counts as 0), so any ``*/n`` minute or hour step is refused; and it
    calls ``match`` on the first value of the first field, so a number there (a phrase with an
    explicit minute, ``every day at 5:30``) raises NoMethodError.
    """
    slash = re.compile(r"^(\d+|\*)/(\d+)$", re.ASCII)
    first = fields[0] if fields else None
    if first and first != [0]:
        head = first[0]
        if not isinstance(head, str):
            raise FugitRaises("NoMethodError", f"undefined method `match' for {head!r}")
        match = slash.match(head)
        if match and not 1 <= _to_i(match.group(1)) <= 60:
            return False
    second = fields[1] if len(fields) > 1 else None
    if second:
        head = second[0]
        if not isinstance(head, str):
            raise FugitRaises("NoMethodError", f"undefined method `match' for {head!r}")
        match = slash.match(head)
        if match and _to_i(match.group(1)) not in (1, 2, 3, 4, 5, 6, 8, 12):
            return False
    return True
