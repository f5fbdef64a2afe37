"""Sidekiq::Testing.disable! (layer 7): job classes push into Redis, nothing runs.

``with jobsim.redis.disabled(redis) as client:`` routes ``perform_async`` and friends through a
:class:`~jobsim.redis.Client` into ``redis`` (fakeredis by default), so a test can look at the
raw keys exactly as Sidekiq would write them. No simulator is involved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jobsim import routing
from jobsim.enqueue import from_call
from jobsim.redis._client import Client

__all__ = ["RedisTarget", "disabled"]


class RedisTarget:
    """An enqueue target that pushes each job through a :class:`Client` into Redis."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def _enqueue_job(
        self, job_class: type[Any], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        # The routing door: the item perform_async would push, made as the simulator makes
        # it (jobsim.enqueue.from_call), written into Redis.
        client = self.client
        job, at = from_call(
            job_class,
            args,
            options,
            client.now(),
            strict_args=client.strict_args,
            check_now=not client.profile.strict_args_after_middleware,
        )
        return client.push_normalized(job, at, job_class)

    def _keeps_dropped_in_bulk(self) -> bool:
        # perform_bulk placeholders per the client's profile.
        return self.client.profile.bulk_keeps_dropped


@contextmanager
def disabled(redis: Any = None, **client_options: Any) -> Iterator[Client]:
    """Route job classes into ``redis`` (a fresh fakeredis when None) for the block."""
    if redis is None:
        from jobsim.redis import fake_redis

        redis = fake_redis()
    client = Client(redis, **client_options)
    target = RedisTarget(client)
    routing.activate(target)
    try:
        yield client
    finally:
        routing.deactivate(target)
