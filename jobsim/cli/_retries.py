"""``jobsim retries`` (layer 7): its arguments, and the retry schedule from options or a real
job hash as a table, JSON or CSV (``--activejob`` hands over to :mod:`jobsim.cli._active_job`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from jobsim.active_job import DEFAULT_RAILS, RAILS_VERSIONS
from jobsim.cli._active_job import run_active_job
from jobsim.cli._inputs import checked_retry_options, first_failure, read_job
from jobsim.cli._output import OutputFiles, check_output_path, csv_text, print_table
from jobsim.errors import JobsimError
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.replay import (
    ROW_FIELDS,
    SAMPLE_FIELDS,
    compile_count_expression,
    retry_schedule,
)
from jobsim.report import write_retry_plot
from jobsim.report._svg import duration_label

__all__ = ["add_retries", "run_retries"]


def add_retries(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--retry",
        type=int,
        default=None,
        help="retries allowed (default 25, or the job hash's own)",
    )
    parser.add_argument("--no-retry", action="store_true", help="retry: false")
    parser.add_argument(
        "--retry-for",
        default=None,
        metavar="DURATION",
        help="Sidekiq 7.1.3+'s retry_for window: 3600, 30m, 2h, 7d",
    )
    parser.add_argument(
        "--retry-in",
        default=None,
        metavar="EXPR",
        help="sidekiq_retry_in as arithmetic of count, e.g. '10 * (count + 1)'",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jitter", choices=("random", "min", "max"), default="random")
    parser.add_argument(
        "--job",
        default=None,
        metavar="FILE",
        help="a Sidekiq job hash (JSON; - for stdin) from the retry or dead set",
    )
    parser.add_argument(
        "--at",
        default=None,
        metavar="ISO",
        help="when a fresh job first fails (default 2026-01-01T00:00:00Z)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=0,
        metavar="N",
        help="percentile bands over N seeds (seed .. seed + N - 1)",
    )
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="draw the timeline with the jitter band (.svg, or .png with matplotlib)",
    )
    active_job = parser.add_argument_group(
        "ActiveJob",
        "retry_on(Exception, wait=WAIT, attempts=N, jitter=F) through Rails' Sidekiq adapter: "
        "ActiveJob's retries first, then the error goes to Sidekiq's own retry (--retry, "
        "--no-retry, --retry-for set the wrapper's sidekiq_options; default 25 retries)",
    )
    active_job.add_argument(
        "--activejob",
        default=None,
        metavar="WAIT",
        help="retry_on's wait: seconds (30), a duration (5m), polynomially_longer or "
        "exponentially_longer",
    )
    active_job.add_argument(
        "--attempts",
        type=int,
        default=None,
        metavar="N",
        help="retry_on's attempts, the first run included (default 5)",
    )
    active_job.add_argument(
        "--jitter-fraction",
        type=float,
        default=None,
        metavar="F",
        help="retry_on's jitter (default 0.15, what load_defaults sets)",
    )
    active_job.add_argument(
        "--rails",
        choices=list(RAILS_VERSIONS),
        default=None,
        help=f"the Rails version whose ActiveJob applies (default {DEFAULT_RAILS})",
    )


def _retries_table(schedule: dict[str, Any]) -> None:
    sampled = bool(schedule.get("samples"))
    header = ["retry_count", "delay", "range", "at", "elapsed"]
    if sampled:
        header.append(f"elapsed p5–p95 ({schedule['samples']} seeds)")
    rows = []
    for row in schedule["rows"]:
        cells = [
            str(row["retry_count"]),
            f"{row['delay']:g}",
            f"{row['delay_min']:g}..{row['delay_max']:g}",
            row["at"],
            duration_label(row["elapsed"]),
        ]
        if sampled:
            cells.append(
                f"{duration_label(row['elapsed_p05'])} – {duration_label(row['elapsed_p95'])}"
            )
        rows.append(cells)
    source = f"job {schedule['class']}" if schedule["source"] == "job" else "options"
    title = (
        f"retry schedule ({source}): retry={schedule['retry']} profile={schedule['profile']} "
        f"seed={schedule['seed']} jitter={schedule['jitter']}, first failure "
        f"{schedule['first_failure']}"
    )
    print_table(title, header, rows)
    if schedule["outcome"] == "dead":
        print(
            f"dies at {schedule['dies_at']} (into the dead set), "
            f"{duration_label(schedule['ends_after'])} after the first failure, "
            f"{schedule['executions']} {'more ' if schedule['source'] == 'job' else ''}"
            f"executions; {schedule['reason']}"
        )
    else:
        print(f"ends at {schedule['ends_at']}: {schedule['outcome']} ({schedule['reason']})")


def run_retries(args: argparse.Namespace) -> int:
    if args.activejob is not None:
        return run_active_job(args)
    stray = [
        option
        for option, value in (
            ("--attempts", args.attempts),
            ("--jitter-fraction", args.jitter_fraction),
            ("--rails", args.rails),
        )
        if value is not None
    ]
    if stray:
        msg = f"{', '.join(stray)}: ActiveJob options, give --activejob WAIT with them"
        raise JobsimError(msg)
    retry: int | bool | None = False if args.no_retry else args.retry
    retry_for = checked_retry_options(args)
    retry_in = None if args.retry_in is None else compile_count_expression(args.retry_in)
    job = None if args.job is None else read_job(args.job)
    if args.plot is not None:
        check_output_path(args.plot, "--plot")
    schedule = retry_schedule(
        retry=retry,
        profile=args.profile,
        seed=args.seed,
        jitter=args.jitter,
        retry_for=retry_for,
        retry_in=retry_in,
        retry_in_text=args.retry_in,
        job=job,
        first_failure=first_failure(args.at),
        samples=args.samples,
    )
    files = OutputFiles()
    if args.plot is not None:
        plot = args.plot
        files.write("--plot", plot, lambda: f"plot written to {write_retry_plot(schedule, plot)}")
    if args.format == "json":
        print(json.dumps(schedule, indent=2))
    elif args.format == "csv":
        fields = list(ROW_FIELDS) + (list(SAMPLE_FIELDS) if args.samples else [])
        print(csv_text(schedule["rows"], fields))
    else:
        _retries_table(schedule)
    files.raise_failures()
    return 0
