"""Hypothesis strategies for fault schedules (layer 7; imports Hypothesis)."""

from __future__ import annotations

from typing import Any, Literal

from hypothesis import strategies as st

from jobsim.fuzz._schedule import Faults, Schedule

__all__ = ["schedules"]

Fetch = Literal["basic", "reliable"]
FETCHES: tuple[Fetch, ...] = ("basic", "reliable")

#: Effect points numbered beyond this are never faulted (a job with more points still runs).
MAX_POINT = 24


#: The most new-jid pushes of the same job a schedule makes (with a unique-jobs plugin).
MAX_RESUBMITS = 2


@st.composite
def _schedules(draw: Any, faults: Faults, locks: bool) -> Schedule:
    seed = draw(st.integers(0, 2**32 - 1))
    crashes = faults.crashes or faults.shutdown
    fetch: Fetch = draw(st.sampled_from(FETCHES)) if crashes else "basic"
    deliveries = draw(st.integers(1, faults.max_deliveries)) if faults.duplicates else 1
    concurrent = 1
    if faults.concurrency and deliveries > 1:
        concurrent = draw(st.integers(1, deliveries))
    actions = faults.actions()
    planned: list[Any] = []
    if actions and faults.max_faults:
        planned = draw(
            st.lists(
                st.tuples(st.integers(0, MAX_POINT), st.sampled_from(actions)),
                max_size=faults.max_faults,
                unique_by=lambda item: item[0],
            )
        )
    order: list[int] = []
    if concurrent > 1:
        order = draw(st.lists(st.integers(0, concurrent - 1), max_size=4 * MAX_POINT))
    # Drawn last, and only with locks, so schedules without them draw exactly as before.
    resubmits, lock_expires = 0, False
    if locks and faults.resubmits:
        resubmits = draw(st.integers(0, MAX_RESUBMITS))
        if resubmits and faults.lock_expiry:
            lock_expires = draw(st.booleans())
    return Schedule(
        resubmits=resubmits,
        lock_expires=lock_expires,
        seed=seed,
        fetch=fetch,
        deliveries=deliveries,
        concurrent=concurrent,
        faults=tuple(sorted(planned)),
        order=tuple(order),
    )


def schedules(faults: Faults | None = None, *, locks: bool = False) -> st.SearchStrategy[Schedule]:
    """Fault schedules allowed by ``faults`` (all faults by default); they shrink towards one
    clean delivery. ``locks``: the run has a unique-jobs plugin, so the lock faults
    (``resubmits``, ``lock_expiry``) are drawn too."""
    return _schedules(faults if faults is not None else Faults(), locks)
