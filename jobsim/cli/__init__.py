"""The ``jobsim`` command line (layer 7): argparse and formatting only, no semantics.

Subcommands are entries in :data:`COMMANDS`, ``(name, add_arguments, run)``; a new command
appends one entry. ``jobsim retries`` prints a retry schedule (from options or a real job
hash, or ActiveJob's ``retry_on`` then Sidekiq's retry with ``--activejob``), ``jobsim simulate
PATH`` runs a scenario for a virtual period. Numbers come from :mod:`jobsim.replay`, which
applies Sidekiq's own rules (and ActiveJob's, on a simulator).

* ``_main`` — the parser, :data:`COMMANDS` and :func:`main` (the console script's entry point).
* ``_retries`` — ``jobsim retries``; ``_active_job`` — its ``--activejob`` mode; ``_inputs`` —
  what it reads from ``--job`` and ``--at``.
* ``_simulate`` — ``jobsim simulate``; ``_sweep`` — ``jobsim sweep`` (one run per seed);
  ``_compare`` — ``jobsim compare`` (two runs side by side); ``_settings`` — ``--set``.
* ``_output`` — tables and CSV, shared by the commands.
"""

from __future__ import annotations

from jobsim.cli._main import COMMANDS, Command, main
from jobsim.replay import retry_schedule

__all__ = ["COMMANDS", "Command", "main", "retry_schedule"]
