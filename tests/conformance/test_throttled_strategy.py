"""sidekiq-throttled 2.1.0's ``spec/lib/sidekiq/throttled/strategy_spec.rb``, ported: each
upstream example is one test whose id names its file and line (read upstream at tag v2.1.0;
the gem is not packaged in Debian).

``Strategy.new`` is :func:`build_strategy` (or, for the checks the gem makes in ``validate!``,
a job class definition: jobsim refuses a bad ``throttle=`` where it enters). ``throttled?`` is
the gate's check; its answer names the limit that refused, which is what the spec's
``observer`` is told. ``requeue_throttled(work)`` is the gate's refusal of a job popped from
``default`` as BasicFetch's ``retrieve_work`` pops it. Where the spec stubs a limit's
``retry_in`` to 300 or 500 s, the counters here are filled until that limit really says so.

Where jobsim differs on purpose (no strict xfail needed: same outcome, earlier): a ``requeue``
``to:`` of the wrong type (lines 793, 930) and a ``throttle=`` with neither limit (line 15) are
refused when the job class is defined, not at the first requeue or ``Strategy.new``.

Not applicable (n/a), by line:

- 264-712: the same requeue examples under Sidekiq Pro's SuperFetch (``:sidekiq_pro``; private
  queues). jobsim models BasicFetch; the BasicFetch copies (714-1054) are ported below.
- 1020: a job hash with neither ``class`` nor ``wrapped``: jobsim's jobs always name a class
  (the client refuses one without), and the gate admits a job it cannot name.
- 1047: both ``retry_in`` stubbed to nil: the real limits always answer a number.
- 1061, 1063, 1072, 1074, 1083, 1085, 1090: ``Strategy#reset!`` (Ruby API over Redis keys; a
  simulator's counters are its own, a new simulator starts empty).
- 1103, 1111, 1119: ``Strategy#dynamic?`` with stubbed parts (Ruby-internal; jobsim's
  nearest is ``Strategy.uniform``, a shortcut switch, not the gem's flag).

``strategy_collection_spec.rb`` (the list of limits of one kind) is ported at the end. n/a:
47, 58 (``#dynamic?``, as above), 103 (each rule's ``retry_in`` stubbed to 0, 10, 20: the
maximum over limits is ported at strategy_spec.rb:912 on real counters), 145 (``#reset!``).
"""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.throttled import Throttled
from jobsim.throttled._limits import Slots, Window
from jobsim.throttled._plugin import GATE
from jobsim.throttled._spec import Strategy, build_strategy, key_of
from tests.conformance.test_throttled_strategies import T0, Harness, times

SPEC = "spec/lib/sidekiq/throttled/strategy_spec.rb"
THRESHOLD: dict[str, Any] = {"threshold": {"limit": 5, "period": 10}}
CONCURRENCY: dict[str, Any] = {"concurrency": {"limit": 7}}


class ThrottledTestJob(jobsim.Job):
    def perform(self, number: int) -> None:
        pass


def new(**option: Any) -> Strategy:
    """``described_class.new(:foo, **option)`` under the default requeue options."""
    return build_strategy(
        "foo", option, version="2", default_requeue=Throttled().default_requeue, where="spec"
    )


def define(throttle: dict[str, Any]) -> type[jobsim.Job]:
    return type("BadThrottle", (jobsim.Job,), {"perform": lambda self: None}, throttle=throttle)


# -- .new --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", [f"{SPEC}:15"])
def test_new_fails_without_threshold_or_concurrency(where: str) -> None:
    with pytest.raises(jobsim.InvalidOption, match="concurrency= or threshold="):
        define({"requeue": {"with": "enqueue"}})


