"""Rails' ``activejob/test/cases/test_helper_test.rb`` (v6.1.7), ``PerformedJobsTest``, ported.

The second half of the upstream file (lines 733–1968; ``EnqueuedJobsTest`` is in
``test_rails_test_helper.py``). One test per upstream test, its id the upstream file and line.
The simulator runs Rails' test adapter (``settings(sim).queue_adapter = "test"``), as
``ActiveJob::TestCase`` does. The many count tests that differ only in their filters and jobs
are rows of tables; the rest are written out.

Translations: Rails' block is ``with helper.inside(...)``; ``only:``/``except:`` are
``only=``/``except_=``; a proc filter receives a :class:`~jobsim.testing.JobRecord` (Rails: the
job, or its hash without a block); ``queue_adapter.filter``/``reject``/``queue`` are the open
block's entry in ``settings(sim).perform_scopes``; Ruby's ``ArgumentError`` for ``only`` and
``except`` together is ``InvalidArgument``; minitest's "Expected: 2 / Actual: 1" is jobsim's
"Expected exactly 2 … but found 1".

Against the real thing: ``activejob_test_helper.rb`` runs the table cases, and a cross of
filters with job mixes (nested, scheduled, several queues) for ``perform_enqueued_jobs`` and
``assert_enqueued_jobs``, through Debian's ActiveJob 6.1.7 ``TestHelper``; jobsim must give the
same verdict and leave as many jobs enqueued and performed.

Not applicable (Rails' adapter classes, which jobsim has no counterpart for):
``OverrideQueueAdapterTest`` (line 1976: ``queue_adapter_for_test`` returning a subclass),
``InheritedJobTest`` (1982) and ``QueueAdapterJobTest`` (1999: ``queue_adapter`` is a
``TestAdapter`` instance).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import jobsim
from jobsim.active_job import ActiveJob, GlobalID, settings
from jobsim.errors import InvalidArgument
from jobsim.testing import (
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_no_performed_jobs,
    assert_performed_jobs,
    assert_performed_with,
    enqueued_jobs,
    perform_enqueued_jobs,
    performed_jobs,
)

UPSTREAM = "activejob/test/cases/test_helper_test.rb"
START = datetime(2026, 1, 1, tzinfo=UTC)
TODAY_NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)
TOMORROW_NOON = datetime(2026, 1, 2, 12, tzinfo=UTC)
BOTH = r"cannot specify both only= and except_="

#: What the jobs did (upstream's JobBuffer).
BUFFER: list[str] = []


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


class HelloJob(ActiveJob):
    def perform(self, greeter: Any = "David") -> None:
        BUFFER.append(f"{greeter} says hello")


class LoggingJob(ActiveJob):
    def perform(self, *args: Any, **kwargs: Any) -> None:
        BUFFER.append(f"Dummy, here is it: {args}")


class NestedJob(ActiveJob):
    def perform(self) -> None:
        LoggingJob.perform_later("NestedJob")


class RescueJob(ActiveJob):
    def perform(self, person: str = "david") -> None:
        if person == "david":
            raise ValueError("Hair too good")  # never performed by these tests
        BUFFER.append("performed beautifully")


class MyError(Exception):
    """Upstream's ``RaisingJob::MyError``."""


#: ``error.constantize`` for the names the upstream tests pass.
ERRORS: dict[str, type[Exception]] = {
    "RaisingJob::MyError": MyError,
    "NotImplementedError": NotImplementedError,
}


class RaisingJob(ActiveJob):
    def perform(self, error: str = "RaisingJob::MyError") -> None:
        raise ERRORS[error]()


RaisingJob.retry_on(MyError, attempts=2)


class MultipleKwargsJob(ActiveJob):
    def perform(self, argument1: Any = None, argument2: Any = None) -> None:
        pass


class Person:
    def __init__(self, id: object) -> None:
        self.id = str(id)

    def to_global_id(self) -> GlobalID:
        return GlobalID("aj", "Person", self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Person) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"#<Person @id={self.id!r}>"


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    BUFFER.clear()
    with jobsim.Simulator(seed=1) as simulator:
        settings(simulator).rails = "6.1"
        settings(simulator).queue_adapter = "test"
        settings(simulator).finders["Person"] = Person
        yield simulator


def _fails(expected: int, found: int) -> Any:
    """Rails: ``/2 .* but 1/``; jobsim says "Expected exactly 2 … but found 1"."""
    wanted = "no" if expected == 0 else f"exactly {expected}"
    # jobsim words a count of zero as "found none", or "nothing was performed" in a block.
    shown = "(found none|nothing was performed)" if found == 0 else f"found {found}"
    return pytest.raises(AssertionError, match=rf"(?s)Expected {wanted} .*but {shown}\b")


# -- the tables ---------------------------------------------------------------------------------

