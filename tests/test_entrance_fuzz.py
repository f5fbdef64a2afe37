"""Hypothesis at every public entrance of the Python API (issue #15's proof).

Each test feeds one entrance odd values — wrong types, NaN and infinities, huge and negative
numbers, naive and far-away datetimes, odd unicode (lone surrogates included), deep and
self-referencing nesting, malformed config text — and checks the one property:

* the call succeeds or raises a :class:`jobsim.JobsimError` (a plain builtin error, a
  ``RecursionError`` or an ``OverflowError`` from inside jobsim fails the test);
* it ends: every run verb is given a bounded ``max_steps``;
* nothing is lost: each job enqueued before the bad call is still in exactly one place
  afterwards (a queue, a sorted set, or finished with a trace event saying how).

The command line has its own fuzzer (tests/cli/test_cli_fuzz.py) and the pytest options their
explicit cases (tests/plugin/test_plugin_options.py): a pytester run per example would be too
slow for a suite that CI runs three times.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.cron import Cron
from jobsim.sidekiq_config import parse_sidekiq_yml
from jobsim.yaml_input import load_yaml
from tests.conftest import START

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _looped() -> list[Any]:
    value: list[Any] = [1]
    value.append(value)
    return value


NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 10**9, 2**63, 1e20, -1e20, 1e308, float("nan"), float("inf")]),
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\ud800", "caf\udfff", "\x00", "٣", "10" * 30, "nan", "3"]),
)
DATETIMES = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from(
        [
            datetime.max,
            datetime.min,
            datetime.max.replace(tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
            datetime(9999, 12, 31, tzinfo=timezone(timedelta(hours=14))),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-12))),
        ]
    ),
)
DELTAS = st.one_of(
    st.timedeltas(),
    st.sampled_from([timedelta.max, timedelta.min, timedelta(0), timedelta(days=-1)]),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=3)
    ),
    max_leaves=8,
)
ODD = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    TEXT,
    DATETIMES,
    DELTAS,
    JSONISH,
    st.builds(_nested, st.sampled_from([99, 100, 900])),  # deeper: tested below
    st.builds(_looped),
    st.builds(object),
    st.sampled_from([b"bytes", (1, 2), {1, 2}, [object()], jobsim.Job]),
)


class Ping(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class Flaky(jobsim.Job, retry=3):
    def perform(self, *args: Any) -> None:
        raise ValueError("always")


def seeded(**options: Any) -> tuple[jobsim.Simulator, list[str]]:
    """A simulator holding a job in each place: a retry, a queued and a scheduled job."""
    sim = jobsim.Simulator(start=START, **options)
    with sim:
        failing = Flaky.perform_async()
        assert failing is not None
        sim.perform_one()
        queued = Ping.perform_async(1)
        later = Ping.perform_in(3600, 2)
    jids = [failing, queued, later]
    assert all(jid is not None for jid in jids)
    return sim, [str(jid) for jid in jids]


_FINISHED = ("done", "discarded", "dead", "lost")


def places(sim: jobsim.Simulator, jid: str) -> list[str]:
    """Every place holding ``jid`` (a correct simulator has at most one)."""
    found = [f"queue:{name}" for name in sim.stats.queues if sim.queue(name).find_job(jid)]
    for name, view in (("schedule", sim.scheduled), ("retry", sim.retries), ("dead", sim.dead)):
        if view.find_job(jid) is not None:
            found.append(name)
    return found


def assert_nothing_lost(sim: jobsim.Simulator, jids: list[str], before: list[str]) -> None:
    for jid, was in zip(jids, before, strict=True):
        held = places(sim, jid)
        where = sim.locate(jid)
        assert len(held) <= 1, (jid, held)
        if held:
            assert where == held[0], (jid, where, held)
        else:
            assert where in _FINISHED, (jid, was, where)


def survive(sim: jobsim.Simulator, jids: list[str], call: Callable[[], Any]) -> Any:
    """``call()``'s result, None when it raised a JobsimError; checks that nothing was lost."""
    before = [sim.locate(jid) for jid in jids]
    try:
        result = call()
    except jobsim.JobsimError:
        result = None
    assert_nothing_lost(sim, jids, before)
    return result


@FUZZ
@given(
    st.sampled_from(
        ["start", "seed", "concurrency", "queues", "jitter", "strict_args", "profile",
         "poll_interval_average", "max_retries", "trace_limit", "fetch", "durations",
         "poll_interval", "process_count", "mode", "dead_max_jobs", "dead_timeout", "plugins",
         "young_gc"]
    ),
    ODD,
)  # fmt: skip
def test_the_constructor_accepts_or_refuses_with_a_jobsim_error(option: str, value: Any) -> None:
    try:
        sim = jobsim.Simulator(**{option: value})
    except jobsim.JobsimError:
        return
    with sim:
        jid = survive(sim, [], Ping.perform_async)
    survive(sim, [jid] if jid else [], lambda: sim.drain(max_steps=50))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["class", "args", "at", "queue", "retry", "jid", "tags", "retry_for"]),
        ODD,
        max_size=5,
    ),
    st.booleans(),
)
def test_push_of_any_hash(item: dict[str, Any], with_basics: bool) -> None:
    sim, jids = seeded()
    if with_basics:
        item = {"class": "Ping", "args": [], **item}
    with sim:
        jid = survive(sim, jids, lambda: sim.push(item))
    if jid is not None:
        assert len(places(sim, jid)) == 1


