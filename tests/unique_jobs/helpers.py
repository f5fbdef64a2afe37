"""Job classes and simulators for the unique-jobs tests."""

from __future__ import annotations

from typing import Any

import jobsim
from jobsim import routing
from jobsim.unique_jobs import UniqueJobs

START = 1767225600.0  # 2026-01-01T00:00:00Z

#: The five lock types of sidekiq-unique-jobs.
LOCKS = (
    "until_executing",
    "until_executed",
    "until_expired",
    "while_executing",
    "until_and_while_executing",
)


class Boom(RuntimeError):
    """What a failing test job raises."""


def unique_sim(*plugins: Any, **kwargs: Any) -> jobsim.Simulator:
    kwargs.setdefault("seed", 3)
    kwargs.setdefault("start", START)
    kwargs.setdefault("jitter", "min")
    return jobsim.Simulator(plugins=list(plugins) or [UniqueJobs()], **kwargs)


def lock_job(lock: str, name: str = "", **options: Any) -> type[jobsim.Job]:
    """A job with ``lock``: ``perform("ok")`` succeeds, ``perform("fail")`` raises Boom,
    ``perform("discard")`` raises and its retry_in says ``"discard"``. Each execution notes
    the digests held while it runs in ``seen``."""
    seen: list[list[str]] = []

    def perform(self: jobsim.Job, mode: str) -> None:
        sim: Any = routing.active()  # the simulator running this job
        seen.append(sorted(sim.locks.digests))
        if mode != "ok":
            raise Boom(mode)

    def retry_in(self: jobsim.Job, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        return "discard" if job["args"] == ["discard"] else None

    body = {"perform": perform, "retry_in": retry_in, "seen": seen}
    return type(name or f"Lock_{lock}", (jobsim.Job,), body, lock=lock, **options)
