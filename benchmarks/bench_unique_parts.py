"""Where a unique job's time goes, and how far trimming the plugin could take it.

``bench_unique.py`` compares unique jobs with plain ones; this script takes the difference
apart by running the same 20,000 trivial ``until_executed`` jobs with parts of the plugin
replaced (``unittest.mock.patch``, undone after each run):

1. **plain**: no plugin.
2. **dispatch**: the plugin installed, both middleware answering ``passes`` at once: what the
   middleware calls, the end-of-run listener and the class's ``lock`` option cost.
3. **keys**: the client only writes the six keys the gem adds (``lock`` … ``lock_digest``,
   the digest faked from the jid), no lock taken: what a hash of fourteen keys costs.
4. **client**: the real push (resolution, digest, lock), the start answering at once.
5. **shipped**: the plugin as it is.
6. **written out**: not shipped. The push and the ``until_executed`` start with every call
   of the usual case inlined into one function each (what a hand-specialised plugin could
   reach); anything unusual falls back to the shipped code. A 300-job run is compared with
   the shipped one first: same trace bytes and no lock left, or the script stops.

Each is the best of R runs (enqueue and drain timed apart, garbage collector enabled), as in
``bench_unique.py``. Nothing fails on a number.

Usage::

    python benchmarks/bench_unique_parts.py            # 20,000 jobs, best of 5
    python benchmarks/bench_unique_parts.py --quick    # 2,000 jobs, best of 2
"""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import _harness
from _harness import best_of, print_table
from bench_unique import Plain, Unique, run

import jobsim
from jobsim.job import Job
from jobsim.unique_jobs import UniqueJobs
from jobsim.unique_jobs._digest import _md5, _quoted
from jobsim.unique_jobs._lanes import SUCCEEDED, release_after
from jobsim.unique_jobs._middleware import UniqueClient, UniqueServer
from jobsim.unique_jobs._resolutions import _CLIENT_KEYS

SHIPPED_CLIENT = UniqueClient.passes
SHIPPED_SERVER = UniqueServer.passes


def _yes(self: Any, subject: Any, job: Any, queue: str) -> bool:
    return True


def _keys_only(self: Any, subject: Any, job: dict[str, Any], queue: str) -> bool:
    job.setdefault("lock", "until_executed")
    job["lock_timeout"] = 0
    job["lock_ttl"] = None
    job["lock_prefix"] = "uniquejobs"
    job["lock_args"] = job["args"]
    job["lock_digest"] = "uniquejobs:" + job["jid"]
    return True


def _client_written_out(self: Any, subject: Any, job: dict[str, Any], queue: str) -> bool:
    runtime = self.runtime
    if "rescheduled" not in job and type(subject) is not str:
        declared = subject.sidekiq_options
        kept = runtime.resolutions._client.get(subject)
        if (
            kept is not None
            and kept.declared is declared
            and declared == kept.snapshot
            and _CLIENT_KEYS.intersection(job) == kept.present
            and all(job[key] is value for key, value in kept.pairs)
        ):
            resolved = kept.value
            kind = resolved.lane_kind
            args, jid, klass = job["args"], job["jid"], job["class"]
            if (
                kind is not None
                and "at" not in job
                and "apartment" not in job
                and len(args) == 1
                and type(args[0]) is int
                and type(jid) is str
                and type(klass) is str
                and type(queue) is str
            ):
                text = f'[["class",{_quoted(klass)}],["lock_args",[{args[0]!r}]],["queue",{_quoted(queue)}]]'  # noqa: E501
                digest = f"{resolved.prefix}:{_md5(text.encode()).hexdigest()}"
                table = runtime.table
                if digest not in table._locks:
                    table._locks[digest] = jid
                    table._since[digest] = runtime.now
                    table._kinds[digest] = kind
                    job.setdefault("lock", kind.lock_type)
                    job["lock_timeout"] = resolved.timeout
                    job["lock_ttl"] = resolved.ttl
                    job["lock_prefix"] = resolved.prefix
                    job["lock_args"] = args
                    job["lock_digest"] = digest
                    return True
    return SHIPPED_CLIENT(self, subject, job, queue)


def _server_written_out(self: Any, instance: Any, job: dict[str, Any], queue: str) -> bool:
    runtime = self.runtime
    digest = job.get("lock_digest")
    if (
        type(digest) is str
        and job.get("lock") == "until_executed"
        and "lock_ttl" in job
        and "rescheduled" not in job
        and isinstance(instance, Job)
    ):
        declared = type(instance).sidekiq_options
        if (declared.get("lock") or declared.get("unique") or "until_executed") == "until_executed":
            jid = job["jid"]
            table = runtime.table
            if table._locks.get(digest) == jid and table._kinds[digest].ttl is None:
                pending = runtime._pending
                if jid not in pending:
                    pending[jid] = release_after(SUCCEEDED, runtime, digest, jid, instance, job)
                    return True
    return SHIPPED_SERVER(self, instance, job, queue)


Variant = tuple[str, type[jobsim.Job], bool, Callable[..., bool] | None, Callable[..., bool] | None]

VARIANTS: list[Variant] = [
    ("plain", Plain, False, None, None),
    ("dispatch", Unique, True, _yes, _yes),
    ("keys", Unique, True, _keys_only, _yes),
    ("client", Unique, True, None, _yes),
    ("shipped", Unique, True, None, None),
    ("written out", Unique, True, _client_written_out, _server_written_out),
]


@contextlib.contextmanager
def patched(
    client: Callable[..., bool] | None, server: Callable[..., bool] | None
) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        if client is not None:
            stack.enter_context(mock.patch.object(UniqueClient, "passes", client))
        if server is not None:
            stack.enter_context(mock.patch.object(UniqueServer, "passes", server))
        yield


def trace_of(count: int) -> str:
    sim = jobsim.Simulator(plugins=[UniqueJobs()], seed=1)
    with sim:
        for n in (*range(count), 0, 1):  # the last two conflict
            Unique.perform_async(n)
    sim.drain()
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return f"{out.getvalue()}\nheld after the run: {sim.locks.digests}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 jobs, best of 2")
    parser.add_argument("--jobs", type=int, help="jobs per run (default 20,000)")
    parser.add_argument("--repeats", type=int, help="best of this many (default 5)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    count = args.jobs or (2_000 if args.quick else 20_000)
    repeats = args.repeats or (2 if args.quick else 5)
    shipped = trace_of(300)
    with patched(_client_written_out, _server_written_out):
        if trace_of(300) != shipped:
            raise SystemExit("the written-out variant changes the trace: fix it before timing")
    rows, results = [], {}
    for name, job_class, plugin, client, server in VARIANTS:
        with patched(client, server):
            best, _ = best_of(
                repeats,
                lambda c=job_class, p=plugin: run(c, count, [UniqueJobs()] if p else None),
                name,
            )
        enqueue, drain = (best.seconds[k] / count * 1e6 for k in ("enqueue", "drain"))
        results[name] = {"enqueue_us": enqueue, "drain_us": drain, "total_us": enqueue + drain}
        rows.append([name, enqueue, drain, enqueue + drain])
    plain = results["plain"]["total_us"]
    for row in rows:
        row.append(plain / row[3])
    print_table(
        f"{count:,} trivial until_executed jobs: microseconds a job (best of {repeats})",
        ["variant", "enqueue µs", "drain µs", "total µs", "× plain throughput"],
        rows,
    )
    _harness.write_json(args.json, {"benchmark": "unique_parts", "jobs": count, "us": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
