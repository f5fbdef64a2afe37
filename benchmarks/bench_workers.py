"""Workers in virtual time: jobsim against SimPy running the same model in the same run.

The model: N jobs enqueued at t=0 into one FIFO queue, served by 10 workers (concurrency 10);
each job holds its worker for a duration drawn from uniform(0.5, 3) seconds with a seeded
random generator; the run ends when the last job finishes (about N * 1.75 / 10 virtual
seconds).

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **jobsim**: ``class Work(jobsim.Job): duration = jobsim.durations.uniform(0.5, 3)``;
   ``Work.perform_async()`` N times inside ``with sim:`` on a fresh
   ``Simulator(seed=1, concurrency=10, trace_limit=0)``, then ``sim.drain(max_steps=None)``.
   With the default trace (every event kept) too, for reading.
2. **SimPy** (the peer), three idioms, and the ratios use the **fastest** one so picking a
   slow idiom cannot flatter jobsim:

   * *deque*: the N job dicts in a ``collections.deque``, 10 worker processes each looping
     ``while queue: job = queue.popleft(); yield env.timeout(rng.uniform(0.5, 3))`` (all jobs
     are there at t=0, so no worker ever waits for one and SimPy needs no queue object);
   * *store*: the N job dicts in a ``simpy.Store`` (FIFO; its item list filled at t=0), 10
     worker processes each looping ``job = yield store.get(); yield env.timeout(...)``;
   * *resource*: one process per job doing ``with resource.request() as req: yield req;
     yield env.timeout(...)`` on a ``simpy.Resource(capacity=10)`` (FIFO grants).

   * *bookkept*: the *deque* idiom doing the bookkeeping jobsim does for every job, so both
     sides produce the same output: a Sidekiq 8 job hash per enqueue (class, args, queue,
     retry, a 24-hex jid from a seeded generator, created_at and enqueued_at in integer
     milliseconds), a ``Work()`` instance whose ``perform`` is called at the start, the
     processed count, each job's queue latency, busy seconds, and how each jid ended (what
     jobsim keeps with ``trace_limit=0``).

   SimPy's ``Store`` and ``Resource`` keep their waiting lists in Python lists and take from
   the front with ``pop(0)``, which costs O(N) per job with N jobs waiting; that is SimPy's
   real cost for this model, and the *deque* idiom shows SimPy without it.

Before timing, an equivalence check runs the four models on the same pre-drawn durations
(``--check-jobs``, 2,000 by default; SimPy's clock starts at jobsim's epoch origin so both add
the same floats): every job must start at exactly the same virtual instant in all four and the
runs must end at exactly the same instant, so the timed runs compare the same model. In
the timed runs each side draws from its own seeded generator, so the virtual end times differ
slightly; they are printed, and must agree within 1 %.

Goals (issue): jobsim >= 50,000 jobs/s with concurrency 10 and random durations, and >= 1.5x
SimPy. The goals are printed for reading; the script exits 1 only if a correctness check fails.

Usage::

    python benchmarks/bench_workers.py                  # 100,000 jobs, best of 3
    python benchmarks/bench_workers.py --quick          # 10,000 jobs (seconds)
    python benchmarks/bench_workers.py --jobs 200000 --json out.json
    python benchmarks/bench_workers.py --quick --profile
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import _harness
from _harness import Phases, best_of, print_table, rate

import jobsim
import jobsim.durations

FULL_JOBS = 100_000
QUICK_JOBS = 10_000
CHECK_JOBS = 2_000
CONCURRENCY = 10
LOW, HIGH = 0.5, 3.0
SEED = 1
#: Tolerance for the timed runs' virtual end times (each side draws its own durations).
MAKESPAN_TOLERANCE = 0.01

SIMPY_IDIOMS = ("deque", "store", "resource", "bookkept")
#: The bare idioms: SimPy moving the jobs and nothing else.
BARE_IDIOMS = ("deque", "store", "resource")
#: jobsim's default start (2026-01-01T00:00:00Z) in epoch seconds; the check's SimPy runs
#: start their clocks there too.
ORIGIN = jobsim.DEFAULT_START.timestamp()

GOAL_JOBS_PER_S = 50_000
GOAL_VS_SIMPY = 1.5


class Work(jobsim.Job):
    """The modelled job: holds a worker for uniform(0.5, 3) virtual seconds, does nothing."""

    duration = jobsim.durations.uniform(LOW, HIGH)

    def perform(self) -> None:
        return None


def simpy_version() -> str | None:
    """SimPy's version, or None when it is not installed (``pip install -e '.[bench]'``)."""
    try:
        import simpy
    except ImportError:
        return None
    return str(simpy.__version__)


