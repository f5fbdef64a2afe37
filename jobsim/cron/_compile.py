"""From Fugit text to a cron's sets (layer 2): cron syntax first, then natural language.

``compile_fugit(expression, modern=...)`` does what ``Fugit::Cron.parse(s) ||
Fugit::Nat.parse(s)`` does in the version chosen (1.5 or 1.11+), and explains a refusal
with a position and a reason instead of Fugit's nil. The cron text a phrase became is
returned too (Fugit's ``original``), so a user can see that ``every 4M`` is ``0 0 1 */4 *``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from jobsim.cron._errors import CronSyntaxError
from jobsim.cron._fields import MAXDAYS, Element, FieldError, FugitFields, build_fields
from jobsim.cron._natural import FugitRaises, nat_phrase
from jobsim.cron._parse import Draw, diagnose, parse_fugit
from jobsim.cron._zones import resolve_zone
from jobsim.rng import SimRandom, Stream

__all__ = [
    "SPECIALS",
    "Compiled",
    "compile_cron_text",
    "compile_fugit",
    "default_draw",
    "version_name",
]

#: Fugit's shortcuts (1.5: the exact text only; 1.11+: also followed by a zone).
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
_RUBY_STRIP = " \t\n\v\f\r\0"
_MONTH_NAMES: tuple[str, ...] = ("", "January", "February", "March", "April", "May", "June")
_MONTH_NAMES += ("July", "August", "September", "October", "November", "December")


def default_draw(expression: str) -> Stream:
    """Where a ``~`` picks when no ``random=`` is given: a stream seeded by the text alone,
    so the same cron always picks the same minute (Fugit picks once, at parse time)."""
    return SimRandom(0).stream(f"fugit ~ {expression}")


def version_name(modern: bool) -> str:
    return "Fugit 1.11+" if modern else "Fugit 1.5.2"


@dataclass(frozen=True, slots=True)
class Compiled:
    """A cron's sets, the zone written in it, and the cron text (after any phrase)."""

    fields: FugitFields
    zone: tzinfo | None
    source: str


def cron_source(expression: str, *, modern: bool) -> str:
    """The text Fugit's cron grammar sees: specials replaced (1.11+: stripped first)."""
    if not modern:
        return SPECIALS.get(expression, expression)
    text = expression.strip(_RUBY_STRIP)
    if text.startswith("@"):
        head, *rest = text.split(None, 1)
        return " ".join([SPECIALS.get(head, head), *rest])
    return text


def compile_cron_text(
    expression: str, source: str, *, modern: bool, draw: Draw = False
) -> Compiled | None:
    """The cron syntax alone: None when the grammar refuses the text (a phrase may follow)."""
    parsed, _far = parse_fugit(source, modern=modern, draw=draw)
    if parsed is None:
        return None
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
            modern=modern,
            day_and=parsed.day_and,
        )
    except FieldError as exc:
        raise CronSyntaxError(expression, None, str(exc)) from None
    if fields is None:
        raise CronSyntaxError(expression, None, _never_reason(parsed.monthdays, parsed.months))
    return Compiled(fields, zone, source)


def compile_fugit(expression: str, *, modern: bool, draw: Draw | None = None) -> Compiled:
    """Cron text or phrase to sets, as the chosen Fugit version reads it.

    Raises:
        CronSyntaxError: For text neither the cron grammar nor the phrase grammar accepts,
            a phrase whose cron Fugit rejects, and a phrase on which Fugit raises.
    """
    source = cron_source(expression, modern=modern)
    if draw is None:  # "~" picks, fixed at parse time: seeded by the text, never global
        draw = default_draw(expression) if modern and "~" in source else False
    if source.startswith("@reboot"):
        raise CronSyntaxError(expression, 0, "@reboot has no fire times (Fugit returns nil)")
    compiled = compile_cron_text(expression, source, modern=modern, draw=draw)
    if compiled is not None:
        return compiled
    try:
        phrase = nat_phrase(expression, modern=modern)
    except FugitRaises as exc:
        raise CronSyntaxError(
            expression, None, f"{version_name(modern)} raises {exc} on this phrase"
        ) from None
    if phrase is None:
        if any(_is_word(token) for token in source.split()):
            reason = (
                f"neither a cron nor a phrase {version_name(modern)} reads "
                f"(docs/how-to/cron.md lists the phrases of each version)"
            )
            raise CronSyntaxError(expression, None, reason)
        _far_parsed, far = parse_fugit(source, modern=modern, draw=draw)
        position, reason = diagnose(source, far)
        raise CronSyntaxError(expression, position, reason)
    text = phrase.texts[0]
    try:
        compiled = compile_cron_text(expression, text, modern=modern, draw=draw)
    except CronSyntaxError as exc:
        compiled, why = None, exc.reason
    else:
        why = "its cron grammar refuses it"
    if compiled is None:
        reason = (
            f"{version_name(modern)} reads this phrase as {text!r}, which it then rejects "
            f"({why}); Fugit's parse returns nil"
        )
        raise CronSyntaxError(expression, None, reason)
    return compiled


def _is_word(token: str) -> bool:
    """A plain word of four letters or more (a phrase's, not a cron's: names have three)."""
    return token.isascii() and token.isalpha() and len(token) >= 4 and token.lower() != "last"


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
