"""The engine (layer 5): the loop that moves virtual time and runs what is due.

One turn: fire due timers (jobs finishing); move due retries, then due scheduled jobs, into
their queues (Sidekiq's poller visits ``retry`` before ``schedule``), either the instant they
are due or on Sidekiq's randomised poll ticks; while a worker slot is free, fetch one job in
queue order and start it. A job with a duration holds its slot until it finishes. When nothing
can start, the clock jumps to the next thing due. The engine is the only thing that moves the
clock, and it never moves it back.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from jobsim.clock import format_time
from jobsim.durations import Draw, drawer
from jobsim.errors import SimulatedCrash, StepLimitExceeded
from jobsim.fetch_gates import (
    FetchGate,
    admitted_by_all,
    earliest_wake,
    fetch_around,
    resting_queues,
)
from jobsim.queues import JobQueue, StrictFetch

if TYPE_CHECKING:
    from jobsim.client import Client
    from jobsim.processor import Outcome, Processor
    from jobsim.state import SimState

__all__ = ["Engine", "FetchGate", "PollMode"]

#: ``"exact"``: due jobs move the instant they are due; ``"sidekiq"``: on the poller's ticks.
PollMode = Literal["exact", "sidekiq"]

_UNSEEN: Any = object()

#: The outcome held for a job that crashed the process while starting (never finished).
_NO_OUTCOME: Outcome = (None, None, None, None)

#: A sorted set's ``earliest`` when it is empty.
_NEVER = math.inf

#: Turns at one instant that start no job before the engine calls the run stuck. A turn
#: fires every timer due and moves every due job at once, so a healthy run needs a few.
_STUCK_TURNS = 10_000

#: Sidekiq's ``average_scheduled_poll_interval`` default, per process.
_DEFAULT_POLL_AVERAGE = 5.0


class Engine:
    """Runs a :class:`~jobsim.state.SimState` forward in virtual time."""

    __slots__ = (
        "_adjusters",
        "_client",
        "_draws",
        "_duration_rng",
        "_gates",
        "_in_flight",
        "_next_poll",
        "_order",
        "_poll_rng",
        "_processor",
        "_served",
        "_state",
        "_strict",
        "_timers",
        "_work_timers",
        "poll",
        "poll_average",
        "process_count",
        "reliable",
        "stopped",
    )

    def __init__(
        self,
        state: SimState,
        client: Client,
        processor: Processor,
        *,
        poll: PollMode = "exact",
        poll_average: float | None = None,
        process_count: int = 1,
        reliable: bool = False,
    ) -> None:
        self._state = state
        self._client = client
        self._processor = processor
        # (at, seq, action, background): background timers (a recurring poller) never keep
        # a drain from going idle; _work_timers counts the others still pending. A timer
        # without an action is an execution ending: seq is its key in _in_flight.
        self._timers: list[tuple[float, int, Callable[[], None] | None, bool]] = []
        self._work_timers = 0
        self._order = itertools.count(1)
        #: How to draw an execution's seconds, per class name, worked out once (None: zero).
        self._draws: dict[str, Draw | None] = {}
        self._duration_rng = state.duration_rng
        #: The state's own list (plugins append to it after the engine exists), held here so
        #: start() reads it without two attribute lookups per job.
        self._adjusters = state.duration_adjusters
        #: The configured queues, by name, for weighted and random fetch.
        self._served: dict[str, JobQueue] | None = None
        #: Strict fetch order: every queue by first use, or the configured ones.
        self._strict = StrictFetch([])
        #: Executions holding a worker slot, by execution number (so in start order, and two
        #: deliveries of one jid are two entries): (queue, job hash, outcome, seconds).
        self._in_flight: dict[int, tuple[str, Mapping[str, Any], Outcome, float]] = {}
        self.poll = poll
        self.poll_average = poll_average
        self.process_count = process_count
        #: After a shutdown or crash nothing is fetched or polled until restart.
        self.stopped = False
        #: Reliable fetch (super_fetch): a crash sends running jobs back to their queues.
        self.reliable = reliable
        #: Admission gates (rate limiters); empty unless a plugin adds one.
        self._gates: list[FetchGate] = state.gates
        self._poll_rng = state.rng.stream("poll")
        self._next_poll = state.clock.now + self._initial_wait() if poll == "sidekiq" else 0.0

    # -- timers and due jobs -----------------------------------------------------------------

    def call_at(self, at: float, action: Callable[[], None], *, background: bool = False) -> None:
        """Run ``action`` when the clock reaches ``at`` (ties run in the order they were set).

        A ``background`` timer (a poller that reschedules itself forever) runs when time
        passes it but does not count as pending work: ``drain()`` can still go idle.
        """
        heapq.heappush(self._timers, (at, next(self._order), action, background))
        if not background:
            self._work_timers += 1

    def _initial_wait(self) -> float:
        # Poller#initial_wait: 5 * rand, plus 10 when no average was configured.
        extra = 10.0 if self.poll_average is None else 0.0
        return extra + 5.0 * self._poll_rng.random()

    def _poll_interval(self) -> float:
        # Poller#random_poll_interval for the profile.
        interval = self.poll_average
        if interval is None:
            interval = self.process_count * _DEFAULT_POLL_AVERAGE
        draw = self._poll_rng.random()
        if self.process_count < 10:
            return interval * draw + interval / 2
        return interval * draw * self._state.profile.many_process_poll_factor

    def _sets_pending(self) -> bool:
        return bool(len(self._state.retries) or len(self._state.scheduled))

    def next_due(self, until: float | None = None) -> float | None:
        """The earliest time something is due: a timer, or (per poll mode) a set entry."""
        state = self._state
        pending = bool(not self.stopped and (len(state.retries) or len(state.scheduled)))
        due = None
        if self._timers and (self._work_timers or pending or until is not None):
            due = self._timers[0][0]  # background timers only count when time must pass
        if not pending:
            return due
        if self.poll == "sidekiq":
            self._skip_idle_polls(due, until)
            poll = max(self._next_poll, state.clock.now)
            return poll if due is None or poll < due else due
        for entry in (state.retries.peek_lowest(), state.scheduled.peek_lowest()):
            if entry is not None and (due is None or entry.score < due):
                due = entry.score
        return due

    def _skip_idle_polls(self, due: float | None, until: float | None) -> None:
        """Draw past poller ticks that would find nothing due, without visiting each one.

        A tick before the lowest retry or schedule score moves nothing, so it only draws the
        next interval. Drawing here, in order, leaves the poll stream exactly where visiting
        every tick would, so runs stay the same; ticks at or past a timer or ``until`` are
        left for the loop, because what happens there may change the sets.
        """
        state = self._state
        now = state.clock.now
        tick = self._next_poll
        if tick <= now:
            return
        lowest = [
            entry.score
            for entry in (state.retries.peek_lowest(), state.scheduled.peek_lowest())
            if entry is not None
        ]
        if not lowest:
            return
        bound = min(lowest)
        if due is not None:
            bound = min(bound, due)
        if until is not None:
            bound = min(bound, until)
        while tick < bound:
            tick += self._poll_interval()
        self._next_poll = tick

    def fire_timers(self) -> int:
        """Run every timer due now; returns how many ran.

        A timer set while these run (even for this instant) waits for the next turn, so an
        action that re-arms itself for "now" cannot hold this call forever.
        """
        timers = self._timers
        now = self._state.clock.now
        mark = next(self._order)  # every timer set before this call has a smaller number
        fired = 0
        while timers and timers[0][0] <= now and timers[0][1] < mark:
            _, seq, action, background = heapq.heappop(timers)
            if not background:
                self._work_timers -= 1
            if action is not None:
                action()
            else:  # an execution ends, unless it was lost or pushed back meanwhile
                held = self._in_flight.pop(seq, None)
                if held is not None:
                    self._processor.finish(*held)
            fired += 1
        return fired

    def enqueue_due(self) -> int:
        """Move due retries, then due scheduled jobs, into their queues; returns how many."""
        state = self._state
        now = state.clock.now
        if self.poll == "sidekiq":
            if now < self._next_poll:
                return 0
            self._next_poll = now + self._poll_interval()
        moved = 0
        for sorted_set, source in ((state.retries, "retry"), (state.scheduled, "schedule")):
            while (entry := sorted_set.pop_due(now)) is not None:
                self._client.requeue(entry.job, source)
                moved += 1
        return moved

    # -- fetching ------------------------------------------------------------------------------

    def fetch(
        self, queue: str | None = None, *, gated: bool = True
    ) -> tuple[str, Mapping[str, Any]] | None:
        """Take the next job in fetch order (or from ``queue``), or None; ``gated=False``
        ignores the queues a gate rests (perform_one bypasses the fetcher, as in testing)."""
        state = self._state
        queues = state.queues
        if queue is not None:
            found = queues.get(queue)
            job = found.pop() if found is not None else None
            return None if job is None else (queue, job)
        config = state.queue_config
        if self._gates and gated:
            resting = resting_queues(self._gates, state.clock.now)
            if resting:
                return fetch_around(state, resting)
        if config is None or config.mode == "strict":
            order = self._strict
            names = queues if config is None else config.names
            if order.size != len(names):  # queues are only ever added, never replaced
                order = self._strict = StrictFetch([queues[name] for name in names])
            return order.take()
        served = self._served
        if served is None:  # the configured queues exist from the start and never change
            served = self._served = {name: queues[name] for name in config.names}
        for waiting in served.values():
            if waiting:
                break
        else:
            # Nothing to take: no fetch order is drawn. How often the loop looks at empty
            # queues is the engine's business, so it must not move the fetch stream.
            return None
        chosen = config.pick(state.fetch_rng, lambda name: bool(served[name]))
        if chosen is None:
            return None
        job = queues[chosen].pop()
        return None if job is None else (chosen, job)

    def _one_gate_strict(self) -> bool:
        # The gate's bulk shortcuts reason about one gate and one fixed fetch order only.
        config = self._state.queue_config
        return len(self._gates) == 1 and (config is None or config.mode == "strict")

    def _refuse_alike(self, queue: str, now: float, budget: int | None) -> int:
        """After a refusal: when the loop's next turns at ``now`` could only fetch from
        ``queue`` again (no timer or set entry due, strict order, one gate), let the gate
        refuse the like jobs at its head in one step; returns how many it refused."""
        timers, state = self._timers, self._state
        if not self._one_gate_strict() or (timers and timers[0][0] <= now):
            return 0
        if self.poll == "exact":
            if state.retries.earliest <= now or state.scheduled.earliest <= now:
                return 0
        elif now >= self._next_poll and self._sets_pending():
            return 0
        refuse = getattr(self._gates[0], "refuse_alike", None)  # optional for a gate
        return 0 if refuse is None else int(refuse(queue, budget))

    def _play_cooldowns(
        self, until: float | None, quiet: int, max_steps: int | None
    ) -> tuple[int, float]:
        """Nothing is due but a gate's wake-ups: with one gate and strict fetch, let it play
        the wake-ups that would only refuse again (two turns each, within max_steps)."""
        state = self._state
        if not self._one_gate_strict() or self._in_flight:
            return 0, state.clock.now
        play = getattr(self._gates[0], "play_cooldowns", None)  # optional for a gate
        if play is None:
            return 0, state.clock.now
        most = None if max_steps is None else (max_steps - quiet) // 2
        played, last = play(math.inf if until is None else until, most)
        return int(played), float(last)

    # -- running -------------------------------------------------------------------------------

    @property
    def busy(self) -> int:
        """Worker slots in use."""
        return len(self._in_flight)

    def in_flight(self) -> list[tuple[str, Mapping[str, Any]]]:
        """``(queue, job)`` of every job holding a slot, oldest start first."""
        return [(queue, job) for queue, job, _, _ in self._in_flight.values()]

    def start(self, queue: str, job: Mapping[str, Any]) -> None:
        """Start ``job`` in a free slot; it finishes now or after its duration."""
        processor = self._processor
        try:
            outcome = processor.start(queue, job)
        except SimulatedCrash as crash:
            self.crash_during(queue, job, crash)
            return
        name = job.get("class")
        draw = self._draws.get(name, _UNSEEN)  # type: ignore[arg-type]
        if draw is _UNSEEN:
            draw = self._drawer(name, outcome[0])
        seconds = 0.0 if draw is None else draw(self._duration_rng)
        for adjust in self._adjusters:  # e.g. a limiter's wait in perform
            seconds = adjust(job, seconds)
        if seconds <= 0:
            processor.finish(queue, job, outcome, 0.0)
            return
        seq = next(self._order)
        self._in_flight[seq] = (queue, job, outcome, seconds)
        heapq.heappush(self._timers, (self._state.clock.now + seconds, seq, None, False))
        self._work_timers += 1

    def shutdown(self, timeout: float) -> list[str]:
        """Sidekiq's TERM: stop fetching and polling, let running jobs finish until
        ``timeout`` seconds have passed, then push the rest back to the front of their
        queues. Returns the jids pushed back."""
        self.stopped = True
        clock = self._state.clock
        deadline = clock.now + timeout
        stuck = 0
        while self._in_flight and self._timers and self._timers[0][0] <= deadline:
            before = clock.now
            clock.advance_to(max(self._timers[0][0], before))
            self.fire_timers()
            stuck = stuck + 1 if clock.now == before else 0
            if stuck > _STUCK_TURNS:  # a timer re-arming itself for "now", forever
                raise StepLimitExceeded(self._stuck_message("shutdown()"))
        if not self._in_flight:
            return []
        clock.advance_to(max(deadline, clock.now))
        return self._release(
            lambda queue, job: self._processor.push_back(
                queue, job, f"shutdown after {timeout:g} s: pushed back to the front of {queue!r}"
            )
        )

    def perform_now(self, queue: str, job: Mapping[str, Any]) -> None:
        """Start and finish ``job`` at this instant, whatever its duration (perform_one)."""
        try:
            self._processor.perform(queue, job)
        except SimulatedCrash as crash:
            self.crash_during(queue, job, crash)

    def crash_during(self, queue: str, job: Mapping[str, Any], crash: SimulatedCrash) -> None:
        """A job killed the process: it and every other running job crash together."""
        self._in_flight[next(self._order)] = (queue, job, _NO_OUTCOME, 0.0)
        self.crash(reliable=self.reliable, why=f"during {job.get('class')}: {crash}")

    def crash(self, *, reliable: bool, why: str = "") -> list[str]:
        """The process dies at once: running jobs are lost (basic fetch) or go back to their
        queues (reliable fetch). Returns the jids affected."""
        self.stopped = True
        what = f"crash {why}".rstrip()
        if reliable:
            return self._release(
                lambda queue, job: self._processor.push_back(
                    queue, job, f"{what}: recovered by reliable fetch", crashed=True
                )
            )
        return self._release(
            lambda queue, job: self._processor.lose(
                queue, job, f"{what}: in-flight job lost (basic fetch acknowledges at fetch time)"
            )
        )

    def _release(self, action: Callable[[str, Mapping[str, Any]], None]) -> list[str]:
        # Sidekiq RPUSHes in-flight jobs one after another, so the last one ends up in front.
        released = list(self._in_flight.values())
        self._in_flight.clear()
        for queue, job, _, _ in released:
            action(queue, job)
        return [str(job["jid"]) for _, job, _, _ in released]

    def _drawer(self, name: Any, job_class: Any) -> Draw | None:
        """Work out (once per class name) how long its executions take."""
        spec = self._state.durations.get(str(name))
        if spec is None and job_class is not None:
            spec = getattr(job_class, "duration", None) or None
        draw = drawer(spec, where=f"duration of {name}")
        self._draws[str(name)] = draw
        return draw

    def run(self, *, until: float | None, max_steps: int | None, verb: str) -> int:
        """Start jobs and move time until idle, or until ``until``; returns jobs started."""
        state = self._state
        clock = state.clock
        timers, in_flight = self._timers, self._in_flight
        retries, scheduled = state.retries, state.scheduled
        concurrency = state.concurrency
        gates = self._gates
        exact = self.poll == "exact"
        queues = state.queues
        every_queue = state.queue_config is None  # strict order over queues by first use
        steps = 0
        # The guard counts turns of this loop, not only jobs: a turn that starts no job (it
        # fires timers, moves due jobs, or moves the clock) counts against max_steps too, and
        # turns at one instant that start nothing can only be a loop that cannot progress.
        quiet = 0
        stuck = 0
        while True:
            now = clock.now
            if timers and timers[0][0] <= now:
                self.fire_timers()
            if not self.stopped:
                if exact:
                    if retries.earliest <= now or scheduled.earliest <= now:
                        self.enqueue_due()
                elif now >= self._next_poll and self._sets_pending():
                    self.enqueue_due()
                if len(in_flight) < concurrency:
                    order = self._strict
                    if every_queue and not gates and order.size == len(queues):
                        fetched = order.take()  # what fetch() would do, without its frame
                    else:
                        fetched = self.fetch()
                    if fetched is not None:
                        queue, job = fetched
                        if max_steps is not None and steps >= max_steps:
                            state.queue(queue).push_front(job)
                            raise StepLimitExceeded(self._runaway_message(verb, max_steps))
                        if gates and not admitted_by_all(gates, queue, job):
                            # Requeued by the gate, which rests what it refuses; a refusal is
                            # a turn that started no job, bounded by max_steps as those are.
                            quiet += 1
                            if max_steps is not None and quiet > max_steps:
                                message = self._runaway_message(verb, max_steps, turns=True)
                                raise StepLimitExceeded(message)
                            if max_steps is None:
                                quiet += self._refuse_alike(queue, now, None)
                            elif steps < max_steps:
                                quiet += self._refuse_alike(queue, now, max_steps - quiet)
                            continue
                        self.start(queue, job)
                        steps += 1
                        stuck = 0
                        continue
            due: float | None
            if self._work_timers and retries.earliest == scheduled.earliest == _NEVER:
                due = timers[0][0]  # next_due() when only timers are pending, without a call
            else:
                due = self.next_due(until)
            if gates:
                if due is None and not timers and not self.stopped:
                    played, last = self._play_cooldowns(until, quiet, max_steps)
                    if played:  # each was a turn moving the clock and a refusal
                        quiet += 2 * played
                        clock.advance_to(last)
                        stuck = 0
                        continue
                due = earliest_wake(gates, state.clock.now, due)
            if due is None or (until is not None and due > until):
                break
            quiet += 1
            if max_steps is not None and quiet > max_steps:
                raise StepLimitExceeded(self._runaway_message(verb, max_steps, turns=True))
            if due > now:
                clock.advance_to(due)
                stuck = 0
            else:
                stuck += 1
                if stuck > _STUCK_TURNS:
                    raise StepLimitExceeded(self._stuck_message(verb))
        if until is not None and until > clock.now:
            clock.advance_to(until)
        return steps

    def _stuck_message(self, verb: str) -> str:
        return (
            f"{verb} made no progress for {_STUCK_TURNS:,} turns at "
            f"{format_time(self._state.clock.now)}: something is due at this instant again "
            f"and again without a job starting (a timer or client middleware re-adding work "
            f"for 'now'); stop re-adding it, or move it later"
        )

    def _runaway_message(self, verb: str, max_steps: int, *, turns: bool = False) -> str:
        state = self._state
        queued = {name: q.size for name, q in state.queues.items() if q.size}
        listed = ", ".join(f"{name}: {size}" for name, size in queued.items())
        parts = [f"{sum(queued.values())} queued ({listed})"]
        for label, jobs in (("scheduled", state.scheduled), ("retries", state.retries)):
            head = jobs.peek_lowest()
            when = f", next at {format_time(head.score)}" if head is not None else ""
            parts.append(f"{len(jobs)} {label}{when}")
        what = "turns that started no job" if turns else "jobs"
        return (
            f"{verb} stopped after max_steps={max_steps:,} {what} at "
            f"{format_time(state.clock.now)} "
            f"with {'; '.join(parts)}; a job that enqueues itself or a recurring job never goes "
            f"idle: pass a larger max_steps, max_steps=None, or use run_until()/advance()"
        )
