"""``jobsim retries``: every format, checked against Sidekiq's formula per profile."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from jobsim.cli import main
from jobsim.errors import InvalidArgument
from jobsim.replay import compile_count_expression, retry_schedule
from jobsim.retry import default_delay
from jobsim.simulator import Simulator
from tests.conftest import failing_job

#: The jitter's largest value after failure ``count``, per profile.
SPAN = {"sidekiq-6.4": lambda c: 9 * (c + 1), "sidekiq-7": lambda c: 9 * (c + 1),
        "sidekiq-8": lambda c: 10 * (c + 1) - 1}  # fmt: skip


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["retries", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("profile", sorted(SPAN))
def test_json_rows_follow_the_formula(capsys: pytest.CaptureFixture[str], profile: str) -> None:
    data = _json(capsys, "--retry", "25", "--profile", profile, "--seed", "11")
    rows = data["rows"]
    assert [row["retry_count"] for row in rows] == list(range(25))
    elapsed = low = high = 0.0
    for count, row in enumerate(rows):
        assert row["delay_min"] == default_delay(count)
        assert row["delay_max"] == default_delay(count) + SPAN[profile](count)
        assert row["delay_min"] <= row["delay"] <= row["delay_max"]
        elapsed, low, high = elapsed + row["delay"], low + row["delay_min"], high + row["delay_max"]
        assert (row["elapsed"], row["elapsed_min"], row["elapsed_max"]) == (elapsed, low, high)
    assert data["dies_at"] == rows[-1]["at"]
    assert data["outcome"] == "dead"
    assert data["executions"] == 26


@pytest.mark.parametrize("profile", sorted(SPAN))
def test_the_delays_are_those_a_simulator_with_the_seed_draws(profile: str) -> None:
    job = failing_job("Replayed", retry=6)
    sim = Simulator(seed=5, profile=profile)
    with sim:
        job.perform_async()
    sim.drain()
    simulated = [event.detail["delay"] for event in sim.trace.of_kind("retry_scheduled")]
    replayed = [row["delay"] for row in retry_schedule(retry=6, profile=profile, seed=5)["rows"]]
    assert replayed == simulated


def test_jitter_pins_the_delay_to_a_bound(capsys: pytest.CaptureFixture[str]) -> None:
    low = _json(capsys, "--retry", "4", "--jitter", "min")["rows"]
    high = _json(capsys, "--retry", "4", "--jitter", "max")["rows"]
    assert [row["delay"] for row in low] == [default_delay(c) for c in range(4)]
    assert [row["delay"] for row in high] == [row["delay_max"] for row in high]


def test_retry_in_expression_replaces_the_backoff(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "--retry", "3", "--retry-in", "min(30 * (count + 1), 70)",
                 "--jitter", "min")["rows"]  # fmt: skip
    assert [row["delay"] for row in rows] == [30, 60, 70]


@pytest.mark.parametrize(
    "text", ["__import__('os')", "count.real", "open('x')", "[1]", "count ** 1000", "x + 1", "1 +"]
)
def test_retry_in_refuses_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(InvalidArgument, match="--retry-in"):
        compile_count_expression(text)(3)


def test_retry_for_ends_the_schedule_in_sidekiq_8(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "--retry", "25", "--retry-for", "1h", "--profile", "sidekiq-8")
    assert data["outcome"] == "dead"
    assert "retry_for" in data["reason"]
    assert data["rows"][-1]["elapsed"] <= 3600 + data["rows"][-1]["delay"]
    assert len(data["rows"]) < 25


def test_no_retry_is_discarded(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "--no-retry")
    assert data["rows"] == []
    assert data["outcome"] == "discarded"
    assert data["dies_at"] is None


def test_a_real_job_continues_from_its_retry_count(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = {"class": "Charge", "jid": "b4a577edbccf1d805744efa9", "queue": "critical",
           "retry": 5, "retry_count": 3, "failed_at": 1767225600.0, "retried_at": 1767226000.0,
           "error_class": "Timeout::Error", "error_message": "execution expired"}  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"score": 1.0, "item": job})))
    data = _json(capsys, "--job", "-", "--profile", "sidekiq-7")
    assert data["source"] == "job"
    assert [row["retry_count"] for row in data["rows"]] == [3, 4]
    first = data["rows"][0]
    assert first["delay_min"] == default_delay(3)
    assert first["elapsed"] == 400 + first["delay"]  # from its last failure, since failed_at
    assert data["executions"] == 2


def test_a_dead_job_has_nothing_left(tmp_path: Path) -> None:
    path = tmp_path / "dead.json"
    dead = {"class": "X", "jid": "1", "retry": 2, "retry_count": 2,
            "failed_at": 1767225600.0, "retried_at": 1767225700.0}  # fmt: skip
    path.write_text(json.dumps(dead))
    schedule = retry_schedule(job=json.loads(path.read_text()))
    assert schedule["rows"] == []
    assert schedule["outcome"] == "dead"


def test_a_job_without_failure_fields_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "fresh.json"
    path.write_text('{"class": "X", "jid": "1"}')
    assert main(["retries", "--job", str(path)]) == 2
    assert "failed_at or retry_count" in capsys.readouterr().err


def test_samples_give_percentile_bands(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "--retry", "5", "--samples", "200")["rows"]
    for row in rows:
        assert row["reached"] == 200
        assert row["elapsed_min"] <= row["elapsed_p05"] <= row["elapsed_p50"]
        assert row["elapsed_p50"] <= row["elapsed_p95"] <= row["elapsed_max"]
        assert row["elapsed_p05"] < row["elapsed_p95"]


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--retry", "2", "--profile", "sidekiq-6.4", "--samples", "3"]) == 0
    out = capsys.readouterr().out
    assert "retry_count" in out
    assert "15..24" in out
    assert "p5–p95 (3 seeds)" in out
    assert "dies at 2026-01-01T00:00:" in out


def test_csv_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--retry", "3", "--format", "csv", "--seed", "4"]) == 0
    reader = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = retry_schedule(retry=3, seed=4)["rows"]
    assert [int(row["retry_count"]) for row in reader] == [0, 1, 2]
    assert [float(row["delay"]) for row in reader] == [row["delay"] for row in expected]
    assert list(reader[0])[:6] == [
        "retry_count",
        "delay",
        "delay_min",
        "delay_max",
        "at",
        "elapsed",
    ]


def test_plot_svg_has_axes_and_one_dot_per_retry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "retries.svg"
    assert main(["retries", "--retry", "25", "--samples", "20", "--plot", str(path)]) == 0
    svg = path.read_text()
    assert svg.startswith("<svg")
    assert "elapsed since first failure (log scale)" in svg
    assert ">retry_count</text>" in svg
    assert svg.count('class="dot"') == 25
    assert svg.count('class="band"') == 50  # jitter range and p5–p95 per retry
    assert ">1d</text>" in svg  # a log-time tick


def test_plot_refuses_other_suffixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--plot", str(tmp_path / "x.pdf")]) == 2
    assert ".svg or .png" in capsys.readouterr().err
