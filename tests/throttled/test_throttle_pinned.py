"""Batched refusals change nothing observable: mid-size runs pinned bit for bit.

``pinned_runs.json`` holds each scenario's outcome as the one-refusal-at-a-time gate produced
it (regenerate only for a deliberate change of behaviour, with
``JOBSIM_REPIN=1 python -m pytest tests/throttled/test_throttle_pinned.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.throttled._scenarios import SCENARIOS, outcome

PINNED = Path(__file__).with_name("pinned_runs.json")


def _pinned() -> dict[str, object]:
    return json.loads(PINNED.read_text()) if PINNED.exists() else {}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_run_matches_its_pinned_outcome(name: str) -> None:
    got = outcome(SCENARIOS[name]())
    if os.environ.get("JOBSIM_REPIN"):
        pinned = _pinned()
        pinned[name] = got
        PINNED.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
    assert got == _pinned()[name]
