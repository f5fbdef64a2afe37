"""The limiters of one simulator: their counts, the job executions using them, reschedules.

How a wait passes in virtual time: job code runs at the instant its execution starts, but the
execution holds its worker until its duration has passed. A ``within_limit`` that finds no
room works out, from what the limiter already holds, the first instant the use fits
(:mod:`jobsim.limiters._kinds`); if that is within ``wait_timeout`` the use is granted *at that
instant* and the wait is added to the execution's busy time (the engine asks
:meth:`LimiterRuntime.adjust` after drawing the duration), otherwise the thread waits the whole
``wait_timeout`` and ``OverLimit`` is raised. Either way the worker is busy while it waits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.limiters._errors import LimiterErrors, OverLimit
from jobsim.limiters._kinds import Bucket, Concurrent, Holder, Leaky, Unlimited, Window
from jobsim.limiters._limiter import Limiter, LimiterStatus
from jobsim.retry import error_class_name

if TYPE_CHECKING:
    from jobsim.rng import Stream
    from jobsim.state import SimState

__all__ = ["ClassCounts", "LimiterRuntime"]

Kind = Concurrent | Bucket | Window | Leaky | Unlimited


@dataclass(slots=True)
class ClassCounts:
    """What limiters did to one job class's executions."""

    #: Executions that met an over-limit error (``OverLimit`` or one of ``limiter_errors``).
    over_limit: int = 0
    #: Of those, the ones rescheduled (same jid, ``overrated`` + 1).
    rescheduled: int = 0
    #: Of those, the ones past the ``reschedule`` cap, handed to ordinary retries.
    retried: int = 0
    #: Virtual seconds its executions spent waiting for a limiter.
    waited: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "over_limit": self.over_limit,
            "rescheduled": self.rescheduled,
            "retried": self.retried,
            "waited": self.waited,
        }


@dataclass(slots=True)
class _Counts:
    held: int = 0
    over_limit: int = 0
    waits: int = 0
    waited: float = 0.0


@dataclass(slots=True)
class _Entry:
    limiter: Limiter
    kind: Kind
    counts: _Counts = field(default_factory=_Counts)
    last_used: float = -math.inf


@dataclass(slots=True)
class _Frame:
    """One execution of a job, as far as limiters are concerned."""

    jid: str
    job: Mapping[str, Any]
    started: float
    waited: float = 0.0
    #: It ended with a limiter's OverLimit: the wait was all it did (its own duration and
    #: work never happened). A job that catches OverLimit itself carries on and keeps both.
    gave_up: bool = False
    holds: list[Holder] = field(default_factory=list)
    #: The rescheduled copy and its delay, applied when the execution ends.
    pending: tuple[dict[str, Any], float] | None = None


