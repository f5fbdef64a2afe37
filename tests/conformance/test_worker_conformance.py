"""Workers conformance: jobsim's "sidekiq-6.4" profile against real Sidekiq 6.4.1.

``sidekiq_workers.rb`` runs every case of ``worker_cases.json`` through Sidekiq's own code on a
private Redis (see its header); this module runs the same cases in jobsim, builds the same
observation and compares the two. Three parts (Sidekiq's ``cli.rb``,
``fetch.rb``, ``middleware/chain.rb``, ``scheduled.rb`` and ``launcher.rb``):

* **Queue lists** (``cli.rb``, ``fetch.rb``): a queue configuration as
  ``sidekiq -q NAME[,WEIGHT]`` or a
  ``sidekiq.yml`` ``:queues:`` gives it. Sidekiq reads it with ``CLI#setup_options``; jobsim with
  ``parse_queues(list, PROFILES["sidekiq-6.4"])`` (the YAML cases through
  ``parse_sidekiq_yml`` of the very text Sidekiq read). Compared exactly: the error message,
  strict or not, the expanded list and, for strict lists, ``BasicFetch#queues_cmd``. For weighted
  lists the shuffles differ by construction, so the distributions are compared: how often each
  queue is tried first, and how often each whole order occurs, over 20,000 fetches per side,
  with a chi-squared homogeneity test (both sides seeded, so the verdict is repeatable).
* **Middleware** (``middleware/chain.rb``, ``scheduled.rb``, ``processor.rb``): chains built
  with add/prepend/insert_before/insert_after/remove,
  client middleware through ``Client#push``, server middleware through ``Processor#process``,
  scheduled jobs and retries back through ``Scheduled::Enq#enqueue_jobs``. Each middleware
  runs a small script of ops (record, yield, mutate, return this or that, raise) that both
  sides interpret the same way; after each step both sides report what was called, what
  ``perform`` received, the queues, the schedule and retry sets, the dead set size and the
  processed/failed counters.
* **Shutdown** (``launcher.rb``, ``manager.rb``): ``Sidekiq::Launcher`` with ``-c 1 -t 2``,
  three 30 s jobs and TERM
  after 4 s (the experiment the reference verified), and a job that finishes within the
  timeout; jobsim runs ``advance(term_after)`` then ``shutdown(timeout)``.

A case where jobsim disagrees with Sidekiq stays in the table and is marked
``xfail(strict=True)`` below with the exact difference, so fixing jobsim turns it into an
unexpected pass that must be acknowledged by removing the mark.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.queue_config import QueueConfig, parse_queues
from jobsim.sidekiq_config import parse_sidekiq_yml
from tests.conformance.compare import differences

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "worker_cases.json"
RUBY_SCRIPT = HERE / "sidekiq_workers.rb"

PROFILE_NAME = "sidekiq-6.4"
PROFILE = jobsim.PROFILES[PROFILE_NAME]
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, the Ruby side's frozen clock starts here too
#: A weighted case fails when the two sides' distributions differ at this significance level.
ALPHA = 0.001

CASES: dict[str, Any] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
QUEUE_CASES = {case["name"]: case for case in CASES["queue_cases"]}
MIDDLEWARE_CASES = {case["name"]: case for case in CASES["middleware_cases"]}
SHUTDOWN_CASES = {case["name"]: case for case in CASES["shutdown_cases"]}

Observation = dict[str, Any]

pytestmark = pytest.mark.conformance

#: Cases where jobsim disagrees with Sidekiq 6.4.1 on purpose, with the exact difference.
XFAIL: dict[str, str] = {
    # -- queue lists --
    "cli_weight_not_a_number": (
        "Deliberate difference (bad input gets a clear error instead of a silent misreading): "
        "-q a,x: Sidekiq reads the weight with String#to_i ('x' -> 0), so the list is strict "
        "['a', 'b']; jobsim's parse_queues raises InvalidArgument \"queues: 'a,x' has weight 'x'; "
        'pass a whole number >= 0"'
    ),
    "cli_negative_weight": (
        "Deliberate difference (bad input gets a clear error instead of a silent misreading): "
        "-q a,-1: Sidekiq expands max(-1, 1) = 1 copy and, as -1 > 0 is false, stays strict "
        "['a', 'b']; jobsim raises InvalidArgument \"queues: 'a,-1' has weight '-1'; pass a "
        'whole number >= 0"'
    ),
    "cli_two_commas": (
        "Deliberate difference (bad input gets a clear error instead of a silent misreading): "
        "-q a,2,3: Sidekiq's `queue, weight = arg.split(',')` drops the third field, so a has "
        "weight 2 (weighted, ['a', 'a', 'b']); jobsim partitions at the first comma and raises "
        "InvalidArgument \"queues: 'a,2,3' has weight '2,3'; pass a whole number >= 0\""
    ),
    "cli_leading_space_in_name": (
        "Deliberate difference (a stray space must not create a second, unserved queue): "
        "-q ' a': Sidekiq keeps the name as given (' a', Redis key 'queue: a'); jobsim strips it "
        "to 'a' (expanded ['a', 'b'] instead of [' a', 'b'])"
    ),
}


def params(names: Iterator[str] | list[str]) -> list[Any]:
    """Case names as pytest params, with the xfail mark where jobsim is known to differ."""
    marked = []
    for name in names:
        reason = XFAIL.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        marked.append(pytest.param(name, marks=marks, id=name))
    return marked


# -- the Ruby side --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sidekiq_workers(sidekiq_ruby: Any) -> dict[str, Any]:
    """Every case's observation from real Sidekiq (one Ruby run per session)."""
    result: dict[str, Any] = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    version = result.get("sidekiq_version")
    assert isinstance(version, str), f"the Ruby script printed no sidekiq_version: {result!r}"
    assert version.startswith("6.4."), f"expected Sidekiq 6.4.x, the Ruby script ran {version}"
    return result


