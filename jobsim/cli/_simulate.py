"""``jobsim simulate PATH`` (layer 7): run a scenario folder for a virtual period, with a
progress bar in virtual time, and print its summary (or JSON, an HTML report, a trace).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from jobsim.cli._output import OutputFiles, check_output_path, print_table
from jobsim.cli._settings import add_set_option, capacity_line, parse_settings
from jobsim.profiles import PROFILES
from jobsim.queue_config import unserved_message
from jobsim.replay import parse_duration, run_scenario
from jobsim.report import duration_label, write_report

__all__ = ["add_simulate", "run_simulate"]


def add_simulate(parser: argparse.ArgumentParser) -> None:
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
    add_set_option(parser)


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
    if summary["unserved"]:
        served = [q["queue"] for q in summary["latency"]]
        print(f"warning: {unserved_message(summary['unserved'], served)}")
    print(capacity_line(summary))
    environment = summary.get("environment") or {}
    if environment:
        read = ", ".join(
            f"{name}={value}" if value is not None else f"{name} unset"
            for name, value in environment.items()
        )
        print(f"environment read by the ERB of sidekiq.yml/schedule.yml: {read}")
    print_table(
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
    rates = summary.get("rate_limits")
    if rates is not None:  # only runs with sidekiq-throttled or Enterprise limiters
        print_table(
            "rate limits (throttled fetches, requeued, rescheduled, wait they added)",
            ["class", "throttled", "requeued", "rescheduled", "wait added"],
            [
                [
                    r["class"],
                    f"{r['throttled']:,}",
                    f"{r['requeued']:,}",
                    f"{r['rescheduled']:,}",
                    duration_label(r["wait"]),
                ]
                for r in rates
            ],
        )
    print_table(
        "queue latency (seconds, enqueue to start)",
        ["queue", "executions", "p50", "p95", "max"],
        [
            [q["queue"], f"{q['jobs']:,}", f"{q['p50']:.3f}", f"{q['p95']:.3f}", f"{q['max']:.3f}"]
            for q in summary["latency"]
        ],
    )
    print_table(
        "top errors",
        ["class", "error", "count", "example"],
        [
            [e["class"], e["error_class"], f"{e['count']:,}", e["example"][:60]]
            for e in summary["top_errors"]
        ],
    )
    dead = summary["dead"]
    print_table(
        f"dead set ({len(dead):,}; newest 10)",
        ["class", "jid", "died at", "error"],
        [
            [d["class"], d["jid"], d["died_at"], f"{d['error_class']}: {d['error_message']}"[:70]]
            for d in dead[:10]
        ],
    )


def run_simulate(args: argparse.Namespace) -> int:
    period = parse_duration(args.period, option="--for")
    for option, path in (("--trace", args.trace), ("--report", args.report)):
        if path is not None:
            check_output_path(path, option)
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    run = run_scenario(
        args.path,
        seed=args.seed,
        period=period,
        profile=args.profile,
        on_progress=_Progress(sys.stderr, period, enabled),
        settings=parse_settings(args.set),
    )
    files = OutputFiles()
    if args.trace is not None:

        def write_trace() -> str:
            with Path(args.trace).open("w", encoding="utf-8") as out:
                lines = run.sim.trace.to_jsonl(out)
            return f"trace: {lines:,} events written to {args.trace}"

        files.write("--trace", args.trace, write_trace)
    if args.report is not None:
        files.write(
            "--report",
            args.report,
            lambda: f"report written to {write_report(run, args.report)}",
        )
    if args.format == "json":
        print(json.dumps(run.summary, indent=2))
    else:
        _print_summary(run.summary)
    files.raise_failures()
    return 0
