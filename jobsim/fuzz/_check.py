"""``check_idempotent``: Hypothesis searches fault schedules and shrinks a failing one (layer 7).

Hypothesis is imported when a check runs, so :mod:`jobsim.fuzz` (its checkpoints and SQLite
wrapper live in job code) imports without it; the check itself needs ``jobsim[fuzz]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from jobsim.errors import SimulationError
from jobsim.fuzz._effects import Effect, as_effects, patched
from jobsim.fuzz._report import shorten, timeline_lines
from jobsim.fuzz._run import RunResult, execute
from jobsim.fuzz._schedule import Faults, Schedule
from jobsim.plugins import resolve_plugins

__all__ = ["check_idempotent", "idempotency_test", "require_hypothesis"]

#: ``invariant(clean_snapshot, snapshot)``: True (or None) when the run is acceptable.
Invariant = Callable[[Any, Any], Any]


def require_hypothesis(what: str) -> Any:
    """The ``hypothesis`` module, or an ImportError saying how to install it."""
    try:
        import hypothesis
    except ImportError as exc:  # pragma: no cover - the dev install has it
        msg = f"{what} needs Hypothesis: pip install 'jobsim[fuzz]'"
        raise ImportError(msg) from exc
    return hypothesis


def check_idempotent(
    job: type[Any],
    *,
    args: Any = (),
    setup: Callable[[], Any] | None = None,
    snapshot: Callable[[], Any] | None = None,
    effects: Sequence[Effect | Callable[..., Any] | str] = (),
    faults: Faults | None = None,
    settings: Any = None,
    invariant: Invariant | None = None,
    schedule: Schedule | None = None,
    plugins: Iterable[Any] | None = None,
) -> None:
    """Search delivery schedules for one under which ``job`` is not idempotent.

    Every example builds one simulator seeded from a drawn integer, runs ``setup()``, runs
    ``job(*args)`` once cleanly and takes ``snapshot()``, then again under a drawn fault
    schedule (see :class:`Faults`). The run must leave the same snapshot as the clean one
    whenever some delivery finished, and no effect declared with ``once=True`` may complete
    more often than in the clean run. ``invariant(clean, snapshot)`` replaces the snapshot
    comparison when given.

    Args:
        job: The job class.
        args: The job's arguments: a list or tuple of values, or a Hypothesis strategy that
            draws one.
        setup: Called before every run to reset the world (a fresh database, say).
        snapshot: Returns the state to compare (rows of the tables the job touches).
        effects: The side effects to wrap as effect points: bound methods
            (``gateway.charge``), functions, static or class methods named through their module
            or class (``payments.charge``, ``Gateway.charge``), import paths
            (``"shop.payments.charge"``) or :func:`effect` declarations. Each is replaced where
            it is looked up for the check and restored afterwards, also when the check fails.
        faults: Which faults to inject (all by default).
        settings: Hypothesis settings; by default the loaded profile with ``deadline=None``.
        invariant: Your own property, replacing the snapshot comparison.
        schedule: Run exactly this schedule (the replay line of a report) instead of searching.
        plugins: The plugins every run's simulator gets, as ``Simulator(plugins=...)``. With a
            unique-jobs plugin the lock faults are drawn too (see :class:`Faults`): the job
            pushed again under a new jid while it waits, its locks expired first or not, and
            a crash that leaves a runtime lock held is shown in the timeline.

    Raises:
        AssertionError: With the shrunk schedule as a timeline and the line that replays it.
    """
    chosen = faults if faults is not None else Faults()
    specs = as_effects(effects, job=job)
    run = _Runner(job, setup, snapshot, invariant, resolve_plugins(plugins, where="plugins="))
    with patched(specs):
        if schedule is not None:
            run.verify(tuple(args), schedule)
            return
        _search(run, args, chosen, settings)


def idempotency_test(job: type[Any], **options: Any) -> Callable[[], None]:
    """The pytest form: ``test_charge = idempotency_test(Charge, args=[7], ...)`` defines a test
    that runs :func:`check_idempotent` with these options."""

    def test() -> None:
        __tracebackhide__ = True
        check_idempotent(job, **options)

    test.__name__ = f"test_{job.__name__}_is_idempotent"
    test.__qualname__ = test.__name__
    return test


#: The plugins that hold unique locks, for which the lock faults are drawn.
LOCK_PLUGINS = frozenset({"unique_jobs", "enterprise_unique_jobs"})


class _Runner:
    """One check's job, hooks and plugins: runs the clean run and a schedule, and judges."""

    def __init__(
        self,
        job: type[Any],
        setup: Callable[[], Any] | None,
        snapshot: Callable[[], Any] | None,
        invariant: Invariant | None,
        plugins: tuple[Any, ...],
    ) -> None:
        self.job = job
        self.setup = setup
        self.snapshot = snapshot
        self.invariant = invariant
        self.plugins = plugins
        self.locks = any(plugin.name in LOCK_PLUGINS for plugin in plugins)

    def execute(self, args: tuple[Any, ...], schedule: Schedule) -> RunResult:
        return execute(
            self.job,
            args,
            schedule,
            setup=self.setup,
            snapshot=self.snapshot,
            plugins=self.plugins,
        )

    def verify(self, args: tuple[Any, ...], schedule: Schedule) -> None:
        job = self.job
        clean = self.execute(args, Schedule(seed=schedule.seed))
        if not clean.finished:
            lines = "\n".join(timeline_lines(clean))
            msg = f"{job.__name__}{_args(args)} does not finish in one clean run:\n{lines}"
            raise SimulationError(msg)
        result = self.execute(args, schedule)
        problems = _problems(clean, result, self.invariant)
        if problems:
            raise AssertionError(_report(job, args, clean, result, problems))


