"""Port of Sidekiq's client tests: ``test/test_client.rb`` (v6.4.1), ``test/client_test.rb``
(v7.3.10 and v8.1.7, the tags ``jobsim.profiles`` names).

An example present on several tags is one test run once per tag, under that tag's profile; its
id names the upstream file, line and tag. ``Sidekiq::Client.push(item)`` is ``sim.push(item)``,
``push_bulk(items)`` is ``sim.push_bulk(items)``, ``Client.enqueue(W, ...)`` is
``W.perform_async(...)``, ``enqueue_to(q, W, ...)`` is ``W.set(queue=q).perform_async(...)``,
``enqueue_to_in`` / ``enqueue_in`` are ``set(queue=q).perform_in``, ``Sidekiq.strict_args!``
is ``Simulator(strict_args=...)`` and a client's middleware chain is
``sim.client_middleware`` (a middleware's ``yield`` is its ``call_next()``).

Not applicable (Ruby-only mechanics), not ported:

* "enqueues jobs with a symbol as an argument", "raises an error when using a symbol as an
  argument" and the two "Hash with symbols and string as keys" examples: Python has no Symbol.
* the four "sharding" examples (``pool`` option, ``Client.via``): Redis connection pools.
* "does not explode when new initializing classes from multiple threads": Ruby class
  attributes set from threads.
* 7.3.10:584 / 8.1.7:667 "retries scheduled jobs correctly" after a Redis error: no Redis.
* 7.3.10:118 / 8.1.7:125 "can cancel" (``Client#cancel!``, Sidekiq 7.3's iterable jobs):
  not built.
* "allows local middleware modification" is ported without its last line (a client's own
  chain against ``Sidekiq.client_middleware``): a simulator has one client chain.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.active_job import ActiveJob

TAGS = (
    ("v6.4.1", "test/test_client.rb", "sidekiq-6.4"),
    ("v7.3.10", "test/client_test.rb", "sidekiq-7"),
    ("v8.1.7", "test/client_test.rb", "sidekiq-8"),
)
JID = re.compile(r"[0-9a-f]{12}")


def upstream(v6: int | None, v7: int | None, v8: int | None) -> pytest.MarkDecorator:
    """One test per tag that has the example, named after its line and run on its profile."""
    cases = [
        pytest.param(profile, id=f"{path}:{line}@{tag}")
        for (tag, path, profile), line in zip(TAGS, (v6, v7, v8), strict=True)
        if line is not None
    ]
    return pytest.mark.parametrize("profile", cases)


class MyWorker(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


class QueuedWorker(jobsim.Job, queue="flimflam"):
    def perform(self, *args: Any) -> None:
        pass


class InterestingWorker(jobsim.Job):
    def perform(self, an_argument: Any) -> None:
        pass


class BaseWorker(jobsim.Job, retry=3):
    pass


class AWorker(BaseWorker):
    pass


class BWorker(BaseWorker, retry=5):
    pass


class Stopper:
    """Pushes jobs whose first argument is odd."""

    def call(self, job_class: Any, job: Any, queue: str, call_next: Callable[[], Any]) -> Any:
        return call_next() if job["args"][0] % 2 == 1 else None


@pytest.fixture
def sim(profile: str) -> Iterator[jobsim.Simulator]:
    start = datetime(2012, 12, 26, 6, tzinfo=UTC)
    with jobsim.Simulator(profile=profile, start=start) as simulator:
        yield simulator


# -- errors and single pushes ----------------------------------------------------------------


@upstream(7, 80, 87)
def test_raises_argument_error_with_invalid_params(sim: jobsim.Simulator) -> None:
    bad: list[Any] = [
        "foo",
        {"class": "Foo", "noargs": [1, 2]},
        {"queue": "foo", "class": MyWorker, "noargs": [1, 2]},
        {"queue": "foo", "class": 42, "args": [1, 2]},
        {"queue": "foo", "class": MyWorker, "args": "not_an_array"},
        {"queue": "foo", "class": MyWorker, "args": [1], "at": "not_a_numeric"},
        {"queue": "foo", "class": MyWorker, "args": [1], "tags": "not_an_array"},
    ]
    for item in bad:
        with pytest.raises(jobsim.InvalidArgument):
            sim.push(item)


@upstream(39, 112, 119)
def test_handles_nil_queue(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument):
        sim.push({"class": "Blah", "args": [1, 2, 3], "queue": ""})


@upstream(45, 125, 132)
def test_can_push(sim: jobsim.Simulator) -> None:
    jid = sim.push({"class": "Blah", "args": [1, 2, 3]})
    assert jid is not None
    assert len(jid) == 24


@upstream(51, 130, 137)
def test_allows_middleware_to_stop_bulk_jobs(sim: jobsim.Simulator) -> None:
    class OnlyOne:
        def call(self, job_class: Any, job: Any, queue: str, call_next: Any) -> Any:
            return call_next() if job["args"][0] == 1 else False

    sim.client_middleware.add(OnlyOne)
    result = sim.push_bulk({"class": "Blah", "args": [[1], [2], [3]]})
    if sim.profile.name == "sidekiq-6.4":
        assert len(result) == 1  # dropped jobs are left out
    else:  # 7.1+: a None stands for each dropped job
        assert [len(str(jid or "")) for jid in result] == [24, 0, 0]
    assert sim.queue().size == 1


@upstream(68, 147, 154)
def test_allows_local_middleware_modification(sim: jobsim.Simulator) -> None:
    called: list[bool] = []

    class Mware:
        def call(self, job_class: Any, job: Any, queue: str, call_next: Any) -> Any:
            called.append(True)
            return job

    sim.client_middleware.add(Mware)
    sim.push({"class": "Blah", "args": [1, 2, 3]})
    assert called == [True]
    assert Mware in sim.client_middleware


@upstream(84, 166, 173)
def test_pushes_messages_to_redis(sim: jobsim.Simulator) -> None:
    before = sim.queue("foo").size
    jid = sim.push({"queue": "foo", "class": MyWorker, "args": [1, 2]})
    assert jid is not None
    assert len(jid) == 24
    assert sim.queue("foo").size == before + 1


@upstream(93, 175, 182)
def test_pushes_messages_to_redis_using_a_string_class(sim: jobsim.Simulator) -> None:
    before = sim.queue("foo").size
    jid = sim.push({"queue": "foo", "class": "MyWorker", "args": [1, 2]})
    assert jid is not None
    assert len(jid) == 24
    assert sim.queue("foo").size == before + 1


@upstream(111, 184, 191)
def test_enqueues(sim: jobsim.Simulator) -> None:
    assert dict(MyWorker.sidekiq_options) == {"retry": True, "queue": "default"}
    assert MyWorker.perform_async(1, 2)
    assert MyWorker.perform_async(1, 2)  # Client.enqueue
    assert MyWorker.set(queue="custom_queue").perform_async(1, 2)
    assert sim.queue("custom_queue").size == 1
    assert MyWorker.set(queue="custom_queue").perform_in(3, 1, 2)
    assert MyWorker.set(queue="custom_queue").perform_in(-3, 1, 2)
    assert sim.queue("custom_queue").size == 2
    assert MyWorker.perform_in(3, 1, 2)
    assert QueuedWorker.perform_async(1, 2)
    assert sim.queue("flimflam").size == 1


# -- argument checking -----------------------------------------------------------------------


@dataclasses.dataclass
class Point:
    """A Ruby ``Struct.new(:x, :y)``'s counterpart."""

    x: int
    y: int


