"""Offline replay (layer 7): retry schedules from options or a real job hash, and whole
scenarios run for a virtual period.

* :func:`retry_schedule` — when each retry runs, the jitter range, when the job dies.
* :func:`active_job_schedule` — the same for ActiveJob's ``retry_on``, then Sidekiq's retry.
* :func:`load_job` — a Sidekiq job hash from a JSON file (or ``-``), as found in the retry or
  dead set; never pickle or eval.
* :func:`run_scenario` — a directory with ``sidekiq.yml``, ``schedule.yml`` and ``jobs.py``.
* :func:`sweep` — the scenario once per seed on any ``concurrent.futures.Executor``, and each
  figure's spread across seeds.
* :func:`replay_state` — a live Sidekiq state from Redis (or a dump of one) run forward.
* :mod:`jobsim.replay.model` — helpers that model what scenario jobs do (``fails``,
  ``rate_limited``, ``takes``).
"""

from __future__ import annotations

from jobsim.replay._active_job import ACTIVE_JOB_ROW_FIELDS, active_job_schedule, parse_wait
from jobsim.replay._expr import compile_count_expression
from jobsim.replay._input import LAST_SHOWN_TIME, check_shown_time, load_job, parse_duration
from jobsim.replay._scenario import (
    CronStatus,
    Sample,
    ScenarioRun,
    Tick,
    install_cron,
    run_scenario,
)
from jobsim.replay._schedule import ROW_FIELDS, SAMPLE_FIELDS, percentile, retry_schedule
from jobsim.replay._state import UNKNOWN_CHOICES, replay_state
from jobsim.replay._sweep import SweepResult, parse_seeds, seed_metrics, sweep

__all__ = [
    "ACTIVE_JOB_ROW_FIELDS",
    "LAST_SHOWN_TIME",
    "ROW_FIELDS",
    "SAMPLE_FIELDS",
    "UNKNOWN_CHOICES",
    "CronStatus",
    "SweepResult",
    "Sample",
    "ScenarioRun",
    "Tick",
    "active_job_schedule",
    "check_shown_time",
    "compile_count_expression",
    "install_cron",
    "load_job",
    "parse_duration",
    "parse_seeds",
    "seed_metrics",
    "sweep",
    "parse_wait",
    "percentile",
    "replay_state",
    "retry_schedule",
    "run_scenario",
]
