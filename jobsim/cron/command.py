"""``jobsim cron EXPRESSION`` (layer 7): the next fire times of a cron expression.

``add_parser(subparsers)`` registers the command; ``run(args)`` prints a table (local time in
the zone, and UTC) or, with ``--format json``, ``{"expression", "timezone", "dialect",
"next": [ISO-8601 UTC strings]}``. Errors print the reason and return 2.

``--compare-versions`` reads the expression with each Fugit version jobsim models (1.5, what
sidekiq-cron 1.8 runs, and 1.11+, what sidekiq-cron 2.x runs) and shows side by side the cron
each one makes of it and its next fire times, so an upgrade's effect on a schedule is seen
before it is made; it exits 0 when both agree and 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from jobsim.cron import DIALECTS, Cron, CronNeverFires, CronSyntaxError, Dialect
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
    parser.add_argument("--dialect", choices=DIALECTS, default="fugit")
    parser.add_argument(
        "--compare-versions",
        action="store_true",
        help="show what Fugit 1.5 and Fugit 1.11+ make of the expression, side by side",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=run)
    return parser


def _after(args: argparse.Namespace) -> datetime:
    after = datetime.fromisoformat(str(args.after).replace("Z", "+00:00"))
    if after.tzinfo is None:
        after = after.replace(tzinfo=UTC)
    if args.count < 0:
        msg = f"--count={args.count}: pass 0 or more"
        raise InvalidArgument(msg)
    return after


def _iso_utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


#: The Fugit versions ``--compare-versions`` sets side by side.
VERSIONS: tuple[Dialect, Dialect] = ("fugit-1.5", "fugit-1.11")


def _version_answer(args: argparse.Namespace, dialect: Dialect, after: datetime) -> dict[str, Any]:
    try:
        cron = Cron(args.expression, tz=args.tz, dialect=dialect)
        zone = cron.zone if cron.zone is not None else UTC
        times = cron.take(after.astimezone(zone), args.count)
    except (CronSyntaxError, CronNeverFires) as exc:
        return {"error": exc.reason if isinstance(exc, CronSyntaxError) else str(exc)}
    return {"cron": cron.to_cron_s(), "next": [_iso_utc(t) for t in times]}


def compare_versions(args: argparse.Namespace, after: datetime) -> int:
    """Print each version's reading; 0 when they agree, 1 when an upgrade changes something."""
    answers = {dialect: _version_answer(args, dialect, after) for dialect in VERSIONS}
    first, second = (answers[v] for v in VERSIONS)
    same = first == second
    if args.format == "json":
        document = {"expression": args.expression, "versions": answers, "same": same}
        print(json.dumps(document, indent=2))
        return 0 if same else 1
    print(args.expression)
    for dialect, answer in answers.items():
        print(f"  {dialect:<11} {answer.get('cron') or 'refused: ' + str(answer['error'])}")
    width = max(len(first.get("next", [])), len(second.get("next", [])))
    if width:
        print(f"  {'next (UTC)':<22} {VERSIONS[0]:<22} {VERSIONS[1]}")
    for index in range(width):
        old = (first.get("next") or [""] * width)[index]
        new = (second.get("next") or [""] * width)[index]
        mark = " " if old == new else "*"
        print(f"  {mark} {index + 1:<20} {old:<22} {new}")
    print("same on both versions" if same else "differs between versions (* marks a change)")
    return 0 if same else 1


def run(args: argparse.Namespace) -> int:
    """Print the fire times; 0 on success, 2 on a bad expression or argument (with
    ``--compare-versions``: 0 when both versions agree, 1 when they differ)."""
    if args.compare_versions:
        try:
            after = _after(args)
        except (ValueError, InvalidArgument) as exc:
            print(f"jobsim cron: {exc}", file=sys.stderr)
            return 2
        return compare_versions(args, after)
    try:
        after = _after(args)
        cron = Cron(args.expression, tz=args.tz, dialect=args.dialect)
        zone = cron.zone if cron.zone is not None else UTC
        times = cron.take(after.astimezone(zone), args.count)
    except (ValueError, InvalidArgument, CronNeverFires) as exc:
        # One line, as every command's bad input: the message names the position.
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
