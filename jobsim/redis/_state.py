"""A simulator's state to and from Sidekiq's layout (layer 7, private).

:func:`save_state` writes what a :class:`~jobsim.Simulator` holds so Sidekiq's own API and Web
UI can look at it; :func:`load_state` reads a live Sidekiq state (or a dump) into a simulator.
Jobs whose class the simulator does not know are loaded unchanged with a
:class:`~jobsim.JobsimWarning`: they stay where they were, and if one is ever performed the
engine fails it as Sidekiq fails a job whose class it cannot find.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.errors import InvalidArgument, JobsimWarning
from jobsim.redis._decode import DEFAULT_MAX_MEMBER_BYTES
from jobsim.redis._dump import parse_dump
from jobsim.redis._layout import DAILY_PREFIXES, SET_KEYS, Layout
from jobsim.redis._read import decode_raw, read_raw
from jobsim.redis._write import clear_layout, write_layout

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["LoadReport", "load_dump", "load_state", "save_state", "snapshot"]


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_state` put into the simulator."""

    #: Jobs per place: ``queue:NAME``, ``schedule``, ``retry``, ``dead``.
    counts: dict[str, int]
    #: Jobs per class name the simulator does not know (loaded unchanged, never dropped).
    unknown_classes: dict[str, int]
    processed: int = 0
    failed: int = 0
    #: The daily counters found (``stat:processed:YYYY-MM-DD`` → count); the simulator keeps
    #: only the totals.
    daily: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Jobs loaded."""
        return sum(self.counts.values())


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def snapshot(sim: Simulator) -> Layout:
    """The simulator's queues, sets and counters as a :class:`Layout` (nothing is copied
    deeper than the lists; the job hashes are the simulator's own)."""
    layout = Layout()
    served = sim.queues
    # A queue the simulator does not serve still holds its jobs, as Redis would.
    unserved = sorted(name for name in sim.stats.queues if name not in served)
    for name in [*served, *unserved]:
        layout.queues[name] = [dict(job) for job in sim.queue(name).jobs]
    for key, view in zip(SET_KEYS, (sim.scheduled, sim.retries, sim.dead), strict=True):
        layout.sets[key] = [(entry.score, dict(entry.job)) for entry in reversed(list(view))]
    layout.processed = sim.stats.processed
    layout.failed = sim.stats.failed
    # Daily counters from the trace, as Sidekiq's heartbeat adds each attempt to its day.
    trace = sim.trace
    if trace.total == len(trace):
        for kind, prefix in (("started", "stat:processed:"), ("failed", "stat:failed:")):
            per_day = Counter(_day(event.ts) for event in trace.of_kind(kind))
            layout.daily.update({f"{prefix}{day}": n for day, n in sorted(per_day.items())})
    return layout


def save_state(
    sim: Simulator, redis: Any, *, clear: bool = True, daily: Mapping[str, int] | None = None
) -> Layout:
    """Write ``sim``'s queues, sets and counters into ``redis`` in Sidekiq's layout.

    With ``clear`` (the default) Sidekiq's job keys already in ``redis`` are deleted first, so
    the keyspace shows exactly the simulator's state; a plugin with a ``save_redis(sim, redis,
    clear=)`` hook writes its own state too (the unique-jobs locks), and ``load_state`` calls
    its ``load_redis(redis, sim)``. Jobs running at this instant are not
    written (a Sidekiq process holds them only in memory) and a warning says so. Returns the
    :class:`Layout` written.

    The daily counters (``stat:processed:YYYY-MM-DD``…) are counted from the simulator's
    trace. A loaded state's own daily counters are not kept by the simulator: pass
    ``daily=report.daily`` (the :class:`LoadReport` of :func:`load_state`) to write them back,
    added to the simulator's, so a load and save round trip keeps the Web UI's history too.
    """
    if sim.running:
        jids = ", ".join(str(job.get("jid")) for job in sim.running)
        warnings.warn(
            JobsimWarning(
                f"{len(sim.running)} running job(s) are not written to Redis ({jids}); Sidekiq "
                f"keeps running jobs only in process memory: save after drain() or run_until()"
            ),
            stacklevel=2,
        )
    layout = snapshot(sim)
    for key, count in (daily or {}).items():
        given: object = count
        if not key.startswith(DAILY_PREFIXES):
            msg = f"save_state(daily=...): {key!r} is not a stat:processed:/stat:failed: key"
            raise InvalidArgument(msg)
        validate.whole(given, name=f"save_state(daily={{{key!r}: ...}})", low=0)
        layout.daily[key] = layout.daily.get(key, 0) + count
    layout.daily = dict(sorted(layout.daily.items()))
    if clear:
        clear_layout(redis)
    write_layout(redis, layout)
    for plugin in sim.plugins:  # plugins keeping state in Redis too (unique-jobs locks)
        save = getattr(plugin, "save_redis", None)
        if save is not None:
            save(sim, redis, clear=clear)
    return layout


def load_state(
    redis: Any, sim: Simulator, *, max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
) -> LoadReport:
    """Read Sidekiq's queues, sets and counters from ``redis`` into ``sim``.

    Every member is checked first (see :class:`~jobsim.redis.RedisDataError`); only then is
    anything added, so a bad member leaves ``sim`` untouched.
    """
    layout = decode_raw(read_raw(redis), max_member_bytes=max_member_bytes)
    report = apply_layout(layout, sim)
    for plugin in sim.plugins:  # see save_state
        load = getattr(plugin, "load_redis", None)
        if load is not None:
            load(redis, sim)
    return report


def load_dump(
    lines: Iterable[str], sim: Simulator, *, max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
) -> LoadReport:
    """Like :func:`load_state`, from the JSON lines of a dump (see :func:`dump_state`)."""
    raw, _ = parse_dump(lines, max_line_bytes=2 * max_member_bytes + 4096)
    return apply_layout(decode_raw(raw, max_member_bytes=max_member_bytes), sim)


def apply_layout(layout: Layout, sim: Simulator) -> LoadReport:
    """Put a decoded :class:`Layout` into ``sim``; warns once about unknown classes."""
    counts: dict[str, int] = {}
    unknown: Counter[str] = Counter()
    known: dict[str, bool] = {}

    def note(job: dict[str, Any]) -> None:
        name = job["class"]
        found = known.get(name)
        if found is None:
            found = known[name] = sim._restore.knows(name)
        if not found:
            unknown[name] += 1

    for name, jobs in layout.queues.items():
        for job in jobs:
            note(job)
        sim._restore.queue(name, jobs)
        counts[f"queue:{name}"] = len(jobs)
    for key in SET_KEYS:
        entries = layout.sets.get(key, [])
        for score, job in entries:
            note(job)
            sim._restore.entry(key, score, job)  # type: ignore[arg-type]
        counts[key] = len(entries)
    sim._restore.stats(processed=layout.processed, failed=layout.failed)
    if unknown:
        listed = ", ".join(f"{name} ×{n}" for name, n in sorted(unknown.items()))
        warnings.warn(
            JobsimWarning(
                f"{sum(unknown.values())} loaded job(s) name classes this simulator does not know "
                f"({listed}); they were kept unchanged where they were. Register the classes "
                f"with sim.register(...) before loading; a job performed without its class fails "
                f"with NameError, as in Sidekiq"
            ),
            stacklevel=3,
        )
    return LoadReport(
        counts=counts,
        unknown_classes=dict(sorted(unknown.items())),
        processed=layout.processed,
        failed=layout.failed,
        daily=dict(layout.daily),
    )
