"""Key order of the job hashes jobsim writes to Redis, against the real Sidekiq 6.4.1.

``sidekiq_key_order.rb`` pushes jobs in every way an application or Sidekiq's own machinery
does (``perform_async``, the class-level and the ``set()`` ``perform_in`` / ``perform_at``,
``perform_bulk``, ``Sidekiq::Client.push`` with keys in different orders, a class with
options, the poller moving scheduled jobs and retries to their queues, ``JobRetry`` putting a
failed job in the retry set or the dead set) on the fixture's private Redis and prints the raw
members. jobsim does the same with the "sidekiq-6.4" profile, and each member's KEY ORDER
must be Sidekiq's, so a ``save_state`` and a real Redis differ only in values (jid, times).

The members compared are the job hashes ``save_state`` writes, encoded as the Redis bridge
encodes them (compact JSON, :func:`jobsim.payload.dumps`): the sorted sets from
:func:`jobsim.redis.snapshot`, the queues from ``sim.queue(name).jobs`` (what the snapshot
copies for a served queue). Each case's simulator serves only an unused queue, so nothing runs
unless the case performs it, and the jobs the poller moves stay in their queues.

The orders Sidekiq wrote are also recorded below (``RECORDED``), so the check of jobsim runs on
machines without Ruby, and the recorded table is checked against the real Sidekiq.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.payload import dumps
from jobsim.redis import load_dump, snapshot
from tests.conformance.compare import differences

HERE = Path(__file__).resolve().parent
RUBY_SCRIPT = HERE / "sidekiq_key_order.rb"
PROFILE = "sidekiq-6.4"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
#: The database of the fixture's server this module uses (the others use 0 and 3 to 6).
DB = 7
#: A queue nothing is pushed to: serving only it keeps moved jobs in their queues.
IDLE = "idle"

#: {where: [keys of each member]} for one case; where is "queue:NAME" or a sorted set.
Orders = dict[str, list[list[str]]]

#: Members another producer might have written, key order not Sidekiq's, for the poller case.
FOREIGN: list[dict[str, Any]] = [
    {
        "key": "schedule",
        "score": START + 20,
        "member": dumps(
            {
                "queue": "q",
                "class": "HardJob",
                "args": [1],
                "retry": False,
                "jid": "0123456789abcdef01234567",
                "created_at": START,
            }
        ),
    },
    {
        "key": "retry",
        "score": START + 10,
        "member": dumps(
            {
                "class": "HardJob",
                "args": [2],
                "jid": "89abcdef0123456789abcdef",
                "created_at": START,
                "enqueued_at": START,
                "queue": "q",
                "retry": 3,
                "error_message": "boom",
                "error_class": "RuntimeError",
                "failed_at": START,
                "retry_count": 0,
            }
        ),
    },
]

# -- what the real Sidekiq 6.4.1 wrote (sidekiq_key_order.rb) ---------------------------------

_ASYNC = ["retry", "queue", "args", "class", "jid", "created_at", "enqueued_at"]
_CLASS_FIRST = ["retry", "queue", "class", "args", "jid", "created_at", "enqueued_at"]
_OPTIONS = ["retry", "queue", "backtrace", "tags"]
_FAILED = ["error_message", "error_class", "failed_at", "retry_count"]

RECORDED: dict[str, Orders] = {
    "perform_async": {"queue:default": [_ASYNC]},
    "perform_in": {"schedule": [_CLASS_FIRST[:-1]]},
    "perform_in_now": {"queue:default": [_CLASS_FIRST]},
    "perform_at": {"schedule": [_CLASS_FIRST[:-1]]},
    "set_perform_async": {"queue:q": [_ASYNC]},
    "set_perform_in": {"schedule": [_ASYNC[:-1]]},
    "set_perform_in_now": {"queue:q": [_ASYNC]},
    "perform_bulk": {"queue:default": [_CLASS_FIRST, _CLASS_FIRST]},
    "set_perform_bulk": {"queue:q": [_CLASS_FIRST, _CLASS_FIRST]},
    "client_push": {
        "queue:q": [
            ["retry", "queue", "class", "args", "tags", "custom", "jid", "created_at",
             "enqueued_at"],
        ]
    },
    "client_push_reordered": {
        "queue:q": [
            ["retry", "queue", "custom", "args", "class", "jid", "created_at", "enqueued_at"],
        ]
    },
    "client_push_class": {
        "queue:q": [
            [*_OPTIONS, "args", "class", "custom", "jid", "created_at", "enqueued_at"],
        ]
    },
    "client_push_at": {"schedule": [_CLASS_FIRST[:-1]]},
    "options_perform_async": {
        "queue:low": [[*_OPTIONS, "args", "class", "jid", "created_at", "enqueued_at"]],
    },
    "options_perform_in": {"schedule": [[*_OPTIONS, "class", "args", "jid", "created_at"]]},
    "options_set_perform_async": {
        "queue:low": [
            [*_OPTIONS, "dead", "args", "class", "jid", "created_at", "enqueued_at"],
        ]
    },
    "poller": {
        "queue:default": [
            _CLASS_FIRST,
            ["retry", "queue", "class", "args", "custom", "jid", "created_at", "enqueued_at"],
        ],
        "queue:low": [[*_OPTIONS, "args", "class", "jid", "created_at", "enqueued_at"]],
    },
    "poller_foreign": {"queue:q": [[*_CLASS_FIRST, *_FAILED], _CLASS_FIRST]},
    "retry": {
        "retry": [[*_OPTIONS, *_ASYNC[2:], *_FAILED, "error_backtrace"]],
    },
    "retry_again": {
        "retry": [[*_OPTIONS, *_ASYNC[2:], *_FAILED, "error_backtrace", "retried_at"]],
    },
    "retry_requeued": {"queue:default": [[*_ASYNC, *_FAILED]]},
    "retry_queue": {"retry": [["retry", "queue", "retry_queue", *_ASYNC[2:], *_FAILED]]},
    "dead": {"dead": [[*_ASYNC, *_FAILED]]},
}  # fmt: skip

# -- the same pushes through jobsim -------------------------------------------------------------


class ArgumentError(Exception):
    """Stands for Ruby's ArgumentError (the error class is a value, not compared here)."""


