"""The report's numbers (layer 7): time series and tables worked out from a run's trace.

Everything the charts draw comes from :func:`report_data`, a JSON-native dict that the report
also embeds (``<script type="application/json" id="report-data">``), so a reader or a test can
recompute any series from the JSON-lines trace and compare.

Time is cut into equal bins (:func:`bin_width`: about 100–300 per run, never finer than a
scenario step). Per bin:

* ``busy_mean`` — threads busy on average (execution seconds overlapping the bin / bin width);
  ``busy_peak`` — most threads busy at once (the level carried into the bin, or after any
  start in it, in trace order). An execution runs from ``started`` to the job's
  next ``succeeded``, ``failed``, ``discarded``, ``interrupted`` or ``lost``.
* ``processed`` / ``failed`` / ``retries`` / ``deaths`` — ``started``, ``failed``,
  ``retry_scheduled`` and ``died`` events whose time falls in the bin.
* ``latency[queue]`` — enqueue-to-start seconds of the executions started in the bin:
  nearest-rank p50 and p95, and the max (as :class:`jobsim.views.Summary`).
* ``depth[queue]`` — the largest sampled queue size among the samples that end in the bin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobsim.queues import enqueued_seconds
from jobsim.replay._scenario import EXECUTION_ENDS

if TYPE_CHECKING:
    from jobsim.events import Event
    from jobsim.replay._scenario import ScenarioRun

__all__ = ["END_KINDS", "bin_width", "nearest_rank", "report_data", "wait_start"]

#: Events that end a running execution.
END_KINDS = EXECUTION_ENDS

#: Bin widths a report may use, in seconds: round numbers a reader can name.
_WIDTHS = (300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
_TARGET_BINS = 240


def bin_width(period: float, step: float) -> int:
    """The smallest round width giving at most about 240 bins, never below ``step``."""
    for width in _WIDTHS:
        if width >= step and period / width <= _TARGET_BINS:
            return width
    return _WIDTHS[-1] * max(1, math.ceil(period / _WIDTHS[-1] / _TARGET_BINS))


def wait_start(job: Mapping[str, Any]) -> float | None:
    """When the job was pushed, in epoch seconds (``enqueued_at``; Sidekiq 8's integer
    milliseconds taken first, as the common case)."""
    since = job.get("enqueued_at")
    if type(since) is int:
        return since / 1000.0
    if type(since) is float:
        return since
    return enqueued_seconds(job)


def nearest_rank(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted ``ordered`` (0.0 when empty)."""
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


