"""sidekiq-cron save/load conformance: jobsim's ``Recurring.load`` against sidekiq-cron 1.8.0.

``sidekiq_cron_load.rb`` runs every case of ``cron_load_cases.json`` and of
``cron_upstream_cases.json`` through Debian's sidekiq-cron 1.8.0 on a private Redis:
schedules loaded (``load_from_hash`` / ``load_from_array``, with ``!`` or without, and the
errors hash they return), jobs disabled, enabled and destroyed, polls, the fire time a poll
considers, and each saved job as ``Job.find`` reads it back. This module runs the same steps
in jobsim (``Recurring(sim, poll="exact").load(..., on_error="collect")`` on a
``sidekiq-6.4`` simulator, ``sidekiq-7`` for the 2.x cases) and compares them step by step.

``cron_upstream_cases.json`` is sidekiq-cron's own ``test/unit/job_test.rb`` and
``test/unit/poller_test.rb`` at v1.8.0, one case per upstream example that says something
about behaviour, named by upstream file, line and tag; the times the upstream tests take
from the wall clock are fixed ones here. The same examples at v2.3.1 (the 2.x behaviour they
test is 1.8.0's) are there too, with ``"profile": "sidekiq-cron-2"``: jobsim runs them with
that profile, and the real 1.8.0 records its answer, which 2.x must still give. The examples
on what 2.x changed are in ``test_sidekiq_cron2_upstream.py``.

The examples not ported are about the Ruby API itself, with nothing jobsim could do alike or
differently (v1.8.0 lines; the same examples at v2.3.1 are left out alike):

* job_test.rb:18-71 (``respond_to?`` checks: create, destroy, count, all, find, save, valid?,
  enabled?, disabled?, sort_name for the Web UI), :119 and :125 (attribute readers and
  ``to_hash`` keys), :157-184 (``parse_enqueue_time`` and the ``formated_*`` strings Redis
  stores), :926 (a foreign key planted in the Redis set), :938/:943/:974/:979 (``find`` /
  ``destroy`` by a string or by a hash with ``name``);
* job_test.rb:305-750 on ActiveJob (``#active_job_message``, ``enque!`` of ``active job``,
  ``symbolize_args``): upstream runs them against a stub ``ActiveJob::Base`` written in its
  test_helper.rb, not Rails; the same paths against real ActiveJob 6.1 are the ``activejob_*``,
  ``active_job_flag_*`` and ``unknown_class_*`` cases of ``test_cron_poller_conformance.py``;
  ``#sidekiq_worker_message`` (:317-365) is the raw hash checked by :742 and :1210 here.

What the two sides spell differently is mapped before comparing, never loosened:

* a ``'cron' -> "EXPR" -> ...`` message ends in Fugit's wording on the Ruby side and in
  jobsim's on ours, so both are cut after the expression;
* the array entry without a name is the errors hash's ``nil`` key, printed as ``""`` by Ruby
  and ``None`` in jobsim;
* a description the entry leaves out is ``None`` in jobsim; Redis stores it, and every read
  gives it back, as ``""`` (so does the wrapper job jobsim builds);
* a class given as ``{"const": NAME}`` is the class object on both sides;
* an ActiveJob wrapper's random ``job_id`` is compared by its shape (a version-4 UUID).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.clock import format_time
from jobsim.cron.recurring import Recurring
from tests.conformance.compare import differences

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "cron_load_cases.json"
UPSTREAM_PATH = HERE / "cron_upstream_cases.json"
RUBY_SCRIPT = HERE / "sidekiq_cron_load.rb"
CASES: list[dict[str, Any]] = [
    *json.loads(CASES_PATH.read_text(encoding="utf-8")),
    *json.loads(UPSTREAM_PATH.read_text(encoding="utf-8")),
]
CASES_BY_NAME = {case["name"]: case for case in CASES}
#: date_as_argument's float is ``Time.now.to_f`` on the Ruby side (one ulp off at times).
FLOAT_TOLERANCE = 1e-6
UUID4 = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")

Observation = dict[str, Any]

#: Cases where jobsim knowingly differs from sidekiq-cron 1.8.0, with the exact difference.
KNOWN_DIFFERENCES: dict[str, str] = {
    "args_as_a_json_object_string": (
        "the gem keeps the parsed Hash as the job's args and splats it into [key, value] "
        "pairs at each enqueue; jobsim keeps the pairs (the jobs pushed are the same)"
    ),
}


class CronConfJob(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


class CronLowJob(jobsim.Job, queue="low"):
    def perform(self, *args: Any) -> None: ...


class CronTestClass(jobsim.Job, retry=True):
    def perform(self, *args: Any) -> None: ...


class CronTestClassWithQueue(jobsim.Job, queue="super", retry=False, backtrace=True):
    def perform(self, *args: Any) -> None: ...


CLASSES: dict[str, type[jobsim.Job]] = {
    job_class.job_name: job_class
    for job_class in (CronConfJob, CronLowJob, CronTestClass, CronTestClassWithQueue)
}


@pytest.fixture(scope="session")
def load_observations(sidekiq_ruby: Any) -> dict[str, Observation]:
    """Every case's observation from the real sidekiq-cron (one Ruby run per cases file)."""
    cases: dict[str, Observation] = {}
    for path in (CASES_PATH, UPSTREAM_PATH):
        result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, path)
        assert result.get("sidekiq_cron_version") == "1.8.0", result.get("sidekiq_cron_version")
        assert result.get("fugit_version") == "1.5.2", result.get("fugit_version")
        cases.update(result["cases"])
    return cases


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _with_classes(spec: Any) -> Any:
    if not isinstance(spec, dict):
        return spec
    return {
        key: CLASSES[value["const"]] if isinstance(value, dict) and "const" in value else value
        for key, value in spec.items()
    }


