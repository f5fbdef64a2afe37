"""Whole scenarios (layer 7): a directory of config and modelled jobs, run for a virtual period.

A scenario directory holds:

``sidekiq.yml``
    Concurrency and queues, read by :meth:`jobsim.Simulator.from_sidekiq_yml` (optional).
``schedule.yml``
    sidekiq-cron entries (optional), run by sidekiq-cron's poller rules
    (:mod:`jobsim.cron.recurring`).
``jobs.py``
    The job classes, whose behaviour is modelled with :mod:`jobsim.replay.model`, and
    ``tick(ctx)``, called with the simulator active at the start of every step (``STEP``, a
    timedelta, default five minutes) to enqueue that step's traffic. ``ctx`` is a
    :class:`Tick`: ``now``, ``step``, ``rng`` (the scenario's own seeded stream), ``cron``
    (whether schedule.yml runs) and ``sim``.

The run samples queue depth and set sizes after every step, then summarises the trace.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from jobsim.clock import DEFAULT_START, format_time
from jobsim.cron.recurring import install_schedule
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.replay._input import LAST_SHOWN_TIME
from jobsim.rng import SimRandom, Stream
from jobsim.simulator import Simulator

__all__ = ["CronStatus", "Sample", "ScenarioRun", "Tick", "install_cron", "run_scenario"]

DEFAULT_STEP = timedelta(minutes=5)
JOBS_FILE = "jobs.py"


@dataclass(frozen=True, slots=True)
class Tick:
    """What a scenario's ``tick(ctx)`` gets at the start of each step."""

    now: datetime
    step: timedelta
    rng: Stream
    cron: bool
    sim: Simulator
    index: int


@dataclass(frozen=True, slots=True)
class Sample:
    """Sizes after one step."""

    ts: float
    queues: dict[str, int]
    scheduled: int
    retry: int
    dead: int
    processed: int
    failed: int


@dataclass(frozen=True, slots=True)
class CronStatus:
    """Whether schedule.yml runs, and why not."""

    active: bool
    note: str
    entries: int = 0


@dataclass
class ScenarioRun:
    """A finished run: the simulator, the samples, and a JSON-native summary."""

    name: str
    path: Path
    seed: int
    start: float
    end: float
    sim: Simulator
    samples: list[Sample]
    cron: CronStatus
    summary: dict[str, Any] = field(default_factory=dict)


def install_cron(sim: Simulator, schedule: Path | None, classes: list[type[Job]]) -> CronStatus:
    """Hand ``schedule.yml`` to sidekiq-cron's poller (:mod:`jobsim.cron.recurring`)."""
    if schedule is None:
        return CronStatus(False, "no schedule.yml")
    recurring = install_schedule(sim, schedule, classes)
    count = len(recurring.jobs)
    return CronStatus(True, f"{count} cron entries from schedule.yml", count)


def _load_module(path: Path) -> ModuleType:
    jobs = path / JOBS_FILE
    if not jobs.is_file():
        msg = f"scenario {path}: no {JOBS_FILE}; put the job classes and tick(ctx) there"
        raise InvalidArgument(msg)
    # Named after the folder, so error classes read ``shop.GatewayTimeout``; not put in
    # sys.modules, so each run gets fresh module state.
    name = "".join(c if c.isalnum() else "_" for c in path.name) or "scenario"
    spec = importlib.util.spec_from_file_location(name, jobs)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a fresh module per run: no state leaks between runs
    return module


def _job_classes(module: ModuleType) -> list[type[Job]]:
    found = []
    for _, value in inspect.getmembers(module, inspect.isclass):
        if issubclass(value, Job) and value is not Job and value.__module__ == module.__name__:
            found.append(value)
    return sorted(found, key=lambda cls: cls.job_name)