class _Bins:
    def __init__(self, start: float, width: int, count: int) -> None:
        self.start, self.width, self.count = start, width, count

    def index(self, ts: float) -> int:
        return min(max(int((ts - self.start) // self.width), 0), self.count - 1)

    def zeros(self) -> list[float]:
        return [0.0] * self.count


def _busy(bins: _Bins, executions: Iterable[tuple[float, float]]) -> list[float]:
    """Thread-seconds per bin, divided by the bin width."""
    seconds = bins.zeros()
    for begin, end in executions:
        first, last = bins.index(begin), bins.index(end)
        for index in range(first, last + 1):
            low = max(begin, bins.start + index * bins.width)
            high = min(end, bins.start + (index + 1) * bins.width)
            if high > low:
                seconds[index] += high - low
    return [round(value / bins.width, 6) for value in seconds]


def report_data(run: ScenarioRun, events: Sequence[Event] | None = None) -> dict[str, Any]:
    """Every series and table of the report, from the run's trace (or ``events``, the trace
    as a list, when the caller has one) and samples."""
    period = run.end - run.start
    step = run.samples[0].ts - run.start if run.samples else period
    width = bin_width(period, step)
    count = max(1, math.ceil(period / width))
    bins = _Bins(run.start, width, count)
    queues = list(run.sim.queues)
    counts = {kind: bins.zeros() for kind in ("processed", "failed", "retries", "deaths")}
    column = {
        "started": "processed",
        "failed": "failed",
        "retry_scheduled": "retries",
        "died": "deaths",
    }
    latencies: dict[str, list[list[float]]] = {}
    peak = bins.zeros()
    seen = 0  # bins before this one have their peak; the level carries into the next
    open_runs: dict[str, tuple[float, str]] = {}
    executions: list[tuple[float, float]] = []
    per_class: dict[str, list[float]] = {}
    start, last_bin, ends = run.start, count - 1, frozenset(END_KINDS)
    level = 0.0  # executions running now
    # One pass over what may be millions of events: arithmetic inlined, no helper calls on
    # the common path.
    for event in run.sim.trace if events is None else events:
        kind, ts = event.kind, event.ts
        here = int((ts - start) // width)
        if here > last_bin or here < 0:
            here = last_bin if here > last_bin else 0
        while seen < here:
            seen += 1
            if level > peak[seen]:
                peak[seen] = level
        name = column.get(kind)
        if name is not None:
            counts[name][here] += 1
        if kind == "started":
            job = event.job
            open_runs[event.jid] = (ts, str(job.get("class")))
            level += 1.0
            if level > peak[here]:
                peak[here] = level
            since = wait_start(job)
            if since is not None:
                queue = str(job.get("queue"))
                rows = latencies.get(queue)
                if rows is None:
                    rows = latencies[queue] = [[] for _ in range(count)]
                rows[here].append(ts - since if ts > since else 0.0)
        elif kind in ends and event.jid in open_runs:
            began, klass = open_runs.pop(event.jid)
            level -= 1.0
            executions.append((began, ts))
            per_class.setdefault(klass, []).append(ts - began)
    for index in range(seen + 1, count):
        peak[index] = float(len(open_runs))  # bins after the last event keep the last level
    names = queues + sorted(set(latencies) - set(queues))
    latency = {}
    for queue in names:
        rows = latencies.get(queue) or [[] for _ in range(count)]
        ordered = [sorted(row) for row in rows]
        latency[queue] = {
            "count": [len(row) for row in ordered],
            "p50": [nearest_rank(row, 0.5) for row in ordered],
            "p95": [nearest_rank(row, 0.95) for row in ordered],
            "max": [row[-1] if row else 0.0 for row in ordered],
        }
    depth_names = list(dict.fromkeys([*queues, *(q for s in run.samples for q in s.queues)]))
    depth = {queue: bins.zeros() for queue in depth_names}
    sets = {name: bins.zeros() for name in ("scheduled", "retry", "dead")}
    for sample in run.samples:
        index = bins.index(sample.ts - 1e-9)
        for queue, size in sample.queues.items():
            depth[queue][index] = max(depth[queue][index], float(size))
        for name in sets:
            sets[name][index] = max(sets[name][index], float(getattr(sample, name)))
    busy_mean = _busy(bins, executions)
    return {
        "start": run.start,
        "end": run.end,
        "bin": width,
        "bins": count,
        "concurrency": run.sim.concurrency,
        "processes": [
            {
                "name": "process 1",
                "concurrency": run.sim.concurrency,
                "busy_mean": busy_mean,
                "busy_peak": peak,
                "utilisation": [round(v / run.sim.concurrency, 6) for v in busy_mean],
            }
        ],
        **counts,
        "latency": latency,
        "depth": depth,
        "sets": sets,
        "execution": _execution_table(per_class),
    }


def _execution_table(per_class: dict[str, list[float]]) -> list[dict[str, Any]]:
    table = []
    for name in sorted(per_class):
        ordered = sorted(per_class[name])
        table.append(
            {
                "class": name,
                "executions": len(ordered),
                "p50": nearest_rank(ordered, 0.5),
                "p95": nearest_rank(ordered, 0.95),
                "max": ordered[-1],
                "busy_seconds": round(math.fsum(ordered), 3),
            }
        )
    return table
