"""Redis bridge throughput: save and load 100,000 jobs through a real redis-server, and fakeredis.

What it measures (wall clock, ``time.perf_counter``, garbage collector enabled):

1. **save**: ``jobsim.redis.save_state(sim, redis)`` of a simulator holding N jobs in Sidekiq's
   proportions: 70 % queued over three queues, 10 % each in the ``schedule``, ``retry`` and
   ``dead`` sets, every job a realistic Sidekiq 6.4 hash (retry jobs carry ``error_message``,
   ``error_class``, ``failed_at``…). Timed: clearing the old keys (a SCAN) plus the pipelined
   LPUSH / ZADD / SET commands, in chunks of 1,000 members.
2. **load**: ``jobsim.redis.load_state(redis, fresh_sim)``: the two pipelined round trips that
   read every key, the JSON parse and check of every member (untrusted input), and the
   ``sim._restore`` calls that place them.

Both run against a private ``redis-server`` the script starts on a free loopback port
(``--save "" --appendonly no``: no disk) and stops at the end, and against an in-process
``fakeredis.FakeRedis`` in the same run; the headline ratio is real server / fakeredis in
jobs/s. Before timing, a check: the state loaded back is the state saved (queues, sets and
counters equal). The script exits 1 if the check fails or redis-server cannot start; it never
fails on a speed number.

Goal (issue 8): >= 50,000 jobs/s for save and for load through a real redis-server.

Usage::

    python benchmarks/bench_redis.py                  # 100,000 jobs, best of 3
    python benchmarks/bench_redis.py --quick          # 10,000 jobs, best of 2
    python benchmarks/bench_redis.py --json out.json --profile
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from functools import partial
from typing import Any

import _harness
from _harness import Phases, best_of, machine_info, print_table, rate, write_json

import jobsim
from jobsim.redis import fake_redis, load_state, save_state, snapshot

FULL_JOBS = 100_000
QUICK_JOBS = 10_000
GOAL = 50_000
START = 1_767_225_600.0
QUEUES = ("default", "mailers", "low")


class Noop(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


def job(index: int, queue: str) -> dict[str, Any]:
    """A Sidekiq 6.4 job hash such as ``Sidekiq::Client.push`` writes."""
    return {
        "retry": True,
        "queue": queue,
        "class": "Noop",
        "args": [index, f"order-{index}", {"amount": index * 0.01, "currency": "EUR"}],
        "jid": f"{index:024x}",
        "created_at": START + index * 0.001,
        "enqueued_at": START + index * 0.001,
    }


def failed(index: int, queue: str) -> dict[str, Any]:
    """A job hash as ``JobRetry`` leaves it after a failure."""
    return {
        **job(index, queue),
        "error_message": f"gateway timeout for order {index}",
        "error_class": "TimeoutError",
        "failed_at": START + index * 0.001 + 1,
        "retry_count": index % 25,
    }


def populated(count: int) -> jobsim.Simulator:
    """A simulator holding ``count`` jobs: 70 % queued, 10 % in each sorted set."""
    sim = jobsim.Simulator(seed=1, profile="sidekiq-6.4", trace_limit=0)
    sim.register(Noop)
    tenth = count // 10
    queued = count - 3 * tenth
    for number, name in enumerate(QUEUES):
        sim._restore.queue(name, (job(i, name) for i in range(number, queued, len(QUEUES))))
    base = queued
    for offset, key in enumerate(("schedule", "retry", "dead")):
        first = base + offset * tenth
        for i in range(first, first + tenth):
            entry = job(i, "default") if key == "schedule" else failed(i, "default")
            sim._restore.entry(key, START + 60 + i * 0.5, entry)  # type: ignore[arg-type]
    sim._restore.stats(processed=count, failed=count // 2)
    return sim


def fresh() -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=1, profile="sidekiq-6.4", trace_limit=0)
    sim.register(Noop)
    return sim


def run_save(sim: jobsim.Simulator, redis: Any) -> Phases:
    redis.flushdb()
    start = time.perf_counter()
    save_state(sim, redis)
    return Phases({"save": time.perf_counter() - start})


def run_load(redis: Any) -> Phases:
    sim = fresh()
    start = time.perf_counter()
    load_state(redis, sim)
    return Phases({"load": time.perf_counter() - start})


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[Any, str]]:
    """A private redis-server on a free loopback port (no persistence); a client and its
    version. Stopped (terminate, then kill) on exit."""
    import redis as redis_py

    binary = shutil.which("redis-server")
    if binary is None:
        msg = "redis-server is not installed (apt-get install -y redis-server)"
        raise SystemExit(msg)
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        for _attempt in range(3):  # the port may be taken between bind and start
            port = _free_port()
            process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                 "--appendonly", "no", "--dir", workdir, "--daemonize", "no"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            client = redis_py.Redis(host="127.0.0.1", port=port)
            deadline = time.monotonic() + 15
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    break
                except redis_py.ConnectionError:
                    time.sleep(0.05)
            if process.poll() is None and time.monotonic() < deadline:
                break
            client.close()
            process.kill()
            process.wait()
        else:
            msg = "redis-server did not start on a free loopback port"
            raise SystemExit(msg)
        try:
            yield client, str(client.info("server")["redis_version"])
        finally:
            client.close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def check(sim: jobsim.Simulator, redis: Any) -> bool:
    """The state loaded back equals the state saved."""
    redis.flushdb()
    written = save_state(sim, redis)
    again = fresh()
    load_state(redis, again)
    read = snapshot(again)
    return (read.queues, read.sets, read.processed, read.failed) == (
        written.queues,
        written.sets,
        written.processed,
        written.failed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=FULL_JOBS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_JOBS:,} jobs, best of 2")
    parser.add_argument("--json", default=None, metavar="PATH")
    parser.add_argument("--profile", action="store_true", help="cProfile a save and a load")
    options = parser.parse_args(argv)
    count = QUICK_JOBS if options.quick else options.jobs
    repeats = min(options.repeats, 2) if options.quick else options.repeats
    warnings.simplefilter("error")  # a warning would mean a wrong state, not a slow one

    _harness.progress(f"building a simulator with {count:,} jobs")
    sim = populated(count)
    assert snapshot(sim).job_count == count
    rows: list[list[Any]] = []
    results: dict[str, dict[str, float]] = {}
    with redis_server() as (server, version):
        backends = (("redis-server " + version, server), ("fakeredis", fake_redis()))
        for label, redis in backends:
            if not check(sim, redis):
                print(f"CHECK FAILED: {label} did not give back the saved state", file=sys.stderr)
                return 1
            save, _ = best_of(repeats, partial(run_save, sim, redis), f"save {label}")
            load, _ = best_of(repeats, partial(run_load, redis), f"load {label}")
            results[label] = {
                "save_s": save.total,
                "load_s": load.total,
                "save_jobs_per_s": rate(count, save.total),
                "load_jobs_per_s": rate(count, load.total),
            }
            rows.append([label, "save", count, save.total, rate(count, save.total)])
            rows.append([label, "load", count, load.total, rate(count, load.total)])
        if options.profile:
            print(_harness.profile_call(lambda: run_save(sim, server)))
            print(_harness.profile_call(lambda: run_load(server)))
        server.flushdb()

    real, fake = (results[label] for label, _ in backends)
    print_table(
        f"save_state / load_state of {count:,} jobs (best of {repeats})",
        ["backend", "what", "jobs", "s", "jobs/s"],
        rows,
    )
    ratios = {
        what: real[f"{what}_jobs_per_s"] / fake[f"{what}_jobs_per_s"]
        if fake[f"{what}_jobs_per_s"]
        else 0.0
        for what in ("save", "load")
    }
    print(
        f"\nreal redis-server / fakeredis (jobs/s): save {ratios['save']:.2f}x, "
        f"load {ratios['load']:.2f}x"
    )
    for what in ("save", "load"):
        value = real[f"{what}_jobs_per_s"]
        verdict = "met" if value >= GOAL else "NOT met"
        print(f"goal: >= {GOAL:,} jobs/s {what} through redis-server: {value:,.0f}/s ({verdict})")
    write_json(
        options.json,
        {"machine": machine_info(), "jobs": count, "results": results, "ratios": ratios},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
