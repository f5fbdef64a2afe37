"""sidekiq-cron poller conformance: jobsim's ``Recurring`` against the real sidekiq-cron 1.8.0.

``sidekiq_cron_poller.rb`` runs every case of ``cron_poller_cases.json`` through Debian's
sidekiq-cron 1.8.0 (Sidekiq 6.4.1, Fugit 1.5.2, ActiveJob 6.1.7 with its Sidekiq adapter) on a
private Redis: the job is saved with ``Sidekiq::Cron::Job.create`` at the case's ``created``
time, and at each poll time, with ``Time.now`` frozen there, every job is re-read from Redis
and given ``test_and_enque_for_time!`` (what ``Poller#enqueue`` does); the queues are read
(class, wrapped, queue, description, args) and emptied, and ``last_enqueue_time`` is read
back. This module runs the same steps in jobsim -- the same job loaded with
``Recurring(sim).load(...)`` on a ``sidekiq-6.4`` simulator (ActiveJob at Rails 6.1) started at
``created``, the clock moved to each poll time with ``run_until`` and ``poll_once`` called
there -- and compares the two step by step.

The classes the cases name are defined on both sides: two Sidekiq job classes, three ActiveJob
classes (one with ``queue_as``, one also with a ``sidekiq_options`` queue), and
``CronMissingJob``, defined on neither. An ActiveJob wrapper's argument is compared by its
keys, ``job_class``, ``queue_name`` and ``arguments``; its ``job_id`` is random on both sides,
so only its shape (a version-4 UUID) is compared.

A case in ``KNOWN_DIFFERENCES`` is one where jobsim is known to differ from sidekiq-cron; it is
``xfail(strict=True)`` with the exact difference, so it fails loudly once jobsim agrees.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim import active_job
from jobsim.active_job import ActiveJob
from jobsim.cron.recurring import Recurring
from tests.conformance.compare import differences

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "cron_poller_cases.json"
RUBY_SCRIPT = HERE / "sidekiq_cron_poller.rb"

CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
CASES_BY_NAME = {case["name"]: case for case in CASES}
JOB_CLASS = "CronConfJob"
#: The ActiveJob data keys ``perform_later`` writes with Rails 6.1, as the Ruby side has them.
RAILS = "6.1"
UUID4 = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")

Observation = dict[str, Any]

#: date_as_argument's float is ``Time.now.to_f``; Ruby's Time#to_f lands a fractional instant
#: on a neighbouring double (2026-01-01T00:00:12.25Z -> 1767225612.2499998, one ulp off), so
#: floats are equal when within a microsecond.
FLOAT_TOLERANCE = 1e-6

#: Cases where jobsim knowingly differs from sidekiq-cron 1.8.0, with the exact difference.
KNOWN_DIFFERENCES: dict[str, str] = {}


# -- the Ruby side --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cron_observations(sidekiq_ruby: Any) -> dict[str, Observation]:
    """Every case's observation from the real sidekiq-cron (one Ruby run per session)."""
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    assert result.get("sidekiq_cron_version") == "1.8.0", (
        f"expected sidekiq-cron 1.8.0, the Ruby script ran {result.get('sidekiq_cron_version')}"
    )
    assert str(result.get("sidekiq_version", "")).startswith("6.4."), result.get("sidekiq_version")
    assert str(result.get("activejob_version", "")).startswith("6.1."), result.get(
        "activejob_version"
    )
    cases: dict[str, Observation] = result["cases"]
    return cases


# -- the jobsim side ------------------------------------------------------------------------


# Never run: every poll's queues are read and emptied before the clock moves on.


class CronConfJob(jobsim.Job, name=JOB_CLASS):
    def perform(self, *args: Any) -> None: ...


class CronLowJob(jobsim.Job, queue="low"):
    def perform(self, *args: Any) -> None: ...


class CronAjJob(ActiveJob):
    def perform(self, *args: Any) -> None: ...


class CronAjQueueAsJob(ActiveJob, queue_as="aj_queue"):
    def perform(self, *args: Any) -> None: ...


class CronAjOptionsJob(ActiveJob, queue_as="aj_queue", sidekiq_options={"queue": "opt_q"}):
    def perform(self, *args: Any) -> None: ...


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def job_data_summary(data: Any) -> Any:
    """An ActiveJob wrapper's argument as ``sidekiq_cron_poller.rb`` summarises it."""
    if not isinstance(data, dict):
        return data
    job_id = data.get("job_id")
    return {
        "keys": sorted(data),
        "job_class": data.get("job_class"),
        "job_id": "uuid4" if isinstance(job_id, str) and UUID4.match(job_id) else job_id,
        "queue_name": data.get("queue_name"),
        "arguments": data.get("arguments"),
    }


