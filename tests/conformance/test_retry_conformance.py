"""Retry, backoff and dead-set conformance: jobsim's "sidekiq-6.4" profile against real Sidekiq.

``sidekiq_retry.rb`` runs every case of ``retry_cases.json`` through Sidekiq 6.4.1's own
``Processor#process`` on a private Redis, with ``Time.now`` frozen and moved to each retry's
score, and the retry jitter pinned to its smallest or largest draw. This module runs the same
cases in jobsim, builds the same observation (one record per execution, the counters and the
dead set) and compares the two field by field.

Both sides drive a case the same way: run whatever is queued, one job at a time; when nothing is
queued, move the clock to the lowest retry score and run what became due (exactly one job);
when nothing is left and the case asks for it, retry the dead job once from the dead set; copies
of a job run one after another, one second apart.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
import traceback
import types
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jobsim
from tests.conformance.compare import differences

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "retry_cases.json"
RUBY_SCRIPT = HERE / "sidekiq_retry.rb"

PROFILE = "sidekiq-6.4"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, the Ruby side's frozen clock starts here too
STEP_LIMIT = 200
DEFAULT_DEAD_MAX_JOBS = 10_000

CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
CASES_BY_NAME = {case["name"]: case for case in CASES}

Observation = dict[str, Any]


# -- the Ruby side --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sidekiq_observations(sidekiq_ruby: Any) -> dict[str, Observation]:
    """Every case's observation from real Sidekiq (one Ruby run per session)."""
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    version = result.get("sidekiq_version")
    assert isinstance(version, str), f"the Ruby script printed no sidekiq_version: {result!r}"
    assert version.startswith("6.4."), f"expected Sidekiq 6.4.x, the Ruby script ran {version}"
    cases: dict[str, Observation] = result["cases"]
    return cases


# -- the jobsim side ------------------------------------------------------------------------


def class_name(case: dict[str, Any]) -> str:
    """The job class name both sides use (the Ruby constant), e.g. ``ConfRetryTrueAlwaysMin``."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]", case["name"]) if part]
    name = "Conf" + "".join(part[0].upper() + part[1:] for part in parts)
    return "NoSuch" + name if case.get("unknown_class") else name


def error_handler_label(context: dict[str, Any]) -> str:
    """The call recorded for an error handler, by the context Sidekiq gives it."""
    text = str(context.get("context", ""))
    if text == "Job raised exception":
        return "error_handler"
    if text.startswith("Failure scheduling retry"):
        return "error_handler:retry_in"
    if text == "Error calling retries_exhausted":
        return "error_handler:exhausted"
    if text == "Error calling death handler":
        return "error_handler:death_handler"
    return f"error_handler:other:{text}"


def _fail_deep(message: str, depth: int = 3) -> None:
    """Raise from a few frames down, so every backtrace has more than two lines."""
    if depth > 0:
        _fail_deep(message, depth - 1)
    raise RuntimeError(message)


class Recorder:
    """Hook calls of the current execution and the facts needed to read backtraces."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.performs: dict[str, int] = {}
        #: Full traceback length of each jid's latest failure (Ruby: ``e.backtrace.length``).
        self.backtrace_lengths: dict[str, int] = {}


