"""``jobsim retries --activejob WAIT`` (layer 7): ActiveJob's ``retry_on`` first, then
Sidekiq's own retry, as Rails' Sidekiq adapter runs them; printed as a table, JSON or CSV.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from jobsim.active_job import DEFAULT_RAILS
from jobsim.cli._inputs import checked_retry_options, first_failure
from jobsim.cli._output import csv_text, print_table
from jobsim.errors import JobsimError
from jobsim.replay import ACTIVE_JOB_ROW_FIELDS, active_job_schedule, parse_wait
from jobsim.report._svg import duration_label

__all__ = ["run_active_job"]


def _active_job_table(schedule: dict[str, Any]) -> None:
    header = ["executions", "layer", "retry_count", "delay", "range", "at", "elapsed"]
    rows = [
        [
            str(row["executions"]),
            row["layer"],
            "" if row["retry_count"] is None else str(row["retry_count"]),
            f"{row['delay']:.6g}",
            f"{row['delay_min']:.6g}..{row['delay_max']:.6g}",
            row["at"],
            duration_label(row["elapsed"]),
        ]
        for row in schedule["rows"]
    ]
    wait = schedule["wait"]
    shown = f":{wait}" if isinstance(wait, str) else f"{wait:g}"
    title = (
        f"ActiveJob retry_on(Exception, wait: {shown}, attempts: {schedule['attempts']}, "
        f"jitter: {schedule['jitter_fraction']:g}) on Rails {schedule['rails']}, then Sidekiq "
        f"retry={schedule['retry']} ({schedule['profile']}, {schedule['wrapper']}); "
        f"seed={schedule['seed']} jitter={schedule['jitter']}, first failure "
        f"{schedule['first_failure']}"
    )
    print_table(title, header, rows)
    for note in schedule["notes"]:
        print(f"note: {note}")
    if schedule["handed_to_sidekiq_at"] is not None:
        retries = schedule["sidekiq_retries"]
        then = f" ({retries} {'retry' if retries == 1 else 'retries'})"
        print(
            f"ActiveJob gives up at {schedule['handed_to_sidekiq_at']} after "
            f"{schedule['attempts']} executions; the error escapes to Sidekiq's retry"
            + (then if retries else ", which does not retry it")
        )
    ending = (
        f"dies at {schedule['dies_at']} (into the dead set)"
        if schedule["outcome"] == "dead"
        else f"ends at {schedule['ends_at']}: discarded"
    )
    print(
        f"{ending}, {duration_label(schedule['ends_after'])} after the first failure, "
        f"{schedule['executions']} executions; {schedule['reason']}"
    )


def run_active_job(args: argparse.Namespace) -> int:
    refused = [
        name
        for name, given in (
            ("--job", args.job is not None),
            ("--retry-in", args.retry_in is not None),
            ("--samples", bool(args.samples)),
            ("--plot", args.plot is not None),
        )
        if given
    ]
    if refused:
        msg = f"--activejob does not combine with {', '.join(refused)} (yet)"
        raise JobsimError(msg)
    schedule = active_job_schedule(
        parse_wait(args.activejob),
        attempts=5 if args.attempts is None else args.attempts,
        jitter_fraction=0.15 if args.jitter_fraction is None else args.jitter_fraction,
        rails=DEFAULT_RAILS if args.rails is None else args.rails,
        retry=False if args.no_retry else args.retry,
        retry_for=checked_retry_options(args),
        profile=args.profile,
        seed=args.seed,
        jitter=args.jitter,
        first_failure=first_failure(args.at),
    )
    if args.format == "json":
        print(json.dumps(schedule, indent=2))
    elif args.format == "csv":
        print(csv_text(schedule["rows"], ACTIVE_JOB_ROW_FIELDS))
    else:
        _active_job_table(schedule)
    return 0
