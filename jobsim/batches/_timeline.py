"""A batch's timeline: when each event fired and why, and when its callback job ran.

Read from the trace alone (its ``batch`` events and the ``Sidekiq::Batch::Callback`` jobs'
own events), so it works on a batch whose data has expired, as long as the trace kept them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jobsim.clock import format_time

from ._middleware import CALLBACK_CLASS

__all__ = ["TimelineEntry", "timeline"]


class TimelineEntry(NamedTuple):
    """One line of a batch's timeline."""

    ts: float
    #: ``created``, ``complete``, ``success``, ``death``, ``expired``, ``lingered``, or
    #: ``callback <event>`` for a run of a callback job (``started``, ``failed``, ``succeeded``).
    what: str
    why: str

    def __str__(self) -> str:
        return f"{format_time(self.ts)}  {self.what:<20} {self.why}".rstrip()


def timeline(sim: Any, bid: str) -> list[TimelineEntry]:
    """Every event of batch ``bid`` in ``sim``'s trace, in order."""
    entries: list[TimelineEntry] = []
    for event in sim.trace:
        job = event.job
        if event.kind == "batch" and event.jid == bid:
            detail = dict(event.detail)
            name = detail.pop("event")
            why = str(detail.pop("why", ""))
            rest = ", ".join(f"{key}={value!r}" for key, value in detail.items())
            entries.append(TimelineEntry(event.ts, name, "; ".join(p for p in (why, rest) if p)))
        elif job.get("class") == CALLBACK_CLASS and event.kind in (
            "started",
            "failed",
            "succeeded",
        ):
            args = job.get("args")
            if isinstance(args, list) and len(args) == 2 and args[1] == bid:
                why = f"job {event.jid}"
                if event.kind == "failed":
                    why += (
                        f": {event.detail.get('error_class')}: {event.detail.get('error_message')}"
                    )
                entries.append(TimelineEntry(event.ts, f"callback {args[0]} {event.kind}", why))
    return entries
