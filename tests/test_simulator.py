"""The simulator's verbs: running, moving time, queue order, the data API and the trace."""

from __future__ import annotations

import contextvars
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from tests.conftest import START, failing_job

RAN: list[str] = []


class Record(jobsim.Job):
    def perform(self, label: str) -> None:
        RAN.append(label)


@pytest.fixture(autouse=True)
def _clear_ran() -> None:
    RAN.clear()


def test_strict_queue_order_serves_earlier_queues_first(make_sim: Any) -> None:
    sim = make_sim(queues=["critical", "default", "low"])
    with sim:
        Record.set(queue="low").perform_async("low")
        Record.perform_async("default")
        Record.set(queue="critical").perform_async("critical")
    sim.drain()
    assert RAN == ["critical", "default", "low"]


def test_without_queue_list_every_queue_is_served_in_first_use_order(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Record.set(queue="b").perform_async("b1")
        Record.set(queue="a").perform_async("a1")
        Record.set(queue="b").perform_async("b2")
    sim.drain()
    assert RAN == ["b1", "b2", "a1"]
    assert sim.queues == ["b", "a"]


def test_jobs_in_queues_nobody_listens_to_stay_there(make_sim: Any) -> None:
    sim = make_sim(queues=["default"])
    with sim:
        jid = Record.set(queue="orphan").perform_async("x")
    with pytest.warns(jobsim.JobsimWarning, match="no process serves: orphan"):
        sim.drain()
    assert RAN == []
    assert sim.locate(jid) == "queue:orphan"


def test_advance_runs_only_what_comes_due(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Record.perform_in(10, "10s")
        Record.perform_in(timedelta(hours=1), "1h")
    assert sim.advance(30) == 1
    assert RAN == ["10s"]
    assert sim.time == START + 30
    sim.advance(timedelta(hours=1))
    assert RAN == ["10s", "1h"]


def test_run_until_stops_the_clock_at_the_given_time(make_sim: Any) -> None:
    sim = make_sim()
    sim.run_until(datetime(2026, 1, 2, tzinfo=UTC))
    assert sim.now == datetime(2026, 1, 2, tzinfo=UTC)


def test_drain_leaves_the_clock_at_the_last_event(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Record.perform_in(90, "late")
    sim.drain()
    assert sim.time == START + 90


def test_run_due_does_not_move_the_clock(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Record.perform_async("now")
        Record.perform_in(1, "later")
    assert sim.run_due() == 1
    assert sim.time == START
    assert RAN == ["now"]


def test_perform_one_runs_exactly_one_job(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        first = Record.perform_async("1")
        Record.perform_async("2")
    assert sim.perform_one() == first
    assert RAN == ["1"]
    assert sim.queue().size == 1


def test_jobs_enqueued_by_jobs_run_in_the_same_drain(make_sim: Any) -> None:
    class Parent(jobsim.Job):
        def perform(self) -> None:
            Record.perform_async("child")
            Record.perform_in(5, "grandchild later")

    sim = make_sim()
    with sim:
        Parent.perform_async()
    sim.drain()
    assert RAN == ["child", "grandchild later"]


def test_queue_view_mirrors_sidekiq_queue(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-7", queues=["elsewhere"])  # nobody serves "default"
    with sim:
        first = Record.perform_async("a")
        sim.advance(30)
        second = Record.perform_async("b")
    queue = sim.queue()
    assert [job["jid"] for job in queue] == [second, first]  # newest first, like Queue#each
    assert [job["jid"] for job in queue.jobs] == [first, second]  # fetch order
    assert queue.latency == 30.0
    assert queue.find_job(first) is not None
    assert queue.delete(first) is True
    assert sim.locate(first) == "discarded"
    assert queue.clear() == 1
    assert sim.stats.enqueued == 0


def test_stats_count_every_execution(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry=2, fail_times=1)
    with sim:
        flaky.perform_async()
        Record.perform_async("ok")
    sim.drain()
    stats = sim.stats.as_dict()
    assert stats["processed"] == 3
    assert stats["failed"] == 1
    assert stats["dead_size"] == stats["retry_size"] == stats["scheduled_size"] == 0


def test_trace_exports_json_lines(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        jid = Record.perform_async("x")
    sim.drain()
    out = io.StringIO()
    assert sim.trace.to_jsonl(out) == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["kind"] for row in rows] == ["enqueued", "started", "succeeded"]
    assert rows[0]["jid"] == jid
    assert rows[0]["at"] == "2026-01-01T00:00:00Z"
    assert rows[0]["job"]["args"] == ["x"]


def test_trace_queries(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        a = Record.perform_async("a")
        Record.perform_in(100, "b")
    sim.drain()
    assert [e.kind for e in sim.trace.for_job(a)] == ["enqueued", "started", "succeeded"]
    assert len(sim.trace.between(START + 50, START + 200)) == 3
    assert len(sim.trace.of_kind("started")) == 2
    assert sim.trace.tail(1)[0].kind == "succeeded"


def test_trace_limit_keeps_the_newest_events(make_sim: Any) -> None:
    sim = make_sim(trace_limit=2)
    with sim:
        Record.perform_async("a")
    sim.drain()
    assert sim.trace.kinds() == ["started", "succeeded"]
    assert sim.trace.total == 3


def test_nested_simulators_route_to_the_innermost(make_sim: Any) -> None:
    outer, inner = make_sim(), make_sim()
    with outer:
        Record.perform_async("outer")
        with inner:
            Record.perform_async("inner")
        Record.perform_async("outer again")
    assert (outer.stats.enqueued, inner.stats.enqueued) == (2, 1)


def test_a_thread_handed_the_callers_context_reaches_the_active_simulator(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        context = contextvars.copy_context()
        worker = threading.Thread(target=context.run, args=(Record.perform_async, "from a thread"))
        worker.start()
        worker.join()
    sim.drain()
    assert RAN == ["from a thread"]


def test_a_thread_that_enters_the_simulator_itself_reaches_it(make_sim: Any) -> None:
    sim = make_sim()

    def work() -> None:
        with sim:
            Record.perform_async("entered in the thread")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    sim.drain()
    assert RAN == ["entered in the thread"]


def test_a_plain_thread_does_not_inherit_the_activation(make_sim: Any) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            Record.perform_async("lost")
        except jobsim.NoActiveSimulator as error:
            errors.append(error)

    with make_sim():
        worker = threading.Thread(target=work, name="mailer-pool-1")
        worker.start()
        worker.join()
    assert [str(error) for error in errors] == [
        "Record.perform_async() was called with no active jobsim simulator, so the job has "
        "nowhere to go; enqueue inside `with jobsim.Simulator() as sim:` or use the pytest "
        "fixture `jobsim` (this enqueue ran in thread 'mailer-pool-1', and a simulator is "
        "active only in the thread that entered it: enter `with sim:` in the thread, or start "
        "its work with contextvars.copy_context().run)"
    ]


def test_two_threads_each_inside_their_own_with_route_to_their_own_simulator(
    make_sim: Any,
) -> None:
    sims = [make_sim(seed=1), make_sim(seed=2)]
    both_inside = threading.Barrier(2)

    def work(index: int) -> None:
        with sims[index]:
            both_inside.wait(timeout=10)  # each enqueues while the other is inside its `with`
            for _ in range(50):
                Record.perform_async(f"thread {index}")
            both_inside.wait(timeout=10)

    workers = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [sim.stats.enqueued for sim in sims] == [50, 50]
    assert {job["args"][0] for job in sims[0].queue().jobs} == {"thread 0"}
    assert {job["args"][0] for job in sims[1].queue().jobs} == {"thread 1"}


def test_a_new_instance_runs_each_execution_with_its_jid(make_sim: Any) -> None:
    seen: list[tuple[int, str]] = []

    class Who(jobsim.Job, retry=1):
        def perform(self) -> None:
            seen.append((id(self), self.jid))
            if len(seen) == 1:
                raise ValueError("again")

    sim = make_sim()
    with sim:
        jid = Who.perform_async()
    sim.drain()
    assert [j for _, j in seen] == [jid, jid]
    assert sim.locate(jid) == "done"


def test_repr_is_informative(make_sim: Any) -> None:
    sim = make_sim(seed=3, profile="sidekiq-7")
    assert repr(sim).startswith("<Simulator seed=3 profile='sidekiq-7' now=2026-01-01T00:00:00")


def test_gc_young_threshold_is_raised_only_while_the_engine_runs(make_sim: Any) -> None:
    import gc

    seen: list[int] = []

    class Look(jobsim.Job):
        def perform(self) -> None:
            seen.append(gc.get_threshold()[0])

    before = gc.get_threshold()
    sim = make_sim()
    with sim:
        assert gc.get_threshold() == before  # user code outside the engine: the process's own
        Look.perform_async()
    sim.drain()
    assert seen == [20_000]
    assert gc.get_threshold() == before


def test_gc_tuning_off_leaves_the_threshold_alone_inside_jobs(make_sim: Any) -> None:
    import gc

    seen: list[tuple[int, int, int]] = []

    class Look(jobsim.Job):
        def perform(self) -> None:
            seen.append(gc.get_threshold())

    sim = make_sim(young_gc=False)
    with sim:
        Look.perform_async()
    sim.drain()
    assert seen == [gc.get_threshold()]
    with pytest.raises(jobsim.InvalidArgument, match=r"young_gc='yes'"):
        make_sim(young_gc="yes")


def test_gc_threshold_someone_sets_meanwhile_or_turns_off_is_left_alone(make_sim: Any) -> None:
    import gc

    before = gc.get_threshold()

    class Set(jobsim.Job):
        def perform(self, first: int) -> None:
            gc.set_threshold(first, before[1], before[2])

    try:
        sim = make_sim()
        with sim:
            Set.perform_async(5_000)
        sim.drain()
        assert gc.get_threshold()[0] == 5_000  # theirs, not restored over
        gc.set_threshold(0, before[1], before[2])
        with sim:
            Record.perform_async("x")
        sim.drain()
        assert gc.get_threshold()[0] == 0  # collection stays off
    finally:
        gc.set_threshold(*before)


def test_gc_older_thresholds_set_inside_a_run_are_kept(make_sim: Any) -> None:
    import gc

    class Set(jobsim.Job):
        def perform(self) -> None:
            gc.set_threshold(20_000, 50, 50)

    before = gc.get_threshold()
    try:
        sim = make_sim()
        with sim:
            Set.perform_async()
        sim.drain()
        assert gc.get_threshold() == (before[0], 50, 50)
    finally:
        gc.set_threshold(*before)


def test_gc_threshold_is_restored_after_a_run_even_when_it_raises(make_sim: Any) -> None:
    import gc

    class Boom(jobsim.Job):
        def perform(self) -> None:
            assert gc.get_threshold()[0] == 20_000  # raised while the engine runs
            raise KeyboardInterrupt

    before = gc.get_threshold()
    sim = make_sim()
    with sim:
        Record.perform_async("x")
    sim.drain()
    assert gc.get_threshold() == before
    with sim:
        Boom.perform_async()
    with pytest.raises(KeyboardInterrupt):
        sim.drain()
    assert gc.get_threshold() == before


def test_a_deep_copy_of_the_trace_records_into_itself_only(make_sim: Any) -> None:
    import copy

    for limit in (None, 0, 3):
        sim = make_sim(trace_limit=limit)
        with sim:
            Record.perform_async("x")
        copied = copy.deepcopy(sim.trace)
        copied.record("enqueued", START, "j" * 24, {"class": "X"})
        assert (copied.total, sim.trace.total) == (2, 1)
        kept = {None: (2, 1), 0: (0, 0), 3: (2, 1)}[limit]
        assert (len(copied), len(sim.trace)) == kept


def test_stamps_are_computed_for_every_instant_even_the_first(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-8", start=-1.0)
    with sim:
        jid = Record.perform_async("x")
    job = sim.queue("default").find_job(jid)
    assert job is not None
    assert (job["created_at"], job["enqueued_at"]) == (-1000, -1000)


def test_an_event_is_stamped_with_the_clock_after_client_middleware(make_sim: Any) -> None:
    sim = make_sim()

    class Slowpoke:
        def call(self, job_class: Any, job: Any, queue: str, call_next: Any) -> Any:
            sim.advance(5)
            return call_next()

    sim.client_middleware.add(Slowpoke)
    with sim:
        jid = Record.perform_async("x")
    assert sim.trace.for_job(jid)[0].ts == START + 5
