"""Which rules the Rails-style helpers follow: Rails' test adapter or jobsim's simulation.

``jobsim.active_job.settings(sim).queue_adapter`` decides (see ``active_job/_test_adapter.py``);
these are the pieces ``_rails_assertions.py`` asks: whether a record is still enqueued, the
note a failing count gets in the simulation, and the Rails version in force.
"""

from __future__ import annotations

from types import TracebackType

from jobsim import active_job, routing
from jobsim.active_job._test_adapter import using_test_adapter
from jobsim.simulator import Simulator
from jobsim.testing._matchers import JobMatcher
from jobsim.testing._records import JobRecord, Scope

__all__ = [
    "NotedBlock",
    "everything",
    "rails_name",
    "simulate_note",
    "still_enqueued",
    "waiting",
]


def adapter_sim(sim: Simulator | None) -> Simulator | None:
    found = sim if sim is not None else routing.active()
    return found if isinstance(found, Simulator) else None


def still_enqueued(matcher: JobMatcher, kind: str, sim: Simulator | None) -> JobMatcher:
    """Under the test adapter, the enqueued-jobs helpers see only jobs still waiting."""
    found = adapter_sim(sim)
    if kind != "enqueued" or found is None or not using_test_adapter(found):
        return matcher
    return matcher.where(lambda record: waiting(found, record), "still enqueued (test adapter)")


def waiting(sim: Simulator, record: JobRecord) -> bool:
    where = sim.locate(record.jid)
    return where == "schedule" or where.startswith("queue:")


def simulate_note(kind: str, sim: Simulator | None, records: list[JobRecord]) -> str:
    """In jobsim's own mode, why a performed job may still count as enqueued."""
    found = adapter_sim(sim)
    if kind != "enqueued" or found is None or using_test_adapter(found):
        return ""
    performed = sum(1 for record in records if not waiting(found, record))
    if not performed:
        return ""
    return (
        f"\n(jobsim simulates Rails' Sidekiq adapter: {performed} of the jobs enqueued were "
        f"performed since and still count; Rails' test adapter forgets performed jobs: set "
        f"jobsim.active_job.settings(sim).queue_adapter = 'test' for its rules)"
    )


def rails_name(sim: Simulator | None) -> str | None:
    found = adapter_sim(sim)
    return None if found is None else active_job.settings(found).rails


def everything(kind: str, sim: Simulator | None) -> list[JobRecord]:
    found = adapter_sim(sim)
    if found is None:
        return []
    return Scope.everything(found).records("enqueued" if kind == "enqueued" else "performed")


class NotedBlock:
    """The ``with`` form of an enqueued-jobs count: the matcher's block, whose failure gets
    the same simulate-mode note as the called form (about the jobs enqueued in the block)."""

    def __init__(self, matcher: JobMatcher, sim: Simulator | None) -> None:
        self.matcher = matcher
        self._sim = sim
        self._scope: Scope | None = None

    @property
    def jobs(self) -> list[JobRecord]:
        """The enqueued jobs that matched."""
        return self.matcher.jobs

    def __enter__(self) -> NotedBlock:
        self.matcher.__enter__()
        found = adapter_sim(self._sim)
        self._scope = None if found is None else Scope.from_now(found)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        try:
            self.matcher.__exit__(exc_type, exc, tb)
        except AssertionError as failure:
            scope = self._scope
            records = [] if scope is None else scope.closed().records("enqueued")
            note = simulate_note("enqueued", self._sim, records)
            if note:
                # Reworded in place, not raised anew: the traceback keeps the line the
                # matcher noted its evaluation at, so the plugin's report still finds it.
                failure.args = (f"{failure.args[0] if failure.args else ''}{note}",)
            raise