def ruby_case(result: dict[str, Any], part: str, name: str) -> Any:
    """One case's observation from the Ruby run; fails if the driver itself broke."""
    observation = result[part].get(name)
    assert observation is not None, f"the Ruby run has no {part} observation for {name!r}"
    if isinstance(observation, dict) and "error_in_driver" in observation:
        pytest.fail(
            f"{part} {name!r} failed in sidekiq_workers.rb: {observation['error_in_driver']}\n"
            + "\n".join(observation.get("error_backtrace", []))
        )
    return observation


# -- comparison helpers -----------------------------------------------------------------------


def assert_same(what: str, case: Mapping[str, Any], expected: Any, actual: Any) -> None:
    found = list(differences(expected, actual))
    if not found:
        return
    pretty_expected = json.dumps(expected, indent=1, sort_keys=True).splitlines()
    pretty_actual = json.dumps(actual, indent=1, sort_keys=True).splitlines()
    diff = difflib.unified_diff(
        pretty_expected, pretty_actual, "sidekiq-6.4.1", "jobsim", lineterm="", n=2
    )
    shown = found[:40] + ([f"... and {len(found) - 40} more"] if len(found) > 40 else [])
    pytest.fail(
        f"{what} {json.dumps(case)}\n{len(found)} difference(s), Sidekiq first:\n  "
        + "\n  ".join(shown)
        + "\n\nfull diff:\n"
        + "\n".join(diff),
        pytrace=False,
    )


def offset(value: Any) -> float | None:
    return None if value is None else float(value) - START


# -- statistics -------------------------------------------------------------------------------


