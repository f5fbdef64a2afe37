"""The fast paths of the unique-jobs plugin change nothing anyone can see.

Three ways to run the same mixed workload must give the same trace bytes, the same locks and
the same saved Redis layout:

* as shipped: the middleware alone in each chain is called through ``passes`` (no closure,
  no parsed copy), lock options come from the per-class resolutions, and the usual push and
  ``until_executed`` start take ``_lanes``;
* the general path: no lanes, every push and start resolved afresh;
* the chain: the middleware made per call (not stateless), so the chain runs ``call`` around
  ``call_next`` on the parsed copy, as for any middleware.

The workload covers what sends a job off the lanes: conflicts, failures and retries, a
scheduled push, per-push options (``lock_timeout=1.0`` where the class says ``1``: equal, but
written differently), a lock-args method, TTLs that expire while a job waits, a lock expired
by hand, a runtime lock with two places, the ``after_unlock`` hook (one that raises),
``replace`` and ``reschedule``, and a class whose options change in place between pushes.
"""

from __future__ import annotations

import io
from typing import Any

import fakeredis
import pytest

import jobsim
from jobsim.redis import save_state
from jobsim.unique_jobs import UniqueJobs, _middleware, expire_locks
from jobsim.unique_jobs._middleware import UniqueClient, UniqueServer
from jobsim.unique_jobs._prepare import resolve, server_options
from jobsim.unique_jobs._resolutions import Resolutions
from tests.unique_jobs.helpers import LOCKS, Boom, lock_job, unique_sim


def workload() -> tuple[str, list[Any], dict[str, Any]]:
    sim = unique_sim(UniqueJobs(reaper_interval=300), concurrency=3)
    classes = [
        lock_job(lock, f"{lock}_{ttl}", lock_ttl=ttl) for lock in LOCKS for ttl in (None, 40)
    ]
    unlocked: list[str] = []

    class Hooked(jobsim.Job, lock="until_executed", lock_timeout=1):
        def perform(self, n: int) -> None:
            if n == 3:
                raise Boom("three")

        def after_unlock(self) -> None:
            unlocked.append(str(self.jid))
            if len(unlocked) == 2:
                raise RuntimeError("the hook fails once")

    class ByFirst(jobsim.Job, lock="until_executed", lock_args_method=lambda args: [args[0]]):
        def perform(self, a: int, b: int) -> None:
            return None

    class Replacing(jobsim.Job, lock="until_executing", on_conflict="replace"):
        def perform(self, n: int) -> None:
            return None

    class Switched(jobsim.Job, lock="until_executed"):
        def perform(self, n: int) -> None:
            return None

    class Pair(jobsim.Job, lock="while_executing", lock_limit=2, on_conflict="reschedule"):
        duration = 10

        def perform(self, n: int) -> None:
            return None

    class Again(jobsim.Job, lock="while_executing", on_conflict="reschedule"):
        duration = 20

        def perform(self, n: int) -> None:
            return None

    with sim:
        for job_class in classes:
            for mode in ("ok", "ok", "fail", "discard"):  # the second "ok" conflicts
                job_class.perform_async(mode)
            job_class.perform_in(30, "ok")
        for n in (1, 2, 3, 1):
            Hooked.perform_async(n)
        Hooked.set(lock_timeout=1.0).perform_async(4)  # equal to the class's 1, not the same
        Hooked.set(lock_ttl=90).perform_async(5)
        ByFirst.perform_async(1, 2)
        ByFirst.perform_async(1, 3)  # same lock args: conflict
        for n in (7, 7, 8):
            Replacing.perform_async(n)
        for _ in range(3):
            Again.perform_async(1)
    sim.advance(1)
    with sim:
        for _ in range(3):  # two hold the runtime lock at once, the third is rescheduled
            Pair.perform_async(1)
        Switched.set(lock="until_executed").perform_async(1)
    sim.advance(1)
    with sim:
        waiting = Hooked.perform_in(50, 6)
        queued = Hooked.perform_async(10)
    assert waiting is not None
    assert queued is not None
    expire_locks(sim, waiting)  # its lock goes while it waits: its start takes it again
    expire_locks(sim, queued)  # and this one's is taken by another job before it starts
    Hooked.sidekiq_options["lock_ttl"] = 15  # changed in place: a new resolution
    # the same per-push value as before, but the class (read first for the lock type) changed:
    # a while_executing job takes no lock on push, so the duplicate below is pushed
    Switched.sidekiq_options["lock"] = "while_executing"
    with sim:
        Hooked.perform_in(100, 10)
        Hooked.perform_async(9)
        Replacing.perform_async(8)
        assert Switched.set(lock="until_executed").perform_async(2) is not None
        assert Switched.set(lock="until_executed").perform_async(2) is not None
    sim.advance(45)  # the 40 s TTLs run out while retries wait
    sim.drain()
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    locks = [(i.digest, i.lock_type, i.holders, i.expires_at) for i in sim.locks]
    redis = fakeredis.FakeRedis(decode_responses=True)
    save_state(sim, redis)
    layout = {key: _dumped(redis, key) for key in sorted(redis.keys("*"))}
    return out.getvalue(), [*locks, ("unlocked", unlocked)], layout


