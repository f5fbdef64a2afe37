"""sidekiq-throttled 2.1.0's strategy specs, ported: each upstream example is one test whose id
names its file and line (``spec/lib/sidekiq/throttled/strategy/*_spec.rb`` at v2.1.0, read
upstream; the gem is not packaged in Debian).

The specs drive a strategy object directly with Timecop; here the same calls go to jobsim's
gate at chosen virtual instants. ``jid`` in the specs is a fresh random jid per call.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import jobsim
from jobsim.throttled import Throttled
from jobsim.throttled._limits import Slots, Window
from jobsim.throttled._plugin import GATE
from jobsim.throttled._spec import Strategy, build_strategy, key_of, resolve

THRESHOLD = "spec/lib/sidekiq/throttled/strategy/threshold_spec.rb"
CONCURRENCY = "spec/lib/sidekiq/throttled/strategy/concurrency_spec.rb"
T0 = 1_767_225_600.0


class Harness:
    """One strategy over one simulator's counters, called at explicit instants."""

    def __init__(self, **option: Any) -> None:
        sim = jobsim.Simulator(plugins=[Throttled()])
        self.gate = sim.stash[GATE]
        self.strategy: Strategy = build_strategy(
            "test", option, version="2", default_requeue={"with": "enqueue"}, where="spec"
        )
        self._jids = (f"jid-{n}" for n in itertools.count())

    def jid(self) -> str:
        return next(self._jids)

    def throttled(self, *args: Any, at: float = T0, jid: str | None = None) -> bool:
        refused = self.gate._throttled(self.strategy, jid or self.jid(), list(args), at)
        return refused is not None

    def count(self, *args: Any) -> int:
        if self.strategy.concurrency:
            spec = self.strategy.concurrency[0]
            slots = self.gate.slots.get(key_of(spec.base_key, spec.key_suffix, args))
            return len(slots.running) if slots else 0
        threshold = self.strategy.threshold[0]
        window = self.gate.windows.get(key_of(threshold.base_key, threshold.key_suffix, args))
        return len(window.starts) if window else 0

    def retry_in(self, *args: Any, at: float = T0) -> float:
        """The strategy's own ``retry_in`` (no jitter: that is Strategy#retry_in's)."""
        if self.strategy.concurrency:
            spec = self.strategy.concurrency[0]
            limit = resolve(spec.limit, args)
            slots = self.gate.slots.get(key_of(spec.base_key, spec.key_suffix, args), Slots())
            if limit is None:
                return 0.0
            return slots.retry_in_v2(
                limit, spec.avg_job_duration, spec.lost_job_threshold, spec.max_delay, at
            )
        threshold = self.strategy.threshold[0]
        limit = resolve(threshold.limit, args)
        window = self.gate.windows.get(
            key_of(threshold.base_key, threshold.key_suffix, args), Window()
        )
        if limit is None:
            return 0.0
        return window.retry_in(limit, float(resolve(threshold.period, args)), at)


def times(count: int, call: Any) -> None:
    for _ in range(count):
        call()


# -- threshold_spec.rb ---------------------------------------------------------------------


def threshold(**extra: Any) -> Harness:
    return Harness(threshold={"limit": 5, "period": 10, **extra})


@pytest.mark.parametrize("where", [f"{THRESHOLD}:12"])
def test_threshold_limit_exceeded(where: str) -> None:
    strategy = threshold()
    times(5, strategy.throttled)
    assert strategy.throttled() is True


@pytest.mark.parametrize("where", [f"{THRESHOLD}:15"])
def test_threshold_chill_period_over(where: str) -> None:
    strategy = threshold()
    times(5, strategy.throttled)
    assert strategy.throttled(at=T0 + 11) is False


@pytest.mark.parametrize("where", [f"{THRESHOLD}:22"])
def test_threshold_limit_not_exceeded(where: str) -> None:
    strategy = threshold()
    times(4, strategy.throttled)
    assert strategy.throttled() is False


@pytest.mark.parametrize("where", [f"{THRESHOLD}:32", f"{THRESHOLD}:34"])
def test_threshold_dynamic_limit_nil_never_throttles_nor_counts(where: str) -> None:
    strategy = Harness(threshold={"limit": lambda: None, "period": 10})
    assert strategy.throttled() is False
    assert strategy.gate.windows == {}  # "does not use redis"


