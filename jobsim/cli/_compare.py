"""``jobsim compare A.json B.json`` (layer 7): two runs (or two sweeps) side by side.

Takes what ``jobsim simulate --format json`` or ``jobsim sweep --format json`` printed, and
lines up the figures a capacity question turns on: threads, time all threads were busy,
latency per queue, failures and deaths.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsim.cli._output import print_table
from jobsim.errors import InvalidArgument
from jobsim.report import duration_label

__all__ = ["add_compare", "compare_rows", "run_compare"]


def add_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("first", metavar="A.json", help="jobsim simulate/sweep --format json")
    parser.add_argument("second", metavar="B.json", help="the run to set beside it")


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"compare {path}: no such file; write one with jobsim simulate ... --format json"
        raise InvalidArgument(msg) from None
    except json.JSONDecodeError as error:
        msg = f"compare {path}: not JSON ({error}); pass what --format json printed"
        raise InvalidArgument(msg) from None
    if not isinstance(data, dict) or not ({"capacity", "distribution"} & set(data)):
        msg = (
            f"compare {path}: not a jobsim run or sweep; pass the output of "
            f"jobsim simulate/sweep --format json"
        )
        raise InvalidArgument(msg)
    return data


def _run_figures(run: Mapping[str, Any]) -> dict[str, str]:
    capacity = run["capacity"]
    figures = {
        "seed": str(run["seed"]),
        "period": duration_label(run["days"] * 86400),
        "settings": ", ".join(f"{k}={v}" for k, v in run.get("settings", {}).items()) or "-",
        "concurrency": str(capacity["concurrency"]),
        "busy peak (threads)": str(capacity["busy_peak"]),
        "all threads busy for": duration_label(capacity["saturated_seconds"]),
        "utilisation": f"{capacity['utilisation']:.1%}",
        "jobs": f"{run['jobs']:,}",
        "executions": f"{run['processed']:,}",
        "failed": f"{run['failed']:,}",
        "dead at the end": f"{run['pending']['dead']:,}",
    }
    for queue in run["latency"]:
        for key in ("p50", "p95", "max"):
            figures[f"latency {key} {queue['queue']}"] = duration_label(queue[key])
    return figures


def _sweep_figures(sweep: Mapping[str, Any]) -> dict[str, str]:
    figures = {
        "seeds": f"{len(sweep['seeds'])} ({sweep['seeds'][0]}…{sweep['seeds'][-1]})",
        "settings": ", ".join(f"{k}={v}" for k, v in sweep.get("settings", {}).items()) or "-",
    }
    for metric, row in sweep["distribution"].items():
        seconds = metric.startswith("latency") or metric.endswith("_seconds")
        for key in ("p50", "p95", "max"):
            value = row[key]
            figures[f"{metric} {key}"] = duration_label(value) if seconds else f"{value:,.0f}"
    return figures


def compare_rows(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[list[str]]:
    """``[figure, A, B]`` rows, in A's order, then figures only B has."""
    if ("distribution" in first) != ("distribution" in second):
        msg = "compare: pass two runs or two sweeps, not one of each"
        raise InvalidArgument(msg)
    pick = _sweep_figures if "distribution" in first else _run_figures
    left, right = pick(first), pick(second)
    names = list(dict.fromkeys([*left, *right]))
    return [[name, left.get(name, "-"), right.get(name, "-")] for name in names]


def run_compare(args: argparse.Namespace) -> int:
    first, second = _load(args.first), _load(args.second)
    rows = compare_rows(first, second)
    title = f"{first.get('scenario', '?')} — A: {args.first}  B: {args.second}"
    print_table(title, ["figure", "A", "B"], rows)
    return 0