def _dumped(redis: Any, key: str) -> Any:
    kind = redis.type(key)
    if kind == "hash":
        return redis.hgetall(key)
    if kind == "zset":
        return redis.zrange(key, 0, -1, withscores=True)
    if kind == "list":
        return redis.lrange(key, 0, -1)
    if kind == "set":
        return sorted(redis.smembers(key))
    return redis.get(key)


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    """No lanes and no reuse: every push and start takes the general path."""
    monkeypatch.setattr(_middleware, "push_simple", lambda *args: False)
    monkeypatch.setattr(_middleware, "start_until_executed", lambda *args: False)
    monkeypatch.setattr(_middleware, "start_while_executing", lambda *args: False)

    def on_push(self: Resolutions, job: Any, job_class: Any) -> Any:
        return resolve(job, job_class, self.settings, {})

    def at_start(self: Resolutions, job: Any, job_class: Any) -> Any:
        return server_options(job, getattr(job_class, "sidekiq_options", {}), self.settings)

    monkeypatch.setattr(Resolutions, "on_push", on_push)
    monkeypatch.setattr(Resolutions, "at_start", at_start)


@pytest.fixture(scope="module")
def shipped() -> tuple[str, list[Any], dict[str, Any]]:
    return workload()


def test_the_workload_reaches_what_leaves_the_lanes(
    shipped: tuple[str, list[Any], dict[str, Any]],
) -> None:
    trace, locks, _ = shipped
    for kind in ("lock_conflict", "retry", "scheduled", "hook_error", "died"):
        assert f'"{kind}"' in trace, kind
    assert '"replaced"' in trace
    assert '"rescheduled_as"' in trace
    assert '"lock_timeout":1.0' in trace
    assert '"lock_timeout":1,' in trace
    assert '"lock_ttl":15' in trace  # the option changed in place was seen
    assert "perform skipped" in trace  # a start whose lock another job took
    assert locks[-1][1]  # after_unlock ran


def test_the_general_path_gives_the_same_bytes(
    shipped: tuple[str, list[Any], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _general(monkeypatch)
    assert workload() == shipped


def test_the_chain_gives_the_same_bytes(
    shipped: tuple[str, list[Any], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for klass in (UniqueClient, UniqueServer):
        monkeypatch.setattr(klass, "stateless", False)
    assert workload() == shipped


def test_the_lanes_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above mean something only if the shipped run takes the lanes."""
    taken = dict.fromkeys(("push_simple", "start_until_executed", "start_while_executing"), 0)
    for name in taken:
        lane = getattr(_middleware, name)
        monkeypatch.setattr(
            _middleware, name, lambda *a, _n=name, _lane=lane: _count(taken, _n, _lane(*a))
        )
    sim = unique_sim()
    with sim:
        for lock in ("until_executed", "while_executing"):
            job_class = lock_job(lock)
            # until_executed: the second "ok" conflicts on push (not a lane); while_executing
            # locks nothing on push, and each run (no duration) ends before the next starts
            for mode in ("ok", "fail", "ok"):
                job_class.perform_async(mode)
    sim.run_due()
    assert taken == {"push_simple": 5, "start_until_executed": 2, "start_while_executing": 3}


def _count(taken: dict[str, int], key: str, ran: bool) -> bool:
    taken[key] += ran
    return ran