H, L, R = HelloJob, LoggingJob, RescueJob
#: One enqueue: (job class, queue or None, argument or None).
Push = tuple[type[ActiveJob], str | None, Any]


def _push(pushes: list[Push]) -> None:
    for job_class, queue, argument in pushes:
        target = job_class.set(queue=queue) if queue is not None else job_class
        if argument is None:
            target.perform_later()
        else:
            target.perform_later(argument)


def _hello(record: Any) -> bool:
    return bool(record.job_class == "HelloJob")


#: Count assertions: (line, assertion, n, options, pushes, outcome) where outcome is "pass",
#: "both" (only= and except_= together) or (expected, found) of the failure.
COUNTS: list[tuple[int, str, int, dict[str, Any], list[Push], Any]] = [
    (999, "count", 1, {}, [(H, None, "david")], "pass"),
    (1056, "none", 0, {}, [], "pass"),
    (1064, "count", 2, {}, [(H, None, "xavier")], (2, 1)),
    (1074, "count", 1, {}, [(H, None, "cristian"), (H, None, "guillermo")], (1, 2)),
    (1085, "none", 0, {}, [(H, None, "jeremy")], (0, 1)),
    (1095, "count", 1, {"only": H}, [(H, None, "jeremy"), (L, None, None)], "pass"),
    (1104, "count", 1, {"only": _hello}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1144, "count", 1, {"except_": L}, [(H, None, "jeremy"), (L, None, None)], "pass"),
    (1153, "count", 1, {"except_": _hello}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1193, "count", 1, {"only": H, "except_": H}, [(H, None, "jeremy"), (L, None, None)], "both"),
    (1217, "count", 2, {"only": [H, L]}, [(H, None, "j"), (L, None, "s"), (R, None, "d")], "pass"),
    (
        1227,
        "count",
        1,
        {"except_": [L, R]},
        [(H, None, "j"), (L, None, "s"), (R, None, "d")],
        "pass",
    ),
    (1237, "count", 2, {"only": [H, L], "except_": [H, L]}, [(H, None, "j")], "both"),
    (1249, "count", 1, {"only": H}, [(L, None, None)], (1, 0)),
    (1259, "count", 1, {"except_": L}, [(L, None, None)], (1, 0)),
    (1269, "count", 1, {"only": H, "except_": H}, [(L, None, None)], "both"),
    (1279, "count", 5, {"only": H}, [(H, None, "jeremy")] + [(L, None, None)] * 4, (5, 1)),
    (1290, "count", 5, {"except_": L}, [(H, None, "jeremy")] + [(L, None, None)] * 4, (5, 1)),
    (1301, "count", 5, {"only": H, "except_": H}, [(H, None, "jeremy")], "both"),
    (1312, "count", 1, {"only": H}, [(H, None, "jeremy")] * 2, (1, 2)),
    (1322, "count", 1, {"except_": L}, [(H, None, "jeremy")] * 2, (1, 2)),
    (1332, "count", 1, {"only": H, "except_": H}, [(H, None, "jeremy")] * 2, "both"),
    (
        1342,
        "count",
        1,
        {"queue": "some_queue"},
        [(H, "some_queue", "j"), (H, "other_queue", "b")],
        "pass",
    ),
    (1349, "count", 1, {"queue": "some_queue"}, [(H, "other_queue", "j")] * 2, (1, 0)),
    (
        1382,
        "count",
        1,
        {"only": H, "queue": "some_queue"},
        [(H, "some_queue", "j"), (H, "other_queue", "b"), (L, "some_queue", "j")],
        "pass",
    ),
    (
        1390,
        "count",
        1,
        {"only": H, "queue": "some_queue"},
        [(H, "other_queue", "j"), (H, "other_queue", "b"), (L, "some_queue", "j")],
        (1, 0),
    ),
    (
        1426,
        "count",
        1,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "j"), (L, "some_queue", "b"), (L, "other_queue", "j")],
        "pass",
    ),
    (
        1434,
        "count",
        1,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "j"), (L, "some_queue", "b"), (L, "some_queue", "j")],
        (1, 0),
    ),
    (1470, "none", 0, {"only": H}, [(L, None, None)], "pass"),
    (1498, "none", 0, {"except_": L}, [(L, None, None)], "pass"),
    (1526, "none", 0, {"only": H, "except_": H}, [(L, None, None)], "both"),
    (1549, "none", 0, {"only": [H, R]}, [(L, None, None)], "pass"),
    (1557, "none", 0, {"except_": [H, R]}, [(H, None, None), (R, None, None)], "pass"),
    (1566, "none", 0, {"only": [H, R], "except_": [H, R]}, [(L, None, None)], "both"),
    (1576, "none", 0, {"only": H}, [(H, None, "jeremy"), (L, None, None)], (0, 1)),
    (1587, "none", 0, {"except_": L}, [(H, None, "jeremy"), (L, None, None)], (0, 1)),
    (1598, "none", 0, {"only": H, "except_": H}, [(H, None, "jeremy")], "both"),
    (1609, "none", 0, {"queue": "some_queue"}, [(H, "other_queue", "jeremy")], "pass"),
    (1615, "none", 0, {"queue": "some_queue"}, [(H, "some_queue", "jeremy")], (0, 1)),
    (
        1645,
        "none",
        0,
        {"only": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (L, "some_queue", "j")],
        "pass",
    ),
    (
        1652,
        "none",
        0,
        {"only": H, "queue": "some_queue"},
        [(H, "some_queue", "b"), (L, "some_queue", "j")],
        (0, 1),
    ),
    (
        1685,
        "none",
        0,
        {"except_": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (H, "some_queue", "b"), (L, "other_queue", "j")],
        "pass",
    ),
    (
        1693,
        "none",
        0,
        {"except_": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (H, "some_queue", "b"), (L, "some_queue", "j")],
        (0, 1),
    ),
]

