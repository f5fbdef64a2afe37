"""``jobsim replay``: run a live Sidekiq state (or a dump of one) forward in virtual time.

::

    jobsim replay --redis redis://localhost:6379/0 --for 7d
    jobsim replay --dump sidekiq.jsonl --for 36h --unknown succeed --format json

Job classes come from ``--import MODULE`` (every :class:`jobsim.Job` subclass defined there is
registered); a class not imported gets a stand-in chosen by ``--unknown``: ``fail`` (keeps
failing, to show when retries run and when jobs die), ``succeed``, or ``name-error`` (no
stand-in: Sidekiq's NameError). Loading never evaluates anything from Redis.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import types
from collections import Counter
from typing import Any

from jobsim.clock import format_time
from jobsim.errors import JobsimError
from jobsim.job import Job
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.redis._decode import DEFAULT_MAX_MEMBER_BYTES
from jobsim.redis._dump import parse_dump
from jobsim.redis._layout import Layout
from jobsim.redis._read import decode_raw, read_raw
from jobsim.redis._state import apply_layout
from jobsim.simulator import Simulator

__all__ = ["add_parser", "parse_duration", "run"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def parse_duration(text: str) -> float:
    """Seconds of ``"90"``, ``"15m"``, ``"36h"``, ``"7d"`` or ``"2w"``."""
    match = _DURATION.match(text)
    if match is None:
        msg = f"--for {text!r}: pass a number with an optional unit s, m, h, d or w (e.g. 7d)"
        raise argparse.ArgumentTypeError(msg)
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``replay`` command to ``jobsim``'s subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay", help="run a Sidekiq state from Redis or a dump forward in virtual time"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--redis", metavar="URL", help="a live Redis, e.g. redis://host:6379/0")
    source.add_argument("--dump", metavar="FILE", help="JSON lines of the queues and sets")
    parser.add_argument(
        "--for",
        dest="duration",
        type=parse_duration,
        default=86400.0,
        metavar="DURATION",
        help="how long to run (default 1d)",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--start",
        type=float,
        default=None,
        help="epoch seconds to start at (default: the server's or dump's time)",
    )
    parser.add_argument(
        "--import",
        dest="modules",
        action="append",
        default=[],
        metavar="MODULE",
        help="import job classes from MODULE (repeatable)",
    )
    parser.add_argument(
        "--unknown",
        choices=("fail", "succeed", "name-error"),
        default="fail",
        help="what jobs of classes not imported do (default: fail)",
    )
    parser.add_argument("--max-member-bytes", type=int, default=DEFAULT_MAX_MEMBER_BYTES)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _stand_in(name: str, fails: bool) -> type[Job]:
    def perform(self: Job, *args: Any) -> None:
        if fails:
            msg = f"{name}: stand-in for a class not imported (replay --unknown fail)"
            raise RuntimeError(msg)

    def body(namespace: dict[str, Any]) -> None:
        namespace["perform"] = perform

    # The name is data: it only labels the class, nothing is evaluated.
    made = types.new_class("StandIn", (Job,), {"name": name}, body)
    return made


def _latest_time(layout: Layout) -> float | None:
    """The latest timestamp in the payloads (a dump without a header starts there)."""
    stamps: list[float] = []
    jobs = [job for jobs in layout.queues.values() for job in jobs]
    jobs += [job for entries in layout.sets.values() for _, job in entries]
    for job in jobs:
        for key in ("enqueued_at", "failed_at", "retried_at", "created_at"):
            value = job.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                stamps.append(value / 1000.0 if isinstance(value, int) else value)
    return max(stamps) if stamps else None


def _load(args: argparse.Namespace) -> tuple[Layout, float | None]:
    limit = args.max_member_bytes
    if args.redis is not None:
        import redis as redis_py

        from jobsim.redis import redis_time

        client = redis_py.Redis.from_url(args.redis)
        return decode_raw(read_raw(client), max_member_bytes=limit), redis_time(client)
    with open(args.dump, encoding="utf-8") as lines:
        raw, when = parse_dump(lines, max_line_bytes=2 * limit + 4096)
    return decode_raw(raw, max_member_bytes=limit), when


def replay(args: argparse.Namespace) -> dict[str, Any]:
    """Load, run for ``args.duration``, and summarise as JSON-native data."""
    layout, when = _load(args)
    start = args.start if args.start is not None else (when or _latest_time(layout))
    sim = Simulator(seed=args.seed, profile=args.profile, start=start if start else 0.0)
    for module_name in args.modules:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Job) and value is not Job:
                sim.register(value)
    names = sorted(
        {job["class"] for jobs in layout.queues.values() for job in jobs}
        | {job["class"] for entries in layout.sets.values() for _, job in entries}
    )
    stand_ins = []
    if args.unknown != "name-error":
        for name in names:
            if not sim._restore.knows(name):
                sim.register(_stand_in(name, args.unknown == "fail"))
                stand_ins.append(name)
    report = apply_layout(layout, sim)
    before = sim.stats.as_dict()
    performed = sim.advance(args.duration, max_steps=None)
    kinds = Counter(event.kind for event in sim.trace)
    return {
        "start": format_time(sim.time - args.duration),
        "end": format_time(sim.time),
        "loaded": report.counts,
        "stand_ins": stand_ins,
        "performed": performed,
        "events": dict(sorted(kinds.items())),
        "before": before,
        "after": sim.stats.as_dict(),
    }


def run(args: argparse.Namespace) -> int:
    """Run ``jobsim replay``; returns the exit status (2 for bad input)."""
    try:
        summary = replay(args)
    except (JobsimError, OSError) as error:
        print(f"jobsim replay: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(summary, indent=2))
        return 0
    print(f"replayed {summary['start']} .. {summary['end']}: {summary['performed']} executions")
    print("loaded: " + ", ".join(f"{k}={v}" for k, v in summary["loaded"].items()))
    if summary["stand_ins"]:
        print("stand-ins (--unknown): " + ", ".join(summary["stand_ins"]))
    for kind, count in summary["events"].items():
        print(f"  {kind:<18} {count:>8}")
    after = summary["after"]
    print(
        f"now: enqueued={after['enqueued']} scheduled={after['scheduled_size']} "
        f"retry={after['retry_size']} dead={after['dead_size']} "
        f"processed={after['processed']} failed={after['failed']}"
    )
    return 0
