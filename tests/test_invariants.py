"""A job is always in exactly one place: a Hypothesis state machine drives a simulator.

Rules enqueue jobs of classes that succeed, always fail or fail their first k attempts (with
varied ``retry``, ``dead``, ``retry_queue`` and ``queue``), schedule them, push raw hashes
(also of an unknown class), run the engine (``advance``, ``perform_one``, ``drain``) and move
jobs through the data API (retry, kill, delete, add_to_queue, retry_all, kill_all, clear).

After every step each jid ever returned must be in exactly one place -- a queue, the schedule,
the retry set, the dead set, done or discarded (never "running" between steps) -- both as
``sim.locate`` says and as an independent recount of the containers and the trace shows; the
counters must add up and the clock must never go back.

``SimulatorMachine`` is that machine on one worker whose jobs finish the instant they start.
``WorkerMachine`` adds what real processes do -- concurrency, jobs that take virtual time,
weighted fetch, Sidekiq's poll ticks, shutdown, crash and restart -- where "running" (between
steps too) and "lost" (a crash under basic fetch) become places of their own.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import jobsim

PROFILES = ("sidekiq-6.4", "sidekiq-7", "sidekiq-8")
QUEUES = ("default", "critical", "low")
#: The last event of a job in no container, and where ``locate`` then says it is.
TERMINAL = {"succeeded": "done", "discarded": "discarded", "lost": "lost"}
#: The events that put a job into each kind of container.
ENTERED_BY = {
    "queue": {"enqueued", "interrupted"},
    "schedule": {"scheduled"},
    "retry": {"retry_scheduled"},
    "dead": {"died"},
    "running": {"started"},
}


# -- job classes -----------------------------------------------------------------------------


def attempt(job: dict[str, Any]) -> int:
    """0 on the first execution, then ``retry_count + 1`` (a manual retry lowers it)."""
    return int(job.get("retry_count", -1)) + 1


class Ok(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class Boom(jobsim.Job, queue="critical", retry=2):
    def perform(self, *args: Any) -> None:
        raise ValueError(f"boom {args}")


class NoRetry(jobsim.Job, retry=False):
    def perform(self, *args: Any) -> None:
        raise RuntimeError("no retry")


class ZeroRetry(jobsim.Job, queue="low", retry=0):
    def perform(self, *args: Any) -> None:
        raise KeyError("zero")


class NoDead(jobsim.Job, retry=1, dead=False):
    def perform(self, *args: Any) -> None:
        raise OSError("no dead")


class Flaky(jobsim.Job, retry=3, retry_queue="low"):
    """Fails its first ``args[0]`` attempts."""

    def perform(self, *args: Any) -> None:
        if attempt(self.job) < (args[0] if args else 1):
            raise ConnectionError(f"flaky attempt {attempt(self.job)}")


class Forever(jobsim.Job, queue="low"):
    """Always fails, with the default 25 retries."""

    def perform(self, *args: Any) -> None:
        raise TimeoutError("forever")


class Hooked(jobsim.Job, retry=2, backtrace=2):
    """``retry_in`` returns ``args[0]``'s choice; ``retries_exhausted`` returns ``args[1]``."""

    CHOICES = (None, 5, "kill", "discard")

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        return self.CHOICES[job["args"][0] % 4] if job["args"] else None

    def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> Any:
        if len(job["args"]) > 1 and job["args"][1] % 3 == 1:
            raise LookupError("exhausted hook failed")
        return "discard" if len(job["args"]) > 1 and job["args"][1] % 3 == 2 else None

    def perform(self, *args: Any) -> None:
        raise ArithmeticError("hooked")


class Slow(jobsim.Job, queue="critical", retry=1, retry_queue="low"):
    """Takes 30 virtual seconds; fails when its first argument is odd."""

    duration = 30

    def perform(self, *args: Any) -> None:
        if args and args[0] % 2:
            raise ValueError("slow and odd")