#: The same assertions without a block, after ``perform_enqueued_jobs``.
COUNTS_AFTER_PERFORMING: list[tuple[int, str, int, dict[str, Any], list[Push], Any]] = [
    (1113, "count", 1, {"only": H}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1122, "count", 1, {"only": _hello}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1131, "count", 1, {"only": H}, [(L, None, "jeremy"), (L, None, "bogdan")], (1, 0)),
    (1162, "count", 1, {"except_": H}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1171, "count", 1, {"except_": _hello}, [(H, None, "jeremy"), (L, None, "bogdan")], "pass"),
    (1180, "count", 1, {"except_": H}, [(H, None, "jeremy"), (H, None, "bogdan")], (1, 0)),
    (1204, "count", 1, {"only": H, "except_": H}, [(H, None, "j"), (L, None, "b")], "both"),
    (
        1360,
        "count",
        1,
        {"queue": "some_queue"},
        [(H, "some_queue", "j"), (H, "other_queue", "b")],
        "pass",
    ),
    (1369, "count", 1, {"queue": "some_queue"}, [(H, "other_queue", "j")] * 2, (1, 0)),
    (
        1402,
        "count",
        1,
        {"only": H, "queue": "some_queue"},
        [(H, "some_queue", "j"), (H, "other_queue", "b"), (L, "some_queue", "j")],
        "pass",
    ),
    (
        1412,
        "count",
        1,
        {"only": H, "queue": "some_queue"},
        [(H, "other_queue", "j"), (H, "other_queue", "b"), (L, "some_queue", "j")],
        (1, 0),
    ),
    (
        1446,
        "count",
        1,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "j"), (L, "some_queue", "b"), (L, "other_queue", "j")],
        "pass",
    ),
    (
        1456,
        "count",
        1,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "j"), (L, "some_queue", "b"), (L, "some_queue", "j")],
        (1, 0),
    ),
    (1478, "none", 0, {"only": H}, [(L, None, "bogdan")], "pass"),
    (1486, "none", 0, {"only": H}, [(H, None, "bogdan")], (0, 1)),
    (1506, "none", 0, {"except_": H}, [(H, None, "jeremy")], "pass"),
    (1514, "none", 0, {"except_": H}, [(L, None, "jeremy")], (0, 1)),
    (1536, "none", 0, {"only": H, "except_": H}, [(H, None, "j"), (L, None, "b")], "both"),
    (1625, "none", 0, {"queue": "some_queue"}, [(H, "other_queue", "jeremy")], "pass"),
    (1633, "none", 0, {"queue": "some_queue"}, [(H, "some_queue", "jeremy")], (0, 1)),
    (
        1663,
        "none",
        0,
        {"only": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (L, "some_queue", "j")],
        "pass",
    ),
    (
        1672,
        "none",
        0,
        {"only": H, "queue": "some_queue"},
        [(H, "some_queue", "b"), (L, "some_queue", "j")],
        (0, 1),
    ),
    (
        1705,
        "none",
        0,
        {"except_": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (H, "some_queue", "b"), (L, "other_queue", "j")],
        "pass",
    ),
    (
        1715,
        "none",
        0,
        {"except_": H, "queue": "some_queue"},
        [(H, "other_queue", "b"), (H, "some_queue", "b"), (L, "some_queue", "j")],
        (0, 1),
    ),
]


def _outcome(outcome: Any) -> Any:
    if outcome == "pass":
        return _Nothing()
    if outcome == "both":
        return pytest.raises(InvalidArgument, match=BOTH)
    return _fails(*outcome)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _ids(rows: list[Any]) -> list[str]:
    return [f"{UPSTREAM}:{row[0]}" for row in rows]


