"""What ``jobsim retries`` reads from its options (layer 7): the job hash of ``--job`` and the
first failure of ``--at``; bad input raises :class:`~jobsim.errors.JobsimError` naming the option.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from jobsim.clock import as_epoch
from jobsim.errors import JobsimError
from jobsim.replay import load_job

__all__ = ["first_failure", "read_job"]


def read_job(name: str) -> dict[str, Any]:
    if name == "-":
        return load_job(sys.stdin, name="stdin")
    path = Path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            return load_job(handle, name=str(path))
    except OSError as error:
        msg = f"--job {name}: cannot read it ({error.strerror})"
        raise JobsimError(msg) from None


def first_failure(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        msg = f"--at {text!r}: pass an ISO time with a zone, e.g. 2026-01-01T10:03:00Z"
        raise JobsimError(msg) from None
    return as_epoch(when, name="--at")