def take_pushed(sim: jobsim.Simulator) -> list[dict[str, Any]]:
    """Every job queued since the last call (queues by name, oldest first); queues emptied."""
    pushed = []
    for name in sorted(sim.queues):
        view = sim.queue(name)
        for job in view.jobs:
            args = list(job.get("args", []))
            if "wrapped" in job:
                args = [job_data_summary(data) for data in args]
            pushed.append(
                {
                    "class": job.get("class"),
                    "wrapped": job.get("wrapped"),
                    "queue": job.get("queue"),
                    "list": name,
                    "description": job.get("description"),
                    "args": args,
                }
            )
        view.clear()
    return pushed


def run_jobsim(case: dict[str, Any]) -> Observation:
    """Run one case's steps in jobsim and observe them as ``sidekiq_cron_poller.rb`` does."""
    name = case["name"]
    sim = jobsim.Simulator(seed=1, start=epoch(case["created"]), profile="sidekiq-6.4")
    sim.register(CronConfJob, CronLowJob)
    active_job.settings(sim).rails = RAILS
    active_job.register(sim, CronAjJob, CronAjQueueAsJob, CronAjOptionsJob)
    recurring = Recurring(sim, poll="exact").load({name: dict(case["job"])})
    job = recurring.jobs[name]
    steps: list[Observation] = []
    for action, at in case["steps"]:
        sim.run_until(epoch(at))
        if action == "poll":
            recurring.poll_once(sim.time)
            last = job.last_enqueue_time
            steps.append(
                {
                    "pushed": take_pushed(sim),
                    "last_enqueue_time": None if last is None else int(last),
                }
            )
        elif action == "disable":
            recurring.disable(name)
            steps.append({"status": job.status})
        elif action == "enable":
            recurring.enable(name)
            steps.append({"status": job.status})
        else:
            raise AssertionError(f"unknown step {action!r}")
    return {"steps": steps}


# -- comparison -----------------------------------------------------------------------------


def _at(case: dict[str, Any], line: str) -> str:
    """``line`` with the step's action and time, for ``.steps[i]...`` paths."""
    if line.startswith(".steps["):
        index = int(line[len(".steps[") : line.index("]")])
        action, at = case["steps"][index]
        return f"{line}  <- {action} at {at}"
    return line


JOB_KEYS = {
    "cron",
    "class",
    "args",
    "queue",
    "status",
    "date_as_argument",
    "active_job",
    "queue_name_prefix",
    "queue_name_delimiter",
    "description",
}


def test_cases_file_is_well_formed() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert set(KNOWN_DIFFERENCES) <= set(names)
    for case in CASES:
        assert set(case) == {"name", "created", "job", "steps"}, case["name"]
        assert set(case["job"]) <= JOB_KEYS, case["name"]
        times = [epoch(at) for _, at in case["steps"]]
        assert epoch(case["created"]) <= times[0], f"{case['name']}: a step before creation"
        assert times == sorted(times), f"{case['name']}: steps must not go back in time"
        assert all(action in ("poll", "disable", "enable") for action, _ in case["steps"])


def _params() -> list[Any]:
    params = []
    for name in CASES_BY_NAME:
        reason = KNOWN_DIFFERENCES.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks))
    return params


@pytest.mark.parametrize("name", _params())
def test_cron_poller_case_matches_sidekiq_cron(
    name: str, cron_observations: dict[str, Observation]
) -> None:
    case = CASES_BY_NAME[name]
    expected = cron_observations.get(name)
    assert expected is not None, f"the Ruby run has no observation for case {name!r}"
    if "error" in expected:
        pytest.fail(
            f"case {name!r} failed on the Ruby side: {expected['error']}\n"
            + "\n".join(expected.get("error_backtrace", []))
        )
    actual = run_jobsim(case)
    found = [
        _at(case, line)
        for line in differences(
            expected, actual, side="sidekiq-cron", float_tolerance=FLOAT_TOLERANCE
        )
    ]
    if found:
        shown = found[:40] + ([f"... and {len(found) - 40} more"] if len(found) > 40 else [])
        pytest.fail(
            f"case {name!r} ({case['job']}, created {case['created']})\n"
            f"{len(found)} difference(s), sidekiq-cron first:\n  " + "\n  ".join(shown),
            pytrace=False,
        )
