"""Assertions about Sidekiq Pro batches (:mod:`jobsim.batches`) on a simulator.

::

    assert have_batch("Newsletter").succeeded().with_total(100)
    have_batch().completed().not_succeeded().exactly(2).verify()
    assert_batch_succeeded(batch.bid)

They read ``sim.batches`` (the active simulator unless ``sim=`` is given): live batches only,
as Sidekiq's API sees them; a batch that expired or lingered out is gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from jobsim.errors import InvalidArgument
from jobsim.plugins import BATCHES_VIEW
from jobsim.testing._arguments import equal, short
from jobsim.testing._expectations import AT_LEAST_ONE, Count, whole_count
from jobsim.testing._option_matchers import OptionCheck
from jobsim.testing._records import resolve_simulator

if TYPE_CHECKING:
    from jobsim.batches import Status
    from jobsim.simulator import Simulator

__all__ = ["BatchMatcher", "assert_batch_succeeded", "have_batch"]


def _statuses(sim: Simulator, what: str) -> list[Status]:
    view = sim.stash.get(BATCHES_VIEW, None)
    if view is None:
        msg = (
            f"{what}: this simulator has no batches; create it with "
            f"jobsim.Simulator(plugins=[jobsim.batches.Batches()]) or plugins=['batches']"
        )
        raise InvalidArgument(msg)
    return [view[bid] for bid in view]


def _line(status: Status) -> str:
    fired = [name for name in ("complete", "success") if getattr(status, name)]
    if status.death_at is not None or status.dead_jids:
        fired.append("death")
    return (
        f"  - {status.bid} {status.description or '(no description)'}: total={status.total} "
        f"pending={status.pending} failures={status.failures} dead={len(status.dead_jids)} "
        f"fired={', '.join(fired) or 'nothing'}"
    )


class BatchMatcher:
    """Expected batches; built with :func:`have_batch`, then chained. Truthy when it holds."""

    def __init__(self, description: Any, sim: Simulator | None) -> None:
        self._sim = sim
        self._checks: list[tuple[str, Any]] = []
        self._chain: list[str] = []
        if description is not None:
            call = f"description {short(description)}"
            self._checks.append((call, lambda s: equal(description, s.description)))
            self._chain.append(call)
        self._count: Count = AT_LEAST_ONE

    def _then(self, call: str, check: Any = None, **changes: Any) -> Self:
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes)
        clone._chain = [*self._chain, call]
        if check is not None:
            clone._checks = [*self._checks, (call, check)]
        return clone

    def with_bid(self, bid: str) -> Self:
        """The batch with this bid."""
        return self._then(f"with_bid({bid!r})", lambda s: s.bid == bid)

    def with_parent(self, bid: str | None) -> Self:
        """Made inside the batch ``bid`` (None: a top-level batch)."""
        return self._then(f"with_parent({bid!r})", lambda s: s.parent_bid == bid)

    def with_total(self, n: Any) -> Self:
        """``total`` jobs pushed into it (a number or a matcher)."""
        return self._then(f"with_total({short(n)})", lambda s: equal(n, s.total))

    def with_pending(self, n: Any) -> Self:
        """``pending`` jobs (not yet succeeded)."""
        return self._then(f"with_pending({short(n)})", lambda s: equal(n, s.pending))

    def with_failures(self, n: Any) -> Self:
        """``failures``: jobs whose latest run failed."""
        return self._then(f"with_failures({short(n)})", lambda s: equal(n, s.failures))

    def completed(self) -> Self:
        """Its ``complete`` event has fired."""
        return self._then("completed()", lambda s: s.complete)

    def succeeded(self) -> Self:
        """Its ``success`` event has fired."""
        return self._then("succeeded()", lambda s: s.success)

    def not_succeeded(self) -> Self:
        """Its ``success`` event has not fired."""
        return self._then("not_succeeded()", lambda s: not s.success)

    def died(self) -> Self:
        """One of its jobs died (its ``death`` event fired, or would have before Pro 4.0.3)."""
        return self._then("died()", lambda s: bool(s.dead_jids) or s.death_at is not None)

    def exactly(self, n: int) -> Self:
        """Exactly ``n`` such batches."""
        return self._then(f"exactly({n})", _count=Count(whole_count(n, "exactly"), n, f"{n}"))

    def once(self) -> Self:
        """Exactly one."""
        return self.exactly(1)

    def never(self) -> Self:
        """None at all."""
        return self.exactly(0)

    def at_least(self, n: int) -> Self:
        """``n`` or more."""
        low = whole_count(n, "at_least")
        return self._then(f"at_least({n})", _count=Count(low, None, f"at least {n}"))

    def matches(self, sim: Simulator | None = None) -> OptionCheck:
        """Check ``sim`` (else the one given to :func:`have_batch`, else the active one)."""
        target = resolve_simulator(sim or self._sim, "have_batch()")
        statuses = _statuses(target, "have_batch()")
        found = [s for s in statuses if all(check(s) for _, check in self._checks)]
        passed = self._count.accepts(len(found))
        noun = "batch" if self._count.text in ("1", "at least 1") else "batches"
        lines = [f"expected to have {self._count.text} {noun}"]
        if self._chain:
            lines.append(f"  with {', '.join(self._chain)}")
        lines.append(f"but found {len(found)} among {len(statuses)} live batches")
        lines.extend(_line(status) for status in statuses[:10])
        return OptionCheck(passed, "\n".join(lines))

    def verify(self, sim: Simulator | None = None) -> None:
        """Raise AssertionError with the listing unless such batches exist."""
        __tracebackhide__ = True
        check = self.matches(sim)
        if not check:
            raise AssertionError(check.message)

    def __bool__(self) -> bool:
        return bool(self.matches())

    def __repr__(self) -> str:
        return f"<have_batch(){''.join('.' + c for c in self._chain)}>"


def have_batch(description: Any = None, *, sim: Simulator | None = None) -> BatchMatcher:
    """Expect batches (with this ``description``, a str or matcher, if given)."""
    return BatchMatcher(description, sim)


def assert_batch_succeeded(bid: str, *, sim: Simulator | None = None) -> None:
    """Raise AssertionError saying what is still pending unless batch ``bid`` has succeeded."""
    __tracebackhide__ = True
    target = resolve_simulator(sim, "assert_batch_succeeded()")
    _statuses(target, "assert_batch_succeeded()")
    view: Any = getattr(target, "batches")  # noqa: B009 - set by the Batches plugin
    if bid not in view:
        fate = view.fate(bid)
        if fate == "lingered":
            return  # it succeeded; its data was deleted after its linger
        msg = f"expected batch {bid!r} to have succeeded, but it is {fate} on this simulator"
        raise AssertionError(msg)
    status = view[bid]
    if status.success:
        return
    lines = [f"expected batch {bid} to have succeeded, but it has not:", _line(status)]
    dead = set(status.dead_jids)
    for jid in status.failed_jids[:10]:
        lines.append(f"    {jid}: {'dead' if jid in dead else 'failed, waiting to retry'}")
    if status.pending > status.failures:
        lines.append(f"    {status.pending - status.failures} job(s) not run to success yet")
    waiting = [c for c in status.child_bids if not (c in view and view[c].success)]
    if waiting:
        lines.append(f"    child batches not succeeded: {', '.join(waiting)}")
    raise AssertionError("\n".join(lines))
