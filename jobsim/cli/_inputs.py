"""What ``jobsim retries`` reads from its options (layer 7): the job hash of ``--job`` and the
first failure of ``--at``; bad input raises :class:`~jobsim.errors.JobsimError` naming the option.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from jobsim.clock import as_epoch
from jobsim.errors import JobsimError
from jobsim.options import validate_options
from jobsim.replay import check_shown_time, load_job, parse_duration

__all__ = ["checked_retry_options", "epoch_option", "first_failure", "read_job"]


def read_job(name: str) -> dict[str, Any]:
    if name == "-":
        return load_job(sys.stdin, name="--job - (stdin)")
    path = Path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            return load_job(handle, name=f"--job {path}")
    except OSError as error:
        msg = f"--job {name}: cannot read it ({error.strerror})"
        raise JobsimError(msg) from None


def _iso_time(text: str, option: str) -> float:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        msg = f"{option} {text!r}: pass an ISO time with a zone, e.g. 2026-01-01T10:03:00Z"
        raise JobsimError(msg)
    return check_shown_time(as_epoch(when, name=option), f"{option} {text!r}")


def first_failure(text: str | None) -> float | None:
    """``--at ISO``: when a fresh job first fails."""
    return None if text is None else _iso_time(text, "--at")


def epoch_option(text: str | None, *, option: str) -> float | None:
    """An option taking epoch seconds (``1767225600``) or an ISO time with a zone."""
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _iso_time(text, option)
    return check_shown_time(seconds, f"{option} {text!r}")


def checked_retry_options(args: argparse.Namespace) -> float | None:
    """``--retry`` and ``--retry-for`` through the job options' own validators (the rules a
    job class is held to); returns ``--retry-for`` in seconds."""
    retry_for = None
    if args.retry_for is not None:
        retry_for = parse_duration(args.retry_for, option="--retry-for")
    for option, text, key, value in (
        ("--retry", args.retry, "retry", args.retry),
        ("--retry-for", args.retry_for, "retry_for", retry_for),
    ):
        if value is not None:
            validate_options({key: value}, where=f"{option} {text}")
    return retry_for