CLASSES = (Ok, Boom, NoRetry, ZeroRetry, NoDead, Flaky, Forever, Hooked, Slow)

set_options = st.fixed_dictionaries(
    {},
    optional={
        "retry": st.sampled_from([True, False, 0, 1, 3]),
        "dead": st.booleans(),
        "retry_queue": st.sampled_from(QUEUES),
        "queue": st.sampled_from(QUEUES),
    },
)
job_args = st.lists(st.integers(0, 5), max_size=3)
delays = st.one_of(st.integers(-30, 600), st.sampled_from([0.5, 1e-3, 86_400]))


def _death_handler(job: dict[str, Any], exc: BaseException) -> None:
    if job.get("class") == "Hooked" and job.get("args") and job["args"][0] == 3:
        raise RuntimeError("death handler failed")


def _error_handler(exc: BaseException, context: dict[str, Any]) -> None:
    if isinstance(exc, KeyError):
        raise RuntimeError("error handler failed")


class DropFivesOnLow:
    """Client middleware: stops a push to queue "low" whose first argument is 5."""

    def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        if dropped_by_client(queue, job.get("args", [])):
            return None
        return call_next()


class SkipFours:
    """Server middleware: skips ``perform`` of a job whose first argument is 4 (a success)."""

    def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
        if payload.get("args", [])[:1] == [4]:
            return None
        return call_next()


def dropped_by_client(queue: str, args: list[Any]) -> bool:
    return queue == "low" and list(args[:1]) == [5]


# -- the machine -----------------------------------------------------------------------------


