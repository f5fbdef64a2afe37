"""What the `jobsim` fixture costs per test: set-up + teardown, with and without virtual time.

What it measures (wall clock, ``time.perf_counter`` around a whole ``pytest`` subprocess):

1. **bare**: N generated tests ``def test_i(): pass``, the floor every variant pays too
   (interpreter start, plugin loading, collection, reporting);
2. **empty fixture**: the tests take a do-nothing generator fixture: what any fixture costs
   in pytest itself, for comparison;
3. **fixture**: the same N tests taking the ``jobsim`` fixture with the freezegun bridge off
   (``jobsim_freeze_time = false``): a fresh, active simulator per test;
4. **fixture + freezegun**: the fixture as it comes by default, with freezegun started once per
   test and stopped at its end.

Each variant runs in its own temporary folder, best of ``--repeats``, in the same run. The
overhead per test is ``(variant - bare) / N``. Goals (issue 4): <= 1 ms per test without the
bridge and <= 5 ms with it. The goals are printed for reading; nothing here fails on a number.

Usage::

    python benchmarks/bench_fixture_overhead.py             # 2,000 tests, 3 repeats
    python benchmarks/bench_fixture_overhead.py --quick     # 200 tests, 1 repeat
    python benchmarks/bench_fixture_overhead.py --json out.json
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _harness
from _harness import print_table

GOALS_MS = {"fixture": 1.0, "fixture + freezegun": 5.0}

VARIANTS = {
    "bare": ("def test_{i}():\n    pass\n", "false"),
    "empty fixture (pytest's own floor)": ("def test_{i}(empty):\n    pass\n", "false"),
    "fixture": ("def test_{i}(jobsim):\n    pass\n", "false"),
    "fixture + freezegun": ("def test_{i}(jobsim):\n    pass\n", "true"),
}


def _write(folder: Path, body: str, freeze: str, count: int) -> None:
    (folder / "pytest.ini").write_text(
        f"[pytest]\njobsim_freeze_time = {freeze}\naddopts = -p no:cacheprovider\n",
        encoding="utf-8",
    )
    empty = "import pytest\n\n@pytest.fixture\ndef empty():\n    yield None\n\n\n"
    tests = empty + "".join(body.format(i=i) for i in range(count))
    (folder / "test_generated.py").write_text(tests, encoding="utf-8")


def _run(folder: Path, count: int) -> float:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:benchmark", "-p", "no:randomly"]
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, check=False, env=env
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or f"{count} passed" not in result.stdout:
        raise SystemExit(f"pytest failed in {folder}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200 tests, 1 repeat")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()
    count, repeats = (200, 1) if args.quick else (args.tests, args.repeats)

    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as root:
        for name, (body, freeze) in VARIANTS.items():
            folder = Path(root) / f"variant{len(seconds)}"
            folder.mkdir()
            _write(folder, body, freeze, count)
            seconds[name] = min(_run(folder, count) for _ in range(max(repeats, 1)))

    bare = seconds["bare"]
    rows = []
    results = {}
    for name, total in seconds.items():
        overhead_ms = (total - bare) / count * 1000
        goal = GOALS_MS.get(name)
        verdict = "" if goal is None else ("meets goal" if overhead_ms <= goal else "OVER goal")
        rows.append(
            [
                name,
                round(total, 3),
                round(total / bare, 2),
                round(overhead_ms, 3),
                "-" if goal is None else f"<= {goal} ms",
                verdict,
            ]
        )
        results[name] = {
            "seconds": total,
            "ratio_to_bare": total / bare,
            "ms_per_test": overhead_ms,
        }
    print_table(
        f"{count:,} generated tests, one pytest process each, best of {repeats}",
        ["variant", "seconds", "x bare", "overhead ms/test", "goal", ""],
        rows,
    )
    _harness.write_json(
        args.json,
        {
            "machine": _harness.machine_info(),
            "tests": count,
            "repeats": repeats,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
