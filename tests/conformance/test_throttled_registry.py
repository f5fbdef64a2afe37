"""sidekiq-throttled 2.1.0's ``registry_spec.rb``, ``job_spec.rb``,
``middlewares/server_spec.rb``, ``message_spec.rb`` (under ``spec/lib/sidekiq/throttled/``) and
``spec/lib/sidekiq/throttled_spec.rb`` at tag v2.1.0 (read
upstream), ported: each upstream example is one test whose id names its file and line.

``Registry.add(name, ...)`` is ``Throttled(shared={name: ...})``, ``Registry.add_alias`` (and
``sidekiq_throttle_as``) is ``throttled_as=``, ``sidekiq_throttle`` a class's ``throttle=``
and ``Registry.get`` the plugin's lookup by class name. The server middleware's ``finalize!``
is :meth:`ThrottleGate.finished`, which the engine calls once an execution ends.

Not applicable (n/a), by line:

- registry_spec.rb 30 (``Strategy.new`` spied on), 89, 96, 101, 107, 117 (``Registry.each``
  and ``each_with_static_keys``: Ruby enumeration API the gem's Web UI reads; jobsim's view is
  :func:`jobsim.throttled.throttles`).
- job_spec.rb 11 (the ``Sidekiq::Throttled::Worker`` constant alias).
- middlewares/server_spec.rb 29, 34, 72, 77, 94, 99, 106, 111 (the middleware yields to its
  block and returns its result: jobsim's gate is told after an execution and never wraps it).
- throttled_spec.rb 13, 25 (the gem installing its middleware and BasicFetch patch into
  Sidekiq: the plugin's ``install`` is tested in tests/test_plugins.py), 30 (a message that is
  not JSON: jobsim's jobs are hashes).
- message_spec.rb 30, 56, 62, 68, 86, 112, 118, 124, 142, 168, 174, 180 (a payload given as a
  JSON string, or not a hash: jobsim's jobs are always hashes).
- expirable_set_spec.rb (the cooldown's Ruby set; its behaviour is cooldown_spec.rb's, ported
  in test_throttled_fetch.py), web_spec.rb and web/stats_spec.rb (the Web UI).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import jobsim
from jobsim.throttled import Throttled
from jobsim.throttled._gate import ThrottleGate, subject
from jobsim.throttled._plugin import GATE
from jobsim.throttled._spec import Strategy

REGISTRY = "spec/lib/sidekiq/throttled/registry_spec.rb"
JOB = "spec/lib/sidekiq/throttled/job_spec.rb"
SERVER = "spec/lib/sidekiq/throttled/middlewares/server_spec.rb"
THRESHOLD: dict[str, Any] = {"threshold": {"limit": 1, "period": 1}}
CONCURRENCY: dict[str, Any] = {"concurrency": {"limit": 1}}


def perform(self: Any, *args: Any) -> None:
    pass


def job_class(name: str, *bases: type, **options: Any) -> type[jobsim.Job]:
    return type(name, bases or (jobsim.Job,), {"perform": perform}, **options)


def gate_of(*classes: type[jobsim.Job], **config: Any) -> ThrottleGate:
    sim = jobsim.Simulator(plugins=[Throttled(**config)])
    sim.register(*classes)
    return sim.stash[GATE]


# -- registry_spec.rb ----------------------------------------------------------------------


@pytest.mark.parametrize("where", [f"{REGISTRY}:37", f"{REGISTRY}:68"])
def test_registry_get_a_registered_strategy(where: str) -> None:
    strategy = gate_of(shared={"foo": THRESHOLD}).strategy_for("foo")
    assert isinstance(strategy, Strategy)
    assert strategy.name == "foo"


@pytest.mark.parametrize("where", [f"{REGISTRY}:44"])
def test_registry_alias(where: str) -> None:
    gate = gate_of(shared={"foo": CONCURRENCY}, throttled_as={"bar": "foo"})
    bar, foo = gate.strategy_for("bar"), gate.strategy_for("foo")
    assert bar is not None
    assert foo is not None
    assert (bar.name, bar.concurrency) == (foo.name, foo.concurrency)  # the same counters


@pytest.mark.parametrize("where", [f"{REGISTRY}:50"])
def test_registry_alias_of_an_unknown_strategy(where: str) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="no shared throttle 'foo'"):
        Throttled(throttled_as={"bar": "foo"})


@pytest.mark.parametrize("where", [f"{REGISTRY}:62"])
def test_registry_get_unregistered(where: str) -> None:
    assert gate_of().strategy_for("foo") is None


@pytest.mark.parametrize("where", [f"{REGISTRY}:79"])
def test_registry_get_finds_the_parent_class_strategy(where: str) -> None:
    parent = job_class("Parent", throttle=THRESHOLD)
    child = job_class("Nested::Child", parent)
    gate = gate_of(parent, child)
    found, of_parent = gate.strategy_for("Nested::Child"), gate.strategy_for("Parent")
    assert found is not None
    assert of_parent is not None
    assert found.name == of_parent.name == "Parent"
    assert found.threshold == of_parent.threshold  # one key, one counter


# -- job_spec.rb ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "requeue", "with_", "to"),
    [
        (f"{JOB}:16", None, "enqueue", None),
        (f"{JOB}:23", {"with": "schedule"}, "schedule", None),
        (f"{JOB}:30", {"to": "other_queue"}, "enqueue", "other_queue"),
        (f"{JOB}:37", {"to": "other_queue", "with": "schedule"}, "schedule", "other_queue"),
    ],
)
def test_sidekiq_throttle_registers(
    where: str, requeue: dict[str, Any] | None, with_: str, to: str | None
) -> None:
    option = {"concurrency": {"limit": 10}, **({"requeue": requeue} if requeue else {})}
    strategy = gate_of(job_class("Working", throttle=option)).strategy_for("Working")
    assert strategy is not None
    assert (strategy.requeue_with, strategy.requeue_to) == (with_, to)
    assert strategy.concurrency[0].limit == 10


@pytest.mark.parametrize("where", [f"{JOB}:45"])
def test_sidekiq_throttle_refuses_an_invalid_with(where: str) -> None:
    with pytest.raises(jobsim.InvalidOption, match="requeue with="):
        job_class("Working", throttle={"requeue": {"with": "invalid_with_value"}})


@pytest.mark.parametrize(
    ("where", "requeue", "expected"),
    [
        (f"{JOB}:62", None, ("schedule", None)),
        (f"{JOB}:69", {"to": "other_queue"}, ("schedule", "other_queue")),
        (f"{JOB}:76", {"with": "enqueue"}, ("enqueue", None)),
        (f"{JOB}:83", {"to": "other_queue", "with": "enqueue"}, ("enqueue", "other_queue")),
    ],
)
def test_default_requeue_options(
    where: str, requeue: dict[str, Any] | None, expected: tuple[str, str | None]
) -> None:
    option = {"concurrency": {"limit": 10}, **({"requeue": requeue} if requeue else {})}
    gate = gate_of(job_class("Working", throttle=option), default_requeue={"with": "schedule"})
    strategy = gate.strategy_for("Working")
    assert strategy is not None
    assert (strategy.requeue_with, strategy.requeue_to) == expected


@pytest.mark.parametrize("where", [f"{JOB}:93"])
def test_sidekiq_throttle_as(where: str) -> None:
    gate = gate_of(
        job_class("Working"), shared={"foobar": CONCURRENCY}, throttled_as={"Working": "foobar"}
    )
    strategy = gate.strategy_for("Working")
    assert strategy is not None
    assert strategy.name == "foobar"


# -- middlewares/server_spec.rb ------------------------------------------------------------


def holding(name: str, option: dict[str, Any], args: list[Any]) -> ThrottleGate:
    """``Registry.add name, option`` and the job ``bar`` holding its slot."""
    gate = gate_of(shared={name: option})
    strategy = gate.strategy_for(name)
    assert strategy is not None
    assert gate._throttled(strategy, "bar", args, 0.0) is None
    return gate


def held(gate: ThrottleGate) -> list[str]:
    return [jid for slots in gate.slots.values() for jid in slots.running]


BY_ARG = {"concurrency": {"limit": 1, "key_suffix": lambda first, *_: first}}
ARGS = ["bar", 1]
WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"


@pytest.mark.parametrize(
    ("where", "name", "option", "job"),
    [
        (f"{SERVER}:19", "foo", CONCURRENCY, {"class": "foo", "jid": "bar"}),
        (f"{SERVER}:24", "foo", BY_ARG, {"class": "foo", "jid": "bar", "args": ARGS}),
        (
            f"{SERVER}:62",
            "wrapped-foo",
            CONCURRENCY,
            {"class": WRAPPER, "wrapped": "wrapped-foo", "jid": "bar"},
        ),
        (
            f"{SERVER}:67",
            "wrapped-foo",
            BY_ARG,
            {
                "class": WRAPPER,
                "wrapped": "wrapped-foo",
                "args": [{"job_class": "foo", "arguments": ARGS}],
                "jid": "bar",
            },
        ),
    ],
)
def test_server_finalizes_the_job(
    where: str, name: str, option: dict[str, Any], job: dict[str, Any]
) -> None:
    gate = holding(name, option, ARGS if "key_suffix" in option["concurrency"] else [])
    assert held(gate) == ["bar"]
    gate.finished("default", job)
    assert held(gate) == []


@pytest.mark.parametrize("where", [f"{SERVER}:89"])
def test_server_finalize_without_concurrency(where: str) -> None:
    gate = holding("foo", THRESHOLD, [])
    windows = {key: list(window.starts) for key, window in gate.windows.items()}
    gate.finished("default", {"class": "foo", "jid": "bar"})
    assert {key: list(window.starts) for key, window in gate.windows.items()} == windows


def spying(gate: ThrottleGate) -> list[str]:
    asked: list[str] = []
    lookup: Callable[[str], Strategy | None] = gate.strategy_for

    def strategy_for(name: str) -> Strategy | None:
        asked.append(name)
        return lookup(name)

    gate.strategy_for = strategy_for
    return asked


@pytest.mark.parametrize(
    ("where", "job"), [(f"{SERVER}:123", {"jid": "bar"}), (f"{SERVER}:136", {"class": "foo"})]
)
def test_server_without_class_or_jid_looks_up_no_strategy(where: str, job: dict[str, Any]) -> None:
    gate = holding("foo", CONCURRENCY, [])
    asked = spying(gate)
    gate.finished("default", job)
    assert asked == []
    assert held(gate) == ["bar"]


# -- throttled_spec.rb (Sidekiq::Throttled.throttled? / .requeue_throttled) ----------------

TOP = "spec/lib/sidekiq/throttled_spec.rb"
BOTH: dict[str, Any] = {"threshold": {"limit": 1, "period": 1}, "concurrency": {"limit": 1}}
BOTH_BY_ARG: dict[str, Any] = {
    "threshold": {"limit": 1, "period": 1},
    "concurrency": {"limit": 1, "key_suffix": lambda first, *_: first},
}


def throttled(gate: ThrottleGate, job: dict[str, Any]) -> bool:
    """``Sidekiq::Throttled.throttled?(message)``: the gate's answer at fetch."""
    return not gate.admit("default", job)


