"""The orphan reaper (``orphans/ruby_reaper.rb`` @ v8.1.0) on the virtual clock.

Every ``interval`` seconds it looks at digests locked at least ``timeout`` + 10 seconds ago
(the gem's ``reaper_timeout`` plus ``SIDEKIQ_BEAT_PAUSE``) and deletes, up to ``count`` per run,
those no job still carries: none in a queue, the schedule or the retry set, and none running
(a running job younger than that window counts as carrying every digest, as the gem's
``considered_active?`` does). When the queues hold more than 1000 jobs it skips the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobsim.unique_jobs._digest import RUN_SUFFIX

if TYPE_CHECKING:
    from jobsim.unique_jobs._runtime import UniqueRuntime

__all__ = ["BEAT_PAUSE", "MAX_QUEUE_LENGTH", "reap"]

BEAT_PAUSE = 10
MAX_QUEUE_LENGTH = 1000


def _base(digest: object) -> str:
    return str(digest).removesuffix(RUN_SUFFIX)


def reap(runtime: UniqueRuntime, *, timeout: float, count: int) -> list[str]:
    """One run of the reaper; the digests it deleted."""
    sim = runtime.sim
    if sum(len(sim.queue(name)) for name in sim.queues) > MAX_QUEUE_LENGTH:
        return []
    now = runtime.now
    max_score = now - timeout - BEAT_PAUSE
    carried: set[str] = set()
    for name in sim.queues:
        carried.update(_base(job.get("lock_digest")) for job in sim.queue(name))
    for sorted_set in (sim.scheduled, sim.retries):
        carried.update(_base(entry.job.get("lock_digest")) for entry in sorted_set)
    running = sim.running
    carried.update(_base(job.get("lock_digest")) for job in running)
    young = any(_created(job.get("created_at")) > max_score for job in running)
    reaped: list[str] = []
    for held in runtime.table.all(now):
        if len(reaped) >= count or young:
            break
        if held.lock_type == "until_expired" and held.expires_at is not None:
            continue  # the expiring-digests ZSET: its TTL removes it
        if held.score > max_score or _base(held.digest) in carried:
            continue
        runtime.table.delete(held.digest)
        reaped.append(held.digest)
    return reaped


def _created(stamp: object) -> float:
    if isinstance(stamp, int) and not isinstance(stamp, bool):
        return stamp / 1000.0  # Sidekiq 8's integer milliseconds
    if isinstance(stamp, float):
        return stamp
    return float("-inf")
