"""``--set KEY=VALUE`` (layer 7): change a scenario's setting for one run, without editing it;
and the capacity line the scenario commands print.

Shared by ``jobsim simulate`` and ``jobsim sweep``; :func:`jobsim.replay.run_scenario` checks
the names and converts the values (``concurrency``, or an UPPER_CASE constant of jobs.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from jobsim.errors import InvalidArgument
from jobsim.report import duration_label

__all__ = ["add_set_option", "capacity_line", "parse_settings"]


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this run: concurrency=20, or a constant of jobs.py "
        "(SALE_FACTOR=1); repeatable",
    )


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``["concurrency=20"]`` -> ``{"concurrency": "20"}``; a later KEY wins."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip() or not value.strip():
            msg = f"--set {pair!r}: pass KEY=VALUE, e.g. --set concurrency=20"
            raise InvalidArgument(msg)
        settings[key.strip()] = value.strip()
    return settings


def capacity_line(summary: Mapping[str, Any]) -> str:
    """One line of a run's summary: did the threads keep up?"""
    capacity = summary["capacity"]
    limit = capacity["concurrency"]
    saturated = capacity["saturated_seconds"]
    verdict = (
        f"all {limit} threads busy for {duration_label(saturated)} (jobs waited for a thread)"
        if saturated > 0
        else "never all threads busy"
    )
    return (
        f"capacity: at most {capacity['busy_peak']} of {limit} threads busy, {verdict}; "
        f"utilisation {capacity['utilisation']:.1%}"
    )