class JobPlaces(RuleBasedStateMachine):
    """Rules and invariants shared by both machines; each machine builds ``self.sim``."""

    sim: jobsim.Simulator
    #: Whether jobs may hold a worker slot between steps (some take virtual time).
    timed = False
    #: Whether fetch order is exactly predictable (strict queues, due jobs move at once).
    predictable = True

    def setup(
        self,
        sim: jobsim.Simulator,
        *,
        dead_max_jobs: int | None,
        handlers: bool,
        middleware: bool = False,
    ) -> None:
        self.sim = sim
        sim.register(*CLASSES)
        if handlers:
            sim.death_handlers.append(_death_handler)
            sim.error_handlers.append(_error_handler)
        self.middleware = middleware
        if middleware:
            sim.client_middleware.add(DropFivesOnLow)
            sim.server_middleware.add(SkipFours)
        self.dead_max_jobs = dead_max_jobs or 10_000
        self.slots = sim.concurrency
        self.jids: list[str] = []
        self.last_time = sim.time
        self.processed = 0

    # -- helpers -------------------------------------------------------------------------------

    def remember(self, jid: str | None, *, queue: str, args: list[Any]) -> str:
        """Note a jid handed out; None means client middleware stopped the push."""
        if jid is None:
            assert self.middleware, f"an enqueue to {queue!r} with args {args} returned None"
            assert dropped_by_client(queue, args), f"a push to {queue!r} of {args} was stopped"
            last = self.sim.trace[-1]  # the push that was stopped, recorded with its jid
            assert last.kind == "discarded"
            assert "stopped the push" in last.detail["reason"]
            jid = last.jid
        else:
            assert isinstance(jid, str), f"an enqueue returned {jid!r}"
            assert not (self.middleware and dropped_by_client(queue, args)), "push not stopped"
        assert jid not in self.jids, f"jid {jid} was handed out twice"
        self.jids.append(jid)
        return jid

    def ran(self, performed: int) -> None:
        """After a run verb: count what ran; nothing due may be left behind."""
        self.processed += performed
        assert self.sim.stats.processed == self.processed
        if self.sim.stopped or not self.predictable:
            return  # a stopped process does not poll; Sidekiq's poller moves jobs on its ticks
        now = self.sim.time
        for view in (self.sim.scheduled, self.sim.retries):
            overdue = [entry for entry in view if entry.score <= now]
            assert not overdue, f"{view.name} holds jobs already due after a run: {overdue}"

    def check_killed(self, jid: str, *, scores_before: list[float]) -> None:
        """A killed job is in the dead set, unless the dead set's trim took it at once: when it
        keeps nothing (dead_max_jobs=1), or when it is full of entries scored later than now
        (rescheduled into the future), since Sidekiq trims the lowest scores."""
        place = self.sim.locate(jid)
        keeps = self.dead_max_jobs - 1
        later = sum(score > self.sim.time for score in scores_before)
        if keeps == 0 or later >= keeps:
            assert place == "discarded", place
        if place == "discarded":
            last = self.sim.trace.for_job(jid)[-1]
            assert last.kind == "discarded"
            assert last.detail["reason"].startswith("trimmed from the dead set")
        else:
            assert place == "dead", place

    def due_order(self) -> list[tuple[str, str]]:
        """(queue, jid) of the due set entries, in the order the engine moves them."""
        now = self.sim.time
        moved = []
        for view in (self.sim.retries, self.sim.scheduled):
            for entry in reversed(list(view)):
                if entry.score <= now and not self.stopped_by_client(entry.job):
                    moved.append((entry.job["queue"], entry.jid))
        return moved

    def stopped_by_client(self, job: Mapping[str, Any]) -> bool:
        """Whether client middleware stops this job's next push (also a push from a set)."""
        return self.middleware and dropped_by_client(job["queue"], job.get("args", []))

    # -- enqueueing ----------------------------------------------------------------------------

    @rule(
        cls=st.sampled_from(CLASSES),
        args=job_args,
        options=set_options,
        how=st.sampled_from(["async", "in", "at_epoch", "at_datetime", "set_wait", "set_until"]),
        delay=delays,
    )
    def enqueue(
        self,
        cls: type[jobsim.Job],
        args: list[int],
        options: dict[str, Any],
        how: str,
        delay: float,
    ) -> None:
        sim = self.sim
        target: Any = cls.set(**options) if options else cls
        with sim:
            if how == "async":
                jid = target.perform_async(*args)
            elif how == "in":
                jid = target.perform_in(delay, *args)
            elif how == "at_epoch":
                jid = target.perform_at(sim.time + delay, *args)
            elif how == "at_datetime":
                jid = target.perform_at(sim.now + timedelta(seconds=delay), *args)
            elif how == "set_wait":
                jid = cls.set(**options, wait=timedelta(seconds=delay)).perform_async(*args)
            else:
                until = sim.now + timedelta(seconds=delay)
                jid = cls.set(**options, wait_until=until).perform_async(*args)
        queue = options.get("queue", cls.sidekiq_options["queue"])
        dropped = jid is None
        jid = self.remember(jid, queue=queue, args=args)
        place = sim.locate(jid)
        later = how != "async" and delay > 0
        if dropped:
            assert place == "discarded"
        else:
            assert place == ("schedule" if later else f"queue:{queue}"), (how, delay, place)

    @rule(
        klass=st.sampled_from([*CLASSES, "Ok", "Flaky", "Ghost"]),
        args=job_args,
        queue=st.one_of(st.none(), st.sampled_from(QUEUES)),
        retry=st.one_of(st.none(), st.sampled_from([True, False, 0, 2])),
        at=st.one_of(st.none(), delays),
    )
    def push_raw(
        self,
        klass: type[jobsim.Job] | str,
        args: list[int],
        queue: str | None,
        retry: Any,
        at: float | None,
    ) -> None:
        item: dict[str, Any] = {"class": klass, "args": args}
        if queue is not None:
            item["queue"] = queue
        if retry is not None:
            item["retry"] = retry
        if at is not None:
            item["at"] = self.sim.time + at
        if queue is None:
            queue = klass.sidekiq_options["queue"] if isinstance(klass, type) else "default"
        pushed = self.sim.push(item)
        jid = self.remember(pushed, queue=queue, args=args)
        if pushed is None:
            assert self.sim.locate(jid) == "discarded"
            return
        # Sidekiq's client schedules any given 'at', even a past one (due at once)
        assert self.sim.locate(jid) == ("schedule" if at is not None else f"queue:{queue}")

    # -- running -------------------------------------------------------------------------------

    @rule(seconds=st.one_of(st.integers(0, 120), st.sampled_from([600, 3600, 86_400, 0.25])))
    def advance(self, seconds: float) -> None:
        before = self.sim.time
        performed = self.sim.advance(seconds)
        assert self.sim.time == before + seconds
        self.ran(performed)

    @rule()
    def run_due(self) -> None:
        before = self.sim.time
        self.ran(self.sim.run_due())
        assert self.sim.time == before

    @rule(queue=st.one_of(st.none(), st.sampled_from(QUEUES)))
    def perform_one(self, queue: str | None) -> None:
        sim = self.sim
        # Predict the fetch: due entries join their queues first (retries before scheduled,
        # lowest score first), then the first non-empty queue in order gives its oldest job.
        names = list(dict.fromkeys([*sim.queues, *sim.stats.queues]))
        queued = {name: [job["jid"] for job in sim.queue(name).jobs] for name in names}
        pending = {name: list(jids) for name, jids in queued.items()}
        for name, due_jid in self.due_order():
            pending.setdefault(name, []).append(due_jid)
        if queue is not None:
            candidates = [queue]
        else:  # configured queues are the only ones served; else every queue, by first use
            candidates = sim.queues if sim.queue_config is not None else list(pending)
        expected = next((pending[n][0] for n in candidates if pending.get(n)), None)
        heads = {
            jids[0] for n, jids in [*queued.items(), *pending.items()] if jids and n in candidates
        }
        before = sim.time
        if expected is None or not self.predictable:
            try:
                jid = sim.perform_one(queue)
            except jobsim.EmptyQueueError:
                assert not any(queued.get(n) for n in candidates), "a queued job was not fetched"
                assert sim.time == before
                return
            assert jid in heads, "perform_one took a job that was not at the head of a queue"
        else:
            jid = sim.perform_one(queue)
            assert jid == expected, "perform_one took a job out of fetch order"
        assert sim.time == before
        kinds = [event.kind for event in sim.trace.for_job(jid)]
        assert "started" in kinds
        assert sim.locate(jid) != "running"  # perform_one finishes it at this instant
        self.ran(1)

    @rule()
    def drain(self) -> None:
        with warnings.catch_warnings():
            # Jobs in queues this process does not serve are expected here (the rule below
            # skips them); drain()'s warning about them is checked in test_bad_input.
            warnings.filterwarnings("ignore", "jobs wait in queues no process serves")
            performed = self.sim.drain(max_steps=100_000)
        self.ran(performed)
        if self.sim.stopped:
            return  # a stopped process fetches nothing: draining leaves the queues alone
        assert self.sim.running == [], "drain() returned with jobs still running"
        stats = self.sim.stats
        served = {name: size for name, size in stats.queues.items() if name in self.sim.queues}
        assert not any(served.values()), f"drain() left jobs queued: {served}"
        assert stats.scheduled_size == 0
        assert stats.retry_size == 0

    # -- the data API --------------------------------------------------------------------------

    @rule(
        which=st.sampled_from(["scheduled", "retries", "dead"]),
        action=st.sampled_from(["retry", "add_to_queue", "kill", "delete"]),
        pick=st.integers(0, 1_000),
    )
    def move_one(self, which: str, action: str, pick: int) -> None:
        view = getattr(self.sim, which)
        entries = list(view)
        if not entries:
            with pytest.raises(jobsim.InvalidArgument):
                getattr(view, action)("0" * 24)
            return
        entry = entries[pick % len(entries)]
        jid, job = entry.jid, dict(entry.job)
        size = len(view)
        dead_scores = [other.score for other in self.sim.dead if other.jid != jid]
        getattr(view, action)(jid)
        place = self.sim.locate(jid)
        if action in ("retry", "add_to_queue") and self.stopped_by_client(job):
            assert place == "discarded"  # the push from the set went through client middleware
            assert len(view) == size - 1
        elif action in ("retry", "add_to_queue"):
            assert place == f"queue:{job['queue']}"
            queued = self.sim.queue(job["queue"]).jobs[-1]
            assert queued["jid"] == jid
            if action == "retry" and "retry_count" in job:
                assert queued["retry_count"] == job["retry_count"] - 1
            elif action == "add_to_queue":
                assert {k: v for k, v in queued.items() if k != "enqueued_at"} == {
                    k: v for k, v in job.items() if k != "enqueued_at"
                }
            assert len(view) == size - 1
        elif action == "kill":
            self.check_killed(jid, scores_before=dead_scores)
        else:
            assert place == "discarded"
            assert len(view) == size - 1
        if not (which == "dead" and action == "kill" and place == "dead"):
            with pytest.raises(jobsim.InvalidArgument):
                view.delete(jid)  # it left the set, so the API no longer finds it there

    @rule(
        which=st.sampled_from(["scheduled", "retries", "dead"]),
        pick=st.integers(0, 1_000),
        delta=st.integers(-600, 7200),
        as_datetime=st.booleans(),
    )
    def reschedule(self, which: str, pick: int, delta: int, as_datetime: bool) -> None:
        view = getattr(self.sim, which)
        entries = list(view)
        if not entries:
            return
        jid = entries[pick % len(entries)].jid
        at: Any = self.sim.now + timedelta(seconds=delta) if as_datetime else self.sim.time + delta
        view.reschedule(jid, at)
        assert len(view) == len(entries)
        assert self.sim.locate(jid) == view.name
        found = view.find_job(jid)
        assert found is not None
        # (an aware datetime carries microseconds, so compare with its own epoch seconds)
        assert found.score == (at.timestamp() if as_datetime else at)

    @rule(
        which=st.sampled_from(["scheduled", "retries", "dead"]),
        action=st.sampled_from(["retry_all", "kill_all", "clear"]),
    )
    def move_all(self, which: str, action: str) -> None:
        view = getattr(self.sim, which)
        jobs = {entry.jid: dict(entry.job) for entry in view}
        moved = getattr(view, action)()
        assert moved == len(jobs)
        for jid, job in jobs.items():
            place = self.sim.locate(jid)
            if action == "retry_all" and self.stopped_by_client(job):
                assert place == "discarded"
            elif action == "retry_all":
                assert place == f"queue:{job['queue']}"
            elif action == "kill_all":
                assert place in {"dead", "discarded"}
            else:
                assert place == "discarded"
        if not (which == "dead" and action == "kill_all"):
            assert len(view) == 0

    @rule(name=st.sampled_from(QUEUES))
    def clear_queue(self, name: str) -> None:
        queue = self.sim.queue(name)
        jids = [job["jid"] for job in queue.jobs]
        assert queue.clear() == len(jids)
        assert queue.size == 0
        for jid in jids:
            assert self.sim.locate(jid) == "discarded"

    @precondition(lambda self: self.sim.stats.enqueued > 0)
    @rule(pick=st.integers(0, 1_000))
    def delete_queued(self, pick: int) -> None:
        names = [name for name, size in self.sim.stats.queues.items() if size]
        queue = self.sim.queue(names[pick % len(names)])
        jobs = queue.jobs
        jid = jobs[pick % len(jobs)]["jid"]
        assert queue.delete(jid)
        assert not queue.delete(jid)
        assert self.sim.locate(jid) == "discarded"

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def clock_never_goes_back(self) -> None:
        now = self.sim.time
        assert now >= self.last_time, "the virtual clock went backwards"
        self.last_time = now
        times = [event.ts for event in self.sim.trace]
        assert times == sorted(times), "trace events are out of time order"
        seqs = [event.seq for event in self.sim.trace]
        assert seqs == list(range(1, len(seqs) + 1))

    @invariant()
    def every_job_is_in_exactly_one_place(self) -> None:
        sim = self.sim
        where: dict[str, list[str]] = defaultdict(list)
        queue_names = list(dict.fromkeys([*sim.queues, *sim.stats.queues]))
        for name in queue_names:
            for job in sim.queue(name).jobs:
                where[job["jid"]].append(f"queue:{name}")
        for view, label in (
            (sim.scheduled, "schedule"),
            (sim.retries, "retry"),
            (sim.dead, "dead"),
        ):
            for entry in view:
                assert entry.jid == entry.job["jid"]
                where[entry.jid].append(label)
        for job in sim.running:
            where[job["jid"]].append("running")
        if not self.timed:
            assert sim.running == [], "a job is running between steps"
        assert len(sim.running) <= self.slots, "more jobs run than there are worker slots"
        strangers = sorted(set(where) - set(self.jids))
        assert not strangers, f"containers hold jids nobody was given: {strangers}"
        last_event: dict[str, Any] = {}
        for event in sim.trace:
            assert event.jid in self.jids, f"an event names an unknown jid: {event!r}"
            if event.kind != "hook_error":
                last_event[event.jid] = event
        for jid in self.jids:
            located = sim.locate(jid)
            places = where.get(jid, [])
            last = last_event[jid]
            assert len(places) <= 1, f"{jid} is in several places at once: {places}"
            if places:
                assert located == places[0], f"locate({jid}) = {located}, but it is in {places}"
                kind = places[0].split(":")[0]
                assert last.kind in ENTERED_BY[kind], (
                    f"{jid} is in {places[0]} but its last event is {last!r}"
                )
                if kind == "queue" and last.kind == "enqueued":
                    assert places[0] == f"queue:{last.job['queue']}"
            else:
                assert last.kind in TERMINAL, (
                    f"{jid} is lost: in no container, and its last event is {last!r}"
                )
                assert located == TERMINAL[last.kind], (jid, located, last)

    @invariant()
    def counts_add_up(self) -> None:
        sim = self.sim
        stats = sim.stats
        trace = sim.trace
        started = len(trace.of_kind("started"))
        assert stats.processed == started
        # an attempt cut short (pushed back at shutdown, or lost in a crash) counts as failed,
        # as Sidekiq's stats wrapper counts it
        cut_short = len(trace.of_kind("interrupted")) + len(trace.of_kind("lost"))
        assert stats.failed == len(trace.of_kind("failed")) + cut_short
        finished = len(trace.of_kind("succeeded")) + stats.failed
        assert started == finished + len(sim.running), "an execution neither ended nor runs"
        sizes = {name: len(sim.queue(name).jobs) for name in stats.queues}
        assert stats.queues == sizes
        assert list(stats.queues) == sorted(sizes, key=lambda name: (-sizes[name], name))
        assert stats.enqueued == sum(sizes.values())
        for name, size in sizes.items():
            assert sim.queue(name).size == len(sim.queue(name)) == size
        for view, size in (
            (sim.scheduled, stats.scheduled_size),
            (sim.retries, stats.retry_size),
            (sim.dead, stats.dead_size),
        ):
            assert size == len(view) == view.size == len(list(view)) == len(view.jobs)
        assert stats.dead_size <= max(self.dead_max_jobs - 1, 0)
        died = len(trace.of_kind("died"))
        assert died >= stats.dead_size
        for event in trace.of_kind("failed", "retry_scheduled", "died"):
            json.dumps(event.to_dict())  # every event stays JSON-native


