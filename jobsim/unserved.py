"""Jobs waiting in queues the simulator does not serve (layer 6).

``Simulator()`` without ``queues=`` serves every queue, as ``Sidekiq::Testing`` runs every
queue's jobs: a test should not need a queue list to see its jobs run. A real Sidekiq process
serves only the queues it is given (``-q``, ``:queues:`` in ``sidekiq.yml``; none given means
``default`` alone), so with ``queues=`` (or :meth:`jobsim.Simulator.from_sidekiq_yml`) jobsim
serves exactly those, and a job pushed anywhere else waits forever, as it would in production.
``drain()`` says so with a :class:`~jobsim.errors.JobsimWarning` naming every such job, and the
pytest fixture does the same when the test ends.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.errors import JobsimWarning

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["unserved_jobs", "unserved_text", "warn_unserved"]

#: Jobs listed per queue before "and N more".
_SHOWN = 10


def unserved_jobs(sim: Simulator) -> dict[str, list[Mapping[str, Any]]]:
    """Per queue not served, its waiting jobs oldest first (empty when every queue is served);
    queues largest first, as ``sim.stats.queues`` orders them."""
    config = sim.queue_config
    if config is None:
        return {}
    served = set(config.names)
    return {
        name: sim.queue(name).jobs
        for name, size in sim.stats.queues.items()
        if name not in served and size
    }


def unserved_text(sim: Simulator, where: str) -> str | None:
    """What ``where`` leaves behind in unserved queues, every job named, or None."""
    waiting = unserved_jobs(sim)
    if not waiting:
        return None
    total = sum(len(jobs) for jobs in waiting.values())
    served = sim.queues
    lines = [
        f"{where}: {total} job{'s' if total != 1 else ''} wait in queues this simulator does "
        f"not serve (queues={served!r}); a Sidekiq process with these queues never runs them:"
    ]
    for name, jobs in waiting.items():
        shown = ", ".join(f"{job.get('class')} jid={job.get('jid')}" for job in jobs[:_SHOWN])
        more = f", and {len(jobs) - _SHOWN} more" if len(jobs) > _SHOWN else ""
        lines.append(f"  queue {name!r}: {shown}{more}")
    lines.append(
        "Serve the queue (add it to queues=), send the job to a served queue, or clear it "
        "(sim.queue(name).clear()) if it is meant to wait."
    )
    return "\n".join(lines)


def warn_unserved(sim: Simulator, where: str, *, stacklevel: int) -> None:
    """Warn (:class:`~jobsim.errors.JobsimWarning`) when jobs wait in unserved queues."""
    text = unserved_text(sim, where)
    if text is not None:
        warnings.warn(text, JobsimWarning, stacklevel=stacklevel + 1)
