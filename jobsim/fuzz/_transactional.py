"""Transactional enqueue: jobs pushed inside a transaction reach the simulator only after it
commits (Sidekiq's ``transactional_push!``), and a fuzz check for it (layer 7)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jobsim import routing
from jobsim.errors import NoActiveSimulator, SimulatedCrash, SimulationError
from jobsim.fuzz._points import InjectedError, hosting
from jobsim.fuzz._report import shorten
from jobsim.fuzz._schedule import Action, Faults, Schedule
from jobsim.simulator import Simulator

__all__ = ["PendingPushes", "check_transactional_enqueue", "transactional_push"]


class PendingPushes:
    """Enqueues held until the transaction commits; ``jids`` holds their jids after it."""

    def __init__(self) -> None:
        self.pending: list[tuple[type[Any], tuple[Any, ...], dict[str, Any]]] = []
        #: One entry per push after the commit (None where client middleware dropped it).
        self.jids: list[str | None] = []

    def _enqueue_job(
        self, job_class: type[Any], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        # The routing door: hold the push; None, since the job has no jid until the commit.
        self.pending.append((job_class, tuple(args), dict(options)))
        return None

    def _keeps_dropped_in_bulk(self) -> bool:
        # perform_bulk inside the block: every held push is kept (no middleware ran yet).
        return True


@contextlib.contextmanager
def transactional_push(connection: Any, *, sim: Any = None) -> Iterator[PendingPushes]:
    """Run a block as one database transaction whose job pushes wait for its commit.

    On success the connection commits, then every job enqueued in the block is pushed to
    ``sim`` (default: the active simulator). On an error the connection rolls back and the
    jobs are dropped. As in Sidekiq, a process that dies between the commit and the push
    loses the jobs: after-commit enqueue trades "a job without its data" for that gap.
    """
    target = sim if sim is not None else routing.active()
    if target is None:
        msg = "transactional_push(): no active simulator; pass sim= or use it inside `with sim:`"
        raise NoActiveSimulator(msg)
    held = PendingPushes()
    routing.activate(held)
    try:
        yield held
    except BaseException:
        routing.deactivate(held)
        with contextlib.suppress(Exception):
            connection.rollback()
        raise
    routing.deactivate(held)
    try:
        connection.commit()
    except Exception:
        with contextlib.suppress(Exception):
            connection.rollback()
        raise
    for job_class, args, options in held.pending:
        held.jids.append(target._enqueue_job(job_class, args, options))


class _TxRun:
    """Effect-point host for one request: faults at statements and commits, no switches."""

    def __init__(self, faults: tuple[tuple[int, Action], ...]) -> None:
        self.faults = dict(faults)
        self.points = 0
        self.steps: list[str] = []

    def point(self, label: str, call: Callable[[], Any] | None, *, counted: bool) -> Any:
        action = self.faults.get(self.points)
        self.points += 1
        if action is not None and action.endswith("-before"):
            self.steps.append(f"{label} → {action.split('-')[0]}")
            raise InjectedError(label) if action.startswith("raise") else SimulatedCrash(label)
        result = call() if call is not None else None
        if action is not None:
            del result  # unseen by the caller; a live cursor would hold its lock
            self.steps.append(f"{label} → ok, then {action.split('-')[0]}")
            raise InjectedError(label) if action.startswith("raise") else SimulatedCrash(label)
        self.steps.append(f"{label} → ok")
        return result

    def adopt(self, resource: Any) -> None:
        """Connections need no tracking here: the request is one call."""


def _jobs(sim: Simulator) -> list[str]:
    return [
        f"{event.job.get('class')}{tuple(event.job.get('args') or ())!r}"
        for event in sim.trace
        if event.kind in ("enqueued", "scheduled")
    ]


def _attempt(
    work: Callable[[], Any],
    faults: tuple[tuple[int, Action], ...],
    seed: int,
    setup: Callable[[], Any] | None,
    snapshot: Callable[[], Any],
) -> tuple[list[str], list[str], Any, str]:
    if setup is not None:
        setup()
    sim = Simulator(seed=seed)
    run = _TxRun(faults)
    outcome = "returned"
    with hosting(run), sim:
        try:
            work()
        except (Exception, SimulatedCrash) as exc:
            outcome = f"{type(exc).__name__}: {exc}"
    return run.steps, _jobs(sim), snapshot(), outcome


def check_transactional_enqueue(
    work: Callable[[], Any],
    *,
    snapshot: Callable[[], Any],
    setup: Callable[[], Any] | None = None,
    faults: Faults | None = None,
    settings: Any = None,
) -> None:
    """Check that ``work()`` (a request that writes with a :func:`connect` connection and
    enqueues jobs) never leaves a job whose transaction did not commit.

    Hypothesis raises or crashes at the connection's statements and commits. Whenever a job
    was enqueued, ``snapshot()`` must equal the snapshot after a clean ``work()``.
    """
    from jobsim.fuzz._check import require_hypothesis

    hypothesis = require_hypothesis("jobsim.fuzz.check_transactional_enqueue")
    from hypothesis import strategies as st

    chosen = faults if faults is not None else Faults()
    actions = [a for a in chosen.actions() if not a.startswith("shutdown")]
    if not actions:
        msg = "check_transactional_enqueue: enable crashes or exceptions in faults="
        raise SimulationError(msg)
    _, clean_jobs, clean_snapshot, outcome = _attempt(work, (), 0, setup, snapshot)
    if not clean_jobs or outcome != "returned":
        msg = f"work() must enqueue a job and return in a clean run (it: {outcome}, {clean_jobs})"
        raise SimulationError(msg)
    plans = st.lists(
        st.tuples(st.integers(0, 24), st.sampled_from(actions)),
        min_size=1,
        max_size=max(chosen.max_faults, 1),
        unique_by=lambda item: item[0],
    ).map(lambda items: tuple(sorted(items)))

    def check_transactional_enqueue(seed: int, plan: tuple[tuple[int, Action], ...]) -> None:
        steps, jobs, state, outcome = _attempt(work, plan, seed, setup, snapshot)
        if jobs and state != clean_snapshot:
            lines = [
                f"{getattr(work, '__name__', 'work')}() enqueued {', '.join(jobs)} but its "
                f"transaction did not commit ({outcome})",
                "  " + "; ".join(steps),
                f"snapshot after a clean run: {shorten(clean_snapshot)}",
                f"snapshot after this one:    {shorten(state)}",
                f"replay: faults at points {Schedule(seed=seed, faults=plan).faults!r}",
            ]
            raise AssertionError("\n".join(lines))

    if settings is None:
        settings = hypothesis.settings(deadline=None)
    test = settings(hypothesis.given(st.integers(0, 2**32 - 1), plans)(check_transactional_enqueue))
    key = f"jobsim.fuzz.tx:{getattr(work, '__module__', '')}.{getattr(work, '__qualname__', '')}"
    test.hypothesis.inner_test._hypothesis_internal_add_digest = key.encode()
    test()
