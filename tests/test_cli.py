"""The ``jobsim retries`` command: rows checked against Sidekiq's formula per profile."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jobsim.cli import main, retry_schedule
from jobsim.retry import default_delay

SPAN = {"sidekiq-6.4": lambda c: 9 * (c + 1), "sidekiq-7": lambda c: 9 * (c + 1),
        "sidekiq-8": lambda c: 10 * (c + 1) - 1}  # fmt: skip


@pytest.mark.parametrize("profile", sorted(SPAN))
def test_rows_follow_the_backoff_formula(profile: str) -> None:
    schedule = retry_schedule(retry=25, profile=profile, seed=3)
    rows = schedule["rows"]
    assert [row["retry_count"] for row in rows] == list(range(25))
    elapsed = 0.0
    for count, row in enumerate(rows):
        assert row["delay_min"] == default_delay(count)
        assert row["delay_max"] == default_delay(count) + SPAN[profile](count)
        assert row["delay_min"] <= row["delay"] <= row["delay_max"]
        elapsed += row["delay"]
        assert row["elapsed"] == pytest.approx(elapsed)
    assert schedule["dies_at"] == rows[-1]["at"]
    assert 20 * 86400 < rows[-1]["elapsed"] < 22 * 86400  # about three weeks of retries


def test_json_output_and_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--retry", "3", "--format", "json", "--seed", "1"]) == 0
    first = json.loads(capsys.readouterr().out)
    main(["retries", "--retry", "3", "--format", "json", "--seed", "2"])
    second = json.loads(capsys.readouterr().out)
    assert len(first["rows"]) == 3
    assert {"retry_count", "delay", "delay_min", "delay_max", "at", "elapsed"} <= set(
        first["rows"][0]
    )
    assert [r["delay"] for r in first["rows"]] != [r["delay"] for r in second["rows"]]


def test_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    main(["retries", "--retry", "2", "--profile", "sidekiq-6.4"])
    table = capsys.readouterr().out
    assert "retry_count" in table
    assert "15..24" in table
    assert "dies at" in table
    main(["retries", "--retry", "2", "--format", "csv"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("retry_count,delay,delay_min,delay_max,at,elapsed,")
    assert len(lines) == 3


def test_python_dash_m_jobsim_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "jobsim", "retries", "--retry", "1"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dies at" in done.stdout
