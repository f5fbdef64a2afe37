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
    (whether schedule.yml runs) and ``sim``. ``PLUGINS`` (optional) lists the plugins the
    scenario's simulator runs, as a Gemfile lists gems: ``PLUGINS = ["unique_jobs"]`` (names,
    ``"package.module:Plugin"`` or plugin objects; see :mod:`jobsim.plugins`).

The run samples queue depth and set sizes after every step, then summarises the trace.

``settings`` (``jobsim simulate --set KEY=VALUE``) change a run without editing its files:
``concurrency`` overrides sidekiq.yml, and an UPPER_CASE name that ``jobs.py`` defines (say
``SALE_FACTOR``) replaces that constant in this run's fresh copy of the module, converted to
the type of the value it replaces.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from jobsim import validate
from jobsim.clock import DEFAULT_START, format_time
from jobsim.cron.recurring import Recurring, install_schedule
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.queue_config import unserved_queues
from jobsim.replay._input import LAST_SHOWN_TIME
from jobsim.replay._rate_limits import rate_limit_rows
from jobsim.rng import SimRandom, Stream
from jobsim.simulator import Simulator

__all__ = [
    "EXECUTION_ENDS",
    "SIMULATOR_SETTINGS",
    "CronStatus",
    "Sample",
    "ScenarioRun",
    "Tick",
    "apply_settings",
    "install_cron",
    "run_scenario",
]

#: Settings that configure the simulator (the rest name UPPER_CASE constants of jobs.py).
SIMULATOR_SETTINGS = ("concurrency",)

DEFAULT_STEP = timedelta(minutes=5)
#: Events that end a running execution (it began with ``started``).
EXECUTION_ENDS = ("succeeded", "failed", "discarded", "interrupted", "lost")
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
    recurring: Recurring | None = None


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
    settings: dict[str, Any] = field(default_factory=dict)
    #: The environment variables the ERB of sidekiq.yml and schedule.yml read (name -> value,
    #: None when unset): what another run needs set alike to be the same run.
    environment: dict[str, str | None] = field(default_factory=dict)


class _Reads(Mapping[str, str]):
    """An environment that remembers each name looked up in it, and what it found."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.read: dict[str, str | None] = {}

    def __getitem__(self, name: str) -> str:
        value = self._env.get(name)
        self.read[name] = value
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def install_cron(
    sim: Simulator,
    schedule: Path | None,
    classes: list[type[Job]],
    env: Mapping[str, str] | None = None,
) -> CronStatus:
    """Hand ``schedule.yml`` to sidekiq-cron's poller (:mod:`jobsim.cron.recurring`); its
    ERB reads ``env`` (default: the process environment)."""
    if schedule is None:
        return CronStatus(False, "no schedule.yml")
    recurring = install_schedule(sim, schedule, classes, env=env)
    count = len(recurring.jobs)
    return CronStatus(True, f"{count} cron entries from schedule.yml", count, recurring)


def _convert(key: str, value: Any, current: Any) -> Any:
    """``value`` (a string from the command line, or a Python value) as ``current``'s type."""
    kind = type(current)
    if not isinstance(value, str) or kind is str:
        return value
    text = value.strip().lower()
    if kind is bool and text in ("true", "false", "yes", "no", "1", "0"):
        return text in ("true", "yes", "1")
    if kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    if kind in (bool, int, float):
        msg = f"--set {key}={value}: {key} is a {kind.__name__} (now {current!r}); pass one"
        raise InvalidArgument(msg)
    msg = (
        f"--set {key}={value}: {key} is a {kind.__name__}; only numbers, booleans and strings "
        f"can be set from the command line (edit jobs.py for the rest)"
    )
    raise InvalidArgument(msg)