# -- the timed runs ---------------------------------------------------------------------------


def run_jobsim(count: int, trace_limit: int | None, facts: dict[str, Any]) -> Phases:
    """Enqueue ``count`` Work jobs at t=0 and drain them with concurrency 10."""
    sim = jobsim.Simulator(seed=SEED, concurrency=CONCURRENCY, trace_limit=trace_limit)
    origin = sim.time
    enqueue = Work.perform_async
    start = time.perf_counter()
    with sim:
        for _ in range(count):
            enqueue()
    queued = time.perf_counter()
    performed = sim.drain(max_steps=None)
    drained = time.perf_counter()
    facts["performed"] = performed
    facts["processed"] = sim.stats.processed
    facts["makespan_s"] = sim.time - origin
    facts["mean_latency_s"] = sim.stats.latency("default").mean
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def run_simpy_deque(count: int, facts: dict[str, Any]) -> Phases:
    """10 worker processes taking jobs from a shared ``collections.deque`` (every job is there
    at t=0, so a worker never waits for one and SimPy needs no queue of its own)."""
    import simpy

    rng = random.Random(SEED)
    draw = rng.uniform
    env = simpy.Environment()
    queue: deque[dict[str, Any]] = deque()
    done = [0]
    waited = [0.0]

    def worker() -> Iterator[Any]:
        popleft, timeout = queue.popleft, env.timeout
        while queue:
            job = popleft()
            waited[0] += env.now - job["enqueued_at"]
            yield timeout(draw(LOW, HIGH))
            done[0] += 1

    start = time.perf_counter()
    append = queue.append
    for seq in range(count):
        append({"jid": seq, "enqueued_at": 0.0})
    for _ in range(CONCURRENCY):
        env.process(worker())
    queued = time.perf_counter()
    env.run()
    drained = time.perf_counter()
    facts["performed"] = done[0]
    facts["makespan_s"] = env.now
    facts["mean_latency_s"] = waited[0] / max(done[0], 1)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def run_simpy_bookkept(count: int, facts: dict[str, Any]) -> Phases:
    """The deque idiom keeping what jobsim keeps per job (see the module docstring)."""
    import simpy

    rng = random.Random(SEED)
    draw = rng.uniform
    jid_bits = random.Random(SEED + 2).getrandbits
    env = simpy.Environment(initial_time=ORIGIN)
    queue: deque[dict[str, Any]] = deque()
    processed = [0]
    busy = [0.0]
    latencies = array("d")
    ended: dict[str, str] = {}

    def worker() -> Iterator[Any]:
        popleft, timeout, record = queue.popleft, env.timeout, latencies.append
        while queue:
            job = popleft()
            now = env.now
            processed[0] += 1
            record(now - job["enqueued_at"] / 1000.0)
            Work().perform(*job["args"])
            seconds = draw(LOW, HIGH)
            yield timeout(seconds)
            busy[0] += seconds
            ended[job["jid"]] = "succeeded"

    start = time.perf_counter()
    append = queue.append
    stamp = int(env.now * 1000)
    for _ in range(count):
        jid = jid_bits(96).to_bytes(12, "little").hex()
        job = {"retry": True, "queue": "default", "args": [], "class": "Work", "jid": jid}
        job["created_at"] = job["enqueued_at"] = stamp
        append(job)
    for _ in range(CONCURRENCY):
        env.process(worker())
    queued = time.perf_counter()
    env.run()
    drained = time.perf_counter()
    facts["performed"] = len(ended)
    facts["processed"] = processed[0]
    facts["makespan_s"] = env.now - ORIGIN
    facts["mean_latency_s"] = sum(latencies) / max(len(latencies), 1)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def run_simpy_store(count: int, facts: dict[str, Any]) -> Phases:
    """N jobs in a FIFO ``Store``, 10 worker processes taking one at a time."""
    import simpy

    rng = random.Random(SEED)
    draw = rng.uniform
    env = simpy.Environment()
    store = simpy.Store(env)
    done = [0]
    waited = [0.0]

    def worker() -> Iterator[Any]:
        get, timeout = store.get, env.timeout
        while True:
            job = yield get()
            waited[0] += env.now - job["enqueued_at"]
            yield timeout(draw(LOW, HIGH))
            done[0] += 1

    start = time.perf_counter()
    items = store.items
    for seq in range(count):
        items.append({"jid": seq, "enqueued_at": 0.0})  # a Store's FIFO list, filled at t=0
    for _ in range(CONCURRENCY):
        env.process(worker())
    queued = time.perf_counter()
    env.run()
    drained = time.perf_counter()
    facts["performed"] = done[0]
    facts["makespan_s"] = env.now
    facts["mean_latency_s"] = waited[0] / max(done[0], 1)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