@pytest.mark.parametrize(
    "trace_limit",
    [None, 100, 5, 0],
)
def test_finished_jobs_stay_located_whatever_the_trace_keeps(trace_limit: int | None) -> None:
    """Trimming the trace (for long runs) must not make finished jobs 'unknown'."""
    sim = jobsim.Simulator(seed=1, trace_limit=trace_limit)
    with sim:
        done = [Ok.perform_async(n) for n in range(10)]
        discarded = NoRetry.perform_async()
    sim.drain()
    assert sim.stats.processed == 11
    assert [sim.locate(jid) for jid in done] == ["done"] * 10
    assert sim.locate(discarded) == "discarded"


@pytest.mark.parametrize("which", ["scheduled", "retries"])
@pytest.mark.parametrize("bad_at", [datetime(2026, 1, 2), "tomorrow"], ids=["naive", "text"])
def test_a_refused_reschedule_keeps_the_job(which: str, bad_at: Any) -> None:
    """Bad input never loses a job: a refused reschedule leaves the entry where it was."""
    sim = jobsim.Simulator(seed=1)
    with sim:
        jid = Ok.perform_in(60, 1) if which == "scheduled" else Boom.perform_async(1)
    sim.run_due()
    view = getattr(sim, which)
    assert view.find_job(jid) is not None
    with pytest.raises(jobsim.InvalidArgument):
        view.reschedule(jid, bad_at)
    assert sim.locate(jid) == view.name
    assert len(view) == 1


