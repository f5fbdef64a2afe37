"""Sidekiq Enterprise's unique jobs: ``unique_for`` and ``unique_until``."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.unique_jobs import EnterpriseUniqueJobs, enterprise_digest
from tests.unique_jobs.helpers import Boom, unique_sim


def ent_job(**options: Any) -> type[jobsim.Job]:
    runs: list[str] = []

    def perform(self: jobsim.Job, mode: str) -> None:
        runs.append(mode)
        if mode == "fail":
            raise Boom(mode)

    return type("Ent", (jobsim.Job,), {"perform": perform, "runs": runs}, **options)


def test_a_duplicate_within_the_window_is_refused() -> None:
    sim = unique_sim(EnterpriseUniqueJobs())
    job_class = ent_job(unique_for=600)
    with sim:
        first = job_class.perform_async("ok")
        assert job_class.perform_async("ok") is None
        assert job_class.perform_async("other") is not None  # other args: another lock
        assert job_class.set(queue="low").perform_async("ok") is not None  # another queue
    (conflict,) = sim.trace.of_kind("lock_conflict")
    assert conflict.detail["holder"] == first
    digest = enterprise_digest({"class": "Ent", "queue": "default", "args": ["ok"]})
    assert conflict.detail["digest"] == digest == 'unique:Ent:default:["ok"]'
    assert sim.locks.get(digest).expires_at == sim.time + 600  # type: ignore[union-attr]


def test_success_releases_and_the_window_expires() -> None:
    sim = unique_sim(EnterpriseUniqueJobs())
    job_class = ent_job(unique_for=600)
    with sim:
        job_class.perform_async("ok")
    sim.drain()
    assert sim.locks.digests == []
    with sim:
        job_class.perform_in(10, "ok")
    assert sim.locks.get('unique:Ent:default:["ok"]').expires_at == sim.time + 610  # type: ignore[union-attr]


@pytest.mark.parametrize(("until", "held_while_running"), [("success", True), ("start", False)])
def test_unique_until(until: str, held_while_running: bool) -> None:
    sim = unique_sim(EnterpriseUniqueJobs())
    job_class = ent_job(unique_for=600, unique_until=until)
    job_class.duration = 30
    with sim:
        job_class.perform_async("ok")
    sim.run_until(sim.time + 1)
    assert (len(sim.locks) == 1) is held_while_running


def test_a_failure_keeps_the_lock_and_death_releases_it() -> None:
    sim = unique_sim(EnterpriseUniqueJobs())
    job_class = ent_job(unique_for=3600, retry=1)
    with sim:
        jid = job_class.perform_async("fail")
    sim.run_due()
    assert sim.locate(jid) == "retry"
    assert len(sim.locks) == 1
    with sim:
        assert job_class.perform_async("fail") is None
    sim.drain()
    assert job_class.runs == ["fail", "fail"]  # type: ignore[attr-defined]
    assert sim.locate(jid) == "dead"
    assert sim.locks.digests == []


def test_both_plugins_share_one_locks_view() -> None:
    from jobsim.unique_jobs import UniqueJobs

    sim = unique_sim(UniqueJobs(), EnterpriseUniqueJobs())
    gem = type("Gem", (jobsim.Job,), {"perform": lambda self, n: None}, lock="until_executed")
    ent = ent_job(unique_for=60)
    with sim:
        gem.perform_async(1)
        ent.perform_async("ok")
    assert [info.lock_type for info in sim.locks] == ["unique_for", "until_executed"]
