"""Unique jobs' cost: enqueue + drain of trivial unique jobs against plain ones, same run.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **plain**: N ``perform_async(i)`` of a no-op ``jobsim.Job`` on a simulator without plugins,
   then ``drain()``;
2. **unique**: the same with ``lock="until_executed"`` on a simulator with
   ``jobsim.unique_jobs.UniqueJobs()`` (every push computes the gem's digest, takes a lock;
   every execution releases it), all digests distinct so nothing is refused;
3. **unique while_executing**: the same with the runtime lock instead;
4. **no-op middleware** (for reading the others): the plain job with a client and a server
   middleware that only call ``call_next``: what any middleware pair costs in jobsim's chains
   (the server chain's copy of the job as JSON would parse it, the chain's calls, the strict
   args check after client middleware), before the plugin does anything;
5. **plain, plugin on**: the plain job on a simulator with ``UniqueJobs()``: what the plugin
   costs the jobs of an app that declare no lock.

Each is best of R. The issue's goal is unique ≥ 0.5 × plain throughput; the ratio is printed,
nothing fails on it.

Usage::

    python benchmarks/bench_unique.py              # 20,000 jobs, best of 3
    python benchmarks/bench_unique.py --quick      # 2,000 jobs, best of 2
    python benchmarks/bench_unique.py --json out.json
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import _harness
from _harness import Phases, best_of, print_table, rate

import jobsim
from jobsim.unique_jobs import UniqueJobs

GOAL = 0.5


class PassThrough:
    """A middleware that does nothing but continue."""

    def call(self, subject: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        return call_next()


class PassThroughPlugin:
    """Installs :class:`PassThrough` on both chains."""

    name = "pass_through"
    honours = ()

    def install(self, sim: jobsim.Simulator) -> None:
        sim.client_middleware.add(PassThrough)
        sim.server_middleware.add(PassThrough)


class Plain(jobsim.Job):
    def perform(self, n: int) -> None:
        return None


class Unique(jobsim.Job, lock="until_executed"):
    def perform(self, n: int) -> None:
        return None


class Runtime(jobsim.Job, lock="while_executing"):
    def perform(self, n: int) -> None:
        return None


def run(job_class: type[jobsim.Job], count: int, plugins: list[Any] | None) -> Phases:
    sim = jobsim.Simulator(plugins=plugins, young_gc=True)
    push = job_class.perform_async
    start = time.perf_counter()
    with sim:
        for n in range(count):
            push(n)
    queued = time.perf_counter()
    done = sim.drain()
    drained = time.perf_counter()
    if done != count:
        msg = f"{job_class.__name__}: {done} of {count} performed"
        raise RuntimeError(msg)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 jobs, best of 2")
    parser.add_argument("--jobs", type=int, help="jobs per run (default 20,000)")
    parser.add_argument("--repeats", type=int, help="best of this many (default 3)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    count = args.jobs or (2_000 if args.quick else 20_000)
    repeats = args.repeats or (2 if args.quick else 3)
    rows = []
    results: dict[str, float] = {}
    runs: list[tuple[str, type[jobsim.Job], list[Any] | None]] = [
        ("plain", Plain, None),
        ("unique until_executed", Unique, [UniqueJobs()]),
        ("unique while_executing", Runtime, [UniqueJobs()]),
        ("no-op middleware", Plain, [PassThroughPlugin()]),
        ("plain, plugin on", Plain, [UniqueJobs()]),
    ]
    for name, job_class, plugins in runs:

        def once(job_class: type[jobsim.Job] = job_class, plugins: Any = plugins) -> Phases:
            return run(job_class, count, plugins)

        best, _ = best_of(repeats, once, name)
        per_second = rate(count, best.total)
        results[name] = per_second
        rows.append([name, count, best.seconds["enqueue"], best.seconds["drain"], per_second])
    print_table(
        f"enqueue + drain of {count:,} trivial jobs (best of {repeats})",
        ["run", "jobs", "enqueue s", "drain s", "jobs/s"],
        rows,
    )
    plain = results["plain"]
    for name in [row[0] for row in rows[1:]]:
        ratio = results[name] / plain if plain else 0.0
        verdict = "meets" if ratio >= GOAL else "misses"
        floor = results["no-op middleware"]
        print(
            f"{name}: {ratio:.2f}x plain ({verdict} the goal of {GOAL}x); "
            f"{results[name] / floor:.2f}x the no-op middleware pair"
        )
    _harness.write_json(
        args.json,
        {"benchmark": "unique", "jobs": count, "repeats": repeats, "jobs_per_s": results},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
