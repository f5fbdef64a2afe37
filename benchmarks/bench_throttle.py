"""Throttled throughput: a sidekiq-throttled run against the same jobs unthrottled, same run.

What it measures (wall clock, ``time.perf_counter``): N jobs (default 100,000) of one class
enqueued at one instant and drained by a simulator with 25 worker threads, each job taking
one virtual second. Runs:

1. **unthrottled**: the class without ``throttle=``; enqueue + drain.
2. **throttled**: the class with ``throttle={"concurrency": {"limit": 5}, "threshold":
   {"limit": 100, "period": 60}}`` on ``Throttled()`` (cooldown 1 s / 100, the gem's
   defaults); enqueue + drain. The drain covers N / 100 virtual minutes, with the gem's
   refusals, requeues and cooldowns on the way.

The issue's goal: throttled jobs per wall second ≥ 25 % of unthrottled in the same run.
The ratio is printed (also in CPU seconds, ``time.process_time``, steadier than wall time
on a loaded machine); nothing fails on it.

Usage::

    python benchmarks/bench_throttle.py               # 100,000 jobs
    python benchmarks/bench_throttle.py --jobs 10000  # quicker
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import jobsim
from jobsim.throttled import Throttled


class Plain(jobsim.Job):
    duration = 1.0

    def perform(self, index: int) -> None:
        pass


class Limited(
    jobsim.Job,
    throttle={"concurrency": {"limit": 5}, "threshold": {"limit": 100, "period": 60}},
):
    duration = 1.0

    def perform(self, index: int) -> None:
        pass


def run(job_class: type[jobsim.Job], jobs: int) -> tuple[float, float, jobsim.Simulator]:
    """Wall and CPU seconds to enqueue and drain ``jobs`` jobs of ``job_class``."""
    sim = jobsim.Simulator(concurrency=25, plugins=[Throttled()], trace_limit=0)
    began, cpu = time.perf_counter(), time.process_time()
    with sim:
        for index in range(jobs):
            job_class.perform_async(index)
    done = sim.drain(max_steps=None)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert done == jobs, (done, jobs)
    return took, cpu, sim


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    options = parser.parse_args(argv)
    jobs = options.jobs
    plain, plain_cpu, _ = run(Plain, jobs)
    limited, limited_cpu, sim = run(Limited, jobs)
    counts = sim.throttles.counts(Limited)
    ratio = plain / limited
    cpu_ratio = plain_cpu / limited_cpu
    print(f"{jobs:,} jobs, 25 threads, 1 s each")
    print(f"  unthrottled  {plain:7.2f} s  {jobs / plain:10,.0f} jobs/s")
    print(
        f"  throttled    {limited:7.2f} s  {jobs / limited:10,.0f} jobs/s  "
        f"({(sim.time - jobsim.Simulator().time) / 3600:.1f} virtual hours, "
        f"{counts.throttled:,} refusals)"
    )
    print(f"  throttled / unthrottled throughput: {ratio:.2f} (goal >= 0.25)")
    print(f"  the same in CPU seconds ({plain_cpu:.2f} / {limited_cpu:.2f}): {cpu_ratio:.2f}")
    return {
        "jobs": jobs,
        "plain": plain,
        "throttled": limited,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
    }


if __name__ == "__main__":
    main()
