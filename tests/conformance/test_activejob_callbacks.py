"""ActiveJob callback chains: jobsim (Rails 6.1) against real ActiveJob 6.1.7.

``activejob_callbacks.rb`` declares each scenario of ``activejob_callbacks.json`` on a job
class of Debian's ActiveJob 6.1.7 and logs what ran, with ``skip_after_callbacks_if_terminated``
on and off; this module declares the same callbacks on a jobsim class and compares the log and
what ``enqueue`` / ``perform_now`` returned.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.active_job import Abort, ActiveJob, RailsDeprecationWarning, settings

HERE = Path(__file__).resolve().parent
RUBY_SCRIPT = HERE / "activejob_callbacks.rb"
SCENARIOS: list[dict[str, Any]] = json.loads(
    (HERE / "activejob_callbacks.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def ruby_logs() -> dict[str, Any]:
    ruby = shutil.which("ruby")
    if ruby is None:
        message = "conformance needs ruby: apt-get install -y ruby-activejob"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [ruby, str(RUBY_SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{RUBY_SCRIPT.name} failed:\n{done.stderr}"
    logs: dict[str, Any] = json.loads(done.stdout)
    return logs


def _build(steps: list[str], event: str) -> type[ActiveJob]:
    class ChainJob(ActiveJob):
        def __init__(self) -> None:
            super().__init__()
            self.log: list[str] = []

        def perform(self) -> str:
            self.log.append("perform")
            return "done"

    for step in steps:
        kind, name = step.split(":")
        add = getattr(ChainJob, f"{kind.split('_')[0]}_{event}")
        add(_callback(kind, name))
    return ChainJob


def _callback(kind: str, name: str) -> Any:
    if kind in ("before", "after"):
        return lambda job: job.log.append(f"{kind}:{name}")
    if kind == "before_abort":

        def halt(job: Any) -> None:
            job.log.append(f"abort:{name}")
            raise Abort

        return halt
    if kind == "around":

        def around(job: Any, block: Any) -> None:
            job.log.append(f"around_start:{name}")
            block()
            job.log.append(f"around_stop:{name}")

        return around
    return lambda job, block: job.log.append(f"around_skip:{name}")


def _outcome(value: Any, job: Any) -> str:
    if value is job:
        return "job"
    if value is None:
        return "nil"
    return "false" if value is False else str(value)


@pytest.mark.parametrize("skip_after", [True, False], ids=["skip_after", "run_after"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_callback_chain_matches_activejob_6_1(
    scenario: dict[str, Any], skip_after: bool, ruby_logs: dict[str, Any]
) -> None:
    job_class = _build(scenario["steps"], scenario["event"])
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = "6.1"
        settings(sim).skip_after_callbacks_if_terminated = skip_after
        job: Any = job_class()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RailsDeprecationWarning)  # silenced in Ruby too
            value = job.enqueue() if scenario["event"] == "enqueue" else job.perform_now()
        if scenario["event"] == "enqueue" and value:
            job.log.append("enqueued")
    ours = {"log": job.log, "result": _outcome(value, job)}
    assert ours == ruby_logs[f"{scenario['name']}/{str(skip_after).lower()}"]