def run_simpy_resource(count: int, facts: dict[str, Any]) -> Phases:
    """One process per job, each requesting a ``Resource(capacity=10)`` (FIFO grants)."""
    import simpy

    rng = random.Random(SEED)
    draw = rng.uniform
    env = simpy.Environment()
    workers = simpy.Resource(env, capacity=CONCURRENCY)
    done = [0]
    waited = [0.0]

    def job() -> Iterator[Any]:
        with workers.request() as request:
            yield request
            waited[0] += env.now
            yield env.timeout(draw(LOW, HIGH))
        done[0] += 1

    start = time.perf_counter()
    process = env.process
    for _ in range(count):
        process(job())
    queued = time.perf_counter()
    env.run()
    drained = time.perf_counter()
    facts["performed"] = done[0]
    facts["makespan_s"] = env.now
    facts["mean_latency_s"] = waited[0] / max(done[0], 1)
    return Phases({"enqueue": queued - start, "drain": drained - queued})


# -- the equivalence check --------------------------------------------------------------------


def starts_jobsim(durations: list[float]) -> tuple[list[float], float]:
    """Start instants (in start order) and the end instant, jobsim fed ``durations`` in order."""
    feed = iter(durations)

    class Fed(jobsim.Job):
        duration = staticmethod(lambda _stream: next(feed))  # a callable spec, as uniform() is

        def perform(self) -> None:
            return None

    sim = jobsim.Simulator(seed=SEED, concurrency=CONCURRENCY)
    origin = sim.time
    with sim:
        for _ in durations:
            Fed.perform_async()
    sim.drain(max_steps=None)
    starts = [event.ts - origin for event in sim.trace.of_kind("started")]
    return starts, sim.time - origin


def starts_simpy(durations: list[float], idiom: str) -> tuple[list[float], float]:
    """Start instants (in start order) and the end instant, SimPy fed ``durations`` in order."""
    import simpy

    feed = iter(durations)
    # The same origin as jobsim's clock (epoch seconds), so both add the same floats.
    env = simpy.Environment(initial_time=ORIGIN)
    starts: list[float] = []
    if idiom in ("deque", "bookkept"):  # bookkeeping does not change when jobs start
        queue = deque(range(len(durations)))

        def lean_worker() -> Iterator[Any]:
            while queue:
                queue.popleft()
                starts.append(env.now)
                yield env.timeout(next(feed))

        for _ in range(CONCURRENCY):
            env.process(lean_worker())
    elif idiom == "store":
        store = simpy.Store(env)
        store.items.extend(range(len(durations)))

        def worker() -> Iterator[Any]:
            while True:
                yield store.get()
                starts.append(env.now)
                yield env.timeout(next(feed))

        for _ in range(CONCURRENCY):
            env.process(worker())
    else:
        workers = simpy.Resource(env, capacity=CONCURRENCY)

        def job() -> Iterator[Any]:
            with workers.request() as request:
                yield request
                starts.append(env.now)
                yield env.timeout(next(feed))

        for _ in durations:
            env.process(job())
    env.run()
    return [start - ORIGIN for start in starts], env.now - ORIGIN