@pytest.mark.parametrize(
    ("where", "option"),
    [
        (f"{SPEC}:19", {"concurrency": {"limit": 123}}),
        (f"{SPEC}:32", {"threshold": {"limit": 123, "period": 657}}),
    ],
)
def test_new_passes_the_key_suffix_generator(where: str, option: dict[str, Any]) -> None:
    def key_suffix(_: Any) -> None:
        return None

    ((kind, given),) = option.items()
    strategy = new(**{kind: {**given, "key_suffix": key_suffix}})
    (spec,) = getattr(strategy, kind)
    assert spec.key_suffix is key_suffix
    assert spec.base_key.startswith("throttled:foo:")


@pytest.mark.parametrize("where", [f"{SPEC}:46"])
def test_new_requeues_with_enqueue_by_default(where: str) -> None:
    strategy = new(concurrency={"limit": 123})
    assert (strategy.requeue_with, strategy.requeue_to) == ("enqueue", None)


def with_enqueue(_: Any) -> str:
    return "enqueue"


@pytest.mark.parametrize(
    ("where", "requeue"),
    [
        (f"{SPEC}:52", {"with": "schedule", "to": "another_queue"}),
        (f"{SPEC}:58", {"with": "enqueue", "to": "another_queue"}),
        (f"{SPEC}:64", {"with": with_enqueue, "to": "another_queue"}),
    ],
)
def test_new_keeps_the_requeue_options(where: str, requeue: dict[str, Any]) -> None:
    strategy = new(concurrency={"limit": 123}, requeue=requeue)
    assert (strategy.requeue_with, strategy.requeue_to) == (requeue["with"], requeue["to"])


@pytest.mark.parametrize("where", [f"{SPEC}:71"])
def test_new_raises_if_with_is_invalid(where: str) -> None:
    with pytest.raises(jobsim.InvalidOption, match="requeue with="):
        define({"concurrency": {"limit": 123}, "requeue": {"with": "invalid_with_value"}})


# -- #throttled? -------------------------------------------------------------------------


def refused_by(strategy: Harness, *args: Any, at: float = T0) -> str | None:
    """``throttled?`` and which limit the observer would be told of (None: admitted)."""
    return strategy.gate._throttled(strategy.strategy, strategy.jid(), list(args), at)


@pytest.mark.parametrize(
    ("where", "option", "before", "expected"),
    [
        (f"{SPEC}:89", THRESHOLD, 3, None),
        (f"{SPEC}:95", THRESHOLD, 10, "threshold"),
        (f"{SPEC}:115", CONCURRENCY, 6, None),
        (f"{SPEC}:121", CONCURRENCY, 7, "concurrency"),
    ],
)
def test_throttled(where: str, option: dict[str, Any], before: int, expected: str | None) -> None:
    strategy = Harness(**option)
    times(before, strategy.throttled)
    assert refused_by(strategy) == expected


@pytest.mark.parametrize(
    ("where", "option", "expected"),
    [(f"{SPEC}:101", THRESHOLD, "threshold"), (f"{SPEC}:127", CONCURRENCY, "concurrency")],
)
def test_throttled_notifies_observer(where: str, option: dict[str, Any], expected: str) -> None:
    strategy = Harness(**option)
    times(10, strategy.throttled)
    assert refused_by(strategy, 1, 2, 3) == expected


def two_rules() -> Harness:
    return Harness(
        concurrency=[
            {"limit": 3, "key_suffix": lambda job_arg, *_: job_arg},
            {"limit": 7, "key_suffix": lambda *_: 1},
        ]
    )


@pytest.mark.parametrize("where", [f"{SPEC}:156"])
def test_concurrency_rules_with_the_same_suffix_share_a_key(where: str) -> None:
    strategy = two_rules()
    times(3, lambda: strategy.throttled(99))  # three under suffix "1", by the second rule
    assert strategy.throttled(1) is True  # the first rule's key for arg 1 is "1" too