def _schedule(schedule: Any) -> Any:
    if isinstance(schedule, dict):
        return {name: _with_classes(spec) for name, spec in schedule.items()}
    return [_with_classes(spec) for spec in schedule]


def _cut(message: str) -> str:
    """A ``'cron' -> "EXPR" -> ...`` message without the parser's own wording."""
    if not message.startswith("'cron' -> "):
        return message
    head, expression, _ = message.split(" -> ", 2)
    return f"{head} -> {expression} -> "


def _pushed(sim: jobsim.Simulator) -> list[Observation]:
    pushed = []
    for name in sorted(sim.queues):
        view = sim.queue(name)
        for job in view.jobs:
            args = list(job.get("args", []))
            if "wrapped" in job:
                args = [
                    {**data, "job_id": "uuid4" if UUID4.match(data["job_id"]) else data["job_id"]}
                    for data in args
                ]
            pushed.append(
                {
                    "class": job.get("class"),
                    "queue": job.get("queue"),
                    "args": args,
                    "description": job.get("description"),
                    "retry": job.get("retry"),
                    "backtrace": job.get("backtrace"),
                }
            )
        view.clear()
    return pushed


def _state(recurring: Recurring) -> Observation:
    jobs = []
    for name in sorted(recurring.jobs):
        job = recurring.jobs[name]
        last = job.last_enqueue_time
        jobs.append(
            {
                "name": name,
                "status": job.status,
                "last_enqueue_time": None if last is None else int(last),
                "klass": job.klass,
                "queue": job.queue or _class_queue(job.klass),
                "args": job.args,
                "description": "" if job.description is None else job.description,
                "enqueued": len(job.enqueued_slots),
            }
        )
    return {"jobs": jobs}


def _class_queue(name: str) -> str:
    found = CLASSES.get(name)
    return "default" if found is None else str(found.sidekiq_options.get("queue", "default"))


def run_jobsim(case: dict[str, Any]) -> Observation:
    """Run one case's steps in jobsim and observe them as ``sidekiq_cron_load.rb`` does."""
    first = epoch(case["steps"][0][1])
    version = case.get("profile", "sidekiq-cron-1.8")
    # sidekiq-cron 2.x needs Sidekiq 6.5+: its cases run on the sidekiq-7 profile.
    sidekiq = "sidekiq-6.4" if version == "sidekiq-cron-1.8" else "sidekiq-7"
    sim = jobsim.Simulator(seed=1, start=first, profile=sidekiq)
    sim.register(*CLASSES.values())
    recurring = Recurring(sim, poll="exact", sidekiq_cron=version)
    steps: list[Observation] = []
    for action, at, *rest in case["steps"]:
        if epoch(at) >= sim.time:
            sim.run_until(epoch(at))
        if action in ("load", "load!"):
            recurring.load(_schedule(rest[0]), on_error="collect", replace=action == "load!")
            errors = {
                "" if name is None else name: [_cut(message) for message in messages]
                for name, messages in recurring.errors.items()
            }
            steps.append({"errors": errors})
        elif action == "poll":
            recurring.poll_once(sim.time)
            steps.append({"pushed": _pushed(sim)})
        elif action in ("disable", "enable"):
            getattr(recurring, action)(rest[0])
            steps.append({"status": recurring.jobs[rest[0]].status})
        elif action == "state":
            steps.append(_state(recurring))
        elif action == "destroy":
            steps.append({"destroyed": recurring.destroy(rest[0])})
        elif action == "destroy_all":
            for name in list(recurring.jobs):
                recurring.destroy(name)
            steps.append(_state(recurring))
        elif action == "last_time":
            slot = recurring.jobs[rest[0]].previous_fire(epoch(at))
            steps.append({"last_time": format_time(slot)})
        else:
            raise AssertionError(f"unknown step {action!r}")
    return {"steps": steps}


def _ruby_side(observed: Observation) -> Observation:
    """The Ruby observation with the wrapper's random job_id reduced to its shape."""
    for step in observed.get("steps", []):
        for job in step.get("pushed", []):
            if job["class"].endswith("JobWrapper"):
                for data in job["args"]:
                    data["job_id"] = "uuid4" if UUID4.match(data["job_id"]) else data["job_id"]
    return observed


def test_load_cases_file_is_well_formed() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert set(KNOWN_DIFFERENCES) <= set(names)
    for case in CASES:
        # only last_time may look back: it asks the cron, it does not move the clock
        times = [epoch(step[1]) for step in case["steps"] if step[0] != "last_time"]
        assert times == sorted(times), f"{case['name']}: steps must not go back in time"
        assert case["steps"][0][0] in ("load", "load!"), f"{case['name']}: starts with a load"


def _params() -> list[Any]:
    params = []
    for name in CASES_BY_NAME:
        reason = KNOWN_DIFFERENCES.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks))
    return params


@pytest.mark.parametrize("name", _params())
def test_cron_load_case_matches_sidekiq_cron(
    name: str, load_observations: dict[str, Observation]
) -> None:
    case = CASES_BY_NAME[name]
    expected = load_observations.get(name)
    assert expected is not None, f"the Ruby run has no observation for case {name!r}"
    if "error" in expected:
        pytest.fail(f"case {name!r} failed on the Ruby side: {expected['error']}")
    found = list(
        differences(
            _ruby_side(expected),
            run_jobsim(case),
            side="sidekiq-cron",
            float_tolerance=FLOAT_TOLERANCE,
        )
    )
    if found:
        pytest.fail(
            f"case {name!r}: {len(found)} difference(s), sidekiq-cron first:\n  "
            + "\n  ".join(found[:40]),
            pytrace=False,
        )
