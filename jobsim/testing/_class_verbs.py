"""``drain_all()`` and ``clear_all()``: Sidekiq::Testing's ``Sidekiq::Worker.drain_all`` and
``clear_all`` for the active simulator (the per-class verbs are ``MyJob.drain()`` and friends)."""

from __future__ import annotations

from jobsim.job_testing import DRAIN_MAX_STEPS, clear_jobs, drain_jobs

__all__ = ["clear_all", "drain_all"]


def drain_all(*, max_steps: int | None = DRAIN_MAX_STEPS) -> int:
    """Perform every waiting job of every class until none is left; returns how many ran.

    Scheduled jobs run at their time, moving the virtual clock (Sidekiq ignores ``"at"``).
    """
    return drain_jobs(None, max_steps=max_steps)


def clear_all() -> int:
    """Delete every waiting job (queues and schedule) of every class; returns how many."""
    return clear_jobs(None)
