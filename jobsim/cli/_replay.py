"""``jobsim replay`` (layer 7): run a live Sidekiq state (or a dump of one) forward in virtual
time, with :func:`jobsim.replay.replay_state`, and print its summary.

::

    jobsim replay --redis redis://localhost:6379/0 --for 7d
    jobsim replay --dump sidekiq.jsonl --for 36h --unknown succeed --format json
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from jobsim.cli._inputs import epoch_option
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.redis._decode import DEFAULT_MAX_MEMBER_BYTES
from jobsim.replay import UNKNOWN_CHOICES, parse_duration, replay_state

__all__ = ["add_replay", "run_replay"]


def add_replay(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--redis", metavar="URL", help="a live Redis, e.g. redis://host:6379/0")
    source.add_argument("--dump", metavar="FILE", help="JSON lines of the queues and sets")
    parser.add_argument(
        "--for",
        dest="period",
        default="1d",
        metavar="DURATION",
        help="how long to run: 90, 15m, 36h, 7d, 2w (default 1d)",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--start",
        default=None,
        metavar="WHEN",
        help="epoch seconds or an ISO time with a zone to start at (default: the server's or "
        "dump's time)",
    )
    parser.add_argument(
        "--import",
        dest="modules",
        action="append",
        default=[],
        metavar="MODULE",
        help="import job classes from MODULE, found from the working folder (repeatable)",
    )
    parser.add_argument(
        "--unknown",
        choices=UNKNOWN_CHOICES,
        default="fail",
        help="what jobs of classes not imported do (default: fail)",
    )
    parser.add_argument(
        "--max-member-bytes",
        type=int,
        default=DEFAULT_MAX_MEMBER_BYTES,
        metavar="N",
        help=f"the largest queue entry or set member read (default {DEFAULT_MAX_MEMBER_BYTES})",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _print_summary(summary: dict[str, Any]) -> None:
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


def run_replay(args: argparse.Namespace) -> int:
    summary = replay_state(
        redis_url=args.redis,
        dump=args.dump,
        period=parse_duration(args.period, option="--for"),
        profile=args.profile,
        seed=args.seed,
        start=epoch_option(args.start, option="--start"),
        modules=args.modules,
        unknown=args.unknown,
        max_member_bytes=args.max_member_bytes,
    )
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        _print_summary(summary)
    return 0