def chi2_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for X ~ chi-squared with ``df`` degrees of freedom (closed forms of
    the regularised upper gamma function for integer and half-integer shapes)."""
    if df <= 0 or statistic <= 0:
        return 1.0
    half = statistic / 2
    if df % 2 == 0:
        term = total = math.exp(-half)
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(total, 1.0)
    total = math.erfc(math.sqrt(half))
    term = math.exp(-half) * math.sqrt(half) / math.gamma(1.5)
    for i in range(1, (df - 1) // 2 + 1):
        if i > 1:
            term *= half / (i - 0.5)
        total += term
    return min(total, 1.0)


def homogeneity(left: Mapping[str, int], right: Mapping[str, int]) -> tuple[float, int, float]:
    """Pearson's chi-squared test that two samples of categories share one distribution:
    (statistic, degrees of freedom, p-value)."""
    categories = sorted(set(left) | set(right))
    left_total, right_total = sum(left.values()), sum(right.values())
    total = left_total + right_total
    statistic = 0.0
    for category in categories:
        column = left.get(category, 0) + right.get(category, 0)
        for count, row in (
            (left.get(category, 0), left_total),
            (right.get(category, 0), right_total),
        ):
            expected = row * column / total
            statistic += (count - expected) ** 2 / expected
    df = len(categories) - 1
    return statistic, df, chi2_sf(statistic, df)


@pytest.mark.parametrize(
    ("statistic", "df", "p"),
    [
        (3.841459, 1, 0.05),
        (5.991465, 2, 0.05),
        (7.814728, 3, 0.05),
        (13.815511, 2, 0.001),
        (16.266236, 3, 0.001),
        (20.515006, 5, 0.001),
        (10.827566, 1, 0.001),
        (49.728232, 23, 0.001),
        (51.178598, 24, 0.001),
        (0.0, 4, 1.0),
    ],
)
def test_chi2_survival_function_matches_tables(statistic: float, df: int, p: float) -> None:
    assert chi2_sf(statistic, df) == pytest.approx(p, rel=1e-5)


# -- part 1: queue lists ------------------------------------------------------------------------


def jobsim_queue_config(case: Mapping[str, Any], yaml_text: str | None) -> QueueConfig:
    """The queue configuration jobsim reads from the case, as the user would give it."""
    if case["source"] == "cli":
        return parse_queues(case["queues"], PROFILE)
    assert yaml_text is not None, "the Ruby side reports the sidekiq.yml text it read"
    return parse_queues(parse_sidekiq_yml(yaml_text)["queues"], PROFILE)


def jobsim_queue_observation(case: Mapping[str, Any], yaml_text: str | None) -> Observation:
    try:
        config = jobsim_queue_config(case, yaml_text)
    except jobsim.InvalidArgument as exc:
        return {"error": str(exc)}
    rng = random.Random(case["seed"])
    observation: Observation = {
        "strict": config.mode == "strict",
        "expanded": list(config.expanded),
    }
    if config.mode == "strict":
        observation["queues_cmd"] = config.fetch_order(rng)
        return observation
    names = sorted(dict.fromkeys(config.expanded))
    first: Counter[str] = Counter()
    orders: Counter[str] = Counter()
    complete = True
    for _ in range(CASES["fetches"]):
        order = config.fetch_order(rng)
        complete = complete and sorted(order) == names and len(set(order)) == len(order)
        first[order[0]] += 1
        orders[" ".join(order)] += 1
    observation["fetches"] = CASES["fetches"]
    observation["every_order_has_each_queue_once"] = complete
    observation["first_counts"] = dict(first)
    observation["order_counts"] = dict(orders)
    return observation


EXACT_QUEUE_KEYS = (
    "error",
    "strict",
    "expanded",
    "queues_cmd",
    "fetches",
    "every_order_has_each_queue_once",
)


@pytest.mark.parametrize("name", params(list(QUEUE_CASES)))
def test_queue_list_matches_sidekiq(name: str, sidekiq_workers: dict[str, Any]) -> None:
    case = QUEUE_CASES[name]
    expected = ruby_case(sidekiq_workers, "queue_cases", name)
    actual = jobsim_queue_observation(case, expected.get("yaml_text"))

    def exact(observation: Observation) -> Observation:
        return {key: observation[key] for key in EXACT_QUEUE_KEYS if key in observation}

    assert_same(f"queue case {name!r}", case, exact(expected), exact(actual))
    if expected.get("strict") is not False:
        return
    # Weighted: the shuffles differ, the distributions must not.
    for key in ("first_counts", "order_counts"):
        statistic, df, p = homogeneity(expected[key], actual[key])
        assert p >= ALPHA, (
            f"{name}: {key} differ (chi-squared {statistic:.2f}, df {df}, p {p:.2e} < {ALPHA})\n"
            f"  Sidekiq: {dict(sorted(expected[key].items()))}\n"
            f"  jobsim:  {dict(sorted(actual[key].items()))}"
        )


def test_the_homogeneity_test_catches_a_wrong_fetch_order(sidekiq_workers: dict[str, Any]) -> None:
    """The distribution comparison has teeth: two plausible wrong algorithms are rejected on
    Sidekiq's own critical 6 / default 3 / low 1 counts."""
    expected = ruby_case(sidekiq_workers, "queue_cases", "cli_critical6_default3_low1")
    names = ["critical", "default", "low"]
    weights = {"critical": 6, "default": 3, "low": 1}
    rng = random.Random(7)
    unweighted_first: Counter[str] = Counter()
    weighted_first_rest_in_order: Counter[str] = Counter()
    for _ in range(CASES["fetches"]):
        # 1. ignore the weights: a plain shuffle of the names
        shuffled = names[:]
        rng.shuffle(shuffled)
        unweighted_first[shuffled[0]] += 1
        # 2. the first queue by weight, the rest in configured order (not shuffled)
        head = rng.choices(names, weights=[weights[n] for n in names])[0]
        weighted_first_rest_in_order[" ".join([head, *(n for n in names if n != head)])] += 1
    assert homogeneity(expected["first_counts"], unweighted_first)[2] < 1e-9
    assert homogeneity(expected["order_counts"], weighted_first_rest_in_order)[2] < 1e-9