def build_job_class(
    case: dict[str, Any], recorder: Recorder, dead_size: Callable[[], int]
) -> type[jobsim.Job]:
    """A jobsim job class with the case's options and hooks."""
    fail_times = case["fail_times"]
    message_len = case.get("message_len")
    retry_in_spec = case.get("retry_in")
    exhausted = case.get("exhausted")

    def perform(self: jobsim.Job, *args: Any) -> None:
        count = recorder.performs[self.jid] = recorder.performs.get(self.jid, 0) + 1
        if fail_times == "always" or count <= int(fail_times):
            _fail_deep("x" * message_len if message_len is not None else f"boom {count}")

    def retry_in(self: jobsim.Job, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        assert retry_in_spec is not None
        recorder.calls.append(f"retry_in:{count}")
        kind = retry_in_spec["kind"]
        value = retry_in_spec.get("value")
        if kind in ("const", "float", "symbol"):
            return value
        if kind == "nil":
            return None
        if kind == "raise":
            raise ValueError("retry_in blew up")
        if kind == "count_times":
            return count * value
        raise AssertionError(f"unknown retry_in kind {kind!r}")

    def retries_exhausted(self: jobsim.Job, job: dict[str, Any], exc: Exception) -> None:
        recorder.calls.append("exhausted")
        recorder.calls.append(f"retries_exhausted_dead_size:{dead_size()}")
        if exhausted == "raise":
            raise ValueError("retries_exhausted blew up")

    def body(namespace: dict[str, Any]) -> None:
        namespace["perform"] = perform
        if retry_in_spec is not None:
            namespace["retry_in"] = retry_in
        if exhausted is not None:
            namespace["retries_exhausted"] = retries_exhausted

    name = class_name(case)
    keywords = {**case["options"], "name": name}
    return types.new_class(name, (jobsim.Job,), keywords, body)


def backtrace_obs(job: dict[str, Any], recorder: Recorder) -> Any:
    """``"all"`` when every line of the failure's traceback was kept, else how many were."""
    encoded = job.get("error_backtrace")
    if encoded is None:
        return None
    lines = json.loads(zlib.decompress(base64.b64decode(encoded)))
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        return "not-a-list-of-strings"
    full = recorder.backtrace_lengths.get(str(job.get("jid")))
    return "all" if full is not None and len(lines) == full else len(lines)


def backtrace_encoding(job: dict[str, Any]) -> str | None:
    """``"encode64"`` (newline after every 60 characters), ``"strict"`` or ``"other"``."""
    encoded = job.get("error_backtrace")
    if encoded is None:
        return None
    if "\n" not in encoded:
        return "strict"
    lines = encoded.split("\n")[:-1]
    wrapped = encoded.endswith("\n") and all(len(line) == 60 for line in lines[:-1])
    return "encode64" if wrapped and len(lines[-1]) <= 60 else "other"


def offset(value: Any) -> float | None:
    return None if value is None else float(value) - START


def entry_obs(job: dict[str, Any], score: float, recorder: Recorder) -> Observation:
    message = job.get("error_message")
    return {
        "retry_count": job.get("retry_count"),
        "queue": job.get("queue"),
        "error_class": job.get("error_class"),
        "error_message_len": None if message is None else len(message),
        "error_message_head": None if message is None else message[:60],
        "has_failed_at": "failed_at" in job,
        "has_retried_at": "retried_at" in job,
        "has_error_backtrace": "error_backtrace" in job,
        "failed_at": offset(job.get("failed_at")),
        "retried_at": offset(job.get("retried_at")),
        "backtrace": backtrace_obs(job, recorder),
        "backtrace_encoding": backtrace_encoding(job),
        "score": offset(score),
    }


def _queued(sim: jobsim.Simulator) -> int:
    return sum(len(sim.queue(name)) for name in sim.queues)


def run_jobsim(case: dict[str, Any]) -> Observation:
    """Run one case in jobsim and observe it the way ``sidekiq_retry.rb`` observes Sidekiq."""
    sim = jobsim.Simulator(
        seed=1,
        start=START,
        profile=PROFILE,
        jitter=case["jitter"],
        dead_max_jobs=case.get("dead_max_jobs") or DEFAULT_DEAD_MAX_JOBS,
    )
    recorder = Recorder()

    def dead_size() -> int:
        return len(sim.dead)

    def death_handler(index: int, mode: str) -> Callable[[dict[str, Any], BaseException], None]:
        def handler(job: dict[str, Any], exc: BaseException) -> None:
            recorder.calls.append(f"death_handler:{index}")
            recorder.calls.append(f"death_handler_dead_size:{dead_size()}")
            recorder.calls.append(f"death_handler_retry_count:{job.get('retry_count', 'none')}")
            if mode == "raise":
                raise ValueError(f"death handler {index} blew up")

        return handler

    def error_handler(exc: BaseException, context: dict[str, Any]) -> None:
        label = error_handler_label(context)
        recorder.calls.append(label)
        job = context.get("job")
        if label == "error_handler" and isinstance(job, dict):
            recorder.backtrace_lengths[str(job.get("jid"))] = len(
                traceback.extract_tb(exc.__traceback__)
            )

    for index, mode in enumerate(case["death_handlers"]):
        sim.death_handlers.append(death_handler(index, mode))
    sim.error_handlers.append(error_handler)

    job_class = None if case.get("unknown_class") else build_job_class(case, recorder, dead_size)
    steps: list[Observation] = []

    for copy in range(case.get("copies") or 1):
        if copy:
            sim.advance(1)  # copies die at distinct instants (see sidekiq_retry.rb)
        if job_class is None:
            jid = sim.push({**case["options"], "class": class_name(case), "args": [1]})
        else:
            with sim:
                jid = job_class.perform_async(1)
        assert jid is not None
        manual_done = False
        while True:
            if len(steps) >= STEP_LIMIT:
                raise AssertionError(f"step limit {STEP_LIMIT} reached")
            if _queued(sim):
                steps.append(_execute(sim, recorder, len(steps) + 1, sim.perform_one))
                continue
            retries = list(sim.retries)
            if retries:
                score = min(entry.score for entry in retries)
                run = lambda at=score: sim.run_until(at)  # noqa: E731
                steps.append(_execute(sim, recorder, len(steps) + 1, run))
                continue
            if case.get("manual_retry_from_dead") and not manual_done:
                manual_done = True
                if sim.dead.find_job(jid) is not None:
                    sim.dead.retry(jid)
                    continue
            break

    dead = [entry_obs(dict(e.job), e.score, recorder) for e in reversed(list(sim.dead))]
    return {
        "steps": steps,
        "stats": {"processed": sim.stats.processed, "failed": sim.stats.failed},
        "dead": dead,
        "final_now": offset(sim.time),
    }


def _execute(
    sim: jobsim.Simulator, recorder: Recorder, attempt: int, run: Callable[[], Any]
) -> Observation:
    """Perform exactly one job with ``run`` and observe the execution."""
    recorder.calls = []
    first_event = len(sim.trace)
    run()
    events = sim.trace[first_event:]
    started = [event for event in events if event.kind == "started"]
    assert len(started) == 1, f"expected one execution, the engine ran {len(started)}: {events}"
    jid = started[0].jid
    now = started[0].ts
    job: dict[str, Any] | None = None
    delay = None
    if any(event.kind == "succeeded" for event in events):
        outcome = "success"
    elif (retry := sim.retries.find_job(jid)) is not None:
        outcome, job, delay = "retry", dict(retry.job), retry.score - now
    elif (dead := sim.dead.find_job(jid)) is not None and dead.score == now:
        outcome, job = "dead", dict(dead.job)
    else:
        outcome = "gone"
    message = None if job is None else job.get("error_message")
    return {
        "attempt": attempt,
        "outcome": outcome,
        "delay": delay,
        "retry_count": None if job is None else job.get("retry_count"),
        "queue": None if job is None else job.get("queue"),
        "error_class": None if job is None else job.get("error_class"),
        "error_message_len": None if message is None else len(message),
        "error_message_head": None if message is None else message[:60],
        "failed_at": None if job is None else offset(job.get("failed_at")),
        "retried_at": None if job is None else offset(job.get("retried_at")),
        "backtrace": None if job is None else backtrace_obs(job, recorder),
        "backtrace_encoding": None if job is None else backtrace_encoding(job),
        "calls": list(recorder.calls),
        "retry_size": len(sim.retries),
        "dead_size": len(sim.dead),
    }


# -- comparison -----------------------------------------------------------------------------


def _pretty(observation: Observation) -> list[str]:
    return json.dumps(observation, indent=1, sort_keys=True).splitlines()


def test_cases_file_is_well_formed() -> None:
    allowed = {
        "name",
        "options",
        "fail_times",
        "retry_in",
        "exhausted",
        "death_handlers",
        "jitter",
        "unknown_class",
        "message_len",
        "manual_retry_from_dead",
        "dead_max_jobs",
        "copies",
    }
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        assert set(case) <= allowed, f"{case['name']}: unknown keys {set(case) - allowed}"
        assert set(case["options"]) <= {"retry", "dead", "retry_queue", "backtrace", "queue"}
        assert case["fail_times"] == "always" or isinstance(case["fail_times"], int)
        assert case["jitter"] in ("min", "max")
        assert case["exhausted"] in (None, "record", "raise")
        assert set(case["death_handlers"]) <= {"record", "raise"}


@pytest.mark.parametrize("name", list(CASES_BY_NAME))
def test_retry_case_matches_sidekiq(
    name: str, sidekiq_observations: dict[str, Observation]
) -> None:
    case = CASES_BY_NAME[name]
    expected = sidekiq_observations.get(name)
    assert expected is not None, f"the Ruby run has no observation for case {name!r}"
    if "error" in expected:
        pytest.fail(
            f"case {name!r} failed on the Ruby side: {expected['error']}\n"
            + "\n".join(expected.get("error_backtrace", []))
        )
    actual = run_jobsim(case)
    found = list(differences(expected, actual))
    if found:
        diff = difflib.unified_diff(
            _pretty(expected), _pretty(actual), "sidekiq-6.4.1", "jobsim", lineterm="", n=2
        )
        shown = found[:40] + ([f"... and {len(found) - 40} more"] if len(found) > 40 else [])
        pytest.fail(
            f"case {name!r} {json.dumps(case)}\n"
            f"{len(found)} difference(s), Sidekiq first:\n  "
            + "\n  ".join(shown)
            + "\n\nfull diff:\n"
            + "\n".join(diff),
            pytrace=False,
        )
