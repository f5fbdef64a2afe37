"""Retry throughput: always-failing jobs simulated through 25 retries into the dead set.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **jobsim retries**: N jobs of a class with ``retry=25`` whose ``perform`` always raises,
   enqueued and then ``sim.drain(max_steps=None)`` in one run with ``trace_limit=0`` and the
   default ``dead_max_jobs``. Each job runs 26 times (1 + 25 retries), so N = 100,000 is 2.6M
   executions, spread over about three weeks of virtual time. Reported: total seconds and
   executions/s. Checked: ``processed == failed == 26 * N`` and the dead set holds
   ``min(N, 9,999)`` jobs (Sidekiq keeps ``dead_max_jobs - 1`` after a trim).
2. **jobsim successes** (same run, ``trace_limit=0``): the no-op job's enqueue-and-drain,
   as many jobs as there are retry executions (at most 200,000), so the cost of a failing
   execution can be read as a multiple of a succeeding one.
3. **floor**: the least a retry simulator in Python must do per execution: pop a heap entry,
   call a function that raises, catch it, copy the job dict with a new retry count, draw the
   jitter, and push the copy back on the heap (or onto a dead list after the last retry).

There is no Dramatiq peer here: Dramatiq's retries wait in real time (its backoff is
milliseconds of wall clock), so 25 retries per job cannot be compared on a virtual clock.
The issue asks that retry executions/s be reported; ratios to the two peers above are printed
for reading, and nothing fails on a number (only the correctness checks above can fail).

Usage::

    python benchmarks/bench_retries.py                  # 100,000 jobs, 2.6M executions
    python benchmarks/bench_retries.py --quick          # 2,000 jobs (seconds)
    python benchmarks/bench_retries.py --jobs 20000 --json out.json
    python benchmarks/bench_retries.py --quick --profile
"""

from __future__ import annotations

import argparse
import gc
import heapq
import random
import sys
import time
from typing import Any

import _harness
from _harness import Phases, print_table, rate

import jobsim

FULL_JOBS = 100_000
QUICK_JOBS = 2_000
RETRIES = 25
EXECUTIONS_PER_JOB = RETRIES + 1
#: Sidekiq trims the dead set to ``dead_max_jobs - 1`` = 9,999 entries with the default 10,000.
DEAD_KEPT = 9_999
#: The success baseline runs as many executions as the retry run, up to this many.
SUCCESS_CAP = 200_000


class AlwaysFails(jobsim.Job, retry=RETRIES):
    """Fails every time; Sidekiq's default backoff, then the dead set."""

    def perform(self) -> None:
        raise ValueError("always fails")


class Noop(jobsim.Job):
    """The succeeding job for the baseline."""

    def perform(self) -> None:
        return None


def run_retries(count: int) -> tuple[Phases, dict[str, Any]]:
    """Enqueue ``count`` failing jobs and drain them all into the dead set."""
    sim = jobsim.Simulator(trace_limit=0)
    began = sim.time
    enqueue = AlwaysFails.perform_async
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            enqueue()
    queued = time.perf_counter()
    performed = sim.drain(max_steps=None)
    drained = time.perf_counter()
    facts = {
        "performed": performed,
        "processed": sim.stats.processed,
        "failed": sim.stats.failed,
        "dead": len(sim.dead),
        "retries_left": len(sim.retries),
        "virtual_days": (sim.time - began) / 86_400,
        "trace_events_total": sim.trace.total,
    }
    return Phases({"enqueue": queued - start, "drain": drained - queued}), facts


def run_successes(count: int) -> Phases:
    """Enqueue and drain ``count`` no-op jobs (``trace_limit=0``), the success-path baseline."""
    sim = jobsim.Simulator(trace_limit=0)
    enqueue = Noop.perform_async
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            enqueue()
    queued = time.perf_counter()
    sim.drain(max_steps=None)
    drained = time.perf_counter()
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def _fail() -> None:
    raise ValueError("always fails")


