"""ActiveJob conformance: jobsim (Rails 6.1, "sidekiq-6.4") against real ActiveJob 6.1.7.

``activejob_retry.rb`` runs every case of ``activejob_cases.json`` through Debian's ActiveJob
6.1.7 with its Sidekiq adapter and Sidekiq 6.4.1's client on a private Redis, with ``Time.now``
frozen and ``Kernel.rand`` pinned. Each case declares one ``retry_on`` (every wait form, jitter
given, omitted or nil, attempts as a number or ``:unlimited``), runs the job until an error
escapes to Sidekiq or nothing is left, and records each execution: when it ran, the payload's
class/wrapped/queue and the job data's ``executions``, ``exception_executions``, queue and
priority. This module runs the same cases in jobsim and compares the two.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob, settings

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "activejob_cases.json"
RUBY_SCRIPT = HERE / "activejob_retry.rb"
START = 1_767_225_600.0
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
COMPARED = ("class", "wrapped", "queue", "executions", "exception_executions", "priority")
COMPARED += ("queue_name", "outcome")


class CaseError(Exception):
    pass


class OtherError(Exception):
    pass


PROCS = {"linear": lambda n: n * 2, "zero": lambda n: 0}


@pytest.fixture(scope="session")
def activejob_observations(sidekiq_ruby: Any) -> dict[str, Any]:
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    version = result.get("activejob_version")
    assert isinstance(version, str), f"the Ruby script printed no activejob_version: {result!r}"
    assert version.startswith("6.1."), f"expected ActiveJob 6.1.x, the script ran {version}"
    cases: dict[str, Any] = result["cases"]
    return cases


def _wait(spec: dict[str, Any] | None) -> Any:
    if spec is None:
        return None
    if "int" in spec:
        return spec["int"]
    if "duration" in spec:
        from datetime import timedelta

        return timedelta(seconds=spec["duration"])
    if "symbol" in spec:
        return spec["symbol"]
    if "float" in spec:
        return spec["float"]
    return PROCS[spec["proc"]]


def run_in_jobsim(case: dict[str, Any], index: int) -> dict[str, Any]:
    performed = [0]
    block_calls: list[str] = []

    class Case(ActiveJob, rails="6.1", retry_jitter=case["retry_jitter"], name=f"AjCase{index}"):
        def perform(self, arg: int) -> str:
            performed[0] += 1
            if performed[0] > case["fail"]:
                return "ok"
            if case.get("wrap_cause"):
                try:
                    raise CaseError("inner")
                except CaseError:
                    raise OtherError("outer")  # noqa: B904 - Ruby's implicit cause
            raise CaseError(f"boom {performed[0]}")

    options: dict[str, Any] = {}
    if case["wait"] is not None:
        options["wait"] = _wait(case["wait"])
    if case["attempts"] is not None:
        options["attempts"] = case["attempts"]
    if case["jitter"] != "omit":
        options["jitter"] = case["jitter"]
    for key in ("queue", "priority"):
        if case.get(key) is not None:
            options[key] = case[key]
    if case.get("precedence") == "discard_first":
        Case.discard_on(CaseError)
    if case.get("block"):
        options["block"] = lambda job, error: block_calls.append(str(error))
    kind = Exception if case.get("precedence") == "discard_first" else CaseError
    Case.retry_on(kind, **options)
    if case.get("precedence") == "discard_last":
        Case.discard_on(CaseError)

    sim = jobsim.Simulator(seed=3, start=START, profile="sidekiq-6.4")
    settings(sim).rand = case["rand"]
    with sim:
        Case.perform_later(1)
        sim.drain()
    steps: list[dict[str, Any]] = []
    escaped = None
    for event in sim.trace:
        if event.kind == "started":
            data = event.job["args"][0]
            steps.append(
                {
                    "at": event.ts - START,
                    "class": event.job["class"],
                    "wrapped": event.job["wrapped"],
                    "queue": event.job["queue"],
                    "executions": data["executions"],
                    "exception_executions": data["exception_executions"],
                    "priority": data["priority"],
                    "queue_name": data["queue_name"],
                }
            )
        elif event.kind == "succeeded":
            steps[-1]["outcome"] = "ok"
        elif event.kind == "failed":
            steps[-1]["outcome"] = "raised"
            escaped = {"message": event.detail["error_message"]}
            break
    return {"steps": steps, "escaped": escaped, "block_calls": block_calls}


def _ruby_keys(counters: dict[str, int] | None) -> dict[str, int] | None:
    if counters is None:
        return None
    return {key.replace("StandardError", "Exception"): n for key, n in counters.items()}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_activejob_matches_real_activejob(
    case: dict[str, Any], activejob_observations: dict[str, Any]
) -> None:
    ruby = activejob_observations[case["name"]]
    assert "error" not in ruby, f"the Ruby side failed: {ruby}"
    ours = run_in_jobsim(case, CASES.index(case))
    ruby_steps = ruby["steps"]
    assert len(ours["steps"]) == len(ruby_steps), (
        f"{case['name']}: jobsim ran {len(ours['steps'])} executions before the first error "
        f"escaped, ActiveJob {len(ruby_steps)}\njobsim: {ours['steps']}\nruby: {ruby_steps}"
    )
    for index, (mine, theirs) in enumerate(zip(ours["steps"], ruby_steps, strict=True)):
        theirs = dict(theirs, exception_executions=_ruby_keys(theirs["exception_executions"]))
        for key in COMPARED:
            assert mine[key] == theirs[key], f"{case['name']} step {index}: {key}"
        assert mine["at"] == pytest.approx(theirs["at"], abs=1e-6), (
            f"{case['name']} step {index}: ran at +{mine['at']} s, ActiveJob at +{theirs['at']} s"
        )
    if ruby["escaped"] is None:
        assert ours["escaped"] is None
    else:
        assert ours["escaped"] is not None
        assert ours["escaped"]["message"] == ruby["escaped"]["message"]
    assert ours["block_calls"] == ruby["block_calls"]