@pytest.mark.parametrize(
    ("line", "kind", "n", "options", "pushes", "outcome"), COUNTS, ids=_ids(COUNTS)
)
def test_performed_count_with_block(
    line: int, kind: str, n: int, options: dict[str, Any], pushes: list[Push], outcome: Any
) -> None:
    with _outcome(outcome):
        block = (
            assert_performed_jobs.inside(n, **options)
            if kind == "count"
            else assert_no_performed_jobs.inside(**options)
        )
        with block:
            _push(pushes)


@pytest.mark.parametrize(
    ("line", "kind", "n", "options", "pushes", "outcome"),
    COUNTS_AFTER_PERFORMING,
    ids=_ids(COUNTS_AFTER_PERFORMING),
)
def test_performed_count_without_block(
    line: int, kind: str, n: int, options: dict[str, Any], pushes: list[Push], outcome: Any
) -> None:
    _push(pushes)
    perform_enqueued_jobs()
    with _outcome(outcome):
        if kind == "count":
            assert_performed_jobs(n, **options)
        else:
            assert_no_performed_jobs(**options)


#: ``perform_enqueued_jobs`` with filters, with and without a block: (line, block, options,
#: pushes, then assert_performed_jobs(1, **check)).
PERFORMING: list[tuple[int, bool, dict[str, Any], list[Push], dict[str, Any]]] = [
    (794, True, {"only": L}, [(H, None, "kevin"), (L, None, "bogdan")], {"only": L}),
    (804, False, {"only": L}, [(H, None, "kevin"), (L, None, "bogdan")], {"only": L}),
    (814, True, {"except_": H}, [(H, None, "kevin"), (L, None, "bogdan")], {"only": L}),
    (824, False, {"except_": H}, [(H, None, "kevin"), (L, None, "bogdan")], {"only": L}),
    (
        834,
        True,
        {"queue": "some_queue"},
        [(H, "some_queue", "kevin"), (H, "other_queue", "bogdan"), (L, None, "bogdan")],
        {"only": H, "queue": "some_queue"},
    ),
    (
        845,
        False,
        {"queue": "some_queue"},
        [(H, "some_queue", "kevin"), (H, "other_queue", "bogdan"), (L, None, "bogdan")],
        {"only": H, "queue": "some_queue"},
    ),
    (
        856,
        True,
        {"only": H, "queue": "other_queue"},
        [(H, "some_queue", "kevin"), (H, "other_queue", "bogdan"), (L, "other_queue", "b")],
        {"only": H, "queue": "other_queue"},
    ),
    (
        867,
        False,
        {"only": H, "queue": "other_queue"},
        [(H, "some_queue", "kevin"), (H, "other_queue", "bogdan"), (L, "other_queue", "b")],
        {"only": H, "queue": "other_queue"},
    ),
    (
        878,
        True,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "kevin"), (L, "some_queue", "bogdan"), (L, "other_queue", "b")],
        {"only": L, "queue": "other_queue"},
    ),
    (
        889,
        False,
        {"except_": H, "queue": "other_queue"},
        [(H, "other_queue", "kevin"), (L, "some_queue", "bogdan"), (L, "other_queue", "b")],
        {"only": L, "queue": "other_queue"},
    ),
]


@pytest.mark.parametrize(
    ("line", "block", "options", "pushes", "check"), PERFORMING, ids=_ids(PERFORMING)
)
def test_perform_enqueued_jobs_with_filters(
    line: int, block: bool, options: dict[str, Any], pushes: list[Push], check: dict[str, Any]
) -> None:
    if block:
        with perform_enqueued_jobs.inside(**options):
            _push(pushes)
    else:
        _push(pushes)
        perform_enqueued_jobs(**options)
    assert_performed_jobs(1)
    assert_performed_jobs(1, **check)


# -- the filters stay inside the block (Rails: queue_adapter.filter / reject / queue) -------


def _scopes(sim: jobsim.Simulator) -> list[Any]:
    return settings(sim).perform_scopes


@pytest.mark.parametrize(
    ("line", "options", "performed"),
    [
        (734, {"only": HelloJob}, ["some_queue", "other_queue"]),
        (748, {"except_": HelloJob}, []),
        (762, {"queue": "some_queue"}, ["some_queue"]),
    ],
    ids=[f"{UPSTREAM}:734", f"{UPSTREAM}:748", f"{UPSTREAM}:762"],
)
def test_perform_enqueued_jobs_option_doesnt_leak_outside_the_block(
    line: int, options: dict[str, Any], performed: list[str], sim: jobsim.Simulator
) -> None:
    assert _scopes(sim) == []
    with perform_enqueued_jobs.inside(**options):
        assert len(_scopes(sim)) == 1  # Rails: queue_adapter.filter is set
        HelloJob.set(queue="some_queue").perform_later("in")
        HelloJob.set(queue="other_queue").perform_later("out")
    assert _scopes(sim) == []
    assert [record.queue for record in performed_jobs()] == performed


