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
from jobsim.client import resolve_at
from jobsim.redis._client import Client

__all__ = ["RedisTarget", "disabled"]


class RedisTarget:
    """An enqueue target that pushes each job through a :class:`Client` into Redis."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def enqueue_job(
        self, job_class: type[Any], args: tuple[Any, ...] | list[Any], options: Mapping[str, Any]
    ) -> str | None:
        """Build Sidekiq's item from the call and push it (``wait`` becomes ``at``).

        The item's keys come in Sidekiq's order: the options, then ``args`` and ``class``
        (a ``class`` option, which ``perform_in`` and ``perform_bulk`` pass, puts the class
        before the arguments, as Sidekiq's class-level verbs do).
        """
        item: dict[str, Any] = {}
        for key, value in options.items():
            if key in ("wait", "wait_until"):
                at = resolve_at(value, self.client.now(), name=key)
                if at is not None:
                    item["at"] = at
            else:
                item[key] = value
        item["args"] = list(args)
        item["class"] = job_class
        return self.client.push(item)

    def keeps_dropped_in_bulk(self) -> bool:
        """``perform_bulk`` placeholders per the client's profile."""
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
