"""What happens in a simulation, as records (layer 2).

Every change of a job's place appends one :class:`Event` to the trace: ``enqueued``,
``scheduled``, ``started``, ``succeeded``, ``failed``, ``retry_scheduled``,
``retries_exhausted``, ``died``, ``discarded`` (with the reason), ``interrupted`` (pushed back
to its queue by a shutdown or a reliable-fetch crash), ``lost`` (a crash under basic fetch),
``restored`` (placed by loading a saved state), ``cron_enqueued`` (a recurring job's poller
enqueued it), ``batch`` (a Sidekiq Pro batch was created, fired an event or expired: its
``jid`` is the bid and ``detail["event"]`` says what), ``lock_conflict`` (a unique-jobs plugin
refused, replaced or rescheduled a job), and ``hook_error`` when user code in a hook raised.
Each carries the Sidekiq job hash as it was at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from jobsim.clock import format_time, to_datetime

__all__ = ["EVENT_KINDS", "Event"]

#: Every event kind, in the order a job's life usually meets them.
EVENT_KINDS: Final = (
    "enqueued",
    "scheduled",
    "started",
    "succeeded",
    "failed",
    "retry_scheduled",
    "retries_exhausted",
    "died",
    "discarded",
    "interrupted",
    "lost",
    "restored",
    "cron_enqueued",
    "batch",
    "lock_conflict",
    "hook_error",
    "throttled",
    "limiter",
)

_EMPTY: Mapping[str, Any] = {}


class Event:
    """One thing that happened to one job at one virtual instant.

    ``job`` is the job hash as it was then; jobsim never mutates a hash after recording it,
    so events may share one dict. ``detail`` holds kind-specific facts (``delay``,
    ``retry_at``, ``reason``, ``error_class``…).
    """

    __slots__ = ("detail", "jid", "job", "kind", "seq", "ts")

    def __init__(
        self,
        seq: int,
        kind: str,
        ts: float,
        jid: str,
        job: Mapping[str, Any],
        detail: Mapping[str, Any] = _EMPTY,
    ) -> None:
        self.seq = seq
        self.kind = kind
        self.ts = ts
        self.jid = jid
        self.job = job
        self.detail = detail

    @property
    def at(self) -> datetime:
        """When it happened, as an aware UTC datetime."""
        return to_datetime(self.ts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-native dict of the event (used for JSON lines and reports)."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "at": format_time(self.ts),
            "ts": self.ts,
            "jid": self.jid,
            "class": self.job.get("class"),
            "queue": self.job.get("queue"),
            "detail": dict(self.detail),
            "job": dict(self.job),
        }

    def __repr__(self) -> str:
        extra = "".join(f" {key}={value!r}" for key, value in self.detail.items())
        return (
            f"<Event #{self.seq} {self.kind} {format_time(self.ts)} "
            f"{self.job.get('class')} jid={self.jid}{extra}>"
        )