@pytest.mark.parametrize(
    ("where", "arg", "before", "expected"),
    [
        (f"{SPEC}:165", 11, [11] * 2, None),
        (f"{SPEC}:174", 11, [11] * 3, "concurrency"),
        (f"{SPEC}:176", 11, [11] * 3, "concurrency"),
        (f"{SPEC}:189", 10, list(range(6)), None),
        (f"{SPEC}:198", 10, [10] * 7, "concurrency"),
        (f"{SPEC}:200", 10, [10] * 7, "concurrency"),
    ],
)
def test_concurrency_rules(where: str, arg: int, before: list[int], expected: str | None) -> None:
    strategy = two_rules()
    for given in before:
        strategy.throttled(given)
    assert refused_by(strategy, arg) == expected


def both() -> Harness:
    return Harness(**THRESHOLD, **CONCURRENCY)


@pytest.mark.parametrize("where", [f"{SPEC}:214"])
def test_both_threshold_reached_concurrency_not(where: str) -> None:
    strategy = both()
    times(5, strategy.throttled)
    assert strategy.throttled() is True


@pytest.mark.parametrize("where", [f"{SPEC}:217"])
def test_both_avoids_concurrency_limit_starvation(where: str) -> None:
    strategy = both()
    for at in (T0 - 10, T0):
        for _ in range(4):
            jid = strategy.jid()
            if not strategy.throttled(jid=jid, at=at):
                strategy.gate._finalize(strategy.strategy, jid, [])
    assert strategy.throttled() is False


@pytest.mark.parametrize("where", [f"{SPEC}:240"])
def test_both_concurrency_reached_threshold_not(where: str) -> None:
    strategy = both()
    times(4, lambda: strategy.throttled(at=T0 - 10))
    times(4, strategy.throttled)
    assert strategy.throttled() is True


@pytest.mark.parametrize("where", [f"{SPEC}:244"])
def test_both_neither_reached(where: str) -> None:
    assert both().throttled() is False


# -- #requeue_throttled under BasicFetch ----------------------------------------------------


class Fetched:
    """``ThrottledTestJob.perform_bulk([[1], [2], [3]])``, then ``work`` popped from default."""

    def __init__(self, **option: Any) -> None:
        self.sim = jobsim.Simulator(start=T0, plugins=[Throttled()])
        self.gate = self.sim.stash[GATE]
        self.gate.shortcuts = False  # the general path, as the gem takes it
        self.strategy = new(**option)
        with self.sim:
            ThrottledTestJob.perform_bulk([[1], [2], [3]])
        self.state = self.gate.state
        work = self.state.queue("default").pop()
        assert work is not None
        self.work = work

    def enqueued(self, queue: str) -> list[list[Any]]:
        """``enqueued_jobs(queue)``: LRANGE 0 -1, newest first."""
        return [[job["class"], job["args"]] for job in self.state.queue(queue)]

    def requeue_throttled(self) -> None:
        limit = "concurrency" if self.strategy.concurrency else "threshold"
        args = list(self.work["args"])
        self.gate.refuse("default", self.work, self.strategy, args, T0, limit)

    def fill(self, *, threshold_period: float | None = None, backlog: int = 0) -> None:
        """Counters that make each limit's own ``retry_in`` what the spec stubs it to."""
        for spec in self.strategy.concurrency:
            slots = self.gate.slots.setdefault(key_of(spec.base_key, None, []), Slots())
            for n in range(7 + backlog):  # 7 running, then ``backlog`` refused
                slots.throttled(f"c{n}", 7, spec.lost_job_threshold, T0, backlog=True)
        for spec in self.strategy.threshold:
            window = self.gate.windows.setdefault(key_of(spec.base_key, None, []), Window())
            assert threshold_period is not None
            for _ in range(5):
                window.throttled(5, threshold_period, T0)

    def scheduled(self) -> list[tuple[float, dict[str, Any]]]:
        return [(entry.score - T0, dict(entry.job)) for entry in self.state.scheduled.ascending()]


ONE_TWO_THREE = [["ThrottledTestJob", [1]], ["ThrottledTestJob", [3]], ["ThrottledTestJob", [2]]]
THREE_TWO = [["ThrottledTestJob", [3]], ["ThrottledTestJob", [2]]]
ONE = [["ThrottledTestJob", [1]]]


def to_other(_: Any) -> str:
    return "other_queue"