@pytest.mark.parametrize("where", [f"{THRESHOLD}:47"])
def test_threshold_retry_in_roughly_one_period(where: str) -> None:
    strategy = threshold()
    times(5, strategy.throttled)
    assert strategy.retry_in() == pytest.approx(10, abs=0.1)


@pytest.mark.parametrize("where", [f"{THRESHOLD}:60"])
def test_threshold_retry_in_first_job_8_seconds_ago(where: str) -> None:
    strategy = threshold()
    strategy.throttled(at=T0 - 8)
    times(4, strategy.throttled)
    assert strategy.retry_in() == pytest.approx(2, abs=0.1)


@pytest.mark.parametrize("where", [f"{THRESHOLD}:73"])
def test_threshold_retry_in_oldest_more_than_a_period_ago(where: str) -> None:
    strategy = threshold()
    strategy.throttled(at=T0 - 12)
    times(4, strategy.throttled)
    assert strategy.retry_in() == 0


@pytest.mark.parametrize("where", [f"{THRESHOLD}:83"])
def test_threshold_retry_in_fewer_jobs_than_limit(where: str) -> None:
    strategy = threshold()
    times(4, strategy.throttled)
    assert strategy.retry_in() == 0


@pytest.mark.parametrize("where", [f"{THRESHOLD}:93"])
def test_threshold_retry_in_without_limit(where: str) -> None:
    strategy = Harness(threshold={"limit": lambda: None, "period": 10})
    times(5, strategy.throttled)
    assert strategy.retry_in() == 0


@pytest.mark.parametrize("where", [f"{THRESHOLD}:104"])
def test_threshold_count(where: str) -> None:
    strategy = threshold()
    times(3, strategy.throttled)
    assert strategy.count() == 3


def suffixed() -> Harness:
    return Harness(threshold={"limit": 5, "period": 10, "key_suffix": lambda x: x})


@pytest.mark.parametrize(
    ("where", "key_input", "expected"),
    [
        (f"{THRESHOLD}:133", 123, True),
        (f"{THRESHOLD}:139", 456, False),
    ],
)
def test_threshold_dynamic_key_suffix(where: str, key_input: int, expected: bool) -> None:
    strategy = suffixed()
    times(5, lambda: strategy.throttled(123))
    assert strategy.throttled(key_input) is expected


@pytest.mark.parametrize(("where", "limit"), [(f"{THRESHOLD}:146", 0), (f"{THRESHOLD}:155", -5)])
def test_threshold_limit_zero_or_negative_always_throttles(where: str, limit: int) -> None:
    strategy = Harness(threshold={"limit": limit, "period": 10})
    assert strategy.throttled(123) is True


@pytest.mark.parametrize(
    ("where", "key_input", "expected"),
    [
        (f"{THRESHOLD}:167", 123, 3),
        (f"{THRESHOLD}:173", 456, 0),
    ],
)
def test_threshold_count_per_key(where: str, key_input: int, expected: int) -> None:
    strategy = suffixed()
    times(3, lambda: strategy.throttled(123))
    assert strategy.count(key_input) == expected


# -- concurrency_spec.rb -------------------------------------------------------------------


def concurrency(**extra: Any) -> Harness:
    return Harness(concurrency={"limit": 5, **extra})


@pytest.mark.parametrize(
    ("where", "option"),
    [
        (f"{CONCURRENCY}:7", {"avg_job_duration": 300, "lost_job_threshold": 900}),
        (f"{CONCURRENCY}:13", {"avg_job_duration": 300, "ttl": 900}),
    ],
)
def test_concurrency_accepts_its_parameters(where: str, option: dict[str, Any]) -> None:
    spec = concurrency(**option).strategy.concurrency[0]
    assert (spec.avg_job_duration, spec.lost_job_threshold) == (300, 900)


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:19"])
def test_concurrency_lost_job_threshold_must_exceed_avg(where: str) -> None:
    with pytest.raises(jobsim.InvalidOption, match="must be greater than avg_job_duration"):
        concurrency(avg_job_duration=300, lost_job_threshold=100)


