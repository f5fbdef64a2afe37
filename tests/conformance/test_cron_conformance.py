"""jobsim.cron's "fugit" dialect against Debian's real Fugit 1.5.2, case by case.

``fugit_cron.rb`` runs every case of ``cron_cases.json`` (regenerate with
``gen_cron_cases.py``) through the real gem: accept/reject, the next three fire times and the
previous three from the start instant, in the case's zone. jobsim must agree on every case.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron import Cron, CronNeverFires, CronSyntaxError

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "cron_cases.json"
RUBY_SCRIPT = HERE / "fugit_cron.rb"
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
COUNT = 3


def jobsim_observation(case: dict[str, Any]) -> dict[str, Any]:
    zone = ZoneInfo(case["zone"])
    try:
        cron = Cron(case["expression"], tz=zone)
        start = datetime.fromtimestamp(case["start"], zone)
        nexts = [int(t.timestamp()) for t in cron.take(start, COUNT)]
        backwards = cron.iter_before(start)
        previous = [int(next(backwards).timestamp()) for _ in range(COUNT)]
    except (CronSyntaxError, CronNeverFires):
        return {"valid": False}
    return {"valid": True, "next": nexts, "previous": previous}


@pytest.fixture(scope="session")
def fugit_observations(sidekiq_ruby: Any) -> list[dict[str, Any]]:
    """Every case as real Fugit sees it (one Ruby run per session)."""
    if shutil.which("ruby") is None:  # pragma: no cover - sidekiq_ruby already skipped
        pytest.skip("ruby missing")
    probe = subprocess.run(
        [sidekiq_ruby.ruby, "-e", 'require "fugit"; print Fugit::VERSION'],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0 or not probe.stdout.startswith("1.5."):
        pytest.skip(f"needs ruby-fugit 1.5.x (got {probe.stdout or probe.stderr[:200]!r})")
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    assert result["fugit_version"] == "1.5.2"
    cases: list[dict[str, Any]] = result["cases"]
    assert len(cases) == len(CASES)
    return cases


def test_corpus_is_large_and_covers_dst_zones() -> None:
    assert len(CASES) >= 2000
    zones = {case["zone"] for case in CASES}
    assert {"America/New_York", "Europe/London", "Australia/Lord_Howe"} <= zones


def test_jobsim_agrees_with_real_fugit_on_every_case(
    fugit_observations: list[dict[str, Any]],
) -> None:
    disagreements = []
    for case, theirs in zip(CASES, fugit_observations, strict=True):
        theirs = {key: value for key, value in theirs.items() if key != "error"}
        ours = jobsim_observation(case)
        if ours != theirs:
            disagreements.append(f"{case}: jobsim {ours} vs fugit {theirs}")
    valid = sum(1 for obs in fugit_observations if obs["valid"])
    assert valid > len(CASES) // 2, "most cases must be valid crons, or the test proves little"
    assert not disagreements, (
        f"{len(disagreements)} of {len(CASES)} cases disagree with Fugit 1.5.2:\n"
        + "\n".join(disagreements[:20])
    )


def test_the_comparison_can_fail() -> None:
    case = {"expression": "30 1 * * *", "zone": "America/New_York", "start": 1730696400}
    ours = jobsim_observation(case)
    wrong = dict(ours, next=[t + 3600 for t in ours["next"]])
    assert ours != wrong
