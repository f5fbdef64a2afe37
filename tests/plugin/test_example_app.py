"""examples/pytest_app: a tiny shop whose own test suite uses every jobsim.testing assertion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jobsim.testing

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "pytest_app"

#: The names a user asserts with; the example must use each one.
ASSERTIONS = [
    name
    for name in jobsim.testing.__all__
    if name.startswith(("assert_", "have_", "perform_", "enqueued_", "performed_"))
    or name in ("ANY", "dict_containing", "instance_of", "list_containing", "predicate", "regex")
]


def test_the_example_suite_passes() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(APP / "tests")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout.splitlines()[-1]
    assert "failed" not in result.stdout.splitlines()[-1]


def test_the_example_uses_every_assertion() -> None:
    source = (APP / "tests" / "test_shop.py").read_text(encoding="utf-8")
    # Each name appears once in the import list and at least once in use.
    unused = [name for name in ASSERTIONS if len(re.findall(rf"\b{name}\b", source)) < 2]
    assert not unused, f"examples/pytest_app/tests/test_shop.py does not use {unused}"