# -- part 2: middleware ---------------------------------------------------------------------------


class Record:
    """What the jobs and middleware of the running case saw."""

    calls: ClassVar[list[Any]] = []
    performs: ClassVar[list[list[Any]]] = []
    phase: ClassVar[str | None] = None


class ConfWork(jobsim.Job):
    def perform(self, *args: Any) -> None:
        Record.calls.append("work")
        Record.performs.append(copy.deepcopy(list(args)))


class ConfFails(jobsim.Job):
    def perform(self, *args: Any) -> None:
        Record.calls.append("work")
        Record.performs.append(copy.deepcopy(list(args)))
        raise RuntimeError("boom")


class ConfFailsQuiet(jobsim.Job):
    """Fails without recording its arguments, so a case can compare the retry entry alone."""

    def perform(self, *args: Any) -> None:
        raise RuntimeError("boom")


JOBS: dict[str, type[jobsim.Job]] = {
    cls.job_name: cls for cls in (ConfWork, ConfFails, ConfFailsQuiet)
}
DEFAULT_OPS = ["before", "yield", "after"]
MIDDLEWARE_OPS = {
    "before", "after", "instance", "see", "yield", "yield_rescue", "tag", "set_args",
    "append_arg", "set_queue", "delete_at", "set_at", "set_at_unless_polling", "raise",
    "drop_when_polling", "return_result", "return_nil", "return_false", "return_job",
    "return_copy",
}  # fmt: skip


def label(name: str, args: tuple[Any, ...]) -> str:
    return f"{name}:{','.join(str(arg) for arg in args)}" if args else name


def subject_text(side: str, subject: Any, job: Mapping[str, Any]) -> str:
    if side == "server":
        jid = "jid" if subject.jid == job["jid"] else "other-jid"
        return f"worker:{type(subject).job_name}:{jid}"
    if isinstance(subject, type):
        return f"class:{subject.job_name}"
    if isinstance(subject, str):
        return f"string:{subject}"  # Ruby: "#{subject.class.name.downcase}:#{subject}"
    return f"{type(subject).__name__}:{subject}"


