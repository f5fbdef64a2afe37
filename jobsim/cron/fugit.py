"""Fugit's parse functions (layer 2), for the Fugit version you choose.

sidekiq-cron and sidekiq-scheduler hand a schedule's text to Fugit, which tries it as a cron,
then a duration, then a natural-language phrase, then a point in time. These functions do the
same, in the dialect of a Fugit version (``"fugit-1.5"``, the default, or ``"fugit-1.11"``)::

    from jobsim.cron.fugit import parse, parse_nat
    parse("every day at noon")                  # Cron: 0 12 * * *
    parse("1Y3M2d").to_plain_s()               # a FugitDuration: "1Y3M2D"
    parse_nat("every day at 6pm and 8:30pm", multi=True)   # two crons

Where Fugit returns nil they return None; where Fugit raises they raise
:class:`~jobsim.cron.CronSyntaxError`, with Ruby's error in the reason. A phrase's cron keeps
the phrase as ``expression`` and Fugit's cron text as ``source``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Literal

from jobsim.cron._at import parse_at, time_to_plain_s
from jobsim.cron._compile import compile_cron_text, cron_source, default_draw, version_name
from jobsim.cron._cron import Cron, Dialect
from jobsim.cron._duration import FugitDuration, parse_duration
from jobsim.cron._errors import CronSyntaxError
from jobsim.cron._natural import MAX_INPUT_LENGTH, FugitRaises, nat_phrase, restrict
from jobsim.cron._parse import Draw
from jobsim.errors import InvalidArgument

__all__ = [
    "FugitDuration",
    "Multi",
    "determine_type",
    "do_parse",
    "do_parse_nat",
    "parse",
    "parse_cron",
    "parse_cronish",
    "parse_duration",
    "parse_nat",
    "time_to_plain_s",
]

#: Fugit's ``multi:`` option: the first cron, all of them, or raise when there are several.
Multi = bool | Literal["fail"]
FugitValue = Cron | FugitDuration | datetime


def _modern(dialect: Dialect) -> bool:
    if dialect not in ("fugit", "fugit-1.5", "fugit-1.11"):
        msg = f"dialect={dialect!r}: pass 'fugit-1.5' (alias 'fugit') or 'fugit-1.11'"
        raise InvalidArgument(msg)
    return dialect == "fugit-1.11"


def _raise(text: object, modern: bool, ruby_error: str) -> CronSyntaxError:
    shown = text if isinstance(text, str) else repr(text)
    return CronSyntaxError(shown, None, f"{version_name(modern)} raises {ruby_error}")


def _inspect(text: object) -> str:
    if isinstance(text, bool):
        return "true" if text else "false"
    return '"' + str(text) + '"' if isinstance(text, str) else repr(text)


def parse_cron(
    text: object, *, dialect: Dialect = "fugit", random: Draw | None = None
) -> Cron | None:
    """``Fugit.parse_cron``: the cron syntax alone (no phrases), or None.

    ``random`` is Fugit 1.11+'s option for ``~`` (see :class:`~jobsim.cron.Cron`).
    """
    modern = _modern(dialect)
    if not isinstance(text, str):
        return None
    source = cron_source(text, modern=modern)
    draw: Draw = random if random is not None else (default_draw(text) if "~" in text else False)
    try:
        compiled = compile_cron_text(text, source, modern=modern, draw=draw)
    except CronSyntaxError:  # never fires, unknown zone: Fugit's nil
        return None
    return None if compiled is None else Cron._of(text, dialect, compiled)


def parse_nat(
    text: object, *, dialect: Dialect = "fugit", multi: Multi = False, strict: bool = False
) -> Cron | list[Cron | None] | None:
    """``Fugit::Nat.parse``: the cron(s) of a phrase, or None.

    Args:
        multi: False (the first cron), True (one cron per distinct set of hours: ``every
            day at 18:15 and 20:45`` is two), or ``"fail"`` (raise when there are several).
        strict: Fugit 1.11+'s ``strict:``: refuse steps that do not divide the hour or day.
    """
    modern = _modern(dialect)
    if not isinstance(text, str):
        return None
    try:
        phrase = nat_phrase(text, modern=modern)
        if phrase is None:
            return None
        if multi == "fail" and len(phrase.texts) > 1:
            raise FugitRaises("ArgumentError", f"multiple crons in {_inspect(text)}")
        crons: list[Cron | None] = []
        for fields, cron_text in zip(phrase.fields, phrase.texts, strict=True):
            if (not multi or multi == "fail") and crons:
                break
            compiled = compile_cron_text(text, cron_text, modern=modern)
            cron = None if compiled is None else Cron._of(text, dialect, compiled)
            if cron is not None and strict and modern and not restrict(fields):
                cron = None
            crons.append(cron)
    except FugitRaises as exc:
        raise _raise(text, modern, str(exc)) from None
    except CronSyntaxError:
        return None
    if multi is True:
        return crons
    return crons[0]


def do_parse_nat(
    text: object, *, dialect: Dialect = "fugit", multi: Multi = False, strict: bool = False
) -> Cron | list[Cron | None]:
    """``Fugit::Nat.do_parse``: like :func:`parse_nat`, raising where it returns None."""
    modern = _modern(dialect)
    if modern and isinstance(text, str) and len(text.strip()) > MAX_INPUT_LENGTH:
        length = len(text.strip())
        why = f"input too long for a nat string, {length} > {MAX_INPUT_LENGTH}"
        raise _raise(text, modern, f"ArgumentError: {why}")
    found = parse_nat(text, dialect=dialect, multi=multi, strict=strict)
    if found is None:
        raise _raise(text, modern, f"ArgumentError: could not parse a nat {_inspect(text)}")
    return found


def parse(
    text: object,
    *,
    dialect: Dialect = "fugit",
    cron: bool = True,
    duration: bool = True,
    nat: bool = True,
    at: bool = True,
    tz: tzinfo = UTC,
    multi: Multi = False,
    strict: bool = False,
) -> FugitValue | list[Cron | None] | None:
    """``Fugit.parse``: a cron, then a duration, then a phrase, then a time; or None.

    ``cron=False`` (and ``duration=``, ``nat=``, ``at=``) skips a kind, as Fugit's options
    do. A time is read in ``tz`` unless it names a zone; only ISO-like times are read (see
    :mod:`jobsim.cron._at`), where Fugit 1.5 falls back on Ruby's lenient ``Time.parse``.
    """
    _modern(dialect)
    if cron:
        found_cron = parse_cron(text, dialect=dialect)
        if found_cron is not None:
            return found_cron
    if duration:
        found_duration = parse_duration(text)
        if found_duration is not None:
            return found_duration
    if nat:
        found_nat = parse_nat(text, dialect=dialect, multi=multi, strict=strict)
        if found_nat is not None:
            return found_nat
    if at:
        return parse_at(text, tz)
    return None


def do_parse(
    text: object, *, dialect: Dialect = "fugit", tz: tzinfo = UTC
) -> FugitValue | list[Cron | None]:
    """``Fugit.do_parse``: like :func:`parse`, raising where it returns None."""
    found = parse(text, dialect=dialect, tz=tz)
    if found is None:
        why = f"ArgumentError: found no time information in {_inspect(text)}"
        raise _raise(text, _modern(dialect), why)
    return found


def parse_cronish(text: object, *, dialect: Dialect = "fugit") -> Cron | None:
    """``Fugit.parse_cronish`` (1.11+; offered for 1.5 too): a cron or a phrase, else None."""
    found = parse_cron(text, dialect=dialect)
    if found is not None:
        return found
    nat = parse_nat(text, dialect=dialect)
    return nat if isinstance(nat, Cron) else None


def determine_type(text: object, *, dialect: Dialect = "fugit") -> str | None:
    """``Fugit.determine_type``: ``"cron"``, ``"in"`` (a duration), ``"at"`` or None."""
    found = parse(text, dialect=dialect)
    if isinstance(found, Cron):
        return "cron"
    if isinstance(found, FugitDuration):
        return "in"
    if isinstance(found, datetime):
        return "at"
    return None