def apply_settings(
    module: ModuleType, settings: Mapping[str, Any], where: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``settings`` into simulator options and replaced jobs.py constants (both checked).

    Returns ``(simulator options, applied settings)``; unknown names are refused with the
    names that can be set.
    """
    options: dict[str, Any] = {}
    applied: dict[str, Any] = {}
    for key in sorted(settings):
        value = settings[key]
        if key in SIMULATOR_SETTINGS:
            digits = value.strip() if isinstance(value, str) else ""
            number = int(digits) if digits.isascii() and digits.isdigit() else value
            options[key] = applied[key] = validate.whole(
                number,
                name=key,
                low=1,
                subject=f"--set {key}={value}",
                expected="a whole number of threads >= 1",
            )
        elif key.isupper() and hasattr(module, key):
            converted = _convert(key, value, getattr(module, key))
            setattr(module, key, converted)
            applied[key] = converted
        else:
            constants = sorted(n for n in vars(module) if n.isupper() and not n.startswith("_"))
            msg = (
                f"--set {key}={value}: scenario {where} has no setting {key!r}; "
                f"settable: {', '.join([*SIMULATOR_SETTINGS, *constants])}"
            )
            raise InvalidArgument(msg)
    return options, applied


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


def _tick_of(module: ModuleType, where: Path, cron: CronStatus) -> Callable[[Tick], None] | None:
    """``jobs.py``'s ``tick``; None only for a scenario whose traffic is all cron.

    A misspelt ``tick`` (``tik``, ``ticks``) or a ``jobs.py`` that enqueues nothing and has no
    schedule.yml would run a silent, empty simulation: both are refused.
    """
    tick = getattr(module, "tick", None)
    if tick is not None:
        if not callable(tick):
            msg = f"scenario {where}: {JOBS_FILE}'s tick is {tick!r}; define it as def tick(ctx):"
            raise InvalidArgument(msg)
        return cast("Callable[[Tick], None]", tick)
    functions = [name for name, value in vars(module).items() if inspect.isfunction(value)]
    meant = validate.close_match("tick", functions, cutoff=0.75)
    if meant is not None:
        msg = (
            f"scenario {where}: {JOBS_FILE} has no tick(ctx) but defines {meant}(); did you "
            f"mean tick? rename it so each step's traffic is enqueued"
        )
        raise InvalidArgument(msg)
    if not cron.active:
        msg = (
            f"scenario {where}: {JOBS_FILE} defines no tick(ctx) and there is no schedule.yml, "
            f"so nothing would ever be enqueued; define def tick(ctx): to enqueue each step's "
            f"traffic"
        )
        raise InvalidArgument(msg)
    return None


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
    settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> ScenarioRun:
    """Run the scenario in ``path`` for ``period`` virtual seconds and summarise it.

    ``settings`` override ``concurrency`` or an UPPER_CASE constant of ``jobs.py`` for this
    run (strings are converted to the type of the value they replace). ``env`` holds the
    variables the ERB of sidekiq.yml and schedule.yml reads (default: the process
    environment); the names read, and their values, are the summary's ``environment``.
    """
    where = Path(path)
    if not where.is_dir():
        msg = f"scenario {where}: not a directory; pass a folder with {JOBS_FILE} (and sidekiq.yml)"
        raise InvalidArgument(msg)
    if period <= 0:
        msg = f"--for {period!r}: pass a period > 0 (e.g. 7d)"
        raise InvalidArgument(msg)
    module = _load_module(where)
    overrides, applied = apply_settings(module, settings or {}, where)
    options: dict[str, Any] = {"seed": seed, "start": start, "trace_limit": trace_limit}
    options.update(overrides)
    plugins = getattr(module, "PLUGINS", None)
    if plugins is not None:
        options["plugins"] = plugins
    if profile is not None:
        options["profile"] = profile
    reads = _Reads(os.environ if env is None else env)
    yml = where / "sidekiq.yml"
    if yml.is_file():
        sim = Simulator.from_sidekiq_yml(yml, env=reads, **options)
    else:
        sim = Simulator(**options)
    classes = _job_classes(module)
    sim.register(*classes)
    schedule = where / "schedule.yml"
    cron = install_cron(sim, schedule if schedule.is_file() else None, classes, reads)
    tick = _tick_of(module, where, cron)
    seconds = validate.seconds(
        getattr(module, "STEP", DEFAULT_STEP), name=f"{where / JOBS_FILE}: STEP", above=0
    )  # a step of 0 or NaN would never reach the end of the period
    step = timedelta(seconds=seconds)
    traffic = SimRandom(seed).stream("scenario:traffic")
    begin = sim.time
    end = begin + period
    if not end <= LAST_SHOWN_TIME:  # also NaN and inf, which would never end the loop below
        msg = f"--for {period!r}: the run would end after 9999-01-01; pass a shorter period"
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
    run = ScenarioRun(where.name, where, seed, begin, end, sim, samples, cron, settings=applied)
    run.environment = dict(sorted(reads.read.items()))
    run.summary = summarise(run)
    return run


def summarise(run: ScenarioRun) -> dict[str, Any]:
    """Per class processed/failed/retried/dead, latency per queue, top errors, the dead set,
    and (with sidekiq-throttled or Enterprise limiters installed) ``rate_limits`` per class."""
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
    result: dict[str, Any] = {
        "capacity": capacity(run),
        "scenario": run.name,
        "seed": run.seed,
        "profile": sim.profile.name,
        "concurrency": sim.concurrency,
        "settings": dict(run.settings),
        "environment": dict(run.environment),
        "start": format_time(run.start),
        "end": format_time(run.end),
        "days": (run.end - run.start) / 86400,
        "cron": run.cron.note,
        "jobs": len(jids),
        "processed": stats.processed,
        "failed": stats.failed,
        # Jobs no process fetches (a queue missing from sidekiq.yml): {queue: size}.
        "unserved": unserved_queues(sim.stats.queues, sim.queues),
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
    rates = rate_limit_rows(sim)
    if rates is not None:  # only runs with sidekiq-throttled or Enterprise limiters
        result["rate_limits"] = rates
    return result


def capacity(run: ScenarioRun) -> dict[str, Any]:
    """Did the threads keep up: the most busy at once, and how long all were busy.

    Walks ``started`` and :data:`EXECUTION_ENDS` events in trace order; ``saturated_seconds``
    is the virtual time during which every thread was busy (jobs waited for a thread).
    """
    limit = run.sim.concurrency
    running: set[str] = set()  # membership only, never iterated
    peak = 0
    saturated = 0.0
    since: float | None = None
    busy = 0.0
    last = run.start
    for event in run.sim.trace.of_kind("started", *EXECUTION_ENDS):
        busy += len(running) * (event.ts - last)
        last = event.ts
        if event.kind == "started":
            running.add(event.jid)
            peak = max(peak, len(running))
            if len(running) >= limit and since is None:
                since = event.ts
        elif event.jid in running:
            running.discard(event.jid)
            if since is not None and len(running) < limit:
                saturated += event.ts - since
                since = None
    if since is not None:
        saturated += run.end - since
    busy += len(running) * max(run.end - last, 0.0)
    period = run.end - run.start
    return {
        "concurrency": limit,
        "busy_peak": peak,
        "saturated_seconds": round(saturated, 3),
        "utilisation": round(busy / (limit * period), 6) if period > 0 else 0.0,
    }