def run_scenario(
    path: str | Path,
    *,
    seed: int = 0,
    period: float = 86400.0,
    start: datetime | float = DEFAULT_START,
    profile: str | None = None,
    on_progress: Callable[[float, Simulator], None] | None = None,
    trace_limit: int | None = None,
) -> ScenarioRun:
    """Run the scenario in ``path`` for ``period`` virtual seconds and summarise it."""
    where = Path(path)
    if not where.is_dir():
        msg = f"scenario {where}: not a directory; pass a folder with {JOBS_FILE} (and sidekiq.yml)"
        raise InvalidArgument(msg)
    if period <= 0:
        msg = f"--for {period!r}: pass a period > 0 (e.g. 7d)"
        raise InvalidArgument(msg)
    module = _load_module(where)
    options: dict[str, Any] = {"seed": seed, "start": start, "trace_limit": trace_limit}
    if profile is not None:
        options["profile"] = profile
    yml = where / "sidekiq.yml"
    sim = Simulator.from_sidekiq_yml(yml, **options) if yml.is_file() else Simulator(**options)
    classes = _job_classes(module)
    sim.register(*classes)
    schedule = where / "schedule.yml"
    cron = install_cron(sim, schedule if schedule.is_file() else None, classes)
    tick: Callable[[Tick], None] | None = getattr(module, "tick", None)
    step_value = getattr(module, "STEP", DEFAULT_STEP)
    step = step_value if isinstance(step_value, timedelta) else timedelta(seconds=step_value)
    traffic = SimRandom(seed).stream("scenario:traffic")
    begin = sim.time
    end = begin + period
    if not end <= LAST_SHOWN_TIME:  # also NaN and inf, which would never end the loop below
        msg = f"--for {period!r}: the run would end after 9999-12-31; pass a shorter period"
        raise InvalidArgument(msg)
    samples: list[Sample] = []
    index = 0
    while sim.time < end:
        if tick is not None:
            with sim:
                tick(Tick(sim.now, step, traffic, cron.active, sim, index))
        sim.run_until(min(sim.time + step.total_seconds(), end), max_steps=None)
        stats = sim.stats
        samples.append(
            Sample(
                sim.time,
                {name: sim.queue(name).size for name in sim.queues},
                stats.scheduled_size,
                stats.retry_size,
                stats.dead_size,
                stats.processed,
                stats.failed,
            )
        )
        index += 1
        if on_progress is not None:
            on_progress((sim.time - begin) / period, sim)
    run = ScenarioRun(where.name, where, seed, begin, end, sim, samples, cron)
    run.summary = summarise(run)
    return run


def summarise(run: ScenarioRun) -> dict[str, Any]:
    """Per class processed/failed/retried/dead, latency per queue, top errors, the dead set."""
    sim = run.sim
    per_class: dict[str, Counter[str]] = {}
    errors: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    columns = {
        "started": "processed",
        "succeeded": "succeeded",
        "failed": "failed",
        "retry_scheduled": "retried",
        "died": "dead",
        "discarded": "discarded",
    }
    jids = set()  # only counted, never iterated
    for event in sim.trace.of_kind("enqueued", "scheduled", *columns):
        if event.kind in ("enqueued", "scheduled"):
            jids.add(event.jid)
            continue
        name = str(event.job.get("class"))
        counter = per_class.get(name)
        if counter is None:
            counter = per_class[name] = Counter()
        counter[columns[event.kind]] += 1
        if event.kind == "failed":
            key = (name, str(event.detail.get("error_class")))
            errors[key] += 1
            examples.setdefault(key, str(event.detail.get("error_message", "")))
    classes = [
        {"class": name, **{column: per_class[name][column] for column in columns.values()}}
        for name in sorted(per_class)
    ]
    latency = []
    for name in sim.queues:
        summary = sim.stats.latency(name)
        latency.append(
            {
                "queue": name,
                "jobs": summary.count,
                "p50": summary.p50,
                "p95": summary.p95,
                "max": summary.max,
            }
        )
    top = sorted(errors.items(), key=lambda item: (-item[1], item[0]))[:10]
    dead = [
        {
            "class": entry.job.get("class"),
            "jid": entry.job.get("jid"),
            "died_at": format_time(entry.score),
            "error_class": entry.job.get("error_class"),
            "error_message": entry.job.get("error_message"),
            "retry_count": entry.job.get("retry_count"),
        }
        for entry in sim.dead
    ]
    stats = sim.stats
    return {
        "scenario": run.name,
        "seed": run.seed,
        "profile": sim.profile.name,
        "concurrency": sim.concurrency,
        "start": format_time(run.start),
        "end": format_time(run.end),
        "days": (run.end - run.start) / 86400,
        "cron": run.cron.note,
        "jobs": len(jids),
        "processed": stats.processed,
        "failed": stats.failed,
        "pending": {
            "enqueued": stats.enqueued,
            "scheduled": stats.scheduled_size,
            "retry": stats.retry_size,
            "dead": stats.dead_size,
        },
        "classes": classes,
        "latency": latency,
        "top_errors": [
            {
                "class": name,
                "error_class": error,
                "count": count,
                "example": examples[(name, error)],
            }
            for (name, error), count in top
        ],
        "dead": dead,
        "trace_events": sim.trace.total,
    }
