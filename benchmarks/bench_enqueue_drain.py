"""Enqueue-and-drain throughput of a trivial job: jobsim against Dramatiq and a pure-Python floor.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **jobsim**: ``Noop.perform_async()`` N times inside ``with sim:``, then ``sim.drain()``;
   ``perform`` does nothing. A fresh ``Simulator`` per repeat, best of ``--repeats``; measured
   with the default trace (every event kept) and with ``trace_limit=0``.
2. **Dramatiq** (the peer): ``dramatiq.brokers.stub.StubBroker`` with its default middleware
   and an actor doing nothing; ``send()`` N times, then start a ``Worker`` and wait with
   ``broker.join(queue)`` and ``worker.join()``. Two worker shapes: the testing guide's
   ``Worker(broker, worker_timeout=100)`` (8 threads) and a single worker thread. Dramatiq is
   slower, so it runs a smaller N; jobs/s is what is compared. Best of ``--repeats`` each.
3. **floor**: the least any simulator in Python must do per job: build a small dict, push it
   on a ``heapq`` heap, pop it and call a no-op function.
4. **linearity**: jobsim at 10x the size (1M jobs), default trace and ``trace_limit=0``; the
   ratio of the 1M time to the 100k time (10.0 is perfectly linear).
5. **memory**: 1M jobs queued (``perform_async``, no drain) with default options, each in a
   fresh subprocess: RSS growth and tracemalloc peak, divided by the number of jobs; plus RSS
   with ``trace_limit=0`` to show what the trace costs.

Ratios are the point: every peer runs in the same process and the same run, so the machine's
speed cancels out. Goals (issue): jobsim >= 100,000 jobs/s; >= 15x Dramatiq's StubBroker;
1M jobs <= 12x the 100k time; <= 1 KiB per queued job with 1M queued. The goals are printed
for reading; nothing here fails on a number.

Usage::

    python benchmarks/bench_enqueue_drain.py                 # full run (a few minutes)
    python benchmarks/bench_enqueue_drain.py --quick         # smoke test (seconds)
    python benchmarks/bench_enqueue_drain.py --json out.json # also write the results
    python benchmarks/bench_enqueue_drain.py --profile       # cProfile of the jobsim part
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import _harness
from _harness import Phases, best_of, print_table, rate

import jobsim

FULL = {"jobs": 100_000, "big": 1_000_000, "dramatiq": 20_000, "memory": 1_000_000}
QUICK = {"jobs": 10_000, "big": 100_000, "dramatiq": 2_000, "memory": 50_000}

GOAL_JOBS_PER_S = 100_000
GOAL_VS_DRAMATIQ = 15.0
GOAL_LINEARITY = 12.0
GOAL_BYTES_PER_JOB = 1024


class Noop(jobsim.Job):
    """The trivial job: default options (queue "default", retry True), does nothing."""

    def perform(self) -> None:
        return None


# -- jobsim ---------------------------------------------------------------------------------


def run_jobsim(count: int, trace_limit: int | None) -> Phases:
    """One enqueue-then-drain run of ``count`` Noop jobs in a fresh simulator."""
    sim = jobsim.Simulator(trace_limit=trace_limit)
    enqueue = Noop.perform_async
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            enqueue()
    queued = time.perf_counter()
    performed = sim.drain(max_steps=None)
    drained = time.perf_counter()
    if performed != count or sim.stats.processed != count:
        msg = f"jobsim performed {performed} (processed {sim.stats.processed}), not {count}"
        raise RuntimeError(msg)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


# -- floor ----------------------------------------------------------------------------------


def _nothing() -> None:
    return None


def run_floor(count: int) -> Phases:
    """heapq push of a small job dict, then pop and call a no-op: a floor for any simulator."""
    heap: list[tuple[float, int, dict[str, Any]]] = []
    push, pop, call = heapq.heappush, heapq.heappop, _nothing
    start = time.perf_counter()
    for seq in range(count):
        push(heap, (0.0, seq, {"class": "Noop", "args": [], "jid": seq, "queue": "default"}))
    queued = time.perf_counter()
    while heap:
        job = pop(heap)[2]
        call(*job["args"])
    drained = time.perf_counter()
    return Phases({"enqueue": queued - start, "drain": drained - queued})


# -- Dramatiq -------------------------------------------------------------------------------


def dramatiq_version() -> str | None:
    """Dramatiq's version, or None when it is not installed (``pip install -e '.[bench]'``)."""
    try:
        import dramatiq
    except ImportError:
        return None
    return str(dramatiq.__version__)


def run_dramatiq(count: int, threads: int) -> Phases:
    """``send()`` ``count`` messages to a no-op actor on a StubBroker, then work them off."""
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    broker = StubBroker()  # the default middleware (retries, time limits, callbacks...)
    broker.emit_after("process_boot")

    def noop() -> None:
        return None

    actor = dramatiq.actor(noop, broker=broker, actor_name="noop")
    send = actor.send
    start = time.perf_counter()
    for _ in range(count):
        send()
    queued = time.perf_counter()
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=threads)
    worker.start()
    broker.join(actor.queue_name)
    worker.join()
    drained = time.perf_counter()
    worker.stop()
    dead = len(broker.dead_letters)
    broker.close()
    if dead:
        msg = f"dramatiq dead-lettered {dead} of {count} no-op messages"
        raise RuntimeError(msg)
    return Phases({"enqueue": queued - start, "drain(start+join)": drained - queued})