@pytest.fixture
def lenient(profile: str) -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(profile=profile, strict_args=False) as simulator:
        yield simulator


@pytest.fixture
def strict(profile: str) -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(profile=profile, strict_args="raise") as simulator:
        yield simulator


@upstream(138, 211, 218)
def test_enqueues_jobs_with_a_date_as_an_argument(lenient: jobsim.Simulator) -> None:
    assert InterestingWorker.perform_async(date(2021, 1, 1))


@upstream(151, 224, 231)
def test_enqueues_jobs_with_a_struct_as_an_argument(lenient: jobsim.Simulator) -> None:
    assert InterestingWorker.perform_async(Point(0, 0))


NESTED = {"foo": ["a", "b", "c"], "bar": ["x", "y", "z"]}


@upstream(157, 230, 237)
def test_works_with_a_json_friendly_deep_nested_structure(lenient: jobsim.Simulator) -> None:
    assert InterestingWorker.perform_async(NESTED)


@upstream(181, 255, 262)
def test_raises_an_error_when_using_a_date_as_an_argument(strict: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument):
        InterestingWorker.perform_async(date(2021, 1, 1))


class ChildHash(dict[str, Any]):
    pass


@upstream(None, 273, 280)
def test_raises_an_error_when_using_a_hash_subclass(strict: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="ChildHash"):
        InterestingWorker.perform_async(ChildHash(some="hash"))


