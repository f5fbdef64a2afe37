"""Held locks through the gem's Redis keys: saved, loaded, honoured."""

from __future__ import annotations

import pytest

import jobsim
from jobsim.redis import RedisDataError, fake_redis, load_state, save_state
from jobsim.unique_jobs import UniqueJobs, load_locks, save_locks
from tests.unique_jobs.helpers import lock_job, unique_sim


def test_a_saved_state_carries_its_locks_and_a_loaded_one_honours_them() -> None:
    redis = fake_redis()
    job_class = lock_job("until_executed", lock_ttl=600)
    sim = unique_sim()
    with sim:
        jid = job_class.perform_async("ok")
    save_state(sim, redis)
    assert save_locks(sim, redis) == 1
    digest = sim.queue().jobs[0]["lock_digest"]
    assert redis.hgetall(digest + ":LOCKED").keys() == {jid.encode()}
    assert [member for member, _ in redis.zrange("uniquejobs:digests", 0, -1, withscores=True)] == [
        digest.encode()
    ]
    assert 0 < redis.pttl(digest + ":LOCKED") <= 600_000

    again = unique_sim(seed=4, start=sim.time + 100)  # other jids than the first run
    again.register(job_class)
    load_state(redis, again)
    assert load_locks(redis, again) == 1
    info = again.locks.get(digest)
    assert info is not None
    assert info.holders == (jid,)
    assert info.expires_at is not None
    assert 0 < info.expires_at - again.time <= 600
    with again:
        assert job_class.perform_async("ok") is None  # the loaded lock refuses the duplicate
    again.drain()
    assert again.locate(jid) == "done"
    assert len(again.locks) == 0


def test_until_expired_goes_to_the_expiring_digests() -> None:
    redis = fake_redis()
    sim = unique_sim()
    job_class = lock_job("until_expired", lock_ttl=60)
    with sim:
        job_class.perform_async("ok")
    sim.drain()
    save_locks(sim, redis)
    assert redis.zcard("uniquejobs:expiring_digests") == 1
    again = unique_sim()
    load_locks(redis, again)
    assert [info.lock_type for info in again.locks] == ["until_expired"]


def test_the_plugin_is_needed() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="no unique-jobs plugin"):
        save_locks(jobsim.Simulator(), fake_redis())
    with pytest.raises(jobsim.InvalidArgument, match="no unique-jobs plugin"):
        load_locks(fake_redis(), jobsim.Simulator())


def test_one_plugin_object_is_fine_for_both_sides() -> None:
    plugin = UniqueJobs()
    assert unique_sim(plugin).plugins == unique_sim(plugin).plugins


def test_save_state_and_load_state_carry_the_locks_through_the_plugin() -> None:
    redis = fake_redis()
    job_class = lock_job("until_executed")
    sim = unique_sim()
    with sim:
        jid = job_class.perform_async("ok")
    save_state(sim, redis)  # no save_locks call: the plugin's save_redis hook writes them
    assert redis.zcard("uniquejobs:digests") == 1
    again = unique_sim(seed=4)
    again.register(job_class)
    load_state(redis, again)
    assert [info.holders for info in again.locks] == [(jid,)]
    with again:
        assert job_class.perform_async("ok") is None


def test_save_state_without_a_unique_plugin_writes_no_lock_keys() -> None:
    redis = fake_redis()
    save_state(jobsim.Simulator(), redis)
    assert list(redis.scan_iter(match="uniquejobs:*")) == []


class Nightly(jobsim.Job, unique_for=600, unique_until="start"):
    def perform(self, day: str) -> None:
        pass


def test_enterprise_locks_go_under_jobsim_keys_with_their_ttl_and_come_back() -> None:
    redis = fake_redis()
    sim = unique_sim("enterprise_unique_jobs")
    with sim:
        jid = Nightly.perform_in(60, "mon")
    save_state(sim, redis)
    key = 'jobsim:unique:Nightly:default:["mon"]'
    assert redis.get(key) == jid.encode()
    assert 600_000 < redis.pttl(key) <= 660_000  # unique_for plus the delay
    assert list(redis.scan_iter(match="unique:*")) == []  # never Enterprise's own names

    again = unique_sim("enterprise_unique_jobs", seed=4, start=sim.time + 100)
    again.register(Nightly)
    load_state(redis, again)
    (info,) = list(again.locks)
    assert (info.digest, info.lock_type, info.holders) == (
        key[len("jobsim:") :],
        "unique_for",
        (jid,),
    )
    assert info.expires_at is not None
    assert 600 < info.expires_at - again.time <= 660  # the time left counts from the new clock
    with again:
        assert Nightly.perform_async("mon") is None  # the loaded lock refuses the duplicate


def test_save_locks_clears_the_enterprise_keys_it_wrote_before() -> None:
    redis = fake_redis()
    sim = unique_sim("enterprise_unique_jobs")
    with sim:
        Nightly.perform_async("mon")
    assert save_locks(sim, redis) == 1
    sim.drain()  # unique_until start: released
    assert save_locks(sim, redis) == 0
    assert list(redis.scan_iter(match="jobsim:unique:*")) == []


def test_a_bad_enterprise_lock_value_is_refused() -> None:
    redis = fake_redis()
    redis.set('jobsim:unique:Nightly:default:["mon"]', "x" * 100)
    with pytest.raises(RedisDataError, match="holds a jid"):
        load_locks(redis, unique_sim("enterprise_unique_jobs"))