class Interrupted(jobsim.Job):
    def perform(self) -> None:
        raise KeyboardInterrupt


class TakesAMinute(jobsim.Job):
    duration = 60

    def perform(self) -> None:
        pass


def _interrupted_counts(sim: jobsim.Simulator, jid: str) -> tuple[int, int, list[str], str]:
    kinds = [event.kind for event in sim.trace.for_job(jid)]
    return sim.stats.processed, sim.stats.failed, kinds, sim.locate(jid)


def test_an_execution_cut_short_by_shutdown_counts_as_failed() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        jid = TakesAMinute.perform_async()
    sim.advance(5)
    assert sim.shutdown(0) == [jid]
    expected = (1, 1, ["enqueued", "started", "interrupted"], "queue:default")
    assert _interrupted_counts(sim, jid) == expected


def test_an_execution_cut_short_by_an_interrupt_counts_as_failed() -> None:
    sim = jobsim.Simulator(seed=1)
    with sim:
        jid = Interrupted.perform_async()
    with pytest.raises(KeyboardInterrupt):
        sim.perform_one()
    expected = (1, 1, ["enqueued", "started", "interrupted"], "queue:default")
    assert _interrupted_counts(sim, jid) == expected


class SimulatorMachine(JobPlaces):
    """One worker; every job finishes at the instant it starts."""

    @initialize(
        seed=st.integers(0, 2**32),
        profile=st.sampled_from(PROFILES),
        order=st.one_of(st.none(), st.permutations(QUEUES)),
        dead_max_jobs=st.sampled_from([None, 1, 2, 4]),
        dead_timeout=st.sampled_from([None, 3600.0]),
        handlers=st.booleans(),
    )
    def start(
        self,
        seed: int,
        profile: str,
        order: list[str] | None,
        dead_max_jobs: int | None,
        dead_timeout: float | None,
        handlers: bool,
    ) -> None:
        sim = jobsim.Simulator(
            seed=seed,
            profile=profile,
            queues=order,
            concurrency=1,
            durations={"Slow": 0},
            dead_max_jobs=dead_max_jobs,
            dead_timeout=dead_timeout,
        )
        self.setup(sim, dead_max_jobs=dead_max_jobs, handlers=handlers)