@upstream(198, 280, 287)
def test_raises_an_error_when_using_a_struct_as_an_argument(strict: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument):
        InterestingWorker.perform_async(Point(0, 0))


@upstream(206, 288, 295)
def test_strict_works_with_a_json_friendly_deep_nested_structure(
    strict: jobsim.Simulator,
) -> None:
    assert InterestingWorker.perform_async(NESTED)


@upstream(216, 298, 305)
def test_raises_an_error_on_json_unfriendly_structures(strict: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="InterestingWorker"):
        InterestingWorker.perform_async({"foo": [date(2021, 1, 1)], "bar": ["x", "y", "z"]})


class TestActiveJob(ActiveJob):
    __test__ = False  # not a pytest class

    def perform(self, arg: Any) -> None:
        pass


@upstream(None, 317, 324)
def test_active_job_raises_error_with_correct_class_name(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Unsupported argument type"):
        TestActiveJob.perform_later(object())


# -- bulk ------------------------------------------------------------------------------------


def numbered(count: int) -> list[list[int]]:
    return [[x] for x in range(1, count + 1)]


@upstream(236, 333, 340)
def test_can_push_a_large_set_of_jobs_at_once(sim: jobsim.Simulator) -> None:
    count = 1000 if sim.profile.name == "sidekiq-6.4" else 1001
    assert len(sim.push_bulk({"class": QueuedWorker, "args": numbered(count)})) == count


@upstream(241, 338, 345)
def test_can_push_a_large_set_of_jobs_at_once_using_a_string_class(sim: jobsim.Simulator) -> None:
    count = 1000 if sim.profile.name == "sidekiq-6.4" else 1001
    assert len(sim.push_bulk({"class": "QueuedWorker", "args": numbered(count)})) == count


@upstream(None, 343, 350)
def test_bulk_pushes_a_large_set_of_jobs_with_a_different_batch_size(
    sim: jobsim.Simulator,
) -> None:
    items = {"class": QueuedWorker, "args": numbered(1001), "batch_size": 100}
    assert len(sim.push_bulk(items)) == 1001
    assert "batch_size" not in next(iter(sim.queue("flimflam")))


@upstream(None, 349, 356)
def test_bulk_enqueues_the_jobs_by_evaluating_the_enumerator(sim: jobsim.Simulator) -> None:
    lazy = ([x] for x in range(1, 1002))
    assert len(sim.push_bulk({"class": QueuedWorker, "args": list(lazy)})) == 1001


@upstream(None, 355, 362)
def test_handles_lots_of_jobs_in_bulk(sim: jobsim.Simulator) -> None:
    user_ids = ([x] for x in range(1, 10_001))
    jids = sim.push_bulk({"class": "A", "args": list(user_ids), "batch_size": 5000})
    assert len(jids) == 10_000


def scheduled_times(sim: jobsim.Simulator, jids: list[str | None]) -> list[datetime]:
    found = [sim.scheduled.find_job(str(jid)) for jid in jids]
    return [entry.at for entry in found if entry is not None]


@upstream(246, None, None)
def test_can_push_jobs_scheduled_at_different_times(sim: jobsim.Simulator) -> None:
    first_at, second_at = datetime(2019, 1, 1, tzinfo=UTC), datetime(2019, 1, 2, tzinfo=UTC)
    items = {
        "class": QueuedWorker,
        "args": [[1], [2]],
        "at": [t.timestamp() for t in (first_at, second_at)],
    }
    assert scheduled_times(sim, sim.push_bulk(items)) == [first_at, second_at]


@pytest.mark.parametrize("job_count", [1, 2, 3])
@upstream(None, 365, 372)
def test_can_push_n_jobs_scheduled_at_different_times(
    sim: jobsim.Simulator, job_count: int
) -> None:
    times = [datetime(2019, 1, i + 1, tzinfo=UTC) for i in range(job_count)]
    args = [[i] for i in range(job_count)]
    jids = sim.push_bulk(
        {"class": QueuedWorker, "args": args, "at": [t.timestamp() for t in times]}
    )
    assert len(jids) == job_count
    assert scheduled_times(sim, jids) == times


@upstream(None, 570, 653)
def test_can_specify_different_times_when_there_are_more_jobs_than_the_batch_size(
    sim: jobsim.Simulator,
) -> None:
    times = [datetime(2019, 1, i + 1, tzinfo=UTC) for i in range(5)]
    items = {
        "class": QueuedWorker,
        "args": [[i] for i in range(5)],
        "at": [t.timestamp() for t in times],
        "batch_size": 2,
    }
    jids = sim.push_bulk(items)
    assert len(jids) == 5
    assert scheduled_times(sim, jids) == times


@upstream(255, 376, 383)
def test_can_push_jobs_scheduled_using_active_support_duration(sim: jobsim.Simulator) -> None:
    # 1.seconds and 111.seconds are Numeric to Sidekiq: epoch 1 and 111, long past.
    assert len(sim.push_bulk({"class": QueuedWorker, "args": [[1], [2]], "at": [1, 111]})) == 2


@upstream(260, 382, 389)
def test_returns_the_jids_for_the_jobs(sim: jobsim.Simulator) -> None:
    for jid in sim.push_bulk({"class": "QueuedWorker", "args": numbered(2)}):
        assert JID.search(str(jid))


@upstream(266, 388, 395)
def test_bulk_handles_no_jobs(sim: jobsim.Simulator) -> None:
    assert len(sim.push_bulk({"class": "QueuedWorker", "args": []})) == 0


@upstream(None, None, 400)
def test_spreads_jobs_over_the_interval(sim: jobsim.Simulator) -> None:
    jids = sim.push_bulk(
        {"class": QueuedWorker, "args": [[1], [2], [3], [4]], "spread_interval": 10}
    )
    assert len(jids) == 4
    assert sim.scheduled.size == 4
    for entry in sim.scheduled:
        assert sim.time <= entry.score <= sim.time + 10


@upstream(272, 394, 417)
def test_bulk_raises_argument_error_with_invalid_params(sim: jobsim.Simulator) -> None:
    now = sim.time
    bad: list[dict[str, Any]] = [
        {"class": "QueuedWorker", "args": [[1], 2]},
        {"class": "QueuedWorker", "args": [[1], [2]], "at": [now, "not_a_numeric"]},
        {"class": QueuedWorker, "args": [[1], [2]], "at": [now]},
        {"class": QueuedWorker, "args": [[1]], "at": [now, now]},
    ]
    if sim.profile.bulk_spread_interval:
        bad += [
            {"class": QueuedWorker, "args": [[1]], "at": [now], "spread_interval": 10},
            {"class": QueuedWorker, "args": [[1]], "spread_interval": -10},
            {"class": QueuedWorker, "args": [[1]], "spread_interval": "not_a_numeric"},
        ]
    for items in bad:
        with pytest.raises(jobsim.InvalidArgument):
            sim.push_bulk(items)


@upstream(None, None, 447)
def test_rejects_a_non_numeric_scalar_at(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Numeric or an Array of Numeric timestamps"):
        sim.push_bulk({"class": QueuedWorker, "args": [[1]], "at": "soon"})


@upstream(None, None, 454)
def test_rejects_an_empty_array_at(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Numeric or an Array of Numeric timestamps"):
        sim.push_bulk({"class": QueuedWorker, "args": [[1]], "at": []})


@upstream(None, None, 461)
def test_rejects_an_explicit_jid_when_pushing_more_than_one_job(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Explicitly passing 'jid' when pushing more"):
        sim.push_bulk({"class": QueuedWorker, "args": [[1], [2]], "jid": "abc"})


@upstream(None, None, 468)
def test_rejects_providing_both_at_and_spread_interval(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Only one of 'at' or 'spread_interval'"):
        sim.push_bulk({"class": QueuedWorker, "args": [[1]], "at": sim.time, "spread_interval": 10})


# -- perform_bulk ----------------------------------------------------------------------------


@upstream(292, 414, 477)
def test_perform_bulk_pushes_a_large_set_of_jobs(sim: jobsim.Simulator) -> None:
    assert len(MyWorker.perform_bulk(numbered(1001))) == 1001


@upstream(297, 419, 482)
def test_perform_bulk_pushes_a_large_set_of_jobs_with_a_different_batch_size(
    sim: jobsim.Simulator,
) -> None:
    assert len(MyWorker.perform_bulk(numbered(1001), batch_size=100)) == 1001


@upstream(None, None, 487)
@pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="not built yet: Job.perform_bulk has no at= (Sidekiq 8.0.8+); sim.push_bulk takes "
    "'at' as one time or one per job",
)
def test_perform_bulk_pushes_a_large_set_of_jobs_with_custom_schedules(
    sim: jobsim.Simulator,
) -> None:
    jids = MyWorker.perform_bulk(numbered(1001), at=[1] * 1001)  # type: ignore[call-arg]
    assert len(jids) == 1001
    assert sim.scheduled.size == 1001


@upstream(302, 424, 495)
def test_perform_bulk_handles_no_jobs(sim: jobsim.Simulator) -> None:
    assert len(MyWorker.perform_bulk([])) == 0


@upstream(308, 430, 501)
def test_perform_bulk_raises_argument_error_with_invalid_params(sim: jobsim.Simulator) -> None:
    with pytest.raises(jobsim.InvalidArgument):
        sim.push_bulk({"class": "MyWorker", "args": [[1], 2]})


@upstream(316, 438, 509)
def test_perform_bulk_enqueues_the_jobs_by_evaluating_the_enumerator(
    sim: jobsim.Simulator,
) -> None:
    assert len(MyWorker.perform_bulk([x] for x in range(1, 1002))) == 1001


# -- client middleware -----------------------------------------------------------------------


class Recorder:
    """``MiddlewareArguments``: keeps what the chain was handed."""

    seen: ClassVar[list[tuple[Any, dict[str, Any], str]]] = []

    def call(self, job_class: Any, job: Any, queue: str, call_next: Any) -> Any:
        type(self).seen.append((job_class, dict(job), queue))
        return call_next()


MINIMUM_KEYS = {"args", "class", "created_at", "jid", "queue"}


@upstream(None, 448, 519)
def test_push_sends_correct_arguments_to_middleware(sim: jobsim.Simulator) -> None:
    Recorder.seen = []
    sim.client_middleware.add(Recorder)
    sim.push({"class": MyWorker, "args": [0]})
    job_class, job, _ = Recorder.seen[-1]
    assert job_class is MyWorker
    assert set(job) >= MINIMUM_KEYS


@upstream(None, 460, 531)
def test_push_bulk_sends_correct_arguments_to_middleware(sim: jobsim.Simulator) -> None:
    Recorder.seen = []
    sim.client_middleware.add(Recorder)
    sim.push_bulk({"class": MyWorker, "args": [[0]]})
    job_class, job, _ = Recorder.seen[-1]
    assert job_class is MyWorker
    assert set(job) >= MINIMUM_KEYS


@upstream(346, 472, 543)
def test_can_stop_some_of_the_jobs_from_pushing(sim: jobsim.Simulator) -> None:
    sim.client_middleware.add(Stopper)
    assert sim.push({"class": MyWorker, "args": [0]}) is None
    assert JID.search(str(sim.push({"class": MyWorker, "args": [1]})))
    result = sim.push_bulk({"class": MyWorker, "args": [[0], [1]]})
    if sim.profile.name == "sidekiq-6.4":
        assert len(result) == 1
        assert JID.search(str(result[0]))
    else:
        assert len(result) == 2
        assert result[0] is None
        assert JID.search(str(result[1]))


@upstream(None, None, 556)
def test_push_bulk_sends_worker_in_correct_queue(sim: jobsim.Simulator) -> None:
    class DynamicQueue:
        def call(self, job_class: Any, job: Any, queue: str, call_next: Any) -> Any:
            job["queue"] = "odd_queue" if job["args"][0] % 2 == 1 else "even_queue"
            return call_next()

    sim.client_middleware.add(DynamicQueue)
    sim.push_bulk({"class": MyWorker, "args": [[0], [1], [2]]})
    assert sim.queue("even_queue").size == 2
    assert sim.queue("odd_queue").size == 1


@upstream(361, 487, 570)
def test_inherits_sidekiq_options(profile: str) -> None:
    assert AWorker.sidekiq_options["retry"] == 3
    assert BWorker.sidekiq_options["retry"] == 5
