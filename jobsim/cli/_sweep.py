"""``jobsim sweep PATH --seeds 1-200`` (layer 7): a scenario once per seed, and the spread.

Runs on a process pool (``--workers N``, default every CPU) or a Dask cluster (``--dask
ADDRESS``, with ``pip install 'jobsim[dask]'``); prints p50, p95 and max across seeds of each
figure, or JSON, and writes a report with a histogram per figure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from concurrent.futures import Executor
from typing import IO, Any

from jobsim.cli._output import OutputFiles, check_output_path, print_table
from jobsim.cli._settings import add_set_option, parse_settings
from jobsim.errors import InvalidArgument
from jobsim.replay import parse_duration, parse_seeds, sweep
from jobsim.report import duration_label, write_sweep_report

__all__ = ["add_sweep", "run_sweep"]


def add_sweep(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="scenario folder: sidekiq.yml, schedule.yml, jobs.py")
    parser.add_argument("--seeds", default="1-20", help="seeds to run: 1-200, 7, 1,2,5-9")
    parser.add_argument(
        "--for", dest="period", default="1d", metavar="DURATION", help="virtual period per seed"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes to run seeds on (default: CPUs)"
    )
    parser.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster instead, e.g. tcp://scheduler:8786",
    )
    add_set_option(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--report", default=None, metavar="FILE.html", help="write histograms")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="seeds done on stderr (auto: only on a terminal)",
    )


class _Progress:
    """``seeds 37/200`` on stderr, rewritten in place."""

    def __init__(self, stream: IO[str], enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        self.stream.write(f"\rseeds {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _dask_executor(address: str) -> tuple[Executor, Any]:
    try:
        # Loaded by name, as Any: distributed is an optional extra without type hints.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        msg = f"--dask {address}: needs dask's distributed (pip install 'jobsim[dask]')"
        raise InvalidArgument(msg) from None
    try:
        client = distributed.Client(address, timeout=30)
    except OSError as error:
        msg = f"--dask {address}: cannot reach the scheduler ({error}); is it running?"
        raise InvalidArgument(msg) from None
    return client.get_executor(), client


def run_sweep(args: argparse.Namespace) -> int:
    period = parse_duration(args.period, option="--for")
    seeds = parse_seeds(args.seeds)
    if args.workers is not None and args.workers < 1:
        msg = f"--workers {args.workers}: pass 1 or more processes"
        raise InvalidArgument(msg)
    if args.report is not None:
        check_output_path(args.report, "--report")
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    executor, client = _dask_executor(args.dask) if args.dask else (None, None)
    try:
        result = sweep(
            args.path,
            seeds,
            executor,
            period=period,
            settings=parse_settings(args.set),
            workers=args.workers,
            on_progress=_Progress(sys.stderr, enabled),
        )
    finally:
        if client is not None:
            client.close()
    files = OutputFiles()
    if args.report is not None:
        files.write(
            "--report",
            args.report,
            lambda: f"report written to {write_sweep_report(result, args.report)}",
        )
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2))
        files.raise_failures()
        return 0
    print(f"scenario {result.scenario}: {len(seeds)} seeds of {duration_label(period)}")
    rows = []
    for metric, row in result.distribution.items():
        seconds = metric.startswith("latency") or metric.endswith("_seconds")
        shown = [duration_label(row[k]) if seconds else f"{row[k]:,.0f}" for k in ("p50", "p95")]
        shown.append(duration_label(row["max"]) if seconds else f"{row['max']:,.0f}")
        rows.append([metric, *shown])
    print_table("across seeds", ["figure", "p50", "p95", "max"], rows)
    files.raise_failures()
    return 0