def run_floor(count: int) -> tuple[Phases, int]:
    """A bare retry loop on a heap: the floor for any Python retry simulator."""
    rng = random.Random(0)
    heap: list[tuple[float, int, dict[str, Any]]] = []
    dead: list[dict[str, Any]] = []
    push, pop, draw, call = heapq.heappush, heapq.heappop, rng.randrange, _fail
    seq = 0
    start = time.perf_counter()
    for seq in range(count):
        push(heap, (0.0, seq, {"class": "AlwaysFails", "args": [], "jid": seq, "retry": RETRIES}))
    queued = time.perf_counter()
    executions = 0
    while heap:
        now, _, job = pop(heap)
        executions += 1
        try:
            call(*job["args"])
        except Exception as exc:
            failed = dict(job)
            failed["error_message"] = str(exc)
            tries = failed["retry_count"] = job.get("retry_count", -1) + 1
            if tries >= RETRIES:
                dead.append(failed)
                continue
            seq += 1
            push(heap, (now + tries**4 + 15 + draw(10 * (tries + 1)), seq, failed))
    drained = time.perf_counter()
    return Phases({"enqueue": queued - start, "drain": drained - queued}), executions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_JOBS:,} jobs")
    parser.add_argument("--jobs", type=int, help=f"number of failing jobs (default {FULL_JOBS:,})")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--profile", action="store_true", help="cProfile a jobsim retry run")
    args = parser.parse_args(argv)

    count = args.jobs or (QUICK_JOBS if args.quick else FULL_JOBS)
    executions = EXECUTIONS_PER_JOB * count
    machine = _harness.machine_info()
    print(
        f"{count:,} always-failing jobs, retry={RETRIES}: {executions:,} executions "
        f"(python {machine['python']}, jobsim {machine['jobsim_version']} "
        f"({machine['git_commit']}), {machine['cpu_count']} CPUs)"
    )

    gc.collect()
    _harness.progress(f"jobsim retries: {count:,} jobs, {executions:,} executions")
    retries, facts = run_retries(count)
    gc.collect()
    success_count = min(executions, SUCCESS_CAP)
    _harness.progress(f"jobsim successes: {success_count:,} jobs")
    successes = run_successes(success_count)
    gc.collect()
    _harness.progress(f"floor: {executions:,} executions")
    floor, floor_executions = run_floor(count)

    checks = {
        f"processed == 26 * N ({executions:,})": facts["processed"] == executions,
        f"failed == 26 * N ({executions:,})": facts["failed"] == executions,
        f"drain() performed == 26 * N ({executions:,})": facts["performed"] == executions,
        f"dead set size == min(N, {DEAD_KEPT:,}) ({min(count, DEAD_KEPT):,})": (
            facts["dead"] == min(count, DEAD_KEPT)
        ),
        "retry set empty at the end": facts["retries_left"] == 0,
        f"floor executions == 26 * N ({executions:,})": floor_executions == executions,
    }

    runs = {
        "jobsim_retries": {
            "name": "jobsim: fail x26 into dead set",
            "executions": executions,
            "phases_s": retries.seconds,
            "total_s": retries.total,
            "executions_per_s": rate(executions, retries.total),
        },
        "jobsim_successes": {
            "name": "jobsim: no-op success",
            "executions": success_count,
            "phases_s": successes.seconds,
            "total_s": successes.total,
            "executions_per_s": rate(success_count, successes.total),
        },
        "floor": {
            "name": "floor: heapq retry loop",
            "executions": floor_executions,
            "phases_s": floor.seconds,
            "total_s": floor.total,
            "executions_per_s": rate(floor_executions, floor.total),
        },
    }
    print_table(
        "throughput (all trace_limit=0 where it applies; one run each)",
        ["run", "executions", "enqueue s", "drain s", "total s", "executions/s"],
        [
            [
                r["name"],
                r["executions"],
                r["phases_s"]["enqueue"],
                r["phases_s"]["drain"],
                r["total_s"],
                r["executions_per_s"],
            ]
            for r in runs.values()
        ],
    )
    retry_rate = runs["jobsim_retries"]["executions_per_s"]
    ratios = {
        "failing execution cost / succeeding execution cost (jobsim)": (
            runs["jobsim_successes"]["executions_per_s"] / retry_rate
        ),
        "floor executions/s / jobsim retry executions/s": (
            runs["floor"]["executions_per_s"] / retry_rate
        ),
    }
    print_table("ratios (peers measured in this run)", ["ratio", "value"], list(ratios.items()))
    print_table(
        "the run",
        ["fact", "value"],
        [[key, value] for key, value in facts.items()],
    )
    print_table(
        "checks", ["check", "result"], [[k, "ok" if v else "FAILED"] for k, v in checks.items()]
    )

    if args.profile:
        small = min(count, QUICK_JOBS)
        print(f"\ncProfile of jobsim retries of {small:,} jobs ({small * EXECUTIONS_PER_JOB:,}):")
        print(_harness.profile_call(lambda: run_retries(small)))

    _harness.write_json(
        args.json,
        {
            "benchmark": "retries",
            "quick": args.quick,
            "jobs": count,
            "retry": RETRIES,
            "executions": executions,
            "machine": machine,
            "runs": runs,
            "ratios": ratios,
            "facts": facts,
            "checks": checks,
        },
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
