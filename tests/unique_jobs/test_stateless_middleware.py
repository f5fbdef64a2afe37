"""The unique-jobs middleware declare ``stateless = True``, so a chain reuses one instance
instead of making one per push and per perform (Sidekiq's rule). That is only allowed if
nothing can tell: the same mixed run, with the middleware made per call, must give the same
trace bytes and the same locks."""

from __future__ import annotations

import io
from typing import Any

import pytest

from jobsim.unique_jobs._middleware import UniqueClient, UniqueServer
from tests.unique_jobs.helpers import LOCKS, lock_job, unique_sim


def run_mixed() -> tuple[str, list[str]]:
    sim = unique_sim()
    classes = [lock_job(lock, lock_ttl=600) for lock in LOCKS]
    with sim:
        for job_class in classes:
            for mode in ("ok", "fail", "discard", "ok"):  # the second "ok" conflicts
                job_class.perform_async(mode)
            job_class.perform_in(30, "ok")
    sim.drain()
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return out.getvalue(), list(sim.locks.digests)


def test_the_unique_middleware_declare_themselves_stateless() -> None:
    assert UniqueClient.stateless is True
    assert UniqueServer.stateless is True


def test_a_reused_instance_runs_as_a_new_one_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    reused = run_mixed()
    made: list[Any] = []
    for klass in (UniqueClient, UniqueServer):
        monkeypatch.setattr(klass, "stateless", False)
        original = klass.__init__

        def counting(self: Any, *args: Any, _original: Any = original) -> None:
            made.append(self)
            _original(self, *args)

        monkeypatch.setattr(klass, "__init__", counting)
    fresh = run_mixed()
    assert len(made) > 20  # the second run really made an instance per call
    assert fresh == reused
    assert "lock_conflict" in reused[0]
    assert "retry" in reused[0]