@pytest.mark.parametrize(
    ("line", "options"),
    [(742, {"only": HelloJob}), (756, {"except_": HelloJob}), (770, {"queue": "some_queue"})],
    ids=[f"{UPSTREAM}:742", f"{UPSTREAM}:756", f"{UPSTREAM}:770"],
)
def test_perform_enqueued_jobs_without_block_option_doesnt_leak(
    line: int, options: dict[str, Any], sim: jobsim.Simulator
) -> None:
    perform_enqueued_jobs(**options)
    assert _scopes(sim) == []
    HelloJob.perform_later("later")
    assert len(enqueued_jobs()) == 1  # no filter left behind performs it at once


@upstream(776)
def test_perform_enqueued_jobs_with_block(case: str) -> None:
    with perform_enqueued_jobs.inside():
        HelloJob.perform_later("kevin")
        LoggingJob.perform_later("bogdan")
    assert_performed_jobs(2)


@upstream(785)
def test_perform_enqueued_jobs_without_block(case: str) -> None:
    HelloJob.perform_later("kevin")
    LoggingJob.perform_later("bogdan")
    perform_enqueued_jobs()
    assert_performed_jobs(2)


# -- at= ------------------------------------------------------------------------------------


@upstream(900)
def test_perform_enqueued_jobs_with_at_with_job_performed_now(case: str) -> None:
    HelloJob.perform_later("kevin")
    perform_enqueued_jobs(at=START)
    assert_performed_jobs(1)


@upstream(908)
def test_perform_enqueued_jobs_with_at_with_job_wait_in_past(case: str) -> None:
    HelloJob.set(wait_until=START - timedelta(seconds=100)).perform_later("kevin")
    perform_enqueued_jobs(at=START)
    assert_performed_jobs(1)


@upstream(916)
def test_perform_enqueued_jobs_with_at_with_job_wait_in_future(case: str) -> None:
    HelloJob.set(wait_until=START + timedelta(seconds=100)).perform_later("kevin")
    perform_enqueued_jobs(at=START)
    assert_performed_jobs(0)


@upstream(924)
def test_perform_enqueued_jobs_block_with_at_with_job_performed_now(case: str) -> None:
    with perform_enqueued_jobs.inside(at=START):
        HelloJob.perform_later("kevin")
    assert_performed_jobs(1)


@upstream(932)
def test_perform_enqueued_jobs_block_with_at_with_job_wait_in_past(case: str) -> None:
    with perform_enqueued_jobs.inside(at=START):
        HelloJob.set(wait_until=START - timedelta(seconds=100)).perform_later("kevin")
    assert_performed_jobs(1)


@upstream(940)
def test_perform_enqueued_jobs_block_with_at_with_job_wait_in_future(case: str) -> None:
    with perform_enqueued_jobs.inside(at=START):
        HelloJob.set(wait_until=START + timedelta(seconds=100)).perform_later("kevin")
    assert_performed_jobs(0)


# -- errors, retries and the enqueued list --------------------------------------------------


@upstream(948)
def test_perform_enqueued_jobs_properly_count_job_that_raises(case: str) -> None:
    RaisingJob.perform_later("NotImplementedError")
    with pytest.raises(NotImplementedError):
        perform_enqueued_jobs(only=RaisingJob)
    assert len(performed_jobs()) == 1


@upstream(958)
def test_perform_enqueued_jobs_dont_perform_retries(case: str) -> None:
    RaisingJob.perform_later()
    perform_enqueued_jobs(only=RaisingJob)  # retry_on takes MyError: nothing raised
    assert len(performed_jobs()) == 1
    assert len(enqueued_jobs()) == 1


@upstream(969)
def test_perform_enqueued_jobs_without_block_removes_from_enqueued_jobs(case: str) -> None:
    HelloJob.perform_later("rafael")
    assert len(performed_jobs()) == 0
    assert len(enqueued_jobs()) == 1
    perform_enqueued_jobs()
    assert len(performed_jobs()) == 1
    assert len(enqueued_jobs()) == 0


@upstream(978)
def test_perform_enqueued_jobs_without_block_works_with_other_helpers(case: str) -> None:
    NestedJob.perform_later()
    assert len(performed_jobs()) == 0
    assert len(enqueued_jobs()) == 1
    with assert_enqueued_jobs.inside(1), assert_enqueued_with.inside(job=LoggingJob):
        perform_enqueued_jobs()
    assert len(performed_jobs()) == 1
    assert len(enqueued_jobs()) == 1


@upstream(991)
def test_perform_enqueued_jobs_without_block_only_performs_once(case: str) -> None:
    RescueJob.perform_later("no exception")
    perform_enqueued_jobs()
    perform_enqueued_jobs()
    assert BUFFER == ["performed beautifully"]


