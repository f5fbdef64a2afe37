"""A producer for real Sidekiq workers: ``Sidekiq::Client.push`` into Redis (layer 7, private).

A Python service can enqueue jobs that Ruby Sidekiq processes run: :class:`Client` takes the
job hash ``Sidekiq::Client.push`` takes, normalises it as Sidekiq does, runs a client middleware
chain, and writes the member where Sidekiq writes it (LPUSH ``queue:NAME`` plus SADD ``queues``,
or ZADD ``schedule`` when the hash has ``at``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobsim.clock import DEFAULT_START, VirtualClock
from jobsim.enqueue import (
    StrictArgs,
    check_args,
    normalize_item,
    scheduled_at,
    strict_args_mode,
)
from jobsim.middleware import Chain
from jobsim.payload import dumps
from jobsim.profiles import DEFAULT_PROFILE, Profile, get_profile, timestamp
from jobsim.redis._layout import QUEUE_PREFIX, QUEUES_KEY, ruby_float
from jobsim.redis_pool import RedisPool
from jobsim.rng import SimRandom

__all__ = ["Client"]


class Client:
    """``Sidekiq::Client`` writing into ``redis`` (any redis-py-compatible client).

    Args:
        redis: A ``redis.Redis``, ``fakeredis.FakeRedis`` or compatible client.
        profile: Whose payload format to write: ``"sidekiq-6.4"``/``"sidekiq-7"`` (epoch float
            seconds) or ``"sidekiq-8"`` (integer milliseconds), and its strict-args default.
        clock: Where ``created_at``/``enqueued_at`` come from: a :class:`~jobsim.VirtualClock`
            or a callable returning epoch seconds. jobsim never reads the wall clock itself;
            a service enqueueing for real workers passes ``clock=time.time``.
        jids: A callable returning a new jid; the default draws 24 hex characters from a
            stream seeded by ``seed`` (repeatable). A service passes
            ``jids=lambda: secrets.token_hex(12)``.
        seed: Seeds the default jid stream.
        strict_args: ``"raise"``, ``"warn"`` or False; the profile's default.
    """

    def __init__(
        self,
        redis: Any,
        *,
        profile: str | Profile = DEFAULT_PROFILE,
        clock: VirtualClock | Callable[[], float] | None = None,
        jids: Callable[[], str] | None = None,
        seed: int = 0,
        strict_args: str | bool | None = None,
    ) -> None:
        self.redis = redis
        self.profile = get_profile(profile)
        if clock is None:
            clock = VirtualClock(DEFAULT_START)
        self._now: Callable[[], float] = (
            (lambda: clock.now) if isinstance(clock, VirtualClock) else clock
        )
        if jids is None:
            stream = SimRandom(seed).stream("jid")

            def jids() -> str:
                return stream.randbytes(12).hex()

        self._jids = jids
        self.strict_args: StrictArgs = (
            self.profile.strict_args if strict_args is None else strict_args_mode(strict_args)
        )
        #: The client middleware chain, run around every push (``Chain("client")``); a
        #: middleware taking ``redis_pool`` gets a pool lending ``redis``.
        self.middleware = Chain("client", RedisPool.of(redis, name="Client.redis_pool"))

    def now(self) -> float:
        """The client's current time in epoch seconds."""
        return self._now()

    def push(self, job: Any, /) -> str | None:
        """Push a job hash (``class``, ``args``, optional ``queue``, ``at``, ``retry``, ``jid``…).

        Returns the jid, or None when client middleware stopped the push. The hash is checked
        and normalised as the simulator's ``push`` does (:func:`jobsim.enqueue.normalize_item`).
        """
        normalized = normalize_item(job, strict_args=self.strict_args, check_now=self._first())
        return self.push_normalized(normalized.job, normalized.at, normalized.subject)

    def _first(self) -> bool:
        # Sidekiq 6.4.1 checks strict args before client middleware; 6.4.2+ after it.
        return not self.profile.strict_args_after_middleware

    def push_normalized(self, job: dict[str, Any], at: float | None, subject: Any) -> str | None:
        """Write a hash :mod:`jobsim.enqueue` made: give it a jid and ``created_at``, run the
        client middleware, then LPUSH it to its queue or ZADD it to ``schedule``."""
        if job.get("jid") is None:
            job["jid"] = self._jids()
        now = self._now()
        job.setdefault("created_at", timestamp(self.profile, now))
        if self.middleware.active:
            if at is not None:
                job["at"] = at  # client middleware sees "at"; Redis never stores it
            result, _ = self.middleware.invoke(subject, job, str(job["queue"]), lambda: job)
            if not result:
                return None
            if isinstance(result, Mapping):
                job = dict(result)
            at = scheduled_at(job.pop("at", None))
        if not self._first():
            job["args"] = check_args(str(job["class"]), job["args"], self.strict_args)
        if at is not None:
            self.redis.zadd("schedule", {dumps(job): ruby_float(at)})
            return str(job["jid"])
        job["enqueued_at"] = timestamp(self.profile, now)
        queue = str(job["queue"])
        pipe = self.redis.pipeline(transaction=True)
        pipe.sadd(QUEUES_KEY, queue)
        pipe.lpush(f"{QUEUE_PREFIX}{queue}", dumps(job))
        pipe.execute()
        return str(job["jid"])
