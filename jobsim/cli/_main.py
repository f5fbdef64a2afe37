"""The ``jobsim`` parser and dispatch (layer 7): :data:`COMMANDS` and :func:`main`.

Subcommands are entries in :data:`COMMANDS`, ``(name, add_arguments, run)``; a new command
appends one entry. Commands that live with their subsystem (cron) add themselves through
:data:`PACKAGE_COMMANDS`.

The exit-status contract (docs/reference/errors.md, "The command line"):

* 0: success; also when the reader of a pipe stops reading (``jobsim retries | head -1``).
* 2: bad usage or bad input, with one line on stderr that says what, which value and what to
  do; ``--debug`` adds the traceback.
* 1: an internal error (a bug in jobsim), with one line saying so and how to see the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from jobsim.cli._compare import add_compare, run_compare
from jobsim.cli._replay import add_replay, run_replay
from jobsim.cli._retries import add_retries, run_retries
from jobsim.cli._simulate import add_simulate, run_simulate
from jobsim.cli._sweep import add_sweep, run_sweep
from jobsim.cron import command as cron_command
from jobsim.errors import JobsimError

__all__ = ["COMMANDS", "PACKAGE_COMMANDS", "Command", "UsageError", "main", "version"]


#: One subcommand: its name, a function adding its arguments, and a function running it
#: (returns the exit status).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


#: The subcommands, in help order. Add one by appending ``(name, add_arguments, run)``.
COMMANDS: list[Command] = [
    ("retries", add_retries, run_retries),
    ("simulate", add_simulate, run_simulate),
    ("sweep", add_sweep, run_sweep),
    ("compare", add_compare, run_compare),
    ("replay", add_replay, run_replay),
]

_HELP = {
    "retries": "the retry schedule of a job, from options, a real job hash or ActiveJob's retry_on",
    "simulate": "run a scenario folder for a virtual period and summarise it",
    "sweep": "run a scenario once per seed and report each figure's spread across seeds",
    "compare": "two runs (or sweeps) from --format json side by side",
    "replay": "run a Sidekiq state from Redis or a dump forward in virtual time",
}


#: Commands that live with their subsystem: each module's ``add_parser(subparsers)`` adds
#: the command and sets its ``run``.
PACKAGE_COMMANDS = (cron_command,)

_DEBUG_HELP = "on an error, print the traceback as well"


class UsageError(JobsimError):
    """Bad usage of the command line (an unknown option, a missing argument): exit status 2."""

    def __init__(self, message: str, *, prog: str) -> None:
        super().__init__(message)
        #: The command whose arguments were wrong (``jobsim retries``).
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line :class:`UsageError` instead of printing the
    usage block and exiting: the contract is one line on stderr for bad usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)", prog=self.prog)


def version() -> str:
    """The installed distribution's version."""
    from importlib import metadata

    try:
        return metadata.version("jobsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - a checkout on sys.path
        return "(not installed: pip install -e . to get a version)"


def _parser() -> _Parser:
    parser = _Parser(
        prog="jobsim",
        description="Sidekiq's retries, schedules and cron on a virtual clock: replay a retry "
        "schedule, run a scenario, read a cron expression, replay a Redis state.",
    )
    parser.add_argument("--version", action="version", version=f"jobsim {version()}")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, add_arguments, run in COMMANDS:
        sub = commands.add_parser(name, help=_HELP.get(name))
        add_arguments(sub)
        sub.set_defaults(run=run)
    for module in PACKAGE_COMMANDS:
        module.add_parser(commands)
    for sub in commands.choices.values():
        # SUPPRESS: a subcommand's --debug must not reset one given before the command.
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP
        )
    return parser


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip()) or "(no message)"


def _quiet_pipe() -> None:
    """The reader went away: stop writing, and keep Python's exit-time flush from complaining."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 bad input, 1 a bug)."""
    parser = _parser()
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    where = "jobsim"
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help and --version
            return done.code if isinstance(done.code, int) else 0
        where = f"jobsim {args.command}"
        status: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_pipe()
        return 0
    except JobsimError as error:
        _report(error, debug)
        if isinstance(error, UsageError):
            where = error.prog
        print(f"{where}: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{where}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        _report(error, debug)
        print(
            f"{where}: internal error ({type(error).__name__}: {_one_line(str(error))}); this "
            f"is a bug in jobsim: run again with --debug for the traceback and report it",
            file=sys.stderr,
        )
        return 1
    return status


def _report(error: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(error, file=sys.stderr)