def see(side: str, who: str, subject: Any, job: Mapping[str, Any], queue: str) -> Observation:
    return {
        "who": who,
        "subject": subject_text(side, subject, job),
        "queue": queue,
        "at": offset(job["at"]) if "at" in job else None,
        "args": copy.deepcopy(job["args"]),
        "keys": sorted(job),
        "retry_count": job.get("retry_count"),
        "enqueued_at": offset(job.get("enqueued_at")),
    }


def run_ops(
    ops: list[str],
    side: str,
    who: str,
    number: int,
    subject: Any,
    job: dict[str, Any],
    queue: str,
    call_next: Callable[[], Any],
    now: Callable[[], float],
) -> Any:
    """One middleware's script around ``call_next``; mirrors ``Ops.run`` in the Ruby driver."""
    calls = Record.calls
    result: Any = None
    for op in ops:
        if op == "before":
            calls.append(f"{who} before")
        elif op == "after":
            calls.append(f"{who} after")
        elif op == "instance":
            calls.append(f"{who} instance {number}")
        elif op == "see":
            calls.append(see(side, who, subject, job, queue))
        elif op == "yield":
            result = call_next()
        elif op == "yield_rescue":
            try:
                result = call_next()
            except Exception as exc:
                calls.append(f"{who} rescued {type(exc).__name__}: {exc}")
        elif op == "tag":
            job["tags"] = ["mw"]
        elif op == "set_args":
            job["args"] = ["changed"]
        elif op == "append_arg":
            job["args"].append("extra")
        elif op == "set_queue":
            job["queue"] = "other"
        elif op == "delete_at":
            job.pop("at", None)
        elif op == "set_at":
            job["at"] = now() + 300
        elif op == "set_at_unless_polling":
            if Record.phase != "poll":
                job["at"] = now() + 300
        elif op == "raise":
            raise RuntimeError(f"{who} blew up")
        elif op == "drop_when_polling":
            if Record.phase == "poll":
                calls.append(f"{who} dropped")
                return None
        elif op == "return_result":
            return result
        elif op == "return_nil":
            return None
        elif op == "return_false":
            return False
        elif op == "return_job":
            return job
        elif op == "return_copy":
            return {**job, "copied": True}
        else:
            raise AssertionError(f"unknown middleware op {op!r}")
    return result


def build_middleware(side: str, name: str, ops: list[str], now: Callable[[], float]) -> type:
    """A middleware class named ``name`` that runs ``ops``; counts its instances."""

    class Middleware:
        instances = 0

        def __init__(self, *args: Any) -> None:
            cls = type(self)
            cls.instances += 1
            self.number = cls.instances
            self.label = label(name, args)

        def call(
            self, subject: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
        ) -> Any:
            return run_ops(ops, side, self.label, self.number, subject, job, queue, call_next, now)

    Middleware.__name__ = Middleware.__qualname__ = name
    return Middleware


def configure_chain(
    chain: Any, side: str, chain_ops: list[list[Any]], scripts: Mapping[str, list[str]], now: Any
) -> None:
    """Apply the case's chain operations (mirrors ``configure_chain`` in the Ruby driver)."""
    chain.clear()
    names: list[str] = []
    for op in chain_ops:
        names.extend(op[1:3] if op[0] in ("insert_before", "insert_after") else op[1:2])
    classes = {
        name: build_middleware(side, name, scripts.get(name, DEFAULT_OPS), now)
        for name in dict.fromkeys(names)
    }
    for op in chain_ops:
        verb = op[0]
        if verb == "add":
            chain.add(classes[op[1]], *op[2])
        elif verb == "prepend":
            chain.prepend(classes[op[1]], *op[2])
        elif verb == "insert_before":
            chain.insert_before(classes[op[1]], classes[op[2]], *op[3])
        elif verb == "insert_after":
            chain.insert_after(classes[op[1]], classes[op[2]], *op[3])
        elif verb == "remove":
            chain.remove(classes[op[1]])
        else:
            raise AssertionError(f"unknown chain op {op!r}")