@upstream(1958)
def test_test_adapter_respect_max_attempts(case: str) -> None:
    with perform_enqueued_jobs.inside(only=RaisingJob), pytest.raises(MyError):
        RaisingJob.perform_later()
    assert len(performed_jobs()) == 2


# -- assert_performed_jobs, written out -----------------------------------------------------


@upstream(1007)
def test_repeated_performed_jobs_calls(case: str) -> None:
    with assert_performed_jobs.inside(1):
        HelloJob.perform_later("abdelkader")
    with assert_performed_jobs.inside(2):
        HelloJob.perform_later("sean")
        HelloJob.perform_later("yves")


@upstream(1022)
def test_assert_performed_jobs_message(case: str) -> None:
    HelloJob.perform_later("sean")
    with _fails(2, 1), assert_performed_jobs.inside(2):
        HelloJob.perform_later("sean")


@upstream(1033)
def test_assert_performed_jobs_with_no_block(case: str) -> None:
    with perform_enqueued_jobs.inside():
        HelloJob.perform_later("rafael")
    assert_performed_jobs(1)
    with perform_enqueued_jobs.inside():
        HelloJob.perform_later("aaron")
        HelloJob.perform_later("matthew")
        assert_performed_jobs(3)


@upstream(1050)
def test_assert_no_performed_jobs_with_no_block(case: str) -> None:
    assert_no_performed_jobs()


# -- assert_performed_with ------------------------------------------------------------------


@upstream(1729)
def test_assert_performed_with(case: str) -> None:
    with assert_performed_with.inside(job=NestedJob, queue="default"):
        NestedJob.perform_later()


@upstream(1735)
def test_assert_performed_with_without_block(case: str) -> None:
    NestedJob.perform_later()
    perform_enqueued_jobs()
    assert_performed_with(job=NestedJob, queue="default")


def _check_returned(job: Any) -> None:
    assert isinstance(job, LoggingJob)
    assert job.scheduled_at is None
    assert job.arguments == [{"keyword": "sym"}]
    assert job.queue_name == "default"


@upstream(1743)
def test_assert_performed_with_returns(case: str) -> None:
    # A `with` block cannot return a value: the job is read after it.
    with assert_performed_with.inside(job=LoggingJob, queue="default"):
        LoggingJob.perform_later(keyword="sym")
    _check_returned(assert_performed_with(job=LoggingJob, queue="default"))


@upstream(1754)
def test_assert_performed_with_without_block_returns(case: str) -> None:
    LoggingJob.perform_later(keyword="sym")
    perform_enqueued_jobs()
    _check_returned(assert_performed_with(job=LoggingJob, queue="default"))


@upstream(1767)
def test_assert_performed_with_failure(case: str) -> None:
    with pytest.raises(AssertionError), assert_performed_with.inside(job=LoggingJob):
        HelloJob.perform_later()
    with (
        pytest.raises(AssertionError),
        assert_performed_with.inside(job=HelloJob, queue="low"),
    ):
        HelloJob.set(queue="important").perform_later()


@upstream(1781)
def test_assert_performed_with_without_block_failure(case: str) -> None:
    HelloJob.perform_later()
    perform_enqueued_jobs()
    with pytest.raises(AssertionError):
        assert_performed_with(job=LoggingJob)
    HelloJob.set(queue="important").perform_later()
    with pytest.raises(AssertionError):
        assert_performed_with(job=HelloJob, queue="low")


@upstream(1797)
def test_assert_performed_with_with_at_option(case: str) -> None:
    with assert_performed_with.inside(job=HelloJob, at=TOMORROW_NOON):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later()
    with pytest.raises(AssertionError), assert_performed_with.inside(job=HelloJob, at=TODAY_NOON):
        HelloJob.set(wait_until=TOMORROW_NOON).perform_later()


@upstream(1809)
def test_assert_performed_with_with_relative_at_option(case: str) -> None:
    with assert_performed_with.inside(job=HelloJob, at=START + timedelta(minutes=5)):
        HelloJob.set(wait=timedelta(minutes=5)).perform_later()
    with (
        pytest.raises(AssertionError),
        assert_performed_with.inside(job=HelloJob, at=START + timedelta(minutes=2)),
    ):
        HelloJob.set(wait=timedelta(minutes=1)).perform_later()


@upstream(1821)
def test_assert_performed_with_without_block_with_at_option(case: str) -> None:
    HelloJob.set(wait_until=TOMORROW_NOON).perform_later()
    perform_enqueued_jobs()
    assert_performed_with(job=HelloJob, at=TOMORROW_NOON)
    HelloJob.set(wait_until=TOMORROW_NOON).perform_later()
    perform_enqueued_jobs()
    with pytest.raises(AssertionError):
        assert_performed_with(job=HelloJob, at=TODAY_NOON)


