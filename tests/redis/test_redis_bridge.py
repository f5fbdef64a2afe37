"""jobsim.redis on fakeredis: the key layout, the producer client, save/load, dumps, bad input."""

from __future__ import annotations

import io
import json
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.redis import (
    Client,
    RedisDataError,
    dump_state,
    fake_redis,
    load_dump,
    load_state,
    ruby_float,
    save_state,
    snapshot,
)


class Charge(jobsim.Job):
    def perform(self, order: int) -> None:
        if order < 0:
            msg = "card declined"
            raise RuntimeError(msg)


def busy_sim(profile: str = "sidekiq-7") -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=3, profile=profile)
    with sim:
        Charge.perform_async(-1)
        Charge.set(retry=0).perform_async(-2)
        Charge.perform_in(3600, 5)
        Charge.set(queue="critical").perform_in(60, 6)
    sim.run_due()
    with sim:
        Charge.perform_async(7)
        Charge.set(queue="low").perform_async(8)
    return sim


def loaded(redis: Any, profile: str = "sidekiq-7") -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=9, profile=profile)
    sim.register(Charge)
    load_state(redis, sim)
    return sim


# -- layout ------------------------------------------------------------------------------------


def test_save_writes_sidekiqs_keys() -> None:
    sim = busy_sim()
    redis = fake_redis()
    save_state(sim, redis)
    assert redis.smembers("queues") == {b"default", b"low"}  # critical: only scheduled
    # LPUSH: the oldest job is at the tail, where BRPOP takes it.
    oldest = json.loads(redis.lindex("queue:default", -1))
    assert oldest["args"] == [7]
    assert redis.zcard("schedule") == 2
    retry = redis.zrange("retry", 0, -1, withscores=True)
    assert len(retry) == 1
    assert json.loads(retry[0][0])["retry_count"] == 0
    assert redis.zcard("dead") == 1
    assert redis.get("stat:processed") == b"2"
    assert redis.get("stat:failed") == b"2"
    assert redis.get("stat:processed:2026-01-01") == b"2"
    assert redis.ttl("stat:processed:2026-01-01") > 4 * 365 * 86400


def test_save_keeps_jobs_of_queues_the_simulator_does_not_serve() -> None:
    sim = jobsim.Simulator(queues=["critical"])
    with sim:
        sim.push({"class": "Elsewhere", "args": [1], "queue": "reports"})
    redis = fake_redis()
    layout = save_state(sim, redis)
    assert list(layout.queues) == ["critical", "reports"]
    assert redis.llen("queue:reports") == 1
    assert b"reports" in redis.smembers("queues")


def test_scheduled_members_have_no_at_and_score_is_run_time() -> None:
    sim = busy_sim()
    redis = fake_redis()
    save_state(sim, redis)
    (member, score), _ = redis.zrange("schedule", 0, -1, withscores=True)
    assert "at" not in json.loads(member)
    assert score == sim.time + 60


def test_sidekiq_8_writes_integer_milliseconds() -> None:
    redis = fake_redis()
    save_state(busy_sim("sidekiq-8"), redis)
    job = json.loads(redis.lindex("queue:default", 0))
    assert isinstance(job["enqueued_at"], int)
    assert job["enqueued_at"] == 1767225600000


def test_round_trip_is_lossless() -> None:
    sim = busy_sim()
    redis = fake_redis()
    written = save_state(sim, redis)
    again = snapshot(loaded(redis))
    assert again.queues == written.queues
    assert again.sets == written.sets
    assert (again.processed, again.failed) == (written.processed, written.failed)


def test_loaded_state_runs_on() -> None:
    redis = fake_redis()
    save_state(busy_sim(), redis)
    sim = loaded(redis)
    sim.advance(7200)
    assert sim.stats.enqueued == 0
    assert len(sim.scheduled) == 0
    assert sim.trace.of_kind("succeeded")


def test_save_clears_old_keys_by_default() -> None:
    redis = fake_redis()
    redis.lpush("queue:stale", '{"class":"X","args":[],"jid":"a","queue":"stale"}')
    redis.sadd("queues", "stale")
    save_state(busy_sim(), redis)
    assert not redis.exists("queue:stale")
    assert b"stale" not in redis.smembers("queues")


def test_unknown_classes_are_kept_with_a_warning() -> None:
    redis = fake_redis()
    Client(redis, profile="sidekiq-7").push({"class": "Ruby::Only", "args": [1]})
    sim = jobsim.Simulator(seed=1, profile="sidekiq-7")
    with pytest.warns(jobsim.JobsimWarning, match=r"Ruby::Only ×1.*kept unchanged"):
        report = load_state(redis, sim)
    assert report.unknown_classes == {"Ruby::Only": 1}
    assert [job["class"] for job in sim.queue("default").jobs] == ["Ruby::Only"]


