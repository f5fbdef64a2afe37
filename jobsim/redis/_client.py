"""A producer for real Sidekiq workers: ``Sidekiq::Client.push`` into Redis (layer 7, private).

A Python service can enqueue jobs that Ruby Sidekiq processes run: :class:`Client` takes the
job hash ``Sidekiq::Client.push`` takes, normalises it as Sidekiq does, runs a client middleware
chain, and writes the member where Sidekiq writes it (LPUSH ``queue:NAME`` plus SADD ``queues``,
or ZADD ``schedule`` when the hash has ``at``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from jobsim.clock import DEFAULT_START, VirtualClock
from jobsim.errors import InvalidArgument, InvalidPayload, JobsimWarning
from jobsim.job import Job
from jobsim.middleware import Chain
from jobsim.payload import dumps, find_non_native, fix_hint, ruby_to_json
from jobsim.profiles import DEFAULT_PROFILE, Profile, get_profile, timestamp
from jobsim.redis._layout import QUEUE_PREFIX, QUEUES_KEY, ruby_float
from jobsim.rng import SimRandom

__all__ = ["Client"]

#: Sidekiq.default_job_options for a class given by name.
_DEFAULTS: dict[str, Any] = {"retry": True, "queue": "default"}


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
        self.strict_args = self.profile.strict_args if strict_args is None else strict_args
        #: The client middleware chain, run around every push (``Chain("client")``).
        self.middleware = Chain("client")

    def now(self) -> float:
        """The client's current time in epoch seconds."""
        return self._now()

    def push(self, item: Any) -> str | None:
        """Push a job hash (``class``, ``args``, optional ``queue``, ``at``, ``retry``, ``jid``…).

        Returns the jid, or None when client middleware stopped the push.
        """
        if not isinstance(item, Mapping) or "class" not in item or "args" not in item:
            msg = f"Job must be a Hash with 'class' and 'args' keys: `{item!r}`"
            raise InvalidArgument(msg)
        klass = item["class"]
        if isinstance(klass, type) and issubclass(klass, Job):
            defaults = dict(klass.sidekiq_options)
            name = klass.job_name
        elif isinstance(klass, str) and klass:
            defaults = dict(_DEFAULTS)
            name = klass
        else:
            msg = (
                f"Job class must be either a Class or String representation of the class "
                f"name: `{item!r}`"
            )
            raise InvalidArgument(msg)
        if not isinstance(item["args"], list | tuple):
            msg = f"Job args must be an Array: `{item!r}`"
            raise InvalidArgument(msg)
        at = item.get("at")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int | float)):
            msg = f"Job 'at' must be a Numeric timestamp: `{item!r}`"
            raise InvalidArgument(msg)
        if at is not None and not math.isfinite(at):
            msg = f"Job 'at' must be a finite timestamp: `{item!r}`"
            raise InvalidArgument(msg)
        payload: dict[str, Any] = {**defaults, **item}
        payload["class"] = name
        payload["args"] = list(item["args"])
        queue = payload.get("queue")
        if not isinstance(queue, str) or not queue.strip():
            msg = f"Job must include a valid queue name: `{item!r}`"
            raise InvalidArgument(msg)
        after = self.profile.strict_args_after_middleware
        if not after:
            payload["args"] = self._check_args(name, payload["args"])
        if "jid" not in payload or payload["jid"] is None:
            payload["jid"] = self._jids()
        now = self._now()
        payload.setdefault("created_at", timestamp(self.profile, now))
        if self.middleware.active:
            result, _ = self.middleware.invoke(klass, payload, queue, lambda: payload)
            if not result:
                return None
            if isinstance(result, Mapping):
                payload = dict(result)
        if after:
            payload["args"] = self._check_args(name, payload["args"])
        self._write(payload, now)
        return str(payload["jid"])

    def _check_args(self, name: str, args: list[Any]) -> list[Any]:
        mode = self.strict_args
        found = find_non_native(args)
        if found is None or mode is False:
            return args if found is None else list(ruby_to_json(args))
        path, value = found
        text = (
            f"Job arguments to {name} must be native JSON types, but {path} is {value!r}; "
            f"{fix_hint(value, path)}"
        )
        if isinstance(value, float) or mode in ("raise", True):
            raise InvalidPayload(text)
        warnings.warn(JobsimWarning(text), stacklevel=4)
        return list(ruby_to_json(args))

    def _write(self, payload: dict[str, Any], now: float) -> None:
        at = payload.pop("at", None)
        if isinstance(at, int | float) and not isinstance(at, bool):
            self.redis.zadd("schedule", {dumps(payload): ruby_float(at)})
            return
        payload["enqueued_at"] = timestamp(self.profile, now)
        queue = str(payload["queue"])
        pipe = self.redis.pipeline(transaction=True)
        pipe.sadd(QUEUES_KEY, queue)
        pipe.lpush(f"{QUEUE_PREFIX}{queue}", dumps(payload))
        pipe.execute()