@pytest.mark.parametrize(
    ("where", "job"),
    [(f"{TOP}:34", {"class": "foo"}), (f"{TOP}:38", {"class": "foo", "jid": "j1"})],
)
def test_throttled_tolerates_an_unregistered_or_partial_job(
    where: str, job: dict[str, Any]
) -> None:
    assert throttled(gate_of(), job) is False


@pytest.mark.parametrize(
    ("where", "name", "option", "job", "key"),
    [
        (f"{TOP}:43", "foo", BOTH, {"class": "foo", "jid": "j1"}, "throttled:foo:concurrency.v2"),
        (
            f"{TOP}:56",
            "foo",
            BOTH_BY_ARG,
            {"class": "foo", "jid": "j1", "args": ["foo", 1]},
            "throttled:foo:concurrency.v2:foo",
        ),
        (
            f"{TOP}:70",
            "wrapped-foo",
            BOTH,
            {"class": WRAPPER, "wrapped": "wrapped-foo", "jid": "j1"},
            "throttled:wrapped-foo:concurrency.v2",
        ),
        (
            f"{TOP}:87",
            "JobClassName",
            BOTH,
            {
                "class": "ActiveJob::QueueAdapters::SidekiqCustomAdapter::JobWrapper",
                "wrapped": "JobClassName",
                "jid": "j1",
            },
            "throttled:JobClassName:concurrency.v2",
        ),
        (
            f"{TOP}:104",
            "wrapped-foo",
            BOTH_BY_ARG,
            {
                "class": WRAPPER,
                "wrapped": "wrapped-foo",
                "args": [{"job_class": "TestJob", "arguments": ["foo", 1]}],
                "jid": "j1",
            },
            "throttled:wrapped-foo:concurrency.v2:foo",
        ),
    ],
)
def test_throttled_passes_jid_and_arguments_to_the_strategy(
    where: str, name: str, option: dict[str, Any], job: dict[str, Any], key: str
) -> None:
    # The spec spies on Strategy#throttled?; here the slot it takes shows the jid and (with a
    # key_suffix of the first argument) the arguments it was given.
    gate = gate_of(shared={name: option})
    assert throttled(gate, job) is False
    assert list(gate.slots[key].running) == ["j1"]