class LimiterRuntime:
    """Every limiter of one simulator and the executions using them."""

    def __init__(
        self,
        state: SimState,
        *,
        backoff: Callable[..., Any] | None,
        reschedule: int,
        key_prefix: str,
        errors: tuple[type[BaseException], ...],
    ) -> None:
        self._state = state
        self.backoff = backoff
        self.reschedule = reschedule
        self.key_prefix = key_prefix
        self.errors = LimiterErrors(errors)
        self._entries: dict[str, _Entry] = {}
        self._frames: list[_Frame] = []
        #: The execution that left the middleware last, until the engine asks its busy time.
        self._last: _Frame | None = None
        #: Executions with something to do when they end, by jid, oldest first.
        self._open: dict[str, list[_Frame]] = {}
        self.classes: dict[str, ClassCounts] = {}
        self._rng: Stream = state.rng.stream("limiters")

    # -- defining ------------------------------------------------------------------------------

    def define(self, limiter: Limiter, make: Callable[[], Kind]) -> Limiter:
        """The limiter under ``limiter.key``: the one defined before when the limits agree."""
        entry = self._entries.get(limiter.key)
        if entry is None:
            self._entries[limiter.key] = _Entry(limiter, make())
            return limiter
        known = entry.limiter
        if (known.limit, known.interval, known.lock_timeout) != (
            limiter.limit,
            limiter.interval,
            limiter.lock_timeout,
        ):
            msg = (
                f"limiters(sim).{limiter.kind}({limiter.name!r}, ...): this simulator already "
                f"has {known!r} with other limits; reuse it, or give the new limits another name"
            )
            raise InvalidArgument(msg)
        return limiter  # its own wait_timeout, backoff and reschedule, the shared counts

    def _entry(self, limiter: Limiter, now: float) -> _Entry:
        entry = self._entries[limiter.key]
        if now - entry.last_used > limiter.ttl and entry.last_used > -math.inf:
            # Sidekiq keeps a limiter's data for ``ttl`` after its last use; then it is gone.
            fresh = _Entry(entry.limiter, _fresh(entry.kind))
            entry = self._entries[limiter.key] = fresh
        entry.kind.prune(now)
        return entry

    # -- inside perform ------------------------------------------------------------------------

    def acquire(self, limiter: Limiter, used: int) -> Holder | None:
        """Take room for one block, waiting in virtual time if needed; raise OverLimit."""
        where = f"{limiter!r}.within_limit(used)"
        used = validate.whole(used, name=where, low=1)
        if used > 1 and limiter.kind in ("concurrent", "leaky"):
            raise validate.refuse(where, used, "1", why=f"a {limiter.kind} limiter counts blocks")
        if used > limiter.limit and limiter.kind != "unlimited":
            raise validate.refuse(
                where, used, f"at most {limiter.limit}", why="more than the limit never fits"
            )
        if limiter.kind == "unlimited":
            return None
        state = self._state
        now = state.clock.now
        frame = self._frames[-1] if self._frames else None
        entry = self._entry(limiter, now)
        entry.last_used = now
        asked = now + (frame.waited if frame is not None else 0.0)
        at = entry.kind.earliest(asked, used)
        wait = at - asked
        counts = entry.counts
        # Outside a job nothing can wait: the clock moves only between executions.
        over = wait > 0 and (frame is None or wait > limiter.wait_timeout)
        waited = (limiter.wait_timeout if over else wait) if frame is not None else 0.0
        if waited > 0 and frame is not None:
            frame.waited += waited
            counts.waits += 1
            counts.waited += waited
            self._class(frame.job).waited += waited
            detail = {"event": "waited", "limiter": limiter.name, "type": limiter.kind,
                      "seconds": waited, "gave_up": over}  # fmt: skip
            state.trace.record("limiter", now, frame.jid, frame.job, detail)
        if over:
            counts.over_limit += 1
            raise OverLimit(limiter, limiter.wait_timeout if frame is not None else 0.0)
        counts.held += 1
        hold = entry.kind.take(at, used, frame.jid if frame is not None else "")
        if hold is not None and frame is not None:
            frame.holds.append(hold)
        return hold

    def block_done(self, hold: Holder | None) -> None:
        """A ``within_limit`` block ended: outside a job its slot is free at once; inside one
        the slot is held until the execution ends (its code *is* the block's duration)."""
        if hold is not None and not self._frames:
            hold.released_at = self._state.clock.now

    # -- the server middleware's side ----------------------------------------------------------

    def enter(self, job: Mapping[str, Any]) -> _Frame:
        frame = _Frame(str(job.get("jid")), job, self._state.clock.now)
        self._frames.append(frame)
        # An execution run without the engine (perform_one) is never asked its busy time:
        # forget it, so it cannot be taken for this one.
        self._last = None
        return frame

    def leave(self, frame: _Frame) -> None:
        if self._frames and self._frames[-1] is frame:
            self._frames.pop()
        if frame.holds or frame.pending is not None or frame.waited or frame.gave_up:
            self._last = frame
            if frame.holds or frame.pending is not None:
                self._open.setdefault(frame.jid, []).append(frame)

    def over_limit(self, frame: _Frame, job: dict[str, Any], error: Exception) -> bool:
        """An over-limit error reached the middleware: True when the job is rescheduled,
        False when it is past the cap and goes to ordinary retries."""
        state = self._state
        limiter = error.limiter if isinstance(error, OverLimit) else None
        frame.gave_up = isinstance(error, OverLimit)
        cap = self.reschedule
        if limiter is not None and limiter.reschedule is not None:
            cap = limiter.reschedule
        count = job.get("overrated", 0)
        count = count if isinstance(count, int) and not isinstance(count, bool) else 0
        counts = self._class(job)
        counts.over_limit += 1
        detail: dict[str, Any] = {
            "event": "over_limit",
            "limiter": limiter.name if limiter is not None else None,
            "error_class": error_class_name(error),
            "overrated": count,
        }
        if count >= cap:
            # Past the cap the error goes on to JobRetry; "overrated" is not reset (#6010).
            counts.retried += 1
            detail["action"] = "retry"
            state.trace.record("limiter", state.clock.now, frame.jid, job, detail)
            return False
        delay = self._backoff(limiter, job, error, count)
        again = dict(job)
        again["overrated"] = count + 1
        frame.pending = (again, delay)
        counts.rescheduled += 1
        detail["action"] = "reschedule"
        state.trace.record("limiter", state.clock.now, frame.jid, job, detail)
        return True

    def _backoff(
        self, limiter: Limiter | None, job: dict[str, Any], error: Exception, count: int
    ) -> float:
        chosen = limiter.backoff if limiter is not None and limiter.backoff else self.backoff
        if chosen is None:
            # The commonly reproduced default (unverified against Sidekiq's closed source):
            # "randomly over five minutes", growing by five minutes per reschedule.
            return float(300 * count + self._rng.randrange(300) + 1)
        where = "the limiter's backoff" if limiter is not None else "Limiters(backoff)"
        returned = chosen(limiter, dict(job), error)
        return validate.seconds(returned, name=f"{where}(limiter, job, error) returned")

    # -- the engine's side ---------------------------------------------------------------------

    def adjust(self, job: Mapping[str, Any], seconds: float) -> float:
        """The busy time of the execution just started: its waits, then (unless it gave up
        over a limit) its own duration; the holds it took end when it does."""
        frame = self._last
        if frame is None or frame.jid != job.get("jid"):
            return seconds
        self._last = None
        total = frame.waited + (0.0 if frame.gave_up else seconds)
        end = frame.started + total
        for hold in frame.holds:
            hold.expected_end = end
        return total

    def ended(self, job: Mapping[str, Any], how: str) -> None:
        """An execution ended: its slots are free (unless a crash took the process down: then
        ``lock_timeout`` frees them), and an over-limit job is rescheduled."""
        frames = self._open.get(str(job.get("jid")))
        if not frames:
            return
        frame = frames.pop(0)
        if not frames:
            del self._open[frame.jid]
        state = self._state
        now = state.clock.now
        released = how in ("succeeded", "failed", "pushed_back")
        for hold in frame.holds:
            if released:
                hold.released_at = now
            else:  # the process died holding it: only lock_timeout frees it now
                hold.expected_end = None
        if frame.pending is None or how not in ("succeeded", "failed"):
            return
        again, delay = frame.pending
        run_at = now + delay
        state.scheduled.add(run_at, again)
        detail = {"event": "rescheduled", "run_at": run_at, "delay": delay,
                  "overrated": again["overrated"]}  # fmt: skip
        state.trace.record("limiter", now, frame.jid, again, detail)

    # -- views ---------------------------------------------------------------------------------

    def status_of(self, limiter: Limiter) -> LimiterStatus:
        now = self._state.clock.now
        entry = self._entries.get(limiter.key)
        if entry is None:  # unlimited: nothing is kept
            return LimiterStatus(limiter.key, limiter.kind, limiter.name, limiter.limit,
                                 limiter.interval, 0, 0, 0, 0, 0.0)  # fmt: skip
        entry = self._entry(limiter, now)
        counts = entry.counts
        return LimiterStatus(
            key=limiter.key,
            kind=limiter.kind,
            name=limiter.name,
            limit=entry.limiter.limit,
            interval=entry.limiter.interval,
            in_use=entry.kind.in_use(now),
            held=counts.held,
            over_limit=counts.over_limit,
            waits=counts.waits,
            waited=counts.waited,
        )

    def limiters(self) -> list[Limiter]:
        """Every limiter defined on this simulator, by key."""
        return [self._entries[key].limiter for key in sorted(self._entries)]

    def _class(self, job: Mapping[str, Any]) -> ClassCounts:
        name = str(job.get("class"))
        found = self.classes.get(name)
        if found is None:
            found = self.classes[name] = ClassCounts()
        return found


def _fresh(kind: Kind) -> Kind:
    if isinstance(kind, Concurrent):
        return Concurrent(kind.size, kind.lock_timeout)
    if isinstance(kind, Bucket):
        return Bucket(kind.count, kind.interval)
    if isinstance(kind, Window):
        return Window(kind.count, kind.interval)
    if isinstance(kind, Leaky):
        return Leaky(kind.size, kind.interval, kind=kind.kind)
    return Unlimited()
