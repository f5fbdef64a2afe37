"""Cron next-fire throughput: jobsim's ``Cron`` against cronsim and croniter, same mix, same run.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

For every (expression, zone) pair of a fixed mix (16 expressions a Sidekiq app really
schedules: every minute, every 5 minutes, hourly, daily at a time, weekdays, ranges and lists,
the 1st of the month, ``L``, the 2nd Monday, the 29th of February…, in UTC, America/New_York
and Europe/London; the New York and London ones cross DST transitions), a fresh object is
built and asked for the next N fire times from a start instant, then a fresh one for the
previous N. One "computation" is one fire time. Runs:

1. **jobsim**: ``Cron(expr, tz=zone)`` (the default ``"fugit"`` dialect) chained through
   ``next_after`` / ``previous_before``.
2. **jobsim vixie** (only with ``--vixie``; it is a plain day-by-day search, not tuned): the
   same with ``dialect="vixie"``, the semantics cronsim implements.
3. **cronsim**: ``CronSim(expr, start)`` iterated (``reverse=True`` for previous).
4. **croniter**: ``croniter(expr, start)`` with ``get_next`` / ``get_prev``.
5. **Fugit 1.5.2** (only with ``--fugit``; needs ``ruby`` and Debian's ruby-fugit): the same
   mix through the real gem (``fugit_cron.rb``, timed inside Ruby, one run); the goal there is
   jobsim ≥ 100× Fugit.

Each run is best of R; jobsim's zone offset tables and per-month day sets are process-wide
caches, warm after its first repeat (as in a long-lived process). The first, cold repeat is
reported as its own row (caches cleared before it), so the cost of warming them is visible.
The issue's goal is jobsim (fugit) ≥ 2× cronsim; the ratio is printed, nothing fails on it.

Usage::

    pip install cronsim croniter        # the peers (bench extra)
    python benchmarks/bench_cron.py                  # 200 fire times per object
    python benchmarks/bench_cron.py --quick          # 20 per object (a second or two)
    python benchmarks/bench_cron.py --json out.json --profile
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _harness
from _harness import Phases, print_table, rate

from jobsim.cron import Cron

MIX = (
    "* * * * *",
    "*/5 * * * *",
    "0 * * * *",
    "30 2 * * *",
    "0 9 * * 1-5",
    "15,45 8-18 * * *",
    "0 0 1 * *",
    "0 0 * * 0",
    "0 12 L * *",
    "0 0 1 1 *",
    "0 6 * * 1#2",
    "*/10 9-17 * * mon-fri",
    "0 0 29 2 *",
    "5 4 * * sun",
    "0 22 * * 1-5",
    "23 0-20/2 * * *",
)
ZONES = ("UTC", "America/New_York", "Europe/London")
START = datetime(2024, 1, 1, tzinfo=UTC)
FULL_COUNT = 200
QUICK_COUNT = 20
#: One library's work: how many fire times it computed.
Runner = Callable[[int], int]


def _pairs() -> list[tuple[str, ZoneInfo, datetime]]:
    out = []
    for name in ZONES:
        zone = ZoneInfo(name)
        for expression in MIX:
            out.append((expression, zone, START.astimezone(zone)))
    return out


def run_jobsim(count: int, dialect: str = "fugit") -> int:
    done = 0
    for expression, zone, start in _pairs():
        cron = Cron(expression, tz=zone, dialect=dialect)  # type: ignore[arg-type]
        t = start
        for _ in range(count):
            t = cron.next_after(t)
        cron = Cron(expression, tz=zone, dialect=dialect)  # type: ignore[arg-type]
        t = start
        for _ in range(count):
            t = cron.previous_before(t)
        done += 2 * count
    return done


def run_cronsim(count: int) -> int:
    from cronsim import CronSim

    done = 0
    for expression, _zone, start in _pairs():
        forward = CronSim(expression, start)
        for _ in range(count):
            next(forward)
        backward = CronSim(expression, start, reverse=True)
        for _ in range(count):
            next(backward)
        done += 2 * count
    return done


def run_croniter(count: int) -> int:
    from croniter import croniter

    done = 0
    for expression, _zone, start in _pairs():
        forward = croniter(expression, start)
        for _ in range(count):
            forward.get_next(datetime)
        backward = croniter(expression, start)
        for _ in range(count):
            backward.get_prev(datetime)
        done += 2 * count
    return done


def clear_jobsim_caches() -> None:
    """Forget jobsim's process-wide cron caches, so the next run starts cold."""
    try:  # (older checkouts, compared with --json, have none of these)
        from jobsim.cron import _offsets

        _offsets._TABLES.clear()
        _offsets._CIVIL.clear()
    except (ImportError, AttributeError):
        pass
    for home in ("_fugit_rules", "_schedule"):  # the month cache's module, then and now
        try:
            importlib.import_module(f"jobsim.cron.{home}")._MONTH_DAYS.clear()
            break
        except (ImportError, AttributeError):
            continue


