"""The ``jobsim`` command line (layer 7): argparse and formatting only, no semantics.

``jobsim retries`` prints the retry schedule of an always-failing job: every retry's delay for
this seed, the range the jitter allows, when it runs and when the job dies. The numbers come
from running the job in a :class:`~jobsim.Simulator`, so they are Sidekiq's own rules.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from jobsim.clock import DEFAULT_START, format_time
from jobsim.errors import JobsimError
from jobsim.job import Job
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.simulator import Simulator

__all__ = ["main", "retry_schedule"]


class _AlwaysFails(Job, name="RetrySchedule"):
    def perform(self) -> None:
        msg = "always fails"
        raise RuntimeError(msg)


def _run(profile: str, seed: int, retry: int, jitter: str) -> Simulator:
    sim = Simulator(seed=seed, profile=profile, jitter=jitter, start=DEFAULT_START)  # type: ignore[arg-type]
    with sim:
        _AlwaysFails.set(retry=retry).perform_async()
    sim.drain(max_steps=None)
    return sim


def retry_schedule(
    *, retry: int = 25, profile: str = DEFAULT_PROFILE, seed: int = 0
) -> dict[str, Any]:
    """The retry schedule of a job with ``retry`` retries, as JSON-native rows."""
    runs = {mode: _run(profile, seed, retry, mode) for mode in ("random", "min", "max")}
    events = {mode: sim.trace.of_kind("retry_scheduled") for mode, sim in runs.items()}
    first = DEFAULT_START.timestamp()
    rows = []
    for index, event in enumerate(events["random"]):
        rows.append(
            {
                "retry_count": event.detail["retry_count"],
                "delay": event.detail["delay"],
                "delay_min": events["min"][index].detail["delay"],
                "delay_max": events["max"][index].detail["delay"],
                "at": format_time(event.detail["retry_at"]),
                "elapsed": event.detail["retry_at"] - first,
            }
        )
    died = runs["random"].trace.of_kind("died")
    return {
        "profile": profile,
        "seed": seed,
        "retry": retry,
        "first_failure": format_time(first),
        "rows": rows,
        "dies_at": format_time(died[0].ts) if died else None,
    }


def _human(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def _table(schedule: dict[str, Any]) -> str:
    header = f"{'retry_count':>11}  {'delay':>9}  {'range':>19}  {'at':<22}  elapsed"
    lines = [
        f"retry schedule: retry={schedule['retry']} profile={schedule['profile']} "
        f"seed={schedule['seed']}, first failure {schedule['first_failure']}",
        header,
    ]
    for row in schedule["rows"]:
        span = f"{row['delay_min']:g}..{row['delay_max']:g}"
        lines.append(
            f"{row['retry_count']:>11}  {row['delay']:>9g}  {span:>19}  {row['at']:<22}  "
            f"{_human(row['elapsed'])}"
        )
    lines.append(f"dies at {schedule['dies_at']} (into the dead set)")
    return "\n".join(lines)


def _csv(schedule: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(schedule["rows"][0]) if schedule["rows"] else ["retry_count"]
    )
    writer.writeheader()
    writer.writerows(schedule["rows"])
    return out.getvalue().rstrip("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobsim", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    retries = commands.add_parser("retries", help="the retry schedule of an always-failing job")
    retries.add_argument("--retry", type=int, default=25, help="retries allowed (default 25)")
    retries.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    retries.add_argument("--seed", type=int, default=0)
    retries.add_argument("--format", choices=("table", "json", "csv"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        schedule = retry_schedule(retry=args.retry, profile=args.profile, seed=args.seed)
    except JobsimError as error:
        print(f"jobsim: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(schedule, indent=2))
    elif args.format == "csv":
        print(_csv(schedule))
    else:
        print(_table(schedule))
    return 0