def test_ruby_float_matches_ruby() -> None:
    assert ruby_float(1767225600.0) == "1767225600.0"
    assert ruby_float(1767225600.123456) == "1767225600.123456"
    assert ruby_float(1e16) == "1.0e+16"
    assert ruby_float(1e-05) == "1.0e-05"
    assert ruby_float(2.5e-07) == "2.5e-07"
    assert ruby_float(1767225600) == "1767225600"
    with pytest.raises(RedisDataError):
        ruby_float(float("nan"))


# -- the producer client -----------------------------------------------------------------------


def test_client_push_writes_what_sidekiq_writes() -> None:
    redis = fake_redis()
    client = Client(redis, profile="sidekiq-6.4", seed=1)
    jid = client.push({"class": "HardJob", "args": [1, "x"]})
    assert jid is not None
    assert len(jid) == 24
    member = redis.lindex("queue:default", 0).decode()
    assert list(json.loads(member)) == [
        "retry", "queue", "class", "args", "jid", "created_at", "enqueued_at",
    ]  # fmt: skip
    assert redis.smembers("queues") == {b"default"}


def test_client_push_with_at_schedules() -> None:
    redis = fake_redis()
    jid = Client(redis).push({"class": "Later", "args": [], "at": 1767229200.5, "queue": "q"})
    ((member, score),) = redis.zrange("schedule", 0, -1, withscores=True)
    assert score == 1767229200.5
    job = json.loads(member)
    assert job["jid"] == jid
    assert "at" not in job
    assert "enqueued_at" not in job
    assert not redis.exists("queues")


def test_client_middleware_runs_and_can_stop() -> None:
    class Tag:
        def call(self, klass: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            job["tags"] = ["py"]
            return call_next()

    class Stop:
        def call(self, klass: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return None if job["args"] == [0] else call_next()

    redis = fake_redis()
    client = Client(redis)
    client.middleware.add(Tag)
    client.middleware.add(Stop)
    assert client.push({"class": "A", "args": [0]}) is None
    assert client.push({"class": "A", "args": [1]}) is not None
    assert redis.llen("queue:default") == 1
    assert json.loads(redis.lindex("queue:default", 0))["tags"] == ["py"]


def test_client_rejects_bad_hashes() -> None:
    client = Client(fake_redis(), profile="sidekiq-7")
    with pytest.raises(jobsim.InvalidArgument, match="'class' and 'args'"):
        client.push({"args": []})
    with pytest.raises(jobsim.InvalidArgument, match="Array"):
        client.push({"class": "A", "args": "x"})
    with pytest.raises(jobsim.InvalidArgument, match="Numeric"):
        client.push({"class": "A", "args": [], "at": "soon"})
    with pytest.raises(jobsim.InvalidPayload, match=r"args\[0\]"):
        client.push({"class": "A", "args": [{1, 2}]})


def test_client_with_a_job_class_uses_its_options() -> None:
    class Mailer(jobsim.Job, queue="mailers", retry=3):
        def perform(self) -> None: ...

    redis = fake_redis()
    Client(redis).push({"class": Mailer, "args": []})
    job = json.loads(redis.lindex("queue:mailers", 0))
    assert (job["class"], job["retry"]) == ("Mailer", 3)


# -- dumps and untrusted input -----------------------------------------------------------------


def test_dump_round_trip() -> None:
    redis = fake_redis()
    written = save_state(busy_sim(), redis)
    out = io.StringIO()
    dump_state(redis, out)
    sim = jobsim.Simulator(seed=1, profile="sidekiq-7")
    sim.register(Charge)
    load_dump(out.getvalue().splitlines(), sim)
    again = snapshot(sim)
    assert (again.queues, again.sets) == (written.queues, written.sets)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("{not json", r"queue:default member 0 .* is not valid JSON"),
        ("[1, 2]", r"is a JSON list"),
        ('{"class": "A", "args": {}, "jid": "j", "queue": "default"}', r"'args'"),
        ('{"class": 5, "args": [], "jid": "j", "queue": "default"}', r"'class' 5"),
        ('{"class": "A", "args": [], "queue": "default"}', r"'jid'"),
        ('{"class": "A", "args": [NaN], "jid": "j", "queue": "default"}', r"not valid JSON"),
        (
            '{"class":"A","args":[],"jid":"j9","queue":"default","retry_count":"2"}',
            r"j9.*retry_count",
        ),
        (b"\xff\xfe", r"not UTF-8"),
    ],
)
def test_bad_members_name_key_and_member(member: Any, message: str) -> None:
    redis = fake_redis()
    redis.sadd("queues", "default")
    redis.lpush("queue:default", member)
    sim = jobsim.Simulator(seed=1)
    with pytest.raises(RedisDataError, match=message):
        load_state(redis, sim)
    assert sim.stats.enqueued == 0  # nothing half-loaded