# -- memory (each measurement in a fresh interpreter) ----------------------------------------


def memory_child(mode: str, count: int) -> dict[str, Any]:
    """Queue ``count`` Noop jobs and report the growth; runs inside the subprocess."""
    trace_limit = 0 if mode == "rss-trace0" else None
    sim = jobsim.Simulator(trace_limit=trace_limit)
    with sim:
        Noop.perform_async()  # warm up: registry entry, queue, first trace event
    gc.collect()
    tracing = mode == "tracemalloc"
    if tracing:
        tracemalloc.start()
    base_traced = tracemalloc.get_traced_memory()[0] if tracing else 0
    base_rss = _harness.rss_bytes()
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            Noop.perform_async()
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {"mode": mode, "jobs": count, "seconds": seconds}
    if tracing:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["bytes"] = peak - base_traced
        result["current_bytes"] = current - base_traced
    else:
        after = _harness.rss_bytes()
        result["bytes"] = None if after is None or base_rss is None else after - base_rss
    if len(sim.queue("default")) != count + 1:
        msg = f"expected {count + 1} queued jobs, found {len(sim.queue('default'))}"
        raise RuntimeError(msg)
    result["bytes_per_job"] = None if result["bytes"] is None else result["bytes"] / count
    return result


def measure_memory(mode: str, count: int) -> dict[str, Any]:
    """Run :func:`memory_child` in a new interpreter so earlier runs leave no trace in RSS."""
    _harness.progress(f"memory: {mode}, {count:,} jobs queued, in a fresh interpreter")
    flags = ["-S"] if sys.flags.no_site else []  # keep a ``python -S`` run's import paths
    command = [sys.executable, *flags, __file__, "--memory-child", mode]
    command += ["--memory-jobs", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"memory child {mode} failed ({done.returncode}):\n{done.stderr}"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the run --------------------------------------------------------------------------------


def _row(name: str, count: int, phases: Phases, totals: list[float]) -> dict[str, Any]:
    return {
        "name": name,
        "jobs": count,
        "phases_s": phases.seconds,
        "total_s": phases.total,
        "jobs_per_s": rate(count, phases.total),
        "all_totals_s": totals,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--repeats", type=int, help="best of this many (default 3; --quick: 2)")
    parser.add_argument(
        "--big-repeats", type=int, help="best of this many at 10x size (default 2; --quick: 1)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the jobsim run too")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--memory-jobs", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.memory_jobs)))
        return 0

    sizes = QUICK if args.quick else FULL
    jobs, big = sizes["jobs"], sizes["big"]
    repeats = args.repeats or (2 if args.quick else 3)
    big_repeats = args.big_repeats or (1 if args.quick else 2)
    machine = _harness.machine_info()
    print(f"enqueue + drain of a no-op job ({'quick' if args.quick else 'full'} sizes)")
    print(
        f"python {machine['python']}, jobsim {machine['jobsim_version']} "
        f"({machine['git_commit']}), dramatiq "
        f"{dramatiq_version() or 'not installed'}, {machine['cpu_count']} CPUs; "
        f"best of {repeats} ({big_repeats} at {big:,})"
    )

    rows: dict[str, dict[str, Any]] = {}
    best, totals = best_of(repeats, lambda: run_jobsim(jobs, None), f"jobsim {jobs:,}")
    rows["jobsim"] = _row("jobsim (default trace)", jobs, best, totals)
    best, totals = best_of(repeats, lambda: run_jobsim(jobs, 0), "trace_limit=0")
    rows["jobsim_trace0"] = _row("jobsim (trace_limit=0)", jobs, best, totals)
    best, totals = best_of(repeats, lambda: run_floor(jobs), "floor")
    rows["floor"] = _row("floor: heapq + dict + call", jobs, best, totals)
    if dramatiq_version() is not None:
        small = sizes["dramatiq"]
        best, totals = best_of(repeats, lambda: run_dramatiq(small, 8), "dramatiq 8 threads")
        rows["dramatiq_8"] = _row("dramatiq StubBroker, Worker 8 threads", small, best, totals)
        best, totals = best_of(repeats, lambda: run_dramatiq(small, 1), "dramatiq 1 thread")
        rows["dramatiq_1"] = _row("dramatiq StubBroker, Worker 1 thread", small, best, totals)
    best, totals = best_of(big_repeats, lambda: run_jobsim(big, None), f"jobsim {big:,}")
    rows["jobsim_big"] = _row("jobsim (default trace)", big, best, totals)
    best, totals = best_of(big_repeats, lambda: run_jobsim(big, 0), f"jobsim {big:,} trace_limit=0")
    rows["jobsim_big_trace0"] = _row("jobsim (trace_limit=0)", big, best, totals)

    print_table(
        "throughput (best of the repeats)",
        ["run", "jobs", "enqueue s", "drain s", "total s", "jobs/s"],
        [
            [r["name"], r["jobs"], *list(r["phases_s"].values())[:2], r["total_s"], r["jobs_per_s"]]
            for r in rows.values()
        ],
    )

    ratios: dict[str, float] = {}
    jobsim_rate = rows["jobsim"]["jobs_per_s"]
    floor_rate = rows["floor"]["jobs_per_s"]
    ratios["floor / jobsim (jobs/s; jobsim's cost over the floor)"] = floor_rate / jobsim_rate
    ratios["floor / jobsim trace0 (jobs/s)"] = floor_rate / rows["jobsim_trace0"]["jobs_per_s"]
    if "dramatiq_8" in rows:
        fastest = max(rows["dramatiq_8"]["jobs_per_s"], rows["dramatiq_1"]["jobs_per_s"])
        ratios["jobsim / dramatiq 8 threads"] = jobsim_rate / rows["dramatiq_8"]["jobs_per_s"]
        ratios["jobsim / dramatiq 1 thread"] = jobsim_rate / rows["dramatiq_1"]["jobs_per_s"]
        ratios["jobsim / fastest dramatiq"] = jobsim_rate / fastest
        ratios["jobsim trace0 / fastest dramatiq"] = rows["jobsim_trace0"]["jobs_per_s"] / fastest
    ratios[f"time {big:,} / {jobs:,} (default trace)"] = (
        rows["jobsim_big"]["total_s"] / rows["jobsim"]["total_s"]
    )
    ratios[f"time {big:,} / {jobs:,} (trace_limit=0)"] = (
        rows["jobsim_big_trace0"]["total_s"] / rows["jobsim_trace0"]["total_s"]
    )

    memory_jobs = sizes["memory"]
    memory = {mode: measure_memory(mode, memory_jobs) for mode in ("rss", "tracemalloc")}
    memory["rss-trace0"] = measure_memory("rss-trace0", memory_jobs)
    print_table(
        f"memory with {memory_jobs:,} jobs queued (fresh interpreter each)",
        ["measure", "options", "bytes", "bytes/job"],
        [
            ["RSS growth", "default", memory["rss"]["bytes"], memory["rss"]["bytes_per_job"]],
            [
                "tracemalloc peak",
                "default",
                memory["tracemalloc"]["bytes"],
                memory["tracemalloc"]["bytes_per_job"],
            ],
            [
                "RSS growth",
                "trace_limit=0",
                memory["rss-trace0"]["bytes"],
                memory["rss-trace0"]["bytes_per_job"],
            ],
        ],
    )
    per_job = [m["bytes_per_job"] for m in (memory["rss"], memory["tracemalloc"])]
    worst_per_job = max(p for p in per_job if p is not None)

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    dramatiq_ratio = ratios.get("jobsim / fastest dramatiq")
    goals = [
        [
            "jobs/s (default trace)",
            f">= {GOAL_JOBS_PER_S:,}",
            round(jobsim_rate),
            verdict(jobsim_rate >= GOAL_JOBS_PER_S),
        ],
        [
            "jobsim / fastest dramatiq",
            f">= {GOAL_VS_DRAMATIQ:g}x",
            "n/a" if dramatiq_ratio is None else f"{dramatiq_ratio:.1f}x",
            "n/a" if dramatiq_ratio is None else verdict(dramatiq_ratio >= GOAL_VS_DRAMATIQ),
        ],
    ]
    for label in ("default trace", "trace_limit=0"):
        value = ratios[f"time {big:,} / {jobs:,} ({label})"]
        goals.append(
            [
                f"time {big:,} / {jobs:,} ({label})",
                f"<= {GOAL_LINEARITY:g}",
                f"{value:.2f}",
                verdict(value <= GOAL_LINEARITY),
            ]
        )
    goals.append(
        [
            f"bytes/job, {memory_jobs:,} queued (worst of RSS, tracemalloc)",
            f"<= {GOAL_BYTES_PER_JOB}",
            round(worst_per_job),
            verdict(worst_per_job <= GOAL_BYTES_PER_JOB),
        ]
    )
    print_table("ratios (peers measured in this run)", ["ratio", "value"], list(ratios.items()))
    print_table(
        "against the issue's goals (for reading; jobs/s and bytes depend on the machine)"
        + ("\n  QUICK SIZES: the goals are stated for the full sizes" if args.quick else ""),
        ["measure", "goal", "measured", ""],
        goals,
    )

    if args.profile:
        print(f"\ncProfile of jobsim enqueue + drain of {jobs:,} jobs (default trace):")
        print(_harness.profile_call(lambda: run_jobsim(jobs, None)))

    _harness.write_json(
        args.json,
        {
            "benchmark": "enqueue_drain",
            "quick": args.quick,
            "sizes": sizes,
            "repeats": repeats,
            "big_repeats": big_repeats,
            "machine": machine,
            "dramatiq_version": dramatiq_version(),
            "runs": rows,
            "ratios": ratios,
            "memory": memory,
            "goals": [
                dict(zip(["measure", "goal", "measured", "verdict"], g, strict=True)) for g in goals
            ],
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