def to_nothing(_: Any) -> None:
    return None


def to_empty(_: Any) -> str:
    return ""


@pytest.mark.parametrize(
    ("where", "requeue", "default", "other"),
    [
        (f"{SPEC}:735", {"with": "enqueue"}, ONE_TWO_THREE, []),
        (f"{SPEC}:750", {"with": "enqueue", "to": "other_queue"}, THREE_TWO, ONE),
        (f"{SPEC}:763", {"with": with_enqueue}, ONE_TWO_THREE, []),
        (f"{SPEC}:777", {"with": "enqueue", "to": to_other}, THREE_TWO, ONE),
        (f"{SPEC}:975", {"with": "enqueue", "to": to_nothing}, ONE_TWO_THREE, []),
        (f"{SPEC}:991", {"with": "enqueue", "to": to_empty}, ONE_TWO_THREE, []),
    ],
)
def test_requeue_with_enqueue(
    where: str, requeue: dict[str, Any], default: list[Any], other: list[Any]
) -> None:
    fetched = Fetched(**THRESHOLD, requeue=requeue)
    assert fetched.enqueued("default") == THREE_TWO
    assert fetched.enqueued("other_queue") == []
    fetched.requeue_throttled()
    assert fetched.enqueued("default") == default
    assert fetched.enqueued("other_queue") == other
    assert fetched.scheduled() == []


@pytest.mark.parametrize(
    ("where", "with_"), [(f"{SPEC}:793", "enqueue"), (f"{SPEC}:930", "schedule")]
)
def test_requeue_to_of_an_invalid_type(where: str, with_: str) -> None:
    with pytest.raises(jobsim.InvalidOption, match="requeue to"):
        define({**THRESHOLD, "requeue": {"with": with_, "to": 12_345}})


def faulty(*_: Any) -> Any:
    raise RuntimeError("Proc error")


@pytest.mark.parametrize(
    ("where", "requeue"),
    [
        (f"{SPEC}:804", {"with": "enqueue", "to": faulty}),
        (f"{SPEC}:941", {"with": "schedule", "to": faulty}),
        (f"{SPEC}:964", {"with": faulty}),
    ],
)
def test_requeue_propagates_a_proc_error(where: str, requeue: dict[str, Any]) -> None:
    fetched = Fetched(**THRESHOLD, requeue=requeue)
    with pytest.raises(RuntimeError, match="Proc error"):
        fetched.requeue_throttled()


def with_schedule(_: Any) -> str:
    return "schedule"


@pytest.mark.parametrize(
    ("where", "requeue", "queue"),
    [
        (f"{SPEC}:824", {"with": "schedule"}, "default"),
        (f"{SPEC}:840", {"with": "schedule", "to": "other_queue"}, "other_queue"),
        (f"{SPEC}:856", {"with": with_schedule}, "default"),
        (f"{SPEC}:876", {"with": "schedule", "to": to_other}, "other_queue"),
        # reschedule_throttled strips a "queue:" prefix from its target.
        (f"{SPEC}:1030", {"with": "schedule", "to": "queue:default"}, "default"),
    ],
)
def test_requeue_with_schedule_after_the_threshold(
    where: str, requeue: dict[str, Any], queue: str
) -> None:
    # The spec stubs the threshold's retry_in to 300.0: 5 starts now in a 300 s window.
    fetched = Fetched(threshold={"limit": 5, "period": 300}, requeue=requeue)
    fetched.fill(threshold_period=300)
    fetched.requeue_throttled()
    ((delay, job),) = fetched.scheduled()
    assert (job["class"], job["args"], job["queue"]) == ("ThrottledTestJob", [1], queue)
    assert 300 <= delay < 300 + 300 / 5  # + rand(interval / 5)
    assert abs(delay - 330) <= 31
    assert fetched.enqueued("default") == THREE_TWO  # the work was acknowledged