def summary(job: Mapping[str, Any]) -> Observation:
    return {
        "class": job.get("class"),
        "args": copy.deepcopy(job.get("args")),
        "queue": job.get("queue"),
        "keys": sorted(job),
        "tags": job.get("tags"),
        "retry_count": job.get("retry_count"),
        "error_class": job.get("error_class"),
        "error_message": job.get("error_message"),
        "created_at": offset(job.get("created_at")),
        "enqueued_at": offset(job.get("enqueued_at")),
    }


def snapshot(sim: jobsim.Simulator) -> Observation:
    queues = {}
    for name in sorted(sim.queues):
        jobs = sim.queue(name).jobs
        if jobs:
            queues[name] = [summary(job) for job in jobs]
    schedule = [
        {**summary(entry.job), "score": offset(entry.score)}
        for entry in sorted(sim.scheduled, key=lambda entry: entry.score)
    ]
    retries = [summary(entry.job) for entry in sorted(sim.retries, key=lambda e: e.score)]
    return {
        "queues": queues,
        "schedule": schedule,
        "retry": retries,
        "dead": len(sim.dead),
        "processed": sim.stats.processed,
        "failed": sim.stats.failed,
    }


def push_step(sim: jobsim.Simulator, step: Mapping[str, Any]) -> str | None:
    job_class = JOBS[step["job"]]
    target: Any = job_class.set(queue=step["queue"]) if "queue" in step else job_class
    args = step.get("args", [])
    try:
        with sim:
            if "wait" in step:
                jid = target.perform_in(step["wait"], *args)
            else:
                jid = target.perform_async(*args)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    return None if jid is None else "jid"


def run_middleware_case(case: Mapping[str, Any]) -> list[Observation]:
    """Run one middleware case in jobsim, observed as ``sidekiq_workers.rb`` observes Sidekiq."""
    sim = jobsim.Simulator(seed=1, start=START, profile=PROFILE_NAME, jitter="min")
    Record.phase = None

    def now() -> float:
        return sim.time

    scripts = case.get("middleware", {})
    configure_chain(sim.client_middleware, "client", case["client_chain"], scripts, now)
    configure_chain(sim.server_middleware, "server", case["server_chain"], scripts, now)
    observations = []
    for step in case["steps"]:
        Record.calls = []
        Record.performs = []
        returned = None
        if step["do"] == "push":
            returned = push_step(sim, step)
        elif step["do"] == "run":
            sim.run_due()
        elif step["do"] == "advance":
            if step["to"] == "next_retry":
                assert len(sim.retries), "advance to next_retry with an empty retry set"
                target = min(entry.score for entry in sim.retries)
            else:
                target = START + step["to"]
            Record.phase = "poll"
            try:
                sim.run_until(target)
            finally:
                Record.phase = None
        else:
            raise AssertionError(f"unknown step {step!r}")
        observations.append(
            {
                "do": step["do"],
                "returned": returned,
                "calls": list(Record.calls),
                "performs": list(Record.performs),
                **snapshot(sim),
            }
        )
    return observations


@pytest.mark.parametrize("name", params(list(MIDDLEWARE_CASES)))
def test_middleware_case_matches_sidekiq(name: str, sidekiq_workers: dict[str, Any]) -> None:
    case = MIDDLEWARE_CASES[name]
    expected = ruby_case(sidekiq_workers, "middleware_cases", name)
    assert_same(f"middleware case {name!r}", case, expected, run_middleware_case(case))


# -- part 3: shutdown ----------------------------------------------------------------------------


class ConfLong(jobsim.Job):
    def perform(self, n: int, seconds: float) -> None:
        return None