@upstream(1837)
def test_assert_performed_with_with_hash_arg(case: str) -> None:
    args = [{"argument1": 1, "argument2": {"a": 1, "b": 2}}]
    with assert_performed_with.inside(job=MultipleKwargsJob, args=args):
        MultipleKwargsJob.perform_later(argument2={"b": 2, "a": 1}, argument1=1)


@upstream(1843)
def test_assert_performed_with_supports_matcher_procs(case: str) -> None:
    facets: dict[str, Any] = {
        "job": HelloJob,
        "args": ["Rails"],
        "at": TOMORROW_NOON,
        "queue": "important",
    }
    HelloJob.set(queue="important", wait_until=TOMORROW_NOON).perform_later("Rails")
    perform_enqueued_jobs()
    for facet, value in facets.items():
        assert_performed_with(**{facet: lambda job_value, value=value: job_value == value})
        with pytest.raises(AssertionError):
            assert_performed_with(**{facet: lambda job_value: False})


@pytest.mark.parametrize(
    ("line", "zone"),
    [(1866, UTC), (1875, ZoneInfo("UTC")), (1884, ZoneInfo("Asia/Tokyo"))],
    ids=[f"{UPSTREAM}:1866", f"{UPSTREAM}:1875", f"{UPSTREAM}:1884"],
)
def test_assert_performed_with_times(line: int, zone: Any, sim: jobsim.Simulator) -> None:
    # Python has one datetime type: Ruby's Time, DateTime and TimeWithZone are three zones.
    now = datetime.fromtimestamp(sim.time, zone)
    args = [{"argument1": {"now": now}, "argument2": now}]
    with assert_performed_with.inside(job=MultipleKwargsJob, args=args):
        MultipleKwargsJob.perform_later(argument1={"now": now}, argument2=now)


@upstream(1893)
def test_assert_performed_with_with_global_id_args(case: str) -> None:
    ricardo = Person(9)
    with assert_performed_with.inside(job=HelloJob, args=[ricardo]):
        HelloJob.perform_later(ricardo)


@upstream(1900)
def test_assert_performed_with_without_block_with_global_id_args(case: str) -> None:
    ricardo = Person(9)
    HelloJob.perform_later(ricardo)
    perform_enqueued_jobs()
    assert_performed_with(job=HelloJob, args=[ricardo])


WILMA_NOT_RICARDO = r"(?s)args=\[#<Person @id='11'>\].*HelloJob\(#<Person @id='9'>\)"


@upstream(1907)
def test_assert_performed_with_failure_with_global_id_args(case: str) -> None:
    ricardo, wilma = Person(9), Person(11)
    with (
        pytest.raises(AssertionError, match=WILMA_NOT_RICARDO),
        assert_performed_with.inside(job=HelloJob, args=[wilma]),
    ):
        HelloJob.perform_later(ricardo)


@upstream(1919)
def test_assert_performed_with_without_block_failure_with_global_id_args(case: str) -> None:
    ricardo, wilma = Person(9), Person(11)
    HelloJob.perform_later(ricardo)
    perform_enqueued_jobs()
    with pytest.raises(AssertionError, match=WILMA_NOT_RICARDO):
        assert_performed_with(job=HelloJob, args=[wilma])


@upstream(1932)
def test_assert_performed_with_does_not_change_jobs_count(case: str) -> None:
    with assert_performed_with.inside(job=HelloJob):
        HelloJob.perform_later()
    with assert_performed_with.inside(job=HelloJob):
        HelloJob.perform_later()
    assert len(enqueued_jobs()) == 0
    assert len(performed_jobs()) == 2


@upstream(1945)
def test_assert_performed_with_without_block_does_not_change_jobs_count(case: str) -> None:
    HelloJob.perform_later()
    perform_enqueued_jobs()
    assert_performed_with(job=HelloJob)
    HelloJob.perform_later()
    perform_enqueued_jobs()
    assert_performed_with(job=HelloJob)
    assert len(enqueued_jobs()) == 0
    assert len(performed_jobs()) == 2


# -- the same cases against the real ActiveJob 6.1.7 -----------------------------------------

SCRIPT = Path(__file__).resolve().parent / "activejob_test_helper.rb"
GEMS = Path("/usr/share/rubygems-integration/all/gems")
N = NestedJob
#: Filters and jobs crossed for the perform and enqueued helpers (Rails' code paths: the
#: adapter's filter at enqueue for blocks, jobs_with for the rest).
FILTERS: list[dict[str, Any]] = [
    {},
    {"only": H},
    {"only": [H, L]},
    {"only": _hello},
    {"except_": H},
    {"except_": _hello},
    {"queue": "some_queue"},
    {"only": H, "queue": "other_queue"},
    {"except_": L, "queue": "some_queue"},
]
PUSH_SETS: list[list[Any]] = [
    [(H, None, "a"), (L, None, "b")],
    [(H, "some_queue", "a"), (L, "some_queue", "b"), (H, "other_queue", "c")],
    [(N, None, None), (H, None, "a")],
    [(N, "some_queue", None), (L, "other_queue", "x")],
    [(H, None, "later", 60), (L, "some_queue", "later", 3600), (H, "some_queue", "now")],
]