@pytest.mark.parametrize("where", [f"{SPEC}:893"])
def test_requeue_with_schedule_after_the_concurrency(where: str) -> None:
    # The spec stubs the concurrency's retry_in to 300.0: a backlog of 7 x avg 300 s / limit 7,
    # under a max_delay too long to squash it.
    fetched = Fetched(concurrency={"limit": 7, "max_delay": 10**9}, requeue={"with": "schedule"})
    fetched.fill(backlog=7)
    fetched.requeue_throttled()
    ((delay, job),) = fetched.scheduled()
    assert (job["args"], job["queue"]) == ([1], "default")
    assert abs(delay - 330) <= 31
    assert 299.99 <= delay < 300 + 300 / 5  # 300 less a hair the squash takes, + jitter


@pytest.mark.parametrize("where", [f"{SPEC}:912"])
def test_requeue_with_schedule_takes_the_later_of_the_two(where: str) -> None:
    # Stubbed to 300 (concurrency) and 500 (threshold): the later, 500, plus its jitter.
    fetched = Fetched(
        concurrency={"limit": 7, "max_delay": 10**9},
        threshold={"limit": 5, "period": 500},
        requeue={"with": "schedule"},
    )
    fetched.fill(threshold_period=500, backlog=7)
    fetched.requeue_throttled()
    ((delay, job),) = fetched.scheduled()
    assert (job["args"], job["queue"]) == ([1], "default")
    assert 500 <= delay < 600
    assert abs(delay - 550) <= 51


def with_invalid(*_: Any) -> str:
    return "invalid_value"


@pytest.mark.parametrize("where", [f"{SPEC}:953"])
def test_requeue_with_a_proc_returning_an_unrecognized_value(where: str) -> None:
    fetched = Fetched(**THRESHOLD, requeue={"with": with_invalid})
    with pytest.raises(jobsim.InvalidOption, match="unrecognized :with option"):
        fetched.requeue_throttled()
    assert fetched.enqueued("default") == THREE_TWO
    assert fetched.scheduled() == []


# -- strategy_collection_spec.rb -----------------------------------------------------------

COLLECTION = "spec/lib/sidekiq/throttled/strategy_collection_spec.rb"
BY_USER: dict[str, Any] = {"limit": 1, "key_suffix": lambda _project_id, user_id: user_id}


@pytest.mark.parametrize(
    ("where", "given", "count"),
    [
        (f"{COLLECTION}:18", None, 0),
        (f"{COLLECTION}:26", {"limit": 1, "key_suffix": lambda proj_id: proj_id}, 1),
        (f"{COLLECTION}:37", [BY_USER, {"limit": 10, "key_suffix": lambda p, _u: p}], 2),
    ],
)
def test_collection_count(where: str, given: Any, count: int) -> None:
    option: dict[str, Any] = {"threshold": {"limit": 1, "period": 1}}
    if given is not None:
        option["concurrency"] = given
    assert len(new(**option).concurrency) == count


def collection() -> Harness:
    return Harness(concurrency=[BY_USER, {"limit": 10}])


@pytest.mark.parametrize("where", [f"{COLLECTION}:75"])
def test_collection_not_throttled_when_none_is(where: str) -> None:
    assert collection().throttled(11, 22) is False


@pytest.mark.parametrize("where", [f"{COLLECTION}:84"])
def test_collection_throttled_when_one_is(where: str) -> None:
    strategy = collection()
    for user in range(10):  # the second rule (one key for all) fills; the first does not
        assert strategy.throttled(11, user) is False
    assert strategy.throttled(11, 22) is True


@pytest.mark.parametrize("where", [f"{COLLECTION}:126"])
def test_collection_finalize_releases_every_rule(where: str) -> None:
    strategy = collection()
    assert strategy.throttled(11, 22, jid="job") is False
    held = [jid for slots in strategy.gate.slots.values() for jid in slots.running]
    assert held == ["job", "job"]
    strategy.gate._finalize(strategy.strategy, "job", [11, 22])
    assert [jid for slots in strategy.gate.slots.values() for jid in slots.running] == []
