"""A run of refusals applied at once, with exactly the effects of refusing one job at a time.

Under load the gem's fetcher refuses the same kind of job again and again at one instant: a
queue of 100,000 jobs of a class with ``concurrency: {limit: 5}`` is popped, refused and
pushed back to its tail up to ``cooldown_threshold`` times per second. When the engine knows
that nothing else can happen before its next fetch (no timer or set entry due, strict fetch
order, one gate), it lets the gate apply the refusals the next fetches would make, from the
queue's head, in one step. The run covers only jobs whose answer cannot differ from the one
just given: the same :class:`~jobsim.throttled._spec.Strategy` (a ``uniform`` one: same
counters, constant limits, requeued to the tail of this queue), not holding a slot. It stops
one refusal short of the refusal that would cool the queue down or rest it, so that one (and
anything else) goes through the ordinary path. Every refused job still gets its ``throttled``
event, its count and its place at the tail, in order; the backlog estimate takes each step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import filterfalse, islice
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, Any

from jobsim.errors import JobsimError
from jobsim.throttled._spec import Strategy, key_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from jobsim.throttled._gate import ThrottleGate

__all__ = ["Refusal", "play_cooldowns", "refuse_alike"]

#: Jobs read from the queue's head at a time.
_CHUNK = 128
_JID = itemgetter("jid")
_CLASS = methodcaller("get", "class")
_WRAPPED = methodcaller("__contains__", "wrapped")
_STR = frozenset({str})


@dataclass(slots=True)
class Refusal:
    """The refusal a gate just made: what the next like jobs would get too."""

    queue: str
    strategy: Strategy
    limit: str
    requeue: Any
    to: str
    at: float


def refuse_alike(gate: ThrottleGate, queue_name: str, budget: int | None) -> int:
    """Refuse the jobs at the head of ``queue_name`` that the next fetches would refuse just
    as the last one (at most ``budget``); returns how many."""
    last, gate.last_refusal = gate.last_refusal, None
    now = gate.state.clock.now
    if last is None or last.queue != queue_name or last.at != now:
        return 0
    strategy = last.strategy
    if not strategy.uniform or last.requeue != "enqueue" or last.to != queue_name:
        return 0
    if queue_name in gate.rests or queue_name in gate.cooled:
        return 0  # the next fetch leaves this queue alone
    queue = gate.state.queues[queue_name]
    run = gate.runs.get(queue_name)
    if run is None:
        return 0
    most = len(queue) - run.count  # up to the refusal that rests the queue
    if gate.cooldown_period is not None:  # or the one that cools it down
        most = min(most, gate.cooldown_threshold - gate.streak.get(queue_name, 0))
    if budget is not None:
        most = min(most, budget)
    if most <= 0:
        return 0
    slots = None
    if strategy.concurrency:
        spec = strategy.concurrency[0]
        slots = gate.slots.get(key_of(spec.base_key, spec.key_suffix, ()))
    jobs, tallies = _alike(gate, queue.head(most), strategy, slots.running if slots else {}, now)
    if not jobs:
        return 0
    refused = len(jobs)
    queue.cycle(refused)
    detail = {"limit": last.limit, "requeue": last.requeue, "to": queue_name}
    gate.state.trace.record_each("throttled", now, jobs, detail)
    for name, count in tallies.items():
        counts = gate.count_for(name)
        counts.throttled += count
        counts.requeued += count
    if gate.cooldown_period is not None:
        gate.streak[queue_name] += refused - 1
    run.count += refused - 1
    # The last one as the ordinary path counts it: it may cool the queue down or rest it.
    gate.cool(queue_name, now)
    gate.note_run(queue_name, strategy, [], now)
    if slots is not None and gate.version == "2":
        # Refused by concurrency: +1 each; by threshold: the slot taken and given back, -1.
        slots.repeat_change(refused, 1 if last.limit == "concurrency" else -1, now)
    return refused


def play_cooldowns(gate: ThrottleGate, horizon: float, most: int | None) -> tuple[int, float]:
    """Wake-ups that only refuse again, played at once (at most ``most``, none after
    ``horizon``); returns how many and the time of the last.

    The engine offers this when nothing at all is due (no job running, no timer, nothing in
    the retry or scheduled set, strict fetch, one gate) and so would only wake for this gate.
    When one queue holds every queued job and is cooling down after refusals, each wake-up
    fetches its head job, refuses it and cools the queue again. Each is played here through
    the ordinary refusal, at the time of its wake-up, for as long as the head job would be
    refused then: the same jobs, times, events and counters as the engine's own turns.
    """
    now = gate.state.clock.now
    played, last = 0, now
    if gate.rests or (most is not None and most <= 0):
        return played, last
    busy = [name for name, queue in gate.state.queues.items() if queue]
    if len(busy) != 1:
        return played, last
    queue_name = busy[0]
    if any(until > now for name, until in gate.cooled.items() if name != queue_name):
        return played, last
    queue = gate.state.queues[queue_name]
    while most is None or played < most:
        at = gate.cooled.get(queue_name)
        if at is None or at <= last or at > horizon or queue_name in gate.rests:
            break
        job = next(queue.head(1))
        strategy = _enqueued_back(gate, job, queue_name)
        if strategy is None:
            break
        check = gate.uniform_check(strategy)
        jid = str(job["jid"])
        if not check.would_refuse(jid, at):
            break
        queue.pop()
        limit = check.throttled(jid, at)
        if limit is None:  # would_refuse() said otherwise: a bug, not a user's mistake
            msg = f"play_cooldowns: {jid} was let through at {at!r} after all"
            raise AssertionError(msg)
        gate.refuse(queue_name, job, strategy, job.get("args") or [], at, limit)
        played, last = played + 1, at
    gate.last_refusal = None
    return played, last


def _enqueued_back(gate: ThrottleGate, job: Mapping[str, Any], queue_name: str) -> Strategy | None:
    """The job's uniform strategy when a refusal puts it back on ``queue_name``, else None."""
    name = job.get("class")
    if not isinstance(name, str) or "wrapped" in job:
        return None  # an ActiveJob is found by its wrapped name: the ordinary path
    try:
        strategy = gate.strategy_for(name)
    except JobsimError:
        return None  # its own fetch raises, as the gem's would
    if strategy is None or not strategy.uniform or strategy.requeue_with != "enqueue":
        return None
    to = strategy.requeue_to
    target = str(to).removeprefix("queue:") if to else queue_name
    return strategy if target == queue_name else None


