"""Admission at fetch (``patches/throttled_retriever.rb``), requeue, cooldown, release.

One :class:`ThrottleGate` per simulator holds every counter; the engine asks it about each
fetched job (:meth:`ThrottleGate.admit`) and tells it when an execution ends
(:meth:`ThrottleGate.finished`, the server middleware's ``finalize!`` in ``ensure``).

The gem's fetcher pops a throttled job, pushes it back and polls again at once; only the
cooldown (``cooldown_threshold`` refusals in a row, then ``cooldown_period`` seconds without
polling that queue) slows it down. jobsim does the same, and adds one rule so virtual time never
spins: once every job in a queue has been refused since the last admission from it, the queue
rests until one of the limits that refused can change (a slot released or lost, the oldest
start leaving a window), a job is added to or taken from the queue, or its cooldown ends,
whichever is later. Fetches skipped that way would have been refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobsim.errors import InvalidOption
from jobsim.throttled._batch import Refusal, play_cooldowns, refuse_alike
from jobsim.throttled._limits import Slots, Window
from jobsim.throttled._spec import Strategy, key_of, resolve
from jobsim.throttled._uniform import UniformCheck

if TYPE_CHECKING:
    from jobsim.rng import Stream
    from jobsim.state import SimState

__all__ = ["ClassCounts", "ThrottleGate", "subject"]


def subject(job: Mapping[str, Any]) -> tuple[Any, list[Any]]:
    """The class name the gem's ``Message`` reads (``wrapped``, else ``class``) and the
    arguments its limits see (an ActiveJob's own ``arguments``, else ``args``)."""
    if "wrapped" in job:
        args = job.get("args")
        data = args[0] if isinstance(args, list) and args else None
        arguments = data.get("arguments") if isinstance(data, Mapping) else None
        return job["wrapped"], list(arguments) if isinstance(arguments, list) else []
    return job.get("class"), job.get("args") or []


@dataclass(slots=True)
class ClassCounts:
    """What throttling did to one job class."""

    #: Fetches refused.
    throttled: int = 0
    #: Refused jobs pushed back onto a queue (``requeue: {with: "enqueue"}``).
    requeued: int = 0
    #: Refused jobs replaced by a new scheduled job (``with: "schedule"``).
    rescheduled: int = 0
    #: Jobs that started after at least one refusal.
    delayed: int = 0
    #: Seconds from each delayed job's first refusal to its start, summed.
    wait: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """The counts as a plain dict."""
        return {
            "throttled": self.throttled,
            "requeued": self.requeued,
            "rescheduled": self.rescheduled,
            "delayed": self.delayed,
            "wait": self.wait,
        }


@dataclass(slots=True)
class _Run:
    """Refusals from one queue since its last admission or the last change of a limit."""

    count: int = 0
    changes_at: float = math.inf


@dataclass(slots=True)
class _Rest:
    until: float
    size: int  # the queue's length when it went to rest: any push or take ends the rest


@dataclass(slots=True)
class ThrottleGate:
    """sidekiq-throttled's state on one simulator (see the module docstring)."""

    state: SimState
    strategy_for: Callable[[str], Strategy | None]
    version: str
    cooldown_period: float | None
    cooldown_threshold: int
    jitter: Stream
    push: Callable[[Mapping[str, Any]], str | None]
    slots: dict[str, Slots] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    counts: dict[str, ClassCounts] = field(default_factory=dict)
    #: Cooldown (cooldown.rb): refusals in a row per queue, and queues cooled until a time.
    streak: dict[str, int] = field(default_factory=dict)
    cooled: dict[str, float] = field(default_factory=dict)
    runs: dict[str, _Run] = field(default_factory=dict)
    rests: dict[str, _Rest] = field(default_factory=dict)
    #: jid -> when it was first refused (carried to the new jid of a ``schedule`` requeue).
    first_refused: dict[str, float] = field(default_factory=dict)
    #: The refusal just made, while the engine may still ask for the like ones after it.
    last_refusal: Refusal | None = None
    #: Take the shortcuts: a uniform strategy's worked-out check (jobsim.throttled._uniform)
    #: and runs of like refusals at once (jobsim.throttled._batch). False takes the general
    #: path, one fetched job at a time: the reference the shortcuts are tested against.
    shortcuts: bool = True
    #: The worked-out check of each uniform strategy, by id(strategy) (each holds its own).
    uniform: dict[int, UniformCheck] = field(default_factory=dict)

    # -- the engine's FetchGate ----------------------------------------------------------

    def resting(self, now: float) -> Collection[str]:
        if not self.cooled and not self.rests:
            return ()
        found = [queue for queue, until in self.cooled.items() if until > now]
        if len(found) != len(self.cooled):
            self.cooled = {queue: self.cooled[queue] for queue in found}
        queues = self.state.queues
        for queue, rest in list(self.rests.items()):
            if rest.until > now and len(queues[queue]) == rest.size:
                found.append(queue)
            else:
                del self.rests[queue]
                self.runs.pop(queue, None)
        return found

    def wakes_at(self, now: float) -> float | None:
        times = [until for until in self.cooled.values() if until > now]
        queues = self.state.queues
        for queue, rest in self.rests.items():
            if len(queues[queue]) != rest.size:
                return now  # a job arrived: poll again at once (resting() ends the rest)
            if now < rest.until < math.inf:
                times.append(rest.until)
        return min(times) if times else None

    def admit(self, queue: str, job: Mapping[str, Any]) -> bool:
        self.last_refusal = None
        name, args = subject(job)
        strategy = self.strategy_for(name) if isinstance(name, str) else None
        if strategy is None:
            self._admitted(queue, job, name)
            return True
        now = self.state.clock.now
        refused = self._throttled(strategy, str(job["jid"]), args, now)
        if refused is None:
            self._admitted(queue, job, name)
            return True
        self.refuse(queue, job, strategy, args, now, refused)
        return False

    def refuse_alike(self, queue: str, budget: int | None) -> int:
        """The engine's offer after a refusal, when nothing else can happen before its next
        fetch from ``queue``: refuse the like jobs at its head now (at most ``budget``);
        returns how many (see :mod:`jobsim.throttled._batch`)."""
        if not self.shortcuts:
            return 0
        return refuse_alike(self, queue, budget)

    def play_cooldowns(self, horizon: float, most: int | None) -> tuple[int, float]:
        """The engine's offer when nothing is due but this gate's wake-ups: play the refusals
        the next wake-ups would make, up to ``horizon`` (at most ``most``); returns how many
        and the time of the last (see :func:`jobsim.throttled._batch.play_cooldowns`)."""
        if not self.shortcuts:
            return 0, self.state.clock.now
        return play_cooldowns(self, horizon, most)

    def finished(self, queue: str, job: Mapping[str, Any]) -> None:
        name, args = subject(job)
        if not isinstance(name, str) or "jid" not in job:
            return  # Middlewares::Server looks for no strategy without both
        strategy = self.strategy_for(name)
        if strategy is None or not strategy.concurrency:
            return
        self._finalize(strategy, str(job["jid"]), args)
        # A slot came free: every queue resting on a refusal may have a job that fits now.
        self.rests.clear()
        self.runs.clear()

    # -- Strategy#throttled? -------------------------------------------------------------

    def uniform_check(self, strategy: Strategy) -> UniformCheck:
        """The worked-out check of a uniform ``strategy`` on this gate's counters."""
        check = self.uniform.get(id(strategy))
        if check is None:
            check = self.uniform[id(strategy)] = UniformCheck(self, strategy)
        return check

    def _throttled(self, strategy: Strategy, jid: str, args: list[Any], now: float) -> str | None:
        """Which limit refuses the job ("concurrency"/"threshold"), or None to admit it."""
        if strategy.uniform and self.shortcuts:
            return self.uniform_check(strategy).throttled(jid, now)
        for spec in strategy.concurrency:  # StrategyCollection#throttled?: any?, in order
            limit = resolve(spec.limit, args)
            if limit is None:
                continue
            if limit <= 0:
                return "concurrency"
            slots = self.slots.setdefault(key_of(spec.base_key, spec.key_suffix, args), Slots())
            lost = spec.lost_job_threshold
            if slots.throttled(jid, limit, lost, now, backlog=self.version == "2"):
                return "concurrency"
        for threshold in strategy.threshold:
            limit = resolve(threshold.limit, args)
            if limit is None:
                continue
            key = key_of(threshold.base_key, threshold.key_suffix, args)
            window = self.windows.setdefault(key, Window())
            period = float(resolve(threshold.period, args))
            if limit <= 0 or window.throttled(int(limit), period, now):
                # Strategy#throttled?: the slot the concurrency check just took goes back.
                self._finalize(strategy, jid, args)
                return "threshold"
        return None

    def _finalize(self, strategy: Strategy, jid: str, args: list[Any]) -> None:
        for spec in strategy.concurrency:
            slots = self.slots.get(key_of(spec.base_key, spec.key_suffix, args))
            if slots is not None:
                slots.release(jid)

    def _retry_in(self, strategy: Strategy, args: list[Any], now: float) -> float:
        """``Strategy#retry_in``: the longest wait any limit asks for, plus the gem's jitter."""
        intervals = [0.0]
        for spec in strategy.concurrency:
            limit = resolve(spec.limit, args)
            slots = self.slots.get(key_of(spec.base_key, spec.key_suffix, args))
            if limit is None or slots is None:
                continue
            if self.version == "2":
                wait = slots.retry_in_v2(
                    limit, spec.avg_job_duration, spec.lost_job_threshold, spec.max_delay, now
                )
            else:
                wait = slots.retry_in_v1(limit, now)
            intervals.append(wait)
        for threshold in strategy.threshold:
            limit = resolve(threshold.limit, args)
            window = self.windows.get(key_of(threshold.base_key, threshold.key_suffix, args))
            if limit is None or window is None:
                continue
            intervals.append(window.retry_in(limit, float(resolve(threshold.period, args)), now))
        interval = max(intervals)
        if interval > 10:  # interval += rand(interval / 5): spreads the rescheduled jobs out
            interval += self.jitter.random() * interval / 5
        return interval

    def _changes_at(self, strategy: Strategy, args: list[Any], now: float) -> float:
        """The earliest time the limits refusing this job can let it through by themselves
        (a slot lost, the oldest start leaving its window); inf: only a release can."""
        if strategy.uniform and self.shortcuts:
            return self.uniform_check(strategy).changes_at(now)
        at = math.inf
        for spec in strategy.concurrency:
            limit = resolve(spec.limit, args)
            slots = self.slots.get(key_of(spec.base_key, spec.key_suffix, args))
            if limit is not None and slots is not None and len(slots.running) >= limit > 0:
                at = min(at, slots.changes_at())
        for threshold in strategy.threshold:
            limit = resolve(threshold.limit, args)
            window = self.windows.get(key_of(threshold.base_key, threshold.key_suffix, args))
            if limit is None or window is None or limit <= 0:
                continue
            period = float(resolve(threshold.period, args))
            if len(window.starts) >= limit and now - window.starts[-1] < period:
                at = min(at, window.changes_at(period))
        return at

    # -- after the decision ------------------------------------------------------------

    def count_for(self, name: Any) -> ClassCounts:
        key = str(name)
        found = self.counts.get(key)
        if found is None:
            found = self.counts[key] = ClassCounts()
        return found

    def _admitted(self, queue: str, job: Mapping[str, Any], name: Any) -> None:
        self.streak.pop(queue, None)  # Cooldown#notify_admitted
        self.runs.pop(queue, None)
        if self.first_refused:
            since = self.first_refused.pop(str(job["jid"]), None)
            if since is not None:
                counts = self.count_for(name)
                counts.delayed += 1
                counts.wait += self.state.clock.now - since

    def refuse(
        self,
        queue: str,
        job: Mapping[str, Any],
        strategy: Strategy,
        args: list[Any],
        now: float,
        limit: str,
    ) -> None:
        jid = str(job["jid"])
        name, _ = subject(job)
        with_ = resolve(strategy.requeue_with, args)
        if with_ not in ("enqueue", "schedule"):
            # Strategy#requeue_throttled raises "unrecognized :with option" rather than
            # guess; a constant was checked at class definition, so this is a callable's.
            msg = (
                f"{name}: throttle requeue with= callable returned {with_!r} for args "
                f"{args!r} (sidekiq-throttled: unrecognized :with option); return "
                f"'enqueue' or 'schedule'"
            )
            raise InvalidOption(msg)
        counts = self.count_for(name)
        counts.throttled += 1
        self.first_refused.setdefault(jid, now)
        target = resolve(strategy.requeue_to, args) if strategy.requeue_to is not None else None
        target = str(target) if target else queue
        target = target.removeprefix("queue:")
        detail: dict[str, Any] = {"limit": limit, "requeue": with_, "to": target}
        if with_ == "schedule":
            retry_in = self._retry_in(strategy, args, now)
            # Sidekiq::Client.enqueue_to_in(queue, retry_in, Class, *args): a new job from
            # the class's options, through the client middleware; then the old one is acked.
            new: dict[str, Any] = {"class": name, "args": list(args), "queue": target}
            if "wrapped" in job:
                # An ActiveJob: the adapter's wrapper again, with the same ActiveJob data
                # (the gem hands the wrapped class and the wrapper's args to enqueue_to_in).
                new.update({"class": job.get("class"), "wrapped": name, "args": job["args"]})
            if retry_in > 0:
                # A wait shorter than the clock's resolution still lands after now (the
                # gem's real clock would have moved on by then).
                new["at"] = max(now + retry_in, math.nextafter(now, math.inf))
            new_jid = self.push(new)
            detail.update(retry_in=retry_in, new_jid=new_jid)
            counts.rescheduled += 1
            if new_jid is not None:
                self.first_refused[new_jid] = self.first_refused.pop(jid)
        else:
            self.state.queue(target).push(job)  # LPUSH: the tail, the same payload and jid
            counts.requeued += 1
        self.state.trace.record("throttled", now, jid, job, detail)
        self.last_refusal = Refusal(queue, strategy, limit, with_, target, now)
        self.cool(queue, now)
        self.note_run(queue, strategy, args, now)

    def cool(self, queue: str, now: float) -> None:
        if self.cooldown_period is None:
            return
        streak = self.streak[queue] = self.streak.get(queue, 0) + 1
        if streak >= self.cooldown_threshold:  # the streak is only reset by an admission
            self.cooled[queue] = now + self.cooldown_period

    def note_run(self, queue: str, strategy: Strategy, args: list[Any], now: float) -> None:
        run = self.runs.get(queue)
        if run is None:
            run = self.runs[queue] = _Run()
        run.count += 1
        run.changes_at = min(run.changes_at, self._changes_at(strategy, args, now))
        size = len(self.state.queues[queue]) if queue in self.state.queues else 0
        if size == 0 or run.count < size:
            return
        del self.runs[queue]
        # A limit that changed during this run is retried at the next representable instant,
        # so the clock moves and the loop at this instant ends.
        until = max(run.changes_at, math.nextafter(now, math.inf), self.cooled.get(queue, now))
        self.rests[queue] = _Rest(until, size)
