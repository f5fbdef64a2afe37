"""A unique lock is not an idempotency guarantee: the fuzzer's lock faults show where it gives.

sidekiq-unique-jobs' README warns that a lock narrows duplicates and no more. Here one order is
charged by a job under each lock type, on simulators with the ``UniqueJobs`` plugin, through
``jobsim.fuzz.check_idempotent(plugins=...)`` with fixed schedules: the application pushing the
job again (a new jid) while it waits, its lock expiring first, and a crash while a runtime lock
is held. Then a search with every fault finds a schedule that charges twice even under
``until_executed``, the strictest lock.

Run: ``python examples/unique_lock_not_idempotent.py``
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings

import jobsim
import jobsim.fuzz as fz
from jobsim.unique_jobs import UniqueJobs


class Ledger:
    """The payment gateway: every charge it was asked for."""

    def __init__(self) -> None:
        self.charges: list[int] = []

    def charge(self, order_id: int) -> None:
        self.charges.append(order_id)


LEDGER = Ledger()


def charging_job(lock: str, **options: Any) -> type[jobsim.Job]:
    def perform(self: jobsim.Job, order_id: int) -> None:
        LEDGER.charge(order_id)

    name = "Charge" + "".join(part.title() for part in lock.split("_"))
    return type(name, (jobsim.Job,), {"perform": perform}, lock=lock, **options)


def check(job: type[jobsim.Job], schedule: fz.Schedule | None = None, **options: Any) -> str:
    """The first line of the check's report, or that it passed."""
    try:
        fz.check_idempotent(
            job,
            args=[7],
            setup=LEDGER.charges.clear,
            snapshot=lambda: list(LEDGER.charges),
            effects=[LEDGER.charge],
            plugins=[UniqueJobs()],
            schedule=schedule,
            **options,
        )
    except AssertionError as failure:
        lines = str(failure).splitlines()
        first_problem = lines[0].split(": ", 1)[1].split("; ")[0]
        held = [step for line in lines for step in line.split("; ") if "stays held" in step]
        found = "" if schedule is not None else f" ({lines[1]})"
        return first_problem + found + (f"; {held[0]}" if held else "")
    return "passes"


def main() -> None:
    expired = fz.Schedule(resubmits=1, lock_expires=True)
    pushed_again = fz.Schedule(resubmits=1)
    crash = fz.Schedule(fetch="reliable", faults=((0, "crash-after"),))
    executing = charging_job("until_executing", lock_ttl=60)
    executed = charging_job("until_executed", lock_ttl=60)
    running = charging_job("while_executing")
    print(f"until_executing, pushed again while waiting: {check(executing, pushed_again)}")
    print(f"until_executing, lock expired first: {check(executing, expired)}")
    print(f"until_executed, lock expired first: {check(executed, expired)}")
    print(f"while_executing, pushed again while waiting: {check(running, pushed_again)}")
    print(f"while_executing, crash after the charge: {check(running, crash)}")
    search = settings(derandomize=True, database=None, deadline=None, max_examples=100)
    print(f"until_executed, every fault searched: {check(executed, settings=search)}")


if __name__ == "__main__":
    main()
