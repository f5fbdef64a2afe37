"""Bad input gets a clear error: what, where, which value, what to do — and loses nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import jobsim
from jobsim.cron import Cron
from tests.conftest import START


class Ping(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class Loop(jobsim.Job):
    def perform(self) -> None:
        Loop.perform_in(1)


def nested(depth: int) -> list[Any]:
    """A list holding a list ... ``depth`` levels deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def looped() -> dict[str, Any]:
    """A dict that holds itself."""
    value: dict[str, Any] = {"id": 1}
    value["self"] = value
    return value


def define(**options: Any) -> Callable[[], Any]:
    return lambda: type("Report", (jobsim.Job,), {}, **options)


def enqueue(action: Callable[[], Any], **sim_options: Any) -> Callable[[], Any]:
    def run() -> Any:
        with jobsim.Simulator(start=START, **sim_options):
            return action()

    return run


def sim_call(action: Callable[[jobsim.Simulator], Any], **sim_options: Any) -> Callable[[], Any]:
    def run() -> Any:
        sim = jobsim.Simulator(start=START, **sim_options)
        with sim:
            return action(sim)

    return run


CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "unknown class option",
        define(retyr=3),
        jobsim.InvalidOption,
        "class Report: unknown job option retyr=3; did you mean 'retry'? known options: "
        "backtrace, dead, queue, retry, retry_for, retry_queue, tags, the gems' options (lock, "
        "on_conflict, unique_for, throttle…), and your middleware's own once the job class "
        "names it: options_from=(TheMiddleware,)",
    ),
    (
        "retry of the wrong type",
        define(retry="5"),
        jobsim.InvalidOption,
        "class Report: option retry='5' is not valid; expected True, False or a number of "
        "retries >= 0",
    ),
    (
        "empty queue name",
        define(queue=" "),
        jobsim.InvalidOption,
        "class Report: option queue=' ' is not valid; expected a non-empty queue name (str)",
    ),
    (
        "absolute retry_for",
        define(retry_for=2_000_000_000),
        jobsim.InvalidOption,
        "class Report: option retry_for=2000000000 is not valid; expected a relative amount of "
        "time, e.g. timedelta(hours=48), not an epoch timestamp",
    ),
    (
        "typo in set()",
        lambda: Ping.set(wiat=5),
        jobsim.InvalidOption,
        "Ping.set(): unknown job option wiat=5; did you mean 'wait'? known options: "
        "backtrace, dead, queue, retry, retry_for, retry_queue, tags, wait, wait_until, the gems' "
        "options (lock, on_conflict, unique_for, throttle…), and your middleware's own once the "
        "job class names it: options_from=(TheMiddleware,)",
    ),
    (
        "no active simulator",
        lambda: Ping.perform_async(1),
        jobsim.NoActiveSimulator,
        "Ping.perform_async() was called with no active jobsim simulator, so the job has "
        "nowhere to go; enqueue inside `with jobsim.Simulator() as sim:` or use the pytest "
        "fixture `jobsim`",
    ),
    (
        "naive datetime",
        enqueue(lambda: Ping.perform_at(datetime(2026, 5, 1, 9))),
        jobsim.InvalidArgument,
        "wait=datetime.datetime(2026, 5, 1, 9, 0): a naive datetime; jobsim needs an aware "
        "one to know which instant you mean; pass wait.replace(tzinfo=UTC) or a datetime with "
        "a zone",
    ),
    (
        "interval of the wrong type",
        enqueue(lambda: Ping.perform_in("soon")),
        jobsim.InvalidArgument,
        "wait='soon': a str; pass seconds, a timedelta or an aware datetime",
    ),
    (
        "object as an argument",
        enqueue(lambda: Ping.perform_async(object)),
        jobsim.InvalidPayload,
        "Job arguments to Ping must be native JSON types, but args[0] is <class 'object'> "
        "(a builtins.type); pass an id the job can load (such as args[0].id), not the object "
        "itself. See https://github.com/sidekiq/sidekiq/wiki/Best-Practices",
    ),
    (
        "non-string key",
        enqueue(lambda: Ping.perform_async({1: 2})),
        jobsim.InvalidPayload,
        "Job arguments to Ping must be native JSON types, but args[0] key 1 is 1 (a "
        "builtins.int); use str keys in argument dicts (JSON object keys are always strings). "
        "See https://github.com/sidekiq/sidekiq/wiki/Best-Practices",
    ),
    (
        "unknown profile",
        lambda: jobsim.Simulator(profile="sidekiq-9"),
        jobsim.InvalidArgument,
        "profile='sidekiq-9' is not a Sidekiq profile jobsim knows; did you mean 'sidekiq-8'? "
        "choose one of sidekiq-6.4, sidekiq-7, sidekiq-8",
    ),
    (
        "seed that is not an int",
        lambda: jobsim.Simulator(seed="abc"),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "seed='abc': pass an int so runs can be repeated",
    ),
    (
        "jitter mode",
        lambda: jobsim.Simulator(jitter="mid"),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "jitter='mid': pass 'random', 'min' or 'max'",
    ),
    (
        "queues as one string",
        lambda: jobsim.Simulator(queues="default"),
        jobsim.InvalidArgument,
        "queues='default' is one string; pass a list of queue names, e.g. ['default']",
    ),
    (
        "queue listed twice",
        lambda: jobsim.Simulator(queues=["a", "a"]),
        jobsim.InvalidArgument,
        "queues: a cannot be defined twice",
    ),
    (
        "zero concurrency",
        lambda: jobsim.Simulator(concurrency=0),
        jobsim.InvalidArgument,
        "concurrency=0: pass a whole number >= 1",
    ),
    (
        "push without class",
        sim_call(lambda sim: sim.push({"args": []})),
        jobsim.InvalidArgument,
        "Job must be a Hash with 'class' and 'args' keys: `{'args': []}`",
    ),
    (
        "push with a bad class",
        sim_call(lambda sim: sim.push({"class": 5, "args": []})),
        jobsim.InvalidArgument,
        "Job class must be either a Class or String representation of the class name: "
        "`{'class': 5, 'args': []}`",
    ),
    (
        "push with args not a list",
        sim_call(lambda sim: sim.push({"class": "X", "args": "1"})),
        jobsim.InvalidArgument,
        "Job args must be an Array: `{'class': 'X', 'args': '1'}`",
    ),
    (
        "push with a bad at",
        sim_call(lambda sim: sim.push({"class": "X", "args": [], "at": "soon"})),
        jobsim.InvalidArgument,
        "Job 'at' must be a Numeric timestamp: `{'class': 'X', 'args': [], 'at': 'soon'}`",
    ),
    (
        "push with a jid that is not a str",
        sim_call(lambda sim: sim.push({"class": "X", "args": [], "jid": 5})),
        jobsim.InvalidArgument,
        "push(X): 'jid'=5: pass a non-empty str, or no 'jid' for a generated one",
    ),
    (
        "perform_one with a queue that is not a name",
        sim_call(lambda sim: sim.perform_one(["default"])),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "perform_one(queue)=['default']: pass a non-empty queue name (str)",
    ),
    (
        "a profile that is not a str",
        lambda: jobsim.Simulator(profile=[]),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "profile=[]: not a str; pass a profile name: sidekiq-6.4, sidekiq-7, sidekiq-8",
    ),
    (
        "queues that are not a list",
        lambda: jobsim.Simulator(queues=5),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "queues=5: pass a list of queue names, e.g. ['critical', 'default']",
    ),
    (
        "push with an empty queue",
        sim_call(lambda sim: sim.push({"class": "X", "args": [], "queue": ""})),
        jobsim.InvalidOption,
        "push(X): option queue='' is not valid; expected a non-empty queue name (str)",
    ),
    (
        "a lone surrogate in an argument",
        enqueue(lambda: Ping.perform_async("caf\ud800")),
        jobsim.InvalidPayload,
        "Job arguments to Ping cannot be written as JSON: args[0] holds the lone surrogate "
        "'\\ud800' at index 3, which is not UTF-8 (Ruby's JSON.generate: source sequence is "
        "illegal/malformed utf-8); pass text, flat data or an id the job can load (every "
        "strict_args mode refuses this, as Sidekiq's push raises)",
    ),
    (
        "a lone surrogate in a key, even when strict args only warn",
        enqueue(lambda: Ping.perform_async({"\udc80": 1}), strict_args=False),
        jobsim.InvalidPayload,
        "Job arguments to Ping cannot be written as JSON: args[0] key '\\udc80' holds the lone "
        "surrogate '\\udc80' at index 0, which is not UTF-8 (Ruby's JSON.generate: source "
        "sequence is illegal/malformed utf-8); pass text, flat data or an id the job can load "
        "(every strict_args mode refuses this, as Sidekiq's push raises)",
    ),
    (
        "a 100,000-deep argument",
        enqueue(lambda: Ping.perform_async(nested(100_000))),
        jobsim.InvalidPayload,
        "Job arguments to Ping cannot be written as JSON: args[0] nests a container 101 levels "
        "deep in the job hash, past the 100 levels Ruby's JSON.generate allows "
        "(JSON::NestingError); pass text, flat data or an id the job can load (every "
        "strict_args mode refuses this, as Sidekiq's push raises)",
    ),
    (
        "a self-referencing argument",
        sim_call(lambda sim: sim.push({"class": "X", "args": [1, looped()]})),
        jobsim.InvalidPayload,
        "Job arguments to X cannot be written as JSON: args[1]['self'] contains itself (a dict "
        "that refers back to an enclosing one); pass text, flat data or an id the job can load "
        "(every strict_args mode refuses this, as Sidekiq's push raises)",
    ),
    (
        "retry_for NaN",
        define(retry_for=float("nan")),
        jobsim.InvalidOption,
        "class Report: option retry_for=nan is not valid; expected a relative number of "
        "seconds or a timedelta",
    ),
    (
        "Cron.take with a count in a string",
        lambda: Cron("0 9 * * *").take(datetime(2026, 1, 1, tzinfo=UTC), "3"),  # type: ignore[arg-type]
        jobsim.InvalidArgument,
        "take(count)='3': pass a whole number between 0 and 100000",
    ),
    (
        "bulk arguments not nested",
        enqueue(lambda: Ping.perform_bulk([1, 2])),  # type: ignore[list-item]
        jobsim.InvalidArgument,
        "Bulk arguments must be an Array of Arrays: [[1], [2]]; item 0 is 1: wrap it as [1]",
    ),
    (
        "perform_one with nothing queued",
        sim_call(lambda sim: sim.perform_one()),
        jobsim.EmptyQueueError,
        "perform_one called with empty job queue: nothing is in any queue at "
        "2026-01-01T00:00:00+00:00 (0 scheduled, 0 retries pending); use drain() or advance() "
        "to reach them",
    ),
    (
        "negative advance",
        sim_call(lambda sim: sim.advance(-1)),
        jobsim.InvalidArgument,
        "advance(delta)=-1: out of range; pass seconds >= 0 or a timedelta",
    ),
    (
        "time going back",
        sim_call(lambda sim: sim.run_until(START - 60)),
        jobsim.ClockError,
        "cannot move the virtual clock back from 2026-01-01T00:00:00Z to "
        "2025-12-31T23:59:00Z; time in a simulation only moves forwards",
    ),
    (
        "retrying a jid that is not there",
        sim_call(lambda sim: sim.retries.retry("0" * 24)),
        jobsim.InvalidArgument,
        "no job with jid '000000000000000000000000' in the retry set (0 entries)",
    ),
    (
        "unknown event kind",
        lambda: jobsim.Simulator().trace.of_kind("finished"),
        jobsim.InvalidArgument,
        "of_kind('finished'): not an event kind; kinds are enqueued, scheduled, started, "
        "succeeded, failed, retry_scheduled, retries_exhausted, died, discarded, interrupted, "
        "lost, restored, cron_enqueued, batch, lock_conflict, hook_error, throttled, limiter",
    ),
    (
        "a negative trace tail",
        lambda: jobsim.Simulator().trace.tail(-2),
        jobsim.InvalidArgument,
        "tail(count)=-2: pass a whole number >= 0",
    ),
]


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [pytest.param(action, error, message, id=name) for name, action, error, message in CASES],
)
def test_bad_input_gets_an_exact_error(
    action: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        action()


def test_every_error_is_a_jobsim_error_and_the_matching_builtin() -> None:
    assert issubclass(jobsim.InvalidOption, jobsim.JobsimError)
    assert issubclass(jobsim.InvalidOption, ValueError)
    assert issubclass(jobsim.InvalidArgument, TypeError)
    assert issubclass(jobsim.UnknownJob, LookupError)
    assert issubclass(jobsim.StepLimitExceeded, RuntimeError)
    assert issubclass(jobsim.JobsimWarning, UserWarning)


def test_a_runaway_drain_stops_with_what_is_pending_and_loses_nothing() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = Loop.perform_async()
        with pytest.raises(jobsim.StepLimitExceeded) as caught:
            sim.drain(max_steps=50)
    assert str(caught.value) == (
        "drain() stopped after max_steps=50 jobs at 2026-01-01T00:00:50Z with 1 queued "
        "(default: 1); 0 scheduled; 0 retries; a job that enqueues itself or a recurring job "
        "never goes idle: pass a larger max_steps, max_steps=None, or use run_until()/advance()"
    )
    assert sim.locate(jid) == "done"
    assert sim.stats.enqueued == 1  # the job that would have been the 51st is still queued


def test_two_classes_with_one_name_are_refused() -> None:
    first = type("Twin", (jobsim.Job,), {"perform": lambda self: None})
    second = type("Twin", (jobsim.Job,), {"perform": lambda self: None})
    sim = jobsim.Simulator()
    with sim:
        first.perform_async()
        with pytest.raises(jobsim.InvalidArgument, match="two job classes are named 'Twin'"):
            second.perform_async()
    assert sim.stats.enqueued == 1


def test_keyboard_interrupt_puts_the_job_back_at_the_front() -> None:
    class Interrupted(jobsim.Job):
        def perform(self) -> None:
            raise KeyboardInterrupt

    sim = jobsim.Simulator()
    with sim:
        jid = Interrupted.perform_async()
        Ping.perform_async()
    with pytest.raises(KeyboardInterrupt):
        sim.drain()
    assert sim.queue().jobs[0]["jid"] == jid
    assert sim.trace.kinds()[-1] == "interrupted"


@pytest.mark.parametrize(("depth", "accepted"), [(98, True), (99, False)])
def test_the_nesting_limit_is_ruby_s(depth: int, accepted: bool) -> None:
    """Ruby's JSON.generate writes {"args" => [98 nested arrays]} and refuses 99 (checked
    against the installed json gem in tests/conformance when Ruby is there)."""
    sim = jobsim.Simulator(start=START)
    with sim:
        if accepted:
            Ping.perform_async(nested(depth))
        else:
            with pytest.raises(jobsim.InvalidPayload, match="101 levels deep"):
                Ping.perform_async(nested(depth))
    assert sim.stats.enqueued == int(accepted)


def test_a_refused_argument_leaves_what_was_queued_in_place() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = Ping.perform_async(1)
        with pytest.raises(jobsim.InvalidPayload):
            Ping.perform_async("\ud800")
    assert sim.locate(jid) == "queue:default"
    assert sim.drain() == 1


class CleanupFails(jobsim.Job):
    def perform(self, chained: bool) -> None:
        try:
            raise KeyboardInterrupt  # Sidekiq's Shutdown, raised into the job's thread
        except KeyboardInterrupt as interrupt:
            if chained:
                raise RuntimeError("could not release the lock") from interrupt
            raise RuntimeError("could not release the lock")  # noqa: B904 - implicit context


@pytest.mark.parametrize("chained", [True, False], ids=["from", "during"])
def test_an_error_caused_by_the_shutdown_follows_sidekiq(chained: bool) -> None:
    """JobRetry#local: `raise Sidekiq::Shutdown if exception_caused_by_shutdown?(e)`: the
    interrupt propagates, the job goes back to its queue, the retry set stays empty."""
    sim = jobsim.Simulator(start=START)
    with sim:
        jid = CleanupFails.perform_async(chained)
    with pytest.raises(KeyboardInterrupt) as caught:
        sim.drain()
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert sim.retries.size == 0
    assert sim.locate(jid) == "queue:default"
    last = sim.trace.tail(1)[0]
    assert (last.kind, last.detail["reason"]) == (
        "interrupted",
        "RuntimeError raised while handling KeyboardInterrupt; requeued",
    )
    assert sim.stats.failed == 1  # the stats wrapper counts it, as Sidekiq's does


class LowPriority(jobsim.Job, queue="low"):
    def perform(self) -> None:
        pass


def test_drain_warns_about_jobs_in_queues_no_process_serves() -> None:
    sim = jobsim.Simulator(start=START, queues=["default", "mailers"])
    with sim:
        jid = LowPriority.perform_async()
        Ping.perform_async()
    with pytest.warns(jobsim.JobsimWarning) as caught:
        assert sim.drain() == 1
    [message] = [str(warning.message) for warning in caught]
    lines = message.splitlines()
    assert lines[0] == (
        "drain(): 1 job wait in queues this simulator does not serve (queues=['default', "
        "'mailers']); a Sidekiq process with these queues never runs them:"
    )
    assert lines[1] == f"  queue 'low': LowPriority jid={jid}"
    assert lines[2].startswith("Serve the queue (add it to queues=)")
    assert sim.queue("low").size == 1  # still there, as in Redis


def test_a_simulator_serving_every_queue_does_not_warn() -> None:
    sim = jobsim.Simulator(start=START)
    with sim:
        LowPriority.perform_async()
    assert sim.drain() == 1
