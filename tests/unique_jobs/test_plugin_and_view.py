"""The plugin's configuration, ``sim.locks``, the reaper and the option watch."""

from __future__ import annotations

import warnings

import pytest

import jobsim
from jobsim.unique_jobs import LockInfo, UniqueJobs
from tests.unique_jobs.helpers import START, lock_job, unique_sim


def test_bad_configuration_is_refused_where_it_is_given() -> None:
    cases = [
        ({"digest": "sha1"}, "digest"),
        ({"version": "9"}, "version"),
        ({"version": "7", "digest": "modern"}, "sidekiq-unique-jobs 7 has only MD5 digests"),
        ({"on_conflict": "explode"}, "on_conflict='explode' is not valid"),
        ({"reaper": "python"}, "reaper"),
        ({"reaper_interval": 0}, "reaper_interval=0"),
        ({"lock_ttl": -1}, "lock_ttl=-1"),
    ]
    for given, message in cases:
        with pytest.raises(jobsim.InvalidArgument, match=message.replace("(", r"\(")):
            UniqueJobs(**given)  # type: ignore[arg-type]


def test_sim_locks_needs_the_plugin() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="no unique-jobs plugin"):
        _ = jobsim.Simulator().locks


def test_the_view_lists_digests_holders_and_expiry() -> None:
    sim = unique_sim(UniqueJobs(lock_ttl=300))
    job_class = lock_job("until_executed")
    with sim:
        jid = job_class.perform_async("ok")
    digest = sim.queue().jobs[0]["lock_digest"]
    assert list(sim.locks) == [LockInfo(digest, "until_executed", (jid,), START + 300)]
    assert sim.locks.held_by(jid) == [digest]
    assert sim.locks.holders("uniquejobs:nothing") == ()
    assert "until 2026-01-01T00:05:00Z" in repr(sim.locks.get(digest))
    sim.advance(300)
    assert len(sim.locks) == 0  # expired, as Redis expires the keys


def test_a_lock_limit_lets_n_jobs_hold_one_digest() -> None:
    sim = unique_sim()
    job_class = lock_job("until_executed", lock_limit=2)
    with sim:
        assert job_class.perform_async("ok") is not None
        assert job_class.perform_async("ok") is not None
        assert job_class.perform_async("ok") is None
    assert len(sim.locks.get(sim.queue().jobs[0]["lock_digest"]).holders) == 2  # type: ignore[union-attr]


def test_the_reaper_leaves_locks_whose_job_still_waits() -> None:
    sim = unique_sim(UniqueJobs(reaper_interval=60))
    job_class = lock_job("until_executed")
    with sim:
        jid = job_class.perform_in(3600, "ok")
    sim.advance(600)
    assert sim.locks.held_by(jid) != []
    sim.drain()
    assert sim.locks.digests == []


def test_no_reaper_keeps_orphans() -> None:
    sim = unique_sim(UniqueJobs(reaper=None))
    job_class = lock_job("until_executed")
    with sim:
        jid = job_class.perform_async("ok")
    sim.perform_job(jid)  # done: its lock went with it
    # a lock no job carries (a job lost in a crash, say)
    sim.locks._table.lock(
        "uniquejobs:orphan", "gone", sim.time, lock_type="until_executed", ttl=None
    )
    sim.advance(3600)
    assert len(sim.locks) == 1


def test_a_job_with_a_lock_warns_on_a_simulator_without_the_plugin() -> None:
    job_class = lock_job("until_executed")
    sim = jobsim.Simulator()
    with sim, pytest.warns(jobsim.JobsimWarning, match="UniqueJobs honours it"):
        job_class.perform_async("ok")
    with sim, warnings.catch_warnings():
        warnings.simplefilter("error")
        unique_sim().queue()  # the plugin honours every gem option: no warning
        with unique_sim():
            lock_job("until_executed", schedule_in=3, lock_prefix="p").perform_async("ok")


def test_plugins_by_short_name() -> None:
    sim = jobsim.Simulator(plugins=["unique_jobs", "enterprise_unique_jobs"])
    assert [plugin.name for plugin in sim.plugins] == ["unique_jobs", "enterprise_unique_jobs"]
    assert "lock" in sim.honoured_options
    assert "unique_for" in sim.honoured_options


def test_one_plugin_object_serves_two_simulators_without_sharing_locks() -> None:
    plugin = UniqueJobs()
    first, second = unique_sim(plugin), unique_sim(plugin)
    job_class = lock_job("until_executed")
    with first:
        assert job_class.perform_async("ok") is not None
    with second:
        assert job_class.perform_async("ok") is not None
    assert len(first.locks) == len(second.locks) == 1


def test_the_after_unlock_hook_runs_and_its_error_is_recorded() -> None:
    calls: list[str] = []

    class Hooked(jobsim.Job, lock="until_executed"):
        def perform(self, n: int) -> None:
            pass

        def after_unlock(self) -> None:
            calls.append(self.jid)
            raise ValueError("hook broke")

    sim = unique_sim()
    with sim:
        jid = Hooked.perform_async(1)
    sim.drain()
    assert calls == [jid]
    (event,) = sim.trace.of_kind("hook_error")
    assert event.detail["hook"] == "after_unlock"
    assert sim.locate(jid) == "done"