def equivalence_check(count: int) -> dict[str, bool]:
    """The four models, fed the same durations, start every job at the same instant."""
    rng = random.Random(SEED + 1)
    durations = [rng.uniform(LOW, HIGH) for _ in range(count)]
    reference, end = starts_jobsim(durations)
    checks = {f"jobsim started all {count:,} check jobs": len(reference) == count}
    for idiom in SIMPY_IDIOMS:
        starts, other_end = starts_simpy(durations, idiom)
        checks[f"same start instants, jobsim vs simpy {idiom} ({count:,} jobs)"] = (
            starts == reference
        )
        checks[f"same end instant, jobsim vs simpy {idiom}"] = other_end == end
    return checks


# -- main -------------------------------------------------------------------------------------


def _row(name: str, count: int, phases: Phases, totals: list[float], facts: dict[str, Any]) -> Any:
    return {
        "name": name,
        "jobs": count,
        "phases_s": phases.seconds,
        "total_s": phases.total,
        "jobs_per_s": rate(count, phases.total),
        "all_totals_s": totals,
        "virtual": dict(facts),
    }


def _measure(
    repeats: int, label: str, run: Callable[[dict[str, Any]], Phases]
) -> tuple[Phases, list[float], dict[str, Any]]:
    facts: dict[str, Any] = {}
    best, totals = best_of(repeats, lambda: run(facts), label)
    return best, totals, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_JOBS:,} jobs")
    parser.add_argument("--jobs", type=int, help=f"number of jobs (default {FULL_JOBS:,})")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument(
        "--check-jobs", type=int, default=CHECK_JOBS, help="jobs in the equivalence check"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--profile", action="store_true", help="cProfile the jobsim run too")
    args = parser.parse_args(argv)

    count = args.jobs or (QUICK_JOBS if args.quick else FULL_JOBS)
    repeats = args.repeats
    machine = _harness.machine_info()
    version = simpy_version()
    print(
        f"{count:,} jobs at t=0, one FIFO queue, concurrency {CONCURRENCY}, durations "
        f"uniform({LOW:g}, {HIGH:g}) s; best of {repeats}"
    )
    print(
        f"python {machine['python']}, jobsim {machine['jobsim_version']} "
        f"({machine['git_commit']}), simpy {version or 'not installed'}, "
        f"{machine['cpu_count']} CPUs"
    )
    if version is None:
        print("SimPy is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 1

    _harness.progress(f"equivalence check, {args.check_jobs:,} jobs")
    checks = equivalence_check(args.check_jobs)

    rows: dict[str, dict[str, Any]] = {}
    best, totals, facts = _measure(
        repeats, "jobsim trace_limit=0", lambda f: run_jobsim(count, 0, f)
    )
    rows["jobsim"] = _row("jobsim (trace_limit=0)", count, best, totals, facts)
    best, totals, facts = _measure(
        repeats, "jobsim default trace", lambda f: run_jobsim(count, None, f)
    )
    rows["jobsim_trace"] = _row("jobsim (default trace)", count, best, totals, facts)
    best, totals, facts = _measure(repeats, "simpy deque", lambda f: run_simpy_deque(count, f))
    rows["simpy_deque"] = _row("simpy: deque + 10 worker processes", count, best, totals, facts)
    best, totals, facts = _measure(repeats, "simpy store", lambda f: run_simpy_store(count, f))
    rows["simpy_store"] = _row("simpy: Store + 10 worker processes", count, best, totals, facts)
    best, totals, facts = _measure(
        repeats, "simpy resource", lambda f: run_simpy_resource(count, f)
    )
    rows["simpy_resource"] = _row(
        "simpy: a process per job + Resource(10)", count, best, totals, facts
    )
    best, totals, facts = _measure(
        repeats, "simpy bookkept", lambda f: run_simpy_bookkept(count, f)
    )
    rows["simpy_bookkept"] = _row("simpy: deque + jobsim's bookkeeping", count, best, totals, facts)

    print_table(
        "throughput (best of the repeats)",
        ["run", "jobs", "enqueue s", "drain s", "total s", "jobs/s"],
        [
            [r["name"], r["jobs"], *list(r["phases_s"].values()), r["total_s"], r["jobs_per_s"]]
            for r in rows.values()
        ],
    )
    print_table(
        "the simulated runs (virtual seconds)",
        ["run", "jobs performed", "makespan s", "mean latency s"],
        [
            [
                r["name"],
                r["virtual"]["performed"],
                r["virtual"]["makespan_s"],
                r["virtual"]["mean_latency_s"],
            ]
            for r in rows.values()
        ],
    )

    expected_makespan = count * (LOW + HIGH) / 2 / CONCURRENCY
    for key, row in rows.items():
        checks[f"{key}: performed all {count:,} jobs"] = row["virtual"]["performed"] == count
        makespan = row["virtual"]["makespan_s"]
        checks[f"{key}: makespan within 1% of N * 1.75 / 10 ({expected_makespan:,.0f} s)"] = (
            abs(makespan - expected_makespan) <= MAKESPAN_TOLERANCE * expected_makespan
        )
    checks["jobsim processed == N"] = rows["jobsim"]["virtual"]["processed"] == count

    jobsim_rate = rows["jobsim"]["jobs_per_s"]
    fastest_simpy = max(rows[f"simpy_{idiom}"]["jobs_per_s"] for idiom in BARE_IDIOMS)
    ratios = {
        f"jobsim / simpy {idiom}": jobsim_rate / rows[f"simpy_{idiom}"]["jobs_per_s"]
        for idiom in SIMPY_IDIOMS
    }
    ratios.update(
        {
            "jobsim / fastest bare simpy": jobsim_rate / fastest_simpy,
            "jobsim default trace / fastest bare simpy": rows["jobsim_trace"]["jobs_per_s"]
            / fastest_simpy,
        }
    )
    print_table("ratios (peers measured in this run)", ["ratio", "value"], list(ratios.items()))

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    goals = [
        [
            "jobsim jobs/s (trace_limit=0)",
            f">= {GOAL_JOBS_PER_S:,}",
            round(jobsim_rate),
            verdict(jobsim_rate >= GOAL_JOBS_PER_S),
        ],
        [
            "jobsim / simpy Store + timeout (the project's SimPy peer)",
            f">= {GOAL_VS_SIMPY:g}x",
            f"{ratios['jobsim / simpy store']:.2f}x",
            verdict(ratios["jobsim / simpy store"] >= GOAL_VS_SIMPY),
        ],
        [
            "jobsim / simpy with the same output (bookkept)",
            f">= {GOAL_VS_SIMPY:g}x",
            f"{ratios['jobsim / simpy bookkept']:.2f}x",
            verdict(ratios["jobsim / simpy bookkept"] >= GOAL_VS_SIMPY),
        ],
        [
            "jobsim / fastest bare simpy (moves jobs only)",
            f">= {GOAL_VS_SIMPY:g}x",
            f"{ratios['jobsim / fastest bare simpy']:.2f}x",
            verdict(ratios["jobsim / fastest bare simpy"] >= GOAL_VS_SIMPY),
        ],
    ]
    print_table(
        "against the issue's goals (for reading; jobs/s depends on the machine)"
        + ("\n  QUICK SIZE: the goals are stated for 100,000 jobs" if args.quick else ""),
        ["measure", "goal", "measured", ""],
        goals,
    )
    print_table(
        "checks", ["check", "result"], [[k, "ok" if v else "FAILED"] for k, v in checks.items()]
    )

    if args.profile:
        print(f"\ncProfile of jobsim enqueue + drain of {count:,} jobs (trace_limit=0):")
        print(_harness.profile_call(lambda: run_jobsim(count, 0, {})))

    _harness.write_json(
        args.json,
        {
            "benchmark": "workers",
            "quick": args.quick,
            "jobs": count,
            "concurrency": CONCURRENCY,
            "durations": f"uniform({LOW:g}, {HIGH:g})",
            "repeats": repeats,
            "machine": machine,
            "simpy_version": version,
            "runs": rows,
            "ratios": ratios,
            "goals": [
                dict(zip(["measure", "goal", "measured", "verdict"], g, strict=True)) for g in goals
            ],
            "checks": checks,
        },
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
