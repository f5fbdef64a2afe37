"""Port of the ``lock_timeout`` examples of sidekiq-unique-jobs v8.1.0
``spec/sidekiq_unique_jobs/locksmith_spec.rb``: one test per example, its id the upstream file
and line.

``Locksmith#execute`` is the runtime lock's acquisition, which jobsim's server middleware does
for a ``while_executing`` job; the examples run through the same harness as the lock specs.
With the lock held by another jid, ``queue.lua`` returns the holder and the blocking pop that
``lock_timeout`` bounds is never reached, so the second process is refused at once for every
timeout (see ``docs/how-to/unique-jobs.md``, "lock_timeout").

Not ported: ``locksmith_spec.rb:305`` ("waits for brpoplpush when resolving the promise"), which
stubs the private ``brpoplpush`` to sleep 0.75 s and return the jid: a Ruby thread-timing
mechanic with no counterpart on the virtual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from tests.conformance._unique_harness import Process, runtime_for

SPEC = "sidekiq-unique-jobs/spec/sidekiq_unique_jobs/locksmith_spec.rb"


class UntilExecutedJob(jobsim.Job, lock="while_executing", queue="default"):
    def perform(self, *args: Any) -> None:
        pass


def locksmiths(lock_timeout: float | None) -> tuple[Process, Process]:
    runtime = runtime_for(UntilExecutedJob)

    def item(jid: str) -> dict[str, Any]:
        return {
            "class": "UntilExecutedJob",
            "jid": jid,
            "lock": "while_executing",
            "lock_args": ["abc"],
            "lock_limit": 1,
            "lock_timeout": lock_timeout,
            "lock_ttl": None,
            "queue": "default",
            "args": ["abc"],
        }

    return Process(runtime, item("maaaahjid")), Process(runtime, item("jidmayhem"))


def example(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("upstream", [f"{SPEC}:{line}"], ids=[f"{SPEC}:{line}"])


def _second_gets_in(timeout: float | None) -> bool:
    one, two = locksmiths(timeout)
    did_we_get_in: list[bool] = []

    def outer() -> None:
        two.execute(lambda: did_we_get_in.append(True))

    one.execute(outer)
    return bool(did_we_get_in)


@example(197)
def test_when_lock_timeout_is_zero_it_does_not_block(upstream: str) -> None:
    assert _second_gets_in(0) is False


@example(209)
def test_when_lock_timeout_is_zero_it_is_locked(upstream: str) -> None:
    one, _ = locksmiths(0)
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.runtime_locked()))
    assert seen == [True]
    assert not one.runtime_locked()  # lock_ttl is nil: released after execute


@example(293)
def test_when_lock_timeout_is_1_it_blocks_other_locks(upstream: str) -> None:
    assert _second_gets_in(1) is False