def measure(runner: Runner, count: int, repeats: int, label: str) -> tuple[Phases, int]:
    done = 0

    def once() -> Phases:
        nonlocal done
        started = time.perf_counter()
        done = runner(count)
        return Phases({"compute": time.perf_counter() - started})

    best, _ = _harness.best_of(repeats, once, label)
    return best, done


def run_fugit(count: int) -> dict[str, Any] | None:
    """The mix through the real Fugit, timed inside Ruby; None when Ruby or the gem is missing."""
    script = Path(__file__).resolve().parent / "fugit_cron.rb"
    command = ["ruby", str(script), str(count), *MIX, "--", *ZONES]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=3600)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"\nFugit could not run ({exc}): skipped")
        return None
    answer = json.loads(result.stdout)
    return {
        "name": f"Fugit {answer['fugit_version']} (ruby)",
        "fire_times": answer["fire_times"],
        "total_s": answer["seconds"],
        "per_s": rate(answer["fire_times"], answer["seconds"]),
    }


def _available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT} fire times each")
    parser.add_argument("--count", type=int, help=f"fire times per object ({FULL_COUNT})")
    parser.add_argument("--repeats", type=int, default=3, help="best of R (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--profile", action="store_true", help="cProfile a jobsim run")
    parser.add_argument("--vixie", action="store_true", help="also time the vixie dialect")
    parser.add_argument("--fugit", action="store_true", help="also time the real Fugit (Ruby)")
    args = parser.parse_args(argv)

    count = args.count or (QUICK_COUNT if args.quick else FULL_COUNT)
    repeats = 2 if args.quick else max(args.repeats, 1)
    machine = _harness.machine_info()
    pairs = len(MIX) * len(ZONES)
    print(
        f"{len(MIX)} expressions x {len(ZONES)} zones, {count} next + {count} previous each "
        f"({pairs * 2 * count:,} fire times per run; python {machine['python']}, jobsim "
        f"{machine['jobsim_version']} ({machine['git_commit']}), {machine['cpu_count']} CPUs)"
    )

    runs: dict[str, dict[str, Any]] = {}

    def record(key: str, name: str, phases: Phases, done: int) -> None:
        runs[key] = {
            "name": name,
            "fire_times": done,
            "total_s": phases.total,
            "per_s": rate(done, phases.total),
        }

    gc.collect()
    clear_jobsim_caches()
    _harness.progress("jobsim, cold caches (one run)")
    started = time.perf_counter()
    done = run_jobsim(count)
    record(
        "jobsim_cold",
        "jobsim fugit, first run (cold caches)",
        Phases({"compute": time.perf_counter() - started}),
        done,
    )
    phases, done = measure(run_jobsim, count, repeats, "jobsim fugit")
    record("jobsim", "jobsim fugit", phases, done)
    if args.vixie:
        phases, done = measure(lambda n: run_jobsim(n, "vixie"), count, repeats, "jobsim vixie")
        record("jobsim_vixie", "jobsim vixie", phases, done)
    peers = {"cronsim": run_cronsim, "croniter": run_croniter}
    for key, runner in peers.items():
        if not _available(key):
            print(f"\n{key} is not installed (pip install {key}): skipped")
            continue
        phases, done = measure(runner, count, repeats, key)
        record(key, key, phases, done)

    if args.fugit:
        _harness.progress("Fugit 1.5.2 (ruby, one run)")
        fugit = run_fugit(count)
        if fugit is not None:
            runs["fugit"] = fugit
    print_table(
        f"next/previous fire times (best of {repeats}; cold row: one run)",
        ["run", "fire times", "total s", "fire times/s"],
        [[r["name"], r["fire_times"], r["total_s"], r["per_s"]] for r in runs.values()],
    )
    ratios: dict[str, float] = {}
    for peer in peers:
        if peer in runs:
            ratios[f"jobsim fugit / {peer}"] = runs["jobsim"]["per_s"] / runs[peer]["per_s"]
            ratios[f"jobsim fugit cold / {peer}"] = (
                runs["jobsim_cold"]["per_s"] / runs[peer]["per_s"]
            )
            if "jobsim_vixie" in runs:
                vixie = runs["jobsim_vixie"]["per_s"]
                ratios[f"jobsim vixie / {peer}"] = vixie / runs[peer]["per_s"]
    if "fugit" in runs:
        ratios["jobsim fugit / Fugit 1.5.2"] = runs["jobsim"]["per_s"] / runs["fugit"]["per_s"]
    if ratios:
        print_table(
            "ratios (peers measured in this run; goal: fugit / cronsim >= 2)",
            ["ratio", "value"],
            list(ratios.items()),
        )

    if args.profile:
        print(f"\ncProfile of a jobsim fugit run ({count} fire times per object):")
        print(_harness.profile_call(lambda: run_jobsim(count)))

    _harness.write_json(
        args.json,
        {
            "benchmark": "cron",
            "quick": args.quick,
            "count": count,
            "repeats": repeats,
            "mix": list(MIX),
            "zones": list(ZONES),
            "start": START.isoformat(),
            "machine": machine,
            "runs": runs,
            "ratios": ratios,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