@pytest.mark.parametrize("where", [f"{TOP}:138"])
def test_requeue_throttled_uses_the_strategy(where: str) -> None:
    gate = gate_of(
        shared={
            "ThrottledTestJob": {
                "threshold": {"limit": 1, "period": 1},
                "requeue": {"to": "other_queue", "with": "enqueue"},
            }
        }
    )
    assert throttled(gate, {"class": "ThrottledTestJob", "jid": "j1", "args": []}) is False
    work = {"class": "ThrottledTestJob", "jid": "j2", "args": []}
    assert throttled(gate, work) is True
    assert list(gate.state.queue("other_queue").oldest_first()) == [work]


# -- message_spec.rb (Sidekiq::Throttled::Message) -------------------------------------------

MESSAGE = "spec/lib/sidekiq/throttled/message_spec.rb"
PLAIN: dict[str, Any] = {"class": "ExcitingJob", "args": [42], "jid": "deadbeef"}
ACTIVE_JOB: dict[str, Any] = {
    "class": "ActiveJob",
    "wrapped": "ExcitingJob",
    "args": [{"arguments": [42]}],
    "jid": "deadbeef",
}


@pytest.mark.parametrize(
    ("where", "job"),
    [
        (f"{MESSAGE}:19", PLAIN),
        (f"{MESSAGE}:43", ACTIVE_JOB),
        (f"{MESSAGE}:75", PLAIN),
        (f"{MESSAGE}:99", ACTIVE_JOB),
    ],
)
def test_message_job_class_and_args(where: str, job: dict[str, Any]) -> None:
    assert subject(job) == ("ExcitingJob", [42])


@pytest.mark.parametrize("where", [f"{MESSAGE}:131", f"{MESSAGE}:155"])
def test_message_job_id(where: str) -> None:
    # Message#job_id is the jid the gate's strategy and finalize! are given.
    job = PLAIN if where.endswith(":131") else ACTIVE_JOB
    gate = gate_of(shared={"ExcitingJob": CONCURRENCY})
    assert throttled(gate, job) is False
    assert list(gate.slots["throttled:ExcitingJob:concurrency.v2"].running) == ["deadbeef"]
