"""A batch of 100,000 trivial jobs with callbacks against plain enqueue+drain, same run.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **plain**: a fresh ``Simulator()``; ``Noop.perform_async()`` N times inside ``with sim:``,
   then ``sim.drain()``.
2. **batch**: a fresh ``Simulator(plugins=[Batches()])``; one ``Batch`` with ``complete``,
   ``success`` and ``death`` callbacks; the same N pushes inside ``with batch.jobs():``; then
   ``sim.drain()``, which also runs the two callback jobs. The run checks that each callback
   ran once and the status says N succeeded.

Each is best of ``--repeats``. The issue's goal: batch throughput >= 50% of plain (ratio
>= 0.5). The ratio is printed; nothing fails on it. What a batch costs per job: the client
middleware writing ``bid``, the server middleware (which makes every perform go through the
chain with a copy of the job), and the finish listener counting the run.

Usage::

    python benchmarks/bench_batches.py              # 100,000 jobs
    python benchmarks/bench_batches.py --quick      # 10,000 jobs
    python benchmarks/bench_batches.py --json out.json --profile
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any, ClassVar

import _harness
from _harness import Phases, best_of, print_table, rate

import jobsim
from jobsim.batches import Batch, Batches, Status

FULL_JOBS = 100_000
QUICK_JOBS = 10_000
GOAL_RATIO = 0.5


class Noop(jobsim.Job):
    """The trivial job."""

    def perform(self) -> None:
        return None


class Done:
    """The callback target: counts each event's runs."""

    runs: ClassVar[dict[str, int]] = {}

    def on_complete(self, status: Status, options: dict[str, Any]) -> None:
        Done.runs["complete"] = Done.runs.get("complete", 0) + 1

    def on_success(self, status: Status, options: dict[str, Any]) -> None:
        Done.runs["success"] = Done.runs.get("success", 0) + 1

    def on_death(self, status: Status, options: dict[str, Any]) -> None:
        Done.runs["death"] = Done.runs.get("death", 0) + 1


def run_plain(count: int) -> Phases:
    sim = jobsim.Simulator()
    enqueue = Noop.perform_async
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            enqueue()
    queued = time.perf_counter()
    performed = sim.drain(max_steps=None)
    drained = time.perf_counter()
    if performed != count:
        raise RuntimeError(f"plain performed {performed}, not {count}")
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def run_batch(count: int) -> Phases:
    Done.runs.clear()
    sim = jobsim.Simulator(plugins=[Batches()])
    enqueue = Noop.perform_async
    start = time.perf_counter()
    with sim:
        batch = Batch(description="bench")
        for event in ("complete", "success", "death"):
            batch.on(event, Done, {"jobs": count})
        with batch.jobs():
            for _ in range(count):
                enqueue()
    queued = time.perf_counter()
    performed = sim.drain(max_steps=None)
    drained = time.perf_counter()
    status = sim.batches[batch.bid]
    if performed != count + 2 or Done.runs != {"complete": 1, "success": 1}:
        raise RuntimeError(f"batch performed {performed}, callbacks {Done.runs}")
    if (status.total, status.pending, status.success) != (count, 0, True):
        raise RuntimeError(f"batch status {status}")
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_JOBS:,} jobs")
    parser.add_argument("--jobs", type=int, help=f"jobs in the batch (default {FULL_JOBS:,})")
    parser.add_argument("--repeats", type=int, default=3, help="best of R (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--profile", action="store_true", help="cProfile a batch run")
    args = parser.parse_args(argv)
    count = args.jobs or (QUICK_JOBS if args.quick else FULL_JOBS)
    machine = _harness.machine_info()
    print(
        f"{count:,} trivial jobs, plain against one batch with callbacks (python "
        f"{machine['python']}, jobsim {machine['jobsim_version']} ({machine['git_commit']}), "
        f"{machine['cpu_count']} CPUs)"
    )
    gc.collect()
    plain, _ = best_of(args.repeats, lambda: run_plain(count), "plain enqueue+drain")
    batch, _ = best_of(args.repeats, lambda: run_batch(count), "batch enqueue+drain")
    plain_rate, batch_rate = rate(count, plain.total), rate(count, batch.total)
    ratio = batch_rate / plain_rate if plain_rate else 0.0
    rows = [
        ["plain", plain.seconds["enqueue"], plain.seconds["drain"], plain.total, plain_rate],
        ["batch", batch.seconds["enqueue"], batch.seconds["drain"], batch.total, batch_rate],
    ]
    print_table("throughput", ["run", "enqueue s", "drain s", "total s", "jobs/s"], rows)
    verdict = "meets" if ratio >= GOAL_RATIO else "misses"
    print(f"\nbatch / plain = {ratio:.2f} ({verdict} the goal >= {GOAL_RATIO})")
    if args.profile:
        print(_harness.profile_call(lambda: run_batch(count)))
    _harness.write_json(
        args.json,
        {
            "machine": machine,
            "jobs": count,
            "plain": plain,
            "batch": batch,
            "ratio": ratio,
            "goal_ratio": GOAL_RATIO,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