class HardJob(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


class FailingHardJob(jobsim.Job, name="HardJob"):
    def perform(self, *args: Any) -> None:
        raise ArgumentError("first")


class OptionsJob(jobsim.Job, queue="low", retry=5, backtrace=True, tags=["x"]):
    def perform(self, *args: Any) -> None:
        raise ArgumentError("failing")


class RetryQueueJob(jobsim.Job, retry=2, retry_queue="rq"):
    def perform(self, *args: Any) -> None:
        raise ArgumentError("first")


class DoomedJob(jobsim.Job, retry=0):
    def perform(self, *args: Any) -> None:
        raise ArgumentError("gone")


def _poller(sim: jobsim.Simulator) -> None:
    HardJob.perform_in(60, 1)
    OptionsJob.set(queue="low").perform_in(61, 2)
    sim.push({"class": "HardJob", "args": [3], "custom": 1, "at": START + 62})
    sim.run_until(START + 100)


def _poller_foreign(sim: jobsim.Simulator) -> None:
    sim.register(HardJob)
    load_dump([json.dumps(entry) for entry in FOREIGN], sim)
    sim.run_until(START + 100)


def _retry_again(sim: jobsim.Simulator) -> None:
    OptionsJob.perform_async(1)
    sim.perform_one("low")
    sim.run_until(START + 100)  # the poller moves the retry back to "low"
    sim.perform_one("low")


def _fail_once(job_class: type[jobsim.Job], queue: str) -> Callable[[jobsim.Simulator], None]:
    def push(sim: jobsim.Simulator) -> None:
        job_class.perform_async(1)
        sim.perform_one(queue)

    return push


def _retry_requeued(sim: jobsim.Simulator) -> None:
    _fail_once(FailingHardJob, "default")(sim)
    sim.run_until(START + 100)


CASES: dict[str, Callable[[jobsim.Simulator], Any]] = {
    "perform_async": lambda sim: HardJob.perform_async(1, "a"),
    "perform_in": lambda sim: HardJob.perform_in(60, 1),
    "perform_in_now": lambda sim: HardJob.perform_in(0, 1),
    "perform_at": lambda sim: HardJob.perform_at(START + 3600, 1),
    "set_perform_async": lambda sim: HardJob.set(queue="q", retry=3).perform_async(1),
    "set_perform_in": lambda sim: HardJob.set(queue="q").perform_in(60, 1),
    "set_perform_in_now": lambda sim: HardJob.set(queue="q").perform_in(0, 1),
    "perform_bulk": lambda sim: HardJob.perform_bulk([[1], [2]]),
    "set_perform_bulk": lambda sim: HardJob.set(queue="q", retry=3).perform_bulk([[1], [2]]),
    "client_push": lambda sim: sim.push(
        {"class": "HardJob", "args": [1], "queue": "q", "retry": 3, "tags": ["t"],
         "custom": {"k": 1}}
    ),
    "client_push_reordered": lambda sim: sim.push(
        {"custom": {"k": 1}, "retry": 3, "args": [1], "queue": "q", "class": "HardJob"}
    ),
    "client_push_class": lambda sim: sim.push(
        {"args": [1], "class": OptionsJob, "custom": 1, "queue": "q"}
    ),
    "client_push_at": lambda sim: sim.push(
        {"class": "HardJob", "at": START + 60, "args": [1], "queue": "q"}
    ),
    "options_perform_async": lambda sim: OptionsJob.perform_async(1),
    "options_perform_in": lambda sim: OptionsJob.perform_in(60, 1),
    "options_set_perform_async": lambda sim: OptionsJob.set(dead=False, retry=2).perform_async(1),
    "poller": _poller,
    "poller_foreign": _poller_foreign,
    "retry": _fail_once(OptionsJob, "low"),
    "retry_again": _retry_again,
    "retry_requeued": _retry_requeued,
    "retry_queue": _fail_once(RetryQueueJob, "default"),
    "dead": _fail_once(DoomedJob, "default"),
}  # fmt: skip


def _key_order(member: str) -> list[str]:
    """The keys of one raw JSON member, in the order the text has them."""
    pairs: list[tuple[str, Any]] = json.loads(member, object_pairs_hook=list)
    return [key for key, _ in pairs]


def jobsim_members(name: str) -> dict[str, list[str]]:
    """The raw members jobsim's Redis bridge writes after the case ``name``."""
    sim = jobsim.Simulator(start=START, profile=PROFILE, queues=[IDLE])
    with sim:
        CASES[name](sim)
    found: dict[str, list[str]] = {}
    for queue in sorted(sim.stats.queues):
        jobs = sim.queue(queue).jobs
        if jobs:
            found[f"queue:{queue}"] = [dumps(dict(job)) for job in jobs]
    for key, entries in snapshot(sim).sets.items():
        if entries:
            found[key] = [dumps(job) for _, job in entries]
    return found


def orders(members: dict[str, list[str]]) -> Orders:
    """The key order of every member."""
    return {where: [_key_order(member) for member in texts] for where, texts in members.items()}


# -- the Ruby side ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sidekiq_members(sidekiq_ruby: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every case's raw members as the real Sidekiq wrote them (one Ruby run)."""
    case = tmp_path_factory.mktemp("key-order") / "case.json"
    case.write_text(json.dumps({"db": DB, "start": START, "foreign": FOREIGN}), encoding="utf-8")
    result: dict[str, Any] = sidekiq_ruby.run_ruby(RUBY_SCRIPT, case)
    version = result.get("sidekiq_version")
    assert isinstance(version, str), f"the Ruby script printed no sidekiq_version: {result!r}"
    assert version.startswith("6.4."), f"expected Sidekiq 6.4.x, the Ruby script ran {version}"
    return result["cases"]


# -- the tests ----------------------------------------------------------------------------------


def test_every_case_is_recorded_and_run_on_both_sides() -> None:
    assert list(RECORDED) == list(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_jobsim_writes_sidekiqs_key_order(name: str, sidekiq_members: Any) -> None:
    observed = sidekiq_members.get(name)
    assert observed is not None, f"the Ruby run has no observation for {name!r}"
    expected = orders(observed)
    actual = orders(jobsim_members(name))
    problems = list(differences(expected, actual, name))
    assert not problems, "\n".join(
        [*problems, f"Sidekiq: {json.dumps(expected)}", f"jobsim:  {json.dumps(actual)}"]
    )
    assert expected == RECORDED[name], "the recorded order is no longer what Sidekiq writes"


@pytest.mark.parametrize("name", list(CASES))
def test_jobsim_writes_the_recorded_key_order(name: str) -> None:
    """The same check against the recorded orders, for machines without Ruby."""
    actual = orders(jobsim_members(name))
    assert list(differences(RECORDED[name], actual, name)) == []


def test_only_the_order_differs_from_a_plain_merge() -> None:
    """Reordering changes no value: Client.push keeps every key and value it was given."""
    sim = jobsim.Simulator(start=START, profile=PROFILE)
    item = {"custom": {"k": 1}, "retry": 3, "args": [1], "queue": "q", "class": "HardJob"}
    with sim:
        jid = sim.push(item)
    (job,) = sim.queue("q").jobs
    assert dict(job) == {**item, "jid": jid, "created_at": START, "enqueued_at": START}