class WorkerMachine(JobPlaces):
    """Several worker slots, jobs that take virtual time, shutdown, crash and restart."""

    timed = True

    @initialize(
        seed=st.integers(0, 2**32),
        profile=st.sampled_from(PROFILES),
        queues=st.sampled_from(
            [None, list(QUEUES), [["critical", 3], ["default", 2], ["low", 1]], ["low,0"]]
        ),
        concurrency=st.integers(1, 3),
        durations=st.sampled_from(
            [
                {},  # only Slow's own 30 s
                {"Boom": 12, "Flaky": timedelta(seconds=5), "Ok": 20, "Slow": 0},
                {
                    "Ok": jobsim.durations.uniform(0, 50),
                    "Forever": 3,
                    "Hooked": 7,
                    "NoRetry": jobsim.durations.exponential(10),
                    "Ghost": 2,
                },
            ]
        ),
        poll=st.sampled_from(["exact", "sidekiq"]),
        fetch=st.sampled_from(["basic", "reliable"]),
        dead_max_jobs=st.sampled_from([None, 2]),
        handlers=st.booleans(),
        middleware=st.booleans(),
    )
    def start(
        self,
        seed: int,
        profile: str,
        queues: list[Any] | None,
        concurrency: int,
        durations: dict[str, Any],
        poll: str,
        fetch: str,
        dead_max_jobs: int | None,
        handlers: bool,
        middleware: bool,
    ) -> None:
        sim = jobsim.Simulator(
            seed=seed,
            profile=profile,
            queues=queues,
            concurrency=concurrency,
            durations=durations,
            poll_interval=poll,
            fetch=fetch,
            # Sidekiq's poller ticks every ~5 virtual seconds while anything waits in a set, so
            # 25 retries (three weeks) would cost ~350,000 ticks per drain: keep retries short.
            max_retries=5,
            dead_max_jobs=dead_max_jobs,
        )
        self.predictable = poll == "exact" and (
            sim.queue_config is None or sim.queue_config.mode == "strict"
        )
        self.setup(sim, dead_max_jobs=dead_max_jobs, handlers=handlers, middleware=middleware)
        assert self.slots == concurrency

    @precondition(lambda self: not self.sim.stopped)
    @rule(count=st.integers(1, 4), odd=st.booleans(), seconds=st.integers(0, 40))
    def start_slow_jobs(self, count: int, odd: bool, seconds: int) -> None:
        """Slow jobs take 30 s (unless overridden): a short advance leaves them in flight."""
        with self.sim:
            for n in range(count):
                args = [2 * n + int(odd)]
                self.remember(Slow.perform_async(*args), queue="critical", args=args)
        self.ran(self.sim.advance(seconds))

    # Stopping is interesting with jobs in flight; an idle stop would only park the machine.
    @precondition(lambda self: not self.sim.stopped and self.sim.running)
    @rule(timeout=st.sampled_from([0, 5, 25, 100]))
    def shutdown(self, timeout: float) -> None:
        sim = self.sim
        running = {job["jid"] for job in sim.running}
        before = sim.time
        pushed_back = sim.shutdown(timeout)
        assert sim.stopped
        assert sim.running == [], "jobs still run after shutdown"
        assert set(pushed_back) <= running
        assert before <= sim.time <= before + timeout
        for jid in pushed_back:
            place = sim.locate(jid)
            assert place.startswith("queue:"), f"{jid} pushed back at shutdown is in {place}"
            queue = sim.queue(place.split(":", 1)[1])
            assert jid in [job["jid"] for job in queue.jobs[: len(pushed_back)]]

    @precondition(lambda self: not self.sim.stopped and self.sim.running)
    @rule()
    def crash(self) -> None:
        sim = self.sim
        running = {job["jid"] for job in sim.running}
        affected = sim.crash()
        assert sim.stopped
        assert set(affected) == running
        assert sim.running == []
        for jid in affected:
            place = sim.locate(jid)
            if sim.fetch == "reliable":
                assert place.startswith("queue:"), f"reliable fetch lost {jid}: {place}"
            else:
                assert place == "lost"

    @precondition(lambda self: self.sim.stopped)
    @rule()
    def restart(self) -> None:
        self.sim.start()
        assert not self.sim.stopped


SimulatorMachine.TestCase.settings = settings(
    max_examples=75,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,
)
TestSimulatorInvariants = SimulatorMachine.TestCase

WorkerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,
)
TestWorkerInvariants = WorkerMachine.TestCase
