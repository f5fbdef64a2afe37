"""What jobsim refuses at enqueue as unwritable JSON is what Ruby's JSON.generate refuses.

Sidekiq writes every job with ``JSON.generate`` (``Sidekiq.dump_json``), so a push of
arguments it cannot write raises there, whatever strict-args says. ``json_limits.rb`` runs
each case through the installed json gem; jobsim must accept exactly the ones Ruby writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import jobsim
from tests.conformance.conftest import _missing

SCRIPT = Path(__file__).resolve().parent / "json_limits.rb"

CASES: list[dict[str, Any]] = [
    {"name": "depth-97", "kind": "depth", "depth": 97},
    {"name": "depth-98", "kind": "depth", "depth": 98},
    {"name": "depth-99", "kind": "depth", "depth": 99},
    {"name": "depth-150", "kind": "depth", "depth": 150},
    {"name": "surrogate", "kind": "surrogate"},
    {"name": "cycle", "kind": "cycle"},
]


def python_args(case: dict[str, Any]) -> list[Any]:
    if case["kind"] == "depth":
        value: list[Any] = []
        for _ in range(case["depth"] - 1):
            value = [value]
        return [value]
    if case["kind"] == "surrogate":
        return ["caf\ud800"]
    loop: list[Any] = []
    loop.append(loop)
    return [loop]


@pytest.fixture(scope="module")
def ruby_verdicts() -> dict[str, str]:
    ruby = shutil.which("ruby")
    if ruby is None:
        _missing("ruby")
    assert ruby is not None
    lines = "".join(json.dumps(case) + "\n" for case in CASES)
    done = subprocess.run(
        [ruby, str(SCRIPT)], input=lines, capture_output=True, text=True, timeout=60, check=True
    )
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_jobsim_refuses_what_ruby_cannot_write(
    ruby_verdicts: dict[str, str], case: dict[str, Any]
) -> None:
    class Ping(jobsim.Job):
        def perform(self, *args: Any) -> None:
            pass

    written = ruby_verdicts[case["name"]] == "ok"
    with jobsim.Simulator(strict_args=False) as sim:
        try:
            Ping.perform_async(*python_args(case))
        except jobsim.InvalidPayload:
            accepted = False
        else:
            accepted = True
    assert accepted == written, ruby_verdicts[case["name"]]
    assert sim.stats.enqueued == int(accepted)
