"""sidekiq-throttled 2.1.0's fetch-side specs, ported: ``config_spec.rb``, ``cooldown_spec.rb``
and ``patches/basic_fetch_spec.rb`` (under ``spec/lib/sidekiq/throttled/`` at tag v2.1.0,
read upstream). Each upstream example is one test whose id names its file and line; a shared
example is one test per context that includes it, named by the ``it`` line and the context.

``Config`` is the :class:`Throttled` plugin's arguments; ``Cooldown`` is the gate's streaks
and cooled queues (``notify_throttled`` is :meth:`ThrottleGate.cool`, ``notify_admitted`` an
admission, ``#queues`` :meth:`ThrottleGate.resting`), on the virtual clock the spec stubs
``Process.clock_gettime`` to give. ``BasicFetch#retrieve_work`` is one BRPOP over the queues
in order, skipping resting ones, then the gate's admission (``throttled_retriever.rb``).
Queue names here are bare (``default``); the gem's carry Redis' ``queue:`` prefix.

Not applicable (n/a), by line: none; every example of the three files is ported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import jobsim
from jobsim.throttled import Throttled
from jobsim.throttled._gate import ThrottleGate
from jobsim.throttled._plugin import GATE

CONFIG = "spec/lib/sidekiq/throttled/config_spec.rb"
COOLDOWN = "spec/lib/sidekiq/throttled/cooldown_spec.rb"
BASIC_FETCH = "spec/lib/sidekiq/throttled/patches/basic_fetch_spec.rb"


def gate_of(**config: Any) -> ThrottleGate:
    return jobsim.Simulator(start=0.0, plugins=[Throttled(**config)]).stash[GATE]


# -- config_spec.rb ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "config", "attribute", "expected"),
    [
        (f"{CONFIG}:11", {}, "cooldown_period", 1.0),
        (f"{CONFIG}:15", {"cooldown_period": 42.0}, "cooldown_period", 42.0),
        (f"{CONFIG}:20", {"cooldown_period": None}, "cooldown_period", None),
        (f"{CONFIG}:39", {}, "cooldown_threshold", 100),
        (f"{CONFIG}:44", {"cooldown_threshold": 42}, "cooldown_threshold", 42),
    ],
)
def test_config(where: str, config: dict[str, Any], attribute: str, expected: Any) -> None:
    assert getattr(Throttled(**config), attribute) == expected


@pytest.mark.xfail(
    strict=True,
    reason="Python has one kind of seconds: jobsim takes an int cooldown_period as seconds "
    "(validate.seconds), where Ruby's Config insists on a Float",
)
@pytest.mark.parametrize("where", [f"{CONFIG}:25"])
def test_config_cooldown_period_of_the_wrong_type(where: str) -> None:
    with pytest.raises(jobsim.InvalidArgument):
        Throttled(cooldown_period=42)


@pytest.mark.parametrize(
    ("where", "config", "match"),
    [
        (f"{CONFIG}:30", {"cooldown_period": 0.0}, "cooldown_period"),
        (f"{CONFIG}:48", {"cooldown_threshold": 42.0}, "cooldown_threshold"),
        (f"{CONFIG}:53", {"cooldown_threshold": 0}, "cooldown_threshold"),
    ],
)
def test_config_refuses(where: str, config: dict[str, Any], match: str) -> None:
    with pytest.raises(jobsim.InvalidArgument, match=match):
        Throttled(**config)


# -- cooldown_spec.rb ----------------------------------------------------------------------


@pytest.mark.parametrize("where", [f"{COOLDOWN}:13"])
def test_cooldown_exists_by_default(where: str) -> None:
    gate = gate_of()
    assert (gate.cooldown_period, gate.cooldown_threshold) == (1.0, 100)
    for _ in range(100):
        gate.cool("the_longest_line", 0.0)
    assert list(gate.resting(0.0)) == ["the_longest_line"]


@pytest.mark.parametrize("where", [f"{COOLDOWN}:18"])
def test_cooldown_is_off_when_the_period_is_nil(where: str) -> None:
    gate = gate_of(cooldown_period=None)
    for _ in range(1000):
        gate.cool("the_longest_line", 0.0)
    assert list(gate.resting(0.0)) == []


@pytest.mark.parametrize("where", [f"{COOLDOWN}:31"])
def test_cooldown_marks_a_queue_once_the_threshold_is_met(where: str) -> None:
    gate = gate_of(cooldown_threshold=5)
    for _ in range(4):
        gate.cool("the_longest_line", 0.0)
    assert list(gate.resting(0.0)) == []
    gate.cool("the_longest_line", 0.0)
    assert list(gate.resting(0.0)) == ["the_longest_line"]


@pytest.mark.parametrize("where", [f"{COOLDOWN}:48"])
def test_cooldown_admission_resets_the_counter(where: str) -> None:
    gate = gate_of(cooldown_threshold=5)
    for _ in range(4):
        gate.cool("at_the_end_of", 0.0)
        gate.cool("the_longest_line", 0.0)
    gate._admitted("at_the_end_of", {"jid": "admitted"}, "TestJob")
    gate.cool("at_the_end_of", 0.0)
    gate.cool("the_longest_line", 0.0)
    assert list(gate.resting(0.0)) == ["the_longest_line"]


@pytest.mark.parametrize("where", [f"{COOLDOWN}:64"])
def test_cooldown_lasts_cooldown_period(where: str) -> None:
    gate = gate_of(cooldown_period=1.0, cooldown_threshold=1)
    gate.cool("at_the_end_of", 0.0)
    gate.cool("the_longest_line", 0.9)
    assert sorted(gate.resting(0.9)) == ["at_the_end_of", "the_longest_line"]
    assert list(gate.resting(1.0)) == ["the_longest_line"]
    assert list(gate.resting(2.0)) == []


# -- patches/basic_fetch_spec.rb ------------------------------------------------------------


class Fetcher:
    """TestJob 1, 2, 3 on ``default`` and AnotherTestJob 4 on ``critical``, fetched one BRPOP
    at a time at the stubbed instant 0."""

    def __init__(self, throttle: Mapping[str, Any] | None, **config: Any) -> None:
        def perform(self: Any, *args: Any) -> None:
            pass

        options = {"throttle": throttle} if throttle else {}
        test_job = type("TestJob", (jobsim.Job,), {"perform": perform}, **options)
        another = type("AnotherTestJob", (jobsim.Job,), {"perform": perform}, queue="critical")
        self.sim = jobsim.Simulator(start=0.0, plugins=[Throttled(**config)])
        self.gate = self.sim.stash[GATE]
        self.state = self.gate.state
        with self.sim:
            for number in (1, 2, 3):
                test_job.perform_async(number)
            another.perform_async(4)

    def retrieve_work(self) -> Mapping[str, Any] | None:
        resting = self.gate.resting(0.0)
        for name in ("default", "critical"):
            if name in resting:
                continue
            job = self.state.queue(name).pop()
            if job is not None:
                return job if self.gate.admit(name, job) else None
        return None

    def enqueued(self, queue: str) -> list[list[Any]]:
        return [[job["class"], job["args"]] for job in self.state.queue(queue)]


BY_LIMIT = {
    "concurrency": {"concurrency": {"limit": 1}},
    "threshold": {"threshold": {"limit": 1, "period": 60}},
}
LIMITS = sorted(BY_LIMIT)


@pytest.mark.parametrize("where", [f"{BASIC_FETCH}:31"])
def test_fetch_returns_unit_of_work_when_not_throttled(where: str) -> None:
    fetcher = Fetcher(None, cooldown_period=None)
    works = [fetcher.retrieve_work() for _ in range(4)]
    assert [work["args"] if work else None for work in works] == [[1], [2], [3], [4]]


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("where", [f"{BASIC_FETCH}:37"])
def test_fetch_returns_nothing_when_throttled(where: str, limit: str) -> None:
    fetcher = Fetcher(BY_LIMIT[limit], cooldown_period=None)
    assert fetcher.retrieve_work() is not None
    assert fetcher.retrieve_work() is None


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("where", [f"{BASIC_FETCH}:43"])
def test_fetch_pushes_the_job_back(where: str, limit: str) -> None:
    fetcher = Fetcher(BY_LIMIT[limit], cooldown_period=None)
    fetcher.retrieve_work()
    fetcher.retrieve_work()
    assert fetcher.enqueued("default") == [["TestJob", [2]], ["TestJob", [3]]]
    assert fetcher.enqueued("critical") == [["AnotherTestJob", [4]]]


def cooling(limit: str) -> Fetcher:
    fetcher = Fetcher(BY_LIMIT[limit], cooldown_period=2.0, cooldown_threshold=1)
    fetcher.retrieve_work()
    return fetcher


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("where", [f"{BASIC_FETCH}:61"])
def test_fetch_updates_cooldown_queues(where: str, limit: str) -> None:
    fetcher = cooling(limit)
    assert list(fetcher.gate.resting(0.0)) == []
    fetcher.retrieve_work()
    assert fetcher.enqueued("default") == [["TestJob", [2]], ["TestJob", [3]]]
    assert list(fetcher.gate.resting(0.0)) == ["default"]


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("where", [f"{BASIC_FETCH}:67"])
def test_fetch_excludes_the_cooled_queue(where: str, limit: str) -> None:
    fetcher = cooling(limit)
    fetcher.retrieve_work()
    default = fetcher.enqueued("default")
    work = fetcher.retrieve_work()
    assert work is not None
    assert work["args"] == [4]
    assert fetcher.enqueued("critical") == []
    assert fetcher.enqueued("default") == default
