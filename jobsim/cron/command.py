"""``jobsim cron EXPRESSION`` (layer 7): the next fire times of a cron expression.

``add_parser(subparsers)`` registers the command; ``run(args)`` prints a table (local time in
the zone, and UTC) or, with ``--format json``, ``{"expression", "timezone", "dialect",
"next": [ISO-8601 UTC strings]}``. Errors print the reason and return 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from jobsim.cron import Cron, CronNeverFires, CronSyntaxError
from jobsim.cron._zones import zone_name
from jobsim.errors import InvalidArgument

__all__ = ["add_parser", "run"]

#: Where ``--after`` starts when not given: a fixed instant, never the wall clock.
DEFAULT_AFTER = "2026-01-01T00:00:00Z"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``cron`` command to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "cron", help="the next fire times of a cron expression (Fugit or Debian semantics)"
    )
    parser.add_argument("expression", help='e.g. "0 9 * * 1-5" or "every day at noon"')
    parser.add_argument("--tz", default=None, help="IANA zone when the expression has none")
    parser.add_argument(
        "--after", default=DEFAULT_AFTER, help=f"ISO-8601 start, exclusive ({DEFAULT_AFTER})"
    )
    parser.add_argument("--count", type=int, default=5, help="how many fire times (5)")
    parser.add_argument("--dialect", choices=("fugit", "vixie"), default="fugit")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=run)
    return parser


def _iso_utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def run(args: argparse.Namespace) -> int:
    """Print the fire times; 0 on success, 2 on a bad expression or argument."""
    try:
        after = datetime.fromisoformat(str(args.after).replace("Z", "+00:00"))
        if after.tzinfo is None:
            after = after.replace(tzinfo=UTC)
        if args.count < 0:
            msg = f"--count={args.count}: pass 0 or more"
            raise InvalidArgument(msg)
        cron = Cron(args.expression, tz=args.tz, dialect=args.dialect)
        zone = cron.zone if cron.zone is not None else UTC
        times = cron.take(after.astimezone(zone), args.count)
    except (ValueError, InvalidArgument, CronNeverFires) as exc:
        reason = exc.reason if isinstance(exc, CronSyntaxError) else str(exc)
        if isinstance(exc, CronSyntaxError) and exc.position is not None:
            print(f"jobsim cron: {args.expression}", file=sys.stderr)
            print(f"             {' ' * exc.position}^ {reason}", file=sys.stderr)
        else:
            print(f"jobsim cron: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        document = {
            "expression": args.expression,
            "timezone": zone_name(zone),
            "dialect": args.dialect,
            "next": [_iso_utc(t) for t in times],
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"{args.expression}  ({args.dialect}, {zone_name(zone)})")
    print(f"{'local':<27}  utc")
    for when in times:
        print(f"{when.isoformat():<27}  {_iso_utc(when)}")
    return 0