def _search(run: _Runner, args: Any, faults: Faults, settings: Any) -> None:
    hypothesis = require_hypothesis("jobsim.fuzz.check_idempotent")
    from hypothesis import strategies as st

    from jobsim.fuzz._strategies import schedules

    job = run.job
    drawn_args = args if isinstance(args, st.SearchStrategy) else st.just(tuple(args))

    def test(args: Any, schedule: Schedule) -> None:
        run.verify(tuple(args), schedule)

    test.__name__ = test.__qualname__ = f"check_idempotent_{job.__name__}"
    if settings is None:
        settings = hypothesis.settings(
            deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
        )
    drawn = schedules(faults, locks=run.locks)
    wrapped = settings(hypothesis.given(args=drawn_args, schedule=drawn)(test))
    # One database key per job and fault model, not one for every check (the inner function
    # is the same code for all of them).
    locks = ":locks" if run.locks else ""
    key = f"jobsim.fuzz:{job.__module__}.{job.__qualname__}:{faults!r}{locks}".encode()
    wrapped.hypothesis.inner_test._hypothesis_internal_add_digest = key
    wrapped()


def _problems(clean: RunResult, result: RunResult, invariant: Invariant | None) -> list[str]:
    problems = [
        f"{label} ran {count}× ({clean.completed[label]}× in one clean run)"
        for label, count in result.completed.items()
        if count > clean.completed[label]
    ]
    if not result.finished:
        return problems  # lost or dead: only at-most-once can be asked of it
    if invariant is not None:
        try:
            verdict = invariant(clean.snapshot, result.snapshot)
        except AssertionError as exc:
            problems.append(f"invariant failed: {exc}")
        else:
            if verdict is False:
                problems.append(f"invariant {getattr(invariant, '__name__', '')} returned False")
    elif result.snapshot != clean.snapshot:
        problems.append("the snapshot differs from the one after a clean run")
    return problems


def _args(args: tuple[Any, ...]) -> str:
    return "(" + ", ".join(repr(value) for value in args) + ")"


def _report(
    job: type[Any],
    args: tuple[Any, ...],
    clean: RunResult,
    result: RunResult,
    problems: list[str],
) -> str:
    lines = [
        f"{job.__name__}{_args(args)} is not idempotent: {'; '.join(problems)}",
        f"schedule: {result.schedule.describe()}",
        *timeline_lines(result),
    ]
    if clean.snapshot != result.snapshot:
        lines.append(f"snapshot after one clean run: {shorten(clean.snapshot)}")
        lines.append(f"snapshot after this schedule: {shorten(result.snapshot)}")
    lines.append(
        f"replay: jobsim.fuzz.check_idempotent({job.__name__}, args={args!r}, <the same "
        f"setup, snapshot and effects>, schedule=jobsim.fuzz.{result.schedule!r})"
    )
    return "\n".join(lines)
