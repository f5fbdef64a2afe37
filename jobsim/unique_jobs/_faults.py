"""Lock faults a test or the idempotency fuzzer injects: a lock's TTL running out early."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobsim.errors import InvalidArgument
from jobsim.unique_jobs._runtime import LOCK_TABLE

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["expire_locks"]


def expire_locks(sim: Simulator, jid: str) -> list[str]:
    """Expire now every lock ``jid`` holds, as when its ``lock_ttl`` runs out while the job
    still waits in a long queue; the digests expired (sorted, empty if it held none).

    Redis drops an expired digest whoever holds it, so the next push of a duplicate takes the
    lock; the waiting job runs anyway (``until_executed`` finds its lock gone and skips
    ``perform`` if another job took it meanwhile, as the gem's ``execute`` does).
    """
    given: object = jid
    if not isinstance(given, str) or not given:
        msg = (
            f"expire_locks(sim, jid={jid!r}): pass the jid (a string) of the job whose locks expire"
        )
        raise InvalidArgument(msg)
    table = sim.stash.get(LOCK_TABLE, None)
    if table is None:
        msg = (
            "expire_locks: this simulator has no unique-jobs plugin; build it with "
            "jobsim.Simulator(plugins=['unique_jobs'])"
        )
        raise InvalidArgument(msg)
    now = sim.time
    digests = [held.digest for held in table.all(now) if jid in held.holders]
    for digest in digests:
        table.expire(digest, now)
    return digests
