"""The ``jobsim`` parser and dispatch (layer 7): :data:`COMMANDS` and :func:`main`.

Subcommands are entries in :data:`COMMANDS`, ``(name, add_arguments, run)``; a new command
appends one entry. Commands that live with their subsystem (cron, replay from Redis) add
themselves through :data:`PACKAGE_COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from jobsim.cli._compare import add_compare, run_compare
from jobsim.cli._retries import add_retries, run_retries
from jobsim.cli._simulate import add_simulate, run_simulate
from jobsim.cli._sweep import add_sweep, run_sweep
from jobsim.cron import command as cron_command
from jobsim.errors import JobsimError
from jobsim.redis import command as redis_command

__all__ = ["COMMANDS", "PACKAGE_COMMANDS", "Command", "main"]


#: One subcommand: its name, a function adding its arguments, and a function running it
#: (returns the exit status).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


#: The subcommands, in help order. Add one by appending ``(name, add_arguments, run)``.
COMMANDS: list[Command] = [
    ("retries", add_retries, run_retries),
    ("simulate", add_simulate, run_simulate),
    ("sweep", add_sweep, run_sweep),
    ("compare", add_compare, run_compare),
]

_HELP = {
    "retries": "the retry schedule of a job, from options, a real job hash or ActiveJob's retry_on",
    "simulate": "run a scenario folder for a virtual period and summarise it",
    "sweep": "run a scenario once per seed and report each figure's spread across seeds",
    "compare": "two runs (or sweeps) from --format json side by side",
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
