"""Port of sidekiq-unique-jobs v8.1.0 ``spec/sidekiq_unique_jobs/lock/*_spec.rb`` (and the shared
examples they use, ``spec/support/shared_examples/*.rb``): one test per behavioural example, its
id the upstream file and line.

Not ported (Ruby-only mechanics, n/a): the ``reflect(...)`` expectations (the gem's
instrumentation hooks; jobsim records ``lock_conflict`` events instead) in
``until_executed_spec.rb:63``, ``until_executing_spec.rb:54``, ``until_expired_spec.rb:46, 58``,
``a_lockable_lock.rb:30``, ``an_executing_lock_implementation.rb:44``; examples that stub
``locksmith.execute`` to raise or return nil (``an_executing_lock_implementation.rb:4, 25``,
``while_executing_spec.rb:111``, ``until_and_while_executing_spec.rb:136``), ported instead as a
raising block; ``until_and_while_executing_spec.rb:41`` (Ruby object identity of ``item.dup``);
``base_lock_spec.rb`` and the validator specs (covered by jobsim's class-definition checks,
``tests/test_gem_options.py``); ``while_executing_reject_spec.rb`` (a lock type removed from the
gem's public list).
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from tests.conformance._unique_harness import Process, runtime_for

SPEC = "sidekiq-unique-jobs/spec/sidekiq_unique_jobs/lock"
SHARED = "sidekiq-unique-jobs/spec/support/shared_examples"
ARGS = ["array", "of", "arguments"]


class UntilExecutedJob(jobsim.Job, lock="until_executed", queue="executed"):
    def perform(self, *args: Any) -> None:
        pass


class UntilExecutingJob(jobsim.Job, lock="until_executing", queue="executed"):
    def perform(self, *args: Any) -> None:
        pass


class UntilExpiredJob(jobsim.Job, lock="until_expired", queue="rejecting"):
    def perform(self, *args: Any) -> None:
        pass


class WhileExecutingJob(jobsim.Job, lock="while_executing", queue="while_executing"):
    def perform(self, *args: Any) -> None:
        pass


class WhileExecutingRescheduleJob(
    jobsim.Job, lock="while_executing", on_conflict="reschedule", queue="working"
):
    def perform(self, *args: Any) -> None:
        pass


class AnotherUniqueJobJob(jobsim.Job, lock="until_and_while_executing", queue="another_queue"):
    def perform(self, *args: Any) -> None:
        pass


CLASSES = {
    "until_executed": UntilExecutedJob,
    "until_executing": UntilExecutingJob,
    "until_expired": UntilExpiredJob,
    "while_executing": WhileExecutingJob,
    "until_and_while_executing": AnotherUniqueJobJob,
}


def processes(lock: str, job_class: type[jobsim.Job] | None = None) -> tuple[Process, Process]:
    klass = job_class or CLASSES[lock]
    runtime = runtime_for(klass)

    def item(jid: str) -> dict[str, Any]:
        return {
            "jid": jid,
            "class": klass.job_name,
            "queue": klass.sidekiq_options["queue"],
            "lock": lock,
            "args": list(ARGS),
        }

    return Process(runtime, item("jid one")), Process(runtime, item("jid two"))


def boom() -> None:
    raise RuntimeError("Hell")


def example(path: str, line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("upstream", [f"{path}:{line}"], ids=[f"{path}:{line}"])


CLIENT_LOCKS = ["until_executed", "until_executing", "until_expired", "until_and_while_executing"]
EXECUTING_LOCKS = ["until_executed", "until_expired"]


# -- a_lockable_lock.rb: "a lock implementation" (until_executed, until_executing, until_expired,
#    until_and_while_executing) ------------------------------------------------------------------


@pytest.mark.parametrize("lock", CLIENT_LOCKS)
@example(SHARED + "/a_lockable_lock.rb", 11)
def test_can_be_locked(lock: str, upstream: str) -> None:
    one, _ = processes(lock)
    assert one.lock() == "jid one"


@pytest.mark.parametrize("lock", CLIENT_LOCKS)
@example(SHARED + "/a_lockable_lock.rb", 18)
def test_has_locked_process_one(lock: str, upstream: str) -> None:
    one, _ = processes(lock)
    one.lock()
    assert one.locked()


@pytest.mark.parametrize("lock", CLIENT_LOCKS)
@example(SHARED + "/a_lockable_lock.rb", 22)
def test_prevents_process_two_from_locking(lock: str, upstream: str) -> None:
    one, two = processes(lock)
    one.lock()
    assert two.lock() is None


@pytest.mark.parametrize("lock", CLIENT_LOCKS)
@example(SHARED + "/a_lockable_lock.rb", 26)
def test_prevents_process_two_from_executing(lock: str, upstream: str) -> None:
    one, two = processes(lock)
    one.lock()
    ran: list[bool] = []
    assert two.execute(lambda: ran.append(True)) is None
    # until_executing's execute yields whatever its unlock returned (until_executing.rb); the
    # others do not run the block.
    assert ran == ([True] if lock == "until_executing" else [])


# -- an_executing_lock_implementation.rb (until_executed, until_expired) ---------------------


@pytest.mark.parametrize("lock", EXECUTING_LOCKS)
@example(SHARED + "/an_executing_lock_implementation.rb", 19)
def test_keeps_being_locked_while_executing(lock: str, upstream: str) -> None:
    one, _ = processes(lock)
    one.lock()
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.locked()))
    assert seen == [True]


@pytest.mark.parametrize("lock", EXECUTING_LOCKS)
@example(SHARED + "/an_executing_lock_implementation.rb", 25)
def test_keeps_being_locked_when_an_error_is_raised(lock: str, upstream: str) -> None:
    one, _ = processes(lock)
    one.lock()
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert one.locked()


@pytest.mark.parametrize("lock", EXECUTING_LOCKS)
@example(SHARED + "/an_executing_lock_implementation.rb", 33)
def test_prevents_process_two_from_locking_while_one_executes(lock: str, upstream: str) -> None:
    one, two = processes(lock)
    one.lock()
    seen: list[Any] = []
    one.execute(lambda: seen.extend([two.lock(), two.locked()]))
    assert seen == [None, False]


@pytest.mark.parametrize("lock", EXECUTING_LOCKS)
@example(SHARED + "/an_executing_lock_implementation.rb", 40)
def test_process_two_does_not_execute_and_does_not_raise(lock: str, upstream: str) -> None:
    one, two = processes(lock)
    one.lock()
    two.execute(boom)  # the block never runs


@pytest.mark.parametrize("lock", EXECUTING_LOCKS)
@example(SHARED + "/an_executing_lock_implementation.rb", 51)
def test_yields_without_arguments(lock: str, upstream: str) -> None:
    one, _ = processes(lock)
    one.lock()
    one.execute()
    one.execute(lambda: None)


# -- until_executed_spec.rb --------------------------------------------------------------------


@example(SPEC + "/until_executed_spec.rb", 40)
def test_until_executed_unlocks_after_executing(upstream: str) -> None:
    one, _ = processes("until_executed")
    one.lock()
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.locked()))
    assert seen == [True]
    assert not one.locked()


@example(SPEC + "/until_executed_spec.rb", 51)
def test_until_executed_keeps_the_lock_while_in_retry(upstream: str) -> None:
    one, _ = processes("until_executed")
    one.lock()
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert one.locked()


@example(SPEC + "/until_executed_spec.rb", 57)
def test_until_executed_prevents_process_two_locking_while_in_retry(upstream: str) -> None:
    one, two = processes("until_executed")
    one.lock()
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert two.lock() is None


# -- until_executing_spec.rb -------------------------------------------------------------------


@example(SPEC + "/until_executing_spec.rb", 38)
def test_until_executing_unlocks_before_executing(upstream: str) -> None:
    one, _ = processes("until_executing")
    one.lock()
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.locked()))
    assert seen == [False]


@example(SPEC + "/until_executing_spec.rb", 48)
def test_until_executing_locks_the_job_again_on_error(upstream: str) -> None:
    one, _ = processes("until_executing")
    one.lock()
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert one.locked()


# -- until_expired_spec.rb ---------------------------------------------------------------------


@example(SPEC + "/until_expired_spec.rb", 40)
def test_until_expired_keeps_the_lock_after_executing(upstream: str) -> None:
    one, _ = processes("until_expired")
    one.lock()
    one.execute()
    assert one.locked()


@example(SPEC + "/until_expired_spec.rb", 71)
def test_until_expired_process_two_does_not_run_when_it_cannot_lock(upstream: str) -> None:
    one, two = processes("until_expired")
    one.lock()
    two.execute(lambda: pytest.fail("should not run"))


# -- while_executing_spec.rb -------------------------------------------------------------------


@example(SPEC + "/while_executing_spec.rb", 36)
def test_while_executing_does_not_lock_jobs(upstream: str) -> None:
    one, two = processes("while_executing")
    assert one.lock() == "jid one"
    assert not one.locked()
    assert two.lock() == "jid two"
    assert not two.locked()


@example(SPEC + "/while_executing_spec.rb", 46)
def test_while_executing_locks_the_process(upstream: str) -> None:
    one, _ = processes("while_executing")
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.locked()))
    assert seen == [True]
    assert one.digest.endswith(":RUN")


@example(SPEC + "/while_executing_spec.rb", 52)
def test_while_executing_calls_back(upstream: str) -> None:
    one, _ = processes("while_executing")
    one.execute()
    assert one.callbacks == 1


@example(SPEC + "/while_executing_spec.rb", 57)
def test_while_executing_prevents_other_processes_from_executing(upstream: str) -> None:
    one, two = processes("while_executing")
    unset: list[bool] = []

    def inner() -> None:
        two.execute(lambda: unset.append(False))

    one.execute(inner)
    assert unset == []
    assert (one.callbacks, two.callbacks) == (1, 0)


@example(SPEC + "/while_executing_spec.rb", 69)
def test_while_executing_yields_without_arguments(upstream: str) -> None:
    one, _ = processes("while_executing")
    one.lock()
    one.execute()
    one.execute(lambda: None)


@example(SPEC + "/while_executing_spec.rb", 92)
def test_while_executing_calls_the_server_strategy_of_the_second(upstream: str) -> None:
    one, two = processes("while_executing", WhileExecutingRescheduleJob)
    sim = one.runtime.sim
    one.execute(lambda: two.execute())
    # The spec's item carries no on_conflict, and LockConfig reads the strategy from the item:
    # the server strategy called once is the null strategy.
    (conflict,) = sim.trace.of_kind("lock_conflict")
    assert (conflict.jid, conflict.detail["phase"], conflict.detail["strategy"]) == (
        "jid two",
        "server",
        "none",
    )
    assert (one.callbacks, two.callbacks) == (1, 0)


@example(SPEC + "/while_executing_spec.rb", 116)
def test_while_executing_always_unlocks(upstream: str) -> None:
    one, _ = processes("while_executing")
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert not one.locked()


# -- until_and_while_executing_spec.rb ---------------------------------------------------------


@example(SPEC + "/until_and_while_executing_spec.rb", 46)
def test_uawe_has_not_locked_runtime_one(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    one.lock()
    assert not one.runtime_locked()


@example(SPEC + "/until_and_while_executing_spec.rb", 52)
def test_uawe_releases_the_lock_for_process_one(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.locked()))
    assert seen == [False]


@example(SPEC + "/until_and_while_executing_spec.rb", 58)
def test_uawe_is_locked_by_runtime_one(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    seen: list[bool] = []
    one.execute(lambda: seen.append(one.runtime_locked()))
    assert seen == [True]


@example(SPEC + "/until_and_while_executing_spec.rb", 64)
def test_uawe_allows_process_two_to_lock(upstream: str) -> None:
    one, two = processes("until_and_while_executing")
    seen: list[Any] = []
    one.execute(lambda: seen.append(two.lock()))
    assert seen == ["jid two"]


@example(SPEC + "/until_and_while_executing_spec.rb", 70)
def test_uawe_prevents_process_two_from_executing(upstream: str) -> None:
    one, two = processes("until_and_while_executing")
    one.lock()
    two.execute(boom)  # two's unlock fails (one holds the lock): the block never runs


@example(SPEC + "/until_and_while_executing_spec.rb", 75)
def test_uawe_process_two_cannot_execute_the_job(upstream: str) -> None:
    one, two = processes("until_and_while_executing")
    unset: list[bool] = []

    def inner() -> None:
        two.lock()
        two.execute(lambda: unset.append(False))

    one.execute(inner)
    assert unset == []


@example(SPEC + "/until_and_while_executing_spec.rb", 84)
def test_uawe_yields_without_arguments(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    one.lock()
    one.execute()
    one.execute(lambda: None)


@example(SPEC + "/until_and_while_executing_spec.rb", 93)
def test_uawe_still_executes_when_the_client_lock_expired(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    one.lock()
    one.runtime.table.delete(one.digest)  # the keys UNLINKed, as the spec does
    assert not one.locked()
    executed: list[bool] = []
    one.execute(lambda: executed.append(True))
    assert executed == [True]


@example(SPEC + "/until_and_while_executing_spec.rb", 113)
def test_uawe_executes_without_a_client_lock(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    executed: list[bool] = []
    one.execute(lambda: executed.append(True))
    assert executed == [True]


@example(SPEC + "/until_and_while_executing_spec.rb", 122)
def test_uawe_sequential_jobs_each_execute_once(upstream: str) -> None:
    one, two = processes("until_and_while_executing")
    results: list[str] = []
    one.lock()
    one.execute(lambda: results.append("one"))
    assert results == ["one"]
    two.lock()
    two.execute(lambda: results.append("two"))
    assert results == ["one", "two"]


@example(SPEC + "/until_and_while_executing_spec.rb", 141)
def test_uawe_an_error_locks_the_client_lock_again(upstream: str) -> None:
    one, _ = processes("until_and_while_executing")
    one.lock()
    with pytest.raises(RuntimeError, match="Hell"):
        one.execute(boom)
    assert one.locked()
    assert not one.runtime_locked()
