"""Fuzzing batches: callbacks fire exactly once, and ``success`` sees every child's effect.

::

    from jobsim.fuzz import check_batch_callbacks

    def make():
        batch = Batch()
        with batch.jobs():
            for user_id in range(3):
                Deliver.perform_async(user_id)
        return batch

    check_batch_callbacks(make, setup=mailbox.clear,
                          effects_visible=lambda status: len(mailbox) == 3)

Hypothesis draws a fault plan: a list consumed one entry per delivery, in the order jobs
start (the batch's members, child batches' jobs, and the ``Sidekiq::Batch::Callback`` jobs
alike): ``"ok"``, ``"raise"`` (an :class:`~jobsim.fuzz.InjectedError` before ``perform``:
Sidekiq's retry), ``"crash"`` (the process dies just after ``perform``, under reliable fetch,
so the job is delivered again) or ``"duplicate"`` (a second delivery of the same job is
pushed). Every run is then drained to the end. The checks, on every run: each batch fires each
event at most once; every batch succeeds (no job dies: fewer injected failures than retries);
and ``effects_visible(status)``, if given, holds whenever the top batch's success callback job
runs. A failure is shrunk to the shortest plan and raised as ``AssertionError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobsim import routing
from jobsim.batches import Batch, Batches, Status
from jobsim.errors import InvalidArgument, SimulatedCrash
from jobsim.fuzz._points import InjectedError
from jobsim.simulator import Simulator
from jobsim.stash import StashKey

__all__ = ["BATCH_FAULTS", "check_batch_callbacks", "run_batch_plan"]

#: What a delivery may suffer.
BATCH_FAULTS = ("ok", "raise", "crash", "duplicate")


class _PlanState:
    """One run's plan, consumed by deliveries in order, and what the probe saw."""

    def __init__(self, plan: list[str], sim: Simulator) -> None:
        self.plan = list(plan)
        self.next_index = 0
        self.sim = sim
        self.effects_visible: Callable[[Status], bool] | None = None
        self.seen: list[bool] = []

    def next_fault(self) -> str:
        if self.next_index >= len(self.plan):
            return "ok"
        self.next_index += 1
        return self.plan[self.next_index - 1]


_PLAN = StashKey[_PlanState]("batch fuzz plan")


class _Faults:
    """Server middleware: applies the plan's next fault to each delivery."""

    def __init__(self, state: _PlanState) -> None:
        self.state = state

    def call(self, instance: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        fault = self.state.next_fault()
        if fault == "raise":
            raise InjectedError(f"injected failure of {job.get('class')} {job.get('jid')}")
        if fault == "duplicate":
            copy = {k: v for k, v in job.items() if k not in ("enqueued_at", "error_message")}
            self.state.sim.push(copy)
        result = call_next()
        if fault == "crash":
            raise SimulatedCrash(f"crash after {job.get('class')} {job.get('jid')} ran")
        return result


class _Probe:
    """The check's own success callback on the top batch: evaluates ``effects_visible``."""

    def on_success(self, status: Status, options: dict[str, Any]) -> None:
        sim = routing.active()
        state = sim.stash[_PLAN] if isinstance(sim, Simulator) else None
        if state is not None and state.effects_visible is not None:
            state.seen.append(bool(state.effects_visible(status)))


def run_batch_plan(
    make_batch: Callable[[], Batch],
    plan: list[str],
    *,
    seed: int = 0,
    setup: Callable[[], Any] | None = None,
    effects_visible: Callable[[Status], bool] | None = None,
    version: str | None = None,
) -> list[str]:
    """Run one plan; returns the problems found (empty when every check holds)."""
    for fault in plan:
        if fault not in BATCH_FAULTS:
            msg = f"plan entry {fault!r}: pass one of {', '.join(BATCH_FAULTS)}"
            raise InvalidArgument(msg)
    if setup is not None:
        setup()
    plugin = Batches() if version is None else Batches(version=version)
    sim = Simulator(seed=seed, fetch="reliable", plugins=[plugin])
    state = _PlanState(plan, sim)
    state.effects_visible = effects_visible
    sim.stash[_PLAN] = state
    sim.server_middleware.add(_Faults, state)
    with sim:
        top: object = make_batch()
        if not isinstance(top, Batch):
            msg = f"check_batch_callbacks: make_batch() returned {top!r}; return the Batch"
            raise InvalidArgument(msg)
        top.on("success", _Probe)
    for _ in range(len(plan) + 2):  # each crash stops the process once
        sim.drain()
        if not sim.stopped:
            break
        sim.start()
    return _problems(sim, state, top.bid)


def _problems(sim: Simulator, state: _PlanState, top: str) -> list[str]:
    problems: list[str] = []
    fired: dict[str, list[str]] = {}
    for event in sim.trace.of_kind("batch"):
        fired.setdefault(event.jid, []).append(str(event.detail["event"]))
    for bid, kinds in fired.items():
        for kind in ("complete", "success", "death"):
            if kinds.count(kind) > 1:
                problems.append(f"batch {bid} fired {kind} {kinds.count(kind)} times")
        if "success" not in kinds:
            problems.append(f"batch {bid} never succeeded (its events: {', '.join(kinds)})")
    if top not in fired:
        problems.append(f"the top batch {top} never started")
    if False in state.seen:
        problems.append("effects_visible(status) was False when the success callback ran")
    return problems


def check_batch_callbacks(
    make_batch: Callable[[], Batch],
    *,
    setup: Callable[[], Any] | None = None,
    effects_visible: Callable[[Status], bool] | None = None,
    max_faults: int = 12,
    max_examples: int = 100,
    version: str | None = None,
) -> None:
    """Search fault plans for one that makes a batch's callbacks misbehave (see the module)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    plans = st.lists(st.sampled_from(BATCH_FAULTS), max_size=max_faults)

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(plan=plans, seed=st.integers(0, 2**16))
    def search(plan: list[str], seed: int) -> None:
        problems = run_batch_plan(
            make_batch,
            plan,
            seed=seed,
            setup=setup,
            effects_visible=effects_visible,
            version=version,
        )
        if problems:
            msg = f"fault plan {plan} (seed {seed}): " + "; ".join(problems)
            raise AssertionError(msg)

    search()
