"""The report's batch timeline: when each Sidekiq Pro batch event fired, why, and when its
callback job ran (only in reports of runs that used :mod:`jobsim.batches`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobsim.batches import timeline
from jobsim.clock import format_time
from jobsim.events import Event
from jobsim.report._tables import table

__all__ = ["batch_section"]

#: Rows shown at most (a run with thousands of batches lists the first ones).
MAX_ROWS = 500


def batch_section(sim: Any, events: Sequence[Event]) -> tuple[str, str, str] | None:
    """``(id, heading, html)`` of the batch timeline, or None when the run made no batch."""
    bids = list(dict.fromkeys(e.jid for e in events if e.kind == "batch"))
    if not bids:
        return None
    rows: list[list[Any]] = []
    for bid in bids:
        description = next(
            (e.detail.get("description") for e in events if e.kind == "batch" and e.jid == bid),
            None,
        )
        for entry in timeline(sim, bid):
            rows.append([format_time(entry.ts), bid, description or "", entry.what, entry.why])
    rows.sort(key=lambda row: row[0])  # stable: a batch's own order holds within an instant
    shown = table("batches", ["at", "bid", "description", "what", "why"], rows[:MAX_ROWS])
    if len(rows) > MAX_ROWS:
        shown += f'<p class="note">and {len(rows) - MAX_ROWS:,} more</p>'
    return ("batches", f"Batches ({len(bids):,})", shown)
