"""A typical ActiveJob sync job: retry on timeouts, discard on a client error.

Run it: ``python examples/active_job_sync.py``. It shows ActiveJob's retries (new pushes of
Sidekiq's wrapper job) and, for an account the remote API refuses, the discard.
"""

from __future__ import annotations

import jobsim
from jobsim.active_job import ActiveJob, settings


class RemoteTimeout(Exception):
    """The remote API did not answer in time."""


class ClientError(Exception):
    """The remote API refused the request (a 4xx): retrying cannot help."""


CALLS: dict[int, int] = {}


class SyncAccount(ActiveJob, queue_as="sync", rails="7.1"):
    def perform(self, account_id: int) -> str:
        CALLS[account_id] = CALLS.get(account_id, 0) + 1
        if account_id == 13:
            raise ClientError(f"account {account_id} is locked")
        if CALLS[account_id] < 3:
            raise RemoteTimeout("read timeout")
        return "synced"


SyncAccount.retry_on(RemoteTimeout, wait="polynomially_longer", attempts=5)
SyncAccount.discard_on(ClientError)


def main() -> None:
    sim = jobsim.Simulator(seed=7, profile="sidekiq-7")
    with sim:
        SyncAccount.perform_later(42)
        SyncAccount.perform_later(13)
        sim.drain()
    for event in settings(sim).events:
        wait = f" wait {event.wait:.2f} s" if event.wait is not None else ""
        print(f"{event.name:<14} {event.error_class:<14} executions={event.executions}{wait}")
    print(f"calls per account: {CALLS}; dead jobs: {len(sim.dead)}")
    assert CALLS == {42: 3, 13: 1}
    assert len(sim.dead) == 0


if __name__ == "__main__":
    main()