def test_oversized_member_is_refused() -> None:
    redis = fake_redis()
    big = json.dumps({"class": "A", "args": ["x" * 5000], "jid": "j", "queue": "q"})
    redis.zadd("retry", {big: 1.0})
    with pytest.raises(RedisDataError, match=r"retry member 0 .* over the limit of 1,000"):
        load_state(redis, jobsim.Simulator(), max_member_bytes=1000)


def test_wrong_key_types_and_counters() -> None:
    redis = fake_redis()
    redis.set("retry", "oops")
    with pytest.raises(RedisDataError, match="'retry' is not a sorted set"):
        load_state(redis, jobsim.Simulator())
    redis = fake_redis()
    redis.set("stat:processed", "many")
    with pytest.raises(RedisDataError, match="stat:processed holds 'many'"):
        load_state(redis, jobsim.Simulator())


def test_bad_dump_lines() -> None:
    with pytest.raises(RedisDataError, match="dump line 2: is not JSON"):
        load_dump(['{"key":"queues","member":"a"}', "{"], jobsim.Simulator())
    with pytest.raises(RedisDataError, match="dump line 1: key 'processes'"):
        load_dump(['{"key":"processes","member":"a"}'], jobsim.Simulator())


def test_orphan_queue_lists_are_loaded_with_a_warning() -> None:
    redis = fake_redis()
    redis.lpush("queue:hidden", '{"class":"A","args":[],"jid":"j","queue":"hidden"}')
    sim = jobsim.Simulator()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_state(redis, sim)
    assert any("hidden" in str(item.message) for item in caught)
    assert sim.queue("hidden").size == 1


# -- the round-trip property -------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_job = st.fixed_dictionaries(
    {
        "class": st.sampled_from(["Charge", "Ruby::Only", "Mailer"]),
        "args": st.lists(_json, max_size=3),
        "jid": st.text("0123456789abcdef", min_size=24, max_size=24),
        "queue": st.sampled_from(["default", "low", "ü-queue"]),
        "retry": st.booleans() | st.integers(0, 25),
        "created_at": st.floats(1.6e9, 1.9e9) | st.integers(1_600_000_000_000, 1_900_000_000_000),
    },
    optional={"retry_count": st.integers(0, 25), "error_message": st.text(max_size=20)},
)
_score = st.floats(1.6e9, 1.9e9)


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "queues": draw(st.dictionaries(st.sampled_from(["default", "low", "ü-queue"]),
                                       st.lists(_job, max_size=4), max_size=3)),
        "sets": {key: draw(st.lists(st.tuples(_score, _job), max_size=4,
                                    unique_by=lambda pair: pair[1]["jid"]))
                 for key in ("schedule", "retry", "dead")},
        "processed": draw(st.integers(0, 10**12)),
        "failed": draw(st.integers(0, 10**12)),
    }  # fmt: skip


def fill(redis: Any, state: dict[str, Any]) -> None:
    for name, jobs in state["queues"].items():
        redis.sadd("queues", name)
        for job in jobs:
            redis.lpush(f"queue:{name}", json.dumps(job, separators=(",", ":"), ensure_ascii=False))
    for key, entries in state["sets"].items():
        for score, job in entries:
            redis.zadd(key, {json.dumps(job, separators=(",", ":"), ensure_ascii=False): score})
    redis.set("stat:processed", state["processed"])
    redis.set("stat:failed", state["failed"])


def keyspace(redis: Any) -> dict[str, Any]:
    """Everything of the layout, decoded, in Redis's own order."""
    names = sorted(redis.smembers("queues"))
    return {
        "queues": names,
        "lists": {name: [json.loads(m) for m in redis.lrange(b"queue:" + name, 0, -1)]
                  for name in names},
        "sets": {key: [(json.loads(m), s) for m, s in redis.zrange(key, 0, -1, withscores=True)]
                 for key in ("schedule", "retry", "dead")},
        "stats": (redis.get("stat:processed"), redis.get("stat:failed")),
    }  # fmt: skip


def check_round_trip(state: dict[str, Any], first: Any, second: Any) -> None:
    fill(first, state)
    before = keyspace(first)
    sim = jobsim.Simulator(seed=1, profile="sidekiq-7")
    sim.register(Charge)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jobsim.JobsimWarning)
        load_state(first, sim)
    save_state(sim, second)
    assert keyspace(second) == before


@settings(max_examples=60, deadline=None)
@given(states())
def test_round_trip_property_on_fakeredis(state: dict[str, Any]) -> None:
    check_round_trip(state, fake_redis(), fake_redis())
