"""Client and server middleware, Sidekiq's calling convention (lib/sidekiq/middleware/chain.rb)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.middleware import Chain
from tests.conftest import START

CALLS: list[str] = []


def recorder(label: str) -> type:
    class Recorder:
        def __init__(self, *args: Any) -> None:
            self.args = args

        def call(self, subject: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            CALLS.append(f"{label}{self.args} before")
            result = call_next()
            CALLS.append(f"{label}{self.args} after")
            return result

    Recorder.__qualname__ = label
    return Recorder


class Work(jobsim.Job):
    def perform(self) -> None:
        CALLS.append("work")


@pytest.fixture(autouse=True)
def _clear() -> None:
    CALLS.clear()


def test_chain_order_matches_sidekiqs_test() -> None:
    # add C(1); insert_before C, A(2); insert_after A, Y(3)
    # => 2 before, 3 before, 1 before, work, 1 after, 3 after, 2 after
    c, a, y = recorder("C"), recorder("A"), recorder("Y")
    chain = Chain("server")
    chain.add(c, 1)
    chain.insert_before(c, a, 2)
    chain.insert_after(a, y, 3)
    chain.invoke(None, {}, "default", lambda: CALLS.append("work"))
    assert CALLS == [
        "A(2,) before", "Y(3,) before", "C(1,) before", "work",
        "C(1,) after", "Y(3,) after", "A(2,) after",
    ]  # fmt: skip


def test_add_replaces_an_existing_entry_and_moves_it_last() -> None:
    a, b = recorder("A"), recorder("B")
    chain = Chain("client")
    chain.add(a, 1)
    chain.add(b)
    chain.add(a, 2)
    assert list(chain) == [b, a]
    chain.prepend(a)
    assert list(chain) == [a, b]
    assert chain.remove(b) is True
    assert chain.remove(b) is False
    assert b not in chain


def test_missing_anchor_inserts_at_the_start_or_end() -> None:
    a, b, c = recorder("A"), recorder("B"), recorder("C")
    chain = Chain("client")
    chain.add(a)
    chain.insert_before(c, b)
    assert list(chain) == [b, a]
    chain.insert_after(c, c)
    assert list(chain) == [b, a, c]


def test_a_new_instance_per_invocation() -> None:
    seen: list[int] = []

    class Counter:
        def call(self, subject: Any, job: Any, queue: str, call_next: Any) -> Any:
            seen.append(id(self))
            return call_next()

    chain = Chain("server")
    chain.add(Counter)
    keep = [chain.invoke(None, {}, "q", lambda: None) for _ in range(2)]
    assert len(keep) == 2
    assert len(seen) == 2


def test_non_middleware_is_refused() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="is not a middleware class"):
        Chain("client").add(object)


def test_client_middleware_can_change_the_payload(make_sim: Any) -> None:
    class Tag:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            job["tags"] = ["web"]
            return call_next()

    sim = make_sim()
    sim.client_middleware.add(Tag)
    with sim:
        Work.perform_async()
    assert sim.queue().jobs[0]["tags"] == ["web"]


def test_client_middleware_that_does_not_yield_stops_the_push(make_sim: Any) -> None:
    class Gate:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return None

    sim = make_sim()
    sim.client_middleware.add(Gate)
    with sim:
        assert Work.perform_async() is None
        assert Work.perform_bulk([[], []]) == [None, None]  # 7.1+ keeps a place per job
    assert sim.stats.enqueued == 0
    assert sim.trace.of_kind("discarded")[0].detail["reason"] == (
        "client middleware Gate stopped the push (client)"
    )


def test_client_middleware_returning_the_job_without_yielding_still_pushes(
    make_sim: Any,
) -> None:
    class Sneaky:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return job

    sim = make_sim()
    sim.client_middleware.add(Sneaky)
    with sim:
        assert Work.perform_async() is not None
    assert sim.stats.enqueued == 1


def test_client_middleware_sees_at_for_scheduled_jobs_and_runs_again_when_due(
    make_sim: Any,
) -> None:
    seen: list[tuple[Any, Any]] = []

    class Spy:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            seen.append((job_class, job.get("at")))
            return call_next()

    sim = make_sim()
    sim.client_middleware.add(Spy)
    with sim:
        Work.perform_in(60)
    assert seen == [(Work, START + 60)]
    assert "at" not in next(iter(sim.scheduled)).job
    sim.drain()
    assert seen[1] == ("Work", None)  # the poller passes the class name as a string


def test_client_middleware_can_drop_a_retry(make_sim: Any) -> None:
    class NoRetries:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return None if "retry_count" in job else call_next()

    class Fails(jobsim.Job):
        def perform(self) -> None:
            raise ValueError("x")

    sim = make_sim()
    sim.client_middleware.add(NoRetries)
    with sim:
        jid = Fails.perform_async()
    sim.drain()
    assert sim.stats.processed == 1
    assert sim.locate(jid) == "discarded"


def test_server_middleware_wraps_perform(make_sim: Any) -> None:
    sim = make_sim()
    sim.server_middleware.add(recorder("Outer"))
    sim.server_middleware.add(recorder("Inner"))
    with sim:
        Work.perform_async()
    sim.drain()
    assert CALLS == ["Outer() before", "Inner() before", "work", "Inner() after", "Outer() after"]


def test_server_middleware_that_does_not_yield_skips_work_but_succeeds(make_sim: Any) -> None:
    class Skip:
        def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
            return None

    sim = make_sim()
    sim.server_middleware.add(Skip)
    with sim:
        jid = Work.perform_async()
    sim.drain()
    assert CALLS == []
    assert sim.locate(jid) == "done"
    assert sim.trace.of_kind("succeeded")[0].detail == {"skipped_by": "Skip"}
    assert sim.stats.failed == 0


def test_server_middleware_errors_take_the_retry_path(make_sim: Any) -> None:
    class Explode:
        def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
            raise RuntimeError("middleware broke")

    sim = make_sim()
    sim.server_middleware.add(Explode)
    with sim:
        Work.perform_async()
    sim.run_due()
    assert next(iter(sim.retries)).job["error_message"] == "middleware broke"


def test_server_middleware_changes_to_the_hash_do_not_reach_the_retry(make_sim: Any) -> None:
    class Mutate:
        def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
            payload["args"] = ["changed"]
            return call_next()

    class Fails(jobsim.Job):
        def perform(self, *args: Any) -> None:
            raise ValueError("x")

    sim = make_sim()
    sim.server_middleware.add(Mutate)
    with sim:
        Fails.perform_async("original")
    sim.run_due()
    assert next(iter(sim.retries)).job["args"] == ["original"]


def test_server_middleware_receives_the_job_instance(make_sim: Any) -> None:
    seen: list[Any] = []

    class Who:
        def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
            seen.append((type(job).__name__, job.jid == payload["jid"], queue))
            return call_next()

    sim = make_sim()
    sim.server_middleware.add(Who)
    with sim:
        Work.set(queue="q1").perform_async()
    sim.drain()
    assert seen == [("Work", True, "q1")]


class Stamp(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


class SerializeDates:
    """A client middleware that turns datetimes into text before the strict-args check."""

    def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        job["args"] = [arg.isoformat() if hasattr(arg, "isoformat") else arg for arg in job["args"]]
        return call_next()


def test_strict_args_run_after_client_middleware_from_6_4_2(make_sim: Any) -> None:
    from datetime import UTC, datetime

    sim = make_sim(profile="sidekiq-7")
    sim.client_middleware.add(SerializeDates)
    with sim:
        Stamp.perform_async(datetime(2026, 1, 1, tzinfo=UTC))
    assert sim.queue().jobs[0]["args"] == ["2026-01-01T00:00:00+00:00"]


def test_strict_args_run_before_client_middleware_in_6_4_1(make_sim: Any) -> None:
    from datetime import UTC, datetime

    sim = make_sim(profile="sidekiq-6.4")
    sim.client_middleware.add(SerializeDates)
    with sim, pytest.warns(jobsim.JobsimWarning, match="must be native JSON types"):
        Stamp.perform_async(datetime(2026, 1, 1, tzinfo=UTC))


def test_dropped_jobs_are_not_checked_for_strict_args(make_sim: Any) -> None:
    class DropAll:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return False

    sim = make_sim(profile="sidekiq-8")
    sim.client_middleware.add(DropAll)
    with sim:
        assert Stamp.perform_async(object()) is None


@pytest.mark.parametrize(("profile", "expected"), [("sidekiq-6.4", 1), ("sidekiq-7", 3)])
def test_perform_bulk_result_with_dropped_jobs(make_sim: Any, profile: str, expected: int) -> None:
    class DropOdd:
        def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
            return None if job["args"][0] % 2 else call_next()

    sim = make_sim(profile=profile)
    sim.client_middleware.add(DropOdd)
    with sim:
        result = Stamp.perform_bulk([[1], [2], [3]])
    assert len(result) == expected
    assert sum(jid is not None for jid in result) == 1


class Hold:
    """A middleware that declares the job option it understands (hold the job N seconds)."""

    job_options: ClassVar[dict[str, Any]] = {
        "hold": lambda value: _positive_seconds(value),
    }

    def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        return call_next()


def _positive_seconds(value: Any) -> int:
    if not isinstance(value, int) or value <= 0:
        raise ValueError("pass a whole number of seconds > 0")
    return value


def test_middleware_declared_options_are_accepted_where_the_job_names_the_middleware() -> None:
    locked = type(
        "Locked", (jobsim.Job,), {"perform": lambda self: None}, options_from=(Hold,), hold=60
    )
    assert locked.sidekiq_options["hold"] == 60
    with pytest.raises(jobsim.InvalidOption) as caught:
        type("Bad", (jobsim.Job,), {}, options_from=(Hold,), hold=-1)
    assert str(caught.value) == (
        "class Bad: option hold=-1 is not valid for Hold: pass a whole number of seconds > 0"
    )


def test_declared_options_are_inherited_and_checked_in_set() -> None:
    parent = type("Parent", (jobsim.Job,), {}, options_from=(Hold,), hold=5)
    child = type("Child", (parent,), {}, hold=7)
    assert child.sidekiq_options["hold"] == 7
    assert child.set(hold=9).options == {"hold": 9}
    with pytest.raises(jobsim.InvalidOption, match="not valid for Hold"):
        child.set(hold="soon")


def test_unknown_options_point_at_options_from() -> None:
    with pytest.raises(jobsim.InvalidOption, match=r"options_from=\(TheMiddleware,\)"):
        type("Nope", (jobsim.Job,), {}, throttle_per=5)


def test_adding_a_middleware_to_one_simulator_declares_nothing_for_other_classes(
    make_sim: Any,
) -> None:
    throwaway = make_sim()
    throwaway.client_middleware.add(Hold)
    assert throwaway.honoured_options == {"hold": "Hold"}
    with pytest.raises(jobsim.InvalidOption, match="unknown job option hold=10"):
        type("B", (jobsim.Job,), {}, hold=10)
    assert make_sim().honoured_options == {}


def test_two_middleware_cannot_own_one_option() -> None:
    class Other:
        job_options: ClassVar[dict[str, Any]] = {"hold": None}

        def call(self, *args: Any) -> Any: ...

    with pytest.raises(jobsim.InvalidOption, match="Other and Hold both declare option 'hold'"):
        type("Both", (jobsim.Job,), {}, options_from=(Hold, Other))


def test_a_middleware_may_not_redeclare_a_known_option() -> None:
    class Shadow:
        job_options: ClassVar[dict[str, Any]] = {"lock": None}

    with pytest.raises(jobsim.InvalidOption) as caught:
        type("Shadowed", (jobsim.Job,), {}, options_from=(Shadow,))
    assert str(caught.value) == (
        "class Shadowed: Shadow.job_options declares 'lock', which jobsim already knows "
        "(Sidekiq's or a gem's option); give your middleware's option its own name"
    )


def test_server_middleware_changes_deep_inside_the_hash_reach_perform_but_not_the_retry(
    make_sim: Any,
) -> None:
    # Sidekiq's middleware mutates the parsed job_hash; the retry re-parses the stored JSON.
    # A shallow copy of the hash would let every one of these in-place changes leak.
    seen: list[Any] = []

    class Mutate:
        def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
            payload["args"][0]["id"] = 99
            payload["args"][0]["tags"].append("added")
            payload["args"].append("extra")
            payload["meta"]["who"] = "middleware"
            payload["tags"].append("web")
            payload["new_key"] = 1
            return call_next()

    class Fails(jobsim.Job):
        def perform(self, *args: Any) -> None:
            seen.append(args)
            raise ValueError("x")

    sim = make_sim()
    sim.server_middleware.add(Mutate)
    with sim:
        sim.push(
            {"class": Fails, "args": [{"id": 1, "tags": ["a"]}], "meta": {"who": "app"}, "tags": []}
        )
    sim.run_due()
    assert seen == [({"id": 99, "tags": ["a", "added"]}, "extra")]
    retry = next(iter(sim.retries)).job
    assert retry["args"] == [{"id": 1, "tags": ["a"]}]
    assert retry["meta"] == {"who": "app"}
    assert retry["tags"] == []
    assert "new_key" not in retry
    started = next(event for event in sim.trace if event.kind == "started")
    assert started.job["args"] == [{"id": 1, "tags": ["a"]}]
    sim.advance(10_000)
    assert seen[1] == seen[0]  # the retry's perform sees the same changes made afresh


def test_a_stateless_middleware_is_made_once_with_its_arguments() -> None:
    made: list[tuple[Any, ...]] = []
    seen: list[int] = []

    class Shared:
        stateless = True

        def __init__(self, *args: Any) -> None:
            made.append(args)
            self.args = args

        def call(self, subject: Any, job: Any, queue: str, call_next: Any) -> Any:
            seen.append(id(self))
            assert self.args == ("tag",)
            return call_next()

    class Fresh:
        stateless = "yes"  # only True opts in

        def call(self, subject: Any, job: Any, queue: str, call_next: Any) -> Any:
            return call_next()

    alone = Chain("server")
    alone.add(Shared, "tag")
    pair = Chain("server")
    pair.add(Shared, "tag")
    pair.add(Fresh)
    for chain in (alone, pair, alone, pair):
        assert chain.invoke(None, {}, "q", lambda: "done") == ("done", None)
    assert made == [("tag",), ("tag",)]  # one per chain entry, when it was added
    assert seen[0] == seen[2]
    assert seen[1] == seen[3]
    assert seen[0] != seen[1]