def _ruby_filter(value: Any) -> Any:
    if value is None:
        return None
    if value is _hello:
        return "proc:hello"
    if isinstance(value, list):
        return [item.__name__ for item in value]
    return value.__name__


def _ruby_case(
    case_id: str, form: str, kind: str, n: int, options: dict[str, Any], pushes: Any
) -> dict[str, Any]:
    return {
        "id": case_id,
        "form": form,
        "kind": kind,
        "n": n,
        "options": {
            "only": _ruby_filter(options.get("only")),
            "except": _ruby_filter(options.get("except_")),
            "queue": options.get("queue"),
        },
        "pushes": [[push[0].__name__, *push[1:]] for push in pushes],
        "python": (options, pushes),
    }


def _verdict_cases() -> list[dict[str, Any]]:
    cases = [
        _ruby_case(f"{row[0]}", "count_block", row[1], row[2], row[3], row[4]) for row in COUNTS
    ]
    cases += [
        _ruby_case(f"{row[0]}", "count_after_performing", row[1], row[2], row[3], row[4])
        for row in COUNTS_AFTER_PERFORMING
    ]
    cases += [
        _ruby_case(
            f"{row[0]}", "perform_block" if row[1] else "perform_now", "count", 0, row[2], row[3]
        )
        for row in PERFORMING
    ]
    for f, options in enumerate(FILTERS):
        for p, pushes in enumerate(PUSH_SETS):
            for form in ("perform_block", "perform_now", "enqueued_block"):
                case_id = f"{form}:filters-{f}:jobs-{p}"
                cases.append(_ruby_case(case_id, form, "count", 1, options, pushes))
    return cases


VERDICT_CASES = _verdict_cases()


def _push_any(pushes: list[Any]) -> None:
    for job_class, queue, argument, *wait in pushes:
        options: dict[str, Any] = {}
        if queue is not None:
            options["queue"] = queue
        if wait:
            options["wait"] = timedelta(seconds=wait[0])
        target: Any = job_class.set(**options) if options else job_class
        if argument is None:
            target.perform_later()
        else:
            target.perform_later(argument)


def _jobsim_verdict(case: dict[str, Any]) -> dict[str, Any]:
    options, pushes = case["python"]
    form, kind, n = case["form"], case["kind"], case["n"]
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = "6.1"
        settings(sim).queue_adapter = "test"
        verdict = "pass"
        try:
            if form == "count_block":
                counting = assert_performed_jobs if kind == "count" else assert_no_performed_jobs
                block = (
                    counting.inside(n, **options) if kind == "count" else counting.inside(**options)
                )
                with block:
                    _push_any(pushes)
            elif form == "count_after_performing":
                _push_any(pushes)
                perform_enqueued_jobs()
                if kind == "count":
                    assert_performed_jobs(n, **options)
                else:
                    assert_no_performed_jobs(**options)
            elif form == "perform_block":
                with perform_enqueued_jobs.inside(**options):
                    _push_any(pushes)
            elif form == "perform_now":
                _push_any(pushes)
                perform_enqueued_jobs(**options)
            else:
                with assert_enqueued_jobs.inside(n, **options):
                    _push_any(pushes)
        except AssertionError:
            verdict = "fail"
        except InvalidArgument:
            verdict = "argument_error"
        return {
            "verdict": verdict,
            "enqueued": len(enqueued_jobs()),
            "performed": len(performed_jobs()),
        }


@pytest.fixture(scope="module")
def real_activejob(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ruby = shutil.which("ruby")
    if ruby is None or not any(GEMS.glob("activejob-6.1.*")):
        hint = "apt-get install -y ruby-activejob"
        if os.environ.get("CI") == "true":
            pytest.fail(f"ActiveJob (Ruby) is missing on CI: {hint}")
        pytest.skip(f"needs Ruby with ActiveJob 6.1: {hint}")
    path = tmp_path_factory.mktemp("activejob") / "cases.json"
    wire = [
        {key: value for key, value in case.items() if key != "python"} for case in VERDICT_CASES
    ]
    path.write_text(json.dumps(wire))
    done = subprocess.run(
        [ruby, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    assert str(result["activejob_version"]).startswith("6.1.7"), result["activejob_version"]
    cases: dict[str, Any] = result["cases"]
    return cases


@pytest.mark.parametrize(
    "case", VERDICT_CASES, ids=[f"activejob-6.1.7:{case['id']}" for case in VERDICT_CASES]
)
def test_same_verdict_and_counts_as_activejob(
    case: dict[str, Any], real_activejob: dict[str, Any]
) -> None:
    assert _jobsim_verdict(case) == real_activejob[case["id"]]
