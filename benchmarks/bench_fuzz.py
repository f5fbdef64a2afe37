"""Idempotency fuzzing: fault schedules per second for a trivial job.

What it measures (wall clock, ``time.perf_counter``): ``jobsim.fuzz.check_idempotent`` on a
job whose one effect appends to a list, with every fault on, the example database off and a
fixed ``max_examples`` (so the whole budget runs: the job is idempotent and nothing fails).
Each example is one fault schedule: a clean run and a faulty run on fresh simulators, plus
Hypothesis's generation. Also reported: the rate of ``jobsim.fuzz.execute`` alone on
pre-built schedules (the simulator's share, without Hypothesis).

Goal (issue 7): >= 200 fault schedules per second, so a default run of a few hundred examples
takes about a second. The goal is printed; the script exits 1 only if a check fails.

Usage::

    python benchmarks/bench_fuzz.py               # 500 examples, best of 3
    python benchmarks/bench_fuzz.py --quick       # 100 examples
"""

from __future__ import annotations

import argparse
import sys
import time

from _harness import Phases, best_of, machine_info, print_table, rate, write_json
from hypothesis import settings

import jobsim
import jobsim.fuzz as fz

DONE: set[int] = set()


class Effects:
    """A trivial effect: remember the order ids seen."""

    def record(self, order_id: int) -> None:
        DONE.add(order_id)


EFFECTS = Effects()


class Trivial(jobsim.Job):
    def perform(self, order_id: int) -> None:
        if order_id not in DONE:
            EFFECTS.record(order_id)
        fz.checkpoint("after record")


def run_check(examples: int) -> Phases:
    start = time.perf_counter()
    fz.check_idempotent(
        Trivial,
        args=[7],
        setup=DONE.clear,
        snapshot=lambda: sorted(DONE),
        effects=[fz.effect(EFFECTS.record, once=False)],
        settings=settings(max_examples=examples, database=None, deadline=None, derandomize=True),
    )
    return Phases({"check": time.perf_counter() - start})


def run_execute(schedules: list[fz.Schedule]) -> Phases:
    start = time.perf_counter()
    for schedule in schedules:
        fz.execute(Trivial, (7,), schedule, setup=DONE.clear, snapshot=lambda: sorted(DONE))
    return Phases({"execute": time.perf_counter() - start})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    options = parser.parse_args(argv)
    examples = 100 if options.quick else options.examples
    check, _ = best_of(options.repeats, lambda: run_check(examples), "check_idempotent")
    mixed = [
        fz.Schedule(
            seed=i,
            fetch="reliable" if i % 2 else "basic",
            deliveries=1 + i % 3,
            concurrent=2 if i % 3 == 2 else 1,
            faults=((i % 3, "crash-after"),),
            order=(1, 0, 1),
        )
        for i in range(examples)
    ]
    direct, _ = best_of(options.repeats, lambda: run_execute(mixed), "execute")
    per_second = rate(examples, check.total)
    rows = [
        ["check_idempotent (Hypothesis + 2 runs)", examples, check.total, per_second],
        ["execute only (1 faulty run)", examples, direct.total, rate(examples, direct.total)],
    ]
    print_table("fault schedules per second, trivial job", ["what", "schedules", "s", "/s"], rows)
    print(
        f"\ngoal: >= 200 schedules/s with check_idempotent: {per_second:,.0f}/s "
        f"({'met' if per_second >= 200 else 'NOT met'})"
    )
    write_json(options.json, {"machine": machine_info(), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
