"""Sidekiq::Testing.disable!: job classes push into (fake) Redis and nothing runs."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

import jobsim
from jobsim.redis import disabled


class Notify(jobsim.Job, queue="mailers", retry=3):
    def perform(self, *args: Any) -> None:
        raise AssertionError("nothing runs in disabled mode")


def test_perform_async_writes_sidekiqs_keys() -> None:
    with disabled(profile="sidekiq-6.4") as client:
        jid = Notify.perform_async(42, "x")
        Notify.perform_in(timedelta(minutes=5), 43)
    redis = client.redis
    assert redis.smembers("queues") == {b"mailers"}
    (raw,) = redis.lrange("queue:mailers", 0, -1)
    job = json.loads(raw)
    assert (job["class"], job["args"], job["jid"], job["retry"]) == ("Notify", [42, "x"], jid, 3)
    ((member, score),) = redis.zrange("schedule", 0, -1, withscores=True)
    assert json.loads(member)["args"] == [43]
    assert score == pytest.approx(client.now() + 300)
    assert "at" not in json.loads(member)


def test_disabled_mode_writes_keys_in_sidekiqs_order() -> None:
    # Sidekiq 6.4.1's Setter: perform_async puts args before class, the class-level
    # perform_in class before args (tests/conformance/test_key_order_conformance.py).
    with disabled(profile="sidekiq-6.4") as client:
        Notify.perform_async(1)
        Notify.set(queue="mailers").perform_async(2)
        Notify.perform_in(300, 3)
    redis = client.redis
    now_keys = [list(json.loads(raw)) for raw in reversed(redis.lrange("queue:mailers", 0, -1))]
    later = [list(json.loads(member)) for member in redis.zrange("schedule", 0, -1)]
    expected = ["retry", "queue", "args", "class", "jid", "created_at", "enqueued_at"]
    assert now_keys == [expected, expected]
    assert later == [["retry", "queue", "class", "args", "jid", "created_at"]]


def test_routing_ends_with_the_block() -> None:
    with disabled():
        Notify.perform_async(1)
    with pytest.raises(jobsim.NoActiveSimulator):
        Notify.perform_async(2)
