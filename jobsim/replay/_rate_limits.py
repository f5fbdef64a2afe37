"""What rate limits did to a run, per job class (layer 7): sidekiq-throttled's refusals and
Sidekiq Enterprise limiters' reschedules side by side, for the summary and the report.

Both plugins already count per class (``sim.throttles.summary()``,
``limiters(sim).summary()``); this only puts the two in one shape. A run with neither plugin
has no rate-limit rows at all (None), so its summary and report stay as they were.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RATE_LIMIT_PLUGINS", "rate_limit_rows"]

#: The plugins whose counts the rows gather (``Plugin.name``).
RATE_LIMIT_PLUGINS = ("throttled", "limiters")


def rate_limit_rows(sim: Any) -> list[dict[str, Any]] | None:
    """One row per job class a limit touched, sorted by class, or None without the plugins.

    * ``throttled``: fetches sidekiq-throttled refused;
    * ``requeued``: refused jobs pushed back onto a queue (``requeue: {with: "enqueue"}``);
    * ``rescheduled``: refused jobs replaced by a scheduled one (``with: "schedule"``), plus
      executions a limiter's ``OverLimit`` rescheduled;
    * ``wait``: seconds the limits added: throttled jobs' first refusal to start, plus the
      time executions spent waiting inside ``within_limit``.
    """
    installed = {getattr(plugin, "name", None) for plugin in sim.plugins}
    if not installed.intersection(RATE_LIMIT_PLUGINS):
        return None
    rows: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        found = rows.get(name)
        if found is None:
            found = rows[name] = {
                "class": name,
                "throttled": 0,
                "requeued": 0,
                "rescheduled": 0,
                "wait": 0.0,
            }
        return found

    if "throttled" in installed:
        for name, counts in sim.throttles.summary().items():
            target = row(name)
            target["throttled"] += int(counts["throttled"])
            target["requeued"] += int(counts["requeued"])
            target["rescheduled"] += int(counts["rescheduled"])
            target["wait"] += float(counts["wait"])
    if "limiters" in installed:
        from jobsim.limiters import limiters  # only for runs that installed the plugin

        for name, counts in limiters(sim).summary().items():
            target = row(name)
            target["rescheduled"] += int(counts["rescheduled"])
            target["wait"] += float(counts["waited"])
    return [rows[name] for name in sorted(rows)]
