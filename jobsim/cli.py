"""The ``jobsim`` command line (layer 7): argparse and formatting only, no semantics.

Subcommands are entries in :data:`COMMANDS`, ``(name, add_arguments, run)``; a new command
appends one entry. ``jobsim retries`` prints a retry schedule (from options or a real job
hash, or ActiveJob's ``retry_on`` then Sidekiq's retry with ``--activejob``), ``jobsim simulate
PATH`` runs a scenario for a virtual period. Numbers come from :mod:`jobsim.replay`, which
applies Sidekiq's own rules (and ActiveJob's, on a simulator).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from jobsim.active_job import DEFAULT_RAILS, RAILS_VERSIONS
from jobsim.clock import as_epoch
from jobsim.cron import command as cron_command
from jobsim.errors import JobsimError
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.redis import command as redis_command
from jobsim.replay import (
    ACTIVE_JOB_ROW_FIELDS,
    ROW_FIELDS,
    SAMPLE_FIELDS,
    active_job_schedule,
    compile_count_expression,
    load_job,
    parse_duration,
    parse_wait,
    retry_schedule,
    run_scenario,
)
from jobsim.report import write_report, write_retry_plot
from jobsim.report._svg import duration_label

__all__ = ["COMMANDS", "Command", "main", "retry_schedule"]

#: One subcommand: its name, a function adding its arguments, and a function running it
#: (returns the exit status).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


# -- output helpers ---------------------------------------------------------------------


def _rich_console(out: IO[str]) -> Any:
    try:
        from rich.console import Console
    except ImportError:  # pragma: no cover - rich ships with the dev extra
        return None
    width = None if out.isatty() else 200  # pipes and files: no wrapping of columns
    return Console(file=out, highlight=False, soft_wrap=True, width=width)


def _print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    console = _rich_console(sys.stdout)
    if console is not None:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for index, name in enumerate(header):
            table.add_column(name, justify="left" if index == 0 and not rows else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(header)]
    print(title)
    print("  ".join(name.rjust(width) for name, width in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def _csv(rows: list[dict[str, Any]], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


# -- jobsim retries ---------------------------------------------------------------------


def _add_retries(parser: argparse.ArgumentParser) -> None:
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


def _read_job(name: str) -> dict[str, Any]:
    if name == "-":
        return load_job(sys.stdin, name="stdin")
    path = Path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            return load_job(handle, name=str(path))
    except OSError as error:
        msg = f"--job {name}: cannot read it ({error.strerror})"
        raise JobsimError(msg) from None


def _first_failure(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        msg = f"--at {text!r}: pass an ISO time with a zone, e.g. 2026-01-01T10:03:00Z"
        raise JobsimError(msg) from None
    return as_epoch(when, name="--at")


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
    _print_table(title, header, rows)
    if schedule["outcome"] == "dead":
        print(
            f"dies at {schedule['dies_at']} (into the dead set), "
            f"{duration_label(schedule['ends_after'])} after the first failure, "
            f"{schedule['executions']} {'more ' if schedule['source'] == 'job' else ''}"
            f"executions; {schedule['reason']}"
        )
    else:
        print(f"ends at {schedule['ends_at']}: {schedule['outcome']} ({schedule['reason']})")


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
    _print_table(title, header, rows)
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


def _run_active_job(args: argparse.Namespace) -> int:
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
        retry_for=None
        if args.retry_for is None
        else parse_duration(args.retry_for, option="--retry-for"),
        profile=args.profile,
        seed=args.seed,
        jitter=args.jitter,
        first_failure=_first_failure(args.at),
    )
    if args.format == "json":
        print(json.dumps(schedule, indent=2))
    elif args.format == "csv":
        print(_csv(schedule["rows"], ACTIVE_JOB_ROW_FIELDS))
    else:
        _active_job_table(schedule)
    return 0


def _run_retries(args: argparse.Namespace) -> int:
    if args.activejob is not None:
        return _run_active_job(args)
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
    retry_in = None if args.retry_in is None else compile_count_expression(args.retry_in)
    schedule = retry_schedule(
        retry=retry,
        profile=args.profile,
        seed=args.seed,
        jitter=args.jitter,
        retry_for=None
        if args.retry_for is None
        else parse_duration(args.retry_for, option="--retry-for"),
        retry_in=retry_in,
        retry_in_text=args.retry_in,
        job=None if args.job is None else _read_job(args.job),
        first_failure=_first_failure(args.at),
        samples=args.samples,
    )
    if args.plot is not None:
        written = write_retry_plot(schedule, args.plot)
        print(f"plot written to {written}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(schedule, indent=2))
    elif args.format == "csv":
        fields = list(ROW_FIELDS) + (list(SAMPLE_FIELDS) if args.samples else [])
        print(_csv(schedule["rows"], fields))
    else:
        _retries_table(schedule)
    return 0


# -- jobsim simulate --------------------------------------------------------------------


def _add_simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="scenario folder: sidekiq.yml, schedule.yml, jobs.py")
    parser.add_argument(
        "--for",
        dest="period",
        default="1d",
        metavar="DURATION",
        help="virtual period to run: 12h, 7d (default 1d)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None)
    parser.add_argument(
        "--report", default=None, metavar="FILE.html", help="write a self-contained HTML report"
    )
    parser.add_argument(
        "--trace", default=None, metavar="FILE.jsonl", help="export every event as JSON lines"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: only on a terminal)",
    )


class _Progress:
    """A progress bar in *virtual* time on stderr: it never reads the wall clock."""

    def __init__(self, stream: IO[str], period: float, enabled: bool) -> None:
        self.stream, self.period, self.enabled = stream, period, enabled
        self.shown = -1

    def __call__(self, fraction: float, sim: Any) -> None:
        percent = int(fraction * 100)
        if not self.enabled or percent == self.shown:
            return
        self.shown = percent
        filled = percent * 30 // 100
        days = fraction * self.period / 86400
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%  virtual day {days:5.2f}  "
            f"{sim.stats.processed:,} executions"
        )
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()


def _print_summary(summary: dict[str, Any]) -> None:
    print(
        f"scenario {summary['scenario']}: seed {summary['seed']}, {summary['profile']}, "
        f"concurrency {summary['concurrency']}, {summary['start']} → {summary['end']}"
    )
    print(
        f"{summary['jobs']:,} jobs, {summary['processed']:,} executions, "
        f"{summary['failed']:,} failed; {summary['cron']}"
    )
    _print_table(
        "per job class",
        ["class", "processed", "failed", "retried", "dead"],
        [
            [
                c["class"],
                f"{c['processed']:,}",
                f"{c['failed']:,}",
                f"{c['retried']:,}",
                f"{c['dead']:,}",
            ]
            for c in summary["classes"]
        ],
    )
    _print_table(
        "queue latency (seconds, enqueue to start)",
        ["queue", "executions", "p50", "p95", "max"],
        [
            [q["queue"], f"{q['jobs']:,}", f"{q['p50']:.3f}", f"{q['p95']:.3f}", f"{q['max']:.3f}"]
            for q in summary["latency"]
        ],
    )
    _print_table(
        "top errors",
        ["class", "error", "count", "example"],
        [
            [e["class"], e["error_class"], f"{e['count']:,}", e["example"][:60]]
            for e in summary["top_errors"]
        ],
    )
    dead = summary["dead"]
    _print_table(
        f"dead set ({len(dead):,}; newest 10)",
        ["class", "jid", "died at", "error"],
        [
            [d["class"], d["jid"], d["died_at"], f"{d['error_class']}: {d['error_message']}"[:70]]
            for d in dead[:10]
        ],
    )


def _run_simulate(args: argparse.Namespace) -> int:
    period = parse_duration(args.period, option="--for")
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    run = run_scenario(
        args.path,
        seed=args.seed,
        period=period,
        profile=args.profile,
        on_progress=_Progress(sys.stderr, period, enabled),
    )
    if args.trace is not None:
        with Path(args.trace).open("w", encoding="utf-8") as out:
            lines = run.sim.trace.to_jsonl(out)
        print(f"trace: {lines:,} events written to {args.trace}", file=sys.stderr)
    if args.report is not None:
        written = write_report(run, args.report)
        print(f"report written to {written}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(run.summary, indent=2))
    else:
        _print_summary(run.summary)
    return 0


#: The subcommands, in help order. Add one by appending ``(name, add_arguments, run)``.
COMMANDS: list[Command] = [
    ("retries", _add_retries, _run_retries),
    ("simulate", _add_simulate, _run_simulate),
]

_HELP = {
    "retries": "the retry schedule of a job, from options, a real job hash or ActiveJob's retry_on",
    "simulate": "run a scenario folder for a virtual period and summarise it",
}


#: Commands that live with their subsystem: each module's ``add_parser(subparsers)`` adds
#: the command and sets its ``run``.
PACKAGE_COMMANDS = (cron_command, redis_command)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobsim",
        description="Sidekiq's retries, schedules and cron on a virtual clock: replay a retry "
        "schedule, run a scenario, read a cron expression, replay a Redis state.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, add_arguments, run in COMMANDS:
        sub = commands.add_parser(name, help=_HELP.get(name))
        add_arguments(sub)
        sub.set_defaults(run=run)
    for module in PACKAGE_COMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input, with a message)."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except JobsimError as error:
        print(f"jobsim: {error}", file=sys.stderr)
        return 2
    return status
