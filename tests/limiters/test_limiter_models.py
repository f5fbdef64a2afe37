"""Model tests: for random traffic, no limiter ever lets more through than its limit, every job
is performed or accounted for, waits stay within ``wait_timeout``, and a seed fixes the trace.

Times are whole seconds so the virtual clock's arithmetic is exact; the leaky and points rates
(``limit / interval``) need not be, hence the small tolerance there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.limiters import Limiter, Limiters, limiters
from tests.conftest import START

EPSILON = 1e-6


@dataclass(frozen=True)
class Traffic:
    kind: str
    limit: int
    interval: int
    wait_timeout: int
    concurrency: int
    arrivals: tuple[tuple[int, int], ...]  # (offset, used)
    longest: int
    seed: int


@st.composite
def traffic(draw: st.DrawFn, kind: str) -> Traffic:
    limit = draw(st.integers(1, 4))
    weighted = kind in ("bucket", "window", "points")
    arrivals = draw(
        st.lists(
            st.tuples(st.integers(0, 90), st.integers(1, limit) if weighted else st.just(1)),
            min_size=1,
            max_size=14,
        )
    )
    return Traffic(
        kind=kind,
        limit=limit,
        interval=draw(st.sampled_from([1, 7, 10, 60])),
        wait_timeout=draw(st.integers(0, 15)),
        concurrency=draw(st.integers(1, 8)),
        arrivals=tuple(arrivals),
        longest=draw(st.integers(0, 20)),
        seed=draw(st.integers(0, 2**16)),
    )


def make(sim: jobsim.Simulator, plan: Traffic) -> Limiter:
    factory = limiters(sim)
    wait = plan.wait_timeout
    if plan.kind == "concurrent":
        # lock_timeout longer than any hold, so the limit is never lifted by a lost lock
        return factory.concurrent("model", plan.limit, wait_timeout=wait, lock_timeout=10**6)
    maker = getattr(factory, plan.kind)
    return maker("model", plan.limit, plan.interval, wait_timeout=wait)  # type: ignore[no-any-return]


def simulate(plan: Traffic) -> tuple[jobsim.Simulator, list[str]]:
    # Short, fixed backoffs and a small cap keep a run short; retries end in the dead set.
    plugin = Limiters(reschedule=3, backoff=lambda limiter, job, error: 30)
    sim = jobsim.Simulator(
        start=START, seed=plan.seed, concurrency=plan.concurrency, plugins=[plugin]
    )
    limiter = make(sim, plan)

    longest = plan.longest

    class Modelled(jobsim.Job, retry=2):
        # whole seconds from the simulator's seeded duration stream
        duration = staticmethod(lambda rng: float(rng.randrange(longest + 1)))

        def perform(self, used: int) -> None:
            with limiter.within_limit(used=used):
                pass

    jids: list[str] = []
    with sim:
        for offset, used in plan.arrivals:
            jids.append(str(Modelled.perform_in(offset, used)))
    sim.drain()
    return sim, jids


@dataclass(frozen=True)
class Entry:
    jid: str
    at: float
    until: float
    used: int
    #: Keys that order the hold's start and end among events at one instant: (time, seq);
    #: a hold that waited starts after everything recorded at its instant, or, if it ends at
    #: that instant too, just before its end.
    start_key: tuple[float, float]
    end_key: tuple[float, float]


def entries(sim: jobsim.Simulator) -> list[Entry]:
    """Every execution that got into its block: when, until its execution ended, and how much."""
    found: list[Entry] = []
    # per jid, its open executions: [start ts, start seq, waited, gave up, used]
    open_: dict[str, list[list[Any]]] = {}
    for event in sim.trace:
        if event.kind == "started":
            row = [event.ts, event.seq, 0.0, False, event.job["args"][0]]
            open_.setdefault(event.jid, []).append(row)
        elif event.kind == "limiter" and event.detail["event"] == "waited":
            open_[event.jid][-1][2] = event.detail["seconds"]
            open_[event.jid][-1][3] = event.detail["gave_up"]
        elif event.kind == "limiter" and event.detail["event"] == "over_limit":
            open_[event.jid][-1][3] = True
        elif event.kind in ("succeeded", "failed"):
            ts, seq, waited, gave_up, used = open_[event.jid].pop(0)
            if not gave_up:
                if not waited:
                    start_key = (ts, float(seq))
                elif event.ts > ts + waited:  # got in after everything at its instant
                    start_key = (ts + waited, math.inf)
                else:  # got in and out at one instant: just before its own end
                    start_key = (event.ts, event.seq - 0.5)
                end_key = (event.ts, event.seq)
                found.append(Entry(event.jid, ts + waited, event.ts, used, start_key, end_key))
    return sorted(found, key=lambda entry: entry.start_key)


def check_accounted_for(sim: jobsim.Simulator, jids: list[str], plan: Traffic) -> None:
    performed = {entry.jid for entry in entries(sim)}
    places = {jid: sim.locate(jid) for jid in jids}
    for jid in jids:
        assert (jid in performed) != (places[jid] == "dead"), (jid, places[jid])
        assert places[jid] in ("done", "dead")
    for event in sim.trace.of_kind("limiter"):
        if event.detail["event"] == "waited":
            assert 0 < event.detail["seconds"] <= plan.wait_timeout


def trace_of(sim: jobsim.Simulator) -> list[tuple[Any, ...]]:
    return [(e.kind, e.ts, e.jid, sorted(e.detail.items())) for e in sim.trace]


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(traffic("concurrent"))
def test_concurrent_never_holds_more_than_its_size(plan: Traffic) -> None:
    sim, jids = simulate(plan)
    found = entries(sim)
    for entry in found:  # when each hold begins, the holds already running, plus itself
        others = [e for e in found if e.start_key < entry.start_key < e.end_key]
        assert len(others) + 1 <= plan.limit
    check_accounted_for(sim, jids, plan)


@SETTINGS
@given(traffic("bucket"))
def test_bucket_never_spends_more_than_its_count_per_interval(plan: Traffic) -> None:
    sim, jids = simulate(plan)
    spent: dict[int, int] = {}
    for entry in entries(sim):
        bucket = int(entry.at // plan.interval)
        spent[bucket] = spent.get(bucket, 0) + entry.used
    assert all(total <= plan.limit for total in spent.values())
    check_accounted_for(sim, jids, plan)


@SETTINGS
@given(traffic("window"))
def test_window_never_spends_more_than_its_count_in_any_rolling_interval(plan: Traffic) -> None:
    sim, jids = simulate(plan)
    found = entries(sim)
    for last in found:
        inside = [e.used for e in found if last.at - plan.interval < e.at <= last.at]
        assert sum(inside) <= plan.limit
    check_accounted_for(sim, jids, plan)


def check_leak_rate(found: list[Entry], plan: Traffic) -> None:
    rate = plan.limit / plan.interval
    for i, first in enumerate(found):
        total = 0
        for later in found[i:]:
            total += later.used
            assert total <= plan.limit + rate * (later.at - first.at) + EPSILON


@SETTINGS
@given(traffic("leaky"))
def test_leaky_never_passes_more_than_a_burst_plus_its_drip(plan: Traffic) -> None:
    sim, jids = simulate(plan)
    check_leak_rate(entries(sim), plan)
    check_accounted_for(sim, jids, plan)


@SETTINGS
@given(traffic("points"))
def test_points_never_spends_more_than_its_budget_plus_its_refill(plan: Traffic) -> None:
    sim, jids = simulate(plan)
    check_leak_rate(entries(sim), plan)
    check_accounted_for(sim, jids, plan)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["concurrent", "bucket", "window", "leaky", "points"]).flatmap(traffic))
def test_the_same_seed_gives_the_same_trace(plan: Traffic) -> None:
    first, _ = simulate(plan)
    second, _ = simulate(plan)
    assert trace_of(first) == trace_of(second)
