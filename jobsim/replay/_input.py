"""Reading user input for replays (layer 7): job hashes from JSON, durations like ``7d``, and
the range of times a replay can show."""

from __future__ import annotations

import json
import re
from typing import IO, Any

from jobsim import validate
from jobsim.errors import InvalidArgument

__all__ = [
    "LAST_SHOWN_TIME",
    "check_shown_time",
    "load_job",
    "parse_duration",
    "past_the_last_time",
]

#: 9999-01-01T00:00:00Z: the last instant jobsim represents (jobsim.validate.EPOCH_MAX, which
#: leaves a Python datetime room for a zone's offset), so a replay refuses before the clock does.
LAST_SHOWN_TIME = validate.EPOCH_MAX

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, None: 1}


def parse_duration(text: str, *, option: str = "duration") -> float:
    """Seconds of ``90``, ``30s``, ``15m``, ``2h``, ``7d`` or ``1w``."""
    match = _DURATION.match(text)
    if match is None:
        msg = f"{option} {text!r}: pass a number of seconds or a number with s, m, h, d or w (7d)"
        raise InvalidArgument(msg)
    seconds = float(match.group(1)) * _UNIT[match.group(2)]
    return validate.number(
        seconds,
        name=option,
        subject=f"{option} {text[:40]!r}",
        why="too large to be a number of seconds",
        expected="a shorter one",
    )


def check_shown_time(seconds: float, what: str) -> float:
    """``seconds`` (epoch) when a replay can show it: finite, from 1970 to 9999-01-01.

    ``what`` heads the message: the option as typed or the field of the job hash.
    """
    return validate.number(
        seconds,
        name=what,
        low=0,
        high=LAST_SHOWN_TIME,
        subject=what,
        why=f"{seconds!r} epoch seconds is not a time between 1970-01-01 and 9999-01-01",
        expected="a time in that range",
    )


def past_the_last_time(what: str, limit: str) -> str:
    """The message for a schedule that runs past :data:`LAST_SHOWN_TIME`."""
    return (
        f"{what} would run after 9999-01-01T00:00:00Z, the last time jobsim can represent; "
        f"pass fewer retries ({limit}), a retry_for window or an earlier first failure"
    )


def load_job(source: IO[str], *, name: str = "job") -> dict[str, Any]:
    """A Sidekiq job hash from JSON text: the hash itself, or a ``{"score": …, "item": …}``
    entry as ``Sidekiq::SortedEntry`` shows it (``job``/``item`` both accepted)."""
    try:
        text = source.read()
    except UnicodeDecodeError as error:
        msg = (
            f"{name}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8 JSON"
        )
        raise InvalidArgument(msg) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"{name}: not JSON ({error.msg} at line {error.lineno}); pass a job hash as JSON"
        raise InvalidArgument(msg) from None
    except RecursionError:
        msg = f"{name}: JSON nested too deeply to read; pass a Sidekiq job hash"
        raise InvalidArgument(msg) from None
    if isinstance(data, dict):
        for key in ("item", "job"):
            if isinstance(data.get(key), dict) and "class" not in data:
                data = data[key]
                break
    if not isinstance(data, dict):
        msg = f"{name}: expected a JSON object (a Sidekiq job hash), got {type(data).__name__}"
        raise InvalidArgument(msg)
    return data