def run_shutdown_case(case: Mapping[str, Any]) -> Observation:
    seconds = case["job_seconds"]
    sim = jobsim.Simulator(
        seed=1,
        start=START,
        profile=PROFILE_NAME,
        concurrency=case["concurrency"],
        durations={ConfLong: seconds},
    )
    with sim:
        for n in range(1, case["jobs"] + 1):
            ConfLong.perform_async(n, seconds)
    sim.advance(case["term_after"])
    sim.shutdown(timeout=case["timeout"])

    def numbers(kind: str) -> list[int]:
        return [int(event.job["args"][0]) for event in sim.trace.of_kind(kind)]

    return {
        "started": numbers("started"),
        "finished": numbers("succeeded"),
        "interrupted": numbers("interrupted"),
        "queue": [int(job["args"][0]) for job in sim.queue().jobs],
        "processed": sim.stats.processed,
        "failed": sim.stats.failed,
        "retry": len(sim.retries),
        "dead": len(sim.dead),
    }


@pytest.mark.parametrize("name", params(list(SHUTDOWN_CASES)))
def test_shutdown_case_matches_sidekiq(name: str, sidekiq_workers: dict[str, Any]) -> None:
    case = SHUTDOWN_CASES[name]
    expected = ruby_case(sidekiq_workers, "shutdown_cases", name)
    assert_same(f"shutdown case {name!r}", case, expected, run_shutdown_case(case))


def test_the_verified_shutdown_experiment_is_reproduced(sidekiq_workers: dict[str, Any]) -> None:
    """Shutdown [verified 6.4.1]: job 1 got Sidekiq::Shutdown, the queue afterwards pops 1, 2, 3,
    the retry set is empty, stat:processed = 1 and stat:failed = 1."""
    expected = ruby_case(sidekiq_workers, "shutdown_cases", "term_after_4s_c1_t2_three_30s_jobs")
    assert expected == {
        "started": [1],
        "finished": [],
        "interrupted": [1],
        "queue": [1, 2, 3],
        "processed": 1,
        "failed": 1,
        "retry": 0,
        "dead": 0,
    }


# -- the case table ---------------------------------------------------------------------------


def test_cases_file_is_well_formed() -> None:
    assert set(CASES) == {"fetches", "queue_cases", "middleware_cases", "shutdown_cases"}
    assert CASES["fetches"] >= 10_000
    for part in ("queue_cases", "middleware_cases", "shutdown_cases"):
        names = [case["name"] for case in CASES[part]]
        assert len(names) == len(set(names)), f"{part}: case names must be unique"
    every = set(QUEUE_CASES) | set(MIDDLEWARE_CASES) | set(SHUTDOWN_CASES)
    assert set(XFAIL) <= every, f"xfail marks for cases that are gone: {set(XFAIL) - every}"
    seeds = [case["seed"] for case in QUEUE_CASES.values()]
    assert len(seeds) == len(set(seeds))
    for case in QUEUE_CASES.values():
        assert set(case) == {"name", "source", "queues", "seed"}
        assert case["source"] in ("cli", "yaml")
        if case["source"] == "cli":
            assert all(isinstance(entry, str) for entry in case["queues"])
    for case in MIDDLEWARE_CASES.values():
        assert set(case) <= {"name", "middleware", "client_chain", "server_chain", "steps"}
        for ops in case.get("middleware", {}).values():
            assert set(ops) <= MIDDLEWARE_OPS, f"{case['name']}: unknown ops"
        for step in case["steps"]:
            assert step["do"] in ("push", "run", "advance")
            if step["do"] == "push":
                assert step["job"] in JOBS
                assert set(step) <= {"do", "job", "args", "wait", "queue"}
    for case in SHUTDOWN_CASES.values():
        assert set(case) == {
            "name", "concurrency", "timeout", "jobs", "job_seconds", "term_after"
        }  # fmt: skip