def _alike(
    gate: ThrottleGate,
    head: Iterator[Mapping[str, Any]],
    strategy: Strategy,
    running: Mapping[str, float],
    now: float,
) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """The leading jobs of ``head`` that share ``strategy`` and hold no slot, each marked as
    refused; with how many of them each class has.

    Read a chunk at a time: a chunk of one class with no slot held (the usual case) is taken
    whole; any other chunk job by job, up to the first job that differs.
    """
    jobs: list[Mapping[str, Any]] = []
    tallies: dict[str, int] = {}
    first_refused = gate.first_refused
    known: set[str] = set()  # class names already found to share the strategy
    while chunk := list(islice(head, _CHUNK)):
        name = chunk[0].get("class")
        jids = list(map(_JID, chunk))
        # Each test walks the chunk in C (map, count, set), none in a Python loop.
        if (
            isinstance(name, str)
            and (name in known or _same(gate, name, strategy))
            and set(map(type, jids)) == _STR
            and list(map(_CLASS, chunk)).count(name) == len(chunk)
            and not any(map(_WRAPPED, chunk))
            and running.keys().isdisjoint(jids)
        ):
            known.add(name)
            # setdefault for each jid, in order: only the ones never refused get ``now``.
            first_refused.update(dict.fromkeys(filterfalse(first_refused.__contains__, jids), now))
            jobs.extend(chunk)
            tallies[name] = tallies.get(name, 0) + len(chunk)
            continue
        for job in chunk:
            name = job.get("class")
            if "wrapped" in job or not isinstance(name, str):
                return jobs, tallies  # an ActiveJob is found by its wrapped name
            if not (name in known or _same(gate, name, strategy)):
                return jobs, tallies
            known.add(name)
            jid = str(job["jid"])
            if jid in running:  # the gem's check would let it keep its slot
                return jobs, tallies
            first_refused.setdefault(jid, now)
            jobs.append(job)
            tallies[name] = tallies.get(name, 0) + 1
    return jobs, tallies


def _same(gate: ThrottleGate, name: str, strategy: Strategy) -> bool:
    try:
        return gate.strategy_for(name) is strategy
    except JobsimError:
        return False  # its own fetch raises, after the refusals before it, as the gem's would