@FUZZ
@given(
    st.sampled_from(["perform_async", "perform_in", "perform_at", "set_wait", "bulk"]),
    ODD,
    st.lists(ODD, max_size=3),
)
def test_the_job_class_verbs(verb: str, when: Any, args: list[Any]) -> None:
    sim, jids = seeded()
    calls: dict[str, Callable[[], Any]] = {
        "perform_async": lambda: Ping.perform_async(*args),
        "perform_in": lambda: Ping.perform_in(when, *args),
        "perform_at": lambda: Ping.perform_at(when, *args),
        "set_wait": lambda: Ping.set(wait=when).perform_async(*args),
        "bulk": lambda: Ping.perform_bulk([args, [when]]),
    }
    with sim:
        survive(sim, jids, calls[verb])


@FUZZ
@given(
    st.sampled_from(["advance", "run_until", "drain", "run_due", "perform_one", "shutdown"]),
    ODD,
    st.one_of(st.none(), st.integers(min_value=-5, max_value=200), ODD),
)
def test_the_run_verbs_end_and_lose_nothing(verb: str, value: Any, max_steps: Any) -> None:
    sim, jids = seeded()
    steps = 200 if max_steps is None else max_steps  # None would mean "no limit"
    calls: dict[str, Callable[[], Any]] = {
        "advance": lambda: sim.advance(value, max_steps=steps),
        "run_until": lambda: sim.run_until(value, max_steps=steps),
        "drain": lambda: sim.drain(max_steps=steps),
        "run_due": lambda: sim.run_due(max_steps=steps),
        "perform_one": lambda: sim.perform_one(value),
        "shutdown": lambda: sim.shutdown(value),
    }
    survive(sim, jids, calls[verb])
    assert math.isfinite(sim.time)


@FUZZ
@given(
    st.sampled_from(["retry", "queue", "retry_for", "backtrace", "dead", "tags", "retry_queue",
                     "lock", "throttle", "retyr", "wait"]),
    ODD,
)  # fmt: skip
def test_job_options_at_class_definition(option: str, value: Any) -> None:
    try:
        job_class = type("Fuzzed", (jobsim.Job,), {}, **{option: value})
    except jobsim.JobsimError:
        return
    sim, jids = seeded()
    with sim:
        survive(sim, jids, job_class.perform_async)
    survive(sim, jids, lambda: sim.drain(max_steps=100))


@FUZZ
@given(
    st.one_of(
        TEXT,
        st.sampled_from(["0 9 * * *", "*/0 * * * *", "61 * * * *", "@daily", "every day at noon",
                         "* * 31 2 *", "0 9 * * 1-5 Mars/Base", "1-" * 30 + "1 * * * *"]),
        ODD,
    ),
    st.one_of(st.none(), TEXT, st.sampled_from(["UTC", "Mars/Base", "../etc/passwd"])),
    DATETIMES,
    ODD,
)  # fmt: skip
def test_cron_parses_and_answers_or_refuses(
    expression: Any, tz: Any, when: datetime, count: Any
) -> None:
    try:
        cron = Cron(expression, tz=tz)
        cron.next_after(when)
        cron.previous_before(when)
        cron.take(when, count)
    except jobsim.JobsimError:
        pass


YAML_PIECES = st.sampled_from(
    [":concurrency: 5\n", ":concurency: 5\n", ":queues:\n  - default\n", ":queues: default\n",
     ":queus: [a]\n", "production:\n  :concurrency: 9\n", ":timeout: nan\n", "[1, 2\n",
     "a: &a [1, 2]\nb: [*a, *a]\n", "a: &l [1, *l]\n", "- 1\n", "\t:x: 1\n",
     "!!python/object:os.system {}\n",
     "a: " + "[" * 80 + "]" * 80 + "\n", ":concurrency: <%= ENV['X'] %>\n", "\ud800: 1\n", ""]
)  # fmt: skip


@FUZZ
@given(st.lists(YAML_PIECES, max_size=4), st.one_of(st.none(), TEXT))
def test_sidekiq_yml_text_loads_or_refuses(pieces: list[str], environment: Any) -> None:
    text = "".join(pieces)
    try:
        options = parse_sidekiq_yml(text, environment=environment, env={})
    except jobsim.JobsimError:  # a JobsimWarning too: the suite makes warnings errors
        return
    timeout = options.pop("shutdown_timeout", 25)  # a property, as from_sidekiq_yml sets it
    with contextlib.suppress(jobsim.JobsimError):
        jobsim.Simulator(**options).shutdown_timeout = timeout


@FUZZ
@given(st.lists(YAML_PIECES, max_size=4))
def test_any_yaml_text_is_data_or_a_jobsim_error(pieces: list[str]) -> None:
    with contextlib.suppress(jobsim.JobsimError):
        load_yaml("".join(pieces), source="fuzz.yml")


@pytest.mark.parametrize("depth", [10, 1_000, 100_000])
def test_no_entrance_recurses_on_deep_arguments(depth: int) -> None:
    sim, jids = seeded()
    with sim:
        survive(sim, jids, lambda: Ping.perform_async(_nested(depth)))
        survive(sim, jids, lambda: sim.push({"class": "Ping", "args": [_nested(depth)]}))
    survive(sim, jids, lambda: sim.drain(max_steps=100))