@pytest.mark.parametrize(
    ("where", "before", "expected"),
    [
        (f"{CONCURRENCY}:33", 5, True),
        (f"{CONCURRENCY}:39", 4, False),
    ],
)
def test_concurrency_throttled(where: str, before: int, expected: bool) -> None:
    strategy = concurrency()
    times(before, strategy.throttled)
    assert strategy.throttled() is expected


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:45", f"{CONCURRENCY}:47"])
def test_concurrency_dynamic_limit_nil(where: str) -> None:
    strategy = Harness(concurrency={"limit": lambda *args: None})
    assert strategy.throttled() is False
    assert strategy.gate.slots == {}


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:55"])
def test_concurrency_invalidates_expired_locks(where: str) -> None:
    strategy = concurrency()
    times(5, strategy.throttled)
    # Timecop.travel(now + 900) runs a moment after the locks were scored.
    assert strategy.throttled(at=T0 + 900.001) is False


@pytest.mark.parametrize(
    ("where", "key"), [(f"{CONCURRENCY}:66", "ttl"), (f"{CONCURRENCY}:82", "lost_job_threshold")]
)
def test_concurrency_non_default_threshold(where: str, key: str) -> None:
    strategy = concurrency(**{key: 1000})
    times(5, strategy.throttled)
    assert strategy.throttled(at=T0 + 900.001) is True
    assert strategy.throttled(at=T0 + 1000.001) is False


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:100"])
def test_concurrency_retry_in_all_just_started(where: str) -> None:
    strategy = concurrency()
    times(5, strategy.throttled)
    strategy.throttled()  # the refused job raises the backlog to 1
    assert strategy.retry_in() == pytest.approx(300 / 5, abs=1)


@pytest.mark.parametrize(("where", "bound"), [(f"{CONCURRENCY}:114", 10 * 300 / 5)])
def test_concurrency_retry_in_deep_backlog(where: str, bound: float) -> None:
    strategy = concurrency(avg_job_duration=300, lost_job_threshold=1000, max_delay=600)
    times(15, strategy.throttled)
    assert 1 <= strategy.retry_in() <= bound


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:118"])
def test_concurrency_never_delays_more_than_max_delay(where: str) -> None:
    strategy = concurrency(avg_job_duration=300, lost_job_threshold=1000, max_delay=600)
    times(15, strategy.throttled)
    for _ in range(1000):
        assert strategy.throttled() is True
        assert strategy.retry_in() <= 600


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:144"])
def test_concurrency_explicit_job_duration(where: str) -> None:
    strategy = concurrency(avg_job_duration=15)
    times(15, strategy.throttled)
    assert 1 <= strategy.retry_in() <= 10 * 15 / 5


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:152"])
def test_concurrency_backlog_does_not_delay_forever(where: str) -> None:
    strategy = concurrency()
    times(15, strategy.throttled)
    assert strategy.retry_in(at=T0 + 24 * 60 * 60) == 0


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:177"])
def test_concurrency_retry_in_fewer_jobs_than_limit(where: str) -> None:
    strategy = concurrency()
    times(4, strategy.throttled)
    assert strategy.retry_in() == 0


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:134"])
def test_concurrency_retry_in_after_some_finished(where: str) -> None:
    strategy = concurrency()
    for jid in range(1, 16):  # 5 in progress, 10 delayed
        strategy.throttled(jid=str(jid))
    for jid in range(1, 6):  # the in-progress ones finish
        strategy.gate._finalize(strategy.strategy, str(jid), [])
    for jid in range(6, 11):  # the next batch starts
        strategy.throttled(jid=str(jid))
    assert 1 <= strategy.retry_in() <= 5 * 300 / 5


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:167"])
def test_concurrency_retry_in_oldest_older_than_ttl(where: str) -> None:
    strategy = concurrency()
    strategy.throttled(at=T0 - 1000)
    times(4, strategy.throttled)
    assert strategy.retry_in() == 0


@pytest.mark.parametrize("where", [f"{CONCURRENCY}:187"])
def test_concurrency_retry_in_dynamic_limit_nil(where: str) -> None:
    strategy = Harness(concurrency={"limit": lambda *args: None})
    times(5, strategy.throttled)
    assert strategy.retry_in() == 0
